// insole::Calibration: every expected value below is computed by hand in the comment beside it.
#include "insole/core/calibration.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace insole {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

Stream grid_stream(const std::string& name, int rows, int cols, double pitch_mm,
                   const std::vector<std::vector<float>>& frames) {
  Stream s;
  s.info.name = name;
  s.info.layout = SensorLayout::grid(rows, cols, pitch_mm, pitch_mm).value();
  s.time_s.resize(Eigen::Index(frames.size()));
  s.pressure_kpa.resize(Eigen::Index(frames.size()), rows * cols);
  for (std::size_t f = 0; f < frames.size(); ++f) {
    s.time_s[Eigen::Index(f)] = 0.01 * double(f);
    for (std::size_t i = 0; i < frames[f].size(); ++i) s.pressure_kpa(Eigen::Index(f), Eigen::Index(i)) = frames[f][i];
  }
  return s;
}

TEST(CalibrationCore, BodyWeightFactorOfTheTekscanHeader) {
  // F-Scan header CALIBRATION_POINT_1 75.0001 kg, 4798 raw sum, sensel 25.8064 mm^2:
  // 75.0001 * 9.80665 = 735.49973 N; 25.8064 * 4798 = 123819.11 mm^2 counts;
  // 735.49973 / 123819.11 = 0.00594011 N/mm^2 = 5.94011 kPa per count.
  auto k = body_weight_factor_kpa_per_count(75.0001, 25.8064, 4798);
  ASSERT_TRUE(k);
  EXPECT_NEAR(*k, 5.94011, 1e-5);
  // Right foot: 25.8064 * 13127 = 338760.6; 735.49973 / 338760.6 * 1000 = 2.17115.
  EXPECT_NEAR(body_weight_factor_kpa_per_count(75.0001, 25.8064, 13127).value(), 2.17115, 1e-5);
  EXPECT_FALSE(body_weight_factor_kpa_per_count(0.0, 25.8, 100));
  EXPECT_FALSE(body_weight_factor_kpa_per_count(75.0, -1.0, 100));
  EXPECT_FALSE(body_weight_factor_kpa_per_count(75.0, 25.8, 0));
  EXPECT_FALSE(body_weight_factor_kpa_per_count(std::nan(""), 25.8, 10));
}

TEST(CalibrationCore, ZeroOffsetIsTheMeanOfUnloadedFrames) {
  FrameMatrix m(2, 3);
  m << 1, 2, kNaN,  //
      3, kNaN, kNaN;
  auto z = zero_offset(m);
  ASSERT_TRUE(z);
  EXPECT_DOUBLE_EQ((*z)[0], 2.0);  // (1 + 3) / 2
  EXPECT_DOUBLE_EQ((*z)[1], 2.0);  // NaN skipped
  EXPECT_DOUBLE_EQ((*z)[2], 0.0);  // never reported
  EXPECT_FALSE(zero_offset(FrameMatrix(0, 3)));
}

TEST(CalibrationCore, EqualisationBringsEverySenselToTheCommonMean) {
  FrameMatrix m(2, 3);
  m << 12, 31, kNaN,  //
      12, 33, kNaN;
  Eigen::VectorXd zero(3);
  zero << 2, 2, 0;
  auto g = equalisation_gain(m, zero);
  ASSERT_TRUE(g);
  // Zero-corrected means 10 and 30, common mean 20: gains 20/10 = 2 and 20/30 = 0.6667.
  EXPECT_DOUBLE_EQ((*g)[0], 2.0);
  EXPECT_DOUBLE_EQ((*g)[1], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ((*g)[2], 1.0);
  // A dead sensel under load is an error naming it.
  FrameMatrix dead(1, 2);
  dead << 5, 0;
  auto e = equalisation_gain(dead);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("sensel 1"), std::string::npos) << e.error().message;
}

TEST(CalibrationCore, LinearFitThroughTheOrigin) {
  // k = sum(x p) / sum(x^2) = (100*49 + 200*101) / (100^2 + 200^2) = 25100 / 50000 = 0.502.
  auto f = fit_response(ResponseModel::linear, {{100, 49}, {200, 101}});
  ASSERT_TRUE(f);
  ASSERT_EQ(f->coefficients.size(), 1u);
  EXPECT_DOUBLE_EQ(f->coefficients[0], 0.502);
  ASSERT_EQ(f->residuals_kpa.size(), 2u);
  EXPECT_NEAR(f->residuals_kpa[0], 49 - 50.2, 1e-12);
  EXPECT_NEAR(f->residuals_kpa[1], 101 - 100.4, 1e-12);
}

TEST(CalibrationCore, PowerLawFitRecoversAKnownCurve) {
  // p = 2 x^0.5 at x = 1, 4, 9 gives p = 2, 4, 6.
  auto f = fit_response(ResponseModel::power_law, {{1, 2}, {4, 4}, {9, 6}});
  ASSERT_TRUE(f);
  EXPECT_NEAR(f->coefficients[0], 2.0, 1e-12);
  EXPECT_NEAR(f->coefficients[1], 0.5, 1e-12);
  for (double r : f->residuals_kpa) EXPECT_NEAR(r, 0.0, 1e-12);
  // Two loads do not determine a power law worth trusting.
  EXPECT_FALSE(fit_response(ResponseModel::power_law, {{1, 2}, {4, 4}}));
}

