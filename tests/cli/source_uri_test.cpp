// Source URIs (design section 2: one way to name a source): serial:///dev/...?protocol=..,
// sim://walk?.., file:///path.h5. Parsing, percent-decoding, and the errors for hostile or
// mistyped URIs, each of which must name what is wrong.
#include "source_uri.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "insole/core/clock.hpp"
#include "insole/drivers/protocol/decoder.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "insole/sim/simulator.hpp"
#include "support/temp_dir.hpp"

namespace insole::cli {
namespace {

std::string parse_error(const std::string& uri) {
  auto u = parse_source_uri(uri);
  EXPECT_FALSE(u) << uri << " was accepted";
  if (u) return {};
  EXPECT_EQ(u.error().code, Errc::invalid_argument) << uri;
  return u.error().message;
}

std::string open_error(const std::string& uri) {
  auto s = open_source(uri, std::make_shared<ManualClock>());
  EXPECT_FALSE(s) << uri << " was opened";
  return s ? std::string() : s.error().message;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(SourceUri, SplitsSchemePathAndOptions) {
  auto u = parse_source_uri("serial:///dev/serial/by-id/usb-Sensel_Morph-if00?protocol=sensel_morph&baud=115200");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->scheme, "serial");
  EXPECT_EQ(u->path, "/dev/serial/by-id/usb-Sensel_Morph-if00");
  EXPECT_EQ(u->query.size(), 2u);
  EXPECT_EQ(u->query.at("protocol"), "sensel_morph");
  EXPECT_EQ(u->query.at("baud"), "115200");

  u = parse_source_uri("sim://walk?foot=flat&seed=3&&layout=mat");  // an empty item is ignored
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->scheme, "sim");
  EXPECT_EQ(u->path, "walk");
  EXPECT_EQ(u->query.size(), 3u);

  u = parse_source_uri("file:///data/scan.h5");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->path, "/data/scan.h5");
  EXPECT_TRUE(u->query.empty());
}

TEST(SourceUri, PercentDecodesPathKeysAndValues) {
  auto u = parse_source_uri("file:///tmp/my%20scans/a%2Bb.h5?real%74ime=%30");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->path, "/tmp/my scans/a+b.h5");
  EXPECT_EQ(u->query.at("realtime"), "0");
  u = parse_source_uri("sim://walk?flag");  // a key without '=' has an empty value
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->query.at("flag"), "");
}

TEST(SourceUri, MalformedUrisNameTheProblem) {
  EXPECT_TRUE(contains(parse_error("/dev/ttyACM0"), "expected serial:///dev/..."));
  EXPECT_TRUE(contains(parse_error("://x"), "expected serial:///dev/..."));
  EXPECT_TRUE(contains(parse_error("http://example/x"), "unknown scheme 'http'"));
  EXPECT_TRUE(contains(parse_error("serial://"), "the path is empty"));
  EXPECT_TRUE(contains(parse_error("serial://?protocol=m1616"), "the path is empty"));
  EXPECT_TRUE(contains(parse_error("file:///a%2"), "bad percent escape '%2' (expected % and two hexadecimal digits)"));
  EXPECT_TRUE(contains(parse_error("file:///a%zz"), "bad percent escape '%zz'"));
  EXPECT_TRUE(contains(parse_error("sim://walk?seed=1&seed=2"), "option 'seed' given twice"));
  EXPECT_TRUE(contains(parse_error("sim://walk?=3"), "empty option name"));
  EXPECT_TRUE(contains(parse_error("sim://walk?seed=%G1"), "bad percent escape"));
}

