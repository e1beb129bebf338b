// Device emulator -> pseudo-terminal -> Asio SerialSource -> decoder, for every registered
// protocol, through the real byte path (no mocks): every frame the emulator sent must come out of
// the source, in order, with the values its own bytes decode to. Also unplug/replug through a
// stable link, overflow accounting, handshake failures and probing.
#include "insole/drivers/transport/serial_source.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "drivers/transport/protocol_frames.hpp"
#include "insole/drivers/protocol/device_description.hpp"
#include "insole/drivers/transport/device_emulator.hpp"
#include "insole/drivers/transport/discovery.hpp"
#include "insole/drivers/transport/serial_port.hpp"
#include "support/temp_dir.hpp"

namespace insole::drivers {
namespace {

using namespace std::chrono_literals;

SerialSourceOptions options(std::string path, std::string protocol) {
  SerialSourceOptions o;
  o.path = std::move(path);
  o.protocol = std::move(protocol);
  return o;
}

// Effective frame rate in tests: quick, yet slow enough for a loaded 2-core machine.
constexpr double kTestRateHz = 200.0;
constexpr int kFrames = 40;

std::unique_ptr<DeviceEmulator> start_emulator(const ProtocolInfo& proto, int frames,
                                               std::string link = {}, bool keep_log = true) {
  EmulatorOptions opt;
  opt.protocol = proto.name;
  opt.link_path = std::move(link);
  opt.speed = kTestRateHz / proto.frame_rate_hz;
  opt.keep_log = keep_log;
  // The first frame is due 0.3 s (real time) after start, when the host is usually ready.
  auto emu = DeviceEmulator::start(opt, test::protocol_frames(proto, frames, 0.3 * opt.speed),
                                   steady_clock());
  EXPECT_TRUE(emu) << (emu ? "" : emu.error().message);
  return emu ? std::move(emu).value() : nullptr;
}

// Reads frames from a source until a condition holds or `limit` passes, keeping the frames and the
// messages of the disconnections the source reports on the way.
struct Pump {
  SerialSource& src;
  std::chrono::seconds limit;
  std::vector<PressureFrame> got;
  std::vector<std::string> disconnects;

  template <class Done>
  void until(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      auto r = src.next(20ms);
      if (r) got.push_back(std::move(r).value());
      else if (r.error().code == Errc::disconnected) disconnects.push_back(r.error().message);
    }
  }
};

// Reads until the emulator has finished and every frame it sent has arrived (or 20 s pass).
std::vector<PressureFrame> collect(SerialSource& src, const DeviceEmulator& emu,
                                   int* disconnects = nullptr) {
  std::vector<PressureFrame> got;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (emu.finished() && got.size() >= emu.stats().frames_sent) break;
    auto r = src.next(50ms);
    if (r) {
      got.push_back(std::move(r).value());
    } else if (r.error().code == Errc::disconnected) {
      if (disconnects) ++*disconnects;
    } else if (r.error().code != Errc::timeout) {
      ADD_FAILURE() << r.error().message;
      break;
    }
  }
  return got;
}

void expect_same_frames(const ProtocolInfo& proto, const std::vector<SentFrame>& sent,
                        const std::vector<PressureFrame>& got) {
  const auto expected = test::decode_sent(proto, sent);
  ASSERT_EQ(got.size(), expected.size()) << proto.name;
  std::vector<std::uint64_t> last_seq(proto.streams.size(), 0);
  std::vector<double> last_t(proto.streams.size(), -1.0);
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].stream, expected[i].stream) << proto.name << " frame " << i;
    ASSERT_EQ(got[i].pressure_kpa.size(), expected[i].pressure_kpa.size()) << proto.name;
    for (Eigen::Index j = 0; j < got[i].pressure_kpa.size(); ++j) {
      const float a = got[i].pressure_kpa[j], b = expected[i].pressure_kpa[j];
      if (std::isnan(a) && std::isnan(b)) continue;
      ASSERT_EQ(a, b) << proto.name << " frame " << i << " sensel " << j;
    }
    const auto s = got[i].stream;
    if (last_t[s] >= 0) {
      EXPECT_GT(got[i].sequence, last_seq[s]) << proto.name;
      EXPECT_GT(got[i].time_s, last_t[s]) << proto.name;
    }
    last_seq[s] = got[i].sequence;
    last_t[s] = got[i].time_s;
  }
}

