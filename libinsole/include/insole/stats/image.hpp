#pragma once
// A pressure image on a regular grid in millimetres: the common currency of registration and
// pixel-level statistics. Images from mats of different pitch are compared by working in mm and
// resampling (bilinear) onto one grid.
//
// Pixel (r, c) has its centre at
//   x = origin_x_mm + (c + 0.5) * pitch_x_mm,   y = origin_y_mm + (r + 0.5) * pitch_y_mm,
// the grid convention of the recording format (docs/format.md) with an origin added. Values are
// in the image's unit (kPa for pressure, kPa s for PTI, % for contact time); outside the grid, and
// where a value is NaN, the image is taken as 0 (no contact), which is what a pressure mat reports
// beyond the foot.

#include <Eigen/Core>
#include <string>
#include <string_view>

#include "insole/core/result.hpp"

namespace insole::analysis {
struct FootImage;
}

namespace insole::stats {

/// Where the pixels of an image are, without the values.
struct Grid {
  int rows = 0;
  int cols = 0;
  double pitch_x_mm = 1.0;  ///< column spacing
  double pitch_y_mm = 1.0;  ///< row spacing
  double origin_x_mm = 0.0;
  double origin_y_mm = 0.0;

  double x_mm(double col) const noexcept { return origin_x_mm + (col + 0.5) * pitch_x_mm; }
  double y_mm(double row) const noexcept { return origin_y_mm + (row + 0.5) * pitch_y_mm; }
  /// Fractional column / row whose centre is at x / y.
  double col_at(double x) const noexcept { return (x - origin_x_mm) / pitch_x_mm - 0.5; }
  double row_at(double y) const noexcept { return (y - origin_y_mm) / pitch_y_mm - 0.5; }
  double pixel_area_mm2() const noexcept { return pitch_x_mm * pitch_y_mm; }
  bool same_as(const Grid& o, double tol_mm = 1e-9) const noexcept;
};

struct Image {
  Grid grid;
  Eigen::MatrixXd values;  ///< grid.rows x grid.cols

  int rows() const noexcept { return grid.rows; }
  int cols() const noexcept { return grid.cols; }
  /// An image of zeros on `g`.
  static Image zeros(const Grid& g);
};

/// Checks that an image is usable: positive finite pitches, values sized like the grid.
Status validate(const Image& image, std::string_view what);

/// Bilinear interpolation at (x, y) mm; 0 beyond the outermost pixel centres' neighbours and for
/// NaN pixels (no contact).
double sample_bilinear(const Image& image, double x_mm, double y_mm) noexcept;

/// The image resampled onto `grid` (bilinear, mm coordinates). When the target grid is coarser
/// than the source (pitch ratio above 1.5), the source is first smoothed with a Gaussian of
/// sigma = 0.5 x target pitch so that the coarser pixels average the field as a sensel would
/// instead of picking isolated points (anti-aliasing).
Image resample(const Image& image, const Grid& grid);

/// Separable Gaussian smoothing with standard deviation `sigma_mm` (per axis in pixels:
/// sigma / pitch), kernel truncated at 3 sigma, zeros beyond the edges. sigma <= 0: a copy.
Image gaussian_smooth(const Image& image, double sigma_mm);

/// The image mirrored left <-> right about its own centre line (columns reversed), so that a left
/// foot seen from above looks like a right foot. Origin and pitch are unchanged.
Image mirror_columns(const Image& image);

/// Parses a comma-separated grid of numbers (one image row per line, no header), the layout of the
/// MUN104 templates (docs/statistics.md). `pitch_mm` is the pixel spacing, which such files do not
/// carry. Errors name `source`, the line and the column.
Result<Image> parse_csv_image(std::string_view text, double pitch_mm, const std::string& source);

/// Which value of an analysis's per-foot image (analysis/foot_image.hpp) to take.
enum class FootValue {
  max_peak_kpa,        ///< highest peak pressure over the footfalls
  mean_peak_kpa,       ///< mean over footfalls of the peak pressure (pSPM's usual input)
  mean_pressure_kpa,   ///< mean over footfalls of the mean pressure during contact
  pti_kpa_s,           ///< mean pressure-time integral
  contact_percent,     ///< mean contact time, % of the contact
};

/// The per-foot image of an analysis as an Image in the toolkit's "seen from above" convention:
/// y = ap (mm from the heel, heel -> toe), x to the subject's right, so x = -ml for a right foot
/// and x = +ml for a left foot (ml is positive medial); Side::unknown and both are drawn as a
/// right foot. Pitch = the image's raster cell. Errors: unsupported for sensor-set images (one
/// cell per insole sensor, not a raster), no_data for an image without cells.
Result<Image> from_foot_image(const analysis::FootImage& image, FootValue value);

}  // namespace insole::stats
