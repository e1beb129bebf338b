#pragma once
// The recommendation engine: findings (from analysis) + measured values + an optional intake,
// evaluated against a RuleSet, give a Prescription. Generic: every clinical statement, threshold
// and dose comes from the rule file.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "insole/analysis/finding.hpp"
#include "insole/core/side.hpp"
#include "insole/recommend/intake.hpp"
#include "insole/recommend/rules.hpp"

namespace insole::recommend {

/// Measured values by JSON key (e.g. "arch_index" -> 0.29), per side. Side::both holds
/// whole-body values (e.g. load asymmetry); side lookups fall back to it.
using MeasureMap = std::map<std::string, double>;

struct EngineInput {
  std::vector<analysis::Finding> findings;
  std::map<Side, MeasureMap> measures;
  std::optional<Intake> intake;       ///< nullopt: red flags were not screened
};

/// A finding that took part in a recommendation, with its evidence (values and thresholds).
struct Trigger {
  std::string finding_id;             ///< or "intake:<field>" for an intake answer
  Side side = Side::unknown;
  std::string statement;
  std::vector<analysis::Evidence> evidence;
  std::string confidence;
  int severity = 0;
};

struct LinkRef {
  std::string id;
  std::vector<std::string> articles;
  std::string strength;
  std::string text;
};

struct Dose {
  std::string text;
  std::optional<double> amount;
  std::string unit;
  std::string basis;                  ///< how it was chosen, e.g. "arch_index = 0.312 (band >= 0.3)"
  std::string source;
};

struct Recommendation {
  std::string id;
  std::string category;
  std::string element;
  Side side = Side::unknown;          ///< left / right / both
  Dose dose;
  std::string reason;
  std::string strength;
  std::vector<Trigger> triggers;
  std::vector<LinkRef> links;
  std::vector<ExpectedEffect> expected_effects;
  std::vector<std::string> contraindications;
  std::string confidence;
  std::vector<std::string> what_would_change;
  std::vector<std::string> caveats;
  std::vector<std::string> sources;
  /// "recommended", or "optional" when the patient reports no symptom and the rule file makes
  /// this category optional for the asymptomatic (RuleSet::symptoms).
  std::string priority = "recommended";
  bool withheld = false;              ///< a red flag stands: listed for after clearance only
  std::string withheld_by;            ///< red flag ids, comma separated
};

struct Referral {
  std::string id;
  std::string urgency;
  std::string text;
  std::vector<std::string> because;   ///< intake fields that raised it
  std::vector<std::string> sources;
};

struct Prescription {
  std::string rules_name;
  std::string rules_version;
  bool red_flags_screened = false;
  std::vector<Referral> referrals;    ///< most urgent first; they override the items below
  std::vector<Recommendation> items;  ///< rule-file order, sides merged where identical
  /// The chain on this patient's path. A finding node is active when it was measured, an asked
  /// node only when the intake says so; inferred nodes are active when a link on the path
  /// passes through them, and are listed again in inferred_nodes (they are neither measured nor
  /// reported: the report draws them as inferred).
  std::vector<std::string> active_nodes;
  std::vector<std::string> inferred_nodes;
  std::vector<std::string> active_links;
  /// Whether the intake reports a symptom of RuleSet::symptoms; nullopt without an intake or
  /// without a symptoms section in the rule file.
  std::optional<bool> symptomatic;
  std::vector<std::string> statements;     ///< "findings consistent with ..." per finding
  std::vector<std::string> caveats;        ///< paediatric and screening notes
  std::string review;
  std::string sign_off;
};

/// Evaluates the rules. Findings with ids unknown to the rule set are reported in caveats and
/// otherwise ignored (the rule set may be older than the analysis).
Prescription recommend(const RuleSet& rules, const EngineInput& input);

}  // namespace insole::recommend
