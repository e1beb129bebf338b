// Request checks of the clinic app without a network (app/include/insole/app/http.hpp).
#include "insole/app/http.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace insole::app {
namespace {

// Every one of these must be refused before any route sees it.
TEST(AppHttp, TraversalTargetsAreRefused) {
  const char* bad[] = {
      "/../etc/passwd",                  // plain parent segment
      "/static/../../etc/passwd",        // parent after a segment
      "/%2e%2e/etc/passwd",              // percent-encoded ".."
      "/%2E%2E/%2E%2E/etc/passwd",       // upper-case escapes
      "/.%2e/secret",                    // mixed
      "/a%2f..%2f..%2fetc%2fpasswd",     // encoded slashes
      "/a%2F..%2Fsecret",                // upper-case encoded slash
      "/..%5c..%5csecret",               // encoded backslash
      "/..\\..\\secret",                 // raw backslashes
      "//etc/passwd",                    // empty segment (absolute after the first slash)
      "/etc/passwd%00.html",             // NUL
      "/index.html%00",                  // NUL at the end
      "etc/passwd",                      // not origin-form
      "http://evil.example/etc/passwd",  // absolute-form
      "/./index.html",                   // "." segment
      "/%ff%fe",                         // invalid UTF-8
      "/%c0%ae%c0%ae/secret",            // overlong UTF-8 for '.'
      "/%zz",                            // malformed escape
      "/abc%4",                          // truncated escape
      "/a%0d%0aSet-Cookie:x",            // control characters (header injection)
  };
  for (const char* t : bad) EXPECT_FALSE(parse_target(t).ok()) << t;
}

TEST(AppHttp, OrdinaryTargetsDecode) {
  auto t = parse_target("/api/visits/3/import?name=walk%20one.asc&x=a+b");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->path, "/api/visits/3/import");
  EXPECT_EQ(t->query.at("name"), "walk one.asc");
  EXPECT_EQ(t->query.at("x"), "a b");
  auto u = parse_target("/caf%C3%A9");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->path, "/caf\xC3\xA9");
  EXPECT_FALSE(parse_target("/a?name=%ff").ok());
  EXPECT_FALSE(parse_target("/a?name=%00").ok());
}

TEST(AppHttp, ResolveStaysInsideTheDataDirectory) {
  const auto root = std::filesystem::temp_directory_path() / ("insole_app_resolve_" + random_token(4));
  const auto data = root / "data";
  std::filesystem::create_directories(data / "recordings");
  std::ofstream(root / "secret.txt") << "secret";
  std::ofstream(data / "recordings" / "a.h5") << "x";
  // A link inside the data directory that points outside it.
  std::filesystem::create_directory_symlink(root, data / "escape");

  auto ok = resolve_in_dir(data, "recordings/a.h5");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, std::filesystem::canonical(data / "recordings" / "a.h5"));
  for (const char* bad : {"../secret.txt", "recordings/../../secret.txt", "/etc/passwd", (const char*)"recordings\\..\\..\\secret.txt",
                          "escape/secret.txt", "", ".", "recordings/.."})
    EXPECT_FALSE(resolve_in_dir(data, bad).ok()) << bad;
  EXPECT_FALSE(resolve_in_dir(data, std::string_view("a\0b", 3)).ok());
  std::filesystem::remove_all(root);
}

HttpRequest request(const std::string& method, const std::string& target) {
  HttpRequest r;
  r.method = method;
  r.target = target;
  r.headers["host"] = "127.0.0.1:8410";
  return r;
}

SecurityPolicy loopback_policy() {
  SecurityPolicy p;
  p.allowed_hosts = {"127.0.0.1:8410", "localhost:8410"};
  p.csrf_token = "csrf-123";
  return p;
}

