// Generic matrix codec and its presets. Golden vectors are written by hand from the survey
// (devices-and-formats.md section 1.5 table and section 4.2 spec sketch); each test names the
// row it follows.

#include "insole/drivers/protocol/matrix_codec.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "decoder_harness.hpp"

namespace insole::drivers {
namespace {

using test::Bytes;
using test::text;
using test::operator+;

const MatrixCodecConfig& preset(std::string_view name) {
  for (const auto& p : matrix_presets())
    if (p.name == name) return p;
  throw std::runtime_error("no preset " + std::string(name));
}

// 16-bit helpers used to write the golden vectors.
Bytes be16(unsigned v) { return {std::uint8_t(v >> 8), std::uint8_t(v & 0xFF)}; }

TEST(MatrixConfig, PresetsValidateAndBadConfigsAreRefusedWithTheirName) {
  for (const auto& p : matrix_presets()) EXPECT_TRUE(p.validate().ok()) << p.name;
  MatrixCodecConfig c;
  c.name = "mine";
  c.sync = {0xAA};
  c.rows = 0;
  auto st = c.validate();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("'mine'"), std::string::npos);
  c.rows = 300;
  c.cols = 300;  // 90000 cells
  EXPECT_FALSE(c.validate().ok());
  c.rows = c.cols = 4;
  c.framing = MatrixFraming::text_lines;  // needs ascii values
  EXPECT_FALSE(c.validate().ok());
  c.framing = MatrixFraming::cobs;
  c.checksum = MatrixChecksum::sum8_all;  // checksum only with header framing
  EXPECT_FALSE(c.validate().ok());
  c.checksum = MatrixChecksum::none;
  c.calibration.kpa_per_count = 0;
  EXPECT_FALSE(c.validate().ok());
  EXPECT_THROW(MatrixDecoder{c}, std::invalid_argument);
}

TEST(MatrixConfig, ColumnMajorIndexing) {
  MatrixCodecConfig c;
  c.rows = 3;
  c.cols = 2;
  c.order = ScanOrder::col_major;
  // Wire order walks columns: k = c*rows + r -> sensel r*cols + c.
  EXPECT_EQ(c.sensel_index(0), 0);  // (0,0)
  EXPECT_EQ(c.sensel_index(1), 2);  // (1,0)
  EXPECT_EQ(c.sensel_index(3), 1);  // (0,1)
  EXPECT_EQ(c.sensel_index(5), 5);  // (2,1)
}

// Section 1.5, slakshmi98/ITAS-: host sends 'A'; 256 bytes 1..255, column-major; boot banner.
TEST(VelostatPoll, GoldenFrameAfterBannerAndRequest) {
  const MatrixCodecConfig& c = preset("velostat16_poll");
  Bytes frame(256, 0x01);   // raw 1 = no load
  frame[18] = 0xFF;         // wire 18 = column 1, row 2 -> sensel 2*16+1 = 33
  frame[255] = 0x80;        // wire 255 = column 15, row 15 -> sensel 255
  test::Capture cap;
  cap.append(text("Velostat 16x16 Streaming Ready\r\n"));  // 32 bytes at boot
  cap.request();
  cap.append(frame);
  cap.request();
  cap.append(frame);
  MatrixDecoder d(c);
  const test::Decoded r = test::decode_all_ways(d, cap);
  ASSERT_EQ(r.frames.size(), 2u);
  // Uncalibrated: the recorded value is the raw count itself, no invented scale.
  EXPECT_EQ(r.frames[0].pressure_kpa(33), 255.0f);
  EXPECT_EQ(r.frames[0].pressure_kpa(255), 128.0f);
  EXPECT_EQ((r.frames[0].pressure_kpa.array() == 1).count(), 254);  // the firmware's floor: 1
  EXPECT_EQ(r.frames[1].sequence, 1u);
  EXPECT_EQ(r.stats.garbage_bytes, 32u);
  EXPECT_EQ(r.stats.resyncs, 1u);
}

TEST(VelostatPoll, LateBytesBeforeARequestAreDropped) {
  MatrixDecoder d(preset("velostat16_poll"));
  test::Capture cap;
  cap.request();
  cap.append(Bytes(100, 0x05));  // a reply cut short (device reset, cable)
  cap.request();
  cap.append(Bytes(256, 0x02));
  const test::Decoded r = test::decode_all_ways(d, cap);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0].sequence, 0u);
  EXPECT_EQ(r.stats.garbage_bytes, 100u);
}