class EveryProtocol : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryProtocol, EveryFrameSentArrivesWithItsValues) {
  const ProtocolInfo* proto = find_protocol(GetParam());
  ASSERT_NE(proto, nullptr);
  auto emu = start_emulator(*proto, kFrames);
  ASSERT_TRUE(emu);
  SerialSource src(options(emu->host_path(), proto->name), steady_clock());
  auto st = src.start();
  ASSERT_TRUE(st) << st.error().message;
  auto got = collect(src, *emu);
  src.stop();
  const auto sent = emu->log();
  EXPECT_GT(sent.size(), 0u) << "the emulator never streamed";
  expect_same_frames(*proto, sent, got);
  const auto stats = src.stats();
  EXPECT_EQ(stats.frames, got.size());
  EXPECT_EQ(stats.checksum_errors, 0u);
  EXPECT_EQ(stats.overflows, 0u);
  EXPECT_EQ(stats.reconnects, 0u);
  // After stop(), the source reports its end.
  auto end = src.next(0ms);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().code, Errc::end_of_stream);
}

std::vector<std::string> protocol_names() {
  std::vector<std::string> names;
  for (const auto& p : protocols()) names.push_back(p.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryProtocol, ::testing::ValuesIn(protocol_names()),
                         [](const auto& info) { return info.param; });

TEST(SerialSource, UnplugAndReplugThroughAStableLink) {
  test::TempDir dir;
  const ProtocolInfo* proto = find_protocol("sensel_morph");
  ASSERT_NE(proto, nullptr);
  const std::string link = (dir / "usb-Sensel_Morph-if00").string();
  auto emu = start_emulator(*proto, 400, link);  // 2 s of frames at the test rate
  ASSERT_TRUE(emu);
  SerialSourceOptions opt = options(link, proto->name);
  opt.reconnect_initial_s = 0.05;
  opt.reconnect_max_s = 0.2;
  SerialSource src(opt, steady_clock());
  ASSERT_TRUE(src.start());

  Pump pump{src, 20s, {}, {}};
  auto& got = pump.got;
  auto pump_until = [&](auto done) { pump.until(done); };
  pump_until([&] { return got.size() >= 20; });
  emu->unplug();  // waits until the host has read everything sent
  pump_until([&] { return !pump.disconnects.empty(); });
  EXPECT_EQ(pump.disconnects.size(), 1u);
  ASSERT_TRUE(emu->replug());
  const auto before = got.size();
  pump_until([&] { return got.size() >= before + 20; });
  EXPECT_GE(src.stats().reconnects, 1u);
  emu->unplug();
  pump_until([&] { return pump.disconnects.size() > 1; });
  src.stop();
  while (auto r = src.next(0ms)) got.push_back(std::move(r).value());
  // Zero frames lost outside the gap: everything sent in both connections arrived.
  expect_same_frames(*proto, emu->log(), got);
  EXPECT_EQ(emu->stats().host_connections, 2u);
}

// Stamps on an injected clock that moves only when the test moves it: a disconnection is dated
// when the source detected it (take_disconnect_time_s, once), and no frame of a connection is
// dated before its port was opened, however many frames one read brings.
TEST(SerialSource, StampsFollowTheInjectedClockAcrossAReconnect) {
  test::TempDir dir;
  const ProtocolInfo* proto = find_protocol("m1616");  // streams, no handshake, nominal 50 Hz
  ASSERT_NE(proto, nullptr);
  const std::string link = (dir / "usb-m1616-if00").string();
  auto emu = start_emulator(*proto, 4000, link);  // 20 s at the test rate: frames for both connections
  ASSERT_TRUE(emu);
  auto clock = std::make_shared<ManualClock>(100.0);
  SerialSourceOptions opt = options(link, proto->name);
  opt.reconnect_initial_s = 0.05;
  opt.reconnect_max_s = 0.2;
  opt.stream_silence_periods = 0;  // the clock stands still between reads: no silence rule here
  SerialSource src(opt, clock);
  ASSERT_TRUE(src.start());
  EXPECT_FALSE(src.take_disconnect_time_s());

  Pump pump{src, 20s, {}, {}};
  auto& got = pump.got;
  pump.until([&] { return got.size() >= 10; });
  ASSERT_GE(got.size(), 10u);
  clock->advance_s(1.0);  // 1 s after start: later frames of this connection are dated up to 1 s
  pump.until([&] { return got.size() >= 20; });
  emu->unplug();
  pump.until([&] { return !pump.disconnects.empty(); });
  ASSERT_EQ(pump.disconnects.size(), 1u);
  const std::size_t first_connection = got.size();
  const auto gap_start = src.take_disconnect_time_s();
  ASSERT_TRUE(gap_start);
  EXPECT_EQ(*gap_start, 1.0);  // detected while the clock read 101 s: 1 s after start
  EXPECT_FALSE(src.take_disconnect_time_s());  // one time per disconnection

  clock->advance_s(2.0);  // the port is opened again at 3 s
  ASSERT_TRUE(emu->replug());
  pump.until([&] { return got.size() >= first_connection + 20; });
  src.stop();
  ASSERT_GE(got.size(), first_connection + 20);
  EXPECT_GE(src.stats().reconnects, 1u);

  for (std::size_t i = 0; i < got.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(got[i].time_s, got[i - 1].time_s) << "frame " << i;
    }
    // Read at 0 s or 1 s, opened at 0 s: each stamp in [0, 1] (plus the 1 us steps that keep
    // the times increasing).
    if (i < first_connection) {
      EXPECT_GE(got[i].time_s, 0.0) << "frame " << i;
      EXPECT_LE(got[i].time_s, 1.0 + 1e-3) << "frame " << i;
    } else {
      // Opened and read at 3 s: never inside the gap, though the nominal period would space a
      // read's frames back before 3 s.
      EXPECT_GE(got[i].time_s, 3.0) << "frame " << i;
      EXPECT_LE(got[i].time_s, 3.0 + 1e-3) << "frame " << i;
    }
  }
  EXPECT_EQ(emu->stats().host_connections, 2u);
}

