#pragma once
// The app's HTTP layer without sockets: requests and responses as plain data, and the checks
// every request passes before a handler sees it (so they are tested without a network).
//
//  - Targets: percent-decoding per RFC 3986 section 2.1; refused (400) when an escape is
//    malformed, when the decoded path holds NUL or another control character, a backslash, an
//    encoded "/" (%2F) or "\" (%5C), a "." or ".." segment, an empty segment ("//"), or is not
//    UTF-8. The path is then only used to pick a route or an embedded asset.
//  - Files: a path relative to the data directory is resolved and accepted only when its
//    canonical form (symbolic links followed) stays inside the canonical data directory.
//  - Access token: when the server listens beyond loopback with --token, every request carries
//    the token (Authorization: Bearer, or the insole_token cookie set by opening /?token=...);
//    401 otherwise. Clinic password (beyond loopback without a token): every request but the
//    login page carries a session cookie given by POST /login (password.hpp); 401 otherwise.
//  - Cross-site requests: the Host header must name the server (against DNS rebinding); a
//    state-changing request (POST) must not be cross-site by Sec-Fetch-Site (Fetch Metadata,
//    https://www.w3.org/TR/fetch-metadata/), its Origin, when sent, must be "http://" + Host
//    (the same origin, RFC 6454), and it must carry the session's CSRF token in X-CSRF-Token, a custom header that
//    a cross-site form cannot send and a cross-site fetch cannot send without a CORS preflight
//    this server never grants (OWASP CSRF Prevention Cheat Sheet, "custom request headers").

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "insole/core/result.hpp"

namespace insole::app {

struct HttpRequest {
  std::string method;  ///< as sent: "GET", "POST" ...
  std::string target;  ///< as sent: "/api/patients?x=1"
  std::map<std::string, std::string> headers;  ///< field names lower-case
  std::string body;
  std::string remote;  ///< the client's IP address, as text ("" when unknown)
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra fields
};

/// A response whose body is {"error": message}.
HttpResponse error_response(int status, const std::string& message);

struct Target {
  std::string path;                           ///< decoded, checked
  std::map<std::string, std::string> query;   ///< decoded keys and values
};

/// Splits and decodes a request target (see the header comment for what is refused).
Result<Target> parse_target(std::string_view target);

/// Decodes %XX escapes (and '+' as space when `plus_is_space`); fails on a malformed escape.
Result<std::string> percent_decode(std::string_view s, bool plus_is_space);

/// `relative` resolved inside `dir`: refuses absolute paths, "..", backslashes, NUL, and any path
/// whose canonical form (links followed, as far as it exists) leaves the canonical `dir`.
Result<std::filesystem::path> resolve_in_dir(const std::filesystem::path& dir, std::string_view relative);

/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_address(std::string_view address);

/// Constant-time comparison of secrets.
bool secrets_equal(std::string_view a, std::string_view b) noexcept;

/// A random token of `bytes` bytes from the operating system's generator, as hex.
std::string random_token(std::size_t bytes = 24);

class LoginGate;  // password.hpp

/// The value of cookie `name` in a Cookie header ("a=1; b=2"); "" when absent.
std::string cookie_value(const std::string& cookies, const std::string& name);

struct SecurityPolicy {
  /// Empty: no token needed (loopback). Otherwise every request needs it.
  std::string access_token;
  /// Hosts (host:port, lower-case) that requests may name in Host (against DNS rebinding on
  /// loopback). Empty = any (off loopback, where the access token is required instead).
  std::vector<std::string> allowed_hosts;
  /// The session's CSRF token (X-CSRF-Token on every POST).
  std::string csrf_token;
  /// Set when the clinic password guards the server (beyond loopback without a token): every
  /// request but /login needs a session cookie from LoginGate (401 otherwise).
  std::shared_ptr<LoginGate> login;
};

/// The first check failing for `req`, as the response to send (401, 403, 400, 405), or nullopt
/// when the request may proceed. `websocket` marks an upgrade (checked like a state change:
/// browsers let any site open a WebSocket, so its Origin must be this server).
std::optional<HttpResponse> check_request(const HttpRequest& req, const SecurityPolicy& policy, bool websocket = false);

}  // namespace insole::app
