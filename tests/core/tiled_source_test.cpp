// TiledSource: tiles of one grid each, composed into one larger grid on one clock. Expected
// values are written out by hand: tile k's cell (r, c) holds 1000 k + 100 frame + 10 r + c, so
// every composed cell says where it came from.
#include "insole/core/tiled_source.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace insole {
namespace {

using namespace std::chrono_literals;

// A tile of rows x cols cells at 10 mm; frames at the given times.
std::unique_ptr<FrameSource> tile(int k, int rows, int cols, const std::vector<double>& times,
                                  double pitch = 10.0, std::shared_ptr<Clock> clock = nullptr) {
  Recording rec;
  Stream s;
  s.info.name = "mat";
  s.info.layout = SensorLayout::grid(rows, cols, pitch, pitch).value();
  s.info.units = PressureUnits::counts;
  s.info.device = "test tile";
  s.info.sample_rate_hz = 10;
  for (std::size_t f = 0; f < times.size(); ++f) {
    Eigen::VectorXf v(rows * cols);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) v(r * cols + c) = float(1000 * k + 100 * int(f) + 10 * r + c);
    s.append(times[f], v);
  }
  rec.streams.push_back(std::move(s));
  return std::make_unique<RecordingSource>(std::move(rec), "test://tile" + std::to_string(k), clock,
                                           /*realtime=*/clock != nullptr);
}

std::vector<PressureFrame> drain(FrameSource& s) {
  std::vector<PressureFrame> out;
  EXPECT_TRUE(s.start());
  for (int guard = 0; guard < 1000; ++guard) {
    auto f = s.next(10ms);
    if (!f) {
      EXPECT_EQ(f.error().code, Errc::end_of_stream) << f.error().message;
      break;
    }
    out.push_back(std::move(f).value());
  }
  return out;
}

float at(const PressureFrame& f, int cols, int r, int c) { return f.pressure_kpa(r * cols + c); }

TEST(TiledSource, TwoTilesSideBySideMakeOneGridOnOneClock) {
  std::vector<std::unique_ptr<FrameSource>> tiles;
  tiles.push_back(tile(0, 2, 3, {0.00, 0.10, 0.20}));
  tiles.push_back(tile(1, 2, 3, {0.01, 0.11, 0.21}));
  TiledOptions o;
  o.rows = 2;
  o.cols = 6;
  o.tiles = {{0, 0}, {0, 3}};
  auto src = TiledSource::make(std::move(tiles), o);
  ASSERT_TRUE(src) << src.error().message;
  const StreamInfo& info = (*src)->info().streams.at(0);
  EXPECT_EQ(info.layout.rows(), 2);
  EXPECT_EQ(info.layout.cols(), 6);
  EXPECT_DOUBLE_EQ(info.layout.col_pitch_mm(), 10.0);
  EXPECT_EQ(info.units, PressureUnits::counts);
  EXPECT_NE(info.attributes.at("tiles").find("2x3 at row 0, column 3 from test://tile1"), std::string::npos);
  const auto frames = drain(**src);
  ASSERT_EQ(frames.size(), 3u);
  for (int f = 0; f < 3; ++f) {
    EXPECT_EQ(frames[f].sequence, std::uint64_t(f));
    // The later of the two tiles' times.
    EXPECT_DOUBLE_EQ(frames[f].time_s, 0.01 + 0.1 * f);
    EXPECT_EQ(at(frames[f], 6, 0, 0), float(100 * f));            // tile 0 (0, 0)
    EXPECT_EQ(at(frames[f], 6, 1, 2), float(100 * f + 12));       // tile 0 (1, 2)
    EXPECT_EQ(at(frames[f], 6, 0, 3), float(1000 + 100 * f));     // tile 1 (0, 0)
    EXPECT_EQ(at(frames[f], 6, 1, 5), float(1000 + 100 * f + 12));  // tile 1 (1, 2)
  }
  EXPECT_EQ((*src)->stats().frames, 3u);
  EXPECT_EQ((*src)->stats().lost_frames, 0u);
}

