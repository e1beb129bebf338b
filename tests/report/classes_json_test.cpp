// arch_class through the one assessment path: the label comes from the rule file given to
// assess(), so a clinic's file with moved cut-offs changes the class of the same recording, and a
// child's intake replaces the adult classes by the paediatric ones (JSON key arch_class kept:
// "high" | "normal" | "low" or null with arch_class_reason).

#include <gtest/gtest.h>

#include "insole/report/json.hpp"
#include "insole/sim/simulator.hpp"
#include "recommend/support.hpp"

namespace insole::report {
namespace {

// A fixed recording: the simulator's flat foot, seed 7 (the same bytes on every run).
const Recording& flat_walk() {
  static const Recording rec = [] {
    auto spec = sim::parse_spec({{"foot", "flat"}, {"duration", "4"}, {"seed", "7"}, {"mass", "70"}});
    if (!spec) throw std::runtime_error(spec.error().message);
    auto simulation = sim::run(*spec);
    if (!simulation) throw std::runtime_error(simulation.error().message);
    return simulation->recording;
  }();
  return rec;
}

nlohmann::json assessed(const recommend::RuleSet& rules, std::optional<recommend::Intake> intake = std::nullopt) {
  auto a = assess::assess("flat.h5", flat_walk(), rules, std::move(intake));
  if (!a) throw std::runtime_error(a.error().message);
  return assessment_json(*a);
}

recommend::RuleSet with_arch_cutoffs(double high, double low) {
  std::string text = test::default_rules_text();
  const std::string from = R"("cutoffs": [{"value": 0.21, "op": ">"}, {"value": 0.26, "op": ">="}])";
  const auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("arch_class cut-offs not found in the rule file");
  text.replace(pos, from.size(),
               R"("cutoffs": [{"value": )" + std::to_string(high) + R"(, "op": ">"}, {"value": )" + std::to_string(low) +
                   R"(, "op": ">="}])");
  auto r = recommend::parse_rules(text, "clinic.json");
  if (!r) throw std::runtime_error(r.error().message);
  return *r;
}

TEST(ArchClassFromRules, MovedCutoffsChangeTheClassOfAFixedRecording) {
  const auto shipped = assessed(test::default_rules());
  ASSERT_FALSE(shipped["feet"].empty());
  for (const auto& foot : shipped["feet"]) {
    ASSERT_TRUE(foot["arch_index"].is_number());
    const double ai = foot["arch_index"];
    // By hand against the shipped cut-offs (<= 0.21 high, >= 0.26 low).
    const std::string expected = ai <= 0.21 ? "high" : ai >= 0.26 ? "low" : "normal";
    EXPECT_EQ(foot["arch_class"], expected) << ai;
    EXPECT_EQ(foot["classes"][0]["id"], "arch_class");
    EXPECT_EQ(foot["classes"][0]["label"], expected);
    EXPECT_EQ(foot["classes"][0]["rule"], "arch_index <= 0.21 high, 0.21 < arch_index < 0.26 normal, arch_index >= 0.26 low");
  }
  // The simulated flat foot reads low (model AI 0.31); a clinic that puts "low" at 0.40 reads it
  // normal, and one that puts "high" above it reads it high.
  EXPECT_EQ(shipped["feet"][0]["arch_class"], "low");
  const auto relaxed = assessed(with_arch_cutoffs(0.21, 0.40));
  for (const auto& foot : relaxed["feet"]) EXPECT_EQ(foot["arch_class"], "normal") << foot["arch_index"];
  const auto raised = assessed(with_arch_cutoffs(0.39, 0.40));
  for (const auto& foot : raised["feet"]) {
    EXPECT_EQ(foot["arch_class"], "high") << foot["arch_index"];
    for (const auto& ff : foot["footfalls"])
      if (ff["arch_index"].is_number()) {
        EXPECT_EQ(ff["arch_class"], "high");
      }
  }
}

// A 5-year-old: no adult arch-index class (null, with the reason), the paediatric
// Chippaux-Smirak class of the 3-6 y band instead, and the low-arch finding decided by it.
TEST(ArchClassFromRules, AChildGetsThePaediatricClasses) {
  recommend::Intake five;
  five.values["age_years"] = 5.0;
  const auto j = assessed(test::default_rules(), five);
  for (const auto& foot : j["feet"]) {
    EXPECT_TRUE(foot["arch_class"].is_null());
    EXPECT_NE(foot["arch_class_reason"].get<std::string>().find("not applicable at age 5 y"), std::string::npos)
        << foot["arch_class_reason"];
    bool csi = false;
    for (const auto& c : foot["classes"]) {
      if (c["id"] != "chippaux_smirak_class") continue;
      csi = true;
      EXPECT_EQ(c["ages"], "ages 3-6 y");
      const double value = foot["measures"]["chippaux_smirak_percent"]["median"];
      EXPECT_EQ(c["label"], value > 62.7 ? "flat" : "not flat") << value;
    }
    EXPECT_TRUE(csi);
  }
  for (const auto& f : j["findings"]) {
    if (f["id"] != "F-ARCH-LOW") continue;
    for (const auto& e : f["evidence"]) EXPECT_NE(e["measure"], "arch_index");
  }
}

}  // namespace
}  // namespace insole::report