// Section 1.5, Aightech/FSR_array: 512 bytes of uint16 little-endian.
TEST(FsrPoll, LittleEndianValues) {
  Bytes frame(512, 0x00);
  frame[6] = 0x01;  // value 3 = 0x0201 = 513
  frame[7] = 0x02;
  test::Capture cap;
  cap.request();
  cap.append(frame);
  MatrixDecoder d(preset("fsr16_poll_u16le"));
  const test::Decoded r = test::decode_all_ways(d, cap);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_NEAR(r.frames[0].pressure_kpa(3), 513.0, 1e-3);
}

// Section 1.5, robinhermit/SillyCode: 210 space-separated ints per line, CR LF; section 4.2:
// tokens split on [ ,;\t]+, accepted iff the count is rows*cols, non-numeric lines ignored.
TEST(TextLines, GoldenLineAmongBannersAndBrokenLines) {
  std::string good;
  for (int k = 0; k < 210; ++k) good += (k ? " " : "") + std::to_string(k == 5 ? 1023 : k == 209 ? 100 : 0);
  std::string mixed = "1023";
  for (int k = 1; k < 210; ++k) mixed += (k % 3 == 0 ? ",\t" : k % 3 == 1 ? ";" : "  ") + std::string("0");
  const std::string banner = "matrix ready, 15x14\r\n";  // not numeric: garbage
  const Bytes stream = text(banner + "12 13 14\r\n" + good + "\r\n" + "\r\n" + mixed + "\n" +
                            good + " 7\r\n" + "+0 -0 nan\r\n");
  MatrixDecoder d(preset("ascii15x14"));
  const test::Decoded r = test::decode_all_ways(d, stream);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_NEAR(r.frames[0].pressure_kpa(5), 1023.0, 1e-3);  // raw counts
  EXPECT_NEAR(r.frames[0].pressure_kpa(209), 100.0, 1e-3);
  EXPECT_NEAR(r.frames[1].pressure_kpa(0), 1023.0, 1e-3);
  EXPECT_EQ(r.stats.garbage_bytes, banner.size());
  EXPECT_EQ(r.stats.truncated_frames, 1u);  // "12 13 14"
  EXPECT_EQ(r.stats.malformed_frames, 2u);  // 211 values; a NaN
}

TEST(TextLines, EndlessLineIsDroppedWithoutGrowingMemory) {
  MatrixDecoder d(preset("ascii15x14"));
  const std::size_t cap = 210 * 24 + 256;
  const test::Decoded r = test::decode_all_ways(d, Bytes(cap + 500, '1') + text("\n5\n"));
  EXPECT_EQ(r.frames.size(), 0u);
  EXPECT_EQ(r.stats.garbage_bytes, cap + 500 + 1);  // the whole line with its '\n'
  EXPECT_EQ(r.stats.truncated_frames, 1u);          // "5"
}

// Section 1.5, eTextile/Matrix: u16 LSB first, COBS (0x00 delimiter). A 2x2 variant so the
// whole packet can be written by hand: values 1, 0, 0x0300, 5 -> data 01 00 00 00 00 03 05 00
// -> COBS 02 01 | 01 | 01 | 01 | 03 03 05 | 01, then the 00 delimiter.
TEST(Cobs, GoldenPacketOfA2x2Matrix) {
  MatrixCodecConfig c = preset("etextile16_cobs");
  c.rows = c.cols = 2;
  const Bytes packet{0x02, 0x01, 0x01, 0x01, 0x01, 0x03, 0x03, 0x05, 0x01, 0x00};
  const Bytes too_short{0x02, 0x01, 0x01, 0x00};                 // 01 00: 2 of 8 bytes
  const Bytes broken{0x05, 0x01, 0x00};                         // code points past the end
  MatrixDecoder d(c);
  const test::Decoded r = test::decode_all_ways(d, too_short + Bytes{0x00} + packet + broken + packet);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_NEAR(r.frames[0].pressure_kpa(0), 1, 1e-4);
  EXPECT_EQ(r.frames[0].pressure_kpa(1), 0.f);
  EXPECT_NEAR(r.frames[0].pressure_kpa(2), 0x300, 1e-3);
  EXPECT_NEAR(r.frames[0].pressure_kpa(3), 5, 1e-4);
  EXPECT_EQ(r.stats.truncated_frames, 1u);
  EXPECT_EQ(r.stats.malformed_frames, 1u);
  EXPECT_EQ(r.stats.garbage_bytes, 0u);
}

