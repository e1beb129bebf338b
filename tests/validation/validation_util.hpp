#pragma once
// Helpers for the validation tests: reading the vendor-derived CSV sheets and the medians the
// comparisons are stated in. Nothing here computes a figure that is compared: the toolkit's
// figures come from insole::importers + insole::analysis, the reference figures from the files.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace insole::test {

/// Rows of a plain comma-separated file (no quoting: the derived Moticon sheets have none).
inline std::vector<std::vector<std::string>> read_csv(const std::filesystem::path& path) {
  std::ifstream f(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    rows.push_back(std::move(cells));
  }
  return rows;
}

/// The first value of the row whose first cell is `label` (Moticon Report_Data sheets); NaN when
/// the row is missing.
inline double sheet_value(const std::filesystem::path& path, const std::string& label) {
  for (const auto& row : read_csv(path))
    if (row.size() > 1 && row[0] == label) return std::stod(row[1]);
  ADD_FAILURE() << path << ": no row " << label;
  return std::nan("");
}

/// The column named `header` of a sheet with a header row (Moticon *_Steps sheets).
inline std::vector<double> sheet_column(const std::filesystem::path& path, const std::string& header) {
  const auto rows = read_csv(path);
  std::vector<double> out;
  if (rows.empty()) return out;
  const auto it = std::find(rows[0].begin(), rows[0].end(), header);
  if (it == rows[0].end()) {
    ADD_FAILURE() << path << ": no column " << header;
    return out;
  }
  const auto c = static_cast<std::size_t>(it - rows[0].begin());
  for (std::size_t i = 1; i < rows.size(); ++i)
    out.push_back(c < rows[i].size() && !rows[i][c].empty() ? std::stod(rows[i][c]) : std::nan(""));
  return out;
}

inline double median_of(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

inline double mean_of(const std::vector<double>& v) {
  double s = 0.0;
  std::size_t n = 0;
  for (double x : v)
    if (std::isfinite(x)) {
      s += x;
      ++n;
    }
  return n ? s / double(n) : std::nan("");
}

inline std::vector<double> abs_of(std::vector<double> v) {
  for (double& x : v) x = std::abs(x);
  return v;
}

inline double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

}  // namespace insole::test
