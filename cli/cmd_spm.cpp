// `insole spm DESIGN.csv --test T`: footprint images of the recordings a design file lists,
// registered onto a template (or the first image) and tested pixel by pixel with permutation
// family-wise error control (docs/statistics.md). Only wiring: the work is in insole::stats.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <array>
#include <cmath>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "design.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "insole/report/render.hpp"
#include "insole/report/spm_figure.hpp"
#include "insole/stats/image.hpp"
#include "insole/stats/regions.hpp"
#include "insole/stats/registration.hpp"
#include "insole/stats/results.hpp"
#include "insole/stats/spm.hpp"

namespace insole::cli {

namespace {

nlohmann::json clusters_json(const std::vector<stats::Cluster>& cs) {
  auto arr = nlohmann::json::array();
  for (const auto& c : cs)
    arr.push_back({{"sign", c.sign}, {"pixels", c.pixels}, {"area_mm2", c.area_mm2},
                   {"centroid_mm", {c.centroid_x_mm, c.centroid_y_mm}}, {"peak_t", c.peak_t},
                   {"peak_mm", {c.peak_x_mm, c.peak_y_mm}}, {"p_fwe", c.p_fwe},
                   {"region", c.region.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.region)}});
  return arr;
}

/// A progress bar for the permutations on stderr, redrawn in place ("\r") when the whole percent
/// changes: "insole spm: permutations [####....] 4500/10000  45%  12 s".
stats::SpmParams::ProgressFn progress_bar() {
  // Timed from the first permutation: the images were analysed and registered before.
  return [t0 = std::chrono::steady_clock::time_point{}, last = -1](std::size_t done, std::size_t total) mutable {
    if (done <= 1) t0 = std::chrono::steady_clock::now();
    const int pct = total ? static_cast<int>(100 * done / total) : 100;
    if (pct == last && done != total) return;
    last = pct;
    constexpr int kWidth = 30;
    const int filled = kWidth * pct / 100;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cerr << "\rinsole spm: permutations [" << std::string(static_cast<std::size_t>(filled), '#')
              << std::string(static_cast<std::size_t>(kWidth - filled), '.') << "] " << done << "/" << total << "  "
              << pct << "%  " << static_cast<long>(s) << " s" << (done == total ? "\n" : "") << std::flush;
  };
}

}  // namespace

