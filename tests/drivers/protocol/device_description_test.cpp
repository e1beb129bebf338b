// Device descriptions (docs/devices.md, "Devices described as data"): the built-in files, the
// errors that name the field, hostile text, and the clinic's own files on the search path.
#include "insole/drivers/protocol/device_description.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <fstream>
#include <random>

#include "support/clinic_mat_description.hpp"
#include "support/temp_dir.hpp"

namespace insole::drivers {
namespace {

using test::kClinicMat;

TEST(DeviceDescription, AClinicsOwnFileGivesTheCodecItDescribes) {
  auto c = parse_device_description(kClinicMat, "clinic_mat.json");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->name, "clinic_mat");
  EXPECT_EQ(c->rows, 40);
  EXPECT_EQ(c->cols, 40);
  EXPECT_EQ(c->row_pitch_mm, 8.5);
  EXPECT_EQ(c->framing, MatrixFraming::header);
  EXPECT_EQ(c->sync, (std::vector<std::uint8_t>{0x5A, 0xA5}));
  EXPECT_EQ(c->checksum, MatrixChecksum::sum8_payload);
  EXPECT_EQ(c->value_type, ValueType::u16le);
  EXPECT_EQ(c->order, ScanOrder::col_major);
  EXPECT_EQ(c->max_raw, 1023u);
  EXPECT_EQ(c->baud, 250000u);
  EXPECT_EQ(c->usb_vid, 0x1a86);
  EXPECT_EQ(c->usb_pid, 0x7523);
  EXPECT_EQ(c->units, PressureUnits::counts);
  EXPECT_EQ(c->facts.wire_format, FactSource::measured);
  EXPECT_EQ(c->facts.rate, FactSource::guessed);
  EXPECT_EQ(c->facts.sources, std::vector<std::string>{"our firmware, rev 3"});
  EXPECT_EQ(provenance_summary(*c),
            "wire format measured, values measured, geometry measured, rate guessed; sources: our firmware, "
            "rev 3. pitch measured with a ruler");
  auto info = make_matrix_protocol(*c);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->usb_vid, 0x1a86);
  EXPECT_EQ(info->streams.at(0).attributes.at("provenance"), provenance_summary(*c));
  // Written back, it reads as the same device.
  auto again = parse_device_description(to_device_description(*c), "again");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(to_device_description(*again), to_device_description(*c));
  // Field by field, what was written is what was read.
  EXPECT_EQ(again->usb_vid, 0x1a86);
  EXPECT_EQ(again->usb_pid, 0x7523);
  EXPECT_EQ(again->sync, c->sync);
  EXPECT_EQ(again->order, ScanOrder::col_major);
  EXPECT_EQ(again->row_pitch_mm, 8.5);
  EXPECT_EQ(again->baud, 250000u);
  EXPECT_EQ(again->facts.sources, c->facts.sources);
  EXPECT_EQ(again->provenance, "pitch measured with a ruler");
}

TEST(DeviceDescription, TheBuiltInDevicesAreDescriptionFiles) {
  const auto& files = builtin_device_descriptions();
  // The matrix presets and the devices of the built-in codecs (Sensel, Fisica).
  ASSERT_EQ(files.size(), builtin_devices().size());
  EXPECT_EQ(files.size(), matrix_presets().size() + 4);
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto c = parse_device_description(files[i].second, files[i].first);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(files[i].first, c->name + ".json");
    EXPECT_EQ(builtin_devices()[i].name, c->name);
    EXPECT_EQ(protocols().at(i).name, c->name);  // the registry lists them in this order
    // Every built-in says where its facts come from.
    EXPECT_FALSE(c->facts.sources.empty()) << c->name;
    auto again = parse_device_description(to_device_description(*c), "again");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(to_device_description(*again), to_device_description(*c)) << c->name;
  }
  // Two of them by hand, against their public descriptions (docs/devices.md, section 4.3).
  const MatrixCodecConfig* m1616 = nullptr;
  const MatrixCodecConfig* insole18 = nullptr;
  for (const auto& c : matrix_presets()) {
    if (c.name == "m1616") m1616 = &c;
    if (c.name == "insole18_uart") insole18 = &c;
  }
  ASSERT_TRUE(m1616 && insole18);
  const auto esp32 = std::find_if(matrix_presets().begin(), matrix_presets().end(),
                                  [](const MatrixCodecConfig& c) { return c.name == "esp32_tile32"; });
  ASSERT_NE(esp32, matrix_presets().end());
  EXPECT_EQ(esp32->text_separator, ',');
  EXPECT_EQ(esp32->order, ScanOrder::col_major);
  EXPECT_EQ(esp32->cells(), 1024);
  EXPECT_EQ(m1616->sync, (std::vector<std::uint8_t>{0xAA, 0xAB, 0xAC}));
  EXPECT_EQ(m1616->value_type, ValueType::u16be);
  EXPECT_EQ(m1616->trailer_bytes, 4u);
  EXPECT_EQ(m1616->cells(), 256);
  EXPECT_TRUE(insole18->foot_byte);
  EXPECT_EQ(insole18->checksum, MatrixChecksum::sum8_all);
  EXPECT_EQ(insole18->rows, 18);
  EXPECT_TRUE(insole18->sensor_set);
  EXPECT_EQ(insole18->raw_unit, "g");
  EXPECT_EQ(insole18->facts.geometry, FactSource::unknown);
}

