#include "insole/importers/apd.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <system_error>

#include "common.hpp"
#include "text.hpp"

namespace insole::importers {

using namespace detail;

Result<Recording> read_apd(std::istream& in, const std::string& source, const ImportOptions& options) {
  LineReader r(in, source);
  std::string section;
  struct Value {
    std::string text;
    std::size_t line;
  };
  std::map<std::string, Value> general, technical;
  std::vector<std::vector<float>> rows;
  std::size_t data_line = 0;
  bool saw_general = false;
  while (true) {
    auto line = r.next();
    if (!line) return line.error();
    if (!*line) break;
    const std::string_view text = trim(**line);
    if (text.empty()) continue;
    if (text.front() == '[' && text.back() == ']') {
      section = std::string(text.substr(1, text.size() - 2));
      if (section == "General") saw_general = true;
      if (section == "Data") data_line = r.line_number();
      continue;
    }
    if (section.empty())
      return format_error(r, "expected a section header such as '[General]', got " + quote(text));
    if (section == "Data") {
      const auto cells = split_ws(text);
      std::vector<float> row;
      for (std::size_t c = 0; c < cells.size(); ++c) {
        auto v = parse_number(cells[c]);
        if (!v || (*v < 0 && *v != -1.0))
          return format_error(r, "expected a pressure >= 0 or -1 (no contact) in column " +
                                     std::to_string(c + 1) + ", got " + quote(cells[c]));
        row.push_back(*v < 0 ? 0.0f : static_cast<float>(*v));
      }
      if (rows.size() >= static_cast<std::size_t>(kMaxGridSide))
        return format_error(r, "expected at most " + std::to_string(kMaxGridSide) + " [Data] rows");
      rows.push_back(std::move(row));
      continue;
    }
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos)
      return format_error(r, "expected 'Key=Value' in section [" + section + "], got " + quote(text));
    const std::string key(trim(text.substr(0, eq)));
    Value v{to_utf8(trim(text.substr(eq + 1))), r.line_number()};
    if (section == "General") general[key] = v;
    if (section == "Technical") technical[key] = v;
    // [Customer] holds names: deliberately not kept.
  }
  if (!saw_general) return format_error(source, 1, "expected a '[General]' section (pedcad import file)");
  auto need = [&](const char* key, bool integer) -> Result<double> {
    auto it = technical.find(key);
    if (it == technical.end())
      return format_error(source, data_line ? data_line : r.line_number(),
                          std::string("expected '") + key + "=' in section [Technical]");
    if (integer) {
      auto v = parse_int(it->second.text, 0, kMaxGridSide);
      if (!v) return format_error(source, it->second.line,
                                  std::string("expected ") + key + " to be an integer in 0.." +
                                      std::to_string(kMaxGridSide) + ", got " + quote(it->second.text));
      return static_cast<double>(*v);
    }
    auto v = parse_number(it->second.text);
    if (!v || !(*v > 0))
      return format_error(source, it->second.line,
                          std::string("expected ") + key + " to be a positive number (mm), got " +
                              quote(it->second.text));
    return *v;
  };
  auto nx = need("SensCountX", true);
  if (!nx) return nx.error();
  auto ny = need("SensCountY", true);
  if (!ny) return ny.error();
  auto dx = need("LDistX", false);
  if (!dx) return dx.error();
  auto dy = need("LDistY", false);
  if (!dy) return dy.error();
  if (data_line == 0) return format_error(source, r.line_number() + 1, "expected a '[Data]' section");
  const auto n_rows = static_cast<std::size_t>(*nx), n_cols = static_cast<std::size_t>(*ny);
  if (static_cast<long long>(n_rows * n_cols) > kMaxSensels)
    return format_error(source, data_line, "expected at most " + std::to_string(kMaxSensels) + " sensels");
  if (rows.size() != n_rows)
    return format_error(source, data_line,
                        "expected " + std::to_string(n_rows) + " [Data] rows (SensCountX), got " +
                            std::to_string(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i].size() != n_cols)
      return format_error(source, data_line + 1 + i,
                          "expected " + std::to_string(n_cols) + " values per [Data] row (SensCountY), got " +
                              std::to_string(rows[i].size()));
  double factor = 10.0;  // N/cm2 unless stated otherwise
  std::string unit = "N/cm2";
  if (auto it = general.find("UnitPressure"); it != general.end()) {
    auto f = kpa_per_unit(it->second.text);
    if (!f) return format_error(source, it->second.line, "expected UnitPressure N/cm2 or kPa, got " + quote(it->second.text));
    factor = *f;
    unit = it->second.text;
  }
  if (auto it = general.find("UnitDistance"); it != general.end() && !iequals(it->second.text, "mm"))
    return format_error(source, it->second.line, "expected UnitDistance=mm, got " + quote(it->second.text));

