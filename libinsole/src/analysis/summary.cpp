#include "insole/analysis/summary.hpp"

#include <algorithm>
#include <cmath>

namespace insole::analysis {

namespace {
// Quantile by linear interpolation between order statistics (type 7, the R / NumPy default).
double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}
}  // namespace

std::optional<Spread> summarize(std::vector<double> values) {
  std::erase_if(values, [](double v) { return !std::isfinite(v); });
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  Spread s;
  s.n = values.size();
  s.median = quantile(values, 0.5);
  s.q1 = quantile(values, 0.25);
  s.q3 = quantile(values, 0.75);
  s.min = values.front();
  s.max = values.back();
  return s;
}

std::optional<double> symmetry_index_percent(double left, double right) {
  if (!std::isfinite(left) || !std::isfinite(right) || left + right == 0.0) return std::nullopt;
  return 200.0 * std::abs(left - right) / std::abs(left + right);
}

}  // namespace insole::analysis
