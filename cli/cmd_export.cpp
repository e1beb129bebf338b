// insole export: a recording's assessment -> an exchange format for other software.
//  * apd: the pedcad import file (.apd) of one foot's maximum-pressure footprint, for orthotic
//    CAD. It is the assessment's per-foot image (analysis/foot_image.hpp: the highest peak of each
//    raster cell over the foot's used footfalls, upright in the foot's frame), never a reduction
//    of the frames of its own.
//  * csv: one row per foot with every per-foot median measure, the findings and the
//    recommendations (the columns of the batch CSV, docs/batch.md), for spreadsheets.
// Both come from batch::assess_file, the one path of `insole analyze`, `report` and `batch`.
#include <cmath>
#include <iostream>
#include <limits>
#include <sstream>

#include "commands.hpp"
#include "insole/batch/hash.hpp"
#include "insole/batch/results.hpp"
#include "insole/batch/run.hpp"
#include "insole/importers/apd.hpp"
#include "insole/recommend/rules.hpp"

namespace insole::cli {

namespace {

// The foot image the user chose: by --stream and --foot, or the only one.
Result<const analysis::FootImage*> pick_foot(const assess::Assessment& a, const std::string& stream,
                                             const std::string& foot) {
  std::vector<const analysis::FootImage*> found;
  std::string names;
  for (const auto& im : a.analysis.images) {
    if (!im.raster || im.footfalls == 0) continue;
    names += (names.empty() ? "" : ", ") + im.stream + "/" + std::string(to_string(im.side));
    if (!stream.empty() && im.stream != stream) continue;
    if (!foot.empty() && to_string(im.side) != foot) continue;
    found.push_back(&im);
  }
  if (found.size() == 1) return found[0];
  if (names.empty())
    return make_error(Errc::no_data,
                      "no foot with a footprint image: a pedcad footprint needs a pressure grid and a usable "
                      "contact (sensor-set insoles have no footprint image)");
  if (found.empty()) return make_error(Errc::not_found, "no foot matches --stream/--foot (feet found: " + names + ")");
  return make_error(Errc::invalid_argument,
                    "several feet have a footprint (" + names + "): choose one with --foot (and --stream)");
}

// The foot image as a grid: rows from the heel (row 0) to the toes, columns in increasing ml
// (lateral to medial), cell = the image's raster cell.
Status write_apd(const analysis::FootImage& im, const std::filesystem::path& path, double threshold) {
  std::int64_t x0 = std::numeric_limits<std::int64_t>::max(), x1 = std::numeric_limits<std::int64_t>::min();
  std::int64_t y0 = x0, y1 = x1;
  auto decode = [](std::int64_t key) {
    const std::int64_t iy = key >> 32;  // foot_image.cpp raster_key: (iy << 32) + (ix + 2^31)
    const std::int64_t ix = (key - (iy << 32)) - (std::int64_t{1} << 31);
    return std::make_pair(ix, iy);
  };
  for (const auto& [key, cell] : im.cells) {
    const auto [ix, iy] = decode(key);
    x0 = std::min(x0, ix), x1 = std::max(x1, ix), y0 = std::min(y0, iy), y1 = std::max(y1, iy);
  }
  const int rows = static_cast<int>(y1 - y0 + 1), cols = static_cast<int>(x1 - x0 + 1);
  std::vector<float> grid(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols),
                          std::numeric_limits<float>::quiet_NaN());
  for (const auto& [key, cell] : im.cells) {
    const auto [ix, iy] = decode(key);
    grid[static_cast<std::size_t>(iy - y0) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(ix - x0)] =
        static_cast<float>(cell.max_peak_kpa);
  }
  importers::ApdExportOptions o;
  o.contact_threshold_kpa = threshold;
  o.source_name = "insole " + im.stream + " " + std::string(to_string(im.side)) + " foot";
  std::ostringstream text;
  if (auto st = importers::write_apd_grid(text, rows, cols, im.cell_mm, im.cell_mm, grid, o); !st) return st;
  return importers::write_file_atomically(path, text.str());
}

}  // namespace

int cmd_export(const Args& args) {
  po::options_description opts("options");
  opts.add_options()
      ("format,f", po::value<std::string>()->default_value("apd"), "output format: apd | csv")
      ("output,o", po::value<std::string>(), "output file (required; replaced atomically)")
      ("foot", po::value<std::string>()->default_value(""),
       "apd: the foot to export, left or right (default: the only foot with a footprint)")
      ("stream", po::value<std::string>()->default_value(""),
       "apd: the grid stream of that foot (default: any)")
      ("threshold-kpa", po::value<double>()->default_value(0.0),
       "apd: peak pressures at or below this are written as 'no contact'")
      ("rules", po::value<std::string>(), "rule file for the csv findings and recommendations (default: shipped)")
      ("input", po::value<std::string>(), "insole HDF5 recording");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  if (auto rc = parse_options("export", "[--format apd|csv] INPUT.h5 -o OUT",
                              "apd: one foot's maximum-pressure footprint from the analysis (upright, heel "
                              "first) as a pedcad import file (N/cm2, -1 = no contact) for orthotic CAD "
                              "software. csv: one row per foot with the per-foot medians, findings and "
                              "recommendations (the batch CSV columns).",
                              opts, pos, args, vm))
    return *rc;
  const std::string format = vm["format"].as<std::string>();
  if (format != "apd" && format != "csv")
    return usage_error("export", "unknown --format '" + format + "' (supported: apd, csv)");
  if (!vm.count("input")) return usage_error("export", "missing INPUT.h5");
  if (!vm.count("output")) return usage_error("export", "missing -o OUT");
  const double threshold = vm["threshold-kpa"].as<double>();
  if (!(threshold >= 0)) return usage_error("export", "--threshold-kpa must be >= 0");
  const std::string foot = vm["foot"].as<std::string>();
  if (!foot.empty() && foot != "left" && foot != "right") return usage_error("export", "--foot must be left or right");
  auto rules = vm.count("rules") ? recommend::load_rules(vm["rules"].as<std::string>()) : recommend::load_default_rules();
  if (!rules) {
    report_error("export", rules.error());
    return kExitBadInput;
  }
  const std::string input = vm["input"].as<std::string>();
  const std::filesystem::path output = vm["output"].as<std::string>();
  note_if_interrupted("export", input);
  batch::RecordingFacts facts;
  auto assessment = batch::assess_file(input, *rules, std::nullopt, {}, &facts);
  if (!assessment) return report_error("export", assessment.error());
  assessment->input = input;

  if (format == "csv") {
    facts.key = input;
    auto hash = batch::hash_file(input);
    if (!hash) return report_error("export", hash.error());
    facts.file_hash = *hash;
    std::string text = batch::csv_line(batch::csv_columns());
    for (const auto& row : batch::result_rows(facts, *assessment)) text += batch::csv_line(row);
    if (auto st = importers::write_file_atomically(output, text); !st) return report_error("export", st.error());
  } else {
    auto im = pick_foot(*assessment, vm["stream"].as<std::string>(), foot);
    if (!im) return report_error("export", im.error());
    if (auto st = write_apd(**im, output, threshold); !st) return report_error("export", st.error());
  }
  std::cerr << "insole export: wrote " << output.string() << "\n";
  return kExitOk;
}

}  // namespace insole::cli
