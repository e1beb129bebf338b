#pragma once
// Per-foot pressure images aggregated over the used footfalls, in the foot's own frame, so that a
// report (or the app, or Python) can draw the foot without going back to the frames.
//
// Each footfall gives, per sensel, its peak pressure, its mean pressure over the contact, its
// pressure-time integral (trapezoidal, kPa s) and its contact time (% of the contact with p above
// the active threshold). These are added into one image per foot (stream + side) and never kept
// per footfall, so memory does not grow with the recording's length:
//  * grids: a square raster in foot coordinates (cell = the smaller sensor pitch); each raster cell
//    takes the value of the sensel under its centre (nearest sensel of the layout), so a foot lying
//    at any angle on a mat is resampled upright without holes;
//  * sensor sets (insoles): one cell per sensor, at its centre in foot coordinates.
// Means divide by the number of footfalls accumulated (a cell a footfall did not load counts 0).
// Also kept: how often each cell fell in each anatomical region (grids), the arch-index thirds of
// each footfall (for their median) and the mean centre-of-pressure path of the walking footfalls
// (101 points, 0..100 % of the COP samples).

#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "insole/analysis/footfall.hpp"
#include "insole/core/sensor_layout.hpp"
#include "insole/core/side.hpp"

namespace insole::analysis {

struct FootfallSamples;
struct RegionMasks;

/// Per-sensel values of one footfall (temporary: folded into the foot's image, then cleared).
struct FootfallImage {
  std::vector<Eigen::Index> sensels;  ///< layout indices
  std::vector<float> peak_kpa, mean_kpa, pti_kpa_s, contact_percent;
  std::vector<Eigen::Vector2d> cop_foot_mm;  ///< 101 points (ml, ap) of the COP, walking only

  bool empty() const noexcept { return sensels.empty(); }
};

/// Per-sensel values and the resampled COP of one footfall. `cop_foot_mm` rows are (ml, ap).
FootfallImage footfall_image(const FootfallSamples& samples, const Eigen::MatrixX2d& cop_foot_mm, bool walking,
                             double active_threshold_kpa);
/// The per-sensel values of a footfall of `frames` frames over `duration_s` from its per-sensel
/// sums (a standing contact measured over several windows keeps these, not its frames): peak
/// (kPa), trapezoidal pressure-time integral (kPa s), frames above the active threshold. No COP.
FootfallImage footfall_image(std::vector<Eigen::Index> sensels, const Eigen::VectorXd& peak_kpa,
                             const Eigen::VectorXd& pti_kpa_s, const std::vector<Eigen::Index>& loaded_frames,
                             Eigen::Index frames, double duration_s);

/// Regions drawn in the report (the Cavanagh & Rodgers thirds and the toes).
inline constexpr std::array<const char*, 4> kImageRegions = {"hindfoot", "midfoot", "forefoot", "toes"};

struct ImageCell {
  double ml_mm = 0.0;        ///< centre, foot coordinates (positive medial)
  double ap_mm = 0.0;        ///< centre, mm from the heel
  double half_ml_mm = 0.0;   ///< half extent of the cell
  double half_ap_mm = 0.0;
  std::size_t footfalls = 0; ///< footfalls that loaded it
  double max_peak_kpa = 0.0;
  double sum_peak_kpa = 0.0;
  double sum_mean_kpa = 0.0;
  double sum_pti_kpa_s = 0.0;
  double sum_contact_percent = 0.0;
  std::array<std::uint32_t, 4> region_votes{};  ///< per kImageRegions
};

struct FootImage {
  std::string stream;
  Side side = Side::unknown;
  bool raster = false;                    ///< grid raster (true) or one cell per sensor
  double cell_mm = 0.0;                   ///< raster cell size
  std::size_t footfalls = 0;              ///< used footfalls accumulated
  std::map<std::int64_t, ImageCell> cells;
  std::vector<double> third_cb_ap_mm;     ///< per footfall with an arch measure
  std::vector<double> third_ba_ap_mm;
  std::array<Eigen::Vector2d, 101> cop_sum_mm{};
  std::size_t cop_footfalls = 0;

  double mean_peak_kpa(const ImageCell& c) const { return footfalls ? c.sum_peak_kpa / footfalls : 0.0; }
  double mean_pressure_kpa(const ImageCell& c) const { return footfalls ? c.sum_mean_kpa / footfalls : 0.0; }
  double pti_kpa_s(const ImageCell& c) const { return footfalls ? c.sum_pti_kpa_s / footfalls : 0.0; }
  double contact_percent(const ImageCell& c) const { return footfalls ? c.sum_contact_percent / footfalls : 0.0; }
  /// Index into kImageRegions of the region the cell fell in most often, -1 when none.
  int region_of(const ImageCell& c) const;
  /// The mean COP path (ml, ap), empty without walking footfalls.
  std::vector<Eigen::Vector2d> mean_cop_mm() const;
  /// Median ap of the hindfoot|midfoot and midfoot|forefoot cuts, when measured.
  std::optional<std::array<double, 2>> thirds_ap_mm() const;
};

/// Adds one used footfall (its image, frame and, on grids, region masks) to `image`.
void accumulate_image(FootImage& image, const SensorLayout& layout, const FootFrame& frame,
                      const FootfallImage& ff_image, const RegionMasks* masks);

}  // namespace insole::analysis