// Replaces the first occurrence of `from` in the clinic mat's text.
std::string edited(const std::string& from, const std::string& to) {
  std::string s = kClinicMat;
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(DeviceDescription, ErrorsNameTheFileAndTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {edited("\"device\":", "\"devise\": 1, \"device\":"), "clinic_mat.json: field 'devise': unknown field"},
      {edited("\"checksum\"", "\"checksun\""), "field 'framing.checksun': unknown field"},
      {edited("\"sum8_payload\"", "\"crc32\""), "field 'framing.checksum': \"crc32\" is not one of none, sum8_all"},
      {edited("\"5A A5\"", "\"5A G5\""), "field 'framing.sync': \"G5\" is not a byte"},
      {edited("\"5A A5\"", "\"5AA5\""), "field 'framing.sync': \"5AA5\" is not a byte"},
      {edited("\"clinic_mat\"", "\"Clinic Mat\""), "field 'name': \"Clinic Mat\": use 1..40 lower-case"},
      {edited("250000", "20000000"), "field 'transport.baud': must be between 50 and 12000000, got 20000000"},
      {edited("250000", "\"fast\""), "field 'transport.baud': expected an integer, found string"},
      {edited("\"1a86:7523\"", "\"1a86-7523\""), "field 'transport.usb': \"1a86-7523\": expected the USB"},
      {edited("\"insole-device\"", "\"insole-calibration\""), "field 'format': expected \"insole-device\""},
      {edited("\"format_version\": 1", "\"format_version\": 2"), "this program reads version 1, the file is version 2"},
      {edited("\"kind\": \"grid\"", "\"kind\": \"hexagons\""), "field 'layout.kind': \"hexagons\" is not one of grid, sensors"},
      {edited("[8.5, 8.5]", "[8.5, -1]"), "field 'layout.pitch_mm': each pitch must be in (0, 1000] mm"},
      {edited("[8.5, 8.5]", "[8.5]"), "field 'layout.pitch_mm': expected [row pitch, column pitch] in mm"},
      {edited("\"rows\": 40", "\"rows\": 0"), "field 'layout.rows': must be between 1 and 4096, got 0"},
      {edited("\"rate\": \"guessed\"", "\"rate\": \"probably\""), "field 'provenance.rate': \"probably\" is not one of"},
      {edited("\"rate\": \"guessed\", ", ""), "field 'provenance.rate': missing"},
      {edited("\"frame_rate_hz\": 40", "\"frame_rate_hz\": 0"), "field 'frame_rate_hz': must be between 0.01 and 10000"},
      {edited("\"max_raw\": 1023", "\"max_raw\": 70000"), "matrix codec 'clinic_mat': fields 'values.max_raw' and 'values.type': max_raw does not fit the value type"},
      {edited("\"header\"", "\"poll_raw\""), "matrix codec 'clinic_mat': fields 'framing.type' and 'framing.checksum': foot byte, trailer, checksum"},
      {edited("\"stream\": {\"name\": \"mat\", \"side\": \"both\"},", "\"calibration\": {\"units\": \"kPa\"},"),
       "field 'calibration.kpa_per_count': missing"},
      {edited("\"stream\": {\"name\": \"mat\", \"side\": \"both\"},", "\"calibration\": {\"kpa_per_count\": 2},"),
       "field 'calibration.units': a calibration (zero_counts, kpa_per_count) needs \"units\": \"kPa\""},
      {edited("\"sum8_payload\"}", "\"sum8_payload\", \"foot_byte\": true}"),
       "field 'stream.name': a device with a foot byte has the streams left and right"},
      {"[1, 2]", "clinic_mat.json: a device description is a JSON object"},
      {"{\"format\": \"insole-device\",", "clinic_mat.json: not valid JSON"},
  };
  for (const auto& [text, expected] : cases) {
    auto c = parse_device_description(text, "clinic_mat.json");
    ASSERT_FALSE(c) << "accepted, expected: " << expected;
    EXPECT_EQ(c.error().code, Errc::format_error);
    EXPECT_NE(c.error().message.find(expected), std::string::npos) << c.error().message << "\n  expected: " << expected;
  }
}

