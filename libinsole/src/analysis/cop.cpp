#include "insole/analysis/cop.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace insole::analysis {

Eigen::VectorXd FootfallSamples::force_n() const {
  // kPa * mm^2 = 1e-3 N
  return (pressure_kpa.cast<double>() * area_mm2) * 1e-3;
}

namespace {

// Frames [first_frame, last_frame] of `frames` restricted to the footfall's sensels (checked by
// the callers); `columns` is how many sensels the frames hold.
FootfallSamples extract_samples(const FrameView& frames, const Footfall& footfall, Eigen::Index columns) {
  const SensorLayout& layout = frames.info().layout;
  const Eigen::Index first = footfall.first_frame, last = footfall.last_frame;
  FootfallSamples s;
  std::vector<Eigen::Index> cols = footfall.sensels;
  if (cols.empty()) {
    for (Eigen::Index i = 0; i < layout.sensor_count(); ++i)
      if (std::isfinite(layout.centres_mm()(i, 0)) && std::isfinite(layout.centres_mm()(i, 1)))
        cols.push_back(i);
  }
  const Eigen::Index n = last - first + 1;
  const auto m = static_cast<Eigen::Index>(cols.size());
  s.time_s = frames.times().segment(first, n);
  s.pressure_kpa.resize(n, m);
  s.xy_mm.resize(m, 2);
  s.area_mm2.resize(m);
  for (Eigen::Index j = 0; j < m; ++j) {
    const Eigen::Index c = cols[static_cast<std::size_t>(j)];
    if (c < 0 || c >= layout.sensor_count() || c >= columns)
      throw std::out_of_range("extract_samples: sensel " + std::to_string(c) + " out of range");
    s.xy_mm.row(j) = layout.centres_mm().row(c);
    s.area_mm2[j] = layout.areas_mm2()[c];
    for (Eigen::Index f = 0; f < n; ++f) {
      const float p = frames.at(first + f, c);
      s.pressure_kpa(f, j) = std::isfinite(p) ? p : 0.0f;
    }
  }
  s.sensel_index = std::move(cols);
  return s;
}

}  // namespace

FootfallSamples extract_samples(const SensorLayout& layout,
                                const Eigen::Ref<const Eigen::VectorXd>& time_s,
                                const Eigen::Ref<const FrameMatrix>& pressure_kpa,
                                const Footfall& footfall, Eigen::Index frame_offset) {
  const Eigen::Index first = footfall.first_frame - frame_offset;
  const Eigen::Index last = footfall.last_frame - frame_offset;
  if (first < 0 || last < first || last >= time_s.size() || pressure_kpa.rows() != time_s.size())
    throw std::out_of_range("extract_samples: footfall frames " +
                            std::to_string(footfall.first_frame) + ".." +
                            std::to_string(footfall.last_frame) + " are not inside the given " +
                            std::to_string(time_s.size()) + " frames at offset " +
                            std::to_string(frame_offset));
  // The rows from `first` on, as a dense view (a layout-sized StreamInfo is all it reads).
  StreamInfo info;
  info.layout = layout;
  Footfall local = footfall;
  local.first_frame = 0;
  local.last_frame = last - first;
  const FrameView view(info, time_s.data() + first, last - first + 1,
                       pressure_kpa.data() + first * pressure_kpa.outerStride(), pressure_kpa.outerStride());
  return extract_samples(view, local, pressure_kpa.cols());
}

FootfallSamples extract_samples(const FrameView& frames, const Footfall& footfall) {
  const Eigen::Index first = footfall.first_frame, last = footfall.last_frame;
  if (first < 0 || last < first || last >= frames.frame_count())
    throw std::out_of_range("extract_samples: footfall frames " + std::to_string(first) + ".." +
                            std::to_string(last) + " are not inside the given " +
                            std::to_string(frames.frame_count()) + " frames");
  return extract_samples(frames, footfall, frames.dense() ? frames.stride() : frames.sensor_count());
}

CopTrajectory cop_trajectory(const FootfallSamples& samples, const CopParams& params) {
  const Eigen::VectorXd force = samples.force_n();
  CopTrajectory cop;
  if (force.size() == 0) return cop;
  const double limit = params.min_force_fraction * force.maxCoeff();
  std::vector<Eigen::Index> keep;
  for (Eigen::Index f = 0; f < force.size(); ++f)
    if (force[f] > 0.0 && force[f] >= limit) keep.push_back(f);
  const auto n = static_cast<Eigen::Index>(keep.size());
  cop.time_s.resize(n);
  cop.xy_mm.resize(n, 2);
  cop.force_n.resize(n);
  const Eigen::VectorXd wx = samples.area_mm2.cwiseProduct(samples.xy_mm.col(0));
  const Eigen::VectorXd wy = samples.area_mm2.cwiseProduct(samples.xy_mm.col(1));
  for (Eigen::Index k = 0; k < n; ++k) {
    const Eigen::Index f = keep[static_cast<std::size_t>(k)];
    const Eigen::VectorXd p = samples.pressure_kpa.row(f).transpose().cast<double>();
    const double w = p.dot(samples.area_mm2);
    cop.time_s[k] = samples.time_s[f];
    cop.xy_mm(k, 0) = p.dot(wx) / w;
    cop.xy_mm(k, 1) = p.dot(wy) / w;
    cop.force_n[k] = force[f];
  }
  return cop;
}

Eigen::MatrixX2d cop_in_foot(const CopTrajectory& cop, const FootFrame& frame) {
  Eigen::MatrixX2d out(cop.xy_mm.rows(), 2);
  for (Eigen::Index k = 0; k < cop.xy_mm.rows(); ++k)
    out.row(k) = frame.to_foot(cop.xy_mm.row(k).transpose()).transpose();
  return out;
}

double cop_path_length_mm(const CopTrajectory& cop) {
  double len = 0.0;
  for (Eigen::Index k = 1; k < cop.xy_mm.rows(); ++k)
    len += (cop.xy_mm.row(k) - cop.xy_mm.row(k - 1)).norm();
  return len;
}

}  // namespace insole::analysis