TEST(Cobs, OversizedPacketIsSkippedToTheNextDelimiter) {
  MatrixCodecConfig c = preset("etextile16_cobs");
  c.rows = c.cols = 2;  // 8 data bytes: at most 8 + 0 + 2 = 10 encoded bytes
  const Bytes packet{0x02, 0x01, 0x01, 0x01, 0x01, 0x03, 0x03, 0x05, 0x01, 0x00};
  MatrixDecoder d(c);
  const test::Decoded r = test::decode_all_ways(d, Bytes(50, 0x07) + Bytes{0x00} + packet);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.stats.garbage_bytes, 51u);  // 50 bytes and their delimiter
  EXPECT_EQ(r.stats.resyncs, 1u);
}

// SLIP (RFC 1055): a 2x2 u16 LE matrix whose values contain both special bytes. Values 0x00C0,
// 0xDB01, 0x0005, 0xC0DB -> data C0 00 01 DB 05 00 DB C0 -> SLIP DB DC 00 01 DB DD 05 00 DB DD DB DC,
// then the END C0.
TEST(Slip, GoldenPacketOfA2x2MatrixWithEscapes) {
  MatrixCodecConfig c = preset("etextile16_cobs");
  c.name = "slip_test";
  c.framing = MatrixFraming::slip;
  c.rows = c.cols = 2;
  c.max_raw = 0xFFFF;
  const Bytes packet{0xDB, 0xDC, 0x00, 0x01, 0xDB, 0xDD, 0x05, 0x00, 0xDB, 0xDD, 0xDB, 0xDC, 0xC0};
  const Bytes too_short{0x01, 0x02, 0xC0};                 // 2 of 8 bytes
  const Bytes bad_escape{0x01, 0xDB, 0x07, 0xC0};          // DB must be followed by DC or DD
  MatrixDecoder d(c);
  const test::Decoded r =
      test::decode_all_ways(d, Bytes{0xC0} + too_short + packet + bad_escape + Bytes{0xC0, 0xC0} + packet);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].pressure_kpa(0), float(0x00C0));
  EXPECT_EQ(r.frames[0].pressure_kpa(1), float(0xDB01));
  EXPECT_EQ(r.frames[0].pressure_kpa(2), 5.f);
  EXPECT_EQ(r.frames[0].pressure_kpa(3), float(0xC0DB));
  EXPECT_EQ(r.frames[1].sequence, 1u);
  EXPECT_EQ(r.stats.truncated_frames, 1u);
  EXPECT_EQ(r.stats.malformed_frames, 1u);
  EXPECT_EQ(r.stats.garbage_bytes, 0u);
  // The device model sends exactly that packet for those values.
  MatrixDeviceModel dev(c);
  PressureFrame f;
  f.pressure_kpa = Eigen::Vector4f(0x00C0, 0xDB01, 5, 0xC0DB);
  Bytes sent;
  dev.encode_frame(f, sent);
  EXPECT_EQ(sent, packet);
  // An undelimited run longer than any encoded frame (2 x 8 bytes) is garbage to the next END.
  const test::Decoded g = test::decode_all_ways(d, Bytes(40, 0x07) + Bytes{0xC0} + packet);
  ASSERT_EQ(g.frames.size(), 1u);
  EXPECT_EQ(g.stats.garbage_bytes, 41u);
  EXPECT_EQ(g.stats.resyncs, 1u);
}

