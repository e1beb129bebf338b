#pragma once
// Editing a written recording with the HDF5 C API, for the tests that damage one object and check
// the reader's error (hdf5_recording_test.cpp, units_calibration_test.cpp).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <vector>

namespace insole::test {

/// Opens `file` read-write with HDF5's error printing off, runs `edit` on it and closes it.
inline void edit_h5(const std::filesystem::path& file, const std::function<void(hid_t)>& edit) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0) << file;
  edit(f);
  H5Fclose(f);
}

inline void delete_attr(hid_t f, const char* obj, const char* name) {
  ASSERT_GE(H5Adelete_by_name(f, obj, name, H5P_DEFAULT), 0);
}

/// Replaces the dataset at `path` with one of `type` and shape `dims`, filled from `data` (left
/// unwritten when null).
inline void replace_dataset(hid_t f, const char* path, hid_t type, std::vector<hsize_t> dims, const void* data) {
  H5Ldelete(f, path, H5P_DEFAULT);
  const hid_t space = H5Screate_simple(int(dims.size()), dims.data(), nullptr);
  const hid_t ds = H5Dcreate2(f, path, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(ds, 0);
  if (data) H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(ds);
  H5Sclose(space);
}

/// Sets (replacing) a fixed-length string attribute of `obj`.
inline void set_string_attr(hid_t obj, const char* name, const char* value) {
  H5Adelete(obj, name);
  const hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, std::strlen(value) + 1);
  const hid_t sp = H5Screate(H5S_SCALAR);
  const hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, t, value);
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
}

/// The same on the object at `path` below `f`.
inline void set_string_attr(hid_t f, const char* path, const char* name, const char* value) {
  const hid_t obj = H5Oopen(f, path, H5P_DEFAULT);
  ASSERT_GE(obj, 0) << path;
  set_string_attr(obj, name, value);
  H5Oclose(obj);
}

/// Sets (replacing) a scalar 64-bit integer attribute of `obj`.
inline void set_int_attr(hid_t obj, const char* name, long long v) {
  H5Adelete(obj, name);
  const hid_t sp = H5Screate(H5S_SCALAR);
  const hid_t a = H5Acreate2(obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_LLONG, &v);
  H5Aclose(a);
  H5Sclose(sp);
}

/// Sets (replacing) a 1-D double attribute of the object at `path` below `f`.
inline void set_doubles_attr(hid_t f, const char* path, const char* name, const std::vector<double>& v) {
  const hid_t obj = H5Oopen(f, path, H5P_DEFAULT);
  ASSERT_GE(obj, 0) << path;
  H5Adelete(obj, name);
  const hsize_t n = v.size();
  const hid_t sp = H5Screate_simple(1, &n, nullptr);
  const hid_t a = H5Acreate2(obj, name, H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_DOUBLE, v.data());
  H5Aclose(a);
  H5Sclose(sp);
  H5Oclose(obj);
}

}  // namespace insole::test
