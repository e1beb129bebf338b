// The Fisica scale end to end through a real pseudo-terminal, no mocks:
//   simulator (standing, or walking) -> load-cell frames (cli emulator_frames) -> device model ->
//   pty -> Asio SerialSource -> fisica decoder -> capture -> HDF5 -> analysis and calibration.
// Checked: every frame the emulator sent is in the file (mat and load cell), the recording says
// where the pitch came from, the standing arch indices agree with those of the same simulation
// analysed directly (within the standing tests' 0.02), and the load cell gives the body mass for
// the body-weight calibration. No timing assertions: waits only bound how long a broken build hangs.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "insole/analysis/analyze.hpp"
#include "insole/capture/capture.hpp"
#include "insole/core/calibration.hpp"
#include "insole/core/clock.hpp"
#include "insole/drivers/protocol/fisica.hpp"
#include "insole/drivers/transport/device_emulator.hpp"
#include "insole/drivers/transport/serial_source.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "insole/sim/simulator.hpp"
#include "source_uri.hpp"
#include "support/temp_dir.hpp"

namespace insole::cli {
namespace {

using namespace std::chrono_literals;

// Simulator options of the standing scan: a 220 mm foot (80 mm ball width), feet parallel 100 mm
// apart, stay clear of the edges of the platform's 290 x 220 mm (29 x 22 cells at the default
// 10 mm pitch), each foot on its half. (A footprint touching the edge is partial and gets no arch
// index; larger feet need the platform's real pitch, if it is larger than the assumed 10 mm.)
const std::map<std::string, std::string> kStand{{"mode", "stand"}, {"duration", "3"}, {"length", "220"},
                                                {"stance_width", "100"}, {"fpa", "0"}, {"seed", "5"},
                                                {"mass", "72"}};

struct Captured {
  Recording rec;
  drivers::EmulatorStats emu;
  SourceStats src;
};

// Emulates the platform fed with `sim_options`, captures it through the pty into `out`.
Captured capture_through_pty(const std::map<std::string, std::string>& sim_options,
                             const std::filesystem::path& out) {
  Captured c;
  const drivers::ProtocolInfo* proto = drivers::find_protocol("fisica");
  EXPECT_NE(proto, nullptr);
  if (!proto) return c;
  auto clock = steady_clock();
  auto frames = emulator_frames(*proto, sim_options, clock);
  EXPECT_TRUE(frames) << (frames ? "" : frames.error().message);
  if (!frames) return c;
  drivers::EmulatorOptions eo;
  eo.protocol = "fisica";
  eo.speed = 4.0;           // 40 frames/s: 645 B each is about 26 kB/s, a pty takes it
  eo.start_delay_s = 1.0;   // the host opens the port and starts the measurement meanwhile
  auto emu = drivers::DeviceEmulator::start(eo, std::move(frames).value(), clock);
  EXPECT_TRUE(emu) << (emu ? "" : emu.error().message);
  if (!emu) return c;

  drivers::SerialSourceOptions so;
  so.path = (*emu)->host_path();
  so.protocol = "fisica";
  auto serial = std::make_unique<drivers::SerialSource>(so, clock);
  drivers::SerialSource* serial_ptr = serial.get();
  std::vector<std::unique_ptr<FrameSource>> sources;
  sources.push_back(std::move(serial));
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> written{0};
  std::optional<Result<capture::CaptureSummary>> result;
  std::thread t([&] {
    capture::CaptureOptions co;
    co.output = out;
    co.meta.mode = sim_options.count("mode") ? sim_options.at("mode") : "walk";
    co.progress_interval_s = 0.05;
    result = capture::run_capture(std::move(sources), co, clock, &stop, [&](const capture::CaptureProgress& p) {
      std::uint64_t n = 0;
      for (const auto& s : p.streams) n += s.frames;
      written = n;
    });
  });
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline &&
         !((*emu)->finished() && written.load() >= (*emu)->stats().frames_sent))
    std::this_thread::sleep_for(20ms);
  c.src = serial_ptr->stats();
  stop = true;
  t.join();
  (*emu)->stop();
  c.emu = (*emu)->stats();
  EXPECT_TRUE(result && *result) << (result && !*result ? result->error().message : "no result");
  auto rec = io::read_recording(out);
  EXPECT_TRUE(rec) << (rec ? "" : rec.error().message);
  if (rec) c.rec = std::move(*rec);
  return c;
}

const Stream* stream(const Recording& r, const std::string& name) {
  for (const auto& s : r.streams)
    if (s.info.name == name) return &s;
  return nullptr;
}

std::optional<double> arch_index(const analysis::AnalysisResult& r, Side side) {
  for (const auto& fa : r.footfalls)
    if (fa.footfall.side == side && fa.footfall.reject_reason.empty() && fa.arch.arch_index)
      return *fa.arch.arch_index;
  return std::nullopt;
}

TEST(FisicaEndToEnd, StandingScanIsCapturedWhole_AnalysedAndCalibratedFromTheLoadCell) {
  test::TempDir dir;
  const Captured c = capture_through_pty(kStand, dir.path() / "stand.h5");
  // 3 s at 10 frames/s: 30 device frames, each a mat frame and a load-cell frame.
  EXPECT_EQ(c.emu.frames_sent, 60u);
  EXPECT_EQ(c.emu.frames_skipped, 0u);
  EXPECT_EQ(c.src.resyncs, 0u);
  const Stream* mat = stream(c.rec, "mat");
  const Stream* load = stream(c.rec, "load_cell");
  ASSERT_NE(mat, nullptr);
  ASSERT_NE(load, nullptr);
  EXPECT_EQ(mat->frame_count(), 30);
  EXPECT_EQ(load->frame_count(), 30);
  // The recording says what the pitch is and where it came from.
  EXPECT_DOUBLE_EQ(mat->info.layout.col_pitch_mm(), 10.0);
  EXPECT_EQ(mat->info.attributes.at("pitch_mm"), "10");
  EXPECT_NE(mat->info.attributes.at("pitch_source").find("assumed default"), std::string::npos);
  EXPECT_EQ(mat->info.units, PressureUnits::counts);
  EXPECT_TRUE(is_load_cell_stream(load->info));

  // The same simulation analysed directly (float kPa, no wire): arch indices within the standing
  // tests' tolerance of 0.02 (tests/analysis/standing_test.cpp).
  std::map<std::string, std::string> direct = kStand;
  direct.erase("mode");
  direct["mode"] = "stand";
  direct["layout"] = "mat";
  direct["rows"] = "29";
  direct["cols"] = "22";
  direct["pitch"] = "10";
  direct["rate"] = "10";
  auto spec = sim::parse_spec(direct);
  ASSERT_TRUE(spec) << spec.error().message;
  auto sim = sim::run(*spec);
  ASSERT_TRUE(sim) << sim.error().message;
  auto want = analysis::analyze(sim->recording);
  ASSERT_TRUE(want) << want.error().message;
  auto got = analysis::analyze(c.rec);
  ASSERT_TRUE(got) << got.error().message;
  for (Side side : {Side::left, Side::right}) {
    SCOPED_TRACE(std::string(to_string(side)));
    const auto a = arch_index(*got, side), b = arch_index(*want, side);
    ASSERT_TRUE(a) << "no arch index from the captured scan";
    ASSERT_TRUE(b) << "no arch index from the direct simulation";
    EXPECT_NEAR(*a, *b, 0.02);
    std::cout << "fisica standing arch index " << to_string(side) << ": captured " << *a
              << ", direct " << *b << "\n";
  }

  // The load cell read the body mass (72 kg, from sum(p A) / g of the simulated pressure, in
  // 0.1 kg steps); it gives the mass for the body-weight factor k = m g / (A sum(counts)).
  auto m = load_cell_mass_kg(*load);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_NEAR(*m, 72.0, 72.0 * 0.03);
  auto cal = calibrate_body_weight({mat}, TrialKind::standing, *m);
  ASSERT_TRUE(cal) << cal.error().message;
  // The emulator sends the simulated kPa as whole counts (standing pressures stay below the
  // wire's 255), so the true factor is 1 kPa per count: the load cell's mass recovers it.
  EXPECT_NEAR(cal->coefficients[0], 1.0, 0.02);
  std::cout << "fisica load cell: " << *m << " kg (simulated 72 kg), body-weight factor k = "
            << cal->coefficients[0] << " kPa per count (true 1)\n";
  // A load-cell stream is not a pressure stream.
  EXPECT_FALSE(load_cell_mass_kg(*mat));
}

// The serial source option pitch=MM: the layout and the recorded source follow it.
TEST(FisicaEndToEnd, PitchGivenByTheUserIsRecordedAsSuch) {
  auto src = open_source("serial:///dev/null?protocol=fisica&pitch=12.5", steady_clock());
  ASSERT_TRUE(src) << src.error().message;
  const StreamInfo& mat = (*src)->info().streams.at(0);
  EXPECT_DOUBLE_EQ(mat.layout.row_pitch_mm(), 12.5);
  EXPECT_EQ(mat.attributes.at("pitch_source"), "given by the user (source option pitch=12.5)");
  for (const char* bad : {"serial:///dev/null?protocol=fisica&pitch=0",
                          "serial:///dev/null?protocol=fisica&pitch=abc",
                          "serial:///dev/null?protocol=fisica&pitch=12mm",
                          "serial:///dev/null?protocol=m1616&pitch=10"}) {
    auto s = open_source(bad, steady_clock());
    EXPECT_FALSE(s) << bad;
    if (!s) {
      EXPECT_NE(s.error().message.find("pitch"), std::string::npos) << s.error().message;
    }
  }
}

}  // namespace
}  // namespace insole::cli
