#pragma once
// The whole analysis of a recording: footfalls -> foot frame, footprint, regions, arch (see
// segmentation.hpp ... arch.hpp) -> COP, gait events, pronation and equinus measures (cop.hpp ...
// equinus.hpp) -> per-foot medians, with a quality section. Pure: no files, no clock. Findings are
// not made here: the rule file decides them (recommend/findings.hpp, called by the assessment).
//
// Two entry points with the same result: analyze() over a Recording in memory, and
// analyze_stream() over frame chunks, which keeps only one activity window of frames in memory
// (a window ends at a quiet gap, or at the least-loaded frame once it grows past
// max_window_s), so a one-hour mat recording is analysed in bounded memory. The window keeps
// each frame's readings that are not zero, and is analysed over the sensels read in it
// (frame_view.hpp): its memory follows the loaded area, not the size of the mat. A standing
// contact still loaded where a window is cut is not measured there: its state (standing_contact.hpp:
// per-sensel sums, per-frame COP) goes on through the next windows, so a 10-minute standing trial
// is measured over all its frames while holding one window of them (plus 32 bytes a frame for its
// COP: 11.5 MB a foot for an hour at 100 Hz). Its foot frame, footprint and arch measures are
// those of its first window; analyze() finds them over the whole contact.

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "insole/analysis/arch.hpp"
#include "insole/analysis/bands.hpp"
#include "insole/analysis/cop.hpp"
#include "insole/analysis/equinus.hpp"
#include "insole/analysis/foot_frame.hpp"
#include "insole/analysis/foot_image.hpp"
#include "insole/analysis/finding.hpp"
#include "insole/analysis/foot_summary.hpp"
#include "insole/analysis/footfall.hpp"
#include "insole/analysis/gait.hpp"
#include "insole/analysis/measure_values.hpp"
#include "insole/analysis/pronation.hpp"
#include "insole/analysis/regions.hpp"
#include "insole/analysis/segmentation.hpp"
#include "insole/analysis/standing.hpp"
#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"

