#include "insole/sim/foot_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace insole::sim {

namespace {

// Reference foot length for the shape constants below (mm); everything scales with length.
constexpr double kRefLengthMm = 260.0;
// Core shape (contact at light load) relative to the full region.
constexpr double kCoreScale = 0.6;
// Lateral midfoot band width at arch height h: w = kBandWidthMaxMm * (1 - h)^kBandExponent
// (at 260 mm). Calibrated so that the model's arch index is ~0.30 (flat, h = 0.15), ~0.235
// (normal, h = 0.5) and ~0.11 (cavus, h = 0.85): Buldt et al. 2018 (JFAR 11:3) report AI
// 0.30 / 0.22 / 0.16 for planus / normal / cavus; Cavanagh & Rodgers' quartile cut-offs are
// 0.21 / 0.26 (metrics.md §1).
constexpr double kBandWidthMaxMm = 60.6;
constexpr double kBandExponent = 0.713;
constexpr double kBandWidthNormalMm = 37.0;  // the band width at h = 0.5 (load reference)

enum RegionIndex : std::size_t {
  kHeel = 0, kMidfoot, kForefoot, kMth1, kMth2, kMth3, kMth4, kMth5, kHallux,
  kToe2, kToe3, kToe4, kToe5, kRegionCount
};

double smoothstep(double a, double b, double x) {
  if (x <= a) return 0.0;
  if (x >= b) return 1.0;
  const double t = (x - a) / (b - a);
  return t * t * (3.0 - 2.0 * t);
}

// Area of the unit-distance super-ellipse |u/a|^m + |v/b|^m < 1.
double superellipse_area(double a, double b, double m) {
  const double g1 = std::tgamma(1.0 + 1.0 / m);
  return 4.0 * a * b * g1 * g1 / std::tgamma(1.0 + 2.0 / m);
}

// Squared super-elliptic distance of (u, v) in region axes; m is 2 or 4 (checked at build).
inline double distance_sq(double u, double v, double a, double b, double m) {
  const double x = u / a, y = v / b;
  if (m == 2.0) return x * x + y * y;
  const double x2 = x * x, y2 = y * y;
  return std::sqrt(x2 * x2 + y2 * y2);  // (x^4 + y^4)^(2/4)
}

inline double profile(double d2, double k) {
  if (d2 >= 1.0) return 0.0;
  const double q = 1.0 - d2;
  if (k == 1.0) return q;
  if (k == 2.0) return q * q;
  return std::pow(q, k);
}

Region make_region(const char* name, double cx, double cy, double a, double b, double angle_deg,
                   double m, double k, double scale) {
  Region r;
  r.name = name;
  r.centre_mm = Eigen::Vector2d(cx, cy) * scale;
  r.semi_ml_mm = a * scale;
  r.semi_ap_mm = b * scale;
  r.angle_deg = angle_deg;
  r.shape_m = m;
  r.profile_k = k;
  return r;
}

}  // namespace

Result<ArchType> parse_arch_type(const std::string& text) {
  if (text == "flat") return ArchType::flat;
  if (text == "normal") return ArchType::normal;
  if (text == "cavus") return ArchType::cavus;
  return make_error(Errc::invalid_argument,
                    "unknown foot type '" + text + "' (expected flat, normal or cavus)");
}

std::string to_string(ArchType arch) {
  switch (arch) {
    case ArchType::flat: return "flat";
    case ArchType::normal: return "normal";
    case ArchType::cavus: return "cavus";
  }
  return "normal";
}

double effective_arch_height(const FootParams& foot) {
  if (foot.arch_height >= 0) return std::min(foot.arch_height, 1.0);
  switch (foot.arch) {
    case ArchType::flat: return 0.15;
    case ArchType::normal: return 0.5;
    case ArchType::cavus: return 0.85;
  }
  return 0.5;
}

double force_curve_bw(const ForceCurveParams& c, double s) {
  if (!(s > 0.0) || !(s < 1.0)) return 0.0;
  // Cubic Hermite through (0,0), (peak1), (valley), (peak2), (1,0) with zero slope at the
  // extrema: smooth and monotone between them. End slopes 1.5x the secant give the steep
  // loading and unloading of walking.
  const double xs[5] = {0.0, c.peak1_at, c.valley_at, c.peak2_at, 1.0};
  const double ys[5] = {0.0, c.peak1_bw, c.valley_bw, c.peak2_bw, 0.0};
  const double ms[5] = {1.5 * c.peak1_bw / c.peak1_at, 0.0, 0.0, 0.0,
                        -1.5 * c.peak2_bw / (1.0 - c.peak2_at)};
  int i = 0;
  while (i < 3 && s > xs[i + 1]) ++i;
  const double h = xs[i + 1] - xs[i];
  const double t = (s - xs[i]) / h;
  const double t2 = t * t, t3 = t2 * t;
  return (2 * t3 - 3 * t2 + 1) * ys[i] + (t3 - 2 * t2 + t) * h * ms[i] +
         (-2 * t3 + 3 * t2) * ys[i + 1] + (t3 - t2) * h * ms[i + 1];
}

