#include "insole/analysis/pronation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace insole::analysis {

std::optional<double> footprint_width_mm(const FootfallSamples& samples, const FootFrame& frame,
                                         double ap_mm, const CpeiParams& params) {
  const Eigen::Index m = samples.xy_mm.rows();
  if (m == 0 || samples.frames() == 0) return std::nullopt;
  std::vector<double> areas(samples.area_mm2.data(), samples.area_mm2.data() + m);
  std::nth_element(areas.begin(), areas.begin() + m / 2, areas.end());
  const double size_mm = std::sqrt(std::max(areas[static_cast<std::size_t>(m / 2)], 0.0));
  const double half = params.width_band_sensels * size_mm;
  const Eigen::VectorXf peak = samples.pressure_kpa.colwise().maxCoeff().transpose();
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  int count = 0;
  for (Eigen::Index j = 0; j < m; ++j) {
    if (!(peak[j] > 0.0f)) continue;
    const Eigen::Vector2d fc = frame.to_foot(samples.xy_mm.row(j).transpose());
    if (std::abs(fc.y() - ap_mm) > half) continue;
    lo = std::min(lo, fc.x());
    hi = std::max(hi, fc.x());
    ++count;
  }
  if (count < params.min_width_sensels) return std::nullopt;
  return hi - lo + size_mm;
}

std::optional<CpeiResult> cpei(const Eigen::MatrixX2d& cop, double foot_length_mm,
                               double forefoot_width_mm, const CpeiParams& params,
                               std::string* why) {
  auto fail = [&](const char* reason) -> std::optional<CpeiResult> {
    if (why) *why = reason;
    return std::nullopt;
  };
  if (cop.rows() < 3) return fail("fewer than 3 COP samples");
  if (!(foot_length_mm > 0.0)) return fail("no foot length");
  if (!(forefoot_width_mm > 0.0)) return fail("forefoot width not measurable");
  const double line = params.distal_fraction * foot_length_mm;
  // Where the COP path first crosses the distal-third line, walking heel to toe.
  std::optional<double> cop_ml;
  for (Eigen::Index k = 1; k < cop.rows() && !cop_ml; ++k) {
    const double a0 = cop(k - 1, 1), a1 = cop(k, 1);
    if (a0 < line && a1 >= line) {
      const double s = (line - a0) / (a1 - a0);
      cop_ml = cop(k - 1, 0) + s * (cop(k, 0) - cop(k - 1, 0));
    }
  }
  if (!cop_ml) return fail("COP does not cross the distal-third line");
  const Eigen::Vector2d first = cop.row(0).transpose();
  const Eigen::Vector2d last = cop.row(cop.rows() - 1).transpose();
  if (!(last.y() - first.y() > 1e-6)) return fail("COP path has no heel-to-toe extent");
  const double s = (line - first.y()) / (last.y() - first.y());
  const double construction_ml = first.x() + s * (last.x() - first.x());
  CpeiResult r;
  r.line_ap_mm = line;
  r.forefoot_width_mm = forefoot_width_mm;
  r.cpe_mm = construction_ml - *cop_ml;  // ml positive medial: COP lateral of the line -> +
  r.cpei_percent = 100.0 * r.cpe_mm / forefoot_width_mm;
  return r;
}

std::optional<double> ml_pressure_index(const FootfallSamples& samples, const FootFrame& frame,
                                        double ap_from_fraction, double ap_to_fraction) {
  if (!(frame.length_mm > 0.0) || samples.frames() == 0) return std::nullopt;
  // Pressure-time integral per sensel (trapezoidal in time), kPa*s.
  const Eigen::Index n = samples.frames();
  Eigen::VectorXd pti = Eigen::VectorXd::Zero(samples.xy_mm.rows());
  for (Eigen::Index f = 1; f < n; ++f) {
    const double dt = samples.time_s[f] - samples.time_s[f - 1];
    pti += 0.5 * dt *
           (samples.pressure_kpa.row(f) + samples.pressure_kpa.row(f - 1)).transpose().cast<double>();
  }
  if (n == 1) pti = samples.pressure_kpa.row(0).transpose().cast<double>();
  return ml_pressure_index(pti, samples.xy_mm, samples.area_mm2, frame, ap_from_fraction, ap_to_fraction);
}

