// The clinic app's server over real loopback sockets: traversal, sizes, cross-site requests,
// tokens, methods, and that what it serves comes from the embedded assets only.
#include <gtest/gtest.h>

#include <fstream>

#include "app_test_support.hpp"

namespace insole::app {
namespace {

using test::raw_request;
using test::TestServer;

TEST(AppServer, ServesTheEmbeddedPageAndSecurityHeaders) {
  TestServer s;
  auto r = s.get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("insole clinic"), std::string::npos);
  EXPECT_NE(r.head.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(r.head.find("X-Content-Type-Options: nosniff"), std::string::npos);
  auto js = s.get("/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_NE(js.head.find("text/javascript"), std::string::npos);
  EXPECT_EQ(s.get("/nothing-here.html").status, 404);
}

TEST(AppServer, TraversalNeverReachesAFile) {
  TestServer s;
  // A file beside the data directory and one inside it that no route serves.
  std::ofstream(s.root() / "secret.txt") << "TOP-SECRET-OUTSIDE";
  std::ofstream(s.root() / "data" / "inside.txt") << "TOP-SECRET-INSIDE";
  const char* targets[] = {
      "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/..%2fsecret.txt", "/..%5csecret.txt",
      "/..\\secret.txt", "//secret.txt", "/inside.txt", "/data/inside.txt", "/../data/inside.txt",
      "/index.html%00../secret.txt", "/%c0%ae%c0%ae/secret.txt", "/api/../../secret.txt", "/etc/passwd",
      "/api/trials/..%2f..%2fsecret.txt/result", "/clinic.sqlite", "/api/%2e%2e/clinic.sqlite",
  };
  for (const char* t : targets) {
    auto r = s.get(t);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << t << " -> " << r.status;
    EXPECT_EQ(r.body.find("TOP-SECRET"), std::string::npos) << t;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << t;
    EXPECT_EQ(r.body.find("SQLite format"), std::string::npos) << t;
  }
  // Absolute-form target naming a file.
  auto abs = raw_request(s.port(), "GET /etc/passwd HTTP/1.1\r\nHost: " + s.host() + "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(abs.status, 404);
  auto absolute_form = raw_request(s.port(), "GET http://" + s.host() + "/../secret.txt HTTP/1.1\r\nHost: " + s.host() + "\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(absolute_form.status == 400 || absolute_form.status == 0) << absolute_form.status;
}

TEST(AppServer, InvalidUtf8InThePathIs400) {
  TestServer s;
  EXPECT_EQ(s.get("/%ff%fe%fd").status, 400);
  auto raw = raw_request(s.port(), "GET /\xff\xfe HTTP/1.1\r\nHost: " + s.host() + "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw.status, 400);
}

TEST(AppServer, OversizedBodyIs413AndNothingIsWritten) {
  AppConfig config;
  config.max_body_bytes = 4096;
  TestServer s(config);
  const std::string big(20000, 'x');
  auto r = s.post("/api/patients", big);
  EXPECT_EQ(r.status, 413);
  // Declared too large: refused from the header alone.
  auto declared = raw_request(s.port(), "POST /api/patients HTTP/1.1\r\nHost: " + s.host() +
                                            "\r\nX-CSRF-Token: test-csrf-token\r\nContent-Length: 100000000\r\n\r\n");
  EXPECT_EQ(declared.status, 413);
  auto patients = s.app().store().patients();
  ASSERT_TRUE(patients.ok());
  EXPECT_TRUE(patients->empty());
}

TEST(AppServer, OversizedHeaderIs431) {
  TestServer s;
  const std::string big_field = "X-Big: " + std::string(20000, 'a') + "\r\n";
  auto r = raw_request(s.port(), "GET / HTTP/1.1\r\nHost: " + s.host() + "\r\n" + big_field + "Connection: close\r\n\r\n");
  EXPECT_EQ(r.status, 431);
  const std::string long_target = "/" + std::string(20000, 'a');
  auto t = raw_request(s.port(), "GET " + long_target + " HTTP/1.1\r\nHost: " + s.host() + "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(t.status, 431);
}

TEST(AppServer, CrossSitePostIsRefusedAndChangesNothing) {
  TestServer s;
  const std::string body = R"({"pseudonym":"P-1"})";
  auto evil = raw_request(s.port(), "POST /api/patients HTTP/1.1\r\nHost: " + s.host() +
                                        "\r\nOrigin: http://evil.example\r\nContent-Type: text/plain\r\nContent-Length: " +
                                        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  EXPECT_EQ(evil.status, 403);
  auto form = raw_request(s.port(), "POST /api/patients HTTP/1.1\r\nHost: " + s.host() +
                                        "\r\nSec-Fetch-Site: cross-site\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  EXPECT_EQ(form.status, 403);
  auto no_token = raw_request(s.port(), "POST /api/patients HTTP/1.1\r\nHost: " + s.host() + "\r\nContent-Length: " +
                                            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  EXPECT_EQ(no_token.status, 403);
  EXPECT_TRUE(s.app().store().patients()->empty());
  auto ok = s.post("/api/patients", body);
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(s.app().store().patients()->size(), 1u);
}

TEST(AppServer, WebSocketFromAnotherOriginIsRefused) {
  TestServer s;
  const std::string upgrade = "GET /ws/live HTTP/1.1\r\nHost: " + s.host() +
                              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  EXPECT_EQ(raw_request(s.port(), upgrade + "Origin: http://evil.example\r\n\r\n", true).status, 403);
  EXPECT_EQ(raw_request(s.port(), upgrade + "\r\n", true).status, 403);
  auto ok = raw_request(s.port(), upgrade + "Origin: http://" + s.host() + "\r\n\r\n", true);
  EXPECT_EQ(ok.status, 101);
}

TEST(AppServer, TokenRequiredOffLoopback) {
  AppConfig config;
  config.policy.access_token = "a-long-access-token-0123456789";
  TestServer s(config);
  EXPECT_EQ(s.get("/").status, 401);
  EXPECT_EQ(s.get("/api/patients").status, 401);
  auto bad = raw_request(s.port(), "GET /api/patients HTTP/1.1\r\nHost: 10.0.0.5:1\r\nAuthorization: Bearer wrong\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(bad.status, 401);
  auto good = raw_request(s.port(), "GET /api/patients HTTP/1.1\r\nHost: 10.0.0.5:1\r\nAuthorization: Bearer a-long-access-token-0123456789\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(good.status, 200);
  // Opening the printed address sets the cookie the page's later requests carry.
  auto first = s.get("/?token=a-long-access-token-0123456789");
  EXPECT_EQ(first.status, 200);
  EXPECT_NE(first.head.find("Set-Cookie: insole_token=a-long-access-token-0123456789"), std::string::npos);
}

// The comparison endpoints and the trial condition behind the same checks as every endpoint:
// token off loopback, Host, cross-site and CSRF on the state change, traversal in the path.
TEST(AppServer, CompareAndTrialConditionAreProtectedLikeTheRest) {
  {
    TestServer s;
    auto p = s.post("/api/patients", R"({"pseudonym":"P-1"})");
    ASSERT_EQ(p.status, 201) << p.body;
    auto v = s.post("/api/patients/1/visits", R"({"date":"2026-12-05","condition":"barefoot"})");
    ASSERT_EQ(v.status, 201) << v.body;
    std::filesystem::create_directories(s.root() / "data" / "recordings");
    std::ofstream(s.root() / "data" / "recordings" / "t.h5") << "x";
    auto tid = s.app().store().add_trial({0, 1, "walk", "recordings/t.h5", "", "", "barefoot"});
    ASSERT_TRUE(tid.ok());
    const std::string body = R"({"condition":"shoe"})";
    const std::string target = "/api/trials/" + std::to_string(*tid);
    auto evil = raw_request(s.port(), "POST " + target + " HTTP/1.1\r\nHost: " + s.host() +
                                          "\r\nOrigin: http://evil.example\r\nX-CSRF-Token: test-csrf-token\r\nContent-Length: " +
                                          std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    EXPECT_EQ(evil.status, 403);
    auto no_csrf = raw_request(s.port(), "POST " + target + " HTTP/1.1\r\nHost: " + s.host() + "\r\nContent-Length: " +
                                             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    EXPECT_EQ(no_csrf.status, 403);
    auto rebinding = raw_request(s.port(), "GET /api/compare?a=1&b=2 HTTP/1.1\r\nHost: attacker.example:80\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(rebinding.status, 403);
    EXPECT_EQ(s.app().store().trial(*tid)->condition, "barefoot");
    EXPECT_EQ(s.post(target, body).status, 200);
    EXPECT_EQ(s.app().store().trial(*tid)->condition, "shoe");
    for (const char* t : {"/api/compare/../../clinic.sqlite?a=1&b=2", "/api/compare/%2e%2e/clinic.sqlite?a=1&b=2",
                          "/api/compare/..%2fclinic.sqlite?a=1&b=2", "/api/compare//diff.png?a=1&b=2"}) {
      auto r = s.get(t);
      EXPECT_EQ(r.status, 400) << t;
      EXPECT_EQ(r.body.find("SQLite format"), std::string::npos) << t;
    }
    // A comparison is read, never changed, with POST.
    EXPECT_EQ(s.post("/api/compare?a=1&b=2", "{}").status, 404);
    auto unknown = s.get("/api/compare?a=" + std::to_string(*tid) + "&b=77");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_NE(unknown.body.find("trial 77 not found"), std::string::npos) << unknown.body;
  }
  AppConfig config;
  config.policy.access_token = "a-long-access-token-0123456789";
  TestServer s(config);
  for (const char* t : {"/api/compare?a=1&b=2", "/api/compare/diff.png?a=1&b=2", "/api/compare/report.pdf?a=1&b=2", "/api/targets"})
    EXPECT_EQ(s.get(t).status, 401) << t;
  auto good = raw_request(s.port(), "GET /api/targets HTTP/1.1\r\nHost: 10.0.0.5:1\r\nAuthorization: Bearer a-long-access-token-0123456789\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(good.status, 200);
}

TEST(AppServer, HeadAndUnknownMethods) {
  TestServer s;
  auto get = s.get("/app.css");
  auto head = raw_request(s.port(), "HEAD /app.css HTTP/1.1\r\nHost: " + s.host() + "\r\nConnection: close\r\n\r\n", true);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_NE(head.head.find("Content-Length: " + std::to_string(get.body.size())), std::string::npos) << head.head;
  for (const char* m : {"PUT", "DELETE", "OPTIONS", "TRACE", "FOO"}) {
    auto r = raw_request(s.port(), std::string(m) + " / HTTP/1.1\r\nHost: " + s.host() + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.status, 405) << m;
  }
  auto garbage = raw_request(s.port(), "\x01\x02 garbage\r\n\r\n");
  EXPECT_TRUE(garbage.status == 400 || garbage.status == 0);
  // The server still answers after all of that.
  EXPECT_EQ(s.get("/").status, 200);
}

}  // namespace
}  // namespace insole::app
