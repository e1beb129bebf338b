// run_capture with in-process sources (no devices): merging several sources into one file,
// gap events, stop flag, duration, failures, refusal to overwrite.
#include "insole/capture/capture.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <fstream>

#include "insole/io/hdf5_recording.hpp"
#include "support/temp_dir.hpp"

namespace insole::capture {
namespace {

using namespace std::chrono_literals;

StreamInfo sensors_stream(const std::string& name, Side side, int n) {
  StreamInfo s;
  s.name = name;
  s.side = side;
  s.sample_rate_hz = 100;
  s.device = "test";
  Eigen::MatrixX2d xy(n, 2);
  for (int i = 0; i < n; ++i) xy.row(i) << 10.0 * (i % 2), 20.0 * i;
  s.layout = SensorLayout::sensors(xy, Eigen::VectorXd::Constant(n, 100.0)).value();
  return s;
}

Recording insole_recording(const std::string& name, Side side, int frames, float base) {
  Recording r;
  Stream st;
  st.info = sensors_stream(name, side, 4);
  st.time_s.resize(frames);
  st.pressure_kpa.resize(frames, 4);
  for (int k = 0; k < frames; ++k) {
    st.time_s[k] = 0.01 * k;
    st.pressure_kpa.row(k).setConstant(base + float(k));
  }
  r.streams.push_back(std::move(st));
  return r;
}

// A source that plays a script: frames and errors in order, then end_of_stream.
class ScriptedSource final : public FrameSource {
 public:
  using Step = std::variant<PressureFrame, Error>;
  ScriptedSource(SourceInfo info, std::deque<Step> steps, Status start_status = {})
      : info_(std::move(info)), steps_(std::move(steps)), start_(std::move(start_status)) {}
  Status start() override { return start_; }
  Result<PressureFrame> next(std::chrono::milliseconds) override {
    if (stopped_ || steps_.empty()) return make_error(Errc::end_of_stream, "script over");
    Step s = std::move(steps_.front());
    steps_.pop_front();
    if (auto* e = std::get_if<Error>(&s)) return *e;
    ++stats_.frames;
    return std::get<PressureFrame>(std::move(s));
  }
  void stop() override { stopped_ = true; }
  const SourceInfo& info() const override { return info_; }
  SourceStats stats() const override { return stats_; }

 private:
  SourceInfo info_;
  std::deque<Step> steps_;
  Status start_;
  bool stopped_ = false;
  SourceStats stats_;
};

PressureFrame frame(double t, std::uint64_t seq, float v) {
  PressureFrame f;
  f.time_s = t;
  f.sequence = seq;
  f.pressure_kpa = Eigen::VectorXf::Constant(4, v);
  return f;
}

TEST(Capture, TwoSourcesIntoOneFileOnOneClock) {
  test::TempDir dir;
  std::vector<std::unique_ptr<FrameSource>> sources;
  sources.push_back(std::make_unique<RecordingSource>(insole_recording("left", Side::left, 50, 1.0f), "test://l"));
  sources.push_back(std::make_unique<RecordingSource>(insole_recording("right", Side::right, 40, 500.0f), "test://r"));
  CaptureOptions opt;
  opt.output = dir / "two.h5";
  opt.meta.subject = "S01";
  opt.meta.mode = "walk";
  auto clock = std::make_shared<ManualClock>(100.0);  // time zero of the file is capture start
  auto r = run_capture(std::move(sources), opt, clock);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->stop_reason, "sources ended");
  ASSERT_EQ(r->frames, (std::vector<std::uint64_t>{50, 40}));

