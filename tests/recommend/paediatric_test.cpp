// Children (issue 12 item 5): the intake's age selects the paediatric cut-offs of the rule file,
// and a painless flexible flat foot in a child gets no orthosis from pressure data alone (J Fam
// Pract clinical inquiry; JAPMA 1999;89(2):94), while a child who reports a symptom may get one at
// the paediatric confidence cap. Everything is in the rule file: moving its age limit or a band's
// cut-off changes the outcome.
#include <gtest/gtest.h>

#include <algorithm>

#include "insole/recommend/engine.hpp"
#include "insole/recommend/findings.hpp"
#include "support.hpp"

namespace insole::recommend {
namespace {

using analysis::Finding;
using analysis::FootSummary;
using analysis::Spread;
using test::find_item;

Spread spread(double median) {
  Spread s;
  s.median = s.q1 = s.q3 = s.min = s.max = median;
  s.n = 10;
  return s;
}

FootSummary foot(std::map<std::string, Spread> m) {
  FootSummary f;
  f.side = Side::left;
  f.stream = "mat";
  f.footfalls_used = 10;
  f.measures = std::move(m);
  return f;
}

Intake child(double age, std::initializer_list<std::pair<const char*, bool>> symptoms = {}) {
  Intake in = test::intake(symptoms);
  in.values["age_years"] = age;
  return in;
}

RuleSet edited(const std::string& from, const std::string& to) {
  std::string text = test::default_rules_text();
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  auto r = parse_rules(text, "clinic.json");
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? r.value() : test::default_rules();
}

FindingEvaluation evaluate(const FootSummary& f, const Intake* intake, const RuleSet& rules = test::default_rules()) {
  return evaluate_findings(rules, {f}, {}, patient_of(rules, intake));
}

bool fires(const FindingEvaluation& e, const std::string& id) {
  return std::any_of(e.findings.begin(), e.findings.end(), [&](const Finding& f) { return f.id == id; });
}

// The footprint of the tests below, by hand: a forefoot 60 mm wide; the midfoot's narrowest
// contact width w gives CSI = w / 60 x 100 %; the heel is 50 mm wide and the central width at the
// Staheli tangent is c, so Staheli = c / 50.
double csi(double midfoot_mm) { return 100.0 * midfoot_mm / 60.0; }
double staheli(double central_mm) { return central_mm / 50.0; }

// Each paediatric band against its published limit (PMC5975578): CSI > 62.7 % (3-7 y; the file
// takes 3-6 y, the 6-9 y limit from 6), > 59 % (6-9 y), >= 40 % (9-16 y); Staheli > 1.07 (3-6 y),
// >= 1.28 (6-9 y). Values lie clear of each limit by more than the measurement margins of the rule
// file (CSI 2 points, Staheli 0.05), so none is borderline.
TEST(Paediatric, EachAgeBandUsesItsPublishedLimit) {
  struct Case {
    double age;
    double csi_percent;
    double staheli_index;
  };
  const Case cases[] = {
      {4.0, csi(39.0), staheli(45.0)},  // 65 % > 62.7: flat
      {4.0, csi(36.0), staheli(50.0)},  // 60 %, Staheli 1.00: not flat at 4
      {4.0, csi(33.0), staheli(57.5)},  // 55 %, Staheli 1.15 > 1.07: flat
      {7.0, csi(37.2), staheli(50.0)},  // 62 % > 59: flat
      {7.0, csi(33.0), staheli(57.5)},  // 55 %, Staheli 1.15 < 1.28: not flat at 7
      {7.0, csi(33.0), staheli(67.0)},  // 55 %, Staheli 1.34 >= 1.28: flat
      {12.0, csi(27.0), staheli(80.0)}, // 45 % >= 40: flat (no Staheli limit from 9 y)
      {12.0, csi(21.0), staheli(80.0)}, // 35 %, Staheli 1.6 not read: not flat
  };
  const bool expected[] = {true, false, true, true, false, true, true, false};
  for (std::size_t k = 0; k < std::size(cases); ++k) {
    const auto& c = cases[k];
    SCOPED_TRACE("age " + std::to_string(c.age) + ", CSI " + std::to_string(c.csi_percent) + ", Staheli " +
                 std::to_string(c.staheli_index));
    // An adult-style arch index well inside the adult "low" class: it must not decide for a child.
    const FootSummary f = foot({{"arch_index", spread(0.32)},
                                {"chippaux_smirak_percent", spread(c.csi_percent)},
                                {"staheli_index", spread(c.staheli_index)}});
    const Intake in = child(c.age);
    const auto e = evaluate(f, &in);
    EXPECT_EQ(fires(e, "F-ARCH-LOW"), expected[k]);
    EXPECT_TRUE(e.borderline_misses.empty());
    for (const auto& finding : e.findings)
      for (const auto& ev : finding.evidence) EXPECT_NE(ev.measure, "arch_index") << "adult cut-off voted for a child";
  }
}

// The adult arch index decides an adult's low arch; the paediatric limits do not vote. A child
// below the youngest band gets "not applicable for that age" with the reason.
TEST(Paediatric, AdultCutoffsForAdultsAndNotApplicableBelowTheBands) {
  const FootSummary f = foot({{"arch_index", spread(0.32)}, {"chippaux_smirak_percent", spread(30.0)},
                              {"staheli_index", spread(0.6)}});
  const Intake adult = child(40.0);
  EXPECT_TRUE(fires(evaluate(f, &adult), "F-ARCH-LOW"));
  EXPECT_TRUE(fires(evaluate(f, nullptr), "F-ARCH-LOW"));  // no intake: read as an adult
  const Intake seven = child(7.0);
  EXPECT_FALSE(fires(evaluate(f, &seven), "F-ARCH-LOW"));  // CSI 30 % < 59 %, Staheli 0.6 < 1.28

  const Intake two = child(2.0);
  const auto e = evaluate(foot({{"arch_index", spread(0.40)}, {"chippaux_smirak_percent", spread(90.0)}}), &two);
  EXPECT_FALSE(fires(e, "F-ARCH-LOW"));
  EXPECT_FALSE(fires(e, "F-ARCH-HIGH"));
  std::map<std::string, std::string> why;
  for (const auto& na : e.not_applicable) why[na.id] = na.reason;
  ASSERT_TRUE(why.count("F-ARCH-LOW"));
  EXPECT_EQ(why["F-ARCH-LOW"], "not applicable at age 2 y: the rule file's thresholds for F-ARCH-LOW hold for adults, "
                               "ages 3-6 y, ages 6-9 y, ages 9-16 y (adult cut-offs do not apply to children)");
  ASSERT_TRUE(why.count("F-ARCH-HIGH"));  // no paediatric high-arch limit at any age
}

// Moving a band's cut-off or the paediatric age limit in a rules copy changes the outcome.
TEST(Paediatric, MovingTheLimitsInTheFileChangesTheOutcome) {
  const FootSummary f = foot({{"arch_index", spread(0.32)}, {"chippaux_smirak_percent", spread(csi(36.0))}});  // 60 %
  const Intake seven = child(7.0);
  EXPECT_TRUE(fires(evaluate(f, &seven), "F-ARCH-LOW"));  // > 59 %
  const RuleSet raised = edited(R"({"measure": "chippaux_smirak_percent", "op": ">", "value": 59,)",
                                R"({"measure": "chippaux_smirak_percent", "op": ">", "value": 65,)");
  EXPECT_FALSE(fires(evaluate(f, &seven, raised), "F-ARCH-LOW"));
  // Children only below 6: the 7-year-old is read as an adult (arch index 0.32 >= 0.26).
  const RuleSet younger = edited(R"("when": {"intake": "age_years", "op": "<", "value": 16})",
                                 R"("when": {"intake": "age_years", "op": "<", "value": 6})");
  const Intake flat_seven = child(7.0);
  const auto e = evaluate(foot({{"arch_index", spread(0.32)}, {"chippaux_smirak_percent", spread(30.0)}}), &flat_seven, younger);
  ASSERT_TRUE(fires(e, "F-ARCH-LOW"));
  EXPECT_EQ(e.findings[0].evidence[0].measure, "arch_index");
}

bool has_orthosis(const Prescription& p) {
  return std::any_of(p.items.begin(), p.items.end(), [](const Recommendation& r) { return r.category == "orthosis"; });
}

Finding low_arch() {
  Finding f = test::finding("F-ARCH-LOW", Side::left, 2, "high");
  f.evidence.push_back({"chippaux_smirak_percent", 68.0, "%", "> 62.7", "PMC5975578", true, false, true, ""});
  return f;
}

// A 5-year-old with a painless flat foot (and a pronation signature): no arch support, medial post
// or wedge; the output says why, with its sources, and what to do instead.
TEST(Paediatric, PainlessFlatFootInAChildGetsNoOrthosis) {
  const Intake painless = child(5.0, {{"foot_pain", false}, {"calf_pain", false}});
  const EngineInput in{{low_arch(), test::finding("F-PRONATION", Side::left, 2, "high")},
                       {{Side::left, {{"chippaux_smirak_percent", 68.0}}}},
                       painless};
  const Prescription p = recommend(test::default_rules(), in);
  EXPECT_FALSE(has_orthosis(p));
  for (const char* id : {"R-ARCH-SUPPORT", "R-MEDIAL-POST"}) {
    bool why = false;
    for (const auto& c : p.caveats)
      why |= c.rfind(std::string(id) + " (left) not recommended: a child with no reported pain or symptom", 0) == 0 &&
             c.find("J Fam Pract") != std::string::npos && c.find("JAPMA 1999;89(2):94") != std::string::npos;
    EXPECT_TRUE(why) << id;
  }
  const Recommendation* advice = find_item(p, "A-PAED-FLATFOOT", Side::both);
  ASSERT_NE(advice, nullptr);
  EXPECT_NE(advice->dose.text.find("reassure"), std::string::npos);
  EXPECT_NE(advice->dose.text.find("paediatric assessment if pain"), std::string::npos);
  EXPECT_EQ(advice->confidence, "low");  // paediatric cap

  // Symptoms not asked at all: none reported, so still no orthosis from pressure data alone.
  const Intake age_only = child(5.0);
  EXPECT_FALSE(has_orthosis(recommend(test::default_rules(), {{low_arch()}, {}, age_only})));
}

// The same child with foot pain may get the support, at the paediatric confidence cap; an adult
// with the same foot is unchanged (an optional support when asymptomatic, as before).
TEST(Paediatric, SymptomaticChildGetsSupportAtLowConfidenceAdultUnchanged) {
  const Intake sore = child(5.0, {{"foot_pain", true}});
  const Prescription p = recommend(test::default_rules(), {{low_arch()}, {}, sore});
  const Recommendation* support = find_item(p, "R-ARCH-SUPPORT", Side::left);
  ASSERT_NE(support, nullptr);
  EXPECT_EQ(support->confidence, "low");
  EXPECT_EQ(support->priority, "recommended");
  EXPECT_EQ(find_item(p, "A-PAED-FLATFOOT", Side::both), nullptr);

  const Intake adult = child(40.0, {{"foot_pain", false}, {"calf_pain", false}});
  const Prescription q = recommend(test::default_rules(), {{low_arch()}, {}, adult});
  const Recommendation* optional = find_item(q, "R-ARCH-SUPPORT", Side::left);
  ASSERT_NE(optional, nullptr);
  EXPECT_EQ(optional->priority, "optional");
  EXPECT_EQ(find_item(q, "A-PAED-FLATFOOT", Side::both), nullptr);
  const Intake adult_sore = child(40.0, {{"foot_pain", true}});
  EXPECT_EQ(find_item(recommend(test::default_rules(), {{low_arch()}, {}, adult_sore}), "R-ARCH-SUPPORT", Side::left)->confidence,
            "high");
}

// The age limit is data: with children only below 5, the painless 5-year-old is read as an adult
// and gets the (optional) support.
TEST(Paediatric, MovingTheAgeLimitChangesThePrescription) {
  const Intake painless = child(5.0, {{"foot_pain", false}});
  EXPECT_FALSE(has_orthosis(recommend(test::default_rules(), {{low_arch()}, {}, painless})));
  const RuleSet younger = edited(R"("when": {"intake": "age_years", "op": "<", "value": 16})",
                                 R"("when": {"intake": "age_years", "op": "<", "value": 5})");
  const Prescription p = recommend(younger, {{low_arch()}, {}, painless});
  const Recommendation* support = find_item(p, "R-ARCH-SUPPORT", Side::left);
  ASSERT_NE(support, nullptr);
  EXPECT_EQ(support->priority, "optional");
}

}  // namespace
}  // namespace insole::recommend