TEST(SerialSource, QueueOverflowIsCountedNotSilent) {
  const ProtocolInfo* proto = find_protocol("m1616");
  ASSERT_NE(proto, nullptr);
  auto emu = start_emulator(*proto, 60);
  ASSERT_TRUE(emu);
  SerialSourceOptions opt = options(emu->host_path(), proto->name);
  opt.queue_frames = 4;
  SerialSource src(opt, steady_clock());
  ASSERT_TRUE(src.start());
  // Do not consume until the emulator is done: the I/O thread must drop and count.
  for (int i = 0; i < 2000 && !emu->finished(); ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(emu->finished());
  const auto sent = emu->stats().frames_sent;
  for (int i = 0; i < 200 && src.decoder_stats().frames < sent; ++i) std::this_thread::sleep_for(10ms);
  std::uint64_t delivered = 0;
  while (src.next(50ms)) ++delivered;
  EXPECT_EQ(delivered, 4u);
  EXPECT_EQ(delivered + src.stats().overflows, sent);
  src.stop();
}

TEST(SerialSource, MissingPortFailsAtStart) {
  SerialSource src(options("/dev/insole-no-such-port", "m1616"), steady_clock());
  auto st = src.start();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::not_found);
}

TEST(SerialSource, AWrongDeviceFailsTheHandshake) {
  // A SensingTex kit stays silent until told to start and never answers Sensel register reads.
  const ProtocolInfo* mat = find_protocol("sensingtex16");
  ASSERT_NE(mat, nullptr);
  auto emu = start_emulator(*mat, 100, {}, false);
  ASSERT_TRUE(emu);
  SerialSource src(options(emu->host_path(), "sensel_morph"), steady_clock());
  auto st = src.start();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::timeout);
  EXPECT_NE(st.error().message.find("did not answer"), std::string::npos) << st.error().message;
}

