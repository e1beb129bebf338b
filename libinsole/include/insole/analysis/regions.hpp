#pragma once
// Toe line and anatomical regions of one footprint, in the foot frame.
//
// Toe line: the least-pressure path across the foot between the forefoot and the toes, found by
// dynamic programming on the foot-aligned peak footprint (one ap position per 1 mm ml column,
// moving at most one cell per column) inside toe_band_from..toe_band_to of the foot length.
// Gaps in contact cost nothing, but only when there is contact in front of them (a path may not
// run in front of the toes). This is the idea of pressuRe's automask_novel toe line [C], written
// independently. Toes are accepted when the path runs through a valley (its mean peak pressure is
// below toe_valley_ratio of the mean in front of and behind it) and the part in front holds at
// least min_toe_area_fraction of the contact; otherwise the footprint has no toe region.
//
// Regions (sensels are assigned whole, by their centre):
//  * toes / hallux / lesser_toes: in front of the toe line; hallux = medial hallux_width_fraction
//    of the toes' width (pedar_mask2 in pressuRe [C], after JFAR 2014;7:18).
//  * hindfoot / midfoot / forefoot: thirds of the toe-less length along the axis, the
//    Cavanagh & Rodgers 1987 construction (rearfoot C, midfoot B, forefoot A). With toes about a
//    fifth of the length, the cuts fall near 27 % and 53 % of foot length, close to pressuRe's
//    automask_simple (27 % / 55 %) [C].
//  * mth1..mth5: the forefoot third split medial -> lateral by rays, the construction of pressuRe's
//    automask_novel (which approximates the Novel automask) [C], written independently. A medial
//    edge line joins the most medial contact of the heel band (10-30 % of foot length) and of the
//    medial forefoot band (60-80 %); a lateral edge line joins the most lateral contact of the heel
//    band and of the lateral forefoot band (55-75 %). The ray boundaries MTH1|2 .. MTH4|5 are the
//    medial line rotated about the lines' intersection by 0.30, 0.47, 0.64 and 0.81 of the angle
//    between them. Parallel edge lines are the limit of this construction: the cuts then lie at
//    those fractions of the distance between the lines. Ties (a straight edge) take the middle of
//    the tied sensels along the axis.
//  * medial / lateral: either side of the long axis (heel centre -> forefoot centre).
//  * whole_foot, toeless.

#include <Eigen/Core>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "insole/analysis/footfall.hpp"
#include "insole/analysis/frame_view.hpp"
#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"
#include "insole/core/sensor_layout.hpp"

namespace insole::analysis {

namespace region {
inline constexpr std::string_view whole_foot = "whole_foot";
inline constexpr std::string_view toeless = "toeless";
inline constexpr std::string_view hindfoot = "hindfoot";
inline constexpr std::string_view midfoot = "midfoot";
inline constexpr std::string_view forefoot = "forefoot";
inline constexpr std::string_view toes = "toes";
inline constexpr std::string_view hallux = "hallux";
inline constexpr std::string_view lesser_toes = "lesser_toes";
inline constexpr std::string_view medial = "medial";
inline constexpr std::string_view lateral = "lateral";
inline constexpr std::array<std::string_view, 5> mth = {"mth1", "mth2", "mth3", "mth4", "mth5"};
}  // namespace region

struct RegionParams {
  /// Sensels with peak pressure above this (kPa) are contact.
  double contact_threshold_kpa = 0.0;
  /// Raster cell of the foot-aligned footprint (mm).
  double cell_mm = 1.0;
  /// Where the toe line is searched, fractions of foot length from the heel.
  double toe_band_from = 0.60;
  double toe_band_to = 0.95;
  /// Less contact than this fraction in front of the toe line: no toes found.
  double min_toe_area_fraction = 0.02;
  /// The mean peak pressure along the toe line must be below this fraction of the mean peak
  /// pressure both in front of it (toes) and behind it (forefoot band); otherwise no toes.
  double toe_valley_ratio = 0.5;
  /// Medial fraction of the toes' width that is the hallux (pedar_mask2 [C]).
  double hallux_width_fraction = 0.35;
  /// Medial -> lateral ray boundaries MTH1|2 .. MTH4|5, fractions of the angle between the medial
  /// and the lateral edge lines (pressuRe automask_novel [C]).
  std::array<double, 4> mth_cuts = {0.30, 0.47, 0.64, 0.81};
  /// Bands of foot length (from the heel) whose extreme contacts define the edge lines
  /// (pressuRe automask_novel edge_lines [C]).
  std::array<double, 2> heel_edge_band = {0.10, 0.30};
  std::array<double, 2> medial_edge_band = {0.60, 0.80};
  std::array<double, 2> lateral_edge_band = {0.55, 0.75};
};

struct Region {
  std::string name;
  std::vector<Eigen::Index> sensels;  ///< layout indices
  double area_mm2 = 0.0;              ///< sum of the sensels' areas
};

struct RegionMasks {
  std::vector<Region> regions;  ///< in the order of region:: above
  bool toes_found = false;
  /// Toe line in foot coordinates (ml_mm, ap_mm), one point per raster column, medial last.
  std::vector<Eigen::Vector2d> toe_line_foot_mm;
  /// Ap extent of the toe-less footprint (sensel rectangles), mm from frame.heel_mm.
  double toeless_ap_min_mm = 0.0;
  double toeless_ap_max_mm = 0.0;
  /// Ap of the hindfoot|midfoot and midfoot|forefoot cuts (thirds of the toe-less length).
  std::array<double, 2> thirds_ap_mm = {0.0, 0.0};
  /// Edge lines of the MTH rays in foot coordinates (ml_mm, ap_mm): heel medial, forefoot medial,
  /// heel lateral, forefoot lateral points. Unset (false) when a band has no contact; the
  /// forefoot is then cut at the same fractions of its width.
  bool mth_rays = false;
  std::array<Eigen::Vector2d, 4> edge_points_foot_mm = {Eigen::Vector2d::Zero(), Eigen::Vector2d::Zero(),
                                                        Eigen::Vector2d::Zero(), Eigen::Vector2d::Zero()};
  /// Angle between the medial and the lateral edge lines (deg, > 0 when they open towards the toes).
  double mth_alpha_deg = 0.0;
  std::string scheme;  ///< short description with sources

