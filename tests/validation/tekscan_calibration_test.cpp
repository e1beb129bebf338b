// Body-weight calibration against vendor truth: the Tekscan F-Scan walk
// (../shared/data/tekscan_fscan_footpress, MIT, Rashid et al. 2018 footPress).
//
// Each file's header states the walk calibration, CALIBRATION_POINT_1 "75.0001 (Kgs) 4798 (Raw
// Sum)" (left) and "... 13127 (Raw Sum)" (right), and the sensel area, 25.8064 mm^2. From them
// the toolkit computes k = m g / (A sum(raw)). The truth it is checked against is not an input:
//  1. the stored pressures alone: every one of them is a whole number of counts times the
//     vendor's factor, rounded to 1 kPa. The set of factors for which that holds is recovered
//     from the data (no factor given), and the toolkit's k must lie in its largest interval;
//  2. every stored value is within 0.5 kPa of a whole number of counts times k;
//  3. the stated saturation pressure is 255 counts (an 8-bit reading) times k.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <set>
#include <sstream>

#include "insole/core/calibration.hpp"
#include "insole/importers/importers.hpp"
#include "support/shared_data.hpp"

namespace insole::test {
namespace {

struct Interval {
  double lo, hi;
};

// All k in [k_min, k_max] for which every value p is within tol of n k for some whole n >= 0,
// as sorted disjoint intervals. Starting from the largest value keeps the list short: each
// value's admissible k form intervals [(p - tol)/n, (p + tol)/n].
std::vector<Interval> admissible_quanta(const std::set<double>& values, double tol, double k_min, double k_max) {
  std::vector<Interval> iv{{k_min, k_max}};
  for (auto it = values.rbegin(); it != values.rend(); ++it) {
    const double p = *it;
    if (p <= tol) continue;  // zero counts: any k
    std::vector<Interval> next;
    for (const auto& [lo, hi] : iv) {
      const long n0 = std::max(1L, long(std::floor((p - tol) / hi)));
      const long n1 = long(std::ceil((p + tol) / lo));
      for (long n = n0; n <= n1; ++n) {
        const double a = std::max(lo, (p - tol) / double(n)), b = std::min(hi, (p + tol) / double(n));
        if (a <= b) next.push_back({a, b});
      }
    }
    std::sort(next.begin(), next.end(), [](const Interval& x, const Interval& y) { return x.lo < y.lo; });
    iv.clear();
    for (const auto& x : next) {
      if (!iv.empty() && x.lo <= iv.back().hi) iv.back().hi = std::max(iv.back().hi, x.hi);
      else iv.push_back(x);
    }
  }
  return iv;
}

TEST(TekscanCalibration, AdmissibleQuantaOfAHandMadeSet) {
  // Values 6, 9, 15 (k = 3: counts 2, 3, 5) with tol 0.1 in [1, 10]. For k = 3 each value
  // admits [(p - 0.1)/n, (p + 0.1)/n]: 15 -> [2.98, 3.02], 9 -> [2.9667, 3.0333], 6 -> [2.95, 3.05];
  // their intersection is [2.98, 3.02]. Nothing above it fits: k > 3.02 would make 6 one count
  // (k in [5.9, 6.1]), and 9 / 6 = 1.5 counts. Below it lie the divisors (1.5 = 3 / 2, ...).
  auto iv = admissible_quanta({6, 9, 15}, 0.1, 1.0, 10.0);
  ASSERT_FALSE(iv.empty());
  EXPECT_NEAR(iv.back().lo, 2.98, 1e-12);
  EXPECT_NEAR(iv.back().hi, 3.02, 1e-12);
  ASSERT_GE(iv.size(), 2u);
  EXPECT_LE(iv[iv.size() - 2].lo, 1.5);
  EXPECT_GE(iv[iv.size() - 2].hi, 1.5);
}

// Parses "75.0001 (Kgs) 4798 (Raw Sum) 240 (Number of Loaded Cells)".
std::pair<double, double> calibration_point(const std::string& text) {
  std::istringstream in(text);
  double kg = 0, raw = 0;
  std::string unit;
  in >> kg >> unit >> raw;
  return {kg, raw};
}

TEST(TekscanCalibration, BodyWeightFactorMatchesTheStoredCounts) {
  struct Case {
    const char* rel;
    double vendor_kpa_per_count;  // the factor the stored data imply, to the 3 decimals quoted in the data README's source
  };
  for (const Case c : {Case{"tekscan_fscan_footpress/FrasP01L.asf", 5.940}, Case{"tekscan_fscan_footpress/FrasP01R.asf", 2.171}}) {
    SCOPED_TRACE(c.rel);
    if (!std::filesystem::exists(shared_data(c.rel))) GTEST_SKIP() << "shared data not available: " << c.rel;
    auto rec = importers::import_file(shared_data(c.rel));
    ASSERT_TRUE(rec) << rec.error().message;
    const Stream& s = rec->streams.at(0);
    const auto& attr = s.info.attributes;
    ASSERT_TRUE(attr.count("header.CALIBRATION_POINT_1"));
    ASSERT_TRUE(attr.count("header.SENSEL_AREA"));
    ASSERT_TRUE(attr.count("header.SATURATION_PRESSURE"));
    const auto [mass_kg, raw_sum] = calibration_point(attr.at("header.CALIBRATION_POINT_1"));
    const double area_mm2 = std::stod(attr.at("header.SENSEL_AREA"));
    EXPECT_DOUBLE_EQ(mass_kg, 75.0001);
    auto k = body_weight_factor_kpa_per_count(mass_kg, area_mm2, raw_sum);
    ASSERT_TRUE(k) << k.error().message;

    // 1. The factor recovered from the stored pressures alone, over 1..50 kPa per count.
    std::set<double> values;
    for (Eigen::Index f = 0; f < s.pressure_kpa.rows(); ++f)
      for (Eigen::Index i = 0; i < s.pressure_kpa.cols(); ++i)
        if (std::isfinite(s.pressure_kpa(f, i))) values.insert(double(s.pressure_kpa(f, i)));
    const auto iv = admissible_quanta(values, 0.5, 1.0, 50.0);
    ASSERT_FALSE(iv.empty());
    const Interval q = iv.back();  // the largest admissible quantum (smaller ones are its divisors)
    std::cout << "[tekscan calibration] " << c.rel << ": k = m g / (A sum raw) = " << *k
              << " kPa/count; quantum of the stored pressures in [" << q.lo << ", " << q.hi << "] ("
              << values.size() << " distinct values)\n";
    EXPECT_GE(*k, q.lo);
    EXPECT_LE(*k, q.hi);
    EXPECT_LT(q.hi - q.lo, 0.001);  // the data pin the factor to better than 0.02 %
    EXPECT_NEAR(*k, c.vendor_kpa_per_count, 0.0005);

    // 2. Every stored pressure is a whole number of counts times k, to the file's 1 kPa rounding.
    double worst = 0.0;
    long max_counts = 0;
    for (double p : values) {
      const double n = std::round(p / *k);
      worst = std::max(worst, std::abs(p - n * *k));
      max_counts = std::max(max_counts, long(n));
    }
    std::cout << "[tekscan calibration] " << c.rel << ": worst |p - round(p/k) k| = " << worst
              << " kPa, up to " << max_counts << " counts\n";
    EXPECT_LE(worst, 0.5);

    // 3. SATURATION_PRESSURE ("1514.73 KPa", "553.643 KPa") is 255 counts times k.
    const double saturation_kpa = std::stod(attr.at("header.SATURATION_PRESSURE"));
    EXPECT_NEAR(saturation_kpa / *k, 255.0, 0.01);
  }
}

}  // namespace
}  // namespace insole::test
