#pragma once
// The app's network layer (Boost.Beast over Asio; the only file of the app that includes them):
// HTTP/1.1 with keep-alive, and a WebSocket at /ws/live for live frames. Every request passes
// check_request (token, Host, cross-site, method, path) before App::handle.
// Limits: request line and header fields together at most ServerLimits::max_header_bytes
// (431 Request Header Fields Too Large, RFC 6585), a body at most AppConfig::max_body_bytes
// (413 Content Too Large, RFC 9110 section 15.5.14), a request must arrive within
// ServerLimits::read_timeout_s.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "insole/app/app.hpp"

namespace insole::app {

struct ServerLimits {
  std::size_t max_header_bytes = 8192;
  double read_timeout_s = 30.0;
  /// Live messages waiting for a slow browser before older ones are dropped.
  std::size_t max_queued_messages = 8;
};

class Server {
 public:
  /// Binds `address`:`port` (port 0 = any free port). Fails when the address is not an IP
  /// address or cannot be bound.
  static Result<std::unique_ptr<Server>> listen(App& app, const std::string& address, std::uint16_t port,
                                                ServerLimits limits = {});
  ~Server();
  std::uint16_t port() const;
  /// Serves until stop() (from any thread), or SIGINT/SIGTERM when `handle_signals`.
  void run(bool handle_signals = false);
  void stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace insole::app
