// The Sensel Morph and the Fisica scale as device descriptions (docs/devices.md, section 2.1): a
// framing type naming the built-in codec, everything else data. The entries built from the files
// must equal the ones the registry hard-coded before (the expected values below are those of the
// old code, registry.cpp and fisica.cpp, written out), and what a codec cannot honour is refused.

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "insole/core/calibration.hpp"
#include "insole/drivers/protocol/device_description.hpp"
#include "insole/drivers/protocol/fisica.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"
#include "insole/drivers/protocol/sensel.hpp"
#include "support/clinic_mat_description.hpp"

namespace insole::drivers {
namespace {

void expect_same_commands(const std::vector<HostCommand>& a, const std::vector<HostCommand>& b,
                          const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].bytes, b[i].bytes) << what << " " << i;
    EXPECT_EQ(a[i].await_reply, b[i].await_reply) << what << " " << i;
    EXPECT_EQ(a[i].what, b[i].what) << what << " " << i;
  }
}

void expect_same_layout(const SensorLayout& a, const SensorLayout& b, const std::string& what) {
  ASSERT_EQ(a.is_grid(), b.is_grid()) << what;
  EXPECT_EQ(a.rows(), b.rows()) << what;
  EXPECT_EQ(a.cols(), b.cols()) << what;
  EXPECT_EQ(a.sensor_count(), b.sensor_count()) << what;
  if (a.is_grid()) {
    EXPECT_EQ(a.row_pitch_mm(), b.row_pitch_mm()) << what;  // exactly: the file holds every digit
    EXPECT_EQ(a.col_pitch_mm(), b.col_pitch_mm()) << what;
  }
}

struct OldSensel {
  const char* name;
  const char* description;
  sensel::Config config;
};

TEST(BuiltinCodecDescriptions, SenselEntriesEqualTheOldHardCodedOnes) {
  sensel::Config async;
  async.async = true;
  sensel::Config high;
  high.detail = sensel::Detail::high;
  const OldSensel old[] = {
      {"sensel_morph", "Sensel Morph register protocol, sync polling, medium detail (47x27 grid)", {}},
      {"sensel_morph_async", "Sensel Morph register protocol, async push, medium detail (47x27 grid)", async},
      {"sensel_morph_high", "Sensel Morph register protocol, sync polling, high detail (93x53 grid)", high},
  };
  for (const OldSensel& o : old) {
    const ProtocolInfo* p = find_protocol(o.name);
    ASSERT_NE(p, nullptr) << o.name;
    EXPECT_EQ(p->description, o.description);
    EXPECT_EQ(p->default_baud, 115200u) << o.name;
    EXPECT_EQ(p->poll_driven, !o.config.async) << o.name;
    EXPECT_EQ(p->usb_vid, sensel::kUsbVid) << o.name;
    EXPECT_EQ(p->usb_pid, sensel::kUsbPidMorph) << o.name;
    EXPECT_TRUE(p->defined_in.empty()) << o.name;  // built in
    // The stream, field by field, against the codec's own stream_info() that the registry used.
    const StreamInfo want = sensel::stream_info(o.config.detail);
    ASSERT_EQ(p->streams.size(), 1u);
    const StreamInfo& got = p->streams[0];
    EXPECT_EQ(p->frame_rate_hz, want.sample_rate_hz) << o.name;
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.side, want.side);
    EXPECT_EQ(got.sample_rate_hz, want.sample_rate_hz);
    EXPECT_EQ(got.device, want.device);
    EXPECT_EQ(got.units, want.units);
    EXPECT_EQ(got.units, PressureUnits::kpa);
    // The codec's attributes, and what every described device's stream records besides.
    for (const auto& [key, value] : want.attributes) EXPECT_EQ(got.attributes.at(key), value) << o.name << " " << key;
    EXPECT_EQ(got.attributes.size(), want.attributes.size() + 3) << o.name;
    EXPECT_EQ(got.attributes.at("protocol"), o.name);
    EXPECT_EQ(got.attributes.at("provenance"), p->provenance);
    EXPECT_NE(got.attributes.at("calibration").find("kPa = g * 9.80665 / area_mm2"), std::string::npos);
    expect_same_layout(got.layout, want.layout, o.name);
    // The same codec objects with the same configuration.
    auto decoder = p->make_decoder();
    auto* sd = dynamic_cast<sensel::SenselDecoder*>(decoder.get());
    ASSERT_NE(sd, nullptr) << o.name;
    EXPECT_EQ(sd->grid(), sensel::CompressionMeta::for_detail(o.config.detail)) << o.name;
    auto host = p->make_host_session();
    const sensel::SenselHostSession old_host(o.config);
    expect_same_commands(host->open_commands(), old_host.open_commands(), o.name);
    expect_same_commands(host->close_commands(), old_host.close_commands(), o.name);
    EXPECT_EQ(host->poll_bytes(), old_host.poll_bytes()) << o.name;
    EXPECT_NE(dynamic_cast<sensel::SenselDeviceModel*>(p->make_device().get()), nullptr) << o.name;
    // The provenance the old entry printed, now from the file's fields.
    for (const char* word : {"wire format documented", "values documented", "geometry documented",
                             "github.com/sensel/sensel-api", "CreativeInquiry/Sensel-Morph-Liberation",
                             "NACK", "built-in sensel codec"})
      EXPECT_NE(p->provenance.find(word), std::string::npos) << o.name << ": " << word;
  }
}