TEST(DeviceDescription, HostileTextIsRefusedWithoutHarm) {
  const std::string good = kClinicMat;
  // Every cut of the file is refused (a description is one JSON object), none crashes.
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto c = parse_device_description(good.substr(0, n), "cut.json");
    EXPECT_FALSE(c) << "a file cut at byte " << n << " was accepted";
  }
  // Seeded byte damage: parsed or refused, never anything else; what parses still validates.
  std::mt19937 rng(13);
  for (int i = 0; i < 3000; ++i) {
    std::string s = good;
    const int flips = 1 + int(rng() % 4);
    for (int k = 0; k < flips; ++k) s[rng() % s.size()] = char(rng() % 256);
    auto c = parse_device_description(s, "damaged.json");
    if (c) {
      EXPECT_TRUE(c->validate());
    }
  }
  EXPECT_FALSE(parse_device_description(std::string(200000, '['), "deep.json"));
  auto big = parse_device_description(std::string(kMaxDeviceFileBytes + 1, ' '), "big.json");
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("larger than"), std::string::npos);
  auto nul = parse_device_description(edited("\"Clinic 40x40 resistive mat\"", "\"Clinic\\u0000mat\""), "nul.json");
  ASSERT_FALSE(nul);
  EXPECT_NE(nul.error().message.find("field 'device': contains a NUL"), std::string::npos) << nul.error().message;
}

// Sets an environment variable for the scope of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(DeviceDescription, TheSearchPath) {
  {
    ScopedEnv path("INSOLE_DEVICE_PATH", "/a/devices::/b/devices");
    EXPECT_EQ(device_search_path(), (std::vector<std::filesystem::path>{"/a/devices", "/b/devices"}));
  }
  ScopedEnv path("INSOLE_DEVICE_PATH", nullptr);
  {
    ScopedEnv xdg("XDG_CONFIG_HOME", "/home/clinic/.cfg");
    EXPECT_EQ(device_search_path(),
              (std::vector<std::filesystem::path>{"/home/clinic/.cfg/insole/devices", "/etc/insole/devices"}));
  }
  ScopedEnv xdg("XDG_CONFIG_HOME", nullptr);
  ScopedEnv home("HOME", "/home/clinic");
  EXPECT_EQ(device_search_path(),
            (std::vector<std::filesystem::path>{"/home/clinic/.config/insole/devices", "/etc/insole/devices"}));
}

TEST(DeviceDescription, AClinicsFilesLoadAndTheBadOnesAreNamed) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "first");
  std::filesystem::create_directories(dir / "second");
  std::ofstream(dir / "first" / "clinic_mat.json") << kClinicMat;
  std::ofstream(dir / "first" / "broken.json") << "{\"format\": ";
  std::ofstream(dir / "first" / "notes.txt") << "not a description";
  std::ofstream(dir / "first" / "m1616.json") << edited("\"clinic_mat\"", "\"m1616\"");
  std::ofstream(dir / "second" / "clinic_mat.json") << kClinicMat;
  std::ofstream(dir / "second" / "other_mat.json") << edited("\"clinic_mat\"", "\"other_mat\"");
  ScopedEnv path("INSOLE_DEVICE_PATH", ((dir / "first").string() + ":" + (dir / "second").string()).c_str());
  UserDevices u = load_user_devices({"m1616"});
  ASSERT_EQ(u.devices.size(), 2u);
  EXPECT_EQ(u.devices[0].name, "clinic_mat");
  EXPECT_EQ(u.files[0], dir / "first" / "clinic_mat.json");
  EXPECT_EQ(u.devices[1].name, "other_mat");
  ASSERT_EQ(u.problems.size(), 3u);
  std::string all;
  for (const auto& e : u.problems) all += e.message + "\n";
  EXPECT_NE(all.find((dir / "first" / "broken.json").string() + ": not valid JSON"), std::string::npos) << all;
  EXPECT_NE(all.find("device \"m1616\" is already defined (built in)"), std::string::npos) << all;
  EXPECT_NE(all.find("device \"clinic_mat\" is already defined by " + (dir / "first" / "clinic_mat.json").string()),
            std::string::npos)
      << all;
}

