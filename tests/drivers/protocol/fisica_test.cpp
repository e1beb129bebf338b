// The Fisica scale (fisica): a 645-byte frame of a 29 x 22 u8 grid plus the load-cell weight, and
// 8-byte commands / replies, as the MIT-licensed Fisica SDK reads and writes them (fisica_sdk/
// parser.py: grid = bytes 1..638 reshaped (29, 22), weight = (b641 << 8 | b642) / 10, frames
// found by the trailer F0 0F; device.py: 24 HDR TYPE RET DH DL FF F0). The golden vectors below
// are written out by hand from that description.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "decoder_harness.hpp"
#include "insole/core/calibration.hpp"
#include "insole/drivers/protocol/fisica.hpp"

namespace insole::drivers {
namespace {

using test::Bytes;
using test::text;
using test::operator+;

// Golden frame: byte 0 = 00, cell k (row-major) = k mod 256, bytes 639-640 = 00 00,
// weight 72.5 kg = 725 = 0x02D5 -> 02 D5, trailer F0 0F.
Bytes ramp_frame() {
  Bytes f{0x00};
  for (int k = 0; k < 638; ++k) f.push_back(std::uint8_t(k % 256));
  return f + Bytes{0x00, 0x00, 0x02, 0xD5, 0xF0, 0x0F};
}

// Second golden frame: every cell 200, byte 0 = 24 (the command start byte, which a frame may
// begin with), weight 0x1234 = 4660 -> 466.0 kg.
Bytes flat_frame() {
  Bytes f{0x24};
  f.insert(f.end(), 638, 200);
  return f + Bytes{0xAB, 0xCD, 0x12, 0x34, 0xF0, 0x0F};
}

const Bytes kStartOk{0x24, 0x51, 0x53, 0x01, 0x00, 0x01, 0xFF, 0xF0};    // reply: success
const Bytes kIntervalBad{0x24, 0x23, 0x53, 0x00, 0x00, 0x02, 0xFF, 0xF0};  // reply: error 2

TEST(Fisica, GoldenFramesAfterABootBanner) {
  const Bytes a = ramp_frame(), b = flat_frame();
  ASSERT_EQ(a.size(), 645u);
  ASSERT_EQ(b.size(), 645u);
  fisica::FisicaDecoder d;
  const Bytes banner = text("ESP-ROM:esp32s3\r\nentry 0x403c\r\n");
  const test::Decoded r = test::decode_all_ways(d, banner + a + b + a, 700);
  ASSERT_EQ(r.frames.size(), 6u);  // mat + load_cell per device frame
  // Mat: row-major, cell (row 3, col 5) = byte 1 + 3*22 + 5.
  EXPECT_EQ(r.frames[0].stream, 0u);
  ASSERT_EQ(r.frames[0].pressure_kpa.size(), 638);
  EXPECT_EQ(r.frames[0].pressure_kpa(0), 0.f);
  EXPECT_EQ(r.frames[0].pressure_kpa(3 * 22 + 5), 71.f);
  EXPECT_EQ(r.frames[0].pressure_kpa(300), float(300 % 256));
  EXPECT_EQ(r.frames[0].pressure_kpa(637), float(637 % 256));
  // Load cell: 0x02D5 / 10.
  EXPECT_EQ(r.frames[1].stream, 1u);
  ASSERT_EQ(r.frames[1].pressure_kpa.size(), 1);
  EXPECT_FLOAT_EQ(r.frames[1].pressure_kpa(0), 72.5f);
  EXPECT_EQ(r.frames[2].pressure_kpa(100), 200.f);
  EXPECT_FLOAT_EQ(r.frames[3].pressure_kpa(0), 466.0f);
  // Running count per device frame, shared by both streams.
  EXPECT_EQ(r.frames[4].sequence, 2u);
  EXPECT_EQ(r.frames[5].sequence, 2u);
  EXPECT_EQ(r.stats.frames, 6u);
  EXPECT_EQ(r.stats.garbage_bytes, banner.size());  // the banner, one run
  EXPECT_EQ(r.stats.resyncs, 1u);
  EXPECT_EQ(r.stats.replies, 0u);
}

TEST(Fisica, RepliesAreCountedBetweenFrames) {
  fisica::FisicaDecoder d;
  const test::Decoded r = test::decode_all_ways(d, kStartOk + ramp_frame() + kIntervalBad + flat_frame());
  ASSERT_EQ(r.frames.size(), 4u);
  EXPECT_EQ(r.stats.replies, 2u);
  EXPECT_EQ(r.stats.nacks, 1u);  // RET 00: the interval was out of range
  EXPECT_EQ(r.stats.garbage_bytes, 0u);
  EXPECT_EQ(r.stats.resyncs, 0u);
}

TEST(Fisica, ABrokenTrailerDropsThatFrameOnly) {
  Bytes broken = ramp_frame();
  broken[644] = 0x0E;
  fisica::FisicaDecoder d;
  const test::Decoded r = test::decode_all_ways(d, flat_frame() + broken + ramp_frame());
  ASSERT_EQ(r.frames.size(), 4u);
  EXPECT_EQ(r.frames[0].pressure_kpa(0), 200.f);
  EXPECT_EQ(r.frames[2].pressure_kpa(300), float(300 % 256));
  EXPECT_EQ(r.frames[2].sequence, 1u);  // the device sends no counter: the loss is not visible
  // The broken frame is skipped byte by byte until the next frame lines up: one run of 645.
  EXPECT_EQ(r.stats.garbage_bytes, 645u);
  EXPECT_EQ(r.stats.resyncs, 1u);
}

// No checksum: a changed cell value cannot be detected and comes through (docs/devices.md).
TEST(Fisica, ACorruptedValueIsNotDetectable) {
  Bytes corrupt = ramp_frame();
  corrupt[1 + 100] ^= 0x40;
  fisica::FisicaDecoder d;
  const test::Decoded r = test::decode_all_ways(d, corrupt);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].pressure_kpa(100), float(100 ^ 0x40));
  EXPECT_EQ(r.stats.garbage_bytes, 0u);
}

