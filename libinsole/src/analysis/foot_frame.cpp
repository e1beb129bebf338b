#include "insole/analysis/foot_frame.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "insole/analysis/footprint.hpp"

namespace insole::analysis {

namespace {

struct Points {
  Eigen::MatrixX2d xy;     // sensel centres
  Eigen::VectorXd area;    // sensel areas
  std::vector<Eigen::Index> index;
};

Points gather(const SensorLayout& layout, const std::vector<Eigen::Index>& contact) {
  Points p;
  p.xy.resize(static_cast<Eigen::Index>(contact.size()), 2);
  p.area.resize(static_cast<Eigen::Index>(contact.size()));
  p.index = contact;
  for (std::size_t k = 0; k < contact.size(); ++k) {
    const auto i = static_cast<Eigen::Index>(k);
    p.xy.row(i) = layout.centres_mm().row(contact[k]);
    p.area[i] = layout.areas_mm2()[contact[k]];
  }
  return p;
}

Eigen::Vector2d weighted_mean(const Points& p) {
  return (p.xy.transpose() * p.area) / p.area.sum();
}

Eigen::Vector2d principal_axis(const Points& p) {
  const Eigen::Vector2d m = weighted_mean(p);
  Eigen::Matrix2d c = Eigen::Matrix2d::Zero();
  for (Eigen::Index i = 0; i < p.xy.rows(); ++i) {
    const Eigen::Vector2d d = p.xy.row(i).transpose() - m;
    c += p.area[i] * d * d.transpose();
  }
  // Largest eigenvector of a symmetric 2x2 matrix in closed form.
  const double a = c(0, 0), b = c(0, 1), d = c(1, 1);
  const double theta = 0.5 * std::atan2(2.0 * b, a - d);
  return {std::cos(theta), std::sin(theta)};
}

// Convex hull (monotone chain) of a point set; counter-clockwise, no collinear points.
std::vector<Eigen::Vector2d> convex_hull(std::vector<Eigen::Vector2d> pts) {
  std::sort(pts.begin(), pts.end(), [](const auto& a, const auto& b) {
    return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y());
  });
  pts.erase(std::unique(pts.begin(), pts.end()), pts.end());
  if (pts.size() < 3) return pts;
  auto cross = [](const Eigen::Vector2d& o, const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
    return (a - o).x() * (b - o).y() - (a - o).y() * (b - o).x();
  };
  std::vector<Eigen::Vector2d> h(2 * pts.size());
  std::size_t k = 0;
  for (const auto& p : pts) {
    while (k >= 2 && cross(h[k - 2], h[k - 1], p) <= 0) --k;
    h[k++] = p;
  }
  for (std::size_t i = pts.size() - 1, t = k + 1; i-- > 0;) {
    while (k >= t && cross(h[k - 2], h[k - 1], pts[i]) <= 0) --k;
    h[k++] = pts[i];
  }
  h.resize(k - 1);
  return h;
}

// Long side of the minimum-area rectangle around the sensel rectangles (rotating calipers over
// the hull edges: the optimal rectangle has a side on a hull edge).
Eigen::Vector2d min_bbox_axis(const SensorLayout& layout, const Points& p) {
  std::vector<Eigen::Vector2d> corners;
  const double hx = 0.5 * layout.col_pitch_mm(), hy = 0.5 * layout.row_pitch_mm();
  for (Eigen::Index i = 0; i < p.xy.rows(); ++i) {
    const Eigen::Vector2d c = p.xy.row(i).transpose();
    corners.push_back(c + Eigen::Vector2d(-hx, -hy));
    corners.push_back(c + Eigen::Vector2d(hx, -hy));
    corners.push_back(c + Eigen::Vector2d(hx, hy));
    corners.push_back(c + Eigen::Vector2d(-hx, hy));
  }
  const auto hull = convex_hull(std::move(corners));
  double best_area = std::numeric_limits<double>::infinity();
  Eigen::Vector2d best = Eigen::Vector2d::UnitY();
  for (std::size_t i = 0; i < hull.size(); ++i) {
    Eigen::Vector2d e = hull[(i + 1) % hull.size()] - hull[i];
    if (e.norm() == 0) continue;
    e.normalize();
    const Eigen::Vector2d n(-e.y(), e.x());
    double e0 = 1e300, e1 = -1e300, n0 = 1e300, n1 = -1e300;
    for (const auto& q : hull) {
      e0 = std::min(e0, q.dot(e));
      e1 = std::max(e1, q.dot(e));
      n0 = std::min(n0, q.dot(n));
      n1 = std::max(n1, q.dot(n));
    }
    const double area = (e1 - e0) * (n1 - n0);
    if (area < best_area) {
      best_area = area;
      best = (e1 - e0) >= (n1 - n0) ? e : n;
    }
  }
  return best;
}

// Contact area in [lo, hi] fractions of the extent along u measured from the given origin.
double band_area(const Points& p, const Eigen::Vector2d& origin, const Eigen::Vector2d& u,
                 double t_min, double length, double lo, double hi) {
  double a = 0.0;
  for (Eigen::Index i = 0; i < p.xy.rows(); ++i) {
    const double f = ((p.xy.row(i).transpose() - origin).dot(u) - t_min) / length;
    if (f >= lo && f <= hi) a += p.area[i];
  }
  return a;
}

Eigen::Vector2d band_centroid(const Points& p, const Eigen::Vector2d& origin,
                              const Eigen::Vector2d& u, double t_min, double length, double lo,
                              double hi, bool* ok) {
  Eigen::Vector2d sum = Eigen::Vector2d::Zero();
  double a = 0.0;
  for (Eigen::Index i = 0; i < p.xy.rows(); ++i) {
    const Eigen::Vector2d q = p.xy.row(i).transpose();
    const double f = ((q - origin).dot(u) - t_min) / length;
    if (f >= lo && f <= hi) {
      sum += p.area[i] * q;
      a += p.area[i];
    }
  }
  *ok = a > 0;
  return a > 0 ? Eigen::Vector2d(sum / a) : Eigen::Vector2d(origin);
}

void extent(const Points& p, const Eigen::Vector2d& origin, const Eigen::Vector2d& u, double* lo,
            double* hi) {
  *lo = std::numeric_limits<double>::infinity();
  *hi = -*lo;
  for (Eigen::Index i = 0; i < p.xy.rows(); ++i) {
    const double t = (p.xy.row(i).transpose() - origin).dot(u);
    *lo = std::min(*lo, t);
    *hi = std::max(*hi, t);
  }
}

// Points u from the heel to the toes: the metatarsal-head band is wider than the heel band.
Eigen::Vector2d orient_heel_to_toe(const Points& p, Eigen::Vector2d u) {
  const Eigen::Vector2d m = weighted_mean(p);
  double lo, hi;
  extent(p, m, u, &lo, &hi);
  const double len = std::max(hi - lo, 1e-9);
  const double heel = band_area(p, m, u, lo, len, 0.05, 0.25);
  const double fore = band_area(p, m, u, lo, len, 0.60, 0.80);
  return heel > fore ? Eigen::Vector2d(-u) : u;
}

// Contact width across u (extent of sensel centres along r plus a sensel) within [lo, hi]
// fractions of the length from the -u end; 0 when the band is empty.
double band_width(const Points& p, const Eigen::Vector2d& u, double t_min, double length, double lo,
                  double hi, double half_r) {
  const Eigen::Vector2d r = right_of(u);
  double a = std::numeric_limits<double>::infinity(), b = -a;
  for (Eigen::Index i = 0; i < p.xy.rows(); ++i) {
    const Eigen::Vector2d q = p.xy.row(i).transpose();
    const double f = (q.dot(u) - t_min) / length;
    if (f < lo || f > hi) continue;
    a = std::min(a, q.dot(r));
    b = std::max(b, q.dot(r));
  }
  return b >= a ? b - a + 2.0 * half_r : 0.0;
}

// Heel end from the loading sequence: +1 when u already points heel -> toe, -1 when it must be
// reversed, 0 when the sequence does not decide (see FootFrameParams::timing_share).
int heel_end_from_timing(const Points& p, const Eigen::Vector2d& u, const LoadTiming& timing,
                         const FootFrameParams& params) {
  struct Item {
    double time_s, t_mm, area;
  };
  std::vector<Item> first, last;
  double total = 0.0;
  for (Eigen::Index i = 0; i < p.xy.rows(); ++i) {
    const Eigen::Index s = p.index[static_cast<std::size_t>(i)];
    const double t0 = timing.first_loaded_s[s], t1 = timing.last_loaded_s[s];
    if (!std::isfinite(t0) || !std::isfinite(t1)) continue;
    const double t = p.xy.row(i).dot(u);
    first.push_back({t0, t, p.area[i]});
    last.push_back({-t1, t, p.area[i]});  // negated: the latest first after sorting
    total += p.area[i];
  }
  if (first.size() < 2 || !(total > 0)) return 0;
  double t_lo = std::numeric_limits<double>::infinity(), t_hi = -t_lo;
  for (const Item& it : first) {
    t_lo = std::min(t_lo, it.t_mm);
    t_hi = std::max(t_hi, it.t_mm);
  }
  const double length = t_hi - t_lo;
  if (!(length > 0)) return 0;
  // Centroid along u of the earliest `share` of the area by time, ties with the last one taken
  // included; nullopt when that set is more than half of the contact (no sequence to read).
  auto earliest_centroid = [&](std::vector<Item>& items) -> std::optional<double> {
    std::sort(items.begin(), items.end(),
              [](const Item& a, const Item& b) { return a.time_s < b.time_s; });
    double a = 0.0, sum = 0.0;
    for (std::size_t k = 0; k < items.size(); ++k) {
      if (a >= params.timing_share * total && items[k].time_s > items[k - 1].time_s) break;
      a += items[k].area;
      sum += items[k].area * items[k].t_mm;
    }
    if (a > 0.5 * total) return std::nullopt;
    return sum / a;
  };
  const auto heel = earliest_centroid(first);
  const auto toe = earliest_centroid(last);
  if (!heel || !toe) return 0;
  const double separation = (*toe - *heel) / length;
  if (std::abs(separation) < params.timing_min_separation) return 0;
  return separation > 0 ? 1 : -1;
}

}  // namespace

