#pragma once
// Foot-length bands used for gait events and the equinus signature: heel, midfoot, forefoot
// (metatarsal heads) and toes, cut perpendicular to the foot axis at fixed fractions of foot
// length, with the forefoot band split into medial-to-lateral strips. They need only a FootFrame,
// so they work the same on a mat footprint and on an insole whose sensors carry foot coordinates.
// (The anatomical region masks for per-region pressure reports are in regions.hpp.)

#include <Eigen/Core>
#include <vector>

#include "insole/analysis/cop.hpp"
#include "insole/analysis/footfall.hpp"

namespace insole::analysis {

struct BandParams {
  /// Heel = 0-30 % of foot length: Impressions' 30 % heel / 30 % arch / 40 % forefoot mask [C]
  /// (metrics.md section 5.1).
  double heel_end_fraction = 0.30;
  /// Forefoot (metatarsal heads) starts at 55 %: pressuRe automask_simple forefoot = 55-100 % [C].
  double forefoot_start_fraction = 0.55;
  /// Toes = distal 15 %: pedar_mask2, toes = distal 15 % of insole length [C] (JFAR 2014;7:18).
  double toes_start_fraction = 0.85;
  /// Medial-to-lateral strips of the forefoot band; "forefoot contact" is the first strip in
  /// contact, "forefoot flat" all strips (a stand-in for the five metatarsal heads of De Cock
  /// 2005 that a coarse grid cannot resolve). Design default.
  int forefoot_strips = 3;
};

enum class Band : int { heel = 0, midfoot = 1, forefoot = 2, toes = 3, outside = 4 };

/// Band (and forefoot strip, 0 = most medial; -1 outside the forefoot) of every sample column.
struct FootBands {
  std::vector<Band> band;
  std::vector<int> strip;
  int strips = 0;
};

/// Assigns each sensel of `samples` to a band from its foot coordinates. Strips divide the
/// medial-lateral extent of the loaded forefoot sensels into equal widths.
FootBands assign_bands(const FootfallSamples& samples, const FootFrame& frame,
                       const BandParams& params = {});

/// Per-frame force (N) and maximum sensel pressure (kPa) of each band and forefoot strip.
struct BandSeries {
  Eigen::MatrixXd force_n;       ///< [frames x 4] columns heel, midfoot, forefoot, toes
  Eigen::MatrixXd max_kpa;       ///< [frames x 4]
  Eigen::MatrixXd strip_force_n; ///< [frames x strips]
  Eigen::VectorXd total_force_n; ///< [frames]
};

BandSeries band_series(const FootfallSamples& samples, const FootBands& bands);

}  // namespace insole::analysis