// The 18-point insole's wire format (insole18_uart) with the cell positions and areas a clinic
// declared (measured on its insoles), and grams converted to kPa through each cell's area.
std::string declared_insole18(const std::string& layout_extra) {
  std::string positions;
  if (layout_extra.empty()) {
    positions = ", \"positions\": [";
    for (int i = 0; i < 18; ++i)
      positions += (i ? ", " : "") + std::string("[") + std::to_string(10 + (i % 3) * 15) + ", " +
                   std::to_string(20 + (i / 3) * 40) + ", " + (i == 0 ? "150" : "120") + "]";
    positions += "]";
  } else {
    positions = layout_extra;
  }
  return R"({"format": "insole-device", "format_version": 1, "name": "clinic_insole18",
    "description": "18-point insole with our measured cell layout", "frame_rate_hz": 50,
    "transport": {"baud": 115200},
    "framing": {"type": "header", "sync": "AA", "foot_byte": true, "checksum": "sum8_all"},
    "values": {"type": "u16be", "max_raw": 4095, "raw_unit": "g"},
    "layout": {"kind": "sensors", "count": 18)" + positions + R"(},
    "calibration": {"units": "kPa", "from": "grams_per_cell"},
    "provenance": {"wire_format": "documented", "values": "documented", "geometry": "measured", "rate": "guessed"}})";
}

TEST(DeviceDescription, DeclaredCellPositionsAndGramsOverEachCellsArea) {
  auto c = parse_device_description(declared_insole18(""), "clinic_insole18.json");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->grams_per_cell);
  ASSERT_EQ(c->positions.rows(), 18);
  auto streams = matrix_streams(*c);
  ASSERT_TRUE(streams) << streams.error().message;
  ASSERT_EQ(streams->size(), 2u);
  const SensorLayout& left = (*streams)[0].layout;
  const SensorLayout& right = (*streams)[1].layout;
  EXPECT_TRUE(left.has_geometry());
  EXPECT_EQ(left.centres_mm()(4, 0), 25.0);  // sensor 4: column 1 (10 + 15 mm), row 1 (20 + 40 mm)
  EXPECT_EQ(left.centres_mm()(4, 1), 60.0);
  EXPECT_EQ(right.centres_mm()(4, 0), -25.0);  // the right insole is the mirror image
  EXPECT_EQ(right.centres_mm()(4, 1), 60.0);
  EXPECT_EQ(left.areas_mm2()[0], 150.0);
  EXPECT_EQ(right.areas_mm2()[0], 150.0);
  EXPECT_EQ((*streams)[0].units, PressureUnits::kpa);

  // A left frame by hand: AA 01, sensor 0 = 1000 g (03 E8), the others 0, then the sum of bytes
  // 0..37: AA + 01 + 03 + E8 = 0x196, low byte 96.
  std::vector<std::uint8_t> wire = {0xAA, 0x01, 0x03, 0xE8};
  wire.resize(2 + 36, 0x00);
  wire.push_back(0x96);
  MatrixDecoder d(*c);
  std::vector<PressureFrame> out;
  d.feed(wire, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(d.stats().checksum_errors, 0u);
  // 1000 g on 150 mm^2: 1000 * 9.80665 / 150 = 65.3777 kPa; 0 g elsewhere.
  EXPECT_FLOAT_EQ(out[0].pressure_kpa[0], float(1000.0 * 9.80665 / 150.0));
  EXPECT_EQ(out[0].pressure_kpa.tail(17).maxCoeff(), 0.0f);
  // The device model sends the grams back: 65.3777 kPa on sensor 0 is 1000 g again.
  MatrixDeviceModel dev(*c);
  std::vector<std::uint8_t> sent;
  PressureFrame f;
  f.pressure_kpa = Eigen::VectorXf::Zero(18);
  f.pressure_kpa[0] = out[0].pressure_kpa[0];
  dev.encode_frame(f, sent);
  EXPECT_EQ(sent, wire);

  auto again = parse_device_description(to_device_description(*c), "again");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->positions, c->positions);
  EXPECT_EQ(to_device_description(*again), to_device_description(*c));
}

