// run_capture with in-process sources (no devices): merging several sources into one file,
// gap events, stop flag, duration, failures, refusal to overwrite.
#include "insole/capture/capture.hpp"

#include <gtest/gtest.h>

#include <cmath>
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

// A power-law calibration with a zero offset and equalisation, for 4-sensel streams.
Calibration power_law_calibration(const std::string& stream) {
  Calibration c;
  c.device_serial = "INS-42";
  c.stream = stream;
  c.method = "multi_load";
  c.date = "2026-12-07";
  c.model = ResponseModel::power_law;
  c.coefficients = {3.0, 1.5};  // p = 3 e^1.5
  c.zero_counts = Eigen::Vector4d(2.0, 0.0, 1.0, 0.0);
  c.gain = Eigen::Vector4d(1.0, 2.0, 1.0, 0.5);
  return c;
}

std::vector<std::unique_ptr<FrameSource>> counts_sources(std::vector<std::string> names) {
  std::vector<std::unique_ptr<FrameSource>> v;
  for (const auto& name : names) {
    Recording r = insole_recording(name, name == "right" ? Side::right : Side::left, 30, 2.0f);
    r.streams[0].info.units = PressureUnits::counts;
    v.push_back(std::make_unique<RecordingSource>(std::move(r), "test://" + name));
  }
  return v;
}

TEST(Capture, CalibratesCountsAsTheyArriveAndKeepsTheCounts) {
  test::TempDir dir;
  CaptureOptions opt;
  opt.output = dir / "calibrated.h5";
  opt.calibrations = {power_law_calibration("right")};
  CaptureProgress last;
  auto r = run_capture(counts_sources({"left", "right"}), opt, std::make_shared<ManualClock>(), nullptr,
                       [&](const CaptureProgress& p) { last = p; });
  ASSERT_TRUE(r) << r.error().message;
  auto rec = io::read_recording(opt.output);
  ASSERT_TRUE(rec) << rec.error().message;
  const Stream& left = rec->streams[0];
  const Stream& right = rec->streams[1];
  // The stream without a calibration stays in counts, with nothing beside.
  EXPECT_EQ(left.info.units, PressureUnits::counts);
  EXPECT_FALSE(left.info.calibration);
  EXPECT_EQ(left.raw_counts.size(), 0);
  EXPECT_EQ(left.pressure_kpa(7, 2), 9.0f);
  // The calibrated one: kPa, the calibration stored with it, the counts exactly as sent.
  EXPECT_EQ(right.info.units, PressureUnits::kpa);
  ASSERT_TRUE(right.info.calibration);
  EXPECT_EQ(right.info.calibration->device_serial, "INS-42");
  EXPECT_EQ(right.info.calibration->coefficients, (std::vector<double>{3.0, 1.5}));
  ASSERT_EQ(right.raw_counts.rows(), 30);
  for (int k = 0; k < 30; ++k) {
    for (int i = 0; i < 4; ++i) ASSERT_EQ(right.raw_counts(k, i), 2.0f + float(k)) << k << "," << i;
    // Frame k reads x = 2 + k on every sensel; by hand, p = 3 (g (x - z))^1.5 per sensel.
    const double x = 2.0 + k;
    const double want[4] = {3.0 * std::pow(x - 2.0, 1.5), 3.0 * std::pow(2.0 * x, 1.5), 3.0 * std::pow(x - 1.0, 1.5),
                            3.0 * std::pow(0.5 * x, 1.5)};
    for (int i = 0; i < 4; ++i) ASSERT_EQ(right.pressure_kpa(k, i), float(want[i])) << k << "," << i;
  }
  // What `insole calibrate apply` stores for the same counts, value for value.
  for (int k = 0; k < 30; ++k)
    EXPECT_EQ(Eigen::VectorXf(right.pressure_kpa.row(k).transpose()),
              right.info.calibration->apply(right.raw_counts.row(k).transpose()));
  // The live view shows the last frame calibrated: x = 31, sensels of 100 mm^2.
  ASSERT_EQ(last.streams.size(), 2u);
  ASSERT_EQ(last.streams[1].latest_kpa.size(), 4);
  EXPECT_EQ(last.streams[1].latest_kpa[1], float(3.0 * std::pow(62.0, 1.5)));
  const double force = (3.0 * std::pow(29.0, 1.5) + 3.0 * std::pow(62.0, 1.5) + 3.0 * std::pow(30.0, 1.5) +
                        3.0 * std::pow(15.5, 1.5)) * 100.0 * 1e-3;
  EXPECT_NEAR(last.streams[1].total_force_n, force, 1e-3 * force);
}

