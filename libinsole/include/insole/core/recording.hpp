#pragma once
// PressureFrame, Stream and Recording: pressure in kPa, time in seconds. Data types only: they do
// no I/O and no printing (io/ reads and writes them, report/ renders them).

#include <Eigen/Core>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "insole/core/calibration_model.hpp"
#include "insole/core/result.hpp"
#include "insole/core/sensor_layout.hpp"
#include "insole/core/side.hpp"

namespace insole {

/// Frames x sensels, row-major so that one frame is contiguous. kPa; NaN = no sensel.
using FrameMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// What a stream's values are (HDF5 attribute `units`, docs/format.md):
///  - kpa: calibrated pressure in kPa;
///  - counts: uncalibrated readings of the device (raw counts, or another quantity that is not
///    pressure); the toolkit then computes only the measures that do not need absolute pressure.
enum class PressureUnits { kpa, counts };
std::string_view to_string(PressureUnits u) noexcept;  ///< "kPa" | "counts"
std::optional<PressureUnits> pressure_units_from_string(std::string_view s) noexcept;

/// Description of one sensor stream (a mat, a left insole, a right insole ...).
struct StreamInfo {
  std::string name;              ///< unique within a recording, e.g. "mat", "left", "right"
  SensorLayout layout;
  Side side = Side::unknown;
  double sample_rate_hz = 0.0;   ///< nominal rate; actual times are in Stream::time_s
  std::string device;            ///< free text, e.g. "Sensel Morph SN123" or "insole simulator"
  PressureUnits units = PressureUnits::kpa;  ///< what Stream::pressure_kpa holds
  /// The calibration that turned the stream's raw counts into kPa (Stream::raw_counts keeps them),
  /// or none.
  std::optional<Calibration> calibration;
  /// Free-form attributes kept with the stream (e.g. original vendor header fields).
  std::map<std::string, std::string> attributes;
};

/// What a device maker's software computed from its own sensors and exported beside the pressure
/// (Moticon OpenGo: total force and centre of pressure), kept as data with one row per frame of
/// its stream (NaN where the export has no value). The toolkit cannot recompute them when the
/// maker does not publish the cell positions and areas; the analysis then takes gait events from
/// this total force and the COP path from this COP (analyze.hpp). HDF5: the optional group
/// /streams/<name>/vendor (docs/format.md).
struct VendorChannels {
  Eigen::VectorXd total_force_n;     ///< [frames], newtons
  /// [frames x 2]: column 0 across the insole (sign as the maker defines it), column 1 along it
  /// (heel -> toe), as fractions of the insole's width and length (-0.5 .. +0.5: normalised
  /// insole units, no mm); the maker writes (0, 0) when it has no COP (foot unloaded).
  Eigen::MatrixX2d cop_normalised;
};

/// One frame of one stream, as delivered by a FrameSource.
struct PressureFrame {
  std::size_t stream = 0;        ///< index into SourceInfo::streams / Recording::streams
  double time_s = 0.0;           ///< seconds from the start of the recording
  std::uint64_t sequence = 0;    ///< device frame counter (gaps reveal lost frames)
  Eigen::VectorXf pressure_kpa;  ///< one value per sensel, layout order
};

/// A whole stream held in memory. Long recordings are better read in chunks (io::RecordingReader).
struct Stream {
  StreamInfo info;
  Eigen::VectorXd time_s;        ///< [frames], strictly increasing
  FrameMatrix pressure_kpa;      ///< [frames x sensels], in info.units (kPa unless "counts")
  /// The counts as the device gave them, kept beside the calibrated pressure when a calibration
  /// was applied ([frames x sensels], same shape as pressure_kpa), else empty.
  FrameMatrix raw_counts;
  /// The maker's own channels (same rows as time_s), when the import found them.
  std::optional<VendorChannels> vendor;

  Eigen::Index frame_count() const noexcept { return time_s.size(); }
  /// Checks shapes and that time is finite and strictly increasing.
  Status validate() const;
  /// Appends one frame (the caller keeps time increasing; validate() checks it).
  void append(double t_s, const Eigen::Ref<const Eigen::VectorXf>& frame_kpa);
};

/// Something that happened at a moment: a heel strike reported by a vendor, a gap in capture
/// while a device was unplugged, a marker set by the clinician.
struct Event {
  double time_s = 0.0;
  std::string stream;            ///< stream name, or empty for the whole recording
  std::string kind;              ///< e.g. "heel_strike", "toe_off", "gap_start", "gap_end", "marker"
  std::string detail;            ///< free text
};

/// Who and what was recorded. Everything optional.
struct RecordingMetadata {
  std::string subject;                  ///< pseudonym, never a real name
  std::optional<double> body_mass_kg;
  std::string mode;                     ///< "walk", "stand" or empty when unknown
  std::string created_by;               ///< program that wrote it, e.g. "insole 0.1.0 simulate"
  std::map<std::string, std::string> attributes;  ///< anything else (vendor headers, notes)
};

struct Recording {
  RecordingMetadata meta;
  std::vector<Stream> streams;
  std::vector<Event> events;

  /// The stream with that name, or nullptr.
  const Stream* find_stream(const std::string& name) const noexcept;
  /// Validates every stream and that stream names are unique and non-empty.
  Status validate() const;
};

/// Total force per frame in newtons, F = sum(p_kPa * A_mm2) * 1e-3 (kPa * mm^2 = 1e-3 N).
/// Absent sensels (NaN) contribute nothing.
Eigen::VectorXd total_force_n(const Stream& stream);

}  // namespace insole
