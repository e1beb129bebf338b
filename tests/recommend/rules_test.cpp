#include "insole/recommend/rules.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "recommend/support.hpp"
#include "support/temp_dir.hpp"

namespace insole::recommend {
namespace {

using nlohmann::json;

json base() { return json::parse(test::default_rules_text()); }

// Applies `edit` to the shipped rules and returns the validator's message ("" when accepted).
std::string reject(const std::function<void(json&)>& edit) {
  json j = base();
  edit(j);
  auto r = parse_rules(j.dump(), "clinic.json");
  return r ? std::string() : r.error().message;
}

json& by_id(json& arr, const std::string& id) {
  for (auto& x : arr)
    if (x["id"] == id) return x;
  throw std::runtime_error("no " + id);
}

// The published margins of the shipped file, computed by hand from their sources.
TEST(Rules, ShippedBorderlineMarginsFollowTheirSources) {
  const RuleSet& r = test::default_rules();
  // Arch index: standard error of measurement SD x sqrt(1 - ICC) = 0.05 x sqrt(1 - 0.90) = 0.0158
  // (SD of the planus and normal groups, Buldt 2018; ICC 0.90, Wong 2012), kept to 3 decimals.
  EXPECT_NEAR(r.find_measure("arch_index")->borderline_margin.value(), 0.05 * std::sqrt(1.0 - 0.90), 0.0005);
  EXPECT_EQ(r.find_measure("arch_index")->borderline_source, "wong2012");
  // Forefoot peak: Putti 2008's coefficient of repeatability, below 16.9 %, of the 569 kPa limit
  // = 96.2 kPa.
  EXPECT_NEAR(r.find_measure("forefoot_peak_kpa")->borderline_margin.value(), 0.169 * 569.0, 0.5);
  // A margin no source gives is marked a convention and says why.
  for (const auto& m : r.measures) {
    if (m.borderline_margin && m.borderline_source == "convention") {
      EXPECT_FALSE(m.borderline_note.empty()) << m.id;
    }
  }
}

TEST(Rules, ShippedRuleFileIsValidAndComplete) {
  const RuleSet& r = test::default_rules();
  EXPECT_EQ(r.rules_version, "3.1.0");
  EXPECT_EQ(r.links.size(), 13u);  // L1..L13
  for (int i = 1; i <= 13; ++i) EXPECT_NE(r.find_link("L" + std::to_string(i)), nullptr) << i;
  for (const char* f : {"F-ARCH-LOW", "F-ARCH-HIGH", "F-PRONATION", "F-SUPINATION", "F-EQUINUS", "F-FOREFOOT-OVERLOAD",
                        "F-ASYMMETRY", "F-SHORT-STRIDE"})
    EXPECT_NE(r.find_finding(f), nullptr) << f;
  // Arch index cut-offs 0.21 / 0.26 (Cavanagh & Rodgers 1987 as quoted in metrics.md section 1).
  EXPECT_DOUBLE_EQ(r.find_measure("arch_index")->ref_low.value(), 0.21);
  EXPECT_DOUBLE_EQ(r.find_measure("arch_index")->ref_high.value(), 0.26);
  // Forefoot limit 569 kPa = Putti 2008 MTH2 361 + 2 x 104 kPa.
  EXPECT_DOUBLE_EQ(r.find_measure("forefoot_peak_kpa")->ref_high.value(), 361.0 + 2 * 104.0);
  // Heel range 313 -/+ 2 x 77 kPa (Putti 2008).
  EXPECT_DOUBLE_EQ(r.find_measure("heel_peak_kpa")->ref_low.value(), 313.0 - 2 * 77.0);
  EXPECT_DOUBLE_EQ(r.find_measure("heel_peak_kpa")->ref_high.value(), 313.0 + 2 * 77.0);
  EXPECT_EQ(r.review.weeks_min, 2);
  EXPECT_EQ(r.review.weeks_max, 4);
}

TEST(Rules, DefaultPathFindsTheShippedFile) {
  const auto path = default_rules_path();
  EXPECT_TRUE(std::filesystem::exists(path)) << path;
  auto r = load_default_rules();
  ASSERT_TRUE(r) << r.error().message;
}

TEST(Rules, LoadReportsMissingFile) {
  auto r = load_rules("/nonexistent/rules.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_NE(r.error().message.find("/nonexistent/rules.json"), std::string::npos);
}

TEST(Rules, AcceptsUnchangedRules) { EXPECT_EQ(reject([](json&) {}), ""); }

// measures[].resolution: the measure that resolves it must be in the catalogue, per foot like it and
// in its unit; the limit above 0; the source known, and a convention needs its reason.
TEST(Rules, ResolutionIsValidated) {
  const auto& ai = *test::default_rules().find_measure("arch_index");
  ASSERT_TRUE(ai.resolution.has_value());
  EXPECT_EQ(ai.resolution->measure, "arch_index_resolution");
  EXPECT_DOUBLE_EQ(ai.resolution->limit, 0.025);  // half of 0.26 - 0.21
  auto res = [](json& j) -> json& { return by_id(j["measures"], "arch_index")["resolution"]; };
  auto m = reject([&](json& j) { res(j)["measure"] = "arch_index_resolutoin"; });
  EXPECT_NE(m.find("measures[0] (arch_index).resolution.measure: unknown measure 'arch_index_resolutoin'"),
            std::string::npos) << m;
  m = reject([&](json& j) { res(j)["measure"] = "stance_symmetry_percent"; });
  EXPECT_NE(m.find("both be per foot or both per recording"), std::string::npos) << m;
  m = reject([&](json& j) { res(j)["measure"] = "foot_length_mm"; });
  EXPECT_NE(m.find("is in 'mm'"), std::string::npos) << m;
  m = reject([&](json& j) { res(j)["limit"] = 0; });
  EXPECT_NE(m.find("resolution.limit: a resolution limit must be above 0"), std::string::npos) << m;
  m = reject([&](json& j) { res(j)["source"] = "nobody2020"; });
  EXPECT_NE(m.find("resolution.source"), std::string::npos) << m;
  m = reject([&](json& j) { res(j).erase("note"); });
  EXPECT_NE(m.find("resolution.note: a resolution limit resting on a convention needs a note"), std::string::npos) << m;
  m = reject([&](json& j) { res(j)["limits"] = 0.03; });
  EXPECT_NE(m.find("limits"), std::string::npos) << m;
}

TEST(Rules, RejectsUnknownFindingInATrigger) {
  const auto m = reject([](json& j) { by_id(j["interventions"], "R-HEEL-LIFT")["trigger"] = {{"finding", "F-EQUINOS"}}; });
  EXPECT_NE(m.find("clinic.json: interventions[2] (R-HEEL-LIFT).trigger: unknown finding id 'F-EQUINOS'"), std::string::npos) << m;
}

TEST(Rules, RejectsLinkToMissingNode) {
  const auto m = reject([](json& j) { by_id(j["links"], "L3")["to"] = "N-SPINE"; });
  EXPECT_NE(m.find("links[2] (L3).to: link to a missing node 'N-SPINE'"), std::string::npos) << m;
}

TEST(Rules, RejectsCycleAmongNonFeedbackLinks) {
  const auto m = reject([](json& j) { by_id(j["links"], "L7").erase("feedback"); });
  EXPECT_NE(m.find("cycle"), std::string::npos) << m;
  EXPECT_NE(m.find("L6"), std::string::npos) << m;
  EXPECT_NE(m.find("L7"), std::string::npos) << m;
  EXPECT_NE(m.find("feedback"), std::string::npos) << m;
}

TEST(Rules, RejectsMissingOrUnknownSource) {
  auto m = reject([](json& j) { j["findings"][0]["thresholds"][0].erase("source"); });
  EXPECT_NE(m.find("findings[0] (F-ARCH-LOW).thresholds[0].source: missing required key"), std::string::npos) << m;
  m = reject([](json& j) { j["findings"][0]["thresholds"][0]["source"] = "nobody2020"; });
  EXPECT_NE(m.find("unknown source 'nobody2020'"), std::string::npos) << m;
  m = reject([](json& j) { by_id(j["links"], "L4")["articles"] = json::array(); });
  EXPECT_NE(m.find("links[3] (L4).articles: a link needs at least one source"), std::string::npos) << m;
  m = reject([](json& j) { by_id(j["interventions"], "R-MET-PAD")["sources"] = json::array(); });
  EXPECT_NE(m.find("(R-MET-PAD).sources: an intervention needs at least one source"), std::string::npos) << m;
}

TEST(Rules, RejectsBadStrengthAndDuplicateIds) {
  auto m = reject([](json& j) { by_id(j["links"], "L1")["strength"] = "D"; });
  EXPECT_NE(m.find("links[0] (L1).strength: unknown strength 'D'"), std::string::npos) << m;
  m = reject([](json& j) { j["links"][1]["id"] = "L1"; });
  EXPECT_NE(m.find("links: duplicate id 'L1'"), std::string::npos) << m;
}

TEST(Rules, RejectsOverlappingOrGappedDoseBands) {
  auto m = reject([](json& j) { by_id(j["interventions"], "R-ARCH-SUPPORT")["dose"]["bands"][1]["min"] = 0.29; });
  EXPECT_NE(m.find("(R-ARCH-SUPPORT).dose.bands[1]: min must equal the previous band's max (0.3)"), std::string::npos) << m;
  m = reject([](json& j) { by_id(j["interventions"], "R-ARCH-SUPPORT")["dose"]["bands"][0].erase("max"); });
  EXPECT_NE(m.find("only the last band may be open above"), std::string::npos) << m;
}

TEST(Rules, RedFlagsMayOnlyDependOnTheIntake) {
  const auto m = reject([](json& j) { j["red_flags"][0]["when"] = {{"finding", "F-EQUINUS"}}; });
  EXPECT_NE(m.find("red_flags[0] (RF-CLOT).when: may depend on the intake only"), std::string::npos) << m;
}

TEST(Rules, RejectsUnknownIntakeFieldAndMisusedTypes) {
  auto m = reject([](json& j) { j["red_flags"][0]["when"] = {{"intake", "calf_swollen"}}; });
  EXPECT_NE(m.find("unknown intake field 'calf_swollen'"), std::string::npos) << m;
  m = reject([](json& j) { j["paediatric"]["when"] = {{"intake", "age_years"}}; });
  EXPECT_NE(m.find("paediatric.when: intake field 'age_years' is a number: needs op and value"), std::string::npos) << m;
}

TEST(Rules, RejectsUnknownKeysTypesAndSchema) {
  auto m = reject([](json& j) { by_id(j["interventions"], "R-MET-PAD")["dosage"] = 1; });
  EXPECT_NE(m.find("(R-MET-PAD).dosage: unknown key"), std::string::npos) << m;
  m = reject([](json& j) { j["measures"][0]["decimals"] = "three"; });
  EXPECT_NE(m.find("measures[0] (arch_index).decimals: expected an integer, found a string"), std::string::npos) << m;
  m = reject([](json& j) { j["schema_version"] = 1; });
  EXPECT_NE(m.find("schema_version: expected 2"), std::string::npos) << m;
  // Measures come from the catalogue: an unknown one is refused wherever it is named, naming it;
  // a label or unit of the rule file's own is no longer accepted (defined once, in the catalogue).
  m = reject([](json& j) { j["measures"][0]["id"] = "arch_indx"; });
  EXPECT_NE(m.find("measures[0] (arch_indx).id: unknown measure 'arch_indx': not in the measure catalogue"),
            std::string::npos) << m;
  m = reject([](json& j) { j["findings"][0]["thresholds"][0]["measure"] = "foot_colour"; });
  EXPECT_NE(m.find("unknown measure 'foot_colour': not in the measure catalogue"), std::string::npos) << m;
  m = reject([](json& j) { j["interventions"][0]["expected_effects"][0]["measure"] = "happiness_index"; });
  EXPECT_NE(m.find(".expected_effects[0].measure: unknown measure 'happiness_index'"), std::string::npos) << m;
  m = reject([](json& j) { j["measures"][0]["label"] = "Arch"; });
  EXPECT_NE(m.find("measures[0] (arch_index)"), std::string::npos) << m;
  EXPECT_NE(m.find("label"), std::string::npos) << m;
  m = reject([](json& j) { j["interventions"][0]["trigger"] = {{"measure", "arch_index"}, {"op", "=>"}, {"value", 1}}; });
  EXPECT_NE(m.find("unknown operator '=>'"), std::string::npos) << m;
}

// The report leaves a barefoot range off in-shoe data (docs/recommendations.md section 6).
TEST(Rules, ReferenceSurfaceIsBarefootOrInShoe) {
  EXPECT_EQ(test::default_rules().find_measure("forefoot_peak_kpa")->ref_surface, "barefoot");  // Putti 2008, Emed
  EXPECT_EQ(test::default_rules().find_measure("arch_index")->ref_surface, "");
  const auto m = reject([](json& j) { by_id(j["measures"], "heel_peak_kpa")["reference"]["surface"] = "wet"; });
  EXPECT_NE(m.find("measures[6] (heel_peak_kpa).reference.surface: expected \"barefoot\" or \"in_shoe\", found \"wet\""),
            std::string::npos)
      << m;
  EXPECT_EQ(reject([](json& j) { by_id(j["measures"], "heel_peak_kpa")["reference"]["surface"] = "in_shoe"; }), "");
}

// Links of C strength rest on web articles only: their text must say "commonly described" so
// that no report states them as established; the phrase and the strengths are the file's own.
TEST(Rules, WeakLinksMustBeWordedAsCommonlyDescribed) {
  std::string m = reject([](json& j) { by_id(j["links"], "L11")["text"] = "soleus trigger points refer pain to the glutes"; });
  EXPECT_NE(m.find("links[10] (L11).text: a link of strength C rests on articles only: its text must say \"commonly described\""),
            std::string::npos)
      << m;
  EXPECT_EQ(reject([](json& j) { by_id(j["links"], "L2")["text"] = "knees and hips are stressed"; }), "");  // B/C
  m = reject([](json& j) { j["wording"]["weak_links"]["strengths"] = {"D"}; });
  EXPECT_NE(m.find("wording.weak_links.strengths"), std::string::npos) << m;
  for (const auto& l : test::default_rules().links)
    if (l.strength == "C") {
      EXPECT_NE(l.text.find("commonly described"), std::string::npos) << l.id;
    }
}

TEST(Rules, SymptomsSectionIsValidated) {
  std::string m = reject([](json& j) { j["symptoms"]["asymptomatic"]["categories"] = {"surgery"}; });
  EXPECT_NE(m.find("symptoms.asymptomatic.categories: unknown category 'surgery'"), std::string::npos) << m;
  m = reject([](json& j) { j["symptoms"]["when"] = {{"intake", "back_ache"}}; });
  EXPECT_NE(m.find("symptoms.when"), std::string::npos) << m;
  m = reject([](json& j) { j["symptoms"]["asymptomatic"]["confidence_cap"] = "certain"; });
  EXPECT_NE(m.find("symptoms.asymptomatic.confidence_cap"), std::string::npos) << m;
  // Optional, unless a condition asks whether the patient is symptomatic.
  m = reject([](json& j) { j.erase("symptoms"); });
  EXPECT_NE(m.find("(R-ARCH-SUPPORT).contraindications[2].when: {\"patient\": \"symptomatic\"} needs a symptoms section"),
            std::string::npos)
      << m;
  EXPECT_EQ(reject([](json& j) {
              j.erase("symptoms");
              for (auto& iv : j["interventions"]) {
                if (iv["id"] == "A-PAED-FLATFOOT") iv["trigger"] = {{"finding", "F-ARCH-LOW"}};
                if (!iv.contains("contraindications")) continue;
                auto& c = iv["contraindications"];
                for (std::size_t k = c.size(); k-- > 0;)
                  if (c[k].contains("sources")) c.erase(k);
              }
            }),
            "");
}

TEST(Rules, RejectsTruncatedAndGarbageInput) {
  const std::string text = test::default_rules_text();
  // Every proper prefix is rejected with a message (never a crash); step to keep the test fast.
  for (std::size_t n = 0; n < text.size(); n += 991) {
    auto r = parse_rules(std::string_view(text).substr(0, n), "cut.json");
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().message.rfind("cut.json: ", 0), 0u);
  }
  EXPECT_FALSE(parse_rules("\x00\xff garbage", "bin.json"));
  EXPECT_FALSE(parse_rules("[]", "arr.json"));
  EXPECT_FALSE(parse_rules("garbage" + text, "prefix.json"));
}

TEST(Rules, ClinicOverrideFileIsUsed) {
  test::TempDir dir;
  json j = base();
  j["rules_version"] = "clinic-7";
  by_id(j["interventions"], "R-HEEL-LIFT")["dose"]["bands"][0]["amount"] = 9;
  const auto path = dir.path() / "clinic.json";
  { std::ofstream(path) << j.dump(2); }
  auto r = load_rules(path);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->rules_version, "clinic-7");
  EXPECT_EQ(r->origin, path.string());
}

TEST(Rules, CompareAndNegate) {
  EXPECT_TRUE(compare(0.26, ">=", 0.26));
  EXPECT_FALSE(compare(0.26, ">", 0.26));
  EXPECT_TRUE(compare(1, "<", 2));
  EXPECT_FALSE(compare(1, "~", 2));
  EXPECT_EQ(negate_op(">="), "<");
  EXPECT_EQ(negate_op("<"), ">=");
}

}  // namespace
}  // namespace insole::recommend

