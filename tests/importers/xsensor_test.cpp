#include "insole/importers/xsensor.hpp"

#include <gtest/gtest.h>

#include "importer_test_util.hpp"
#include "support/shared_data.hpp"

namespace insole::test {
namespace {

TEST(Xsensor, SyntheticFramesPerInsole) {
  auto rec = parse("xsensor", seed("xsensor/xsensor_small.csv"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 2u);
  const Stream& l = rec->streams[0];
  EXPECT_EQ(l.info.name, "left");
  EXPECT_EQ(rec->streams[1].info.side, Side::right);
  EXPECT_DOUBLE_EQ(l.info.layout.row_pitch_mm(), 8.6);
  ASSERT_EQ(l.frame_count(), 2);
  EXPECT_NEAR(l.time_s[1], 0.013, 1e-9);  // 08:21:17.995 - 08:21:17.982
  // 1 mmHg = 0.1333224 kPa, so 75 mmHg = 9.99918 kPa.
  EXPECT_NEAR(l.pressure_kpa(0, 1), 9.99918, 1e-4);
  EXPECT_NEAR(l.pressure_kpa(1, 1), 80 * 0.1333224, 1e-4);
  EXPECT_EQ(l.info.attributes.at("header.File"), "C:\\data\\walk,2022.XSN");  // quoted comma kept
}

TEST(Xsensor, MalformedGrids) {
  const std::string good = seed("xsensor/xsensor_small.csv");
  EXPECT_TRUE(is_format_error_at(parse("xsensor", replace_all(good, "0,75,150,", "0,75,,")), 29));
  EXPECT_TRUE(is_format_error_at(parse("xsensor", replace_all(good, "0,75,150,", "0,75,150,9,")), 29));
  EXPECT_TRUE(is_format_error_at(parse("xsensor", replace_all(good, "0,75,150,", "0,7y,150,")), 29));
  EXPECT_TRUE(is_format_error_at(parse("xsensor", replace_all(good, "Units:,mmHg", "Units:,furlongs")), 3));
  EXPECT_TRUE(is_format_error_at(parse("xsensor", replace_all(replace_all(good, "Rows,2,", "Rows,4096,"), "Columns,3,", "Columns,4096,")), 27));
}

TEST(XsensorRealData, InsoleSample) {
  INSOLE_REQUIRE_SHARED_DATA("pressure_vendor_samples/xsensor_data.csv");
  auto rec = importers::import_file(shared_data("pressure_vendor_samples/xsensor_data.csv"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 2u);
  for (const auto& s : rec->streams) {
    EXPECT_EQ(s.frame_count(), 101);
    EXPECT_EQ(s.info.layout.rows(), 31);
    EXPECT_EQ(s.info.layout.cols(), 11);
  }
  // First left frame: the export's own "Peak Pressure (mmHg),2674.44".
  const Stream& l = rec->streams[0];
  EXPECT_NEAR(l.pressure_kpa.row(0).maxCoeff(), 2674.44 * 0.1333224, 1e-3);
  // and "Est. Load (N),411.67": sum(p) x sensel area (0.86 cm)^2 agrees within 1 %.
  EXPECT_NEAR(total_force_n(l)[0], 411.67, 4.2);
}

}  // namespace
}  // namespace insole::test
