#include "insole/importers/tekscan.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "importer_test_util.hpp"
#include "support/shared_data.hpp"

namespace insole::test {
namespace {

TEST(Tekscan, SyntheticFscanHeaderMaskAndValues) {
  auto rec = parse("tekscan", seed("tekscan/fscan_small.asf"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 1u);
  const Stream& s = rec->streams[0];
  EXPECT_EQ(s.info.name, "insole");  // F-Scan, side unknown from the name "mem"
  EXPECT_EQ(s.info.side, Side::unknown);
  EXPECT_EQ(s.info.layout.rows(), 3);
  EXPECT_EQ(s.info.layout.cols(), 4);
  EXPECT_DOUBLE_EQ(s.info.layout.row_pitch_mm(), 5.08);
  EXPECT_DOUBLE_EQ(s.info.layout.col_pitch_mm(), 5.08);  // "0.508 cm"
  EXPECT_EQ(s.info.layout.present_count(), 7);           // 5 'B' cells of 12
  EXPECT_FALSE(s.info.layout.present()[0]);
  ASSERT_EQ(s.frame_count(), 2);
  EXPECT_DOUBLE_EQ(s.time_s[0], 0.0);
  EXPECT_DOUBLE_EQ(s.time_s[1], 0.032);  // (2 - START_FRAME 1) x SECONDS_PER_FRAME
  EXPECT_DOUBLE_EQ(s.info.sample_rate_hz, 1.0 / 0.032);
  EXPECT_TRUE(std::isnan(s.pressure_kpa(0, 0)));
  EXPECT_FLOAT_EQ(s.pressure_kpa(0, s.info.layout.index(1, 1)), 20.5f);
  EXPECT_FLOAT_EQ(s.pressure_kpa(1, s.info.layout.index(1, 3)), 3.0f);
  EXPECT_EQ(s.info.attributes.at("header.COMMENTS"), "first comment line\nsecond comment line");
  EXPECT_EQ(s.info.attributes.at("header.SATURATION_PRESSURE"), "1514.73 KPa");  // trimmed
  EXPECT_EQ(s.info.attributes.at("header.TIME"), "Thursday, 16 February 2017 11:26:22 a.m.");
  EXPECT_EQ(rec->meta.attributes.at("import.format"), "tekscan");
}

TEST(Tekscan, SideFromFileNameOrOption) {
  auto left = parse("tekscan", seed("tekscan/fscan_small.asf"), "walks/FrasP01L.asf");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->streams[0].info.name, "left");
  EXPECT_EQ(left->streams[0].info.side, Side::left);
  importers::ImportOptions o;
  o.side = Side::right;
  auto right = parse("tekscan", seed("tekscan/fscan_small.asf"), "walks/FrasP01L.asf", o);
  ASSERT_TRUE(right.ok());
  EXPECT_EQ(right->streams[0].info.name, "right");
  EXPECT_EQ(right->streams[0].info.attributes.at("side_source"), "option");
}

TEST(Tekscan, PsiConvertedAndFrameLineTimes) {
  auto rec = parse("tekscan", seed("tekscan/iscan_small.csv"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  const Stream& s = rec->streams[0];
  EXPECT_EQ(s.info.name, "sensor");
  EXPECT_DOUBLE_EQ(s.info.layout.row_pitch_mm(), 1.27);  // "0.127 centimeters"
  // 1 psi = 6.894757 kPa (NIST SP 811), so 2 psi = 13.789514 kPa.
  EXPECT_NEAR(s.pressure_kpa(0, 1), 13.789514, 1e-4);
  EXPECT_DOUBLE_EQ(s.time_s[2], 0.2);  // from "Frame 3, 0.2,, ..."
  EXPECT_EQ(s.info.attributes.at("header.VersaPogoFsx"), "0");
}

TEST(Tekscan, RawUnitsAreRefusedNotGuessed) {
  auto rec = parse("tekscan", replace_all(seed("tekscan/iscan_small.csv"), "UNITS PSI", "UNITS raw"));
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.error().code, Errc::unsupported);
  EXPECT_NE(rec.error().message.find("mem:12: "), std::string::npos) << rec.error().message;
}

TEST(Tekscan, MalformedInputNamesLineAndExpectation) {
  const std::string good = seed("tekscan/fscan_small.asf");
  // Line numbers refer to fscan_small.asf: ROWS on 4, COLS on 5, ASCII_DATA on 18, Frame 1 on 20.
  EXPECT_TRUE(is_format_error_at(parse("tekscan", replace_all(good, "ROWS 3\n", "")), 17));
  EXPECT_TRUE(is_format_error_at(parse("tekscan", replace_all(good, "ROWS 3", "ROWS 999999999")), 4));
  EXPECT_TRUE(is_format_error_at(parse("tekscan", replace_all(replace_all(good, "COLS 4", "COLS 4096"), "ROWS 3", "ROWS 4096")), 5));
  EXPECT_TRUE(is_format_error_at(parse("tekscan", replace_all(good, "ROWS 3", "ROWS 4")), 24));
  EXPECT_TRUE(is_format_error_at(parse("tekscan", replace_all(good, "0,20.5,30,0", "0,20.5,30")), 22));
  EXPECT_TRUE(is_format_error_at(parse("tekscan", replace_all(good, "0,20.5,30,0", "0,2x,30,0")), 22));
  EXPECT_TRUE(is_format_error_at(parse("tekscan", replace_all(good, "END_FRAME 2", "END_FRAME 3")), 29));
  EXPECT_TRUE(is_format_error_at(parse("tekscan", replace_all(good, "Frame 2", "Frame 1")), 25));
  EXPECT_TRUE(is_format_error_at(parse("tekscan", replace_all(good, "ROW_SPACING 5.08 mm", "ROW_SPACING 5.08 furlongs")), 6));
  EXPECT_TRUE(is_format_error_at(parse("tekscan", good.substr(0, good.size() - 3)), 29));  // no "@@"
  EXPECT_TRUE(is_format_error_at(parse("tekscan", good.substr(0, good.find("B,5,B,B"))), 23));
  EXPECT_TRUE(is_format_error_at(parse("tekscan", ""), 1));
}

TEST(TekscanRealData, FscanWalkShapeForceAndPressure) {
  INSOLE_REQUIRE_SHARED_DATA("tekscan_fscan_footpress/FrasP01L.asf");
  auto l = importers::import_file(shared_data("tekscan_fscan_footpress/FrasP01L.asf"));
  auto r = importers::import_file(shared_data("tekscan_fscan_footpress/FrasP01R.asf"));
  ASSERT_TRUE(l.ok()) << l.error().message;
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Stream& ls = l->streams[0];
  const Stream& rs = r->streams[0];
  EXPECT_EQ(ls.info.name, "left");
  EXPECT_EQ(rs.info.name, "right");
  EXPECT_EQ(ls.frame_count(), 205);
  EXPECT_EQ(ls.info.layout.rows(), 60);
  EXPECT_EQ(ls.info.layout.cols(), 21);
  EXPECT_EQ(ls.info.layout.present_count(), 955);  // README §1: the same 955 cells in every frame
  EXPECT_NEAR(ls.time_s[204], 204 * 0.032, 1e-12);
  // Values from ../shared/data/README.md §1 (computed there from the file, force = sum p x
  // 25.8064 mm2): peak 924 N (L, frame 9), 784 N (R, frame 64); peak pressure 760 / 447 kPa;
  // maximum contact area 99 / 124 cm2.
  const Eigen::VectorXd fl = total_force_n(ls), fr = total_force_n(rs);
  Eigen::Index il = 0, ir = 0;
  EXPECT_NEAR(fl.maxCoeff(&il), 924.0, 0.5);
  EXPECT_NEAR(fr.maxCoeff(&ir), 784.0, 0.5);
  EXPECT_EQ(il + 1, 9);
  EXPECT_EQ(ir + 1, 64);
  EXPECT_FLOAT_EQ(max_kpa(ls), 760.0f);
  EXPECT_FLOAT_EQ(max_kpa(rs), 447.0f);
  auto max_area_cm2 = [](const Stream& s) {
    double best = 0;
    for (Eigen::Index f = 0; f < s.frame_count(); ++f) {
      int n = 0;
      for (Eigen::Index c = 0; c < s.pressure_kpa.cols(); ++c) n += s.pressure_kpa(f, c) > 0 ? 1 : 0;
      best = std::max(best, n * 25.8064 / 100.0);
    }
    return best;
  };
  EXPECT_NEAR(max_area_cm2(ls), 99.0, 0.5);
  EXPECT_NEAR(max_area_cm2(rs), 124.0, 0.5);
}

// 1-based frames where total force crosses 50 N: "+N" first frame at or above, "-N" first below.
std::vector<int> crossings(const Stream& s) {
  const Eigen::VectorXd f = total_force_n(s);
  std::vector<int> out;
  for (Eigen::Index i = 1; i < f.size(); ++i)
    if ((f[i] >= 50.0) != (f[i - 1] >= 50.0)) out.push_back(f[i] >= 50.0 ? int(i + 1) : -int(i + 1));
  return out;
}

TEST(TekscanRealData, StancePhasesMatchTheListedFrames) {
  INSOLE_REQUIRE_SHARED_DATA("tekscan_fscan_footpress/FrasP01L.asf");
  auto l = importers::import_file(shared_data("tekscan_fscan_footpress/FrasP01L.asf"));
  auto r = importers::import_file(shared_data("tekscan_fscan_footpress/FrasP01R.asf"));
  ASSERT_TRUE(l.ok() && r.ok());
  // ../shared/data/README.md §1, stance on/off frames with a 50 N threshold:
  // L starts in stance, off 15, on 30, off 52, on 66, off 87, on 101, off 123, on 137, off 158,
  // on 172, off 196; R on 10, off 35, on 48, off 70, on 84, off 105, on 119, off 141, on 154,
  // off 177, on 190.
  EXPECT_GE(total_force_n(l->streams[0])[0], 50.0);
  EXPECT_EQ(crossings(l->streams[0]),
            (std::vector<int>{-15, 30, -52, 66, -87, 101, -123, 137, -158, 172, -196}));
  EXPECT_EQ(crossings(r->streams[0]),
            (std::vector<int>{10, -35, 48, -70, 84, -105, 119, -141, 154, -177, 190}));
}

TEST(TekscanRealData, CrlfAndLfCopiesGiveIdenticalFrames) {
  INSOLE_REQUIRE_SHARED_DATA("tekscan_fscan_footpress/FrasP01L.asf");
  INSOLE_REQUIRE_SHARED_DATA("pressure_vendor_samples/fscan_testL.asf");
  const std::string crlf = read_bytes(shared_data("tekscan_fscan_footpress/FrasP01L.asf"));
  const std::string lf = read_bytes(shared_data("pressure_vendor_samples/fscan_testL.asf"));
  ASSERT_NE(crlf.find("\r\n"), std::string::npos);  // the pair really differs in line endings
  ASSERT_EQ(lf.find('\r'), std::string::npos);
  auto a = parse("tekscan", crlf, "FrasP01L.asf");
  auto b = parse("tekscan", lf, "fscan_testL.asf");
  ASSERT_TRUE(a.ok() && b.ok());
  expect_same_frames(*a, *b);
}

TEST(TekscanRealData, IscanLayoutParsesOnceUnitsAreCalibrated) {
  INSOLE_REQUIRE_SHARED_DATA("pressure_vendor_samples/iscan_test.csv");
  const std::string raw = read_bytes(shared_data("pressure_vendor_samples/iscan_test.csv"));
  auto refused = parse("tekscan", raw);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::unsupported);
  // Same file with the unit line edited in memory: exercises the I-Scan frame lines and keys.
  auto rec = parse("tekscan", replace_all(raw, "UNITS raw", "UNITS KPa"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  const Stream& s = rec->streams[0];
  EXPECT_EQ(s.frame_count(), 309);
  EXPECT_EQ(s.info.layout.rows(), 28);
  EXPECT_DOUBLE_EQ(s.info.layout.col_pitch_mm(), 1.27);
  EXPECT_EQ(s.info.layout.present_count(), 4 * 11 * 11);  // four 11 x 11 active blocks
  EXPECT_NEAR(s.time_s[1], 0.1, 1e-12);
}

}  // namespace
}  // namespace insole::test
