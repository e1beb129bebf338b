#pragma once
// A temporary data directory with a running `insole serve` server on a free loopback port, and a
// raw HTTP client on POSIX sockets (the tests send bytes no HTTP library would).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "insole/app/app.hpp"
#include "insole/app/server.hpp"

namespace insole::app::test {

struct RawResponse {
  int status = 0;
  std::string head;  ///< status line and header fields
  std::string body;
};

/// Sends `bytes` to 127.0.0.1:port and reads until the server closes or a full response with
/// Content-Length arrived.
inline RawResponse raw_request(std::uint16_t port, const std::string& bytes, bool head_only = false) {
  RawResponse out;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return out;
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return out;
  }
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer 413 and close before reading everything
    sent += static_cast<std::size_t>(n);
  }
  std::string data;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    const auto end = data.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = data.substr(0, end);
      std::string lower = head;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto cl = lower.find("content-length: ");
      const std::size_t length = cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 16));
      if (head_only || data.size() >= end + 4 + length) break;
    }
  }
  ::close(fd);
  const auto end = data.find("\r\n\r\n");
  out.head = data.substr(0, end);
  if (end != std::string::npos) out.body = data.substr(end + 4);
  if (data.size() > 12 && data.compare(0, 5, "HTTP/") == 0) out.status = std::stoi(data.substr(9, 3));
  return out;
}

/// A server on a temporary data directory; stopped and removed at the end.
class TestServer {
 public:
  explicit TestServer(AppConfig config = {}, ServerLimits limits = {}) {
    root_ = std::filesystem::temp_directory_path() / ("insole_app_" + random_token(6));
    std::filesystem::create_directories(root_);
    config.data_dir = root_ / "data";
    if (config.policy.csrf_token.empty()) config.policy.csrf_token = "test-csrf-token";
    auto app = App::create(config);
    if (!app) throw std::runtime_error(app.error().message);
    app_ = std::move(*app);
    auto server = Server::listen(*app_, "127.0.0.1", 0, limits);
    if (!server) throw std::runtime_error(server.error().message);
    server_ = std::move(*server);
    port_ = server_->port();
    if (config.policy.access_token.empty())
      app_->set_allowed_hosts({"127.0.0.1:" + std::to_string(port_), "localhost:" + std::to_string(port_)});
    thread_ = std::thread([this] { server_->run(); });
  }
  ~TestServer() {
    app_->live().stop();
    server_->stop();
    thread_.join();
    server_.reset();
    app_.reset();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::uint16_t port() const { return port_; }
  App& app() { return *app_; }
  const std::filesystem::path& root() const { return root_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  /// A request as the app's own page sends it.
  RawResponse get(const std::string& target) {
    return raw_request(port_, "GET " + target + " HTTP/1.1\r\nHost: " + host() + "\r\nConnection: close\r\n\r\n");
  }
  RawResponse post(const std::string& target, const std::string& body, const std::string& extra = "") {
    return raw_request(port_, "POST " + target + " HTTP/1.1\r\nHost: " + host() + "\r\nOrigin: http://" + host() +
                                  "\r\nX-CSRF-Token: test-csrf-token\r\nContent-Type: application/json\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\n" + extra + "Connection: close\r\n\r\n" + body);
  }

 private:
  std::filesystem::path root_;
  std::unique_ptr<App> app_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace insole::app::test
