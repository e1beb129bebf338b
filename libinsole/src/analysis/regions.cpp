#include "insole/analysis/regions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <stdexcept>

#include "insole/analysis/footprint.hpp"

namespace insole::analysis {

const Region* RegionMasks::find(std::string_view name) const noexcept {
  for (const auto& r : regions)
    if (r.name == name) return &r;
  return nullptr;
}

const Region& RegionMasks::at(std::string_view name) const {
  if (const Region* r = find(name)) return *r;
  throw std::out_of_range("no region named " + std::string(name));
}

namespace {

// Least-pressure path across the aligned footprint between forefoot and toes; returns the ap of the
// path per ml column (NaN when the band is empty) and whether toes were found in front of it.
struct ToeLine {
  std::vector<double> ap_mm;  // per raster column
  bool found = false;
};

ToeLine find_toe_line(const AlignedFootprint& fp, double length_mm, const RegionParams& prm) {
  const Eigen::Index rows = fp.pressure_kpa.rows(), cols = fp.pressure_kpa.cols();
  ToeLine out;
  out.ap_mm.assign(static_cast<std::size_t>(cols), std::numeric_limits<double>::quiet_NaN());
  auto row_of = [&](double ap) {
    return static_cast<Eigen::Index>(std::floor((ap - fp.ap0_mm) / fp.cell_mm));
  };
  const Eigen::Index i0 = std::clamp<Eigen::Index>(row_of(prm.toe_band_from * length_mm), 0, rows - 1);
  const Eigen::Index i1 = std::clamp<Eigen::Index>(row_of(prm.toe_band_to * length_mm), 0, rows - 1);
  if (i1 <= i0 || cols == 0) return out;
  const Eigen::Index n = i1 - i0 + 1;

  // Cost of crossing each cell: its peak pressure in contact; 0 in a gap with contact in front of
  // it in the same column; in front of a column's last contact, half the median band pressure
  // (cheaper than crossing loaded metatarsal heads, dearer than a real gap between toes and
  // forefoot).
  std::vector<float> band;
  std::vector<Eigen::Index> last(static_cast<std::size_t>(cols), -1);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i)
      if (fp.sensel(i, j) >= 0) last[static_cast<std::size_t>(j)] = i;
    for (Eigen::Index i = i0; i <= i1; ++i)
      if (fp.sensel(i, j) >= 0) band.push_back(fp.pressure_kpa(i, j));
  }
  if (band.empty()) return out;
  std::nth_element(band.begin(), band.begin() + band.size() / 2, band.end());
  const double beyond = 0.5 * band[band.size() / 2];
  Eigen::MatrixXd cost(n, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index k = 0; k < n; ++k) {
      const Eigen::Index i = i0 + k;
      if (fp.sensel(i, j) >= 0) cost(k, j) = fp.pressure_kpa(i, j);
      else if (last[static_cast<std::size_t>(j)] < 0) cost(k, j) = 0.0;
      else if (i < last[static_cast<std::size_t>(j)]) cost(k, j) = 0.0;
      else cost(k, j) = beyond;
    }
  // Dynamic programming, at most two cells of ap per 1-cell column step.
  const int step = 2;
  Eigen::MatrixXd acc(n, cols);
  Eigen::MatrixXi from(n, cols);
  acc.col(0) = cost.col(0);
  for (Eigen::Index j = 1; j < cols; ++j)
    for (Eigen::Index k = 0; k < n; ++k) {
      double best = std::numeric_limits<double>::infinity();
      int arg = 0;
      for (int d = -step; d <= step; ++d) {
        const Eigen::Index q = k + d;
        if (q < 0 || q >= n) continue;
        // Ties prefer the straight step, then the posterior one (deterministic path).
        const double v = acc(q, j - 1) + 1e-9 * std::abs(d);
        if (v < best) {
          best = v;
          arg = static_cast<int>(q);
        }
      }
      acc(k, j) = best + cost(k, j);
      from(k, j) = arg;
    }
  Eigen::Index k;
  acc.col(cols - 1).minCoeff(&k);
  std::vector<Eigen::Index> path(static_cast<std::size_t>(cols));
  for (Eigen::Index j = cols - 1; j >= 0; --j) {
    path[static_cast<std::size_t>(j)] = i0 + k;
    out.ap_mm[static_cast<std::size_t>(j)] = fp.ap_of_row(i0 + k);
    if (j > 0) k = from(k, j);
  }
  // A toe line must run through a valley: the pressure on the path is well below that of the
  // toes in front of it and of the forefoot behind it (a uniform print has no toe line).
  // Only columns with contact in front of the path (toe columns) are compared.
  double on_path = 0.0, in_front = 0.0, behind = 0.0;
  Eigen::Index n_front = 0, n_behind = 0, n_path = 0;
  for (Eigen::Index j = 0; j < cols; ++j) {
    const Eigen::Index pi = path[static_cast<std::size_t>(j)];
    if (last[static_cast<std::size_t>(j)] <= pi) continue;
    on_path += fp.sensel(pi, j) >= 0 ? fp.pressure_kpa(pi, j) : 0.0;
    ++n_path;
    for (Eigen::Index i = i0; i < rows; ++i) {
      if (fp.sensel(i, j) < 0 || i == pi) continue;
      if (i > pi) {
        in_front += fp.pressure_kpa(i, j);
        ++n_front;
      } else {
        behind += fp.pressure_kpa(i, j);
        ++n_behind;
      }
    }
  }
  if (n_front > 0 && n_behind > 0 && n_path > 0) {
    on_path /= double(n_path);
    const double sides = std::min(in_front / double(n_front), behind / double(n_behind));
    out.found = on_path < prm.toe_valley_ratio * sides;
  }
  return out;
}

