#include "insole/recommend/engine.hpp"

#include <gtest/gtest.h>

#include <set>

#include "recommend/support.hpp"

namespace insole::recommend {
namespace {

using test::count_items;
using test::default_rules;
using test::find_item;
using test::finding;
using test::intake;

// One row per rule of the shipped rule file: an input that must trigger it (and on which side)
// and an input that must not.
struct RuleRow {
  std::string id;
  std::vector<analysis::Finding> fire;
  std::optional<Intake> fire_intake;
  Side side;
  std::vector<analysis::Finding> quiet;
  std::optional<Intake> quiet_intake;
};

Intake aged(double years, std::initializer_list<std::pair<const char*, bool>> flags) {
  Intake in = intake(flags);
  in.values["age_years"] = years;
  return in;
}

std::vector<RuleRow> rule_rows() {
  const Side L = Side::left, R = Side::right, B = Side::both;
  return {
      {"R-ARCH-SUPPORT", {finding("F-ARCH-LOW", L)}, {}, L, {finding("F-ARCH-HIGH", L)}, {}},
      {"R-MEDIAL-POST", {finding("F-PRONATION", R)}, {}, R, {finding("F-ARCH-LOW", R)}, {}},
      {"R-HEEL-LIFT", {finding("F-EQUINUS", L)}, {}, B, {finding("F-ARCH-LOW", L)}, {}},
      {"R-MET-PAD", {finding("F-FOREFOOT-OVERLOAD", R)}, {}, R, {finding("F-EQUINUS", R)}, {}},
      {"R-LATERAL-CUSHION", {finding("F-ARCH-HIGH", L)}, {}, L, {finding("F-ARCH-LOW", L)}, {}},
      {"X-GASTROC-STRETCH", {finding("F-EQUINUS", R)}, {}, B, {finding("F-PRONATION", R)}, {}},
      {"X-SOLEUS-STRETCH", {finding("F-EQUINUS", R)}, {}, B, {finding("F-PRONATION", R)}, {}},
      {"X-CALF-RAISE", {finding("F-SHORT-STRIDE", L)}, {}, B, {finding("F-ARCH-HIGH", L)}, {}},
      {"X-GLUTE", {}, intake({{"prolonged_sitting_driving", true}}), B, {finding("F-ARCH-LOW", L)},
       intake({{"prolonged_sitting_driving", false}})},
      {"X-FOAM-ROLL", {finding("F-EQUINUS", L)}, {}, B, {finding("F-SUPINATION", L)}, {}},
      {"W-HEELS", {}, intake({{"high_heels", true}}), B, {finding("F-ARCH-LOW", L)}, intake({{"high_heels", false}})},
      {"W-RIGID", {}, intake({{"rigid_boots", true}}), B, {finding("F-EQUINUS", L)}, intake({{"high_heels", true}})},
      {"W-SUPPORT", {finding("F-SUPINATION", R)}, {}, B, {finding("F-EQUINUS", R)}, {}},
      {"A-BREAKS", {}, intake({{"prolonged_standing", true}}), B, {finding("F-EQUINUS", L)}, intake({{"high_heels", true}})},
      {"A-GAIT-EXAM", {finding("F-ASYMMETRY", B)}, {}, B, {finding("F-ARCH-LOW", L)}, {}},
      {"A-ASYMMETRY", {finding("F-ASYMMETRY", B)}, {}, B, {finding("F-SHORT-STRIDE", L)}, {}},
      {"A-WHOLE-BODY", {}, intake({{"recurrent_calf_problem", true}}), B, {finding("F-EQUINUS", L)},
       intake({{"calf_pain", true}})},
      // A child who reports no symptom; quiet: the same child with foot pain.
      {"A-PAED-FLATFOOT", {finding("F-ARCH-LOW", L)}, aged(5, {{"foot_pain", false}}), B, {finding("F-ARCH-LOW", L)},
       aged(5, {{"foot_pain", true}})},
  };
}

TEST(Engine, EveryRuleHasATableRow) {
  std::set<std::string> rows;
  for (const auto& r : rule_rows()) rows.insert(r.id);
  for (const auto& iv : default_rules().interventions) EXPECT_TRUE(rows.count(iv.id)) << "no test row for " << iv.id;
  EXPECT_EQ(rows.size(), default_rules().interventions.size());
}

TEST(Engine, EachRuleFiresOnItsFindingsAndNotOtherwise) {
  for (const auto& row : rule_rows()) {
    SCOPED_TRACE(row.id);
    const Prescription on = recommend(default_rules(), {row.fire, {}, row.fire_intake});
    const Recommendation* item = find_item(on, row.id, row.side);
    ASSERT_NE(item, nullptr);
    EXPECT_FALSE(item->triggers.empty());
    EXPECT_FALSE(item->dose.text.empty());
    EXPECT_FALSE(item->what_would_change.empty());
    EXPECT_FALSE(item->confidence.empty());
    const Prescription off = recommend(default_rules(), {row.quiet, {}, row.quiet_intake});
    EXPECT_EQ(count_items(off, row.id), 0);
  }
}

TEST(Engine, ItemCarriesTriggerEvidenceLinksAndEffects) {
  auto f = finding("F-ARCH-LOW", Side::left);
  f.evidence.push_back({"arch_index", 0.29, "", ">= 0.26", "Cavanagh & Rodgers 1987", true, false, true, ""});
  EngineInput in{{f}, {{Side::left, {{"arch_index", 0.29}}}}, std::nullopt};
  const Prescription p = recommend(default_rules(), in);
  const Recommendation* r = find_item(p, "R-ARCH-SUPPORT", Side::left);
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->triggers.size(), 1u);
  EXPECT_EQ(r->triggers[0].evidence[0].threshold, ">= 0.26");
  std::set<std::string> links;
  for (const auto& l : r->links) links.insert(l.id);
  // Only the links on this patient's path (a low arch alone, no back pain reported, no calf finding).
  EXPECT_EQ(links, (std::set<std::string>{"L1", "L2"}));
  EXPECT_EQ(r->links[0].articles, std::vector<std::string>{"A002"});
  EXPECT_EQ(r->links[0].strength, "B");
  EXPECT_FALSE(r->expected_effects.empty());
  // The hint quotes the measured value and the threshold it met.
  bool hint = false;
  for (const auto& w : r->what_would_change) hint |= w.find("arch_index = 0.290") != std::string::npos;
  EXPECT_TRUE(hint);
  ASSERT_FALSE(p.statements.empty());
  EXPECT_NE(p.statements[0].find("findings consistent with a low medial arch"), std::string::npos);
  EXPECT_EQ(p.statements[0].find("diagnos"), std::string::npos);
}

// Arch support height from the arch index: bands [.., 0.30) -> standard, [0.30, ..) -> +6 mm
// (Sweeney's -6 / standard / +6 mm arch variants; 0.30 = Buldt 2018 planus mean).
TEST(Dosing, ArchSupportHeightBandsAtTheBoundary) {
  auto run = [](double ai) {
    return recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left)}, {{Side::left, {{"arch_index", ai}}}}, {}});
  };
  EXPECT_DOUBLE_EQ(*find_item(run(0.2999), "R-ARCH-SUPPORT", Side::left)->dose.amount, 0.0);
  // The edge is not decided closer than the arch index's measurement error (borderline_margin
  // 0.016, rules 3.0.0): 0.30 and 0.315 keep the standard profile, 0.316 takes the higher one.
  EXPECT_DOUBLE_EQ(*find_item(run(0.30), "R-ARCH-SUPPORT", Side::left)->dose.amount, 0.0);
  EXPECT_NE(find_item(run(0.30), "R-ARCH-SUPPORT", Side::left)->dose.basis.find("measurement error"), std::string::npos);
  EXPECT_DOUBLE_EQ(*find_item(run(0.315), "R-ARCH-SUPPORT", Side::left)->dose.amount, 0.0);
  EXPECT_DOUBLE_EQ(*find_item(run(0.316), "R-ARCH-SUPPORT", Side::left)->dose.amount, 6.0);
  const auto none = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left)}, {}, {}});
  const auto* r = find_item(none, "R-ARCH-SUPPORT", Side::left);
  EXPECT_FALSE(r->dose.amount.has_value());
  EXPECT_NE(r->dose.text.find("not available"), std::string::npos);
}