TEST(Capture, TheOnlyCountsStreamTakesACalibrationThatNamesNone) {
  test::TempDir dir;
  CaptureOptions opt;
  opt.output = dir / "one.h5";
  opt.calibrations = {power_law_calibration("")};
  auto r = run_capture(counts_sources({"left"}), opt, std::make_shared<ManualClock>());
  ASSERT_TRUE(r) << r.error().message;
  auto rec = io::read_recording(opt.output);
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(rec->streams[0].info.units, PressureUnits::kpa);
  EXPECT_EQ(rec->streams[0].raw_counts.rows(), 30);
}

TEST(Capture, CalibrationsThatDoNotFitFailBeforeTheFileExists) {
  test::TempDir dir;
  auto fails = [&](std::vector<std::unique_ptr<FrameSource>> sources, std::vector<Calibration> cals,
                   const std::string& expected) {
    CaptureOptions opt;
    opt.output = dir / "never.h5";
    opt.calibrations = std::move(cals);
    auto r = run_capture(std::move(sources), opt, std::make_shared<ManualClock>());
    ASSERT_FALSE(r) << expected;
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
    EXPECT_FALSE(std::filesystem::exists(opt.output));
  };
  fails(counts_sources({"left"}), {power_law_calibration("mat")}, "for stream 'mat', which this capture does not have");
  fails(counts_sources({"left", "right"}), {power_law_calibration("")}, "has 2 uncalibrated streams in counts");
  fails(counts_sources({"left"}), {power_law_calibration("left"), power_law_calibration("left")},
        "stream 'left' is given two calibrations");
  Calibration wrong_size = power_law_calibration("left");
  wrong_size.gain = Eigen::VectorXd::Ones(5);
  fails(counts_sources({"left"}), {wrong_size}, "stream 'left': ");
  std::vector<std::unique_ptr<FrameSource>> kpa;
  kpa.push_back(std::make_unique<RecordingSource>(insole_recording("left", Side::left, 5, 1.0f), "test://l"));
  fails(std::move(kpa), {power_law_calibration("left")}, "stream 'left' is already in kPa");
}

// The check the clinic app makes before it starts anything: on the sources' info() alone, the
// streams and the refusals are those of run_capture, message for message.
TEST(Capture, CaptureStreamsGivesRunCapturesStreamsAndRefusalsBeforeAnythingStarts) {
  auto infos_of = [](const std::vector<std::unique_ptr<FrameSource>>& sources) {
    std::vector<const SourceInfo*> infos;
    for (const auto& s : sources) infos.push_back(&s->info());
    return infos;
  };
  const auto two_left = counts_sources({"left", "left"});
  auto made = capture_streams(infos_of(two_left), {power_law_calibration("left_2")});
  ASSERT_TRUE(made) << made.error().message;
  ASSERT_EQ(made->size(), 2u);
  EXPECT_EQ(made->at(0).name, "left");
  EXPECT_EQ(made->at(0).units, PressureUnits::counts);
  EXPECT_FALSE(made->at(0).calibration);
  EXPECT_EQ(made->at(0).attributes.at("source_uri"), "test://left");
  EXPECT_EQ(made->at(1).name, "left_2");
  EXPECT_EQ(made->at(1).units, PressureUnits::kpa);
  ASSERT_TRUE(made->at(1).calibration);
  EXPECT_EQ(made->at(1).calibration->device_serial, "INS-42");

  test::TempDir dir;
  Calibration wrong_size = power_law_calibration("");
  wrong_size.zero_counts = Eigen::VectorXd::Zero(3);
  const std::vector<std::vector<Calibration>> refused = {
      {power_law_calibration("mat")}, {power_law_calibration("")}, {power_law_calibration("left"), power_law_calibration("left")},
      {wrong_size}};
  for (const auto& cals : refused) {
    auto sources = counts_sources({"left", "left"});
    if (&cals == &refused.back()) sources.pop_back();  // one counts stream: the size is what is wrong
    auto early = capture_streams(infos_of(sources), cals);
    ASSERT_FALSE(early);
    CaptureOptions opt;
    opt.output = dir / "never.h5";
    opt.calibrations = cals;
    auto late = run_capture(std::move(sources), opt, std::make_shared<ManualClock>());
    ASSERT_FALSE(late);
    EXPECT_EQ(early.error().code, Errc::invalid_argument);
    EXPECT_EQ(early.error().message, late.error().message);
    EXPECT_FALSE(std::filesystem::exists(opt.output));
  }
  EXPECT_FALSE(capture_streams({}, {}));
}

}  // namespace
}  // namespace insole::capture
