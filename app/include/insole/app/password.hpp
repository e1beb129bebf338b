#pragma once
// The clinic password: what `insole serve` asks for when it listens beyond loopback without an
// access token (docs/app.md, "Security model").
//
//  - Stored in <data>/clinic-password (mode 0600, written atomically) as one line
//      pbkdf2-sha256$ITERATIONS$SALT$HASH        (SALT 16 random bytes, HASH 32 bytes, both hex)
//    PBKDF2 with HMAC-SHA256 (RFC 8018 section 5.2) through OpenSSL's libcrypto;
//    600000 iterations, OWASP's figure for PBKDF2-HMAC-SHA256 (Password Storage Cheat Sheet).
//    Only a hash is kept; the file is never served (no URL maps to a file).
//  - LoginGate: a right password gives a random session token (cookie insole_session, HttpOnly,
//    SameSite=Strict, valid 12 h); hashes are compared in constant time. Failed attempts are
//    limited per client address (kMaxFailures in kFailureWindowS, then 429 until the oldest
//    failure leaves the window, without checking the password) and overall (kMaxFailuresAll).
//  - The login page (GET /login) is a plain form; its POST carries a login CSRF token that must
//    equal the insole_login cookie set with the page (double-submit, OWASP CSRF Prevention Cheat
//    Sheet), besides the server's Origin / Sec-Fetch-Site checks (check_request).

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "insole/app/http.hpp"
#include "insole/core/result.hpp"

namespace insole::app {

constexpr std::size_t kMinPasswordLength = 10;
constexpr std::size_t kMaxPasswordLength = 1024;
constexpr std::uint32_t kPasswordIterations = 600000;

/// <data_dir>/clinic-password
std::filesystem::path password_file(const std::filesystem::path& data_dir);

/// PBKDF2-HMAC-SHA256 of `password` and `salt`, `length` bytes (RFC 8018 section 5.2).
std::string pbkdf2_sha256(std::string_view password, std::string_view salt, std::uint32_t iterations, std::size_t length);

struct PasswordHash {
  std::uint32_t iterations = 0;
  std::string salt;  ///< raw bytes
  std::string hash;  ///< raw bytes
};

/// Checks length (kMinPasswordLength..kMaxPasswordLength bytes, no control characters), then
/// writes a fresh salt and hash to password_file(data_dir) (mode 0600, replacing an old one).
Status set_password(const std::filesystem::path& data_dir, std::string_view password,
                    std::uint32_t iterations = kPasswordIterations);
/// The stored hash; nullopt when no password is set. Errc::format_error naming what is wrong for
/// a damaged file; Errc::invalid_argument when others may read it (mode not 0600 or stricter).
Result<std::optional<PasswordHash>> load_password(const std::filesystem::path& data_dir);
/// Parses one password line (exposed for tests).
Result<PasswordHash> parse_password_line(std::string_view line);
/// Hashes `password` with the stored salt and compares in constant time.
bool verify_password(const PasswordHash& stored, std::string_view password);

class LoginGate {
 public:
  static constexpr int kMaxFailures = 5;         ///< per client address in the window
  static constexpr int kMaxFailuresAll = 50;     ///< all clients together in the window
  static constexpr double kFailureWindowS = 300;
  static constexpr double kSessionLifetimeS = 12 * 3600;

  explicit LoginGate(PasswordHash stored) : stored_(std::move(stored)) {}

  enum class Outcome { ok, wrong, limited };
  struct Attempt {
    Outcome outcome = Outcome::wrong;
    std::string session;       ///< ok: the new session token
    double retry_after_s = 0;  ///< limited: seconds until another attempt is allowed
  };
  Attempt login(const std::string& client, std::string_view password);
  bool session_valid(std::string_view token);

 private:
  using Clock = std::chrono::steady_clock;
  void forget_old(Clock::time_point now);
  PasswordHash stored_;
  std::mutex mutex_;
  std::map<std::string, std::deque<Clock::time_point>> failures_;
  std::deque<Clock::time_point> all_failures_;
  std::map<std::string, Clock::time_point> sessions_;  ///< token -> expiry
};

/// GET /login (the form) and POST /login (the attempt) for `gate`.
HttpResponse handle_login(const HttpRequest& req, LoginGate& gate);
/// What a request without a valid session gets: 401, an HTML page leading to /login for pages,
/// JSON for the API.
HttpResponse login_required(const std::string& path);
/// The session cookie's value in a request ("" when none).
std::string session_cookie(const HttpRequest& req);

}  // namespace insole::app