// Section 1.5, Sensitronics-derived: "an all-zero 4x4 is sent as 0,16,0xFF".
TEST(ZeroRun, GoldenAllZero4x4AndBrokenPackets) {
  MatrixCodecConfig c = preset("sensitronics16_zrle");
  c.rows = c.cols = 4;
  const Bytes zero{0x00, 0x10, 0xFF};
  const Bytes values{0x05, 0x00, 0x0E, 0xFE, 0xFF};   // 5, 14 zeros, 254: 16 cells
  const Bytes short_frame{0x05, 0x00, 0x0E, 0xFF};    // 15 cells
  const Bytes long_frame{0x00, 0x10, 0x09, 0xFF};     // 17 cells
  const Bytes dangling{0x07, 0x00, 0xFF};             // "0x00" needs a count
  MatrixDecoder d(c);
  const test::Decoded r =
      test::decode_all_ways(d, short_frame + zero + long_frame + dangling + values);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].pressure_kpa.cwiseAbs().sum(), 0.f);
  EXPECT_NEAR(r.frames[1].pressure_kpa(0), 5, 1e-4);
  EXPECT_NEAR(r.frames[1].pressure_kpa(15), 254, 1e-3);
  EXPECT_EQ(r.frames[1].sequence, 1u);
  EXPECT_EQ(r.stats.truncated_frames, 1u);
  EXPECT_EQ(r.stats.malformed_frames, 2u);
}

// Section 1.5, "M1616": AA AB AC + 256 x u16 big-endian + 4 trailing bytes (519 bytes).
Bytes m1616_frame(unsigned v0, unsigned v255) {
  Bytes f{0xAA, 0xAB, 0xAC};
  f = f + be16(v0);
  for (int k = 1; k < 255; ++k) f = f + be16(0);
  f = f + be16(v255) + Bytes{0x00, 0x00, 0x00, 0x00};
  return f;
}

TEST(M1616, GoldenFrameAfterGarbage) {
  const Bytes f = m1616_frame(0x0FFF, 0x0800);
  ASSERT_EQ(f.size(), 519u);
  MatrixDecoder d(preset("m1616"));
  const test::Decoded r = test::decode_all_ways(d, text("AT+OK\r\n\xAA\xAB") + f + f, 300);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].pressure_kpa(0), 4095.0f);  // raw counts, no invented scale
  EXPECT_EQ(r.frames[0].pressure_kpa(255), 2048.0f);
  EXPECT_EQ(r.frames[1].sequence, 1u);
  // "AT+OK\r\n" and the stray AA AB (followed by AA, not AC): 9 bytes in one run.
  EXPECT_EQ(r.stats.garbage_bytes, 9u);
  EXPECT_EQ(r.stats.resyncs, 1u);
}

TEST(M1616, FrameCutShortByTheNextOneIsCountedTruncated) {
  const Bytes f = m1616_frame(100, 200);
  const Bytes cut(f.begin(), f.begin() + 103);
  MatrixDecoder d(preset("m1616"));
  const test::Decoded r = test::decode_all_ways(d, cut + f + f, 300);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.stats.truncated_frames, 1u);
  EXPECT_EQ(r.stats.garbage_bytes, 103u);
  EXPECT_EQ(r.frames[0].pressure_kpa(0), 100.0f);
}

// Section 1.5, commodity 18-point insole: 0xAA, foot (01 L, 02 R), 18 x u16 BE, sum8 of bytes
// 0..37. Left: AA 01, sensor 0 = 0x0102, sensor 17 = 0x0FFF:
// sum8 = AA + 01 + 01 + 02 + 0F + FF = 170+1+1+2+15+255 = 444 = 0x1BC -> 0xBC. Right: 0xBD.
Bytes insole_frame(std::uint8_t foot, std::uint8_t sum) {
  Bytes f{0xAA, foot, 0x01, 0x02};
  for (int k = 1; k < 17; ++k) f = f + Bytes{0x00, 0x00};
  return f + Bytes{0x0F, 0xFF, sum};
}