  auto rec = io::read_recording(opt.output);
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(rec->meta.subject, "S01");
  EXPECT_EQ(rec->meta.mode, "walk");
  ASSERT_EQ(rec->streams.size(), 2u);
  const auto& l = rec->streams[0];
  const auto& rr = rec->streams[1];
  EXPECT_EQ(l.info.name, "left");
  EXPECT_EQ(rr.info.name, "right");
  EXPECT_EQ(l.info.side, Side::left);
  ASSERT_EQ(l.frame_count(), 50);
  ASSERT_EQ(rr.frame_count(), 40);
  for (int k = 0; k < 50; ++k) {
    EXPECT_DOUBLE_EQ(l.time_s[k], 0.01 * k);  // manual clock: both sources start at file time 0
    EXPECT_EQ(l.pressure_kpa(k, 0), 1.0f + float(k));
  }
  for (int k = 0; k < 40; ++k) EXPECT_EQ(rr.pressure_kpa(k, 3), 500.0f + float(k));
}

TEST(Capture, RepeatedStreamNamesGetSuffixes) {
  SourceInfo a, b, c;
  a.streams = {sensors_stream("left", Side::left, 2), sensors_stream("right", Side::right, 2)};
  b.streams = {sensors_stream("left", Side::left, 2)};
  c.streams = {sensors_stream("left", Side::left, 2), sensors_stream("left_2", Side::left, 2)};
  EXPECT_EQ(merged_stream_names({&a, &b, &c}),
            (std::vector<std::string>{"left", "right", "left_2", "left_3", "left_2_2"}));
}

TEST(Capture, DisconnectionsBecomeGapEventsAndNoFrameIsLost) {
  test::TempDir dir;
  SourceInfo info;
  info.uri = "test://gappy";
  info.streams = {sensors_stream("left", Side::left, 4)};
  std::deque<ScriptedSource::Step> steps;
  for (int k = 0; k < 5; ++k) steps.push_back(frame(0.01 * k, k, float(k)));
  steps.push_back(make_error(Errc::disconnected, "unplugged"));
  steps.push_back(make_error(Errc::timeout, "waiting"));
  steps.push_back(make_error(Errc::disconnected, "still away"));  // same gap, no second event
  for (int k = 5; k < 10; ++k) steps.push_back(frame(1.0 + 0.01 * k, k, float(k)));
  std::vector<std::unique_ptr<FrameSource>> sources;
  sources.push_back(std::make_unique<ScriptedSource>(info, std::move(steps)));
  CaptureOptions opt;
  opt.output = dir / "gap.h5";
  auto r = run_capture(std::move(sources), opt, std::make_shared<ManualClock>());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->frames[0], 10u);
  EXPECT_EQ(r->final_progress.sources[0].gaps, 1u);
  auto rec = io::read_recording(opt.output);
  ASSERT_TRUE(rec) << rec.error().message;
  ASSERT_EQ(rec->streams[0].frame_count(), 10);
  for (int k = 0; k < 10; ++k) EXPECT_EQ(rec->streams[0].pressure_kpa(k, 0), float(k));
  ASSERT_EQ(rec->events.size(), 2u);
  EXPECT_EQ(rec->events[0].kind, "gap_start");
  EXPECT_EQ(rec->events[0].stream, "left");
  EXPECT_NE(rec->events[0].detail.find("unplugged"), std::string::npos);
  EXPECT_EQ(rec->events[1].kind, "gap_end");
  EXPECT_DOUBLE_EQ(rec->events[1].time_s, 1.05);  // the first frame after the gap
}

TEST(Capture, AFailingSourceIsReportedWhileTheOthersGoOn) {
  test::TempDir dir;
  SourceInfo bad;
  bad.uri = "test://bad";
  bad.streams = {sensors_stream("left", Side::left, 4)};
  std::deque<ScriptedSource::Step> steps{frame(0.0, 0, 1.0f), make_error(Errc::io_error, "cable on fire")};
  std::vector<std::unique_ptr<FrameSource>> sources;
  sources.push_back(std::make_unique<ScriptedSource>(bad, std::move(steps)));
  sources.push_back(std::make_unique<RecordingSource>(insole_recording("right", Side::right, 30, 2.0f), "test://r"));
  CaptureOptions opt;
  opt.output = dir / "fail.h5";
  auto r = run_capture(std::move(sources), opt, std::make_shared<ManualClock>());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->frames, (std::vector<std::uint64_t>{1, 30}));
  EXPECT_EQ(r->final_progress.sources[0].state, SourceState::failed);
  EXPECT_EQ(r->final_progress.sources[1].state, SourceState::ended);
  auto rec = io::read_recording(opt.output);
  ASSERT_TRUE(rec);
  ASSERT_EQ(rec->events.size(), 1u);
  EXPECT_EQ(rec->events[0].kind, "source_failed");
  EXPECT_NE(rec->events[0].detail.find("cable on fire"), std::string::npos);
}

