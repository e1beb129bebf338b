#include "insole/stats/registration.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace insole::stats {

namespace {

constexpr double kPi = 3.14159265358979323846;

Eigen::Matrix2d rotation(double angle_rad) {
  Eigen::Matrix2d r;
  r << std::cos(angle_rad), -std::sin(angle_rad), std::sin(angle_rad), std::cos(angle_rad);
  return r;
}

Eigen::Matrix2d mirror_matrix(bool mirror) {
  Eigen::Matrix2d m = Eigen::Matrix2d::Identity();
  if (mirror) m(0, 0) = -1.0;
  return m;
}

/// Integral of the positive part (value x pixel area).
double integral(const Image& im) {
  double s = 0;
  for (Eigen::Index i = 0; i < im.values.size(); ++i) {
    const double v = im.values(i);
    if (std::isfinite(v) && v > 0) s += v;
  }
  return s * im.grid.pixel_area_mm2();
}

double max_value(const Image& im) {
  double m = 0;
  for (Eigen::Index i = 0; i < im.values.size(); ++i)
    if (std::isfinite(im.values(i))) m = std::max(m, im.values(i));
  return m;
}

struct Moments {
  Eigen::Vector2d centroid = Eigen::Vector2d::Zero();
  double axis_rad = 0.0;  ///< principal axis angle from +x
};

Moments moments(const Image& im, bool mirror) {
  double sw = 0, sx = 0, sy = 0;
  for (int r = 0; r < im.rows(); ++r)
    for (int c = 0; c < im.cols(); ++c) {
      const double v = im.values(r, c);
      if (!(std::isfinite(v) && v > 0)) continue;
      const double x = (mirror ? -1.0 : 1.0) * im.grid.x_mm(c), y = im.grid.y_mm(r);
      sw += v, sx += v * x, sy += v * y;
    }
  Moments m;
  if (sw <= 0) return m;
  m.centroid = {sx / sw, sy / sw};
  double cxx = 0, cyy = 0, cxy = 0;
  for (int r = 0; r < im.rows(); ++r)
    for (int c = 0; c < im.cols(); ++c) {
      const double v = im.values(r, c);
      if (!(std::isfinite(v) && v > 0)) continue;
      const double dx = (mirror ? -1.0 : 1.0) * im.grid.x_mm(c) - m.centroid.x();
      const double dy = im.grid.y_mm(r) - m.centroid.y();
      cxx += v * dx * dx, cyy += v * dy * dy, cxy += v * dx * dy;
    }
  m.axis_rad = 0.5 * std::atan2(2 * cxy, cxx - cyy);
  return m;
}

/// The moving image resampled onto `grid` through p_moving = A^-1 (p + u(p) - t), times `scale`.
Image warp(const Image& moving, const Grid& grid, const Eigen::Matrix2d& A, const Eigen::Vector2d& t,
           const Eigen::MatrixXd* ux, const Eigen::MatrixXd* uy, double scale) {
  const Eigen::Matrix2d inv = A.inverse();
  Image out = Image::zeros(grid);
  for (int r = 0; r < grid.rows; ++r)
    for (int c = 0; c < grid.cols; ++c) {
      Eigen::Vector2d p(grid.x_mm(c), grid.y_mm(r));
      if (ux) p += Eigen::Vector2d((*ux)(r, c), (*uy)(r, c));
      const Eigen::Vector2d q = inv * (p - t);
      out.values(r, c) = scale * sample_bilinear(moving, q.x(), q.y());
    }
  return out;
}

/// Parameterisations for Levenberg-Marquardt.
struct Model {
  bool affine = false;
  bool mirror = false;
  void to_transform(const Eigen::VectorXd& p, Eigen::Matrix2d& A, Eigen::Vector2d& t) const {
    if (affine) {
      A << p(0), p(1), p(2), p(3);
      t = {p(4), p(5)};
    } else {
      A = rotation(p(0)) * mirror_matrix(mirror);
      t = {p(1), p(2)};
    }
  }
  Eigen::VectorXd steps(double pitch_mm, double extent_mm) const {
    const double ht = 0.1 * pitch_mm;
    if (affine) {
      Eigen::VectorXd h(6);
      const double ha = ht / extent_mm;
      h << ha, ha, ha, ha, ht, ht;
      return h;
    }
    Eigen::VectorXd h(3);
    h << ht / extent_mm, ht, ht;
    return h;
  }
};

struct Problem {
  const Image* moving = nullptr;  ///< smoothed at the current level
  const Image* fixed = nullptr;   ///< smoothed at the current level
  double scale = 1.0;             ///< moving -> fixed integral ratio
  double norm = 1.0;              ///< 1 / fixed maximum
  Model model;

