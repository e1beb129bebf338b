#include "insole/core/sensor_layout.hpp"

#include <cmath>
#include <string>

namespace insole {

namespace {
// Guards against absurd sizes from a corrupt header before any allocation.
constexpr long long kMaxSensels = 16'000'000;
}  // namespace

Result<SensorLayout> SensorLayout::grid(int rows, int cols, double row_pitch_mm,
                                        double col_pitch_mm) {
  if (rows <= 0 || cols <= 0)
    return make_error(Errc::invalid_argument, "grid needs positive rows and cols, got " +
                                                  std::to_string(rows) + "x" + std::to_string(cols));
  if (static_cast<long long>(rows) * cols > kMaxSensels)
    return make_error(Errc::invalid_argument, "grid of " + std::to_string(rows) + "x" +
                                                  std::to_string(cols) + " sensels is too large");
  if (!(row_pitch_mm > 0) || !(col_pitch_mm > 0) || !std::isfinite(row_pitch_mm) ||
      !std::isfinite(col_pitch_mm))
    return make_error(Errc::invalid_argument, "grid pitch must be positive and finite (mm)");
  SensorLayout l;
  l.kind_ = Kind::grid;
  l.rows_ = rows;
  l.cols_ = cols;
  l.row_pitch_mm_ = row_pitch_mm;
  l.col_pitch_mm_ = col_pitch_mm;
  const Eigen::Index n = Eigen::Index(rows) * cols;
  l.centres_mm_.resize(n, 2);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      l.centres_mm_(l.index(r, c), 0) = (c + 0.5) * col_pitch_mm;
      l.centres_mm_(l.index(r, c), 1) = (r + 0.5) * row_pitch_mm;
    }
  l.areas_mm2_ = Eigen::VectorXd::Constant(n, row_pitch_mm * col_pitch_mm);
  l.present_.assign(static_cast<std::size_t>(n), true);
  return l;
}

Result<SensorLayout> SensorLayout::sensors(Eigen::MatrixX2d xy_mm, Eigen::VectorXd area_mm2) {
  if (xy_mm.rows() == 0)
    return make_error(Errc::invalid_argument, "a sensor layout needs at least one sensor");
  if (xy_mm.rows() > kMaxSensels)
    return make_error(Errc::invalid_argument, "too many sensors: " + std::to_string(xy_mm.rows()));
  if (area_mm2.size() != xy_mm.rows())
    return make_error(Errc::invalid_argument,
                      "sensor layout has " + std::to_string(xy_mm.rows()) + " positions but " +
                          std::to_string(area_mm2.size()) + " areas");
  bool geometry = true;
  for (Eigen::Index i = 0; i < xy_mm.rows(); ++i) {
    const bool finite_xy = std::isfinite(xy_mm(i, 0)) && std::isfinite(xy_mm(i, 1));
    if (!finite_xy) geometry = false;
    if (!(area_mm2(i) > 0) || !std::isfinite(area_mm2(i))) {
      if (finite_xy)
        return make_error(Errc::invalid_argument, "sensor " + std::to_string(i) +
                                                      " has a non-positive or non-finite area");
      geometry = false;  // unknown geometry: position and area both unknown is allowed
    }
  }
  SensorLayout l;
  l.kind_ = Kind::sensors;
  l.rows_ = static_cast<int>(xy_mm.rows());
  l.cols_ = 1;
  l.has_geometry_ = geometry;
  l.centres_mm_ = std::move(xy_mm);
  l.areas_mm2_ = std::move(area_mm2);
  l.present_.assign(static_cast<std::size_t>(l.centres_mm_.rows()), true);
  return l;
}

Eigen::Index SensorLayout::present_count() const noexcept {
  Eigen::Index n = 0;
  for (bool p : present_) n += p ? 1 : 0;
  return n;
}

Status SensorLayout::set_present(std::vector<bool> present) {
  if (static_cast<Eigen::Index>(present.size()) != sensor_count())
    return make_error(Errc::invalid_argument,
                      "presence mask has " + std::to_string(present.size()) + " entries, layout has " +
                          std::to_string(sensor_count()) + " sensels");
  present_ = std::move(present);
  return {};
}

bool SensorLayout::operator==(const SensorLayout& o) const {
  if (kind_ != o.kind_ || rows_ != o.rows_ || cols_ != o.cols_ || present_ != o.present_ ||
      row_pitch_mm_ != o.row_pitch_mm_ || col_pitch_mm_ != o.col_pitch_mm_ ||
      centres_mm_.rows() != o.centres_mm_.rows())
    return false;
  // NaN-aware comparison: unknown positions compare equal to unknown positions.
  for (Eigen::Index i = 0; i < centres_mm_.size(); ++i) {
    const double a = centres_mm_.data()[i], b = o.centres_mm_.data()[i];
    if (!(a == b || (std::isnan(a) && std::isnan(b)))) return false;
  }
  for (Eigen::Index i = 0; i < areas_mm2_.size(); ++i) {
    const double a = areas_mm2_[i], b = o.areas_mm2_[i];
    if (!(a == b || (std::isnan(a) && std::isnan(b)))) return false;
  }
  return true;
}

}  // namespace insole
