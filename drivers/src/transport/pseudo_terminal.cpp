#include "insole/drivers/transport/pseudo_terminal.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace insole::drivers {

namespace {

std::string os_error(const std::string& what) { return what + ": " + std::strerror(errno); }

int poll_master(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, timeout_ms);
  } while (rc < 0 && errno == EINTR);
  return rc < 0 ? -1 : p.revents;
}

}  // namespace

Result<PseudoTerminal> PseudoTerminal::open(const std::string& link_path) {
  PseudoTerminal t;
  t.master_fd_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (t.master_fd_ < 0) return make_error(Errc::io_error, os_error("posix_openpt"));
  ::fcntl(t.master_fd_, F_SETFD, FD_CLOEXEC);
  if (::grantpt(t.master_fd_) != 0) return make_error(Errc::io_error, os_error("grantpt"));
  if (::unlockpt(t.master_fd_) != 0) return make_error(Errc::io_error, os_error("unlockpt"));
  char name[128];
  if (::ptsname_r(t.master_fd_, name, sizeof name) != 0)
    return make_error(Errc::io_error, os_error("ptsname_r"));
  t.slave_path_ = name;
  // Raw mode must be set on the slave before any byte flows: the default line discipline would
  // echo and translate. Opening and closing the slave once also makes the master report POLLHUP
  // until a host opens it, which host_connected() relies on.
  const int slave = ::open(name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (slave < 0) return make_error(Errc::io_error, os_error("opening " + t.slave_path_));
  termios tio{};
  bool ok = ::tcgetattr(slave, &tio) == 0;
  if (ok) {
    ::cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    ok = ::tcsetattr(slave, TCSANOW, &tio) == 0;
  }
  const int saved = errno;
  ::close(slave);
  errno = saved;
  if (!ok) return make_error(Errc::io_error, os_error("setting raw mode on " + t.slave_path_));
  if (!link_path.empty()) {
    // Atomic replacement: a host retrying the link never sees it missing or half-made.
    const std::string tmp = link_path + ".tmp" + std::to_string(::getpid());
    ::unlink(tmp.c_str());
    if (::symlink(t.slave_path_.c_str(), tmp.c_str()) != 0)
      return make_error(Errc::io_error, os_error("creating symlink " + tmp));
    if (::rename(tmp.c_str(), link_path.c_str()) != 0) {
      ::unlink(tmp.c_str());
      return make_error(Errc::io_error, os_error("creating symlink " + link_path));
    }
    t.link_path_ = link_path;
  }
  return t;
}

PseudoTerminal::PseudoTerminal(PseudoTerminal&& other) noexcept
    : master_fd_(other.master_fd_),
      slave_path_(std::move(other.slave_path_)),
      link_path_(std::move(other.link_path_)) {
  other.master_fd_ = -1;
}

PseudoTerminal& PseudoTerminal::operator=(PseudoTerminal&& other) noexcept {
  if (this != &other) {
    close();
    master_fd_ = other.master_fd_;
    slave_path_ = std::move(other.slave_path_);
    link_path_ = std::move(other.link_path_);
    other.master_fd_ = -1;
  }
  return *this;
}

PseudoTerminal::~PseudoTerminal() { close(); }

void PseudoTerminal::close(bool remove_link) {
  if (master_fd_ >= 0) {
    ::close(master_fd_);
    master_fd_ = -1;
  }
  if (remove_link && !link_path_.empty()) {
    // Only remove the link if it still points at our slave (a newer terminal may own it).
    char target[256];
    const ssize_t n = ::readlink(link_path_.c_str(), target, sizeof target - 1);
    if (n > 0 && std::string(target, static_cast<std::size_t>(n)) == slave_path_)
      ::unlink(link_path_.c_str());
  }
}

bool PseudoTerminal::host_connected() const {
  if (master_fd_ < 0) return false;
  const int rev = poll_master(master_fd_, POLLOUT, 0);
  return rev >= 0 && (rev & POLLHUP) == 0;
}

std::size_t PseudoTerminal::host_unread_bytes() const {
  if (master_fd_ < 0) return 0;
  const int slave = ::open(slave_path_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (slave < 0) return 0;
  int n = 0;
  if (::ioctl(slave, FIONREAD, &n) != 0) n = 0;
  ::close(slave);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

Result<std::size_t> PseudoTerminal::read(std::span<std::uint8_t> buffer,
                                         std::chrono::milliseconds timeout) {
  if (master_fd_ < 0) return make_error(Errc::disconnected, "pseudo-terminal is closed");
  const int rev = poll_master(master_fd_, POLLIN, static_cast<int>(timeout.count()));
  if (rev < 0) return make_error(Errc::io_error, os_error("poll on pseudo-terminal master"));
  if (rev & POLLIN) {
    const ssize_t n = ::read(master_fd_, buffer.data(), buffer.size());
    if (n > 0) return static_cast<std::size_t>(n);
    if (n < 0 && errno != EAGAIN && errno != EIO)
      return make_error(Errc::io_error, os_error("reading pseudo-terminal master"));
    return std::size_t{0};  // EIO: the host closed the slave in the meantime
  }
  if (rev & POLLHUP) {
    // No host: poll returns at once, so wait out the timeout here instead of spinning.
    std::this_thread::sleep_for(timeout);
  }
  return std::size_t{0};
}

Status PseudoTerminal::write_all(std::span<const std::uint8_t> bytes,
                                 std::chrono::milliseconds timeout) {
  if (master_fd_ < 0) return make_error(Errc::disconnected, "pseudo-terminal is closed");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(master_fd_, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN)
      return make_error(Errc::disconnected, os_error("writing pseudo-terminal master"));
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return make_error(Errc::timeout, "the host did not read: " + std::to_string(bytes.size() - done) +
                                           " bytes still pending after " +
                                           std::to_string(timeout.count()) + " ms");
    poll_master(master_fd_, POLLOUT, static_cast<int>(std::min<long>(left.count(), 50)));
  }
  return {};
}

}  // namespace insole::drivers
