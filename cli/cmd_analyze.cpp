// `insole analyze FILE [--json] [--rules F] [--intake F]`: footprints, gait, pronation and equinus
// measures, findings and the recommendations the rule file derives from them. Reads the file chunk
// by chunk (analysis::analyze_stream), so memory stays flat however long the recording is.
#include <algorithm>
#include <functional>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "insole/analysis/analyze.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "insole/recommend/json.hpp"
#include "insole/recommend/rules.hpp"
#include "insole/report/json.hpp"
#include "insole/report/report_builder.hpp"

namespace insole::cli {

namespace {

using analysis::AnalysisResult;
using analysis::FootSummary;

std::string cell(std::optional<double> v, int precision, const std::string& unit = "") {
  if (!v) return "-";
  std::ostringstream os;
  os << std::fixed << std::setprecision(precision) << *v << unit;
  return os.str();
}

// A short list of what the rules recommend; the full items (doses, effects, sources) are in the
// JSON and the report.
void print_recommendations(std::ostream& out, const recommend::Prescription& p) {
  out << "\nrecommendations (rules " << p.rules_name << " " << p.rules_version
      << (p.red_flags_screened ? "" : "; red flags not screened: give --intake") << "):\n";
  if (p.referrals.empty() && p.items.empty()) out << "  none\n";
  for (const auto& r : p.referrals) out << "  REFER (" << r.urgency << ") " << r.id << ": " << r.text << "\n";
  for (const auto& item : p.items) {
    std::vector<std::string> because;
    for (const auto& t : item.triggers)
      if (std::find(because.begin(), because.end(), t.finding_id) == because.end()) because.push_back(t.finding_id);
    out << "  " << item.id << " (" << to_string(item.side) << ", " << item.category << "): " << item.element;
    if (!item.dose.text.empty()) out << " - " << item.dose.text;
    if (!because.empty()) {
      out << " [because ";
      for (std::size_t i = 0; i < because.size(); ++i) out << (i ? ", " : "") << because[i];
      out << "]";
    }
    if (item.withheld) out << " WITHHELD until cleared (" << item.withheld_by << ")";
    out << "\n";
  }
}

void print_quality(std::ostream& out, const AnalysisResult& r) {
  if (r.quality.warnings.empty()) return;
  out << "\nquality:\n";
  for (const auto& w : r.quality.warnings) out << "  " << w << "\n";
}

void print_table(std::ostream& out, const AnalysisResult& r, const std::string& input,
                 const recommend::Prescription& prescription) {
  out << "insole analyze: " << input << " (algorithm " << r.algorithm_version << ")\n\n";
  if (r.feet.empty()) {
    out << "no feet found\n";
    // Say why (no contact, no sensor geometry, every contact rejected and for what).
    for (const auto& q : r.quality.streams)
      for (const auto& [reason, n] : q.rejected)
        out << "  stream '" << q.stream << "': " << n << " contact(s) rejected: " << reason << "\n";
    print_quality(out, r);
    return;
  }
  struct Row {
    std::string label;
    std::function<std::string(const FootSummary&)> value;
  };
  const auto timing_of = [&](const FootSummary& f) -> const analysis::SideTiming* {
    return f.side == Side::left ? &r.timing.left : f.side == Side::right ? &r.timing.right : nullptr;
  };
  auto med = [](const char* key, int precision, const char* unit = "") {
    return [=](const FootSummary& f) { return cell(f.median(key), precision, unit); };
  };
  const std::vector<Row> rows = {
      {"stream", [](const FootSummary& f) { return f.stream; }},
      {"footfalls used / rejected",
       [](const FootSummary& f) {
         return std::to_string(f.footfalls_used) + " / " + std::to_string(f.footfalls_rejected);
       }},
      {"foot length (mm)", med("foot_length_mm", 0)},
      {"arch index (class)",
       [](const FootSummary& f) {
         return cell(f.median("arch_index"), 3) + (f.arch_class.empty() ? "" : " (" + f.arch_class + ")");
       }},
      {"Chippaux-Smirak (%)", med("chippaux_smirak_percent", 1)},
      {"CPEI (%), rectus ref 22.8", med("cpei_percent", 1)},
      {"ML index (+ lateral)", med("mlpi", 2)},
      {"forefoot ML index", med("forefoot_mlpi", 2)},
      {"progression angle (deg)", med("foot_progression_angle_deg", 1)},
      {"stance (s)", med("stance_s", 3)},
      {"stride (s)",
       [&](const FootSummary& f) {
         const auto* t = timing_of(f);
         return t && t->stride_s ? cell(t->stride_s->median, 3) : std::string("-");
       }},
      {"double support (%)",
       [&](const FootSummary& f) {
         const auto* t = timing_of(f);
         return t && t->double_support_percent ? cell(t->double_support_percent->median, 1) : std::string("-");
       }},
      {"phases IC/FFC/FF/PO (%)",
       [](const FootSummary& f) {
         return cell(f.median("initial_contact_percent"), 1) + "/" + cell(f.median("forefoot_contact_percent"), 1) +
                "/" + cell(f.median("foot_flat_percent"), 1) + "/" + cell(f.median("push_off_percent"), 1);
       }},
      {"  reference (walking)", [](const FootSummary&) { return std::string("7.0/4.8/48.8/39.4"); }},
      {"heel contact (%), ref 60.6", med("heel_contact_percent", 1)},
      {"forefoot:heel PTI", med("forefoot_heel_pti_ratio", 2)},
      {"forefoot peak (kPa)", med("forefoot_peak_kpa", 0)},
      {"toe-first contacts (%)", med("toe_first_percent", 0)},
      {"COP speed (mm/s), ref 316", med("cop_speed_mm_s", 0)},
      {"standing heel share (%)", med("standing_heel_load_share_percent", 1)},
  };
  std::size_t label_w = 0;
  for (const auto& row : rows) label_w = std::max(label_w, row.label.size());
  constexpr int kCol = 18;
  out << std::left << std::setw(static_cast<int>(label_w) + 2) << "";
  for (const auto& f : r.feet) out << std::setw(kCol) << std::string(to_string(f.side));
  out << "\n";
  for (const auto& row : rows) {
    out << std::setw(static_cast<int>(label_w) + 2) << row.label;
    for (const auto& f : r.feet) out << std::setw(kCol) << row.value(f);
    out << "\n";
  }
  if (r.timing.cadence_steps_per_min)
    out << "\ncadence " << cell(r.timing.cadence_steps_per_min, 1) << " steps/min";
  if (r.timing.stance_symmetry_percent)
    out << ", stance symmetry index " << cell(r.timing.stance_symmetry_percent, 1) << " %";
  out << "\n\nfindings:\n";
  if (r.findings.empty()) out << "  none\n";
  for (const auto& f : r.findings) {
    out << "  " << f.id << " (" << to_string(f.side) << ", confidence " << f.confidence << "): " << f.statement
        << "\n";
    for (const auto& e : f.evidence)
      out << "      " << (e.agrees ? "+ " : "- ") << e.measure << " = " << cell(e.value, 3) << e.unit << " ("
          << e.threshold << "; " << e.source << ")\n";
  }
  print_recommendations(out, prescription);
  print_quality(out, r);
  out << "\nPressure findings are not a diagnosis; a clinician must confirm them.\n";
}

}  // namespace

int cmd_analyze(const Args& args) {
  po::options_description opts("options");
  opts.add_options()("json", "print one JSON document (design contract) instead of the table")(
      "mode", po::value<std::string>(), "override the recording's mode: walk or stand")(
      "rules", po::value<std::string>(), "rule file to use instead of the shipped default.json")(
      "intake", po::value<std::string>(),
      "patient intake, .json or .yaml (symptoms and risk factors; red flags)");
  opts.add_options()("file", po::value<std::string>(), "recording (insole HDF5 format)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (auto rc = parse_options("analyze", "FILE [--json] [--rules F] [--intake F]",
                              "Analyses a recording: footfalls, footprint and arch measures, centre of "
                              "pressure (CPEI), gait events and timing, equinus signature, findings and "
                              "the recommendations of the rule file (as `insole report`).",
                              opts, pos, args, vm))
    return *rc;
  if (!vm.count("file")) return usage_error("analyze", "missing FILE");
  const std::string file = vm["file"].as<std::string>();

