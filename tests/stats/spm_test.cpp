#include "insole/stats/spm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "insole/stats/regions.hpp"
#include "stats/synthetic_foot.hpp"

namespace insole::stats {
namespace {

/// Images of one row of pixels (pitch 1 mm), one per subject: values[subject][pixel].
std::vector<Image> row_images(const std::vector<std::vector<double>>& values) {
  std::vector<Image> out;
  for (const auto& v : values) {
    Grid g;
    g.rows = 1;
    g.cols = static_cast<int>(v.size());
    Image im = Image::zeros(g);
    for (std::size_t c = 0; c < v.size(); ++c) im.values(0, static_cast<Eigen::Index>(c)) = v[c];
    out.push_back(im);
  }
  return out;
}

// Worked by hand. Four subjects, three pixels in a row (pixel k's values over subjects 1..4):
//   pixel 1: 1, 2, 3, 4    pixel 2: 4, 3, 2, 1    pixel 3: 2, -1, 4, 3
// Every pixel has Q = sum y^2 = 30, which sign flips do not change. With S = sum s_i y_i,
//   mean = S/4, sd^2 = (Q - S^2/4)/3, t = mean / (sd/2) = sqrt(3) S / sqrt(4Q - S^2) = sqrt(3) S / sqrt(120 - S^2),
// increasing in S, so the maximum t of a sign pattern is t(max S). Flipping a set F of subjects
// gives S = S_observed - 2 sum_{i in F} y_i (observed S: 10, 10, 8):
//   F        S1  S2  S3  max      F          S1  S2  S3  max
//   {}       10  10   8   10      {2,3}       0   0   2    2
//   {1}       8   2   4    8      {2,4}      -2   2   4    4
//   {2}       6   4  10   10      {3,4}      -4   4  -6    4
//   {3}       4   6   0    6      {1,2,3}    -2  -8  -2   -2
//   {4}       2   8   2    8      {1,2,4}    -4  -6   0    0
//   {1,2}     4  -4   6    6      {1,3,4}    -6  -4 -10   -4
//   {1,3}     2  -2  -4    2      {2,3,4}    -8  -2  -4   -2
//   {1,4}     0   0  -2    0      {1,2,3,4} -10 -10  -8   -8
// Max-S distribution (descending): 10 10 8 8 6 6 4 4 2 2 0 0 -2 -2 -4 -8.
// t(10) = sqrt(3)*10/sqrt(20) = 3.872983, t(8) = sqrt(3)*8/sqrt(56) = 1.851640.
// FWE p (upper): pixels 1 and 2: #{max >= t(10)} / 16 = 2/16; pixel 3: #{max >= t(8)} = 4/16.
// alpha = 0.2: c = floor(0.2 * 16) + 1 = 4, threshold = 4th largest = t(8); pixels 1, 2 exceed it.
// Two-sided, the max |S| per pattern is 10 for {}, {2}, {1,3,4}, {1,2,3,4} and 8 for {1}, {4},
// {1,2,3}, {2,3,4}: p = 4/16 for pixels 1, 2 and 8/16 for pixel 3.
// Cluster extent at t > 1 (S >= 6, as t(6) = 1.134 and t(4) = 0.679), upper tail: largest run of
// adjacent pixels with S >= 6 per pattern: {} 3; {1}, {2} (pixels 1 and 3, not adjacent), {3},
// {4}, {1,2}: 1; the other ten: 0. Observed cluster of 3: p = 1/16; 4th largest = 1.
const std::vector<std::vector<double>> kHand = {{1, 4, 2}, {2, 3, -1}, {3, 2, 4}, {4, 1, 3}};
const double kT10 = std::sqrt(3.0) * 10 / std::sqrt(20.0);
const double kT8 = std::sqrt(3.0) * 8 / std::sqrt(56.0);

TEST(Spm, ExactSignFlipDistributionMatchesTheHandComputation) {
  SpmParams p;
  p.tail = Tail::upper;
  p.alpha = 0.2;
  p.cluster_forming_t = 1.0;
  auto r = one_sample(row_images(kHand), p);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->exact);
  EXPECT_EQ(r->permutations, 16u);
  EXPECT_EQ(r->df, 3);
  EXPECT_NEAR(r->statistic.values(0, 0), kT10, 1e-9);
  EXPECT_NEAR(r->statistic.values(0, 1), kT10, 1e-9);
  EXPECT_NEAR(r->statistic.values(0, 2), kT8, 1e-9);
  auto t = [](double s) { return std::sqrt(3.0) * s / std::sqrt(120 - s * s); };
  std::vector<double> expected;
  for (double s : {10, 10, 8, 8, 6, 6, 4, 4, 2, 2, 0, 0, -2, -2, -4, -8}) expected.push_back(t(s));
  std::vector<double> got = r->max_distribution;
  std::sort(got.begin(), got.end(), std::greater<>());
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-9) << i;
  EXPECT_NEAR(r->max_distribution[0], kT10, 1e-9);  // the observed labelling comes first
  EXPECT_DOUBLE_EQ(r->p_fwe(0, 0), 2.0 / 16);
  EXPECT_DOUBLE_EQ(r->p_fwe(0, 1), 2.0 / 16);
  EXPECT_DOUBLE_EQ(r->p_fwe(0, 2), 4.0 / 16);
  EXPECT_NEAR(r->threshold_t, kT8, 1e-9);
  ASSERT_EQ(r->peak_clusters.size(), 1u);
  EXPECT_EQ(r->peak_clusters[0].pixels, 2u);
  EXPECT_DOUBLE_EQ(r->peak_clusters[0].p_fwe, 2.0 / 16);
  EXPECT_DOUBLE_EQ(r->peak_clusters[0].centroid_x_mm, 1.0);  // pixel centres 0.5 and 1.5
  // Cluster extent.
  std::vector<double> sizes = r->cluster_distribution;
  std::sort(sizes.begin(), sizes.end(), std::greater<>());
  EXPECT_EQ(sizes, (std::vector<double>{3, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(r->critical_cluster_pixels, 1.0);
  ASSERT_EQ(r->extent_clusters.size(), 1u);
  EXPECT_EQ(r->extent_clusters[0].pixels, 3u);
  EXPECT_DOUBLE_EQ(r->extent_clusters[0].p_fwe, 1.0 / 16);

  p.tail = Tail::two_sided;
  auto two = one_sample(row_images(kHand), p);
  ASSERT_TRUE(two);
  EXPECT_DOUBLE_EQ(two->p_fwe(0, 0), 4.0 / 16);
  EXPECT_DOUBLE_EQ(two->p_fwe(0, 2), 8.0 / 16);
}

TEST(Spm, PairedIsTheOneSampleTestOfTheDifferences) {
  std::vector<std::vector<double>> b = {{10, 10, 10}, {5, 5, 5}, {0, 0, 0}, {1, 2, 3}};
  std::vector<std::vector<double>> a = b;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t k = 0; k < 3; ++k) a[i][k] += kHand[i][k];
  SpmParams p;
  p.tail = Tail::upper;
  p.min_contact_fraction = 0;
  auto r = paired(row_images(a), row_images(b), p);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NEAR(r->statistic.values(0, 2), kT8, 1e-9);
  EXPECT_DOUBLE_EQ(r->p_fwe(0, 2), 4.0 / 16);
}

// Two-sample, one pixel: a = 1, 2, 3 and b = 4, 5, 6. Means 2 and 5, each group's sum of squares
// 2, pooled variance 4 / 4 = 1, t = -3 / sqrt(1 * (1/3 + 1/3)) = -3.674235. Of the C(6,3) = 20
// splits only the observed one and its swap reach |t| = 3.674: two-sided p = 2/20.
TEST(Spm, TwoSampleByHand) {
  SpmParams p;
  auto r = two_sample(row_images({{1}, {2}, {3}}), row_images({{4}, {5}, {6}}), p);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NEAR(r->statistic.values(0, 0), -3.0 / std::sqrt(2.0 / 3.0), 1e-9);
  EXPECT_EQ(r->df, 4);
  EXPECT_TRUE(r->exact);
  EXPECT_EQ(r->permutations, 20u);
  EXPECT_DOUBLE_EQ(r->p_fwe(0, 0), 2.0 / 20);
  EXPECT_DOUBLE_EQ(r->effect(0, 0), -3.0);
}

// Regression, one pixel: x = 1, 2, 3, 4; y = 2, 4, 5, 9. Centred x: -1.5, -0.5, 0.5, 1.5 (Sxx 5);
// centred y: -3, -1, 0, 4 (Syy 26); Sxy = 4.5 + 0.5 + 0 + 6 = 11; slope 2.2;
// SSE = 26 - 121/5 = 1.8; SE = sqrt(1.8 / 2 / 5) = 0.424264; t = 5.185450. Of the 4! = 24
// orderings of x only the sorted one gives Sxy = 11 and only the reversed one -11 (rearrangement
// inequality): two-sided p = 2/24.
TEST(Spm, RegressionByHand) {
  auto r = regression(row_images({{2}, {4}, {5}, {9}}), {1, 2, 3, 4});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NEAR(r->effect(0, 0), 2.2, 1e-12);
  EXPECT_NEAR(r->statistic.values(0, 0), 2.2 / std::sqrt(0.18), 1e-9);
  EXPECT_EQ(r->df, 2);
  EXPECT_EQ(r->permutations, 24u);
  EXPECT_DOUBLE_EQ(r->p_fwe(0, 0), 2.0 / 24);
}

TEST(Spm, StudentQuantileMatchesTables) {
  // Published critical values of t (e.g. any statistics table): t(0.99, 10) = 2.764,
  // t(0.975, 5) = 2.571, t(0.95, 20) = 1.725.
  EXPECT_NEAR(t_upper_quantile(0.01, 10), 2.764, 1e-3);
  EXPECT_NEAR(t_upper_quantile(0.025, 5), 2.571, 1e-3);
  EXPECT_NEAR(t_upper_quantile(0.05, 20), 1.725, 1e-3);
}

// Known effect: 12 subjects, 16 x 16 smooth noise, plus a blob of +1.5 SD (sigma 2 px) centred on
// pixel (5, 10) in every image. The effect must be found there, by both inferences, and nowhere
// far from it.
TEST(Spm, AKnownEffectIsFoundWhereItIs) {
  test::Normal normal(2024);
  std::vector<Image> imgs;
  for (int i = 0; i < 12; ++i) {
    Image im = test::smooth_noise(normal, 16, 16, 1.5);
    for (int r = 0; r < 16; ++r)
      for (int c = 0; c < 16; ++c)
        im.values(r, c) += 1.5 * std::exp(-0.5 * ((r - 5) * (r - 5) + (c - 10) * (c - 10)) / 4.0);
    imgs.push_back(im);
  }
  SpmParams p;
  p.min_contact_fraction = 0;
  p.permutations = 2000;
  p.seed = 7;
  auto r = one_sample(imgs, p);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->exact);  // 2^12 = 4096 > 2000: a seeded random subset
  EXPECT_EQ(r->permutations, 2000u);
  ASSERT_FALSE(r->peak_clusters.empty());
  const Cluster& c = r->peak_clusters.front();
  EXPECT_EQ(c.sign, 1);
  EXPECT_LT(c.p_fwe, 0.05);
  EXPECT_NEAR(c.centroid_x_mm, 10.5, 1.5);  // pixel centres at index + 0.5 mm
  EXPECT_NEAR(c.centroid_y_mm, 5.5, 1.5);
  for (const Cluster& other : r->peak_clusters)
    EXPECT_LT(std::hypot(other.centroid_x_mm - 10.5, other.centroid_y_mm - 5.5), 4.0);
  ASSERT_FALSE(r->extent_clusters.empty());
  EXPECT_LT(r->extent_clusters.front().p_fwe, 0.05);
  EXPECT_NEAR(r->extent_clusters.front().centroid_x_mm, 10.5, 2.0);
  // Same seed, same answer.
  auto again = one_sample(imgs, p);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->max_distribution, r->max_distribution);
}

