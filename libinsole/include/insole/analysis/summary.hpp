#pragma once
// Aggregation over footfalls: median with the interquartile range and the count, so that every
// per-foot value says how many footfalls it rests on and how much they scatter.

#include <cstddef>
#include <optional>
#include <vector>

namespace insole::analysis {

struct Spread {
  double median = 0.0;
  double q1 = 0.0;   ///< 25th percentile (linear interpolation between order statistics)
  double q3 = 0.0;   ///< 75th percentile
  double min = 0.0;
  double max = 0.0;
  std::size_t n = 0;
};

/// Median, quartiles and range of the finite values; nullopt when there are none.
std::optional<Spread> summarize(std::vector<double> values);

/// Robinson symmetry index SI = 200 |L - R| / (L + R) in percent (Robinson, Herzog & Nigg 1987,
/// J Manipulative Physiol Ther 10(4):172). nullopt when L + R is 0 or a value is not finite.
std::optional<double> symmetry_index_percent(double left, double right);

}  // namespace insole::analysis
