#pragma once
// Moticon OpenGo text export (.txt): "# key: value" metadata, a last "#" line naming the TAB
// separated channels with units in brackets, then one row per 10 ms with both insoles merged
// (blank fields where a side has no sample). Step codes (11/15 left heel strike/toe off, 21/25
// right) and user event channels become Recording events.

#include <Eigen/Core>
#include <istream>
#include <optional>
#include <string>

#include "insole/core/recording.hpp"
#include "insole/importers/options.hpp"

namespace insole::importers {

/// Streams "left" and "right" (16 sensors each; N/cm2 x 10 = kPa). Moticon does not publish the
/// cell positions, so the layouts have unknown geometry. IMU, vendor total force and COP
/// channels are not kept (docs/formats.md).
Result<Recording> read_moticon_txt(std::istream& in, const std::string& source,
                                   const ImportOptions& options = {});

/// What the OpenGo software computed for one insole, read as data: total force and centre of
/// pressure. One entry per row in which this insole has a sample; NaN where a field is blank.
struct MoticonVendorSide {
  Eigen::VectorXd time_s;
  Eigen::VectorXd total_force_n;    ///< "total force[N]"
  /// "center of pressure X/Y[-0.5...+0.5]": columns X (across) and Y (along the insole), as
  /// fractions of the insole's width and length; the vendor writes (0, 0) when it has none.
  Eigen::MatrixX2d cop_normalised;
};

struct MoticonVendorChannels {
  std::optional<MoticonVendorSide> left;   ///< present when the file has "left total force"
  std::optional<MoticonVendorSide> right;
};

/// The vendor total force and COP channels of a Moticon OpenGo .txt export (the channels
/// read_moticon_txt does not keep), for validation and comparison. A side needs its total
/// force and both COP channels; format_error when neither side has them.
Result<MoticonVendorChannels> read_moticon_vendor_channels(std::istream& in, const std::string& source);

}  // namespace insole::importers
