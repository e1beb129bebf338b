#pragma once
// Centre of pressure (COP) of one footfall, and the compact per-footfall sample block every
// gait / pronation / equinus measure works on. A footfall's frames restricted to its own sensels
// are all that must be in memory to analyse it (analyze_stream relies on this).
//
// COP(t) = sum_i p_i(t) A_i r_i / sum_i p_i(t) A_i, r_i the sensel centre. Weighting by area makes
// it the centre of force, which equals the pressure centroid of metrics.md section 0 (Buldt 2018
// JFAR 11:3; McPoil & Cornwall JAPMA 93:142) on a regular grid and stays correct on irregular
// insoles whose cells differ in size.

#include <Eigen/Core>
#include <vector>

#include "insole/analysis/footfall.hpp"
#include "insole/analysis/frame_view.hpp"
#include "insole/core/recording.hpp"

namespace insole::analysis {

/// The frames of one footfall, restricted to its sensels. Absent sensels (NaN) are stored as 0.
struct FootfallSamples {
  Eigen::VectorXd time_s;        ///< [frames]
  Eigen::MatrixXf pressure_kpa;  ///< [frames x sensels], column j is sensel sensel_index[j]
  Eigen::MatrixX2d xy_mm;        ///< [sensels x 2] sensel centres in layout millimetres
  Eigen::VectorXd area_mm2;      ///< [sensels]
  std::vector<Eigen::Index> sensel_index;  ///< layout index of each column

  Eigen::Index frames() const noexcept { return time_s.size(); }
  /// Sum of p*A per frame in newtons (kPa * mm^2 = 1e-3 N).
  Eigen::VectorXd force_n() const;
};

/// Copies the frames [footfall.first_frame, footfall.last_frame] of `stream`, restricted to
/// footfall.sensels (all sensels with geometry when footfall.sensels is empty).
/// `frame_offset` is the stream frame index of row 0 of `pressure_kpa` / `time_s`, so that a
/// window of a long recording can be passed instead of the whole stream.
/// Throws std::out_of_range when the footfall is not inside the given rows (programmer error).
FootfallSamples extract_samples(const SensorLayout& layout, const Eigen::Ref<const Eigen::VectorXd>& time_s,
                                const Eigen::Ref<const FrameMatrix>& pressure_kpa,
                                const Footfall& footfall, Eigen::Index frame_offset = 0);
/// The same from any frame storage (frame_view.hpp); footfall frames are indices into `frames`.
FootfallSamples extract_samples(const FrameView& frames, const Footfall& footfall);

/// COP trajectory of a footfall in layout millimetres.
struct CopTrajectory {
  Eigen::VectorXd time_s;  ///< [n] only frames whose force reached the COP threshold
  Eigen::MatrixX2d xy_mm;  ///< [n x 2] COP, layout coordinates
  Eigen::VectorXd force_n; ///< [n] total force of those frames
};

struct CopParams {
  /// Frames whose total force is below this fraction of the footfall's peak force carry too few
  /// loaded sensels for a stable centroid and are left out (the first/last few milliseconds of
  /// contact). Design default; pressuRe's cop() keeps every frame with any load [C].
  double min_force_fraction = 0.05;
};

CopTrajectory cop_trajectory(const FootfallSamples& samples, const CopParams& params = {});

/// The trajectory in the foot's frame: column 0 = ml_mm (positive medial), column 1 = ap_mm.
Eigen::MatrixX2d cop_in_foot(const CopTrajectory& cop, const FootFrame& frame);

/// Length of the COP path in mm (sum of the segment lengths).
double cop_path_length_mm(const CopTrajectory& cop);

}  // namespace insole::analysis
