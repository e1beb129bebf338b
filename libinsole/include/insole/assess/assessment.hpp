#pragma once
// The assessment: the one result every front end renders (design note sections 2 and 6). One
// entry point turns a recording (its metadata, its streams' descriptions and its frames, read
// chunk by chunk), the rule file and an optional intake into measures, footfalls, per-foot images
// and regions (analysis), findings, the chain path and the prescription (recommend).
// `insole analyze` (table and --json), `insole report` (PDF, HTML, JSON), `insole batch` (CSV and
// JSON) and `insole export` consume this object and never go back to the frames, so the same
// file and rules give the same numbers, findings and recommendations everywhere.
//
// Dependency direction: core <- analysis <- recommend <- assess <- report.

#include <optional>
#include <string>
#include <vector>

#include "insole/analysis/analyze.hpp"
#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"
#include "insole/recommend/engine.hpp"
#include "insole/recommend/findings.hpp"
#include "insole/recommend/intake.hpp"
#include "insole/recommend/rules.hpp"

namespace insole::assess {

struct AssessOptions {
  analysis::AnalysisParams params;
  /// Override of the recording's mode ("walk" | "stand"); empty = as recorded.
  std::string mode;
  /// Per stream, the maker's channels (Stream::vendor) or nullptr; empty = none. Pointers must
  /// outlive the call (analysis::analyze_stream).
  std::vector<const VendorChannels*> vendor;
};

struct Assessment {
  std::string input;                        ///< file name or label, as given
  RecordingMetadata meta;                   ///< as analysed (mode override applied)
  std::vector<StreamInfo> streams;          ///< the streams' descriptions (name, device, layout)
  analysis::AnalysisResult analysis;        ///< measures, footfalls, per-foot summaries and images
  std::vector<analysis::Finding> findings;  ///< what the rules conclude from the measures
  /// Findings that did not fire but lie within measurement error of firing: reported, not acted on.
  std::vector<analysis::Finding> borderline_findings;
  /// Findings none of whose thresholds holds for the patient's age (e.g. no paediatric cut-off for
  /// a 2-year-old), with the reason; also listed in the prescription's caveats.
  std::vector<recommend::NotApplicableFinding> not_applicable_findings;
  recommend::EngineInput engine_input;      ///< the measures the rules saw, per side
  recommend::Prescription prescription;
  std::optional<recommend::Intake> intake;
  std::string rules_name;
  std::string rules_version;
  std::string rules_origin;
  /// The rule file's reference ranges (and display decimals) per measure, for tables and reports.
  std::vector<recommend::MeasureDef> references;

  bool has_usable_contact() const noexcept { return analysis.has_usable_contact(); }
};

/// Findings and per-side medians of an analysis as engine input. Per-foot measures keep their JSON
/// keys (arch_index, cpei_percent, forefoot_peak_ap_mm, ...); the per-recording measures
/// (recommend::recording_measures: left/right symmetry indices) go under Side::both.
recommend::EngineInput engine_input(const analysis::AnalysisResult& result, const std::vector<analysis::Finding>& findings,
                                    std::optional<recommend::Intake> intake);

/// The assessment of a recording whose frames come chunk by chunk (analysis::analyze_stream, so
/// memory stays flat however long the recording is). The intake's age reaches the rules: classes
/// and finding thresholds are those the rule file gives for the patient's age.
Result<Assessment> assess(std::string input, RecordingMetadata meta, std::vector<StreamInfo> streams,
                          const analysis::ChunkProvider& next_chunk, const recommend::RuleSet& rules,
                          std::optional<recommend::Intake> intake, const AssessOptions& options = {});

/// Same, over a recording held in memory (fed to the same streaming path in chunks).
Result<Assessment> assess(std::string input, const Recording& recording, const recommend::RuleSet& rules,
                          std::optional<recommend::Intake> intake, const AssessOptions& options = {});

}  // namespace insole::assess