namespace insole::recommend {
namespace {

// The targets section (checked by `insole compare`): every value the shipped file gives, and every
// malformed or hostile edit rejected with the path and what was expected.
TEST(RulesTargets, ShippedTargetsAreParsedWithTheirSources) {
  auto r = parse_rules(nlohmann::json::parse(test::default_rules_text()).dump(), "default.json");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->targets.size(), 2u);
  const auto& pad = r->targets[0];
  EXPECT_EQ(pad.id, "T-MET-PAD-FOREFOOT");
  EXPECT_EQ(pad.intervention, "R-MET-PAD");
  EXPECT_EQ(pad.kind, "relative_change");
  EXPECT_EQ(pad.max_value, -17.0);  // forefoot PP -17 % with a metatarsal dome (J Foot Ankle Res 2014;7:18)
  EXPECT_EQ(pad.sources, std::vector<std::string>{"jfar2014_7_18"});
  const auto& ceiling = r->targets[1];
  EXPECT_EQ(ceiling.red_flag, "RF-DIABETES");
  EXPECT_EQ(ceiling.kind, "ceiling");
  EXPECT_EQ(ceiling.max_value, 200.0);  // in-shoe PP < 200 kPa (Arts et al. 2012)
  EXPECT_EQ(ceiling.surface, "in_shoe");
  EXPECT_EQ(ceiling.sources, std::vector<std::string>{"arts2012"});
}

TEST(RulesTargets, MalformedTargetsAreRejectedNamingThePath) {
  using nlohmann::json;
  auto reject_t = [](const std::function<void(json&)>& edit) {
    json j = json::parse(test::default_rules_text());
    edit(j["targets"]);
    auto r = parse_rules(j.dump(), "clinic.json");
    return r ? std::string() : r.error().message;
  };
  std::string m = reject_t([](json& t) { t[0]["when"] = {{"prescribed", "R-MET-PADD"}}; });
  EXPECT_NE(m.find("targets[0] (T-MET-PAD-FOREFOOT).when.prescribed"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown intervention id 'R-MET-PADD'"), std::string::npos) << m;
  m = reject_t([](json& t) { t[1]["when"] = {{"red_flag", "RF-NOPE"}}; });
  EXPECT_NE(m.find("unknown red flag id 'RF-NOPE'"), std::string::npos) << m;
  m = reject_t([](json& t) { t[0]["when"] = {{"prescribed", "R-MET-PAD"}, {"red_flag", "RF-DIABETES"}}; });
  EXPECT_NE(m.find("exactly one of"), std::string::npos) << m;
  m = reject_t([](json& t) { t[0]["when"] = json::object(); });
  EXPECT_NE(m.find("exactly one of"), std::string::npos) << m;
  m = reject_t([](json& t) { t[0]["region"] = "forefeet"; });
  EXPECT_NE(m.find("unknown region 'forefeet'"), std::string::npos) << m;
  m = reject_t([](json& t) { t[0]["variable"] = "arch_index"; });
  EXPECT_NE(m.find("targets[0] (T-MET-PAD-FOREFOOT).variable"), std::string::npos) << m;
  m = reject_t([](json& t) { t[0]["kind"] = "floor"; });
  EXPECT_NE(m.find("expected \"relative_change\" or \"ceiling\""), std::string::npos) << m;
  m = reject_t([](json& t) { t[0]["max"] = -170; });
  EXPECT_NE(m.find("between -100 and 100"), std::string::npos) << m;
  m = reject_t([](json& t) { t[1]["max"] = 0; });
  EXPECT_NE(m.find("a ceiling must be positive"), std::string::npos) << m;
  m = reject_t([](json& t) { t[1]["max"] = "200"; });
  EXPECT_NE(m.find("expected a number, found a string"), std::string::npos) << m;
  m = reject_t([](json& t) { t[1]["surface"] = "sock"; });
  EXPECT_NE(m.find("expected \"in_shoe\" or \"barefoot\""), std::string::npos) << m;
  m = reject_t([](json& t) { t[0]["sources"] = json::array(); });
  EXPECT_NE(m.find("a target needs at least one source"), std::string::npos) << m;
  m = reject_t([](json& t) { t[0]["sources"] = {"nobody2099"}; });
  EXPECT_NE(m.find("nobody2099"), std::string::npos) << m;
  m = reject_t([](json& t) { t[1]["id"] = "T-MET-PAD-FOREFOOT"; });
  EXPECT_NE(m.find("T-MET-PAD-FOREFOOT"), std::string::npos) << m;
  m = reject_t([](json& t) { t[0]["threshold"] = 3; });
  EXPECT_NE(m.find("unknown key"), std::string::npos) << m;
  m = reject_t([](json& t) { t = json::object(); });
  EXPECT_NE(m.find("targets"), std::string::npos) << m;
  m = reject_t([](json& t) { t[0] = 42; });
  EXPECT_NE(m.find("targets[0]"), std::string::npos) << m;
  // Without the section a rule file is still valid (older clinic copies): no targets.
  json j = json::parse(test::default_rules_text());
  j.erase("targets");
  auto r = parse_rules(j.dump(), "clinic.json");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->targets.empty());
}

}  // namespace
}  // namespace insole::recommend