TEST(CalibrationCore, CubicFitRecoversAKnownCurve) {
  // p = x + 0.01 x^2 + 0.0001 x^3: x = 10 -> 10 + 1 + 0.1 = 11.1; 20 -> 20 + 4 + 0.8 = 24.8;
  // 30 -> 30 + 9 + 2.7 = 41.7; 40 -> 40 + 16 + 6.4 = 62.4.
  auto f = fit_response(ResponseModel::cubic, {{10, 11.1}, {20, 24.8}, {30, 41.7}, {40, 62.4}});
  ASSERT_TRUE(f);
  EXPECT_NEAR(f->coefficients[0], 1.0, 1e-9);
  EXPECT_NEAR(f->coefficients[1], 0.01, 1e-10);
  EXPECT_NEAR(f->coefficients[2], 0.0001, 1e-12);
  Calibration c;
  c.model = ResponseModel::cubic;
  c.coefficients = f->coefficients;
  EXPECT_NEAR(c.pressure_kpa(25.0), 25 + 6.25 + 1.5625, 1e-9);  // 25 + 0.01*625 + 0.0001*15625
}

TEST(CalibrationCore, FitRejectsHostileLoads) {
  EXPECT_FALSE(fit_response(ResponseModel::linear, {}));
  EXPECT_FALSE(fit_response(ResponseModel::linear, {{0, 10}}));
  EXPECT_FALSE(fit_response(ResponseModel::linear, {{10, -1}}));
  EXPECT_FALSE(fit_response(ResponseModel::cubic, {{10, 1}, {10, 1}, {10, 1}}));  // one distinct load
  EXPECT_FALSE(fit_response(ResponseModel::linear, {{std::nan(""), 1}}));
  // A falling curve (more counts, less pressure) is not a sensor response.
  EXPECT_FALSE(fit_response(ResponseModel::power_law, {{1, 6}, {4, 4}, {9, 2}}));
}

TEST(CalibrationCore, ApplyZeroGainAndModel) {
  Calibration c;
  c.coefficients = {0.5};
  c.zero_counts = Eigen::VectorXd::Constant(3, 10.0);
  c.gain = Eigen::VectorXd::Constant(3, 2.0);
  ASSERT_TRUE(c.validate(3));
  Eigen::VectorXf x(3);
  x << 20, 5, kNaN;
  const Eigen::VectorXf p = c.apply(x);
  EXPECT_FLOAT_EQ(p[0], 10.0f);  // 0.5 * 2 * (20 - 10)
  EXPECT_FLOAT_EQ(p[1], 0.0f);   // below zero: unloaded
  EXPECT_TRUE(std::isnan(p[2]));
  EXPECT_FALSE(c.validate(4));  // sizes must match the stream
}

TEST(CalibrationCore, ValidateNamesTheField) {
  Calibration c;
  EXPECT_FALSE(c.validate());  // no coefficient
  c.coefficients = {-1.0};
  auto st = c.validate();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("coefficients[0]"), std::string::npos);
  c.coefficients = {1.0};
  c.gain = Eigen::VectorXd::Constant(2, 0.0);
  st = c.validate();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("gain[0]"), std::string::npos);
  c.gain.resize(0);
  c.zero_counts = Eigen::VectorXd::Constant(1, std::nan(""));
  EXPECT_FALSE(c.validate());
}

TEST(CalibrationCore, StandingTrialGivesTheFactorAndTheCheckCloses) {
  // Two 2 x 2 grids at 10 mm pitch (100 mm^2 per sensel). Every frame: left counts sum 50,
  // right 50 -> sum(A raw) = 100 * 100 = 10000 mm^2 counts. 50 kg: 490.3325 N.
  // k = 490.3325 / 10000 N/(mm^2 count) = 0.04903325 MPa = 49.03325 kPa per count.
  Stream l = grid_stream("left", 2, 2, 10.0, {{10, 20, 10, 10}, {20, 10, 10, 10}, {5, 5, 20, 20}});
  Stream r = grid_stream("right", 2, 2, 10.0, {{50, 0, 0, 0}, {25, 25, 0, 0}, {10, 10, 10, 20}});
  auto c = calibrate_body_weight({&l, &r}, TrialKind::standing, 50.0);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->coefficients.size(), 1u);
  EXPECT_NEAR(c->coefficients[0], 49.03325, 1e-9);
  EXPECT_EQ(c->method, "body_weight_standing");
  // One residual per frame; every frame carries the same 10000 mm^2 counts: 0 kPa each.
  ASSERT_EQ(c->residuals_kpa.size(), 3u);
  for (double r : c->residuals_kpa) EXPECT_NEAR(r, 0.0, 1e-9);
  // Apply it, then the check against 50 kg closes at 0 % and against 55 kg at 50/55 - 1 = -9.0909 %.
  for (Stream* s : {&l, &r})
    for (Eigen::Index f = 0; f < s->frame_count(); ++f)
      s->pressure_kpa.row(f) = c->apply(s->pressure_kpa.row(f).transpose()).transpose();
  auto chk = check_standing({&l, &r}, 50.0);
  ASSERT_TRUE(chk);
  EXPECT_NEAR(chk->measured_force_n, 490.3325, 1e-3);
  EXPECT_NEAR(chk->error_percent, 0.0, 1e-4);
  EXPECT_NEAR(check_standing({&l, &r}, 55.0)->error_percent, -100.0 / 11.0, 1e-4);
}

