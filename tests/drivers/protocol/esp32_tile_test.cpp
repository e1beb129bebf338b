// The ESP32 film-tile scanner preset (esp32_tile32): one ASCII CSV line of 1024 values per 32 x 32
// tile, column-major, as issue 13 describes it (the scanner's source was not found: the value
// range, rate and pitch are assumptions, docs/devices.md). Golden lines written by hand.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "decoder_harness.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"

namespace insole::drivers {
namespace {

using test::Bytes;
using test::text;
using test::operator+;

const MatrixCodecConfig& tile() {
  for (const auto& p : matrix_presets())
    if (p.name == "esp32_tile32") return p;
  throw std::runtime_error("no esp32_tile32 preset");
}

// Wire value k (k = 0..1023) is k mod 4096 except a few marked cells; column-major: wire value
// k is row k % 32, column k / 32, so row-major sensel (r, c) = 32 r + c holds wire value 32 c + r.
std::string line(int offset, const std::string& end = "\r\n") {
  std::string s;
  for (int k = 0; k < 1024; ++k) s += (k ? "," : "") + std::to_string((k + offset) % 4096);
  return s + end;
}

TEST(Esp32Tile, GoldenLinesAreColumnMajor) {
  MatrixDecoder d(tile());
  const Bytes wire = text("scanner ready\r\n") + text(line(0)) + text(line(3000, "\n"));
  const test::Decoded r = test::decode_all_ways(d, wire, 300);
  ASSERT_EQ(r.frames.size(), 2u);
  // Sensel (row 1, column 0) = wire value 1; (row 0, column 1) = wire value 32; (31, 31) = 1023.
  EXPECT_EQ(r.frames[0].pressure_kpa(1 * 32 + 0), 1.f);
  EXPECT_EQ(r.frames[0].pressure_kpa(0 * 32 + 1), 32.f);
  EXPECT_EQ(r.frames[0].pressure_kpa(31 * 32 + 31), 1023.f);
  // Second line: (k + 3000) mod 4096; wire value 1023 -> 4023, wire value 1000 -> 4000.
  EXPECT_EQ(r.frames[1].pressure_kpa(31 * 32 + 31), 4023.f);
  EXPECT_EQ(r.frames[1].pressure_kpa(8 * 32 + 31), float((31 * 32 + 8 + 3000) % 4096));
  EXPECT_EQ(r.stats.garbage_bytes, 15u);  // the banner line
  EXPECT_EQ(r.stats.truncated_frames, 0u);
}

TEST(Esp32Tile, ShortLongAndBrokenLinesAreCountedAndSkipped) {
  std::string short_line = line(0);
  short_line = short_line.substr(0, short_line.find(",1000,")) + "\r\n";  // 1000 values: cut
  std::string long_line = line(0, ",7\r\n");                                  // 1025 values
  std::string broken = line(0);
  broken.replace(broken.find(",500,"), 5, ",5x0,");  // a non-numeric token: not a frame line
  MatrixDecoder d(tile());
  const test::Decoded r = test::decode_all_ways(d, text(short_line + long_line + broken + line(1)), 500);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0].pressure_kpa(0), 1.f);
  EXPECT_EQ(r.stats.truncated_frames, 1u);
  EXPECT_EQ(r.stats.malformed_frames, 1u);
  EXPECT_EQ(r.stats.garbage_bytes, broken.size());
}

TEST(Esp32Tile, DeviceModelWritesCsvLines) {
  MatrixDeviceModel dev(tile());
  PressureFrame f;
  f.pressure_kpa = Eigen::VectorXf::Zero(1024);
  f.pressure_kpa(0 * 32 + 1) = 32;   // row 0, column 1: wire value 32
  f.pressure_kpa(31 * 32 + 31) = 5000;  // saturates at 4095
  Bytes out;
  dev.encode_frame(f, out);
  const std::string s(out.begin(), out.end());
  EXPECT_EQ(std::count(s.begin(), s.end(), ','), 1023);
  EXPECT_EQ(s.substr(s.size() - 7), ",4095\r\n");
  // Wire value 32 is the 33rd number: after 32 zeros and 32 commas.
  EXPECT_EQ(s.substr(64, 3), "32,");
  const ProtocolInfo* p = find_protocol("esp32_tile32");
  ASSERT_NE(p, nullptr);
  EXPECT_NE(p->provenance.find("UNVERIFIED"), std::string::npos);
  EXPECT_EQ(p->streams.at(0).layout.rows(), 32);
}

}  // namespace
}  // namespace insole::drivers