// Medial post 4 deg for severity 1, 8 deg from severity 2 (Sweeney's 4 and 8 deg wedges).
TEST(Dosing, MedialPostAngleFromPronationSeverity) {
  for (auto [sev, deg] : {std::pair{1, 4.0}, {2, 8.0}, {3, 8.0}}) {
    const auto p = recommend(default_rules(), {{finding("F-PRONATION", Side::right, sev)}, {}, {}});
    EXPECT_DOUBLE_EQ(*find_item(p, "R-MEDIAL-POST", Side::right)->dose.amount, deg) << "severity " << sev;
  }
}

// Heel lift 6 mm (severity 1) or 12 mm (severity >= 2, Wulf 2016); always one bilateral item
// dosed by the worse side.
TEST(Dosing, HeelLiftIsBilateralAndDosedByTheWorseSide) {
  const auto mild = recommend(default_rules(), {{finding("F-EQUINUS", Side::left, 1)}, {}, {}});
  EXPECT_DOUBLE_EQ(*find_item(mild, "R-HEEL-LIFT", Side::both)->dose.amount, 6.0);
  const auto mixed = recommend(default_rules(),
                               {{finding("F-EQUINUS", Side::left, 1), finding("F-EQUINUS", Side::right, 2)}, {}, {}});
  EXPECT_EQ(count_items(mixed, "R-HEEL-LIFT"), 1);
  EXPECT_DOUBLE_EQ(*find_item(mixed, "R-HEEL-LIFT", Side::both)->dose.amount, 12.0);
}

