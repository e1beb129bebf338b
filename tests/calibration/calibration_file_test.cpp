// The calibration file: round trip, and truncated, corrupted and hostile files rejected with an
// error that names the field; a failed write leaves the old file as it was.
#include "insole/calibration/calibration_file.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace insole {
namespace {

Calibration sample() {
  Calibration c;
  c.device_serial = "FSCAN-116-1974-1";
  c.stream = "left";
  c.method = "body_weight_walking";
  c.date = "2026-12-05";
  c.source = "walk.h5, 75 kg";
  c.coefficients = {5.94011};
  c.residuals_kpa = {0.25};
  c.body_mass_kg = 75.0;
  c.zero_counts = Eigen::VectorXd::Constant(3, 1.5);
  c.gain = (Eigen::VectorXd(3) << 1.0, 0.5, 2.0).finished();
  return c;
}

std::string error_of(const std::string& text) {
  auto r = calibration::from_json(text, "cal.json");
  return r ? std::string("(accepted)") : r.error().message;
}

TEST(CalibrationFile, RoundTrip) {
  test::TempDir dir;
  const auto path = calibration::file_for_serial(dir.path(), "FSCAN-116-1974-1").value();
  ASSERT_TRUE(calibration::write_file(sample(), path));
  auto back = calibration::read_file(path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->device_serial, "FSCAN-116-1974-1");
  EXPECT_EQ(back->method, "body_weight_walking");
  EXPECT_EQ(back->coefficients, std::vector<double>{5.94011});
  EXPECT_EQ(back->gain, sample().gain);
  EXPECT_EQ(back->zero_counts, sample().zero_counts);
  EXPECT_EQ(back->body_mass_kg, 75.0);
}

TEST(CalibrationFile, SerialNumbersNeverLeaveTheDirectory) {
  const std::filesystem::path dir = "/cal";
  EXPECT_EQ(calibration::file_for_serial(dir, "../../etc/passwd").value(), dir / ".._.._etc_passwd.json");
  EXPECT_EQ(calibration::file_for_serial(dir, "..").value(), dir / "__.json");
  EXPECT_EQ(calibration::file_for_serial(dir, "SN 12/3").value(), dir / "SN_12_3.json");
  EXPECT_FALSE(calibration::file_for_serial(dir, ""));
}

TEST(CalibrationFile, HostileFilesNameTheField) {
  const std::string good = calibration::to_json(sample());
  ASSERT_EQ(error_of(good), "(accepted)");
  // Truncated at every tenth byte: never accepted, never a crash.
  for (std::size_t n = 0; n + 1 < good.size(); n += 10) EXPECT_NE(error_of(good.substr(0, n)), "(accepted)") << n;
  auto field = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    const auto at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return error_of(t.replace(at, from.size(), to));
  };
  EXPECT_NE(field("\"format\": \"insole-calibration\"", "\"format\": \"x\"").find("'format'"), std::string::npos);
  EXPECT_NE(field("\"format_version\": 1", "\"format_version\": 2").find("'format_version'"), std::string::npos);
  EXPECT_NE(field("\"model\": \"linear\"", "\"model\": \"quintic\"").find("'model'"), std::string::npos);
  EXPECT_NE(field("5.94011", "-5.9").find("'coefficients'"), std::string::npos);
  EXPECT_NE(field("5.94011", "\"5.9\"").find("'coefficients'"), std::string::npos);
  EXPECT_NE(field("5.94011", "5.9, 2").find("'coefficients'"), std::string::npos);
  EXPECT_NE(field("\"device_serial\": \"FSCAN-116-1974-1\"", "\"device_serial\": 7").find("'device_serial'"),
            std::string::npos);
  EXPECT_NE(field("\"body_mass_kg\": 75.0", "\"body_mass_kg\": -3").find("'body_mass_kg'"), std::string::npos);
  EXPECT_NE(field("\"body_mass_kg\": 75.0", "\"bodymass\": 75").find("'bodymass'"), std::string::npos);
  EXPECT_NE(field("0.5", "0.0").find("'gain'"), std::string::npos);
  EXPECT_NE(error_of("[1, 2]").find("JSON object"), std::string::npos);
  EXPECT_NE(error_of(std::string(100000, '[')), "(accepted)");
  EXPECT_NE(error_of("{\"format\": \"insole-calibration\", \"format_version\": 1e400}"), "(accepted)");
  EXPECT_NE(error_of(std::string("{\"a\":\"\xff\"}")), "(accepted)");
}

TEST(CalibrationFile, FailedWriteKeepsTheOldFile) {
  test::TempDir dir;
  const auto path = dir / "SN1.json";
  Calibration c = sample();
  ASSERT_TRUE(calibration::write_file(c, path));
  c.coefficients = {0.0};  // invalid: nothing is written
  EXPECT_FALSE(calibration::write_file(c, path));
  auto back = calibration::read_file(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->coefficients, std::vector<double>{5.94011});
  EXPECT_EQ(calibration::read_file(dir / "absent.json").error().code, Errc::not_found);
}

TEST(CalibrationFile, OversizedFileRefusedBeforeParsing) {
  test::TempDir dir;
  const auto path = dir / "big.json";
  {
    std::ofstream out(path);
    out << std::string(calibration::kMaxFileBytes + 1, ' ');
  }
  auto r = calibration::read_file(path);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("limit"), std::string::npos);
}

}  // namespace
}  // namespace insole
