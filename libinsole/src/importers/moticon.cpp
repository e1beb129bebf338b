#include "insole/importers/moticon.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "common.hpp"
#include "text.hpp"

namespace insole::importers {

using namespace detail;

namespace {

enum class Role { time, pressure, steps, event_label, event_code, other };

struct Channel {
  Role role = Role::other;
  int side = -1;       // 0 left, 1 right
  int sensor = -1;     // pressure cell, 0-based
  double factor = 1;   // kPa per unit for pressure
  std::string group;   // event group name ("Right Events"), or the channel's name
  std::string unit;    // as written in brackets
};

// "left pressure 12[N/cm²]" -> ("left pressure 12", "N/cm²")
void name_and_unit(std::string_view col, std::string& name, std::string& unit) {
  const std::size_t open = col.rfind('[');
  if (open != std::string_view::npos && col.back() == ']') {
    name = std::string(trim(col.substr(0, open)));
    unit = std::string(col.substr(open + 1, col.size() - open - 2));
  } else {
    name = std::string(trim(col));
    unit.clear();
  }
}

// The columns of the vendor's total force, COP X and COP Y per side (0 where absent), among the
// channel names in lower case (column 0 is the time). A channel named twice is an error; a side
// with all three must give the force in N. `found` counts each side's channels, so that the caller
// decides what an incomplete set means.
struct VendorColumns {
  std::size_t col[2][3] = {{0, 0, 0}, {0, 0, 0}};
  int found[2] = {0, 0};
};

Result<VendorColumns> find_vendor_columns(const std::vector<std::string>& names, const std::vector<std::string>& units,
                                          const std::string& source, std::size_t channel_line) {
  const char* side_names[2] = {"left ", "right "};
  const char* wanted[3] = {"total force", "center of pressure x", "center of pressure y"};
  VendorColumns v;
  for (int side = 0; side < 2; ++side) {
    for (int k = 0; k < 3; ++k)
      for (std::size_t i = 1; i < names.size(); ++i)
        if (names[i] == std::string(side_names[side]) + wanted[k]) {
          if (v.col[side][k] != 0)
            return format_error(source, channel_line, "expected each channel once, got " + quote(names[i]) + " twice");
          v.col[side][k] = i;
          ++v.found[side];
        }
    if (v.found[side] == 3 && !iequals(units[v.col[side][0]], "N"))
      return format_error(source, channel_line, "expected the total force in N, got " + quote(units[v.col[side][0]]));
  }
  return v;
}

// The next data row of a Moticon table: its TAB fields (one per channel) and its time, which
// must increase. nullopt at the end of the file; blank lines are skipped.
// The body of the next '#' header line ('#' and one following space removed); nullopt at the first
// data line, which is pushed back for the data loop. Blank lines are skipped.
Result<std::optional<std::string_view>> next_header_line(LineReader& r, const std::string& source) {
  while (true) {
    auto line = r.next();
    if (!line) return line.error();
    if (!*line)
      return format_error(source, r.line_number() + 1,
                          "expected the '# time<TAB>...' channel line and data rows (file truncated?)");
    const std::string_view text = **line;
    if (trim(text).empty()) continue;
    if (text.front() != '#') {
      r.unread();
      return std::optional<std::string_view>{};
    }
    std::string_view body = text.substr(1);
    if (!body.empty() && body.front() == ' ') body.remove_prefix(1);
    return std::optional<std::string_view>(body);
  }
}

// `fields` view the reader's current line: valid until its next call.
struct DataRow {
  std::vector<std::string_view> fields;
  double t = 0.0;
};
Result<std::optional<DataRow>> next_data_row(LineReader& r, std::size_t channels, double& last_t) {
  while (true) {
    auto line = r.next();
    if (!line) return line.error();
    if (!*line) return std::optional<DataRow>{};
    const std::string_view text = **line;
    if (trim(text).empty()) continue;
    DataRow row;
    row.fields = split(text, '\t');
    if (row.fields.size() != channels)
      return format_error(r, "expected " + std::to_string(channels) +
                                 " TAB-separated fields (one per channel), got " + std::to_string(row.fields.size()));
    auto t = parse_number(row.fields[0]);
    if (!t) return format_error(r, "expected the time in seconds in the first field, got " + quote(row.fields[0]));
    if (!(*t > last_t)) return format_error(r, "expected time to increase, got " + quote(row.fields[0]));
    last_t = row.t = *t;
    return std::optional<DataRow>(std::move(row));
  }
}

}  // namespace

Result<Recording> read_moticon_txt(std::istream& in, const std::string& source,
                                   const ImportOptions&) {
  LineReader r(in, source);
  std::map<std::string, std::string> attrs;
  std::vector<Channel> channels;
  std::size_t channel_line = 0;
  std::string serial[2];

  // Metadata and channel list.
  while (true) {
    auto header = next_header_line(r, source);
    if (!header) return header.error();
    if (!*header) break;
    const std::string_view body = **header;
    if (body.find('\t') != std::string_view::npos) {
      // The channel list: the last '#' line, TAB-separated names with units in brackets.
      channel_line = r.line_number();
      channels.clear();
      const auto cols = split(body, '\t');
      if (cols.size() > 100000) return format_error(r, "expected at most 100000 channels");
      for (std::size_t i = 0; i < cols.size(); ++i) {
        std::string name, unit;
        name_and_unit(cols[i], name, unit);
        Channel c;
        c.unit = unit;
        const std::string lname = to_lower(name);
        const int side = starts_with_ci(lname, "left ") ? 0 : starts_with_ci(lname, "right ") ? 1 : -1;
        const std::string rest = side < 0 ? lname : lname.substr(side == 0 ? 5 : 6);
        if (i == 0) {
          if (lname != "time")
            return format_error(r, "expected the first channel to be 'time', got " + quote(cols[i]));
          c.role = Role::time;
        } else if (side >= 0 && starts_with_ci(rest, "pressure ")) {
          auto n = parse_int(rest.substr(9), 1, 1000);
          if (!n) return format_error(r, "expected 'pressure <n>' with n in 1..1000, got " + quote(cols[i]));
          auto f = kpa_per_unit(unit);
          if (!f) return format_error(r, "expected a pressure unit (N/cm², kPa) in " + quote(cols[i]));
          c.role = Role::pressure;
          c.side = side;
          c.sensor = static_cast<int>(*n - 1);
          c.factor = *f;
        } else if (side >= 0 && rest == "steps") {
          c.role = Role::steps;
          c.side = side;
        } else if (lname.size() > 6 && lname.substr(lname.size() - 6) == " label") {
          c.role = Role::event_label;
          c.group = name.substr(0, name.size() - 6);
          c.side = side;
        } else {
          c.role = Role::other;
          c.side = side;
          c.group = name;
        }
        channels.push_back(c);
      }
      // An event code column is the one right after its label column with the same group name.
      for (std::size_t i = 1; i < channels.size(); ++i)
        if (channels[i - 1].role == Role::event_label && channels[i].role == Role::other &&
            channels[i].group == channels[i - 1].group)
          channels[i].role = Role::event_code;
      continue;
    }
    const std::size_t colon = body.find(':');
    if (colon != std::string_view::npos) {
      const std::string key = to_utf8(trim(body.substr(0, colon)));
      const std::string value = to_utf8(trim(body.substr(colon + 1)));
      attrs["header." + key] = value;
      if (key == "Sensor insoles") {
        // "Left SN5968, Right SN9171"
        for (auto part : split(value, ',')) {
          part = trim(part);
          if (starts_with_ci(part, "Left ")) serial[0] = std::string(trim(part.substr(5)));
          if (starts_with_ci(part, "Right ")) serial[1] = std::string(trim(part.substr(6)));
        }
      }
    }
  }
  if (channels.empty())
    return format_error(source, r.line_number(),
                        "expected a '# time<TAB>left pressure 1[N/cm²]<TAB>...' channel line before the data");

  // Pressure columns per side, ordered by sensor number (must be 1..n without gaps).
  std::vector<std::vector<std::size_t>> cols_of(2);
  for (int side = 0; side < 2; ++side) {
    std::map<int, std::size_t> by_sensor;
    for (std::size_t i = 0; i < channels.size(); ++i)
      if (channels[i].role == Role::pressure && channels[i].side == side)
        if (!by_sensor.emplace(channels[i].sensor, i).second)
          return format_error(source, channel_line, "expected each pressure channel once, got " +
                                                        std::string(side ? "right" : "left") + " pressure " +
                                                        std::to_string(channels[i].sensor + 1) + " twice");
    int expect = 0;
    for (const auto& [sensor, col] : by_sensor) {
      if (sensor != expect++)
        return format_error(source, channel_line, "expected pressure channels numbered 1..n without gaps");
      cols_of[static_cast<std::size_t>(side)].push_back(col);
    }
  }
  if (cols_of[0].empty() && cols_of[1].empty())
    return format_error(source, channel_line, "expected 'left pressure <n>' or 'right pressure <n>' channels");

  // The vendor's total force and COP per side, kept as Stream::vendor when the export has all three
  // (an export of the total force alone keeps none, as before).
  std::size_t vendor_col[2][3] = {{0, 0, 0}, {0, 0, 0}};
  bool has_vendor[2] = {false, false};
  {
    std::vector<std::string> names, units;
    for (const Channel& c : channels) {
      names.push_back(c.role == Role::other ? to_lower(c.group) : std::string());
      units.push_back(c.unit);
    }
    auto found = find_vendor_columns(names, units, source, channel_line);
    if (!found) return found.error();
    for (int side = 0; side < 2; ++side) {
      if (found->found[side] != 3) continue;
      std::copy(std::begin(found->col[side]), std::end(found->col[side]), vendor_col[side]);
      has_vendor[side] = true;
    }
  }
  std::vector<double> vendor_values[2];  // per side and frame: force, COP x, COP y

  std::vector<std::optional<StreamBuilder>> builders(2);
  const char* names[2] = {"left", "right"};
  for (int side = 0; side < 2; ++side) {
    const auto n = cols_of[static_cast<std::size_t>(side)].size();
    if (n == 0) continue;
    StreamInfo info;
    info.name = names[side];
    info.side = side == 0 ? Side::left : Side::right;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    info.layout = SensorLayout::sensors(Eigen::MatrixX2d::Constant(static_cast<Eigen::Index>(n), 2, nan),
                                        Eigen::VectorXd::Constant(static_cast<Eigen::Index>(n), nan))
                      .value();
    info.device = "Moticon OpenGo insole" + (serial[side].empty() ? "" : " " + serial[side]);
    info.attributes = attrs;
    info.attributes["geometry"] = "unknown: Moticon does not publish the sensor cell positions";
    info.attributes["pressure_conversion"] =
        "kPa = value x " + std::to_string(channels[cols_of[static_cast<std::size_t>(side)][0]].factor) +
        " (N/cm² x 10)";
    builders[static_cast<std::size_t>(side)].emplace(std::move(info));
  }

  std::vector<Event> events;
  std::vector<float> values;
  double last_t = -std::numeric_limits<double>::infinity();
  std::size_t rows = 0;
  while (true) {
    auto row = next_data_row(r, channels.size(), last_t);
    if (!row) return row.error();
    if (!*row) break;
    const auto& f = (*row)->fields;
    const double t = (*row)->t;
    ++rows;
    for (std::size_t i = 1; i < f.size(); ++i) {
      const Channel& c = channels[i];
      const std::string_view cell = trim(f[i]);
      if (cell.empty() || c.role == Role::event_label) continue;
      auto v = parse_number(cell);
      if (!v)
        return format_error(r, "expected a number or an empty field in column " + std::to_string(i + 1) +
                                   ", got " + quote(cell));
      if (c.role == Role::steps) {
        // 11/15 left heel strike / toe off, 21/25 right (Moticon OpenGo export).
        const long code = std::lround(*v);
        const char* kind = (code == 11 || code == 21) ? "heel_strike"
                           : (code == 15 || code == 25) ? "toe_off" : nullptr;
        const char* stream = (code == 11 || code == 15) ? "left" : (code == 21 || code == 25) ? "right" : "";
        if (!kind || std::abs(*v - static_cast<double>(code)) > 1e-9)
          return format_error(r, "expected a step code 11, 15, 21 or 25, got " + quote(cell));
        events.push_back(Event{t, stream, kind, "vendor step code " + std::to_string(code)});
      } else if (c.role == Role::event_code) {
        const std::string label(trim(f[i - 1]));
        std::string detail = to_utf8(label.empty() ? c.group : label) + " " + std::string(cell);
        events.push_back(Event{t, c.side == 0 ? "left" : c.side == 1 ? "right" : "", "vendor_event",
                               "group=" + to_utf8(c.group) + "; " + detail});
      }
    }
    for (int side = 0; side < 2; ++side) {
      auto& b = builders[static_cast<std::size_t>(side)];
      if (!b) continue;
      const auto& cols = cols_of[static_cast<std::size_t>(side)];
      values.assign(cols.size(), std::numeric_limits<float>::quiet_NaN());
      bool any = false;
      for (std::size_t k = 0; k < cols.size(); ++k) {
        const std::string_view cell = trim(f[cols[k]]);
        if (cell.empty()) continue;  // blank field: no sample for this sensor at this time
        values[k] = static_cast<float>(*parse_number(cell) * channels[cols[k]].factor);
        any = true;
      }
      if (!any) continue;  // this insole has no sample in this row
      if (!b->add(t, values.data()))
        return format_error(r, "expected at most " + std::to_string(kMaxValuesPerStream) + " values per stream");
      if (has_vendor[side])
        for (std::size_t k : vendor_col[side]) {
          const std::string_view cell = trim(f[k]);
          vendor_values[side].push_back(cell.empty() ? std::numeric_limits<double>::quiet_NaN() : *parse_number(cell));
        }
    }
  }
  if (rows == 0) return format_error(source, r.line_number() + 1, "expected data rows after the channel line");
  Recording rec;
  for (int side = 0; side < 2; ++side) {
    auto& b = builders[static_cast<std::size_t>(side)];
    if (!b || b->frames() == 0) continue;
    rec.streams.push_back(b->finish());
    Stream& s = rec.streams.back();
    const Eigen::Index n = s.frame_count();
    if (n > 1) s.info.sample_rate_hz = static_cast<double>(n - 1) / (s.time_s[n - 1] - s.time_s[0]);
    if (has_vendor[side]) {
      const auto& v = vendor_values[side];
      VendorChannels vc;
      vc.total_force_n.resize(n);
      vc.cop_normalised.resize(n, 2);
      // The export's COP X runs along the insole (about -0.35 at heel strike to +0.33 at toe off
      // in the sample walks, and the vendor's gait report takes the gait line's length along X)
      // and Y across it: stored as (across, along), the toolkit's order (x medial-lateral, y heel
      // -> toe).
      for (Eigen::Index i = 0; i < n; ++i) {
        vc.total_force_n[i] = v[static_cast<std::size_t>(3 * i)];
        vc.cop_normalised(i, 0) = v[static_cast<std::size_t>(3 * i + 2)];
        vc.cop_normalised(i, 1) = v[static_cast<std::size_t>(3 * i + 1)];
      }
      s.vendor = std::move(vc);
    }
  }
  if (rec.streams.empty()) return format_error(source, r.line_number(), "expected at least one pressure sample");
  rec.events = std::move(events);
  stamp_recording(rec, "moticon", source);
  return rec;
}

Result<MoticonVendorChannels> read_moticon_vendor_channels(std::istream& in, const std::string& source) {
  LineReader r(in, source);
  // The channel list is the '#' line holding TABs; metadata lines before it are skipped.
  std::vector<std::string> names;
  std::vector<std::string> units;
  std::size_t channel_line = 0;
  while (true) {
    auto header = next_header_line(r, source);
    if (!header) return header.error();
    if (!*header) break;
    const std::string_view body = **header;
    if (body.find('\t') == std::string_view::npos) continue;
    const auto cols = split(body, '\t');
    if (cols.size() > 100000) return format_error(r, "expected at most 100000 channels");
    channel_line = r.line_number();
    names.clear();
    units.clear();
    for (auto c : cols) {
      std::string name, unit;
      name_and_unit(c, name, unit);
      names.push_back(to_lower(name));
      units.push_back(unit);
    }
  }
  if (names.empty())
    return format_error(source, r.line_number(),
                        "expected a '# time<TAB>...<TAB>left total force[N]<TAB>...' channel line before the data");
  if (names[0] != "time")
    return format_error(source, channel_line, "expected the first channel to be 'time', got " + quote(names[0]));

  // Column of each wanted channel per side: total force, COP X, COP Y.
  auto found = find_vendor_columns(names, units, source, channel_line);
  if (!found) return found.error();
  const auto& col = found->col;
  bool have[2] = {false, false};
  for (int side = 0; side < 2; ++side) {
    if (found->found[side] == 0) continue;
    if (found->found[side] != 3)
      return format_error(source, channel_line,
                          "expected '" + std::string(side ? "right" : "left") +
                              " total force', 'center of pressure X' and 'center of pressure Y' together");
    have[side] = true;
  }
  if (!have[0] && !have[1])
    return format_error(source, channel_line,
                        "expected 'left total force[N]' or 'right total force[N]' channels");

  std::vector<double> values[2];  // per side: time, force, x, y interleaved
  double last_t = -std::numeric_limits<double>::infinity();
  std::size_t rows = 0;
  while (true) {
    auto row = next_data_row(r, names.size(), last_t);
    if (!row) return row.error();
    if (!*row) break;
    const auto& f = (*row)->fields;
    const double t = (*row)->t;
    ++rows;
    for (int side = 0; side < 2; ++side) {
      if (!have[side]) continue;
      double v[3];
      bool any = false;
      for (int k = 0; k < 3; ++k) {
        const std::string_view cell = trim(f[col[side][k]]);
        v[k] = std::numeric_limits<double>::quiet_NaN();
        if (cell.empty()) continue;
        auto x = parse_number(cell);
        if (!x)
          return format_error(r, "expected a number or an empty field in column " +
                                     std::to_string(col[side][k] + 1) + ", got " + quote(cell));
        v[k] = *x;
        any = true;
      }
      if (!any) continue;  // this insole has no sample in this row
      auto& out = values[side];
      if (out.size() + 4 > static_cast<std::size_t>(kMaxValuesPerStream))
        return format_error(r, "expected at most " + std::to_string(kMaxValuesPerStream) + " values per insole");
      out.insert(out.end(), {t, v[0], v[1], v[2]});
    }
  }
  if (rows == 0) return format_error(source, r.line_number() + 1, "expected data rows after the channel line");
  MoticonVendorChannels result;
  for (int side = 0; side < 2; ++side) {
    if (!have[side] || values[side].empty()) continue;
    const auto n = static_cast<Eigen::Index>(values[side].size() / 4);
    MoticonVendorSide s;
    s.time_s.resize(n);
    s.total_force_n.resize(n);
    s.cop_normalised.resize(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double* row = values[side].data() + 4 * i;
      s.time_s[i] = row[0];
      s.total_force_n[i] = row[1];
      s.cop_normalised(i, 0) = row[2];
      s.cop_normalised(i, 1) = row[3];
    }
    (side == 0 ? result.left : result.right) = std::move(s);
  }
  if (!result.left && !result.right)
    return format_error(source, r.line_number(), "expected at least one total force sample");
  return result;
}

}  // namespace insole::importers
