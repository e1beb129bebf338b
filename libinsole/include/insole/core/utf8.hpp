#pragma once
// UTF-8 validity, shared by everything that accepts text from outside (importers, intake files):
// text that is not UTF-8 would break the JSON output and the report (Cairo refuses it).

#include <string_view>

namespace insole {

/// True when `s` is well-formed UTF-8 as RFC 3629 defines it (Unicode 15, table 3-7): no
/// overlong forms, no UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated
/// or stray continuation bytes.
bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace insole
