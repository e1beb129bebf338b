#pragma once
// RuleSet: the clinical knowledge of the recommendation engine, held as versioned data (a JSON
// rule file, libinsole/rules/default.json, installed to share/insole/rules). The engine itself
// knows no finding, threshold, dose or article: everything it prints comes from here, so a
// clinic can review and override it with `--rules FILE` without rebuilding.
//
// The vocabulary (finding ids, chain links L1-L13, evidence strengths A/B/C) is that of the
// flat-foot / tight-calf chain documented in docs/recommendations.md.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "insole/core/result.hpp"

namespace insole::recommend {

struct Intake;

/// A literature reference or a source article ("A000".."A004"), cited by id everywhere else.
struct Source {
  std::string id;
  std::string kind;      ///< "article" | "paper" | "convention"
  std::string citation;
};

/// A reference range for a measure (for the report's metrics table); either bound may be absent.
struct MeasureDef {
  std::string id;        ///< JSON key of the measure, e.g. "arch_index"
  std::string label;
  std::string unit;
  int decimals = 2;
  std::optional<double> ref_low;
  std::optional<double> ref_high;
  /// Where the range was measured: "barefoot" (e.g. Putti 2008, Emed plate), "in_shoe", or ""
  /// for any surface. The report does not apply a range to data from the other surface.
  std::string ref_surface;
  std::string source;
  std::string note;
  /// Measurement error of the measure: a value closer than this to a finding's threshold is
  /// reported as borderline, and no severity grade or dose band is chosen on a difference
  /// smaller than this (rule file measures[].borderline_margin, with its own source and note).
  std::optional<double> borderline_margin;
  std::string borderline_source;
  std::string borderline_note;
  /// How finely one recording resolves this measure (rule file measures[].resolution): the
  /// per-foot measure that gives it (e.g. "arch_index_resolution" for "arch_index") and the value
  /// above which the measure cannot separate its classes. Past the limit the assessment warns
  /// with the figures and the measure's votes use that foot's resolution as their margin when it
  /// exceeds borderline_margin.
  struct Resolution {
    std::string measure;
    double limit = 0.0;
    std::string source;
    std::string note;
  };
  std::optional<Resolution> resolution;
  /// Published values printed next to the measure (rule file measures[].published): named numbers
  /// such as a study's mean and SD, or its group means ("mean", "sd", "planus", ...), with their
  /// source. The report and the JSON document print them from here, never from C++ constants, so
  /// a clinic's rule file can replace them. Empty when the file gives none.
  std::map<std::string, double> published;
  std::string published_source;    ///< source id
  std::string published_citation;  ///< that source's citation, resolved when the file is read
  std::string published_note;