  Eigen::VectorXd residual(const Eigen::VectorXd& p) const {
    Eigen::Matrix2d A;
    Eigen::Vector2d t;
    model.to_transform(p, A, t);
    if (!(std::abs(A.determinant()) > 1e-6)) return Eigen::VectorXd::Constant(fixed->values.size(), 1e3);
    const Image w = warp(*moving, fixed->grid, A, t, nullptr, nullptr, scale);
    Eigen::VectorXd r(fixed->values.size());
    for (Eigen::Index i = 0; i < r.size(); ++i) r(i) = norm * (w.values(i) - fixed->values(i));
    return r;
  }
};

double cost_of(const Eigen::VectorXd& r) { return r.squaredNorm() / static_cast<double>(r.size()); }

/// Levenberg-Marquardt on p; returns the final cost.
double levenberg_marquardt(const Problem& prob, Eigen::VectorXd& p, const Eigen::VectorXd& h, int max_iter,
                           double tol) {
  Eigen::VectorXd r = prob.residual(p);
  double cost = cost_of(r);
  double lambda = 1e-3;
  const Eigen::Index k = p.size();
  for (int it = 0; it < max_iter; ++it) {
    Eigen::MatrixXd J(r.size(), k);
    for (Eigen::Index j = 0; j < k; ++j) {
      Eigen::VectorXd pp = p, pm = p;
      pp(j) += h(j), pm(j) -= h(j);
      J.col(j) = (prob.residual(pp) - prob.residual(pm)) / (2 * h(j));
    }
    const Eigen::MatrixXd H = J.transpose() * J;
    const Eigen::VectorXd g = J.transpose() * r;
    bool improved = false;
    Eigen::VectorXd delta;
    while (lambda < 1e12) {
      Eigen::MatrixXd Hd = H;
      for (Eigen::Index j = 0; j < k; ++j) Hd(j, j) += lambda * std::max(H(j, j), 1e-12);
      delta = Hd.ldlt().solve(-g);
      const Eigen::VectorXd pn = p + delta;
      const Eigen::VectorXd rn = prob.residual(pn);
      const double cn = cost_of(rn);
      if (cn < cost) {
        p = pn, r = rn, cost = cn;
        lambda = std::max(lambda / 3.0, 1e-9);
        improved = true;
        break;
      }
      lambda *= 4.0;
    }
    if (!improved) break;
    // Converged when every parameter moved by less than tol x its finite-difference step x 1e3.
    if ((delta.array().abs() / h.array()).maxCoeff() < tol * 1e3) break;
  }
  return cost;
}

/// Half the grid's diagonal (at least 30 mm): the lever arm that turns an angle step into mm.
double lever_mm(const Grid& g) {
  return std::max(30.0, 0.5 * std::hypot(g.cols * g.pitch_x_mm, g.rows * g.pitch_y_mm));
}

Status check_inputs(const Image& moving, const Image& fixed, const RegistrationParams& params) {
  if (auto s = validate(moving, "moving image"); !s) return s;
  if (auto s = validate(fixed, "fixed image"); !s) return s;
  if (params.levels_sigma_mm.size() == 0 || !params.levels_sigma_mm.allFinite() ||
      (params.levels_sigma_mm.array() < 0).any())
    return make_error(Errc::invalid_argument, "registration: smoothing levels must be finite and >= 0 (mm)");
  if (params.max_iterations <= 0 || params.demons_iterations < 0 || !(params.demons_step_mm > 0) ||
      !(params.demons_smooth_mm >= 0) || !std::isfinite(params.contact_threshold))
    return make_error(Errc::invalid_argument, "registration: iteration counts and demons sizes must be positive");
  auto has_contact = [&](const Image& im) {
    for (Eigen::Index i = 0; i < im.values.size(); ++i)
      if (std::isfinite(im.values(i)) && im.values(i) > params.contact_threshold) return true;
    return false;
  };
  if (!has_contact(moving))
    return make_error(Errc::no_data, "moving image: no value above the contact threshold");
  if (!has_contact(fixed)) return make_error(Errc::no_data, "fixed image: no value above the contact threshold");
  return {};
}

double rotation_angle_deg(const Eigen::Matrix2d& A, bool mirrored) {
  // Polar decomposition A M = R S: the rotation closest to A M (M removes the mirror).
  const Eigen::Matrix2d B = A * mirror_matrix(mirrored);
  return std::atan2(B(1, 0) - B(0, 1), B(0, 0) + B(1, 1)) * 180.0 / kPi;
}

struct Prepared {
  std::vector<Image> moving_levels, fixed_levels;
  double scale = 1.0, norm = 1.0, extent_mm = 100.0;
};

Prepared prepare(const Image& moving, const Image& fixed, const RegistrationParams& params) {
  Prepared pr;
  for (Eigen::Index l = 0; l < params.levels_sigma_mm.size(); ++l) {
    pr.moving_levels.push_back(gaussian_smooth(moving, params.levels_sigma_mm(l)));
    pr.fixed_levels.push_back(gaussian_smooth(fixed, params.levels_sigma_mm(l)));
  }
  const double im = integral(moving), iff = integral(fixed);
  pr.scale = im > 0 ? iff / im : 1.0;
  const double fm = max_value(fixed);
  pr.norm = fm > 0 ? 1.0 / fm : 1.0;
  pr.extent_mm = lever_mm(fixed.grid);
  return pr;
}

Eigen::VectorXd rigid_search(const Prepared& pr, const Image& moving, const Image& fixed,
                             const RegistrationParams& params, double& cost) {
  const Moments mf = moments(fixed, false), mm = moments(moving, params.mirror);
  Model model{false, params.mirror};
  const Eigen::VectorXd h = model.steps(fixed.grid.pitch_x_mm, pr.extent_mm);
  Problem prob{&pr.moving_levels[0], &pr.fixed_levels[0], pr.scale, pr.norm, model};
  // Candidates: the principal axes aligned, both ways round, and (for nearly round images) at
  // right angles; each refined at the coarsest level, the best kept.
  Eigen::VectorXd best;
  double best_cost = std::numeric_limits<double>::infinity();
  for (int k = 0; k < 4; ++k) {
    const double angle = mf.axis_rad - mm.axis_rad + k * kPi / 2;
    const Eigen::Vector2d t = mf.centroid - rotation(angle) * mm.centroid;
    Eigen::VectorXd p(3);
    p << angle, t.x(), t.y();
    const double c = levenberg_marquardt(prob, p, h, params.max_iterations, params.tolerance);
    if (c < best_cost) best_cost = c, best = p;
  }
  for (std::size_t l = 1; l < pr.moving_levels.size(); ++l) {
    Problem pl{&pr.moving_levels[l], &pr.fixed_levels[l], pr.scale, pr.norm, model};
    best_cost = levenberg_marquardt(pl, best, h, params.max_iterations, params.tolerance);
  }
  cost = best_cost;
  return best;
}

Registration finish(const Image& moving, const Image& fixed, const RegistrationParams& params, TransformKind kind,
                    const Eigen::Matrix2d& A, const Eigen::Vector2d& t, double cost) {
  Registration reg;
  reg.kind = kind;
  reg.mirrored = params.mirror;
  reg.A = A;
  reg.t_mm = t;
  reg.angle_deg = rotation_angle_deg(A, params.mirror);
  reg.fixed_grid = fixed.grid;
  reg.final_cost = cost;
  reg.warped = warp(moving, fixed.grid, A, t, nullptr, nullptr, 1.0);
  return reg;
}

void set_quality(Registration& reg, const Image& moving, const Image& fixed, const RegistrationParams& params) {
  const Image before = resample(params.mirror ? mirror_columns(moving) : moving, fixed.grid);
  const RegistrationQuality b = compare_images(before, fixed, params.contact_threshold);
  const std::optional<double> jac = reg.quality.min_jacobian;
  reg.quality = compare_images(reg.warped, fixed, params.contact_threshold);
  reg.quality.dice_before = b.dice;
  reg.quality.ncc_before = b.ncc;
  reg.quality.rms_residual_before = b.rms_residual;
  reg.quality.min_jacobian = jac;
}

Result<Registration> affine_impl(const Image& moving, const Image& fixed, const RegistrationParams& params,
                                 const Prepared& pr) {
  double cost = 0;
  const Eigen::VectorXd pr3 = rigid_search(pr, moving, fixed, params, cost);
  Model rigid{false, params.mirror};
  Eigen::Matrix2d A;
  Eigen::Vector2d t;
  rigid.to_transform(pr3, A, t);
  Model model{true, params.mirror};
  Eigen::VectorXd p(6);
  p << A(0, 0), A(0, 1), A(1, 0), A(1, 1), t.x(), t.y();
  const Eigen::VectorXd h = model.steps(fixed.grid.pitch_x_mm, pr.extent_mm);
  // The rigid solution is already close: refine the affine one on the two finest levels.
  const std::size_t first = pr.moving_levels.size() >= 2 ? pr.moving_levels.size() - 2 : 0;
  for (std::size_t l = first; l < pr.moving_levels.size(); ++l) {
    Problem pl{&pr.moving_levels[l], &pr.fixed_levels[l], pr.scale, pr.norm, model};
    cost = levenberg_marquardt(pl, p, h, params.max_iterations, params.tolerance);
  }
  model.to_transform(p, A, t);
  Registration reg = finish(moving, fixed, params, TransformKind::affine, A, t, cost);
  return reg;
}

/// Central-difference gradient (per mm) of an image on its grid.
void gradient(const Image& im, Eigen::MatrixXd& gx, Eigen::MatrixXd& gy) {
  const int R = im.rows(), C = im.cols();
  gx.setZero(R, C);
  gy.setZero(R, C);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      const int c0 = std::max(c - 1, 0), c1 = std::min(c + 1, C - 1);
      const int r0 = std::max(r - 1, 0), r1 = std::min(r + 1, R - 1);
      if (c1 > c0) gx(r, c) = (im.values(r, c1) - im.values(r, c0)) / ((c1 - c0) * im.grid.pitch_x_mm);
      if (r1 > r0) gy(r, c) = (im.values(r1, c) - im.values(r0, c)) / ((r1 - r0) * im.grid.pitch_y_mm);
    }
}

}  // namespace

