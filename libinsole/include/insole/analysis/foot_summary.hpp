#pragma once
// Per-foot aggregate of the footfall measures: the median of each measure over the used
// footfalls with its spread and count. Keys are the JSON names of `insole analyze --json`
// (docs/metrics.md defines each one).

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "insole/analysis/summary.hpp"
#include "insole/core/side.hpp"

namespace insole::analysis {

/// How the pressures were measured: barefoot on a mat, or in the shoe on an insole. Peak
/// pressure norms (Putti 2008) are barefoot; no in-shoe norm is applied.
enum class Surface { barefoot, in_shoe };

struct FootSummary {
  Side side = Side::unknown;
  std::string stream;            ///< stream name the footfalls came from
  Surface surface = Surface::barefoot;
  std::size_t footfalls_used = 0;
  std::size_t footfalls_rejected = 0;
  std::size_t standing_footfalls = 0;   ///< long quasi-static contacts among the used ones
  std::map<std::string, Spread> measures;
  /// Per-region variables (regions.hpp RegionMetrics), region name -> variable -> spread.
  std::map<std::string, std::map<std::string, Spread>> regions;
  /// Arch class of the median Arch Index (classify_arch_index), "" when not measured.
  std::string arch_class;

  /// The median of a measure, or nullopt when it was not measured.
  std::optional<double> median(const std::string& key) const {
    auto it = measures.find(key);
    if (it == measures.end()) return std::nullopt;
    return it->second.median;
  }
};

}  // namespace insole::analysis
