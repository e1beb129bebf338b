#pragma once
// Small text encodings shared by the report (HTML) and the clinic app (login page, tokens,
// password file).

#include <string>
#include <string_view>

namespace insole {

/// `s` with &, <, > and " replaced by their HTML character references: safe in element text and
/// in double-quoted attribute values.
std::string html_escape(std::string_view s);

/// Lower-case hexadecimal of the bytes of `raw`, two digits per byte.
std::string to_hex(std::string_view raw);

}  // namespace insole
