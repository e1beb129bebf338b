#include "design.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "insole/batch/csv.hpp"
#include "insole/batch/run.hpp"
#include "insole/recommend/rules.hpp"

namespace insole::cli {

namespace fs = std::filesystem;

Result<std::string> read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return make_error(Errc::not_found, p.string() + ": cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::vector<DesignRow>> read_design(const fs::path& path, const std::string& covariate) {
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
  std::vector<DesignRow> out;
  const fs::path dir = path.has_parent_path() ? path.parent_path() : ".";
  for (std::size_t i = 1; i < rows->size(); ++i) {
    const auto& r = (*rows)[i];
    const std::string where = path.string() + ": line " + std::to_string(i + 1) + ": ";
    if (r.size() == 1 && r[0].empty()) continue;
    if (r.size() != header.size())
      return make_error(Errc::format_error, where + "expected " + std::to_string(header.size()) + " fields, found " +
                                                std::to_string(r.size()));
    DesignRow row;
    row.line = i + 1;
    const std::string& name = r[static_cast<std::size_t>(c_file)];
    if (name.empty()) return make_error(Errc::format_error, where + "empty 'file' field");
    const fs::path f = name;
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

namespace {

bool is_csv(const std::string& name) {
  std::string ext = fs::path(name).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".csv";
}

}  // namespace

Result<std::vector<DesignRow>> rows_from_inputs(const std::vector<std::string>& inputs, const std::string& covariate) {
  if (inputs.empty()) return make_error(Errc::invalid_argument, "no input: give a design CSV, a folder or recordings");
  for (const auto& in : inputs)
    if (is_csv(in)) {
      if (inputs.size() != 1)
        return make_error(Errc::invalid_argument, in + ": a design file must be the only input");
      return read_design(in, covariate);
    }
  if (!covariate.empty())
    return make_error(Errc::invalid_argument, "a covariate needs a design file with that column");
  std::vector<DesignRow> out;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      std::vector<std::string> files;
      for (const auto& e : fs::directory_iterator(in, ec))
        if (e.is_regular_file() && e.path().extension() == ".h5") files.push_back(e.path().string());
      if (ec) return make_error(Errc::io_error, in + ": cannot list the folder: " + ec.message());
      if (files.empty()) return make_error(Errc::not_found, in + ": no .h5 recordings in the folder");
      std::sort(files.begin(), files.end());
      for (auto& f : files) out.push_back(DesignRow{std::move(f), "", "", "", 0.0, 0});
    } else {
      out.push_back(DesignRow{in, "", "", "", 0.0, 0});
    }
  }
  return out;
}

std::string where(const DesignRow& row, const std::string& design) {
  return row.line ? design + ": line " + std::to_string(row.line) + ": " + row.file : row.file;
}

Result<std::array<std::string, 2>> two_levels(const std::vector<DesignRow>& rows, const std::string& design) {
  std::vector<std::string> levels;
  for (const DesignRow& r : rows) {
    if (r.condition.empty())
      return make_error(Errc::format_error, design + ": line " + std::to_string(r.line) + ": empty condition");
    if (std::find(levels.begin(), levels.end(), r.condition) == levels.end()) levels.push_back(r.condition);
  }
  if (levels.size() != 2)
    return make_error(Errc::format_error, design + ": the condition column must hold exactly 2 values, found " +
                                              std::to_string(levels.size()));
  return std::array<std::string, 2>{levels[0], levels[1]};
}

Result<stats::FootValue> parse_foot_value(const std::string& v) {
  if (v == "mean-peak") return stats::FootValue::mean_peak_kpa;
  if (v == "max-peak") return stats::FootValue::max_peak_kpa;
  if (v == "mean-pressure") return stats::FootValue::mean_pressure_kpa;
  if (v == "pti") return stats::FootValue::pti_kpa_s;
  if (v == "contact") return stats::FootValue::contact_percent;
  return make_error(Errc::invalid_argument, "--value must be mean-peak, max-peak, mean-pressure, pti or contact");
}

Result<std::vector<FootImageEntry>> load_foot_images(const std::vector<DesignRow>& rows, const std::string& design,
                                                     stats::FootValue value, bool every_foot) {
  auto rules = recommend::load_default_rules();
  if (!rules) return rules.error();
  std::vector<FootImageEntry> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const DesignRow& row = rows[i];
    auto a = batch::assess_file(row.file, *rules);
    if (!a) {  // the message names the file; add the design line
      if (!row.line) return a.error();
      return make_error(a.error().code, design + ": line " + std::to_string(row.line) + ": " + a.error().message);
    }
    std::vector<const analysis::FootImage*> picks;
    for (const auto& fi : a->analysis.images) {
      if (!fi.raster || fi.cells.empty()) continue;
      if (!row.side.empty() && to_string(fi.side) != row.side) continue;
      picks.push_back(&fi);
    }
    const std::string at = where(row, design);
    if (picks.empty())
      return make_error(Errc::no_data,
                        at + ": no footprint image" + (row.side.empty() ? "" : " of the " + row.side + " foot"));
    if (picks.size() > 1 && !every_foot)
      return make_error(Errc::invalid_argument,
                        at + ": " + std::to_string(picks.size()) + " feet have images; say which in a 'side' column");
    for (const auto* fi : picks) {
      auto im = stats::from_foot_image(*fi, value);
      if (!im) return make_error(im.error().code, at + ": " + im.error().message);
      out.push_back(FootImageEntry{std::move(*im), fi->side, i});
    }
  }
  return out;
}

Result<stats::Image> load_template(const std::string& path, double pitch_mm) {
  auto text = read_text(path);
  if (!text) return text.error();
  return stats::parse_csv_image(*text, pitch_mm, path);
}

}  // namespace insole::cli
