#pragma once
// The report's tables as text, shared by the PDF and HTML renderers (internal).
#include <string>
#include <vector>

#include "insole/report/report_model.hpp"

namespace insole::report::sections {

using Row = std::vector<std::string>;

struct Table {
  std::vector<std::string> header;
  std::vector<double> widths;   ///< fractions of the text width
  std::vector<Row> rows;
  std::vector<bool> emphasis;   ///< per row: bold (e.g. out of range, withheld)
};

/// How much of the evidence trace a table carries: the PDF prints the short form so that a
/// typical walk fits on two pages; HTML (and JSON) carry the full trace.
enum class Detail { brief, full };

std::string side_name(Side s);
std::vector<std::string> header_lines(const ReportModel& m);
Table metrics(const ReportModel& m);
/// "Left: findings consistent with ..." lines with their evidence.
std::vector<std::string> findings(const ReportModel& m);
/// Orthoses, footwear and advice (element, side, dose, reason).
Table prescription(const ReportModel& m, Detail detail);
/// Exercises (exercise, dose, why).
Table exercises(const ReportModel& m, Detail detail);
/// Referral lines, most urgent first, or the "not screened" statement.
std::vector<std::string> referrals(const ReportModel& m);
Table quality(const ReportModel& m);
/// The comparison section (model.comparison): the foot's title line, its regional table
/// (region, variable, A, B, B - A, %) and its target verdicts with their reasons.
std::string comparison_foot_title(const compare::FootComparison& f);
Table comparison_regions(const compare::FootComparison& f);
std::vector<std::string> comparison_targets(const compare::FootComparison& f);

}  // namespace insole::report::sections
