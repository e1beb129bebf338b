// Findings come from the rule file (recommend/findings.hpp): which measures vote, how they combine,
// severity by distance beyond the threshold, borderline within measurement error, and barefoot
// thresholds not applied in the shoe. Expected values are worked by hand from the numbers in
// libinsole/rules/default.json, quoted next to each check.
#include "insole/recommend/findings.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "support.hpp"

namespace insole::recommend {
namespace {

using analysis::Evidence;
using analysis::Finding;
using analysis::FootSummary;
using analysis::GaitTiming;
using analysis::Spread;
using analysis::Surface;

Spread spread(double median, std::size_t n = 10, double half_iqr = 0.0) {
  Spread s;
  s.median = median;
  s.q1 = median - half_iqr;
  s.q3 = median + half_iqr;
  s.min = s.q1;
  s.max = s.q3;
  s.n = n;
  return s;
}

FootSummary foot(Side side, std::map<std::string, Spread> m, Surface surface = Surface::barefoot) {
  FootSummary f;
  f.side = side;
  f.stream = "mat";
  f.surface = surface;
  f.footfalls_used = 10;
  f.measures = std::move(m);
  return f;
}

const Finding* find(const std::vector<Finding>& v, const std::string& id, Side side) {
  auto it = std::find_if(v.begin(), v.end(), [&](const Finding& f) { return f.id == id && f.side == side; });
  return it == v.end() ? nullptr : &*it;
}

std::vector<Finding> findings(const std::vector<FootSummary>& feet, const GaitTiming& t = {},
                              const RuleSet& rules = test::default_rules()) {
  return evaluate_findings(rules, feet, t).findings;
}

// The default rule file with one piece of text replaced (it must occur).
RuleSet edited_rules(const std::string& from, const std::string& to) {
  std::string text = test::default_rules_text();
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  auto r = parse_rules(text, "edited.json");
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? r.value() : test::default_rules();
}

std::string refusal(const std::string& from, const std::string& to) {
  std::string text = test::default_rules_text();
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  auto r = parse_rules(text, "edited.json");
  EXPECT_FALSE(r);
  return r ? "" : r.error().message;
}

TEST(RuleFindings, ArchLowCarriesValueThresholdAndSource) {
  const auto f = findings({foot(Side::left, {{"arch_index", spread(0.30, 10, 0.01)}})});
  const Finding* low = find(f, "F-ARCH-LOW", Side::left);
  ASSERT_NE(low, nullptr);
  ASSERT_EQ(low->evidence.size(), 1u);
  EXPECT_EQ(low->evidence[0].measure, "arch_index");
  EXPECT_DOUBLE_EQ(low->evidence[0].value, 0.30);
  EXPECT_EQ(low->evidence[0].threshold, ">= 0.26");
  EXPECT_NE(low->evidence[0].source.find("Cavanagh"), std::string::npos);
  EXPECT_EQ(low->confidence, "high");  // IQR 0.29-0.31 entirely above 0.26
  // 0.04 beyond 0.26: grade 2 needs 0.02 + margin 0.016 = 0.036, grade 3 needs 0.066.
  EXPECT_EQ(low->severity, 2);
  EXPECT_FALSE(low->borderline);
  EXPECT_NE(low->statement.find("onsistent with a low medial arch"), std::string::npos);
  EXPECT_EQ(find(f, "F-ARCH-HIGH", Side::left), nullptr);
  EXPECT_TRUE(findings({foot(Side::left, {{"arch_index", spread(0.23)}})}).empty());
}

TEST(RuleFindings, PronationNeedsCpeiAndMlpiToAgree) {
  // CPEI 12 % below 17.3 (5.3 beyond: grade 2 needs 3 + margin 1), MLPI -0.2 below -0.15.
  auto f = findings({foot(Side::right, {{"cpei_percent", spread(12.0)}, {"mlpi", spread(-0.2)},
                                         {"forefoot_mlpi", spread(0.0)}})});
  const Finding* p = find(f, "F-PRONATION", Side::right);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->evidence.size(), 2u);  // the forefoot index is part of the whole-foot one: no vote
  EXPECT_EQ(std::count_if(p->evidence.begin(), p->evidence.end(), [](const Evidence& e) { return e.agrees; }), 2);
  EXPECT_EQ(p->severity, 2);
  EXPECT_NE(p->notes[0].find("agree cpei_percent, mlpi"), std::string::npos) << p->notes[0];
  EXPECT_EQ(find(f, "F-SUPINATION", Side::right), nullptr);
  // CPEI alone never classifies (at_least 2).
  f = findings({foot(Side::right, {{"cpei_percent", spread(5.0)}, {"mlpi", spread(0.0)}})});
  EXPECT_EQ(find(f, "F-PRONATION", Side::right), nullptr);
  // Lateral pattern: supination (CPEI 35 > 28.2, MLPI 0.3 > 0.06).
  f = findings({foot(Side::left, {{"cpei_percent", spread(35.0)}, {"mlpi", spread(0.3)}})});
  const Finding* s = find(f, "F-SUPINATION", Side::left);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->confidence, "high");
}