Eigen::Vector2d centre_in_foot(const SensorLayout& layout, Eigen::Index s, const FootFrame& f) {
  return f.to_foot(layout.centres_mm().row(s).transpose());
}

double cross2(const Eigen::Vector2d& a, const Eigen::Vector2d& b) { return a.x() * b.y() - a.y() * b.x(); }

// Most medial (sign +1) or lateral (-1) contact whose centre lies in [from, to) of foot length, as
// (ml of the sensel's outer edge, ap of the centre); ties take the middle of the tied centres' ap.
// nullopt when the band has no contact.
std::optional<Eigen::Vector2d> edge_point(const SensorLayout& layout, const std::vector<Eigen::Index>& contact,
                                          const std::vector<char>& is_toe, const FootFrame& frame, double from,
                                          double to, double sign) {
  double best = -std::numeric_limits<double>::infinity();
  double ap_lo = 0.0, ap_hi = 0.0;
  constexpr double kTie = 1e-6;
  for (std::size_t k = 0; k < contact.size(); ++k) {
    if (is_toe[k]) continue;
    const Eigen::Vector2d q = centre_in_foot(layout, contact[k], frame);
    if (q.y() < from * frame.length_mm || q.y() >= to * frame.length_mm) continue;
    double ml = q.x();
    if (layout.is_grid()) {
      const Eigen::Vector2d span = sensel_ml_span(layout, contact[k], frame);
      ml = sign > 0 ? span[1] : span[0];
    }
    const double score = sign * ml;
    if (score > best + kTie) {
      best = score;
      ap_lo = ap_hi = q.y();
    } else if (score > best - kTie) {
      ap_lo = std::min(ap_lo, q.y());
      ap_hi = std::max(ap_hi, q.y());
    }
  }
  if (!std::isfinite(best)) return std::nullopt;
  return Eigen::Vector2d(sign * best, 0.5 * (ap_lo + ap_hi));
}

// Ray fraction of point q between the medial edge line (0) and the lateral one (1): the angle of q
// seen from the lines' intersection, over the angle between the lines; for parallel lines (the
// limit of the construction) the distance from the medial line over the lines' distance.
double ray_fraction(const std::array<Eigen::Vector2d, 4>& e, const Eigen::Vector2d& q) {
  const Eigen::Vector2d dm = e[1] - e[0], dl = e[3] - e[2];
  const double alpha = std::atan2(cross2(dm, dl), dm.dot(dl));
  if (std::abs(alpha) < 1e-6) {
    const Eigen::Vector2d n = Eigen::Vector2d(dm.y(), -dm.x()).normalized();
    const double width = n.dot(e[2] - e[0]);
    return width != 0.0 ? n.dot(q - e[0]) / width : 0.0;
  }
  // Intersection o = e0 + t dm with cross(o - e2, dl) = 0.
  const double t = cross2(e[2] - e[0], dl) / cross2(dm, dl);
  const Eigen::Vector2d o = e[0] + t * dm;
  Eigen::Vector2d w = q - o;
  if (w.dot(dm) < 0.0) w = -w;  // lines meeting in front of the foot: measure along the same half-lines
  return std::atan2(cross2(dm, w), dm.dot(w)) / alpha;
}

}  // namespace

