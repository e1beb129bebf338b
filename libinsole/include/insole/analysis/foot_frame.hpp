#pragma once
// The foot's own frame (long axis, heel/toe direction, medial side, length and width), found from
// the accumulated (peak) footprint alone, so every metric computed in it is independent of where
// and how the foot lies on a mat.
//
// Reference definition of the long axis: heel centre -> tip of the 2nd toe (Cavanagh & Rodgers
// 1987 J Biomech 20(5):547, as described by van Schie & Boulton 2000). Automatic methods here:
//  * pca_refined (default): principal axis of the contact area (area-weighted sensel centres),
//    then refined: heel centre = centroid of the contact in the posterior heel band
//    (0..heel_band of the length), forefoot centre = centroid of the contact in the metatarsal-head
//    band (forefoot_band); the axis is heel centre -> forefoot centre, recomputed
//    `refine_iterations` times. The metatarsal-head centroid lies between the 2nd and 3rd
//    metatarsal heads, so this axis is within a few degrees of heel -> 2nd toe and, unlike the
//    principal axis, is not pulled by the toes or by how much of the arch is in contact.
//  * pca: principal axis of the contact area only (as in the PabRD CPEI code [C]).
//  * min_bbox: long side of the minimum-area bounding rectangle (pressuRe getMinBBox [C]).
// Heel vs toe end: decided by the time course whenever the loading sequence is given (LoadTiming):
// in walking the heel is loaded first and unloaded first and the COP travels heel -> toe, so the
// end of the axis where the last-unloaded sensels lie is the toe end (see FootFrameParams). A
// toe-walker's first-loaded sensels lie under the forefoot and the last-unloaded ones under the
// toes, which still points the right way. Only without a usable sequence (a single static
// footprint, or a contact already loaded when the recording started and still loaded at its end)
// does the shape decide: the metatarsal-head band is wider than the heel band (contact area in
// 5-25 % vs 60-80 % of the length along the axis). The shape rule fails on some pronated and
// supinated footprints, whose heel band can carry as much contact as the forefoot band.
// Medial side: from the given side (right foot: medial is to the subject's left of u). With
// Side::unknown the side is estimated from the footprint's shape (side_from_shape).
// Layout coordinates are taken as seen from above (x to the right, y forward, as for sensor sets);
// a mirrored grid would swap left and right.
//
// Length is the extent along u of the contact (sensel rectangles, toes included): the footprint
// analogue of ISO 9407 foot length (Mondopoint, mm). It under-reads when the toe tips do not load.
// Width is the extent along v.

#include <Eigen/Core>
#include <string>
#include <vector>

#include "insole/analysis/footfall.hpp"
#include "insole/core/result.hpp"
#include "insole/core/sensor_layout.hpp"
#include "insole/core/side.hpp"

namespace insole::analysis {

enum class AxisMethod { pca_refined, pca, min_bbox };

/// When each sensel carried load during one footfall (stream time, s), dense over the layout like
/// the peak footprint: NaN where the sensel was never loaded above the segmentation threshold.
/// Made by load_timing() (segmentation.hpp) from frames, or by the mat segmenter as it goes.
struct LoadTiming {
  Eigen::VectorXd first_loaded_s;
  Eigen::VectorXd last_loaded_s;
};

struct FootFrameParams {
  AxisMethod method = AxisMethod::pca_refined;
  /// Sensels with peak pressure above this (kPa) are contact. 0 = any load (pressuRe on plates).
  double contact_threshold_kpa = 0.0;
  /// Posterior band whose contact centroid is the heel centre, fraction of length.
  double heel_band = 0.15;
  /// Band whose contact centroid is the forefoot (metatarsal-head) centre, fractions of length.
  double forefoot_band_from = 0.60;
  double forefoot_band_to = 0.80;
  int refine_iterations = 3;
  /// Fewer contact sensels than this: no frame (error no_data).
  int min_contact_sensels = 12;
  /// Loading sequence: the first-loaded sensels are the earliest `timing_share` of the timed
  /// contact area by first-loaded time, the last-unloaded ones the latest share by last-loaded
  /// time (ties included). The toe end is where the last-unloaded centroid lies, when the two
  /// centroids are at least `timing_min_separation` x length apart along the axis and neither
  /// set covers more than half of the contact (otherwise the contact was loaded or unloaded all at
  /// once, e.g. standing, and the shape decides).
  double timing_share = 0.2;
  double timing_min_separation = 0.15;
};

/// Foot frame of one footprint (grid layouts, or sensor sets with geometry). With `timing`
/// (the footfall's loading sequence, sizes equal to the layout's sensor count) the heel end comes
/// from the time course; without it, or when it is not decisive, from the shape.
Result<FootFrame> foot_frame(const SensorLayout& layout, const Eigen::VectorXf& peak_kpa,
                             const std::vector<Eigen::Index>& sensels, Side side,
                             const FootFrameParams& params = {},
                             const LoadTiming* timing = nullptr);

/// Shape evidence for the side of a footprint, given a frame whose u is correct (v is ignored).
struct SideVote {
  /// In [-1, 1]: positive = right foot, negative = left, near 0 = undecided.
  double score = 0.0;
  /// Lateral-midfoot vote: (area on the subject's-right half - left half) / total, midfoot band
  /// 35-60 % of length. The lateral midfoot carries the contact (pressuRe auto_detect_side [C]).
  double midfoot = 0.0;
  /// Toe vote: the medial toes (hallux) reach further forward than the lateral ones.
  double toes = 0.0;
};
SideVote side_from_shape(const SensorLayout& layout, const Eigen::VectorXf& peak_kpa,
                         const std::vector<Eigen::Index>& sensels, const FootFrame& frame,
                         double contact_threshold_kpa = 0.0);

/// Unit vector to the subject's right when facing along u (layout seen from above).
inline Eigen::Vector2d right_of(const Eigen::Vector2d& u) { return {u.y(), -u.x()}; }

/// Angle of the frame's long axis in the layout, degrees counter-clockwise from +y, in (-180, 180].
double axis_angle_deg(const FootFrame& frame);

}  // namespace insole::analysis
