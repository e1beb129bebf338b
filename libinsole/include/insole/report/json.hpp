#pragma once
// `insole analyze --json`: the analysis as one JSON document (design note section 3.2; keys are
// a contract with users' scripts, see docs/cli.md and docs/metrics.md). Top level:
//   toolkit_version, format_version, algorithm_version, input,
//   feet[]        side, stream, surface, arch_index, arch_class, cpei_percent, foot_length_mm,
//                 footfalls_used / _rejected, measures{key: {median, q1, q3, min, max, n}},
//                 regions{region: {variable: spread}}, gait{...}, pronation{...}, equinus{...},
//                 footfalls[] {start_s, end_s, arch_index, cpei_percent, foot_length_mm, ...}
//   gait          cadence, double support, symmetry indices
//   findings[]    id, side, statement, confidence, severity, evidence[], notes[]
//   recommendations[]  filled by the caller (recommend::recommendations_json), [] otherwise
//   quality       per stream counts, rejected reasons, saturated / dead sensels, warnings
//   parameters    every parameter the analysis used
// Numbers that were not measured are null, never omitted or invented.

#include <nlohmann/json.hpp>
#include <string>

#include "insole/analysis/analyze.hpp"
#include "insole/assess/assessment.hpp"

namespace insole::report {

/// The analysis as a JSON value: measures only, "findings" empty (findings need the rule file:
/// use assessment_json). `recommendations` must be an array (the recommendation
/// module's output); it is copied under "recommendations".
nlohmann::json analysis_json(const analysis::AnalysisResult& result, const std::string& input_name,
                             const nlohmann::json& recommendations = nlohmann::json::array());

/// The assessment as the `insole analyze --json` document: the analysis with the assessment's
/// findings and recommendations, plus "borderline_findings" (findings that did not fire, within
/// measurement error of doing so), "findings_not_applicable" ({id, side, reason}: no threshold of
/// the finding holds for the patient's age, or the stream cannot give its measures), "rules" {name, version, origin} and "intake_given".
/// Each foot carries "classes" (the rule file's class labels, with rule, ages, source, reason).
/// `insole report --format json` and `insole batch --json-dir` write the same document
/// (the report adds "prescription").
nlohmann::json assessment_json(const assess::Assessment& assessment);

/// Same, serialised with two-space indentation and a final newline.
std::string to_json(const assess::Assessment& assessment);

/// Same, serialised with two-space indentation and a final newline.
std::string to_json(const analysis::AnalysisResult& result, const std::string& input_name,
                    const nlohmann::json& recommendations = nlohmann::json::array());

/// Every parameter of an analysis, with the same keys as "parameters" in the document
/// (for storing next to results, e.g. io::write_analysis).
nlohmann::json parameters_json(const analysis::AnalysisParams& params);

}  // namespace insole::report
