#pragma once
// Hand-built footprints for the footprint tests: rectangles and ellipses of uniform pressure in
// foot-local coordinates (x to the subject's right, y from the heel towards the toes, mm), placed
// on a grid at any angle and position and sampled like a real sensel (the mean over a fine
// sub-grid inside the sensel), so that expected areas and widths can be computed on paper.

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <vector>

#include "insole/core/recording.hpp"
#include "insole/core/sensor_layout.hpp"

namespace insole::test {

struct Shape {
  struct Box {
    double x0, x1, y0, y1, kpa;
  };
  struct Ellipse {
    double cx, cy, rx, ry, kpa;
  };
  std::vector<Box> boxes;
  std::vector<Ellipse> ellipses;

  double at(double x, double y) const {
    double p = 0.0;
    for (const auto& b : boxes)
      if (x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1) p = std::max(p, b.kpa);
    for (const auto& e : ellipses) {
      const double dx = (x - e.cx) / e.rx, dy = (y - e.cy) / e.ry;
      if (dx * dx + dy * dy <= 1.0) p = std::max(p, e.kpa);
    }
    return p;
  }
};

/// Where the shape's origin lies on the grid (mm) and the direction of its +y axis,
/// counter-clockwise from the grid's +y, in degrees.
struct Placement {
  Eigen::Vector2d origin_mm = Eigen::Vector2d::Zero();
  double angle_deg = 0.0;
  Eigen::Vector2d u() const {
    const double a = angle_deg * M_PI / 180.0;
    return {-std::sin(a), std::cos(a)};
  }
  Eigen::Vector2d right() const {
    const Eigen::Vector2d d = u();
    return {d.y(), -d.x()};
  }
  Eigen::Vector2d to_grid(double x, double y) const { return origin_mm + x * right() + y * u(); }
};

/// Mean of the shape's pressure over each sensel (sub x sub samples per sensel).
inline Eigen::VectorXf render(const SensorLayout& layout, const Shape& shape, const Placement& at,
                              int sub = 8) {
  // Plain doubles in the inner loop: the tests run unoptimised under the sanitizers.
  Eigen::VectorXf out = Eigen::VectorXf::Zero(layout.sensor_count());
  const Eigen::Vector2d u = at.u(), r = at.right();
  const double ux = u.x(), uy = u.y(), rx = r.x(), ry = r.y();
  const double ox = at.origin_mm.x(), oy = at.origin_mm.y();
  const double pc = layout.col_pitch_mm(), pr = layout.row_pitch_mm();
  // Only sensels near the shape's bounding box can be covered.
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  auto grow = [&](double lx0, double lx1, double ly0, double ly1) {
    for (double lx : {lx0, lx1})
      for (double ly : {ly0, ly1}) {
        const double gx = ox + lx * rx + ly * ux, gy = oy + lx * ry + ly * uy;
        x0 = std::min(x0, gx);
        x1 = std::max(x1, gx);
        y0 = std::min(y0, gy);
        y1 = std::max(y1, gy);
      }
  };
  for (const auto& b : shape.boxes) grow(b.x0, b.x1, b.y0, b.y1);
  for (const auto& e : shape.ellipses) grow(e.cx - e.rx, e.cx + e.rx, e.cy - e.ry, e.cy + e.ry);
  const int c0 = std::max(0, static_cast<int>(std::floor(x0 / pc)) - 1);
  const int c1 = std::min(layout.cols() - 1, static_cast<int>(std::floor(x1 / pc)) + 1);
  const int r0 = std::max(0, static_cast<int>(std::floor(y0 / pr)) - 1);
  const int r1 = std::min(layout.rows() - 1, static_cast<int>(std::floor(y1 / pr)) + 1);
  for (int row = r0; row <= r1; ++row)
    for (int col = c0; col <= c1; ++col) {
      double sum = 0.0;
      for (int i = 0; i < sub; ++i)
        for (int j = 0; j < sub; ++j) {
          const double dx = (col + (j + 0.5) / sub) * pc - ox;
          const double dy = (row + (i + 0.5) / sub) * pr - oy;
          sum += shape.at(dx * rx + dy * ry, dx * ux + dy * uy);
        }
      out[layout.index(row, col)] = static_cast<float>(sum / (sub * sub));
    }
  return out;
}

inline std::vector<Eigen::Index> all_sensels(const SensorLayout& layout) {
  std::vector<Eigen::Index> v;
  for (Eigen::Index s = 0; s < layout.sensor_count(); ++s) v.push_back(s);
  return v;
}

/// The rectangle foot of the arch tests (uniform 100 kPa, symmetric about x = 0):
/// heel 60 x 80 mm (y 0..80), a midfoot strip 20 mm wide (y 80..160, x -10..10),
/// forefoot 90 x 80 mm (y 160..240); optional toes (150 kPa): a 10 mm gap, then five 10 x 30 mm
/// toes (y 250..280) separated by 10 mm. All edges are multiples of 5 mm, so on a 5 mm grid at
/// 0 degrees every sensel is either fully inside or fully outside.
inline Shape rectangle_foot(bool toes) {
  Shape s;
  s.boxes.push_back({-30, 30, 0, 80, 100});
  s.boxes.push_back({-10, 10, 80, 160, 100});
  s.boxes.push_back({-45, 45, 160, 240, 100});
  if (toes)
    for (int k = 0; k < 5; ++k) {
      const double x0 = -45 + k * 20.0;
      s.boxes.push_back({x0, x0 + 10, 250, 280, 150});
    }
  return s;
}

/// An asymmetric right foot whose reference axis is the local +y (heel centre x = 0 -> metatarsal
/// head centre x = 0): a lateral midfoot band (x 10..30) and a long hallux on the medial side
/// (x < 0), 275 mm long.
inline Shape asymmetric_right_foot() {
  Shape s;
  s.boxes = {{-30, 30, 0, 80, 100},      // heel
             {10, 30, 80, 130, 60},      // lateral midfoot band
             {-45, 45, 130, 230, 100},   // forefoot
             {-45, -20, 235, 275, 150},  // hallux (medial = -x for a right foot)
             {-15, 45, 235, 255, 80}};   // lesser toes
  return s;
}

/// The mirror image (x -> -x): a right foot becomes a left foot.
inline Shape mirrored(Shape s) {
  for (auto& b : s.boxes) {
    const double x0 = b.x0;
    b.x0 = -b.x1;
    b.x1 = -x0;
  }
  for (auto& e : s.ellipses) e.cx = -e.cx;
  return s;
}

}  // namespace insole::test
