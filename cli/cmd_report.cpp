// `insole report FILE [--intake F] [--rules F] -o report.pdf [--format pdf|html|json]`: analyses a
// recording, runs the recommendation rules and writes the fitting report (atomically). The report
// renders the assessment of batch::assess_file (the path of `insole analyze` and `insole batch`)
// and never reads frames itself.
#include <algorithm>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "insole/batch/run.hpp"
#include "insole/compare/compare.hpp"
#include "insole/core/atomic_output.hpp"
#include "insole/core/version.hpp"
#include "insole/recommend/json.hpp"
#include "insole/recommend/rules.hpp"
#include "insole/report/json.hpp"
#include "insole/report/render.hpp"
#include "insole/report/report_builder.hpp"

namespace insole::cli {

namespace {

std::string format_from(const std::string& explicit_format, const std::filesystem::path& out) {
  if (!explicit_format.empty()) return explicit_format;
  const std::string ext = out.extension().string();
  if (ext == ".html" || ext == ".htm") return "html";
  if (ext == ".json") return "json";
  return "pdf";
}

}  // namespace

int cmd_report(const Args& args) {
  po::options_description opts("options");
  opts.add_options()("output,o", po::value<std::string>(), "report file to write (required)")(
      "format", po::value<std::string>(), "pdf | html | json (default: from the output's extension, else pdf)")(
      "intake", po::value<std::string>(), "patient intake, .json or .yaml (symptoms and risk factors; red flags)")(
      "rules", po::value<std::string>(), "rule file to use instead of the shipped default.json")(
      "clinic", po::value<std::string>()->default_value(""), "clinic name for the header")(
      "patient", po::value<std::string>(), "pseudonymised patient id (default: the recording's subject, else the intake's patient_id)")(
      "date", po::value<std::string>(), "date printed in the header (default: today)")(
      "compare-with", po::value<std::string>(),
      "earlier (or reference) recording A: adds the comparison of this recording (B) with A, as `insole compare A B`")(
      "fitted", po::value<std::vector<std::string>>()->multitoken(),
      "with --compare-with: intervention ids fitted between A and B (as `insole compare --fitted`)")(
      "condition-a", po::value<std::string>(),
      "with --compare-with: what A was recorded in: barefoot, shoe or shoe_orthosis (as `insole compare`)")(
      "condition-b", po::value<std::string>(),
      "with --compare-with: what this recording (B) was recorded in: barefoot, shoe or shoe_orthosis");
  opts.add_options()("file", po::value<std::string>(), "recording (insole HDF5 format)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (auto rc = parse_options("report", "FILE -o report.pdf [--intake F] [--rules F] [--format pdf|html|json] [--compare-with A.h5 [--fitted ID ...] [--condition-a C] [--condition-b C]]",
                              "Analyses a recording, runs the recommendation rules (flat-foot / tight-calf "
                              "chain) and writes the fitting report. Without --intake the report says that "
                              "red flags were not screened.",
                              opts, pos, args, vm))
    return *rc;
  if (!vm.count("file")) return usage_error("report", "missing FILE");
  if (!vm.count("output")) return usage_error("report", "missing -o OUTPUT");
  const std::string file = vm["file"].as<std::string>();
  const std::filesystem::path out = vm["output"].as<std::string>();
  const std::string format = format_from(vm.count("format") ? vm["format"].as<std::string>() : "", out);
  if (format != "pdf" && format != "html" && format != "json")
    return usage_error("report", "--format must be pdf, html or json");