  /// The published value of that name, or nullopt.
  std::optional<double> published_value(std::string_view name) const {
    const auto it = published.find(std::string(name));
    return it == published.end() ? std::nullopt : std::optional<double>(it->second);
  }
};

/// The ages a threshold or a set of class cut-offs holds for. "adult": the patient is not
/// paediatric by the rule file's `paediatric.when` (an assessment without an intake, or without an
/// age, is read as an adult's); a range: the intake's age lies in [min, max) years; neither: any age.
struct AgeRange {
  bool adult = false;
  std::optional<double> min;  ///< years, inclusive
  std::optional<double> max;  ///< years, exclusive
  bool any_age() const noexcept { return !adult && !min && !max; }
};

/// Who the rules are applied to: the intake's age and whether `paediatric.when` holds.
struct Patient {
  std::optional<double> age_years;
  bool paediatric = false;
};

/// Whether a threshold or class set for `ages` applies to this patient.
bool age_covers(const AgeRange& ages, const Patient& patient) noexcept;
/// "adults", "ages 3-6 y", "ages 9 y and over", "any age".
std::string age_text(const AgeRange& ages);

/// A class boundary: a value v lies above it when `v op value` ("> 0.21": 0.21 itself is below).
struct ClassCutoff {
  double value = 0.0;
  std::string op;  ///< ">" | ">="
};

/// One set of cut-offs of a class, for the ages it holds for: labels[k] is the class of a value
/// above k cut-offs (labels.size() == cutoffs.size() + 1; cut-offs strictly increasing).
struct ClassSet {
  AgeRange ages;
  std::vector<std::string> labels;
  std::vector<ClassCutoff> cutoffs;
  std::string source;
  std::string note;
};

/// A classification of a measure (rule file `classes[]`), e.g. arch_class from arch_index. The
/// first set (in file order) whose ages cover the patient decides; none: no class, with the reason.
struct ClassDef {
  std::string id;          ///< output key, e.g. "arch_class"
  std::string measure;     ///< catalogue key of the classified measure
  std::vector<ClassSet> sets;
};

/// The class label of `value` under `set` (how many cut-offs it passes).
const std::string& class_label(const ClassSet& set, double value);
/// "arch_index <= 0.21 high, 0.21 < arch_index < 0.26 normal, arch_index >= 0.26 low".
std::string class_rule_text(const std::string& measure, const ClassSet& set);

/// Severity grade reached when a value lies at least `beyond` past its threshold (in the
/// measure's unit, in the direction of the comparison).
struct SeverityBand {
  double beyond = 0.0;
  int grade = 1;
};

/// "measure op value", e.g. arch_index >= 0.26, with the source of the number: one vote of a
/// finding.
struct Threshold {
  std::string measure;
  std::string op;        ///< "<" | "<=" | ">" | ">=" | "=="
  double value = 0.0;
  std::string source;
  /// Where the threshold was measured: "barefoot", "in_shoe" or "" (any). On data from the
  /// other surface the vote is "not applicable" with the reason, never compared.
  std::string surface;
  /// Why this number (required when the source is of kind "convention").
  std::string note;
  /// Severity grades by distance beyond the threshold, ascending; empty: grade 1 when it agrees.
  std::vector<SeverityBand> severity;
  /// The ages it holds for (rule file "ages": "adult" or {"min", "max"}); other ages: not
  /// applicable with the reason (adult arch cut-offs do not decide a child's low arch).
  AgeRange ages;
};

/// How a finding's votes combine: any one, all that apply, or at least n of them.
struct Combine {
  enum class Kind { any, all, at_least };
  Kind kind = Kind::any;
  int n = 1;  ///< at_least
};

/// Compares `lhs op rhs` for the operators above; false for an unknown operator.
bool compare(double lhs, std::string_view op, double rhs) noexcept;
/// The operator that describes the other side of a threshold ("<" for ">=", ...).
std::string negate_op(std::string_view op);

struct FindingDef {
  std::string id;                    ///< "F-ARCH-LOW", ...
  std::string label;                 ///< short label for tables and the chain diagram
  std::string consistent_with;       ///< completes "findings consistent with ..."
  std::vector<Threshold> thresholds; ///< the votes: measures compared with their thresholds
  Combine combine;                   ///< how the votes make the finding
  std::string confirm;               ///< clinical test that confirms or refutes it
  std::vector<std::string> notes;    ///< printed with the finding
  /// Its votes are per-recording measures (left/right symmetry): evaluated once, side "both".
  bool per_recording = false;
};

/// A boolean condition over findings, measures and intake answers (a small expression tree).
struct Condition {
  /// patient: {"patient": "paediatric"} (the rule file's paediatric.when holds) or
  /// {"patient": "symptomatic"} (its symptoms.when holds: a symptom was reported).
  enum class Kind { finding, measure, intake, patient, any, all, negate };
  Kind kind = Kind::finding;
  std::string key;                   ///< finding id, measure id, intake field or patient state
  int min_severity = 0;              ///< finding: only findings at least this severe
  std::string op;                    ///< measure / numeric intake: comparison
  double value = 0.0;
  std::vector<Condition> children;   ///< any / all / negate (one child)
};

/// A node of the chain: a measured finding, something inferred, or something asked.
struct Node {
  std::string id;
  std::string kind;                  ///< "finding" | "inferred" | "asked"
  std::string label;
  std::optional<Condition> active_when;  ///< asked nodes: which intake answers make it active
};

/// A directed link of the chain: from (one or more nodes) -> via... -> to.
struct Link {
  std::string id;                    ///< "L1".."L13"
  std::vector<std::string> from;
  std::vector<std::string> via;
  std::string to;
  std::vector<std::string> articles; ///< source ids
  std::string strength;              ///< one of RuleSet::strength_levels
  std::string text;
  /// A feedback link closes a loop of the chain (L7, L9). All other links must form an
  /// acyclic graph so the chain can be drawn from the feet to the back.
  bool feedback = false;
};

struct DoseBand {
  std::optional<double> min;         ///< inclusive
  std::optional<double> max;         ///< exclusive
  double amount = 0.0;
  std::string text;
};

/// How an intervention is dosed from the findings.
struct DoseRule {
  std::string kind = "fixed";        ///< "fixed" | "bands" | "linear"
  std::string basis;                 ///< bands: "measure" | "severity"
  std::string measure;               ///< bands on a measure, or linear
  std::vector<std::string> findings; ///< bands on severity: max severity over these findings
  std::vector<DoseBand> bands;
  double scale = 1.0, offset = 0.0;  ///< linear: amount = scale * measure + offset
  std::optional<double> min, max;    ///< linear: clamp
  int decimals = 0;
  std::string unit;
  std::string text;                  ///< fixed text, or linear template with {value} / {measure}
  std::string fallback;              ///< text when the measure is not available
  std::string source;
};

struct ExpectedEffect {
  std::string measure;
  std::string direction;             ///< "increase" | "decrease"
  std::optional<double> change_min, change_max;  ///< published magnitude
  std::string change_unit;           ///< "kPa" | "%" (empty when no magnitude)
  std::string text;
  std::string source;
};

struct Contraindication {
  std::optional<Condition> when;     ///< absent: always listed as a caution
  std::string action = "caution";    ///< "caution" (lowers confidence) | "withhold"
  std::string text;
  std::vector<std::string> sources;  ///< why (optional; cited when the item is withheld)
};

struct Intervention {
  std::string id;
  std::string category;              ///< "orthosis" | "exercise" | "footwear" | "advice"
  std::string element;
  std::string strength;
  Condition trigger;
  bool bilateral = false;            ///< always prescribed for both feet (one item, side both)
  std::string reason;
  std::vector<std::string> links;
  std::vector<std::string> sources;
  DoseRule dose;
  std::vector<ExpectedEffect> expected_effects;
  std::vector<Contraindication> contraindications;
  std::string what_would_change;
  std::string paediatric_note;
};

struct RedFlag {
  std::string id;
  Condition when;                    ///< only intake conditions (pressure cannot show red flags)
  std::string urgency;               ///< "urgent" | "prompt" | "routine"
  std::string text;
  std::vector<std::string> withholds; ///< intervention categories withheld while it stands
  std::vector<std::string> sources;
};

/// What counts as a prescription having done its job, checked by `insole compare` (a before and an
/// after recording): per region, a relative change of a pressure variable from A to B at most
/// `max_value` percent (kind relative_change, e.g. -17 for a 17 % reduction), or the variable in B
/// at most `max_value` in its unit (kind ceiling, e.g. 200 kPa). Applies when A's prescription
/// holds the intervention `intervention` (or it is stated as fitted), or when A's assessment raised
/// the red flag `red_flag` (exactly one of the two is set). `surface` ("in_shoe", "barefoot" or ""
/// for either) is the surface B must have been recorded on for the target to be assessable.
struct TargetDef {
  std::string id;
  std::string intervention;
  std::string red_flag;
  std::string region;                ///< an analysis region (forefoot, mth1..5, ...)
  std::string variable;              ///< "peak_pressure_kpa" | "pti_novel_kpa_s"
  std::string kind;                  ///< "relative_change" | "ceiling"
  double max_value = 0.0;            ///< percent (relative_change) or the variable's unit (ceiling)
  std::string surface;
  std::string text;
  std::vector<std::string> sources;
};

struct Paediatric {
  std::optional<Condition> when;
  std::string confidence_cap;
  std::vector<std::string> caveats;
  std::vector<std::string> sources;
};

/// What counts as a symptom, and how an intervention is offered to a patient who reports none
/// (an asymptomatic flat foot is a variant of normal: support is optional, not prescribed).
struct Symptoms {
  std::optional<Condition> when;     ///< intake answers that make the patient symptomatic
  std::vector<std::string> categories;  ///< intervention categories made optional when asymptomatic
  std::string confidence_cap;        ///< confidence of those items when asymptomatic
  std::string asymptomatic_text;     ///< caveat printed when it applies
  std::vector<std::string> sources;
};

struct Review {
  int weeks_min = 0, weeks_max = 0;
  std::string text;
  std::string with_red_flags;
  std::vector<std::string> sources;
};

struct RuleSet {
  std::string name;
  std::string rules_version;
  std::string origin;                ///< file it was read from
  std::vector<std::string> strength_levels;
  std::vector<std::string> confidence_levels;   ///< lowest first
  std::map<std::string, std::string> confidence_cap_by_strength;
  std::vector<Source> sources;
  std::vector<MeasureDef> measures;
  std::vector<ClassDef> classes;     ///< class labels of measures (arch_class, ...)
  std::vector<FindingDef> findings;
  std::vector<Node> nodes;           ///< includes one node per finding (kind "finding")
  std::vector<Link> links;
  std::vector<Intervention> interventions;
  std::vector<RedFlag> red_flags;
  /// Targets of prescriptions, checked by the comparison of two recordings (optional section).
  std::vector<TargetDef> targets;
  Paediatric paediatric;
  Symptoms symptoms;
  Review review;
  std::string not_screened_text;
  std::string wording_prefix;        ///< "findings consistent with"
  std::string sign_off;
  /// Links of these strengths rest on articles only; their text must say so with this phrase
  /// ("commonly described"), so that no report states them as established.
  std::vector<std::string> weak_link_strengths;
  std::string weak_link_phrase;

