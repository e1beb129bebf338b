#pragma once
// Calf-tightness (equinus, limited ankle dorsiflexion) signature (metrics.md section 6). Restricted
// dorsiflexion limits tibial progression, which shows as prolonged forefoot loading, early
// heel-off and raised forefoot pressure (Searle, Spink & Chuter 2018 JFAR [V]). The features and
// their thresholds are detector proposals, not validated cut-offs ([U] in metrics.md): the
// findings step reports each one and states F-EQUINUS only when several agree, always as
// "consistent with" and advising a clinical lunge test (dorsiflexion < 30 deg, Searle 2018 [V]).

#include <optional>

#include "insole/analysis/bands.hpp"
#include "insole/analysis/gait.hpp"

namespace insole::analysis {

/// Per-footfall features.
struct EquinusFeatures {
  double heel_contact_percent = 0.0;        ///< from GaitEvents (walking reference 60.6 %)
  std::optional<double> foot_flat_percent;  ///< from GaitEvents (walking reference 48.8 %)
  /// Peak pressure-time integrals, Novel definition: sum over frames of the band's maximum
  /// sensel pressure times the frame interval (metrics.md section 5.2), kPa*s.
  double forefoot_pti_kpa_s = 0.0;
  double heel_pti_kpa_s = 0.0;
  /// forefoot / heel PTI; nullopt when the heel is never loaded (ratio unbounded).
  std::optional<double> forefoot_heel_pti_ratio;
  double forefoot_peak_kpa = 0.0;
  double heel_peak_kpa = 0.0;
  bool heel_first = true;                   ///< from GaitEvents
  /// COP position at the first COP sample from the heel / foot length (strike index,
  /// Cavanagh & Lafortune 1980 J Biomech 13:397 [V] definition).
  std::optional<double> strike_index;
  /// Share of the force-time integral carried by the heel band, %. Meaningful in standing:
  /// barefoot standing loads the heel with about 60 % (Cavanagh, Rodgers & Iiboshi 1987 Foot
  /// Ankle 7:262; heel 60 %, midfoot 8 %, forefoot 28 %, toes 4 % [U] not in metrics.md).
  double heel_load_share_percent = 0.0;
  /// Relative load of the forefoot (metatarsal-head) band: its share of the footfall's
  /// force-time integral, % (regional FTI / total FTI x 100, the "relative load" of Novel's
  /// region analysis, metrics.md section 5.2). Unlike a peak pressure it does not grow with body
  /// mass: scaling every pressure leaves it unchanged. nullopt without load.
  std::optional<double> forefoot_relative_load_percent;
};

/// Features from one footfall. `cop_foot_mm` is its COP in foot coordinates (may be empty).
EquinusFeatures equinus_features(const FootfallSamples& samples, const BandSeries& series,
                                 const GaitEvents& events, const Eigen::MatrixX2d& cop_foot_mm,
                                 double foot_length_mm);

/// The sums over frames behind EquinusFeatures, added a frame at a time, so that a contact
/// measured over several analysis windows (a long standing trial) gives what one pass would.
struct EquinusSums {
  double forefoot_pti_kpa_s = 0.0, heel_pti_kpa_s = 0.0;
  double heel_fti_n_s = 0.0, forefoot_fti_n_s = 0.0, total_fti_n_s = 0.0;
  double forefoot_peak_kpa = 0.0, heel_peak_kpa = 0.0;
  bool any = false;
  /// Frame k of BandSeries `series` with its interval `dt_s` (forward difference; the last frame
  /// reuses the previous interval, a single frame has none).
  void add(const BandSeries& series, Eigen::Index k, double dt_s);
};

/// Features from sums over a contact's frames.
EquinusFeatures equinus_features(const EquinusSums& sums, const GaitEvents& events,
                                 const Eigen::MatrixX2d& cop_foot_mm, double foot_length_mm);

}  // namespace insole::analysis