  // Inputs first, so that a bad rule or intake file fails before any work.
  auto rules = vm.count("rules") ? recommend::load_rules(vm["rules"].as<std::string>()) : recommend::load_default_rules();
  if (!rules) return report_error("report", rules.error());
  std::optional<recommend::Intake> intake;
  if (vm.count("intake")) {
    auto in = recommend::load_intake(vm["intake"].as<std::string>());
    if (!in) return report_error("report", in.error());
    intake = std::move(*in);
  }
  compare::CompareOptions compare_options;
  if ((vm.count("condition-a") || vm.count("condition-b")) && !vm.count("compare-with"))
    return usage_error("report", "--condition-a and --condition-b need --compare-with");
  if (auto rc = read_conditions("report", vm, compare_options)) return *rc;
  if (vm.count("fitted")) {
    if (!vm.count("compare-with")) return usage_error("report", "--fitted needs --compare-with");
    for (const auto& item : vm["fitted"].as<std::vector<std::string>>()) {
      std::stringstream ss(item);
      std::string id;
      while (std::getline(ss, id, ','))
        if (!id.empty()) compare_options.fitted.push_back(id);
    }
    for (const auto& id : compare_options.fitted)
      if (std::none_of(rules->interventions.begin(), rules->interventions.end(),
                       [&](const recommend::Intervention& iv) { return iv.id == id; }))
        return usage_error("report", "--fitted: unknown intervention id '" + id + "' (rule file " + rules->origin + ")");
  }
  // The comparison section: A (--compare-with) against this recording (B), through the one
  // compare::compare result that also gives its JSON, tables, verdicts and map (docs/compare.md).
  // A is analysed first, so that a bad A fails before the report's own analysis.
  std::optional<assess::Assessment> assessment_a;
  if (vm.count("compare-with")) {
    const std::string file_a = vm["compare-with"].as<std::string>();
    note_if_interrupted("report", file_a);
    auto a = batch::assess_file(file_a, *rules, intake, batch::AnalyseOptions{});
    if (!a) {
      report_error("report", a.error());
      return kExitBadInput;  // an unreadable recording is bad input, whatever the reader's code
    }
    a->input = file_a;
    assessment_a = std::move(*a);
  }
  note_if_interrupted("report", file);
  auto assessment = batch::assess_file(file, *rules, intake, batch::AnalyseOptions{});
  if (!assessment) return report_error("report", assessment.error());
  assessment->input = file;

  std::optional<compare::Comparison> comparison;
  if (assessment_a) {
    auto c = compare::compare(*assessment_a, *assessment, *rules, compare_options);
    if (!c) return report_error("report", c.error());
    comparison = std::move(*c);
  }

  Status written;
  if (format == "json") {
    auto j = report::assessment_json(*assessment);
    j["prescription"] = recommend::prescription_json(assessment->prescription);
    if (comparison) j["comparison"] = nlohmann::json::parse(compare::to_json(*comparison));
    written = write_file_atomically(out, j.dump(2) + "\n");
  } else {
    report::ReportHeader header;
    header.clinic = vm["clinic"].as<std::string>();
    // The pseudonym: --patient, else the recording's subject, else the intake's patient_id.
    if (vm.count("patient")) header.patient_id = vm["patient"].as<std::string>();
    else if (assessment->meta.subject.empty() && intake && intake->text("patient_id")) header.patient_id = *intake->text("patient_id");
    header.date = vm.count("date") ? vm["date"].as<std::string>() : report::local_date_today();
    header.recording = std::filesystem::path(file).filename().string();
    header.toolkit_version = kToolkitVersion;
    auto model = report::build_report_model(*assessment, *rules, header);
    model.comparison = std::move(comparison);
    written = format == "pdf" ? report::write_pdf(model, out) : report::write_html(model, out);
    report::release_render_caches();
  }
  if (!written) return report_error("report", written.error());
  std::cerr << "insole report: wrote " << out.string() << " (" << format << ", rules " << rules->rules_version
            << (intake ? "" : ", red flags not screened") << ")\n";
  if (!assessment->has_usable_contact()) {
    std::cerr << "insole report: " << file << ": no usable foot contact found\n";
    return kExitProblem;
  }
  return kExitOk;
}

}  // namespace insole::cli
