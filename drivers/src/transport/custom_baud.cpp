// termios2 lives in <asm/termbits.h>, whose struct termios clashes with glibc's <termios.h>, so
// this file includes neither <termios.h> nor <sys/ioctl.h> and declares ioctl itself.
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <cerrno>
#include <cstring>
#include <string>

#include "insole/drivers/transport/serial_port.hpp"

extern "C" int ioctl(int fd, unsigned long request, ...);  // NOLINT: see the comment above

namespace insole::drivers {

Result<std::uint32_t> read_custom_baud(int fd) {
  struct termios2 tio {};
  if (ioctl(fd, TCGETS2, &tio) != 0)
    return make_error(Errc::io_error, std::string("cannot read the line settings (TCGETS2): ") +
                                          std::strerror(errno));
  return static_cast<std::uint32_t>(tio.c_ispeed);
}

Status set_custom_baud(int fd, std::uint32_t baud) {
  if (baud == 0) return make_error(Errc::invalid_argument, "baud rate 0");
  struct termios2 tio {};
  if (ioctl(fd, TCGETS2, &tio) != 0)
    return make_error(Errc::io_error, std::string("cannot read the line settings (TCGETS2): ") +
                                          std::strerror(errno));
  tio.c_cflag &= ~static_cast<tcflag_t>(CBAUD | (CBAUD << IBSHIFT));
  tio.c_cflag |= BOTHER | (BOTHER << IBSHIFT);
  tio.c_ispeed = baud;
  tio.c_ospeed = baud;
  if (ioctl(fd, TCSETS2, &tio) != 0)
    return make_error(Errc::unsupported, "cannot set " + std::to_string(baud) +
                                             " baud (TCSETS2/BOTHER): " + std::strerror(errno));
  struct termios2 back {};
  if (ioctl(fd, TCGETS2, &back) != 0 || back.c_ospeed != baud)
    return make_error(Errc::unsupported, "the driver did not accept " + std::to_string(baud) +
                                             " baud (it reports " + std::to_string(back.c_ospeed) + ")");
  return {};
}

}  // namespace insole::drivers
