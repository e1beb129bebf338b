#pragma once
// Findings from the rule file: the analysis measures, the rule file interprets. Each finding
// definition (rules.hpp FindingDef, rule file `findings[]`) lists its votes (measure, operator,
// threshold, source, optionally the surface the threshold was measured on and severity grades by
// distance beyond it) and how they combine ("any", "all" or {"at_least": n}). Nothing clinical is
// compiled here: a clinic that edits its rule file changes what fires.
//
// Measurement error: each voting measure declares a borderline_margin. A vote within it of its
// threshold is marked borderline (Evidence::borderline, Finding::borderline); a finding that would
// not fire without its borderline votes is borderline; a severity grade is only raised once the
// value passes the grade's edge by more than the margin, and when left and right differ by less
// than the margin they get the same (lower) grade.
//
// Resolution: a measure whose rule-file entry has a `resolution` (e.g. arch_index, resolved by
// arch_index_resolution) uses the foot's own resolution as its margin when that exceeds both the
// limit and the borderline_margin, and resolution_warnings says so for the quality section.
//
// Applicability: a vote whose threshold was measured barefoot (surface "barefoot", or a measure the
// catalogue says applies barefoot only) is "not applicable" on in-shoe data, with the reason; it
// neither agrees nor disagrees. A vote whose threshold holds for other ages (rule file "ages":
// "adult" or a range of years) is left out for this patient: a child's low arch is decided by the
// paediatric cut-offs of the child's age band, never by the adult ones. When no vote of a finding
// holds for the patient's age, the finding is listed as not applicable for that age, with the
// reason.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "insole/analysis/finding.hpp"
#include "insole/analysis/foot_summary.hpp"
#include "insole/analysis/gait.hpp"
#include "insole/recommend/rules.hpp"

namespace insole::recommend {

/// A finding that cannot be evaluated: none of its thresholds holds for the patient's age, or
/// (a foot's finding) every measure its thresholds use is withheld for the stream (sensor
/// positions unknown, or kPa needed from a stream in counts).
struct NotApplicableFinding {
  std::string id;
  Side side = Side::unknown;
  std::string reason;  ///< "not applicable at age 2 y: ... thresholds hold for adults; ages 3-6 y"
};

struct FindingEvaluation {
  std::vector<analysis::Finding> findings;  ///< what fired
  /// Findings that did not fire but would have, had the votes within measurement error of their
  /// thresholds gone the other way (borderline = true). Reported, never acted on.
  std::vector<analysis::Finding> borderline_misses;
  std::vector<NotApplicableFinding> not_applicable;
};

/// Per-recording measures (left/right symmetry indices) from the gait timing and the feet's
/// medians: stance_symmetry_percent, swing_symmetry_percent, step_symmetry_percent,
/// peak_force_symmetry_percent, force_time_integral_symmetry_percent (those that exist).
std::map<std::string, double> recording_measures(const std::vector<analysis::FootSummary>& feet,
                                                 const analysis::GaitTiming& timing);

/// One warning per foot and measure whose resolution (rule file measures[].resolution) exceeds
/// the limit: the measure cannot separate its classes on this recording, with the figures. The
/// stream's sensel pitch is named when `pitch_mm_by_stream` holds it.
std::vector<std::string> resolution_warnings(const RuleSet& rules, const std::vector<analysis::FootSummary>& feet,
                                             const std::map<std::string, double>& pitch_mm_by_stream = {});

/// Evaluates every finding definition of `rules` on each foot with used footfalls (per-foot
/// findings) and once on the pair (per-recording findings, side both), for `patient` (an adult of
/// unknown age by default; recommend::patient_of gives the intake's).
FindingEvaluation evaluate_findings(const RuleSet& rules, const std::vector<analysis::FootSummary>& feet,
                                    const analysis::GaitTiming& timing, const Patient& patient = {});

/// The label of `value` under the class definition, for the patient: the first set of cut-offs
/// whose ages cover the patient decides; without such a set, or without a value, the label is ""
/// and `reason` says why.
analysis::ClassLabel classify(const RuleSet& rules, const ClassDef& def, std::optional<double> value,
                              const Patient& patient);

/// Every class of the rule file on each foot's medians (FootSummary::classes), and arch_class from
/// the class "arch_class".
void classify_feet(const RuleSet& rules, std::vector<analysis::FootSummary>& feet, const Patient& patient);

}  // namespace insole::recommend