TEST(SerialSource, UnknownProtocolIsAProgrammerError) {
  EXPECT_THROW(SerialSource(options("/dev/null", "no-such-protocol"), steady_clock()),
               std::invalid_argument);
}

TEST(SerialSource, NonStandardBaudOnTheLine) {
  const ProtocolInfo* proto = find_protocol("insole18_uart");
  ASSERT_NE(proto, nullptr);
  auto emu = start_emulator(*proto, 20);
  ASSERT_TRUE(emu);
  SerialSourceOptions opt = options(emu->host_path(), proto->name);
  opt.baud = 250000;
  SerialSource src(opt, steady_clock());
  auto st = src.start();
  ASSERT_TRUE(st) << st.error().message;
  auto got = collect(src, *emu);
  src.stop();
  expect_same_frames(*proto, emu->log(), got);
}

// The 208-cell FLX insole runs at 460800 Bd: the port is set to it (read back from the line) and
// every 216-byte frame the emulator sends comes through the pty with its values.
TEST(SerialSource, Flx208At460800Baud) {
  const ProtocolInfo* proto = find_protocol("flx208");
  ASSERT_NE(proto, nullptr);
  ASSERT_EQ(proto->default_baud, 460800u);
  auto emu = start_emulator(*proto, 20);
  ASSERT_TRUE(emu);
  SerialPort port;
  ASSERT_TRUE(port.open(emu->host_path(), SerialSettings{proto->default_baud, true}));
  auto baud = port.current_baud();
  ASSERT_TRUE(baud) << baud.error().message;
  EXPECT_EQ(*baud, 460800u);
  auto decoder = proto->make_decoder();
  std::vector<PressureFrame> got;
  std::vector<std::uint8_t> buf(4096);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline &&
         !(emu->finished() && got.size() >= emu->stats().frames_sent)) {
    auto r = port.read_some(buf, 50ms);
    if (r) decoder->feed(std::span<const std::uint8_t>(buf.data(), *r), got);
    else if (r.error().code != Errc::timeout) break;
  }
  const auto expected = test::decode_sent(*proto, emu->log());
  ASSERT_EQ(got.size(), expected.size());
  ASSERT_GT(got.size(), 0u);
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_TRUE(got[i].pressure_kpa.cwiseEqual(expected[i].pressure_kpa).all()) << "frame " << i;
  EXPECT_EQ(decoder->stats().checksum_errors, 0u);
  EXPECT_EQ(decoder->stats().garbage_bytes, 0u);
  EXPECT_EQ(decoder->stats().bytes, got.size() * 216u);
}