TEST(DeviceDescription, APositionsFileBesideTheDescription) {
  test::TempDir dir;
  {
    std::ofstream csv(dir / "left18.csv");
    csv << "# our insole, size 42, measured 2026-12-01\nx_mm, y_mm, area_mm2\n";
    for (int i = 0; i < 18; ++i) csv << (10 + (i % 3) * 15) << ", " << (20 + (i / 3) * 40) << ", " << (i == 0 ? 150 : 120) << "\r\n";
  }
  std::ofstream(dir / "insole.json") << declared_insole18(", \"positions_file\": \"left18.csv\"");
  auto from_file = read_device_description(dir / "insole.json");
  ASSERT_TRUE(from_file) << from_file.error().message;
  auto inline_ = parse_device_description(declared_insole18(""), "inline.json");
  ASSERT_TRUE(inline_);
  EXPECT_EQ(from_file->positions, inline_->positions);

  auto refused = [&](const std::string& csv, const std::string& expected) {
    std::ofstream(dir / "left18.csv") << csv;
    auto r = read_device_description(dir / "insole.json");
    ASSERT_FALSE(r) << expected;
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  };
  refused("x,y,area\n", "field 'layout.positions_file': " + (dir / "left18.csv").string() + " line 1: expected the header");
  refused("x_mm,y_mm,area_mm2\n1,2,3\n", "field 'layout.positions_file': 1 positions for 18 sensors");
  refused("x_mm,y_mm,area_mm2\n1,2\n", "line 2: expected 3 numbers");
  refused("x_mm,y_mm,area_mm2\n1,2,3,4\n", "line 2: expected 3 numbers");
  refused("x_mm,y_mm,area_mm2\n1,2,3,\n", "line 2: expected 3 numbers");
  refused("x_mm,y_mm,area_mm2\n1,two,3\n", "line 2: \"two\" is not a number");
  refused("", "empty (expected the header");
  std::string zero_area = "x_mm,y_mm,area_mm2\n";
  for (int i = 0; i < 18; ++i) zero_area += "1,2," + std::string(i == 5 ? "0" : "100") + "\n";
  refused(zero_area, "field 'layout.positions_file': " + (dir / "left18.csv").string() +
                         " line 7: sensor 5: area must be between 0.01 and 1e6 mm^2");
  std::string far = "x_mm,y_mm,area_mm2\n";
  for (int i = 0; i < 18; ++i) far += std::string(i == 2 ? "20000" : "1") + ",2,100\n";
  refused(far, " line 4: sensor 2: position must be within 10 m (1e4 mm) of the origin");
  // The same rule for positions given inline, naming the element.
  std::string inline_far = declared_insole18("");
  const std::string third = "[40, 20, 120]";
  ASSERT_NE(inline_far.find(third), std::string::npos);
  inline_far.replace(inline_far.find(third), third.size(), "[40, -20000, 120]");
  auto r = parse_device_description(inline_far, "far.json");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("far.json: field 'layout.positions': element 2: position must be within 10 m"),
            std::string::npos)
      << r.error().message;
  std::filesystem::remove(dir / "left18.csv");
  auto missing = read_device_description(dir / "insole.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("left18.csv: cannot read"), std::string::npos) << missing.error().message;
  // Text without a file has no directory to read a positions file from.
  auto no_dir = parse_device_description(declared_insole18(", \"positions_file\": \"left18.csv\""), "text");
  ASSERT_FALSE(no_dir);
  EXPECT_NE(no_dir.error().message.find("read relative to its description file"), std::string::npos);
  // Grams need areas: without positions the description is refused.
  auto no_areas = parse_device_description(declared_insole18(" "), "no_areas.json");
  ASSERT_FALSE(no_areas);
  EXPECT_NE(no_areas.error().message.find("grams per cell become kPa through the cells' areas"), std::string::npos)
      << no_areas.error().message;
}

}  // namespace
}  // namespace insole::drivers