Result<RegionMasks> make_regions(const SensorLayout& layout, const Eigen::VectorXf& peak_kpa,
                                 const std::vector<Eigen::Index>& sensels, const FootFrame& frame,
                                 const RegionParams& params) {
  if (peak_kpa.size() != layout.sensor_count())
    return make_error(Errc::invalid_argument,
                      "peak footprint has " + std::to_string(peak_kpa.size()) +
                          " values for a layout of " + std::to_string(layout.sensor_count()));
  if (!layout.has_geometry())
    return make_error(Errc::unsupported, "sensor positions are unknown: no regions");
  const auto contact = contact_sensels(peak_kpa, sensels, params.contact_threshold_kpa);
  if (contact.empty()) return make_error(Errc::no_data, "footprint has no contact sensels");
  const double len = frame.length_mm;

  RegionMasks m;
  std::vector<char> is_toe(contact.size(), 0);
  if (layout.is_grid()) {
    auto fp = align_footprint(layout, peak_kpa, contact, frame, params.cell_mm);
    if (!fp) return fp.error();
    ToeLine tl = find_toe_line(*fp, len, params);
    double toe_area = 0, all_area = 0;
    for (std::size_t k = 0; k < contact.size(); ++k) {
      const Eigen::Vector2d q = centre_in_foot(layout, contact[k], frame);
      const auto j = std::clamp<Eigen::Index>(
          static_cast<Eigen::Index>(std::floor((q.x() - fp->ml0_mm) / fp->cell_mm)), 0,
          static_cast<Eigen::Index>(tl.ap_mm.size()) - 1);
      const double a = layout.areas_mm2()[contact[k]];
      all_area += a;
      if (!tl.ap_mm.empty() && std::isfinite(tl.ap_mm[static_cast<std::size_t>(j)]) &&
          q.y() > tl.ap_mm[static_cast<std::size_t>(j)]) {
        is_toe[k] = 1;
        toe_area += a;
      }
    }
    m.toes_found =
        tl.found && all_area > 0 && toe_area >= params.min_toe_area_fraction * all_area;
    if (!m.toes_found) std::fill(is_toe.begin(), is_toe.end(), 0);
    else
      for (std::size_t j = 0; j < tl.ap_mm.size(); ++j)
        if (std::isfinite(tl.ap_mm[j]))
          m.toe_line_foot_mm.emplace_back(fp->ml_of_col(static_cast<Eigen::Index>(j)), tl.ap_mm[j]);
    m.scheme =
        "toe line: least-pressure path (pressuRe automask_novel idea [C]); hindfoot/midfoot/"
        "forefoot: thirds of the toe-less length (Cavanagh & Rodgers 1987); mth1-5: forefoot width "
        "rays at 0.30/0.47/0.64/0.81 of the angle between the medial and lateral edge lines "
        "(pressuRe automask_novel [C]); hallux: medial 35 % of toe width (pressuRe pedar_mask2 [C])";
  } else {
    // Sensor sets have no footprint image: the distal 15 % of the insole are the toes
    // (pressuRe pedar_mask2 [C], after JFAR 2014;7:18).
    for (std::size_t k = 0; k < contact.size(); ++k)
      is_toe[k] = centre_in_foot(layout, contact[k], frame).y() > 0.85 * len ? 1 : 0;
    m.toes_found = std::any_of(is_toe.begin(), is_toe.end(), [](char c) { return c != 0; });
    m.scheme =
        "sensor set: toes = distal 15 % of the sensor extent (pressuRe pedar_mask2 [C]); "
        "hindfoot/midfoot/forefoot: thirds of the rest; mth1-5: rays at 0.30/0.47/0.64/0.81 "
        "of the angle between the edge lines (pressuRe automask_novel [C]); hallux: medial 35 % "
        "of toe width";
  }

  // Toe-less extent along the axis (sensel spans for grids, centres for sensor sets).
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::size_t k = 0; k < contact.size(); ++k) {
    if (is_toe[k]) continue;
    Eigen::Vector2d r;
    if (layout.is_grid()) r = sensel_ap_span(layout, contact[k], frame);
    else r = Eigen::Vector2d::Constant(centre_in_foot(layout, contact[k], frame).y());
    lo = std::min(lo, r[0]);
    hi = std::max(hi, r[1]);
  }
  if (!(hi >= lo)) return make_error(Errc::no_data, "footprint has no contact behind the toes");
  m.toeless_ap_min_mm = lo;
  m.toeless_ap_max_mm = hi;
  m.thirds_ap_mm = {lo + (hi - lo) / 3.0, lo + 2.0 * (hi - lo) / 3.0};

  // Medial-lateral extents of the forefoot third and of the toes.
  double ff_med = -1e300, ff_lat = 1e300, toe_med = -1e300, toe_lat = 1e300;
  for (std::size_t k = 0; k < contact.size(); ++k) {
    const Eigen::Vector2d q = centre_in_foot(layout, contact[k], frame);
    Eigen::Vector2d r = Eigen::Vector2d::Constant(q.x());
    if (layout.is_grid()) r = sensel_ml_span(layout, contact[k], frame);
    if (is_toe[k]) {
      toe_med = std::max(toe_med, r[1]);
      toe_lat = std::min(toe_lat, r[0]);
    } else if (q.y() >= m.thirds_ap_mm[1]) {
      ff_med = std::max(ff_med, r[1]);
      ff_lat = std::min(ff_lat, r[0]);
    }
  }

  // Edge lines of the metatarsal-head rays.
  {
    const auto hm = edge_point(layout, contact, is_toe, frame, params.heel_edge_band[0], params.heel_edge_band[1], +1);
    const auto fm = edge_point(layout, contact, is_toe, frame, params.medial_edge_band[0], params.medial_edge_band[1], +1);
    const auto hl = edge_point(layout, contact, is_toe, frame, params.heel_edge_band[0], params.heel_edge_band[1], -1);
    const auto fl = edge_point(layout, contact, is_toe, frame, params.lateral_edge_band[0], params.lateral_edge_band[1], -1);
    if (hm && fm && hl && fl && (*fm - *hm).norm() > 0 && (*fl - *hl).norm() > 0 && hm->x() > hl->x() &&
        fm->x() > fl->x()) {
      m.mth_rays = true;
      m.edge_points_foot_mm = {*hm, *fm, *hl, *fl};
      const Eigen::Vector2d dm = *fm - *hm, dl = *fl - *hl;
      // The medial line is rotated towards the lateral one: positive when they open towards the toes.
      m.mth_alpha_deg = std::atan2(cross2(dm, dl), dm.dot(dl)) * 180.0 / std::numbers::pi;
    } else {
      m.scheme += "; edge lines not found (a band without contact): mth1-5 cut at the same fractions "
                  "of the forefoot width";
    }
  }

  std::vector<Region> regs;
  auto add = [&](std::string_view name) {
    regs.push_back(Region{std::string(name), {}, 0.0});
  };
  add(region::whole_foot);
  add(region::toeless);
  add(region::hindfoot);
  add(region::midfoot);
  add(region::forefoot);
  add(region::toes);
  add(region::hallux);
  add(region::lesser_toes);
  add(region::medial);
  add(region::lateral);
  for (auto n : region::mth) add(n);
  auto put = [&](std::size_t r, Eigen::Index s) {
    regs[r].sensels.push_back(s);
    regs[r].area_mm2 += layout.areas_mm2()[s];
  };
  for (std::size_t k = 0; k < contact.size(); ++k) {
    const Eigen::Index s = contact[k];
    const Eigen::Vector2d q = centre_in_foot(layout, s, frame);
    put(0, s);
    put(q.x() > 0 ? 8 : 9, s);
    if (is_toe[k]) {
      put(5, s);
      const double f = toe_med > toe_lat ? (toe_med - q.x()) / (toe_med - toe_lat) : 0.0;
      put(f <= params.hallux_width_fraction ? 6 : 7, s);
      continue;
    }
    put(1, s);
    if (q.y() < m.thirds_ap_mm[0]) {
      put(2, s);
    } else if (q.y() < m.thirds_ap_mm[1]) {
      put(3, s);
    } else {
      put(4, s);
      const double f = m.mth_rays ? ray_fraction(m.edge_points_foot_mm, q)
                       : ff_med > ff_lat ? (ff_med - q.x()) / (ff_med - ff_lat)
                                         : 0.0;
      std::size_t ray = 0;
      while (ray < params.mth_cuts.size() && f > params.mth_cuts[ray]) ++ray;
      put(10 + ray, s);
    }
  }
  m.regions = std::move(regs);
  return m;
}

