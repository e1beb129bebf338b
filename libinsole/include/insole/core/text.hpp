#pragma once
// Small text encodings shared by the report (HTML) and the clinic app (login page, tokens,
// password file), and the reading of small hand-written CSV files (zones, sensor positions).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace insole {

/// `s` with &, <, > and " replaced by their HTML character references: safe in element text and
/// in double-quoted attribute values.
std::string html_escape(std::string_view s);

/// Lower-case hexadecimal of the bytes of `raw`, two digits per byte.
std::string to_hex(std::string_view raw);

/// One line of a small hand-written CSV file: the text before any '#', without a trailing CR,
/// split at every ',', each field trimmed of spaces and tabs. Empty for a blank or comment line.
std::vector<std::string> csv_fields(std::string_view line);

/// The finite number that is the whole of `field` (as strtod reads it), or nothing.
std::optional<double> parse_number(const std::string& field);

}  // namespace insole
