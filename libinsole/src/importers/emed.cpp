#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>

#include "common.hpp"
#include "insole/importers/novel.hpp"
#include "text.hpp"

namespace insole::importers {

using namespace detail;

namespace {

// "key: value" from one TAB field ("Time/picture:10.0 ms", "Matrix: 64x95 ").
bool key_value(std::string_view field, std::string_view key, std::string_view& value) {
  field = trim(field);
  if (!starts_with_ci(field, key)) return false;
  value = trim(field.substr(key.size()));
  return true;
}

// Leading number of "10.0 ms" / "1  Force[N]=...".
std::optional<double> leading_number(std::string_view s) {
  s = trim(s);
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '-'))
    ++i;
  return parse_number(s.substr(0, i));
}

// Where the printed window lies in the plate's whole matrix. "Matrix: 64x95" gives columns x
// rows; the printed row and column numbers count from 1 (from 0 when a 0 is printed). nullopt
// when the header has no usable matrix or the window does not fit in it.
struct Placement {
  long long rows = 0, cols = 0;  // the whole plate
  long long row0 = 0, col0 = 0;  // plate index of the window's first row / column
};
std::optional<Placement> place_window(const std::map<std::string, std::string>& attrs,
                                      const std::vector<long long>& rows, const std::vector<long long>& cols) {
  const auto it = attrs.find("header.Matrix");
  if (it == attrs.end() || rows.empty() || cols.empty()) return std::nullopt;
  const std::string_view m = trim(it->second);
  const auto x = m.find_first_of("xX");
  if (x == std::string_view::npos) return std::nullopt;
  const auto c = parse_int(m.substr(0, x), 1, kMaxGridSide);
  const auto r = parse_int(m.substr(x + 1), 1, kMaxGridSide);
  if (!c || !r || *r * *c > kMaxSensels) return std::nullopt;
  const long long base = (rows.front() == 0 || cols.front() == 0) ? 0 : 1;
  Placement p{*r, *c, rows.front() - base, cols.front() - base};
  if (p.row0 < 0 || p.col0 < 0 || p.row0 + static_cast<long long>(rows.size()) > p.rows ||
      p.col0 + static_cast<long long>(cols.size()) > p.cols)
    return std::nullopt;
  return p;
}

struct Page {
  std::optional<long long> picture;  // nullopt: a summary page (MVP/MPP), skipped
  std::vector<long long> col_numbers, row_numbers;
};

}  // namespace