TEST(Insole18, GoldenLeftAndRightFrames) {
  const Bytes left = insole_frame(0x01, 0xBC), right = insole_frame(0x02, 0xBD);
  ASSERT_EQ(left.size(), 39u);
  MatrixDecoder d(preset("insole18_uart"));
  const test::Decoded r = test::decode_all_ways(d, left + right + left);
  ASSERT_EQ(r.frames.size(), 3u);
  EXPECT_EQ(r.frames[0].stream, 0u);
  EXPECT_EQ(r.frames[1].stream, 1u);
  EXPECT_EQ(r.frames[2].stream, 0u);
  EXPECT_EQ(r.frames[1].sequence, 0u);  // running count per stream
  EXPECT_EQ(r.frames[2].sequence, 1u);
  // Unconverted raw values (grams per the public library; no cell areas, so no pressure).
  EXPECT_EQ(r.frames[0].pressure_kpa(0), 258.0f);  // 0x01 0x02 big-endian
  EXPECT_EQ(r.frames[0].pressure_kpa(17), 4095.0f);
  EXPECT_EQ(r.stats.garbage_bytes, 0u);
}

TEST(Insole18, CorruptedChecksumAndBadFootByte) {
  Bytes bad = insole_frame(0x01, 0xBC);
  bad[10] = 0x01;  // payload flipped: checksum no longer matches
  const Bytes bad_foot{0xAA, 0x03};
  MatrixDecoder d(preset("insole18_uart"));
  const test::Decoded r =
      test::decode_all_ways(d, bad + insole_frame(0x02, 0xBD) + bad_foot + insole_frame(0x01, 0xBC));
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.stats.checksum_errors, 1u);
  // The bad frame holds no other 0xAA, so all 39 bytes are dropped in one run; then 2 more.
  EXPECT_EQ(r.stats.garbage_bytes, 39u + 2u);
  EXPECT_EQ(r.stats.resyncs, 2u);
}

// Section 1.2 (SensingTex): per column 'M' nrows col i16[nrows] (LE) '\n';
// p = |(v & 0x0FFF) - 4095|. A 2-row, 3-column variant so the messages fit on a line:
// column 0: v = 0x0FFF (p 0), 0x0000 (p 4095); column 1: 0x07FF (p 2048), 0x0FFF;
// column 2: 0xF000 (low 12 bits 0 -> p 4095), 0x0FFF.
TEST(SensingTex, GoldenColumnMessages) {
  MatrixCodecConfig c = preset("sensingtex16");
  c.rows = 2;
  c.cols = 3;
  const Bytes col0{'M', 2, 0, 0xFF, 0x0F, 0x00, 0x00, '\n'};
  const Bytes col1{'M', 2, 1, 0xFF, 0x07, 0xFF, 0x0F, '\n'};
  const Bytes col2{'M', 2, 2, 0x00, 0xF0, 0xFF, 0x0F, '\n'};
  MatrixDecoder d(c);
  // Second frame arrives in another column order; garbage between messages.
  const test::Decoded r = test::decode_all_ways(d, col0 + col1 + col2 + text("xx") + col2 + col0 + col1);
  ASSERT_EQ(r.frames.size(), 2u);
  for (const auto& f : r.frames) {
    // Row-major 2x3: (0,0)=0 (0,1)=2048 (0,2)=4095 (1,0)=4095 (1,1)=0 (1,2)=0
    EXPECT_NEAR(f.pressure_kpa(0), 0, 1e-4);
    EXPECT_NEAR(f.pressure_kpa(1), 2048, 1e-3);  // raw counts after the 12-bit inversion
    EXPECT_NEAR(f.pressure_kpa(2), 4095, 1e-3);
    EXPECT_NEAR(f.pressure_kpa(3), 4095, 1e-3);
    EXPECT_NEAR(f.pressure_kpa(4), 0, 1e-4);
    EXPECT_NEAR(f.pressure_kpa(5), 0, 1e-4);
  }
  EXPECT_EQ(r.stats.garbage_bytes, 2u);
}