// Four tiles in a square at 10 frames/s, paced on one (manual) clock; tile 3 misses its frame at
// 0.1 s. When its 0.2 s frame comes, the 0.1 s frames of the others go out without it (NaN there,
// one lost frame) whichever tile is read first, and the grid goes on.
TEST(TiledSource, ATileThatFallsBehindIsLeftOutNotWaitedFor) {
  auto clock = std::make_shared<ManualClock>();
  std::vector<std::unique_ptr<FrameSource>> tiles;
  for (int k = 0; k < 3; ++k) tiles.push_back(tile(k, 2, 2, {0.0, 0.1, 0.2}, 10.0, clock));
  tiles.push_back(tile(3, 2, 2, {0.0, 0.2}, 10.0, clock));
  TiledOptions o;
  o.rows = 4;
  o.cols = 4;
  o.tiles = {{0, 0}, {0, 2}, {2, 0}, {2, 2}};
  auto src = TiledSource::make(std::move(tiles), o);
  ASSERT_TRUE(src) << src.error().message;
  ASSERT_TRUE((*src)->start());
  std::vector<PressureFrame> frames;
  auto read_all = [&] {
    for (;;) {
      auto f = (*src)->next(5ms);
      if (!f) return f.error().code;
      frames.push_back(std::move(f).value());
    }
  };
  EXPECT_EQ(read_all(), Errc::timeout);  // t = 0: all four tiles -> frame 0
  ASSERT_EQ(frames.size(), 1u);
  clock->advance_s(0.1);
  EXPECT_EQ(read_all(), Errc::timeout);  // t = 0.1: tiles 0..2 only; waits for tile 3
  EXPECT_EQ(frames.size(), 1u);
  clock->advance_s(0.1);
  EXPECT_EQ(read_all(), Errc::end_of_stream);  // t = 0.2: frame 1 without tile 3, then frame 2
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(at(frames[0], 4, 3, 3), 3011.f);       // tile 3, frame 0, its cell (1, 1)
  EXPECT_EQ(at(frames[0], 4, 2, 1), 2001.f);       // tile 2 (bottom left), its cell (0, 1)
  EXPECT_EQ(at(frames[1], 4, 0, 0), 100.f);        // tile 0, frame 1
  EXPECT_EQ(at(frames[1], 4, 1, 3), 1111.f);       // tile 1, frame 1, its cell (1, 1)
  EXPECT_TRUE(std::isnan(at(frames[1], 4, 2, 2)));  // tile 3 left out of frame 1
  EXPECT_TRUE(std::isnan(at(frames[1], 4, 3, 3)));
  EXPECT_EQ(at(frames[2], 4, 3, 3), 3111.f);       // tile 3's second frame (its index 1)
  EXPECT_EQ(at(frames[2], 4, 1, 1), 211.f);        // tile 0, frame 2
  EXPECT_DOUBLE_EQ(frames[1].time_s, 0.1);
  EXPECT_DOUBLE_EQ(frames[2].time_s, 0.2);
  EXPECT_EQ((*src)->stats().lost_frames, 1u);
  EXPECT_EQ((*src)->stats().frames, 3u);
}

TEST(TiledSource, BadLayoutsAreRefusedWithTheReason) {
  auto make = [](std::vector<TilePlacement> where, int rows, int cols, double pitch1 = 10.0) {
    std::vector<std::unique_ptr<FrameSource>> tiles;
    tiles.push_back(tile(0, 2, 2, {0.0}));
    tiles.push_back(tile(1, 2, 2, {0.0}, pitch1));
    TiledOptions o;
    o.rows = rows;
    o.cols = cols;
    o.tiles = std::move(where);
    auto s = TiledSource::make(std::move(tiles), o);
    return s ? std::string() : s.error().message;
  };
  EXPECT_NE(make({{0, 0}, {0, 1}}, 2, 4).find("overlaps tile 0"), std::string::npos);
  EXPECT_NE(make({{0, 0}, {0, 3}}, 2, 4).find("does not fit"), std::string::npos);
  EXPECT_NE(make({{0, 0}}, 2, 4).find("placements"), std::string::npos);
  EXPECT_NE(make({{0, 0}, {0, 2}}, 2, 4, 12.0).find("pitch"), std::string::npos);
  EXPECT_EQ(make({{0, 0}, {0, 2}}, 2, 4), "");
}

}  // namespace
}  // namespace insole
