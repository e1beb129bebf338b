#pragma once
// Per-foot aggregate of the footfall measures: the median of each measure over the used
// footfalls with its spread and count. Keys are the JSON names of `insole analyze --json`
// (docs/metrics.md defines each one).

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "insole/analysis/summary.hpp"
#include "insole/core/side.hpp"

namespace insole::analysis {

/// How the pressures were measured: barefoot on a mat, or in the shoe on an insole. Peak
/// pressure norms (Putti 2008) are barefoot; no in-shoe norm is applied.
enum class Surface { barefoot, in_shoe };

/// A class label of a measure (rule file `classes[]`, filled by the assessment: the analysis
/// measures, the rule file classifies).
struct ClassLabel {
  std::string id;        ///< output key, e.g. "arch_class"
  std::string measure;   ///< classified measure, e.g. "arch_index"
  std::string label;     ///< e.g. "low"; "" when not classified (see reason)
  std::string rule;      ///< the cut-offs applied, e.g. "arch_index <= 0.21 high, ..."
  std::string ages;      ///< whom the cut-offs hold for, e.g. "adults", "ages 3-6 y"
  std::string source;    ///< citation of the cut-offs
  std::string reason;    ///< why there is no label ("" when labelled)
};

struct FootSummary {
  Side side = Side::unknown;
  std::string stream;            ///< stream name the footfalls came from
  Surface surface = Surface::barefoot;
  /// The stream's units are "counts" (not calibrated): measures that need kPa are withheld.
  bool uncalibrated = false;
  /// Non-empty when the stream's sensor positions are unknown (e.g. Moticon, which does not
  /// publish them): why, from the stream's "geometry" attribute. Measures that need positions are
  /// withheld with this reason (measure_catalogue.hpp kNeedsPositions).
  std::string positions_unknown;
  std::size_t footfalls_used = 0;
  std::size_t footfalls_rejected = 0;
  std::size_t standing_footfalls = 0;   ///< long quasi-static contacts among the used ones
  std::map<std::string, Spread> measures;
  /// Per-region variables (regions.hpp RegionMetrics), region name -> variable -> spread.
  std::map<std::string, std::map<std::string, Spread>> regions;
  /// Label of the rule file's class "arch_class" for this foot ("high" | "normal" | "low"), ""
  /// when not classified (no arch index, or no cut-offs for the patient's age). Filled by the
  /// assessment, with every other class of the rule file in `classes`.
  std::string arch_class;
  std::vector<ClassLabel> classes;

  /// The median of a measure, or nullopt when it was not measured.
  std::optional<double> median(const std::string& key) const {
    auto it = measures.find(key);
    if (it == measures.end()) return std::nullopt;
    return it->second.median;
  }
};

}  // namespace insole::analysis