Result<Recording> read_emed_lst(std::istream& in, const std::string& source,
                                const ImportOptions& options) {
  LineReader r(in, source);
  std::map<std::string, std::string> attrs;
  std::optional<double> frame_s, pitch_x_mm, pitch_y_mm, sensor_area_cm2;
  std::optional<StreamBuilder> out;
  std::vector<long long> window_cols, window_rows;
  std::vector<float> frame;
  std::optional<Placement> placement;
  std::optional<long long> picture, last_picture;
  std::size_t pages = 0;

  while (true) {
    auto line = r.next();
    if (!line) return line.error();
    if (!*line) break;
    const std::string_view raw = **line;
    const std::string_view text = trim(raw);
    if (text.empty() || text == "\f") continue;
    const auto fields = split(raw, '\t');
    // Page preamble fields.
    bool preamble = false;
    for (const auto& f : fields) {
      std::string_view v;
      if (key_value(f, "File:", v)) {
        attrs["header.File"] = to_utf8(v);
        preamble = true;
      } else if (key_value(f, "Matrix:", v)) {
        attrs["header.Matrix"] = to_utf8(v);
        preamble = true;
      } else if (key_value(f, "Sensor area:", v)) {
        attrs["header.Sensor area"] = to_utf8(v);
        auto a = parse_area_mm2(v);
        if (!a) return format_error(r, "expected 'Sensor area: <number> cm²', got " + quote(v));
        sensor_area_cm2 = *a / 100.0;
        preamble = true;
      } else if (key_value(f, "Time/picture:", v)) {
        attrs["header.Time/picture"] = to_utf8(v);
        auto t = leading_number(v);
        const std::size_t unit_at = std::min(v.size(), v.find_first_not_of("0123456789.- "));
        const std::string unit = to_lower(trim(v.substr(unit_at)));
        double scale = unit == "ms" ? 1e-3 : unit == "s" ? 1.0 : 0.0;
        if (!t || !(*t > 0) || scale == 0)
          return format_error(r, "expected 'Time/picture: <number> ms', got " + quote(v));
        frame_s = *t * scale;
        preamble = true;
      } else if (key_value(f, "Sensor size:", v)) {
        attrs["header.Sensor size"] = to_utf8(v);
        // "0.500x0.500 cm"
        const std::size_t x = v.find('x');
        const std::size_t sp = v.find(' ');
        if (x == std::string_view::npos || sp == std::string_view::npos || sp < x)
          return format_error(r, "expected 'Sensor size: <w>x<h> cm', got " + quote(v));
        const std::string unit(trim(v.substr(sp)));
        auto w = parse_length_mm(std::string(v.substr(0, x)) + " " + unit);
        auto h = parse_length_mm(std::string(v.substr(x + 1, sp - x - 1)) + " " + unit);
        if (!w || !h) return format_error(r, "expected 'Sensor size: <w>x<h> cm', got " + quote(v));
        pitch_x_mm = *w;
        pitch_y_mm = *h;
        preamble = true;
      } else if (key_value(f, "Pict-No.:", v)) {
        auto n = leading_number(v);
        if (!n || *n < 0 || *n > 1e9 || std::floor(*n) != *n)
          return format_error(r, "expected a picture number after 'Pict-No.:', got " + quote(v));
        picture = static_cast<long long>(*n);
        preamble = true;
      } else if (starts_with_ci(trim(f), "Page ")) {
        preamble = true;
        picture.reset();  // a new page: its picture number follows in the preamble
      }
    }
    if (preamble) continue;

    // A column header row: "\t26\t27\t...\t47\tForce".
    if (fields.size() >= 3 && trim(fields.front()).empty() && trim(fields.back()) == "Force") {
      std::vector<long long> cols;
      for (std::size_t i = 1; i + 1 < fields.size(); ++i) {
        auto c = parse_int(fields[i], 0, kMaxGridSide);
        if (!c) return format_error(r, "expected a column number, got " + quote(fields[i]));
        if (!cols.empty() && *c != cols.back() + 1)
          return format_error(r, "expected consecutive column numbers, got " +
                                     std::to_string(*c) + " after " + std::to_string(cols.back()));
        cols.push_back(*c);
      }
      // Rows up to the "Force" margin row.
      std::vector<long long> rows;
      std::vector<float> values;
      const double area_cm2 = sensor_area_cm2.value_or(0.0);
      for (;;) {
        auto rl = r.next();
        if (!rl) return rl.error();
        if (!*rl)
          return format_error(source, r.line_number() + 1,
                              "expected a 'Force' row closing the picture, file ended (truncated?)");
        const auto cells = split(**rl, '\t');
        if (cells.size() != cols.size() + 2)
          return format_error(r, "expected " + std::to_string(cols.size() + 2) +
                                     " TAB-separated fields (row number, " +
                                     std::to_string(cols.size()) + " pressures, force), got " +
                                     std::to_string(cells.size()));
        const bool force_row = trim(cells[0]) == "Force";
        if (force_row) break;  // column force margins: checked through the row margins
        auto row_no = parse_int(cells[0], 0, kMaxGridSide);
        if (!row_no) return format_error(r, "expected a row number or 'Force', got " + quote(cells[0]));
        if (!rows.empty() && *row_no != rows.back() + 1)
          return format_error(r, "expected consecutive row numbers, got " + std::to_string(*row_no) +
                                     " after " + std::to_string(rows.back()));
        if (static_cast<long long>(rows.size() + 1) * static_cast<long long>(cols.size()) > kMaxSensels)
          return format_error(r, "expected at most " + std::to_string(kMaxSensels) + " sensels per picture");
        rows.push_back(*row_no);
        double sum_kpa = 0;
        for (std::size_t c = 0; c < cols.size(); ++c) {
          auto v = parse_number(cells[c + 1]);
          if (!v) return format_error(r, "expected a pressure (kPa) in column " + std::to_string(cols[c]) +
                                             ", got " + quote(cells[c + 1]));
          values.push_back(static_cast<float>(*v));
          sum_kpa += *v;
        }
        auto force = parse_number(cells.back());
        if (!force) return format_error(r, "expected the row force (N) in the last field, got " + quote(cells.back()));
        // Force[N] = sum(kPa) x area; 1 kPa x 1 cm2 = 0.1 N. Printed with two decimals.
        const double expected_n = sum_kpa * area_cm2 * 0.1;
        if (sensor_area_cm2 && std::abs(expected_n - *force) > 0.011 + 1e-3 * std::abs(*force))
          return format_error(r, "expected the row force " + std::string(trim(cells.back())) +
                                     " N to equal sum(kPa) x sensor area = " +
                                     std::to_string(expected_n) + " N (corrupt values?)");
      }
      if (rows.empty()) return format_error(r, "expected at least one pressure row before 'Force'");
      ++pages;
      if (!picture) continue;  // summary page (no Pict-No.): not a frame
      if (!frame_s) return format_error(r, "expected 'Time/picture:' before the first picture");
      if (!pitch_x_mm) return format_error(r, "expected 'Sensor size:' before the first picture");
      if (!out) {
        window_cols = cols;
        window_rows = rows;
        // The export prints only the window of the sensels loaded in the recording; placed in
        // the plate's whole matrix (the rest reads 0 kPa), a foot that fills the window does not
        // seem to touch the edge of the sensing area.
        placement = place_window(attrs, rows, cols);
        const long long grid_rows = placement ? placement->rows : static_cast<long long>(rows.size());
        const long long grid_cols = placement ? placement->cols : static_cast<long long>(cols.size());
        auto layout = SensorLayout::grid(static_cast<int>(grid_rows), static_cast<int>(grid_cols),
                                         *pitch_y_mm, *pitch_x_mm);
        if (!layout) return format_error(r, layout.error().message);
        StreamInfo info;
        info.name = "plate";
        info.side = options.side.value_or(Side::unknown);
        info.layout = std::move(*layout);
        info.sample_rate_hz = 1.0 / *frame_s;
        info.device = "Novel emed";
        info.attributes = attrs;
        info.attributes["window_first_row"] = std::to_string(rows.front());
        info.attributes["window_first_col"] = std::to_string(cols.front());
        info.attributes["window_placement"] =
            placement ? "the printed window (rows " + std::to_string(rows.front()) + "-" + std::to_string(rows.back()) +
                            ", columns " + std::to_string(cols.front()) + "-" + std::to_string(cols.back()) +
                            ") placed in the whole " + std::to_string(placement->cols) + " x " +
                            std::to_string(placement->rows) +
                            " matrix; sensels outside it were not printed and read 0 kPa"
                      : "the layout is the printed window only (no usable 'Matrix:' in the header)";
        info.attributes["pressure_conversion"] =
            "kPa as printed (confirmed by the force margins: N = sum(kPa) x sensor area)";
        out.emplace(std::move(info));
      } else if (cols != window_cols || rows != window_rows) {
        return make_error(Errc::unsupported,
                          source + ":" + std::to_string(r.line_number()) +
                              ": pictures printed with different row/column windows are not "
                              "supported (export every picture with the same window)");
      }
      if (last_picture && *picture <= *last_picture)
        return format_error(r, "expected picture numbers to increase, got " + std::to_string(*picture) +
                                   " after " + std::to_string(*last_picture));
      last_picture = picture;
      const double t = static_cast<double>(*picture - 1) * *frame_s;
      const float* picture_values = values.data();
      if (placement) {
        frame.assign(static_cast<std::size_t>(placement->rows * placement->cols), 0.0f);
        for (std::size_t i = 0; i < rows.size(); ++i)
          std::copy_n(values.begin() + static_cast<long>(i * cols.size()), cols.size(),
                      frame.begin() + static_cast<long>((placement->row0 + static_cast<long long>(i)) * placement->cols +
                                                        placement->col0));
        picture_values = frame.data();
      }
      if (!out->add(t, picture_values))
        return format_error(r, "expected at most " + std::to_string(kMaxValuesPerStream) +
                                   " values in one stream");
      picture.reset();
      continue;
    }
    // Free text of the page preamble ("MV over frames", the vendor's address) is skipped, but a
    // table row outside a table means the column header row is missing or damaged.
    if (fields.size() > 2 && parse_int(fields[0], 0, kMaxGridSide))
      return format_error(r, "expected a column header row ('<TAB>26<TAB>27...<TAB>Force') before "
                             "the pressure rows, got " + quote(text));
    if (pages == 0 && !out) attrs.try_emplace("header.notes", to_utf8(text));
  }
  if (!out || out->frames() == 0)
    return format_error(source, std::max<std::size_t>(1, r.line_number()), "expected at least one picture (a 'Pict-No.:' page with a pressure table)");
  Recording rec;
  rec.streams.push_back(out->finish());
  stamp_recording(rec, "emed", source);
  return rec;
}

}  // namespace insole::importers
