#include "insole/core/frame_source.hpp"

#include <gtest/gtest.h>

using namespace insole;
using namespace std::chrono_literals;

namespace {
Recording two_streams() {
  Recording r;
  for (const char* name : {"left", "right"}) {
    Stream s;
    s.info.name = name;
    s.info.layout = SensorLayout::grid(1, 2, 5, 5).value();
    r.streams.push_back(s);
  }
  // left at 0.00, 0.02; right at 0.01, 0.03
  r.streams[0].append(0.00, Eigen::VectorXf::Constant(2, 1));
  r.streams[0].append(0.02, Eigen::VectorXf::Constant(2, 2));
  r.streams[1].append(0.01, Eigen::VectorXf::Constant(2, 3));
  r.streams[1].append(0.03, Eigen::VectorXf::Constant(2, 4));
  return r;
}
}  // namespace

TEST(RecordingSource, MergesStreamsInTimeOrder) {
  RecordingSource src(two_streams(), "mem://test");
  ASSERT_TRUE(src.start().ok());
  ASSERT_EQ(src.info().streams.size(), 2u);
  std::vector<std::pair<std::size_t, float>> got;
  for (;;) {
    auto f = src.next(10ms);
    if (!f) {
      EXPECT_EQ(f.error().code, Errc::end_of_stream);
      break;
    }
    got.emplace_back(f->stream, f->pressure_kpa[0]);
  }
  const std::vector<std::pair<std::size_t, float>> want{{0, 1}, {1, 3}, {0, 2}, {1, 4}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(src.stats().frames, 4u);
}

TEST(RecordingSource, RealtimePacingUsesInjectedClock) {
  auto clock = std::make_shared<ManualClock>(100.0);
  RecordingSource src(two_streams(), "mem://test", clock, true);
  ASSERT_TRUE(src.start().ok());
  ASSERT_TRUE(src.next(1000ms).ok());  // due at once
  auto second = src.next(1000ms);      // due 10 ms later: the manual clock advances
  ASSERT_TRUE(second.ok());
  EXPECT_NEAR(clock->now_s(), 100.01, 1e-9);
  // A timeout shorter than the wait reports timeout, and time has moved by the timeout.
  auto early = src.next(std::chrono::milliseconds(5));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, Errc::timeout);
}

TEST(RecordingSource, NextBeforeStartIsAnError) {
  RecordingSource src(two_streams(), "mem://test");
  auto f = src.next(1ms);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, Errc::invalid_argument);
}
