#pragma once
// Gait events and phases of one footfall (metrics.md section 5.4), and the temporal parameters
// that need several footfalls: stride, swing, step, cadence, double support and left/right
// symmetry.
//
// Events (all interpolated linearly between frames at the threshold crossing):
//   IC  initial contact: total force first reaches contact_fraction of the footfall's peak.
//   FFC forefoot contact: the first forefoot strip reaches region_contact_fraction of peak.
//   FF  forefoot flat: every forefoot strip has reached it.
//   HO  heel-off: after the heel band's force peak, it falls below region_contact_fraction.
//   TO  toe-off: total force last above contact_fraction.
// Phases as % of stance (IC->TO): initial contact IC->FFC, forefoot contact FFC->FF, foot flat
// FF->HO, push-off HO->TO. Walking reference 7.0 / 4.8 / 48.8 / 39.4 % ("Gait speed and gender
// effects on COP progression during normal walking", n = 30, RSscan [V]); jogging 8.2 / 11.3 /
// 25.3 / 55.1 % (De Cock et al. 2005 Gait Posture 21:432 [V]). The reference values printed next
// to the measured phases come from the rule file (measures[].published), not from this header.

#include <optional>
#include <vector>

#include "insole/analysis/bands.hpp"
#include "insole/analysis/summary.hpp"
#include "insole/core/side.hpp"

namespace insole::analysis {

struct GaitEventParams {
  /// IC / TO threshold as a fraction of the footfall's peak total force. pressuRe's
  /// threshold_event uses 10 % of the force range [C]; 5 % keeps stance time closer to the
  /// true contact while staying above sensor noise.
  double contact_fraction = 0.05;
  /// A band or forefoot strip is "in contact" above this fraction of the footfall's peak total
  /// force (design default: about 15 N for a 75 kg walker).
  double region_contact_fraction = 0.02;
  /// Window after IC in which an unloaded heel marks a toe-first contact (metrics.md section 6,
  /// detector feature 3: "no heel sensels active in the first 10 % of stance" [U]).
  double toe_first_window_fraction = 0.10;
};

struct GaitEvents {
  double ic_s = 0.0;
  double to_s = 0.0;
  double stance_s = 0.0;
  std::optional<double> ffc_s;       ///< forefoot contact
  std::optional<double> ff_s;        ///< forefoot flat
  std::optional<double> heel_on_s;   ///< heel band first in contact (nullopt: never)
  std::optional<double> ho_s;        ///< heel-off (nullopt: heel never loaded)
  // Phase durations in % of stance; a phase whose events are missing or out of order is nullopt.
  std::optional<double> initial_contact_percent;
  std::optional<double> forefoot_contact_percent;
  std::optional<double> foot_flat_percent;
  std::optional<double> push_off_percent;
  /// Heel contact duration (heel_on -> HO) in % of stance; 0 when the heel never loads.
  /// Walking reference: IC -> HO = 7.0 + 4.8 + 48.8 = 60.6 %.
  double heel_contact_percent = 0.0;
  /// Whether the heel was in contact within toe_first_window_fraction of stance after IC.
  bool heel_first = true;
};

GaitEvents detect_gait_events(const FootfallSamples& samples, const BandSeries& series,
                              const GaitEventParams& params = {});

/// Contact interval of one footfall, the input of the multi-footfall timing.
struct ContactInterval {
  Side side = Side::unknown;
  double ic_s = 0.0;
  double to_s = 0.0;
};

struct GaitTimingParams {
  /// Successive same-side contacts further apart than this are not one stride (the walker
  /// stopped, turned or left the sensing area). Design default; walking strides are 0.9-1.4 s.
  double max_stride_s = 2.5;
  /// Successive opposite-side contacts further apart than this are not one step.
  double max_step_s = 1.5;
};

struct SideTiming {
  std::optional<Spread> stance_s;
  std::optional<Spread> stride_s;      ///< IC to next IC of the same foot
  std::optional<Spread> swing_s;       ///< TO to next IC of the same foot
  std::optional<Spread> step_s;        ///< previous opposite IC to this IC
  std::optional<Spread> double_support_percent;  ///< of the stride: both feet in contact
  std::optional<Spread> stance_percent;          ///< stance / stride (walking about 60 %)
};

struct GaitTiming {
  SideTiming left;
  SideTiming right;
  /// Steps per minute: 60 / (mean of the per-side median step times) when steps are observed,
  /// else 120 / (mean of the per-side median stride times).
  std::optional<double> cadence_steps_per_min;
  // Robinson symmetry indices (%) of the medians; nullopt unless both feet are observed.
  std::optional<double> stance_symmetry_percent;
  std::optional<double> swing_symmetry_percent;
  std::optional<double> step_symmetry_percent;
};

/// Temporal parameters from the contact intervals of every used footfall (any order).
GaitTiming gait_timing(std::vector<ContactInterval> contacts, const GaitTimingParams& params = {});

}  // namespace insole::analysis
