#pragma once
// insole::sim: physically plausible synthetic feet and gait, the ground truth for tests, demos and
// benchmarks. A parametric plantar shape (heel, lateral midfoot band, metatarsal heads, hallux and
// lesser toes) carries a total force that follows the double-peaked vertical force curve; the
// pressure field is sampled at sensel positions (area-averaged), then sensor noise, threshold,
// quantisation and saturation are applied. Everything is deterministic from a seed.
//
// Frames used here (mm):
//  * foot frame: origin at the most posterior point of the heel, y from heel to the tip of the
//    longest toe along the foot axis (heel centre -> 2nd toe), x towards the subject's right
//    (lateral for a right foot, medial for a left foot);
//  * mat frame: the grid's own frame of SensorLayout::grid, viewed from above with x to the right
//    and y up, angles counter-clockwise from +x. A subject walking along +y has their right
//    towards +x. (Display rows top-down and you see the mirror image.)
//
// Model and sources: docs/simulator.md. Walking vertical force: peaks about 1.1-1.2 x body weight,
// valley about 0.7-0.8 x (Perry & Burnfield, Gait Analysis, 2010). Roll-over phases 7.0 / 4.8 /
// 48.8 / 39.4 % of stance (reference metrics.md §5.4). Regional peak pressures near the Putti et al.
// 2008 (Gait Posture 27:501) barefoot norms: MTH2 361, MTH3 330, hallux 321, heel 313 kPa.

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "insole/core/clock.hpp"
#include "insole/core/frame_source.hpp"
#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"
#include "insole/core/sensor_layout.hpp"
#include "insole/core/side.hpp"
#include "insole/sim/foot_model.hpp"
#include "insole/sim/insole_layouts.hpp"
#include "insole/sim/noise.hpp"

namespace insole::sim {

struct WalkParams {
  FootParams foot;                   ///< used for both feet (the left is mirrored)
  double body_mass_kg = 70;
  double duration_s = 4;             ///< recording length; > 0
  double sample_rate_hz = 100;
  double cadence_steps_per_min = 110;  ///< adult self-selected ~100-120 (Perry 2010)
  double stance_fraction = 0.62;     ///< stance / gait cycle (Perry 2010: ~60-62 %)
  double step_length_mm = 650;       ///< heel-to-heel, along the line of progression
  double step_width_mm = 100;        ///< between left and right heel points, across the line
  double progression_angle_deg = 7;  ///< foot progression angle, out-toeing positive
  double walk_direction_deg = 0;     ///< direction of travel on the mat, CCW from +x; any angle
  double lateral_offset_mm = 0;      ///< line of progression offset from the mat centre (to the left)
  double turn_time_s = 1.0;          ///< pause between passes when the walker turns round
  double variability = 0.02;         ///< relative step-to-step jitter (length, width, timing, FPA)
  /// Walking in place on an instrumented treadmill: one endless pass, every step of a foot lands
  /// at the same place (heels step_width_mm apart, the feet centred on the mat along the line of
  /// progression), no turns, so the mat is never unloaded. The belt carrying the stance foot
  /// backwards is not modelled (each print stays where it landed).
  bool treadmill = false;
  ForceCurveParams force;
  NoiseParams noise;
  std::uint64_t seed = 1;
};

struct StandParams {
  FootParams foot;                   ///< both feet (the left is mirrored)
  double body_mass_kg = 70;
  double duration_s = 10;
  double sample_rate_hz = 100;
  double stance_width_mm = 170;      ///< between the left and right heel points
  double progression_angle_deg = 7;  ///< out-toeing of each foot
  double facing_deg = 90;            ///< direction the subject faces on the mat, CCW from +x
  double sway_ml_share = 0.03;       ///< RMS of the left/right weight-share sway (fraction of BW)
  double sway_ap_share = 0.04;       ///< RMS of the heel/forefoot share sway
  NoiseParams noise;
  std::uint64_t seed = 1;
};

/// A pressure mat (grid). Default: a walkway of 120 x 400 sensels at 5.08 mm (0.61 x 2.03 m).
struct MatParams {
  int rows = 120;
  int cols = 400;
  double pitch_mm = 5.08;
  std::string device = "simulated pressure mat";
};

/// Ground truth of one footfall.
struct FootfallTruth {
  std::size_t stream = 0;       ///< index into Recording::streams
  Side side = Side::unknown;
  int pass = 0;                 ///< walking pass over the mat (direction alternates)
  double start_s = 0;           ///< initial contact (IC)
  double ffc_s = 0;             ///< forefoot (first metatarsal-head) contact
  double ho_s = 0;              ///< heel-off
  double end_s = 0;             ///< toe-off (TO)
  Eigen::Vector2d heel_mm = Eigen::Vector2d::Zero();  ///< foot-frame origin in the stream frame
  Eigen::Vector2d toe_mm = Eigen::Vector2d::Zero();   ///< heel + length along the axis
  double axis_angle_deg = 90;   ///< heel->toe direction, CCW from +x of the stream frame
  double progression_angle_deg = 0;  ///< FPA of this footfall (out-toeing positive)
  double walk_direction_deg = 0;     ///< line of progression of this pass
  double on_mat_fraction = 1;   ///< share of the contact area inside the sensing area
  bool partial = false;         ///< cut by the sensing edge or by the recording's start or end
  double peak_force_n = 0;      ///< intended peak vertical force
};

/// Ground truth of one foot (the intended parameters and the model's own measures).
struct FootTruth {
  Side side = Side::unknown;
  FootParams params;
  double arch_height = 0;
  double arch_index = 0;        ///< FootModel::arch_index
  double cpei_percent = 0;      ///< FootModel::cpei_percent (walking only meaningful)
  double midfoot_contact_width_mm = 0;
  StanceEvents events;
};

struct Truth {
  std::string mode;             ///< "walk" or "stand"
  double body_mass_kg = 0;
  std::vector<FootTruth> feet;  ///< left then right
  std::vector<FootfallTruth> footfalls;  ///< in order of initial contact (walking)
  /// Intended total vertical force per stream and frame (N), before sensing.
  std::vector<Eigen::VectorXd> total_force_n;
  /// Intended force per foot and frame on each stream: [stream][foot 0=left,1=right].
  std::vector<std::array<Eigen::VectorXd, 2>> foot_force_n;
};

struct Simulation {
  Recording recording;
  Truth truth;
};

/// Streaming generator: frames [first, first + count) of any stream on demand, so hour-long
/// recordings never have to be held in memory. Identical output whatever the chunking.
class Generator {
 public:
  static Result<Generator> walk_mat(const WalkParams& params, const MatParams& mat = {});
  static Result<Generator> stand_mat(const StandParams& params, const MatParams& mat = {});
  static Result<Generator> walk_insoles(const WalkParams& params, const SensorLayout& layout);