// Dome apex 5 mm proximal to the measured peak (Landorf 2020): peak at 190 mm -> 185 mm.
TEST(Dosing, MetatarsalDomePlacementFromPeakLocation) {
  const auto p = recommend(default_rules(), {{finding("F-FOREFOOT-OVERLOAD", Side::right)},
                                             {{Side::right, {{"forefoot_peak_ap_mm", 190.0}}}}, {}});
  const auto* r = find_item(p, "R-MET-PAD", Side::right);
  EXPECT_DOUBLE_EQ(*r->dose.amount, 185.0);
  EXPECT_NE(r->dose.text.find("185 mm from the heel"), std::string::npos);
  EXPECT_NE(r->dose.text.find("peak at 190 mm"), std::string::npos);
  // Clamped at 0 (a peak 3 mm from the heel cannot put the dome behind the heel).
  const auto q = recommend(default_rules(), {{finding("F-FOREFOOT-OVERLOAD", Side::right)},
                                             {{Side::right, {{"forefoot_peak_ap_mm", 3.0}}}}, {}});
  EXPECT_DOUBLE_EQ(*find_item(q, "R-MET-PAD", Side::right)->dose.amount, 0.0);
}

TEST(Dosing, LateralWedgeUsesTheWorseOfCavusAndSupination) {
  const auto p = recommend(default_rules(), {{finding("F-ARCH-HIGH", Side::left, 1), finding("F-SUPINATION", Side::left, 2)}, {}, {}});
  EXPECT_DOUBLE_EQ(*find_item(p, "R-LATERAL-CUSHION", Side::left)->dose.amount, 4.0);
  const auto q = recommend(default_rules(), {{finding("F-ARCH-HIGH", Side::left, 1)}, {}, {}});
  EXPECT_DOUBLE_EQ(*find_item(q, "R-LATERAL-CUSHION", Side::left)->dose.amount, 0.0);
}

TEST(Engine, SameDoseOnBothFeetMergesIntoOneItem) {
  const std::vector fs{finding("F-ARCH-LOW", Side::left), finding("F-ARCH-LOW", Side::right)};
  const auto same = recommend(default_rules(), {fs, {{Side::left, {{"arch_index", 0.27}}}, {Side::right, {{"arch_index", 0.28}}}}, {}});
  EXPECT_EQ(count_items(same, "R-ARCH-SUPPORT"), 1);
  EXPECT_NE(find_item(same, "R-ARCH-SUPPORT", Side::both), nullptr);
  const auto diff = recommend(default_rules(), {fs, {{Side::left, {{"arch_index", 0.27}}}, {Side::right, {{"arch_index", 0.33}}}}, {}});
  EXPECT_EQ(count_items(diff, "R-ARCH-SUPPORT"), 2);  // 0.33 clears the 0.30 edge by more than 0.016
}

