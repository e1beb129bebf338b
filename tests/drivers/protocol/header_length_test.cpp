// Header framing with a length field (docs/devices.md, section 4.1): "fixed header + length +
// checksum". Two small configs, their golden frames worked out by hand below, then the same
// through a device description, and the 208-cell FLX insole, whose D6 00 is now read as a length.

#include <gtest/gtest.h>

#include <random>

#include "decoder_harness.hpp"
#include "insole/drivers/protocol/device_description.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"

namespace insole::drivers {
namespace {

using test::Bytes;
using test::text;
using test::operator+;

// A: sync AA 55, a 2-byte big-endian length counting values (2 x 3 = 6 -> 00 06), the constant
// byte 01, 6 x u16 BE row-major, sum8 of the value bytes.
MatrixCodecConfig config_a() {
  MatrixCodecConfig c;
  c.name = "len_a";
  c.rows = 2;
  c.cols = 3;
  c.framing = MatrixFraming::header;
  c.sync = {0xAA, 0x55};
  c.length = LengthField{2, true, LengthCounts::values, 0};
  c.after_length = {0x01};
  c.value_type = ValueType::u16be;
  c.max_raw = 0xFFFF;
  c.checksum = MatrixChecksum::sum8_payload;
  return c;
}

// Golden A: values 1, 2, 3, 4, 5, 300.
//   AA 55 | 00 06 | 01 | 00 01 00 02 00 03 00 04 00 05 01 2C | sum8
//   sum8 of the value bytes: 1 + 2 + 3 + 4 + 5 + 0x01 + 0x2C = 15 + 1 + 44 = 60 = 0x3C. 18 bytes.
Bytes golden_a() {
  return {0xAA, 0x55, 0x00, 0x06, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03,
          0x00, 0x04, 0x00, 0x05, 0x01, 0x2C, 0x3C};
}

// B: sync 7E, a foot byte, a 1-byte length counting the payload (2 x 2 u8 values + 1 trailer
// byte = 5), values, the trailer, sum8 of every byte before it.
MatrixCodecConfig config_b() {
  MatrixCodecConfig c;
  c.name = "len_b";
  c.rows = 2;
  c.cols = 2;
  c.framing = MatrixFraming::header;
  c.sync = {0x7E};
  c.foot_byte = true;
  c.length = LengthField{1, false, LengthCounts::payload, 0};
  c.trailer_bytes = 1;
  c.checksum = MatrixChecksum::sum8_all;
  return c;
}

// Golden B, right foot, values 10 20 30 40 (hex), trailer 00:
//   7E | 02 | 05 | 10 20 30 40 | 00 | sum8
//   sum8: 0x7E + 0x02 + 0x05 + 0x10 + 0x20 + 0x30 + 0x40 = 126 + 2 + 5 + 16 + 32 + 48 + 64 = 293
//   -> 293 - 256 = 37 = 0x25. 9 bytes.
Bytes golden_b() { return {0x7E, 0x02, 0x05, 0x10, 0x20, 0x30, 0x40, 0x00, 0x25}; }

TEST(HeaderLength, ExpectedLengthsForEachCount) {
  EXPECT_EQ(config_a().expected_length(), 6);
  EXPECT_EQ(config_a().frame_bytes(), 18u);
  EXPECT_EQ(config_b().expected_length(), 5);
  EXPECT_EQ(config_b().frame_bytes(), 9u);
  MatrixCodecConfig c = config_a();
  c.length.counts = LengthCounts::frame;
  EXPECT_EQ(c.expected_length(), 18);
  c.length.adjust = -3;  // e.g. "the bytes after the length field" would be frame - 4
  EXPECT_EQ(c.expected_length(), 15);
  c.length.counts = LengthCounts::payload;
  c.length.adjust = 0;
  EXPECT_EQ(c.expected_length(), 12);
}

TEST(HeaderLength, GoldenFramesAfterGarbageAnySplit) {
  MatrixDecoder d(config_a());
  // Noise, a stray sync with a wrong length, the golden frame twice with a banner between.
  const Bytes stream = text("boot\n") + Bytes{0xAA, 0x55, 0x00, 0x07} + golden_a() + text("dbg\r\n") + golden_a();
  const test::Decoded r = test::decode_all_ways(d, stream, 7);
  ASSERT_EQ(r.frames.size(), 2u);
  const float want[] = {1, 2, 3, 4, 5, 300};
  for (int k = 0; k < 6; ++k) {
    EXPECT_FLOAT_EQ(r.frames[0].pressure_kpa(k), want[k]) << k;
    EXPECT_FLOAT_EQ(r.frames[1].pressure_kpa(k), want[k]) << k;
  }
  EXPECT_EQ(r.frames[1].sequence, 1u);
  // "boot\n" (5) + AA 55 00 07 (4, the wrong length refused at once) in one run; "dbg\r\n" (5).
  EXPECT_EQ(r.stats.garbage_bytes, 14u);
  EXPECT_EQ(r.stats.resyncs, 2u);
  EXPECT_EQ(r.stats.malformed_frames, 1u);
  EXPECT_EQ(r.stats.checksum_errors, 0u);
  EXPECT_EQ(r.stats.frames, 2u);

  MatrixDecoder db(config_b());
  const test::Decoded rb = test::decode_all_ways(db, Bytes{0x00, 0x7E} + golden_b() + golden_b(), 5);
  ASSERT_EQ(rb.frames.size(), 2u);
  EXPECT_EQ(rb.frames[0].stream, 1u);  // foot byte 02: right
  EXPECT_FLOAT_EQ(rb.frames[0].pressure_kpa(0), 0x10);
  EXPECT_FLOAT_EQ(rb.frames[0].pressure_kpa(3), 0x40);
  // 00, then 7E followed by 7E (not a foot byte): two bytes, one run.
  EXPECT_EQ(rb.stats.garbage_bytes, 2u);
  EXPECT_EQ(rb.stats.resyncs, 1u);
}

TEST(HeaderLength, TheDeviceModelWritesTheGoldenFrames) {
  MatrixDeviceModel a(config_a());
  PressureFrame f;
  f.pressure_kpa.resize(6);
  f.pressure_kpa << 1, 2, 3, 4, 5, 300;
  Bytes out;
  a.encode_frame(f, out);
  EXPECT_EQ(out, golden_a());
  MatrixDeviceModel b(config_b());
  PressureFrame g;
  g.stream = 1;
  g.pressure_kpa.resize(4);
  g.pressure_kpa << 0x10, 0x20, 0x30, 0x40;
  out.clear();
  b.encode_frame(g, out);
  EXPECT_EQ(out, golden_b());
}

TEST(HeaderLength, ALyingLengthIsRefusedAtOnceAndSwallowsNothing) {
  MatrixDecoder d(config_a());
  std::vector<PressureFrame> frames;
  // A header claiming 65535 values: refused as soon as its length bytes arrive, without waiting
  // for the 131 kB it claims.
  const Bytes liar{0xAA, 0x55, 0xFF, 0xFF, 0x01};
  d.feed(liar, frames);
  EXPECT_EQ(d.stats().malformed_frames, 1u);
  d.feed(golden_a(), frames);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(d.stats().garbage_bytes, liar.size());
  // Every other wrong value of the field, each followed by a good frame: every good frame comes
  // through, every wrong one is counted once.
  Bytes stream;
  int wrong = 0;
  for (unsigned v : {0u, 5u, 7u, 0x0600u, 0x0106u, 0xFFFFu}) {
    Bytes bad = golden_a();
    bad[2] = std::uint8_t(v >> 8);
    bad[3] = std::uint8_t(v & 0xFF);
    stream = stream + bad + golden_a();
    ++wrong;
  }
  const test::Decoded r = test::decode_all_ways(d, stream);
  EXPECT_EQ(r.frames.size(), 6u);
  EXPECT_EQ(r.stats.malformed_frames, std::uint64_t(wrong));
  EXPECT_EQ(r.stats.garbage_bytes, 6u * 18u);
  EXPECT_EQ(r.stats.checksum_errors, 0u);
}

TEST(HeaderLength, ChecksumAndConstantByteFailures) {
  Bytes bad_sum = golden_a();
  bad_sum[17] ^= 0x01;
  Bytes bad_value = golden_a();
  bad_value[10] ^= 0x40;  // a value byte: the sum no longer matches
  Bytes bad_tail = golden_a();
  bad_tail[4] = 0x02;  // the constant byte after the length
  MatrixDecoder d(config_a());
  const test::Decoded r = test::decode_all_ways(d, bad_sum + golden_a() + bad_value + bad_tail + golden_a());
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.stats.checksum_errors, 2u);
  EXPECT_EQ(r.stats.malformed_frames, 0u);  // a wrong constant byte is not a frame start at all
  EXPECT_EQ(r.stats.garbage_bytes, 3u * 18u);
  EXPECT_EQ(r.stats.resyncs, 2u);

