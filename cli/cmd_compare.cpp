// `insole compare A.h5 B.h5 [--foot left|right] [--json] [-o out.json] [--fitted ID,...]
//  [--figure diff.png|pdf] [--condition-a C] [--condition-b C] [--rules F] [--intake F]`: one patient's two recordings (before/after, barefoot/shoe/orthosis)
// per foot and region, with a difference map of the peak images after rigid registration and the
// rule file's targets (compare::compare; docs/compare.md). Both files go through
// batch::assess_file, the one path of `insole analyze`.
#include <algorithm>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "insole/batch/run.hpp"
#include "insole/compare/compare.hpp"
#include "insole/core/atomic_output.hpp"
#include "insole/recommend/intake.hpp"
#include "insole/recommend/rules.hpp"
#include "insole/report/compare_figure.hpp"
#include "insole/report/render.hpp"

namespace insole::cli {

int cmd_compare(const Args& args) {
  po::options_description opts("options");
  opts.add_options()
      ("a", po::value<std::string>(), "first recording (before, or the reference condition)")
      ("b", po::value<std::string>(), "second recording (after, or the condition compared)")
      ("foot", po::value<std::string>(), "compare only this foot: left or right")
      ("json", "print the comparison as JSON on stdout")
      ("output,o", po::value<std::string>(), "write the JSON comparison to this file (atomically)")
      ("figure", po::value<std::string>(), "draw the difference maps (B - A, kPa) to this .png or .pdf")
      ("fitted", po::value<std::vector<std::string>>()->multitoken(),
       "intervention ids of the rule file fitted between A and B (e.g. R-MET-PAD), in addition to "
       "A's prescription; their targets are checked")
      ("condition-a", po::value<std::string>(), "what A was recorded in: barefoot, shoe or shoe_orthosis (default: not stated)")
      ("condition-b", po::value<std::string>(), "what B was recorded in: barefoot, shoe or shoe_orthosis (default: not stated)")
      ("rules", po::value<std::string>(), "rule file (default: the shipped rules)")
      ("intake", po::value<std::string>(), "the patient's intake (YAML/JSON), applied to both recordings");
  po::positional_options_description pos;
  pos.add("a", 1).add("b", 1);
  po::variables_map vm;
  if (auto rc = parse_options("compare", "A.h5 B.h5 [--foot left|right] [--json] [-o out.json] [--figure diff.png|pdf] [--fitted ID ...] [--condition-a C] [--condition-b C]",
                              "Compares two recordings of one patient per foot and region (peak pressure, "
                              "pressure-time integral, changes), maps the difference of the peak images after "
                              "rigid registration of B onto A, and checks the rule file's targets.",
                              opts, pos, args, vm))
    return *rc;
  if (!vm.count("a") || !vm.count("b")) return usage_error("compare", "needs two recordings: A.h5 B.h5");
  compare::CompareOptions options;
  if (vm.count("foot")) {
    const auto side = parse_side(vm["foot"].as<std::string>());
    if (!side || (*side != Side::left && *side != Side::right))
      return usage_error("compare", "--foot must be left or right");
    options.foot = side;
  }
  if (auto rc = read_conditions("compare", vm, options)) return *rc;
  if (vm.count("fitted"))
    for (const auto& item : vm["fitted"].as<std::vector<std::string>>()) {
      std::stringstream ss(item);
      std::string id;
      while (std::getline(ss, id, ','))
        if (!id.empty()) options.fitted.push_back(id);
    }

  std::optional<report::FigureFormat> figure_format;
  if (vm.count("figure")) {
    auto ff = report::figure_format_of(vm["figure"].as<std::string>());
    if (!ff) return usage_error("compare", ff.error().message);
    figure_format = *ff;
  }

  auto rules = vm.count("rules") ? recommend::load_rules(vm["rules"].as<std::string>()) : recommend::load_default_rules();
  if (!rules) {
    report_error("compare", rules.error());
    return kExitBadInput;
  }
  // An unknown --fitted id fails before the (slow) analyses; compare::compare checks it again.
  for (const auto& id : options.fitted)
    if (std::none_of(rules->interventions.begin(), rules->interventions.end(),
                     [&](const recommend::Intervention& iv) { return iv.id == id; }))
      return usage_error("compare", "--fitted: unknown intervention id '" + id + "' (rule file " + rules->origin + ")");
  std::optional<recommend::Intake> intake;
  if (vm.count("intake")) {
    auto in = recommend::load_intake(vm["intake"].as<std::string>());
    if (!in) {
      report_error("compare", in.error());
      return kExitBadInput;
    }
    intake = std::move(*in);
  }
  std::vector<assess::Assessment> assessments;
  for (const char* key : {"a", "b"}) {
    const std::string file = vm[key].as<std::string>();
    note_if_interrupted("compare", file);
    auto a = batch::assess_file(file, *rules, intake);
    if (!a) {
      report_error("compare", a.error());
      return kExitBadInput;  // an unreadable recording is bad input, whatever the reader's code
    }
    a->input = file;
    assessments.push_back(std::move(*a));
  }
  auto c = compare::compare(assessments[0], assessments[1], *rules, options);
  if (!c) return report_error("compare", c.error());  // no_data -> 1, unknown --fitted id -> 2

  const std::string json = compare::to_json(*c) + "\n";
  if (vm.count("output")) {
    if (auto st = write_file_atomically(vm["output"].as<std::string>(), json); !st) {
      report_error("compare", st.error());
      return kExitBadInput;
    }
  }
  if (figure_format) {
    const auto st = report::write_compare_figure(*c, vm["figure"].as<std::string>(), *figure_format);
    report::release_render_caches();  // fontconfig's process-wide caches, so leak checkers see a clean exit
    if (!st) return report_error("compare", st.error());  // no foot with a map -> 1
  }
  if (vm.count("json"))
    std::cout << json;
  else
    std::cout << compare::format_table(*c);
  return kExitOk;
}

}  // namespace insole::cli
