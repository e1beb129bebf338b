#pragma once
// Footfall segmentation: where and when each foot touched the sensor.
//
// Mats (grid streams that see both feet): one pass over the frames with small state. Loaded
// sensels (p > active_threshold_kpa) are attached to an open "track" when they fall on, or within
// link_distance_mm of, that track's accumulated footprint; the remaining loaded sensels form
// 8-connected components that open new tracks. A track closes when it has been unloaded for more
// than max_gap_frames. A closed track is then merged with a nearby track of overlapping time when
// the union still has the shape of one foot (length <= max_foot_length_mm, width <= max_width_ratio
// x length): this joins the heel and forefoot of a high-arched foot, or separately loaded toes,
// without joining two feet (two feet side by side are as wide as they are long; two successive
// footprints are longer than a foot). A toe-walker's forefoot and toes, as wide as long, are
// merged too when the union is no larger than a forefoot (length <= 0.6 x max_foot_length_mm,
// width <= max_width_ratio x max_foot_length_mm) and one piece has at most half the other's
// sensels (two feet side by side are alike in size). No orientation or position on the mat is
// assumed.
// Footfalls touching the edge of the sensing area (or an absent sensel) or the first/last frame of
// the recording are kept and flagged `partial`, with the reason.
//
// Sides on a mat come from gait alternation and foot shape (see assign_mat_sides), never from the
// absolute position on the mat.
//
// Insoles (sensor sets, or grids whose stream side is left/right): stance phases are the runs of
// total force above a threshold, by default F_min + 10 % of (F_max - F_min) as in pressuRe's
// threshold_event() [code, MIT, Telfer & Li; a practitioners' reference]; the side is the stream's.

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "insole/analysis/foot_frame.hpp"
#include "insole/analysis/footfall.hpp"
#include "insole/analysis/frame_view.hpp"
#include "insole/core/recording.hpp"

namespace insole::analysis {

struct SegmentationParams {
  /// A sensel is loaded above this pressure (kPa). pressuRe counts p > 0 on plates [C]; a few kPa
  /// keep sensor noise out while keeping the lightly loaded lateral midfoot (NYU FRL note on low
  /// pressures being lost, metrics.md section 0).
  double active_threshold_kpa = 5.0;
  /// Loaded sensels within this distance (mm) of an open footprint belong to it.
  double link_distance_mm = 15.0;
  /// A footprint may vanish for this many frames (sensor drop-out) and still be the same contact.
  int max_gap_frames = 2;
  /// Components with fewer loaded sensels do not open a new contact (isolated noise sensels).
  int min_new_track_sensels = 2;
  /// Pieces (heel / forefoot / toes) closer than this (mm) may be merged into one foot.
  double merge_distance_mm = 100.0;
  /// Longest plausible foot (mm); adult Mondopoint rarely exceeds 320 mm.
  double max_foot_length_mm = 340.0;
  /// Widest plausible foot relative to its length; feet are about 0.35-0.45 (ISO 9407 sizing).
  double max_width_ratio = 0.55;
  /// Contacts shorter than this are flagged "too short" (frames).
  int min_contact_frames = 3;
  /// Contacts with a smaller footprint are flagged "too small" (mm^2); an adult foot is > 6000.
  double min_footprint_area_mm2 = 1500.0;
  /// A mat contact at least this long (s) is standing: its heel end comes from the standing cues
  /// (foot_frame.hpp) when sides are assigned. analyze() passes AnalysisParams::standing_min_s
  /// (0 for a recording in "stand" mode).
  double standing_min_s = 2.0;

