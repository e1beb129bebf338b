#pragma once
// Findings: what the analysis concludes from the measures, in the vocabulary of the
// flat-foot / tight-calf chain (ids as in docs/recommendations.md: F-ARCH-LOW, F-ARCH-HIGH,
// F-PRONATION, F-SUPINATION, F-EQUINUS, F-FOREFOOT-OVERLOAD, F-ASYMMETRY, F-SHORT-STRIDE).
// They are evaluated from the rule file's finding definitions (recommend/findings.hpp); the
// analysis itself only measures. The engine consumes them; it never re-derives them from pressure.

#include <string>
#include <vector>

#include "insole/core/side.hpp"

namespace insole::analysis {

/// One measured value that took part in a finding, with the rule it was compared against.
struct Evidence {
  std::string measure;     ///< JSON key of the measure, e.g. "arch_index", "cpei_percent"
  double value = 0.0;      ///< measured value (median over footfalls where aggregated)
  std::string unit;        ///< "" for ratios, "%", "kPa", "s", ...
  std::string threshold;   ///< the comparison that fired, e.g. ">= 0.26"
  std::string source;      ///< paper the threshold comes from, e.g. "Cavanagh & Rodgers 1987"
  bool agrees = true;      ///< whether this measure supports the finding (combined indices)
  /// Within the measure's measurement error of the threshold (rule file borderline_margin):
  /// reported, never silently counted as a clear result.
  bool borderline = false;
  /// False when the threshold does not apply to this recording (e.g. a barefoot norm on
  /// in-shoe data); `note` says why, and the vote does not count.
  bool applicable = true;
  std::string note;
};

/// A finding about one foot (or both, for F-ASYMMETRY).
struct Finding {
  std::string id;                  ///< e.g. "F-ARCH-LOW"
  Side side = Side::unknown;       ///< left / right; both for whole-body findings
  std::string statement;           ///< "findings consistent with ...", never a diagnosis
  std::vector<Evidence> evidence;  ///< every measure that was considered
  /// "low" | "moderate" | "high": how many independent measures agree and by what margin.
  std::string confidence = "moderate";
  /// Severity grade used by dosing rules: 1 mild, 2 moderate, 3 marked.
  int severity = 1;
  /// The finding rests on a value within measurement error of its threshold (see Evidence).
  bool borderline = false;
  std::vector<std::string> notes;  ///< e.g. "paediatric: adult cut-offs do not apply"
};

}  // namespace insole::analysis
