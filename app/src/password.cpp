#include "insole/app/password.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "insole/core/text.hpp"

namespace insole::app {

namespace {

constexpr const char* kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr const char* kSessionCookie = "insole_session";
constexpr const char* kLoginCookie = "insole_login";

std::optional<std::string> from_hex(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const int hi = val(s[i]), lo = val(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

// The form; `csrf` goes into the hidden field and the insole_login cookie (double submit).
HttpResponse login_page(int status, const std::string& message, const std::string& csrf) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>insole: log in</title>"
      "<style>body{font:18px/1.5 system-ui,sans-serif;max-width:28em;margin:3em auto;padding:0 1em}"
      "input,button{font:inherit;padding:.3em}.error{color:#a00000}"
      ":focus{outline:3px solid #1a5fb4}</style></head><body>"
      "<h1>Clinic app</h1>"
      "<form method=\"post\" action=\"/login\">"
      "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(csrf) + "\">"
      "<p><label for=\"password\">Clinic password</label><br>"
      "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required autofocus></p>"
      "<p><button type=\"submit\">Log in</button></p></form>"
      "<p id=\"login-message\" class=\"error\" role=\"alert\">" + html_escape(message) + "</p></body></html>\n";
  r.headers.emplace_back("Cache-Control", "no-store");
  // With the app's usual no-referrer, a browser sends "Origin: null" with the form's POST, which
  // the same-origin check refuses; same-origin still sends nothing to other sites.
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  r.headers.emplace_back("Set-Cookie", std::string(kLoginCookie) + "=" + csrf + "; Path=/login; HttpOnly; SameSite=Strict");
  return r;
}

// The value of `key` in an application/x-www-form-urlencoded body (HTML 5, form submission).
std::optional<std::string> form_value(const std::string& body, const std::string& key) {
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t end = body.find('&', pos);
    if (end == std::string::npos) end = body.size();
    const std::string item = body.substr(pos, end - pos);
    const auto eq = item.find('=');
    auto k = percent_decode(item.substr(0, eq), true);
    if (k && *k == key) {
      auto v = percent_decode(eq == std::string::npos ? std::string() : item.substr(eq + 1), true);
      if (!v) return std::nullopt;
      return *v;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::filesystem::path password_file(const std::filesystem::path& data_dir) { return data_dir / "clinic-password"; }

std::string pbkdf2_sha256(std::string_view password, std::string_view salt, std::uint32_t iterations, std::size_t length) {
  std::string out(length, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(), static_cast<int>(length),
                        reinterpret_cast<unsigned char*>(out.data())) != 1)
    throw std::runtime_error("PBKDF2 failed in libcrypto");
  return out;
}

Result<PasswordHash> parse_password_line(std::string_view line) {
  const std::string what = "password file: ";
  const std::string expected = " (expected pbkdf2-sha256$ITERATIONS$SALT$HASH; set it again with 'insole serve --set-password')";
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (parts.size() < 5) {
    const auto d = line.find('$', pos);
    parts.push_back(line.substr(pos, d == std::string_view::npos ? std::string_view::npos : d - pos));
    if (d == std::string_view::npos) break;
    pos = d + 1;
  }
  if (parts.size() != 4) return Error{Errc::format_error, what + std::to_string(parts.size()) + " fields, 4 expected" + expected};
  if (parts[0] != kScheme) return Error{Errc::format_error, what + "unknown scheme '" + std::string(parts[0].substr(0, 32)) + "'" + expected};
  PasswordHash h;
  if (parts[1].empty() || parts[1].size() > 9 || !std::all_of(parts[1].begin(), parts[1].end(), [](char c) { return c >= '0' && c <= '9'; }))
    return Error{Errc::format_error, what + "iterations are not a number" + expected};
  h.iterations = static_cast<std::uint32_t>(std::stoul(std::string(parts[1])));
  if (h.iterations < 1000) return Error{Errc::format_error, what + "fewer than 1000 iterations" + expected};
  auto salt = from_hex(parts[2]);
  if (!salt || salt->size() < 8) return Error{Errc::format_error, what + "the salt is not hexadecimal of at least 8 bytes" + expected};
  auto hash = from_hex(parts[3]);
  if (!hash || hash->size() != kHashBytes) return Error{Errc::format_error, what + "the hash is not 32 bytes of hexadecimal" + expected};
  h.salt = std::move(*salt);
  h.hash = std::move(*hash);
  return h;
}

Status set_password(const std::filesystem::path& data_dir, std::string_view password, std::uint32_t iterations) {
  if (password.size() < kMinPasswordLength)
    return Error{Errc::invalid_argument, "the password must have at least " + std::to_string(kMinPasswordLength) + " characters"};
  if (password.size() > kMaxPasswordLength)
    return Error{Errc::invalid_argument, "the password is longer than " + std::to_string(kMaxPasswordLength) + " bytes"};
  for (unsigned char c : password)
    if (c < 0x20 || c == 0x7f) return Error{Errc::invalid_argument, "the password contains a control character"};
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
    return Error{Errc::io_error, "no random bytes from libcrypto for the salt"};
  const std::string line = std::string(kScheme) + "$" + std::to_string(iterations) + "$" + to_hex(salt) + "$" +
                           to_hex(pbkdf2_sha256(password, salt, iterations, kHashBytes)) + "\n";
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Error{Errc::io_error, data_dir.string() + ": " + ec.message()};
  // Written under a new name with mode 0600 from the start, synced, then renamed over the old.
  const auto target = password_file(data_dir);
  const auto tmp = target.string() + ".new";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error{Errc::io_error, tmp + ": " + std::strerror(errno)};
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), target.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Error{Errc::io_error, target.string() + ": cannot write: " + err};
  }
  return {};
}

Result<std::optional<PasswordHash>> load_password(const std::filesystem::path& data_dir) {
  const auto path = password_file(data_dir);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<PasswordHash>();
    return Error{Errc::io_error, path.string() + ": " + std::strerror(errno)};
  }
  if (!S_ISREG(st.st_mode)) return Error{Errc::format_error, path.string() + ": not a regular file"};
  if ((st.st_mode & 077) != 0)
    return Error{Errc::invalid_argument, path.string() + ": others may read it (chmod 600 " + path.string() + ")"};
  if (st.st_size > 4096) return Error{Errc::format_error, path.string() + ": larger than a password file can be"};
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line)) return Error{Errc::format_error, path.string() + ": empty"};
  auto h = parse_password_line(line);
  if (!h) return Error{h.error().code, path.string() + ": " + h.error().message};
  return std::optional<PasswordHash>(std::move(*h));
}

