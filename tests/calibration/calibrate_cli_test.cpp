// `insole calibrate` as users run it: compute from a standing trial in counts, apply to a
// recording (a new file; the input's bytes unchanged), check the calibrated trial; exit codes
// 0 / 1 / 2 and errors that name the problem.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "insole/calibration/calibration_file.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "report/cli_run.hpp"
#include "support/temp_dir.hpp"

namespace insole {
namespace {

using test::insole_cli;
using test::quote;

// Two 2 x 2 insole-like grids at 10 mm pitch (100 mm^2 per sensel). Every frame the left counts
// sum to 30 and the right to 70: sum(A counts) = 100 * 100 = 10000 mm^2 counts.
Recording standing_counts() {
  Recording rec;
  rec.meta.mode = "stand";
  const std::vector<std::vector<float>> left = {{10, 5, 10, 5}, {5, 10, 5, 10}, {15, 5, 5, 5}};
  const std::vector<std::vector<float>> right = {{20, 20, 20, 10}, {30, 10, 20, 10}, {10, 20, 30, 10}};
  for (const auto& [name, frames] : {std::pair{"left", left}, std::pair{"right", right}}) {
    Stream s;
    s.info.name = name;
    s.info.layout = SensorLayout::grid(2, 2, 10.0, 10.0).value();
    s.info.units = PressureUnits::counts;
    s.info.sample_rate_hz = 10;
    for (std::size_t f = 0; f < frames.size(); ++f)
      s.append(0.1 * double(f), Eigen::Map<const Eigen::VectorXf>(frames[f].data(), 4));
    rec.streams.push_back(std::move(s));
  }
  return rec;
}

TEST(CalibrateCli, ComputeApplyCheck) {
  test::TempDir dir;
  const auto trial = dir / "stand.h5";
  ASSERT_TRUE(io::write_recording(trial, standing_counts()));
  const std::string before = test::read_file(trial);

  // 80 kg: 80 * 9.80665 = 784.532 N over 10000 mm^2 counts = 0.0784532 MPa = 78.4532 kPa/count.
  auto r = insole_cli("calibrate compute " + quote(trial) + " --mass 80 --serial 'SN/7' -o " + quote(dir / "cal.json"),
                      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("k = 78.4532 kPa per count"), std::string::npos) << r.out;
  auto cal = calibration::read_file(dir / "cal.json");
  ASSERT_TRUE(cal) << cal.error().message;
  EXPECT_NEAR(cal->coefficients.at(0), 78.4532, 1e-9);
  EXPECT_EQ(cal->device_serial, "SN/7");
  EXPECT_EQ(cal->method, "body_weight_standing");

  r = insole_cli("calibrate apply " + quote(trial) + " --calibration " + quote(dir / "cal.json") + " -o " +
                     quote(dir / "stand_kpa.h5"),
                 dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_file(trial), before) << "apply must not touch its input";
  auto out = io::read_recording(dir / "stand_kpa.h5");
  ASSERT_TRUE(out) << out.error().message;
  for (const Stream& s : out->streams) {
    EXPECT_EQ(s.info.units, PressureUnits::kpa);
    ASSERT_TRUE(s.info.calibration);
    EXPECT_EQ(s.info.calibration->device_serial, "SN/7");
    ASSERT_EQ(s.raw_counts.rows(), 3);
  }
  // Left, frame 0, sensel 0: 10 counts * 78.4532 = 784.532 kPa; the raw 10 is kept.
  EXPECT_FLOAT_EQ(out->streams[0].raw_counts(0, 0), 10.0f);
  EXPECT_NEAR(out->streams[0].pressure_kpa(0, 0), 784.532, 1e-3);

  // The calibrated trial carries 80 kg exactly; against 100 kg it is 80/100 - 1 = -20 %.
  r = insole_cli("calibrate check " + quote(dir / "stand_kpa.h5") + " --mass 80", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // float32 pressures: the error prints as +0.0 or -0.0.
  EXPECT_TRUE(r.out.find("error +0.0 %") != std::string::npos || r.out.find("error -0.0 %") != std::string::npos)
      << r.out;
  r = insole_cli("calibrate check " + quote(dir / "stand_kpa.h5") + " --mass 100 --tolerance 10", dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("error -20.0 %"), std::string::npos) << r.out;
}

TEST(CalibrateCli, CaptureCalibratesAsItRecordsAsApplyDoesAfterwards) {
  // The counts trial played back as a live source through `insole capture --calibration` gives
  // the same counts and pressure as `insole calibrate apply` on the trial.
  test::TempDir dir;
  const auto trial = dir / "stand.h5";
  ASSERT_TRUE(io::write_recording(trial, standing_counts()));
  auto r = insole_cli("calibrate compute " + quote(trial) + " --mass 80 --serial SN7 --stream left -o " +
                          quote(dir / "left.json"),
                      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = insole_cli("calibrate apply " + quote(trial) + " --calibration " + quote(dir / "left.json") + " -o " +
                     quote(dir / "applied.h5"),
                 dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = insole_cli("capture --source " + quote("file://" + trial.string()) + " --calibration " +
                     quote(dir / "left.json") + " -q -o " + quote(dir / "live.h5"),
                 dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto applied = io::read_recording(dir / "applied.h5");
  auto live = io::read_recording(dir / "live.h5");
  ASSERT_TRUE(applied && live);
  ASSERT_EQ(live->streams.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const Stream& a = applied->streams[i];
    const Stream& l = live->streams[i];
    EXPECT_EQ(l.info.units, a.info.units) << a.info.name;
    EXPECT_EQ(l.pressure_kpa, a.pressure_kpa) << a.info.name;
    EXPECT_EQ(l.raw_counts, a.raw_counts) << a.info.name;
  }
  EXPECT_EQ(live->streams[0].info.units, PressureUnits::kpa);
  EXPECT_EQ(live->streams[1].info.units, PressureUnits::counts);  // the calibration is the left's only

  // A calibration that cannot be used stops the capture before it writes anything (exit 2).
  std::ofstream(dir / "broken.json") << "{\"format\": ";
  r = insole_cli("capture --source " + quote("file://" + trial.string()) + " --calibration " +
                     quote(dir / "broken.json") + " -q -o " + quote(dir / "x.h5"),
                 dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("broken.json"), std::string::npos) << r.err;
  r = insole_cli("capture --source " + quote("file://" + trial.string()) + " --calibration " +
                     quote(dir / "left.json") + " --calibration " + quote(dir / "left.json") + " -q -o " +
                     quote(dir / "x.h5"),
                 dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("stream 'left' is given two calibrations"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.h5"));
}

TEST(CalibrateCli, MapSensorsWritesThePositionsFileADescriptionUses) {
  // A 3-output insole whose outputs are wired 2, 0, 1 to the zones heel, midfoot, toe: pressed in
  // that order, one second each (100 Hz, 0.5 s released in between).
  test::TempDir dir;
  Recording rec;
  Stream s;
  s.info.name = "left";
  s.info.units = PressureUnits::counts;
  s.info.sample_rate_hz = 100;
  s.info.layout = SensorLayout::sensors(Eigen::MatrixX2d::Constant(3, 2, std::nan("")),
                                        Eigen::VectorXd::Constant(3, std::nan(""))).value();
  const int wiring[3] = {2, 0, 1};
  for (int f = 0; f < 500; ++f) {
    const double t = 0.01 * f;
    Eigen::VectorXf v = Eigen::VectorXf::Constant(3, 4.0f);
    const double since = t - 0.5;
    const int k = since >= 0 ? int(since / 1.5) : -1;
    if (k >= 0 && k < 3 && since - 1.5 * k < 1.0) v[wiring[k]] += 900.0f;
    s.append(t, v);
  }
  rec.streams.push_back(std::move(s));
  ASSERT_TRUE(io::write_recording(dir / "pressing.h5", rec));
  std::ofstream(dir / "zones.csv") << "zone,x_mm,y_mm,area_mm2\nheel,0,30,400\nmidfoot,8,110,300\ntoe,-5,220,200\n";
  auto r = insole_cli("map-sensors " + quote(dir / "pressing.h5") + " --zones " + quote(dir / "zones.csv") + " -o " +
                          quote(dir / "left3.csv"),
                      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("stream left: 3 presses, one output each"), std::string::npos) << r.out;
  EXPECT_EQ(test::read_file(dir / "left3.csv"),
            "x_mm,y_mm,area_mm2\n"
            "8,110,300  # output 0: midfoot, pressed at 2.00 s\n"
            "-5,220,200  # output 1: toe, pressed at 3.50 s\n"
            "0,30,400  # output 2: heel, pressed at 0.50 s\n");
  // The positions file in a device description, checked by `insole devices --check`.
  std::ofstream(dir / "three.json") << R"({"format": "insole-device", "format_version": 1, "name": "three_cell",
    "description": "3-cell test insole", "frame_rate_hz": 100, "transport": {"baud": 115200},
    "framing": {"type": "header", "sync": "AA", "foot_byte": true, "checksum": "sum8_all"},
    "values": {"type": "u16be", "max_raw": 4095, "raw_unit": "g"},
    "layout": {"kind": "sensors", "count": 3, "positions_file": "left3.csv"},
    "calibration": {"units": "kPa", "from": "grams_per_cell"},
    "provenance": {"wire_format": "measured", "values": "measured", "geometry": "measured", "rate": "guessed"}})";
  r = insole_cli("devices --check " + quote(dir / "three.json"), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("valid device description \"three_cell\""), std::string::npos) << r.out;
  // A trial with a press missing is refused with what to do (exit 2), and nothing is written.
  std::ofstream(dir / "four.csv") << "zone,x_mm,y_mm,area_mm2\na,0,0,1\nb,0,0,1\nc,0,0,1\nd,0,0,1\n";
  r = insole_cli("map-sensors " + quote(dir / "pressing.h5") + " --zones " + quote(dir / "four.csv") + " -o " +
                     quote(dir / "x.csv"),
                 dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the zones file has 4 zones for 3 outputs"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.csv"));
}

// One 2 x 2 grid at 10 mm (100 mm^2 per sensel) in counts, the same frame three times.
Recording one_grid(const std::vector<float>& counts) {
  Recording rec;
  rec.meta.mode = "stand";
  Stream s;
  s.info.name = "mat";
  s.info.layout = SensorLayout::grid(2, 2, 10.0, 10.0).value();
  s.info.units = PressureUnits::counts;
  s.info.sample_rate_hz = 10;
  for (int f = 0; f < 3; ++f) s.append(0.1 * f, Eigen::Map<const Eigen::VectorXf>(counts.data(), 4));
  rec.streams.push_back(std::move(s));
  return rec;
}

TEST(CalibrateCli, ZeroAndEqualisationBeforeTheBodyWeightFactor) {
  test::TempDir dir;
  // Resting offsets 3, 4, 5, 6; under a uniform load the sensels rise by 50, 25, 100, 50 (their
  // sensitivities differ); standing, by 40, 20, 80, 40.
  ASSERT_TRUE(io::write_recording(dir / "unloaded.h5", one_grid({3, 4, 5, 6})));
  ASSERT_TRUE(io::write_recording(dir / "uniform.h5", one_grid({53, 29, 105, 56})));
  ASSERT_TRUE(io::write_recording(dir / "stand.h5", one_grid({43, 24, 85, 46})));
  auto r = insole_cli("calibrate compute " + quote(dir / "stand.h5") + " --mass 80 --serial MAT1 --zero-from " +
                          quote(dir / "unloaded.h5") + " --equalise-from " + quote(dir / "uniform.h5") + " -o " +
                          quote(dir / "mat1.json"),
                      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto cal = calibration::read_file(dir / "mat1.json");
  ASSERT_TRUE(cal) << cal.error().message;
  // By hand: zero = the resting counts; gain = mean(50, 25, 100, 50) / m_i = 56.25 / m_i.
  EXPECT_EQ(cal->zero_counts, Eigen::Vector4d(3, 4, 5, 6));
  EXPECT_NEAR(cal->gain[0], 1.125, 1e-12);
  EXPECT_NEAR(cal->gain[1], 2.25, 1e-12);
  EXPECT_NEAR(cal->gain[2], 0.5625, 1e-12);
  EXPECT_NEAR(cal->gain[3], 1.125, 1e-12);
  // Standing, every sensel equalises to 45: sum(A e) = 4 * 100 * 45 = 18000 mm^2 counts, and
  // k = 80 * 9.80665 / 18000 * 1000 = 43.58511 kPa per count.
  EXPECT_NEAR(cal->coefficients.at(0), 80 * 9.80665 / 18000 * 1000, 1e-9);
  EXPECT_NE(cal->source.find("zero from"), std::string::npos);
  // Applied, the standing trial carries the body weight.
  r = insole_cli("calibrate apply " + quote(dir / "stand.h5") + " --calibration " + quote(dir / "mat1.json") + " -o " +
                     quote(dir / "stand_kpa.h5"),
                 dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = insole_cli("calibrate check " + quote(dir / "stand_kpa.h5") + " --mass 80 --tolerance 0.1", dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // A zero trial from a device of another size, and a "uniform load" under which nothing rose,
  // are refused with the file named (exit 2).
  Recording other = one_grid({1, 1, 1, 1});
  other.streams[0].info.layout = SensorLayout::grid(1, 3, 10.0, 10.0).value();
  other.streams[0].pressure_kpa.conservativeResize(3, 3);
  ASSERT_TRUE(io::write_recording(dir / "other.h5", other));
  r = insole_cli("calibrate compute " + quote(dir / "stand.h5") + " --mass 80 --serial MAT1 --zero-from " +
                     quote(dir / "other.h5") + " -o " + quote(dir / "x.json"),
                 dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("other.h5: stream 'mat' has 3 sensels, the trial has 4"), std::string::npos) << r.err;
  r = insole_cli("calibrate compute " + quote(dir / "stand.h5") + " --mass 80 --serial MAT1 --zero-from " +
                     quote(dir / "unloaded.h5") + " --equalise-from " + quote(dir / "unloaded.h5") + " -o " +
                     quote(dir / "x.json"),
                 dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unloaded.h5: "), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.json"));
}

TEST(CalibrateCli, FitAResponseCurveThroughKnownLoads) {
  // Readings of a sensor that follows p = 3 e^1.5 under 100, 200 and 400 kPa:
  // e = (p / 3)^(2/3) = 10.3574, 16.4414, 26.0990 counts.
  test::TempDir dir;
  std::string loads;
  for (double p : {100.0, 200.0, 400.0}) {
    const float e = float(std::pow(p / 3.0, 2.0 / 3.0));
    const auto f = dir / ("load" + std::to_string(int(p)) + ".h5");
    ASSERT_TRUE(io::write_recording(f, one_grid({e, e, e, e})));
    loads += " --load " + quote(f.string() + "=" + std::to_string(int(p)));
  }
  auto r = insole_cli("calibrate fit" + loads + " --model power_law --serial BLADDER -o " + quote(dir / "fit.json"),
                      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto cal = calibration::read_file(dir / "fit.json");
  ASSERT_TRUE(cal) << cal.error().message;
  EXPECT_EQ(cal->method, "multi_load");
  EXPECT_EQ(cal->model, ResponseModel::power_law);
  EXPECT_NEAR(cal->coefficients.at(0), 3.0, 1e-4);
  EXPECT_NEAR(cal->coefficients.at(1), 1.5, 1e-5);
  ASSERT_EQ(cal->residuals_kpa.size(), 3u);
  for (double res : cal->residuals_kpa) EXPECT_LT(std::abs(res), 1e-3);
  EXPECT_NE(r.out.find("load 200 kPa: 16.44"), std::string::npos) << r.out;
  // Two loads cannot fix a power law; a load without its pressure is a usage error.
  r = insole_cli("calibrate fit --load " + quote((dir / "load100.h5").string() + "=100") + " --load " +
                     quote((dir / "load200.h5").string() + "=200") + " --serial B -o " + quote(dir / "x.json"),
                 dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("model 'power_law' needs at least 3 known loads, found 2"), std::string::npos) << r.err;
  r = insole_cli("calibrate fit --load " + quote(dir / "load100.h5") + " --serial B -o " + quote(dir / "x.json"),
                 dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected TRIAL.h5=KPA"), std::string::npos) << r.err;
  // Trials of another device (3 sensels after 4) are refused, not mixed.
  Recording three = one_grid({5, 5, 5, 5});
  three.streams[0].info.layout = SensorLayout::grid(1, 3, 10.0, 10.0).value();
  three.streams[0].pressure_kpa.conservativeResize(3, 3);
  ASSERT_TRUE(io::write_recording(dir / "three.h5", three));
  r = insole_cli("calibrate fit --load " + quote((dir / "load100.h5").string() + "=100") + " --load " +
                     quote((dir / "three.h5").string() + "=200") + " --load " +
                     quote((dir / "load400.h5").string() + "=400") + " --serial B -o " + quote(dir / "x.json"),
                 dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("three.h5: stream 'mat' has 3 sensels, the first load trial has 4"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.json"));
}

// A platform with a load cell (the Fisica scale's "load_cell" stream, attribute quantity =
// load_cell_kg): without --mass the standing trial's own load cell gives m, the median of its
// readings above 5 kg. Readings 0 (nobody yet), 79, 80, 81 kg -> median of {79, 80, 81} = 80 kg,
// hence the same k as above; the load cell itself is neither summed nor calibrated.
TEST(CalibrateCli, ComputeTakesTheBodyMassFromTheLoadCell) {
  test::TempDir dir;
  Recording rec = standing_counts();
  // A fourth, unloaded frame first would change the counts' median; give the pressure streams a
  // fourth frame equal to frame 1 so that their median is unchanged (sums 30 / 70 every frame).
  for (Stream& s : rec.streams) {
    const Eigen::VectorXf frame1 = s.pressure_kpa.row(1).transpose();  // a copy: append reallocates
    s.append(0.3, frame1);
  }
  Stream load;
  load.info.name = "load_cell";
  const double nan = std::numeric_limits<double>::quiet_NaN();
  load.info.layout = SensorLayout::sensors(Eigen::MatrixX2d::Constant(1, 2, nan), Eigen::VectorXd::Constant(1, nan)).value();
  load.info.units = PressureUnits::counts;
  load.info.attributes["quantity"] = "load_cell_kg";
  for (float kg : {0.f, 79.f, 80.f, 81.f}) load.append(0.1 * double(load.frame_count()), Eigen::VectorXf::Constant(1, kg));
  rec.streams.push_back(std::move(load));
  const auto trial = dir / "stand_lc.h5";
  ASSERT_TRUE(io::write_recording(trial, rec));
  auto r = insole_cli("calibrate compute " + quote(trial) + " --serial FISICA1 -o " + quote(dir / "cal.json"), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("k = 78.4532 kPa per count"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("median of load cell 'load_cell'"), std::string::npos) << r.out;
  auto cal = calibration::read_file(dir / "cal.json");
  ASSERT_TRUE(cal) << cal.error().message;
  EXPECT_NE(cal->source.find("body mass 80 kg (median of load cell 'load_cell')"), std::string::npos) << cal->source;
  // Apply calibrates the pressure streams only.
  r = insole_cli("calibrate apply " + quote(trial) + " --calibration " + quote(dir / "cal.json") + " -o " +
                     quote(dir / "stand_kpa.h5"),
                 dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = io::read_recording(dir / "stand_kpa.h5");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->streams[2].info.units, PressureUnits::counts);
  EXPECT_FLOAT_EQ(out->streams[2].pressure_kpa(2, 0), 80.0f);
  // Walking: the load cell does not give the mass.
  r = insole_cli("calibrate compute " + quote(trial) + " --serial FISICA1 --trial walking --stream left -o " +
                     quote(dir / "w.json"),
                 dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("give --mass"), std::string::npos) << r.err;
  // No load cell and no --mass: the error says what is missing.
  ASSERT_TRUE(io::write_recording(dir / "plain.h5", standing_counts()));
  r = insole_cli("calibrate compute " + quote(dir / "plain.h5") + " --serial X -o " + quote(dir / "x.json"), dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no load-cell stream"), std::string::npos) << r.err;
}

TEST(CalibrateCli, BadInputExitsTwoAndNamesTheProblem) {
  test::TempDir dir;
  const auto trial = dir / "stand.h5";
  ASSERT_TRUE(io::write_recording(trial, standing_counts()));
  const std::string before = test::read_file(trial);
  struct Case {
    std::string args, needle;
  };
  {
    std::ofstream(dir / "bad.json") << R"({"format": "insole-calibration", "format_version": 1, "device_serial": "x",
      "method": "manual", "model": "linear", "coefficients": [-3]})";
  }
  const std::vector<Case> cases = {
      {"calibrate compute " + quote(trial) + " --serial X", "--mass"},
      {"calibrate compute " + quote(trial) + " --mass 80 --serial X --trial walking", "--stream"},
      {"calibrate compute " + quote(trial) + " --mass 80 --serial X --stream nope", "no stream named 'nope'"},
      {"calibrate compute " + quote(trial) + " --mass 80 --serial X --stream left --stream left",
       "stream 'left' is named twice with --stream"},
      {"calibrate frobnicate " + quote(trial), "unknown action"},
      {"calibrate apply " + quote(trial) + " --calibration " + quote(dir / "bad.json") + " -o " + quote(dir / "o.h5"),
       "'coefficients'"},
      {"calibrate apply " + quote(trial) + " --calibration " + quote(dir / "missing.json") + " -o " + quote(dir / "o.h5"),
       "missing.json"},
      {"calibrate apply " + quote(trial) + " --calibration " + quote(dir / "bad.json") + " -o " + quote(trial),
       "never modifies its input"},
      {"calibrate check " + quote(trial) + " --mass 80", "is in counts"},
  };
  for (const auto& c : cases) {
    const auto r = insole_cli(c.args, dir.path());
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "o.h5"));
  EXPECT_EQ(test::read_file(trial), before);
  // A recording in kPa without raw counts has no counts to calibrate.
  Recording kpa = standing_counts();
  for (Stream& st : kpa.streams) st.info.units = PressureUnits::kpa;
  ASSERT_TRUE(io::write_recording(dir / "kpa.h5", kpa));
  ASSERT_EQ(insole_cli("calibrate compute " + quote(trial) + " --mass 80 --serial X -o " + quote(dir / "c.json"), dir.path())
                .exit_code,
            0);
  for (const std::string action : {"apply", "compute"}) {
    const auto r = insole_cli("calibrate " + action + " " + quote(dir / "kpa.h5") +
                                  (action == "apply" ? " --calibration " + quote(dir / "c.json") + " -o " + quote(dir / "k.h5")
                                                     : " --mass 80 --serial X -o " + quote(dir / "k.json")),
                              dir.path());
    EXPECT_EQ(r.exit_code, 2) << action;
    EXPECT_NE(r.err.find("stream 'left' is in kPa and keeps no raw counts"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "k.h5"));
  EXPECT_FALSE(std::filesystem::exists(dir / "k.json"));
}

// A recording calibrated before (its counts kept in calibration/raw_counts) is calibrated again
// from those counts: a new calibration computed from them replaces the old one, and the counts
// pass on unchanged.
TEST(CalibrateCli, ARecordingCalibratedBeforeIsCalibratedAgainFromItsCounts) {
  test::TempDir dir;
  const auto trial = dir / "stand.h5";
  ASSERT_TRUE(io::write_recording(trial, standing_counts()));
  ASSERT_EQ(insole_cli("calibrate compute " + quote(trial) + " --mass 80 --serial OLD -o " + quote(dir / "old.json"),
                       dir.path())
                .exit_code,
            0);
  ASSERT_EQ(insole_cli("calibrate apply " + quote(trial) + " --calibration " + quote(dir / "old.json") + " -o " +
                           quote(dir / "k80.h5"),
                       dir.path())
                .exit_code,
            0);
  const std::string calibrated = test::read_file(dir / "k80.h5");

  // From the calibrated file's counts, for 100 kg: 980.665 N over 10000 mm^2 counts = 98.0665 kPa/count,
  // the factor the counts themselves give (ComputeApplyCheck: 78.4532 for 80 kg).
  auto r = insole_cli("calibrate compute " + quote(dir / "k80.h5") + " --mass 100 --serial NEW -o " +
                          quote(dir / "new.json"),
                      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("k = 98.0665 kPa per count"), std::string::npos) << r.out;

  r = insole_cli("calibrate apply " + quote(dir / "k80.h5") + " --calibration " + quote(dir / "new.json") + " -o " +
                     quote(dir / "k100.h5"),
                 dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("from its raw counts, replacing the calibration of"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("serial OLD"), std::string::npos) << r.out;
  EXPECT_EQ(test::read_file(dir / "k80.h5"), calibrated) << "apply must not touch its input";

  auto before = io::read_recording(trial);
  auto out = io::read_recording(dir / "k100.h5");
  ASSERT_TRUE(before && out);
  ASSERT_EQ(out->streams.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const Stream& s = out->streams[i];
    EXPECT_EQ(s.info.units, PressureUnits::kpa);
    ASSERT_TRUE(s.info.calibration);
    EXPECT_EQ(s.info.calibration->device_serial, "NEW");
    EXPECT_TRUE(s.raw_counts == before->streams[i].pressure_kpa) << "the counts pass on unchanged";
    // Pressure = the original counts x 98.0665 (left frame 0 sensel 0: 10 counts = 980.665 kPa).
    for (Eigen::Index f = 0; f < s.frame_count(); ++f)
      for (Eigen::Index j = 0; j < 4; ++j)
        EXPECT_NEAR(s.pressure_kpa(f, j), 98.0665 * before->streams[i].pressure_kpa(f, j), 1e-3);
  }
  // The standing check on the recalibrated trial: 100 kg exactly.
  r = insole_cli("calibrate check " + quote(dir / "k100.h5") + " --mass 100", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.find("error +0.0 %") != std::string::npos || r.out.find("error -0.0 %") != std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace insole
