#include "insole/importers/xsensor.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "common.hpp"
#include "text.hpp"

namespace insole::importers {

using namespace detail;

namespace {

bool all_blank(const std::vector<std::string>& f) {
  for (const auto& s : f)
    if (!trim(s).empty()) return false;
  return true;
}

// "08:21:17.982" -> seconds since midnight.
std::optional<double> clock_seconds(std::string_view s) {
  const auto parts = split(trim(s), ':');
  if (parts.size() != 3) return std::nullopt;
  auto h = parse_int(parts[0], 0, 23);
  auto m = parse_int(parts[1], 0, 59);
  auto sec = parse_number(parts[2]);
  if (!h || !m || !sec || *sec < 0 || *sec >= 61) return std::nullopt;
  return static_cast<double>(*h * 3600 + *m * 60) + *sec;
}

struct Sensor {
  std::optional<StreamBuilder> builder;
  std::string name;
};

}  // namespace

Result<Recording> read_xsensor_csv(std::istream& in, const std::string& source,
                                   const ImportOptions&) {
  LineReader r(in, source);
  std::map<std::string, std::string> file_attrs;
  std::optional<double> factor;
  std::string unit_text;
  std::vector<Sensor> sensors;
  std::map<std::string, std::size_t> sensor_index;

  // State of the frame being read.
  std::optional<long long> frame_no;
  std::optional<double> frame_clock_s, first_clock_s;
  double day_offset_s = 0, last_clock_s = 0;
  std::string sensor_name;
  std::optional<long long> rows, cols;
  std::optional<double> width_cm, height_cm;
  bool in_group = false;
  std::vector<float> grid;

  while (true) {
    auto line = r.next();
    if (!line) return line.error();
    if (!*line) break;
    const auto f = split_csv(**line);
    if (all_blank(f)) continue;
    const std::string key(trim(f[0]));
    const std::string value = f.size() > 1 ? std::string(trim(f[1])) : std::string();

    if (!frame_no) {  // file header before the first FRAME
      if (key == "FRAME") {
      } else if (key == "Units:") {
        unit_text = value;
        factor = kpa_per_unit(value);
        if (!factor)
          return format_error(r, "expected 'Units:' mmHg, kPa, PSI or N/cm², got " + quote(value));
        file_attrs["header.Units"] = to_utf8(value);
        continue;
      } else if (!key.empty() && key.back() == ':') {
        file_attrs["header." + to_utf8(key.substr(0, key.size() - 1))] = to_utf8(value);
        continue;
      } else {
        return format_error(r, "expected an XSENSOR header line ('Units:,...') or 'FRAME,<n>', got " +
                                   quote(**line));
      }
    }
    if (key == "FRAME") {
      if (!factor) return format_error(r, "expected a 'Units:' line before the first FRAME");
      auto n = parse_int(value, 0, 1'000'000'000'000);
      if (!n) return format_error(r, "expected a frame number after 'FRAME,', got " + quote(value));
      if (frame_no && *n <= *frame_no)
        return format_error(r, "expected frame numbers to increase, got " + std::to_string(*n) +
                                   " after " + std::to_string(*frame_no));
      frame_no = *n;
      frame_clock_s.reset();
      sensor_name.clear();
      in_group = false;
      continue;
    }
    if (key == "Date") continue;
    if (key == "Time") {
      auto c = clock_seconds(value);
      if (!c) return format_error(r, "expected 'Time,HH:MM:SS.fff', got " + quote(value));
      if (first_clock_s && *c + day_offset_s < last_clock_s - 43200) day_offset_s += 86400;  // midnight
      frame_clock_s = *c + day_offset_s;
      if (!first_clock_s) first_clock_s = frame_clock_s;
      last_clock_s = *frame_clock_s;
      continue;
    }
    if (key == "GROUP") {  // region summaries repeat cells already read
      in_group = true;
      continue;
    }
    if (in_group) {
      if (key == "SENSELS") {
        // The group's cells follow as rows of numbers; skip them up to the next keyword line.
      }
      continue;
    }
    if (key == "SENSOR") {
      sensor_name = to_utf8(value);
      rows.reset();
      cols.reset();
      width_cm.reset();
      height_cm.reset();
      continue;
    }
    if (key == "Rows" || key == "Columns") {
      auto v = parse_int(value, 1, kMaxGridSide);
      if (!v) return format_error(r, "expected " + key + " to be an integer in 1.." +
                                         std::to_string(kMaxGridSide) + ", got " + quote(value));
      (key == "Rows" ? rows : cols) = *v;
      continue;
    }
    if (key == "Sensel Width (cm)" || key == "Sensel Height (cm)") {
      auto v = parse_number(value);
      if (!v || !(*v > 0)) return format_error(r, "expected a positive " + key + ", got " + quote(value));
      (key == "Sensel Width (cm)" ? width_cm : height_cm) = *v;
      continue;
    }
    if (key == "SENSELS") {
      if (sensor_name.empty()) return format_error(r, "expected a 'SENSOR,<name>' line before SENSELS");
      if (!rows || !cols || !width_cm || !height_cm)
        return format_error(r, "expected Rows, Columns, Sensel Width (cm) and Sensel Height (cm) "
                               "before SENSELS of sensor " + quote(sensor_name));
      if (!frame_clock_s) return format_error(r, "expected a 'Time,' line in the frame before SENSELS");
      if (*rows * *cols > kMaxSensels)
        return format_error(r, "expected at most " + std::to_string(kMaxSensels) + " sensels, got Rows " +
                                   std::to_string(*rows) + " x Columns " + std::to_string(*cols));
      auto it = sensor_index.find(sensor_name);
      if (it == sensor_index.end()) {
        if (frame_no && sensors.size() >= 16)
          return format_error(r, "expected at most 16 sensors, got another: " + quote(sensor_name));
        auto layout = SensorLayout::grid(static_cast<int>(*rows), static_cast<int>(*cols),
                                         *height_cm * 10.0, *width_cm * 10.0);
        if (!layout) return format_error(r, layout.error().message);
        StreamInfo info;
        const bool lf = sensor_name.find("-LF") != std::string::npos;
        const bool rf = sensor_name.find("-RF") != std::string::npos;
        info.side = lf ? Side::left : rf ? Side::right : Side::unknown;
        info.name = lf ? "left" : rf ? "right" : sensor_name;
        for (const auto& s : sensors)
          if (s.builder->info().name == info.name) info.name = sensor_name;
        info.layout = std::move(*layout);
        info.device = "XSENSOR " + sensor_name;
        info.attributes = file_attrs;
        info.attributes["pressure_conversion"] =
            "kPa = value x " + std::to_string(*factor) + " (Units: " + unit_text + ")";
        sensors.push_back(Sensor{StreamBuilder(std::move(info)), sensor_name});
        it = sensor_index.emplace(sensor_name, sensors.size() - 1).first;
      }
      StreamBuilder& b = *sensors[it->second].builder;
      if (b.info().layout.rows() != *rows || b.info().layout.cols() != *cols)
        return format_error(r, "expected sensor " + quote(sensor_name) + " to keep its " +
                                   std::to_string(b.info().layout.rows()) + "x" +
                                   std::to_string(b.info().layout.cols()) + " size");
      const auto n = static_cast<std::size_t>(*rows * *cols);
      grid.assign(n, 0.0f);
      for (long long row = 0; row < *rows; ++row) {
        std::optional<std::vector<std::string>> cells;
        while (true) {
          auto rl = r.next();
          if (!rl) return rl.error();
          if (!*rl)
            return format_error(r.source(), r.line_number() + 1,
                                "expected row " + std::to_string(row + 1) + " of " + std::to_string(*rows) +
                                    " of the SENSELS grid, file ended (truncated?)");
          auto c = split_csv(**rl);
          if (all_blank(c)) continue;
          cells = std::move(c);
          break;
        }
        for (long long col = 0; col < static_cast<long long>(cells->size()); ++col) {
          const std::string_view cell = trim((*cells)[static_cast<std::size_t>(col)]);
          if (col >= *cols) {
            if (!cell.empty())
              return format_error(r, "expected " + std::to_string(*cols) + " values (Columns) in row " +
                                         std::to_string(row + 1) + ", got more: " + quote(cell));
            continue;
          }
          auto v = parse_number(cell);
          if (!v) return format_error(r, "expected a pressure in column " + std::to_string(col + 1) +
                                             " of row " + std::to_string(row + 1) + ", got " + quote(cell));
          grid[static_cast<std::size_t>(row * *cols + col)] = static_cast<float>(*v * *factor);
        }
        if (static_cast<long long>(cells->size()) < *cols)
          return format_error(r, "expected " + std::to_string(*cols) + " values (Columns) in row " +
                                     std::to_string(row + 1) + ", got " + std::to_string(cells->size()));
      }
      const double t = *frame_clock_s - *first_clock_s;
      if (b.frames() > 0 && !(t > b.last_time_s()))
        return format_error(r, "expected frame times to increase for sensor " + quote(sensor_name));
      if (!b.add(t, grid.data()))
        return format_error(r, "expected at most " + std::to_string(kMaxValuesPerStream) + " values per stream");
      continue;
    }
    // Per-sensor statistics lines ("Average Pressure (mmHg),452.85", "Est. Load (N),...") and
    // anything else with a label are vendor summaries we do not keep.
    if (key.empty() || parse_number(key))
      return format_error(r, "expected a label line inside FRAME " + std::to_string(*frame_no) +
                                 " (numbers only appear after SENSELS), got " + quote(**line));
  }
  if (sensors.empty())
    return format_error(source, std::max<std::size_t>(1, r.line_number()),
                        "expected at least one FRAME with a SENSELS grid");
  Recording rec;
  for (auto& s : sensors) {
    s.builder->info().sample_rate_hz =
        s.builder->frames() > 1 ? static_cast<double>(s.builder->frames() - 1) / s.builder->last_time_s() : 0.0;
    rec.streams.push_back(s.builder->finish());
  }
  stamp_recording(rec, "xsensor", source);
  return rec;
}

}  // namespace insole::importers
