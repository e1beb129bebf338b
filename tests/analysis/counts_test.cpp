// An uncalibrated ("counts") recording: the measures that need absolute pressure are withheld
// with a reason, the dimensionless ones (arch index, CPEI, timing, shares) are what they are on
// the same values labelled kPa.
#include <gtest/gtest.h>

#include "insole/analysis/analyze.hpp"
#include "insole/analysis/measure_catalogue.hpp"
#include "insole/analysis/missing.hpp"
#include "insole/sim/simulator.hpp"

namespace insole::analysis {
namespace {

const FootSummary* foot_of(const AnalysisResult& r, Side side) {
  for (const auto& f : r.feet)
    if (f.side == side) return &f;
  return nullptr;
}

TEST(CountsAnalysis, AbsoluteMeasuresWithheldDimensionlessKept) {
  sim::MatParams m;
  m.rows = 60;
  m.cols = 300;
  sim::WalkParams w;
  w.duration_s = 4.0;
  w.sample_rate_hz = 50.0;
  w.noise = sim::NoiseParams::typical_mat();
  Recording kpa = sim::simulate_walk_mat(w, m).recording;
  Recording counts = kpa;
  for (auto& s : counts.streams) s.info.units = PressureUnits::counts;

  auto a = analyze(kpa);
  auto b = analyze(counts);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_FALSE(a->feet.empty());
  ASSERT_EQ(a->feet.size(), b->feet.size());
  std::size_t withheld = 0, kept = 0;
  for (const FootSummary& fa : a->feet) {
    const FootSummary* fb = foot_of(*b, fa.side);
    ASSERT_NE(fb, nullptr);
    EXPECT_FALSE(fa.uncalibrated);
    EXPECT_TRUE(fb->uncalibrated);
    for (const auto& [key, spread] : fa.measures) {
      const MeasureInfo* info = find_measure_info(key);
      ASSERT_NE(info, nullptr) << key;
      if (info->needs_kpa()) {
        EXPECT_FALSE(fb->median(key)) << key << " must be withheld on counts";
        const auto why = missing_reason(*b, *fb, key);
        EXPECT_NE(why.reason.find("counts"), std::string::npos) << key << ": " << why.reason;
        ++withheld;
      } else {
        ASSERT_TRUE(fb->median(key)) << key << " needs no kPa and must stay";
        EXPECT_DOUBLE_EQ(*fb->median(key), spread.median) << key;
        ++kept;
      }
    }
    for (const auto& [region, vars] : fb->regions) {
      EXPECT_FALSE(vars.count("peak_pressure_kpa")) << region;
      EXPECT_FALSE(vars.count("max_force_n")) << region;
      EXPECT_TRUE(vars.count("contact_area_mm2")) << region;
    }
  }
  // The walk has peak pressures and forces (withheld) and arch index, CPEI, stance (kept).
  EXPECT_GE(withheld, 4u);
  EXPECT_GE(kept, 10u);
  for (const char* key : {"arch_index", "cpei_percent", "stance_s"})
    EXPECT_TRUE(b->feet[0].median(key)) << key;
  for (const char* key : {"forefoot_peak_kpa", "heel_peak_kpa", "peak_force_n"})
    EXPECT_TRUE(find_measure_info(key)->needs_kpa()) << key;
  for (const char* key : {"arch_index", "cpei_percent", "forefoot_relative_load_percent", "mlpi"})
    EXPECT_FALSE(find_measure_info(key)->needs_kpa()) << key;
}

}  // namespace
}  // namespace insole::analysis
