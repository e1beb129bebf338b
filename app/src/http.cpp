#include "insole/app/http.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "insole/app/password.hpp"
#include "insole/core/text.hpp"
#include "insole/core/utf8.hpp"

namespace insole::app {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Error bad(const std::string& what) { return {Errc::invalid_argument, what}; }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string cookie_value(const std::string& cookies, const std::string& name) {
  std::size_t pos = 0;
  while (pos < cookies.size()) {
    std::size_t end = cookies.find(';', pos);
    if (end == std::string::npos) end = cookies.size();
    std::string item = cookies.substr(pos, end - pos);
    item.erase(0, item.find_first_not_of(' '));
    if (item.size() > name.size() && item.compare(0, name.size(), name) == 0 && item[name.size()] == '=')
      return item.substr(name.size() + 1);
    pos = end + 1;
  }
  return {};
}

HttpResponse error_response(int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  // Messages may quote request bytes (method, Origin) that are not UTF-8: replaced by U+FFFD
  // instead of making dump() throw.
  r.body = nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Result<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return bad("malformed percent escape");
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return bad("malformed percent escape");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

Result<Target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') return bad("request target must start with '/'");
  if (target.size() > 2048) return bad("request target longer than 2048 bytes");
  const auto qpos = target.find('?');
  const std::string_view raw_path = target.substr(0, qpos);
  // Encoded separators would let a decoded path differ in structure from the one routed on.
  for (std::size_t i = 0; i + 3 <= raw_path.size(); ++i)
    if (raw_path[i] == '%') {
      const std::string esc = lower(std::string(raw_path.substr(i, 3)));
      if (esc == "%2f" || esc == "%5c") return bad("encoded '/' or '\\' in the path");
    }
  auto path = percent_decode(raw_path, false);
  if (!path) return bad("path: " + path.error().message);
  if (!is_valid_utf8(*path)) return bad("path is not UTF-8");
  for (unsigned char c : *path)
    if (c < 0x20 || c == 0x7f) return bad("control character (or NUL) in the path");
  if (path->find('\\') != std::string::npos) return bad("backslash in the path");
  // Segments: none empty (except the trailing one of "/"), none "." or "..".
  std::size_t pos = 1;
  while (pos <= path->size()) {
    std::size_t end = path->find('/', pos);
    if (end == std::string::npos) end = path->size();
    const std::string seg = path->substr(pos, end - pos);
    if (seg == "." || seg == "..") return bad("'.' or '..' segment in the path");
    if (seg.empty() && end != path->size()) return bad("empty segment ('//') in the path");
    pos = end + 1;
  }
  Target t;
  t.path = std::move(*path);
  if (qpos != std::string_view::npos) {
    std::string_view q = target.substr(qpos + 1);
    while (!q.empty()) {
      const auto amp = q.find('&');
      const std::string_view item = q.substr(0, amp);
      q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
      if (item.empty()) continue;
      const auto eq = item.find('=');
      auto key = percent_decode(item.substr(0, eq), true);
      auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1), true);
      if (!key || !value) return bad("query: malformed percent escape");
      if (!is_valid_utf8(*key) || !is_valid_utf8(*value)) return bad("query is not UTF-8");
      for (unsigned char c : *key + *value)
        if (c < 0x20 || c == 0x7f) return bad("control character (or NUL) in the query");
      t.query[*key] = *value;
    }
  }
  return t;
}

Result<std::filesystem::path> resolve_in_dir(const std::filesystem::path& dir, std::string_view relative) {
  if (relative.empty()) return bad("empty path");
  if (relative.find('\0') != std::string_view::npos) return bad("NUL in path");
  if (relative.find('\\') != std::string_view::npos) return bad("backslash in path");
  const std::filesystem::path rel(relative);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory()) return bad(std::string(relative) + ": absolute path");
  for (const auto& part : rel)
    if (part == "..") return bad(std::string(relative) + ": '..' in path");
  std::error_code ec;
  const auto base = std::filesystem::weakly_canonical(dir, ec);
  if (ec) return Error{Errc::io_error, dir.string() + ": " + ec.message()};
  const auto full = std::filesystem::weakly_canonical(base / rel, ec);
  if (ec) return Error{Errc::io_error, (dir / rel).string() + ": " + ec.message()};
  // Inside means: base's components are a prefix of full's (links already followed).
  auto b = base.begin(), f = full.begin();
  for (; b != base.end(); ++b, ++f)
    if (f == full.end() || *b != *f) return bad(std::string(relative) + ": outside the data directory");
  if (f == full.end()) return bad(std::string(relative) + ": is the data directory itself");
  return full;
}

