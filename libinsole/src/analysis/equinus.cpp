#include "insole/analysis/equinus.hpp"

#include <algorithm>

namespace insole::analysis {

EquinusFeatures equinus_features(const FootfallSamples& samples, const BandSeries& series,
                                 const GaitEvents& events, const Eigen::MatrixX2d& cop_foot_mm,
                                 double foot_length_mm) {
  EquinusFeatures f;
  f.heel_contact_percent = events.heel_contact_percent;
  f.foot_flat_percent = events.foot_flat_percent;
  f.heel_first = events.heel_first;
  const Eigen::Index n = samples.frames();
  const int heel = static_cast<int>(Band::heel);
  const int fore = static_cast<int>(Band::forefoot);
  double heel_fti = 0.0, fore_fti = 0.0, total_fti = 0.0;
  for (Eigen::Index k = 0; k < n; ++k) {
    // Frame interval: forward difference, the last frame reuses the previous interval.
    double dt = 0.0;
    if (n > 1) dt = k + 1 < n ? samples.time_s[k + 1] - samples.time_s[k]
                              : samples.time_s[k] - samples.time_s[k - 1];
    f.forefoot_pti_kpa_s += series.max_kpa(k, fore) * dt;
    f.heel_pti_kpa_s += series.max_kpa(k, heel) * dt;
    heel_fti += series.force_n(k, heel) * dt;
    fore_fti += series.force_n(k, fore) * dt;
    total_fti += series.force_n.row(k).sum() * dt;
  }
  if (n > 0) {
    f.forefoot_peak_kpa = series.max_kpa.col(fore).maxCoeff();
    f.heel_peak_kpa = series.max_kpa.col(heel).maxCoeff();
  }
  if (f.heel_pti_kpa_s > 0.0) f.forefoot_heel_pti_ratio = f.forefoot_pti_kpa_s / f.heel_pti_kpa_s;
  if (total_fti > 0.0) {
    f.heel_load_share_percent = 100.0 * heel_fti / total_fti;
    f.forefoot_relative_load_percent = 100.0 * fore_fti / total_fti;
  }
  if (cop_foot_mm.rows() > 0 && foot_length_mm > 0.0)
    f.strike_index = std::clamp(cop_foot_mm(0, 1) / foot_length_mm, 0.0, 1.0);
  return f;
}

}  // namespace insole::analysis