int StandingHeelEndCues::decision() const noexcept {
  int votes = 0, sum = 0;
  for (int v : {load, width, toes})
    if (v != 0) {
      ++votes;
      sum += v;
    }
  if (votes < 2 || std::abs(sum) != votes) return 0;
  return sum > 0 ? 1 : -1;
}

std::string StandingHeelEndCues::describe() const {
  auto pct = [](double v) { return std::to_string(static_cast<int>(std::lround(100.0 * v))) + " %"; };
  auto fix2 = [](double v) {
    const long c = std::lround(100.0 * v);
    return std::to_string(c / 100) + "." + (c % 100 < 10 ? "0" : "") + std::to_string(c % 100);
  };
  auto vote = [](int v) { return v == 0 ? "undecided" : "decisive"; };
  return "load " + pct(std::max(posterior_load_share, 1.0 - posterior_load_share)) +
         " in the heavier half (" + vote(load) + "), heel/ball width " +
         fix2(std::min(width_ratio_minus, width_ratio_plus)) + " vs " +
         fix2(std::max(width_ratio_minus, width_ratio_plus)) + " (" + vote(width) +
         "), toe islands " + pct(std::max(island_share_minus, island_share_plus)) + " vs " +
         pct(std::min(island_share_minus, island_share_plus)) + " (" + vote(toes) + ")";
}

