#include "insole/stats/registration.hpp"
#include "insole/stats/regions.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <fstream>
#include <sstream>

#include "stats/synthetic_foot.hpp"
#include "support/shared_data.hpp"

namespace insole::stats {
namespace {

using test::mat_image;
using test::Placement;

// Distance, in the fixed (foot) frame, between where the registration sends a moving-image point
// and where it truly belongs, worst over heel, arch, the metatarsal heads and the hallux.
double worst_point_error_mm(const Registration& reg, const Placement& moving) {
  double worst = 0;
  for (const Eigen::Vector2d& foot : {Eigen::Vector2d(0, 35), Eigen::Vector2d(16, 100), Eigen::Vector2d(-24, 165),
                                     Eigen::Vector2d(22, 160), Eigen::Vector2d(-22, 218)}) {
    const Eigen::Vector2d q = moving.from_foot(foot);
    worst = std::max(worst, (reg.map(q) - foot).norm());
  }
  return worst;
}

TEST(Registration, RigidRecoversAKnownRotationAndShiftWithinASenselAndADegree) {
  const Image fixed = mat_image(Placement{}, 5.0);
  for (const auto& [angle, tx, ty] : {std::tuple{17.0, 12.0, -8.0}, std::tuple{-40.0, -25.0, 30.0},
                                      std::tuple{165.0, 5.0, 5.0}}) {
    Placement pl;
    pl.angle_deg = angle;
    pl.t_mm = {tx, ty};
    const Image moving = mat_image(pl, 5.0);
    auto reg = register_rigid(moving, fixed);
    ASSERT_TRUE(reg) << reg.error().message;
    // moving -> fixed is exactly pl (mat point q shows foot point R q + t).
    EXPECT_NEAR(reg->angle_deg, angle, 1.0) << "applied " << angle;
    EXPECT_LT((reg->t_mm - pl.t_mm).norm(), 5.0) << "applied " << angle;
    EXPECT_LT(worst_point_error_mm(*reg, pl), 5.0) << "applied " << angle;
    EXPECT_GT(reg->quality.dice, 0.95);
    EXPECT_GT(reg->quality.ncc, 0.98);
    EXPECT_LT(reg->quality.dice_before, reg->quality.dice);
    EXPECT_LT(reg->quality.rms_residual, 0.2 * reg->quality.rms_residual_before);
  }
}

TEST(Registration, MatsOfDifferentPitchRegisterToEachOther) {
  // The same analytic foot recorded by a 5 mm mat (fixed) and an 8.4 mm mat (moving), placed
  // differently on each.
  const Image fixed = mat_image(Placement{}, 5.0);
  Placement pl;
  pl.angle_deg = -25.0;
  pl.t_mm = {20.0, 10.0};
  const Image moving = mat_image(pl, 8.4);
  for (auto fn : {&register_rigid, &register_affine}) {
    auto reg = fn(moving, fixed, RegistrationParams{});
    ASSERT_TRUE(reg) << reg.error().message;
    EXPECT_NEAR(reg->angle_deg, -25.0, 1.0);
    EXPECT_LT(worst_point_error_mm(*reg, pl), 5.0);  // one sensel of the finer mat
    EXPECT_TRUE(reg->warped.grid.same_as(fixed.grid));
    EXPECT_GT(reg->quality.dice, 0.9);
    EXPECT_GT(reg->quality.ncc, 0.95);
  }
  // And the other way round: the coarse mat as the target.
  auto back = register_rigid(fixed, moving);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_NEAR(back->angle_deg, 25.0, 1.0);
}

TEST(Registration, MirroringPutsALeftFootOntoARightOne) {
  const Image right = mat_image(Placement{}, 5.0);
  Placement left;  // the same foot mirrored (a left foot), rotated and shifted on the mat
  left.mirror = true;
  left.angle_deg = 20.0;
  left.t_mm = {-10.0, 15.0};
  const Image moving = mat_image(left, 5.0);
  EXPECT_TRUE(needs_mirror(Side::left, Side::right));
  EXPECT_FALSE(needs_mirror(Side::right, Side::right));
  RegistrationParams p;
  p.mirror = true;
  auto mirrored = register_rigid(moving, right, p);
  ASSERT_TRUE(mirrored) << mirrored.error().message;
  EXPECT_TRUE(mirrored->mirrored);
  EXPECT_LT(mirrored->A.determinant(), 0.0);  // a reflection
  EXPECT_NEAR(mirrored->angle_deg, 20.0, 1.0);
  EXPECT_LT(worst_point_error_mm(*mirrored, left), 5.0);
  EXPECT_GT(mirrored->quality.dice, 0.95);
  // Without mirroring no rotation fits as well: the medial and lateral sides differ.
  auto plain = register_rigid(moving, right);
  ASSERT_TRUE(plain);
  EXPECT_LT(plain->quality.ncc, mirrored->quality.ncc - 0.05);
  // mirror_columns of a mat image is that image's mirror: same Dice as mirroring in the transform.
  const Image flipped = mirror_columns(moving);
  auto again = register_rigid(flipped, right);
  ASSERT_TRUE(again);
  EXPECT_NEAR(again->quality.dice, mirrored->quality.dice, 0.03);
}

TEST(Registration, NonlinearFollowsALocalDeformationThatNoAffineCan) {
  const Image fixed = mat_image(Placement{}, 5.0);
  // The forefoot of the moving foot is splayed: x scaled by up to 1.25 in front of y = 140 mm,
  // smoothly (the heel unchanged), then placed rotated on the mat.
  auto splay = [](const Eigen::Vector2d& p) {
    const double s = 1.0 / (1.0 + std::exp(-(p.y() - 140.0) / 12.0));
    return Eigen::Vector2d(p.x() / (1.0 + 0.25 * s), p.y());
  };
  Placement pl;
  pl.angle_deg = 10.0;
  pl.t_mm = {5.0, -5.0};
  const Image moving = mat_image(pl, 5.0, splay);
  auto affine = register_affine(moving, fixed);
  auto nonlinear = register_nonlinear(moving, fixed);
  ASSERT_TRUE(affine) << affine.error().message;
  ASSERT_TRUE(nonlinear) << nonlinear.error().message;
  EXPECT_LT(nonlinear->quality.rms_residual, 0.8 * affine->quality.rms_residual);
  EXPECT_GT(nonlinear->quality.ncc, affine->quality.ncc);
  EXPECT_GE(nonlinear->quality.dice, affine->quality.dice - 0.01);
  ASSERT_TRUE(nonlinear->quality.min_jacobian);
  EXPECT_GT(*nonlinear->quality.min_jacobian, 0.0);  // no folding
  // The same transform carries a second image of that foot (here the same one) identically.
  const Image again = apply_registration(*nonlinear, moving);
  EXPECT_TRUE(again.values.isApprox(nonlinear->warped.values));
}

TEST(Registration, BadInputIsAnErrorNamingIt) {
  const Image fixed = mat_image(Placement{}, 5.0);
  Image empty = Image::zeros(fixed.grid);
  auto r = register_rigid(empty, fixed);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::no_data);
  EXPECT_NE(r.error().message.find("moving image"), std::string::npos);
  Image bad = fixed;
  bad.grid.pitch_x_mm = 0;
  auto r2 = register_affine(fixed, bad);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, Errc::invalid_argument);
  EXPECT_NE(r2.error().message.find("fixed image"), std::string::npos);
}