namespace insole::analysis {

/// Version of the analysis algorithms; bumped whenever a measure's definition or a default
/// parameter changes, so stored results say what produced them.
inline constexpr const char* kAnalysisAlgorithmVersion = "1.11.0";

struct AnalysisParams {
  SegmentationParams segmentation;
  FootFrameParams foot_frame;
  RegionParams regions;
  RegionMetricsParams region_metrics;
  ArchParams arch;  ///< in_shoe is set per stream by the analysis
  CopParams cop;
  BandParams bands;
  GaitEventParams events;
  GaitTimingParams timing;
  CpeiParams cpei;
  /// A contact longer than this is standing, not a step: no gait events or CPEI (design
  /// default; walking stance lasts 0.5-1.0 s). A recording whose metadata mode is "stand"
  /// treats every contact as standing.
  double standing_min_s = 2.0;
  /// A standing footprint is every sensel that registered more than this (kPa) during the
  /// contact (grow_to_registered_contact): 0 = any reading, the device's own threshold decides.
  double standing_contact_floor_kpa = 0.0;
  /// A walking mat contact whose print is at least this wide relative to its length has no heel
  /// in it (toe walking): a whole adult footprint is 0.35-0.45 as wide as long (ISO 9407 sizing,
  /// as SegmentationParams::max_width_ratio), a print of the forefoot and toes alone about 0.8-0.9
  /// (ball width over the distal 45 % of the length). Such contacts are rejected with the reason
  /// "toe walking: no heel contact" and counted in a quality warning.
  double toe_walking_min_width_ratio = 0.60;
  /// A walking contact on a mat or plate that the recording's start or end cuts is still whole
  /// when the foot carried at most this share of the contact's peak force at the cut frame
  /// (design default: the missing instants are the first or last light touch, which changes
  /// neither the peak footprint nor the pressures). Plates that record one step from a load
  /// trigger, as emed exports do, always start this way. Such contacts stay out of gait timing.
  double boundary_force_share = 0.10;
  /// Recommended number of footfalls per foot: 30 for in-shoe pressure (Melvin, Preece, Nester
  /// & Howard 2014 Gait Posture 40:682 [V]); 5 on a mat (design default: the common
  /// three-to-five-step mat protocol gives one footfall per pass).
  std::size_t recommended_footfalls_in_shoe = 30;
  std::size_t recommended_footfalls_mat = 5;
  /// A sensel is saturated when it holds its stream's maximum reading for this many consecutive
  /// loaded frames (the device clips); the stream attribute "saturation_kpa", when present, is
  /// used as the maximum instead.
  int saturation_run_frames = 3;
  /// Streaming: a window closes after quiet_gap_s with total force below quiet_force_n, or is
  /// cut at its least-loaded frame (in its last third) after max_window_s; contacts still loaded
  /// at that frame that started after the window's first frames are carried whole into the next
  /// window, and a standing contact loaded since its first frames goes on being measured in the
  /// next windows (standing_contact.hpp). 20 s of two feet standing at 100 Hz, about 1500 loaded sensels,
  /// is 24 MB kept (8 bytes a reading) whatever the size of the mat.
  double quiet_gap_s = 0.3;
  double quiet_force_n = 5.0;
  double max_window_s = 20.0;
  /// Streaming, walking trials (mode "walk"): a window at least 3 x standing_min_s long is also
  /// cut (in the same way) once its frames times the sensels read in them pass this many values.
  /// The window is analysed over that many float32 values (frame_view.hpp) and keeps no more
  /// readings (8 bytes each): with 2^19, 2 + 4 MiB, plus what the frames needed to reach
  /// 3 x standing_min_s add beyond it. Without it a treadmill walk, whose feet wander over more of
  /// the mat the longer it lasts, needed a wider window (and more memory) for a longer recording.
  /// The minimum length leaves every walking contact (shorter than standing_min_s) open at the cut
  /// starting after the window's first frames, so it is carried whole into the next window; a
  /// contact of standing length that spans the cut is a standing contact, measured on over the
  /// next windows as at max_window_s. Standing trials and trials of unknown mode keep
  /// max_window_s alone.
  double max_window_values = 524288.0;
};

/// Everything measured on one footfall.
struct FootfallAnalysis {
  Footfall footfall;                 ///< as segmented (sensels cleared in analyze_stream)
  FootFrame frame;
  bool standing = false;
  GaitEvents events;                 ///< meaningless for standing contacts
  std::optional<CpeiResult> cpei;
  std::string cpei_note;             ///< why CPEI is missing, when it is
  std::optional<double> mlpi;
  std::optional<double> forefoot_mlpi;
  CopVelocity cop_velocity;
  double cop_path_length_mm = 0.0;
  /// Foot ap of the last COP sample minus the first: positive when the COP rolls heel to toe,
  /// as it does in every walking step; negative means the foot axis is reversed.
  double cop_heel_to_toe_mm = 0.0;
  std::optional<double> cop_ap_excursion_percent;   ///< AP range of the COP / foot length
  std::optional<double> foot_progression_angle_deg; ///< mats, when a walking direction exists
  std::string fpa_method;            ///< how the line of progression was found
  EquinusFeatures equinus;
  double peak_force_n = 0.0;
  double force_time_integral_n_s = 0.0;
  Eigen::Vector2d centre_mm = Eigen::Vector2d::Zero();  ///< force centroid, layout mm
  /// Arch measures of the peak footprint (grids; null with the reason on insoles).
  ArchMeasures arch;
  /// Per-region variables (grids): hindfoot, midfoot, forefoot, toes, mth1..5 ...
  std::vector<RegionMetrics> regions;
  /// Every scalar above keyed by its JSON name (what the per-foot medians aggregate).
  MeasureValues measures;
  /// Per-sensel values of this footfall; folded into AnalysisResult::images by the analysis and
  /// then cleared (empty in a finished result).
  FootfallImage image;
};

struct StreamQuality {
  std::string stream;
  std::size_t frames = 0;
  double duration_s = 0.0;
  std::size_t footfalls_found = 0;
  std::size_t footfalls_used = 0;
  std::map<std::string, std::size_t> rejected;  ///< reason -> count
  std::vector<Eigen::Index> saturated_sensels;
  std::vector<Eigen::Index> dead_sensels;
  /// The stream's sensor positions are unknown and its contacts were taken from the maker's own
  /// channels (StreamInfo has no geometry, Stream::vendor present): gait events from the vendor
  /// total force, the COP path from the vendor COP (analyze_vendor_channels).
  bool from_vendor_channels = false;
  /// Activity windows the stream was analysed in (analyze_stream; analyze() uses one), a
  /// diagnostic not written to the JSON.
  std::size_t windows = 0;
};

struct Quality {
  std::vector<StreamQuality> streams;
  std::vector<std::string> warnings;  ///< e.g. fewer footfalls than recommended
};

struct AnalysisResult {
  std::string algorithm_version = kAnalysisAlgorithmVersion;
  AnalysisParams params;
  std::vector<FootSummary> feet;
  std::vector<FootfallAnalysis> footfalls;  ///< used and rejected, in time order per stream
  GaitTiming timing;
  Quality quality;
  /// One aggregated image per foot (stream + side) with used footfalls (foot_image.hpp).
  std::vector<FootImage> images;

