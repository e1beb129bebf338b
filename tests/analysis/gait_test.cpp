#include "insole/analysis/gait.hpp"

#include <gtest/gtest.h>

#include "hand_footfall.hpp"

namespace insole::analysis {
namespace {

using test::HandSensel;
using test::trapezoid;

// Heel sensel, one midfoot sensel without load, three forefoot sensels (medial, central,
// lateral) and a toe sensel without load; foot length 250 mm, areas 100 mm^2 (1 kPa = 0.1 N).
// Heel: 0 -> 400 kPa over 0-0.10 s, held to 0.50 s, 0 at 0.60 s (40 N peak).
// Forefoot strips: 0 -> 300 kPa over 0.1 s starting at 0.10 (medial), 0.08 (central),
// 0.05 (lateral) s, held to 0.85 s, 0 at 0.95 s (30 N each).
// Every signal is linear between 10 ms samples, so interpolated crossings are exact.
FootfallSamples walking_footfall() {
  return test::hand_samples(
      {
          {0.0, 30.0, trapezoid(0.0, 0.10, 0.50, 0.60, 400.0)},
          {0.0, 100.0, [](double) { return 0.0; }},
          {30.0, 180.0, trapezoid(0.10, 0.20, 0.85, 0.95, 300.0)},
          {0.0, 180.0, trapezoid(0.08, 0.18, 0.85, 0.95, 300.0)},
          {-30.0, 180.0, trapezoid(0.05, 0.15, 0.85, 0.95, 300.0)},
          {0.0, 230.0, [](double) { return 0.0; }},
      },
      0.0, 1.0, 100.0);
}

TEST(GaitEvents, HandComputedEventsAndPhases) {
  const FootfallSamples s = walking_footfall();
  const FootFrame frame = test::identity_frame(250.0);
  const FootBands bands = assign_bands(s, frame);
  ASSERT_EQ(bands.strip[2], 0);  // medial
  ASSERT_EQ(bands.strip[3], 1);
  ASSERT_EQ(bands.strip[4], 2);  // lateral
  const BandSeries series = band_series(s, bands);
  EXPECT_NEAR(series.total_force_n.maxCoeff(), 130.0, 1e-3);  // 40 + 3 * 30 N

  const GaitEvents ev = detect_gait_events(s, series);
  // Contact threshold 5 % of 130 N = 6.5 N; region threshold 2 % = 2.6 N.
  // IC: only the heel loads before 0.05 s, heel force = 400 N/s * t -> t = 6.5 / 400.
  EXPECT_NEAR(ev.ic_s, 6.5 / 400.0, 1e-5);
  // TO: all three strips unload together: 3 * 300 N/s * (0.95 - t) = 6.5.
  EXPECT_NEAR(ev.to_s, 0.95 - 6.5 / 900.0, 1e-5);
  // FFC: lateral strip 300 N/s * (t - 0.05) = 2.6; FF: medial strip from 0.10.
  ASSERT_TRUE(ev.ffc_s && ev.ff_s && ev.ho_s && ev.heel_on_s);
  EXPECT_NEAR(*ev.ffc_s, 0.05 + 2.6 / 300.0, 1e-5);
  EXPECT_NEAR(*ev.ff_s, 0.10 + 2.6 / 300.0, 1e-5);
  // HO: heel 400 N/s * (0.60 - t) = 2.6 after its plateau.
  EXPECT_NEAR(*ev.ho_s, 0.60 - 2.6 / 400.0, 1e-5);

  const double ic = 6.5 / 400.0, to = 0.95 - 6.5 / 900.0, stance = to - ic;
  const double ffc = 0.05 + 2.6 / 300.0, ff = 0.10 + 2.6 / 300.0, ho = 0.60 - 2.6 / 400.0;
  EXPECT_NEAR(ev.stance_s, stance, 1e-5);
  EXPECT_NEAR(*ev.initial_contact_percent, 100.0 * (ffc - ic) / stance, 1e-3);   // 4.58 %
  EXPECT_NEAR(*ev.forefoot_contact_percent, 100.0 * (ff - ffc) / stance, 1e-3);  // 5.40 %
  EXPECT_NEAR(*ev.foot_flat_percent, 100.0 * (ho - ff) / stance, 1e-3);          // 52.33 %
  EXPECT_NEAR(*ev.push_off_percent, 100.0 * (to - ho) / stance, 1e-3);           // 37.70 %
  EXPECT_NEAR(*ev.initial_contact_percent + *ev.forefoot_contact_percent + *ev.foot_flat_percent +
                  *ev.push_off_percent,
              100.0, 1e-6);
  // Heel loaded from before IC until HO.
  EXPECT_NEAR(ev.heel_contact_percent, 100.0 * (ho - ic) / stance, 1e-3);  // 62.30 %
  EXPECT_TRUE(ev.heel_first);
}

TEST(GaitEvents, ToeWalkingHasNoHeelContactAndNoFootFlat) {
  const FootfallSamples s = test::hand_samples(
      {
          {0.0, 30.0, [](double) { return 0.0; }},
          {30.0, 180.0, trapezoid(0.0, 0.10, 0.50, 0.60, 300.0)},
          {0.0, 180.0, trapezoid(0.0, 0.10, 0.50, 0.60, 300.0)},
          {-30.0, 180.0, trapezoid(0.0, 0.10, 0.50, 0.60, 300.0)},
      },
      0.0, 0.6, 100.0);
  const FootFrame frame = test::identity_frame(250.0);
  const BandSeries series = band_series(s, assign_bands(s, frame));
  const GaitEvents ev = detect_gait_events(s, series);
  EXPECT_FALSE(ev.heel_on_s);
  EXPECT_FALSE(ev.ho_s);
  EXPECT_FALSE(ev.heel_first);
  EXPECT_EQ(ev.heel_contact_percent, 0.0);
  // Peak 3 * 30 N = 90 N: IC when 900 N/s * t = 4.5 N (t = 0.005 s), each strip reaches
  // 1.8 N when 300 N/s * t = 1.8 (t = 0.006 s) = FFC = FF; TO when 900 (0.6 - t) = 4.5.
  const double ic = 0.005, ff = 0.006, to = 0.595, stance = to - ic;
  ASSERT_TRUE(ev.foot_flat_percent && ev.push_off_percent);
  EXPECT_NEAR(*ev.initial_contact_percent, 100.0 * (ff - ic) / stance, 1e-3);
  EXPECT_NEAR(*ev.forefoot_contact_percent, 0.0, 1e-3);
  EXPECT_NEAR(*ev.foot_flat_percent, 0.0, 1e-9);  // never flat: no heel contact
  EXPECT_NEAR(*ev.push_off_percent, 100.0 * (to - ff) / stance, 1e-3);
}

TEST(GaitTiming, StrideStepSwingDoubleSupportAndCadence) {
  // Hand-made walk: stride 1.1 s, stance 0.65 s, steps 0.55 s on both sides.
  std::vector<ContactInterval> c = {
      {Side::left, 0.0, 0.65},  {Side::right, 0.55, 1.20}, {Side::left, 1.10, 1.75},
      {Side::right, 1.65, 2.30}, {Side::left, 2.20, 2.85},
  };
  const GaitTiming g = gait_timing(c);
  ASSERT_TRUE(g.left.stride_s && g.right.stride_s && g.left.step_s && g.right.step_s);
  EXPECT_NEAR(g.left.stride_s->median, 1.1, 1e-9);
  EXPECT_EQ(g.left.stride_s->n, 2u);
  EXPECT_NEAR(g.right.stride_s->median, 1.1, 1e-9);
  EXPECT_NEAR(g.left.swing_s->median, 1.10 - 0.65, 1e-9);  // TO 0.65 -> IC 1.10
  EXPECT_NEAR(g.left.step_s->median, 0.55, 1e-9);
  EXPECT_EQ(g.left.step_s->n, 2u);  // the first contact has no earlier right contact
  EXPECT_NEAR(g.right.step_s->median, 0.55, 1e-9);
  // Double support per stride: two overlaps of 0.10 s in 1.10 s = 18.18 %; the first left stride
  // is skipped because the right contact before it was not observed.
  ASSERT_TRUE(g.left.double_support_percent);
  EXPECT_EQ(g.left.double_support_percent->n, 1u);
  EXPECT_NEAR(g.left.double_support_percent->median, 100.0 * 0.2 / 1.1, 1e-9);
  EXPECT_NEAR(g.right.double_support_percent->median, 100.0 * 0.2 / 1.1, 1e-9);
  EXPECT_NEAR(g.left.stance_percent->median, 100.0 * 0.65 / 1.1, 1e-9);
  EXPECT_NEAR(*g.cadence_steps_per_min, 60.0 / 0.55, 1e-9);  // 109.1 steps/min
  EXPECT_NEAR(*g.stance_symmetry_percent, 0.0, 1e-9);
}

TEST(GaitTiming, AsymmetricStanceAndPausesAreNotStrides) {
  std::vector<ContactInterval> c = {
      {Side::left, 0.0, 0.70}, {Side::right, 0.55, 1.15}, {Side::left, 1.10, 1.80},
      {Side::right, 1.65, 2.25},
      // a pause: the next contacts are 5 s later and do not make strides with the earlier ones
      {Side::left, 7.0, 7.7},
  };
  const GaitTiming g = gait_timing(c);
  EXPECT_EQ(g.left.stride_s->n, 1u);
  EXPECT_NEAR(g.left.stance_s->median, 0.70, 1e-9);
  EXPECT_NEAR(g.right.stance_s->median, 0.60, 1e-9);
  // Robinson SI = 200 * |0.70 - 0.60| / (0.70 + 0.60) = 15.38 %.
  EXPECT_NEAR(*g.stance_symmetry_percent, 200.0 * 0.1 / 1.3, 1e-9);
}

TEST(GaitTiming, OneSideOnlyUsesStrideForCadence) {
  const GaitTiming g = gait_timing({{Side::right, 0.0, 0.6}, {Side::right, 1.0, 1.6}, {Side::right, 2.0, 2.6}});
  EXPECT_FALSE(g.right.step_s);
  EXPECT_FALSE(g.right.double_support_percent);
  EXPECT_NEAR(*g.cadence_steps_per_min, 120.0, 1e-9);  // 120 / 1.0 s stride
  EXPECT_FALSE(g.stance_symmetry_percent);
}

}  // namespace
}  // namespace insole::analysis