StanceEvents stance_events(const FootParams& foot) {
  StanceEvents e;  // walking norms, metrics.md §5.4
  if (foot.equinus || foot.toe_walking) {
    // Limited dorsiflexion: near-simultaneous heel and forefoot contact, heel-off before
    // mid-stance (metrics.md §6: short heel contact, prolonged forefoot loading).
    e.ffc = 0.02;
    e.fff = 0.05;
    e.ho = 0.33;
  }
  return e;
}

FootModel::FootModel(const FootParams& params, Side side, const ForceCurveParams& curve)
    : params_(params), side_(side == Side::left ? Side::left : Side::right), curve_(curve) {
  if (!(params.length_mm > 0) || !std::isfinite(params.length_mm))
    throw std::invalid_argument("foot length must be positive and finite");
  if (!(params.pronation >= -1.0 && params.pronation <= 1.0))
    throw std::invalid_argument("pronation must be within [-1, 1]");
  arch_height_ = effective_arch_height(params);
  events_ = stance_events(params);
  const double k = params.length_mm / kRefLengthMm;
  midfoot_width_mm_ = kBandWidthMaxMm * std::pow(std::max(0.0, 1.0 - arch_height_), kBandExponent) * k;
  if (midfoot_width_mm_ < 0.5) midfoot_width_mm_ = 0.0;

  // Right-foot shape at 260 mm (x lateral), from typical barefoot footprints: heel pad ~60 mm wide
  // and ~35 cm^2 (Putti 2008 heel CA 35 cm^2), metatarsal heads on a parabola with MTH2 most
  // distal at ~74 % of foot length, ball width ~95 mm, hallux medial to the axis (heel centre ->
  // 2nd toe), a sulcus gap between toes and heads and a gap between hallux and 2nd toe.
  const double p = params.pronation;
  regions_.resize(kRegionCount);
  regions_[kHeel] = make_region("heel", -3.0 * p, 37, 30, 37, 0, 2, 1.8, k);
  {
    // Lateral band from behind the heel's widest part to the 5th metatarsal head, along the
    // lateral border; its medial edge moves laterally as the arch rises.
    const Eigen::Vector2d p0(27, 55), p1(50, 165);
    const Eigen::Vector2d dir = (p1 - p0).normalized();
    const Eigen::Vector2d inward(-dir.y(), dir.x());  // medial (towards -x)
    const double w = midfoot_width_mm_ / k;
    const Eigen::Vector2d c = 0.5 * (p0 + p1) + inward * (0.5 * w);
    const double angle = std::atan2(-dir.x(), dir.y()) * 180.0 / std::numbers::pi;
    regions_[kMidfoot] = make_region("midfoot", c.x(), c.y(), std::max(0.5 * w, 0.25),
                                     0.5 * (p1 - p0).norm() + 8, angle, 4, 0.5, k);
  }
  const double row = -12.4;  // the metatarsal row slopes back laterally (MTH1 -> MTH5)
  regions_[kForefoot] = make_region("forefoot", 3, 168, 44, 22, row, 4, 1.0, k);
  regions_[kMth1] = make_region("mth1", -28, 187, 14, 18, row, 2, 1.0, k);
  regions_[kMth2] = make_region("mth2", -9, 191, 12, 19, row, 2, 1.0, k);
  regions_[kMth3] = make_region("mth3", 8, 187, 11, 19, row, 2, 1.0, k);
  regions_[kMth4] = make_region("mth4", 24, 181, 10, 17, row, 2, 1.0, k);
  regions_[kMth5] = make_region("mth5", 40, 172, 10.5, 16, row, 2, 1.0, k);
  regions_[kHallux] = make_region("hallux", -24, 241, 14, 17.5, 0, 2, 1.0, k);
  regions_[kToe2] = make_region("toe2", 2, 232, 7, 10, 0, 2, 1.0, k);
  regions_[kToe3] = make_region("toe3", 16, 224, 6.5, 9, 0, 2, 1.0, k);
  regions_[kToe4] = make_region("toe4", 29, 215, 6, 8, 0, 2, 1.0, k);
  regions_[kToe5] = make_region("toe5", 41, 204, 6, 8, 0, 2, 1.0, k);

  density_full_.resize(kRegionCount);
  density_core_.resize(kRegionCount);
  for (std::size_t r = 0; r < kRegionCount; ++r) {
    const Region& g = regions_[r];
    // Integral over the super-ellipse of (1 - d^2)^k dA = A1 / (k + 1), A1 = unit-distance area.
    const double a1 = superellipse_area(g.semi_ml_mm, g.semi_ap_mm, g.shape_m);
    density_full_[r] = (g.profile_k + 1.0) / a1;
    density_core_[r] = (g.profile_k + 1.0) / (a1 * kCoreScale * kCoreScale);
  }

  peak_load_bw_ = Eigen::VectorXd::Zero(kRegionCount);
  for (int i = 1; i < 1000; ++i) {
    const double s = i / 1000.0;
    const Eigen::VectorXd load = walking_shares(s) * force_curve_bw(curve_, s);
    peak_load_bw_ = peak_load_bw_.cwiseMax(load);
  }
}

