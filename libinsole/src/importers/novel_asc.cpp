#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "common.hpp"
#include "insole/importers/novel.hpp"
#include "text.hpp"

namespace insole::importers {

using namespace detail;

namespace {

// Value following `key` anywhere in a preamble line: "time per frame [secs]:  0.01000\t...".
std::optional<std::string_view> after_key(std::string_view line, std::string_view key) {
  const std::string lower = to_lower(line);
  const std::size_t at = lower.find(to_lower(key));
  if (at == std::string::npos) return std::nullopt;
  std::string_view rest = trim(line.substr(at + key.size()));
  const std::size_t end = rest.find_first_of(" \t");
  return trim(rest.substr(0, end));
}

struct Preamble {
  std::vector<std::string> lines;
  std::optional<double> kpa_factor;
  std::string unit_text;
  std::size_t unit_line = 0;
  std::optional<double> frame_s;
  std::string sensor_type;
};

// Reads the preamble up to the "time[secs]" header row (returned fields in `header`).
Result<std::vector<std::string_view>> read_preamble(LineReader& r, Preamble& p, bool tabs) {
  while (true) {
    auto line = r.next();
    if (!line) return line.error();
    if (!*line)
      return format_error(r.source(), r.line_number() + 1,
                          "expected a 'time[secs]' column header row after the preamble (file "
                          "truncated or not a Novel .asc export)");
    const std::string_view text = trim(**line);
    if (starts_with_ci(text, "time[secs]")) {
      auto fields = tabs ? split(text, '\t') : split_ws(text);
      if (tabs) {
        // "time[secs]    \t      1\t ... \t     99\t": trailing TAB gives an empty last field.
        for (auto& f : fields) f = trim(f);
        if (!fields.empty() && fields.back().empty()) fields.pop_back();
      } else if (fields.size() == 1) {
        // "time[secs]" glued to nothing else: no sensors.
      }
      if (!tabs && !fields.empty() && fields.front() != "time[secs]") {
        // "time[secs]4" would be malformed; split_ws keeps "time[secs]" as one token.
      }
      return fields;
    }
    if (p.lines.size() >= 1000)
      return format_error(r, "expected the 'time[secs]' header row within 1000 preamble lines");
    p.lines.push_back(to_utf8(text));
    if (starts_with_ci(text, "pressure values in")) {
      p.unit_text = std::string(trim(text.substr(18)));
      p.unit_line = r.line_number();
      p.kpa_factor = kpa_per_unit(p.unit_text);
      if (!p.kpa_factor)
        return format_error(r, "expected 'pressure values in kPa' (or N/cm², PSI, mmHg), got " +
                                   quote(text));
    }
    if (auto v = after_key(text, "time per frame [secs]:")) {
      auto t = parse_number(*v);
      if (!t || !(*t > 0))
        return format_error(r, "expected a positive 'time per frame [secs]:', got " + quote(*v));
      p.frame_s = *t;
    }
    if (starts_with_ci(text, "sensor type:")) p.sensor_type = std::string(trim(text.substr(12)));
    if (starts_with_ci(text, "mat type")) p.sensor_type = std::string(trim(text.substr(8)));
  }
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += "\n";
    out += l;
  }
  return out;
}

Result<std::vector<long long>> sensor_numbers(const LineReader& r,
                                              const std::vector<std::string_view>& header) {
  if (header.size() < 2)
    return format_error(r, "expected sensor numbers after 'time[secs]' in the header row");
  if (header.size() - 1 > static_cast<std::size_t>(kMaxSensels))
    return format_error(r, "expected at most " + std::to_string(kMaxSensels) + " sensors");
  std::vector<long long> out;
  for (std::size_t i = 1; i < header.size(); ++i) {
    auto n = parse_int(header[i], 0, 1'000'000'000);
    if (!n) return format_error(r, "expected a sensor number in header column " + std::to_string(i + 1) +
                                       ", got " + quote(header[i]));
    out.push_back(*n);
  }
  return out;
}

StreamInfo unknown_geometry_stream(const std::string& name, Side side, std::size_t sensors) {
  StreamInfo info;
  info.name = name;
  info.side = side;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  info.layout = SensorLayout::sensors(Eigen::MatrixX2d::Constant(static_cast<Eigen::Index>(sensors), 2, nan),
                                      Eigen::VectorXd::Constant(static_cast<Eigen::Index>(sensors), nan))
                    .value();
  return info;
}

std::string join_numbers(const std::vector<long long>& v, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    if (!out.empty()) out += ",";
    out += std::to_string(v[i]);
  }
  return out;
}

}  // namespace