std::vector<RegionMetrics> region_metrics(const FrameView& stream, const Footfall& ff,
                                          const RegionMasks& masks,
                                          const RegionMetricsParams& params) {
  if (ff.first_frame < 0 || ff.last_frame < ff.first_frame || ff.last_frame >= stream.frame_count())
    throw std::out_of_range("footfall frames outside the stream");
  RegionMetricsAccumulator acc(masks, stream.info().layout.areas_mm2(), params);
  for (Eigen::Index f = ff.first_frame; f <= ff.last_frame; ++f) acc.add(stream, f);
  return acc.finish(frame_interval_s(stream, ff.last_frame));
}

double frame_interval_s(const FrameView& frames, Eigen::Index f) {
  if (f + 1 < frames.frame_count()) return frames.time(f + 1) - frames.time(f);
  if (f > 0) return frames.time(f) - frames.time(f - 1);
  return frames.info().sample_rate_hz > 0 ? 1.0 / frames.info().sample_rate_hz : 0.0;
}

RegionMetricsAccumulator::RegionMetricsAccumulator(const RegionMasks& masks, const Eigen::VectorXd& areas_mm2,
                                                   const RegionMetricsParams& params)
    : thr_(static_cast<float>(params.active_threshold_kpa)) {
  for (const Region& reg : masks.regions) {
    sensels_.push_back(reg.sensels);
    areas_.emplace_back();
    areas_.back().reserve(reg.sensels.size());
    for (Eigen::Index s : reg.sensels) areas_.back().push_back(areas_mm2[s]);
    state_.emplace_back();
    state_.back().m.region = reg.name;
  }
}