bool needs_mirror(Side moving, Side fixed) noexcept {
  return (moving == Side::left && fixed == Side::right) || (moving == Side::right && fixed == Side::left);
}

RegistrationQuality compare_images(const Image& warped, const Image& fixed, double contact_threshold) {
  RegistrationQuality q;
  std::size_t nf = 0, nw = 0, both = 0, uni = 0;
  double sf = 0, sw = 0, sff = 0, sww = 0, sfw = 0, sres = 0;
  const Eigen::Index n = std::min(warped.values.size(), fixed.values.size());
  for (Eigen::Index i = 0; i < n; ++i) {
    const double f = std::isfinite(fixed.values(i)) ? fixed.values(i) : 0.0;
    const double w = std::isfinite(warped.values(i)) ? warped.values(i) : 0.0;
    const bool cf = f > contact_threshold, cw = w > contact_threshold;
    nf += cf, nw += cw, both += (cf && cw);
    if (!(cf || cw)) continue;
    ++uni;
    sf += f, sw += w, sff += f * f, sww += w * w, sfw += f * w, sres += (w - f) * (w - f);
  }
  q.dice = nf + nw ? 2.0 * static_cast<double>(both) / static_cast<double>(nf + nw) : 0.0;
  if (uni) {
    const double m = static_cast<double>(uni);
    const double cov = sfw - sf * sw / m, vf = sff - sf * sf / m, vw = sww - sw * sw / m;
    q.ncc = vf > 0 && vw > 0 ? cov / std::sqrt(vf * vw) : 0.0;
    q.rms_residual = std::sqrt(sres / m);
  }
  return q;
}

