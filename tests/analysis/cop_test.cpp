#include "insole/analysis/cop.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "hand_footfall.hpp"

namespace insole::analysis {
namespace {

TEST(Cop, AreaWeightedCentroidByHand) {
  // Two sensels: (0,0) 100 kPa over 100 mm^2 and (30,60) 200 kPa over 50 mm^2: equal forces
  // (10 N each) -> COP midway at (15, 30); total 20 N.
  const auto s = test::hand_samples({{0.0, 0.0, [](double) { return 100.0; }, 100.0},
                                     {30.0, 60.0, [](double) { return 200.0; }, 50.0}},
                                    0.0, 0.02, 100.0);
  const CopTrajectory cop = cop_trajectory(s);
  ASSERT_EQ(cop.time_s.size(), 3);
  EXPECT_NEAR(cop.xy_mm(0, 0), 15.0, 1e-9);
  EXPECT_NEAR(cop.xy_mm(0, 1), 30.0, 1e-9);
  EXPECT_NEAR(cop.force_n[0], 20.0, 1e-9);
  EXPECT_NEAR(cop_path_length_mm(cop), 0.0, 1e-12);
}

TEST(Cop, LightFramesAreLeftOut) {
  // Force ramps 0, 1, ..., 10 N: with the 5 % limit frames below 0.5 N (only t = 0) are dropped.
  const auto s = test::hand_samples({{0.0, 0.0, [](double t) { return 1000.0 * t; }}}, 0.0, 0.1, 100.0);
  const CopTrajectory cop = cop_trajectory(s);
  EXPECT_EQ(cop.time_s.size(), 10);
  EXPECT_NEAR(cop.time_s[0], 0.01, 1e-12);
}

TEST(Cop, InFootCoordinates) {
  CopTrajectory cop;
  cop.time_s = Eigen::VectorXd::Zero(1);
  cop.xy_mm.resize(1, 2);
  cop.xy_mm << 110.0, 220.0;
  cop.force_n = Eigen::VectorXd::Ones(1);
  FootFrame f;
  f.heel_mm = {100.0, 200.0};
  f.u = {1.0, 0.0};   // foot pointing +x
  f.v = {0.0, -1.0};  // medial towards -y
  const Eigen::MatrixX2d foot = cop_in_foot(cop, f);
  EXPECT_NEAR(foot(0, 0), -20.0, 1e-12);  // 20 mm lateral
  EXPECT_NEAR(foot(0, 1), 10.0, 1e-12);   // 10 mm from the heel
}

TEST(ExtractSamples, WindowOffsetSenselsAndNaN) {
  auto layout = SensorLayout::grid(2, 2, 10.0, 5.0).value();
  Eigen::VectorXd t(4);
  t << 0.0, 0.1, 0.2, 0.3;
  FrameMatrix p(4, 4);
  p << 1, 2, 3, 4,  //
      5, 6, 7, 8,   //
      9, std::numeric_limits<float>::quiet_NaN(), 11, 12, //
      13, 14, 15, 16;
  Footfall ff;
  ff.first_frame = 11;  // window starts at stream frame 10
  ff.last_frame = 12;
  ff.sensels = {1, 3};
  const FootfallSamples s = extract_samples(layout, t, p, ff, 10);
  ASSERT_EQ(s.frames(), 2);
  EXPECT_EQ(s.time_s[0], 0.1);
  EXPECT_EQ(s.pressure_kpa(0, 0), 6.0f);
  EXPECT_EQ(s.pressure_kpa(1, 0), 0.0f);  // NaN -> 0
  EXPECT_EQ(s.pressure_kpa(1, 1), 12.0f);
  EXPECT_EQ(s.xy_mm(1, 0), 7.5);  // sensel 3 = row 1, col 1: x = 1.5 * 5, y = 1.5 * 10
  EXPECT_EQ(s.xy_mm(1, 1), 15.0);
  EXPECT_EQ(s.area_mm2[0], 50.0);
  // (6 + 8) kPa * 50 mm^2 = 0.7 N in the first frame.
  EXPECT_NEAR(s.force_n()[0], 0.7, 1e-9);
  ff.last_frame = 14;
  EXPECT_THROW((void)extract_samples(layout, t, p, ff, 10), std::out_of_range);
}

}  // namespace
}  // namespace insole::analysis