int cmd_spm(const Args& args) {
  po::options_description opts("options");
  opts.add_options()
      ("test", po::value<std::string>(), "one-sample | paired | two-sample | regression (required)")
      ("covariate", po::value<std::string>(), "regression: the design column to regress on")
      ("template", po::value<std::string>(), "template image, CSV of numbers (e.g. MUN104R.csv); default: the first image")
      ("template-pitch-mm", po::value<double>(), "pixel pitch of the template (required with --template)")
      ("template-side", po::value<std::string>()->default_value("right"), "side of the template foot: left | right")
      ("register", po::value<std::string>()->default_value("affine"), "rigid | affine | nonlinear")
      ("value", po::value<std::string>()->default_value("mean-peak"),
       "image per foot: mean-peak | max-peak | mean-pressure | pti | contact")
      ("alpha", po::value<double>()->default_value(0.05), "family-wise error rate")
      ("tail", po::value<std::string>()->default_value("two-sided"), "two-sided | upper | lower")
      ("permutations", po::value<std::size_t>()->default_value(10000), "largest number of relabellings")
      ("seed", po::value<std::uint64_t>()->default_value(1), "seed of the random relabellings")
      ("cluster-p", po::value<double>()->default_value(0.01), "cluster-forming threshold, uncorrected p per tail")
      ("figure", po::value<std::string>(), "figure of the statistic map: FILE.png or FILE.pdf (docs/statistics.md)")
      ("progress", "draw a progress bar of the permutations on stderr (default: only when stderr is a terminal)")
      ("json", "print one JSON document instead of the table")
      ("output,o", po::value<std::string>(), "HDF5 results file (docs/statistics.md), replaced atomically")
      ("design", po::value<std::string>(), "design CSV: file[, side, subject, condition, covariates...]");
  po::positional_options_description pos;
  pos.add("design", 1);
  po::variables_map vm;
  if (auto rc = parse_options("spm", "DESIGN.csv --test T [options]",
                              "Registers the footprint image of each recording of a design file onto a "
                              "template and tests every pixel (t statistics) with permutation family-wise "
                              "error control: maximum statistic and cluster extent (docs/statistics.md).",
                              opts, pos, args, vm))
    return *rc;
  if (!vm.count("design")) return usage_error("spm", "missing DESIGN.csv");
  if (!vm.count("test")) return usage_error("spm", "missing --test");
  const std::string test = vm["test"].as<std::string>();
  if (test != "one-sample" && test != "paired" && test != "two-sample" && test != "regression")
    return usage_error("spm", "--test must be one-sample, paired, two-sample or regression");
  if (test == "regression" && !vm.count("covariate")) return usage_error("spm", "--test regression needs --covariate");
  const std::string kind = vm["register"].as<std::string>();
  if (kind != "rigid" && kind != "affine" && kind != "nonlinear")
    return usage_error("spm", "--register must be rigid, affine or nonlinear");
  auto value = parse_foot_value(vm["value"].as<std::string>());
  if (!value) return usage_error("spm", value.error().message);
  stats::SpmParams params;
  params.alpha = vm["alpha"].as<double>();
  params.permutations = vm["permutations"].as<std::size_t>();
  params.seed = vm["seed"].as<std::uint64_t>();
  params.cluster_forming_p = vm["cluster-p"].as<double>();
  if (vm.count("progress") || ::isatty(STDERR_FILENO) == 1) params.progress = progress_bar();
  const std::string tail = vm["tail"].as<std::string>();
  if (tail == "two-sided") params.tail = stats::Tail::two_sided;
  else if (tail == "upper") params.tail = stats::Tail::upper;
  else if (tail == "lower") params.tail = stats::Tail::lower;
  else return usage_error("spm", "--tail must be two-sided, upper or lower");
  const std::string tside = vm["template-side"].as<std::string>();
  if (tside != "left" && tside != "right") return usage_error("spm", "--template-side must be left or right");
  std::optional<report::FigureFormat> figure_format;
  if (vm.count("figure")) {
    auto f = report::figure_format_of(vm["figure"].as<std::string>());
    if (!f) return usage_error("spm", f.error().message);
    figure_format = *f;
  }

  const std::string design_path = vm["design"].as<std::string>();
  auto rows = read_design(design_path, vm.count("covariate") ? vm["covariate"].as<std::string>() : "");
  if (!rows) {
    report_error("spm", rows.error());
    return kExitBadInput;
  }
  std::optional<std::array<std::string, 2>> levels;
  if (test == "paired" || test == "two-sample") {
    auto l = two_levels(*rows, design_path);
    if (!l) {
      report_error("spm", l.error());
      return kExitBadInput;
    }
    levels = *l;
  }
  std::optional<stats::Image> tmpl;
  Side template_side = tside == "left" ? Side::left : Side::right;
  if (vm.count("template")) {
    if (!vm.count("template-pitch-mm")) return usage_error("spm", "--template needs --template-pitch-mm");
    auto im = load_template(vm["template"].as<std::string>(), vm["template-pitch-mm"].as<double>());
    if (!im) return report_error("spm", im.error());
    tmpl = std::move(*im);
  }

  // Images: one per row, from the same analysis path as `insole analyze`.
  auto loaded = load_foot_images(*rows, design_path, *value, false);
  if (!loaded) return report_error("spm", loaded.error());
  std::vector<stats::Image> images;
  std::vector<Side> sides;
  for (auto& e : *loaded) {
    images.push_back(std::move(e.image));
    sides.push_back(e.side);
  }
  if (!tmpl) {
    tmpl = images.front();
    template_side = sides.front() == Side::left ? Side::left : Side::right;
  }

  // Registration onto the template.
  std::vector<stats::Image> registered;
  nlohmann::json reg_json = nlohmann::json::array();
  DataNode reg_node;
  std::vector<double> dice, ncc, rms, angle;
  std::vector<std::string> files, side_names;
  for (std::size_t i = 0; i < images.size(); ++i) {
    stats::RegistrationParams rp;
    rp.mirror = stats::needs_mirror(sides[i], template_side);
    auto reg = kind == "rigid"    ? stats::register_rigid(images[i], *tmpl, rp)
               : kind == "affine" ? stats::register_affine(images[i], *tmpl, rp)
                                  : stats::register_nonlinear(images[i], *tmpl, rp);
    if (!reg) return report_error("spm", make_error(reg.error().code, (*rows)[i].file + ": " + reg.error().message));
    reg_json.push_back({{"file", (*rows)[i].file}, {"side", std::string(to_string(sides[i]))},
                        {"mirrored", reg->mirrored}, {"angle_deg", reg->angle_deg}, {"dice", reg->quality.dice},
                        {"ncc", reg->quality.ncc}, {"rms_residual", reg->quality.rms_residual}});
    dice.push_back(reg->quality.dice), ncc.push_back(reg->quality.ncc), rms.push_back(reg->quality.rms_residual);
    angle.push_back(reg->angle_deg), files.push_back((*rows)[i].file), side_names.emplace_back(to_string(sides[i]));
    registered.push_back(std::move(reg->warped));
  }

  // Region names from the template (toes towards +y, as analysis images and MUN104 are stored).
  auto regions = stats::regions_on_image(*tmpl, template_side, {0.0, 1.0}, 5.0);
  if (!regions) std::cerr << "insole spm: note: clusters are not named: " << regions.error().message << "\n";
  const stats::RegionMap* map = regions ? &*regions : nullptr;

  Result<stats::SpmResult> result = make_error(Errc::invalid_argument, "no test");
  if (test == "one-sample") {
    result = stats::one_sample(registered, params, map);
  } else if (test == "regression") {
    std::vector<double> x;
    for (const DesignRow& r : *rows) x.push_back(r.covariate);
    result = stats::regression(registered, x, params, map);
  } else if (test == "two-sample") {
    std::vector<stats::Image> a, b;
    for (std::size_t i = 0; i < rows->size(); ++i)
      ((*rows)[i].condition == (*levels)[0] ? a : b).push_back(registered[i]);
    result = stats::two_sample(a, b, params, map);
  } else {  // paired: one row per subject and condition
    std::map<std::string, std::array<int, 2>> by_subject;
    std::vector<std::string> order;
    for (std::size_t i = 0; i < rows->size(); ++i) {
      const DesignRow& r = (*rows)[i];
      if (r.subject.empty())
        return report_error("spm", make_error(Errc::format_error, design_path + ": line " + std::to_string(r.line) +
                                                                      ": a paired test needs a subject"));
      auto [it, fresh] = by_subject.try_emplace(r.subject, std::array<int, 2>{-1, -1});
      if (fresh) order.push_back(r.subject);
      int& slot = it->second[r.condition == (*levels)[0] ? 0 : 1];
      if (slot >= 0)
        return report_error("spm", make_error(Errc::format_error, design_path + ": line " + std::to_string(r.line) +
                                                                      ": subject '" + r.subject +
                                                                      "' has two rows of condition '" + r.condition + "'"));
      slot = static_cast<int>(i);
    }
    std::vector<stats::Image> a, b;
    for (const auto& s : order) {
      const auto& p = by_subject[s];
      if (p[0] < 0 || p[1] < 0)
        return report_error("spm", make_error(Errc::format_error, design_path + ": subject '" + s +
                                                                      "' lacks one of the two conditions"));
      a.push_back(registered[static_cast<std::size_t>(p[0])]);
      b.push_back(registered[static_cast<std::size_t>(p[1])]);
    }
    result = stats::paired(a, b, params, map);
  }
  if (!result) return report_error("spm", result.error());
  const stats::SpmResult& r = *result;

  if (vm.count("output")) {
    DataNode root;
    root.groups["spm"] = stats::to_data_tree(r);
    DataNode& rg = root.groups["registration"];
    rg.attributes["kind"] = kind;
    rg.arrays["dice"] = {{dice.size()}, dice, ""};
    rg.arrays["ncc"] = {{ncc.size()}, ncc, ""};
    rg.arrays["rms_residual"] = {{rms.size()}, rms, ""};
    rg.arrays["angle_deg"] = {{angle.size()}, angle, "deg"};
    rg.strings["file"] = files;
    rg.strings["side"] = side_names;
    if (auto st = io::write_data_tree(vm["output"].as<std::string>(), root, stats::kSpmFormat); !st)
      return report_error("spm", st.error());
  }
  if (figure_format) {
    const auto st = report::write_spm_figure(r, vm["figure"].as<std::string>(), *figure_format);
    report::release_render_caches();
    if (!st) return report_error("spm", st.error());
  }
  if (vm.count("json")) {
    nlohmann::json doc = {{"test", stats::to_string(r.design)}, {"tail", stats::to_string(r.tail)},
                          {"n", r.n}, {"df", r.df}, {"alpha", r.alpha}, {"permutations", r.permutations},
                          {"exact", r.exact}, {"seed", r.seed}, {"threshold_t", r.threshold_t},
                          {"cluster_forming_t", r.cluster_forming_t},
                          {"critical_cluster_pixels", r.critical_cluster_pixels},
                          {"pixels", r.mask.count()}, {"registrations", reg_json},
                          {"clusters_max", clusters_json(r.peak_clusters)},
                          {"clusters_extent", clusters_json(r.extent_clusters)}};
    std::cout << doc.dump(2) << "\n";
  } else {
    std::cout << "insole spm: " << stats::to_string(r.design) << " t test, " << r.n << " images, df " << r.df
              << ", " << r.mask.count() << " pixels, " << r.permutations << (r.exact ? " (all)" : " random")
              << " permutations\n  FWE threshold (alpha " << r.alpha << "): t = " << r.threshold_t
              << "; cluster-forming t = " << r.cluster_forming_t << ", critical size "
              << r.critical_cluster_pixels << " pixels\n";
    for (const auto* list : {&r.peak_clusters, &r.extent_clusters}) {
      std::cout << (list == &r.peak_clusters ? "  clusters above the threshold:\n" : "  clusters by extent:\n");
      if (list->empty()) std::cout << "    none\n";
      for (const auto& c : *list)
        std::cout << "    " << (c.sign > 0 ? "+" : "-") << " " << c.pixels << " px (" << c.area_mm2
                  << " mm2) at (" << c.centroid_x_mm << ", " << c.centroid_y_mm << ") mm"
                  << (c.region.empty() ? "" : " " + c.region) << ", peak t " << c.peak_t << ", p " << c.p_fwe
                  << "\n";
    }
  }
  return kExitOk;
}

}  // namespace insole::cli
