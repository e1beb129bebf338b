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
// toes, which still points the right way. Without a usable sequence (a single static
// footprint, or a contact already loaded when the recording started and still loaded at its end):
//  * walking footprints (FootFrameParams::standing false): the shape decides: the
//    metatarsal-head band is wider than the heel band (contact area in 5-25 % vs 60-80 % of the
//    length along the axis). This rule alone fails on some footprints (flat feet standing, some
//    pronated and supinated feet), whose heel band carries as much contact as the forefoot band;
//    in walking the analysis then rejects the contact when its COP runs toe to heel.
//  * standing footprints (standing true): three independent cues vote (standing_heel_end):
//    load (in quiet standing the rearfoot carries more of the load than the forefoot: 54-55 %
//    vs 44-46 % and higher peak pressure, n = 416 healthy adults, Ohlendorf et al. 2020 J Physiol
//    Anthropol 39:39; about 60 % heel in Cavanagh, Rodgers & Iiboshi 1987 Foot Ankle 7:262),
//    width (the heel is narrower than the ball of the foot: in typical adult footprints the heel
//    is about 60-65 % as wide as the ball, e.g. 60 vs 95 mm at 260 mm length; a proportion, not
//    a verified norm) and toes (the toes print as separate small islands at the
//    forefoot end, beyond the sulcus). The heel end is decided only when at least two cues are
//    decisive and none disagrees; otherwise FootFrame::heel_end_known is false with the evidence
//    in heel_end_reason, and the caller must not report measures that need the heel end.
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
  /// The footprint is from quiet standing: without a decisive loading sequence the heel end comes
  /// from the standing cues (standing_heel_end), and may stay undecided.
  bool standing = false;
  /// Load cue: the posterior half must carry at least 0.5 + standing_load_margin of the
  /// footprint's pressure-area sum (peak pressure x sensel area) to vote; the reference mean is
  /// 0.54-0.55 rearfoot (Ohlendorf 2020), so a forefoot-loaded stance leaves this cue undecided.
  double standing_load_margin = 0.03;
  /// Width cue: the ratio (heel-band width / ball-band width) of the two hypotheses must differ by
  /// at least this factor (heel ~60 mm vs ball ~95 mm in a 260 mm foot gives about 2.3).
  double standing_width_factor = 1.25;
  /// Toe cue: components of the contact smaller than this share of its area are islands; the
  /// islands in the distal 30 % of one end must cover at least toe_island_min_share of the area
  /// and three times the islands at the other end. Design default: the toes, even merged into
  /// one print, cover well under a fifth of the contact, while a heel cut off by a high arch
  /// covers about a quarter or more.
  double toe_island_max_share = 0.20;
  double toe_island_min_share = 0.005;
};

/// The standing cues for the heel end of a footprint along an (unoriented) axis u. Each vote is
/// +1 when the heel lies at the -u end (u already points heel -> toe), -1 for the +u end, 0 when
/// the cue does not decide.
struct StandingHeelEndCues {
  int load = 0;
  int width = 0;
  int toes = 0;
  double posterior_load_share = 0.0;  ///< share of the -u half (0..1)
  double width_ratio_minus = 0.0;     ///< heel-band / ball-band width with the heel at -u
  double width_ratio_plus = 0.0;      ///< same with the heel at +u
  double island_share_minus = 0.0;    ///< small islands within 30 % of the -u end / contact area
  double island_share_plus = 0.0;
  /// +1 / -1 when at least two cues vote and all votes agree, else 0 (undecided).
  int decision() const noexcept;
  /// The evidence in words ("load 58 % at one end, width 0.62 vs 1.45, toe islands 3.1 % vs 0 %").
  std::string describe() const;
};
StandingHeelEndCues standing_heel_end(const SensorLayout& layout, const Eigen::VectorXf& peak_kpa,
                                      const std::vector<Eigen::Index>& contact,
                                      const Eigen::Vector2d& u, const FootFrameParams& params = {});

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
