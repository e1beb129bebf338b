#include "insole/analysis/pronation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "hand_footfall.hpp"

namespace insole::analysis {
namespace {

TEST(Cpei, HandComputedSongConstruction) {
  // COP path in foot coordinates (ml medial +, ap from heel), foot length 250 mm, forefoot width
  // 90 mm. Distal-third line at 0.67 * 250 = 167.5 mm.
  Eigen::MatrixX2d cop(5, 2);
  cop << 0.0, 20.0,  //
      -5.0, 100.0,   //
      -10.0, 150.0,  //
      -6.0, 200.0,   //
      10.0, 240.0;
  // COP crosses 167.5 between (-10,150) and (-6,200): s = 17.5/50 = 0.35, ml = -10 + 0.35*4 = -8.6.
  // Construction line (0,20)->(10,240) at 167.5: ml = 10 * 147.5/220 = 6.704545...
  // CPE = 6.704545 - (-8.6) = 15.304545 mm (COP lateral of the line); CPEI = 15.3045/90*100.
  std::string why;
  const auto r = cpei(cop, 250.0, 90.0, {}, &why);
  ASSERT_TRUE(r) << why;
  EXPECT_NEAR(r->line_ap_mm, 167.5, 1e-12);
  EXPECT_NEAR(r->cpe_mm, 10.0 * 147.5 / 220.0 + 8.6, 1e-9);
  EXPECT_NEAR(r->cpei_percent, (10.0 * 147.5 / 220.0 + 8.6) / 90.0 * 100.0, 1e-9);  // 17.005 %
}

TEST(Cpei, MedialCopGivesNegativeExcursion) {
  // Straight construction line along ml = 0; the COP bows 5 mm medially at the line.
  Eigen::MatrixX2d cop(3, 2);
  cop << 0.0, 0.0, 5.0, 200.0, 0.0, 250.0;
  // Crossing 167.5 between (0,0) and (5,200): ml = 5 * 167.5 / 200 = 4.1875 -> CPE = -4.1875.
  const auto r = cpei(cop, 250.0, 100.0);
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->cpe_mm, -4.1875, 1e-12);
  EXPECT_NEAR(r->cpei_percent, -4.1875, 1e-12);
}

TEST(Cpei, RefusesWhenCopDoesNotReachTheDistalThird) {
  Eigen::MatrixX2d cop(3, 2);
  cop << 0.0, 10.0, 1.0, 80.0, 2.0, 120.0;
  std::string why;
  EXPECT_FALSE(cpei(cop, 250.0, 90.0, {}, &why));
  EXPECT_NE(why.find("distal-third"), std::string::npos);
  EXPECT_FALSE(cpei(cop, 250.0, 0.0, {}, &why));
  EXPECT_FALSE(cpei(Eigen::MatrixX2d(0, 2), 250.0, 90.0));
}

TEST(FootprintWidth, ExtentAtTheLinePlusOneSensel) {
  // Row of 5 loaded sensels 10 mm apart at ap = 170 (10 x 10 mm sensels), one unloaded sensel
  // further out and one loaded sensel far from the line: width = (40 - 0) + 10 = 50 mm.
  std::vector<test::HandSensel> s;
  for (int i = 0; i < 5; ++i) s.push_back({-20.0 + 10.0 * i, 170.0, [](double) { return 100.0; }});
  s.push_back({40.0, 170.0, [](double) { return 0.0; }});
  s.push_back({90.0, 100.0, [](double) { return 100.0; }});
  const auto samples = test::hand_samples(s, 0.0, 0.1, 100.0);
  const auto w = footprint_width_mm(samples, test::identity_frame(250.0), 167.5);
  ASSERT_TRUE(w);
  EXPECT_NEAR(*w, 50.0, 1e-9);
  EXPECT_FALSE(footprint_width_mm(samples, test::identity_frame(250.0), 30.0));
}

TEST(MlPressureIndex, HandComputedFromForceTimeIntegrals) {
  // Medial sensel 100 kPa, lateral 300 kPa, constant over 1 s, 100 mm^2 each:
  // MLPI = (30 - 10) / (30 + 10) = 0.5 (lateral loading). A sensel on the axis splits evenly.
  const auto samples = test::hand_samples(
      {{20.0, 100.0, [](double) { return 100.0; }},
       {-20.0, 100.0, [](double) { return 300.0; }},
       {0.0, 200.0, [](double) { return 200.0; }}},
      0.0, 1.0, 100.0);
  const FootFrame frame = test::identity_frame(250.0);
  // Whole foot: medial 10 + 10, lateral 30 + 10 (N*s) -> (40 - 20) / 60.
  EXPECT_NEAR(*ml_pressure_index(samples, frame), 20.0 / 60.0, 1e-6);
  // Only 0-60 % of foot length (ap < 150): 0.5.
  EXPECT_NEAR(*ml_pressure_index(samples, frame, 0.0, 0.6), 0.5, 1e-6);
  EXPECT_FALSE(ml_pressure_index(samples, frame, 0.9, 1.0));
}

TEST(CopVelocity, ConstantSpeedPerPhase) {
  // COP moving 300 mm/s along +y for 1 s, sampled at 100 Hz.
  CopTrajectory cop;
  cop.time_s = Eigen::VectorXd::LinSpaced(101, 0.0, 1.0);
  cop.xy_mm.resize(101, 2);
  cop.xy_mm.col(0).setZero();
  cop.xy_mm.col(1) = 300.0 * cop.time_s;
  cop.force_n = Eigen::VectorXd::Ones(101);
  GaitEvents ev;
  ev.ic_s = 0.0;
  ev.to_s = 1.0;
  ev.ffc_s = 0.1;
  ev.ff_s = 0.2;
  ev.ho_s = 0.6;
  const CopVelocity v = cop_velocity(cop, ev);
  EXPECT_NEAR(*v.stance_mm_s, 300.0, 1e-6);
  EXPECT_NEAR(*v.initial_contact_mm_s, 300.0, 1e-6);
  EXPECT_NEAR(*v.foot_flat_mm_s, 300.0, 1e-6);
  EXPECT_NEAR(*v.push_off_mm_s, 300.0, 1e-6);
  EXPECT_NEAR(cop_path_length_mm(cop), 300.0, 1e-9);
}

TEST(FootProgressionAngle, OutToeingIsPositiveForBothSides) {
  // Walking along +y. A right foot turned 10 deg clockwise (toes to the subject's right, i.e.
  // lateral): u = (sin 10, cos 10); medial for a right foot is -x, v perpendicular to u.
  const double a = 10.0 * std::numbers::pi / 180.0;
  FootFrame right;
  right.u = {std::sin(a), std::cos(a)};
  right.v = {-std::cos(a), std::sin(a)};
  EXPECT_NEAR(foot_progression_angle_deg(right, {0.0, 1.0}), 10.0, 1e-9);
  // Mirror image: a left foot with toes to the left (lateral for the left foot).
  FootFrame left;
  left.u = {-std::sin(a), std::cos(a)};
  left.v = {std::cos(a), std::sin(a)};
  EXPECT_NEAR(foot_progression_angle_deg(left, {0.0, 1.0}), 10.0, 1e-9);
  // In-toeing left foot (toes to the right) is negative.
  FootFrame in_left;
  in_left.u = {std::sin(a), std::cos(a)};
  in_left.v = {std::cos(a), -std::sin(a)};
  EXPECT_NEAR(foot_progression_angle_deg(in_left, {0.0, 1.0}), -10.0, 1e-9);
}

TEST(ProgressionDirection, SameSideStridesCancelStepWidth) {
  // Walking along +y with a 100 mm step width: left feet at x = 0, right at x = 100. The line
  // joining a left and the next right contact is 8.7 deg off; same-side strides are exact.
  std::vector<PassFootfall> pass = {{Side::left, {0, 0}, {0, 1}},
                                    {Side::right, {100, 650}, {0, 1}},
                                    {Side::left, {0, 1300}, {0, 1}},
                                    {Side::right, {100, 1950}, {0, 1}}};
  std::string method;
  const auto d = progression_direction(pass, &method);
  ASSERT_TRUE(d);
  EXPECT_NEAR(d->x(), 0.0, 1e-12);
  EXPECT_NEAR(d->y(), 1.0, 1e-12);
  EXPECT_EQ(method, "same-side strides");
  // Walking back: the direction follows time order.
  std::reverse(pass.begin(), pass.end());
  EXPECT_NEAR(progression_direction(pass)->y(), -1.0, 1e-12);
}

TEST(ProgressionDirection, TwoContactsUseTheAxisBisector) {
  // One left and one right contact, each turned out 7 deg: the bisector is the travel direction.
  const double a = 7.0 * std::numbers::pi / 180.0;
  std::vector<PassFootfall> pass = {{Side::left, {0, 0}, {-std::sin(a), std::cos(a)}},
                                    {Side::right, {100, 650}, {std::sin(a), std::cos(a)}}};
  std::string method;
  const auto d = progression_direction(pass, &method);
  ASSERT_TRUE(d);
  EXPECT_NEAR(d->x(), 0.0, 1e-12);
  EXPECT_NEAR(d->y(), 1.0, 1e-12);
  EXPECT_NE(method.find("bisector"), std::string::npos);
  // Standing (no travel) and single contacts give no direction.
  EXPECT_FALSE(progression_direction({{Side::left, {0, 0}, {0, 1}}, {Side::right, {170, 20}, {0, 1}}}));
  EXPECT_FALSE(progression_direction({{Side::left, {0, 0}, {0, 1}}}));
}

}  // namespace
}  // namespace insole::analysis