TEST(SerialSource, ADeviceDescribedByAFileAtNonStandardBauds) {
  // A device that exists only as a description file (no code): its generic emulator on a
  // pseudo-terminal, read through the termios2 path at 250000 and 3000000 baud.
  for (const std::uint32_t baud : {250000u, 3000000u}) {
    const std::string text = R"({"format": "insole-device", "format_version": 1, "name": "file_mat",
      "description": "a 12x20 mat known only from its description file", "frame_rate_hz": 40,
      "transport": {"baud": )" + std::to_string(baud) + R"(},
      "framing": {"type": "header", "sync": "5A A5", "checksum": "sum8_payload"},
      "values": {"type": "u16le", "order": "col_major", "max_raw": 1023},
      "layout": {"kind": "grid", "rows": 12, "cols": 20, "pitch_mm": [8.5, 8.5]},
      "provenance": {"wire_format": "measured", "values": "measured", "geometry": "measured", "rate": "guessed"}})";
    auto config = parse_device_description(text, "file_mat.json");
    ASSERT_TRUE(config) << config.error().message;
    auto info = make_matrix_protocol(*config);
    ASSERT_TRUE(info) << info.error().message;
    auto proto = std::make_shared<const ProtocolInfo>(std::move(*info));
    EmulatorOptions opt;
    opt.custom_protocol = proto;
    opt.speed = kTestRateHz / proto->frame_rate_hz;
    opt.keep_log = true;
    auto emu = DeviceEmulator::start(opt, test::protocol_frames(*proto, 20, 0.3 * opt.speed), steady_clock());
    ASSERT_TRUE(emu) << emu.error().message;
    SerialPort port;
    ASSERT_TRUE(port.open((*emu)->host_path(), SerialSettings{proto->default_baud, true}));
    auto speed = port.current_baud();
    ASSERT_TRUE(speed) << speed.error().message;
    EXPECT_EQ(*speed, baud);
    auto decoder = proto->make_decoder();
    std::vector<PressureFrame> got;
    std::vector<std::uint8_t> buf(4096);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline &&
           !((*emu)->finished() && got.size() >= (*emu)->stats().frames_sent)) {
      auto r = port.read_some(buf, 50ms);
      if (r) decoder->feed(std::span<const std::uint8_t>(buf.data(), *r), got);
      else if (r.error().code != Errc::timeout) break;
    }
    const auto expected = test::decode_sent(*proto, (*emu)->log());
    ASSERT_EQ(got.size(), expected.size()) << baud;
    ASSERT_EQ(got.size(), 20u) << baud;
    for (std::size_t i = 0; i < got.size(); ++i)
      ASSERT_TRUE(got[i].pressure_kpa.cwiseEqual(expected[i].pressure_kpa).all()) << "frame " << i;
    EXPECT_GT(got.back().pressure_kpa.maxCoeff(), 0.0f);
    EXPECT_EQ(decoder->stats().checksum_errors, 0u);
    EXPECT_EQ(decoder->stats().bytes, got.size() * (2u + 480u + 1u));
  }
}

TEST(SerialSource, StopWhileReconnectingReturnsPromptly) {
  const ProtocolInfo* proto = find_protocol("m1616");
  auto emu = start_emulator(*proto, 1000, {}, false);
  ASSERT_TRUE(emu);
  SerialSourceOptions opt = options(emu->host_path(), proto->name);
  // The backoff before the first reopen; a stop must not wait for it.
  opt.reconnect_initial_s = 600.0;
  SerialSource src(opt, steady_clock());
  ASSERT_TRUE(src.start());
  emu->unplug(0.0);
  bool disconnected = false;
  for (int i = 0; i < 400 && !disconnected; ++i) {
    auto r = src.next(20ms);
    disconnected = !r && r.error().code == Errc::disconnected;
  }
  ASSERT_TRUE(disconnected);
  // stop() interrupts the backoff wait; expected: one read_timeout (200 ms) at most. The bound is
  // 50x that (a loaded machine, the sanitizer build) and still 60x below the backoff that an
  // ignored stop would wait for (design note §6: promptness with a bound >= 10x the expected).
  const auto t0 = std::chrono::steady_clock::now();
  src.stop();
  const double stop_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(stop_s, 50 * std::chrono::duration<double>(opt.read_timeout).count());
  auto end = src.next(0ms);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().code, Errc::end_of_stream);
}

