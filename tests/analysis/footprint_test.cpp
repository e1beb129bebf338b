#include "insole/analysis/footprint.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "footprint_builder.hpp"

namespace insole::analysis {
namespace {

FootFrame frame_at(Eigen::Vector2d heel, Eigen::Vector2d u) {
  FootFrame f;
  f.heel_mm = heel;
  f.u = u.normalized();
  f.v = {-f.u.y(), f.u.x()};
  return f;
}

TEST(Footprint, ContactSenselsSkipsNaNAndLowValues) {
  Eigen::VectorXf p(5);
  p << 0.0f, 3.0f, std::numeric_limits<float>::quiet_NaN(), 10.0f, 2.0f;
  EXPECT_EQ(contact_sensels(p, {0, 1, 2, 3, 4}, 0.0), (std::vector<Eigen::Index>{1, 3, 4}));
  EXPECT_EQ(contact_sensels(p, {0, 1, 2, 3, 4}, 2.5), (std::vector<Eigen::Index>{1, 3}));
  EXPECT_EQ(contact_sensels(p, {3, 7, -1}, 0.0), (std::vector<Eigen::Index>{3}));
}

// Sensel (0,0) of a 5 mm grid is the square [0,5] x [0,5].
TEST(Footprint, PartialSenselAreasByHand) {
  const auto layout = SensorLayout::grid(2, 2, 5.0, 5.0).value();
  // Axis along +y from the origin: the part with 2 <= y < 10 is 5 x 3 = 15 mm2.
  const auto f0 = frame_at({0, 0}, {0, 1});
  EXPECT_NEAR(sensel_area_between_ap(layout, 0, f0, 2.0, 10.0), 15.0, 1e-12);
  EXPECT_NEAR(sensel_area_between_ap(layout, 0, f0, -1.0, 6.0), 25.0, 1e-12);
  EXPECT_NEAR(sensel_area_between_ap(layout, 0, f0, 5.0, 9.0), 0.0, 1e-12);
  // Axis at 45 degrees: ap = (x + y) / sqrt 2. The corner triangle x + y < 2.5 has area
  // 2.5^2 / 2 = 3.125; the half below the diagonal through the centre is 12.5.
  const auto f45 = frame_at({0, 0}, {1, 1});
  const double s2 = std::sqrt(2.0);
  EXPECT_NEAR(sensel_area_between_ap(layout, 0, f45, -1.0, 2.5 / s2), 3.125, 1e-9);
  EXPECT_NEAR(sensel_area_between_ap(layout, 0, f45, -1.0, 5.0 / s2), 12.5, 1e-9);
  EXPECT_NEAR(sensel_area_between_ap(layout, 0, f45, 2.5 / s2, 7.5 / s2), 25.0 - 2 * 3.125, 1e-9);
  const auto r = sensel_ap_range(layout, 0, f45);
  EXPECT_NEAR(r[0], 0.0, 1e-12);
  EXPECT_NEAR(r[1], 10.0 / s2, 1e-12);
  // Row 1, column 1 ([5,10] x [5,10]) with u = +x: v = +y, so ml spans 5..10.
  const auto fx = frame_at({0, 0}, {1, 0});
  const auto m = sensel_ml_range(layout, layout.index(1, 1), fx);
  EXPECT_NEAR(m[0], 5.0, 1e-12);
  EXPECT_NEAR(m[1], 10.0, 1e-12);
}

TEST(Footprint, AlignedRasterAtZeroDegreesIsExact) {
  const auto layout = SensorLayout::grid(4, 4, 5.0, 5.0).value();
  Eigen::VectorXf p = Eigen::VectorXf::Zero(16);
  p[layout.index(1, 1)] = 10;
  p[layout.index(1, 2)] = 20;
  p[layout.index(2, 1)] = 30;
  const auto f = frame_at({5, 5}, {0, 1});  // v = (-1, 0)
  auto a = align_footprint(layout, p, contact_sensels(p, test::all_sensels(layout), 0.0), f, 1.0);
  ASSERT_TRUE(a.ok());
  // Contact covers x 5..15, y 5..15 -> 10 x 10 cells of 1 mm.
  EXPECT_EQ(a->pressure_kpa.rows(), 10);
  EXPECT_EQ(a->pressure_kpa.cols(), 10);
  EXPECT_NEAR(a->ap0_mm, 0.0, 1e-12);
  EXPECT_NEAR(a->ml0_mm, -10.0, 1e-12);
  // ml = -(x - 5): column j centre ml = -10 + j + 0.5 -> x = 15 - j - 0.5.
  EXPECT_EQ(a->pressure_kpa(2, 2), 20.0f);  // ap 2.5 (y 7.5), x 12.5 -> sensel (1,2)
  EXPECT_EQ(a->pressure_kpa(2, 7), 10.0f);  // x 7.5 -> sensel (1,1)
  EXPECT_EQ(a->pressure_kpa(7, 7), 30.0f);  // y 12.5 -> sensel (2,1)
  EXPECT_EQ(a->sensel(7, 2), -1);           // sensel (2,2) is not in contact
  Eigen::MatrixX2d xy(1, 2);
  xy << 0, 0;
  const auto sensors = SensorLayout::sensors(xy, Eigen::VectorXd::Constant(1, 1.0)).value();
  EXPECT_EQ(align_footprint(sensors, Eigen::VectorXf::Ones(1), {0}, f).error().code,
            Errc::unsupported);
}

}  // namespace
}  // namespace insole::analysis
