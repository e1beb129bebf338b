#include "insole/stats/image.hpp"

#include <gtest/gtest.h>

#include "insole/analysis/foot_image.hpp"

namespace insole::stats {
namespace {

analysis::FootImage two_cells(Side side) {
  analysis::FootImage fi;
  fi.stream = "mat";
  fi.side = side;
  fi.raster = true;
  fi.cell_mm = 2.0;
  fi.footfalls = 2;
  analysis::ImageCell a;
  a.ml_mm = 4.0;  // 4 mm medial of the axis
  a.ap_mm = 0.0;
  a.max_peak_kpa = 60.0;
  a.sum_peak_kpa = 100.0;
  a.sum_pti_kpa_s = 8.0;
  analysis::ImageCell b;
  b.ml_mm = -2.0;  // 2 mm lateral
  b.ap_mm = 6.0;
  b.max_peak_kpa = 30.0;
  b.sum_peak_kpa = 40.0;
  fi.cells[1] = a;
  fi.cells[2] = b;
  return fi;
}

TEST(Image, FootImagesAreSeenFromAboveWithTheHeelAtLowY) {
  // Right foot: medial is to the subject's left, x = -ml: cell a at x = -4, b at x = +2.
  auto right = from_foot_image(two_cells(Side::right), FootValue::mean_peak_kpa);
  ASSERT_TRUE(right) << right.error().message;
  EXPECT_EQ(right->rows(), 4);  // ap 0, 2, 4, 6
  EXPECT_EQ(right->cols(), 4);  // x -4, -2, 0, 2
  EXPECT_DOUBLE_EQ(right->grid.x_mm(0), -4.0);
  EXPECT_DOUBLE_EQ(right->grid.y_mm(0), 0.0);
  EXPECT_DOUBLE_EQ(right->values(0, 0), 50.0);  // 100 kPa over 2 footfalls
  EXPECT_DOUBLE_EQ(right->values(3, 3), 20.0);
  EXPECT_DOUBLE_EQ(right->values(1, 1), 0.0);
  // Left foot: x = +ml, the mirror image.
  auto left = from_foot_image(two_cells(Side::left), FootValue::max_peak_kpa);
  ASSERT_TRUE(left);
  EXPECT_DOUBLE_EQ(left->grid.x_mm(3), 4.0);
  EXPECT_DOUBLE_EQ(left->values(0, 3), 60.0);
  EXPECT_DOUBLE_EQ(left->values(3, 0), 30.0);
  auto pti = from_foot_image(two_cells(Side::left), FootValue::pti_kpa_s);
  ASSERT_TRUE(pti);
  EXPECT_DOUBLE_EQ(pti->values(0, 3), 4.0);
}

TEST(Image, SensorSetImagesAreNotRasters) {
  analysis::FootImage fi = two_cells(Side::left);
  fi.raster = false;
  auto r = from_foot_image(fi, FootValue::mean_peak_kpa);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unsupported);
  fi.raster = true;
  fi.cells.clear();
  EXPECT_EQ(from_foot_image(fi, FootValue::mean_peak_kpa).error().code, Errc::no_data);
}

TEST(Image, ResamplingToACoarserGridAveragesAndKeepsTheIntegral) {
  // A 1 mm image with a 10 x 10 mm square of 100 kPa, resampled to 5 mm: the load (value x area)
  // is kept within a few per cent, and the centre pixel carries the plateau.
  Grid fine;
  fine.rows = fine.cols = 40;
  Image im = Image::zeros(fine);
  im.values.block(15, 15, 10, 10).setConstant(100.0);
  Grid coarse;
  coarse.rows = coarse.cols = 8;
  coarse.pitch_x_mm = coarse.pitch_y_mm = 5.0;
  const Image out = resample(im, coarse);
  const double load_fine = im.values.sum() * 1.0, load_coarse = out.values.sum() * 25.0;
  EXPECT_NEAR(load_coarse / load_fine, 1.0, 0.05);
  EXPECT_GT(out.values(3, 3), 50.0);
  EXPECT_DOUBLE_EQ(sample_bilinear(im, 20.0, 20.0), 100.0);
  EXPECT_DOUBLE_EQ(sample_bilinear(im, -5.0, 20.0), 0.0);
}

}  // namespace
}  // namespace insole::stats
