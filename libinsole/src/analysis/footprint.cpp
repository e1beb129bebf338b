#include "insole/analysis/footprint.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace insole::analysis {

namespace {

using Poly = std::vector<Eigen::Vector2d>;

std::array<Eigen::Vector2d, 4> sensel_corners(const SensorLayout& layout, Eigen::Index s) {
  const int r = static_cast<int>(s / layout.cols());
  const int c = static_cast<int>(s % layout.cols());
  const double x0 = c * layout.col_pitch_mm(), x1 = (c + 1) * layout.col_pitch_mm();
  const double y0 = r * layout.row_pitch_mm(), y1 = (r + 1) * layout.row_pitch_mm();
  return {Eigen::Vector2d{x0, y0}, Eigen::Vector2d{x1, y0}, Eigen::Vector2d{x1, y1},
          Eigen::Vector2d{x0, y1}};
}

// Sutherland-Hodgman against one half-plane: keeps points with sign * (f(p) - level) >= 0.
Poly clip(const Poly& in, const Eigen::Vector2d& origin, const Eigen::Vector2d& dir, double level,
          double sign) {
  Poly out;
  if (in.empty()) return out;
  auto f = [&](const Eigen::Vector2d& p) { return sign * ((p - origin).dot(dir) - level); };
  for (std::size_t i = 0; i < in.size(); ++i) {
    const Eigen::Vector2d& a = in[i];
    const Eigen::Vector2d& b = in[(i + 1) % in.size()];
    const double fa = f(a), fb = f(b);
    if (fa >= 0) out.push_back(a);
    if ((fa >= 0) != (fb >= 0)) {
      const double t = fa / (fa - fb);
      out.push_back(a + t * (b - a));
    }
  }
  return out;
}

double polygon_area(const Poly& p) {
  double a = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto& q = p[i];
    const auto& r = p[(i + 1) % p.size()];
    a += q.x() * r.y() - r.x() * q.y();
  }
  return std::abs(a) * 0.5;
}

Eigen::Vector2d range_along(const SensorLayout& layout, Eigen::Index s, const FootFrame& frame,
                            const Eigen::Vector2d& dir) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& p : sensel_corners(layout, s)) {
    const double t = (p - frame.heel_mm).dot(dir);
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
  return {lo, hi};
}

}  // namespace

std::vector<Eigen::Index> contact_sensels(const Eigen::VectorXf& peak_kpa,
                                          const std::vector<Eigen::Index>& sensels,
                                          double threshold_kpa) {
  std::vector<Eigen::Index> out;
  out.reserve(sensels.size());
  for (Eigen::Index s : sensels) {
    if (s < 0 || s >= peak_kpa.size()) continue;
    const float p = peak_kpa[s];
    if (std::isfinite(p) && double(p) > threshold_kpa) out.push_back(s);
  }
  return out;
}

double sensel_area_between_ap(const SensorLayout& layout, Eigen::Index s, const FootFrame& frame,
                              double ap_lo_mm, double ap_hi_mm) {
  if (!(ap_hi_mm > ap_lo_mm)) return 0.0;
  const auto corners = sensel_corners(layout, s);
  const Eigen::Vector2d r = range_along(layout, s, frame, frame.u);
  const double full = layout.row_pitch_mm() * layout.col_pitch_mm();
  if (r[0] >= ap_lo_mm && r[1] <= ap_hi_mm) return full;
  if (r[1] <= ap_lo_mm || r[0] >= ap_hi_mm) return 0.0;
  Poly p(corners.begin(), corners.end());
  p = clip(p, frame.heel_mm, frame.u, ap_lo_mm, +1.0);
  p = clip(p, frame.heel_mm, frame.u, ap_hi_mm, -1.0);
  return polygon_area(p);
}

double sensel_half_extent(const SensorLayout& layout, const Eigen::Vector2d& d) {
  const double ax = std::abs(d.x()), ay = std::abs(d.y());
  if (ax + ay == 0.0) return 0.0;
  const double half = 0.5 * (ax * layout.col_pitch_mm() + ay * layout.row_pitch_mm()) / (ax + ay);
  // Where does a straight footprint edge lie beyond the outermost loaded centre? Half a pitch when
  // the edge is parallel to the grid; for an oblique edge the sensel centres along it project
  // densely onto the axis and the outermost one lies close to the edge. sin(2 theta), theta the
  // angle to the nearest grid axis, blends the two (half a pitch at 0 degrees, a quarter at 45).
  const double s2 = 2.0 * ax * ay / (ax * ax + ay * ay);  // sin(2 theta) for d = (cos, sin)
  return half * (1.0 - 0.5 * s2);
}

