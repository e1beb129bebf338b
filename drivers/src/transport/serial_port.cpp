#include "insole/drivers/transport/serial_port.hpp"

#include <termios.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>

namespace insole::drivers {

namespace asio = boost::asio;
using boost::system::error_code;

struct SerialPort::Impl {
  asio::io_context io;
  asio::serial_port port{io};
  asio::steady_timer timer{io};
  std::string path;
  std::atomic<bool> interrupted{false};

  // Runs one asynchronous operation `start(handler)` against a deadline. The timer's expiry
  // cancels the port, which completes the operation with operation_aborted.
  template <class Start>
  std::pair<error_code, std::size_t> run_with_deadline(Start start, std::chrono::milliseconds timeout,
                                                       bool& timed_out) {
    error_code result_ec;
    std::size_t result_n = 0;
    timed_out = false;
    io.restart();
    start([&](const error_code& ec, std::size_t n) {
      result_ec = ec;
      result_n = n;
      error_code ignored;
      timer.cancel(ignored);
    });
    timer.expires_after(timeout);
    timer.async_wait([&](const error_code& ec) {
      if (ec) return;  // cancelled because the operation finished first
      timed_out = true;
      error_code ignored;
      port.cancel(ignored);
    });
    error_code run_ec;
    io.run(run_ec);
    return {result_ec, result_n};
  }
};

SerialPort::SerialPort() : impl_(std::make_unique<Impl>()) {}
SerialPort::~SerialPort() {
  if (impl_) close();
}
SerialPort::SerialPort(SerialPort&&) noexcept = default;
SerialPort& SerialPort::operator=(SerialPort&&) noexcept = default;

bool SerialPort::is_open() const noexcept { return impl_ && impl_->port.is_open(); }
const std::string& SerialPort::path() const noexcept { return impl_->path; }

Status SerialPort::open(const std::string& path, const SerialSettings& settings) {
  if (settings.baud == 0) return make_error(Errc::invalid_argument, "serial port " + path + ": baud rate 0");
  close();
  clear_interrupt();
  error_code ec;
  impl_->port.open(path, ec);
  if (ec) {
    const Errc code = ec == boost::system::errc::no_such_file_or_directory ? Errc::not_found
                                                                           : Errc::io_error;
    return make_error(code, "cannot open serial port " + path + ": " + ec.message());
  }
  impl_->path = path;
  // What arrived before this open is stale (frames of an earlier session): dropped at once, not
  // after the settings below, so that frames a device sends from this moment on are all kept
  // (a replugged device streams again as soon as the port opens).
  if (settings.flush_input_on_open) ::tcflush(impl_->port.native_handle(), TCIFLUSH);
  auto fail = [&](const std::string& what, const error_code& e) -> Status {
    close();
    return make_error(Errc::io_error, "serial port " + path + ": cannot set " + what + ": " + e.message());
  };
  using base = asio::serial_port_base;
  // Asio already applies raw mode on open; 8N1 without flow control is set explicitly anyway
  // because a previous user of the port may have changed it.
  impl_->port.set_option(base::character_size(8), ec);
  if (ec) return fail("8 data bits", ec);
  impl_->port.set_option(base::parity(base::parity::none), ec);
  if (ec) return fail("no parity", ec);
  impl_->port.set_option(base::stop_bits(base::stop_bits::one), ec);
  if (ec) return fail("one stop bit", ec);
  impl_->port.set_option(base::flow_control(base::flow_control::none), ec);
  if (ec) return fail("no flow control", ec);
  impl_->port.set_option(base::baud_rate(settings.baud), ec);
  if (ec) {
    // Asio only knows the Bnnn constants; 250000 and friends need termios2/BOTHER.
    if (auto st = set_custom_baud(impl_->port.native_handle(), settings.baud); !st) {
      close();
      return make_error(st.error().code, "serial port " + path + ": " + st.error().message);
    }
  }
  return {};
}

Result<std::size_t> SerialPort::read_some(std::span<std::uint8_t> buffer,
                                          std::chrono::milliseconds timeout) {
  if (!is_open()) return make_error(Errc::disconnected, "serial port is not open");
  if (buffer.empty()) throw std::invalid_argument("SerialPort::read_some: empty buffer");
  if (impl_->interrupted.exchange(false)) return make_error(Errc::cancelled, "read interrupted");
  bool timed_out = false;
  auto [ec, n] = impl_->run_with_deadline(
      [&](auto handler) {
        impl_->port.async_read_some(asio::buffer(buffer.data(), buffer.size()), handler);
      },
      timeout, timed_out);
  if (n > 0) return n;  // data wins over a simultaneous timeout or interrupt
  if (ec == asio::error::operation_aborted) {
    if (impl_->interrupted.exchange(false)) return make_error(Errc::cancelled, "read interrupted");
    if (timed_out) return make_error(Errc::timeout, "no data from " + impl_->path + " within " +
                                                        std::to_string(timeout.count()) + " ms");
    return make_error(Errc::cancelled, "read cancelled");
  }
  if (ec == asio::error::eof)
    return make_error(Errc::disconnected, "serial port " + impl_->path + " closed (end of file)");
  if (ec) return make_error(Errc::disconnected, "serial port " + impl_->path + ": " + ec.message());
  return make_error(Errc::disconnected, "serial port " + impl_->path + ": empty read");
}

Status SerialPort::write_all(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) {
  if (!is_open()) return make_error(Errc::disconnected, "serial port is not open");
  if (bytes.empty()) return {};
  bool timed_out = false;
  auto [ec, n] = impl_->run_with_deadline(
      [&](auto handler) {
        asio::async_write(impl_->port, asio::buffer(bytes.data(), bytes.size()), handler);
      },
      timeout, timed_out);
  if (!ec && n == bytes.size()) return {};
  if (timed_out)
    return make_error(Errc::timeout, "writing to " + impl_->path + " timed out after " +
                                         std::to_string(timeout.count()) + " ms");
  if (ec == asio::error::operation_aborted) return make_error(Errc::cancelled, "write cancelled");
  return make_error(Errc::disconnected, "writing to serial port " + impl_->path + ": " + ec.message());
}

void SerialPort::interrupt() {
  impl_->interrupted = true;
  asio::post(impl_->io, [impl = impl_.get()] {
    error_code ignored;
    if (impl->port.is_open()) impl->port.cancel(ignored);
  });
}

void SerialPort::clear_interrupt() {
  // Run (and so retire) any cancel posted by interrupt(); with no operation pending it is a no-op.
  impl_->io.restart();
  error_code ignored;
  impl_->io.poll(ignored);
  impl_->interrupted = false;
}

void SerialPort::close() {
  if (!impl_) return;
  error_code ignored;
  if (impl_->port.is_open()) {
    impl_->port.cancel(ignored);
    impl_->port.close(ignored);
  }
}

Result<std::uint32_t> SerialPort::current_baud() const {
  if (!is_open()) return make_error(Errc::disconnected, "serial port is not open");
  return read_custom_baud(impl_->port.native_handle());
}

}  // namespace insole::drivers