  const Source* find_source(std::string_view id) const noexcept;
  const MeasureDef* find_measure(std::string_view id) const noexcept;
  const FindingDef* find_finding(std::string_view id) const noexcept;
  const ClassDef* find_class(std::string_view id) const noexcept;
  const Node* find_node(std::string_view id) const noexcept;
  const Link* find_link(std::string_view id) const noexcept;
  /// Index of a confidence level in confidence_levels, or -1.
  int confidence_rank(std::string_view level) const noexcept;
};

/// Evaluates a condition that depends on the intake only (paediatric.when, symptoms.when, red
/// flags): false for finding, measure and patient conditions.
bool eval_intake_condition(const Condition& c, const Intake& intake);
/// The patient as the rules see them: the intake's age and paediatric.when (no intake: an adult
/// of unknown age).
Patient patient_of(const RuleSet& rules, const Intake* intake);

/// Parses and validates a rule file. Every problem is reported with the file, the JSON path and
/// what was expected, e.g. "rules.json: interventions[2] (R-HEEL-LIFT).trigger: unknown
/// finding id 'F-EQUINOS'". Checks: schema and version; unique ids; every threshold, link,
/// intervention and red flag has a known source; links join existing nodes; non-feedback links
/// are acyclic; conditions name known findings, measures and intake fields; dose bands are
/// ordered and do not overlap or leave gaps; red flags depend on the intake only; classes name a
/// declared measure, their cut-offs increase strictly (classes neither overlap nor leave gaps) with
/// one label more than cut-offs, and the age ranges of one class do not overlap.
Result<RuleSet> parse_rules(std::string_view json_text, std::string_view origin);
Result<RuleSet> load_rules(const std::filesystem::path& path);

/// Where the shipped default rule file is found: $INSOLE_RULES_DIR, then
/// <dir of the running program>/../share/insole/rules, then the install prefix and source tree
/// compiled in. Returns the first default.json that exists (or the last candidate).
std::filesystem::path default_rules_path();
Result<RuleSet> load_default_rules();

}  // namespace insole::recommend
