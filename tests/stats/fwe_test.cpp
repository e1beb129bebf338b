// The family-wise false-positive rate of the permutation inference, over many simulated null
// experiments (no effect anywhere). With an exact sign-flip test of n = 8 subjects (N = 2^8 = 256
// relabellings) and symmetric noise, the observed labelling is equally likely to hold any rank
// among the 256, so both inferences reject with probability floor(0.05 x 256) / 256 = 12/256 =
// 4.69 % (Nichols & Holmes 2002: the test is exact). 2000 simulations give a binomial standard
// deviation of sqrt(0.047 x 0.953 / 2000) = 0.47 points, so the +-2 point bound below is more than
// four standard deviations wide; the seeds are fixed, so the verdict is reproducible.

#include <gtest/gtest.h>

#include "insole/stats/spm.hpp"
#include "stats/synthetic_foot.hpp"

namespace insole::stats {
namespace {

TEST(SpmFwe, NullFalsePositiveRateIsAlphaForMaximumAndClusterInference) {
  constexpr int kSims = 2000;
  test::Normal normal(20260101);
  SpmParams p;
  p.min_contact_fraction = 0;
  p.alpha = 0.05;
  p.cluster_forming_p = 0.01;
  int max_hits = 0, cluster_hits = 0;
  for (int s = 0; s < kSims; ++s) {
    std::vector<Image> imgs;
    for (int i = 0; i < 8; ++i) imgs.push_back(test::smooth_noise(normal, 12, 12, 1.5));
    auto r = one_sample(imgs, p);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->exact);
    max_hits += !r->peak_clusters.empty();
    bool any = false;
    for (const Cluster& c : r->extent_clusters) any = any || c.p_fwe <= p.alpha;
    cluster_hits += any;
  }
  const double max_rate = static_cast<double>(max_hits) / kSims;
  const double cluster_rate = static_cast<double>(cluster_hits) / kSims;
  RecordProperty("max_rate", std::to_string(max_rate));
  RecordProperty("cluster_rate", std::to_string(cluster_rate));
  std::printf("FWE rate over %d null simulations: maximum statistic %.4f, cluster extent %.4f\n", kSims, max_rate,
              cluster_rate);
  EXPECT_NEAR(max_rate, 0.05, 0.02);
  EXPECT_NEAR(cluster_rate, 0.05, 0.02);
}

// Two-sample label permutation, 5 + 5 images: C(10, 5) = 252 relabellings, exact; expected rate
// floor(0.05 x 252) / 252 = 12/252 = 4.76 %. 1000 simulations: SD 0.67 points (+-2 = 3 SD).
TEST(SpmFwe, TwoSampleNullFalsePositiveRateIsAlpha) {
  constexpr int kSims = 1000;
  test::Normal normal(77);
  SpmParams p;
  p.min_contact_fraction = 0;
  int hits = 0;
  for (int s = 0; s < kSims; ++s) {
    std::vector<Image> a, b;
    for (int i = 0; i < 5; ++i) a.push_back(test::smooth_noise(normal, 10, 10, 1.5));
    for (int i = 0; i < 5; ++i) b.push_back(test::smooth_noise(normal, 10, 10, 1.5));
    auto r = two_sample(a, b, p);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->exact);
    hits += !r->peak_clusters.empty();
  }
  const double rate = static_cast<double>(hits) / kSims;
  std::printf("two-sample FWE rate over %d null simulations: %.4f\n", kSims, rate);
  EXPECT_NEAR(rate, 0.05, 0.02);
}

}  // namespace
}  // namespace insole::stats
