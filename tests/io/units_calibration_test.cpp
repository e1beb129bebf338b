// Stream units ("kPa" | "counts") and the optional calibration group with the raw counts
// (docs/format.md, "Units and calibration"): round trips, and damaged groups rejected with an
// error naming the object.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstring>

#include "insole/io/hdf5_recording.hpp"
#include "io/hdf5_edit.hpp"
#include "io/test_recordings.hpp"
#include "support/temp_dir.hpp"

namespace insole::io {
namespace {

using test::TempDir;

Recording calibrated_recording() {
  Recording rec = test::make_recording();
  Stream& s = rec.streams[1];  // "left", 8 sensors
  Calibration c;
  c.device_serial = "SN-7";
  c.method = "body_weight_standing";
  c.date = "2026-12-05";
  c.source = "stand.h5, 70 kg";
  c.coefficients = {2.5};
  c.zero_counts = Eigen::VectorXd::Constant(8, 1.0);
  c.gain = Eigen::VectorXd::Constant(8, 1.0);
  c.body_mass_kg = 70.0;
  s.raw_counts = s.pressure_kpa;
  for (Eigen::Index f = 0; f < s.frame_count(); ++f)
    s.pressure_kpa.row(f) = c.apply(s.raw_counts.row(f).transpose()).transpose();
  s.info.calibration = c;
  rec.streams[2].info.units = PressureUnits::counts;
  return rec;
}

TEST(UnitsCalibrationIo, CountsAndCalibrationRoundTrip) {
  TempDir dir;
  const auto path = dir / "cal.h5";
  const Recording rec = calibrated_recording();
  ASSERT_TRUE(write_recording(path, rec));
  auto back = read_recording(path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->streams[0].info.units, PressureUnits::kpa);
  EXPECT_EQ(back->streams[2].info.units, PressureUnits::counts);
  const Stream& l = back->streams[1];
  ASSERT_TRUE(l.info.calibration);
  EXPECT_EQ(l.info.calibration->coefficients, std::vector<double>{2.5});
  EXPECT_EQ(l.info.calibration->device_serial, "SN-7");
  EXPECT_EQ(l.info.calibration->source, "stand.h5, 70 kg");
  EXPECT_EQ(l.info.calibration->body_mass_kg, 70.0);
  EXPECT_EQ(l.info.calibration->zero_counts, rec.streams[1].info.calibration->zero_counts);
  EXPECT_TRUE(test::same_bits(l.raw_counts, rec.streams[1].raw_counts));
  EXPECT_TRUE(test::same_bits(l.pressure_kpa, rec.streams[1].pressure_kpa));
  // Sensor 2, frame 0: raw 1.5 * 2 + 0 = 3 counts; (3 - 1) * 2.5 = 5 kPa.
  EXPECT_FLOAT_EQ(l.raw_counts(0, 2), 3.0f);
  EXPECT_FLOAT_EQ(l.pressure_kpa(0, 2), 5.0f);
  EXPECT_EQ(back->streams[0].raw_counts.size(), 0);
}

TEST(UnitsCalibrationIo, StreamingWriterCalibratesCountsAsWriteRecordingStoresThem) {
  // A capture calibrated as it records (the streaming writer given counts) and a finished
  // recording calibrated afterwards (write_recording of counts and pressure) hold the same data.
  TempDir dir;
  const Recording rec = calibrated_recording();
  const Stream& want = rec.streams[1];
  std::vector<StreamInfo> infos{want.info};
  {
    auto w = RecordingWriter::create(dir / "live.h5", rec.meta, infos, {});
    ASSERT_TRUE(w) << w.error().message;
    for (Eigen::Index f = 0; f < want.frame_count(); ++f) {
      PressureFrame fr;
      fr.time_s = want.time_s[f];
      fr.sequence = std::uint64_t(f);
      fr.pressure_kpa = want.raw_counts.row(f).transpose();  // counts, as the device sends them
      ASSERT_TRUE(w->append(fr));
    }
    ASSERT_TRUE(w->close());
  }
  auto back = read_recording(dir / "live.h5");
  ASSERT_TRUE(back) << back.error().message;
  const Stream& got = back->streams[0];
  EXPECT_EQ(got.info.units, PressureUnits::kpa);
  ASSERT_TRUE(got.info.calibration);
  EXPECT_EQ(got.info.calibration->device_serial, "SN-7");
  EXPECT_EQ(got.info.calibration->zero_counts, want.info.calibration->zero_counts);
  EXPECT_TRUE(test::same_bits(got.raw_counts, want.raw_counts));
  EXPECT_TRUE(test::same_bits(got.pressure_kpa, want.pressure_kpa));
  EXPECT_FLOAT_EQ(got.pressure_kpa(0, 2), 5.0f);  // (3 counts - 1) * 2.5, as above
}

TEST(UnitsCalibrationIo, StreamingWriterRefusesACalibrationOfAnotherSize) {
  TempDir dir;
  const Recording rec = calibrated_recording();
  std::vector<StreamInfo> infos{rec.streams[1].info};
  infos[0].calibration->gain = Eigen::VectorXd::Ones(9);  // the stream has 8 sensors
  auto w = RecordingWriter::create(dir / "live.h5", rec.meta, infos, {});
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, Errc::invalid_argument);
  EXPECT_NE(w.error().message.find("stream 'left'"), std::string::npos) << w.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir / "live.h5"));
}