  auto layout = SensorLayout::grid(static_cast<int>(n_rows), static_cast<int>(n_cols), *dx, *dy);
  if (!layout) return format_error(source, data_line, layout.error().message);
  StreamInfo info;
  info.name = "footprint";
  info.side = options.side.value_or(Side::unknown);
  info.layout = std::move(*layout);
  info.device = "pedcad import file";
  if (auto it = general.find("Source"); it != general.end()) info.device += " from " + it->second.text;
  for (const auto& [k, v] : general) info.attributes["header.General." + k] = v.text;
  for (const auto& [k, v] : technical) info.attributes["header.Technical." + k] = v.text;
  info.attributes["content"] = "maximum pressure per sensel (one footprint)";
  info.attributes["pressure_conversion"] = "kPa = value x " + std::to_string(factor) + " (" + unit + "); -1 = no contact -> 0";
  StreamBuilder out(std::move(info));
  std::vector<float> values;
  values.reserve(n_rows * n_cols);
  for (const auto& row : rows)
    for (float v : row) values.push_back(static_cast<float>(v * factor));
  out.add(0.0, values.data());
  Recording rec;
  rec.streams.push_back(out.finish());
  stamp_recording(rec, "apd", source);
  return rec;
}

namespace {

Result<const Stream*> pick_grid_stream(const Recording& rec, const std::string& name) {
  if (!name.empty()) {
    const Stream* s = rec.find_stream(name);
    if (!s) return make_error(Errc::not_found, "no stream named '" + name + "' in the recording");
    if (!s->info.layout.is_grid())
      return make_error(Errc::unsupported, "stream '" + name +
                                               "' is a sensor set, not a grid: a pedcad footprint needs a grid");
    return s;
  }
  const Stream* found = nullptr;
  for (const auto& s : rec.streams) {
    if (!s.info.layout.is_grid()) continue;
    if (found)
      return make_error(Errc::invalid_argument,
                        "the recording has several grid streams ('" + found->info.name + "', '" +
                            s.info.name + "'): choose one with --stream");
    found = &s;
  }
  if (!found)
    return make_error(Errc::unsupported,
                      "the recording has no grid stream: a pedcad footprint needs a pressure grid "
                      "(sensor-set insoles have no footprint image)");
  return found;
}

}  // namespace

