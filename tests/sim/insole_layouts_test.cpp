#include "insole/sim/insole_layouts.hpp"

#include <gtest/gtest.h>

#include "insole/sim/foot_model.hpp"

namespace insole::sim {
namespace {

TEST(InsoleLayouts, GridCoversTheFootWithAbsentCellsOutsideTheOutline) {
  const SensorLayout g = insole_grid_layout(260, 5.08);
  ASSERT_TRUE(g.is_grid());
  EXPECT_GT(g.present_count(), 0);
  EXPECT_LT(g.present_count(), g.sensor_count());  // trimmed corners
  const double x0 = g.cols() * g.col_pitch_mm() / 2;
  for (Eigen::Index i = 0; i < g.sensor_count(); ++i) {
    const Eigen::Vector2d c(g.centres_mm()(i, 0) - x0, g.centres_mm()(i, 1) - kInsoleHeelMarginMm);
    EXPECT_EQ(g.present()[static_cast<std::size_t>(i)], inside_insole_outline(260, c));
  }
  // Every contact point of the simulated foot lies inside the outline.
  const FootModel foot(FootParams{}, Side::right);
  for (double y = 0.5; y < 260; y += 2)
    for (double x = -80; x < 80; x += 2)
      if (foot.in_contact({x, y})) {
        EXPECT_TRUE(inside_insole_outline(260, {x, y})) << x << "," << y;
      }
  // Scales with foot length.
  EXPECT_GT(insole_grid_layout(300).rows(), g.rows());
  EXPECT_THROW(insole_grid_layout(-1), std::invalid_argument);
}

TEST(InsoleLayouts, SensorSetsTileOrSampleTheOutlineAndMirrorForTheLeft) {
  const SensorLayout r99 = insole_sensor_layout(260, 99, Side::right);
  const SensorLayout l99 = insole_sensor_layout(260, 99, Side::left);
  ASSERT_EQ(r99.sensor_count(), 99);
  EXPECT_FALSE(r99.is_grid());
  // Tiled cells add up to about the outline's area (grid estimate at 1 mm).
  double outline = 0;
  for (double y = -5; y < 270; y += 1)
    for (double x = -70; x < 70; x += 1) outline += inside_insole_outline(260, {x + 0.5, y + 0.5}) ? 1 : 0;
  EXPECT_NEAR(r99.areas_mm2().sum(), outline, 0.03 * outline);
  for (Eigen::Index i = 0; i < 99; ++i) {
    EXPECT_DOUBLE_EQ(l99.centres_mm()(i, 0), -r99.centres_mm()(i, 0));
    EXPECT_DOUBLE_EQ(l99.centres_mm()(i, 1), r99.centres_mm()(i, 1));
    EXPECT_TRUE(inside_insole_outline(260, r99.centres_mm().row(i).transpose()));
  }
  const SensorLayout s16 = insole_sensor_layout(240, 16, Side::right);
  EXPECT_EQ(s16.sensor_count(), 16);
  EXPECT_EQ(insole_sensor_layout(260, 40, Side::right).sensor_count(), 40);
  EXPECT_THROW(insole_sensor_layout(260, 3, Side::right), std::invalid_argument);
}

}  // namespace
}  // namespace insole::sim
