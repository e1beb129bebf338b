#include "insole/recommend/intake.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "insole/core/utf8.hpp"
#include "json_text.hpp"

namespace insole::recommend {

namespace {

using nlohmann::json;

// The questions of the chain's "Asked" list (docs/recommendations.md, intake schema).
const std::vector<IntakeField> kSchema = {
    {"", "schema", "string", 0, 0, "optional, \"insole-intake\""},
    {"", "patient_id", "string", 0, 0, "pseudonym, never a real name"},
    {"", "age_years", "number", 0, 120, "age in years (selects the rule file's adult or paediatric cut-offs)"},
    {"", "body_mass_kg", "number", 1, 400, "body mass in kg"},
    {"", "notes", "string", 0, 0, "free text"},
    {"symptoms", "low_back_pain", "bool", 0, 0, "low back pain"},
    {"symptoms", "low_back_pain_days", "number", 0, 36500, "how many days the back pain has lasted"},
    {"symptoms", "back_pain_limits_activity", "bool", 0, 0, "back pain limits walking, standing or sitting"},
    {"symptoms", "calf_pain", "bool", 0, 0, "calf pain"},
    {"symptoms", "foot_pain", "bool", 0, 0, "pain in the feet, arches or heels, or feet that tire early on activity"},
    {"symptoms", "glute_si_pain", "bool", 0, 0, "pain in the buttock or over the sacroiliac joint"},
    {"symptoms", "night_cramps", "bool", 0, 0, "night calf cramps"},
    {"symptoms", "recurrent_calf_problem", "bool", 0, 0, "calf problem keeps returning despite stretching"},
    {"symptoms", "numbness_tingling_weakness", "bool", 0, 0, "numbness, tingling or weakness in legs or feet"},
    {"symptoms", "calf_swelling_redness_warmth", "bool", 0, 0, "calf swelling, redness or warmth"},
    {"risk_factors", "high_heels", "bool", 0, 0, "wears high heels regularly"},
    {"risk_factors", "rigid_boots", "bool", 0, 0, "rigid-soled shoes or work boots"},
    {"risk_factors", "prolonged_standing", "bool", 0, 0, "stands still for long periods"},
    {"risk_factors", "prolonged_sitting_driving", "bool", 0, 0, "long sitting or driving"},
    {"risk_factors", "uphill_running", "bool", 0, 0, "steep uphill walking or running"},
    {"risk_factors", "recent_injury", "bool", 0, 0, "recent injury to back or legs"},
    {"risk_factors", "diabetes_or_vascular_disease", "bool", 0, 0, "diabetes or vascular disease"},
};

struct IntakeError {
  std::string path;
  std::string message;
};

std::string type_name(const json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "a boolean";
  if (j.is_string()) return "a string";
  if (j.is_number()) return "a number";
  if (j.is_array()) return "a list";
  return "a mapping";
}

std::string expected_keys(const std::string& section) {
  std::string out;
  for (const auto& f : kSchema)
    if (f.section == section) out += (out.empty() ? "" : ", ") + f.name;
  if (section.empty()) out += ", symptoms, risk_factors";
  return out;
}

void read_fields(const json& obj, const std::string& section, Intake& intake) {
  const std::string prefix = section.empty() ? "" : section + ".";
  if (!obj.is_object()) throw IntakeError{section, "expected a mapping of answers, found " + type_name(obj)};
  for (const auto& [key, value] : obj.items()) {
    const std::string path = prefix + key;
    if (section.empty() && (key == "symptoms" || key == "risk_factors")) {
      read_fields(value, key, intake);
      continue;
    }
    const IntakeField* f = nullptr;
    for (const auto& field : kSchema)
      if (field.section == section && field.name == key) f = &field;
    if (!f) throw IntakeError{path, "unknown key (expected one of: " + expected_keys(section) + ")"};
    if (value.is_null()) continue;  // "not asked"
    if (f->type == "bool") {
      if (!value.is_boolean()) throw IntakeError{path, "expected true or false, found " + type_name(value)};
      intake.values[key] = value.get<bool>();
    } else if (f->type == "number") {
      if (!value.is_number()) throw IntakeError{path, "expected a number, found " + type_name(value)};
      const double v = value.get<double>();
      if (!std::isfinite(v) || v < f->min || v > f->max) {
        std::ostringstream m;
        m << "value " << v << " out of range [" << f->min << ", " << f->max << "]";
        throw IntakeError{path, m.str()};
      }
      intake.values[key] = v;
    } else {
      if (!value.is_string()) throw IntakeError{path, "expected a string, found " + type_name(value)};
      if (key == "schema" && value.get<std::string>() != "insole-intake")
        throw IntakeError{path, "expected \"insole-intake\""};
      intake.values[key] = value.get<std::string>();
    }
  }
}


// YAML scalars are untyped text: plain scalars become booleans, nulls or numbers when they read
// as such; quoted scalars stay strings (so "yes" in quotes is a string and is rejected for a bool).
json yaml_to_json(const YAML::Node& n, const std::string& path) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Sequence: {
      json arr = json::array();
      for (std::size_t i = 0; i < n.size(); ++i) arr.push_back(yaml_to_json(n[i], path + "[" + std::to_string(i) + "]"));
      return arr;
    }
    case YAML::NodeType::Map: {
      json obj = json::object();
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) throw IntakeError{path, "mapping keys must be plain names"};
        const std::string key = kv.first.Scalar();
        if (!is_valid_utf8(key)) throw IntakeError{path.empty() ? "(top level)" : path, "a key is not valid UTF-8 text"};
        if (obj.contains(key)) throw IntakeError{path.empty() ? key : path + "." + key, "duplicate key"};
        obj[key] = yaml_to_json(kv.second, path.empty() ? key : path + "." + key);
      }
      return obj;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = n.Scalar();
      if (!is_valid_utf8(s)) throw IntakeError{path.empty() ? "(top level)" : path, "text is not valid UTF-8"};
      if (n.Tag() == "!") return s;  // quoted
      if (s == "true" || s == "True" || s == "TRUE") return true;
      if (s == "false" || s == "False" || s == "FALSE") return false;
      if (s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
      char* end = nullptr;
      errno = 0;
      const double v = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size()) {
        // A number too large for a double is a number out of range, not a string.
        if (!std::isfinite(v) || errno == ERANGE) {
          if (std::isfinite(v) && std::abs(v) < 1.0) return 0.0;  // underflow: as good as zero
          throw IntakeError{path.empty() ? "(top level)" : path, "number " + s.substr(0, 40) + (s.size() > 40 ? "..." : "") + " is too large"};
        }
        return v;
      }
      return s;
    }
  }
  return nullptr;
}

}  // namespace

