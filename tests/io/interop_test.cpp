// Files written by other tools: h5py following docs/format.md (the script is the documentation's
// example) and the HDF5 C API in the minimal required layout.

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdlib>
#include <cstring>

#include "insole/io/hdf5_recording.hpp"
#include "support/temp_dir.hpp"

namespace insole::io {
namespace {

using test::TempDir;

TEST(Interop, ReadsTheH5pyExampleOfTheFormatDocument) {
  if (std::system("/usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "/usr/bin/python3 with h5py and numpy is not available";
  TempDir dir;
  const auto file = dir / "fixture.h5";
  const std::string cmd = std::string("/usr/bin/python3 ") + INSOLE_SOURCE_DIR +
                          "/tests/io/write_fixture_h5py.py '" + file.string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto rec = read_recording(file);
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  EXPECT_EQ(rec->meta.mode, "walk");
  EXPECT_EQ(rec->meta.created_by, "write_fixture_h5py.py");
  EXPECT_EQ(rec->meta.subject, "S-01");
  EXPECT_EQ(rec->meta.body_mass_kg, 68.0);
  EXPECT_EQ(rec->meta.attributes.at("site"), "gait lab");
  ASSERT_EQ(rec->streams.size(), 2u);

  const Stream& mat = rec->streams[0];  // creation order (track_order=True), not alphabetical
  EXPECT_EQ(mat.info.name, "mat");
  EXPECT_TRUE(mat.info.layout.is_grid());
  EXPECT_EQ(mat.info.layout.rows(), 4);
  EXPECT_EQ(mat.info.layout.cols(), 3);
  EXPECT_EQ(mat.info.layout.row_pitch_mm(), 8.0);
  EXPECT_EQ(mat.info.layout.col_pitch_mm(), 5.0);
  EXPECT_EQ(mat.info.side, Side::both);
  EXPECT_EQ(mat.info.sample_rate_hz, 50.0);
  EXPECT_EQ(mat.info.device, "h5py example mat");
  ASSERT_EQ(mat.frame_count(), 10);
  for (int n = 0; n < 10; ++n) {
    EXPECT_EQ(mat.time_s[n], n / 50.0);
    EXPECT_TRUE(std::isnan(mat.pressure_kpa(n, 0)));
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 3; ++c)
        if (r || c) {
          EXPECT_EQ(mat.pressure_kpa(n, r * 3 + c), float(n * 10 + r * 3 + c));
        }
  }

  const Stream& left = rec->streams[1];
  EXPECT_EQ(left.info.name, "left");
  EXPECT_FALSE(left.info.layout.is_grid());
  EXPECT_TRUE(left.info.layout.has_geometry());
  EXPECT_EQ(left.info.side, Side::left);
  EXPECT_EQ(left.info.layout.centres_mm()(2, 1), 120.0);
  EXPECT_EQ(left.info.layout.areas_mm2()[4], 150.0);
  EXPECT_EQ(left.info.attributes.at("firmware"), "1.2.3");
  ASSERT_EQ(left.frame_count(), 20);
  EXPECT_EQ(left.time_s[3], 0.005 + 3 / 100.0);
  EXPECT_EQ(left.pressure_kpa(7, 4), 8.0f);  // 7 + 0.25 * 4

  ASSERT_EQ(rec->events.size(), 2u);
  EXPECT_EQ(rec->events[1].kind, "toe_off");
  EXPECT_EQ(rec->events[1].stream, "left");
  EXPECT_EQ(rec->events[1].detail, "from the vendor file");
  EXPECT_EQ(rec->events[0].time_s, 0.05);
}

// The minimal layout of design note §3.1, written with the HDF5 C API in the oldest file format
// (as tools built on HDF5 1.8 write it), with types other than the recommended ones: a 32-bit
// integer format_version, float64 geometry and fixed-length space-padded strings (MATLAB style).
TEST(Interop, ReadsAMinimalFileWrittenWithTheCApi) {
  TempDir dir;
  const auto file = dir / "minimal.h5";
  {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    auto str_attr = [](hid_t obj, const char* name, const char* value) {
      const hid_t t = H5Tcopy(H5T_C_S1);
      H5Tset_size(t, std::strlen(value) + 3);
      H5Tset_strpad(t, H5T_STR_SPACEPAD);
      std::string padded = std::string(value) + "   ";
      const hid_t sp = H5Screate(H5S_SCALAR);
      const hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
      H5Awrite(a, t, padded.data());
      H5Aclose(a);
      H5Sclose(sp);
      H5Tclose(t);
    };
    auto num_attr = [](hid_t obj, const char* name, hid_t type, const void* v) {
      const hid_t sp = H5Screate(H5S_SCALAR);
      const hid_t a = H5Acreate2(obj, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
      H5Awrite(a, type, v);
      H5Aclose(a);
      H5Sclose(sp);
    };
    auto dataset = [](hid_t loc, const char* name, hid_t type, std::vector<hsize_t> dims, const void* data) {
      const hid_t sp = H5Screate_simple(int(dims.size()), dims.data(), nullptr);
      const hid_t d = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
      H5Dclose(d);
      H5Sclose(sp);
    };
    str_attr(f, "format", "insole");
    const int version = 1;
    num_attr(f, "format_version", H5T_NATIVE_INT, &version);
    const hid_t streams = H5Gcreate2(f, "streams", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t s = H5Gcreate2(streams, "right", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    str_attr(s, "kind", "sensors");
    str_attr(s, "side", "right");
    str_attr(s, "units", "kPa");
    str_attr(s, "device", "");
    const float rate = 25.0f;
    num_attr(s, "sample_rate_hz", H5T_NATIVE_FLOAT, &rate);
    const double t[3] = {0.0, 0.04, 0.08};
    dataset(s, "time_s", H5T_NATIVE_DOUBLE, {3}, t);
    const float p[3][2] = {{1, 2}, {3, 4}, {5, NAN}};
    dataset(s, "pressure", H5T_NATIVE_FLOAT, {3, 2}, p);
    const double xy[2][2] = {{NAN, NAN}, {NAN, NAN}};  // positions unknown
    dataset(s, "sensor_xy_mm", H5T_NATIVE_DOUBLE, {2, 2}, xy);
    const double area[2] = {NAN, NAN};
    dataset(s, "sensor_area_mm2", H5T_NATIVE_DOUBLE, {2}, area);
    H5Gclose(s);
    H5Gclose(streams);
    H5Fclose(f);
  }
  auto rec = read_recording(file);
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 1u);
  const Stream& s = rec->streams[0];
  EXPECT_EQ(s.info.name, "right");
  EXPECT_EQ(s.info.side, Side::right);
  EXPECT_EQ(s.info.sample_rate_hz, 25.0);
  EXPECT_EQ(s.info.device, "");
  EXPECT_FALSE(s.info.layout.has_geometry());
  EXPECT_EQ(s.frame_count(), 3);
  EXPECT_EQ(s.pressure_kpa(1, 1), 4.0f);
  EXPECT_TRUE(std::isnan(s.pressure_kpa(2, 1)));
  EXPECT_TRUE(rec->meta.subject.empty());
  EXPECT_TRUE(rec->events.empty());
}

}  // namespace
}  // namespace insole::io
