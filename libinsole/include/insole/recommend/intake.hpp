#pragma once
// Intake: what the patient was asked (symptoms and risk factors of the flat-foot / tight-calf
// chain). Optional input to the recommendations; red flags can only come from here.
//
// File format (JSON, or YAML with the same structure; docs/recommendations.md):
//   { "schema": "insole-intake",           optional
//     "patient_id": "P-0042",              optional pseudonym
//     "age_years": 42, "body_mass_kg": 80,
//     "symptoms": { "low_back_pain": true, "low_back_pain_days": 10, ... },
//     "risk_factors": { "high_heels": false, ... },
//     "notes": "free text" }
// Every field is optional; unknown keys and wrong types are rejected with the key's path.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "insole/core/result.hpp"

namespace insole::recommend {

/// One field of the intake schema.
struct IntakeField {
  std::string section;    ///< "" (top level), "symptoms" or "risk_factors"
  std::string name;       ///< unique over all sections; rule conditions use it
  std::string type;       ///< "bool" | "number" | "string"
  double min = 0.0, max = 0.0;  ///< numbers: accepted range (inclusive)
  std::string description;
};

/// The documented intake schema.
const std::vector<IntakeField>& intake_schema();
const IntakeField* find_intake_field(std::string_view name) noexcept;

struct Intake {
  std::map<std::string, std::variant<bool, double, std::string>> values;
  std::string origin;

  std::optional<bool> flag(std::string_view name) const;
  std::optional<double> number(std::string_view name) const;
  std::optional<std::string> text(std::string_view name) const;
};

/// Parses an intake document. `yaml` selects YAML (a superset of the JSON form).
Result<Intake> parse_intake(std::string_view text, std::string_view origin, bool yaml);
/// Reads a .json, .yaml or .yml file.
Result<Intake> load_intake(const std::filesystem::path& path);

}  // namespace insole::recommend
