// `insole calibrate` as users run it: compute from a standing trial in counts, apply to a
// recording (a new file; the input's bytes unchanged), check the calibrated trial; exit codes
// 0 / 1 / 2 and errors that name the problem.
#include <gtest/gtest.h>

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

// A platform with a load cell (the Fisica scale's "load_cell" stream, attribute quantity =
// load_cell_kg): without --mass the standing trial's own load cell gives m, the median of its
// readings above 5 kg. Readings 0 (nobody yet), 79, 80, 81 kg -> median of {79, 80, 81} = 80 kg,
// hence the same k as above; the load cell itself is neither summed nor calibrated.
TEST(CalibrateCli, ComputeTakesTheBodyMassFromTheLoadCell) {
  test::TempDir dir;
  Recording rec = standing_counts();
  // A fourth, unloaded frame first would change the counts' median; give the pressure streams a
  // fourth frame equal to frame 1 so that their median is unchanged (sums 30 / 70 every frame).
  for (Stream& s : rec.streams) s.append(0.3, s.pressure_kpa.row(1).transpose());
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
  // A kPa recording is not calibrated twice.
  ASSERT_EQ(insole_cli("calibrate compute " + quote(trial) + " --mass 80 --serial X -o " + quote(dir / "c.json"), dir.path())
                .exit_code,
            0);
  ASSERT_EQ(insole_cli("calibrate apply " + quote(trial) + " --calibration " + quote(dir / "c.json") + " -o " +
                           quote(dir / "k.h5"),
                       dir.path())
                .exit_code,
            0);
  const auto again = insole_cli("calibrate apply " + quote(dir / "k.h5") + " --calibration " + quote(dir / "c.json") +
                                    " -o " + quote(dir / "k2.h5"),
                                dir.path());
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already in kPa"), std::string::npos) << again.err;
}

}  // namespace
}  // namespace insole
