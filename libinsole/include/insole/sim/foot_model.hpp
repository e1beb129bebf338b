#pragma once
// The parametric foot of the simulator: plantar contact regions (heel, lateral midfoot band whose
// width follows arch height, forefoot pad, metatarsal heads, hallux and lesser toes separated by a
// gap), how the vertical force is shared among them through stance, and the pressure field.
//
// Foot frame (mm): origin at the most posterior point of the heel, y from heel to the tip of the
// longest toe along the foot axis (heel centre -> 2nd toe), x towards the subject's right (lateral
// for a right foot, medial for a left foot). Model and sources: docs/simulator.md.

#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

#include "insole/core/result.hpp"
#include "insole/core/side.hpp"

namespace insole::sim {

enum class ArchType { flat, normal, cavus };

/// Parses "flat" | "normal" | "cavus".
Result<ArchType> parse_arch_type(const std::string& text);
std::string to_string(ArchType arch);

/// One foot. Widths scale with length (a 260 mm foot has a ~95 mm ball width).
struct FootParams {
  double length_mm = 260;           ///< heel to tip of the longest toe (Mondopoint)
  ArchType arch = ArchType::normal;
  /// Continuous arch height, 0 (flat) .. 1 (high, no midfoot contact); overrides `arch` when >= 0.
  /// flat = 0.15, normal = 0.5, cavus = 0.85.
  double arch_height = -1;
  /// Functional pronation, -1 supinated .. 0 neutral .. +1 pronated: moves forefoot load (and the
  /// COP in the forefoot) medially for +, laterally for -.
  double pronation = 0;
  /// Limited dorsiflexion: light, short heel contact, early heel-off, forefoot loading
  /// (Searle et al. 2018 JFAR; metrics.md §6).
  bool equinus = false;
  /// Toe walking (walking only): the heel and the midfoot never touch; the metatarsal heads and
  /// the toes carry the whole load (idiopathic toe walking, or equinus too severe for any heel
  /// contact). A test fixture for the "no heel print" check of the analysis.
  bool toe_walking = false;
};

/// Arch height actually used (resolves `arch` when arch_height < 0).
double effective_arch_height(const FootParams& foot);

/// Vertical-force curve over stance, in body weights (Perry & Burnfield 2010: two peaks of
/// 1.1-1.2 BW at ~25 % and ~75 % of stance, a valley of 0.7-0.8 BW at mid-stance).
struct ForceCurveParams {
  double peak1_bw = 1.15;
  double valley_bw = 0.75;
  double peak2_bw = 1.12;
  double peak1_at = 0.25;   ///< stance fraction
  double valley_at = 0.50;
  double peak2_at = 0.77;
};
/// Force in body weights at stance fraction s (0 outside [0, 1]); smooth, double-peaked.
double force_curve_bw(const ForceCurveParams& curve, double stance_fraction);

/// Gait events as stance fractions (metrics.md §5.4: IC->FFC 7.0 %, forefoot contact 4.8 %,
/// foot flat to HO 48.8 %, push-off 39.4 %).
struct StanceEvents {
  double ffc = 0.070;   ///< first metatarsal-head contact (MTH5)
  double fff = 0.118;   ///< all metatarsal heads in contact (MTH1)
  double ho = 0.606;    ///< heel-off: heel force reaches zero
};
StanceEvents stance_events(const FootParams& foot);

/// One contact region of the plantar shape, in the foot frame of a right foot.
/// Pressure inside is proportional to (1 - d^2)^profile_k, d = super-elliptic distance
/// (|u/semi_ml|^m + |v/semi_ap|^m)^(1/m) in the region's rotated axes.
struct Region {
  std::string name;             ///< heel, midfoot, forefoot, mth1..mth5, hallux, toe2..toe5
  Eigen::Vector2d centre_mm;
  double semi_ml_mm = 0;
  double semi_ap_mm = 0;
  double angle_deg = 0;         ///< rotation of the region's axes, CCW
  double shape_m = 2;           ///< 2 = ellipse, larger = more rectangular
  double profile_k = 1;
};

/// The parametric foot: its regions, how the total force is shared among them through stance,
/// and the pressure field that results.
class FootModel {
 public:
  /// side: left or right (anything else is treated as right). Throws std::invalid_argument for
  /// a non-positive or non-finite length or pronation outside [-1, 1].
  FootModel(const FootParams& params, Side side, const ForceCurveParams& curve = {});

