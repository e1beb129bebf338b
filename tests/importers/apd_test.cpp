#include "insole/importers/apd.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "importer_test_util.hpp"
#include "support/temp_dir.hpp"

namespace insole::test {
namespace {

TEST(Apd, ReadsFootprintAndDropsCustomerNames) {
  auto rec = parse("apd", seed("apd/apd_small.apd"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  const Stream& s = rec->streams[0];
  EXPECT_EQ(s.info.name, "footprint");
  EXPECT_EQ(s.info.layout.rows(), 3);  // SensCountX
  EXPECT_EQ(s.info.layout.cols(), 4);  // SensCountY
  EXPECT_DOUBLE_EQ(s.info.layout.row_pitch_mm(), 8.46591);
  ASSERT_EQ(s.frame_count(), 1);
  EXPECT_FLOAT_EQ(s.pressure_kpa(0, 0), 0.0f);    // -1 = no contact
  EXPECT_FLOAT_EQ(s.pressure_kpa(0, 1), 55.0f);   // 5.5 N/cm2 x 10
  EXPECT_FLOAT_EQ(s.pressure_kpa(0, 6), 315.0f);  // 31.5 N/cm2
  for (const auto& [k, v] : s.info.attributes) EXPECT_EQ(k.find("Customer"), std::string::npos) << k;
  EXPECT_EQ(s.info.attributes.at("header.Technical.StartSensX"), "147");
}

TEST(Apd, MalformedFiles) {
  const std::string good = seed("apd/apd_small.apd");
  EXPECT_TRUE(is_format_error_at(parse("apd", replace_all(good, "SensCountX=3", "SensCountX=4000")), 22));
  EXPECT_TRUE(is_format_error_at(parse("apd", replace_all(good, "SensCountX=3", "SensCountX=2")), 22));
  EXPECT_TRUE(is_format_error_at(parse("apd", replace_all(good, "SensCountY=4", "SensCountY=5")), 23));
  EXPECT_TRUE(is_format_error_at(parse("apd", replace_all(good, "-1\t5.5", "-2\t5.5")), 23));
  EXPECT_TRUE(is_format_error_at(parse("apd", replace_all(good, "LDistX=8.46591", "LDistX=0")), 19));
  EXPECT_TRUE(is_format_error_at(parse("apd", replace_all(good, "[General]", "General")), 1));
}

Recording two_frame_grid() {
  Recording rec;
  Stream s;
  s.info.name = "mat";
  s.info.layout = SensorLayout::grid(4, 5, 5.0, 7.5).value();
  s.time_s = Eigen::VectorXd::LinSpaced(2, 0.0, 0.01);
  s.pressure_kpa = FrameMatrix::Zero(2, 20);
  s.pressure_kpa(0, s.info.layout.index(1, 1)) = 100.0f;
  s.pressure_kpa(1, s.info.layout.index(1, 1)) = 250.0f;  // the maximum: 25.0 N/cm2
  s.pressure_kpa(1, s.info.layout.index(2, 3)) = 12.0f;   // 1.2 N/cm2
  rec.streams.push_back(std::move(s));
  return rec;
}

TEST(ApdExport, WritesCroppedMaximumFootprint) {
  std::ostringstream out;
  ASSERT_TRUE(importers::export_apd(two_frame_grid(), out).ok());
  const std::string text = out.str();
  EXPECT_NE(text.find("StartSensX=1\nStartSensY=1\nSensCountX=2\nSensCountY=3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("LDistX=5.00000\nLDistY=7.50000\n"), std::string::npos);
  EXPECT_NE(text.find("[Data]\n25.0\t-1\t-1\n-1\t-1\t1.2\n"), std::string::npos) << text;
  // What we write reads back as the same footprint.
  auto back = parse("apd", text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_FLOAT_EQ(back->streams[0].pressure_kpa(0, 0), 250.0f);
  EXPECT_FLOAT_EQ(back->streams[0].pressure_kpa(0, 5), 12.0f);
}

TEST(ApdExport, RefusesWhatHasNoFootprint) {
  Recording sensors;
  Stream s;
  s.info.name = "left";
  s.info.layout = SensorLayout::sensors(Eigen::MatrixX2d::Zero(2, 2), Eigen::VectorXd::Ones(2)).value();
  s.time_s = Eigen::VectorXd::Zero(1);
  s.pressure_kpa = FrameMatrix::Ones(1, 2);
  sensors.streams.push_back(s);
  std::ostringstream out;
  auto st = importers::export_apd(sensors, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::unsupported);

  Recording empty = two_frame_grid();
  empty.streams[0].pressure_kpa.setZero();
  st = importers::export_apd(empty, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::no_data);
}

TEST(ApdExport, FileIsReplacedOnlyBySuccess) {
  TempDir dir;
  const auto path = dir / "foot.apd";
  { std::ofstream(path) << "previous content\n"; }
  Recording empty = two_frame_grid();
  empty.streams[0].pressure_kpa.setZero();
  EXPECT_FALSE(importers::export_apd(empty, path).ok());
  EXPECT_EQ(read_bytes(path), "previous content\n");  // untouched by the failure
  ASSERT_TRUE(importers::export_apd(two_frame_grid(), path).ok());
  EXPECT_EQ(read_bytes(path).rfind("[General]", 0), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir / "foot.apd.tmp-insole"));
}

}  // namespace
}  // namespace insole::test
