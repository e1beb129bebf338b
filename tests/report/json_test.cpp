// `insole analyze --json` document: the keys of the design contract (design note section 3.2),
// nulls for what was not measured, the recommendations hook and the parameters.
#include "insole/report/json.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "insole/core/version.hpp"
#include "insole/recommend/rules.hpp"

namespace insole::report {
namespace {

using namespace insole::analysis;

Spread spread(double median, std::size_t n) {
  Spread s;
  s.median = s.q1 = s.q3 = s.min = s.max = median;
  s.n = n;
  return s;
}

AnalysisResult sample_result() {
  AnalysisResult r;
  StreamQuality q;
  q.stream = "mat";
  q.frames = 500;
  q.duration_s = 4.99;
  q.footfalls_found = 3;
  q.footfalls_used = 2;
  q.rejected["partial contact (at the edge of the sensor or of the recording)"] = 1;
  r.quality.streams.push_back(q);
  r.quality.warnings.push_back("left foot (mat): 1 walking footfalls, fewer than the recommended 5");

  FootfallAnalysis used;
  used.footfall.stream = 0;
  used.footfall.side = Side::left;
  used.footfall.start_s = 0.41;
  used.footfall.end_s = 1.12;
  used.events.ic_s = 0.42;
  used.events.to_s = 1.11;
  used.events.ffc_s = 0.47;
  used.measures = {{"arch_index", 0.27}, {"cpei_percent", 14.2}, {"foot_length_mm", 262.0}};
  used.arch.arch_class = "low";
  used.fpa_method = "same-side strides";
  FootfallAnalysis rejected;
  rejected.footfall.stream = 0;
  rejected.footfall.side = Side::left;
  rejected.footfall.start_s = 2.0;
  rejected.footfall.end_s = 2.6;
  rejected.footfall.partial = true;
  rejected.footfall.reject_reason = "partial contact (at the edge of the sensor or of the recording)";
  FootfallAnalysis unknown = rejected;
  unknown.footfall.side = Side::unknown;
  r.footfalls = {used, rejected, unknown};

  FootSummary foot;
  foot.side = Side::left;
  foot.stream = "mat";
  foot.footfalls_used = 1;
  foot.footfalls_rejected = 1;
  foot.arch_class = "low";
  foot.measures["arch_index"] = spread(0.27, 1);
  foot.measures["cpei_percent"] = spread(14.2, 1);
  foot.measures["foot_length_mm"] = spread(262.0, 1);
  foot.regions["hindfoot"]["peak_pressure_kpa"] = spread(313.0, 1);
  r.feet.push_back(foot);

  r.timing.cadence_steps_per_min = 110.0;
  return r;
}

// Findings come from the rule file: they reach the JSON through the assessment.
assess::Assessment sample_assessment() {
  assess::Assessment a;
  a.input = "walk.h5";
  a.analysis = sample_result();
  Finding f;
  f.id = "F-ARCH-LOW";
  f.side = Side::left;
  f.statement = "Findings consistent with a low medial arch (pes planus).";
  f.borderline = true;
  f.evidence.push_back({"arch_index", 0.27, "", ">= 0.26", "Cavanagh & Rodgers 1987", true, true, true,
                        "borderline: within the measurement error (0.016) of 0.26"});
  a.findings.push_back(f);
  a.references = recommend::load_default_rules().value().measures;
  return a;
}

TEST(AnalysisJson, ContractKeysAndValues) {
  const auto j = nlohmann::json::parse(to_json(sample_assessment()));
  EXPECT_EQ(j["toolkit_version"], kToolkitVersion);
  EXPECT_EQ(j["algorithm_version"], kAnalysisAlgorithmVersion);
  EXPECT_EQ(j["input"], "walk.h5");
  ASSERT_EQ(j["feet"].size(), 1u);
  const auto& foot = j["feet"][0];
  EXPECT_EQ(foot["side"], "left");
  EXPECT_EQ(foot["stream"], "mat");
  EXPECT_DOUBLE_EQ(foot["arch_index"].get<double>(), 0.27);
  EXPECT_EQ(foot["arch_class"], "low");
  EXPECT_DOUBLE_EQ(foot["cpei_percent"].get<double>(), 14.2);
  EXPECT_DOUBLE_EQ(foot["foot_length_mm"].get<double>(), 262.0);
  EXPECT_EQ(foot["measures"]["cpei_percent"]["n"], 1);
  EXPECT_DOUBLE_EQ(foot["regions"]["hindfoot"]["peak_pressure_kpa"]["median"].get<double>(), 313.0);
  // Both footfalls of the left foot, used and rejected; the unknown-side one is in quality.
  ASSERT_EQ(foot["footfalls"].size(), 2u);
  const auto& ff = foot["footfalls"][0];
  EXPECT_DOUBLE_EQ(ff["start_s"].get<double>(), 0.41);
  EXPECT_DOUBLE_EQ(ff["end_s"].get<double>(), 1.12);
  EXPECT_DOUBLE_EQ(ff["arch_index"].get<double>(), 0.27);
  EXPECT_DOUBLE_EQ(ff["cpei_percent"].get<double>(), 14.2);
  EXPECT_DOUBLE_EQ(ff["foot_length_mm"].get<double>(), 262.0);
  EXPECT_TRUE(ff["used"].get<bool>());
  EXPECT_TRUE(ff["events"]["forefoot_flat_s"].is_null());  // not measured -> null
  EXPECT_DOUBLE_EQ(ff["events"]["forefoot_contact_s"].get<double>(), 0.47);
  const auto& rej = foot["footfalls"][1];
  EXPECT_FALSE(rej["used"].get<bool>());
  EXPECT_TRUE(rej["cpei_percent"].is_null());
  EXPECT_NE(rej["reject_reason"].get<std::string>().find("partial"), std::string::npos);
  ASSERT_EQ(j["quality"]["unassigned_footfalls"].size(), 1u);
  EXPECT_EQ(j["quality"]["unassigned_footfalls"][0]["side"], "unknown");
  EXPECT_EQ(j["quality"]["streams"][0]["rejected"].begin().value(), 1);
  EXPECT_TRUE(j["quality"]["usable_contact"].get<bool>());
  // Not measured per-foot values are null, never omitted.
  EXPECT_TRUE(foot["pronation"]["mlpi"].is_null());
  EXPECT_TRUE(foot.contains("gait"));
  EXPECT_DOUBLE_EQ(foot["gait"]["phases_reference_percent"]["foot_flat"].get<double>(), 48.8);
  EXPECT_DOUBLE_EQ(foot["pronation"]["cpei_reference_percent"]["rectus"].get<double>(), 22.78);
  EXPECT_NE(foot["pronation"]["cpei_reference_percent"]["source"].get<std::string>().find("cadets"), std::string::npos);
  // Reference values printed next to the measures come from the shipped rule file.
  EXPECT_DOUBLE_EQ(foot["gait"]["phases_reference_percent"]["initial_contact"].get<double>(), 7.0);
  EXPECT_DOUBLE_EQ(foot["gait"]["phases_reference_percent"]["push_off"].get<double>(), 39.4);
  EXPECT_DOUBLE_EQ(foot["gait"]["cop_speed_mm_s"]["reference_stance"].get<double>(), 316.0);
  EXPECT_DOUBLE_EQ(foot["equinus"]["heel_contact_reference_percent"].get<double>(), 60.6);
  EXPECT_DOUBLE_EQ(foot["equinus"]["foot_flat_reference_percent"].get<double>(), 48.8);
  EXPECT_DOUBLE_EQ(foot["equinus"]["standing_heel_load_share_reference_percent"].get<double>(), 60.0);
  EXPECT_DOUBLE_EQ(foot["equinus"]["forefoot_peak_reference_kpa"]["putti_2008_mth2_mean"].get<double>(), 361.0);
  EXPECT_EQ(foot["pronation"]["foot_progression_angle_reference_deg"], nlohmann::json::array({5.0, 13.0}));
  EXPECT_DOUBLE_EQ(j["gait"]["cadence_steps_per_min"].get<double>(), 110.0);
  EXPECT_TRUE(j["gait"]["stance_symmetry_percent"].is_null());

  ASSERT_EQ(j["findings"].size(), 1u);
  EXPECT_EQ(j["findings"][0]["id"], "F-ARCH-LOW");
  EXPECT_EQ(j["findings"][0]["side"], "left");
  EXPECT_EQ(j["findings"][0]["evidence"][0]["threshold"], ">= 0.26");
  EXPECT_EQ(j["findings"][0]["borderline"], true);
  EXPECT_EQ(j["findings"][0]["evidence"][0]["borderline"], true);
  EXPECT_EQ(j["findings"][0]["evidence"][0]["applicable"], true);
  EXPECT_TRUE(j["borderline_findings"].is_array());
  EXPECT_TRUE(j["recommendations"].is_array());
  // The analysis alone carries measures, no findings (they need the rule file).
  EXPECT_TRUE(nlohmann::json::parse(to_json(sample_result(), "walk.h5"))["findings"].empty());
  // Every parameter is carried, with the defaults of the parameter structs.
  EXPECT_DOUBLE_EQ(j["parameters"]["cpei"]["distal_fraction"].get<double>(), 0.67);
  // No clinical threshold among the parameters: they are the rule file's.
  EXPECT_FALSE(j["parameters"].contains("findings"));
  EXPECT_EQ(j["parameters"]["foot_frame"]["method"], "pca_refined");
}

TEST(AnalysisJson, RecommendationsHook) {
  const nlohmann::json recs = nlohmann::json::array({{{"id", "R-ARCH-SUPPORT"}}});
  const auto j = analysis_json(sample_result(), "x.h5", recs);
  EXPECT_EQ(j["recommendations"], recs);
  EXPECT_THROW((void)analysis_json(sample_result(), "x.h5", nlohmann::json::object()), std::invalid_argument);
}

TEST(AnalysisJson, EmptyAnalysisAndOddInputNames) {
  AnalysisResult r;
  // A file name that is not valid UTF-8 must not make serialisation throw.
  const std::string text = to_json(r, std::string("bad\xff name.h5"));
  const auto j = nlohmann::json::parse(text);
  EXPECT_TRUE(j["feet"].is_array());
  EXPECT_TRUE(j["feet"].empty());
  EXPECT_TRUE(j["findings"].empty());
  EXPECT_FALSE(j["quality"]["usable_contact"].get<bool>());
  EXPECT_EQ(text.back(), '\n');
}


// A clinic's rule file overrides the printed reference values: nothing is compiled in.
TEST(AnalysisJson, ReferenceValuesComeFromTheRuleFile) {
  std::ifstream in(recommend::default_rules_path());
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  auto rules_json = nlohmann::json::parse(text.str());
  for (auto& m : rules_json["measures"]) {
    if (m["id"] == "foot_flat_percent") m["published"]["values"]["mean"] = 45.5;
    if (m["id"] == "cpei_percent") m["published"]["values"]["rectus"] = 20.0;
    if (m["id"] == "standing_heel_load_share_percent") m.erase("published");
  }
  const auto rules = recommend::parse_rules(rules_json.dump(), "clinic.json");
  ASSERT_TRUE(rules) << rules.error().message;
  assess::Assessment a = sample_assessment();
  a.references = rules->measures;
  const auto j = nlohmann::json::parse(to_json(a));
  const auto& foot = j["feet"][0];
  EXPECT_DOUBLE_EQ(foot["gait"]["phases_reference_percent"]["foot_flat"].get<double>(), 45.5);
  EXPECT_DOUBLE_EQ(foot["equinus"]["foot_flat_reference_percent"].get<double>(), 45.5);
  EXPECT_DOUBLE_EQ(foot["pronation"]["cpei_reference_percent"]["rectus"].get<double>(), 20.0);
  // A value the file does not give is null (the key stays: it is a contract key).
  ASSERT_TRUE(foot["equinus"].contains("standing_heel_load_share_reference_percent"));
  EXPECT_TRUE(foot["equinus"]["standing_heel_load_share_reference_percent"].is_null());
  // Without rules (the analysis alone) no reference value is printed.
  const auto bare = nlohmann::json::parse(to_json(sample_result(), "walk.h5"));
  EXPECT_TRUE(bare["feet"][0]["gait"]["phases_reference_percent"]["foot_flat"].is_null());
}

// A published value must name a declared source.
TEST(AnalysisJson, PublishedValuesNeedADeclaredSource) {
  std::ifstream in(recommend::default_rules_path());
  std::stringstream text;
  text << in.rdbuf();
  auto rules_json = nlohmann::json::parse(text.str());
  for (auto& m : rules_json["measures"])
    if (m["id"] == "foot_flat_percent") m["published"]["source"] = "nowhere2020";
  const auto rules = recommend::parse_rules(rules_json.dump(), "clinic.json");
  ASSERT_FALSE(rules);
  EXPECT_NE(rules.error().message.find("nowhere2020"), std::string::npos);
  EXPECT_NE(rules.error().message.find("foot_flat_percent"), std::string::npos);
}

}  // namespace
}  // namespace insole::report