TEST(SourceUri, SerialOptionsAreChecked) {
  const std::string port = "serial:///dev/does-not-exist-insole";
  EXPECT_TRUE(contains(open_error(port + "?protocol=m1616&speed=9600"), "unknown option 'speed'"));
  EXPECT_TRUE(contains(open_error(port + "?protocol=no_such_device"), "unknown protocol 'no_such_device'"));
  EXPECT_TRUE(contains(open_error(port), "add ?protocol=NAME"));
  for (const char* baud : {"0", "-9600", "12ab", "", "99999999999999999999999"})
    EXPECT_TRUE(contains(open_error(port + "?protocol=m1616&baud=" + baud), "'baud': expected a positive integer"))
        << baud;
  EXPECT_TRUE(contains(open_error(port + "?protocol=m1616&reconnect=maybe"), "'reconnect': expected 0 or 1"));
  // Well-formed: the source is made without touching the port (opening happens at start()).
  auto ok = open_source(port + "?protocol=m1616&baud=250000&reconnect=0", std::make_shared<ManualClock>());
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_NE(ok->get(), nullptr);
}

TEST(SourceUri, SimulatorSourceMakesFramesAndRefusesSmuggledOptions) {
  auto src = open_source("sim://walk?foot=flat&seed=3&duration=2&realtime=0", std::make_shared<ManualClock>());
  ASSERT_TRUE(src) << src.error().message;
  ASSERT_TRUE((*src)->start());
  auto frame = (*src)->next(std::chrono::milliseconds(100));
  ASSERT_TRUE(frame) << frame.error().message;
  EXPECT_GT(frame->pressure_kpa.size(), 0);
  (*src)->stop();
  EXPECT_TRUE(contains(open_error("sim://walk?foot=flat%26seed%3D9"), "may not contain"));
  EXPECT_TRUE(contains(open_error("sim://walk?realtime=2"), "'realtime': expected 0 or 1"));
  EXPECT_FALSE(open_source("sim://walk?foot=banana", std::make_shared<ManualClock>()));
}

TEST(SourceUri, FilePlaybackNeedsAReadableRecordingAndNoOtherOptions) {
  test::TempDir dir;
  const auto missing = (dir / "missing.h5").string();
  EXPECT_TRUE(contains(open_error("file://" + missing), "missing.h5"));
  EXPECT_TRUE(contains(open_error("file://" + missing + "?loop=1"), "unknown option 'loop'"));
  sim::WalkParams w;
  w.duration_s = 1.0;
  const Recording rec = sim::simulate_walk_mat(w).recording;
  const auto path = (dir / "walk.h5").string();
  ASSERT_TRUE(io::write_recording(path, rec));
  auto src = open_source("file://" + path + "?realtime=0", std::make_shared<ManualClock>());
  ASSERT_TRUE(src) << src.error().message;
  ASSERT_TRUE((*src)->start());
  auto frame = (*src)->next(std::chrono::milliseconds(100));
  ASSERT_TRUE(frame) << frame.error().message;
  EXPECT_EQ(frame->pressure_kpa.size(), rec.streams[0].pressure_kpa.cols());
  (*src)->stop();
}

// The virtual device of a single insole (flx208, one stream) sends the simulator's left insole
// as its only stream; the device model encodes every frame it gets. Insole protocols cannot stand.
TEST(EmulatorFrames, SingleInsoleSendsOneStreamOnly) {
  const drivers::ProtocolInfo* proto = drivers::find_protocol("flx208");
  ASSERT_NE(proto, nullptr);
  auto src = emulator_frames(*proto, {{"duration", "2"}}, std::make_shared<ManualClock>());
  ASSERT_TRUE(src) << src.error().message;
  ASSERT_EQ((*src)->info().streams.size(), 1u);
  EXPECT_EQ((*src)->info().streams[0].side, Side::left);
  EXPECT_EQ((*src)->info().streams[0].layout.sensor_count(), 208);
  ASSERT_TRUE((*src)->start());
  auto device = proto->make_device();
  std::vector<std::uint8_t> bytes;
  std::size_t frames = 0;
  double loaded = 0;
  for (;;) {
    auto f = (*src)->next(std::chrono::milliseconds(0));
    if (!f) {
      EXPECT_EQ(f.error().code, Errc::end_of_stream) << f.error().message;
      break;
    }
    EXPECT_EQ(f->stream, 0u);
    ASSERT_EQ(f->pressure_kpa.size(), 208);
    loaded = std::max(loaded, double(f->pressure_kpa.maxCoeff()));
    device->encode_frame(*f, bytes);
    ++frames;
  }
  // 2 s at the nominal 50 frames/s of one insole (the right insole's frames are dropped).
  EXPECT_EQ(frames, 100u);
  EXPECT_EQ(bytes.size(), frames * 216u);
  EXPECT_GT(loaded, 0.0);  // the walk loads the insole
  EXPECT_EQ((*src)->stats().frames, frames);
  auto stand = emulator_frames(*proto, {{"mode", "stand"}}, std::make_shared<ManualClock>());
  ASSERT_FALSE(stand);
  EXPECT_EQ(stand.error().code, Errc::unsupported);
}

