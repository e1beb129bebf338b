#pragma once
#include <optional>
#include <string_view>

namespace insole {

/// Which foot a stream (or a footfall) belongs to. `both` is a mat that sees both feet.
enum class Side { left, right, both, unknown };

std::string_view to_string(Side side) noexcept;
/// Parses "left" | "right" | "both" | "unknown" (exact, lower case); nullopt otherwise.
std::optional<Side> parse_side(std::string_view text) noexcept;

}  // namespace insole