StandingHeelEndCues standing_heel_end(const SensorLayout& layout, const Eigen::VectorXf& peak_kpa,
                                      const std::vector<Eigen::Index>& contact,
                                      const Eigen::Vector2d& u, const FootFrameParams& params) {
  StandingHeelEndCues c;
  if (contact.empty() || peak_kpa.size() != layout.sensor_count() || !layout.is_grid()) return c;
  const Points p = gather(layout, contact);
  double lo, hi;
  extent(p, Eigen::Vector2d::Zero(), u, &lo, &hi);
  const double len = hi - lo;
  if (!(len > 0)) return c;

  // Load: pressure x area of the peak footprint in each half along the axis. In quiet standing
  // the per-sensel peak differs from the mean only by the sway, so its halves follow the load.
  double minus = 0.0, plus = 0.0;
  for (Eigen::Index i = 0; i < p.xy.rows(); ++i) {
    const float v = peak_kpa[contact[static_cast<std::size_t>(i)]];
    if (!std::isfinite(v) || v <= 0.0f) continue;
    const double f = (p.xy.row(i).dot(u) - lo) / len;
    (f < 0.5 ? minus : plus) += double(v) * p.area[i];
  }
  if (minus + plus > 0) {
    c.posterior_load_share = minus / (minus + plus);
    if (c.posterior_load_share >= 0.5 + params.standing_load_margin) c.load = 1;
    else if (c.posterior_load_share <= 0.5 - params.standing_load_margin) c.load = -1;
  }

  // Width: heel band 0-25 % against the ball band 55-85 % of the length, for each hypothesis.
  const double half_r = sensel_half_extent(layout, right_of(u));
  const double heel_m = band_width(p, u, lo, len, 0.0, 0.25, half_r);
  const double ball_m = band_width(p, u, lo, len, 0.55, 0.85, half_r);
  const double heel_p = band_width(p, u, lo, len, 0.75, 1.0, half_r);
  const double ball_p = band_width(p, u, lo, len, 0.15, 0.45, half_r);
  if (ball_m > 0 && ball_p > 0 && heel_m > 0 && heel_p > 0) {
    c.width_ratio_minus = heel_m / ball_m;
    c.width_ratio_plus = heel_p / ball_p;
    if (c.width_ratio_plus >= params.standing_width_factor * c.width_ratio_minus) c.width = 1;
    else if (c.width_ratio_minus >= params.standing_width_factor * c.width_ratio_plus) c.width = -1;
  }

  // Toes: small 8-connected islands of the contact near one end.
  const int cols = layout.cols();
  std::vector<int> label(static_cast<std::size_t>(layout.sensor_count()), -2);  // -2 = not contact
  for (Eigen::Index s : contact) label[static_cast<std::size_t>(s)] = -1;
  const double total_area = p.area.sum();
  std::vector<Eigen::Index> stack, comp;
  for (std::size_t k = 0; k < contact.size(); ++k) {
    if (label[static_cast<std::size_t>(contact[k])] != -1) continue;
    comp.clear();
    stack.assign(1, contact[k]);
    label[static_cast<std::size_t>(contact[k])] = static_cast<int>(k);
    while (!stack.empty()) {
      const Eigen::Index s = stack.back();
      stack.pop_back();
      comp.push_back(s);
      const int r = static_cast<int>(s / cols), cc = static_cast<int>(s % cols);
      for (int dr = -1; dr <= 1; ++dr)
        for (int dc = -1; dc <= 1; ++dc) {
          const int rr = r + dr, c2 = cc + dc;
          if (rr < 0 || c2 < 0 || rr >= layout.rows() || c2 >= cols) continue;
          const auto q = static_cast<std::size_t>(layout.index(rr, c2));
          if (label[q] != -1) continue;
          label[q] = static_cast<int>(k);
          stack.push_back(static_cast<Eigen::Index>(q));
        }
    }
    double a = 0.0, t = 0.0;
    for (Eigen::Index s : comp) {
      a += layout.areas_mm2()[s];
      t += layout.areas_mm2()[s] * layout.centres_mm().row(s).dot(u);
    }
    if (!(a < params.toe_island_max_share * total_area)) continue;
    const double f = (t / a - lo) / len;
    if (f <= 0.3) c.island_share_minus += a / total_area;
    if (f >= 0.7) c.island_share_plus += a / total_area;
  }
  // The toes are at the +u end when the islands lie there: the heel is then at -u (+1).
  if (c.island_share_plus >= params.toe_island_min_share &&
      c.island_share_plus >= 3.0 * c.island_share_minus)
    c.toes = 1;
  else if (c.island_share_minus >= params.toe_island_min_share &&
           c.island_share_minus >= 3.0 * c.island_share_plus)
    c.toes = -1;
  return c;
}