TEST(Registration, CsvImagesParseAndReportTheirErrors) {
  auto im = parse_csv_image("0,1,2\n3,4,5\n", 5.0, "t.csv");
  ASSERT_TRUE(im);
  EXPECT_EQ(im->rows(), 2);
  EXPECT_EQ(im->cols(), 3);
  EXPECT_EQ(im->values(1, 2), 5.0);
  auto ragged = parse_csv_image("0,1,2\n3,4\n", 5.0, "t.csv");
  ASSERT_FALSE(ragged);
  EXPECT_EQ(ragged.error().message, "t.csv: line 2: expected 3 values, found 2");
  auto text = parse_csv_image("0,x,2\n", 5.0, "t.csv");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message, "t.csv: line 1, column 2: expected a number, found 'x'");
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// MUN104 (Pataky et al. 2011 Gait Posture 33:418; MIT): mean peak-pressure templates of the left
// and right feet of 104 subjects, 63 x 27 pixels. The pitch is not stated with the data; 5 mm is
// assumed (docs/statistics.md). The left template mirrored must fit the right one better than
// unmirrored, and well: they are the two feet of the same people.
TEST(Registration, Mun104LeftTemplateMirroredOntoTheRightOne) {
  INSOLE_REQUIRE_SHARED_DATA("mun104/MUN104L.csv");
  auto left = parse_csv_image(read_text(test::shared_data("mun104/MUN104L.csv")), 5.0, "MUN104L.csv");
  auto right = parse_csv_image(read_text(test::shared_data("mun104/MUN104R.csv")), 5.0, "MUN104R.csv");
  ASSERT_TRUE(left) << left.error().message;
  ASSERT_TRUE(right) << right.error().message;
  EXPECT_EQ(left->rows(), 63);
  EXPECT_EQ(left->cols(), 27);
  RegistrationParams p;
  p.mirror = needs_mirror(Side::left, Side::right);
  auto mirrored = register_affine(*left, *right, p);
  auto plain = register_affine(*left, *right);
  ASSERT_TRUE(mirrored) << mirrored.error().message;
  ASSERT_TRUE(plain);
  EXPECT_GT(mirrored->quality.dice, 0.9);
  EXPECT_GT(mirrored->quality.ncc, 0.9);
  EXPECT_GT(mirrored->quality.ncc, plain->quality.ncc);
  EXPECT_LT(std::abs(mirrored->angle_deg), 10.0);  // both templates lie upright on their grids
}

// The regions of the right template, read from the image by eye: heel at rows 5-20, hallux at rows
// 50-54 / columns 6-9 (the largest toe, medial, i.e. at low x for a right foot seen from above),
// forefoot at rows 38-47 spanning columns 4-22 at row 41 (medial edge: the MTH1 region, lateral
// edge: MTH5; the metatarsal-head rays are automask wedges, so MTH5 is the two lateral-most
// columns of row 41 and column 20 already lies in MTH4), the lateral midfoot band at rows 24-37 /
// columns 16-19.
TEST(Registration, Mun104RightTemplateRegions) {
  INSOLE_REQUIRE_SHARED_DATA("mun104/MUN104R.csv");
  auto right = parse_csv_image(read_text(test::shared_data("mun104/MUN104R.csv")), 5.0, "MUN104R.csv");
  ASSERT_TRUE(right) << right.error().message;
  auto map = regions_on_image(*right, Side::right, {0.0, 1.0}, 5.0);
  ASSERT_TRUE(map) << map.error().message;
  auto name_at = [&](int r, int c) {
    const int l = map->label(r, c);
    return l < 0 ? std::string("none") : map->names[static_cast<std::size_t>(l)];
  };
  EXPECT_EQ(name_at(12, 9), "hindfoot");
  EXPECT_EQ(name_at(52, 8), "hallux");
  EXPECT_EQ(name_at(43, 7), "mth1");
  EXPECT_EQ(name_at(41, 21), "mth5");
  EXPECT_EQ(name_at(41, 17), "mth4");
  EXPECT_EQ(name_at(30, 17), "midfoot");
}

}  // namespace
}  // namespace insole::stats
