// Class labels are data (issue 12 item 3): arch_class and the other classes of a measure come from
// the rule file's classes[] (labels, cut-offs, source, the ages they hold for), never from
// constants compiled into the analysis. Expected labels are worked by hand from the cut-offs
// quoted next to each check.
#include <gtest/gtest.h>

#include "insole/recommend/findings.hpp"
#include "support.hpp"

namespace insole::recommend {
namespace {

std::string label(const RuleSet& rules, const char* id, double value, const Patient& patient = {}) {
  const ClassDef* def = rules.find_class(id);
  if (!def) return "<no class " + std::string(id) + ">";
  return classify(rules, *def, value, patient).label;
}

// The shipped file with one piece of text replaced (it must occur once); parse result returned.
Result<RuleSet> edited(const std::string& from, const std::string& to) {
  std::string text = test::default_rules_text();
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  EXPECT_EQ(text.find(from, pos + 1), std::string::npos) << "not unique: " << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return parse_rules(text, "clinic.json");
}

std::string refusal(const std::string& from, const std::string& to) {
  auto r = edited(from, to);
  EXPECT_FALSE(r) << "accepted: " << to;
  return r ? "" : r.error().message;
}

const char* kArchCutoffs = R"("cutoffs": [{"value": 0.21, "op": ">"}, {"value": 0.26, "op": ">="}])";

// Cavanagh & Rodgers as commonly quoted: AI <= 0.21 high, 0.21 < AI < 0.26 normal, AI >= 0.26 low.
// Which side a value at a cut-off falls on is the cut-off's op: "> 0.21" puts 0.21 itself below.
TEST(Classes, ShippedArchClassByHand) {
  const RuleSet& r = test::default_rules();
  EXPECT_EQ(label(r, "arch_class", 0.0), "high");
  EXPECT_EQ(label(r, "arch_class", 0.21), "high");
  EXPECT_EQ(label(r, "arch_class", 0.2101), "normal");
  EXPECT_EQ(label(r, "arch_class", 0.2599), "normal");
  EXPECT_EQ(label(r, "arch_class", 0.26), "low");
  EXPECT_EQ(label(r, "arch_class", 0.5), "low");
  // Adult Chippaux-Smirak (Forriol 1990, second-hand): < 30 high, 30-45 normal, > 45 low.
  EXPECT_EQ(label(r, "chippaux_smirak_class", 29.9), "high");
  EXPECT_EQ(label(r, "chippaux_smirak_class", 30.0), "normal");
  EXPECT_EQ(label(r, "chippaux_smirak_class", 45.0), "normal");
  EXPECT_EQ(label(r, "chippaux_smirak_class", 45.1), "low");
  const ClassDef* arch = r.find_class("arch_class");
  ASSERT_NE(arch, nullptr);
  const auto c = classify(r, *arch, 0.24, {});
  EXPECT_EQ(c.rule, "arch_index <= 0.21 high, 0.21 < arch_index < 0.26 normal, arch_index >= 0.26 low");
  EXPECT_EQ(c.ages, "adults");
  EXPECT_NE(c.source.find("Cavanagh"), std::string::npos);
  // No value: no label, and the reason says so.
  const auto none = classify(r, *arch, std::nullopt, {});
  EXPECT_EQ(none.label, "");
  EXPECT_EQ(none.reason, "arch_index not measured");
}

// A clinic that moves the cut-offs in its own file changes the class.
TEST(Classes, MovedCutoffsChangeTheClass) {
  EXPECT_EQ(label(test::default_rules(), "arch_class", 0.28), "low");
  auto moved = edited(kArchCutoffs, R"("cutoffs": [{"value": 0.21, "op": ">"}, {"value": 0.30, "op": ">="}])");
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(label(*moved, "arch_class", 0.28), "normal");
  EXPECT_EQ(label(*moved, "arch_class", 0.30), "low");
}

TEST(Classes, ValidationNamesTheProblem) {
  // An unknown measure, anywhere, is refused naming it.
  std::string m = refusal(R"({"id": "arch_class", "measure": "arch_index",)", R"({"id": "arch_class", "measure": "arch_indx",)");
  EXPECT_NE(m.find("clinic.json: classes[0] (arch_class).measure: unknown measure 'arch_indx'"), std::string::npos) << m;
  // Unsorted and equal cut-offs would make classes overlap.
  m = refusal(kArchCutoffs, R"("cutoffs": [{"value": 0.26, "op": ">"}, {"value": 0.21, "op": ">="}])");
  EXPECT_NE(m.find("classes[0] (arch_class).sets[0].cutoffs[1].value: cut-offs must increase strictly (0.21 after 0.26): "
                   "classes would overlap"),
            std::string::npos)
      << m;
  m = refusal(kArchCutoffs, R"("cutoffs": [{"value": 0.21, "op": ">"}, {"value": 0.21, "op": ">="}])");
  EXPECT_NE(m.find("cut-offs must increase strictly (0.21 after 0.21)"), std::string::npos) << m;
  m = refusal(kArchCutoffs, R"("cutoffs": [{"value": 0.21, "op": "<"}, {"value": 0.26, "op": ">="}])");
  EXPECT_NE(m.find("cutoffs[0].op: expected \">\" or \">=\""), std::string::npos) << m;
  m = refusal(kArchCutoffs, R"("cutoffs": [{"value": 0.26, "op": ">="}])");
  EXPECT_NE(m.find("classes[0] (arch_class).sets[0].labels: needs one label more than cut-offs (2 labels for 1 cut-offs), found 3"),
            std::string::npos)
      << m;
  // arch_class keeps the JSON contract's values.
  m = refusal(R"("labels": ["high", "normal", "low"], "cutoffs": [{"value": 0.21,)",
              R"("labels": ["cavus", "normal", "low"], "cutoffs": [{"value": 0.21,)");
  EXPECT_NE(m.find("arch_class labels are \"high\", \"normal\" or \"low\" (JSON contract), found \"cavus\""), std::string::npos) << m;
  // One set of cut-offs per age.
  m = refusal(R"("ages": {"min": 6, "max": 9}, "labels": ["not flat", "flat"], "cutoffs": [{"value": 59,)",
              R"("ages": {"min": 5, "max": 9}, "labels": ["not flat", "flat"], "cutoffs": [{"value": 59,)");
  EXPECT_NE(m.find("classes[2] (chippaux_smirak_class).sets[2].ages: ages (ages 5-9 y) overlap those of sets[1] (ages 3-6 y)"),
            std::string::npos)
      << m;
  m = refusal(R"("ages": {"min": 6, "max": 9}, "labels": ["not flat", "flat"], "cutoffs": [{"value": 59,)",
              R"("ages": {"min": 9, "max": 6}, "labels": ["not flat", "flat"], "cutoffs": [{"value": 59,)");
  EXPECT_NE(m.find("sets[2].ages: min must be below max"), std::string::npos) << m;
  // Cut-offs need a declared source.
  m = refusal(R"("source": "cavanagh1987", "note": "AI <= 0.21)", R"("source": "cavanagh1988", "note": "AI <= 0.21)");
  EXPECT_NE(m.find("classes[0] (arch_class).sets[0].source: unknown source 'cavanagh1988'"), std::string::npos) << m;
}

// A child is labelled by the set of cut-offs for the child's age; the adult arch-index classes do
// not label a child, and the reason says so.
TEST(Classes, AgeSelectsTheSetOfCutoffs) {
  const RuleSet& r = test::default_rules();
  const Patient four{4.0, true}, seven{7.0, true}, twelve{12.0, true}, two{2.0, true}, adult{40.0, false};
  // CSI 60 %: > 59 (6-9 y) flat; not > 62.7 (3-6 y); >= 40 (9-16 y) flat; adult > 45 low.
  EXPECT_EQ(label(r, "chippaux_smirak_class", 60.0, four), "not flat");
  EXPECT_EQ(label(r, "chippaux_smirak_class", 60.0, seven), "flat");
  EXPECT_EQ(label(r, "chippaux_smirak_class", 60.0, twelve), "flat");
  EXPECT_EQ(label(r, "chippaux_smirak_class", 60.0, adult), "low");
  // Staheli 1.10: > 1.07 (3-6 y) flat; not >= 1.28 (6-9 y); no limit from 9 y.
  EXPECT_EQ(label(r, "staheli_class", 1.10, four), "flat");
  EXPECT_EQ(label(r, "staheli_class", 1.10, seven), "not flat");
  const ClassDef* staheli = r.find_class("staheli_class");
  const auto none = classify(r, *staheli, 1.10, twelve);
  EXPECT_EQ(none.label, "");
  EXPECT_EQ(none.reason, "not applicable at age 12 y: the rule file's staheli_class cut-offs hold for ages 3-6 y, ages 6-9 y "
                         "(adult cut-offs do not apply to children)");
  const auto child_ai = classify(r, *r.find_class("arch_class"), 0.30, seven);
  EXPECT_EQ(child_ai.label, "");
  EXPECT_NE(child_ai.reason.find("not applicable at age 7 y: the rule file's arch_class cut-offs hold for adults"),
            std::string::npos)
      << child_ai.reason;
  EXPECT_EQ(label(r, "chippaux_smirak_class", 70.0, two), "");
}

}  // namespace
}  // namespace insole::recommend