// What `insole serve` offers as demo devices: emulator_can_feed must say yes exactly where
// emulator_frames makes frames (walking, every protocol; standing, a grid and an insole).
TEST(EmulatorFrames, CanFeedAgreesWithMakingFrames) {
  int fed = 0;
  for (const auto& proto : drivers::protocols()) {
    const bool can = emulator_can_feed(proto).ok();
    auto src = emulator_frames(proto, {{"duration", "1"}}, std::make_shared<ManualClock>());
    EXPECT_EQ(can, src.ok()) << proto.name << ": " << (src ? "" : src.error().message);
    fed += can ? 1 : 0;
  }
  EXPECT_GT(fed, 0);
  for (const char* name : {"m1616", "insole18_uart"}) {
    const auto* proto = drivers::find_protocol(name);
    ASSERT_NE(proto, nullptr);
    EXPECT_EQ(emulator_can_feed(*proto, "stand").ok(),
              emulator_frames(*proto, {{"mode", "stand"}, {"duration", "1"}}, std::make_shared<ManualClock>()).ok())
        << name;
  }
  EXPECT_TRUE(emulator_can_feed(*drivers::find_protocol("m1616"), "stand").ok());
  EXPECT_EQ(emulator_can_feed(*drivers::find_protocol("insole18_uart"), "stand").error().code, Errc::unsupported);
}

}  // namespace
}  // namespace insole::cli

namespace insole::cli {
namespace {

// tiles://ROWSxCOLS?t0=ROW,COL,URI&...: two recorded 2 x 2 tiles composed side by side into 2 x 4,
// and the errors for a bad grid, a bad tile, an unknown option, overlap and nesting.
TEST(SourceUri, TilesComposeTheirSourcesIntoOneGrid) {
  test::TempDir dir;
  for (int k = 0; k < 2; ++k) {
    Recording rec;
    Stream s;
    s.info.name = "mat";
    s.info.layout = SensorLayout::grid(2, 2, 10.0, 10.0).value();
    s.info.units = PressureUnits::counts;
    s.info.sample_rate_hz = 10;
    for (int f = 0; f < 3; ++f) s.append(0.1 * f, Eigen::VectorXf::Constant(4, float(10 * k + f)));
    rec.streams.push_back(std::move(s));
    ASSERT_TRUE(io::write_recording(dir / ("tile" + std::to_string(k) + ".h5"), rec));
  }
  const std::string a = "file://" + (dir / "tile0.h5").string() + "?realtime=0";
  const std::string b = "file://" + (dir / "tile1.h5").string() + "?realtime=0";
  auto src = open_source("tiles://2x4?t0=0,0," + a + "&t1=0,2," + b, std::make_shared<ManualClock>());
  ASSERT_TRUE(src) << src.error().message;
  ASSERT_EQ((*src)->info().streams.size(), 1u);
  EXPECT_EQ((*src)->info().streams[0].layout.cols(), 4);
  ASSERT_TRUE((*src)->start());
  std::vector<PressureFrame> frames;
  for (;;) {
    auto f = (*src)->next(std::chrono::milliseconds(10));
    if (!f) break;
    frames.push_back(std::move(f).value());
  }
  ASSERT_EQ(frames.size(), 3u);
  // Row 1 of frame 2: tile 0's cells (value 2) then tile 1's (value 12).
  EXPECT_EQ(frames[2].pressure_kpa(4), 2.f);
  EXPECT_EQ(frames[2].pressure_kpa(7), 12.f);
  EXPECT_TRUE(contains(open_error("tiles://2by4?t0=0,0," + a), "ROWSxCOLS"));
  EXPECT_TRUE(contains(open_error("tiles://2x4"), "no tiles"));
  EXPECT_TRUE(contains(open_error("tiles://2x4?tile=0,0," + a), "unknown option 'tile'"));
  EXPECT_TRUE(contains(open_error("tiles://2x4?t0=0," + a), "expected ROW,COL,URI"));
  EXPECT_TRUE(contains(open_error("tiles://2x4?t0=0,0," + a + "&t1=0,1," + b), "overlaps tile 0"));
  EXPECT_TRUE(contains(open_error("tiles://2x4?t0=0,0,tiles://2x2"), "cannot be nested"));
  EXPECT_TRUE(contains(open_error("tiles://2x4?t1=0,0," + a + "&t01=0,2," + b), "unknown option 't01'"));
  EXPECT_TRUE(contains(open_error("tiles://2x4?t0=0,0,file:///no/such.h5"), "tile t0"));
}

}  // namespace
}  // namespace insole::cli

