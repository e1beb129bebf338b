// PhysioNet gaitpdb control walk GaCo01_01 (../shared/data/physionet_gaitpdb, ODC-By 1.0;
// Goldberger et al. 2000 Circulation 101:e215; Yogev et al. 2005 Eur J Neurosci 22:1248): stride
// and stance time from insole::importers + insole::analysis::analyze() against the same
// quantities computed here, independently of the toolkit, from the raw total-force columns.
#include <gtest/gtest.h>

#include <iostream>

#include "insole/analysis/analyze.hpp"
#include "insole/importers/importers.hpp"
#include "support/gaitpdb_rows.hpp"
#include "support/shared_data.hpp"
#include "validation_util.hpp"

namespace insole::test {
namespace {

constexpr const char* kWalk = "physionet_gaitpdb/GaCo01_01.txt";

struct RawTiming {
  std::vector<double> stance_s, stride_s;
};

// From the raw file, no toolkit code: column 18 (left total) or 19 (right total), in newtons.
// The conventions are the toolkit's documented defaults, so that the comparison tests the code,
// not a change of definition: stance = a run of samples above F_min + 10 % of (F_max - F_min)
// (pressuRe threshold_event), IC / TO = its first / last sample; runs touching the ends of the
// walk, shorter than 3 samples or of 2 s and more (standing) are left out; a stride is IC to the
// next IC of the same foot when it is shorter than 2.5 s.
RawTiming raw_timing(int column_1based) {
  std::vector<double> t, f;
  for (const auto& v : read_gaitpdb_rows(shared_data(kWalk))) {
    t.push_back(v[0]);
    f.push_back(v[static_cast<std::size_t>(column_1based - 1)]);
  }
  const double lo = *std::min_element(f.begin(), f.end());
  const double hi = *std::max_element(f.begin(), f.end());
  const double thr = lo + 0.10 * (hi - lo);
  RawTiming out;
  std::vector<double> ics;
  for (std::size_t i = 0; i < f.size();) {
    if (!(f[i] > thr)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j + 1 < f.size() && f[j + 1] > thr) ++j;
    const double stance = t[j] - t[i];
    if (i > 0 && j + 1 < f.size() && j - i + 1 >= 3 && stance < 2.0) {
      out.stance_s.push_back(stance);
      ics.push_back(t[i]);
    }
    i = j + 1;
  }
  for (std::size_t k = 1; k < ics.size(); ++k)
    if (ics[k] - ics[k - 1] < 2.5) out.stride_s.push_back(ics[k] - ics[k - 1]);
  return out;
}

TEST(GaitpdbValidation, StrideAndStanceAgainstTheRawColumns) {
  INSOLE_REQUIRE_SHARED_DATA(kWalk);
  auto rec = importers::import_file(shared_data(kWalk));
  ASSERT_TRUE(rec) << rec.error().message;
  auto res = analysis::analyze(*rec);
  ASSERT_TRUE(res) << res.error().message;
  const RawTiming raw[2] = {raw_timing(18), raw_timing(19)};
  const analysis::SideTiming* ours[2] = {&res->timing.left, &res->timing.right};
  double stance_median[2] = {0, 0};
  for (int s = 0; s < 2; ++s) {
    ASSERT_TRUE(ours[s]->stance_s && ours[s]->stride_s);
    const double stance = median_of(raw[s].stance_s), stride = median_of(raw[s].stride_s);
    stance_median[s] = stance;
    std::cout << "[gaitpdb " << (s ? "right" : "left") << "] stance ours " << ours[s]->stance_s->median << " s (n "
              << ours[s]->stance_s->n << "), raw " << stance << " s (n " << raw[s].stance_s.size()
              << "); stride ours " << ours[s]->stride_s->median << " s (n " << ours[s]->stride_s->n << "), raw "
              << stride << " s (n " << raw[s].stride_s.size() << ")\n";
    // One sample at 100 Hz, the resolution of the raw data: same definition, same frames.
    EXPECT_NEAR(ours[s]->stance_s->median, stance, 0.010 + 1e-9);
    EXPECT_NEAR(ours[s]->stride_s->median, stride, 0.010 + 1e-9);
    // The same contacts are found: counts within one (a contact cut at the walk's ends may be
    // judged differently).
    EXPECT_NEAR(double(ours[s]->stance_s->n), double(raw[s].stance_s.size()), 1.0);
    // ../shared/data/README.md section 3: median stride time 1.23 s (computed from the file by
    // the data set's curator); 20 ms covers a different event threshold.
    EXPECT_NEAR(ours[s]->stride_s->median, 1.23, 0.020);
  }
  // Continuous walking: both feet share one cadence, so the median strides agree within a sample.
  EXPECT_NEAR(ours[0]->stride_s->median, ours[1]->stride_s->median, 0.010 + 1e-9);
  // Left/right stance symmetry (Robinson SI) against the same index of the raw medians; each
  // median may differ by one sample, so SI may move by 200 * 0.02 / (L + R) points.
  ASSERT_TRUE(res->timing.stance_symmetry_percent);
  const double si_raw = 200.0 * std::abs(stance_median[0] - stance_median[1]) / (stance_median[0] + stance_median[1]);
  std::cout << "[gaitpdb] stance symmetry ours " << *res->timing.stance_symmetry_percent << " %, raw " << si_raw
            << " %\n";
  EXPECT_NEAR(*res->timing.stance_symmetry_percent, si_raw,
              200.0 * 0.020 / (stance_median[0] + stance_median[1]) + 1e-9);
}

}  // namespace
}  // namespace insole::test
