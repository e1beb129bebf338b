#include "common.hpp"

#include <cctype>
#include <filesystem>

#include "text.hpp"

namespace insole::importers::detail {

void stamp_recording(Recording& rec, const std::string& format, const std::string& source) {
  rec.meta.attributes["import.format"] = format;
  rec.meta.attributes["import.source"] =
      to_utf8(std::filesystem::path(source).filename().string());
}

namespace {
// Splits "5.08 mm" / "5.08mm" into number and unit word.
bool number_and_unit(std::string_view text, double& value, std::string& unit) {
  text = trim(text);
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.' ||
                             text[i] == '-' || text[i] == '+' || text[i] == 'e' || text[i] == 'E'))
    ++i;
  // An 'e' that starts the unit word ("5 em") is not an exponent; back off trailing letters.
  while (i > 0 && (text[i - 1] == 'e' || text[i - 1] == 'E')) --i;
  const auto v = parse_number(text.substr(0, i));
  if (!v) return false;
  value = *v;
  unit = to_lower(trim(text.substr(i)));
  return true;
}
}  // namespace

std::optional<double> parse_length_mm(std::string_view text) {
  double v = 0;
  std::string u;
  if (!number_and_unit(text, v, u) || !(v > 0)) return std::nullopt;
  if (u == "mm" || u == "millimeters" || u == "millimetres" || u == "milimeters") return v;
  if (u == "cm" || u == "centimeters" || u == "centimetres") return v * 10.0;
  if (u == "m" || u == "meters" || u == "metres") return v * 1000.0;
  if (u == "in" || u == "inch" || u == "inches" || u == "\"") return v * 25.4;
  return std::nullopt;
}

std::optional<double> parse_area_mm2(std::string_view text) {
  double v = 0;
  std::string u;
  if (!number_and_unit(text, v, u) || !(v > 0)) return std::nullopt;
  for (const char* sq : {"2", "^2", "\xc2\xb2", "\xb2"}) {
    if (u == std::string("mm") + sq) return v;
    if (u == std::string("cm") + sq) return v * 100.0;
    if (u == std::string("in") + sq || u == std::string("inch") + sq) return v * 645.16;
  }
  if (u == "sq mm") return v;
  if (u == "sq cm") return v * 100.0;
  return std::nullopt;
}

}  // namespace insole::importers::detail
