#pragma once
// From per-foot aggregates to findings (ids of the flat-foot / tight-calf chain,
// reference/clinical-chain.md section 1). Every finding carries each measure that was considered,
// its value, the threshold and the source; indices that are weak on their own (CPEI, the
// medial-lateral indices, the equinus features) only produce a finding when several agree.
// Statements say "consistent with", never a diagnosis.

#include <vector>

#include "insole/analysis/finding.hpp"
#include "insole/analysis/foot_summary.hpp"
#include "insole/analysis/gait.hpp"
#include "insole/analysis/pronation.hpp"

namespace insole::analysis {

struct FindingParams {
  /// Arch Index on the toe-less accumulated footprint: >= 0.26 low, <= 0.21 high (Cavanagh &
  /// Rodgers 1987 J Biomech 20:547, cut-offs quoted second-hand [U], metrics.md section 1); the
  /// same numbers as classify_arch_index() in arch.hpp, which names the per-foot arch_class.
  double arch_low_min = 0.26;
  double arch_high_max = 0.21;

  /// CPEI below / above the quintile estimates of CpeiReference counts towards pronated /
  /// supinated function.
  CpeiReference cpei;
  /// Medial / lateral loading limits of the whole-foot and forefoot MLPI. Design defaults [U]:
  /// no normative MLPI values are published in the sources we hold. A neutral foot is not at 0:
  /// the hallux and the first metatarsal heads carry more than the lateral rays (Putti 2008), so
  /// the limits sit about 0.1 either side of the neutral values of the simulator's normal foot
  /// (whole foot about -0.045, forefoot about -0.075; docs/simulator.md). Replace them with
  /// population or device norms when available.
  double mlpi_medial_max = -0.15;
  double mlpi_lateral_min = 0.06;
  double forefoot_mlpi_medial_max = -0.20;
  double forefoot_mlpi_lateral_min = 0.05;
  /// Indices that must agree for F-PRONATION / F-SUPINATION (of CPEI, MLPI, forefoot MLPI).
  int pronation_min_agreeing = 2;

  /// Equinus features (metrics.md section 6, detector proposals [U]):
  /// heel contact (heel on -> heel-off) below 40 % of stance, against 60.6 % in normal walking;
  double equinus_heel_contact_max_percent = 40.0;
  /// forefoot / heel PTI above 2;
  double equinus_pti_ratio_min = 2.0;
  /// barefoot forefoot peak pressure above Putti 2008's MTH2 mean + 2 SD = 361 + 2 * 104 kPa
  /// (Gait Posture 27:501 [V]; equinus feet 787 vs 652 kPa, Searle 2018 [V]); not applied in-shoe;
  double forefoot_peak_barefoot_kpa = 569.0;
  /// toe-first contacts (heel unloaded in the first 10 % of stance) in at least half the footfalls;
  double equinus_toe_first_min_fraction = 0.5;
  /// in standing, heel share of load below 30 % (normal about 60 %, Cavanagh et al. 1987 [U]).
  double standing_heel_share_max_percent = 30.0;
  int equinus_min_agreeing = 2;

  /// F-FOREFOOT-OVERLOAD: barefoot forefoot peak pressure above the same Putti 2008 limit.
  double forefoot_overload_barefoot_kpa = 569.0;

  /// F-ASYMMETRY: Robinson symmetry index above 10 % for stance time, step time or load
  /// (design default [U]; commonly used clinical limit).
  double asymmetry_max_percent = 10.0;

  /// F-SHORT-STRIDE: COP antero-posterior excursion below 55 % of foot length (reduced
  /// roll-over) or, where a mat shows two contacts of one foot, stride length below 1000 mm.
  /// Design defaults [U].
  double short_rollover_max_percent = 55.0;
  double short_stride_max_mm = 1000.0;
};

/// Findings for every foot, plus F-ASYMMETRY from the pair. `timing` may be empty.
std::vector<Finding> derive_findings(const std::vector<FootSummary>& feet, const GaitTiming& timing,
                                     const FindingParams& params = {});

}  // namespace insole::analysis
