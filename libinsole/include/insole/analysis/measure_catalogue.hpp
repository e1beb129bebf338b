#pragma once
// The measure catalogue: every measure the analysis computes, defined once, with its key (the JSON
// and CSV name), unit, a one-line description, where its definition comes from, and where it
// applies (walking and/or standing; barefoot and/or in the shoe; on any sensor or only where the
// footprint's shape is seen: a barefoot grid). The JSON document, the batch CSV, the CLI table, the
// report and the rule-file validation all read this table: a rule file that names a measure not in
// it is refused, naming the measure. docs/metrics.md describes each measure at length.
//
// Interpretation (thresholds, reference ranges, doses) is not here: it is in the rule file.

#include <string>
#include <string_view>
#include <vector>

namespace insole::analysis {

/// Where a measure applies (bit flags).
enum MeasureScope : unsigned {
  kWalking = 1u << 0,    ///< walking contacts
  kStanding = 1u << 1,   ///< quasi-static contacts
  kBarefoot = 1u << 2,   ///< mats and plates
  kInShoe = 1u << 3,     ///< insoles
  kShapeOnly = 1u << 4,  ///< needs the footprint's shape (a barefoot grid)
  kRecording = 1u << 5,  ///< one value per recording (gait timing, left/right symmetry), not per foot
  kNeedsKpa = 1u << 6,   ///< needs absolute pressure (kPa, N): withheld on an uncalibrated ("counts") stream
  /// Needs the sensor positions (a foot frame, bands or regions, a COP in mm): withheld, with the
  /// reason, on a stream whose positions are unknown (Moticon). Gait events, stance and force
  /// taken from a vendor total force do not need them.
  kNeedsPositions = 1u << 7,
  /// From a vendor's COP channel in normalised insole units: only reported for streams analysed
  /// from vendor channels (sensor positions unknown), never null-with-reason elsewhere.
  kVendorCop = 1u << 8,
};

struct MeasureInfo {
  std::string key;          ///< JSON / CSV name, with its unit in the name where it has one
  std::string unit;         ///< "" for ratios, "%", "mm", "kPa", ...
  std::string label;        ///< short label for tables
  std::string description;  ///< one line
  std::string source;       ///< where the definition comes from (paper, or "toolkit definition")
  unsigned scope = 0;       ///< MeasureScope flags
  bool csv = false;         ///< has a column in the batch CSV

  bool walking() const noexcept { return scope & kWalking; }
  bool standing() const noexcept { return scope & kStanding; }
  bool barefoot() const noexcept { return scope & kBarefoot; }
  bool in_shoe() const noexcept { return scope & kInShoe; }
  bool per_recording() const noexcept { return scope & kRecording; }
  /// Needs calibrated pressure: null, with a reason, for a stream whose units are "counts".
  bool needs_kpa() const noexcept { return scope & kNeedsKpa; }
  /// Needs sensor positions: null, with a reason, for a stream whose positions are unknown.
  bool needs_positions() const noexcept { return scope & kNeedsPositions; }
  /// Only for streams analysed from a vendor's channels (normalised insole units).
  bool vendor_cop() const noexcept { return scope & kVendorCop; }
  /// "walking, standing; barefoot, in-shoe; footprint shape" style summary of the scope.
  std::string applies() const;
};

/// Every measure, in the order tables list them.
const std::vector<MeasureInfo>& measure_catalogue();
/// The measure with that key, or nullptr.
const MeasureInfo* find_measure_info(std::string_view key) noexcept;

}  // namespace insole::analysis