TEST(Fisica, TruncatedFramesAreSkippedAndTheNextOneDecoded) {
  const Bytes f = ramp_frame();
  const Bytes head(f.begin(), f.begin() + 300);  // a frame whose end was lost
  const Bytes tail(f.begin() + 300, f.end());    // a frame whose start was lost
  fisica::FisicaDecoder d;
  const test::Decoded r = test::decode_all_ways(d, tail + head + flat_frame() + head);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].pressure_kpa(0), 200.f);
  EXPECT_EQ(r.stats.garbage_bytes, tail.size() + head.size());
  EXPECT_EQ(r.stats.resyncs, 1u);
  // The trailing cut frame waits for more bytes (bounded: less than one frame is kept).
  EXPECT_EQ(r.stats.frames, 2u);
}

TEST(Fisica, HostileStreamsDecodeNothingFalseAndRecover) {
  // 1. The command start byte over and over: never a reply (24 is not a command header), never a
  //    frame (no trailer).
  const Bytes stx(3000, 0x24);
  // 2. A reply with an unknown header and one with a bad end: not replies.
  const Bytes unknown_header{0x24, 0x99, 0x53, 0x01, 0x00, 0x01, 0xFF, 0xF0};
  const Bytes bad_end{0x24, 0x51, 0x53, 0x01, 0x00, 0x01, 0xFF, 0xF1};
  fisica::FisicaDecoder d;
  const Bytes junk = stx + unknown_header + bad_end;
  const test::Decoded r = test::decode_all_ways(d, junk + ramp_frame(), 500);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_FLOAT_EQ(r.frames[1].pressure_kpa(0), 72.5f);
  EXPECT_EQ(r.stats.replies, 0u);
  EXPECT_EQ(r.stats.garbage_bytes, junk.size());
  EXPECT_EQ(r.stats.resyncs, 1u);

  // 3. Seeded random bytes, then a good frame: every byte is accounted for (a frame, a reply or
  //    garbage), and the good frame at the end is decoded whatever the noise held.
  std::mt19937 rng(7);
  Bytes noise(20000);
  for (auto& b : noise) b = std::uint8_t(rng());
  fisica::FisicaDecoder d2;
  const test::Decoded n = test::decode_all_ways(d2, noise + ramp_frame(), 500);
  ASSERT_GE(n.frames.size(), 2u);
  EXPECT_EQ(n.frames[n.frames.size() - 2].pressure_kpa(637), float(637 % 256));
  EXPECT_FLOAT_EQ(n.frames.back().pressure_kpa(0), 72.5f);
  EXPECT_EQ(n.stats.garbage_bytes + 645 * (n.stats.frames / 2) + 8 * n.stats.replies,
            noise.size() + 645);
}