TEST(RedFlags, NoIntakeMeansNotScreened) {
  const auto p = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left)}, {}, std::nullopt});
  EXPECT_FALSE(p.red_flags_screened);
  EXPECT_TRUE(p.referrals.empty());
  bool said = false;
  for (const auto& c : p.caveats) said |= c.find("Red flags were not screened") != std::string::npos;
  EXPECT_TRUE(said);
  EXPECT_FALSE(find_item(p, "R-ARCH-SUPPORT", Side::left)->withheld);
}

TEST(RedFlags, ClotSignsAreUrgentAndWithholdEverything) {
  const auto p = recommend(default_rules(), {{finding("F-EQUINUS", Side::left), finding("F-ARCH-LOW", Side::left)},
                                             {},
                                             intake({{"calf_swelling_redness_warmth", true}, {"diabetes_or_vascular_disease", true}})});
  ASSERT_EQ(p.referrals.size(), 2u);
  EXPECT_EQ(p.referrals[0].id, "RF-CLOT");  // urgent before routine
  EXPECT_EQ(p.referrals[0].urgency, "urgent");
  EXPECT_NE(p.referrals[0].text.find("no massage or stretching"), std::string::npos);
  EXPECT_EQ(p.referrals[1].id, "RF-DIABETES");
  ASSERT_FALSE(p.items.empty());  // two findings were given: their items exist, withheld
  for (const auto& r : p.items) EXPECT_TRUE(r.withheld) << r.id;
  EXPECT_NE(p.review.find("after medical clearance"), std::string::npos);
}

TEST(RedFlags, NerveSignsWithholdOrthosesButNotFootwearAdvice) {
  const auto p = recommend(default_rules(), {{finding("F-EQUINUS", Side::left)}, {}, intake({{"numbness_tingling_weakness", true}})});
  ASSERT_EQ(p.referrals.size(), 1u);
  EXPECT_EQ(p.referrals[0].id, "RF-NERVE");
  EXPECT_TRUE(find_item(p, "R-HEEL-LIFT", Side::both)->withheld);
  EXPECT_TRUE(find_item(p, "X-GASTROC-STRETCH", Side::both)->withheld);
  EXPECT_FALSE(find_item(p, "W-HEELS", Side::both)->withheld);
}

// "back pain lasting more than a few days": > 3 days in the shipped rules.
TEST(RedFlags, BackPainDurationBoundary) {
  auto with_days = [](double d) {
    Intake in;
    in.values["low_back_pain"] = true;
    in.values["low_back_pain_days"] = d;
    return recommend(default_rules(), {{}, {}, in});
  };
  EXPECT_TRUE(with_days(3).referrals.empty());
  ASSERT_EQ(with_days(4).referrals.size(), 1u);
  EXPECT_EQ(with_days(4).referrals[0].id, "RF-BACK");
}

// A child who reports a symptom may get the support, at the paediatric confidence cap.
TEST(Engine, ChildrenGetPaediatricCaveatsAndLowConfidence) {
  Intake child = intake({{"foot_pain", true}});
  child.values["age_years"] = 10.0;
  const auto p = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left)}, {}, child});
  bool caveat = false;
  for (const auto& c : p.caveats) caveat |= c.find("Adult arch cut-offs do not apply") != std::string::npos;
  EXPECT_TRUE(caveat);
  const auto* r = find_item(p, "R-ARCH-SUPPORT", Side::left);
  EXPECT_EQ(r->confidence, "low");
  ASSERT_FALSE(r->caveats.empty());
  Intake adult;
  adult.values["age_years"] = 16.0;
  const auto q = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left)}, {}, adult});
  EXPECT_EQ(find_item(q, "R-ARCH-SUPPORT", Side::left)->confidence, "high");
}

// Confidence: capped by the evidence strength (A high, B moderate, C low), then by the finding.
TEST(Engine, ConfidenceFollowsStrengthAndFinding) {
  const auto p = recommend(default_rules(), {{finding("F-EQUINUS", Side::left, 1, "moderate")}, {}, {}});
  EXPECT_EQ(find_item(p, "R-HEEL-LIFT", Side::both)->confidence, "moderate");      // A, finding moderate
  EXPECT_EQ(find_item(p, "X-GASTROC-STRETCH", Side::both)->confidence, "moderate"); // B
  EXPECT_EQ(find_item(p, "X-FOAM-ROLL", Side::both)->confidence, "low");            // C
}

