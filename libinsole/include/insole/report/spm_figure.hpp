#pragma once
// The figure of a pixel-level test (docs/statistics.md, "Figures"): the statistic map on its grid
// seen from above (toes up, x to the subject's right) in a diverging colour scale, pixels outside
// the analysis grey; the family-wise threshold marked on the colour bar; the clusters beyond it
// (SpmResult::peak_clusters) outlined in black, numbered, and listed with their size, FWE p and
// nearest anatomical region. PNG or PDF through Cairo, written atomically.

#include <Eigen/Core>
#include <filesystem>

#include "insole/core/result.hpp"
#include "insole/stats/spm.hpp"

namespace insole::report {

enum class FigureFormat { png, pdf };

/// From the file name: .png or .pdf (any case); invalid_argument naming the file otherwise.
Result<FigureFormat> figure_format_of(const std::filesystem::path& path);

/// PNG pixels per point (PDF units are points).
inline constexpr double kFigurePngPixelsPerPt = 2.0;

/// Where things are on the figure, in points from its top-left corner.
struct SpmFigureGeometry {
  double width_pt = 0, height_pt = 0;
  double map_x_pt = 0, map_y_pt = 0, map_w_pt = 0, map_h_pt = 0;  ///< the map's box
  double bar_x_pt = 0, bar_w_pt = 0;                              ///< colour bar (same height as the map)
  double pt_per_mm = 1;
  double x0_mm = 0, y_top_mm = 0;  ///< grid's left edge and top (toe-side) edge
  double t_max = 1;                ///< colour scale: -t_max (blue) .. 0 (white) .. +t_max (red)

  /// The page point of a grid position in mm (y grows towards the toes, upwards on the page).
  Eigen::Vector2d page_point(double x_mm, double y_mm) const {
    return {map_x_pt + (x_mm - x0_mm) * pt_per_mm, map_y_pt + (y_top_mm - y_mm) * pt_per_mm};
  }
  /// The page height of statistic t on the colour bar.
  double bar_y(double t) const { return map_y_pt + map_h_pt * (0.5 - 0.5 * t / t_max); }
};

SpmFigureGeometry spm_figure_geometry(const stats::SpmResult& result);

/// Colour of statistic t on the scale: white at 0, towards red (t > 0) or blue (t < 0), full at
/// |t| >= t_max.
struct FigureRgb {
  double r, g, b;
};
FigureRgb statistic_colour(double t, double t_max) noexcept;

/// Writes the figure. Errors: invalid_argument for a result without a statistic map, io_error /
/// not_found from the file system; an existing file is replaced only by a complete figure.
Status write_spm_figure(const stats::SpmResult& result, const std::filesystem::path& path, FigureFormat format);

}  // namespace insole::report