// A pressure-against-covariate map: pixel values rise with the covariate only inside a blob.
TEST(Spm, RegressionFindsTheRegionThatDependsOnTheCovariate) {
  test::Normal normal(99);
  std::vector<Image> imgs;
  std::vector<double> speed;
  for (int i = 0; i < 14; ++i) {
    const double x = 0.8 + 0.1 * i;  // e.g. walking speed, m/s
    Image im = test::smooth_noise(normal, 16, 16, 1.5);
    for (int r = 0; r < 16; ++r)
      for (int c = 0; c < 16; ++c)
        im.values(r, c) += 4.0 * (x - 1.45) * std::exp(-0.5 * ((r - 11) * (r - 11) + (c - 4) * (c - 4)) / 4.0);
    imgs.push_back(im);
    speed.push_back(x);
  }
  SpmParams p;
  p.min_contact_fraction = 0;
  p.permutations = 1000;
  auto r = regression(imgs, speed, p);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_FALSE(r->peak_clusters.empty());
  EXPECT_LT(r->peak_clusters.front().p_fwe, 0.05);
  EXPECT_NEAR(r->peak_clusters.front().centroid_x_mm, 4.5, 2.0);
  EXPECT_NEAR(r->peak_clusters.front().centroid_y_mm, 11.5, 2.0);
  EXPECT_GT(r->effect(11, 4), 0.0);
}

