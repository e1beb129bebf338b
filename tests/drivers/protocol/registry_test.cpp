// The protocol registry, and an encode -> decode round trip through the device model of every
// protocol and preset: host open commands, boot bytes, polls, frames and close commands go through
// the same objects an emulator and a serial transport use.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "decoder_harness.hpp"
#include "insole/drivers/protocol/decoder.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"

namespace insole::drivers {
namespace {

using test::Bytes;

TEST(Registry, NamesAreUniqueAndEveryEntryIsComplete) {
  std::set<std::string> names;
  for (const ProtocolInfo& p : protocols()) {
    EXPECT_TRUE(names.insert(p.name).second) << p.name;
    EXPECT_FALSE(p.description.empty()) << p.name;
    EXPECT_GT(p.frame_rate_hz, 0) << p.name;
    EXPECT_GT(p.default_baud, 0u) << p.name;
    ASSERT_FALSE(p.streams.empty()) << p.name;
    ASSERT_TRUE(p.make_decoder && p.make_host_session && p.make_device) << p.name;
    EXPECT_EQ(find_protocol(p.name), &p);
    EXPECT_EQ(p.poll_driven, !p.make_host_session()->poll_bytes().empty()) << p.name;
    for (const StreamInfo& s : p.streams) EXPECT_GT(s.layout.sensor_count(), 0) << p.name;
  }
  EXPECT_EQ(find_protocol("no_such_device"), nullptr);
  for (const char* n : {"sensel_morph", "sensel_morph_async", "sensel_morph_high", "velostat16_poll",
                        "fsr16_poll_u16le", "ascii15x14", "etextile16_cobs",
                        "sensitronics16_zrle", "m1616", "insole18_uart", "sensingtex16"})
    EXPECT_NE(find_protocol(n), nullptr) << n;
}

TEST(Registry, SenselCarriesItsUsbIdentityAndLayout) {
  const ProtocolInfo* p = find_protocol("sensel_morph");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->usb_vid, 0x2C2F);
  EXPECT_EQ(p->usb_pid, 0x0003);
  EXPECT_TRUE(p->poll_driven);
  const SensorLayout& l = p->streams[0].layout;
  EXPECT_EQ(l.rows(), 27);
  EXPECT_EQ(l.cols(), 47);
  // Compressed cells are every 4th sensel: 4 x 230/185 mm and 4 x 130/105 mm.
  EXPECT_NEAR(l.col_pitch_mm(), 4 * 230.0 / 185, 1e-9);
  EXPECT_NEAR(l.row_pitch_mm(), 4 * 130.0 / 105, 1e-9);
  EXPECT_FALSE(find_protocol("sensel_morph_async")->poll_driven);
}

TEST(Registry, InsoleHasTwoSidedStreamsWithoutGeometry) {
  const ProtocolInfo* p = find_protocol("insole18_uart");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->streams.size(), 2u);
  EXPECT_EQ(p->streams[0].side, Side::left);
  EXPECT_EQ(p->streams[1].side, Side::right);
  EXPECT_EQ(p->streams[0].layout.sensor_count(), 18);
  EXPECT_FALSE(p->streams[0].layout.has_geometry());
}

TEST(Registry, UserDefinedMatrixBecomesAProtocol) {
  MatrixCodecConfig c = matrix_presets().front();
  c.name = "my_mat";
  c.rows = 8;
  c.cols = 4;
  auto info = make_matrix_protocol(c);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->streams[0].layout.sensor_count(), 32);
  c.rows = -1;
  EXPECT_FALSE(make_matrix_protocol(c).ok());
}

const MatrixCodecConfig* matrix_preset(const std::string& name) {
  for (const MatrixCodecConfig& c : matrix_presets())
    if (c.name == name) return &c;
  return nullptr;
}

// Largest quantisation error of a protocol's values. Matrix presets record raw counts, and the
// test sends whole counts, so they must come back exactly.
double tolerance_kpa(const ProtocolInfo& p) {
  if (matrix_preset(p.name) || p.name == "fisica") return 0;
  return 9.80665 / ((230.0 / 185.0) * (130.0 / 105.0)) / 8 / 2 + 1e-3;  // Sensel: 1/8 g per sensel
}