TEST(Capture, NeverOverwritesAnExistingFile) {
  test::TempDir dir;
  const auto path = dir / "exists.h5";
  std::ofstream(path) << "precious";
  std::vector<std::unique_ptr<FrameSource>> sources;
  sources.push_back(std::make_unique<RecordingSource>(insole_recording("left", Side::left, 5, 1.0f), "test://l"));
  CaptureOptions opt;
  opt.output = path;
  auto r = run_capture(std::move(sources), opt, std::make_shared<ManualClock>());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("exists.h5"), std::string::npos);
  std::ifstream in(path);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST(Capture, ASourceThatCannotStartCreatesNoFile) {
  test::TempDir dir;
  SourceInfo info;
  info.uri = "serial:///dev/nothing";
  info.streams = {sensors_stream("mat", Side::both, 4)};
  std::vector<std::unique_ptr<FrameSource>> sources;
  sources.push_back(std::make_unique<RecordingSource>(insole_recording("left", Side::left, 5, 1.0f), "test://l"));
  sources.push_back(std::make_unique<ScriptedSource>(info, std::deque<ScriptedSource::Step>{},
                                                     make_error(Errc::not_found, "no such port")));
  CaptureOptions opt;
  opt.output = dir / "none.h5";
  auto r = run_capture(std::move(sources), opt, std::make_shared<ManualClock>());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_NE(r.error().message.find("serial:///dev/nothing"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(opt.output));
}

TEST(Capture, StopFlagEndsAnEndlessCaptureAndKeepsEverything) {
  test::TempDir dir;
  // 1000 s of frames, played as fast as asked: only the stop flag ends this.
  std::vector<std::unique_ptr<FrameSource>> sources;
  sources.push_back(std::make_unique<RecordingSource>(insole_recording("left", Side::left, 100000, 0.0f), "test://l"));
  CaptureOptions opt;
  opt.output = dir / "stopped.h5";
  opt.progress_interval_s = 0.01;
  std::atomic<bool> stop{false};
  auto r = run_capture(std::move(sources), opt, steady_clock(), &stop, [&](const CaptureProgress& p) {
    if (p.streams[0].frames >= 200) stop = true;
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->stop_reason, "stopped");
  EXPECT_GE(r->frames[0], 200u);
  EXPECT_LT(r->frames[0], 100000u);
  auto rec = io::read_recording(opt.output);
  ASSERT_TRUE(rec) << rec.error().message;
  ASSERT_EQ(std::uint64_t(rec->streams[0].frame_count()), r->frames[0]);
  for (Eigen::Index k = 0; k < rec->streams[0].frame_count(); ++k)
    ASSERT_EQ(rec->streams[0].pressure_kpa(k, 0), float(k));  // a gap-free prefix
}

TEST(Capture, DurationIsMeasuredOnTheClock) {
  test::TempDir dir;
  std::vector<std::unique_ptr<FrameSource>> sources;
  auto clock = steady_clock();
  sources.push_back(std::make_unique<RecordingSource>(insole_recording("left", Side::left, 2000, 0.0f),
                                                      "test://l", clock, /*realtime=*/true));
  CaptureOptions opt;
  opt.output = dir / "short.h5";
  opt.duration_s = 0.3;
  auto r = run_capture(std::move(sources), opt, clock);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->stop_reason, "duration");
  EXPECT_GT(r->frames[0], 0u);
  EXPECT_LT(r->frames[0], 2000u);  // 20 s of frames at 100 Hz were not waited for
}

TEST(Capture, BadOptionsAreRejectedBeforeAnythingStarts) {
  test::TempDir dir;
  auto make = [] {
    std::vector<std::unique_ptr<FrameSource>> v;
    v.push_back(std::make_unique<RecordingSource>(insole_recording("left", Side::left, 5, 1.0f), "test://l"));
    return v;
  };
  CaptureOptions opt;
  opt.output = dir / "x.h5";
  opt.flush_interval_s = 2.0;  // would lose more than a second on a crash
  EXPECT_FALSE(run_capture(make(), opt, std::make_shared<ManualClock>()));
  opt.flush_interval_s = 0.5;
  opt.duration_s = -1;
  EXPECT_FALSE(run_capture(make(), opt, std::make_shared<ManualClock>()));
  opt.duration_s = 0;
  EXPECT_FALSE(run_capture({}, opt, std::make_shared<ManualClock>()));
  EXPECT_FALSE(std::filesystem::exists(opt.output));
}

}  // namespace
}  // namespace insole::capture