Result<Recording> read_pedar_asc(std::istream& in, const std::string& source,
                                 const ImportOptions&) {
  LineReader r(in, source);
  Preamble pre;
  auto header = read_preamble(r, pre, true);
  if (!header) return header.error();
  if (!pre.kpa_factor)
    return format_error(r, "expected a preamble line 'pressure values in <unit>' before the table");
  auto numbers = sensor_numbers(r, *header);
  if (!numbers) return numbers.error();
  const std::vector<long long>& nums = *numbers;
  // Left sensors first, then the right insole's numbering starts again.
  std::size_t split_at = nums.size();
  for (std::size_t i = 1; i < nums.size(); ++i)
    if (nums[i] <= nums[i - 1]) {
      split_at = i;
      break;
    }
  for (std::size_t i = split_at + 1; i < nums.size(); ++i)
    if (nums[i] <= nums[i - 1])
      return format_error(r, "expected two ascending runs of sensor numbers (left, then right), "
                             "got a third starting at header column " + std::to_string(i + 2));
  bool has_left = true, has_right = split_at < nums.size();
  if (!has_right) {
    // One insole only: the mask definition says which.
    bool left_mask = false, right_mask = false;
    for (const auto& l : pre.lines) {
      if (starts_with_ci(l, "left insole:") && trim(std::string_view(l).substr(12)).size() > 0) left_mask = true;
      if (starts_with_ci(l, "right insole:") && trim(std::string_view(l).substr(13)).size() > 0) right_mask = true;
    }
    if (right_mask && !left_mask) {
      has_left = false;
      has_right = true;
      split_at = 0;
    } else if (right_mask && left_mask) {
      return format_error(r, "expected left then right sensor columns (numbering restarting at the "
                             "right insole), but the sensor numbers never restart");
    }
  }
  const std::size_t n_left = split_at, n_right = nums.size() - split_at;
  std::vector<StreamBuilder> streams;
  auto make = [&](const std::string& name, Side side, std::size_t from, std::size_t to) {
    StreamInfo info = unknown_geometry_stream(name, side, to - from);
    info.sample_rate_hz = pre.frame_s ? 1.0 / *pre.frame_s : 0.0;
    info.device = "Novel pedar" + (pre.sensor_type.empty() ? "" : " " + pre.sensor_type);
    info.attributes["header.preamble"] = join_lines(pre.lines);
    info.attributes["sensor_numbers"] = join_numbers(nums, from, to);
    info.attributes["geometry"] = "unknown: pedar exports carry no sensor positions";
    info.attributes["pressure_conversion"] =
        "kPa = value x " + std::to_string(*pre.kpa_factor) + " (pressure values in " + pre.unit_text + ")";
    streams.emplace_back(std::move(info));
  };
  if (has_left && n_left > 0) make("left", Side::left, 0, n_left);
  if (has_right && n_right > 0) make("right", Side::right, split_at, nums.size());

  std::vector<float> values(nums.size());
  double last_t = -std::numeric_limits<double>::infinity();
  std::size_t rows = 0;
  while (true) {
    auto line = r.next();
    if (!line) return line.error();
    if (!*line) break;
    const std::string_view text = trim(**line);
    if (text.empty()) continue;
    auto fields = split(text, '\t');
    if (!fields.empty() && trim(fields.back()).empty()) fields.pop_back();
    if (fields.size() != nums.size() + 1)
      return format_error(r, "expected " + std::to_string(nums.size() + 1) +
                                 " TAB-separated fields (time and " + std::to_string(nums.size()) +
                                 " sensors), got " + std::to_string(fields.size()));
    auto t = parse_number(fields[0]);
    if (!t) return format_error(r, "expected the time in seconds in the first field, got " + quote(fields[0]));
    if (!(*t > last_t))
      return format_error(r, "expected time to increase, got " + std::string(trim(fields[0])) + " s");
    last_t = *t;
    for (std::size_t i = 0; i < nums.size(); ++i) {
      auto v = parse_number(fields[i + 1]);
      if (!v) return format_error(r, "expected a pressure in field " + std::to_string(i + 2) +
                                         " (sensor " + std::to_string(nums[i]) + "), got " + quote(fields[i + 1]));
      values[i] = static_cast<float>(*v * *pre.kpa_factor);
    }
    std::size_t offset = 0;
    for (auto& s : streams) {
      if (!s.add(*t, values.data() + offset))
        return format_error(r, "expected at most " + std::to_string(kMaxValuesPerStream) + " values per stream");
      offset += static_cast<std::size_t>(s.sensels());
    }
    ++rows;
  }
  if (rows == 0) return format_error(r, "expected at least one data row after the header row");
  Recording rec;
  for (auto& s : streams) rec.streams.push_back(s.finish());
  stamp_recording(rec, "pedar", source);
  return rec;
}

