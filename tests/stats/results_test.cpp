#include "insole/stats/results.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <vector>

#include "insole/io/hdf5_recording.hpp"
#include "support/temp_dir.hpp"

namespace insole::stats {
namespace {

std::string string_attr(hid_t obj, const char* name) {
  const hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  const hid_t t = H5Aget_type(a);
  std::string s(H5Tget_size(t), '\0');
  H5Aread(a, t, s.data());
  H5Tclose(t);
  H5Aclose(a);
  return s.substr(0, s.find('\0'));
}

TEST(Results, SpmResultsFileReadsBackWithPlainHdf5) {
  // Two groups of 1 x 2 images: a result with a statistic map and a cluster table.
  std::vector<Image> a, b;
  for (double v : {1.0, 2.0, 3.0}) {
    Grid g;
    g.rows = 1, g.cols = 2, g.pitch_x_mm = g.pitch_y_mm = 5.0;
    Image im = Image::zeros(g);
    im.values << v, 10 * v;
    a.push_back(im);
    im.values << v + 3, 10 * v + 1;
    b.push_back(im);
  }
  SpmParams p;
  p.cluster_forming_t = 2.0;
  auto r = two_sample(a, b, p);
  ASSERT_TRUE(r) << r.error().message;
  test::TempDir dir;
  const auto path = dir.path() / "spm.h5";
  ASSERT_TRUE(io::write_data_tree(path, {{}, {}, {}, {{"spm", to_data_tree(*r)}}}, kSpmFormat));

  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  EXPECT_EQ(string_attr(f, "format"), "insole-spm");
  const hid_t g = H5Gopen2(f, "spm", H5P_DEFAULT);
  EXPECT_EQ(string_attr(g, "design"), "two_sample");
  const hid_t ds = H5Dopen2(g, "statistic", H5P_DEFAULT);
  const hid_t sp = H5Dget_space(ds);
  hsize_t dims[2] = {0, 0};
  ASSERT_EQ(H5Sget_simple_extent_ndims(sp), 2);
  H5Sget_simple_extent_dims(sp, dims, nullptr);
  EXPECT_EQ(dims[0], 1u);
  EXPECT_EQ(dims[1], 2u);
  double t[2] = {0, 0};
  H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t);
  EXPECT_DOUBLE_EQ(t[0], r->statistic.values(0, 0));
  EXPECT_DOUBLE_EQ(t[1], r->statistic.values(0, 1));
  const hid_t dist = H5Dopen2(g, "max_distribution", H5P_DEFAULT);
  const hid_t dsp = H5Dget_space(dist);
  EXPECT_EQ(H5Sget_simple_extent_npoints(dsp), 20);  // C(6, 3) relabellings
  H5Sclose(dsp);
  H5Dclose(dist);
  EXPECT_GT(H5Lexists(g, "clusters_extent", H5P_DEFAULT), 0);
  H5Sclose(sp);
  H5Dclose(ds);
  H5Gclose(g);
  H5Fclose(f);
}

}  // namespace
}  // namespace insole::stats
