#include "insole/analysis/arch.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "footprint_builder.hpp"
#include "insole/analysis/foot_frame.hpp"
#include "insole/analysis/regions.hpp"
#include "insole/analysis/segmentation.hpp"
#include "insole/sim/simulator.hpp"
#include "insole/recommend/findings.hpp"
#include "recommend/support.hpp"
#include "support/shared_data.hpp"

namespace insole::analysis {
namespace {

using test::Placement;
using test::Shape;

struct Measured {
  FootFrame frame;
  RegionMasks masks;
  ArchMeasures arch;
};

// Foot frame -> regions -> arch measures with one contact threshold throughout.
// The label the shipped rule file gives `value` under class `id` (the classes are data, the
// analysis only measures), for an adult unless a patient is given.
std::string rule_class(const char* id, double value, const recommend::Patient& patient = {}) {
  const recommend::ClassDef* def = test::default_rules().find_class(id);
  if (!def) throw std::runtime_error(std::string("no class ") + id);
  return recommend::classify(test::default_rules(), *def, value, patient).label;
}

Measured measure(const SensorLayout& layout, const Eigen::VectorXf& peak, Side side,
                 double threshold_kpa = 0.0, ArchParams ap = {}) {
  const auto sensels = test::all_sensels(layout);
  FootFrameParams fp;
  fp.contact_threshold_kpa = threshold_kpa;
  auto frame = foot_frame(layout, peak, sensels, side, fp);
  EXPECT_TRUE(frame.ok()) << (frame ? "" : frame.error().message);
  RegionParams rp;
  rp.contact_threshold_kpa = threshold_kpa;
  auto masks = make_regions(layout, peak, sensels, *frame, rp);
  EXPECT_TRUE(masks.ok()) << (masks ? "" : masks.error().message);
  ap.contact_threshold_kpa = threshold_kpa;
  return {*frame, *masks, arch_measures(layout, peak, *masks, *frame, ap)};
}

SensorLayout grid(int rows, int cols, double pitch = 5.0) {
  return SensorLayout::grid(rows, cols, pitch, pitch).value();
}

// The rectangle foot of footprint_builder.hpp on a 5 mm grid, sensel edges on every box edge.
//   heel     60 x 80 = 4800 mm2  (y 0..80)
//   midfoot  20 x 80 = 1600 mm2  (y 80..160)
//   forefoot 90 x 80 = 7200 mm2  (y 160..240)
// Toe-less length 240 mm, thirds at 80 and 160: AI = 1600 / 13600 = 0.117647.
// CSI = 20 / 90 = 22.22 %.
// Staheli: the medial hull edge runs from the first heel row (ap 0.5, edge 30 mm) to the first
// forefoot row (ap 160.5, edge 45 mm); its midpoint ap 80.5 is in the strip: A = 20, B = heel
// width at ap 0.5 = 60, PAI = 0.3333.
// Midfoot contact ratio: the envelope width grows linearly from 60 mm (ap 0.5) to 90 mm
// (ap 160.5): 60 + 30 (ap - 0.5) / 160; mean over rows ap 80.5..159.5 (mean ap 120) = 82.40625;
// ratio = 20 / 82.40625 = 0.242700.
TEST(ArchIndex, RectangleFootByHand) {
  const auto layout = grid(70, 40);
  const auto peak = test::render(layout, test::rectangle_foot(false), {{100.0, 25.0}, 0.0});
  const auto m = measure(layout, peak, Side::right);
  ASSERT_TRUE(m.arch.arch_index.has_value());
  EXPECT_NEAR(*m.arch.arch_index, 1600.0 / 13600.0, 1e-9);
  EXPECT_NEAR(m.arch.area_rearfoot_mm2, 4800.0, 1e-6);
  EXPECT_NEAR(m.arch.area_midfoot_mm2, 1600.0, 1e-6);
  EXPECT_NEAR(m.arch.area_forefoot_mm2, 7200.0, 1e-6);
  EXPECT_NEAR(m.arch.thirds_ap_mm[0], 80.0, 1e-9);
  EXPECT_NEAR(m.arch.thirds_ap_mm[1], 160.0, 1e-9);
  ASSERT_TRUE(m.arch.chippaux_smirak_percent.has_value());
  EXPECT_NEAR(*m.arch.chippaux_smirak_percent, 100.0 * 20.0 / 90.0, 1e-9);
  ASSERT_TRUE(m.arch.staheli.has_value());
  EXPECT_NEAR(m.arch.staheli_central_width_mm, 20.0, 1e-9);
  EXPECT_NEAR(m.arch.staheli_heel_width_mm, 60.0, 1e-9);
  EXPECT_NEAR(*m.arch.staheli, 20.0 / 60.0, 1e-9);
  ASSERT_TRUE(m.arch.midfoot_contact_ratio.has_value());
  EXPECT_NEAR(*m.arch.midfoot_contact_ratio, 20.0 / 82.40625, 1e-6);
  // 0.118 <= 0.21: high arch by the commonly quoted cut-offs; >= 0.11: normal for Buldt 2018.
  EXPECT_EQ(rule_class("arch_class", *m.arch.arch_index), "high");
  EXPECT_EQ(rule_class("arch_class_research", *m.arch.arch_index), "normal");
  EXPECT_TRUE(m.arch.unavailable_reason.empty());
  // Resolution by hand: half a 5 mm sensel along the strip's two borders over the middle third's
  // 80 mm is 2 x 2.5 x 80 = 400 mm2 of the 13,600: 0.029412.
  ASSERT_TRUE(m.arch.arch_index_resolution.has_value());
  EXPECT_NEAR(*m.arch.arch_index_resolution, 400.0 / 13600.0, 1e-9);
  // Each border moved out by a whole sensel (strip 20 -> 30 mm, twice the half-sensel uncertainty):
  // AI 2400 / 14,400 = 0.166667, up by 0.049020 = 800 x 12,000 / (13,600 x 14,400), within twice
  // the resolution and near its first-order value 2 (dB / T)(1 - AI) = 0.051903.
  Shape wide = test::rectangle_foot(false);
  wide.boxes[1] = {-15, 15, 80, 160, 100};
  const auto mw = measure(layout, test::render(layout, wide, {{100.0, 25.0}, 0.0}), Side::right);
  ASSERT_TRUE(mw.arch.arch_index.has_value());
  EXPECT_NEAR(*mw.arch.arch_index, 2400.0 / 14400.0, 1e-9);
  const double change = *mw.arch.arch_index - *m.arch.arch_index;
  EXPECT_NEAR(change, 800.0 * 12000.0 / (13600.0 * 14400.0), 1e-9);
  EXPECT_LE(change, 2.0 * *m.arch.arch_index_resolution);
  EXPECT_NEAR(change, 2.0 * *m.arch.arch_index_resolution * (1.0 - *m.arch.arch_index), 0.003);
}

// The same rectangle foot on 2.5 mm sensels (every box edge on a sensel edge): the resolution
// scales with the pitch, 2 x 1.25 x 80 / 13,600 = 0.014706. On a 5 x 2.5 mm grid the larger
// pitch counts (the foot's axis may run either way on a mat): 0.029412.
TEST(ArchIndex, ResolutionScalesWithThePitch) {
  const auto fine = SensorLayout::grid(140, 80, 2.5, 2.5).value();
  const auto m = measure(fine, test::render(fine, test::rectangle_foot(false), {{100.0, 25.0}, 0.0}), Side::right);
  ASSERT_TRUE(m.arch.arch_index.has_value());
  EXPECT_NEAR(*m.arch.arch_index, 1600.0 / 13600.0, 1e-9);
  ASSERT_TRUE(m.arch.arch_index_resolution.has_value());
  EXPECT_NEAR(*m.arch.arch_index_resolution, 200.0 / 13600.0, 1e-9);
  const auto mixed = SensorLayout::grid(70, 80, 5.0, 2.5).value();
  const auto mm = measure(mixed, test::render(mixed, test::rectangle_foot(false), {{100.0, 25.0}, 0.0}), Side::right);
  ASSERT_TRUE(mm.arch.arch_index_resolution.has_value());
  EXPECT_NEAR(*mm.arch.arch_index, 1600.0 / 13600.0, 1e-9);
  EXPECT_NEAR(*mm.arch.arch_index_resolution, 400.0 / 13600.0, 1e-9);
}

// Thirds that cut through sensels. Heel 60 x 40 (y 0..40), strip 20 x 20 (y 40..60), forefoot
// 90 x 40 (y 60..100); toe-less length 100, thirds at 33.33 and 66.67 mm (inside the sensel rows
// 30..35 and 65..70).
//   rearfoot third: heel 60 x 33.33            = 2000
//   middle third:   heel 60 x 6.667 = 400, strip 20 x 20 = 400, forefoot 90 x 6.667 = 600 -> 1400
//   forefoot third: 90 x 33.33                 = 3000
// AI = 1400 / 6400 = 0.21875 (with whole sensels by centre it would be 1300 / 6400 = 0.203).
TEST(ArchIndex, PartialSenselsAtTheThirdLines) {
  Shape s;
  s.boxes = {{-30, 30, 0, 40, 100}, {-10, 10, 40, 60, 100}, {-45, 45, 60, 100, 100}};
  const auto layout = grid(40, 40);
  const auto peak = test::render(layout, s, {{100.0, 25.0}, 0.0});
  const auto m = measure(layout, peak, Side::left);
  ASSERT_TRUE(m.arch.arch_index.has_value());
  EXPECT_NEAR(m.arch.area_rearfoot_mm2, 2000.0, 1e-6);
  EXPECT_NEAR(m.arch.area_midfoot_mm2, 1400.0, 1e-6);
  EXPECT_NEAR(m.arch.area_forefoot_mm2, 3000.0, 1e-6);
  EXPECT_NEAR(*m.arch.arch_index, 0.21875, 1e-9);
  EXPECT_EQ(rule_class("arch_class", *m.arch.arch_index), "normal");  // 0.21 < 0.219 < 0.26
}

// Toes are found (a gap before five toes) and left out: the same numbers as without toes.
TEST(ArchIndex, ToesAreExcluded) {
  const auto layout = grid(70, 40);
  const auto peak = test::render(layout, test::rectangle_foot(true), {{100.0, 25.0}, 0.0});
  const auto m = measure(layout, peak, Side::right);
  EXPECT_TRUE(m.masks.toes_found);
  EXPECT_NEAR(m.frame.length_mm, 280.0, 1e-9);
  ASSERT_TRUE(m.arch.arch_index.has_value());
  EXPECT_NEAR(*m.arch.arch_index, 1600.0 / 13600.0, 1e-9);
  EXPECT_NEAR(*m.arch.chippaux_smirak_percent, 100.0 * 20.0 / 90.0, 1e-9);
  EXPECT_NEAR(m.arch.toeless_ap_max_mm - m.arch.toeless_ap_min_mm, 240.0, 1e-9);
}

// Flat, normal, high and absent arches (strip width 60, 50, 20, 0 mm between the same heel
// and forefoot) rank and classify by hand arithmetic:
//   AI = 80 w / (4800 + 80 w + 7200):  w=60 -> 4800/16800 = 0.2857 (low, >= 0.26)
//                                      w=50 -> 4000/16000 = 0.25   (normal)
//                                      w=20 -> 1600/13600 = 0.1176 (high)
//                                      w=0  -> 0                   (high; cavus for Buldt)
TEST(ArchIndex, RanksAndClassifiesArchTypes) {
  const auto layout = grid(70, 40);
  const double widths[] = {60, 50, 20, 0};
  const double expected[] = {4800.0 / 16800.0, 0.25, 1600.0 / 13600.0, 0.0};
  const char* cls[] = {"low", "normal", "high", "high"};
  const char* research[] = {"low", "normal", "normal", "high"};
  double previous = 1.0;
  for (int k = 0; k < 4; ++k) {
    Shape s;
    s.boxes = {{-30, 30, 0, 80, 100}, {-45, 45, 160, 240, 100}};
    if (widths[k] > 0) s.boxes.push_back({-widths[k] / 2, widths[k] / 2, 80, 160, 100});
    const auto peak = test::render(layout, s, {{100.0, 25.0}, 0.0});
    const auto m = measure(layout, peak, Side::right);
    ASSERT_TRUE(m.arch.arch_index.has_value()) << widths[k];
    EXPECT_NEAR(*m.arch.arch_index, expected[k], 1e-9) << widths[k];
    EXPECT_LT(*m.arch.arch_index, previous);
    previous = *m.arch.arch_index;
    EXPECT_EQ(rule_class("arch_class", *m.arch.arch_index), cls[k]) << widths[k];
    EXPECT_EQ(rule_class("arch_class_research", *m.arch.arch_index), research[k]) << widths[k];
    // CSI = w / 90.
    EXPECT_NEAR(*m.arch.chippaux_smirak_percent, 100.0 * widths[k] / 90.0, 1e-9);
  }
}

// An ellipse "foot" (no arch): the AI of an ellipse cut into thirds along its major axis is
// the middle band's share of the area. For x^2/a^2 + y^2/b^2 <= 1 the area between y = -b/3 and
// b/3 is 2ab [asin(1/3) + (1/3) sqrt(1 - 1/9)] = ab (0.67967 + 0.62854) = 1.30821 ab, of pi ab:
// AI = 1.30821 / 3.14159 = 0.41642. Sampled on a 2 mm grid at 50 % coverage.
TEST(ArchIndex, EllipseByHand) {
  Shape s;
  s.ellipses.push_back({0, 120, 45, 120, 100});
  const auto layout = grid(140, 70, 2.0);
  const auto peak = test::render(layout, s, {{70.0, 20.0}, 0.0});
  const auto m = measure(layout, peak, Side::right, 50.0);
  ASSERT_TRUE(m.arch.arch_index.has_value());
  const double expected =
      2.0 * (std::asin(1.0 / 3.0) + (1.0 / 3.0) * std::sqrt(1.0 - 1.0 / 9.0)) / M_PI;
  EXPECT_NEAR(expected, 0.41642, 1e-4);
  EXPECT_NEAR(*m.arch.arch_index, expected, 0.01);
  EXPECT_FALSE(m.masks.toes_found);
  // Staheli on an ellipse: the medial tangent is the ellipse's own edge, both widths are the
  // full width at the points of the hull edge spanning the middle: close to 1.
  ASSERT_TRUE(m.arch.staheli.has_value());
  EXPECT_NEAR(*m.arch.staheli, 1.0, 0.1);
}

TEST(ArchIndex, InShoeAndSensorSetsAreNullWithReason) {
  const auto layout = grid(70, 40);
  const auto peak = test::render(layout, test::rectangle_foot(false), {{100.0, 25.0}, 0.0});
  ArchParams ap;
  ap.in_shoe = true;
  const auto m = measure(layout, peak, Side::right, 0.0, ap);
  EXPECT_FALSE(m.arch.arch_index.has_value());
  EXPECT_FALSE(m.arch.chippaux_smirak_percent.has_value());
  EXPECT_FALSE(m.arch.staheli.has_value());
  EXPECT_FALSE(m.arch.midfoot_contact_ratio.has_value());
  EXPECT_NE(m.arch.unavailable_reason.find("insole"), std::string::npos);

  Eigen::MatrixX2d xy(4, 2);
  xy << 0, 0, 0, 100, 10, 200, -10, 200;
  const auto sensors = SensorLayout::sensors(xy, Eigen::VectorXd::Constant(4, 100.0)).value();
  const Eigen::VectorXf p = Eigen::VectorXf::Constant(4, 50.0f);
  const std::vector<Eigen::Index> all = {0, 1, 2, 3};
  auto frame = foot_frame(sensors, p, all, Side::left);
  ASSERT_TRUE(frame.ok());
  auto masks = make_regions(sensors, p, all, *frame);
  ASSERT_TRUE(masks.ok());
  const auto a = arch_measures(sensors, p, *masks, *frame);
  EXPECT_FALSE(a.arch_index.has_value());
  EXPECT_FALSE(a.unavailable_reason.empty());
}

// Paediatric Chippaux-Smirak limits of the shipped rule file on measured footprints (hand
// arithmetic: CSI = strip width / forefoot width 90 mm). The adult arch-index classes do not label
// a child.
TEST(ArchIndex, PaediatricCsiClassesOnMeasuredFootprints) {
  const auto layout = grid(70, 40);
  const recommend::Patient seven{7.0, true};
  const auto peak = test::render(layout, test::rectangle_foot(false), {{100.0, 25.0}, 0.0});
  const auto m = measure(layout, peak, Side::right);
  // CSI 20 / 90 = 22.2 % is below the 59 % flat-foot limit for ages 6-9 (PMC5975578).
  ASSERT_TRUE(m.arch.chippaux_smirak_percent.has_value());
  EXPECT_NEAR(*m.arch.chippaux_smirak_percent, 100.0 * 20.0 / 90.0, 1e-9);
  EXPECT_EQ(rule_class("chippaux_smirak_class", *m.arch.chippaux_smirak_percent, seven), "not flat");

  Shape flat;
  flat.boxes = {{-30, 30, 0, 80, 100}, {-30, 30, 80, 160, 100}, {-45, 45, 160, 240, 100}};
  const auto m2 = measure(layout, test::render(layout, flat, {{100.0, 25.0}, 0.0}), Side::right);
  // CSI = 60 / 90 = 66.7 % > 59 %: flat.
  EXPECT_NEAR(*m2.arch.chippaux_smirak_percent, 100.0 * 60.0 / 90.0, 1e-9);
  EXPECT_EQ(rule_class("chippaux_smirak_class", *m2.arch.chippaux_smirak_percent, seven), "flat");
  // An adult's CSI of 66.7 % is flat by the adult classes (> 45 %, Forriol 1990); a child has no
  // arch-index class.
  EXPECT_EQ(rule_class("chippaux_smirak_class", *m2.arch.chippaux_smirak_percent), "low");
  EXPECT_EQ(rule_class("arch_class", *m2.arch.arch_index, seven), "");
}

// The shipped cut-offs at their boundaries: AI <= 0.21 high, >= 0.26 low (as commonly quoted);
// Buldt 2018: < 0.11 cavus, > 0.25 planus.
TEST(ArchIndex, CutOffBoundaries) {
  EXPECT_EQ(rule_class("arch_class", 0.21), "high");
  EXPECT_EQ(rule_class("arch_class", 0.2101), "normal");
  EXPECT_EQ(rule_class("arch_class", 0.2599), "normal");
  EXPECT_EQ(rule_class("arch_class", 0.26), "low");
  EXPECT_EQ(rule_class("arch_class_research", 0.1099), "high");
  EXPECT_EQ(rule_class("arch_class_research", 0.11), "normal");
  EXPECT_EQ(rule_class("arch_class_research", 0.25), "normal");
  EXPECT_EQ(rule_class("arch_class_research", 0.2501), "low");
}

// MUN104 (Pataky et al. 2011 Gait Posture 33:418): mean peak-pressure image of 104 subjects,
// emed platform, 63 x 27 pixels. The pixel pitch is not stated; the AI is a ratio of areas and
// does not depend on it (5 mm assumed, the emed sensor pitch). A mean of many normal feet should
// land in the normal healthy range of Buldt 2018 (0.22 +/- 0.03, range 0.15-0.29).
Eigen::VectorXf read_mun104(const std::filesystem::path& path) {
  // Tiny test-local reader: 63 lines of 27 comma-separated integers.
  std::ifstream in(path);
  Eigen::VectorXf v = Eigen::VectorXf::Zero(63 * 27);
  std::string line;
  int r = 0;
  while (std::getline(in, line) && r < 63) {
    std::stringstream ss(line);
    std::string cell;
    int c = 0;
    while (std::getline(ss, cell, ',') && c < 27) v[r * 27 + c++] = std::stof(cell);
    EXPECT_EQ(c, 27) << "row " << r;
    ++r;
  }
  EXPECT_EQ(r, 63);
  return v;
}

TEST(ArchIndex, Mun104TemplatesAreInThePublishedNormalRange) {
  INSOLE_REQUIRE_SHARED_DATA("mun104/MUN104L.csv");
  INSOLE_REQUIRE_SHARED_DATA("mun104/MUN104R.csv");
  const auto layout = grid(63, 27, 5.0);
  double ai[2];
  double shape[2];
  const char* files[] = {"mun104/MUN104L.csv", "mun104/MUN104R.csv"};
  for (int k = 0; k < 2; ++k) {
    const auto peak = read_mun104(test::shared_data(files[k]));
    // Pixels of the mean image below 10 are contact in only a few of the 104 subjects.
    const auto m = measure(layout, peak, k == 0 ? Side::left : Side::right, 10.0);
    ASSERT_TRUE(m.arch.arch_index.has_value());
    ai[k] = *m.arch.arch_index;
    shape[k] = side_from_shape(layout, peak, test::all_sensels(layout), m.frame, 10.0).score;
    EXPECT_GT(m.frame.length_mm, 200.0);
    EXPECT_LT(m.frame.length_mm, 300.0);
    EXPECT_TRUE(m.masks.toes_found) << files[k];
    std::cout << files[k] << ": AI " << ai[k] << " CSI " << *m.arch.chippaux_smirak_percent
              << " % Staheli " << m.arch.staheli.value_or(-1) << " midfoot ratio "
              << m.arch.midfoot_contact_ratio.value_or(-1) << " length " << m.frame.length_mm
              << " mm width " << m.frame.width_mm << " mm shape vote " << shape[k] << "\n";
    EXPECT_GE(ai[k], 0.15) << files[k];
    EXPECT_LE(ai[k], 0.29) << files[k];
  }
  // Mirror templates: about the same AI, opposite shape votes. The templates are labelled left
  // and right by their authors (the data README: ground truth "side"): read with the first CSV
  // row at the smallest y, as every grid importer reads printed rows, the shape alone must name
  // each side (measured -0.85 and +0.92).
  EXPECT_NEAR(ai[0], ai[1], 0.02);
  EXPECT_LT(shape[0], -0.5) << "MUN104L must read as a left foot";
  EXPECT_GT(shape[1], 0.5) << "MUN104R must read as a right foot";
}

// Simulated walks over a mat (insole::sim, ground truth from its parametric foot model):
// flat, normal and cavus feet must rank by arch index and fall in the right classes, and the
// measured AI must be near the model's own value (FootTruth::arch_index), which the analysis
// code did not produce.
TEST(ArchIndex, SimulatedWalksRankAndClassify) {
  const sim::ArchType types[] = {sim::ArchType::flat, sim::ArchType::normal, sim::ArchType::cavus};
  const char* expected_class[] = {"low", "normal", "high"};
  double median_ai[3];
  for (int k = 0; k < 3; ++k) {
    sim::WalkParams wp;
    wp.foot.arch = types[k];
    wp.duration_s = 3.0;
    wp.sample_rate_hz = 50;
    wp.walk_direction_deg = 20.0 + 100.0 * k;  // any direction on the mat
    wp.seed = 7 + static_cast<std::uint64_t>(k);
    sim::MatParams mat;
    mat.rows = 220;
    mat.cols = 220;
    const auto simu = sim::simulate_walk_mat(wp, mat);
    const Stream& st = simu.recording.streams.at(0);
    const auto ffs = find_footfalls(st, 0);
    std::vector<double> ais;
    for (const auto& ff : ffs) {
      if (!ff.reject_reason.empty()) continue;
      const auto peak = peak_footprint(st, ff);
      auto frame = foot_frame(st.info.layout, peak, ff.sensels, ff.side);
      ASSERT_TRUE(frame.ok());
      auto masks = make_regions(st.info.layout, peak, ff.sensels, *frame);
      ASSERT_TRUE(masks.ok());
      const auto a = arch_measures(st.info.layout, peak, *masks, *frame);
      ASSERT_TRUE(a.arch_index.has_value());
      ais.push_back(*a.arch_index);
    }
    ASSERT_GE(ais.size(), 2u) << "footfalls: " << ffs.size();
    std::sort(ais.begin(), ais.end());
    median_ai[k] = ais[ais.size() / 2];
    const double truth = simu.truth.feet.at(1).arch_index;
    std::cout << "simulated " << expected_class[k] << " arch: median AI " << median_ai[k]
              << " over " << ais.size() << " footfalls, model AI " << truth << "\n";
    EXPECT_NEAR(median_ai[k], truth, 0.03);
    EXPECT_EQ(rule_class("arch_class", median_ai[k]), expected_class[k]);
  }
  EXPECT_GT(median_ai[0], median_ai[1]);
  EXPECT_GT(median_ai[1], median_ai[2]);
}

}  // namespace
}  // namespace insole::analysis