TEST(Engine, CautionLowersConfidenceAndConflictWithholds) {
  const auto p = recommend(default_rules(), {{finding("F-EQUINUS", Side::left), finding("F-FOREFOOT-OVERLOAD", Side::left)}, {}, {}});
  const auto* lift = find_item(p, "R-HEEL-LIFT", Side::both);
  EXPECT_EQ(lift->confidence, "moderate");  // A/high lowered one level by the caution
  bool caution = false;
  for (const auto& c : lift->contraindications) caution |= c.rfind("caution: forefoot overload", 0) == 0;
  EXPECT_TRUE(caution);
  const auto q = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left), finding("F-ARCH-HIGH", Side::left)}, {}, {}});
  EXPECT_EQ(count_items(q, "R-ARCH-SUPPORT"), 0);
  EXPECT_EQ(count_items(q, "R-LATERAL-CUSHION"), 0);
}

TEST(Engine, UnknownFindingIsReportedNotFatal) {
  const auto p = recommend(default_rules(), {{finding("F-SOMETHING-NEW", Side::left)}, {}, {}});
  bool said = false;
  for (const auto& c : p.caveats) said |= c.find("F-SOMETHING-NEW") != std::string::npos;
  EXPECT_TRUE(said);
  EXPECT_TRUE(p.items.empty());
}

// A low arch lights the inferred path up the leg (L1, L2); the low back is an asked node, so L3
// reaches it only when the intake reports back pain. Inference never lights an asked node.
TEST(Chain, LowArchLightsTheInferredPathAndTheBackOnlyWhenReported) {
  const auto p = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left)}, {}, {}});
  EXPECT_EQ(p.active_links, (std::vector<std::string>{"L1", "L2"}));
  const std::set<std::string> nodes(p.active_nodes.begin(), p.active_nodes.end());
  for (const char* n : {"F-ARCH-LOW", "N-TIBIAL-ROTATION", "N-KNEE-HIP-STRESS", "N-PELVIC-TILT"}) EXPECT_TRUE(nodes.count(n)) << n;
  EXPECT_FALSE(nodes.count("N-LOW-BACK"));
  EXPECT_FALSE(nodes.count("N-LORDOSIS"));  // only on L3, which needs the back pain reported
  EXPECT_FALSE(nodes.count("F-EQUINUS"));   // L7 needs both ends measured
  EXPECT_EQ(p.inferred_nodes, (std::vector<std::string>{"N-TIBIAL-ROTATION", "N-KNEE-HIP-STRESS", "N-PELVIC-TILT"}));

  const auto no_pain = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left)}, {}, intake({{"low_back_pain", false}})});
  EXPECT_EQ(no_pain.active_links, (std::vector<std::string>{"L1", "L2"}));
  EXPECT_EQ(std::count(no_pain.active_nodes.begin(), no_pain.active_nodes.end(), "N-LOW-BACK"), 0);

  const auto pain = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left)}, {}, intake({{"low_back_pain", true}})});
  EXPECT_EQ(pain.active_links, (std::vector<std::string>{"L1", "L2", "L3"}));
  const std::set<std::string> pain_nodes(pain.active_nodes.begin(), pain.active_nodes.end());
  EXPECT_TRUE(pain_nodes.count("N-LOW-BACK"));
  EXPECT_TRUE(pain_nodes.count("N-LORDOSIS"));
  // Reported, so not inferred; the lordosis between pelvis and back is inferred.
  EXPECT_EQ(std::count(pain.inferred_nodes.begin(), pain.inferred_nodes.end(), "N-LOW-BACK"), 0);
  EXPECT_EQ(std::count(pain.inferred_nodes.begin(), pain.inferred_nodes.end(), "N-LORDOSIS"), 1);
}

// Every item cites only links on this patient's path: an arch support for a low arch alone does
// not cite the calf links L6/L7 (no calf finding) nor L3 (no back pain reported).
TEST(Chain, ItemsCiteOnlyTheLinksOnThisPatientsPath) {
  const auto p = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left)}, {}, {}});
  const auto* support = find_item(p, "R-ARCH-SUPPORT", Side::left);
  ASSERT_NE(support, nullptr);
  std::vector<std::string> cited;
  for (const auto& l : support->links) cited.push_back(l.id);
  EXPECT_EQ(cited, (std::vector<std::string>{"L1", "L2"}));
  const auto q = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left), finding("F-EQUINUS", Side::left)}, {}, {}});
  std::set<std::string> both;
  for (const auto& l : find_item(q, "R-ARCH-SUPPORT", Side::left)->links) both.insert(l.id);
  EXPECT_EQ(both, (std::set<std::string>{"L1", "L2", "L6", "L7"}));
  // Whatever the findings, no item cites a link outside the active path.
  for (const auto& pr : {p, q})
    for (const auto& item : pr.items)
      for (const auto& l : item.links)
        EXPECT_TRUE(std::count(pr.active_links.begin(), pr.active_links.end(), l.id)) << item.id << " cites " << l.id;
}

