#pragma once
// Helpers shared by several readers (not part of the public API).

#include <optional>
#include <string>
#include <string_view>

#include "insole/core/recording.hpp"

namespace insole::importers::detail {

/// Sets the recording-level attributes every importer writes: import.format and import.source.
void stamp_recording(Recording& rec, const std::string& format, const std::string& source);

/// Parses "<number> <unit>" lengths (mm, millimeters, milimeters, cm, centimeters, m, inches,
/// in) into mm; nullopt when the number or the unit is not understood or not positive.
std::optional<double> parse_length_mm(std::string_view text);
/// Parses "<number> <unit>" areas (mm2, cm2, in2, with ^2 or ²) into mm^2.
std::optional<double> parse_area_mm2(std::string_view text);

}  // namespace insole::importers::detail
