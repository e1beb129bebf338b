#pragma once
// Footfall and FootFrame: the two types every analysis step shares. A footfall is one foot
// contact in space and time; a foot frame is that foot's own coordinate system, so that every
// metric is computed independently of where and how the foot lies on a mat.

#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

#include "insole/core/side.hpp"

namespace insole::analysis {

/// Why the segmentation flagged a footfall, as data (reject_reason says the same in words). A
/// footfall can be cut in space (it touches the edge of the sensing area or an absent sensel, so
/// part of the foot was not seen) and/or in time (loaded in the first frame of the recording or
/// analysis window, or still loaded in its last), and can be too short or too small to be a step.
struct FootfallFlags {
  bool edge = false;           ///< touches the edge of the sensing area
  bool absent_sensel = false;  ///< touches an absent (masked) sensel
  bool time_start = false;     ///< already loaded in the first frame
  bool time_end = false;       ///< still loaded in the last frame
  bool too_short = false;      ///< fewer frames than SegmentationParams::min_contact_frames
  bool too_small = false;      ///< smaller footprint than min_footprint_area_mm2

  bool cut_in_space() const noexcept { return edge || absent_sensel; }
  bool cut_in_time() const noexcept { return time_start || time_end; }
  bool partial() const noexcept { return cut_in_space() || cut_in_time(); }
  bool too_short_or_small() const noexcept { return too_short || too_small; }
};

/// One contact of one foot. On a mat: the sensels under that foot during [first, last] frames.
/// On an insole: one stance phase, all sensels of the stream.
struct Footfall {
  std::size_t stream = 0;             ///< index into Recording::streams
  Side side = Side::unknown;
  Eigen::Index first_frame = 0;       ///< stream frame index of initial contact (inclusive)
  Eigen::Index last_frame = 0;        ///< stream frame index of toe-off (inclusive)
  double start_s = 0.0;               ///< time of first_frame
  double end_s = 0.0;                 ///< time of last_frame
  std::vector<Eigen::Index> sensels;  ///< sensel indices (layout order) belonging to this foot
  /// Touches the sensing edge or the recording's start/end (flags.partial()); the analysis clears
  /// it for a standing contact that is only cut in time (flags keep what was seen).
  bool partial = false;
  FootfallFlags flags;                ///< what the segmentation flagged, as data
  std::string reject_reason;          ///< why it is excluded from aggregates ("" = used)
  std::string side_reason;            ///< how the side was decided (alternation, shape, stream)
};

/// The foot's own frame, in the layout's millimetre coordinates.
/// u = unit vector along the long axis (heel -> 2nd toe); v = unit vector pointing medially.
/// Foot coordinates of a point p: ap = (p - heel_mm).dot(u) (0 at the heel's most posterior
/// contact, increasing towards the toes), ml = (p - heel_mm).dot(v) (positive = medial).
struct FootFrame {
  Eigen::Vector2d heel_mm = Eigen::Vector2d::Zero();  ///< most posterior point on the axis
  Eigen::Vector2d u = Eigen::Vector2d::UnitY();       ///< heel -> toe
  Eigen::Vector2d v = Eigen::Vector2d::UnitX();       ///< lateral -> medial
  double length_mm = 0.0;   ///< heel to most anterior contact along u (Mondopoint-like)
  double width_mm = 0.0;    ///< maximal extent along v
  std::string method;       ///< how the axis was found, e.g. "pca+heel-forefoot refinement"
  /// False when the evidence could not tell the heel end from the toe end (standing footprints
  /// whose cues disagree, foot_frame.hpp): the axis line is right, its direction is a guess, so
  /// every measure that needs the heel end (arch indices, load shares, COP position, medial side)
  /// must not be reported. heel_end_reason says what the evidence was.
  bool heel_end_known = true;
  std::string heel_end_reason;

  /// (ml_mm, ap_mm) of a point given in layout coordinates.
  Eigen::Vector2d to_foot(const Eigen::Vector2d& p_mm) const {
    const Eigen::Vector2d d = p_mm - heel_mm;
    return {d.dot(v), d.dot(u)};
  }
};

}  // namespace insole::analysis
