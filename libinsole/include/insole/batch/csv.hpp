#pragma once
// CSV as RFC 4180 describes it: comma separated, CRLF or LF line ends accepted on reading, LF
// written; a field holding a comma, a quote, CR or LF is quoted and its quotes doubled. This is
// what pandas.read_csv, R's read.csv and spreadsheet programs read without options.

#include <string>
#include <string_view>
#include <vector>

#include "insole/core/result.hpp"

namespace insole::batch {

using CsvRow = std::vector<std::string>;

/// One field, quoted when needed.
std::string csv_field(std::string_view value);
/// One record with its final "\n".
std::string csv_line(const CsvRow& row);

/// Parses a whole CSV text. Errc::format_error naming `source` and the line for an unterminated
/// quoted field or a stray quote inside an unquoted field. An empty text gives no rows; a final
/// line end is optional.
Result<std::vector<CsvRow>> parse_csv(std::string_view text, const std::string& source);

}  // namespace insole::batch