std::optional<double> ml_pressure_index(const Eigen::VectorXd& pti_kpa_s, const Eigen::MatrixX2d& xy_mm,
                                        const Eigen::VectorXd& area_mm2, const FootFrame& frame,
                                        double ap_from_fraction, double ap_to_fraction) {
  if (!(frame.length_mm > 0.0) || pti_kpa_s.size() != xy_mm.rows() || area_mm2.size() != xy_mm.rows())
    return std::nullopt;
  // Force-time integral per sensel, N*s.
  const Eigen::VectorXd fti = pti_kpa_s.cwiseProduct(area_mm2) * 1e-3;
  double medial = 0.0, lateral = 0.0;
  for (Eigen::Index j = 0; j < xy_mm.rows(); ++j) {
    const Eigen::Vector2d fc = frame.to_foot(xy_mm.row(j).transpose());
    const double r = fc.y() / frame.length_mm;
    if (r < ap_from_fraction || r >= ap_to_fraction) continue;
    if (fc.x() > 0) medial += fti[j];
    else if (fc.x() < 0) lateral += fti[j];
    else {
      medial += 0.5 * fti[j];
      lateral += 0.5 * fti[j];
    }
  }
  if (!(medial + lateral > 0.0)) return std::nullopt;
  return (lateral - medial) / (lateral + medial);
}

namespace {
std::optional<double> mean_speed(const CopTrajectory& cop, double from_s, double to_s) {
  double dist = 0.0, dur = 0.0;
  for (Eigen::Index k = 1; k < cop.time_s.size(); ++k) {
    const double mid = 0.5 * (cop.time_s[k] + cop.time_s[k - 1]);
    if (mid < from_s || mid > to_s) continue;
    dist += (cop.xy_mm.row(k) - cop.xy_mm.row(k - 1)).norm();
    dur += cop.time_s[k] - cop.time_s[k - 1];
  }
  if (!(dur > 0.0)) return std::nullopt;
  return dist / dur;
}
}  // namespace

CopVelocity cop_velocity(const CopTrajectory& cop, const GaitEvents& ev) {
  CopVelocity v;
  v.stance_mm_s = mean_speed(cop, ev.ic_s, ev.to_s);
  if (ev.ffc_s) v.initial_contact_mm_s = mean_speed(cop, ev.ic_s, *ev.ffc_s);
  if (ev.ffc_s && ev.ff_s) v.forefoot_contact_mm_s = mean_speed(cop, *ev.ffc_s, *ev.ff_s);
  if (ev.ff_s && ev.ho_s && *ev.ho_s > *ev.ff_s) v.foot_flat_mm_s = mean_speed(cop, *ev.ff_s, *ev.ho_s);
  if (ev.ff_s) {
    const double ho = ev.ho_s ? std::max(*ev.ho_s, *ev.ff_s) : *ev.ff_s;
    v.push_off_mm_s = mean_speed(cop, ho, ev.to_s);
  }
  return v;
}

std::optional<Eigen::Vector2d> progression_direction(const std::vector<PassFootfall>& pass,
                                                     std::string* method, double min_travel_mm) {
  if (pass.size() < 2) return std::nullopt;
  const Eigen::Vector2d travel = pass.back().centre_mm - pass.front().centre_mm;
  if (travel.norm() < min_travel_mm) return std::nullopt;
  Eigen::Vector2d sum = Eigen::Vector2d::Zero();
  for (std::size_t i = 0; i < pass.size(); ++i)
    for (std::size_t j = i + 1; j < pass.size(); ++j)
      if (pass[j].side == pass[i].side) {
        const Eigen::Vector2d d = pass[j].centre_mm - pass[i].centre_mm;
        if (d.norm() > 0.0) sum += d.normalized();
        break;  // only the next contact of the same foot
      }
  std::string how = "same-side strides";
  if (sum.norm() < 1e-9) {
    bool left = false, right = false;
    for (const auto& f : pass) {
      left = left || f.side == Side::left;
      right = right || f.side == Side::right;
      sum += f.axis_u.normalized();
    }
    if (!(left && right) || sum.norm() < 1e-9) return std::nullopt;
    how = "axis bisector (assumes equal out-toeing)";
  }
  Eigen::Vector2d dir = sum.normalized();
  // Feet side by side (standing, shuffling) do not travel along the direction.
  if (std::abs(dir.dot(travel)) < min_travel_mm) return std::nullopt;
  if (dir.dot(travel) < 0.0) dir = -dir;
  if (method) *method = how;
  return dir;
}

double foot_progression_angle_deg(const FootFrame& frame, const Eigen::Vector2d& direction) {
  // Direction of travel in foot coordinates: a medial component means the foot axis points
  // lateral of the travel direction, i.e. out-toeing (positive).
  const double along = direction.dot(frame.u);
  const double medial = direction.dot(frame.v);
  return std::atan2(medial, along) * 180.0 / std::numbers::pi;
}

}  // namespace insole::analysis