Status write_apd_grid(std::ostream& out, int rows, int cols, double row_pitch_mm, double col_pitch_mm,
                      const std::vector<float>& kpa, const ApdExportOptions& options) {
  if (rows <= 0 || cols <= 0 || kpa.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
    return make_error(Errc::invalid_argument, "pedcad grid: the values do not fill " + std::to_string(rows) + " x " +
                                                  std::to_string(cols) + " cells");
  auto at = [&](int r, int c) { return kpa[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)]; };
  int r0 = rows, r1 = -1, c0 = cols, c1 = -1;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      if (at(r, c) > options.contact_threshold_kpa) {  // false for NaN
        r0 = std::min(r0, r);
        r1 = std::max(r1, r);
        c0 = std::min(c0, c);
        c1 = std::max(c1, c);
      }
  if (r1 < 0)
    return make_error(Errc::no_data, "no cell above " + std::to_string(options.contact_threshold_kpa) +
                                         " kPa: there is no footprint to export");
  out << "[General]\n"
      << "Description=pedcad Importfile\n"
      << "Source=<<" << options.source_name << ">>\n"
      << "UnitDistance=mm\n"
      << "UnitPressure=N/cm2\n\n"
      << "[Customer]\n\n"
      << "[Technical]\n"
      << "MaxSensorsX=" << rows << "\n"
      << "MaxSensorsY=" << cols << "\n"
      << "StartSensX=" << r0 << "\n"
      << "StartSensY=" << c0 << "\n"
      << "SensCountX=" << (r1 - r0 + 1) << "\n"
      << "SensCountY=" << (c1 - c0 + 1) << "\n";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.5f", row_pitch_mm);
  out << "LDistX=" << buf << "\n";
  std::snprintf(buf, sizeof buf, "%.5f", col_pitch_mm);
  out << "LDistY=" << buf << "\n\n[Data]\n";
  for (int r = r0; r <= r1; ++r) {
    for (int c = c0; c <= c1; ++c) {
      const float p = at(r, c);
      if (c > c0) out << '\t';
      if (p > options.contact_threshold_kpa) {
        std::snprintf(buf, sizeof buf, "%.1f", p / 10.0);  // kPa -> N/cm2
        out << buf;
      } else {
        out << "-1";
      }
    }
    out << '\n';
  }
  if (!out) return make_error(Errc::io_error, "writing the pedcad file failed");
  return {};
}

Status export_apd(const Recording& rec, std::ostream& out, const ApdExportOptions& options) {
  auto picked = pick_grid_stream(rec, options.stream);
  if (!picked) return picked.error();
  const Stream& s = **picked;
  const SensorLayout& l = s.info.layout;
  // Per-sensel maximum over the frames (-inf = never a finite value: no contact).
  std::vector<float> peak(static_cast<std::size_t>(l.rows()) * static_cast<std::size_t>(l.cols()),
                          -std::numeric_limits<float>::infinity());
  for (Eigen::Index f = 0; f < s.frame_count(); ++f)
    for (Eigen::Index i = 0; i < s.pressure_kpa.cols(); ++i) {
      const float p = s.pressure_kpa(f, i);
      if (std::isfinite(p) && p > peak[static_cast<std::size_t>(i)]) peak[static_cast<std::size_t>(i)] = p;
    }
  // Layout index -> (row, col) order of the grid writer.
  std::vector<float> grid(peak.size(), -std::numeric_limits<float>::infinity());
  for (int r = 0; r < l.rows(); ++r)
    for (int c = 0; c < l.cols(); ++c)
      grid[static_cast<std::size_t>(r) * static_cast<std::size_t>(l.cols()) + static_cast<std::size_t>(c)] =
          peak[static_cast<std::size_t>(l.index(r, c))];
  auto st = write_apd_grid(out, l.rows(), l.cols(), l.row_pitch_mm(), l.col_pitch_mm(), grid, options);
  if (!st && st.error().code == Errc::no_data)
    return make_error(Errc::no_data, "stream '" + s.info.name + "' has no sensel above " +
                                         std::to_string(options.contact_threshold_kpa) +
                                         " kPa: there is no footprint to export");
  return st;
}

Status write_file_atomically(const std::filesystem::path& path, const std::string& data) {
  // Atomic replace: write a temporary next to the target, then rename over it.
  std::filesystem::path tmp = path;
  tmp += ".tmp-insole";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return make_error(Errc::io_error, path.string() + ": cannot create " + tmp.string());
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    f.flush();
    if (!f) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return make_error(Errc::io_error, path.string() + ": write failed (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return make_error(Errc::io_error, path.string() + ": cannot replace the file: " + ec.message());
  }
  return {};
}

Status export_apd(const Recording& rec, const std::filesystem::path& path,
                  const ApdExportOptions& options) {
  std::ostringstream text;
  if (auto st = export_apd(rec, text, options); !st) return st;
  return write_file_atomically(path, text.str());
}

}  // namespace insole::importers
