#pragma once
// Why a per-foot measure is null (design note section 6: a value that cannot be computed is null
// with a `<key>_reason`). The reason comes from the measure catalogue's scope (a walking measure on
// a standing foot, a footprint-shape measure on an insole) or from the analysis' own note (why the
// arch measures or CPEI failed on the footfalls).

#include <string>
#include <string_view>

#include "insole/analysis/analyze.hpp"

namespace insole::analysis {

struct MeasureInfo;

/// What the stream itself, rather than the foot, withholds from a measure: sensor positions it does
/// not know (`foot.positions_unknown`) for a measure that needs them, pressure in kPa from a stream
/// in counts for a measure that needs it (the measure catalogue's needs_positions / needs_kpa).
struct StreamWithholding {
  bool positions = false;
  bool kpa = false;
  bool any() const noexcept { return positions || kpa; }
};
StreamWithholding stream_withholding(const FootSummary& foot, const MeasureInfo& info);

struct MissingReason {
  std::string reason;          ///< "" when the measure is there or has nothing to say about this foot
  bool not_applicable = false; ///< by the catalogue's scope (rather than a failure on the data)
  bool noted = false;          ///< the analysis' own note on the footfalls (arch measures, CPEI)
};

/// Why `key` is null for `foot`: the analysis' own note first (why the arch measures or CPEI could
/// not be computed), then the catalogue's scope (a walking measure on a standing foot, a barefoot
/// measure in the shoe). Empty for a present measure, a standing measure on a walking-only foot and
/// recording-level measures.
MissingReason missing_reason(const AnalysisResult& result, const FootSummary& foot, std::string_view key);

}  // namespace insole::analysis