void RegionMetricsAccumulator::add(const FrameView& frames, Eigen::Index f) {
  const double t = frames.time(f);
  for (std::size_t r = 0; r < sensels_.size(); ++r) {
    State& st = state_[r];
    RegionMetrics& m = st.m;
    double force = 0.0, area = 0.0;
    float pmax = 0.0f;
    const std::vector<Eigen::Index>& sensels = sensels_[r];
    const std::vector<double>& areas = areas_[r];
    for (std::size_t i = 0; i < sensels.size(); ++i) {
      const float p = frames.at(f, sensels[i]);
      if (!(p > 0.0f)) continue;  // also skips NaN (absent sensels)
      force += double(p) * areas[i];
      pmax = std::max(pmax, p);
      if (p > thr_) area += areas[i];
    }
    force *= 1e-3;  // kPa * mm^2 = 1e-3 N
    if (frames_ == 0) m.time_of_peak_s = t;
    if (pmax > m.peak_pressure_kpa) {
      m.peak_pressure_kpa = pmax;
      m.time_of_peak_s = t;
    }
    st.max_force = std::max(st.max_force, force);
    m.contact_area_mm2 = std::max(m.contact_area_mm2, area);
    if (area > 0) ++st.loaded_frames;
    // The previous frame's interval (to this frame) is known now.
    if (frames_ > 0) {
      m.pti_novel_kpa_s += double(st.last_pmax) * (t - last_t_);
      m.fti_n_s += 0.5 * (force + st.prev_force) * (t - last_t_);
    }
    st.prev_force = force;
    st.last_pmax = pmax;
  }
  if (frames_ == 0) first_t_ = t;
  else last_step_ = t - last_t_;
  last_t_ = t;
  ++frames_;
}

std::vector<RegionMetrics> RegionMetricsAccumulator::finish(double last_interval_s) const {
  const double duration = last_t_ - first_t_;
  std::vector<RegionMetrics> out;
  out.reserve(state_.size());
  for (const State& st : state_) {
    RegionMetrics m = st.m;
    if (frames_ > 0) m.pti_novel_kpa_s += double(st.last_pmax) * last_interval_s;
    m.max_force_n = st.max_force;
    if (m.contact_area_mm2 > 0) {
      m.mean_pressure_kpa = st.max_force / m.contact_area_mm2 * 1e3;
      m.pti_melai_kpa_s = m.fti_n_s / m.contact_area_mm2 * 1e3;
    }
    m.contact_time_percent = frames_ > 0 ? 100.0 * double(st.loaded_frames) / double(frames_) : 0.0;
    m.time_of_peak_percent = duration > 0 ? 100.0 * (m.time_of_peak_s - first_t_) / duration : 0.0;
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace insole::analysis