Eigen::Vector2d sensel_ap_span(const SensorLayout& layout, Eigen::Index s, const FootFrame& frame) {
  const double c = (layout.centres_mm().row(s).transpose() - frame.heel_mm).dot(frame.u);
  const double h = sensel_half_extent(layout, frame.u);
  return {c - h, c + h};
}

Eigen::Vector2d sensel_ml_span(const SensorLayout& layout, Eigen::Index s, const FootFrame& frame) {
  const double c = (layout.centres_mm().row(s).transpose() - frame.heel_mm).dot(frame.v);
  const double h = sensel_half_extent(layout, frame.v);
  return {c - h, c + h};
}

Eigen::Vector2d sensel_ap_range(const SensorLayout& layout, Eigen::Index s, const FootFrame& frame) {
  return range_along(layout, s, frame, frame.u);
}

Eigen::Vector2d sensel_ml_range(const SensorLayout& layout, Eigen::Index s, const FootFrame& frame) {
  return range_along(layout, s, frame, frame.v);
}

Result<AlignedFootprint> align_footprint(const SensorLayout& layout, const Eigen::VectorXf& peak_kpa,
                                         const std::vector<Eigen::Index>& sensels,
                                         const FootFrame& frame, double cell_mm) {
  if (!layout.is_grid())
    return make_error(Errc::unsupported, "a footprint image needs a grid layout, not a sensor set");
  if (!(cell_mm > 0.0)) return make_error(Errc::invalid_argument, "raster cell must be positive");
  if (peak_kpa.size() != layout.sensor_count())
    return make_error(Errc::invalid_argument, "peak footprint has " +
                                                  std::to_string(peak_kpa.size()) +
                                                  " values for a layout of " +
                                                  std::to_string(layout.sensor_count()));
  double ap_lo = std::numeric_limits<double>::infinity(), ap_hi = -ap_lo;
  double ml_lo = ap_lo, ml_hi = -ap_lo;
  std::vector<char> in(static_cast<std::size_t>(layout.sensor_count()), 0);
  for (Eigen::Index s : sensels) {
    if (s < 0 || s >= layout.sensor_count()) continue;
    in[static_cast<std::size_t>(s)] = 1;
    const auto a = sensel_ap_range(layout, s, frame);
    const auto m = sensel_ml_range(layout, s, frame);
    ap_lo = std::min(ap_lo, a[0]);
    ap_hi = std::max(ap_hi, a[1]);
    ml_lo = std::min(ml_lo, m[0]);
    ml_hi = std::max(ml_hi, m[1]);
  }
  if (!(ap_hi > ap_lo)) return make_error(Errc::no_data, "footprint has no contact sensels");
  AlignedFootprint out;
  out.cell_mm = cell_mm;
  out.ap0_mm = ap_lo;
  out.ml0_mm = ml_lo;
  // A tiny tolerance keeps an extent that is an exact multiple of the cell from gaining a row.
  const auto rows = static_cast<Eigen::Index>(std::ceil((ap_hi - ap_lo) / cell_mm - 1e-9));
  const auto cols = static_cast<Eigen::Index>(std::ceil((ml_hi - ml_lo) / cell_mm - 1e-9));
  out.pressure_kpa = Eigen::MatrixXf::Zero(rows, cols);
  out.sensel = Eigen::MatrixXi::Constant(rows, cols, -1);
  const double pr = layout.row_pitch_mm(), pc = layout.col_pitch_mm();
  const double grid_rows = layout.rows(), grid_cols = layout.cols();
  // Each cell's centre is heel + ap u + ml v, summed in that order as before (the row's part once
  // per row). Inside the grid, floor(q) of q in [0, n) is its truncation, so the sensel is found
  // without a call to floor; a NaN position fails the tests and samples nothing.
  const double ux = frame.u.x(), uy = frame.u.y(), vx = frame.v.x(), vy = frame.v.y();
  const double hx = frame.heel_mm.x(), hy = frame.heel_mm.y();
  for (Eigen::Index i = 0; i < rows; ++i) {
    const double ap = out.ap_of_row(i);
    const double bx = hx + ap * ux, by = hy + ap * uy;
    for (Eigen::Index j = 0; j < cols; ++j) {
      const double ml = out.ml_of_col(j);
      const double qr = (by + ml * vy) / pr, qc = (bx + ml * vx) / pc;
      if (!(qr >= 0.0) || !(qc >= 0.0) || qr >= grid_rows || qc >= grid_cols) continue;
      const Eigen::Index s = layout.index(static_cast<int>(qr), static_cast<int>(qc));
      if (!in[static_cast<std::size_t>(s)]) continue;
      const float v = peak_kpa[s];
      out.pressure_kpa(i, j) = std::isfinite(v) ? v : 0.0f;
      out.sensel(i, j) = static_cast<int>(s);
    }
  }
  return out;
}

}  // namespace insole::analysis
