#include "insole/importers/novel.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "importer_test_util.hpp"
#include "support/shared_data.hpp"

namespace insole::test {
namespace {

TEST(Emed, SyntheticPagesBecomeFrames) {
  auto rec = parse("emed", seed("emed/emed_small.lst"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  const Stream& s = rec->streams[0];
  EXPECT_EQ(s.info.name, "plate");
  // The printed 2 x 3 window (rows 30-31, columns 26-28) placed in the whole "Matrix: 64x95"
  // (64 columns x 95 rows, numbered from 1): row 31 is plate row index 30, column 26 index 25.
  EXPECT_EQ(s.info.layout.rows(), 95);
  EXPECT_EQ(s.info.layout.cols(), 64);
  EXPECT_DOUBLE_EQ(s.info.layout.row_pitch_mm(), 5.0);  // "0.500x0.500 cm"
  ASSERT_EQ(s.frame_count(), 2);
  EXPECT_DOUBLE_EQ(s.time_s[1], 0.01);  // picture 2 at 10 ms/picture
  EXPECT_FLOAT_EQ(s.pressure_kpa(0, s.info.layout.index(30, 25)), 35.0f);
  EXPECT_FLOAT_EQ(s.pressure_kpa(0, s.info.layout.index(29, 26)), 10.0f);  // row 30, column 27
  EXPECT_FLOAT_EQ(s.pressure_kpa(0, s.info.layout.index(0, 0)), 0.0f);     // not printed: 0 kPa
  EXPECT_FLOAT_EQ(s.pressure_kpa(0, s.info.layout.index(94, 63)), 0.0f);
  EXPECT_FLOAT_EQ(s.pressure_kpa.row(0).sum(), 50.0f);  // 10 + 35 + 5 as printed: nothing added
  EXPECT_NE(s.info.attributes.at("window_placement").find("placed in the whole 64 x 95 matrix"), std::string::npos);
  EXPECT_EQ(s.info.attributes.at("window_first_row"), "30");
  EXPECT_EQ(s.info.attributes.at("window_first_col"), "26");
  // The header is ISO-8859-1 ("cm" + 0xB2); attributes are stored as UTF-8.
  EXPECT_EQ(s.info.attributes.at("header.Sensor area"), "0.25 cm\xc2\xb2");
}

// Without a usable "Matrix:" (absent, unreadable, huge, or too small for the printed numbers)
// the layout is the printed window, and says so.
TEST(Emed, WindowOnlyWhenTheMatrixCannotHoldIt) {
  const std::string good = seed("emed/emed_small.lst");
  for (const char* matrix : {"Matrix: 20x20 ", "Matrix: 27x95 ", "Matrix: 64 by 95", "Matrix: 99999x99999 ", "Matrix: "}) {
    auto rec = parse("emed", replace_all(good, "Matrix: 64x95 ", matrix));
    ASSERT_TRUE(rec.ok()) << matrix << ": " << rec.error().message;
    const Stream& s = rec->streams[0];
    EXPECT_EQ(s.info.layout.rows(), 2) << matrix;
    EXPECT_EQ(s.info.layout.cols(), 3) << matrix;
    EXPECT_FLOAT_EQ(s.pressure_kpa(0, s.info.layout.index(1, 0)), 35.0f) << matrix;
    EXPECT_NE(s.info.attributes.at("window_placement").find("printed window only"), std::string::npos) << matrix;
  }
  // 28 columns are just enough for columns 26-28 numbered from 1.
  auto tight = parse("emed", replace_all(good, "Matrix: 64x95 ", "Matrix: 28x31 "));
  ASSERT_TRUE(tight.ok()) << tight.error().message;
  EXPECT_EQ(tight->streams[0].info.layout.rows(), 31);
  EXPECT_EQ(tight->streams[0].info.layout.cols(), 28);
}

TEST(Emed, ForceMarginsCatchCorruptedValues) {
  // Row 31 of picture 1: 35 + 5 kPa x 0.25 cm2 = 1.00 N; 95 + 5 would be 2.50 N.
  const std::string bad = replace_all(seed("emed/emed_small.lst"), "31\t35.00", "31\t95.00");
  auto rec = parse("emed", bad);
  EXPECT_TRUE(is_format_error_at(rec, 12));
  EXPECT_NE(rec.error().message.find("row force"), std::string::npos);
}

TEST(Emed, MalformedTables) {
  const std::string good = seed("emed/emed_small.lst");
  EXPECT_TRUE(is_format_error_at(parse("emed", replace_all(good, "31\t35.00\t5.00\t0.00\t1.00", "31\t35.00\t5.00\t1.00")), 12));
  EXPECT_TRUE(is_format_error_at(parse("emed", replace_all(good, "\t26\t27\t28\tForce\n30\t0.00", "\t26\t28\t29\tForce\n30\t0.00")), 10));
  EXPECT_TRUE(is_format_error_at(parse("emed", good.substr(0, good.find("Force\t0.88"))), 13));
  EXPECT_TRUE(is_format_error_at(parse("emed", replace_all(good, "Time/picture:10.0 ms", "Time/picture:ten ms")), 5));
}

TEST(EmedRealData, PlateSample) {
  INSOLE_REQUIRE_SHARED_DATA("pressure_vendor_samples/emed_test.lst");
  auto rec = importers::import_file(shared_data("pressure_vendor_samples/emed_test.lst"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  const Stream& s = rec->streams[0];
  // pressuRe's own test expects 106 pictures and 506 sensels loaded at least once.
  EXPECT_EQ(s.frame_count(), 106);
  EXPECT_EQ(loaded_sensels(s), 506);
  // The printed window (rows 30..83, columns 26..47) in the whole 64 x 95 plate.
  EXPECT_EQ(s.info.layout.rows(), 95);
  EXPECT_EQ(s.info.layout.cols(), 64);
  EXPECT_EQ(s.info.attributes.at("window_first_row"), "30");
  EXPECT_EQ(s.info.attributes.at("window_first_col"), "26");
  EXPECT_DOUBLE_EQ(s.info.sample_rate_hz, 100.0);
}

TEST(Pedar, SyntheticLeftAndRightStreams) {
  auto rec = parse("pedar", seed("pedar/pedar_small.asc"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 2u);
  const Stream& l = rec->streams[0];
  const Stream& r = rec->streams[1];
  EXPECT_EQ(l.info.name, "left");
  EXPECT_EQ(r.info.side, Side::right);
  EXPECT_EQ(l.info.layout.sensor_count(), 3);
  EXPECT_FALSE(l.info.layout.has_geometry());  // pedar files carry no sensor positions
  EXPECT_TRUE(std::isnan(l.info.layout.areas_mm2()[0]));
  EXPECT_FLOAT_EQ(l.pressure_kpa(2, 1), 45.0f);
  EXPECT_FLOAT_EQ(r.pressure_kpa(0, 2), 2.5f);
  EXPECT_DOUBLE_EQ(l.time_s[0], 0.01);
  EXPECT_DOUBLE_EQ(l.info.sample_rate_hz, 100.0);
}

TEST(Pedar, MalformedRows) {
  const std::string good = seed("pedar/pedar_small.asc");
  EXPECT_TRUE(is_format_error_at(parse("pedar", replace_all(good, "\t 7.500\t\n", "\t\n")), 13));
  EXPECT_TRUE(is_format_error_at(parse("pedar", replace_all(good, " 42.500", " 4x.500")), 12));
  EXPECT_TRUE(is_format_error_at(parse("pedar", replace_all(good, "pressure values in  kPa", "pressure values in  furlongs")), 4));
  EXPECT_TRUE(is_format_error_at(parse("pedar", replace_all(good, "     0.02000", "     0.00500")), 12));
}

TEST(PedarRealData, InsoleSample) {
  INSOLE_REQUIRE_SHARED_DATA("pressure_vendor_samples/pedar_example.asc");
  auto rec = importers::import_file(shared_data("pressure_vendor_samples/pedar_example.asc"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 2u);
  // pressuRe's test: 1505 frames x 198 sensors (99 + 99).
  EXPECT_EQ(rec->streams[0].frame_count(), 1505);
  EXPECT_EQ(rec->streams[0].info.layout.sensor_count() + rec->streams[1].info.layout.sensor_count(), 198);
  EXPECT_FLOAT_EQ(rec->streams[0].pressure_kpa(0, 0), 32.5f);  // first value of the file
}

TEST(Pliance, SyntheticGeometryBlock) {
  auto rec = parse("pliance", seed("pliance/pliance_small.asc"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  const Stream& s = rec->streams[0];
  EXPECT_EQ(s.frame_count(), 2);  // MPP and MVP summary rows are not frames
  ASSERT_TRUE(s.info.layout.has_geometry());
  EXPECT_NEAR(s.info.layout.centres_mm()(0, 0), 2.64, 1e-9);    // x[c] 0.2640 cm
  EXPECT_NEAR(s.info.layout.centres_mm()(2, 1), 262.14, 1e-9);  // y[c] 26.2140 cm
  EXPECT_NEAR(s.info.layout.areas_mm2()[1], 54.28, 1e-9);       // 0.5428 cm2
  EXPECT_FLOAT_EQ(s.pressure_kpa(1, 1), 12.5f);
  EXPECT_EQ(s.info.attributes.at("sensor_numbers"), "4,5,7");
}

TEST(Pliance, WithoutGeometryBlockGeometryIsUnknown) {
  std::string text = seed("pliance/pliance_small.asc");
  text = text.substr(0, text.find("sensor        4"));
  auto rec = parse("pliance", text);
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  EXPECT_FALSE(rec->streams[0].info.layout.has_geometry());
}

TEST(PlianceRealData, MatSample) {
  INSOLE_REQUIRE_SHARED_DATA("pressure_vendor_samples/pliance_test.asc");
  auto rec = importers::import_file(shared_data("pressure_vendor_samples/pliance_test.asc"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  const Stream& s = rec->streams[0];
  // pressuRe's test: 281 frames x 179 sensels loaded at least once.
  EXPECT_EQ(s.frame_count(), 281);
  EXPECT_EQ(loaded_sensels(s), 179);
  EXPECT_EQ(s.info.layout.sensor_count(), 812);
  EXPECT_TRUE(s.info.layout.has_geometry());
  EXPECT_NEAR(s.info.layout.areas_mm2()[0], 54.28, 1e-9);
}

}  // namespace
}  // namespace insole::test