// An adult who reports no symptom gets an optional, low-confidence support for a flat foot; the
// same foot with back pain reported gets it recommended at the confidence of its evidence.
TEST(Engine, AsymptomaticAdultFlatFootGetsAnOptionalSupport) {
  Intake quiet = intake({{"low_back_pain", false}, {"calf_pain", false}});
  quiet.values["age_years"] = 40.0;
  const auto p = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left, 2, "high")}, {}, quiet});
  ASSERT_TRUE(p.symptomatic.has_value());
  EXPECT_FALSE(*p.symptomatic);
  const auto* r = find_item(p, "R-ARCH-SUPPORT", Side::left);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->priority, "optional");
  EXPECT_EQ(r->confidence, "low");
  bool said = false;
  for (const auto& c : r->caveats) said |= c.find("no symptom reported") != std::string::npos;
  EXPECT_TRUE(said);
  // Only orthoses are made optional: the footwear advice keeps its priority.
  EXPECT_EQ(find_item(p, "W-SUPPORT", Side::both)->priority, "recommended");

  Intake sore = intake({{"low_back_pain", true}});
  sore.values["age_years"] = 40.0;
  const auto q = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left, 2, "high")}, {}, sore});
  EXPECT_TRUE(q.symptomatic.value_or(false));
  EXPECT_EQ(find_item(q, "R-ARCH-SUPPORT", Side::left)->priority, "recommended");
  EXPECT_EQ(find_item(q, "R-ARCH-SUPPORT", Side::left)->confidence, "high");

  // Symptoms not asked (no intake, or an intake without symptom answers): unknown, not asymptomatic.
  const auto unknown = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left)}, {}, {}});
  EXPECT_FALSE(unknown.symptomatic.has_value());
  EXPECT_EQ(find_item(unknown, "R-ARCH-SUPPORT", Side::left)->priority, "recommended");
}

TEST(Chain, EquinusWithLowArchClosesTheLoop) {
  const auto p = recommend(default_rules(), {{finding("F-ARCH-LOW", Side::left), finding("F-EQUINUS", Side::left)}, {}, {}});
  const std::set<std::string> links(p.active_links.begin(), p.active_links.end());
  for (const char* l : {"L1", "L2", "L4", "L6", "L7"}) EXPECT_TRUE(links.count(l)) << l;
  // L3 and L8 end in low back pain, L11 in glute / sacroiliac pain: asked, and not reported here.
  for (const char* l : {"L3", "L8", "L11"}) EXPECT_FALSE(links.count(l)) << l;
  EXPECT_FALSE(links.count("L5"));  // short stride not measured
  EXPECT_FALSE(links.count("L12")); // risk factors not asked
  EXPECT_FALSE(links.count("L9"));  // back pain only inferred, not reported
  const auto r = recommend(default_rules(), {{finding("F-EQUINUS", Side::left)}, {}, intake({{"low_back_pain", true}})});
  EXPECT_TRUE(std::count(r.active_links.begin(), r.active_links.end(), "L9"));
  EXPECT_TRUE(std::count(r.active_links.begin(), r.active_links.end(), "L8"));
  const auto g = recommend(default_rules(), {{finding("F-EQUINUS", Side::left)}, {}, intake({{"glute_si_pain", true}})});
  EXPECT_TRUE(std::count(g.active_links.begin(), g.active_links.end(), "L11"));
  const auto q = recommend(default_rules(), {{finding("F-EQUINUS", Side::left)}, {}, intake({{"high_heels", true}})});
  const std::set<std::string> qlinks(q.active_links.begin(), q.active_links.end());
  EXPECT_TRUE(qlinks.count("L12"));
}

}  // namespace
}  // namespace insole::recommend