TEST(RuleFindings, EquinusOnlyWhenTwoIndependentFeaturesAgreeAndAdvisesLungeTest) {
  // Heel contact 25 % (< 40), PTI ratio 3 (> 2): two agree.
  auto f = findings({foot(Side::left, {{"heel_contact_percent", spread(25.0)},
                                        {"forefoot_heel_pti_ratio", spread(3.0)},
                                        {"toe_first_percent", spread(0.0)}})});
  const Finding* e = find(f, "F-EQUINUS", Side::left);
  ASSERT_NE(e, nullptr);
  EXPECT_NE(e->statement.find("onsistent with"), std::string::npos);
  EXPECT_NE(e->statement.find("lunge test"), std::string::npos);
  EXPECT_EQ(e->evidence.size(), 3u);
  // One feature alone is not enough; the absolute forefoot peak is no second vote (it counts the
  // same forefoot load as the PTI ratio and grows with body mass).
  f = findings({foot(Side::left, {{"heel_contact_percent", spread(25.0)}, {"forefoot_heel_pti_ratio", spread(1.2)},
                                   {"forefoot_peak_kpa", spread(900.0)}})});
  EXPECT_EQ(find(f, "F-EQUINUS", Side::left), nullptr);
}

TEST(RuleFindings, ForefootOverloadOnRelativeLoadOnlyBarefoot) {
  // Relative load > 50 % (convention); severity grade 2 from 10 above plus the 3-point margin.
  FootSummary mat = foot(Side::left, {{"forefoot_relative_load_percent", spread(58.0)}});
  auto f = findings({mat});
  ASSERT_NE(find(f, "F-FOREFOOT-OVERLOAD", Side::left), nullptr);
  EXPECT_EQ(find(f, "F-FOREFOOT-OVERLOAD", Side::left)->severity, 1);
  mat.measures["forefoot_relative_load_percent"] = spread(64.0);  // 14 above >= 10 + 3
  EXPECT_EQ(find(findings({mat}), "F-FOREFOOT-OVERLOAD", Side::left)->severity, 2);
  mat.surface = Surface::in_shoe;
  EXPECT_EQ(find(findings({mat}), "F-FOREFOOT-OVERLOAD", Side::left), nullptr);
  EXPECT_TRUE(findings({foot(Side::left, {{"forefoot_relative_load_percent", spread(42.0)}})}).empty());
  // The absolute peak no longer decides: a heavy walker's 800 kPa with a normal load share is no
  // overload, and the same share gives the same answer at any pressure scale.
  EXPECT_TRUE(findings({foot(Side::left, {{"forefoot_peak_kpa", spread(800.0)},
                                          {"forefoot_relative_load_percent", spread(42.0)}})}).empty());
  EXPECT_EQ(find(findings({foot(Side::left, {{"forefoot_peak_kpa", spread(300.0)},
                                             {"forefoot_relative_load_percent", spread(58.0)}})}),
                 "F-FOREFOOT-OVERLOAD", Side::left)->severity, 1);
}