TEST(AppHttp, CrossSitePostIsRefused) {
  const auto policy = loopback_policy();
  auto post = request("POST", "/api/patients");
  post.headers["x-csrf-token"] = "csrf-123";
  post.headers["origin"] = "http://127.0.0.1:8410";
  post.headers["sec-fetch-site"] = "same-origin";
  EXPECT_FALSE(check_request(post, policy).has_value());

  auto cross = post;
  cross.headers["origin"] = "http://evil.example";
  ASSERT_TRUE(check_request(cross, policy).has_value());
  EXPECT_EQ(check_request(cross, policy)->status, 403);

  auto site = post;
  site.headers["sec-fetch-site"] = "cross-site";
  EXPECT_EQ(check_request(site, policy)->status, 403);

  auto no_csrf = post;
  no_csrf.headers.erase("x-csrf-token");
  EXPECT_EQ(check_request(no_csrf, policy)->status, 403);
  auto wrong_csrf = post;
  wrong_csrf.headers["x-csrf-token"] = "csrf-124";
  EXPECT_EQ(check_request(wrong_csrf, policy)->status, 403);

  // A WebSocket must come from this origin (browsers let any page open one).
  auto ws = request("GET", "/ws/live");
  EXPECT_EQ(check_request(ws, policy, true)->status, 403);
  ws.headers["origin"] = "http://evil.example";
  EXPECT_EQ(check_request(ws, policy, true)->status, 403);
  ws.headers["origin"] = "http://127.0.0.1:8410";
  EXPECT_FALSE(check_request(ws, policy, true).has_value());
}

TEST(AppHttp, HostMustNameTheServer) {
  const auto policy = loopback_policy();
  auto get = request("GET", "/api/patients");
  EXPECT_FALSE(check_request(get, policy).has_value());
  get.headers["host"] = "attacker.example:8410";  // DNS rebinding
  EXPECT_EQ(check_request(get, policy)->status, 403);
  get.headers.erase("host");
  EXPECT_EQ(check_request(get, policy)->status, 400);
}

TEST(AppHttp, TokenRequiredWhenSet) {
  auto policy = loopback_policy();
  policy.allowed_hosts.clear();  // off loopback: any Host, the token guards
  policy.access_token = "0123456789abcdef0123";
  auto get = request("GET", "/api/patients");
  get.headers["host"] = "192.168.1.20:8410";
  ASSERT_TRUE(check_request(get, policy).has_value());
  EXPECT_EQ(check_request(get, policy)->status, 401);
  get.headers["authorization"] = "Bearer 0123456789abcdef0124";
  EXPECT_EQ(check_request(get, policy)->status, 401);
  get.headers["authorization"] = "Bearer 0123456789abcdef0123";
  EXPECT_FALSE(check_request(get, policy).has_value());
  get.headers.erase("authorization");
  get.headers["cookie"] = "a=b; insole_token=0123456789abcdef0123";
  EXPECT_FALSE(check_request(get, policy).has_value());
  auto first = request("GET", "/?token=0123456789abcdef0123");
  first.headers["host"] = "192.168.1.20:8410";
  EXPECT_FALSE(check_request(first, policy).has_value());
}

TEST(AppHttp, MethodsOtherThanGetHeadPostAre405) {
  const auto policy = loopback_policy();
  for (const char* m : {"PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW"}) {
    auto r = check_request(request(m, "/"), policy);
    ASSERT_TRUE(r.has_value()) << m;
    EXPECT_EQ(r->status, 405) << m;
  }
  EXPECT_FALSE(check_request(request("HEAD", "/"), policy).has_value());
}

// A method that is not UTF-8 is quoted in the 405 message: the body stays valid JSON, the bad
// bytes replaced by U+FFFD (found by fuzz_app_http; dump() threw before).
TEST(AppHttp, RefusalQuotingBytesThatAreNotUtf8IsValidJson) {
  auto r = check_request(request("G\xffT", "/"), loopback_policy());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->body, "{\"error\":\"method G\xef\xbf\xbdT not allowed\"}");
}

TEST(AppHttp, SecretsCompareWhole) {
  EXPECT_TRUE(secrets_equal("abc", "abc"));
  EXPECT_FALSE(secrets_equal("abc", "abd"));
  EXPECT_FALSE(secrets_equal("abc", "abcd"));
  EXPECT_FALSE(secrets_equal("", "a"));
  EXPECT_EQ(random_token(24).size(), 48u);
  EXPECT_NE(random_token(), random_token());
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(is_loopback_address("::1"));
  EXPECT_FALSE(is_loopback_address("0.0.0.0"));
  EXPECT_FALSE(is_loopback_address("192.168.1.2"));
  EXPECT_FALSE(is_loopback_address("127.evil.com"));
}

}  // namespace
}  // namespace insole::app
