#pragma once
// An analytic plantar pressure field (kPa) of a right foot in its own frame (x to the subject's
// right, i.e. lateral for a right foot, y heel -> toe, mm) and images of it as a mat of any pitch
// would record them: each sensel the mean of the field over its area (4 x 4 sub-samples). The
// truth of the registration tests is the transform applied here, not anything the code computes.

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "insole/stats/image.hpp"

namespace insole::test {

struct Blob {
  double x, y, sx, sy, amp;
};

inline double foot_field_kpa(double x, double y) {
  static const std::vector<Blob> blobs = {
      {0, 35, 17, 20, 250},                                                              // heel
      {16, 100, 9, 30, 90},                                                              // lateral midfoot
      {-24, 165, 7, 10, 300}, {-11, 170, 6, 10, 280}, {1, 170, 6, 10, 250}, {12, 166, 6, 9, 200},
      {22, 160, 6, 9, 150},                                                              // MTH1..5
      {-22, 218, 8, 10, 260},                                                            // hallux
      {-6, 212, 4, 5, 120}, {4, 208, 4, 5, 110}, {13, 203, 4, 5, 100}, {21, 196, 4, 5, 90}};  // lesser toes
  double v = 0;
  for (const Blob& b : blobs) {
    const double dx = (x - b.x) / b.sx, dy = (y - b.y) / b.sy;
    v += b.amp * std::exp(-0.5 * (dx * dx + dy * dy));
  }
  return v;
}

/// Rigid placement of the foot on a mat: mat point q shows foot point R(angle) M q + t, M mirrors
/// x when `mirror` (foot_field then shows a left foot).
struct Placement {
  double angle_deg = 0.0;
  Eigen::Vector2d t_mm = Eigen::Vector2d::Zero();
  bool mirror = false;
  Eigen::Vector2d to_foot(const Eigen::Vector2d& q) const {
    const double a = angle_deg * 3.14159265358979323846 / 180.0;
    Eigen::Matrix2d R;
    R << std::cos(a), -std::sin(a), std::sin(a), std::cos(a);
    const Eigen::Vector2d m(mirror ? -q.x() : q.x(), q.y());
    return R * m + t_mm;
  }
  Eigen::Vector2d from_foot(const Eigen::Vector2d& p) const {
    const double a = angle_deg * 3.14159265358979323846 / 180.0;
    Eigen::Matrix2d R;
    R << std::cos(a), -std::sin(a), std::sin(a), std::cos(a);
    const Eigen::Vector2d m = R.transpose() * (p - t_mm);
    return {mirror ? -m.x() : m.x(), m.y()};
  }
};

/// A mat image of the foot at `pitch_mm`, large enough to hold the whole foot with a margin.
/// `warp` (optional) deforms the foot first: the image shows field(warp(p)).
template <class Warp>
stats::Image mat_image(const Placement& pl, double pitch_mm, Warp warp) {
  // Bounding box of the foot (x -60..60, y -10..250 in the foot frame) on the mat.
  double xmin = 1e9, xmax = -1e9, ymin = 1e9, ymax = -1e9;
  for (double fx : {-60.0, 60.0})
    for (double fy : {-10.0, 250.0}) {
      const Eigen::Vector2d q = pl.from_foot({fx, fy});
      xmin = std::min(xmin, q.x()), xmax = std::max(xmax, q.x());
      ymin = std::min(ymin, q.y()), ymax = std::max(ymax, q.y());
    }
  stats::Grid g;
  g.pitch_x_mm = g.pitch_y_mm = pitch_mm;
  g.origin_x_mm = std::floor(xmin / pitch_mm) * pitch_mm;
  g.origin_y_mm = std::floor(ymin / pitch_mm) * pitch_mm;
  g.cols = static_cast<int>(std::ceil((xmax - g.origin_x_mm) / pitch_mm));
  g.rows = static_cast<int>(std::ceil((ymax - g.origin_y_mm) / pitch_mm));
  stats::Image im = stats::Image::zeros(g);
  for (int r = 0; r < g.rows; ++r)
    for (int c = 0; c < g.cols; ++c) {
      double s = 0;
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
          const Eigen::Vector2d q(g.origin_x_mm + (c + (j + 0.5) / 4) * pitch_mm,
                                  g.origin_y_mm + (r + (i + 0.5) / 4) * pitch_mm);
          const Eigen::Vector2d p = warp(pl.to_foot(q));
          s += foot_field_kpa(p.x(), p.y());
        }
      const double v = s / 16;
      im.values(r, c) = v > 2.0 ? v : 0.0;  // a mat's noise floor: nothing below 2 kPa
    }
  return im;
}

inline stats::Image mat_image(const Placement& pl, double pitch_mm) {
  return mat_image(pl, pitch_mm, [](const Eigen::Vector2d& p) { return p; });
}

/// Standard normal draws from mt19937_64 by Box-Muller (portable, unlike std::normal_distribution).
class Normal {
 public:
  explicit Normal(std::uint64_t seed) : rng_(seed) {}
  double operator()() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = (static_cast<double>(rng_() >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2 * 3.14159265358979323846 * u2);
    has_spare_ = true;
    return r * std::cos(2 * 3.14159265358979323846 * u2);
  }

 private:
  std::mt19937_64 rng_;
  double spare_ = 0;
  bool has_spare_ = false;
};

/// Smooth Gaussian noise on a rows x cols grid (pitch 1 mm): white noise smoothed with a Gaussian
/// of `sigma_px`, rescaled to unit variance at the centre.
inline stats::Image smooth_noise(Normal& normal, int rows, int cols, double sigma_px) {
  stats::Grid g;
  g.rows = rows, g.cols = cols;
  stats::Image im = stats::Image::zeros(g);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) im.values(r, c) = normal();
  stats::Image s = stats::gaussian_smooth(im, sigma_px);
  // Variance of smoothed unit white noise: sum of squared kernel weights ~ 1 / (4 pi sigma^2).
  s.values *= std::sqrt(4 * 3.14159265358979323846 * sigma_px * sigma_px);
  return s;
}

}  // namespace insole::test
