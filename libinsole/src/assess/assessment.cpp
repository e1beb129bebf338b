#include "insole/assess/assessment.hpp"

#include <algorithm>
#include <map>

namespace insole::assess {

recommend::EngineInput engine_input(const analysis::AnalysisResult& result, const std::vector<analysis::Finding>& findings,
                                    std::optional<recommend::Intake> intake) {
  recommend::EngineInput in;
  in.findings = findings;
  in.intake = std::move(intake);
  for (const auto& foot : result.feet) {
    auto& m = in.measures[foot.side];
    for (const auto& [key, spread] : foot.measures) m[key] = spread.median;
  }
  auto& both = in.measures[Side::both];
  for (const auto& [key, value] : recommend::recording_measures(result.feet, result.timing)) both[key] = value;
  return in;
}

Result<Assessment> assess(std::string input, RecordingMetadata meta, std::vector<StreamInfo> streams,
                          const analysis::ChunkProvider& next_chunk, const recommend::RuleSet& rules,
                          std::optional<recommend::Intake> intake, const AssessOptions& options) {
  Assessment a;
  a.input = std::move(input);
  if (!options.mode.empty()) meta.mode = options.mode;
  analysis::AnalysisParams params = options.params;
  // The intake wins over the recording (design note section 6): body mass is the patient's; the
  // age selects the rule file's cut-offs (classes and finding thresholds hold for ages).
  if (intake) {
    if (auto mass = intake->number("body_mass_kg")) meta.body_mass_kg = *mass;
  }
  const recommend::Patient patient = recommend::patient_of(rules, intake ? &*intake : nullptr);
  auto result = analysis::analyze_stream(meta, streams, next_chunk, params, options.vendor);
  if (!result) return result.error();
  a.meta = std::move(meta);
  a.streams = std::move(streams);
  a.analysis = std::move(*result);
  // The rule file labels the measures (classes) and decides the findings (thresholds, how votes
  // combine, severity, surface, ages).
  recommend::classify_feet(rules, a.analysis.feet, patient);
  if (const recommend::ClassDef* arch = rules.find_class("arch_class"))
    for (auto& fa : a.analysis.footfalls) {
      auto it = fa.measures.find("arch_index");
      fa.arch.arch_class = it == fa.measures.end() ? std::string()
                                                   : recommend::classify(rules, *arch, it->second, patient).label;
    }
  auto evaluation = recommend::evaluate_findings(rules, a.analysis.feet, a.analysis.timing, patient);
  a.findings = std::move(evaluation.findings);
  // Where the rule file says a measure's resolution is too coarse to separate its classes, the
  // quality section says so for that foot (every front end renders these warnings).
  std::map<std::string, double> pitch;
  for (const auto& s : a.streams)
    if (s.layout.is_grid()) pitch[s.name] = std::max(s.layout.row_pitch_mm(), s.layout.col_pitch_mm());
  for (auto& w : recommend::resolution_warnings(rules, a.analysis.feet, pitch))
    a.analysis.quality.warnings.push_back(std::move(w));
  a.borderline_findings = std::move(evaluation.borderline_misses);
  a.not_applicable_findings = std::move(evaluation.not_applicable);
  a.intake = intake;
  a.engine_input = engine_input(a.analysis, a.findings, std::move(intake));
  a.prescription = recommend::recommend(rules, a.engine_input);
  for (const auto& na : a.not_applicable_findings)
    a.prescription.caveats.push_back(na.id + " (" + std::string(to_string(na.side)) + "): " + na.reason);
  a.rules_name = rules.name;
  a.rules_version = rules.rules_version;
  a.rules_origin = rules.origin;
  a.references = rules.measures;
  return a;
}

Result<Assessment> assess(std::string input, const Recording& recording, const recommend::RuleSet& rules,
                          std::optional<recommend::Intake> intake, const AssessOptions& options) {
  if (auto st = recording.validate(); !st) return st.error();
  std::vector<StreamInfo> infos;
  for (const auto& s : recording.streams) infos.push_back(s.info);
  // Chunks of 256 frames, stream after stream: the streaming analysis sees exactly what it sees
  // when reading a file.
  constexpr Eigen::Index kChunk = 256;
  std::size_t stream = 0;
  Eigen::Index next = 0;
  const analysis::ChunkProvider provider = [&]() -> Result<std::optional<analysis::FrameChunk>> {
    while (stream < recording.streams.size() && next >= recording.streams[stream].frame_count()) {
      ++stream;
      next = 0;
    }
    if (stream >= recording.streams.size()) return std::optional<analysis::FrameChunk>{};
    const Stream& s = recording.streams[stream];
    const Eigen::Index n = std::min(kChunk, s.frame_count() - next);
    analysis::FrameChunk c;
    c.stream = stream;
    c.time_s = s.time_s.segment(next, n);
    c.pressure_kpa = s.pressure_kpa.middleRows(next, n);
    next += n;
    return std::optional<analysis::FrameChunk>(std::move(c));
  };
  AssessOptions with_vendor = options;
  with_vendor.vendor.clear();
  for (const auto& s : recording.streams) with_vendor.vendor.push_back(s.vendor ? &*s.vendor : nullptr);
  return assess(std::move(input), recording.meta, std::move(infos), provider, rules, std::move(intake), with_vendor);
}

}  // namespace insole::assess
