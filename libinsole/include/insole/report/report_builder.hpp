#pragma once
// From an assessment (assess/assessment.hpp) to a ReportModel. The report renders only the
// assessment and the streams' descriptions: it never reads frames.

#include "insole/assess/assessment.hpp"
#include "insole/recommend/rules.hpp"
#include "insole/report/report_model.hpp"

namespace insole::report {

/// Builds the fitting report: per-foot mean peak-pressure images (aggregated over the used
/// footfalls, in the foot frame) with their regions, arch-index thirds and mean COP path; metrics
/// rows with the rule file's reference ranges; findings; prescription; chain; quality. `header`
/// fields left empty are filled from the assessment where possible.
ReportModel build_report_model(const assess::Assessment& assessment, const recommend::RuleSet& rules,
                               ReportHeader header);

}  // namespace insole::report