TEST(SensingTex, MissingTerminatorAndRepeatedColumn) {
  MatrixCodecConfig c = preset("sensingtex16");
  c.rows = 2;
  c.cols = 2;
  const Bytes col0{'M', 2, 0, 1, 0, 2, 0, '\n'};
  const Bytes col1{'M', 2, 1, 3, 0, 4, 0, '\n'};
  const Bytes col1_unterminated{'M', 2, 1, 3, 0, 4, 0, 'Q'};
  MatrixDecoder d(c);
  // col0, a broken col1 (terminator missing: truncated; its 8 bytes hold no other 'M': garbage),
  // col0 again (the half frame is abandoned: truncated), col1 -> one frame.
  const test::Decoded r = test::decode_all_ways(d, col0 + col1_unterminated + col0 + col1);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.stats.truncated_frames, 2u);
  EXPECT_EQ(r.stats.garbage_bytes, 8u);
}

TEST(SensingTex, CommandsConfigureStartAndStopTheDevice) {
  const MatrixCodecConfig& c = preset("sensingtex16");
  // 'C' 16 16 00 200 '\r' (20 Hz * 10), 'S' '\r', 'X' '\r' (hcmlab/ssi SensingTex plugin).
  EXPECT_EQ(sensingtex_configure(16, 16, 20.0), (Bytes{'C', 16, 16, 0, 200, '\r'}));
  EXPECT_THROW(sensingtex_configure(16, 16, 30.0), std::invalid_argument);
  MatrixDeviceModel dev(c);
  MatrixHostSession host(c);
  EXPECT_FALSE(dev.streaming());
  Bytes reply;
  for (const HostCommand& cmd : host.open_commands())
    for (std::uint8_t b : cmd.bytes) dev.on_host_bytes(Bytes{b}, reply);  // byte by byte
  EXPECT_TRUE(dev.streaming());
  EXPECT_EQ(dev.last_configure(), (Bytes{'C', 16, 16, 0, 200, '\r'}));
  for (const HostCommand& cmd : host.close_commands()) dev.on_host_bytes(cmd.bytes, reply);
  EXPECT_FALSE(dev.streaming());
  EXPECT_TRUE(reply.empty());
  EXPECT_TRUE(host.poll_bytes().empty());
}

TEST(MatrixDeviceModel, PollDevicesAnswerOneFramePerRequest) {
  const MatrixCodecConfig& c = preset("velostat16_poll");
  MatrixDeviceModel dev(c);
  EXPECT_EQ(dev.boot_bytes(), text("Velostat 16x16 Streaming Ready\r\n"));
  Bytes reply;
  dev.on_host_bytes(text("AA"), reply);
  PressureFrame f;
  f.pressure_kpa = Eigen::VectorXf::Zero(256);
  Bytes out;
  EXPECT_TRUE(dev.streaming());
  dev.encode_frame(f, out);
  dev.encode_frame(f, out);
  EXPECT_FALSE(dev.streaming());
  EXPECT_EQ(out, Bytes(512, 0x01));  // 0 kPa is raw 1 on this device
  EXPECT_THROW(dev.encode_frame(f, out), std::logic_error);
}

TEST(MatrixDeviceModel, ClampsToTheDeviceRange) {
  MatrixDeviceModel dev(preset("m1616"));
  PressureFrame f;
  f.pressure_kpa = Eigen::VectorXf::Zero(256);
  f.pressure_kpa(0) = 1e9f;   // saturates at raw 4095
  f.pressure_kpa(1) = -3.f;   // no negative value: raw 0
  f.pressure_kpa(2) = std::numeric_limits<float>::quiet_NaN();
  Bytes out;
  dev.encode_frame(f, out);
  EXPECT_EQ(Bytes(out.begin() + 3, out.begin() + 9), (Bytes{0x0F, 0xFF, 0x00, 0x00, 0x00, 0x00}));
}

TEST(MatrixDeviceModel, EncodesTheGoldenInsoleFrame) {
  MatrixDeviceModel dev(preset("insole18_uart"));
  PressureFrame f;
  f.stream = 0;
  f.pressure_kpa = Eigen::VectorXf::Zero(18);
  f.pressure_kpa(0) = 258.f;  // raw counts
  f.pressure_kpa(17) = 4095.f;
  Bytes out;
  dev.encode_frame(f, out);
  EXPECT_EQ(out, insole_frame(0x01, 0xBC));
  f.stream = 2;
  EXPECT_THROW(dev.encode_frame(f, out), std::invalid_argument);
}

}  // namespace
}  // namespace insole::drivers
