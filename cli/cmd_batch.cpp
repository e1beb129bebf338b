// `insole batch INPUT... -o results.csv [--rules F]`: assesses many recordings into one CSV (one row
// per foot per recording, with its findings and recommendation ids), in parallel, shardable across machines, resumable. The work is in insole::batch;
// this file parses options and draws progress.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "insole/batch/inputs.hpp"
#include "insole/batch/progress.hpp"
#include "insole/batch/run.hpp"

namespace insole::cli {

int cmd_batch(const Args& args) {
  po::options_description opts("options");
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  opts.add_options()("output,o", po::value<std::string>(), "results CSV (written atomically at the end)")(
      "json-dir", po::value<std::string>(), "also write each recording's analysis JSON under this directory")(
      "jobs,j", po::value<int>()->default_value(static_cast<int>(cores)), "recordings analysed in parallel")(
      "shard", po::value<std::string>(), "analyse only shard K of N (K/N, 1-based) and write a manifest")(
      "resume", "reuse rows of an earlier (or interrupted) run for unchanged files and algorithm")(
      "write-back", "store each analysis inside its recording under /analysis/<name>")(
      "write-back-name", po::value<std::string>()->default_value("batch"), "name of that analysis group")(
      "mode", po::value<std::string>(), "override every recording's mode: walk or stand")(
      "rules", po::value<std::string>(), "rule file for findings and recommendations (default: the shipped default.json)")(
      "progress", po::value<std::string>()->default_value("auto"),
      "auto (bar on a terminal, lines otherwise), bar, lines or none")(
      "progress-interval", po::value<double>()->default_value(10.0), "seconds between progress lines");
  opts.add_options()("input", po::value<std::vector<std::string>>(), "files, directories or glob patterns");
  po::positional_options_description pos;
  pos.add("input", -1);
  po::variables_map vm;
  if (auto rc = parse_options(
          "batch", "INPUT... -o results.csv [--rules F] [--json-dir DIR] [--jobs N] [--shard K/N] [--resume] [--write-back]",
          "Analyses every recording named by the inputs (files; directories, searched recursively for\n"
          "*.h5 / *.hdf5; glob patterns) into one CSV with a row per foot per recording, in a stable\n"
          "order. A file that cannot be analysed becomes a row with status \"failed\", its error code and\n"
          "message, and the batch goes on. Exit status: 0 when every recording gave results, 1 when some\n"
          "failed or had no usable foot contact (see the CSV), 2 for bad usage or an unwritable output.\n"
          "See docs/batch.md for sharding over Slurm arrays or GNU parallel and for batch-merge.",
          opts, pos, args, vm))
    return *rc;
  if (!vm.count("input")) return usage_error("batch", "no INPUT given");
  if (!vm.count("output")) return usage_error("batch", "missing -o results.csv");

  batch::BatchOptions o;
  o.output = vm["output"].as<std::string>();
  if (vm.count("json-dir")) o.json_dir = vm["json-dir"].as<std::string>();
  o.jobs = vm["jobs"].as<int>();
  if (o.jobs < 1 || o.jobs > 1024) return usage_error("batch", "--jobs must be between 1 and 1024");
  if (vm.count("shard")) {
    auto s = batch::parse_shard(vm["shard"].as<std::string>());
    if (!s) return usage_error("batch", s.error().message);
    o.shard = *s;
  }
  o.resume = vm.count("resume") > 0;
  o.write_back = vm.count("write-back") > 0;
  o.write_back_name = vm["write-back-name"].as<std::string>();
  // The rule file first, so that a bad one fails before any work (exit 2).
  {
    auto rules = vm.count("rules") ? recommend::load_rules(vm["rules"].as<std::string>()) : recommend::load_default_rules();
    if (!rules) {
      report_error("batch", rules.error());
      return kExitBadInput;
    }
    o.rules = std::make_shared<const recommend::RuleSet>(std::move(*rules));
  }
  if (vm.count("mode")) {
    o.analyse.mode = vm["mode"].as<std::string>();
    if (o.analyse.mode != "walk" && o.analyse.mode != "stand")
      return usage_error("batch", "--mode must be walk or stand");
  }
  std::string style = vm["progress"].as<std::string>();
  if (style != "auto" && style != "bar" && style != "lines" && style != "none")
    return usage_error("batch", "--progress must be auto, bar, lines or none");
  if (style == "auto") style = ::isatty(STDERR_FILENO) ? "bar" : "lines";
  const double line_interval_s = vm["progress-interval"].as<double>();
  if (!(line_interval_s > 0)) return usage_error("batch", "--progress-interval must be positive");

  const auto inputs = batch::expand_inputs(vm["input"].as<std::vector<std::string>>());
  double last_line_s = 0;
  batch::ProgressCallback progress;
  if (style == "bar") {
    o.progress_interval_s = 0.2;
    progress = [](const batch::BatchProgress& p) {
      std::cerr << "\r" << batch::progress_bar(p, 79) << "\x1b[K" << std::flush;
      if (p.done == p.total) std::cerr << "\n";
    };
  } else if (style == "lines") {
    o.progress_interval_s = std::min(1.0, line_interval_s);
    progress = [&last_line_s, line_interval_s](const batch::BatchProgress& p) {
      if (p.elapsed_s - last_line_s < line_interval_s && p.done != p.total) return;
      last_line_s = p.elapsed_s;
      std::cerr << batch::progress_line(p) << "\n";
    };
  }
  auto summary = batch::run_batch(inputs, o, progress);
  if (!summary) return report_error("batch", summary.error());
  for (const auto& w : summary->warnings) std::cerr << "insole batch: warning: " << w << "\n";
  std::cerr << "insole batch: " << batch::summary_text(*summary) << "\n"
            << "insole batch: " << summary->rows << " rows written to " << o.output.string();
  if (!summary->manifest.empty()) std::cerr << " (manifest " << summary->manifest.string() << ")";
  std::cerr << "\n";
  return summary->failed > 0 || summary->no_contact > 0 ? kExitProblem : kExitOk;
}

}  // namespace insole::cli