  // Insole stance detection (pressuRe threshold_event [C]).
  /// Threshold = F_min + fraction * (F_max - F_min) over the stream; in a standing trial
  /// (`standing_trial`) fraction * F_max, relative to the unloaded insole.
  double force_threshold_fraction = 0.10;
  /// Absolute threshold in newtons; overrides the fraction when set.
  std::optional<double> force_threshold_n;
  /// Stance phases shorter than this many frames are rejected (flagged).
  int min_stance_frames = 3;
  /// The recording is a standing trial (mode "stand"; analyze() sets it): the foot stays on the
  /// insole throughout, so the lowest force of the stream is the sway's low point, not an unloaded
  /// insole, and a threshold above it would cut the one stance at every sway.
  bool standing_trial = false;
};

/// True for insole streams: sensor sets, and grids whose stream side is left or right
/// (an in-shoe grid such as Tekscan F-Scan). A mat is a grid with side both/unknown.
bool is_insole_stream(const StreamInfo& info);

/// Every footfall of one stream, in time order. Grid mats: space+time components with sides;
/// insoles: stance phases from total force, side from the stream.
std::vector<Footfall> find_footfalls(const FrameView& stream, std::size_t stream_index,
                                     const SegmentationParams& params = {});

/// A footfall together with its peak footprint (per-sensel max) and its loading sequence, all
/// aligned with ff.sensels.
struct TrackedFootfall {
  Footfall footfall;
  std::vector<float> peak_kpa;  ///< peak_kpa[k] is the maximum of sensel footfall.sensels[k]
  /// Stream times (s) of the first and last frame in which sensel footfall.sensels[k] was loaded
  /// (p > active_threshold_kpa): the time course that tells the heel end (foot_frame.hpp).
  std::vector<double> first_loaded_s, last_loaded_s;
};

/// Incremental mat segmentation: push frames one at a time (any chunking), collect the footfalls
/// that can no longer change. Memory stays proportional to the contacts currently open.
class MatSegmenter {
 public:
  MatSegmenter(const SensorLayout& layout, std::size_t stream_index,
               const SegmentationParams& params = {});
  ~MatSegmenter();
  MatSegmenter(MatSegmenter&&) noexcept;
  MatSegmenter& operator=(MatSegmenter&&) noexcept;

  /// Feeds one frame; frame_index must increase by one per call starting from any value.
  void push(Eigen::Index frame_index, double time_s,
            const Eigen::Ref<const Eigen::VectorXf>& pressure_kpa);
  /// Same, for a frame given by some of its sensels: `sensels` (layout indices, increasing) read
  /// `values`; every other sensel must read at most the active threshold. The same footfalls as
  /// push() with the whole frame. Throws std::invalid_argument when sensels are out of order.
  void push_stored(Eigen::Index frame_index, double time_s, const Eigen::Index* sensels, const float* values,
                   Eigen::Index count);
  /// Footfalls finished since the last call (no side yet: Side::unknown), in closing order.
  std::vector<TrackedFootfall> take_finished();
  /// Ends the recording: closes every open contact (flagged partial: still loaded at the end).
  std::vector<TrackedFootfall> finish();

 private:
  struct Impl;
  Impl* impl_;
};

/// Sides for mat footfalls (sorted by time in place). Walking: successive footfalls alternate;
/// the parity is chosen by summing each footfall's shape vote (side_from_shape: the lateral
/// midfoot carries contact, the medial toes reach further) and the step-width vote (each foot
/// lies to its own side of the line joining its neighbours). Standing (two contacts overlapping
/// in time): the left foot lies to the left of the right one in their common forward direction,
/// plus the shape votes. side_reason says which evidence decided and how strongly.
/// Contacts lasting standing_min_s or more are standing: their frames use the standing cues, and
/// a standing contact whose heel end stays undecided gives no direction (side from its partner's
/// direction, else unknown).
void assign_mat_sides(const SensorLayout& layout, std::vector<TrackedFootfall>& footfalls,
                      double standing_min_s = 2.0);

/// The footprint of a standing contact is the contact area (Cavanagh & Rodgers 1987 compute the
/// arch index on the whole area in contact): every sensel that registered load during the
/// contact, not only those above the segmentation's active threshold. A fixed kPa threshold
/// keeps a lightly loaded midfoot out of a light subject's footprint and into a heavy one's, so
/// the arch index would follow body mass (the simulator's normal foot: AI 0.038 at 50 kg, 0.221
/// at 100 kg against 0.238 drawn). Grows each footfall in `grow` (indices into `footfalls`),
/// together, over 8-connected sensels whose peak over that footfall's frames exceeds floor_kpa
/// (0 = any reading: the device's own threshold decides), never into the sensels of another
/// footfall overlapping in time. A grown footprint that reaches the edge of the sensing area or
/// an absent sensel is flagged and rejected like any contact cut in space.
void grow_to_registered_contact(const FrameView& stream, std::vector<Footfall>& footfalls,
                                const std::vector<std::size_t>& grow, double floor_kpa = 0.0);

/// Per-sensel maximum over the footfall's frames; 0 outside ff.sensels and for absent sensels.
Eigen::VectorXf peak_footprint(const FrameView& stream, const Footfall& ff);

/// The footfall's loading sequence: per sensel of ff.sensels the stream times of the first and
/// last of its frames with p > threshold_kpa (NaN elsewhere and for sensels never loaded).
LoadTiming load_timing(const FrameView& stream, const Footfall& ff, double threshold_kpa);

}  // namespace insole::analysis