TEST(Spm, ClustersAreNamedByTheRegionMap) {
  RegionMap map;
  map.label = Eigen::MatrixXi::Constant(1, 3, -1);
  map.label(0, 0) = 0;
  map.label(0, 2) = 1;
  map.names = {"hindfoot", "hallux"};
  SpmParams p;
  p.tail = Tail::upper;
  p.alpha = 0.2;
  auto r = one_sample(row_images(kHand), p, &map);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->peak_clusters.size(), 1u);
  // The cluster's centroid (x = 1.0) is nearest pixel 1 (0.5 mm away) among the labelled ones.
  EXPECT_EQ(r->peak_clusters[0].region, "hindfoot");
}

TEST(Spm, RegionsOfTheSyntheticFoot) {
  const Image foot = test::mat_image(test::Placement{}, 5.0);
  auto map = regions_on_image(foot, Side::right, {0.0, 1.0}, 5.0);
  ASSERT_TRUE(map) << map.error().message;
  auto name_at = [&](double x, double y) {
    const int c = static_cast<int>(std::floor(foot.grid.col_at(x) + 0.5));
    const int r = static_cast<int>(std::floor(foot.grid.row_at(y) + 0.5));
    const int l = map->label(r, c);
    return l < 0 ? std::string("none") : map->names[static_cast<std::size_t>(l)];
  };
  EXPECT_EQ(name_at(0, 35), "hindfoot");
  EXPECT_EQ(name_at(-22, 218), "hallux");
}

