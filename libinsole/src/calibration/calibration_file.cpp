#include "insole/calibration/calibration_file.hpp"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "insole/core/atomic_output.hpp"

namespace insole::calibration {
namespace {

using nlohmann::json;

Error bad(std::string_view origin, std::string_view field, const std::string& what) {
  return Error{Errc::format_error, std::string(origin) + ": field '" + std::string(field) + "': " + what};
}

json vec(const Eigen::VectorXd& v) {
  json a = json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(v[i]);
  return a;
}

Result<std::string> get_string(const json& j, std::string_view origin, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) return bad(origin, key, "missing (expected a string)");
    return std::string();
  }
  if (!it->is_string()) return bad(origin, key, "expected a string, found " + std::string(it->type_name()));
  return it->get<std::string>();
}

Result<std::vector<double>> get_numbers(const json& j, std::string_view origin, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) return bad(origin, key, "missing (expected an array of numbers)");
    return std::vector<double>();
  }
  if (!it->is_array()) return bad(origin, key, "expected an array of numbers, found " + std::string(it->type_name()));
  std::vector<double> out;
  out.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (!v.is_number())
      return bad(origin, key, "element " + std::to_string(i) + " is " + std::string(v.type_name()) + ", expected a number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) return bad(origin, key, "element " + std::to_string(i) + " is not finite");
    out.push_back(d);
  }
  return out;
}

Eigen::VectorXd to_eigen(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), Eigen::Index(v.size()));
}

}  // namespace

std::string to_json(const Calibration& c) {
  json j = json::object();
  j["format"] = kFormat;
  j["format_version"] = Calibration::kFileVersion;
  j["device_serial"] = c.device_serial;
  j["stream"] = c.stream;
  j["method"] = c.method;
  j["date"] = c.date;
  j["source"] = c.source;
  j["model"] = std::string(to_string(c.model));
  j["coefficients"] = c.coefficients;
  j["residuals_kpa"] = c.residuals_kpa;
  if (c.body_mass_kg) j["body_mass_kg"] = *c.body_mass_kg;
  if (c.zero_counts.size()) j["zero_counts"] = vec(c.zero_counts);
  if (c.gain.size()) j["gain"] = vec(c.gain);
  return j.dump(2) + "\n";
}

Result<Calibration> from_json(std::string_view text, std::string_view origin) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return Error{Errc::format_error, std::string(origin) + ": not valid JSON (" + e.what() + ")"};
  }
  if (!j.is_object()) return Error{Errc::format_error, std::string(origin) + ": expected a JSON object"};
  static const std::set<std::string> known = {"format", "format_version", "device_serial", "stream", "method",
                                              "date", "source", "model", "coefficients", "residuals_kpa",
                                              "body_mass_kg", "zero_counts", "gain"};
  for (const auto& [k, v] : j.items())
    if (!known.count(k)) return bad(origin, k, "unknown field (a typo? see docs/calibration.md)");

  auto format = get_string(j, origin, "format", true);
  if (!format) return format.error();
  if (*format != kFormat) return bad(origin, "format", "is \"" + *format + "\", expected \"insole-calibration\"");
  auto fv = j.find("format_version");
  if (fv == j.end()) return bad(origin, "format_version", "missing (expected 1)");
  if (!fv->is_number_integer() || fv->get<long long>() != Calibration::kFileVersion)
    return bad(origin, "format_version", "is " + fv->dump() + ", this toolkit reads version 1");

  Calibration c;
  struct S { const char* key; std::string* dst; bool required; };
  for (const S& s : {S{"device_serial", &c.device_serial, true}, S{"stream", &c.stream, false},
                     S{"method", &c.method, true}, S{"date", &c.date, false}, S{"source", &c.source, false}}) {
    auto v = get_string(j, origin, s.key, s.required);
    if (!v) return v.error();
    *s.dst = std::move(*v);
  }
  if (c.device_serial.empty()) return bad(origin, "device_serial", "is empty");
  auto model = get_string(j, origin, "model", true);
  if (!model) return model.error();
  auto m = response_model_from_string(*model);
  if (!m) return bad(origin, "model", "is \"" + *model + "\", expected \"linear\", \"power_law\" or \"cubic\"");
  c.model = *m;

  auto coeffs = get_numbers(j, origin, "coefficients", true);
  if (!coeffs) return coeffs.error();
  c.coefficients = std::move(*coeffs);
  auto res = get_numbers(j, origin, "residuals_kpa", false);
  if (!res) return res.error();
  c.residuals_kpa = std::move(*res);
  auto zero = get_numbers(j, origin, "zero_counts", false);
  if (!zero) return zero.error();
  c.zero_counts = to_eigen(*zero);
  auto gain = get_numbers(j, origin, "gain", false);
  if (!gain) return gain.error();
  c.gain = to_eigen(*gain);
  if (auto it = j.find("body_mass_kg"); it != j.end()) {
    if (!it->is_number()) return bad(origin, "body_mass_kg", "expected a number, found " + std::string(it->type_name()));
    c.body_mass_kg = it->get<double>();
  }
  if (auto st = c.validate(); !st) {
    // Name the field: validate() messages start with "calibration: <field>..."
    std::string msg = st.error().message;
    const std::string prefix = "calibration: ";
    if (msg.rfind(prefix, 0) == 0) msg = msg.substr(prefix.size());
    std::string field = msg.substr(0, msg.find_first_of(" ["));
    if (field == "model") field = "coefficients";
    return bad(origin, field, msg);
  }
  return c;
}

Result<Calibration> read_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error{Errc::not_found, path.string() + ": cannot read calibration file (" + ec.message() + ")"};
  if (size > kMaxFileBytes)
    return Error{Errc::format_error, path.string() + ": calibration file is " + std::to_string(size) +
                                         " bytes, more than the limit of " + std::to_string(kMaxFileBytes)};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Errc::io_error, path.string() + ": cannot open calibration file"};
  std::ostringstream ss;
  ss << in.rdbuf();
  return from_json(ss.str(), path.string());
}

Status write_file(const Calibration& c, const std::filesystem::path& path) {
  if (auto st = c.validate(); !st) return st;
  if (c.device_serial.empty()) return Error{Errc::invalid_argument, "calibration: device_serial is empty"};
  return write_file_atomically(path, to_json(c));
}

Result<std::filesystem::path> file_for_serial(const std::filesystem::path& dir, std::string_view serial) {
  if (serial.empty()) return Error{Errc::invalid_argument, "calibration: empty device serial"};
  std::string name(serial);
  for (char& ch : name) {
    const bool okc = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                     ch == '.' || ch == '_' || ch == '-';
    if (!okc) ch = '_';
  }
  if (name.find_first_not_of('.') == std::string::npos) name = std::string(name.size(), '_');  // "." / ".."
  return dir / (name + ".json");
}

}  // namespace insole::calibration