TEST(BuiltinCodecDescriptions, FisicaEntryEqualsTheOldHardCodedOne) {
  const ProtocolInfo* p = find_protocol("fisica");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->description,
            "Fisica scale: standing platform, 29x22 grid (raw counts) + load-cell weight, 645-byte frames");
  EXPECT_EQ(p->default_baud, 115200u);
  EXPECT_EQ(p->frame_rate_hz, 10.0);
  EXPECT_EQ(p->usb_vid, 0x10C4);
  EXPECT_EQ(p->usb_pid, 0xEA60);
  EXPECT_FALSE(p->poll_driven);
  EXPECT_TRUE(p->defined_in.empty());
  ASSERT_EQ(p->streams.size(), 2u);
  const std::string device = "Fisica scale (29x22 platform with load cell)";
  const StreamInfo& mat = p->streams[0];
  EXPECT_EQ(mat.name, "mat");
  EXPECT_EQ(mat.side, Side::both);
  EXPECT_EQ(mat.sample_rate_hz, 10.0);
  EXPECT_EQ(mat.device, device);
  EXPECT_EQ(mat.units, PressureUnits::counts);
  expect_same_layout(mat.layout, SensorLayout::grid(29, 22, 10.0, 10.0).value(), "mat");
  // Every attribute the old entry recorded, with the same value; the provenance is now the
  // description's summary (below).
  const std::map<std::string, std::string> old_attributes = {
      {"protocol", "fisica"},
      {"calibration",
       "none: values are the device's raw counts; calibrate with `insole calibrate` (docs/calibration.md; the "
       "load_cell stream gives the body mass)"},
      {"pitch_mm", "10"},
      {"pitch_source",
       "assumed default: not published by the maker; 10 mm is the cell size the vendor SDK's analyzer uses for "
       "foot dimensions (fisica_sdk/analyzer.py)"},
  };
  for (const auto& [key, value] : old_attributes) EXPECT_EQ(mat.attributes.at(key), value) << key;
  EXPECT_EQ(mat.attributes.size(), old_attributes.size() + 1);
  EXPECT_EQ(mat.attributes.at("provenance"), p->provenance);
  // The pitch the codec's Config defaults to is the description's (source option pitch=).
  EXPECT_EQ(fisica::Config{}.pitch_source, old_attributes.at("pitch_source"));
  EXPECT_EQ(fisica::Config{}.pitch_mm, 10.0);
  const StreamInfo& load = p->streams[1];
  EXPECT_EQ(load.name, "load_cell");
  EXPECT_EQ(load.side, Side::both);
  EXPECT_EQ(load.sample_rate_hz, 10.0);
  EXPECT_EQ(load.device, device);
  EXPECT_EQ(load.units, PressureUnits::counts);
  EXPECT_EQ(load.layout.sensor_count(), 1);
  EXPECT_FALSE(load.layout.is_grid());
  EXPECT_TRUE(std::isnan(load.layout.centres_mm()(0, 0)));
  const std::map<std::string, std::string> old_load = {
      {"protocol", "fisica"},
      {"quantity", "load_cell_kg"},
      {"raw_unit", "kg"},
      {"calibration", "none: the platform's load-cell reading in kg (u16 big-endian / 10), not pressure"},
  };
  EXPECT_EQ(load.attributes, old_load);
  EXPECT_TRUE(is_load_cell_stream(load));
  EXPECT_NE(dynamic_cast<fisica::FisicaDecoder*>(p->make_decoder().get()), nullptr);
  EXPECT_NE(dynamic_cast<fisica::FisicaDeviceModel*>(p->make_device().get()), nullptr);
  expect_same_commands(p->make_host_session()->open_commands(), fisica::FisicaHostSession().open_commands(), "open");
  expect_same_commands(p->make_host_session()->close_commands(), fisica::FisicaHostSession().close_commands(),
                       "close");
  // What the old free-text provenance said, now in the description's fields.
  EXPECT_EQ(p->provenance.rfind("wire format documented, values documented, geometry guessed, rate guessed; "
                                "sources: PyPI fisica 1.0.1 = github.com/care-co/fisica_sdk",
                                0),
            0u)
      << p->provenance;
  for (const char* word : {"parser.py", "device.py", "receiver.py", "port_scanner.py", "UNVERIFIED", "cell pitch",
                           "10 mm assumed", "frame rate", "10/s assumed", "no checksum", "bytes 0, 639 and 640",
                           "product id ea60", "count-to-pressure"})
    EXPECT_NE(p->provenance.find(word), std::string::npos) << word;
  // pitch= (fisica::protocol(Config)) is the same description with another pitch.
  fisica::Config c;
  c.pitch_mm = 12.5;
  c.pitch_source = "given by the user";
  const ProtocolInfo q = fisica::protocol(c);
  EXPECT_EQ(q.name, "fisica");
  EXPECT_EQ(q.provenance, p->provenance);
  EXPECT_EQ(q.streams[0].layout.row_pitch_mm(), 12.5);
  EXPECT_EQ(q.streams[0].attributes.at("pitch_source"), "given by the user");
}

