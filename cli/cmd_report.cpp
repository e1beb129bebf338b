// `insole report FILE [--intake F] [--rules F] -o report.pdf [--format pdf|html|json]`: analyses a
// recording, runs the recommendation rules and writes the fitting report (atomically). The report
// renders the assessment of batch::assess_file (the path of `insole analyze` and `insole batch`)
// and never reads frames itself.
#include <chrono>
#include <ctime>
#include <iostream>

#include "commands.hpp"
#include "insole/batch/run.hpp"
#include "insole/core/atomic_output.hpp"
#include "insole/core/version.hpp"
#include "insole/recommend/json.hpp"
#include "insole/recommend/rules.hpp"
#include "insole/report/json.hpp"
#include "insole/report/render.hpp"
#include "insole/report/report_builder.hpp"

namespace insole::cli {

namespace {

std::string today() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

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
      "date", po::value<std::string>(), "date printed in the header (default: today)");
  opts.add_options()("file", po::value<std::string>(), "recording (insole HDF5 format)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (auto rc = parse_options("report", "FILE -o report.pdf [--intake F] [--rules F] [--format pdf|html|json]",
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
  note_if_interrupted("report", file);
  auto assessment = batch::assess_file(file, *rules, intake, batch::AnalyseOptions{});
  if (!assessment) return report_error("report", assessment.error());
  assessment->input = file;

  Status written;
  if (format == "json") {
    auto j = report::assessment_json(*assessment);
    j["prescription"] = recommend::prescription_json(assessment->prescription);
    written = write_file_atomically(out, j.dump(2) + "\n");
  } else {
    report::ReportHeader header;
    header.clinic = vm["clinic"].as<std::string>();
    // The pseudonym: --patient, else the recording's subject, else the intake's patient_id.
    if (vm.count("patient")) header.patient_id = vm["patient"].as<std::string>();
    else if (assessment->meta.subject.empty() && intake && intake->text("patient_id")) header.patient_id = *intake->text("patient_id");
    header.date = vm.count("date") ? vm["date"].as<std::string>() : today();
    header.recording = std::filesystem::path(file).filename().string();
    header.toolkit_version = kToolkitVersion;
    const auto model = report::build_report_model(*assessment, *rules, header);
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
