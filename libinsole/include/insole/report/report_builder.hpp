#pragma once
// From an assessment (assess/assessment.hpp) to a ReportModel. The report renders only the
// assessment and the streams' descriptions: it never reads frames.

#include <ctime>
#include <string>

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

/// The calendar date of `t` in the local time zone as YYYY-MM-DD: the default ReportHeader::date
/// of `insole report` and of the clinic app's visits and reports.
std::string local_date(std::time_t t);

/// local_date of the current time.
std::string local_date_today();

}  // namespace insole::report