double axis_angle_deg(const FootFrame& frame) {
  // Counter-clockwise from +y: atan2 of (-x, y).
  return std::atan2(-frame.u.x(), frame.u.y()) * 180.0 / M_PI;
}

SideVote side_from_shape(const SensorLayout& layout, const Eigen::VectorXf& peak_kpa,
                         const std::vector<Eigen::Index>& sensels, const FootFrame& frame,
                         double contact_threshold_kpa) {
  SideVote vote;
  const auto contact = contact_sensels(peak_kpa, sensels, contact_threshold_kpa);
  if (contact.empty() || !(frame.length_mm > 0)) return vote;
  const Eigen::Vector2d r = right_of(frame.u);
  const double len = frame.length_mm;
  double mid_right = 0, mid_left = 0;
  double toe_right = -1e300, toe_left = -1e300;
  for (Eigen::Index s : contact) {
    const Eigen::Vector2d d = layout.centres_mm().row(s).transpose() - frame.heel_mm;
    const double f = d.dot(frame.u) / len;
    const double x = d.dot(r);
    const double a = layout.areas_mm2()[s];
    if (f >= 0.35 && f <= 0.60) (x > 0 ? mid_right : mid_left) += a;
    if (f >= 0.70) {
      if (x > 0) toe_right = std::max(toe_right, f);
      else toe_left = std::max(toe_left, f);
    }
  }
  if (mid_right + mid_left > 0) vote.midfoot = (mid_right - mid_left) / (mid_right + mid_left);
  if (toe_right > -1e299 && toe_left > -1e299)
    vote.toes = std::clamp((toe_left - toe_right) / 0.05, -1.0, 1.0);
  vote.score = std::clamp(0.7 * std::clamp(2.0 * vote.midfoot, -1.0, 1.0) + 0.3 * vote.toes,
                          -1.0, 1.0);
  return vote;
}