// A foot's finding none of whose measures the stream can give (positions unknown, or kPa needed
// from a stream in counts) is reported as not evaluated, naming the measures and why; a finding
// whose measures were merely not measured is not.
TEST(RuleFindings, AFindingTheStreamCannotGiveIsReportedNotEvaluatedWithWhy) {
  FootSummary moticon = foot(Side::left, {{"stance_s", spread(0.8)}});
  moticon.positions_unknown = "not published by the maker";
  auto e = evaluate_findings(test::default_rules(), {moticon}, {});
  auto na = std::find_if(e.not_applicable.begin(), e.not_applicable.end(),
                         [](const auto& n) { return n.id == "F-ARCH-LOW"; });
  ASSERT_NE(na, e.not_applicable.end());
  EXPECT_EQ(na->side, Side::left);
  EXPECT_EQ(na->reason,
            "not evaluated: arch_index needs sensor positions, unknown for this stream (not published by the "
            "maker)");
  EXPECT_TRUE(e.findings.empty());

  // Known positions, the measures simply absent: nothing to report.
  EXPECT_TRUE(evaluate_findings(test::default_rules(), {foot(Side::left, {})}, {}).not_applicable.empty());

  // A rule on an absolute pressure, a stream in counts: not evaluated, with how to fix it.
  const RuleSet kpa_rule = edited_rules(
      R"({"measure": "forefoot_relative_load_percent", "op": ">", "value": 50,)",
      R"({"measure": "forefoot_peak_kpa", "op": ">", "value": 569,)");
  FootSummary counts = foot(Side::right, {{"forefoot_relative_load_percent", spread(58.0)}});
  counts.uncalibrated = true;
  e = evaluate_findings(kpa_rule, {counts}, {});
  na = std::find_if(e.not_applicable.begin(), e.not_applicable.end(),
                    [](const auto& n) { return n.id == "F-FOREFOOT-OVERLOAD"; });
  ASSERT_NE(na, e.not_applicable.end());
  EXPECT_EQ(na->side, Side::right);
  EXPECT_EQ(na->reason,
            "not evaluated: forefoot_peak_kpa needs pressure in kPa; the stream is uncalibrated (units "
            "\"counts\"): calibrate it with insole calibrate");
  // Calibrated, the same foot without the measure is not reported.
  counts.uncalibrated = false;
  EXPECT_TRUE(evaluate_findings(kpa_rule, {counts}, {}).not_applicable.empty());
}

TEST(RuleFindings, AsymmetryFromTimingAndLoad) {
  GaitTiming t;
  t.stance_symmetry_percent = 15.0;
  t.step_symmetry_percent = 3.0;
  auto f = findings({foot(Side::left, {{"peak_force_n", spread(800.0)}}),
                     foot(Side::right, {{"peak_force_n", spread(800.0)}})},
                    t);
  const Finding* a = find(f, "F-ASYMMETRY", Side::both);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->evidence.size(), 3u);  // stance, step, peak force (force-time integral absent)
  t.stance_symmetry_percent = 5.0;
  EXPECT_EQ(find(findings({foot(Side::left, {}), foot(Side::right, {})}, t), "F-ASYMMETRY", Side::both), nullptr);
}

TEST(RuleFindings, ShortStrideFromRollover) {
  auto f = findings({foot(Side::left, {{"cop_ap_excursion_percent", spread(40.0)}})});
  EXPECT_NE(find(f, "F-SHORT-STRIDE", Side::left), nullptr);
  f = findings({foot(Side::left, {{"cop_ap_excursion_percent", spread(40.0)}, {"stride_length_mm", spread(1300.0)}})});
  EXPECT_NE(find(f, "F-SHORT-STRIDE", Side::left), nullptr);  // "any"
  f = findings({foot(Side::left, {{"cop_ap_excursion_percent", spread(75.0)}})});
  EXPECT_EQ(find(f, "F-SHORT-STRIDE", Side::left), nullptr);
}

