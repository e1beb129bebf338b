#include "insole/analysis/equinus.hpp"

#include <gtest/gtest.h>

#include "hand_footfall.hpp"

namespace insole::analysis {
namespace {

using test::trapezoid;

TEST(EquinusFeatures, HandComputedPtiPeaksAndShares) {
  // Heel 400 kPa trapezoid 0-0.1-0.5-0.6 s; forefoot strips 300 kPa, lateral one earliest
  // (0.05-0.15-0.85-0.95 s) so it is the forefoot maximum at every instant. Sampled at 100 Hz,
  // the rectangle sum of a piecewise-linear signal that starts and ends at 0 equals its area:
  //   heel PTI = 400 * 0.4 + 2 * (400 * 0.1 / 2) = 200 kPa*s
  //   forefoot PTI = 300 * 0.7 + 2 * (300 * 0.1 / 2) = 240 kPa*s  -> ratio 1.2
  // Force-time integrals (100 mm^2 = 0.1 N/kPa): heel 20 N*s; strips (plateaus 0.65, 0.67,
  // 0.70 s) 0.1 * (225 + 231 + 240) = 69.6 N*s; heel share 20 / 89.6.
  const auto s = test::hand_samples(
      {
          {0.0, 30.0, trapezoid(0.0, 0.10, 0.50, 0.60, 400.0)},
          {30.0, 180.0, trapezoid(0.10, 0.20, 0.85, 0.95, 300.0)},
          {0.0, 180.0, trapezoid(0.08, 0.18, 0.85, 0.95, 300.0)},
          {-30.0, 180.0, trapezoid(0.05, 0.15, 0.85, 0.95, 300.0)},
      },
      0.0, 1.0, 100.0);
  const FootFrame frame = test::identity_frame(250.0);
  const BandSeries series = band_series(s, assign_bands(s, frame));
  const GaitEvents ev = detect_gait_events(s, series);
  Eigen::MatrixX2d cop(2, 2);
  cop << 0.0, 30.0, 0.0, 180.0;
  const EquinusFeatures f = equinus_features(s, series, ev, cop, 250.0);
  EXPECT_NEAR(f.heel_pti_kpa_s, 200.0, 1e-3);
  EXPECT_NEAR(f.forefoot_pti_kpa_s, 240.0, 1e-3);
  ASSERT_TRUE(f.forefoot_heel_pti_ratio);
  EXPECT_NEAR(*f.forefoot_heel_pti_ratio, 1.2, 1e-5);
  EXPECT_NEAR(f.heel_peak_kpa, 400.0, 1e-3);
  EXPECT_NEAR(f.forefoot_peak_kpa, 300.0, 1e-3);
  EXPECT_NEAR(f.heel_load_share_percent, 100.0 * 20.0 / 89.6, 1e-3);  // 22.3 %
  // Forefoot (metatarsal-head band) relative load: 69.6 / 89.6 N*s = 77.7 %.
  ASSERT_TRUE(f.forefoot_relative_load_percent);
  EXPECT_NEAR(*f.forefoot_relative_load_percent, 100.0 * 69.6 / 89.6, 1e-3);
  EXPECT_NEAR(*f.strike_index, 30.0 / 250.0, 1e-12);
  EXPECT_TRUE(f.heel_first);
  EXPECT_NEAR(f.heel_contact_percent, ev.heel_contact_percent, 0.0);
}

// The same foot carrying 70 or 110 kg: every pressure scaled by 110 / 70. The forefoot peak grows
// with the mass; the relative load, a share of the force-time integral, does not.
TEST(EquinusFeatures, RelativeLoadDoesNotScaleWithBodyMass) {
  auto features = [](double k) {
    const auto s = test::hand_samples(
        {
            {0.0, 30.0, trapezoid(0.0, 0.10, 0.50, 0.60, 400.0 * k)},
            {30.0, 180.0, trapezoid(0.10, 0.20, 0.85, 0.95, 300.0 * k)},
            {-30.0, 180.0, trapezoid(0.05, 0.15, 0.85, 0.95, 250.0 * k)},
        },
        0.0, 1.0, 100.0);
    const FootFrame frame = test::identity_frame(250.0);
    const BandSeries series = band_series(s, assign_bands(s, frame));
    return equinus_features(s, series, detect_gait_events(s, series), {}, 250.0);
  };
  const EquinusFeatures light = features(1.0), heavy = features(110.0 / 70.0);
  // By hand: heel 0.1 * 400 * 0.5 = 20 N*s; strips 0.1 * (300 * 0.75 + 250 * 0.8) = 42.5 N*s.
  EXPECT_NEAR(*light.forefoot_relative_load_percent, 100.0 * 42.5 / 62.5, 1e-3);  // 68 %
  // Equal up to the float32 rounding of the stored pressures.
  EXPECT_NEAR(*heavy.forefoot_relative_load_percent, *light.forefoot_relative_load_percent, 1e-5);
  EXPECT_NEAR(heavy.forefoot_peak_kpa, 300.0 * 110.0 / 70.0, 1e-3);
}

TEST(EquinusFeatures, NoHeelLoadLeavesRatioUndefined) {
  const auto s = test::hand_samples({{0.0, 180.0, trapezoid(0.0, 0.1, 0.4, 0.5, 500.0)}}, 0.0, 0.5, 100.0);
  const FootFrame frame = test::identity_frame(250.0);
  const BandSeries series = band_series(s, assign_bands(s, frame));
  const EquinusFeatures f = equinus_features(s, series, detect_gait_events(s, series), {}, 250.0);
  EXPECT_FALSE(f.forefoot_heel_pti_ratio);
  EXPECT_FALSE(f.heel_first);
  EXPECT_EQ(f.heel_load_share_percent, 0.0);
  EXPECT_FALSE(f.strike_index);
  EXPECT_NEAR(f.forefoot_peak_kpa, 500.0, 1e-3);
}

}  // namespace
}  // namespace insole::analysis
