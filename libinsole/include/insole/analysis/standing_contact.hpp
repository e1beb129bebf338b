#pragma once
// One standing contact (a foot standing on the sensor) measured a frame at a time.
//
// A standing trial loads the mat from start to end, so its frames cannot all be held (a 10-minute
// trial on a 200 x 200 mat is 4.8 GB of frames). The streaming analysis holds at most one
// window of frames (AnalysisParams::max_window_s); a standing contact that outlasts its window is
// carried into the next windows through this state, which holds per sensel a few sums and per
// frame only the time, force and centre of pressure (32 bytes). Its foot frame, bands and regions
// are those found over its first window (a standing foot does not move); every measure of time
// (load shares, COP position and sway, mean force, pressure-time integrals, the images) covers
// all its frames. Fed with one window's frames it gives the bits of a single pass over them.

#include <Eigen/Core>
#include <deque>
#include <optional>
#include <vector>

#include "insole/analysis/analyze.hpp"

namespace insole::analysis {

class StandingContact {
 public:
  /// Fixes the contact's sensels (those of `first`), bands and foot frame, and adds the frames of
  /// `first`.
  StandingContact(const FootfallSamples& first, FootBands bands, const FootFrame& frame, const AnalysisParams& p);

  /// Adds the frames of `s` later than every frame added so far (earlier ones are the overlap of
  /// two windows and are skipped). `s` must hold the contact's sensels in the same order.
  void append(const FootfallSamples& s);

  /// Writes the contact's time-based results into `fa` (measures, COP, equinus features, image):
  /// what analyze_samples gives a standing footfall, over every frame added.
  void finish(FootfallAnalysis& fa) const;

  Eigen::Index frames() const noexcept { return n_; }
  double first_time_s() const noexcept { return first_t_; }
  double last_time_s() const noexcept { return last_t_; }
  const std::vector<Eigen::Index>& sensels() const noexcept { return sensel_index_; }

 private:
  void add(const FootfallSamples& s, Eigen::Index from);

  std::vector<Eigen::Index> sensel_index_;
  Eigen::MatrixX2d xy_mm_;
  Eigen::VectorXd area_mm2_;
  FootBands bands_;
  FootFrame frame_;
  double cop_min_force_fraction_;
  double active_threshold_kpa_;
  double forefoot_start_fraction_, toes_start_fraction_;

  Eigen::Index n_ = 0;
  double first_t_ = 0.0, last_t_ = 0.0, before_last_t_ = 0.0;
  Eigen::RowVectorXf first_row_, last_row_;  // kPa, per sensel
  // Per sensel: sum of pressures over frames, trapezoidal pressure-time integral (the single-
  // precision sum of neighbouring frames, as ml_pressure_index takes it; and in double, as the
  // image takes it), peak, frames above the active threshold.
  Eigen::VectorXd sum_kpa_, pti_ml_kpa_s_, pti_kpa_s_, peak_kpa_;
  std::vector<Eigen::Index> loaded_;
  // Bands: trapezoidal force-time integrals, and the last frame's band series row (its forward
  // interval is known when the next frame comes).
  Eigen::Vector4d band_trap_ = Eigen::Vector4d::Zero();
  Eigen::RowVector4d first_band_ = Eigen::RowVector4d::Zero(), last_band_ = Eigen::RowVector4d::Zero();
  BandSeries last_series_row_;
  EquinusSums equinus_;
  double peak_total_n_ = 0.0, total_trap_n_s_ = 0.0, last_total_n_ = 0.0;
  // Per frame with load: time, force (N), COP (layout mm); the COP threshold is a fraction of
  // the contact's peak force, known only at its end.
  // A deque grows a block at a time: no doubled array, nor old and new arrays at once.
  struct CopSample {
    double t, force_n, x_mm, y_mm;
  };
  std::deque<CopSample> cop_;
  double max_force_n_ = 0.0;
};

}  // namespace insole::analysis
