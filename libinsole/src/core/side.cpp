#include "insole/core/side.hpp"

namespace insole {

std::string_view to_string(Side side) noexcept {
  switch (side) {
    case Side::left: return "left";
    case Side::right: return "right";
    case Side::both: return "both";
    case Side::unknown: return "unknown";
  }
  return "unknown";
}

std::optional<Side> parse_side(std::string_view text) noexcept {
  if (text == "left") return Side::left;
  if (text == "right") return Side::right;
  if (text == "both") return Side::both;
  if (text == "unknown") return Side::unknown;
  return std::nullopt;
}

}  // namespace insole