  Generator(Generator&&) noexcept;
  Generator& operator=(Generator&&) noexcept;
  ~Generator();

  const std::vector<StreamInfo>& streams() const noexcept;
  /// Frames per stream (all streams share the time base). duration_s <= 0 would be endless;
  /// it is rejected by the constructors, so this is finite.
  Eigen::Index frame_count() const noexcept;
  double sample_rate_hz() const noexcept;
  /// Metadata for a recording (mode, body mass, parameters as attributes).
  const RecordingMetadata& metadata() const noexcept;
  /// Truth without the per-frame force vectors (those come from intended_force).
  const Truth& truth() const noexcept;

  /// Frames [first, first+count) of a stream: times and pressures (kPa, NaN = absent sensel).
  void generate(std::size_t stream, Eigen::Index first, Eigen::Index count,
                Eigen::VectorXd& time_s, FrameMatrix& pressure_kpa) const;
  /// Intended total force per frame [first, first+count) of a stream, per foot (left, right).
  void intended_force(std::size_t stream, Eigen::Index first, Eigen::Index count,
                      Eigen::VectorXd& left_n, Eigen::VectorXd& right_n) const;

  struct Impl;  ///< implementation detail (opaque)

 private:
  explicit Generator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Checks parameters; the message names the parameter and the accepted range.
Status validate(const WalkParams& params);
Status validate(const StandParams& params);
Status validate(const MatParams& mat);
Status validate(const NoiseParams& noise);

/// Whole recordings with their truth. Throw std::invalid_argument for parameters that
/// validate() rejects (callers taking user input validate first).
Simulation simulate_walk_mat(const WalkParams& params, const MatParams& mat = {});
Simulation simulate_stand_mat(const StandParams& params, const MatParams& mat = {});
/// Two streams, "left" and "right". `layout` is the right insole in the foot frame (x towards
/// the subject's right, y heel->toe); the left stream uses its mirror image. For a grid layout,
/// grid coordinates map to the foot frame by x_foot = x_grid - cols*pitch/2,
/// y_foot = y_grid - kInsoleHeelMarginMm (insole_grid_layout follows this).
Simulation simulate_walk_insoles(const WalkParams& params, const SensorLayout& layout);

/// A complete simulation request (what `insole simulate` and sim:// URIs describe).
struct Spec {
  std::string mode = "walk";        ///< walk | stand
  std::string layout = "mat";       ///< mat | insole-grid | insole<N> (e.g. insole16, insole99)
  WalkParams walk;
  StandParams stand;
  MatParams mat;
};
/// Builds a Spec from key=value options (the keys are listed in docs/simulator.md: foot,
/// arch_height, pronation, equinus, mass, length, duration, rate, seed, mode, layout, rows, cols,
/// pitch, direction, step_length, step_width, fpa, cadence, noise, gain, threshold, quantum,
/// saturation, typical_noise). Unknown keys and bad values are errors naming the key.
Result<Spec> parse_spec(const std::map<std::string, std::string>& options);
/// Validates a Spec and returns its generator.
Result<Generator> make_generator(const Spec& spec);
/// Runs a Spec to a whole Simulation.
Result<Simulation> run(const Spec& spec);

/// A FrameSource generating frames live, e.g. "walk?foot=flat&seed=3&layout=mat" (an optional
/// "sim://" prefix is accepted). With realtime=true frames are paced by `clock` at their time
/// stamps. Streams are merged in time order (ties: stream order).
Result<std::unique_ptr<FrameSource>> make_source(const std::string& uri_query,
                                                 std::shared_ptr<Clock> clock, bool realtime);

}  // namespace insole::sim