const std::vector<IntakeField>& intake_schema() { return kSchema; }

const IntakeField* find_intake_field(std::string_view name) noexcept {
  for (const auto& f : kSchema)
    if (f.name == name) return &f;
  return nullptr;
}

std::optional<bool> Intake::flag(std::string_view name) const {
  auto it = values.find(std::string(name));
  if (it == values.end() || !std::holds_alternative<bool>(it->second)) return std::nullopt;
  return std::get<bool>(it->second);
}
std::optional<double> Intake::number(std::string_view name) const {
  auto it = values.find(std::string(name));
  if (it == values.end() || !std::holds_alternative<double>(it->second)) return std::nullopt;
  return std::get<double>(it->second);
}
std::optional<std::string> Intake::text(std::string_view name) const {
  auto it = values.find(std::string(name));
  if (it == values.end() || !std::holds_alternative<std::string>(it->second)) return std::nullopt;
  return std::get<std::string>(it->second);
}

Result<Intake> parse_intake(std::string_view text, std::string_view origin, bool yaml) {
  const std::string where(origin);
  json doc;
  try {
    if (yaml) {
      doc = yaml_to_json(YAML::Load(std::string(text)), "");
    } else {
      doc = detail::parse_json_text(text);
    }
  } catch (const YAML::Exception& e) {
    return make_error(Errc::format_error, where + ": not valid YAML: " + e.what());
  } catch (const detail::JsonTextError& e) {
    return make_error(Errc::format_error, where + ": not valid JSON: " + e.what());
  } catch (const IntakeError& e) {
    return make_error(Errc::format_error, where + ": " + e.path + ": " + e.message);
  }
  Intake intake;
  intake.origin = where;
  try {
    if (!doc.is_object()) throw IntakeError{"(top level)", "expected a mapping of answers, found " + type_name(doc)};
    read_fields(doc, "", intake);
  } catch (const IntakeError& e) {
    return make_error(Errc::format_error, where + ": " + e.path + ": " + e.message);
  }
  return intake;
}

Result<Intake> load_intake(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::not_found, path.string() + ": cannot open intake file");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string ext = path.extension().string();
  bool yaml = false;
  if (ext == ".yaml" || ext == ".yml") {
    yaml = true;
  } else if (ext != ".json") {
    return make_error(Errc::invalid_argument,
                      path.string() + ": intake file must end in .json, .yaml or .yml");
  }
  return parse_intake(ss.str(), path.string(), yaml);
}

}  // namespace insole::recommend
