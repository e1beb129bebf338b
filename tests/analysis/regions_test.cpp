#include "insole/analysis/regions.hpp"

#include <gtest/gtest.h>

#include "footprint_builder.hpp"
#include "insole/analysis/foot_frame.hpp"

namespace insole::analysis {
namespace {

struct Built {
  SensorLayout layout;
  Eigen::VectorXf peak;
  FootFrame frame;
  RegionMasks masks;
};

Built build(bool toes) {
  Built b;
  b.layout = SensorLayout::grid(70, 40, 5.0, 5.0).value();
  b.peak = test::render(b.layout, test::rectangle_foot(toes), {{100.0, 25.0}, 0.0});
  const auto sensels = test::all_sensels(b.layout);
  b.frame = foot_frame(b.layout, b.peak, sensels, Side::right).value();
  b.masks = make_regions(b.layout, b.peak, sensels, b.frame).value();
  return b;
}

// The rectangle foot with toes on a 5 mm grid at 0 degrees (right foot, medial = -x):
//  toes: five 10 x 30 mm boxes = 1500 mm2; the toe line runs through the 10 mm gap (y 240..250).
//  hallux = toe sensels whose centre is within 35 % of the toes' 90 mm width (31.5 mm) of the
//    medial edge: toe boxes at x -45..-35 and -25..-15 (centres 2.5..27.5 mm in) -> 600 mm2.
//  thirds of the 240 mm toe-less length: hindfoot 4800, midfoot 1600, forefoot 7200 mm2.
//  MTH rays (pressuRe automask_novel construction), foot coordinates (ml + medial, ap from heel),
//    foot length 280 mm:
//    heel band 10-30 % = ap 28..84: heel box sensels, outer edges ml +/-30, tied centres ap
//      32.5..77.5 -> middle 55: H_m = (30, 55), H_l = (-30, 55);
//    medial band 60-80 % = ap 168..224: forefoot edge ml 45, centres 172.5..222.5 -> F_m = (45, 197.5);
//    lateral band 55-75 % = ap 154..210: forefoot edge ml -45, centres 162.5..207.5 -> F_l = (-45, 185).
//    Medial line leans atan(15 / 142.5) = 6.009 deg medially, lateral line atan(15 / 130) = 6.582 deg
//    laterally: alpha = 12.591 deg; they meet at O = (1.376, -216.93).
//    Cuts through O at 6.009 - {0.30, 0.47, 0.64, 0.81} x 12.591 = 2.232, 0.091, -2.049, -4.190 deg;
//    at the forefoot's rows (ap 162.5..237.5) they cross ml 16.2..19.1, 2.0..2.1, -12.2..-14.9 and
//    -26.4..-31.9 mm. Counting the 16 x 18 forefoot sensels (25 mm2 each) on either side:
//    -> 87, 57, 46, 47, 51 sensels = 2175, 1425, 1150, 1175, 1275 mm2.
//  medial / lateral: the print is symmetric about the axis -> half each of 15100 mm2.
TEST(Regions, RectangleFootByHand) {
  const auto b = build(true);
  EXPECT_TRUE(b.masks.toes_found);
  EXPECT_NEAR(b.masks.at(region::toes).area_mm2, 1500.0, 1e-9);
  EXPECT_NEAR(b.masks.at(region::hallux).area_mm2, 600.0, 1e-9);
  EXPECT_NEAR(b.masks.at(region::lesser_toes).area_mm2, 900.0, 1e-9);
  for (const auto& p : b.masks.toe_line_foot_mm) {
    EXPECT_GE(p.y(), 240.0);
    EXPECT_LE(p.y(), 250.0);
  }
  EXPECT_NEAR(b.masks.at(region::whole_foot).area_mm2, 15100.0, 1e-9);
  EXPECT_NEAR(b.masks.at(region::toeless).area_mm2, 13600.0, 1e-9);
  EXPECT_NEAR(b.masks.at(region::hindfoot).area_mm2, 4800.0, 1e-9);
  EXPECT_NEAR(b.masks.at(region::midfoot).area_mm2, 1600.0, 1e-9);
  EXPECT_NEAR(b.masks.at(region::forefoot).area_mm2, 7200.0, 1e-9);
  ASSERT_TRUE(b.masks.mth_rays);
  const Eigen::Vector2d edges[] = {{30, 55}, {45, 197.5}, {-30, 55}, {-45, 185}};
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(b.masks.edge_points_foot_mm[k].x(), edges[k].x(), 1e-6) << k;
    EXPECT_NEAR(b.masks.edge_points_foot_mm[k].y(), edges[k].y(), 1e-6) << k;
  }
  EXPECT_NEAR(b.masks.mth_alpha_deg, 12.5910, 1e-4);
  const double mth[] = {2175, 1425, 1150, 1175, 1275};
  for (int k = 0; k < 5; ++k)
    EXPECT_NEAR(b.masks.at(region::mth[k]).area_mm2, mth[k], 1e-9) << k + 1;
  EXPECT_NEAR(b.masks.at(region::medial).area_mm2, 7550.0, 1e-9);
  EXPECT_NEAR(b.masks.at(region::lateral).area_mm2, 7550.0, 1e-9);
  // MTH1 and hallux lie on the medial side (-x for this right foot).
  for (Eigen::Index s : b.masks.at(region::mth[0]).sensels)
    EXPECT_LT(b.layout.centres_mm()(s, 0), 100.0);
  for (Eigen::Index s : b.masks.at(region::hallux).sensels)
    EXPECT_LT(b.layout.centres_mm()(s, 0), 100.0);
  EXPECT_FALSE(b.masks.scheme.empty());
  EXPECT_EQ(b.masks.find("nothing"), nullptr);
  EXPECT_THROW((void)b.masks.at("nothing"), std::out_of_range);
}

TEST(Regions, UniformPrintHasNoToes) {
  const auto b = build(false);
  EXPECT_FALSE(b.masks.toes_found);
  EXPECT_TRUE(b.masks.at(region::toes).sensels.empty());
  EXPECT_NEAR(b.masks.at(region::toeless).area_mm2, 13600.0, 1e-9);
}

// Five frames at 100 Hz. Body (heel, strip, forefoot; 100 kPa) scaled by 0.2, 0.6, 1, 0.6, 0.2;
// toes (150 kPa) scaled by 0, 0, 1, 1, 0.5.
// Hindfoot (4800 mm2): F = 100 * s * 4800 * 1e-3 = 96, 288, 480, 288, 96 N.
//   peak 100 kPa at frame 2 (0.02 s = 50 % of 0.04 s); max force 480 N; contact area 4800 mm2
//   (20 kPa > 5 kPa already in frame 0); mean pressure 480 N / 4800 mm2 = 100 kPa;
//   contact time 5/5 = 100 %; PTI (Novel) = 100 (0.2+0.6+1+0.6+0.2) 0.01 = 2.6 kPa s;
//   FTI = 0.01 [(96+288)/2 + (288+480)/2 + (480+288)/2 + (288+96)/2] = 11.52 N s;
//   PTI (Melai) = 11.52 / 4800 mm2 = 2.4 kPa s.
// Toes (1500 mm2): loaded in 3 of 5 frames -> 60 %; peak 150 kPa first at frame 2;
//   PTI Novel = 150 (1 + 1 + 0.5) 0.01 = 3.75 kPa s.
TEST(Regions, MetricsByHand) {
  const auto b = build(true);
  test::Shape body = test::rectangle_foot(false);
  test::Shape toes = test::rectangle_foot(true);
  toes.boxes.erase(toes.boxes.begin(), toes.boxes.begin() + 3);
  const auto pb = test::render(b.layout, body, {{100.0, 25.0}, 0.0});
  const auto pt = test::render(b.layout, toes, {{100.0, 25.0}, 0.0});
  Stream st;
  st.info.name = "mat";
  st.info.layout = b.layout;
  st.info.sample_rate_hz = 100;
  const float sb[] = {0.2f, 0.6f, 1.0f, 0.6f, 0.2f};
  const float stoe[] = {0.0f, 0.0f, 1.0f, 1.0f, 0.5f};
  for (int f = 0; f < 5; ++f) st.append(f * 0.01, (pb * sb[f] + pt * stoe[f]).eval());
  Footfall ff;
  ff.first_frame = 0;
  ff.last_frame = 4;
  ff.start_s = 0.0;
  ff.end_s = 0.04;
  const auto metrics = region_metrics(st, ff, b.masks);
  ASSERT_EQ(metrics.size(), b.masks.regions.size());
  const RegionMetrics* hind = nullptr;
  const RegionMetrics* toe = nullptr;
  for (const auto& m : metrics) {
    if (m.region == region::hindfoot) hind = &m;
    if (m.region == region::toes) toe = &m;
  }
  ASSERT_TRUE(hind && toe);
  EXPECT_NEAR(hind->peak_pressure_kpa, 100.0, 1e-4);
  EXPECT_NEAR(hind->time_of_peak_s, 0.02, 1e-12);
  EXPECT_NEAR(hind->time_of_peak_percent, 50.0, 1e-9);
  EXPECT_NEAR(hind->max_force_n, 480.0, 1e-3);
  EXPECT_NEAR(hind->contact_area_mm2, 4800.0, 1e-9);
  EXPECT_NEAR(hind->mean_pressure_kpa, 100.0, 1e-3);
  EXPECT_NEAR(hind->contact_time_percent, 100.0, 1e-9);
  EXPECT_NEAR(hind->pti_novel_kpa_s, 2.6, 1e-5);
  EXPECT_NEAR(hind->fti_n_s, 11.52, 1e-4);
  EXPECT_NEAR(hind->pti_melai_kpa_s, 2.4, 1e-5);
  EXPECT_NEAR(toe->contact_time_percent, 60.0, 1e-9);
  EXPECT_NEAR(toe->peak_pressure_kpa, 150.0, 1e-4);
  EXPECT_NEAR(toe->time_of_peak_s, 0.02, 1e-12);
  EXPECT_NEAR(toe->pti_novel_kpa_s, 3.75, 1e-5);
  EXPECT_NEAR(toe->contact_area_mm2, 1500.0, 1e-9);
  // Out-of-range footfall is a programmer error.
  ff.last_frame = 5;
  EXPECT_THROW((void)region_metrics(st, ff, b.masks), std::out_of_range);
}

// Sensor sets (insoles): regions by fractions of the sensor extent.
TEST(Regions, SensorSetUsesFractions) {
  Eigen::MatrixX2d xy(5, 2);
  xy << 0, 10, 0, 90, -20, 160, 20, 160, -20, 240;  // heel, midfoot, MTH1 / MTH5 (left foot), toe
  const auto layout = SensorLayout::sensors(xy, Eigen::VectorXd::Constant(5, 100.0)).value();
  const Eigen::VectorXf p = Eigen::VectorXf::Constant(5, 50.0f);
  const std::vector<Eigen::Index> all = {0, 1, 2, 3, 4};
  const auto f = foot_frame(layout, p, all, Side::left).value();
  auto m = make_regions(layout, p, all, f);
  ASSERT_TRUE(m.ok());
  // Length 230 (y 10..240): toes are y > 10 + 0.85 * 230 = 205.5 -> sensor 4.
  EXPECT_EQ(m->at(region::toes).sensels, (std::vector<Eigen::Index>{4}));
  // Toe-less 10..160, thirds at 60 and 110.
  EXPECT_EQ(m->at(region::hindfoot).sensels, (std::vector<Eigen::Index>{0}));
  EXPECT_EQ(m->at(region::midfoot).sensels, (std::vector<Eigen::Index>{1}));
  EXPECT_EQ(m->at(region::forefoot).sensels, (std::vector<Eigen::Index>{2, 3}));
  // Left foot: medial is +x (to the subject's right).
  EXPECT_EQ(m->at(region::mth[0]).sensels, (std::vector<Eigen::Index>{3}));
  EXPECT_EQ(m->at(region::mth[4]).sensels, (std::vector<Eigen::Index>{2}));
  // One sensor across the heel band: no edge lines, so the forefoot is cut by width, and says so.
  EXPECT_FALSE(m->mth_rays);
  EXPECT_NE(m->scheme.find("edge lines not found"), std::string::npos);
}

}  // namespace
}  // namespace insole::analysis