Result<Recording> read_pliance_asc(std::istream& in, const std::string& source,
                                   const ImportOptions& options) {
  LineReader r(in, source);
  Preamble pre;
  auto header = read_preamble(r, pre, false);
  if (!header) return header.error();
  if (!pre.kpa_factor)
    return format_error(r, "expected a preamble line 'pressure values in <unit>' before the table");
  auto numbers = sensor_numbers(r, *header);
  if (!numbers) return numbers.error();
  const std::vector<long long>& nums = *numbers;
  std::map<long long, std::size_t> index_of;
  for (std::size_t i = 0; i < nums.size(); ++i)
    if (!index_of.emplace(nums[i], i).second)
      return format_error(r, "expected distinct sensor numbers, got " + std::to_string(nums[i]) + " twice");

  StreamInfo info = unknown_geometry_stream("pliance", options.side.value_or(Side::unknown), nums.size());
  info.sample_rate_hz = pre.frame_s ? 1.0 / *pre.frame_s : 0.0;
  info.device = "Novel pliance" + (pre.sensor_type.empty() ? "" : " " + pre.sensor_type);
  info.attributes["header.preamble"] = join_lines(pre.lines);
  info.attributes["sensor_numbers"] = join_numbers(nums, 0, nums.size());
  info.attributes["pressure_conversion"] =
      "kPa = value x " + std::to_string(*pre.kpa_factor) + " (pressure values in " + pre.unit_text + ")";
  StreamBuilder out(std::move(info));

  std::vector<float> values(nums.size());
  double last_t = -std::numeric_limits<double>::infinity();
  bool table_done = false;
  while (!table_done) {
    auto line = r.next();
    if (!line) return line.error();
    if (!*line) break;
    const std::string_view text = trim(**line);
    if (text.empty()) {
      if (out.frames() > 0) table_done = true;
      continue;
    }
    const auto fields = split_ws(text);
    if (fields[0] == "MPP" || fields[0] == "MVP") {  // per-sensor summaries over the frames
      table_done = true;
      continue;
    }
    if (fields.size() != nums.size() + 1)
      return format_error(r, "expected " + std::to_string(nums.size() + 1) +
                                 " space-separated fields (time and " + std::to_string(nums.size()) +
                                 " sensors), got " + std::to_string(fields.size()));
    auto t = parse_number(fields[0]);
    if (!t) return format_error(r, "expected the time in seconds in the first field, got " + quote(fields[0]));
    if (!(*t > last_t))
      return format_error(r, "expected time to increase, got " + std::string(fields[0]) + " s");
    last_t = *t;
    for (std::size_t i = 0; i < nums.size(); ++i) {
      auto v = parse_number(fields[i + 1]);
      if (!v) return format_error(r, "expected a pressure in field " + std::to_string(i + 2) +
                                         " (sensor " + std::to_string(nums[i]) + "), got " + quote(fields[i + 1]));
      values[i] = static_cast<float>(*v * *pre.kpa_factor);
    }
    if (!out.add(*t, values.data()))
      return format_error(r, "expected at most " + std::to_string(kMaxValuesPerStream) + " values");
  }
  if (out.frames() == 0) return format_error(r, "expected at least one data row after the header row");

  // Optional geometry block: "sensor <numbers>", "corner[cm]", x[0]..y[3], x[c], y[c], area.
  std::vector<long long> geo_nums;
  std::map<std::string, std::vector<double>> geo;
  std::size_t geo_line = 0;
  while (true) {
    auto line = r.next();
    if (!line) return line.error();
    if (!*line) break;
    const std::string_view text = trim(**line);
    if (text.empty()) continue;
    const auto fields = split_ws(text);
    if (fields[0] == "sensor") {
      geo_line = r.line_number();
      geo_nums.clear();
      for (std::size_t i = 1; i < fields.size(); ++i) {
        auto n = parse_int(fields[i], 0, 1'000'000'000);
        if (!n) return format_error(r, "expected sensor numbers in the geometry block, got " + quote(fields[i]));
        geo_nums.push_back(*n);
      }
      continue;
    }
    if (geo_line == 0) continue;  // the force / COP table before the geometry block
    const std::string key(fields[0]);
    if (key == "x[c]" || key == "y[c]" || key == "area") {
      if (fields.size() != geo_nums.size() + 1)
        return format_error(r, "expected " + std::to_string(geo_nums.size()) + " values in the '" + key +
                                   "' geometry row, got " + std::to_string(fields.size() - 1));
      std::vector<double> v;
      for (std::size_t i = 1; i < fields.size(); ++i) {
        auto x = parse_number(fields[i]);
        if (!x) return format_error(r, "expected a number in the '" + key + "' row, got " + quote(fields[i]));
        v.push_back(*x);
      }
      geo[key] = std::move(v);
    }
  }
  if (geo.count("x[c]") && geo.count("y[c]") && geo.count("area")) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    Eigen::MatrixX2d xy = Eigen::MatrixX2d::Constant(static_cast<Eigen::Index>(nums.size()), 2, nan);
    Eigen::VectorXd area = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(nums.size()), nan);
    for (std::size_t g = 0; g < geo_nums.size(); ++g) {
      auto it = index_of.find(geo_nums[g]);
      if (it == index_of.end()) continue;  // geometry of a sensor not in the table
      if (!(geo["area"][g] > 0))
        return format_error(r.source(), geo_line, "expected positive sensor areas in the geometry block");
      xy(static_cast<Eigen::Index>(it->second), 0) = geo["x[c]"][g] * 10.0;  // cm -> mm
      xy(static_cast<Eigen::Index>(it->second), 1) = geo["y[c]"][g] * 10.0;
      area[static_cast<Eigen::Index>(it->second)] = geo["area"][g] * 100.0;  // cm2 -> mm2
    }
    auto layout = SensorLayout::sensors(std::move(xy), std::move(area));
    if (!layout) return format_error(r.source(), geo_line, layout.error().message);
    out.info().layout = std::move(*layout);
    out.info().attributes["geometry"] = "sensor centres and areas from the file's geometry block (cm)";
  } else {
    out.info().attributes["geometry"] = "unknown: the file has no sensor geometry block";
  }
  Recording rec;
  rec.streams.push_back(out.finish());
  stamp_recording(rec, "pliance", source);
  return rec;
}

}  // namespace insole::importers
