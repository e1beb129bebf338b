#include "fuzz_entry.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "insole/app/http.hpp"
#include "insole/core/utf8.hpp"

namespace insole::app::fuzz {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "HTTP request check invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}

// A data directory made once per process: recordings/visit-1/walk.h5, a link "out" to the
// directory above it, a link "root" to "/", a link "inner" to recordings/, and a file next to the
// data directory that a traversal would reach ("../secret.txt"). Removed at exit.
struct DataDir {
  fs::path parent, root, canonical_root;
  DataDir() {
    char tmpl[] = "/tmp/insole-fuzz-app-XXXXXX";
    if (!mkdtemp(tmpl)) fail("setup", "mkdtemp");
    parent = tmpl;
    root = parent / "data";
    fs::create_directories(root / "recordings" / "visit-1");
    std::FILE* f = std::fopen((root / "recordings" / "visit-1" / "walk.h5").c_str(), "w");
    if (f) std::fclose(f);
    f = std::fopen((parent / "secret.txt").c_str(), "w");
    if (f) std::fclose(f);
    fs::create_directory_symlink("..", root / "out");
    fs::create_directory_symlink("/", root / "root");
    fs::create_directory_symlink("recordings", root / "inner");
    canonical_root = fs::canonical(root);
  }
  ~DataDir() {
    std::error_code ec;
    fs::remove_all(parent, ec);
  }
};

const DataDir& data_dir() {
  static const DataDir d;
  return d;
}

bool strictly_inside(const fs::path& base, const fs::path& p) {
  auto b = base.begin(), q = p.begin();
  for (; b != base.end(); ++b, ++q)
    if (q == p.end() || *b != *q) return false;
  return q != p.end();
}

bool printable(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

void check_resolved(std::string_view relative) {
  const DataDir& d = data_dir();
  auto r = resolve_in_dir(d.root, relative);
  if (!r) {
    const Errc code = r.error().code;
    if (code != Errc::invalid_argument && code != Errc::io_error)
      fail("resolve_in_dir error code", std::string(to_string(code)) + ": " + r.error().message);
    return;
  }
  if (!strictly_inside(d.canonical_root, *r))
    fail("resolve_in_dir escaped the data directory", std::string(relative) + " -> " + r->string());
  for (const auto& part : *r)
    if (part == ".." || part == ".") fail("resolve_in_dir kept a dot segment", r->string());
  std::error_code ec;
  const fs::path again = fs::weakly_canonical(*r, ec);
  if (!ec && !strictly_inside(d.canonical_root, again))
    fail("resolved path leaves the data directory when followed", std::string(relative) + " -> " + again.string());
}

void check_target(std::string_view raw) {
  auto t = parse_target(raw);
  if (!t) {
    if (t.error().code != Errc::invalid_argument) fail("parse_target error code", t.error().message);
    if (t.error().message.empty()) fail("parse_target", "error without a message");
    return;
  }
  const std::string& p = t->path;
  if (p.empty() || p.front() != '/') fail("path does not start with '/'", p);
  if (!is_valid_utf8(p)) fail("path not UTF-8", p);
  if (!printable(p)) fail("control character in the path", p);
  if (p.find('\\') != std::string::npos) fail("backslash in the path", p);
  std::size_t pos = 1;
  while (pos <= p.size()) {
    std::size_t end = p.find('/', pos);
    if (end == std::string::npos) end = p.size();
    const std::string seg = p.substr(pos, end - pos);
    if (seg == "." || seg == "..") fail("dot segment in the path", p);
    if (seg.empty() && end != p.size()) fail("empty segment in the path", p);
    pos = end + 1;
  }
  for (const auto& [k, v] : t->query) {
    if (!is_valid_utf8(k) || !is_valid_utf8(v)) fail("query not UTF-8", k + "=" + v);
    if (!printable(k) || !printable(v)) fail("control character in the query", k + "=" + v);
    check_resolved(v);  // e.g. ?file=recordings/...
  }
  check_resolved(std::string_view(p).substr(1));
}

void check_policy(const HttpRequest& req, const SecurityPolicy& policy, bool websocket) {
  const auto r = check_request(req, policy, websocket);
  if (r) {
    if (r->status != 400 && r->status != 401 && r->status != 403 && r->status != 405)
      fail("refusal status", std::to_string(r->status));
    const auto body = nlohmann::json::parse(r->body, nullptr, false);
    if (!body.is_object() || !body.contains("error") || !body["error"].is_string())
      fail("refusal body is not {\"error\": ...}", r->body);
    return;
  }
  const std::string& m = req.method;
  if (m != "GET" && m != "HEAD" && m != "POST") fail("method let through", m);
  if (!parse_target(req.target)) fail("target let through that parse_target refuses", req.target);
  std::string host = req.header("host");
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host.empty()) fail("request without Host let through", "");
  if (!policy.allowed_hosts.empty()) {
    bool allowed = false;
    for (const auto& h : policy.allowed_hosts) allowed = allowed || h == host;
    if (!allowed) fail("Host not allowed let through", host);
  }
  if (!policy.access_token.empty()) {
    const std::string& token = policy.access_token;
    const auto t = parse_target(req.target);
    const bool in_query = t && t->query.count("token") && t->query.at("token") == token;
    const bool in_auth = req.header("authorization") == "Bearer " + token;
    const bool in_cookie = req.header("cookie").find("insole_token=" + token) != std::string::npos;
    if (!in_query && !in_auth && !in_cookie) fail("request without the access token let through", req.target);
  }
  if (m == "POST" || websocket) {
    std::string origin = req.header("origin");
    for (char& c : origin) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if ((!origin.empty() || websocket) && origin != "http://" + host) fail("cross-origin state change let through", origin);
    std::string site = req.header("sec-fetch-site");
    for (char& c : site) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!site.empty() && site != "same-origin" && site != "none") fail("cross-site state change let through", site);
    if (!websocket && req.header("x-csrf-token") != policy.csrf_token) fail("POST without the CSRF token let through", "");
  }
}

}  // namespace

int run_one(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (parts.size() < 3) {
    const std::size_t nl = in.find('\n', pos);
    if (nl == std::string_view::npos) break;
    parts.emplace_back(in.substr(pos, nl - pos));
    pos = nl + 1;
  }
  parts.emplace_back(in.substr(std::min(pos, in.size())));
  while (parts.size() < 4) parts.emplace_back();
  const std::string& target = parts[0];
  const std::string& file = parts[1];

  check_target(target);
  check_resolved(file);

  HttpRequest req;
  req.method = parts[2];
  req.target = target;
  static const char* kHeaders[] = {"host", "origin", "sec-fetch-site", "x-csrf-token", "cookie", "authorization"};
  std::string_view rest = parts[3];
  for (const char* h : kHeaders) {
    const std::size_t nl = rest.find('\n');
    const std::string_view value = rest.substr(0, nl);
    if (!value.empty()) req.headers[h] = std::string(value);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  SecurityPolicy loopback;
  loopback.allowed_hosts = {"127.0.0.1:8080", "localhost:8080"};
  loopback.csrf_token = "c5rf-t0ken";
  SecurityPolicy remote;
  remote.access_token = "acc3ss-t0ken";
  remote.csrf_token = "c5rf-t0ken";
  for (bool websocket : {false, true}) {
    check_policy(req, loopback, websocket);
    check_policy(req, remote, websocket);
  }
  return 0;
}

}  // namespace insole::app::fuzz
