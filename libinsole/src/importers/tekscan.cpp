#include "insole/importers/tekscan.hpp"

#include <cmath>
#include <limits>
#include <map>

#include "common.hpp"
#include "text.hpp"

namespace insole::importers {

using namespace detail;

namespace {

struct HeaderValue {
  std::string value;
  std::size_t line = 0;
};

// Keys seen in Tekscan exports that are not ALL_CAPS (I-Scan 6.10 writes "VersaPogoFsx").
bool is_header_key(std::string_view token) {
  if (token == "VersaPogoFsx" || token == "COMMENTS:") return true;
  if (token.empty()) return false;
  bool letter = false;
  for (char c : token) {
    if (c >= 'A' && c <= 'Z') letter = true;
    else if (!((c >= '0' && c <= '9') || c == '_')) return false;
  }
  return letter && token.size() >= 2;
}

}  // namespace

Result<Recording> read_tekscan(std::istream& in, const std::string& source,
                               const ImportOptions& options) {
  LineReader r(in, source);
  std::map<std::string, HeaderValue> header;
  std::string comment;
  bool in_comment = false, saw_data = false;
  std::size_t header_lines = 0;
  while (true) {
    auto line = r.next();
    if (!line) return line.error();
    if (!*line) break;
    const std::string_view text = trim(**line);
    if (text.empty()) continue;
    if (++header_lines > 100000)
      return format_error(r, "expected 'ASCII_DATA @@' within the first 100000 header lines");
    const std::size_t sp = text.find_first_of(" \t");
    const std::string_view key = text.substr(0, sp);
    if (key == "ASCII_DATA") {
      saw_data = true;
      break;
    }
    if (in_comment && !is_header_key(key)) {
      if (!comment.empty()) comment += "\n";
      comment += to_utf8(text);
      continue;
    }
    if (!is_header_key(key) && header.empty())
      return format_error(r, "expected a Tekscan header line 'KEY value' (e.g. 'DATA_TYPE MOVIE'), got " +
                                 quote(text));
    in_comment = key == "COMMENTS:";
    if (in_comment) {
      if (sp != std::string_view::npos) comment = to_utf8(trim(text.substr(sp)));
      continue;
    }
    const std::string value = sp == std::string_view::npos ? "" : to_utf8(trim(text.substr(sp)));
    header[std::string(key)] = HeaderValue{value, r.line_number()};
  }
  if (!saw_data)
    return format_error(source, r.line_number() + 1,
                        "expected a line 'ASCII_DATA @@' ending the Tekscan header (file truncated "
                        "or not a Tekscan ASCII export)");
  const std::size_t data_line = r.line_number();

  auto get = [&](const char* key) -> const HeaderValue* {
    auto it = header.find(key);
    return it == header.end() ? nullptr : &it->second;
  };
  auto need_int = [&](const char* key, long long lo, long long hi) -> Result<long long> {
    const HeaderValue* h = get(key);
    if (!h)
      return format_error(source, data_line,
                          std::string("expected a '") + key + "' header line before ASCII_DATA");
    auto v = parse_int(h->value, lo, hi);
    if (!v)
      return format_error(source, h->line,
                          std::string("expected ") + key + " to be an integer in " +
                              std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
                              quote(h->value));
    return *v;
  };
  auto rows_r = need_int("ROWS", 1, kMaxGridSide);
  if (!rows_r) return rows_r.error();
  auto cols_r = need_int("COLS", 1, kMaxGridSide);
  if (!cols_r) return cols_r.error();
  const int rows = static_cast<int>(*rows_r), cols = static_cast<int>(*cols_r);
  if (static_cast<long long>(rows) * cols > kMaxSensels)
    return format_error(source, get("COLS")->line,
                        "expected at most " + std::to_string(kMaxSensels) + " sensels, got ROWS " +
                            std::to_string(rows) + " x COLS " + std::to_string(cols));

  // Pitch: ROW_SPACING / COL_SPACING with a unit word; SENSEL_AREA only as a fallback.
  auto spacing = [&](const char* key) -> Result<double> {
    if (const HeaderValue* h = get(key)) {
      if (auto mm = parse_length_mm(h->value)) return *mm;
      return format_error(source, h->line,
                          std::string("expected ") + key +
                              " as '<number> <unit>' with unit mm, cm, millimeters, centimeters "
                              "or inches, got " + quote(h->value));
    }
    if (const HeaderValue* a = get("SENSEL_AREA")) {
      if (auto mm2 = parse_area_mm2(a->value)) return std::sqrt(*mm2);
      return format_error(source, a->line,
                          "expected SENSEL_AREA as '<number> mm2|cm2', got " + quote(a->value));
    }
    return format_error(source, data_line,
                        std::string("expected a '") + key + "' (or SENSEL_AREA) header line");
  };
  auto row_pitch = spacing("ROW_SPACING");
  if (!row_pitch) return row_pitch.error();
  auto col_pitch = spacing("COL_SPACING");
  if (!col_pitch) return col_pitch.error();

  // Pressure units.
  const HeaderValue* units = get("UNITS");
  if (!units)
    return format_error(source, data_line,
                        "expected a 'UNITS' header line (KPa, PSI, ...) naming the pressure unit");
  const auto factor = kpa_per_unit(units->value);
  if (!factor) {
    if (iequals(units->value, "raw"))
      return make_error(Errc::unsupported,
                        source + ":" + std::to_string(units->line) +
                            ": pressure is in raw (uncalibrated) sensor units; export calibrated "
                            "pressure (UNITS KPa) from the Tekscan software");
    return format_error(source, units->line,
                        "expected UNITS KPa, MPa, PSI, mmHg or N/cm2, got " + quote(units->value));
  }

  std::optional<double> seconds_per_frame;
  if (const HeaderValue* h = get("SECONDS_PER_FRAME")) {
    auto v = parse_number(h->value);
    if (!v || !(*v > 0))
      return format_error(source, h->line,
                          "expected SECONDS_PER_FRAME to be a positive number, got " +
                              quote(h->value));
    seconds_per_frame = *v;
  }
  long long start_frame = 1;
  if (get("START_FRAME")) {
    auto v = need_int("START_FRAME", -1'000'000'000, 1'000'000'000);
    if (!v) return v.error();
    start_frame = *v;
  }
  std::optional<long long> end_frame;
  if (get("END_FRAME")) {
    auto v = need_int("END_FRAME", -1'000'000'000, 1'000'000'000);
    if (!v) return v.error();
    end_frame = *v;
  }

  auto layout = SensorLayout::grid(rows, cols, *row_pitch, *col_pitch);
  if (!layout) return format_error(source, data_line, layout.error().message);

  StreamInfo info;
  const HeaderValue* sensor_type = get("SENSOR_TYPE");
  const bool fscan = sensor_type && starts_with_ci(sensor_type->value, "FSCAN");
  std::optional<Side> side = options.side;
  if (!side && fscan) {
    side = side_from_file_name(source);
    if (!side)
      if (const HeaderValue* fn = get("FILENAME")) {
        std::string name = fn->value;
        for (auto& c : name)
          if (c == '\\') c = '/';
        side = side_from_file_name(name);
      }
    if (side) info.attributes["side_source"] = "file name";
  } else if (side) {
    info.attributes["side_source"] = "option";
  }
  info.side = side.value_or(Side::unknown);
  if (fscan)
    info.name = info.side == Side::left ? "left" : info.side == Side::right ? "right" : "insole";
  else
    info.name = "sensor";
  info.layout = std::move(*layout);
  info.sample_rate_hz = seconds_per_frame ? 1.0 / *seconds_per_frame : 0.0;
  info.device = "Tekscan";
  if (sensor_type) info.device += " " + sensor_type->value;
  if (const HeaderValue* v = get("VERSION")) info.device += " (" + v->value + ")";
  for (const auto& [k, v] : header) info.attributes["header." + k] = v.value;
  if (!comment.empty()) info.attributes["header.COMMENTS"] = comment;
  info.attributes["pressure_conversion"] =
      "kPa = value x " + std::to_string(*factor) + " (UNITS " + units->value + ")";

  StreamBuilder out(std::move(info));
  const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  std::vector<float> frame(n);
  std::vector<bool> present(n, false);
  std::optional<long long> last_frame_no;
  bool ended = false;
  while (!ended) {
    auto line = r.next();
    if (!line) return line.error();
    if (!*line) break;
    const std::string_view text = trim(**line);
    if (text.empty()) continue;
    if (text == "@@") {
      ended = true;
      break;
    }
    if (!starts_with_ci(text, "Frame"))
      return format_error(r, "expected 'Frame N' or '@@', got " + quote(text));
    // "Frame 7" or "Frame 7, 0.6,, 12/2/2019 6:21:52.94PM,,,Raw Sum=,,310"
    const auto fields = split(text.substr(5), ',');
    auto frame_no = parse_int(fields[0], -1'000'000'000, 1'000'000'000);
    if (!frame_no)
      return format_error(r, "expected a frame number after 'Frame', got " + quote(fields[0]));
    if (last_frame_no && *frame_no <= *last_frame_no)
      return format_error(r, "expected frame numbers to increase, got Frame " +
                                 std::to_string(*frame_no) + " after Frame " +
                                 std::to_string(*last_frame_no));
    last_frame_no = *frame_no;
    double t = 0;
    if (fields.size() >= 2 && !trim(fields[1]).empty()) {
      auto v = parse_number(fields[1]);
      if (!v) return format_error(r, "expected the frame time in seconds after 'Frame N,', got " +
                                         quote(fields[1]));
      t = *v;
    } else if (seconds_per_frame) {
      t = static_cast<double>(*frame_no - start_frame) * *seconds_per_frame;
    } else {
      return format_error(r, "expected a frame time: no SECONDS_PER_FRAME in the header and "
                             "none on the Frame line");
    }
    if (out.frames() > 0 && !(t > out.last_time_s()))
      return format_error(r, "expected frame times to increase, got " + std::to_string(t) +
                                 " s after " + std::to_string(out.last_time_s()) + " s");
    const std::size_t frame_line = r.line_number();
    for (int row = 0; row < rows; ++row) {
      auto rl = r.next();
      if (!rl) return rl.error();
      if (!*rl)
        return format_error(source, r.line_number() + 1,
                            "expected row " + std::to_string(row + 1) + " of " +
                                std::to_string(rows) + " of the frame started at line " +
                                std::to_string(frame_line) + ", file ended (truncated?)");
      auto cells = split(trim(**rl), ',');
      if (cells.size() == static_cast<std::size_t>(cols) + 1 && trim(cells.back()).empty())
        cells.pop_back();  // tolerate one trailing comma
      if (cells.size() != static_cast<std::size_t>(cols))
        return format_error(r, "expected " + std::to_string(cols) + " comma-separated cells (COLS), got " +
                                   std::to_string(cells.size()) + " in row " +
                                   std::to_string(row + 1) + " of Frame " +
                                   std::to_string(*frame_no));
      for (int c = 0; c < cols; ++c) {
        const std::string_view cell = trim(cells[static_cast<std::size_t>(c)]);
        const std::size_t idx = static_cast<std::size_t>(row) * static_cast<std::size_t>(cols) +
                                static_cast<std::size_t>(c);
        if (cell == "B") {
          frame[idx] = std::numeric_limits<float>::quiet_NaN();
          continue;
        }
        auto v = parse_number(cell);
        if (!v)
          return format_error(r, "expected a number or 'B' in column " + std::to_string(c + 1) +
                                     ", got " + quote(cell));
        frame[idx] = static_cast<float>(*v * *factor);
        present[idx] = true;
      }
    }
    if (!out.add(t, frame.data()))
      return format_error(r, "expected at most " + std::to_string(kMaxValuesPerStream) +
                                 " values in one stream (file too large to import in memory)");
  }
  if (!ended)
    return format_error(source, r.line_number() + 1,
                        "expected '@@' closing the frame data, file ended (truncated?)");
  if (out.frames() == 0) return format_error(r, "expected at least one 'Frame N' before '@@'");
  if (end_frame && *end_frame - start_frame + 1 != static_cast<long long>(out.frames()))
    return format_error(r, "expected " + std::to_string(*end_frame - start_frame + 1) +
                               " frames (START_FRAME " + std::to_string(start_frame) +
                               " to END_FRAME " + std::to_string(*end_frame) + "), got " +
                               std::to_string(out.frames()));
  if (auto st = out.info().layout.set_present(present); !st) return st.error();

  Recording rec;
  rec.streams.push_back(out.finish());
  stamp_recording(rec, "tekscan", source);
  return rec;
}

}  // namespace insole::importers
