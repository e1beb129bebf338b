#pragma once
// From an analysis to the inputs of the recommendation engine and to a ReportModel.

#include <optional>

#include "insole/analysis/analyze.hpp"
#include "insole/core/recording.hpp"
#include "insole/recommend/engine.hpp"
#include "insole/report/report_model.hpp"

namespace insole::report {

/// Findings and per-side medians of an analysis as engine input. Per-foot measures keep their
/// JSON keys (arch_index, cpei_percent, ...); gait symmetry indices go under Side::both.
/// `recording` (optional) adds measures that need frames: forefoot_peak_ap_mm, the distance
/// from the heel of the forefoot's highest peak on the representative footfall.
recommend::EngineInput engine_input(const analysis::AnalysisResult& result, std::optional<recommend::Intake> intake,
                                    const Recording* recording = nullptr);

/// Builds the fitting report of a recording: per-foot peak maps of the representative footfall
/// (the used footfall with the median peak force) drawn in its foot frame with regions, thirds and
/// COP; metrics rows with the rule file's reference ranges; findings; prescription; chain;
/// quality. `header` fields left empty are filled from the recording where possible.
ReportModel build_report_model(const Recording& recording, const analysis::AnalysisResult& result,
                               const recommend::RuleSet& rules, const recommend::Prescription& prescription,
                               ReportHeader header);

}  // namespace insole::report