Eigen::VectorXd FootModel::walking_weights(double s) const {
  const double p = params_.pronation;
  const bool eq = params_.equinus;
  const StanceEvents& e = events_;
  Eigen::VectorXd w = Eigen::VectorXd::Zero(kRegionCount);
  // Heel: all the load at initial contact, unloading until heel-off. Equinus: light heel.
  w[kHeel] = (eq ? 0.45 : 1.0) * (1.0 - smoothstep(std::max(0.0, e.ho - 0.28), e.ho, s));
  // Lateral midfoot band: load proportional to its area; more for a supinated foot.
  w[kMidfoot] = (eq ? 0.6 : 1.0) * 0.25 * (midfoot_width_mm_ / (kBandWidthNormalMm * params_.length_mm / kRefLengthMm)) *
                (1.0 - 0.3 * p) * smoothstep(0.03, 0.15, s) * (1.0 - smoothstep(e.ho - 0.05, e.ho + 0.2, s));
  // Forefoot rises from first metatarsal contact and carries more in push-off; metatarsal heads
  // make contact latero-medially (De Cock 2005), MTH5 first at FFC, MTH1 last at FFF.
  // Equinus: load concentrates on the metatarsal heads (higher forefoot peak pressure and
  // impulse, Searle 2018; lower midfoot and hallux pressure in toe walkers, metrics.md §6).
  const double fore_scale = eq ? 1.5 : 1.0;
  if (params_.toe_walking) w[kHeel] = w[kMidfoot] = 0.0;  // no heel print at all
  const double late = 0.55 + 0.45 * smoothstep(0.3, 0.75, s);
  const double unload = 1.0 - smoothstep(0.86, 0.975, s);
  w[kForefoot] = 0.70 * smoothstep(e.ffc, e.fff + 0.05, s) * unload;
  // Central peak MTH2/3 (Putti 2008); pronation tilts load medially, supination laterally.
  const double mth_base[5] = {0.28, 0.31, 0.23, 0.12, 0.06};
  for (int i = 0; i < 5; ++i) {
    const double start = e.ffc + (e.fff - e.ffc) * (4 - i) / 4.0;
    const double tilt = std::exp(1.0 * p * (2 - i) / 2.0);
    w[kMth1 + i] = fore_scale * mth_base[i] * tilt * smoothstep(start, start + 0.06, s) * late * unload;
  }
  // Hallux: light in mid-stance, the main load at toe-off (COP ends under the hallux).
  w[kHallux] = (eq ? 0.8 : 1.0) * 0.125 * (1.0 + 0.35 * p) * smoothstep(0.2, 0.45, s) *
               (0.1 + 0.9 * smoothstep(0.55, 0.9, s));
  const double toe_base[4] = {0.016, 0.013, 0.010, 0.007};
  for (int i = 0; i < 4; ++i)
    w[kToe2 + i] = toe_base[i] * (1.0 - 0.3 * p) * smoothstep(0.25, 0.5, s) *
                   (1.0 - smoothstep(0.9, 0.99, s));
  return w;
}

Eigen::VectorXd FootModel::walking_shares(double s) const {
  s = std::clamp(s, 0.0, 1.0);
  Eigen::VectorXd w = walking_weights(s);
  const double sum = w.sum();
  if (sum <= 0) {  // only at s = 1 exactly when every weight has vanished: the hallux remains
    w.setZero();
    w[kHallux] = 1.0;
    return w;
  }
  return w / sum;
}

