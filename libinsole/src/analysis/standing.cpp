#include "insole/analysis/standing.hpp"

#include <cmath>
#include <numbers>

namespace insole::analysis {

std::optional<double> confidence_ellipse95_area_mm2(const Eigen::MatrixX2d& xy) {
  const Eigen::Index n = xy.rows();
  if (n < 3) return std::nullopt;
  const Eigen::RowVector2d mean = xy.colwise().mean();
  const Eigen::MatrixX2d d = xy.rowwise() - mean;
  const Eigen::Matrix2d s = (d.transpose() * d) / static_cast<double>(n - 1);
  const double det = s(0, 0) * s(1, 1) - s(0, 1) * s(1, 0);
  const double m = static_cast<double>(n - 2);
  // Upper 5 % point of F(2, m): 1 - CDF = (1 + 2F/m)^(-m/2) solved for F.
  const double f = 0.5 * m * (std::pow(0.05, -2.0 / m) - 1.0);
  return 2.0 * std::numbers::pi * f * std::sqrt(std::max(0.0, det));
}

StandingMeasures standing_measures(const CopTrajectory& cop, const Eigen::MatrixX2d& cop_foot,
                                   const BandSeries& series, const Eigen::VectorXd& time_s,
                                   const FootFrame& frame) {
  // Force-time integrals of the bands (trapezoid).
  std::optional<Eigen::Vector4d> fti;
  const Eigen::Index f = series.force_n.rows();
  if (f > 0 && f == time_s.size()) {
    fti = Eigen::Vector4d::Zero();
    if (f == 1) {
      *fti = series.force_n.row(0).transpose();
    } else {
      for (Eigen::Index k = 1; k < f; ++k)
        *fti += 0.5 * (series.force_n.row(k) + series.force_n.row(k - 1)).transpose() * (time_s[k] - time_s[k - 1]);
    }
  }
  return standing_measures(cop, cop_foot, fti, frame);
}

StandingMeasures standing_measures(const CopTrajectory& cop, const Eigen::MatrixX2d& cop_foot,
                                   const std::optional<Eigen::Vector4d>& band_fti_n_s,
                                   const FootFrame& frame) {
  StandingMeasures m;
  const Eigen::Index n = cop_foot.rows();
  if (n > 0) {
    double path = 0.0;
    for (Eigen::Index k = 1; k < n; ++k) path += (cop_foot.row(k) - cop_foot.row(k - 1)).norm();
    m.cop_path_length_mm = path;
    m.cop_range_ml_mm = cop_foot.col(0).maxCoeff() - cop_foot.col(0).minCoeff();
    m.cop_range_ap_mm = cop_foot.col(1).maxCoeff() - cop_foot.col(1).minCoeff();
    if (n > 1 && cop.time_s.size() == n) {
      const double span = cop.time_s[n - 1] - cop.time_s[0];
      if (span > 0.0) m.cop_mean_velocity_mm_s = path / span;
    }
    m.cop_ellipse95_area_mm2 = confidence_ellipse95_area_mm2(cop_foot);
  }
  if (!frame.heel_end_known) return m;
  if (n > 0 && frame.length_mm > 0.0) m.cop_ap_percent = 100.0 * cop_foot.col(1).mean() / frame.length_mm;
  if (n > 0 && frame.width_mm > 0.0) m.cop_ml_percent = 100.0 * cop_foot.col(0).mean() / frame.width_mm;
  if (!band_fti_n_s) return m;
  const Eigen::Vector4d& fti = *band_fti_n_s;
  const double total = fti.sum();
  if (!(total > 0.0)) return m;
  m.heel_load_share_percent = 100.0 * fti[0] / total;
  m.midfoot_load_share_percent = 100.0 * fti[1] / total;
  m.forefoot_load_share_percent = 100.0 * (fti[2] + fti[3]) / total;
  return m;
}

}  // namespace insole::analysis
