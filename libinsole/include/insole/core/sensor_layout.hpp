#pragma once
// SensorLayout: where each sensel is and how large it is. One type for both regular grids
// (pressure mats, Tekscan insoles) and irregular sensor sets (pedar 99 cells, Moticon 16, ...).
//
// Coordinates are in millimetres. For a grid, sensel (r, c) has its centre at
//   x = (c + 0.5) * col_pitch_mm,  y = (r + 0.5) * row_pitch_mm
// in the grid's own frame; nothing about foot orientation on a mat is assumed.
// For a sensor set the coordinates are in the foot's frame: x increases towards the subject's
// right (so +x is lateral for a right foot and medial for a left foot), y from heel to toe.
// Sensors whose position is not known carry NaN coordinates (has_geometry() is then false).

#include <Eigen/Core>
#include <vector>

#include "insole/core/result.hpp"

namespace insole {

class SensorLayout {
 public:
  enum class Kind { grid, sensors };

  /// An empty layout (no sensels); mostly useful as a placeholder before assignment.
  SensorLayout() = default;

  /// Regular grid; pressure is stored row-major, sensel index = r * cols + c.
  static Result<SensorLayout> grid(int rows, int cols, double row_pitch_mm, double col_pitch_mm);
  /// Irregular sensor set: centre (x, y) in mm per sensor (NaN where unknown) and area in mm^2.
  static Result<SensorLayout> sensors(Eigen::MatrixX2d xy_mm, Eigen::VectorXd area_mm2);

  Kind kind() const noexcept { return kind_; }
  bool is_grid() const noexcept { return kind_ == Kind::grid; }
  /// Number of sensels (grid: rows * cols, including any marked absent).
  Eigen::Index sensor_count() const noexcept { return centres_mm_.rows(); }
  /// Grid rows / columns; a sensor set reports sensor_count() rows and one column.
  int rows() const noexcept { return rows_; }
  int cols() const noexcept { return cols_; }
  double row_pitch_mm() const noexcept { return row_pitch_mm_; }
  double col_pitch_mm() const noexcept { return col_pitch_mm_; }
  Eigen::Index index(int row, int col) const noexcept { return Eigen::Index(row) * cols_ + col; }

  /// Sensor centres, sensor_count() x 2 (x, y) in mm.
  const Eigen::MatrixX2d& centres_mm() const noexcept { return centres_mm_; }
  /// Sensor areas in mm^2.
  const Eigen::VectorXd& areas_mm2() const noexcept { return areas_mm2_; }
  /// True when every sensor has a finite position (always true for grids).
  bool has_geometry() const noexcept { return has_geometry_; }

  /// Sensels that physically exist (Tekscan marks trimmed-away cells 'B'); absent ones read NaN.
  const std::vector<bool>& present() const noexcept { return present_; }
  Eigen::Index present_count() const noexcept;
  /// Marks the given sensels absent; the mask must have sensor_count() entries.
  Status set_present(std::vector<bool> present);

  bool operator==(const SensorLayout& other) const;

 private:
  Kind kind_ = Kind::grid;
  int rows_ = 0;
  int cols_ = 0;
  double row_pitch_mm_ = 0;
  double col_pitch_mm_ = 0;
  bool has_geometry_ = true;
  Eigen::MatrixX2d centres_mm_;
  Eigen::VectorXd areas_mm2_;
  std::vector<bool> present_;
};

}  // namespace insole
