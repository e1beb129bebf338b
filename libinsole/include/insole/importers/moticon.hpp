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
/// cell positions, so the layouts have unknown geometry. The vendor's total force and COP of each
/// insole are kept as Stream::vendor (one row per frame; HDF5 group /streams/<name>/vendor), from
/// which `insole analyze` takes gait events and the COP path; the IMU channels are not kept
/// (docs/formats.md).
Result<Recording> read_moticon_txt(std::istream& in, const std::string& source,
                                   const ImportOptions& options = {});

/// What the OpenGo software computed for one insole, read as data: total force and centre of
/// pressure. One entry per row in which this insole has a sample; NaN where a field is blank.
struct MoticonVendorSide {
  Eigen::VectorXd time_s;
  Eigen::VectorXd total_force_n;    ///< "total force[N]"
  /// "center of pressure X/Y[-0.5...+0.5]" as written: column 0 is X, which runs along the insole
  /// (heel -> toe: about -0.35 at heel strike, +0.33 at toe off in the sample walks), column 1 is
  /// Y, across it; fractions of the insole's length and width. The vendor writes (0, 0) when it
  /// has none. (Stream::vendor stores them the other way round: across, along.)
  Eigen::MatrixX2d cop_normalised;
};

struct MoticonVendorChannels {
  std::optional<MoticonVendorSide> left;   ///< present when the file has "left total force"
  std::optional<MoticonVendorSide> right;
};

/// The vendor total force and COP channels of a Moticon OpenGo .txt export on their own (one
/// entry per row of each insole; read_moticon_txt keeps the same values as Stream::vendor), for
/// validation and comparison. A side needs its total
/// force and both COP channels; format_error when neither side has them.
Result<MoticonVendorChannels> read_moticon_vendor_channels(std::istream& in, const std::string& source);

}  // namespace insole::importers