  /// The image of a foot summary, nullptr when none.
  const FootImage* image_of(const FootSummary& foot) const noexcept;

  /// False when no footfall was usable (the CLI exits 1).
  bool has_usable_contact() const noexcept;
};

/// Analyses a recording held in memory. Fails (format_error) when the recording is invalid.
Result<AnalysisResult> analyze(const Recording& recording, const AnalysisParams& params = {});

/// Threads that analyse the footfalls of one activity window side by side (each footfall is
/// measured on its own; they are folded into the result in time order, so the result is the same
/// bits with any number). 0 (the default) means INSOLE_ANALYSIS_THREADS when set, else the CPUs
/// the process may run on; at most 8 are used either way (footfalls go in batches of 8). A thread
/// that cannot be started is done without. Process-wide; set it before analysing.
void set_analysis_threads(unsigned n) noexcept;
/// The same for analyses run on the calling thread only, over the process-wide choice (0 goes
/// back to it). Batch workers use 1: with several workers the cores are already filled.
void set_analysis_threads_on_this_thread(unsigned n) noexcept;
/// The calling thread's own choice (0: none, the process-wide one applies).
unsigned analysis_threads_on_this_thread() noexcept;
/// What an analysis started on the calling thread uses.
unsigned analysis_threads() noexcept;

/// A block of consecutive frames of one stream (rows = frames, in time order).
struct FrameChunk {
  std::size_t stream = 0;
  Eigen::VectorXd time_s;
  FrameMatrix pressure_kpa;
  /// When set, analyze_stream hands pressure_kpa's storage back through it once the chunk is
  /// analysed, so that the reader can fill the same block again instead of allocating a new one.
  std::function<void(FrameMatrix&&)> give_back;
};

/// Yields the next chunk, nullopt at the end, or an error (which analyze_stream returns).
/// Chunks of different streams may interleave; each stream's chunks come in time order.
using ChunkProvider = std::function<Result<std::optional<FrameChunk>>()>;

/// Same analysis as analyze(), reading frames chunk by chunk. `vendor`, when given, holds one
/// entry per stream: the maker's channels of that stream (Stream::vendor) or nullptr. A stream
/// whose sensor positions are unknown and that has vendor channels is analysed from them
/// (analyze_vendor_channels); its pressure frames then feed only the quality section.
Result<AnalysisResult> analyze_stream(const RecordingMetadata& meta,
                                      const std::vector<StreamInfo>& streams,
                                      const ChunkProvider& next_chunk,
                                      const AnalysisParams& params = {},
                                      const std::vector<const VendorChannels*>& vendor = {});

/// The contacts of a stream whose sensor positions are unknown, from the maker's channels:
/// contacts are found on the vendor total force exactly as on a stream's own total force
/// (find_footfalls, as one force sensor), heel strike and toe off are the threshold crossings of
/// detect_gait_events on that force, and the COP path, range along and across the insole are
/// those of the vendor COP over the contact, (0, 0) samples (no COP) dropped, in normalised
/// insole units. Measures that need sensor positions (foot frame, bands, regions) are not
/// formed. Footfalls are appended to `out`; `q` counts them. `vendor` must have one row per
/// entry of `time_s` (std::invalid_argument otherwise: analyze() and analyze_stream() check it).
void analyze_vendor_channels(const StreamInfo& info, std::size_t stream_index, const Eigen::Ref<const Eigen::VectorXd>& time_s,
                             const VendorChannels& vendor, const RecordingMetadata& meta,
                             const AnalysisParams& params, StreamQuality& q, std::vector<FootfallAnalysis>& out);

/// Analysis of the footfalls already found in one stream (or one window of it): everything that
/// needs frames. Rows of `time_s` / `pressure_kpa` start at stream frame `frame_offset`.
/// Exposed for tests and for callers that segment themselves.
FootfallAnalysis analyze_footfall(const StreamInfo& info, const Eigen::Ref<const Eigen::VectorXd>& time_s,
                                  const Eigen::Ref<const FrameMatrix>& pressure_kpa,
                                  const Footfall& footfall, const FootFrame& frame, bool standing,
                                  const AnalysisParams& params, Eigen::Index frame_offset = 0);

/// Second stage, needing no frames: walking direction and FPA, per-foot medians, gait timing,
/// and quality warnings. `result.footfalls` and `result.quality.streams` must be filled.
void finish_analysis(AnalysisResult& result, const std::vector<StreamInfo>& streams);

}  // namespace insole::analysis