namespace insole::cli {
namespace {

// tile_of=ROWSxCOLS@ROW,COL (virtual-device --tile-of): an emulated tile sends its cells of one
// simulated walk over the whole composed grid, so tiles composed again give the simulator's mat.
TEST(EmulatorFrames, TileOfSendsItsPartOfTheWholeGrid) {
  const drivers::ProtocolInfo* proto = drivers::find_protocol("esp32_tile32");
  ASSERT_NE(proto, nullptr);
  auto whole = sim::make_source("walk?layout=mat&rows=32&cols=64&pitch=10&rate=20&duration=1",
                                std::make_shared<ManualClock>(), false);
  ASSERT_TRUE(whole) << whole.error().message;
  std::vector<std::unique_ptr<FrameSource>> tiles;
  for (const char* at : {"32x64@0,0", "32x64@0,32"}) {
    auto t = emulator_frames(*proto, {{"duration", "1"}, {"tile_of", at}}, std::make_shared<ManualClock>());
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ((*t)->info().streams.at(0).layout.sensor_count(), 1024);
    ASSERT_TRUE((*t)->start());
    tiles.push_back(std::move(t).value());
  }
  ASSERT_TRUE((*whole)->start());
  int frames = 0;
  double loaded = 0;
  for (;;) {
    auto w = (*whole)->next(std::chrono::milliseconds(0));
    if (!w) break;
    for (int half = 0; half < 2; ++half) {
      auto t = tiles[std::size_t(half)]->next(std::chrono::milliseconds(0));
      ASSERT_TRUE(t) << t.error().message;
      for (int r = 0; r < 32; ++r)
        for (int c = 0; c < 32; ++c)
          ASSERT_EQ(t->pressure_kpa(r * 32 + c), w->pressure_kpa(r * 64 + half * 32 + c)) << frames;
    }
    loaded = std::max(loaded, double(w->pressure_kpa.maxCoeff()));
    ++frames;
  }
  EXPECT_EQ(frames, 20);
  EXPECT_GT(loaded, 0.0);
  for (const char* bad : {"32x40@0,32", "32x64", "16x64@0,0", "32x64@0,-1"}) {
    auto t = emulator_frames(*proto, {{"tile_of", bad}}, std::make_shared<ManualClock>());
    ASSERT_FALSE(t) << bad;
    EXPECT_TRUE(contains(t.error().message, "tile_of")) << t.error().message;
  }
}

}  // namespace
}  // namespace insole::cli
