#include "insole/core/result.hpp"

namespace insole {

std::string_view to_string(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::not_found: return "not_found";
    case Errc::io_error: return "io_error";
    case Errc::format_error: return "format_error";
    case Errc::unsupported: return "unsupported";
    case Errc::timeout: return "timeout";
    case Errc::checksum: return "checksum";
    case Errc::end_of_stream: return "end_of_stream";
    case Errc::disconnected: return "disconnected";
    case Errc::disk_full: return "disk_full";
    case Errc::cancelled: return "cancelled";
    case Errc::no_data: return "no_data";
  }
  return "unknown";
}

}  // namespace insole
