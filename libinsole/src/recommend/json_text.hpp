// Parsing of user-written JSON (rule files, intake forms) with errors that name the place.
// nlohmann's own exceptions name no position for some errors (a number too large for a double,
// out_of_range.406, carries only the token); the SAX interface reports the byte offset of every
// error, which becomes a line and column here.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace insole::recommend::detail {

// Thrown by parse_json_text(); what() is "line L, column C: <what was wrong>".
struct JsonTextError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses one JSON document (strict: no trailing content, no comments).
nlohmann::json parse_json_text(std::string_view text);

}  // namespace insole::recommend::detail
