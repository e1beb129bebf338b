// `insole analyze FILE [--json] [--rules F] [--intake F]`: footprints, gait, pronation and equinus
// measures, findings and the recommendations the rule file derives from them. The assessment comes
// from batch::assess_file, the one path `insole report` and `insole batch` use too; it reads the
// file chunk by chunk, so memory stays flat however long the recording is.
#include <algorithm>
#include <functional>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "insole/analysis/measure_catalogue.hpp"
#include "insole/analysis/missing.hpp"
#include "insole/assess/assessment.hpp"
#include "insole/batch/run.hpp"
#include "insole/recommend/rules.hpp"
#include "insole/report/json.hpp"

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

void print_table(std::ostream& out, const assess::Assessment& a) {
  const AnalysisResult& r = a.analysis;
  out << "insole analyze: " << a.input << " (algorithm " << r.algorithm_version << ")\n\n";
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
  // Rows named by the measure catalogue (label and unit) with the rule file's reference range.
  auto label_of = [&](const char* key) {
    const analysis::MeasureInfo* info = analysis::find_measure_info(key);
    std::string label = info ? info->label : key;
    if (info && !info->unit.empty()) label += " (" + info->unit + ")";
    for (const auto& md : a.references)
      if (md.id == key && (md.ref_low || md.ref_high)) {
        std::ostringstream os;
        os << ", ref ";
        if (md.ref_low && md.ref_high) os << *md.ref_low << "-" << *md.ref_high;
        else if (md.ref_low) os << ">= " << *md.ref_low;
        else os << "<= " << *md.ref_high;
        label += os.str();
      }
    return label;
  };
  auto decimals_of = [&](const char* key) {
    for (const auto& md : a.references)
      if (md.id == key) return md.decimals;
    return 1;
  };
  auto med = [&](const char* key) -> Row {
    const int precision = decimals_of(key);
    return {label_of(key), [=](const FootSummary& f) { return cell(f.median(key), precision); }};
  };
  std::vector<Row> rows = {
      {"stream", [](const FootSummary& f) { return f.stream; }},
      {"footfalls used / rejected",
       [](const FootSummary& f) {
         return std::to_string(f.footfalls_used) + " / " + std::to_string(f.footfalls_rejected);
       }},
      med("foot_length_mm"),
      {label_of("arch_index") + " (class)",
       [&](const FootSummary& f) {
         return cell(f.median("arch_index"), decimals_of("arch_index")) + (f.arch_class.empty() ? "" : " (" + f.arch_class + ")");
       }},
      med("chippaux_smirak_percent"),
      med("cpei_percent"),
      med("mlpi"),
      med("forefoot_mlpi"),
      med("foot_progression_angle_deg"),
      med("stance_s"),
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
      {"  reference (walking)",
       [&](const FootSummary&) {
         // Published phase means from the rule file (measures[].published), not from the code.
         auto pub = [&](const char* key) -> std::optional<double> {
           for (const auto& md : a.references)
             if (md.id == key) return md.published_value("mean");
           return std::nullopt;
         };
         return cell(pub("initial_contact_percent"), 1) + "/" + cell(pub("forefoot_contact_percent"), 1) + "/" +
                cell(pub("foot_flat_percent"), 1) + "/" + cell(pub("push_off_percent"), 1);
       }},
      med("heel_contact_percent"),
      med("forefoot_heel_pti_ratio"),
      med("forefoot_peak_kpa"),
      med("toe_first_percent"),
      med("cop_speed_mm_s"),
      med("standing_heel_load_share_percent"),
  };
  // Feet whose sensor positions are unknown (Moticon) were analysed from the vendor's total force
  // and COP: their timing, force and COP rows (normalised insole units), only when there are such feet.
  const bool positions_unknown = std::any_of(r.feet.begin(), r.feet.end(),
                                             [](const FootSummary& f) { return !f.positions_unknown.empty(); });
  if (positions_unknown) {
    rows.push_back({"swing (s)", [&](const FootSummary& f) {
                      const auto* t = timing_of(f);
                      return t && t->swing_s ? cell(t->swing_s->median, 3) : std::string("-");
                    }});
    for (const char* key : {"peak_force_n", "cop_path_length_normalised", "cop_ap_range_normalised",
                            "cop_ml_range_normalised"}) {
      const int precision = std::string_view(key).rfind("_normalised") != std::string_view::npos ? 3 : decimals_of(key);
      rows.push_back({label_of(key), [=](const FootSummary& f) { return cell(f.median(key), precision); }});
    }
  }
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
  for (const auto& f : r.feet) {
    if (f.positions_unknown.empty()) continue;
    // Every measure that needs sensor positions, named with its reason (measure_reasons in --json).
    std::string keys, why;
    for (const auto& info : analysis::measure_catalogue()) {
      if (!info.needs_positions()) continue;
      const auto m = analysis::missing_reason(r, f, info.key);
      if (m.reason.empty()) continue;
      if (why.empty()) why = m.reason;
      if (m.reason != why) continue;
      keys += (keys.empty() ? "" : ", ") + info.key;
    }
    if (!keys.empty())
      out << "\n" << to_string(f.side) << " foot (" << f.stream << "): " << why << ": " << keys;
  }
  out << "\n\nfindings:\n";
  if (a.findings.empty()) out << "  none\n";
  for (const auto& f : a.findings) {
    out << "  " << f.id << " (" << to_string(f.side) << ", confidence " << f.confidence << "): " << f.statement
        << "\n";
    for (const auto& e : f.evidence)
      out << "      " << (e.agrees ? "+ " : "- ") << e.measure << " = " << cell(e.value, 3) << e.unit << " ("
          << e.threshold << "; " << e.source << ")\n";
  }
  print_recommendations(out, a.prescription);
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

  note_if_interrupted("analyze", file);
  batch::AnalyseOptions options;
  if (vm.count("mode")) {
    options.mode = vm["mode"].as<std::string>();
    if (options.mode != "walk" && options.mode != "stand") return usage_error("analyze", "--mode must be walk or stand");
  }
  auto assessment = batch::assess_file(file, *rules, std::move(intake), options);
  if (!assessment) return report_error("analyze", assessment.error());
  assessment->input = file;
  if (vm.count("json"))
    std::cout << report::to_json(*assessment);
  else
    print_table(std::cout, *assessment);
  if (!assessment->has_usable_contact()) {
    std::cerr << "insole analyze: " << file << ": no usable foot contact found\n";
    return kExitProblem;
  }
  return kExitOk;
}

}  // namespace insole::cli