  Bytes swapped = golden_b();
  swapped[2] = 0x04;  // the length of a frame without its trailer
  MatrixDecoder db(config_b());
  const test::Decoded rb = test::decode_all_ways(db, swapped + golden_b());
  ASSERT_EQ(rb.frames.size(), 1u);
  EXPECT_EQ(rb.stats.malformed_frames, 1u);
}

TEST(HeaderLength, TruncatedFramesAndHostileStreams) {
  const Bytes g = golden_a();
  const Bytes cut(g.begin(), g.begin() + 11);
  MatrixDecoder d(config_a());
  // A cut frame takes the next frame's first bytes as its own: its checksum fails, one byte is
  // dropped at a time, and the next frame is found whole.
  const test::Decoded r = test::decode_all_ways(d, cut + g + cut);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.stats.checksum_errors, 1u);
  EXPECT_EQ(r.stats.garbage_bytes, cut.size());
  // The trailing cut frame waits for the rest; nothing is counted for it yet.
  EXPECT_EQ(r.stats.frames, 1u);

  // Bare headers over and over, then seeded random bytes, then a good frame.
  Bytes headers;
  for (int i = 0; i < 40; ++i) headers = headers + Bytes{0xAA, 0x55, 0x00, 0x06, 0x01};
  std::mt19937 rng(11);
  Bytes noise(20000);
  for (auto& b : noise) b = std::uint8_t(rng());
  const test::Decoded h = test::decode_all_ways(d, headers + noise + g, 400);
  ASSERT_EQ(h.frames.size(), 1u);
  EXPECT_FLOAT_EQ(h.frames[0].pressure_kpa(5), 300);
  EXPECT_EQ(h.stats.garbage_bytes, headers.size() + noise.size());
}

