#include "insole/importers/gaitpdb.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "importer_test_util.hpp"
#include "support/shared_data.hpp"

namespace insole::test {
namespace {

TEST(Gaitpdb, ForcesBecomeNominalPressureAndTotalsSurvive) {
  auto rec = parse("gaitpdb", seed("gaitpdb/gaitpdb_small.txt"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 2u);
  const Stream& l = rec->streams[0];
  const Stream& r = rec->streams[1];
  EXPECT_EQ(l.info.attributes.at("quantity"), "force");
  // 199.1 N over the nominal 100 mm2: 1000 x 199.1 / 100 = 1991 kPa.
  EXPECT_NEAR(l.pressure_kpa(0, 0), 1991.0, 1e-2);
  // total_force_n() gives back the sensor sum, 662.2 N (column 18 of the first line).
  EXPECT_NEAR(total_force_n(l)[0], 662.20, 1e-3);
  EXPECT_NEAR(total_force_n(r)[2], 0.5 * 748.0, 1e-3);
  // Published positions (format.txt) in the foot frame: L1 (-500,-800) -> (0, 0);
  // L2 (-700,-400) -> (-200, 400) units -> (-20, 40) mm; R2 (700,-400) -> (+20, 40) mm.
  EXPECT_DOUBLE_EQ(l.info.layout.centres_mm()(0, 0), 0.0);
  EXPECT_DOUBLE_EQ(l.info.layout.centres_mm()(1, 0), -20.0);
  EXPECT_DOUBLE_EQ(l.info.layout.centres_mm()(1, 1), 40.0);
  EXPECT_DOUBLE_EQ(r.info.layout.centres_mm()(1, 0), 20.0);
  EXPECT_DOUBLE_EQ(r.info.layout.centres_mm()(7, 1), 160.0);
}

TEST(Gaitpdb, MalformedRows) {
  const std::string good = seed("gaitpdb/gaitpdb_small.txt");
  EXPECT_TRUE(is_format_error_at(parse("gaitpdb", replace_all(good, "\t662.20\t", "\t662.00\t")), 1));
  EXPECT_TRUE(is_format_error_at(parse("gaitpdb", replace_all(good, "0.0100\t", "0.0100\t1\t")), 2));
  EXPECT_TRUE(is_format_error_at(parse("gaitpdb", replace_all(good, "0.0200\t", "0.0000\t")), 3));
  EXPECT_TRUE(is_format_error_at(parse("gaitpdb", replace_all(good, "0.0100\t", "O.0100\t")), 2));
}

TEST(GaitpdbRealData, TotalsEqualSensorSums) {
  INSOLE_REQUIRE_SHARED_DATA("physionet_gaitpdb/GaCo01_01.txt");
  const auto path = shared_data("physionet_gaitpdb/GaCo01_01.txt");
  auto rec = importers::import_file(path);
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  const Stream& l = rec->streams[0];
  const Stream& r = rec->streams[1];
  EXPECT_EQ(l.frame_count(), 12119);  // README §3
  // Columns 18/19 read independently of the importer: the totals the file states.
  std::ifstream f(path);
  std::vector<double> tl, tr;
  for (std::string line; std::getline(f, line);) {
    std::stringstream ss(line);
    double v[19];
    for (double& x : v) ss >> x;
    tl.push_back(v[17]);
    tr.push_back(v[18]);
  }
  ASSERT_EQ(tl.size(), 12119u);
  const Eigen::VectorXd fl = total_force_n(l), fr = total_force_n(r);
  double worst = 0;
  for (std::size_t i = 0; i < tl.size(); ++i)
    worst = std::max({worst, std::abs(fl[Eigen::Index(i)] - tl[i]), std::abs(fr[Eigen::Index(i)] - tr[i])});
  EXPECT_LT(worst, 0.02);  // float storage of 8 values printed with two decimals
  // README §3: peak total force 1160 N (L) and 1257 N (R).
  EXPECT_NEAR(fl.maxCoeff(), 1160.0, 0.5);
  EXPECT_NEAR(fr.maxCoeff(), 1257.0, 0.5);
}

}  // namespace
}  // namespace insole::test