// A streaming device that stops sending but keeps its port open (hung firmware) is treated as
// disconnected once it has been silent for stream_silence_periods frame periods (floor
// stream_silence_min_s), and reconnected; frames flow again when it recovers.
TEST(SerialSource, ASilentStreamingDeviceIsDisconnectedAndReconnected) {
  const ProtocolInfo* proto = find_protocol("m1616");  // streams at a nominal 50 Hz
  ASSERT_NE(proto, nullptr);
  ASSERT_FALSE(proto->poll_driven);
  auto emu = start_emulator(*proto, 4000);  // 20 s of frames at the test rate
  ASSERT_TRUE(emu);
  SerialSourceOptions opt = options(emu->host_path(), proto->name);
  opt.reconnect_initial_s = 0.05;
  opt.reconnect_max_s = 0.2;
  SerialSource src(opt, steady_clock());
  ASSERT_TRUE(src.start());
  const double limit_s = std::max(opt.stream_silence_periods / proto->frame_rate_hz, opt.stream_silence_min_s);
  Pump pump{src, 30s, {}, {}};
  auto& got = pump.got;
  auto pump_until = [&](auto done) { pump.until(done); };
  pump_until([&] { return got.size() >= 20; });
  ASSERT_GE(got.size(), 20u);
  EXPECT_TRUE(pump.disconnects.empty());
  emu->set_silent(true);
  const auto silent_at = std::chrono::steady_clock::now();
  pump_until([&] { return !pump.disconnects.empty(); });
  const double detected_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - silent_at).count();
  ASSERT_EQ(pump.disconnects.size(), 1u);
  EXPECT_NE(pump.disconnects[0].find("went quiet"), std::string::npos) << pump.disconnects[0];
  // Expected: limit_s plus one read_timeout; the bound is 10x that (design note §6).
  EXPECT_LT(detected_s, 10 * (limit_s + std::chrono::duration<double>(opt.read_timeout).count()));
  emu->set_silent(false);
  const auto before = got.size();
  pump_until([&] { return got.size() >= before + 20; });
  EXPECT_GE(got.size(), before + 20) << "frames did not flow again after the device recovered";
  EXPECT_GE(src.stats().reconnects, 1u);
  EXPECT_EQ(pump.disconnects.size(), 1u);
  src.stop();
}

// A fake /dev + /sys tree (discovery.hpp) in which a USB device with a serial number is the
// emulator's pseudo-terminal under a ttyACM name.
struct FakeUsb {
  test::TempDir dir;
  DiscoveryRoots roots{dir / "dev", dir / "sys"};
  FakeUsb() {
    std::filesystem::create_directories(roots.dev);
    std::filesystem::create_directories(roots.sys / "class" / "tty");
  }
  // Plugs the device with `serial` in as dev/<tty> -> pty; returns the dev path.
  std::string plug(const std::string& tty, const std::string& pty, const std::string& serial) {
    const auto usb = roots.sys / "devices" / ("usb-" + serial);
    std::filesystem::create_directories(usb / "1.0");
    std::ofstream(usb / "idVendor") << "2c2f\n";
    std::ofstream(usb / "idProduct") << "0003\n";
    std::ofstream(usb / "serial") << serial << "\n";
    const auto tty_dir = roots.sys / "class" / "tty" / std::filesystem::path(pty).filename();
    std::filesystem::remove_all(tty_dir);
    std::filesystem::create_directories(tty_dir);
    std::filesystem::create_directory_symlink(usb / "1.0", tty_dir / "device");
    const auto dev = roots.dev / tty;
    std::filesystem::remove(dev);
    std::filesystem::create_symlink(pty, dev);
    return dev.string();
  }
  void unplug(const std::string& tty, const std::string& pty) {
    std::filesystem::remove(roots.dev / tty);
    std::filesystem::remove_all(roots.sys / "class" / "tty" / std::filesystem::path(pty).filename());
  }
};