Eigen::VectorXd FootModel::walking_load_fractions(double s) const {
  const Eigen::VectorXd load = walking_shares(s) * force_curve_bw(curve_, s);
  Eigen::VectorXd f(kRegionCount);
  for (std::size_t r = 0; r < kRegionCount; ++r)
    f[r] = peak_load_bw_[r] > 0 ? std::min(1.0, load[r] / peak_load_bw_[r]) : 0.0;
  return f;
}

double FootModel::core_weight(double load_fraction) {
  // At first touch a pad contacts over a small patch that spreads as it is compressed.
  return 1.0 - std::sqrt(std::clamp(load_fraction, 0.0, 1.0));
}

Eigen::VectorXd FootModel::standing_shares(double ap_shift) const {
  const double p = params_.pronation;
  Eigen::VectorXd w = Eigen::VectorXd::Zero(kRegionCount);
  // Quiet standing: roughly 55-60 % of the load under the heel, the rest under the forefoot
  // and a little under the toes (Cavanagh, Rodgers & Iiboshi 1987 Foot Ankle 7:262).
  w[kHeel] = std::max(0.05, 0.55 - ap_shift);
  w[kMidfoot] = 0.06 * (midfoot_width_mm_ / (kBandWidthNormalMm * params_.length_mm / kRefLengthMm)) * (1.0 - 0.3 * p);
  const double fore = std::max(0.05, 0.33 + 0.8 * ap_shift);
  w[kForefoot] = 0.3 * fore;
  const double mth_base[5] = {0.22, 0.30, 0.26, 0.18, 0.12};
  for (int i = 0; i < 5; ++i) w[kMth1 + i] = 0.7 * fore * mth_base[i] * std::exp(0.8 * p * (2 - i) / 2.0);
  const double toes = std::max(0.01, 0.06 + 0.2 * ap_shift);
  w[kHallux] = 0.5 * toes * (1.0 + 0.35 * p);
  const double toe_base[4] = {0.35, 0.28, 0.22, 0.15};
  for (int i = 0; i < 4; ++i) w[kToe2 + i] = 0.5 * toes * toe_base[i] * (1.0 - 0.3 * p);
  return w / w.sum();
}

Eigen::VectorXd FootModel::region_density(std::size_t r, const Eigen::MatrixX2d& pts, bool core) const {
  const Region& g = regions_.at(r);
  Eigen::VectorXd out = Eigen::VectorXd::Zero(pts.rows());
  if (r == kMidfoot && midfoot_width_mm_ <= 0) return out;
  const double scale = core ? kCoreScale : 1.0;
  const double a = g.semi_ml_mm * scale, b = g.semi_ap_mm * scale;
  const double reach = std::max(a, b) * (g.shape_m == 2 ? 1.0 : 1.42);
  const double th = g.angle_deg * std::numbers::pi / 180.0;
  const double c = std::cos(th), sn = std::sin(th);
  const double norm = core ? density_core_[r] : density_full_[r];
  const double mx = mirror();
  const double cx = g.centre_mm.x(), cy = g.centre_mm.y(), m = g.shape_m, k = g.profile_k;
  const Eigen::Index n = pts.rows();
  const double* px = pts.col(0).data();
  const double* py = pts.col(1).data();
  double* o = out.data();
  for (Eigen::Index i = 0; i < n; ++i) {
    const double dx = mx * px[i] - cx;
    const double dy = py[i] - cy;
    if (std::abs(dx) > reach || std::abs(dy) > reach) continue;
    // Rotate into region axes (inverse of the CCW rotation by angle).
    const double u = c * dx + sn * dy;
    const double v = -sn * dx + c * dy;
    const double d2 = distance_sq(u, v, a, b, m);
    if (d2 < 1.0) o[i] = norm * profile(d2, k);
  }
  return out;
}

Eigen::VectorXd FootModel::pressure_kpa(const Eigen::MatrixX2d& pts, const Eigen::VectorXd& force_n,
                                        const Eigen::VectorXd& core_w) const {
  Eigen::VectorXd p = Eigen::VectorXd::Zero(pts.rows());
  for (std::size_t r = 0; r < kRegionCount; ++r) {
    const double f = force_n[static_cast<Eigen::Index>(r)];
    if (f == 0.0) continue;
    const double cw = core_w[static_cast<Eigen::Index>(r)];
    if (cw < 1.0) p += (f * (1.0 - cw)) * region_density(r, pts, false);
    if (cw > 0.0) p += (f * cw) * region_density(r, pts, true);
  }
  return p * 1e3;  // N/mm^2 = MPa -> kPa
}

