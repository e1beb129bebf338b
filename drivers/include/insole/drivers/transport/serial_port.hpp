#pragma once
// SerialPort: a raw 8N1 serial line (USB CDC-ACM, USB-serial bridge, or a pseudo-terminal) driven
// by Boost.Asio with error_code overloads only. Asio stays inside the implementation file so that
// code using this header does not compile Asio.
//
// Reads take a timeout: Asio's serial_port has none, so each read pairs async_read_some with a
// steady_timer whose expiry cancels the read (reference: devices-and-formats.md §3.2). Every call
// runs on the caller's thread; only interrupt() may be called from another thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "insole/core/result.hpp"

namespace insole::drivers {

struct SerialSettings {
  /// Line rate in baud. Standard rates go through Asio; any other positive rate (e.g. 250000)
  /// is set through the native handle with termios2/BOTHER. CDC-ACM devices ignore it.
  std::uint32_t baud = 115200;
  /// Discard bytes already waiting in the input buffer after opening (stale data from before).
  bool flush_input_on_open = true;
};

class SerialPort {
 public:
  SerialPort();
  ~SerialPort();
  SerialPort(SerialPort&&) noexcept;
  SerialPort& operator=(SerialPort&&) noexcept;
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;

  /// Opens `path` raw 8N1, no flow control, at settings.baud. Errc::not_found when the path does
  /// not exist, Errc::io_error when the OS refuses it, Errc::invalid_argument for baud 0.
  Status open(const std::string& path, const SerialSettings& settings = {});
  bool is_open() const noexcept;
  const std::string& path() const noexcept;

  /// Reads whatever has arrived (at least one byte), waiting at most `timeout`.
  /// Errc::timeout when nothing arrived; Errc::cancelled after interrupt();
  /// Errc::disconnected on end of file or any OS error (unplug): close and reopen.
  Result<std::size_t> read_some(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout);
  /// Writes all bytes, waiting at most `timeout` in total. Errc::timeout / Errc::disconnected.
  Status write_all(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout);
  /// Makes a pending or the next read_some return Errc::cancelled. Thread-safe.
  void interrupt();
  /// Forgets an interrupt() that no read has consumed yet (call from the reading thread).
  void clear_interrupt();
  /// Closes the port; idempotent.
  void close();

  /// The rate the line is actually set to, read back from the driver (0 when unknown).
  Result<std::uint32_t> current_baud() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Sets an arbitrary line rate on an open terminal file descriptor with termios2 and BOTHER
/// (Linux); reads it back and fails with Errc::unsupported when the driver did not take it.
Status set_custom_baud(int fd, std::uint32_t baud);
/// The input line rate of a terminal file descriptor via termios2 (Linux).
Result<std::uint32_t> read_custom_baud(int fd);

}  // namespace insole::drivers
