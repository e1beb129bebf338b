#include "insole/sim/insole_layouts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace insole::sim {

namespace {

constexpr double kRefLengthMm = 260.0;

// Right insole outline at 260 mm foot length (x lateral, y heel->toe, mm in the foot frame):
// a few millimetres larger than the plantar contact of foot_model.cpp all round.
constexpr std::array<std::array<double, 2>, 20> kOutline{{
    {0, -3},   {20, 0},    {32, 16},   {36, 45},   {43, 105},  {53, 160},  {57, 188},
    {52, 214}, {40, 238},  {18, 260},  {-6, 265},  {-26, 262}, {-39, 250}, {-45, 225},
    {-47, 190}, {-41, 148}, {-34, 100}, {-33, 45}, {-29, 16},  {-19, 0},
}};

bool inside_polygon(double x, double y) {
  bool in = false;
  for (std::size_t i = 0, j = kOutline.size() - 1; i < kOutline.size(); j = i++) {
    const double xi = kOutline[i][0], yi = kOutline[i][1];
    const double xj = kOutline[j][0], yj = kOutline[j][1];
    if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) in = !in;
  }
  return in;
}

// Extent of the outline in x at height y (in the reference frame); {1, -1} when empty.
std::pair<double, double> row_extent(double y) {
  double lo = 1e9, hi = -1e9;
  for (double x = -60; x <= 60; x += 0.25)
    if (inside_polygon(x, y)) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  if (hi < lo) return {1, -1};
  return {lo, hi};
}

void check_length(double foot_length_mm) {
  if (!(foot_length_mm > 50 && foot_length_mm < 500))
    throw std::invalid_argument("insole layout: foot length must be within 50..500 mm, got " +
                                std::to_string(foot_length_mm));
}

}  // namespace

bool inside_insole_outline(double foot_length_mm, const Eigen::Vector2d& p) {
  const double k = foot_length_mm / kRefLengthMm;
  return inside_polygon(p.x() / k, p.y() / k);
}

SensorLayout insole_grid_layout(double foot_length_mm, double pitch_mm) {
  check_length(foot_length_mm);
  if (!(pitch_mm > 0.5 && pitch_mm < 50))
    throw std::invalid_argument("insole grid: pitch must be within 0.5..50 mm");
  const double k = foot_length_mm / kRefLengthMm;
  // Symmetric about the foot axis (x_foot = x_grid - cols*pitch/2), heel margin behind y = 0.
  const double half_width = 57.0 * k + pitch_mm;
  const int cols = static_cast<int>(std::ceil(2 * half_width / pitch_mm));
  const int rows = static_cast<int>(std::ceil((265.0 * k + kInsoleHeelMarginMm) / pitch_mm));
  SensorLayout layout = SensorLayout::grid(rows, cols, pitch_mm, pitch_mm).value();
  std::vector<bool> present(static_cast<std::size_t>(layout.sensor_count()));
  const double x0 = cols * pitch_mm / 2.0;
  for (Eigen::Index i = 0; i < layout.sensor_count(); ++i) {
    const Eigen::Vector2d c(layout.centres_mm()(i, 0) - x0, layout.centres_mm()(i, 1) - kInsoleHeelMarginMm);
    present[static_cast<std::size_t>(i)] = inside_insole_outline(foot_length_mm, c);
  }
  (void)layout.set_present(std::move(present));
  return layout;
}

SensorLayout insole_sensor_layout(double foot_length_mm, int sensors, Side side) {
  check_length(foot_length_mm);
  if (sensors != 16 && (sensors < 8 || sensors > 2000))
    throw std::invalid_argument("insole sensors: count must be 16 or 8..2000, got " +
                                std::to_string(sensors));
  const double k = foot_length_mm / kRefLengthMm;
  const double mirror = side == Side::left ? -1.0 : 1.0;
  std::vector<Eigen::Vector2d> xy;
  std::vector<double> area;
  if (sensors == 16) {
    // Sixteen 2.5 cm^2 sensors at anatomical sites (like Moticon-type insoles): 3 heel,
    // 3 midfoot (2 lateral, 1 medial), 5 metatarsal heads, 2 between heads, hallux, 2 toes.
    const double sites[16][2] = {{-12, 30}, {12, 30}, {0, 55},   {28, 95},  {34, 130}, {-22, 115},
                                 {-28, 187}, {-9, 191}, {8, 187}, {24, 181}, {40, 172},  {-18, 160},
                                 {18, 158},  {-24, 241}, {2, 232}, {24, 220}};
    for (const auto& s : sites) {
      xy.emplace_back(s[0] * k, s[1] * k);
      area.push_back(250.0 * k * k);
    }
  } else {
    // Rows across the outline, each cut into cells of about equal width: cells tile the insole
    // (like the pedar 99-cell insole), so the sensors together see nearly all the load.
    const double y_lo = -3, y_hi = 265;
    std::vector<double> widths;
    const int nrows_guess = std::max(2, static_cast<int>(std::round(std::sqrt(sensors * 268.0 / 90.0))));
    const double row_h = (y_hi - y_lo) / nrows_guess;
    double total_w = 0;
    for (int r = 0; r < nrows_guess; ++r) {
      const auto [lo, hi] = row_extent(y_lo + (r + 0.5) * row_h);
      widths.push_back(std::max(0.0, hi - lo));
      total_w += widths.back();
    }
    // Distribute the cells by width (largest remainder), at least one per non-empty row.
    std::vector<int> per_row(widths.size(), 0);
    int assigned = 0;
    for (std::size_t r = 0; r < widths.size(); ++r)
      if (widths[r] > 0) {
        per_row[r] = std::max(1, static_cast<int>(std::floor(sensors * widths[r] / total_w)));
        assigned += per_row[r];
      }
    while (assigned < sensors) {
      std::size_t best = 0;
      double best_w = -1;
      for (std::size_t r = 0; r < widths.size(); ++r)
        if (per_row[r] > 0 && widths[r] / per_row[r] > best_w) {
          best_w = widths[r] / per_row[r];
          best = r;
        }
      ++per_row[best];
      ++assigned;
    }
    while (assigned > sensors) {
      std::size_t best = 0;
      double best_w = 1e18;
      for (std::size_t r = 0; r < widths.size(); ++r)
        if (per_row[r] > 1 && widths[r] / per_row[r] < best_w) {
          best_w = widths[r] / per_row[r];
          best = r;
        }
      --per_row[best];
      --assigned;
    }
    for (std::size_t r = 0; r < widths.size(); ++r) {
      if (per_row[r] == 0) continue;
      const double y = y_lo + (static_cast<double>(r) + 0.5) * row_h;
      const auto [lo, hi] = row_extent(y);
      const double cw = (hi - lo) / per_row[r];
      for (int c = 0; c < per_row[r]; ++c) {
        xy.emplace_back((lo + (c + 0.5) * cw) * k, y * k);
        area.push_back(cw * row_h * k * k);
      }
    }
  }
  Eigen::MatrixX2d m(static_cast<Eigen::Index>(xy.size()), 2);
  Eigen::VectorXd a(static_cast<Eigen::Index>(xy.size()));
  for (std::size_t i = 0; i < xy.size(); ++i) {
    m(static_cast<Eigen::Index>(i), 0) = mirror * xy[i].x();
    m(static_cast<Eigen::Index>(i), 1) = xy[i].y();
    a[static_cast<Eigen::Index>(i)] = area[i];
  }
  return SensorLayout::sensors(std::move(m), std::move(a)).value();
}

}  // namespace insole::sim
