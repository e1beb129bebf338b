#pragma once
// The median of a sample, as every part of the toolkit takes it: the middle value of an odd
// count, the mean of the two middle values of an even one.

#include <algorithm>
#include <limits>
#include <vector>

namespace insole {

/// Median of `v` (a copy, reordered); NaN for an empty sample.
inline double median(std::vector<double> v) {
  const std::size_t n = v.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace insole