  /// The region with that name; throws std::out_of_range when unknown (programmer error).
  const Region& at(std::string_view name) const;
  const Region* find(std::string_view name) const noexcept;
};

/// Regions of a grid footprint. Errors: unsupported for sensor sets, no_data without contact.
Result<RegionMasks> make_regions(const SensorLayout& layout, const Eigen::VectorXf& peak_kpa,
                                 const std::vector<Eigen::Index>& sensels, const FootFrame& frame,
                                 const RegionParams& params = {});

/// Per-region variables of one footfall (definitions as in pressuRe mask_analysis [C], with both
/// published pressure-time integrals named).
struct RegionMetrics {
  std::string region;
  double peak_pressure_kpa = 0.0;   ///< max over time of the region's highest sensel
  /// max over time of F_region(t) / contact_area_mm2 (pressuRe "mean pressure" [C]).
  double mean_pressure_kpa = 0.0;
  double max_force_n = 0.0;         ///< max over time of sum(p * A)
  double contact_area_mm2 = 0.0;    ///< max over time of the loaded sensels' area
  /// Share of the footfall's duration during which any sensel of the region is loaded (%),
  /// counted in frames (Putti 2008 Gait Posture 27:501 reports contact time as % of stance).
  double contact_time_percent = 0.0;
  /// PTI, Novel definition: sum over frames of (max region pressure) * frame interval (kPa s).
  double pti_novel_kpa_s = 0.0;
  /// PTI, Melai definition: FTI / contact area (kPa s) (Melai et al. 2011, via pressuRe [C]).
  double pti_melai_kpa_s = 0.0;
  double fti_n_s = 0.0;             ///< force-time integral, trapezoidal (N s)
  double time_of_peak_s = 0.0;      ///< instant of peak pressure, stream time
  double time_of_peak_percent = 0.0;  ///< same, % of the footfall's duration
};

struct RegionMetricsParams {
  /// A sensel counts as loaded above this pressure (kPa), for contact area and contact time.
  double active_threshold_kpa = 5.0;
};

/// One entry per region of `masks`, same order. Frames are ff.first_frame..ff.last_frame.
std::vector<RegionMetrics> region_metrics(const FrameView& stream, const Footfall& ff,
                                          const RegionMasks& masks,
                                          const RegionMetricsParams& params = {});

/// Sampling interval of frame f: to the next frame, or from the previous one for the last
/// frame, or 1 / the stream's rate for a stream of one frame (0 without a rate).
double frame_interval_s(const FrameView& frames, Eigen::Index f);

/// region_metrics a frame at a time: a contact measured over several analysis windows (a long
/// standing trial) gives what one pass over all its frames would, holding none of them.
class RegionMetricsAccumulator {
 public:
  RegionMetricsAccumulator(const RegionMasks& masks, const Eigen::VectorXd& areas_mm2,
                           const RegionMetricsParams& params = {});
  /// Adds frame f of `frames`, which comes after every frame added so far.
  void add(const FrameView& frames, Eigen::Index f);
  /// The metrics of the frames added; `last_interval_s` is the last frame's sampling interval
  /// (frame_interval_s of the frames it came from).
  std::vector<RegionMetrics> finish(double last_interval_s) const;
  Eigen::Index frames() const noexcept { return frames_; }
  double last_time_s() const noexcept { return last_t_; }
  /// The interval between the last two frames added (0 before the second frame).
  double last_step_s() const noexcept { return last_step_; }

 private:
  struct State {
    RegionMetrics m;
    double prev_force = 0.0, max_force = 0.0;
    float last_pmax = 0.0f;  // its interval is known once the next frame comes
    Eigen::Index loaded_frames = 0;
  };
  std::vector<std::vector<Eigen::Index>> sensels_;  // of each region
  std::vector<std::vector<double>> areas_;          // of those sensels (mm^2)
  float thr_;
  std::vector<State> state_;
  Eigen::Index frames_ = 0;
  double first_t_ = 0.0, last_t_ = 0.0, last_step_ = 0.0;
};

}  // namespace insole::analysis
