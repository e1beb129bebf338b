#pragma once
// Builders shared by the recommendation tests.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "insole/recommend/engine.hpp"
#include "insole/recommend/rules.hpp"

namespace insole::test {

inline std::string default_rules_text() {
  std::ifstream in(std::string(INSOLE_SOURCE_DIR) + "/libinsole/rules/default.json");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline const recommend::RuleSet& default_rules() {
  static const recommend::RuleSet rules = [] {
    auto r = recommend::parse_rules(default_rules_text(), "default.json");
    if (!r) throw std::runtime_error(r.error().message);
    return r.value();
  }();
  return rules;
}

inline analysis::Finding finding(const std::string& id, Side side, int severity = 1,
                                 const std::string& confidence = "high") {
  analysis::Finding f;
  f.id = id;
  f.side = side;
  f.severity = severity;
  f.confidence = confidence;
  f.statement = "findings consistent with " + id;
  return f;
}

inline recommend::Intake intake(std::initializer_list<std::pair<const char*, bool>> flags) {
  recommend::Intake in;
  for (const auto& [k, v] : flags) in.values[k] = v;
  return in;
}

inline const recommend::Recommendation* find_item(const recommend::Prescription& p, const std::string& id,
                                                  Side side) {
  for (const auto& r : p.items)
    if (r.id == id && r.side == side) return &r;
  return nullptr;
}

inline int count_items(const recommend::Prescription& p, const std::string& id) {
  int n = 0;
  for (const auto& r : p.items) n += r.id == id;
  return n;
}

}  // namespace insole::test