// (a) Moving a threshold in the rule file changes what fires.
TEST(RuleFindings, MovingAThresholdInTheFileChangesWhatFires) {
  const std::vector<FootSummary> feet = {foot(Side::left, {{"arch_index", spread(0.30)}})};
  ASSERT_NE(find(findings(feet), "F-ARCH-LOW", Side::left), nullptr);
  const RuleSet moved = edited_rules(R"({"measure": "arch_index", "op": ">=", "value": 0.26,)",
                                     R"({"measure": "arch_index", "op": ">=", "value": 0.35,)");
  EXPECT_EQ(find(findings(feet, {}, moved), "F-ARCH-LOW", Side::left), nullptr);
  // And the other way: a CPEI limit moved up makes a 20 % CPEI with a medial MLPI fire.
  const std::vector<FootSummary> mid = {foot(Side::left, {{"cpei_percent", spread(20.0)}, {"mlpi", spread(-0.2)}})};
  EXPECT_EQ(find(findings(mid), "F-PRONATION", Side::left), nullptr);
  const RuleSet cpei = edited_rules(R"("op": "<", "value": 17.3,)", R"("op": "<", "value": 21.6,)");
  EXPECT_NE(find(findings(mid, {}, cpei), "F-PRONATION", Side::left), nullptr);
  // How the votes combine is data too: "any" lets the MLPI alone decide.
  const RuleSet any = edited_rules(R"("combine": {"at_least": 2},
     "notes": ["No single)", R"("combine": "any",
     "notes": ["No single)");
  const std::vector<FootSummary> mlpi_only = {foot(Side::left, {{"cpei_percent", spread(22.0)}, {"mlpi", spread(-0.2)}})};
  EXPECT_EQ(find(findings(mlpi_only), "F-PRONATION", Side::left), nullptr);
  EXPECT_NE(find(findings(mlpi_only, {}, any), "F-PRONATION", Side::left), nullptr);
}

// A foot whose sensel grid resolves the arch index more coarsely than the rule file's limit
// (0.025): its resolution is the arch votes' margin, a quality warning names the figures, and a
// rules copy with a larger limit removes both.
TEST(RuleFindings, CoarseArchIndexResolutionMakesArchVotesBorderlineAndWarns) {
  // 0.24 lies 0.02 from 0.26 and 0.03 from 0.21: outside the 0.016 measurement error of both.
  const FootSummary fine = foot(Side::left, {{"arch_index", spread(0.24)}, {"arch_index_resolution", spread(0.012)}});
  const FootSummary coarse = foot(Side::left, {{"arch_index", spread(0.24)}, {"arch_index_resolution", spread(0.031)}});
  EXPECT_TRUE(evaluate_findings(test::default_rules(), {fine}, {}).borderline_misses.empty());
  EXPECT_TRUE(resolution_warnings(test::default_rules(), {fine}).empty());
  // Within 0.031 of both cut-offs: either class is a borderline miss, the reading cannot tell.
  const auto ev = evaluate_findings(test::default_rules(), {coarse}, {});
  EXPECT_TRUE(ev.findings.empty());
  ASSERT_NE(find(ev.borderline_misses, "F-ARCH-LOW", Side::left), nullptr);
  ASSERT_NE(find(ev.borderline_misses, "F-ARCH-HIGH", Side::left), nullptr);
  const Evidence& e = find(ev.borderline_misses, "F-ARCH-LOW", Side::left)->evidence.at(0);
  EXPECT_TRUE(e.borderline);
  EXPECT_NE(e.note.find("(0.031 at this recording's sensel pitch (arch_index_resolution 0.031 > 0.025)) of 0.26"),
            std::string::npos) << e.note;
  const auto w = resolution_warnings(test::default_rules(), {coarse}, {{"mat", 5.08}});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("left foot (mat): the Arch index of this recording cannot separate its classes at this "
                      "sensel pitch (5.08 mm): the grid alone can move it by 0.031"),
            std::string::npos) << w[0];
  EXPECT_NE(w[0].find("more than 0.025"), std::string::npos) << w[0];
  // A clear finding stays a finding, now borderline only if within 0.031: 0.30 is 0.04 past 0.26.
  const FootSummary flat = foot(Side::left, {{"arch_index", spread(0.30)}, {"arch_index_resolution", spread(0.031)}});
  const auto fl = evaluate_findings(test::default_rules(), {flat}, {});
  ASSERT_NE(find(fl.findings, "F-ARCH-LOW", Side::left), nullptr);
  EXPECT_FALSE(find(fl.findings, "F-ARCH-LOW", Side::left)->borderline);
  // The limit is data: a clinic's copy that accepts 0.04 sees neither.
  const RuleSet lax = edited_rules(R"("resolution": {"measure": "arch_index_resolution", "limit": 0.025,)",
                                   R"("resolution": {"measure": "arch_index_resolution", "limit": 0.04,)");
  EXPECT_TRUE(evaluate_findings(lax, {coarse}, {}).borderline_misses.empty());
  EXPECT_TRUE(resolution_warnings(lax, {coarse}).empty());
}

// (b) A rule file naming an unknown measure or an invalid combine is refused, naming it.
TEST(RuleFindings, UnknownMeasureOrInvalidCombineIsRefusedNamingIt) {
  std::string m = refusal(R"({"measure": "arch_index", "op": ">=", "value": 0.26,)",
                          R"({"measure": "arch_indx", "op": ">=", "value": 0.26,)");
  EXPECT_NE(m.find("arch_indx"), std::string::npos) << m;
  EXPECT_NE(m.find("F-ARCH-LOW"), std::string::npos) << m;
  m = refusal(R"("combine": {"at_least": 2},
     "notes": ["No single)", R"("combine": {"at_least": 3},
     "notes": ["No single)");
  EXPECT_NE(m.find("F-PRONATION"), std::string::npos) << m;
  EXPECT_NE(m.find("combine"), std::string::npos) << m;
  EXPECT_NE(m.find("at_least 3 of 2"), std::string::npos) << m;
  m = refusal(R"("combine": {"at_least": 2},
     "notes": ["No single)", R"("combine": "most",
     "notes": ["No single)");
  EXPECT_NE(m.find("invalid combine \"most\""), std::string::npos) << m;
  // A convention without its reason, and a voting measure without a measurement error, are refused.
  m = refusal(R"~(,
        "note": "no published medial-lateral index norm: about 0.1 medial of a neutral foot (the hallux and first metatarsal heads carry more than the lateral rays, Putti 2008)")~",
              "");
  EXPECT_NE(m.find("needs a note"), std::string::npos) << m;
  m = refusal(R"(,
     "borderline_margin": {"value": 1.0, "source": "convention", "note": "no CPEI repeatability in the sources held; foot types differ by 1-2 % CPEI, so a smaller difference is not read"})",
              "");
  EXPECT_NE(m.find("cpei_percent"), std::string::npos) << m;
  EXPECT_NE(m.find("borderline_margin"), std::string::npos) << m;
}

// Reaches a dose of an intervention dosed on severity, through the evaluator and the engine.
std::optional<double> dose_amount(const std::vector<FootSummary>& feet, const std::string& item, Side side) {
  EngineInput in;
  in.findings = findings(feet);
  for (const auto& f : feet)
    for (const auto& [k, s] : f.measures) in.measures[f.side][k] = s.median;
  in.intake = test::intake({{"calf_pain", true}});  // symptomatic: the dose is prescribed
  const Prescription p = recommend(test::default_rules(), in);
  const Recommendation* r = test::find_item(p, item, side);
  if (!r) r = test::find_item(p, item, Side::both);  // the same dose on both feet is one item
  if (!r) return std::nullopt;
  return r->dose.amount;
}

// (c) Every dose band of every intervention dosed on severity is reachable from the rule file's
// severity grades, and reached here through measured values.
TEST(RuleFindings, EverySeverityDoseBandIsReachable) {
  const RuleSet& rules = test::default_rules();
  for (const auto& iv : rules.interventions) {
    if (iv.dose.kind != "bands" || iv.dose.basis != "severity") continue;
    int top = 1;  // highest grade any of its findings can reach
    for (const auto& fid : iv.dose.findings)
      for (const auto& t : rules.find_finding(fid)->thresholds)
        for (const auto& b : t.severity) top = std::max(top, b.grade);
    for (const auto& band : iv.dose.bands) {
      bool reached = false;
      for (int g = 1; g <= top; ++g)
        reached = reached || ((!band.min || g >= *band.min) && (!band.max || g < *band.max));
      EXPECT_TRUE(reached) << iv.id << ": band \"" << band.text << "\" unreachable (grades 1-" << top << ")";
    }
  }
  // Medial post (F-PRONATION): CPEI 16 (1.3 beyond 17.3) -> 4 deg; CPEI 12 (5.3 beyond, >= 3 + 1) -> 8 deg.
  auto pron = [](double cpei) {
    return std::vector<FootSummary>{foot(Side::left, {{"cpei_percent", spread(cpei)}, {"mlpi", spread(-0.2)}})};
  };
  EXPECT_EQ(dose_amount(pron(16.0), "R-MEDIAL-POST", Side::left), 4.0);
  EXPECT_EQ(dose_amount(pron(12.0), "R-MEDIAL-POST", Side::left), 8.0);
  // Heel lift (F-EQUINUS): heel contact 35 % (5 beyond 40) -> 6 mm; 20 % (20 beyond, >= 10 + 5) -> 12 mm.
  auto eq = [](double heel) {
    return std::vector<FootSummary>{
        foot(Side::left, {{"heel_contact_percent", spread(heel)}, {"forefoot_heel_pti_ratio", spread(2.5)}})};
  };
  EXPECT_EQ(dose_amount(eq(35.0), "R-HEEL-LIFT", Side::both), 6.0);
  EXPECT_EQ(dose_amount(eq(20.0), "R-HEEL-LIFT", Side::both), 12.0);
  // Lateral cushion (F-ARCH-HIGH): AI 0.18 (0.03 beyond 0.21, < 0.03 + 0.016) -> no wedge;
  // AI 0.15 (0.06 beyond) -> 4 deg wedge.
  EXPECT_EQ(dose_amount({foot(Side::left, {{"arch_index", spread(0.18)}})}, "R-LATERAL-CUSHION", Side::left), 0.0);
  EXPECT_EQ(dose_amount({foot(Side::left, {{"arch_index", spread(0.15)}})}, "R-LATERAL-CUSHION", Side::left), 4.0);
  // Grade 3 exists too: AI 0.10 is 0.11 beyond 0.21 (>= 0.08 + 0.016).
  EXPECT_EQ(find(findings({foot(Side::left, {{"arch_index", spread(0.10)}})}), "F-ARCH-HIGH", Side::left)->severity, 3);
}

// (d) Borderline: within measurement error of a threshold, reported as such; no dose band or
// severity grade chosen on a difference below it.
TEST(RuleFindings, BorderlineValuesAreReportedNotSilentlyFlipped) {
  // AI 0.27 is 0.01 above 0.26, within the margin 0.016: fires, borderline, low confidence.
  auto ev = evaluate_findings(test::default_rules(), {foot(Side::left, {{"arch_index", spread(0.27, 10, 0.001)}})}, {});
  const Finding* low = find(ev.findings, "F-ARCH-LOW", Side::left);
  ASSERT_NE(low, nullptr);
  EXPECT_TRUE(low->borderline);
  EXPECT_TRUE(low->evidence[0].borderline);
  EXPECT_EQ(low->confidence, "low");
  // AI 0.25 is 0.01 below: does not fire, but is listed as a borderline miss.
  ev = evaluate_findings(test::default_rules(), {foot(Side::left, {{"arch_index", spread(0.25)}})}, {});
  EXPECT_EQ(find(ev.findings, "F-ARCH-LOW", Side::left), nullptr);
  const Finding* miss = find(ev.borderline_misses, "F-ARCH-LOW", Side::left);
  ASSERT_NE(miss, nullptr);
  EXPECT_TRUE(miss->borderline);
  // AI 0.23: clear of both thresholds, nothing.
  ev = evaluate_findings(test::default_rules(), {foot(Side::left, {{"arch_index", spread(0.23)}})}, {});
  EXPECT_TRUE(ev.findings.empty());
  EXPECT_TRUE(ev.borderline_misses.empty());
}

TEST(RuleFindings, NoDoseOrGradeOnADifferenceBelowMeasurementError) {
  // Arch support dosed on arch_index, band edge 0.30, margin 0.016: AI 0.300 left and 0.306
  // right get the same support.
  auto pair = [](double l, double r) {
    return std::vector<FootSummary>{foot(Side::left, {{"arch_index", spread(l)}}),
                                    foot(Side::right, {{"arch_index", spread(r)}})};
  };
  auto l = dose_amount(pair(0.300, 0.306), "R-ARCH-SUPPORT", Side::left);
  auto r = dose_amount(pair(0.300, 0.306), "R-ARCH-SUPPORT", Side::right);
  ASSERT_TRUE(l && r);
  EXPECT_EQ(*l, *r);
  EXPECT_EQ(*l, 0.0);  // both within the margin of the edge: the standard profile
  // 0.310 and 0.320: 0.320 alone clears the edge by the margin, but the feet differ by 0.010 < 0.016.
  EXPECT_EQ(dose_amount(pair(0.310, 0.320), "R-ARCH-SUPPORT", Side::right), 0.0);
  // 0.320 and 0.340 are both clear: the higher profile on both.
  EXPECT_EQ(dose_amount(pair(0.320, 0.340), "R-ARCH-SUPPORT", Side::left), 6.0);
  EXPECT_EQ(dose_amount(pair(0.320, 0.340), "R-ARCH-SUPPORT", Side::right), 6.0);
  // Severity grades: AI 0.320 (grade 2) and 0.330 (grade 3 from 0.326) differ by 0.010 < 0.016:
  // both grade 2.
  auto f = findings(pair(0.320, 0.330));
  EXPECT_EQ(find(f, "F-ARCH-LOW", Side::left)->severity, 2);
  EXPECT_EQ(find(f, "F-ARCH-LOW", Side::right)->severity, 2);
  f = findings(pair(0.300, 0.340));  // 0.04 apart: grades 2 and 3 stand
  EXPECT_EQ(find(f, "F-ARCH-LOW", Side::left)->severity, 2);
  EXPECT_EQ(find(f, "F-ARCH-LOW", Side::right)->severity, 3);
}

// (e) Barefoot thresholds are not applied to in-shoe data: "not applicable" with the reason.
TEST(RuleFindings, BarefootThresholdsNotApplicableInTheShoe) {
  const std::map<std::string, Spread> medial = {{"cpei_percent", spread(12.0)}, {"mlpi", spread(-0.2)}};
  EXPECT_NE(find(findings({foot(Side::left, medial)}), "F-PRONATION", Side::left), nullptr);
  auto ev = evaluate_findings(test::default_rules(), {foot(Side::left, medial, Surface::in_shoe)}, {});
  EXPECT_EQ(find(ev.findings, "F-PRONATION", Side::left), nullptr);
  EXPECT_EQ(find(ev.borderline_misses, "F-PRONATION", Side::left), nullptr);
  // With a rule that lets the MLPI decide alone, the finding fires in the shoe and its CPEI vote
  // says why it does not count.
  const RuleSet any = edited_rules(R"("combine": {"at_least": 2},
     "notes": ["No single)", R"("combine": "any",
     "notes": ["No single)");
  const auto f = findings({foot(Side::left, medial, Surface::in_shoe)}, {}, any);
  const Finding* p = find(f, "F-PRONATION", Side::left);
  ASSERT_NE(p, nullptr);
  const auto cpei = std::find_if(p->evidence.begin(), p->evidence.end(), [](const Evidence& e) { return e.measure == "cpei_percent"; });
  ASSERT_NE(cpei, p->evidence.end());
  EXPECT_FALSE(cpei->applicable);
  EXPECT_FALSE(cpei->agrees);
  EXPECT_NE(cpei->note.find("measured barefoot"), std::string::npos) << cpei->note;
  EXPECT_EQ(p->severity, 1);  // the CPEI grades are not used in the shoe
  // A measure the catalogue says applies barefoot only (arch index) is not applicable in the shoe.
  ev = evaluate_findings(test::default_rules(), {foot(Side::left, {{"arch_index", spread(0.35)}}, Surface::in_shoe)}, {});
  EXPECT_TRUE(ev.findings.empty());
}

}  // namespace
}  // namespace insole::recommend