TEST(CalibrationCore, WalkingTrialUsesTheMedianStancePeak) {
  // One sensel of 100 mm^2. Frame sums 30 (a stance cut by the start), 0, 10, 40, 30, 0, 20, 60,
  // 0, 70, 0: threshold 0.2 * 70 = 14; complete stances peak at 40, 60 and 70 -> median 60,
  // load 60 * 100 = 6000 mm^2 counts.
  Stream s = grid_stream("left", 1, 1, 10.0, {{30}, {0}, {10}, {40}, {30}, {0}, {20}, {60}, {0}, {70}, {0}});
  auto load = body_weight_load({&s}, TrialKind::walking);
  ASSERT_TRUE(load);
  EXPECT_DOUBLE_EQ(*load, 6000.0);
  // 60 kg: 588.399 N / 6000 * 1000 = 98.0665 kPa per count.
  auto c = calibrate_body_weight({&s}, TrialKind::walking, 60.0);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_NEAR(c->coefficients[0], 98.0665, 1e-9);
  // Residuals at the three stance peaks, body weight's mean pressure over the 100 mm^2 less the
  // peak's: k (6000 - 4000) / 100 = 1961.33 kPa, 0, k (6000 - 7000) / 100 = -980.665 kPa.
  ASSERT_EQ(c->residuals_kpa.size(), 3u);
  EXPECT_NEAR(c->residuals_kpa[0], 1961.33, 1e-6);
  EXPECT_NEAR(c->residuals_kpa[1], 0.0, 1e-6);
  EXPECT_NEAR(c->residuals_kpa[2], -980.665, 1e-6);
  // A long standing trial keeps kMaxBodyWeightResiduals of its frames' residuals, evenly spaced,
  // the first and the last among them: frame f carries 1 + f % 7 counts on 100 mm^2.
  std::vector<std::vector<float>> frames;
  for (int f = 0; f < 2500; ++f) frames.push_back({float(1 + f % 7)});
  Stream standing = grid_stream("mat", 1, 1, 10.0, frames);
  auto many = calibrate_body_weight({&standing}, TrialKind::standing, 60.0);
  ASSERT_TRUE(many) << many.error().message;
  ASSERT_EQ(many->residuals_kpa.size(), kMaxBodyWeightResiduals);
  const double km = many->coefficients[0];  // the median load is 4 counts
  EXPECT_NEAR(km, 588.399 / 400.0 * 1000.0, 1e-9);
  // (1000 m g - k 100 x) / 100 = k (4 - x) for a frame of x counts (1000 m g = k 400).
  EXPECT_NEAR(many->residuals_kpa.front(), km * (4 - 1), 1e-9);            // frame 0: 1 count
  EXPECT_NEAR(many->residuals_kpa.back(), km * (4 - (1 + 2499 % 7)), 1e-9);  // frame 2499: 1 count
  EXPECT_NEAR(many->residuals_kpa[1], km * (4 - (1 + 2 % 7)), 1e-9);        // frame 1 x 2499 / 999 = 2
  Stream none = grid_stream("left", 1, 1, 10.0, {{0}, {0}});
  EXPECT_FALSE(body_weight_load({&none}, TrialKind::walking));
  EXPECT_FALSE(body_weight_load({&none}, TrialKind::standing));
  EXPECT_FALSE(body_weight_load({}, TrialKind::standing));
}

// A load cell's median reading above min_kg; hand-picked values: {2 (below 5), 70.1, NaN, 69.9,
// 70.4} -> {70.1, 69.9, 70.4} -> median 70.1.
TEST(CalibrationCore, LoadCellMassIsTheMedianOfLoadedFrames) {
  Stream s = grid_stream("load_cell", 1, 1, 10.0, {{2.f}, {70.1f}, {kNaN}, {69.9f}, {70.4f}});
  EXPECT_FALSE(load_cell_mass_kg(s));  // not marked as a load cell
  s.info.attributes["quantity"] = "load_cell_kg";
  ASSERT_TRUE(is_load_cell_stream(s.info));
  auto m = load_cell_mass_kg(s);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_NEAR(*m, 70.1, 1e-5);
  auto none = load_cell_mass_kg(s, 100.0);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("nobody stood on the platform"), std::string::npos);
  // More than one value per frame is not a load cell.
  Stream two = grid_stream("x", 1, 2, 10.0, {{70.f, 70.f}});
  two.info.attributes["quantity"] = "load_cell_kg";
  EXPECT_FALSE(is_load_cell_stream(two.info));
}

}  // namespace
}  // namespace insole