TEST(HeaderLength, ConfigsTheCodecCannotRunAreRefused) {
  auto refused = [](MatrixCodecConfig c, const std::string& what) {
    const Status st = c.validate();
    ASSERT_FALSE(st) << what;
    EXPECT_NE(st.error().message.find(what), std::string::npos) << st.error().message;
  };
  MatrixCodecConfig c = config_a();
  c.length.size = 3;
  refused(c, "a length field has 1 or 2 bytes");
  c = config_a();
  c.length.size = 1;
  c.length.counts = LengthCounts::frame;
  c.rows = c.cols = 16;  // 4 + 512 + 1 bytes: more than one byte holds
  refused(c, "the 1-byte length field cannot hold 517 (517 frame bytes for the 16 x 16 grid); it must be 0..255");
  // The grid decides the count: its fields are named with the length field's.
  refused(c, "fields 'framing.length.size', 'framing.length.counts', 'layout.rows', 'layout.cols' and "
             "'values.type':");
  c = config_a();
  c.length.adjust = -7;
  refused(c, "cannot hold -1 (6 values for the 2 x 3 grid, adjusted by -7); it must be 0..65535");
  c = config_a();
  c.length.size = 0;
  refused(c, "after_length needs a length field");
  c = config_a();
  c.framing = MatrixFraming::cobs;
  c.sync.clear();
  c.checksum = MatrixChecksum::none;
  refused(c, "a length field (and after_length) needs header framing");
}

// The same device as config A, as a description file.
const char* kLengthMat = R"({
  "format": "insole-device", "format_version": 1, "name": "len_mat",
  "description": "AA 55 + u16 BE count of values + 01 + values + sum8",
  "frame_rate_hz": 50, "transport": {"baud": 115200},
  "framing": {"type": "header", "sync": "AA 55",
              "length": {"size": 2, "endian": "be", "counts": "values"},
              "after_length": "01", "checksum": "sum8_payload"},
  "values": {"type": "u16be", "max_raw": 65535},
  "layout": {"kind": "grid", "rows": 2, "cols": 3, "pitch_mm": [10, 10]},
  "provenance": {"wire_format": "measured", "values": "measured", "geometry": "guessed", "rate": "guessed",
                 "sources": ["bench capture"]}
})";

