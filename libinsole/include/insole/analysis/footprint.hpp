#pragma once
// Footprint helpers shared by the foot frame, the regions and the arch measures: which sensels are
// in contact, the exact area of a grid sensel on one side of a line (partial sensels), and the peak
// footprint resampled on a raster aligned with the foot frame (for widths along the foot).

#include <Eigen/Core>
#include <vector>

#include "insole/analysis/footfall.hpp"
#include "insole/core/result.hpp"
#include "insole/core/sensor_layout.hpp"

namespace insole::analysis {

/// The sensels of `sensels` whose peak pressure is above threshold_kpa (NaN never counts).
std::vector<Eigen::Index> contact_sensels(const Eigen::VectorXf& peak_kpa,
                                          const std::vector<Eigen::Index>& sensels,
                                          double threshold_kpa);

/// Area (mm^2) of grid sensel `s` whose foot ap coordinate lies in [ap_lo, ap_hi): the sensel's
/// rectangle is clipped by the two lines perpendicular to the foot axis (exact polygon clipping).
double sensel_area_between_ap(const SensorLayout& layout, Eigen::Index s, const FootFrame& frame,
                              double ap_lo_mm, double ap_hi_mm);

/// Extent of grid sensel s along the foot axis for footprint limits: its centre's ap plus or minus
/// sensel_half_extent. Unlike the rectangle's corners this does not grow when the foot is rotated
/// on the grid, so lengths and third lines barely depend on the foot's orientation.
Eigen::Vector2d sensel_ap_span(const SensorLayout& layout, Eigen::Index s, const FootFrame& frame);
Eigen::Vector2d sensel_ml_span(const SensorLayout& layout, Eigen::Index s, const FootFrame& frame);
/// How far a footprint edge lies beyond the outermost loaded sensel centre along the unit
/// direction d: half a pitch when d is parallel to a grid axis (exact), falling to a quarter
/// pitch at 45 degrees, where the centres along an oblique edge come close to it
/// (h (1 - sin(2 theta) / 2), theta the angle to the nearest grid axis; an empirical blend that
/// keeps lengths within about a millimetre at any rotation on a 5 mm grid).
double sensel_half_extent(const SensorLayout& layout, const Eigen::Vector2d& d);

/// Range of the foot ap coordinate covered by grid sensel s (its rectangle's extreme corners).
Eigen::Vector2d sensel_ap_range(const SensorLayout& layout, Eigen::Index s, const FootFrame& frame);
/// Range of the foot ml coordinate covered by grid sensel s.
Eigen::Vector2d sensel_ml_range(const SensorLayout& layout, Eigen::Index s, const FootFrame& frame);

/// The peak footprint resampled, nearest sensel, on a raster aligned with the foot frame:
/// row i covers ap in [ap0 + i*cell, ap0 + (i+1)*cell), column j covers ml in
/// [ml0 + j*cell, ...) (ml positive medial). Cells outside the given sensels read 0.
struct AlignedFootprint {
  double cell_mm = 1.0;
  double ap0_mm = 0.0;
  double ml0_mm = 0.0;
  Eigen::MatrixXf pressure_kpa;  ///< [ap rows x ml cols]
  Eigen::MatrixXi sensel;        ///< layout sensel index sampled by each cell, -1 = none

  double ap_of_row(Eigen::Index i) const { return ap0_mm + (double(i) + 0.5) * cell_mm; }
  double ml_of_col(Eigen::Index j) const { return ml0_mm + (double(j) + 0.5) * cell_mm; }
};

/// Grid layouts only (an irregular sensor set has no footprint image): unsupported otherwise.
Result<AlignedFootprint> align_footprint(const SensorLayout& layout, const Eigen::VectorXf& peak_kpa,
                                         const std::vector<Eigen::Index>& sensels,
                                         const FootFrame& frame, double cell_mm = 1.0);

}  // namespace insole::analysis