TEST(Spm, PixelsWithoutVariationOrContactAreLeftOut) {
  // Pixel 2 is 5 kPa in every image (no variance), pixel 3 has contact in 1 of 4 images.
  auto imgs = row_images({{1, 5, 0}, {2, 5, 0}, {4, 5, 0}, {3, 5, 7}});
  auto r = two_sample({imgs[0], imgs[1]}, {imgs[2], imgs[3]});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->mask(0, 0));
  EXPECT_FALSE(r->mask(0, 1));
  EXPECT_FALSE(r->mask(0, 2));
  EXPECT_TRUE(std::isnan(r->statistic.values(0, 1)));
  EXPECT_TRUE(std::isnan(r->p_fwe(0, 2)));
  auto none = one_sample(row_images({{0, 0}, {0, 0}}));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::no_data);
}

TEST(Spm, BadInputIsAnErrorNamingIt) {
  auto imgs = row_images(kHand);
  imgs[2].grid.pitch_x_mm = 2.0;
  auto r = one_sample(imgs);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("image 3"), std::string::npos);
  auto flat = regression(row_images(kHand), {1, 1, 1, 1});
  ASSERT_FALSE(flat);
  EXPECT_NE(flat.error().message.find("does not vary"), std::string::npos);
  auto count = regression(row_images(kHand), {1, 2});
  ASSERT_FALSE(count);
  EXPECT_NE(count.error().message.find("2 covariate values for 4 images"), std::string::npos);
  auto unpaired = paired(row_images(kHand), row_images({{1, 1, 1}}));
  ASSERT_FALSE(unpaired);
  SpmParams bad;
  bad.alpha = 1.5;
  EXPECT_FALSE(one_sample(row_images(kHand), bad));
}

// The progress callback counts relabellings one by one up to the run's total, ends at (total,
// total), and leaves the result unchanged: an exact run (2^4 = 16 sign flips) and a random one
// (10 of the 4! = 24 covariate orders).
TEST(Spm, ProgressCountsEveryRelabellingUpToTheTotal) {
  struct Call {
    std::size_t done, total;
  };
  const auto check = [](const std::vector<Call>& calls, std::size_t expected_total) {
    ASSERT_EQ(calls.size(), expected_total);
    for (std::size_t i = 0; i < calls.size(); ++i) {
      EXPECT_EQ(calls[i].done, i + 1) << "call " << i;
      EXPECT_EQ(calls[i].total, expected_total) << "call " << i;
    }
    EXPECT_EQ(calls.back().done, calls.back().total);
  };
  std::vector<Call> calls;
  SpmParams p;
  p.progress = [&calls](std::size_t done, std::size_t total) { calls.push_back({done, total}); };
  auto exact = one_sample(row_images(kHand), p);
  ASSERT_TRUE(exact) << exact.error().message;
  EXPECT_TRUE(exact->exact);
  check(calls, 16);
  auto silent = one_sample(row_images(kHand));
  ASSERT_TRUE(silent);
  EXPECT_EQ(silent->max_distribution, exact->max_distribution);

  calls.clear();
  p.permutations = 10;
  auto drawn = regression(row_images(kHand), {1.0, 2.0, 3.5, 4.0}, p);
  ASSERT_TRUE(drawn) << drawn.error().message;
  EXPECT_FALSE(drawn->exact);
  EXPECT_EQ(drawn->permutations, 10u);
  check(calls, 10);
}

}  // namespace
}  // namespace insole::stats