// The built-in file `name`, with `from` replaced by `to` (once).
std::string builtin_edited(const std::string& name, const std::string& from, const std::string& to) {
  for (const auto& [file, text] : builtin_device_descriptions())
    if (file == name + ".json") {
      std::string s = text;
      const auto at = s.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      if (at != std::string::npos) s.replace(at, from.size(), to);
      return s;
    }
  ADD_FAILURE() << "no built-in " << name;
  return {};
}

TEST(BuiltinCodecDescriptions, WhatACodecCannotHonourIsRefused) {
  const std::string sync = "\"mode\": \"sync\"";
  const std::string fisica_type = "\"type\": \"fisica\"";
  const std::string fisica_values = "\"type\": \"u8\"";
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"sensel_morph", builtin_edited("sensel_morph", "\"layout\":", "\"values\": {\"type\": \"u16le\", \"max_raw\": 9}, \"layout\":"),
       "field 'values': the sensel codec decodes the Morph's compressed pressure image"},
      {"sensel_morph", builtin_edited("sensel_morph", "\"detail\": \"medium\"", "\"detail\": \"low\""),
       "field 'framing.detail': \"low\" is not one of medium, high"},
      {"sensel_morph", builtin_edited("sensel_morph", sync, "\"mode\": \"push\""), "field 'framing.mode': \"push\" is not one of sync"},
      {"sensel_morph", builtin_edited("sensel_morph", sync, sync + ", \"sync\": \"AA\""),
       "field 'framing.sync': the sensel codec has its own framing; only type, detail and mode apply"},
      {"sensel_morph", builtin_edited("sensel_morph", "\"detail\": \"medium\",", ""), "field 'framing.detail': missing"},
      {"sensel_morph", builtin_edited("sensel_morph", "\"rows\": 27", "\"rows\": 28"),
       "the sensel codec decodes a 27 x 47 grid (rows x cols) at medium detail, not 28 x 47"},
      {"sensel_morph_high", builtin_edited("sensel_morph_high", "\"detail\": \"high\"", "\"detail\": \"medium\""),
       "the sensel codec decodes a 27 x 47 grid (rows x cols) at medium detail, not 53 x 93"},
      {"sensel_morph", builtin_edited("sensel_morph", "4.9523809523809526", "5"),
       "the sensel codec records the Morph's own pitch at medium detail, [4.9524, 4.973] mm"},
      {"sensel_morph", builtin_edited("sensel_morph", "\"from\": \"grams_per_cell\"", "\"kpa_per_count\": 2"),
       "the sensel codec records kPa from the grams per sensel the device reports"},
      {"sensel_morph", builtin_edited("sensel_morph", "\"layout\":", "\"commands\": {\"open\": []}, \"layout\":"),
       "field 'commands': the sensel codec sends its own commands"},
      {"fisica", builtin_edited("fisica", fisica_values, "\"type\": \"u16le\""), "the fisica codec reads one u8 per cell"},
      {"fisica", builtin_edited("fisica", "\"max_raw\": 255", "\"max_raw\": 100"), "the fisica codec reads one u8 per cell"},
      {"fisica", builtin_edited("fisica", "\"max_raw\": 255", "\"max_raw\": 255, \"tiles\": {\"rows\": 1, \"cols\": 22}"),
       "the fisica codec reads one u8 per cell, row-major, 0..255, no tiles"},
      {"fisica", builtin_edited("fisica", "\"rows\": 29", "\"rows\": 30"),
       "the fisica codec decodes the platform's 29 x 22 grid (rows x cols), not 30 x 22"},
      {"fisica", builtin_edited("fisica", "\"kind\": \"grid\"", "\"kind\": \"sensors\", \"count\": 638, \"k\": \"grid\""),
       "field 'layout.cols': unknown field"},
      {"fisica", builtin_edited("fisica", "\"pitch_source\":", "\"pitch_note\":"), "field 'layout.pitch_note': unknown field"},
      {"fisica", builtin_edited("fisica", "\"counts\"", "\"kPa\", \"kpa_per_count\": 2"),
       "the fisica codec records the grid in raw counts"},
      {"fisica", builtin_edited("fisica", fisica_type, fisica_type + ", \"checksum\": \"sum8_all\""),
       "field 'framing.checksum': the fisica codec has its own framing; only type applies"},
      {"fisica", builtin_edited("fisica", "\"format\":", "\"boot_banner\": \"hi\", \"format\":"),
       "field 'boot_banner': the fisica codec's device model has no boot banner"},
      {"fisica", builtin_edited("fisica", "\"type\": \"fisica\"", "\"type\": \"fisica2\""),
       "field 'framing.type': \"fisica2\" is not one of text_lines, poll_raw, header, cobs, slip, zero_run, "
       "column_messages, sensel, fisica"},
  };
  for (const auto& [name, text, expected] : cases) {
    auto c = parse_device_description(text, name + ".json");
    ASSERT_FALSE(c) << "accepted, expected: " << expected;
    EXPECT_EQ(c.error().code, Errc::format_error);
    EXPECT_NE(c.error().message.find(name + ".json: "), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find(expected), std::string::npos) << c.error().message << "\n  expected: " << expected;
  }
  // The pitch without its source, and a pitch outside 1..100 mm.
  MatrixCodecConfig no_source = builtin_devices().back();
  ASSERT_EQ(no_source.codec, DeviceCodec::fisica);
  no_source.pitch_source.clear();
  ASSERT_FALSE(no_source.validate());
  EXPECT_NE(no_source.validate().error().message.find("needs pitch_source"), std::string::npos);
  auto tiny = parse_device_description(builtin_edited("fisica", "\"pitch_mm\": [\n      10.0,", "\"pitch_mm\": [\n      0.5,"),
                                       "fisica.json");
  ASSERT_FALSE(tiny);
  EXPECT_NE(tiny.error().message.find("takes a cell pitch between 1 and 100 mm, got 0.5"), std::string::npos)
      << tiny.error().message;
  // A built-in codec's config is not the matrix codec's.
  for (const MatrixCodecConfig& d : builtin_devices())
    if (d.codec != DeviceCodec::matrix) {
      EXPECT_THROW(MatrixDecoder{d}, std::invalid_argument) << d.name;
      EXPECT_THROW(MatrixDeviceModel{d}, std::invalid_argument) << d.name;
    }
  // Programmatic configs are checked alike.
  MatrixCodecConfig s = builtin_devices().front();
  ASSERT_EQ(s.codec, DeviceCodec::sensel);
  s.checksum = MatrixChecksum::sum8_all;
  EXPECT_FALSE(s.validate());
  s = builtin_devices().front();
  s.sensel_detail = sensel::Detail::low;
  EXPECT_FALSE(s.validate());
}

