// The only file of the app that includes Asio and Beast. Written from the Beast documentation's
// description of the asynchronous HTTP and WebSocket server (boost.org/libs/beast, "Examples").
#include "insole/app/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <array>
#include <cctype>
#include <csignal>
#include <chrono>
#include <deque>
#include <optional>

namespace insole::app {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Header fields every answer carries: no sniffing, no framing by other sites, no referrer, and a
// content security policy that allows only this server's own scripts, styles and images.
void security_headers(http::fields& f) {
  f.set("X-Content-Type-Options", "nosniff");
  f.set("X-Frame-Options", "SAMEORIGIN");
  f.set("Referrer-Policy", "no-referrer");
  f.set("Content-Security-Policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'none'");
  f.set(http::field::server, "insole");
}

HttpRequest to_request(const http::request<http::string_body>& r) {
  HttpRequest req;
  req.method = std::string(r.method_string());
  req.target = std::string(r.target());
  for (const auto& field : r) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace(std::move(name), std::string(field.value()));  // the first of repeated fields
  }
  req.body = r.body();
  return req;
}

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& socket, App& app, const ServerLimits& limits) : ws_(std::move(socket)), app_(app), limits_(limits) {}
  ~WsSession() {
    if (subscription_) app_.live().unsubscribe(subscription_);
  }

  void accept(http::request<http::string_body> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4096);
    ws_.async_accept(req, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    std::weak_ptr<WsSession> weak = shared_from_this();
    auto executor = ws_.get_executor();
    subscription_ = app_.live().subscribe([weak, executor](const std::string& msg) {
      net::post(executor, [weak, msg] {
        if (auto self = weak.lock()) self->enqueue(msg);
      });
    });
    enqueue(nlohmann::json{{"type", "hello"}, {"live", app_.live().status()}}.dump());
    do_read();
  }

  // Reads only to notice the browser closing; messages from the browser are ignored.
  void do_read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;  // closed: the session ends when the last handler lets go of it
      self->in_.consume(self->in_.size());
      self->do_read();
    });
  }

  void enqueue(const std::string& msg) {
    // A slow browser gets the newest frames: older waiting ones (never the one being written) go.
    while (queue_.size() > limits_.max_queued_messages) queue_.erase(queue_.begin() + (writing_ ? 1 : 0));
    queue_.push_back(msg);
    if (!writing_) do_write();
  }

  void do_write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->queue_.pop_front();
      self->writing_ = false;
      if (ec) return;
      if (!self->queue_.empty()) self->do_write();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  App& app_;
  ServerLimits limits_;
  beast::flat_buffer in_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  int subscription_ = 0;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, App& app, const ServerLimits& limits) : stream_(std::move(socket)), app_(app), limits_(limits) {}

  void start() { do_read(); }

 private:
  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    parser_->body_limit(app_.config().max_body_bytes);
    stream_.expires_after(std::chrono::milliseconds(static_cast<long>(limits_.read_timeout_s * 1000)));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted || ec == beast::error::timeout) return close();
    if (ec == http::error::body_limit) return send(error_response(413, "request body larger than the limit"), false, false);
    if (ec == http::error::header_limit) return send(error_response(431, "request header fields larger than the limit"), false, false);
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category()) return send(error_response(400, "malformed request: " + ec.message()), false, false);
      return close();
    }
    auto& r = parser_->get();
    HttpRequest req = to_request(r);
    beast::error_code rec;
    const auto peer = stream_.socket().remote_endpoint(rec);
    if (!rec) req.remote = peer.address().to_string();
    if (websocket::is_upgrade(r)) {
      if (auto denied = check_request(req, app_.config().policy, true)) return send(*denied, false, false);
      if (auto t = parse_target(req.target); !t || t->path != "/ws/live") return send(error_response(404, "no such WebSocket"), false, false);
      stream_.expires_never();
      std::make_shared<WsSession>(stream_.release_socket(), app_, limits_)->accept(parser_->release());
      return;
    }
    const bool head = req.method == "HEAD";
    if (auto denied = check_request(req, app_.config().policy, false)) return send(*denied, r.keep_alive(), head);
    send(app_.handle(req), r.keep_alive(), head);
  }

  void send(const HttpResponse& res, bool keep_alive, bool head) {
    auto msg = std::make_shared<http::response<http::string_body>>();
    msg->version(11);
    msg->result(static_cast<unsigned>(res.status));
    msg->set(http::field::content_type, res.content_type);
    security_headers(msg->base());
    for (const auto& [k, v] : res.headers) msg->set(k, v);
    msg->keep_alive(keep_alive);
    if (head) {
      msg->content_length(res.body.size());
    } else {
      msg->body() = res.body;
      msg->prepare_payload();
    }
    auto sr = std::make_shared<http::response_serializer<http::string_body>>(*msg);
    if (head) sr->split(true);
    auto on_written = [self = shared_from_this(), msg, sr, keep_alive](beast::error_code ec, std::size_t) {
      if (ec || !keep_alive) return self->close();
      self->do_read();
    };
    if (head)
      http::async_write_header(stream_, *sr, on_written);
    else
      http::async_write(stream_, *sr, on_written);
  }

  // Half-close, then read and drop what the client still sends (at most 1 MiB, 5 s) before the
  // socket closes: closing with unread data makes TCP send a reset, which can destroy the answer
  // (e.g. the 413) before the client has read it (RFC 9112 section 9.6, "tear-down").
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(5));
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(drain_buf_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return;
      self->drained_ += n;
      if (self->drained_ < (1u << 20)) self->drain();
    });
  }

  beast::tcp_stream stream_;
  App& app_;
  ServerLimits limits_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::array<char, 4096> drain_buf_{};
  std::size_t drained_ = 0;
};

}  // namespace

struct Server::Impl {
  Impl(App& a, ServerLimits l) : app(a), limits(l), acceptor(ioc), signals(ioc) {}
  App& app;
  ServerLimits limits;
  net::io_context ioc{1};
  tcp::acceptor acceptor;
  net::signal_set signals;

  void do_accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) std::make_shared<HttpSession>(std::move(socket), app, limits)->start();
      do_accept();
    });
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::listen(App& app, const std::string& address, std::uint16_t port, ServerLimits limits) {
  beast::error_code ec;
  const auto ip = net::ip::make_address(address, ec);
  if (ec) return Error{Errc::invalid_argument, "--bind " + address + ": not an IP address"};
  auto impl = std::make_unique<Impl>(app, limits);
  const tcp::endpoint ep(ip, port);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Error{Errc::io_error, "cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message()};
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run(bool handle_signals) {
  impl_->do_accept();
  if (handle_signals) {
    impl_->signals.add(SIGINT);
    impl_->signals.add(SIGTERM);
    impl_->signals.async_wait([this](beast::error_code, int) { impl_->ioc.stop(); });
  }
  impl_->ioc.run();
}

void Server::stop() { net::post(impl_->ioc, [this] { impl_->ioc.stop(); }); }

}  // namespace insole::app
