#include "insole/batch/csv.hpp"

namespace insole::batch {

std::string csv_field(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_line(const CsvRow& row) {
  std::string out;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) out += ',';
    out += csv_field(row[i]);
  }
  out += '\n';
  return out;
}

Result<std::vector<CsvRow>> parse_csv(std::string_view text, const std::string& source) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  std::size_t line = 1, record_line = 1;
  std::size_t i = 0;
  const std::size_t n = text.size();
  bool at_record_start = true;
  while (i < n) {
    if (at_record_start) {
      record_line = line;
      at_record_start = false;
    }
    if (text[i] == '"') {
      // Quoted field: runs to the closing quote; "" is a literal quote.
      ++i;
      for (;;) {
        if (i >= n)
          return make_error(Errc::format_error, source + ": line " + std::to_string(record_line) +
                                                    ": quoted field is not closed before the end of the file");
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i++];
      }
      if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
        return make_error(Errc::format_error, source + ": line " + std::to_string(line) +
                                                  ": expected a comma or a line end after a quoted field");
    } else {
      while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        if (text[i] == '"')
          return make_error(Errc::format_error, source + ": line " + std::to_string(line) +
                                                    ": quote inside an unquoted field");
        field += text[i++];
      }
    }
    row.push_back(std::move(field));
    field.clear();
    if (i >= n) break;
    if (text[i] == ',') {
      ++i;
      if (i >= n) row.emplace_back();  // "a," at the very end: a final empty field
      continue;
    }
    // Line end: \n, \r\n or a lone \r.
    if (text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    ++line;
    rows.push_back(std::move(row));
    row.clear();
    at_record_start = true;
  }
  if (!row.empty()) rows.push_back(std::move(row));
  return rows;
}

}  // namespace insole::batch