  // Rules and intake first, so that a bad file fails before any work (exit 2 whatever the error).
  auto rules = vm.count("rules") ? recommend::load_rules(vm["rules"].as<std::string>()) : recommend::load_default_rules();
  if (!rules) {
    report_error("analyze", rules.error());
    return kExitBadInput;
  }
  std::optional<recommend::Intake> intake;
  if (vm.count("intake")) {
    auto in = recommend::load_intake(vm["intake"].as<std::string>());
    if (!in) {
      report_error("analyze", in.error());
      return kExitBadInput;
    }
    intake = std::move(*in);
  }

  auto reader = io::RecordingReader::open(file);
  if (!reader) return report_error("analyze", reader.error());
  if (reader->interrupted()) note_interrupted("analyze", file);
  RecordingMetadata meta = reader->metadata();
  if (vm.count("mode")) {
    const std::string mode = vm["mode"].as<std::string>();
    if (mode != "walk" && mode != "stand") return usage_error("analyze", "--mode must be walk or stand");
    meta.mode = mode;
  }
  const auto& streams = reader->streams();
  std::size_t stream = 0;
  Eigen::Index next = 0;
  analysis::ChunkProvider provider = [&]() -> Result<std::optional<analysis::FrameChunk>> {
    while (stream < streams.size() && next >= reader->frame_count(stream)) {
      ++stream;
      next = 0;
    }
    if (stream >= streams.size()) return std::optional<analysis::FrameChunk>{};
    const Eigen::Index count = std::max<Eigen::Index>(reader->chunk_frames(stream), 256);
    auto block = reader->read_frames(stream, next, count);
    if (!block) return block.error();
    analysis::FrameChunk c;
    c.stream = stream;
    c.time_s = std::move(block->time_s);
    c.pressure_kpa = std::move(block->pressure_kpa);
    if (c.time_s.size() == 0)
      return make_error(Errc::format_error, file + ": stream '" + streams[stream].name + "' returned no frames at " +
                                                std::to_string(next));
    next += c.time_s.size();
    return std::optional<analysis::FrameChunk>(std::move(c));
  };
  auto result = analysis::analyze_stream(meta, streams, provider);
  if (!result) {
    Error e = result.error();
    if (e.message.find(file) == std::string::npos) e.message = file + ": " + e.message;
    return report_error("analyze", e);
  }
  const auto prescription = recommend::recommend(*rules, report::engine_input(*result, intake));
  if (vm.count("json"))
    std::cout << report::to_json(*result, file, recommend::recommendations_json(prescription));
  else
    print_table(std::cout, *result, file, prescription);
  if (!result->has_usable_contact()) {
    std::cerr << "insole analyze: " << file << ": no usable foot contact found\n";
    return kExitProblem;
  }
  return kExitOk;
}

}  // namespace insole::cli