class EveryProtocol : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryProtocol, EncodeDecodeRoundTripThroughTheDeviceModel) {
  const ProtocolInfo& p = *find_protocol(GetParam());
  auto host = p.make_host_session();
  auto dev = p.make_device();
  auto dec = p.make_decoder();
  test::Capture wire;
  wire.append(dev->boot_bytes());
  std::vector<PressureFrame> got;
  dec->feed(dev->boot_bytes(), got);
  for (const HostCommand& cmd : host->open_commands()) {
    Bytes reply;
    const auto replies = dec->stats().replies;
    dev->on_host_bytes(cmd.bytes, reply);
    dec->feed(reply, got);
    wire.append(reply);
    if (cmd.await_reply) {
      EXPECT_GT(dec->stats().replies, replies) << cmd.what;
    }
  }
  EXPECT_TRUE(dec->device_status().ok());
  EXPECT_TRUE(got.empty());
  // Matrix presets (units counts): whole counts between the lowest and highest value the wire can
  // carry. Sensel (kPa from grams per sensel): pressures up to 400 kPa.
  const MatrixCodecConfig* mc = matrix_preset(p.name);
  double lo = 0, hi = 400;
  if (mc) {
    EXPECT_EQ(p.streams[0].units, PressureUnits::counts);
    const double a = mc->to_kpa(mc->min_raw), b = mc->to_kpa(mc->max_raw);
    lo = std::min(a, b);
    hi = std::max(a, b);
  } else if (p.name == "fisica") {
    // Counts 0..255 on the grid; the load cell's kg in 0.1 kg steps (whole values are exact).
    EXPECT_EQ(p.streams[0].units, PressureUnits::counts);
    hi = 255;
  } else {
    EXPECT_EQ(p.streams[0].units, PressureUnits::kpa);
  }
  const bool whole = mc || p.name == "fisica";
  std::mt19937 rng(3);
  std::vector<PressureFrame> sent;
  for (int i = 0; i < 12; ++i) {
    if (p.poll_driven) {
      Bytes reply;
      dev->on_host_bytes(host->poll_bytes(), reply);
      wire.request();
      dec->on_request_sent();
      wire.append(reply);
      dec->feed(reply, got);
    }
    ASSERT_TRUE(dev->streaming()) << "frame " << i;
    PressureFrame f;
    f.stream = std::size_t(i) % p.streams.size();
    f.sequence = std::uint64_t(i) / p.streams.size();
    f.pressure_kpa = Eigen::VectorXf::Constant(p.streams[f.stream].layout.sensor_count(), float(lo));
    for (Eigen::Index k = 0; k < f.pressure_kpa.size(); ++k) {
      if (rng() % 3 != 0) continue;
      const double v = std::uniform_real_distribution<>(lo, hi)(rng);
      f.pressure_kpa(k) = float(whole ? std::round(v) : v);
    }
    Bytes bytes;
    dev->encode_frame(f, bytes);
    dec->feed(bytes, got);
    wire.append(bytes);
    sent.push_back(f);
  }
  ASSERT_EQ(got.size(), sent.size());
  const double tol = tolerance_kpa(p);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(got[i].stream, sent[i].stream);
    EXPECT_EQ(got[i].sequence, sent[i].sequence);
    EXPECT_LE((got[i].pressure_kpa - sent[i].pressure_kpa).cwiseAbs().maxCoeff(), tol) << "frame " << i;
  }
  EXPECT_EQ(dec->stats().frames, sent.size());
  EXPECT_EQ(dec->stats().checksum_errors + dec->stats().truncated_frames +
                dec->stats().malformed_frames + dec->stats().lost_frames,
            0u);
  // The boot banner (if any) is the only garbage.
  EXPECT_EQ(dec->stats().garbage_bytes, dev->boot_bytes().size());
  // The same conversation decoded whole, byte by byte and in random chunks.
  auto again = p.make_decoder();
  const test::Decoded r = test::decode_all_ways(*again, wire, 700);
  EXPECT_EQ(r.frames.size(), sent.size());
  for (const HostCommand& cmd : host->close_commands()) {
    Bytes reply;
    dev->on_host_bytes(cmd.bytes, reply);
  }
  if (!host->close_commands().empty()) {
    EXPECT_FALSE(dev->streaming());
  }
}

std::vector<std::string> all_names() {
  std::vector<std::string> n;
  for (const ProtocolInfo& p : protocols()) n.push_back(p.name);
  return n;
}

INSTANTIATE_TEST_SUITE_P(Protocols, EveryProtocol, ::testing::ValuesIn(all_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace insole::drivers