bool is_loopback_address(std::string_view a) {
  if (a == "localhost" || a == "::1" || a == "[::1]") return true;
  // 127.0.0.0/8 in dotted quad form.
  if (a.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : a) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 3;
}

bool secrets_equal(std::string_view a, std::string_view b) noexcept {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = static_cast<unsigned char>(diff | (x ^ y));
  }
  return diff == 0;
}

std::string random_token(std::size_t bytes) {
  std::string raw(bytes, '\0');
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom.read(raw.data(), static_cast<std::streamsize>(bytes))) {
    std::random_device rd;  // the OS generator on Linux as well
    for (char& c : raw) c = static_cast<char>(rd());
  }
  return to_hex(raw);
}

std::optional<HttpResponse> check_request(const HttpRequest& req, const SecurityPolicy& policy, bool websocket) {
  static const char* kMethods[] = {"GET", "HEAD", "POST"};
  if (std::find(std::begin(kMethods), std::end(kMethods), req.method) == std::end(kMethods)) {
    auto r = error_response(405, "method " + req.method.substr(0, 16) + " not allowed");
    r.headers.emplace_back("Allow", "GET, HEAD, POST");
    return r;
  }
  const std::string host = lower(req.header("host"));
  if (host.empty()) return error_response(400, "Host header missing");
  if (!policy.allowed_hosts.empty() &&
      std::find(policy.allowed_hosts.begin(), policy.allowed_hosts.end(), host) == policy.allowed_hosts.end())
    return error_response(403, "Host header does not name this server");
  if (!policy.access_token.empty()) {
    std::string given;
    const std::string auth = req.header("authorization");
    if (auth.rfind("Bearer ", 0) == 0) given = auth.substr(7);
    if (given.empty()) given = cookie_value(req.header("cookie"), "insole_token");
    if (given.empty()) {
      // Opening the printed address (/?token=...) is how a browser first presents it.
      auto t = parse_target(req.target);
      if (t && t->query.count("token")) given = t->query.at("token");
    }
    if (!secrets_equal(given, policy.access_token)) {
      auto r = error_response(401, "access token required (open the address printed by 'insole serve')");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
  }
  // The login form is the one thing reachable without a session; it carries its own CSRF token
  // (password.hpp) in place of the X-CSRF-Token header a plain form cannot send.
  bool login_form = false;
  if (policy.login) {
    const auto t = parse_target(req.target);
    login_form = t && t->path == "/login" && !websocket;
    if (!login_form && !policy.login->session_valid(session_cookie(req))) return login_required(t ? t->path : "/");
  }
  const bool state_changing = req.method == "POST" || websocket;
  if (state_changing) {
    const std::string site = lower(req.header("sec-fetch-site"));
    if (!site.empty() && site != "same-origin" && site != "none") return error_response(403, "cross-site request refused");
    const std::string origin = lower(req.header("origin"));
    // Same origin: the page was loaded from the very host the request is addressed to.
    if ((!origin.empty() || websocket) && origin != "http://" + host)
      return error_response(403, "cross-origin request refused (Origin " + origin.substr(0, 100) + ")");
    if (!websocket && !login_form && !secrets_equal(req.header("x-csrf-token"), policy.csrf_token))
      return error_response(403, "missing or wrong X-CSRF-Token");
  }
  if (auto t = parse_target(req.target); !t) return error_response(400, t.error().message);
  return std::nullopt;
}

}  // namespace insole::app
