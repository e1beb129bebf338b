#pragma once
// Pixel-level statistics over registered footprint images with family-wise error (FWE) control by
// permutation: pedobarographic statistical parametric mapping (Pataky et al. 2008 J Biomech
// 41:1987) with the nonparametric inference of Nichols & Holmes 2002 (Hum Brain Mapp 15:1).
//
// Designs and their statistic at each pixel (n images, df degrees of freedom):
//  * one_sample:  t = mean / (sd / sqrt(n)), df = n - 1;
//  * paired:      one_sample on the differences a_i - b_i (same subject order in a and b);
//  * two_sample:  pooled-variance t, (mean_a - mean_b) / sqrt(s_p^2 (1/n_a + 1/n_b)), df = n - 2;
//  * regression:  y = b0 + b1 x + e per pixel, t = b1 / SE(b1) = Sxy / sqrt(Sxx SSE / (n - 2)),
//                 df = n - 2 (e.g. peak pressure against walking speed, Pataky et al. 2008).
// Permutations (the null hypothesis makes these relabellings equally likely; Nichols & Holmes
// 2002, sections "exchangeability" and the worked examples):
//  * one_sample / paired: sign flips of whole images (symmetric errors; for paired data a flip
//    swaps the two conditions of a subject), 2^n relabellings;
//  * two_sample: reassignment of group labels, C(n, n_a) relabellings;
//  * regression: permutation of the covariate over images, n! relabellings.
// When that number is at most `permutations`, every relabelling is enumerated (exact test);
// otherwise `permutations` relabellings are drawn from a seeded generator (mt19937_64, whose
// output the C++ standard fixes, with our own bounded draws), the first being the observed one, so
// a result is reproducible from its seed.
//
// Inference (Nichols & Holmes 2002):
//  * maximum statistic: each relabelling contributes the maximum over pixels of t (upper tail),
//    of -t (lower) or of |t| (two-sided). The critical threshold is the c-th largest of these N
//    maxima, c = floor(alpha N) + 1; pixels whose statistic exceeds it are significant, and a
//    pixel's FWE-corrected p is the share of maxima at or above its statistic.
//  * cluster extent: pixels beyond a cluster-forming threshold u (given directly, or from an
//    uncorrected p through Student's t with df) form clusters of edge-connected pixels (positive
//    and negative separately when two-sided); each relabelling contributes its largest cluster
//    (pixels). A cluster's FWE p is the share of these maxima at or above its size; the critical
//    size is the c-th largest.
// The observed labelling is one of the N in both distributions, so no p is below 1/N.
//
// Pixels analysed: those where at least `min_contact_fraction` of the images have a value above
// `contact_threshold` (the footprint's common support; sparse edge pixels are left out, a
// convention of this toolkit) and whose observed statistic is defined (nonzero variance).

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "insole/core/result.hpp"
#include "insole/stats/image.hpp"

namespace insole::stats {

enum class Design { one_sample, paired, two_sample, regression };
enum class Tail { two_sided, upper, lower };

std::string to_string(Design d);
std::string to_string(Tail t);

struct SpmParams {
  double alpha = 0.05;
  Tail tail = Tail::two_sided;
  /// Largest number of relabellings; all are enumerated when there are no more than this.
  std::size_t permutations = 10000;
  std::uint64_t seed = 1;
  /// Cluster-forming threshold as an uncorrected one-tailed p (converted with Student's t, df).
  double cluster_forming_p = 0.01;
  /// Or directly as a t value (overrides cluster_forming_p when set).
  std::optional<double> cluster_forming_t;
  /// Analysis mask (see the header comment).
  double contact_threshold = 0.0;
  double min_contact_fraction = 0.5;
  /// Called on the calling thread after each relabelling with (done, total): done counts 1, 2, ...
  /// up to total, the number of relabellings of the run (SpmResult::permutations), and the last
  /// call is (total, total). For progress bars on long runs; it must not throw. Empty: no calls.
  using ProgressFn = std::function<void(std::size_t done, std::size_t total)>;
  ProgressFn progress;
};

/// A label image on the analysis grid naming anatomical regions (from regions_on_image), used to
/// say where a cluster lies.
struct RegionMap {
  Eigen::MatrixXi label;           ///< index into names, -1 = none
  std::vector<std::string> names;
};

struct Cluster {
  int sign = 1;                     ///< +1 above the threshold, -1 below its negative
  std::size_t pixels = 0;
  double area_mm2 = 0.0;
  double centroid_x_mm = 0.0;       ///< mean of the pixel centres
  double centroid_y_mm = 0.0;
  double peak_t = 0.0;              ///< the statistic of largest magnitude in the cluster
  double peak_x_mm = 0.0;
  double peak_y_mm = 0.0;
  double p_fwe = 1.0;               ///< see SpmResult
  std::string region;               ///< nearest labelled region to the centroid, "" without a map
};

struct SpmResult {
  Design design = Design::one_sample;
  Tail tail = Tail::two_sided;
  std::size_t n = 0;                ///< images (pairs for paired)
  int df = 0;
  double alpha = 0.05;
  Grid grid;
  Image statistic;                  ///< t; NaN outside the analysed pixels
  Eigen::MatrixXd effect;           ///< mean, mean difference or slope per pixel; NaN outside
  Eigen::MatrixXd p_fwe;            ///< maximum-statistic FWE p per pixel; NaN outside
  Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic> mask;
  std::size_t permutations = 0;     ///< relabellings used (N)
  std::size_t possible_permutations = 0;  ///< all relabellings (saturates at SIZE_MAX)
  bool exact = false;
  std::uint64_t seed = 0;
  /// Maximum statistic: critical threshold and the N maxima (observed labelling first).
  double threshold_t = 0.0;
  std::vector<double> max_distribution;
  /// Clusters of pixels beyond threshold_t; p_fwe is the smallest pixel p inside.
  std::vector<Cluster> peak_clusters;
  /// Cluster extent: forming threshold, critical size (pixels), N largest cluster sizes.
  double cluster_forming_t = 0.0;
  double critical_cluster_pixels = 0.0;
  std::vector<double> cluster_distribution;
  /// Clusters beyond cluster_forming_t with their extent p.
  std::vector<Cluster> extent_clusters;
};

/// All images must share one grid (register and resample first). Errors: invalid_argument for
/// mismatched grids, sizes, parameters or too few images (one_sample/paired: 2, two_sample: 2 per
/// group... at least 3 in all, regression: 3 with a covariate that varies); no_data when no pixel
/// passes the mask.
Result<SpmResult> one_sample(const std::vector<Image>& images, const SpmParams& params = {},
                             const RegionMap* regions = nullptr);
Result<SpmResult> paired(const std::vector<Image>& a, const std::vector<Image>& b, const SpmParams& params = {},
                         const RegionMap* regions = nullptr);
Result<SpmResult> two_sample(const std::vector<Image>& a, const std::vector<Image>& b,
                             const SpmParams& params = {}, const RegionMap* regions = nullptr);
Result<SpmResult> regression(const std::vector<Image>& images, const std::vector<double>& covariate,
                             const SpmParams& params = {}, const RegionMap* regions = nullptr);

/// Upper quantile of Student's t: the t with P(T > t) = p for df degrees of freedom.
double t_upper_quantile(double p, int df);

}  // namespace insole::stats