Eigen::VectorXd plantar_pressure_kpa(const FootModel& foot, const Eigen::MatrixX2d& pts,
                                     double s, double total_force_n) {
  const Eigen::VectorXd force = foot.walking_shares(s) * total_force_n;
  const Eigen::VectorXd frac = foot.walking_load_fractions(s);
  Eigen::VectorXd core(frac.size());
  for (Eigen::Index r = 0; r < frac.size(); ++r) core[r] = FootModel::core_weight(frac[r]);
  return foot.pressure_kpa(pts, force, core);
}

Eigen::Vector2d FootModel::walking_cop_mm(double s) const {
  const Eigen::VectorXd sh = walking_shares(s);
  Eigen::Vector2d c = Eigen::Vector2d::Zero();
  for (std::size_t r = 0; r < kRegionCount; ++r) c += sh[static_cast<Eigen::Index>(r)] * regions_[r].centre_mm;
  c.x() *= mirror();
  return c;
}

bool FootModel::in_contact(const Eigen::Vector2d& point, bool include_toes) const {
  Eigen::MatrixX2d pts(1, 2);
  pts.row(0) = point.transpose();
  const std::size_t last = include_toes ? kRegionCount : kHallux;
  for (std::size_t r = 0; r < last; ++r)
    if (region_density(r, pts, false)[0] > 0) return true;
  return false;
}

double FootModel::arch_index() const {
  // Rasterise the toe-less contact (the maximal footprint: every region reaches full contact).
  const double step = 0.5;
  const double half = 0.3 * params_.length_mm;
  double front = 0.0;
  std::vector<double> row_area;
  const int ny = static_cast<int>(params_.length_mm / step);
  row_area.assign(static_cast<std::size_t>(ny), 0.0);
  const int nx = static_cast<int>(2 * half / step);
  Eigen::MatrixX2d pts(nx, 2);
  for (int iy = 0; iy < ny; ++iy) {
    const double y = (iy + 0.5) * step;
    for (int ix = 0; ix < nx; ++ix) pts.row(ix) << -half + (ix + 0.5) * step, y;
    Eigen::VectorXd any = Eigen::VectorXd::Zero(nx);
    for (std::size_t r = 0; r < kHallux; ++r) any += region_density(r, pts, false);
    const double n = static_cast<double>((any.array() > 0).count());
    row_area[static_cast<std::size_t>(iy)] = n * step * step;
    if (n > 0) front = y + 0.5 * step;
  }
  double total = 0, mid = 0;
  for (int iy = 0; iy < ny; ++iy) {
    const double y = (iy + 0.5) * step;
    const double a = row_area[static_cast<std::size_t>(iy)];
    total += a;
    if (y >= front / 3.0 && y < 2.0 * front / 3.0) mid += a;
  }
  return total > 0 ? mid / total : 0.0;
}

double FootModel::cpei_percent() const {
  const double L = params_.length_mm;
  const double y67 = 0.67 * L;
  const Eigen::Vector2d first = walking_cop_mm(0.002), last = walking_cop_mm(0.998);
  // COP crossing of the distal-third line (the COP advances monotonically through the forefoot).
  double x_cop = std::numeric_limits<double>::quiet_NaN();
  Eigen::Vector2d prev = first;
  for (int i = 1; i <= 2000; ++i) {
    const Eigen::Vector2d c = walking_cop_mm(0.002 + 0.996 * i / 2000.0);
    if (prev.y() < y67 && c.y() >= y67) {
      const double t = (y67 - prev.y()) / (c.y() - prev.y());
      x_cop = prev.x() + t * (c.x() - prev.x());
      break;
    }
    prev = c;
  }
  if (!std::isfinite(x_cop)) return std::numeric_limits<double>::quiet_NaN();
  const double t = (y67 - first.y()) / (last.y() - first.y());
  const double x_line = first.x() + t * (last.x() - first.x());
  // Footprint width on the line (toe-less contact).
  const double step = 0.25;
  double lo = 1e9, hi = -1e9;
  for (double x = -0.3 * L; x <= 0.3 * L; x += step)
    if (in_contact({x, y67}, false)) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  if (hi <= lo) return std::numeric_limits<double>::quiet_NaN();
  const double lateral = (x_cop - x_line) * mirror();  // + = lateral of the construction line
  return 100.0 * lateral / (hi - lo + step);
}

}  // namespace insole::sim