TEST(Fisica, DeviceModelAnswersCommandsAndEncodesTheGoldenFrame) {
  fisica::FisicaDeviceModel dev;
  EXPECT_FALSE(dev.streaming());  // streams only after "start continuous measurement"
  Bytes reply;
  fisica::FisicaHostSession host;
  for (const HostCommand& c : host.open_commands()) dev.on_host_bytes(c.bytes, reply);
  EXPECT_TRUE(dev.streaming());
  // Two success replies: device setting 0x22 and start 0x51, data echoed.
  EXPECT_EQ(reply, (Bytes{0x24, 0x22, 0x53, 0x01, 0x00, 0x01, 0xFF, 0xF0} + kStartOk));
  // Mat part then load-cell part: one device frame, equal to the hand-written one.
  PressureFrame mat, load;
  mat.stream = 0;
  mat.pressure_kpa.resize(638);
  for (int k = 0; k < 638; ++k) mat.pressure_kpa(k) = float(k % 256);
  load.stream = 1;
  load.pressure_kpa = Eigen::VectorXf::Constant(1, 72.5f);
  Bytes out;
  dev.encode_frame(mat, out);
  EXPECT_TRUE(out.empty());  // waits for the weight
  dev.encode_frame(load, out);
  EXPECT_EQ(out, ramp_frame());
  // Either order; values saturate at the wire's range.
  out.clear();
  load.pressure_kpa(0) = 1e6f;
  mat.pressure_kpa.setConstant(900.f);
  dev.encode_frame(load, out);
  dev.encode_frame(mat, out);
  ASSERT_EQ(out.size(), 645u);
  EXPECT_EQ(out[1], 255);
  EXPECT_EQ(out[641], 0xFF);
  EXPECT_EQ(out[642], 0xFF);
  // Get weight returns the last weight; an interval out of 100..2000 ms is refused (error 2);
  // bytes split anywhere are reassembled; noise between commands is ignored.
  reply.clear();
  const Bytes get = fisica::command(fisica::kHeaderCurrentWeight, fisica::kGet, 0, 0);
  const Bytes bad = fisica::command(fisica::kHeaderMeasurementInterval, fisica::kSet, 0x00, 0x32);
  const Bytes all = text("xx") + get + bad + fisica::command(fisica::kHeaderMeasurementInterval, fisica::kSet, 0x00, 0xC8);
  for (std::uint8_t b : all) dev.on_host_bytes(std::span<const std::uint8_t>(&b, 1), reply);
  EXPECT_EQ(reply, (Bytes{0x24, 0x14, 0x47, 0x01, 0xFF, 0xFF, 0xFF, 0xF0} + kIntervalBad +
                    Bytes{0x24, 0x23, 0x53, 0x01, 0x00, 0xC8, 0xFF, 0xF0}));
  EXPECT_EQ(dev.interval_ms(), 200);
  for (const HostCommand& c : host.close_commands()) dev.on_host_bytes(c.bytes, reply);
  EXPECT_FALSE(dev.streaming());
  // Replies decode as replies.
  fisica::FisicaDecoder d;
  std::vector<PressureFrame> frames;
  d.feed(reply, frames);
  EXPECT_EQ(d.stats().replies, 4u);
  EXPECT_EQ(d.stats().nacks, 1u);
  EXPECT_TRUE(frames.empty());
}

TEST(Fisica, RegistryEntryStatesThePitchAndWhatIsUnverified) {
  const ProtocolInfo* p = find_protocol("fisica");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->default_baud, 115200u);
  EXPECT_EQ(p->usb_vid, 0x10C4);
  EXPECT_EQ(p->usb_pid, 0xEA60);
  EXPECT_FALSE(p->poll_driven);
  ASSERT_EQ(p->streams.size(), 2u);
  const StreamInfo& mat = p->streams[0];
  EXPECT_EQ(mat.name, "mat");
  ASSERT_TRUE(mat.layout.is_grid());
  EXPECT_EQ(mat.layout.rows(), 29);
  EXPECT_EQ(mat.layout.cols(), 22);
  EXPECT_DOUBLE_EQ(mat.layout.row_pitch_mm(), 10.0);
  EXPECT_EQ(mat.units, PressureUnits::counts);
  EXPECT_EQ(mat.attributes.at("pitch_mm"), "10");
  EXPECT_NE(mat.attributes.at("pitch_source").find("assumed default"), std::string::npos);
  const StreamInfo& load = p->streams[1];
  EXPECT_EQ(load.name, "load_cell");
  EXPECT_EQ(load.layout.sensor_count(), 1);
  EXPECT_EQ(load.attributes.at("quantity"), "load_cell_kg");
  EXPECT_EQ(load.attributes.at("raw_unit"), "kg");
  EXPECT_TRUE(is_load_cell_stream(load));
  EXPECT_FALSE(is_load_cell_stream(mat));
  for (const char* word : {"UNVERIFIED", "pitch", "frame rate", "checksum", "care-co/fisica_sdk"})
    EXPECT_NE(p->provenance.find(word), std::string::npos) << word;
  // A pitch given by the user replaces the default and says so.
  fisica::Config c;
  c.pitch_mm = 12.5;
  c.pitch_source = "given by the user";
  const ProtocolInfo q = fisica::protocol(c);
  EXPECT_DOUBLE_EQ(q.streams[0].layout.col_pitch_mm(), 12.5);
  EXPECT_EQ(q.streams[0].attributes.at("pitch_mm"), "12.5");
  EXPECT_EQ(q.streams[0].attributes.at("pitch_source"), "given by the user");
  c.pitch_mm = 0;
  EXPECT_FALSE(fisica::validate(c));
  c.pitch_mm = std::nan("");
  EXPECT_FALSE(fisica::validate(c));
  EXPECT_THROW(fisica::protocol(c), std::invalid_argument);
}

}  // namespace
}  // namespace insole::drivers
