#include "insole/core/sensor_layout.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace insole;

TEST(SensorLayout, GridCentresAndAreas) {
  // Tekscan F-Scan: 60 x 21 sensels at 5.08 mm; area 25.8064 mm^2 (5.08^2).
  auto l = SensorLayout::grid(60, 21, 5.08, 5.08);
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->is_grid());
  EXPECT_EQ(l->sensor_count(), 1260);
  EXPECT_NEAR(l->areas_mm2()[0], 25.8064, 1e-9);
  // sensel (2, 3): x = 3.5 * 5.08, y = 2.5 * 5.08
  const auto i = l->index(2, 3);
  EXPECT_EQ(i, 2 * 21 + 3);
  EXPECT_NEAR(l->centres_mm()(i, 0), 17.78, 1e-9);
  EXPECT_NEAR(l->centres_mm()(i, 1), 12.70, 1e-9);
  EXPECT_TRUE(l->has_geometry());
  EXPECT_EQ(l->present_count(), 1260);
}

TEST(SensorLayout, GridRejectsBadShapes) {
  EXPECT_FALSE(SensorLayout::grid(0, 5, 5, 5).ok());
  EXPECT_FALSE(SensorLayout::grid(5, -1, 5, 5).ok());
  EXPECT_FALSE(SensorLayout::grid(5, 5, 0, 5).ok());
  EXPECT_FALSE(SensorLayout::grid(5, 5, 5, NAN).ok());
  auto huge = SensorLayout::grid(100000, 100000, 1, 1);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, Errc::invalid_argument);
}

TEST(SensorLayout, SensorSetWithGeometry) {
  Eigen::MatrixX2d xy(3, 2);
  xy << -20, 10, 20, 10, 0, 200;
  Eigen::VectorXd a(3);
  a << 100, 100, 150;
  auto l = SensorLayout::sensors(xy, a);
  ASSERT_TRUE(l.ok());
  EXPECT_FALSE(l->is_grid());
  EXPECT_EQ(l->sensor_count(), 3);
  EXPECT_TRUE(l->has_geometry());
}

TEST(SensorLayout, SensorSetWithoutGeometryIsMarkedSo) {
  Eigen::MatrixX2d xy = Eigen::MatrixX2d::Constant(2, 2, NAN);
  Eigen::VectorXd a = Eigen::VectorXd::Constant(2, NAN);
  auto l = SensorLayout::sensors(xy, a);
  ASSERT_TRUE(l.ok());
  EXPECT_FALSE(l->has_geometry());
}

TEST(SensorLayout, SensorSetRejectsMismatchAndBadArea) {
  EXPECT_FALSE(SensorLayout::sensors(Eigen::MatrixX2d::Zero(3, 2), Eigen::VectorXd::Ones(2)).ok());
  Eigen::VectorXd a(2);
  a << 10, -1;
  EXPECT_FALSE(SensorLayout::sensors(Eigen::MatrixX2d::Zero(2, 2), a).ok());
  EXPECT_FALSE(SensorLayout::sensors(Eigen::MatrixX2d(0, 2), Eigen::VectorXd(0)).ok());
}

TEST(SensorLayout, PresenceMask) {
  auto l = SensorLayout::grid(2, 2, 5, 5).value();
  EXPECT_FALSE(l.set_present({true, false}).ok());
  ASSERT_TRUE(l.set_present({true, false, true, true}).ok());
  EXPECT_EQ(l.present_count(), 3);
  auto m = SensorLayout::grid(2, 2, 5, 5).value();
  EXPECT_FALSE(l == m);
  ASSERT_TRUE(m.set_present({true, false, true, true}).ok());
  EXPECT_TRUE(l == m);
}
