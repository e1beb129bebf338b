// open_playback: a FrameSource over a file, frames in time order across streams.

#include <gtest/gtest.h>

#include <fstream>

#include "insole/io/hdf5_recording.hpp"
#include "io/test_recordings.hpp"
#include "support/temp_dir.hpp"

namespace insole::io {
namespace {

using test::TempDir;

TEST(Playback, DeliversEveryFrameInTimeOrderLikeRecordingSource) {
  TempDir dir;
  Recording rec;
  rec.streams.push_back(test::make_grid_stream("mat", 32, 32, 300, 100.0));  // chunks of 64 frames
  rec.streams.push_back(test::make_sensor_stream("left", 8, 500, 170.0, true));
  ASSERT_TRUE(write_recording(dir / "r.h5", rec).ok());
  auto src = open_playback(dir / "r.h5");
  ASSERT_TRUE(src.ok()) << src.error().message;
  RecordingSource expected(rec, "mem");
  ASSERT_TRUE((*src)->start().ok());
  ASSERT_TRUE(expected.start().ok());
  EXPECT_EQ((*src)->info().streams.size(), 2u);
  EXPECT_EQ((*src)->info().uri.rfind("file://", 0), 0u);
  int n = 0;
  for (;; ++n) {
    auto a = (*src)->next(std::chrono::milliseconds(0));
    auto b = expected.next(std::chrono::milliseconds(0));
    ASSERT_EQ(a.ok(), b.ok());
    if (!a.ok()) {
      EXPECT_EQ(a.error().code, Errc::end_of_stream);
      break;
    }
    ASSERT_EQ(a->stream, b->stream) << n;
    ASSERT_EQ(a->time_s, b->time_s);
    ASSERT_EQ(a->sequence, b->sequence);
    ASSERT_EQ(0, std::memcmp(a->pressure_kpa.data(), b->pressure_kpa.data(), sizeof(float) * std::size_t(a->pressure_kpa.size())));
  }
  EXPECT_EQ(n, 800);
  EXPECT_EQ((*src)->stats().frames, 800u);
}

TEST(Playback, RealtimePacingWithAManualClock) {
  TempDir dir;
  Recording rec;
  rec.streams.push_back(test::make_sensor_stream("left", 4, 10, 10.0, true));  // frames at 0, 0.1, ...
  ASSERT_TRUE(write_recording(dir / "r.h5", rec).ok());
  auto clock = std::make_shared<ManualClock>(100.0);
  auto src = open_playback(dir / "r.h5", clock, true);
  ASSERT_TRUE(src.ok());
  ASSERT_TRUE((*src)->start().ok());
  ASSERT_TRUE((*src)->next(std::chrono::milliseconds(0)).ok());  // due at once
  auto early = (*src)->next(std::chrono::milliseconds(50));       // due in 100 ms
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, Errc::timeout);
  auto f = (*src)->next(std::chrono::milliseconds(100));
  ASSERT_TRUE(f.ok());
  EXPECT_DOUBLE_EQ(clock->now_s(), 100.1);
}

TEST(Playback, BadFileIsAnError) {
  TempDir dir;
  std::ofstream(dir / "x.h5") << "not hdf5";
  auto src = open_playback(dir / "x.h5");
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.error().code, Errc::format_error);
}

}  // namespace
}  // namespace insole::io
