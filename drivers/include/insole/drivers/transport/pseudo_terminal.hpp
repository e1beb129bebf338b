#pragma once
// PseudoTerminal: the device side of a virtual serial port. The master end is held here (the
// "device"); the slave path (/dev/pts/N) is opened by the host exactly like a real port, e.g. by
// SerialPort. An optional stable symlink stands in for /dev/serial/by-id/...: it is re-pointed
// atomically when a new terminal replaces an old one, which is how tests unplug and replug a
// device (reference: devices-and-formats.md §3.1).
//
// Plain POSIX (posix_openpt/grantpt/unlockpt/ptsname_r, poll); no Asio needed on this side.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "insole/core/result.hpp"

namespace insole::drivers {

class PseudoTerminal {
 public:
  /// Creates a terminal pair with the slave in raw mode (so bytes such as 0x0A, 0x0D, 0x11, 0x13
  /// and 0x03 pass unmodified and nothing is echoed). With `link_path`, also creates (or
  /// atomically replaces) a symlink there pointing at the slave.
  static Result<PseudoTerminal> open(const std::string& link_path = {});

  PseudoTerminal() = default;
  PseudoTerminal(PseudoTerminal&& other) noexcept;
  PseudoTerminal& operator=(PseudoTerminal&& other) noexcept;
  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;
  /// Closes the master (the host then reads end of file). The symlink is left in place, like a
  /// by-id link whose target has gone; close(true) removes it as udev would on unplug.
  ~PseudoTerminal();

  bool is_open() const noexcept { return master_fd_ >= 0; }
  const std::string& slave_path() const noexcept { return slave_path_; }
  const std::string& link_path() const noexcept { return link_path_; }
  /// The path a host should open: the link when there is one, else the slave.
  const std::string& host_path() const noexcept {
    return link_path_.empty() ? slave_path_ : link_path_;
  }
  int master_fd() const noexcept { return master_fd_; }

  /// True while some process has the slave open (the "cable" is connected to a host).
  bool host_connected() const;
  /// Bytes written by the device that the host has not read yet (0 when unknown).
  std::size_t host_unread_bytes() const;

  /// Bytes the host wrote, waiting at most `timeout`; 0 bytes on timeout or when no host is
  /// connected. Errc::io_error on an OS error.
  Result<std::size_t> read(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout);
  /// Writes all bytes towards the host, waiting at most `timeout` for room.
  /// Errc::timeout when the host does not read (the buffer stays full).
  Status write_all(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout);

  /// Closes the master; with remove_link, also deletes the symlink. Idempotent.
  void close(bool remove_link = false);

 private:
  int master_fd_ = -1;
  std::string slave_path_;
  std::string link_path_;
};

}  // namespace insole::drivers