TEST(BuiltinCodecDescriptions, AClinicsOwnFisicaWithAMeasuredPitch) {
  // The platform measured with a ruler: a description of its own, by name, like any device.
  const std::string text = builtin_edited(
      "fisica", "\"pitch_mm\": [\n      10.0,\n      10.0\n    ],\n    \"pitch_source\": \"assumed default",
      "\"pitch_mm\": [10.5, 11.0], \"pitch_source\": \"measured: 29 rows over 304.5 mm, 22 columns over 242 mm; was assumed default");
  std::string named = text;
  named.replace(named.find("\"name\": \"fisica\""), 16, "\"name\": \"fisica_clinic\"");
  auto c = parse_device_description(named, "fisica_clinic.json");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->codec, DeviceCodec::fisica);
  auto info = make_matrix_protocol(*c);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->name, "fisica_clinic");
  const StreamInfo& mat = info->streams.at(0);
  EXPECT_EQ(mat.layout.row_pitch_mm(), 10.5);
  EXPECT_EQ(mat.layout.col_pitch_mm(), 11.0);
  EXPECT_EQ(mat.attributes.at("pitch_mm"), "10.5 x 11");
  EXPECT_EQ(mat.attributes.at("pitch_source").rfind("measured: 29 rows", 0), 0u);
  EXPECT_EQ(mat.attributes.at("protocol"), "fisica_clinic");
  EXPECT_EQ(info->streams.at(1).attributes.at("protocol"), "fisica_clinic");
  // Written back, it reads as the same device.
  auto again = parse_device_description(to_device_description(*c), "again");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(to_device_description(*again), to_device_description(*c));
  EXPECT_EQ(again->pitch_source, c->pitch_source);
  // It decodes what the platform sends: one frame from its device model, both streams.
  auto dev = info->make_device();
  auto host = info->make_host_session();
  std::vector<std::uint8_t> wire;
  for (const HostCommand& cmd : host->open_commands()) dev->on_host_bytes(cmd.bytes, wire);
  wire.clear();
  PressureFrame f;
  f.pressure_kpa = Eigen::VectorXf::Constant(29 * 22, 7.f);
  dev->encode_frame(f, wire);
  f.stream = 1;
  f.pressure_kpa = Eigen::VectorXf::Constant(1, 64.5f);
  dev->encode_frame(f, wire);
  std::vector<PressureFrame> frames;
  info->make_decoder()->feed(wire, frames);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_FLOAT_EQ(frames[0].pressure_kpa(100), 7.f);
  EXPECT_FLOAT_EQ(frames[1].pressure_kpa(0), 64.5f);
}

TEST(BuiltinCodecDescriptions, APitchSourceIsRecordedForAnyGrid) {
  std::string text = test::kClinicMat;
  const std::string pitch = "\"pitch_mm\": [8.5, 8.5]";
  ASSERT_NE(text.find(pitch), std::string::npos);
  text.replace(text.find(pitch), pitch.size(), pitch + ", \"pitch_source\": \"measured with a ruler\"");
  auto c = parse_device_description(text, "clinic_mat.json");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->pitch_source, "measured with a ruler");
  auto info = make_matrix_protocol(*c);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->streams.at(0).attributes.at("pitch_source"), "measured with a ruler");
  auto again = parse_device_description(to_device_description(*c), "again");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->pitch_source, "measured with a ruler");
  // Without it, no attribute is invented.
  auto plain = make_matrix_protocol(*parse_device_description(test::kClinicMat, "clinic_mat.json"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->streams.at(0).attributes.count("pitch_source"), 0u);
}

}  // namespace
}  // namespace insole::drivers
