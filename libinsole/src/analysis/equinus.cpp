#include "insole/analysis/equinus.hpp"

#include <algorithm>

namespace insole::analysis {

void EquinusSums::add(const BandSeries& series, Eigen::Index k, double dt_s) {
  const int heel = static_cast<int>(Band::heel);
  const int fore = static_cast<int>(Band::forefoot);
  forefoot_pti_kpa_s += series.max_kpa(k, fore) * dt_s;
  heel_pti_kpa_s += series.max_kpa(k, heel) * dt_s;
  heel_fti_n_s += series.force_n(k, heel) * dt_s;
  forefoot_fti_n_s += series.force_n(k, fore) * dt_s;
  total_fti_n_s += series.force_n.row(k).sum() * dt_s;
  forefoot_peak_kpa = any ? std::max(forefoot_peak_kpa, series.max_kpa(k, fore)) : series.max_kpa(k, fore);
  heel_peak_kpa = any ? std::max(heel_peak_kpa, series.max_kpa(k, heel)) : series.max_kpa(k, heel);
  any = true;
}

EquinusFeatures equinus_features(const FootfallSamples& samples, const BandSeries& series,
                                 const GaitEvents& events, const Eigen::MatrixX2d& cop_foot_mm,
                                 double foot_length_mm) {
  EquinusSums sums;
  const Eigen::Index n = samples.frames();
  for (Eigen::Index k = 0; k < n; ++k) {
    // Frame interval: forward difference, the last frame reuses the previous interval.
    double dt = 0.0;
    if (n > 1) dt = k + 1 < n ? samples.time_s[k + 1] - samples.time_s[k]
                              : samples.time_s[k] - samples.time_s[k - 1];
    sums.add(series, k, dt);
  }
  return equinus_features(sums, events, cop_foot_mm, foot_length_mm);
}

EquinusFeatures equinus_features(const EquinusSums& sums, const GaitEvents& events,
                                 const Eigen::MatrixX2d& cop_foot_mm, double foot_length_mm) {
  EquinusFeatures f;
  f.heel_contact_percent = events.heel_contact_percent;
  f.foot_flat_percent = events.foot_flat_percent;
  f.heel_first = events.heel_first;
  f.forefoot_pti_kpa_s = sums.forefoot_pti_kpa_s;
  f.heel_pti_kpa_s = sums.heel_pti_kpa_s;
  if (sums.any) {
    f.forefoot_peak_kpa = sums.forefoot_peak_kpa;
    f.heel_peak_kpa = sums.heel_peak_kpa;
  }
  if (f.heel_pti_kpa_s > 0.0) f.forefoot_heel_pti_ratio = f.forefoot_pti_kpa_s / f.heel_pti_kpa_s;
  if (sums.total_fti_n_s > 0.0) {
    f.heel_load_share_percent = 100.0 * sums.heel_fti_n_s / sums.total_fti_n_s;
    f.forefoot_relative_load_percent = 100.0 * sums.forefoot_fti_n_s / sums.total_fti_n_s;
  }
  if (cop_foot_mm.rows() > 0 && foot_length_mm > 0.0)
    f.strike_index = std::clamp(cop_foot_mm(0, 1) / foot_length_mm, 0.0, 1.0);
  return f;
}

}  // namespace insole::analysis
