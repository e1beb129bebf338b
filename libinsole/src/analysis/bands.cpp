#include "insole/analysis/bands.hpp"

#include <algorithm>
#include <limits>

namespace insole::analysis {

FootBands assign_bands(const FootfallSamples& samples, const FootFrame& frame,
                       const BandParams& params) {
  const Eigen::Index m = samples.xy_mm.rows();
  FootBands out;
  out.band.assign(static_cast<std::size_t>(m), Band::outside);
  out.strip.assign(static_cast<std::size_t>(m), -1);
  out.strips = std::max(1, params.forefoot_strips);
  const double length = frame.length_mm;
  if (!(length > 0.0)) return out;
  const Eigen::VectorXf peak = samples.frames() > 0 ? Eigen::VectorXf(samples.pressure_kpa.colwise().maxCoeff().transpose())
                                                     : Eigen::VectorXf::Zero(m);
  double ml_min = std::numeric_limits<double>::infinity();
  double ml_max = -ml_min;
  std::vector<double> ml(static_cast<std::size_t>(m));
  for (Eigen::Index j = 0; j < m; ++j) {
    const Eigen::Vector2d fc = frame.to_foot(samples.xy_mm.row(j).transpose());
    ml[static_cast<std::size_t>(j)] = fc.x();
    const double r = fc.y() / length;
    Band b = Band::outside;
    if (r < params.heel_end_fraction) b = Band::heel;
    else if (r < params.forefoot_start_fraction) b = Band::midfoot;
    else if (r < params.toes_start_fraction) b = Band::forefoot;
    else b = Band::toes;
    out.band[static_cast<std::size_t>(j)] = b;
    if (b == Band::forefoot && peak[j] > 0.0f) {
      ml_min = std::min(ml_min, fc.x());
      ml_max = std::max(ml_max, fc.x());
    }
  }
  if (ml_max < ml_min) return out;
  const double span = std::max(ml_max - ml_min, 1e-9);
  for (Eigen::Index j = 0; j < m; ++j) {
    const auto u = static_cast<std::size_t>(j);
    if (out.band[u] != Band::forefoot) continue;
    // Strip 0 is the most medial (largest ml).
    const double t = (ml_max - ml[u]) / span;
    out.strip[u] = std::clamp(static_cast<int>(t * out.strips), 0, out.strips - 1);
  }
  return out;
}

BandSeries band_series(const FootfallSamples& samples, const FootBands& bands) {
  const Eigen::Index n = samples.frames();
  const Eigen::Index m = samples.xy_mm.rows();
  BandSeries s;
  s.force_n = Eigen::MatrixXd::Zero(n, 4);
  s.max_kpa = Eigen::MatrixXd::Zero(n, 4);
  s.strip_force_n = Eigen::MatrixXd::Zero(n, bands.strips);
  s.total_force_n = Eigen::VectorXd::Zero(n);
  for (Eigen::Index f = 0; f < n; ++f) {
    for (Eigen::Index j = 0; j < m; ++j) {
      const double p = samples.pressure_kpa(f, j);
      if (p <= 0.0) continue;
      const double force = p * samples.area_mm2[j] * 1e-3;
      s.total_force_n[f] += force;
      const auto u = static_cast<std::size_t>(j);
      const int b = static_cast<int>(bands.band[u]);
      if (b >= 4) continue;
      s.force_n(f, b) += force;
      s.max_kpa(f, b) = std::max(s.max_kpa(f, b), p);
      if (bands.strip[u] >= 0) s.strip_force_n(f, bands.strip[u]) += force;
    }
  }
  return s;
}

}  // namespace insole::analysis
