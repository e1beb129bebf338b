// The clinic password (password.hpp): PBKDF2 against published vectors, the password file
// (mode, damaged contents), and the login over real loopback sockets: no session -> 401 except
// the login page, wrong password -> 401 then 429, right one -> a session cookie that opens the
// app, cross-site login -> 403, the password file never served.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

#include "app_test_support.hpp"
#include "insole/app/password.hpp"

namespace insole::app {
namespace {

using test::raw_request;
using test::RawResponse;
using test::TestServer;

std::string hex(const std::string& raw) {
  static const char* h = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(h[c >> 4]);
    out.push_back(h[c & 15]);
  }
  return out;
}

// RFC 7914 section 11, the PBKDF2-HMAC-SHA256 test vectors.
TEST(AppPassword, Pbkdf2MatchesRfc7914Vectors) {
  EXPECT_EQ(hex(pbkdf2_sha256("passwd", "salt", 1, 64)),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
  EXPECT_EQ(hex(pbkdf2_sha256("Password", "NaCl", 80000, 64)),
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
            "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("insole_pw_" + random_token(6));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

TEST(AppPassword, FileIsPrivateSaltedAndSlow) {
  TempDir d;
  auto none = load_password(d.path);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_FALSE(set_password(d.path, "short"));                 // fewer than 10 characters
  EXPECT_FALSE(set_password(d.path, "ten chars\n+tab"));       // control character
  EXPECT_FALSE(set_password(d.path, std::string(1025, 'x')));  // longer than 1024 bytes
  EXPECT_FALSE(std::filesystem::exists(password_file(d.path)));
  ASSERT_TRUE(set_password(d.path, "correct horse battery"));  // the default iteration count
  struct stat st {};
  ASSERT_EQ(::stat(password_file(d.path).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(password_file(d.path));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line.rfind("pbkdf2-sha256$600000$", 0), 0u) << line;
  EXPECT_EQ(line.find("correct"), std::string::npos);
  auto stored = load_password(d.path);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->iterations, 600000u);
  EXPECT_EQ((*stored)->salt.size(), 16u);
  EXPECT_EQ((*stored)->hash, pbkdf2_sha256("correct horse battery", (*stored)->salt, 600000, 32));
  // A second setting makes a new salt (fewer iterations from here on: the test's time).
  ASSERT_TRUE(set_password(d.path, "correct horse battery", 1000));
  auto again = load_password(d.path);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_NE((*again)->salt, (*stored)->salt);
  EXPECT_EQ((*again)->iterations, 1000u);
  EXPECT_TRUE(verify_password(**again, "correct horse battery"));
  EXPECT_FALSE(verify_password(**again, "correct horse batterz"));
  EXPECT_FALSE(verify_password(**again, ""));
  // Readable by others: refused, naming the fix.
  ::chmod(password_file(d.path).c_str(), 0644);
  auto open = load_password(d.path);
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.error().message.find("chmod 600"), std::string::npos) << open.error().message;
}

TEST(AppPassword, DamagedFilesAreRefusedNamingWhatIsWrong) {
  const std::string salt(32, 'a'), hash(64, 'b');
  const std::pair<std::string, std::string> cases[] = {
      {"", "4 expected"},
      {"pbkdf2-sha256$600000$" + salt, "4 expected"},  // truncated
      {"pbkdf2-sha256$600000$" + salt + "$" + hash + "$x", "4 expected"},
      {"md5$600000$" + salt + "$" + hash, "unknown scheme"},
      {"pbkdf2-sha256$-5$" + salt + "$" + hash, "iterations"},
      {"pbkdf2-sha256$9999999999$" + salt + "$" + hash, "iterations"},
      {"pbkdf2-sha256$10$" + salt + "$" + hash, "fewer than 1000"},
      {"pbkdf2-sha256$600000$zz$" + hash, "salt"},
      {"pbkdf2-sha256$600000$" + salt + "$" + hash.substr(0, 62), "hash"},
      {"pbkdf2-sha256$600000$" + salt + "$" + hash.substr(0, 63) + "G", "hash"},
      {std::string("pbkdf2-sha256$600000$\0\0$", 25) + hash, "salt"},
  };
  for (const auto& [line, what] : cases) {
    auto r = parse_password_line(line);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_EQ(r.error().code, Errc::format_error);
    EXPECT_NE(r.error().message.find(what), std::string::npos) << line << ": " << r.error().message;
  }
  TempDir d;
  {
    std::ofstream(password_file(d.path)) << "pbkdf2-sha256$600000$" << salt;
  }
  ::chmod(password_file(d.path).c_str(), 0600);
  auto r = load_password(d.path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("clinic-password"), std::string::npos) << r.error().message;
  // A directory (or anything but a regular file) in its place.
  std::filesystem::remove(password_file(d.path));
  std::filesystem::create_directories(password_file(d.path));
  EXPECT_FALSE(load_password(d.path).ok());
}

// A server guarded by the clinic password (as `insole serve --bind ADDR` without --token).
struct PasswordServer {
  static AppConfig config(const std::string& password) {
    AppConfig c;
    TempDir d;
    EXPECT_TRUE(set_password(d.path, password, 2000));
    auto stored = load_password(d.path);
    EXPECT_TRUE(stored.ok() && stored->has_value());
    c.policy.login = std::make_shared<LoginGate>(std::move(**stored));
    return c;
  }
  explicit PasswordServer(const std::string& password) : s(config(password)) {}
  TestServer s;

  std::string origin() const { return "http://" + s.host(); }
  RawResponse get(const std::string& target, const std::string& cookie = "") {
    return raw_request(s.port(), "GET " + target + " HTTP/1.1\r\nHost: " + s.host() + "\r\n" +
                                     (cookie.empty() ? "" : "Cookie: " + cookie + "\r\n") + "Connection: close\r\n\r\n");
  }
  // The login form's POST as a browser sends it from the app's own page.
  RawResponse login(const std::string& password, const std::string& csrf_cookie, const std::string& csrf_field,
                    const std::string& extra = "") {
    const std::string body = "csrf=" + csrf_field + "&password=" + password;
    return raw_request(s.port(), "POST /login HTTP/1.1\r\nHost: " + s.host() + "\r\nOrigin: " + origin() +
                                     "\r\n" + (extra.find("Sec-Fetch-Site") == std::string::npos ? "Sec-Fetch-Site: same-origin\r\n" : "") +
                                     "Content-Type: application/x-www-form-urlencoded\r\n" +
                                     (csrf_cookie.empty() ? "" : "Cookie: insole_login=" + csrf_cookie + "\r\n") + extra +
                                     "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  }
  // The CSRF token of a fresh login page (its cookie and its hidden field carry the same).
  std::string login_csrf() {
    auto page = get("/login");
    EXPECT_EQ(page.status, 200);
    const auto c = page.head.find("insole_login=");
    const auto f = page.body.find("name=\"csrf\" value=\"");
    if (c == std::string::npos || f == std::string::npos) return {};
    const std::string cookie = page.head.substr(c + 13, page.head.find(';', c) - c - 13);
    const std::string field = page.body.substr(f + 19, page.body.find('"', f + 19) - f - 19);
    EXPECT_EQ(cookie, field);
    EXPECT_EQ(cookie.size(), 32u);
    return cookie;
  }
  static std::string session_of(const RawResponse& r) {
    const auto c = r.head.find("insole_session=");
    if (c == std::string::npos) return {};
    return r.head.substr(c, r.head.find(';', c) - c);
  }
};

TEST(AppPassword, NothingButTheLoginPageWithoutASession) {
  PasswordServer p("a clinic password");
  for (const char* t : {"/", "/index.html", "/app.js", "/api/session", "/api/patients", "/api/sources", "/api/live", "/nothing"}) {
    auto r = p.get(t);
    EXPECT_EQ(r.status, 401) << t;
    EXPECT_EQ(r.body.find("csrf_token"), std::string::npos) << t;
  }
  EXPECT_NE(p.get("/").body.find("/login"), std::string::npos);  // the page leads to the login
  // A POST with the app's own CSRF header but no session.
  EXPECT_EQ(p.s.post("/api/patients", R"({"pseudonym":"P-1"})").status, 401);
  EXPECT_TRUE(p.s.app().store().patients()->empty());
  // A made-up session cookie.
  EXPECT_EQ(p.get("/api/patients", "insole_session=" + std::string(64, '0')).status, 401);
  // The live WebSocket.
  auto ws = raw_request(p.s.port(), "GET /ws/live HTTP/1.1\r\nHost: " + p.s.host() + "\r\nOrigin: " + p.origin() +
                                        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  EXPECT_EQ(ws.status, 401);
  auto page = p.get("/login");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("type=\"password\""), std::string::npos);
  EXPECT_NE(page.head.find("HttpOnly; SameSite=Strict"), std::string::npos);
  // So that the form's POST carries the page's Origin (no-referrer would make it "null").
  EXPECT_NE(page.head.find("Referrer-Policy: same-origin"), std::string::npos);
}

TEST(AppPassword, RightPasswordOpensTheAppWithAStrictHttpOnlySession) {
  PasswordServer p("a clinic password");
  const std::string csrf = p.login_csrf();
  auto wrong = p.login("a+clinic+passwore", csrf, csrf);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(PasswordServer::session_of(wrong), "");
  auto ok = p.login("a+clinic+password", csrf, csrf);  // '+' is a space in a form body
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_NE(ok.head.find("Location: /"), std::string::npos);
  const std::string session = PasswordServer::session_of(ok);
  ASSERT_EQ(session.size(), std::string("insole_session=").size() + 64);
  EXPECT_NE(ok.head.find(session + "; Path=/; HttpOnly; SameSite=Strict"), std::string::npos) << ok.head;
  EXPECT_EQ(p.get("/", session).status, 200);
  auto sess = p.get("/api/session", session);
  ASSERT_EQ(sess.status, 200);
  EXPECT_NE(sess.body.find("csrf_token"), std::string::npos);
  // State changes still need the CSRF header as well as the session.
  auto created = p.s.post("/api/patients", R"({"pseudonym":"P-1"})", "Cookie: " + session + "\r\n");
  EXPECT_EQ(created.status, 201) << created.body;
  auto no_csrf = raw_request(p.s.port(), "POST /api/patients HTTP/1.1\r\nHost: " + p.s.host() + "\r\nCookie: " + session +
                                             "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  EXPECT_EQ(no_csrf.status, 403);
}

TEST(AppPassword, CrossSiteOrForgedLoginIsRefused) {
  PasswordServer p("a clinic password");
  const std::string csrf = p.login_csrf();
  // From another site (the browser says so, or its Origin does).
  EXPECT_EQ(p.login("a+clinic+password", csrf, csrf, "Sec-Fetch-Site: cross-site\r\n").status, 403);
  const std::string body = "csrf=" + csrf + "&password=a+clinic+password";
  auto other_origin = raw_request(p.s.port(), "POST /login HTTP/1.1\r\nHost: " + p.s.host() +
                                                  "\r\nOrigin: http://evil.example\r\nCookie: insole_login=" + csrf +
                                                  "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                                  std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  EXPECT_EQ(other_origin.status, 403);
  EXPECT_EQ(PasswordServer::session_of(other_origin), "");
  // Without the login page's token, or with a token that does not match its cookie.
  EXPECT_EQ(p.login("a+clinic+password", "", csrf).status, 403);
  EXPECT_EQ(p.login("a+clinic+password", csrf, std::string(32, 'f')).status, 403);
  EXPECT_EQ(p.login("a+clinic+password", csrf, "").status, 403);
  // None of these counted as a wrong password: the right one still works.
  EXPECT_EQ(p.login("a+clinic+password", csrf, csrf).status, 303);
}

TEST(AppPassword, WrongPasswordsAreRateLimited) {
  PasswordServer p("a clinic password");
  const std::string csrf = p.login_csrf();
  for (int i = 0; i < LoginGate::kMaxFailures; ++i) EXPECT_EQ(p.login("guess" + std::to_string(i), csrf, csrf).status, 401) << i;
  // The next attempt is refused without being checked, even with the right password.
  auto limited = p.login("a+clinic+password", csrf, csrf);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(PasswordServer::session_of(limited), "");
  EXPECT_NE(limited.head.find("Retry-After: "), std::string::npos);
  const auto ra = limited.head.find("Retry-After: ");
  const int retry = std::stoi(limited.head.substr(ra + 13));
  EXPECT_GT(retry, 250);  // the 300 s window, less the few seconds this test took
  EXPECT_LE(retry, 300);
  // The gate itself: another client address is not locked out by this one.
  auto stored = PasswordServer::config("another password");
  auto& gate = *stored.policy.login;
  for (int i = 0; i < LoginGate::kMaxFailures; ++i) EXPECT_EQ(gate.login("10.0.0.1", "wrong").outcome, LoginGate::Outcome::wrong);
  EXPECT_EQ(gate.login("10.0.0.1", "another password").outcome, LoginGate::Outcome::limited);
  const auto other = gate.login("10.0.0.2", "another password");
  EXPECT_EQ(other.outcome, LoginGate::Outcome::ok);
  EXPECT_TRUE(gate.session_valid(other.session));
  EXPECT_FALSE(gate.session_valid(other.session.substr(1)));
  EXPECT_FALSE(gate.session_valid(""));
}

TEST(AppPassword, ThePasswordFileIsNeverServed) {
  PasswordServer p("a clinic password");
  // The file as `insole serve` keeps it, in the data directory.
  ASSERT_TRUE(set_password(p.s.root() / "data", "a clinic password", 2000));
  std::string line;
  std::getline(std::ifstream(password_file(p.s.root() / "data")), line);
  const std::string hash_hex = line.substr(line.rfind('$') + 1);
  ASSERT_EQ(hash_hex.size(), 64u);
  const std::string csrf = p.login_csrf();
  const std::string session = PasswordServer::session_of(p.login("a+clinic+password", csrf, csrf));
  ASSERT_FALSE(session.empty());
  for (const char* t : {"/clinic-password", "/data/clinic-password", "/../clinic-password", "/%2e%2e/clinic-password",
                        "/api/clinic-password", "/clinic-password.new", "/login/../clinic-password", "/login/clinic-password"}) {
    for (const std::string& cookie : {std::string(), session}) {
      auto r = p.get(t, cookie);
      EXPECT_GE(r.status, 400) << t;
      EXPECT_EQ(r.body.find(hash_hex), std::string::npos) << t;
      EXPECT_EQ(r.body.find("pbkdf2"), std::string::npos) << t;
    }
  }
  // Nor is it in anything the API answers.
  EXPECT_EQ(p.get("/api/session", session).body.find(hash_hex), std::string::npos);
}

}  // namespace
}  // namespace insole::app