bool verify_password(const PasswordHash& stored, std::string_view password) {
  if (password.size() > kMaxPasswordLength) return false;
  return secrets_equal(pbkdf2_sha256(password, stored.salt, stored.iterations, stored.hash.size()), stored.hash);
}

void LoginGate::forget_old(Clock::time_point now) {
  const auto window = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kFailureWindowS));
  for (auto it = failures_.begin(); it != failures_.end();) {
    while (!it->second.empty() && now - it->second.front() >= window) it->second.pop_front();
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
  while (!all_failures_.empty() && now - all_failures_.front() >= window) all_failures_.pop_front();
  for (auto it = sessions_.begin(); it != sessions_.end();) it = it->second <= now ? sessions_.erase(it) : std::next(it);
}

LoginGate::Attempt LoginGate::login(const std::string& client, std::string_view password) {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  forget_old(now);
  Attempt a;
  auto& mine = failures_[client];
  const std::deque<Clock::time_point>* full = nullptr;
  if (mine.size() >= static_cast<std::size_t>(kMaxFailures)) full = &mine;
  else if (all_failures_.size() >= static_cast<std::size_t>(kMaxFailuresAll)) full = &all_failures_;
  if (full) {
    a.outcome = Outcome::limited;
    a.retry_after_s = std::max(1.0, kFailureWindowS - std::chrono::duration<double>(now - full->front()).count());
    return a;
  }
  if (!verify_password(stored_, password)) {
    mine.push_back(now);
    all_failures_.push_back(now);
    a.outcome = Outcome::wrong;
    return a;
  }
  mine.clear();
  a.outcome = Outcome::ok;
  a.session = random_token(32);
  // At most 1000 sessions: the one expiring first makes room.
  if (sessions_.size() >= 1000)
    sessions_.erase(std::min_element(sessions_.begin(), sessions_.end(), [](const auto& x, const auto& y) { return x.second < y.second; }));
  sessions_[a.session] = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kSessionLifetimeS));
  return a;
}

bool LoginGate::session_valid(std::string_view token) {
  if (token.empty()) return false;
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  // Each stored token compared in constant time (a map lookup would compare byte by byte).
  bool found = false;
  for (const auto& [t, expiry] : sessions_) found = (secrets_equal(t, token) && expiry > now) || found;
  return found;
}

std::string session_cookie(const HttpRequest& req) { return cookie_value(req.header("cookie"), kSessionCookie); }

HttpResponse login_required(const std::string& path) {
  if (path.rfind("/api/", 0) == 0 || path == "/ws/live") return error_response(401, "log in first (/login)");
  HttpResponse r;
  r.status = 401;
  r.content_type = "text/html; charset=utf-8";
  r.body = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0; url=/login\">"
           "<title>insole: log in</title></head><body><p><a href=\"/login\">Log in</a> with the clinic password.</p></body></html>\n";
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse handle_login(const HttpRequest& req, LoginGate& gate) {
  if (req.method == "GET" || req.method == "HEAD") return login_page(200, "", random_token(16));
  if (req.method != "POST") return error_response(405, "only GET and POST on /login");
  const std::string cookie = cookie_value(req.header("cookie"), kLoginCookie);
  const auto form_csrf = form_value(req.body, "csrf");
  if (cookie.empty() || !form_csrf || !secrets_equal(*form_csrf, cookie))
    return login_page(403, "The login form expired or came from another site: try again.", random_token(16));
  const auto password = form_value(req.body, "password");
  if (!password) return login_page(400, "No password given.", random_token(16));
  const std::string client = req.remote.empty() ? "unknown" : req.remote;
  const auto a = gate.login(client, *password);
  if (a.outcome == LoginGate::Outcome::limited) {
    auto r = login_page(429, "Too many wrong passwords: wait " + std::to_string(static_cast<int>(a.retry_after_s)) + " s.",
                        random_token(16));
    r.headers.emplace_back("Retry-After", std::to_string(static_cast<int>(a.retry_after_s)));
    return r;
  }
  if (a.outcome == LoginGate::Outcome::wrong) return login_page(401, "Wrong password.", random_token(16));
  HttpResponse r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "logged in\n";
  r.headers.emplace_back("Location", "/");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + a.session + "; Path=/; HttpOnly; SameSite=Strict");
  return r;
}

}  // namespace insole::app