std::string edited(const std::string& from, const std::string& to) {
  std::string s = kLengthMat;
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(HeaderLength, ADescriptionWithALengthField) {
  auto c = parse_device_description(kLengthMat, "len_mat.json");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->length.size, 2u);
  EXPECT_TRUE(c->length.big_endian);
  EXPECT_EQ(c->length.counts, LengthCounts::values);
  EXPECT_EQ(c->length.adjust, 0);
  EXPECT_EQ(c->after_length, Bytes{0x01});
  MatrixDecoder d(*c);
  std::vector<PressureFrame> frames;
  d.feed(golden_a(), frames);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_FLOAT_EQ(frames[0].pressure_kpa(5), 300);
  // Written back, it reads as the same device.
  auto again = parse_device_description(to_device_description(*c), "again");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(to_device_description(*again), to_device_description(*c));
  EXPECT_EQ(again->length.size, 2u);
  EXPECT_TRUE(again->length.big_endian);
  EXPECT_EQ(again->after_length, c->after_length);

  const std::vector<std::pair<std::string, std::string>> cases = {
      {edited("\"size\": 2", "\"size\": 4"), "len_mat.json: field 'framing.length.size': must be between 1 and 2, got 4"},
      {edited("\"size\": 2", "\"size\": \"2\""), "field 'framing.length.size': expected an integer, found string"},
      {edited("\"endian\": \"be\", ", ""), "field 'framing.length.endian': missing (a two-byte length field"},
      {edited("\"endian\": \"be\"", "\"endian\": \"big\""), "field 'framing.length.endian': \"big\" is not one of le, be"},
      {edited("\"size\": 2, \"endian\": \"be\"", "\"size\": 1, \"endian\": \"be\""),
       "field 'framing.length.endian': a one-byte length field has no byte order"},
      {edited("\"counts\": \"values\"", "\"counts\": \"bytes\""),
       "field 'framing.length.counts': \"bytes\" is not one of values, payload, frame"},
      {edited("\"counts\": \"values\"", "\"counts\": \"values\", \"adjust\": 70000"),
       "field 'framing.length.adjust': must be between -65535 and 65535, got 70000"},
      {edited("\"counts\": \"values\"", "\"counts\": \"values\", \"offset\": 2"), "field 'framing.length.offset': unknown field"},
      {edited("\"counts\": \"values\"", "\"counts\": \"values\", \"adjust\": -7"),
       "len_mat.json: matrix codec 'len_mat': fields 'framing.length.size', 'framing.length.counts', "
       "'framing.length.adjust', 'layout.rows' and 'layout.cols': the 2-byte length field cannot hold -1"},
      {edited("\"length\": {\"size\": 2, \"endian\": \"be\", \"counts\": \"values\"},", ""),
       "matrix codec 'len_mat': fields 'framing.after_length' and 'framing.length': after_length needs a length field"},
      {edited("\"after_length\": \"01\"", "\"after_length\": \"0G\""), "field 'framing.after_length': \"0G\" is not a byte"},
      {edited("{\"size\": 2, \"endian\": \"be\", \"counts\": \"values\"}", "[2]"),
       "field 'framing.length': expected an object, found array"},
  };
  for (const auto& [text, expected] : cases) {
    auto r = parse_device_description(text, "len_mat.json");
    ASSERT_FALSE(r) << "accepted, expected: " << expected;
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message << "\n  expected: " << expected;
  }
}

const MatrixCodecConfig& flx() {
  for (const auto& p : matrix_presets())
    if (p.name == "flx208") return p;
  throw std::runtime_error("no flx208 preset");
}

// The FLX frame (issue 13): A5 5A | 01 | D6 00 | 01 | 208 x u8 | u16 LE sum of bytes 0..213.
// Its D6 00 = 214 is now read as a length: the bytes before the checksum (frame - 2).
TEST(HeaderLength, TheFlxInsoleReadsItsLengthAsALength) {
  const MatrixCodecConfig& c = flx();
  EXPECT_EQ(c.sync, (Bytes{0xA5, 0x5A, 0x01}));
  EXPECT_EQ(c.length.size, 2u);
  EXPECT_FALSE(c.length.big_endian);
  EXPECT_EQ(c.expected_length(), 214);
  EXPECT_EQ(c.after_length, Bytes{0x01});
  EXPECT_EQ(c.frame_bytes(), 216u);
  // The device model writes the same header as before: A5 5A 01 D6 00 01.
  MatrixDeviceModel dev(c);
  PressureFrame f;
  f.pressure_kpa = Eigen::VectorXf::Zero(208);
  Bytes out;
  dev.encode_frame(f, out);
  ASSERT_EQ(out.size(), 216u);
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 6), (Bytes{0xA5, 0x5A, 0x01, 0xD6, 0x00, 0x01}));
  // Header sum 471 = 0x01D7, values all zero: checksum D7 01.
  EXPECT_EQ(out[214], 0xD7);
  EXPECT_EQ(out[215], 0x01);
  // A frame claiming 213 bytes is refused as a length (malformed), not waited for; the good
  // frame behind it decodes.
  Bytes short_len = out;
  short_len[3] = 0xD5;
  MatrixDecoder d(c);
  const test::Decoded r = test::decode_all_ways(d, short_len + out);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.stats.malformed_frames, 1u);
  EXPECT_EQ(r.stats.garbage_bytes, 216u);
  EXPECT_EQ(r.stats.checksum_errors, 0u);
}

}  // namespace
}  // namespace insole::drivers
