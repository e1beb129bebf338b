#pragma once
// Moticon OpenGo text export (.txt): "# key: value" metadata, a last "#" line naming the TAB
// separated channels with units in brackets, then one row per 10 ms with both insoles merged
// (blank fields where a side has no sample). Step codes (11/15 left heel strike/toe off, 21/25
// right) and user event channels become Recording events.

#include <istream>
#include <string>

#include "insole/core/recording.hpp"
#include "insole/importers/options.hpp"

namespace insole::importers {

/// Streams "left" and "right" (16 sensors each; N/cm2 x 10 = kPa). Moticon does not publish the
/// cell positions, so the layouts have unknown geometry. IMU, vendor total force and COP
/// channels are not kept (docs/formats.md).
Result<Recording> read_moticon_txt(std::istream& in, const std::string& source,
                                   const ImportOptions& options = {});

}  // namespace insole::importers
