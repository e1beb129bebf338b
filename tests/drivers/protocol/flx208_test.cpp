// The 208-cell FLX insole preset (flx208) of the matrix codec. Frame, as given in issue 13:
//   A5 5A | 01 | D6 00 | 01 | 208 x u8 | u16 little-endian sum
// D6 00 = 214 = the bytes before the checksum. The checksum is taken to be the low 16 bits of the
// sum of those 214 bytes (unverified, see docs/devices.md); the golden vectors below are written
// out by hand from that rule.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "decoder_harness.hpp"
#include "insole/drivers/protocol/framing.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"

namespace insole::drivers {
namespace {

using test::Bytes;
using test::text;
using test::operator+;

const MatrixCodecConfig& flx() {
  for (const auto& p : matrix_presets())
    if (p.name == "flx208") return p;
  throw std::runtime_error("no flx208 preset");
}

const Bytes kHeader{0xA5, 0x5A, 0x01, 0xD6, 0x00, 0x01};

// Golden frame: cell k carries the value k (0..207).
// Header sum: A5+5A+01+D6+00+01 = 165+90+1+214+0+1 = 471.
// Values: 0+1+...+207 = 207*208/2 = 21528. Total 21999 = 0x55EF -> sent EF 55.
Bytes ramp_frame() {
  Bytes f = kHeader;
  for (int k = 0; k < 208; ++k) f.push_back(std::uint8_t(k));
  return f + Bytes{0xEF, 0x55};
}

// Second golden frame: every cell 0xFF. 471 + 208*255 = 471 + 53040 = 53511 = 0xD107 -> 07 D1.
Bytes full_frame() {
  Bytes f = kHeader;
  f.insert(f.end(), 208, 0xFF);
  return f + Bytes{0x07, 0xD1};
}

double kpa(int raw) { return raw; }  // uncalibrated: the recorded value is the raw count

TEST(Flx208, Sum16IsTheLow16BitsOfTheByteSum) {
  EXPECT_EQ(sum16(Bytes{}), 0u);
  EXPECT_EQ(sum16(Bytes{0xFF, 0xFF}), 0x01FEu);
  EXPECT_EQ(sum16(Bytes(258, 0xFF)), 0x00FEu);  // 258*255 = 65790 = 0x100FE: wraps at 16 bits
}

TEST(Flx208, GoldenFramesAfterGarbage) {
  const Bytes a = ramp_frame(), b = full_frame();
  ASSERT_EQ(a.size(), 216u);
  MatrixDecoder d(flx());
  // Boot noise, a stray A5 5A that is not followed by the rest of the header, then frames.
  const test::Decoded r = test::decode_all_ways(d, text("boot\r\n\xA5\x5A\x02") + a + b + a, 400);
  ASSERT_EQ(r.frames.size(), 3u);
  for (int k : {0, 1, 100, 165, 207})
    EXPECT_NEAR(r.frames[0].pressure_kpa(k), kpa(k), 1e-3) << "cell " << k;
  EXPECT_NEAR(r.frames[1].pressure_kpa(0), 255.0, 1e-3);
  EXPECT_NEAR(r.frames[1].pressure_kpa(207), 255.0, 1e-3);
  EXPECT_EQ(r.frames[0].stream, 0u);
  EXPECT_EQ(r.frames[2].sequence, 2u);  // running count: the device sends no counter
  EXPECT_EQ(r.stats.garbage_bytes, 9u);  // "boot\r\n" + A5 5A 02, one run
  EXPECT_EQ(r.stats.resyncs, 1u);
  EXPECT_EQ(r.stats.checksum_errors, 0u);
}

TEST(Flx208, ChecksumFailuresAreCountedAndDropped) {
  Bytes flipped = ramp_frame();
  flipped[6 + 40] ^= 0x10;  // one value changed: the sum no longer matches
  Bytes swapped = ramp_frame();
  std::swap(swapped[214], swapped[215]);  // big-endian checksum: wrong byte order
  MatrixDecoder d(flx());
  const test::Decoded r = test::decode_all_ways(d, flipped + full_frame() + swapped + ramp_frame());
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_NEAR(r.frames[0].pressure_kpa(3), 255.0, 1e-3);
  EXPECT_NEAR(r.frames[1].pressure_kpa(3), kpa(3), 1e-3);
  EXPECT_EQ(r.stats.checksum_errors, 2u);
  // Neither bad frame holds the header again, so each is dropped whole, in one run.
  EXPECT_EQ(r.stats.garbage_bytes, 2u * 216u);
  EXPECT_EQ(r.stats.resyncs, 2u);
}

TEST(Flx208, TruncatedFrameIsDroppedAndTheNextOneDecoded) {
  const Bytes f = ramp_frame();
  const Bytes cut(f.begin(), f.begin() + 100);
  const Bytes tail(f.begin() + 150, f.end());  // a frame whose start was lost
  MatrixDecoder d(flx());
  const test::Decoded r = test::decode_all_ways(d, tail + cut + full_frame() + cut);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_NEAR(r.frames[0].pressure_kpa(0), 255.0, 1e-3);
  // The cut frame swallows the next frame's first 116 bytes: the checksum fails, the decoder
  // steps on and finds the next header, so nothing valid is lost apart from the cut frame.
  EXPECT_EQ(r.stats.checksum_errors, 1u);
  EXPECT_EQ(r.stats.garbage_bytes, tail.size() + cut.size());
  // The trailing cut frame waits for more bytes: nothing is emitted or counted for it yet.
  EXPECT_EQ(r.stats.frames, 1u);
}

TEST(Flx208, HostileStreamsDecodeNothingFalseAndRecover) {
  // 1. Headers with nothing after them, over and over: every candidate fails its checksum.
  Bytes headers;
  for (int i = 0; i < 50; ++i) headers = headers + kHeader;
  // 2. A header whose length field is changed to FF FF: not this device's frame, skipped.
  Bytes long_len = ramp_frame();
  long_len[3] = 0xFF;
  long_len[4] = 0xFF;
  // 3. Seeded random bytes.
  std::mt19937 rng(7);
  Bytes noise(20000);
  for (auto& b : noise) b = std::uint8_t(rng());
  MatrixDecoder d(flx());
  const test::Decoded r =
      test::decode_all_ways(d, headers + long_len + noise + ramp_frame(), 500);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_NEAR(r.frames[0].pressure_kpa(207), kpa(207), 1e-3);
  EXPECT_EQ(r.stats.garbage_bytes, headers.size() + long_len.size() + noise.size());
  EXPECT_GE(r.stats.checksum_errors, 50u);
}

TEST(Flx208, DeviceModelEncodesTheGoldenFrame) {
  MatrixDeviceModel dev(flx());
  PressureFrame f;
  f.pressure_kpa.resize(208);
  for (int k = 0; k < 208; ++k) f.pressure_kpa(k) = float(kpa(k));
  Bytes out;
  dev.encode_frame(f, out);
  EXPECT_EQ(out, ramp_frame());
  EXPECT_TRUE(dev.streaming());  // streams from power-up, no commands
}

TEST(Flx208, RegistryEntrySaysWhatIsUnverified) {
  const ProtocolInfo* p = find_protocol("flx208");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->default_baud, 460800u);
  EXPECT_FALSE(p->poll_driven);
  ASSERT_EQ(p->streams.size(), 1u);
  EXPECT_EQ(p->streams[0].name, "insole");
  EXPECT_EQ(p->streams[0].layout.sensor_count(), 208);
  // Cell positions were not found in a public source: the layout carries none.
  EXPECT_FALSE(p->streams[0].layout.has_geometry());
  EXPECT_TRUE(std::isnan(p->streams[0].layout.centres_mm()(0, 0)));
  EXPECT_NE(p->provenance.find("UNVERIFIED"), std::string::npos);
  EXPECT_NE(p->provenance.find("cell positions"), std::string::npos);
  EXPECT_NE(p->provenance.find("frame rate"), std::string::npos);
}

}  // namespace
}  // namespace insole::drivers