  const FootParams& params() const noexcept { return params_; }
  Side side() const noexcept { return side_; }
  double arch_height() const noexcept { return arch_height_; }
  /// Regions in the right-foot frame (a left foot evaluates them at (-x, y)).
  const std::vector<Region>& regions() const noexcept { return regions_; }
  const StanceEvents& events() const noexcept { return events_; }
  /// Width of the lateral midfoot contact band (0 = no midfoot contact).
  double midfoot_contact_width_mm() const noexcept { return midfoot_width_mm_; }

  /// Share of the total force carried by each region at stance fraction s (sums to 1).
  Eigen::VectorXd walking_shares(double stance_fraction) const;
  /// Shares while standing; ap_shift > 0 moves load from the heel to the forefoot.
  Eigen::VectorXd standing_shares(double ap_shift) const;
  /// Contact spreads with load: the weight (0..1) of each region's smaller core shape at
  /// relative region load `load_fraction` (1 = the region's peak load).
  static double core_weight(double load_fraction);
  /// Relative load (0..1) of each region at s during walking (region load / its peak load).
  Eigen::VectorXd walking_load_fractions(double stance_fraction) const;

  /// Pressure (kPa) at points given in this foot's frame (x towards the subject's right),
  /// for region forces `region_force_n` and core weights `core_weight` (one per region).
  Eigen::VectorXd pressure_kpa(const Eigen::MatrixX2d& points_mm,
                               const Eigen::VectorXd& region_force_n,
                               const Eigen::VectorXd& core_weight) const;
  /// Density of region r (1/mm^2, integrates to 1) at foot-frame points; core=true for the core.
  Eigen::VectorXd region_density(std::size_t r, const Eigen::MatrixX2d& points_mm, bool core) const;

  /// Centre of pressure (this foot's frame) at stance fraction s while walking.
  Eigen::Vector2d walking_cop_mm(double stance_fraction) const;
  /// True when a point (this foot's frame) lies in the support of any region (the contact area).
  bool in_contact(const Eigen::Vector2d& point_mm, bool include_toes = true) const;

  /// Arch index (Cavanagh & Rodgers 1987) of the model's own maximal footprint: toe-less
  /// contact area split in thirds along the axis from the heel to the front of the metatarsal
  /// heads; midfoot third area / total. Computed on a 0.5 mm raster.
  double arch_index() const;
  /// CPEI (Song et al. 1996) of the model's noise-free COP path during walking: distance at
  /// 67 % of foot length between the COP and the first->last COP line, over the footprint
  /// width there, in %. Positive = COP lateral to the line. Uses the model axis as reference.
  double cpei_percent() const;

 private:
  FootParams params_;
  Side side_;
  double arch_height_ = 0.5;
  double midfoot_width_mm_ = 0;
  StanceEvents events_;
  std::vector<Region> regions_;
  ForceCurveParams curve_;
  std::vector<double> density_full_;  // 1 / integral of the unnormalised profile, per region
  std::vector<double> density_core_;
  Eigen::VectorXd peak_load_bw_;      // per region, max over stance of share * force curve
  double mirror() const noexcept { return side_ == Side::left ? -1.0 : 1.0; }
  Eigen::VectorXd walking_weights(double s) const;  // unnormalised shares
};

/// The plantar pressure field (kPa) of one foot at a stance fraction while walking, for a total
/// vertical force, at points in that foot's frame. What every generator samples.
Eigen::VectorXd plantar_pressure_kpa(const FootModel& foot, const Eigen::MatrixX2d& points_mm,
                                     double stance_fraction, double total_force_n);

}  // namespace insole::sim