class DamagedCalibration : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(write_recording(path(), calibrated_recording())); }
  std::filesystem::path path() const { return dir_ / "r.h5"; }
  void edit(const std::function<void(hid_t)>& f) { test::edit_h5(path(), f); }
  void expect_error(const std::string& needle) {
    auto r = read_recording(path());
    ASSERT_FALSE(r) << "expected an error mentioning " << needle;
    EXPECT_EQ(r.error().code, Errc::format_error) << r.error().message;
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  }
  TempDir dir_;
};

using test::replace_dataset;
using test::set_string_attr;

TEST_F(DamagedCalibration, UnknownUnits) {
  edit([](hid_t f) { set_string_attr(f, "/streams/mat", "units", "Pa"); });
  expect_error("'units' is \"Pa\", expected \"kPa\" or \"counts\"");
}

TEST_F(DamagedCalibration, CountsStreamWithACalibration) {
  edit([](hid_t f) { set_string_attr(f, "/streams/left", "units", "counts"); });
  expect_error("calibration group must have units \"kPa\"");
}

TEST_F(DamagedCalibration, BadModelAndCoefficients) {
  edit([](hid_t f) { set_string_attr(f, "/streams/left/calibration", "model", "spline"); });
  expect_error("/streams/left/calibration: attribute 'model' is \"spline\"");
}

TEST_F(DamagedCalibration, NegativeFactor) {
  edit([](hid_t f) { test::set_doubles_attr(f, "/streams/left/calibration", "coefficients", {-2.5}); });
  expect_error("coefficients[0] must be > 0");
}

TEST_F(DamagedCalibration, GainOfTheWrongLength) {
  edit([](hid_t f) {
    const double v[3] = {1, 1, 1};
    replace_dataset(f, "/streams/left/calibration/gain", H5T_NATIVE_DOUBLE, {3}, v);
  });
  expect_error("/streams/left/calibration/gain: expected shape [8]");
}

TEST_F(DamagedCalibration, RawCountsOfTheWrongShape) {
  edit([](hid_t f) { replace_dataset(f, "/streams/left/calibration/raw_counts", H5T_NATIVE_FLOAT, {33, 7}, nullptr); });
  expect_error("raw_counts: expected the shape of pressure");
}

TEST_F(DamagedCalibration, RawCountsTooShort) {
  edit([](hid_t f) { replace_dataset(f, "/streams/left/calibration/raw_counts", H5T_NATIVE_FLOAT, {5, 8}, nullptr); });
  expect_error("raw_counts: has 5 frames, pressure has 33");
}

TEST_F(DamagedCalibration, CalibrationThatIsNotAGroup) {
  edit([](hid_t f) { replace_dataset(f, "/streams/left/calibration", H5T_NATIVE_DOUBLE, {1}, nullptr); });
  expect_error("/streams/left/calibration: expected a group");
}

}  // namespace
}  // namespace insole::io