// A USB device that re-enumerates under another name (ttyACM0 -> ttyACM1) is found again by its
// serial number, and not confused with another device that now has its old name.
TEST(SerialSource, FoundAgainByUsbSerialNumberAfterReenumeration) {
  const ProtocolInfo* proto = find_protocol("m1616");
  ASSERT_NE(proto, nullptr);
  FakeUsb usb;
  auto emu = start_emulator(*proto, 4000);
  ASSERT_TRUE(emu);
  const std::string first_pty = emu->slave_path();
  SerialSourceOptions opt = options(usb.plug("ttyACM0", first_pty, "SM01"), proto->name);
  opt.discovery = usb.roots;
  opt.reconnect_initial_s = 0.05;
  opt.reconnect_max_s = 0.2;
  SerialSource src(opt, steady_clock());
  ASSERT_TRUE(src.start());
  Pump pump{src, 30s, {}, {}};
  auto& got = pump.got;
  auto pump_until = [&](auto done) { pump.until(done); };
  pump_until([&] { return got.size() >= 20; });
  ASSERT_GE(got.size(), 20u);
  // Re-enumeration: the device disappears; another device takes ttyACM0; ours comes back as ttyACM1.
  emu->unplug();
  usb.unplug("ttyACM0", first_pty);
  pump_until([&] { return !pump.disconnects.empty(); });
  ASSERT_EQ(pump.disconnects.size(), 1u);
  auto other = start_emulator(*proto, 4000, {}, false);
  ASSERT_TRUE(other);
  usb.plug("ttyACM0", other->slave_path(), "OTHER");
  ASSERT_TRUE(emu->replug());
  usb.plug("ttyACM1", emu->slave_path(), "SM01");
  const auto before = got.size();
  pump_until([&] { return got.size() >= before + 20; });
  EXPECT_GE(got.size(), before + 20) << "the device was not found again under its new name";
  EXPECT_GE(src.stats().reconnects, 1u);
  emu->unplug();
  pump_until([&] { return pump.disconnects.size() > 1; });
  src.stop();
  while (auto r = src.next(0ms)) got.push_back(std::move(r).value());
  // Every frame came from our device (none from the one that took its old name).
  expect_same_frames(*proto, emu->log(), got);
  EXPECT_EQ(emu->stats().host_connections, 2u);
  EXPECT_EQ(other->stats().host_connections, 0u);
}

TEST(Probe, FindsTheProtocolAndRejectsOthers) {
  const ProtocolInfo* proto = find_protocol("sensel_morph");
  auto emu = start_emulator(*proto, 2000, {}, false);
  ASSERT_TRUE(emu);
  auto ok = probe_port(emu->host_path(), "sensel_morph", 5000ms, steady_clock());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_GE(ok->frames, 1u);
  EXPECT_EQ(ok->sensels, std::size_t(proto->streams[0].layout.sensor_count()));
  auto bad = probe_port(emu->host_path(), "no-such", 100ms, steady_clock());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  auto missing = probe_port("/dev/insole-no-such-port", "sensel_morph", 100ms, steady_clock());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

// EmulatorOptions::epoch_s: the source's time zero is the given clock time, not the start of the
// device thread. Ten frames 5 s apart (0 .. 45 s) with an epoch 100 s in the past are all due at
// once: with no host on the port, each is skipped and the emulator finishes at once, where counting
// from its own start it would take 45 s. The bound of 20 s only limits how long a broken build
// waits. A non-finite epoch is refused.
TEST(DeviceEmulator, CountsTimeFromTheEpochItIsGiven) {
  const ProtocolInfo* proto = find_protocol("m1616");
  ASSERT_NE(proto, nullptr);
  EmulatorOptions opt;
  opt.protocol = proto->name;
  opt.epoch_s = steady_clock()->now_s() - 100.0;
  auto emu = DeviceEmulator::start(opt, test::protocol_frames(*proto, 10, 0.0, 0.2), steady_clock());
  ASSERT_TRUE(emu) << emu.error().message;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!(*emu)->finished() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE((*emu)->finished()) << "the frames were paced from the thread's start, not from the epoch";
  EXPECT_EQ((*emu)->stats().frames_skipped, 10u);
  EXPECT_EQ((*emu)->stats().frames_sent, 0u);
  for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    opt.epoch_s = bad;
    auto refused = DeviceEmulator::start(opt, test::protocol_frames(*proto, 10, 0.0, 0.2), steady_clock());
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("epoch"), std::string::npos) << refused.error().message;
  }
}

}  // namespace
}  // namespace insole::drivers