Result<Registration> register_rigid(const Image& moving, const Image& fixed, const RegistrationParams& params) {
  if (auto s = check_inputs(moving, fixed, params); !s) return s.error();
  const Prepared pr = prepare(moving, fixed, params);
  double cost = 0;
  const Eigen::VectorXd p = rigid_search(pr, moving, fixed, params, cost);
  Eigen::Matrix2d A;
  Eigen::Vector2d t;
  Model{false, params.mirror}.to_transform(p, A, t);
  Registration reg = finish(moving, fixed, params, TransformKind::rigid, A, t, cost);
  reg.angle_deg = std::remainder(p(0) * 180.0 / kPi, 360.0);
  set_quality(reg, moving, fixed, params);
  return reg;
}

Result<Registration> register_affine(const Image& moving, const Image& fixed, const RegistrationParams& params) {
  if (auto s = check_inputs(moving, fixed, params); !s) return s.error();
  const Prepared pr = prepare(moving, fixed, params);
  auto reg = affine_impl(moving, fixed, params, pr);
  if (!reg) return reg;
  set_quality(*reg, moving, fixed, params);
  return reg;
}

Result<Registration> register_nonlinear(const Image& moving, const Image& fixed,
                                        const RegistrationParams& params) {
  if (auto s = check_inputs(moving, fixed, params); !s) return s.error();
  const Prepared pr = prepare(moving, fixed, params);
  auto res = affine_impl(moving, fixed, params, pr);
  if (!res) return res;
  Registration reg = std::move(*res);
  reg.kind = TransformKind::nonlinear;
  const Grid& g = fixed.grid;
  const double sigma_x = params.demons_step_mm;
  // Demons on lightly smoothed images (one pixel) so that gradients are not those of the raster.
  const double light = std::max(g.pitch_x_mm, g.pitch_y_mm);
  const Image f = gaussian_smooth(fixed, light);
  const Image m = gaussian_smooth(moving, light);
  Eigen::MatrixXd fgx, fgy;
  gradient(f, fgx, fgy);
  Eigen::MatrixXd ux = Eigen::MatrixXd::Zero(g.rows, g.cols), uy = ux;
  auto cost_at = [&](const Eigen::MatrixXd& ax, const Eigen::MatrixXd& ay, Image* out) {
    Image w = warp(m, g, reg.A, reg.t_mm, &ax, &ay, pr.scale);
    const double c = ((w.values - f.values) * pr.norm).squaredNorm() / static_cast<double>(w.values.size());
    if (out) *out = std::move(w);
    return c;
  };
  const Eigen::MatrixXd zero = ux;
  const double cost0 = cost_at(zero, zero, nullptr);
  Image w;
  for (int it = 0; it < params.demons_iterations; ++it) {
    cost_at(ux, uy, &w);
    Eigen::MatrixXd wgx, wgy;
    gradient(w, wgx, wgy);
    Image dx = Image::zeros(g), dy = Image::zeros(g);
    dx.values = ux;
    dy.values = uy;
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.cols; ++c) {
        const double res = pr.norm * (w.values(r, c) - f.values(r, c));
        const double gx = 0.5 * pr.norm * (fgx(r, c) + wgx(r, c));
        const double gy = 0.5 * pr.norm * (fgy(r, c) + wgy(r, c));
        const double den = gx * gx + gy * gy + res * res / (sigma_x * sigma_x);
        if (den <= 1e-18) continue;
        // w(p) = moving(A^-1 (p + u - t)) rises along its gradient as u grows: step against r.
        dx.values(r, c) -= res * gx / den;
        dy.values(r, c) -= res * gy / den;
      }
    ux = gaussian_smooth(dx, params.demons_smooth_mm).values;
    uy = gaussian_smooth(dy, params.demons_smooth_mm).values;
  }
  const double cost_end = cost_at(ux, uy, nullptr);
  if (!(cost_end < cost0)) {  // the field did not help: keep the affine result, say so by u = 0
    ux.setZero();
    uy.setZero();
  }
  reg.ux_mm = ux;
  reg.uy_mm = uy;
  reg.final_cost = std::min(cost_end, cost0);
  reg.warped = warp(moving, g, reg.A, reg.t_mm, &ux, &uy, 1.0);
  // Smallest Jacobian determinant of p -> p + u(p).
  Image uxi = Image::zeros(g), uyi = Image::zeros(g);
  uxi.values = ux, uyi.values = uy;
  Eigen::MatrixXd axx, axy, ayx, ayy;
  gradient(uxi, axx, axy);
  gradient(uyi, ayx, ayy);
  double jmin = std::numeric_limits<double>::infinity();
  for (int r = 0; r < g.rows; ++r)
    for (int c = 0; c < g.cols; ++c)
      jmin = std::min(jmin, (1 + axx(r, c)) * (1 + ayy(r, c)) - axy(r, c) * ayx(r, c));
  reg.quality.min_jacobian = jmin;
  set_quality(reg, moving, fixed, params);
  return reg;
}

Image apply_registration(const Registration& reg, const Image& moving) {
  const bool field = reg.ux_mm.size() > 0;
  return warp(moving, reg.fixed_grid, reg.A, reg.t_mm, field ? &reg.ux_mm : nullptr, field ? &reg.uy_mm : nullptr,
              1.0);
}

}  // namespace insole::stats
