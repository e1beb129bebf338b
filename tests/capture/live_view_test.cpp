#include "insole/capture/live_view.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace insole::capture {
namespace {

TEST(LiveView, PoolsAGridByMeans) {
  // 4x4 grid, value = 10*r + c; pooled to 2x2, each cell is the mean of a 2x2 block:
  // top-left (0,1,10,11) -> 5.5; top-right (2,3,12,13) -> 7.5; bottom-left 25.5; bottom-right 27.5.
  auto layout = SensorLayout::grid(4, 4, 5.0, 5.0).value();
  Eigen::VectorXf p(16);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) p[r * 4 + c] = float(10 * r + c);
  const auto cells = pool_for_view(layout, p, 2, 2);
  ASSERT_EQ(cells.rows(), 2);
  ASSERT_EQ(cells.cols(), 2);
  EXPECT_FLOAT_EQ(cells(0, 0), 5.5f);
  EXPECT_FLOAT_EQ(cells(0, 1), 7.5f);
  EXPECT_FLOAT_EQ(cells(1, 0), 25.5f);
  EXPECT_FLOAT_EQ(cells(1, 1), 27.5f);
}

TEST(LiveView, SmallGridsAreNotEnlargedAndAbsentSenselsAreSkipped) {
  auto layout = SensorLayout::grid(2, 3, 5.0, 5.0).value();
  std::vector<bool> present{true, false, true, true, true, true};
  ASSERT_TRUE(layout.set_present(present));
  Eigen::VectorXf p(6);
  p << 1, 99, 3, 4, NAN, 6;
  const auto cells = pool_for_view(layout, p, 12, 16);
  ASSERT_EQ(cells.rows(), 2);
  ASSERT_EQ(cells.cols(), 3);
  EXPECT_TRUE(std::isnan(cells(0, 1)));  // absent sensel: its 99 is not shown
  EXPECT_TRUE(std::isnan(cells(1, 1)));  // NaN reading
  EXPECT_FLOAT_EQ(cells(1, 2), 6.0f);
}

TEST(LiveView, SensorSetsArePlacedByPositionHeelAtTheBottom) {
  Eigen::MatrixX2d xy(2, 2);
  xy << 0.0, 0.0,     // heel
      0.0, 200.0;     // toe
  auto layout = SensorLayout::sensors(xy, Eigen::VectorXd::Constant(2, 100.0)).value();
  Eigen::VectorXf p(2);
  p << 111, 222;
  const auto cells = pool_for_view(layout, p, 5, 3);
  ASSERT_EQ(cells.rows(), 5);
  ASSERT_EQ(cells.cols(), 3);
  // Both sensors share x, so they sit in the middle column (0.5 * (3 - 1) = 1).
  EXPECT_FLOAT_EQ(cells(0, 1), 222.0f);  // toe on the top row
  EXPECT_FLOAT_EQ(cells(4, 1), 111.0f);  // heel on the bottom row
  EXPECT_TRUE(std::isnan(cells(2, 1)));  // nothing in between
}

TEST(LiveView, MismatchedFrameGivesAnEmptyMap) {
  auto layout = SensorLayout::grid(2, 2, 5.0, 5.0).value();
  EXPECT_EQ(pool_for_view(layout, Eigen::VectorXf::Zero(3), 4, 4).size(), 0);
}

CaptureProgress sample_progress() {
  CaptureProgress p;
  p.elapsed_s = 12.34;
  StreamProgress s;
  s.info.name = "left";
  s.info.side = Side::left;
  s.info.layout = SensorLayout::grid(2, 2, 5.0, 5.0).value();
  s.frames = 1234;
  s.rate_hz = 100.0;
  s.total_force_n = 412.4;
  s.latest_kpa = Eigen::VectorXf::Constant(4, 200.0f);
  p.streams.push_back(s);
  SourceProgress src;
  src.uri = "serial:///dev/ttyACM0?protocol=m1616";
  src.state = SourceState::reconnecting;
  src.stats.lost_frames = 3;
  src.stats.checksum_errors = 2;
  src.stats.overflows = 1;
  src.last_error = "end of file";
  p.sources.push_back(src);
  return p;
}

TEST(LiveView, StatusLineCarriesTheCounts) {
  const auto line = render_status_line(sample_progress());
  EXPECT_NE(line.find("t=12.3s"), std::string::npos) << line;
  EXPECT_NE(line.find("left: 1234 fr 100.0 Hz 412 N"), std::string::npos) << line;
  EXPECT_NE(line.find("lost 3 crc 2"), std::string::npos) << line;
  EXPECT_NE(line.find("ovf 1"), std::string::npos) << line;
  EXPECT_NE(line.find("reconnecting"), std::string::npos) << line;
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LiveView, ColourOnlyWhenAsked) {
  LiveViewStyle colour;
  const auto with = render_live_view(sample_progress(), colour);
  EXPECT_EQ(with.rfind("\x1b[H\x1b[2J", 0), 0u);
  EXPECT_NE(with.find("\x1b[48;5;"), std::string::npos);
  EXPECT_NE(with.find("total force 412 N"), std::string::npos);
  EXPECT_NE(with.find("(end of file)"), std::string::npos);
  LiveViewStyle plain;
  plain.colour = false;
  const auto without = render_live_view(sample_progress(), plain);
  EXPECT_EQ(without.find('\x1b'), std::string::npos);
  // 200 kPa of a 400 kPa full scale is half: shade 4 of 8 ("=="), two characters per cell.
  EXPECT_NE(without.find("    ====\n"), std::string::npos) << without;
}

}  // namespace
}  // namespace insole::capture