Result<FootFrame> foot_frame(const SensorLayout& layout, const Eigen::VectorXf& peak_kpa,
                             const std::vector<Eigen::Index>& sensels, Side side,
                             const FootFrameParams& params, const LoadTiming* timing) {
  if (peak_kpa.size() != layout.sensor_count())
    return make_error(Errc::invalid_argument,
                      "peak footprint has " + std::to_string(peak_kpa.size()) +
                          " values for a layout of " + std::to_string(layout.sensor_count()));
  if (!layout.has_geometry())
    return make_error(Errc::unsupported, "sensor positions are unknown: no foot frame");
  const auto contact = contact_sensels(peak_kpa, sensels, params.contact_threshold_kpa);
  const Points p = gather(layout, contact);

  if (!layout.is_grid()) {
    // A sensor set is already in the foot's frame (x to the subject's right, y heel -> toe).
    if (layout.sensor_count() < 2) return make_error(Errc::no_data, "too few sensors for a frame");
    FootFrame f;
    const auto& xy = layout.centres_mm();
    f.u = Eigen::Vector2d::UnitY();
    f.heel_mm = {xy.col(0).mean(), xy.col(1).minCoeff()};
    f.length_mm = xy.col(1).maxCoeff() - xy.col(1).minCoeff();
    f.width_mm = xy.col(0).maxCoeff() - xy.col(0).minCoeff();
    const Eigen::Vector2d r = right_of(f.u);
    f.v = side == Side::left ? r : Eigen::Vector2d(-r);
    f.method = "sensor set: insole frame (sensor extent, not the foot)";
    return f;
  }

  if (static_cast<int>(contact.size()) < params.min_contact_sensels)
    return make_error(Errc::no_data, "footprint has " + std::to_string(contact.size()) +
                                         " contact sensels, fewer than " +
                                         std::to_string(params.min_contact_sensels));

  if (timing && (timing->first_loaded_s.size() != layout.sensor_count() ||
                 timing->last_loaded_s.size() != layout.sensor_count()))
    return make_error(Errc::invalid_argument, "loading sequence has " +
                                                  std::to_string(timing->first_loaded_s.size()) + "/" +
                                                  std::to_string(timing->last_loaded_s.size()) +
                                                  " values for a layout of " +
                                                  std::to_string(layout.sensor_count()));

  // The heel end: from the loading sequence when it decides, else from the standing cues or,
  // for a walking footprint, from the shape.
  std::string heel_end;
  bool heel_known = true;
  std::string heel_reason;
  auto orient = [&](const Eigen::Vector2d& axis) -> Eigen::Vector2d {
    heel_known = true;
    if (timing) {
      if (const int sign = heel_end_from_timing(p, axis, *timing, params); sign != 0) {
        heel_end = "; heel end from the loading sequence";
        heel_reason = "loading sequence";
        return sign > 0 ? axis : Eigen::Vector2d(-axis);
      }
    }
    const std::string why = timing ? " (loading sequence not decisive)" : "";
    if (params.standing) {
      const StandingHeelEndCues cues = standing_heel_end(layout, peak_kpa, contact, axis, params);
      heel_reason = cues.describe();
      if (const int sign = cues.decision(); sign != 0) {
        heel_end = "; heel end from the standing cues" + why;
        return sign > 0 ? axis : Eigen::Vector2d(-axis);
      }
      heel_known = false;
      heel_end = "; heel end UNDECIDED: standing cues disagree or are too weak" + why;
      // Any direction will do for the axis line; the width rule keeps it reproducible.
      return orient_heel_to_toe(p, axis);
    }
    heel_end = "; heel end from shape" + why;
    heel_reason = "shape (metatarsal band wider than heel band)";
    return orient_heel_to_toe(p, axis);
  };

  Eigen::Vector2d u = Eigen::Vector2d::UnitY();
  Eigen::Vector2d through = weighted_mean(p);  // a point on the axis
  std::string method;
  switch (params.method) {
    case AxisMethod::pca:
      u = orient(principal_axis(p));
      method = "pca";
      break;
    case AxisMethod::min_bbox:
      u = orient(min_bbox_axis(layout, p));
      method = "min_bbox";
      break;
    case AxisMethod::pca_refined: {
      // Heel centre -> forefoot centre, starting from an oriented axis.
      auto refine = [&](Eigen::Vector2d axis) {
        for (int it = 0; it < params.refine_iterations; ++it) {
          double lo, hi;
          extent(p, through, axis, &lo, &hi);
          const double len = std::max(hi - lo, 1e-9);
          bool ok_h = false, ok_f = false;
          const Eigen::Vector2d heel =
              band_centroid(p, through, axis, lo, len, 0.0, params.heel_band, &ok_h);
          const Eigen::Vector2d fore = band_centroid(p, through, axis, lo, len, params.forefoot_band_from,
                                                     params.forefoot_band_to, &ok_f);
          if (!ok_h || !ok_f || (fore - heel).norm() < 1e-6) break;
          const Eigen::Vector2d nu = (fore - heel).normalized();
          through = heel;
          const bool converged = nu.dot(axis) > std::cos(1e-4);
          axis = nu;
          if (converged) break;
        }
        return axis;
      };
      u = refine(orient(principal_axis(p)));
      method = "pca+heel-forefoot refinement";
      if (params.standing) {
        // The standing cues read bands along the axis: ask them again on the refined axis, and
        // refine from the other end when they now point the other way.
        const Eigen::Vector2d again = orient(u);
        if (again.dot(u) < 0) {
          through = weighted_mean(p);
          u = refine(again);
          u = orient(u);
        }
      }
      break;
    }
  }

  FootFrame f;
  f.u = u;
  f.method = method + heel_end;
  f.heel_end_known = heel_known;
  f.heel_end_reason = heel_reason;
  // Extents: a sensel reaches half a pitch beyond its centre (sensel_ap_span).
  const double half_u = sensel_half_extent(layout, u);
  const Eigen::Vector2d r = right_of(u);
  const double half_r = sensel_half_extent(layout, r);
  double lo, hi, rlo, rhi;
  extent(p, through, u, &lo, &hi);
  extent(p, through, r, &rlo, &rhi);
  f.heel_mm = through + (lo - half_u) * u;
  f.length_mm = hi - lo + 2 * half_u;
  f.width_mm = rhi - rlo + 2 * half_r;

  Side use = side;
  if (use != Side::left && use != Side::right) {
    const SideVote vote = side_from_shape(layout, peak_kpa, contact, f, params.contact_threshold_kpa);
    use = vote.score >= 0 ? Side::right : Side::left;
    f.method += "; medial side estimated from shape (" + std::string(to_string(use)) + ")";
  }
  // Right foot: the medial side is to the subject's left of u; left foot: to the right.
  f.v = use == Side::left ? r : Eigen::Vector2d(-r);
  return f;
}

}  // namespace insole::analysis
