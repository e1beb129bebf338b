#include "insole/analysis/standing_contact.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <stdexcept>
#include <utility>

namespace insole::analysis {

namespace {
// A measure's value, or none (finish may run again on the same footfall as more frames come).
void put(MeasureValues& m, std::string_view key, std::optional<double> v) {
  if (v && std::isfinite(*v)) m[key] = *v;
  else m.erase(key);
}
}  // namespace

StandingContact::StandingContact(const FootfallSamples& first, FootBands bands, const FootFrame& frame,
                                 const AnalysisParams& p)
    : sensel_index_(first.sensel_index),
      xy_mm_(first.xy_mm),
      area_mm2_(first.area_mm2),
      bands_(std::move(bands)),
      frame_(frame),
      cop_min_force_fraction_(p.cop.min_force_fraction),
      active_threshold_kpa_(p.region_metrics.active_threshold_kpa),
      forefoot_start_fraction_(p.bands.forefoot_start_fraction),
      toes_start_fraction_(p.bands.toes_start_fraction) {
  const Eigen::Index m = xy_mm_.rows();
  sum_kpa_ = Eigen::VectorXd::Zero(m);
  pti_ml_kpa_s_ = Eigen::VectorXd::Zero(m);
  pti_kpa_s_ = Eigen::VectorXd::Zero(m);
  peak_kpa_ = Eigen::VectorXd::Zero(m);
  loaded_.assign(static_cast<std::size_t>(m), 0);
  last_series_row_.force_n = Eigen::MatrixXd::Zero(1, 4);
  last_series_row_.max_kpa = Eigen::MatrixXd::Zero(1, 4);
  add(first, 0);
}

void StandingContact::append(const FootfallSamples& s) {
  if (s.sensel_index != sensel_index_)
    throw std::invalid_argument("StandingContact::append: samples of other sensels than the contact's");
  Eigen::Index from = 0;
  while (n_ > 0 && from < s.frames() && !(s.time_s[from] > last_t_)) ++from;
  if (from < s.frames()) add(s, from);
}

void StandingContact::add(const FootfallSamples& s, Eigen::Index from) {
  const Eigen::Index frames = s.frames();
  const Eigen::Index m = xy_mm_.rows();
  const BandSeries series = band_series(s, bands_);
  // The COP of every loaded frame; the threshold is applied at the end (finish).
  CopParams all;
  all.min_force_fraction = 0.0;
  // It keeps the frames with force > 0, so their largest force is the contact's peak force
  // whenever the threshold matters (with none, there is no COP to keep).
  const CopTrajectory cop = cop_trajectory(s, all);
  for (Eigen::Index k = 0; k < cop.time_s.size(); ++k) {
    if (n_ > 0 && !(cop.time_s[k] > last_t_)) continue;
    if (cop.time_s[k] < s.time_s[from]) continue;
    cop_.push_back({cop.time_s[k], cop.force_n[k], cop.xy_mm(k, 0), cop.xy_mm(k, 1)});
    max_force_n_ = std::max(max_force_n_, cop.force_n[k]);
  }
  for (Eigen::Index f = from; f < frames; ++f) {
    const double t = s.time_s[f];
    const auto row = s.pressure_kpa.row(f);
    sum_kpa_ += row.transpose().cast<double>();
    const double total = series.total_force_n[f];
    if (n_ > 0) {
      const double dt = t - last_t_;
      pti_ml_kpa_s_ += 0.5 * dt * (row + last_row_).transpose().cast<double>();
      band_trap_ += 0.5 * (series.force_n.row(f) + last_band_).transpose() * dt;
      equinus_.add(last_series_row_, 0, dt);
      total_trap_n_s_ += 0.5 * (total + last_total_n_) * dt;
      peak_total_n_ = std::max(peak_total_n_, total);
    } else {
      first_row_ = row;
      first_band_ = series.force_n.row(f);
      peak_total_n_ = total;
    }
    for (Eigen::Index j = 0; j < m; ++j) {
      const double p = row(j);
      peak_kpa_[j] = std::max(peak_kpa_[j], p);
      if (p > active_threshold_kpa_) ++loaded_[static_cast<std::size_t>(j)];
      if (n_ > 0) pti_kpa_s_[j] += 0.5 * (p + last_row_(j)) * (t - last_t_);
    }
    last_row_ = row;
    last_band_ = series.force_n.row(f);
    last_series_row_.force_n.row(0) = series.force_n.row(f);
    last_series_row_.max_kpa.row(0) = series.max_kpa.row(f);
    last_total_n_ = total;
    if (n_ == 0) first_t_ = t;
    before_last_t_ = last_t_;
    last_t_ = t;
    ++n_;
  }
}

void StandingContact::finish(FootfallAnalysis& fa) const {
  const FootFrame& frame = frame_;
  const double length = frame.length_mm;
  fa.standing = true;
  fa.peak_force_n = n_ > 0 ? peak_total_n_ : 0.0;
  fa.force_time_integral_n_s = total_trap_n_s_;
  // Force-time-weighted centre of the contact (layout mm): where the foot stood.
  {
    const Eigen::VectorXd w = sum_kpa_.cwiseProduct(area_mm2_);
    if (w.sum() > 0.0) fa.centre_mm = (xy_mm_.transpose() * w) / w.sum();
    else fa.centre_mm = frame.heel_mm + 0.5 * length * frame.u;
  }
  fa.mlpi.reset();
  fa.forefoot_mlpi.reset();
  if (n_ > 0) {
    const Eigen::VectorXd pti = n_ == 1 ? Eigen::VectorXd(first_row_.transpose().cast<double>()) : pti_ml_kpa_s_;
    fa.mlpi = ml_pressure_index(pti, xy_mm_, area_mm2_, frame);
    fa.forefoot_mlpi = ml_pressure_index(pti, xy_mm_, area_mm2_, frame, forefoot_start_fraction_, toes_start_fraction_);
  }
  // The COP of the frames carrying at least the set fraction of the contact's peak force.
  CopTrajectory cop;
  {
    const double limit = cop_min_force_fraction_ * max_force_n_;
    std::vector<std::size_t> keep;
    for (std::size_t k = 0; k < cop_.size(); ++k)
      if (cop_[k].force_n >= limit) keep.push_back(k);
    const auto n = static_cast<Eigen::Index>(keep.size());
    cop.time_s.resize(n);
    cop.xy_mm.resize(n, 2);
    cop.force_n.resize(n);
    for (Eigen::Index k = 0; k < n; ++k) {
      const CopSample& c = cop_[keep[static_cast<std::size_t>(k)]];
      cop.time_s[k] = c.t;
      cop.xy_mm(k, 0) = c.x_mm;
      cop.xy_mm(k, 1) = c.y_mm;
      cop.force_n[k] = c.force_n;
    }
  }
  const Eigen::MatrixX2d cop_foot = cop_in_foot(cop, frame);
  fa.cop_path_length_mm = cop_path_length_mm(cop);
  fa.cop_heel_to_toe_mm = cop_foot.rows() > 1 ? cop_foot(cop_foot.rows() - 1, 1) - cop_foot(0, 1) : 0.0;
  fa.cop_ap_excursion_percent.reset();
  if (cop_foot.rows() > 0 && length > 0.0)
    fa.cop_ap_excursion_percent = 100.0 * (cop_foot.col(1).maxCoeff() - cop_foot.col(1).minCoeff()) / length;

  // The contact's image (footfall_image of a standing contact: no COP).
  fa.image = footfall_image(sensel_index_, peak_kpa_, pti_kpa_s_, loaded_, n_, n_ > 1 ? last_t_ - first_t_ : 0.0);

  auto& m = fa.measures;
  put(m, "foot_length_mm", length);
  put(m, "foot_width_mm", frame.width_mm);
  // Standing: no gait events, no CPEI (the COP does not traverse the foot).
  fa.cpei_note = "standing: the COP does not traverse the foot";
  EquinusSums sums = equinus_;
  if (n_ > 0) sums.add(last_series_row_, 0, n_ > 1 ? last_t_ - before_last_t_ : 0.0);
  const GaitEvents none;
  fa.equinus = equinus_features(sums, none, cop_foot, length);
  std::optional<Eigen::Vector4d> band_fti;
  if (n_ > 0) band_fti = n_ == 1 ? Eigen::Vector4d(first_band_.transpose()) : band_trap_;
  const StandingMeasures sm = standing_measures(cop, cop_foot, band_fti, frame);
  put(m, "standing_mean_force_n", n_ > 1 ? fa.force_time_integral_n_s / (last_t_ - first_t_) : fa.peak_force_n);
  put(m, "standing_cop_path_length_mm", sm.cop_path_length_mm);
  put(m, "standing_cop_range_ap_mm", sm.cop_range_ap_mm);
  put(m, "standing_cop_range_ml_mm", sm.cop_range_ml_mm);
  put(m, "standing_cop_mean_velocity_mm_s", sm.cop_mean_velocity_mm_s);
  put(m, "standing_cop_ellipse95_area_mm2", sm.cop_ellipse95_area_mm2);
  if (!frame.heel_end_known) {
    // Which end is the heel is not known: nothing that needs it is reported (foot_frame.hpp).
    fa.mlpi.reset();
    fa.forefoot_mlpi.reset();
    fa.cop_ap_excursion_percent.reset();
    return;
  }
  put(m, "standing_heel_load_share_percent", sm.heel_load_share_percent);
  put(m, "standing_midfoot_load_share_percent", sm.midfoot_load_share_percent);
  put(m, "standing_forefoot_load_share_percent", sm.forefoot_load_share_percent);
  put(m, "standing_cop_ap_percent", sm.cop_ap_percent);
  put(m, "standing_cop_ml_percent", sm.cop_ml_percent);
  put(m, "standing_mlpi", fa.mlpi);
  put(m, "standing_forefoot_mlpi", fa.forefoot_mlpi);
  put(m, "standing_forefoot_peak_kpa", fa.equinus.forefoot_peak_kpa);
  put(m, "standing_heel_peak_kpa", fa.equinus.heel_peak_kpa);
}

}  // namespace insole::analysis
