// `insole spm DESIGN.csv --test T`: footprint images of the recordings a design file lists,
// registered onto a template (or the first image) and tested pixel by pixel with permutation
// family-wise error control (docs/statistics.md). Only wiring: the work is in insole::stats.
#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "commands.hpp"
#include "insole/batch/csv.hpp"
#include "insole/batch/run.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "insole/recommend/rules.hpp"
#include "insole/stats/image.hpp"
#include "insole/stats/regions.hpp"
#include "insole/stats/registration.hpp"
#include "insole/stats/results.hpp"
#include "insole/stats/spm.hpp"

namespace insole::cli {

namespace {

struct Row {
  std::string file, side, subject, condition;
  double covariate = 0.0;
  std::size_t line = 0;
};

Result<std::string> read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return make_error(Errc::not_found, p.string() + ": cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The design rows; columns by header name. Paths are relative to the design file's folder.
Result<std::vector<Row>> read_design(const std::filesystem::path& path, const std::string& covariate) {
  auto text = read_text(path);
  if (!text) return text.error();
  auto rows = batch::parse_csv(*text, path.string());
  if (!rows) return rows.error();
  if (rows->empty()) return make_error(Errc::format_error, path.string() + ": empty design file");
  const auto& header = rows->front();
  auto col = [&](const std::string& name) -> int {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return static_cast<int>(i);
    return -1;
  };
  const int c_file = col("file"), c_side = col("side"), c_subject = col("subject"), c_cond = col("condition");
  const int c_cov = covariate.empty() ? -1 : col(covariate);
  if (c_file < 0) return make_error(Errc::format_error, path.string() + ": line 1: no 'file' column in the header");
  if (!covariate.empty() && c_cov < 0)
    return make_error(Errc::format_error, path.string() + ": line 1: no covariate column '" + covariate + "'");
  std::vector<Row> out;
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  for (std::size_t i = 1; i < rows->size(); ++i) {
    const auto& r = (*rows)[i];
    const std::string where = path.string() + ": line " + std::to_string(i + 1) + ": ";
    if (r.size() == 1 && r[0].empty()) continue;
    if (r.size() != header.size())
      return make_error(Errc::format_error, where + "expected " + std::to_string(header.size()) + " fields, found " +
                                                std::to_string(r.size()));
    Row row;
    row.line = i + 1;
    const std::filesystem::path f = r[static_cast<std::size_t>(c_file)];
    row.file = (f.is_absolute() ? f : dir / f).string();
    if (c_side >= 0) row.side = r[static_cast<std::size_t>(c_side)];
    if (!row.side.empty() && row.side != "left" && row.side != "right")
      return make_error(Errc::format_error, where + "side must be left or right, found '" + row.side + "'");
    if (c_subject >= 0) row.subject = r[static_cast<std::size_t>(c_subject)];
    if (c_cond >= 0) row.condition = r[static_cast<std::size_t>(c_cond)];
    if (c_cov >= 0) {
      const std::string& v = r[static_cast<std::size_t>(c_cov)];
      std::size_t used = 0;
      try {
        row.covariate = std::stod(v, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != v.size() || !std::isfinite(row.covariate))
        return make_error(Errc::format_error, where + "covariate '" + covariate + "' is not a number: '" + v + "'");
    }
    out.push_back(std::move(row));
  }
  if (out.empty()) return make_error(Errc::format_error, path.string() + ": no rows after the header");
  return out;
}

/// The two levels of the condition column, in order of first appearance.
Result<std::array<std::string, 2>> two_levels(const std::vector<Row>& rows, const std::string& design) {
  std::vector<std::string> levels;
  for (const Row& r : rows) {
    if (r.condition.empty())
      return make_error(Errc::format_error, design + ": line " + std::to_string(r.line) + ": empty condition");
    if (std::find(levels.begin(), levels.end(), r.condition) == levels.end()) levels.push_back(r.condition);
  }
  if (levels.size() != 2)
    return make_error(Errc::format_error, design + ": the condition column must hold exactly 2 values, found " +
                                              std::to_string(levels.size()));
  return std::array<std::string, 2>{levels[0], levels[1]};
}

Result<stats::FootValue> parse_value(const std::string& v) {
  if (v == "mean-peak") return stats::FootValue::mean_peak_kpa;
  if (v == "max-peak") return stats::FootValue::max_peak_kpa;
  if (v == "mean-pressure") return stats::FootValue::mean_pressure_kpa;
  if (v == "pti") return stats::FootValue::pti_kpa_s;
  if (v == "contact") return stats::FootValue::contact_percent;
  return make_error(Errc::invalid_argument, "--value must be mean-peak, max-peak, mean-pressure, pti or contact");
}

nlohmann::json clusters_json(const std::vector<stats::Cluster>& cs) {
  auto arr = nlohmann::json::array();
  for (const auto& c : cs)
    arr.push_back({{"sign", c.sign}, {"pixels", c.pixels}, {"area_mm2", c.area_mm2},
                   {"centroid_mm", {c.centroid_x_mm, c.centroid_y_mm}}, {"peak_t", c.peak_t},
                   {"peak_mm", {c.peak_x_mm, c.peak_y_mm}}, {"p_fwe", c.p_fwe},
                   {"region", c.region.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.region)}});
  return arr;
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
  auto value = parse_value(vm["value"].as<std::string>());
  if (!value) return usage_error("spm", value.error().message);
  stats::SpmParams params;
  params.alpha = vm["alpha"].as<double>();
  params.permutations = vm["permutations"].as<std::size_t>();
  params.seed = vm["seed"].as<std::uint64_t>();
  params.cluster_forming_p = vm["cluster-p"].as<double>();
  const std::string tail = vm["tail"].as<std::string>();
  if (tail == "two-sided") params.tail = stats::Tail::two_sided;
  else if (tail == "upper") params.tail = stats::Tail::upper;
  else if (tail == "lower") params.tail = stats::Tail::lower;
  else return usage_error("spm", "--tail must be two-sided, upper or lower");
  const std::string tside = vm["template-side"].as<std::string>();
  if (tside != "left" && tside != "right") return usage_error("spm", "--template-side must be left or right");

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
    auto text = read_text(vm["template"].as<std::string>());
    if (!text) return report_error("spm", text.error());
    auto im = stats::parse_csv_image(*text, vm["template-pitch-mm"].as<double>(), vm["template"].as<std::string>());
    if (!im) return report_error("spm", im.error());
    tmpl = std::move(*im);
  }

  // Images: one per row, from the same analysis path as `insole analyze`.
  auto rules = recommend::load_default_rules();
  if (!rules) return report_error("spm", rules.error());
  std::vector<stats::Image> images;
  std::vector<Side> sides;
  for (const Row& row : *rows) {
    auto a = batch::assess_file(row.file, *rules);
    if (!a) return report_error("spm", a.error());
    const analysis::FootImage* pick = nullptr;
    int candidates = 0;
    for (const auto& fi : a->analysis.images) {
      if (!fi.raster || fi.cells.empty()) continue;
      if (!row.side.empty() && to_string(fi.side) != row.side) continue;
      ++candidates;
      if (!pick) pick = &fi;
    }
    const std::string where = design_path + ": line " + std::to_string(row.line) + ": " + row.file;
    if (!pick)
      return report_error("spm", make_error(Errc::no_data, where + ": no footprint image" +
                                                               (row.side.empty() ? "" : " of the " + row.side + " foot")));
    if (candidates > 1)
      return report_error("spm", make_error(Errc::invalid_argument,
                                            where + ": " + std::to_string(candidates) +
                                                " feet have images; say which in a 'side' column"));
    auto im = stats::from_foot_image(*pick, *value);
    if (!im) return report_error("spm", im.error());
    images.push_back(std::move(*im));
    sides.push_back(pick->side);
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
    for (const Row& r : *rows) x.push_back(r.covariate);
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
      const Row& r = (*rows)[i];
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
