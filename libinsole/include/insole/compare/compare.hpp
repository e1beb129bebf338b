#pragma once
// Comparison of two assessments of one patient: before/after a prescription, or barefoot / shoe /
// shoe with orthosis (issue 15 item 4, issue 14 item 5). One module serves `insole compare`, the
// report's comparison section and the clinic app.
//
// Per foot (matched by side) and per analysis region: the median over footfalls of the region's
// peak pressure (kPa) and pressure-time integral (Novel definition, kPa s) in A and B, the
// absolute change B - A and the relative change 100 (B - A) / A (%). A difference map of the
// per-foot mean peak-pressure images: B registered rigidly onto A (stats::register_rigid, with its
// quality), then B_on_A - A on A's grid. The rule file's targets (recommend::TargetDef) are
// checked against the regional values: met, not_met or not_assessable with the reason, or
// not_applicable when neither the element nor the red flag applies. No clinical number is in this
// code: the targets, their limits and sources come from the rule file.
//
// Dependency direction: assess (analysis, recommend) and stats <- compare <- report, cli.
#include <optional>
#include <string>
#include <vector>

#include "insole/assess/assessment.hpp"
#include "insole/core/result.hpp"
#include "insole/core/side.hpp"
#include "insole/recommend/rules.hpp"
#include "insole/stats/image.hpp"
#include "insole/stats/registration.hpp"

namespace insole::compare {

/// The regional variables compared (keys of analysis::FootSummary::regions).
inline constexpr const char* kCompareVariables[] = {"peak_pressure_kpa", "pti_novel_kpa_s"};

struct CompareOptions {
  /// Compare only this foot (left or right); nullopt = every side present in both.
  std::optional<Side> foot;
  /// Intervention ids stated as fitted between A and B (in addition to A's prescription).
  std::vector<std::string> fitted;
  /// Registration of B's peak image onto A's (rigid).
  stats::RegistrationParams registration;
  /// Whether to build the difference map (registration costs a few hundred milliseconds per foot).
  bool difference_map = true;
  /// The condition each recording was made in, as the clinician stated it: "barefoot", "shoe",
  /// "shoe_orthosis", or empty (not stated). The sensors' place (platform or in-shoe) comes from
  /// the recording; the condition says what was between foot and platform. A target for barefoot
  /// pressure is not assessed on a trial in shoes, one for in-shoe pressure not on a platform.
  std::string condition_a, condition_b;
};

/// The conditions CompareOptions accepts (besides empty).
inline constexpr const char* kConditions[] = {"barefoot", "shoe", "shoe_orthosis"};

struct RegionChange {
  std::string region;
  std::string variable;
  std::optional<double> a, b;              ///< medians over the used footfalls
  std::optional<double> change;            ///< b - a, in the variable's unit
  std::optional<double> change_percent;    ///< 100 (b - a) / a; null when a is missing or 0
};

struct DifferenceMap {
  stats::Image a_peak_kpa;     ///< A's mean peak-pressure image
  stats::Image b_on_a_kpa;     ///< B's, registered onto A's grid
  stats::Image diff_kpa;       ///< b_on_a - a
  stats::Registration registration;  ///< B -> A (its quality, angle, translation)
  double max_increase_kpa = 0.0;     ///< largest positive difference
  double max_decrease_kpa = 0.0;     ///< most negative difference (<= 0)
};

struct TargetVerdict {
  std::string id;
  std::string status;        ///< "met" | "not_met" | "not_assessable" | "not_applicable"
  std::string reason;        ///< why (always filled)
  std::string region, variable, kind;
  double max_value = 0.0;
  std::optional<double> value;  ///< the change (%) or B's value compared with max_value
  std::string text;
  std::vector<std::string> sources;
};

struct FootComparison {
  Side side = Side::unknown;
  std::string stream_a, stream_b;
  std::string surface_a, surface_b;    ///< where the sensors were: "barefoot" (platform) | "in_shoe"
  std::string condition_a, condition_b;  ///< CompareOptions' stated conditions (empty: not stated)
  std::size_t footfalls_a = 0, footfalls_b = 0;
  std::vector<RegionChange> regions;   ///< region order of the analysis, then variable order
  std::optional<DifferenceMap> difference;
  std::string difference_reason;       ///< why there is no map, when there is none
  std::vector<TargetVerdict> targets;  ///< every target of the rule file, in file order
};

struct Comparison {
  std::string input_a, input_b;
  std::string rules_name, rules_version;
  std::vector<FootComparison> feet;
  std::vector<std::string> notes;      ///< e.g. a side present in only one recording
};

/// How a recording was measured, in words, from FootComparison's surface and condition: "barefoot
/// on a platform", "on a platform under the shoe (stated condition: shoe), not between foot and
/// shoe", "with in-shoe sensors (stated condition: shoe_orthosis)". Used by verdicts, tables, reports.
std::string measured_as(const std::string& surface, const std::string& condition);

/// Errors (invalid_argument) for a condition that is not empty and not one of kConditions.
Status check_conditions(const CompareOptions& options);

/// Compares B with A. Errors: no_data when no foot with used footfalls is present on the same side
/// in both (the message says which recording lacks it); invalid_argument for an unknown fitted id
/// or condition.
Result<Comparison> compare(const assess::Assessment& a, const assess::Assessment& b, const recommend::RuleSet& rules,
                           const CompareOptions& options = {});

/// The comparison as one JSON document (docs/compare.md), images left out.
std::string to_json(const Comparison& c, int indent = 2);

/// A plain-text table per foot (regions x A, B, change, %) and the target verdicts.
std::string format_table(const Comparison& c);

}  // namespace insole::compare
