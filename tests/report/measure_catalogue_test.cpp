// The measure catalogue (analysis/measure_catalogue.hpp): every measure the assessment produces is
// defined there exactly once, the JSON gives each one's unit from it, the batch CSV's measure
// columns are its "csv" entries, and a null contract value carries its reason.

#include "insole/analysis/measure_catalogue.hpp"

#include <gtest/gtest.h>

#include <set>

#include "insole/report/json.hpp"
#include "insole/sim/simulator.hpp"
#include "recommend/support.hpp"

namespace insole::report {
namespace {

assess::Assessment simulated(const std::map<std::string, std::string>& spec_items) {
  auto spec = sim::parse_spec(spec_items);
  if (!spec) throw std::runtime_error(spec.error().message);
  auto simulation = sim::run(*spec);
  if (!simulation) throw std::runtime_error(simulation.error().message);
  auto a = assess::assess("sim", simulation->recording, test::default_rules(), std::nullopt);
  if (!a) throw std::runtime_error(a.error().message);
  return std::move(*a);
}

TEST(MeasureCatalogue, KeysAreUniqueAndDescribed) {
  std::set<std::string> keys;
  for (const auto& m : analysis::measure_catalogue()) {
    EXPECT_TRUE(keys.insert(m.key).second) << "duplicate " << m.key;
    EXPECT_FALSE(m.label.empty()) << m.key;
    EXPECT_FALSE(m.description.empty()) << m.key;
    EXPECT_FALSE(m.source.empty()) << m.key;
    EXPECT_TRUE(m.walking() || m.standing()) << m.key;
    EXPECT_TRUE(m.barefoot() || m.in_shoe()) << m.key;
  }
  ASSERT_NE(analysis::find_measure_info("arch_index"), nullptr);
  EXPECT_EQ(analysis::find_measure_info("arch_index")->applies(), "walking, standing; barefoot; footprint shape (grid)");
  EXPECT_EQ(analysis::find_measure_info("nonexistent"), nullptr);
}

// A walk on a mat, a standing scan and a pair of insoles: every key in the JSON's per-foot and
// per-footfall measures is in the catalogue, with the catalogue's unit under "units".
TEST(MeasureCatalogue, EveryMeasureTheAssessmentProducesIsCatalogued) {
  const std::vector<std::map<std::string, std::string>> specs = {
      {{"foot", "flat"}, {"duration", "3"}, {"seed", "7"}},
      {{"mode", "stand"}, {"rows", "80"}, {"cols", "80"}, {"rate", "20"}, {"duration", "3"}, {"seed", "5"}},
      {{"layout", "insole99"}, {"duration", "3"}, {"seed", "6"}},
  };
  std::size_t seen = 0;
  for (const auto& spec : specs) {
    const auto a = simulated(spec);
    const auto j = assessment_json(a);
    ASSERT_FALSE(j["feet"].empty());
    for (const auto& foot : j["feet"]) {
      for (const auto& [key, value] : foot["measures"].items()) {
        (void)value;
        const auto* info = analysis::find_measure_info(key);
        ASSERT_NE(info, nullptr) << key << " is not in the measure catalogue";
        EXPECT_EQ(j["units"][key], info->unit) << key;
        ++seen;
      }
      for (const auto& ff : foot["footfalls"])
        if (ff.contains("measures"))
          for (const auto& [key, value] : ff["measures"].items()) {
            (void)value;
            EXPECT_NE(analysis::find_measure_info(key), nullptr) << key;
          }
    }
  }
  EXPECT_GT(seen, 40u);
}

// Null contract values say why: a standing scan has no CPEI, an insole no arch index.
TEST(MeasureCatalogue, NullContractValuesCarryTheirReason) {
  const auto stand = assessment_json(simulated({{"mode", "stand"}, {"rows", "80"}, {"cols", "80"}, {"rate", "20"},
                                                {"duration", "3"}, {"seed", "5"}}));
  for (const auto& foot : stand["feet"]) {
    EXPECT_TRUE(foot["cpei_percent"].is_null());
    EXPECT_EQ(foot["cpei_percent_reason"], "standing: the COP does not traverse the foot");
    EXPECT_EQ(foot["measure_reasons"]["stance_s"], "standing: not measured on standing contacts");
  }
  const auto insoles = assessment_json(simulated({{"layout", "insole99"}, {"duration", "3"}, {"seed", "6"}}));
  for (const auto& foot : insoles["feet"]) {
    EXPECT_TRUE(foot["arch_index"].is_null());
    EXPECT_TRUE(foot["arch_class"].is_null());
    EXPECT_EQ(foot["arch_index_reason"], "sensor set: an insole cannot see the footprint shape");
    EXPECT_EQ(foot["arch_class_reason"], foot["arch_index_reason"]);
    EXPECT_FALSE(foot.contains("cpei_percent_reason") && foot["cpei_percent"].is_number());
  }
}

}  // namespace
}  // namespace insole::report
