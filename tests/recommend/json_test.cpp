#include "insole/recommend/json.hpp"

#include <gtest/gtest.h>

#include "recommend/support.hpp"

namespace insole::recommend {
namespace {

TEST(RecommendationsJson, ReferralsFirstThenItemsWithEveryField) {
  auto f = test::finding("F-EQUINUS", Side::left, 2);
  f.evidence.push_back({"heel_contact_percent", 31.0, "%", "< 40", "metrics.md section 6", true, false, true, ""});
  const auto p = recommend(test::default_rules(), {{f}, {}, test::intake({{"numbness_tingling_weakness", true}})});
  const auto j = recommendations_json(p);
  ASSERT_TRUE(j.is_array());
  ASSERT_GE(j.size(), 2u);
  EXPECT_EQ(j[0]["category"], "referral");
  EXPECT_EQ(j[0]["id"], "RF-NERVE");
  const auto& lift = *std::find_if(j.begin(), j.end(), [](const auto& x) { return x["id"] == "R-HEEL-LIFT"; });
  EXPECT_EQ(lift["side"], "both");
  EXPECT_EQ(lift["dose"]["amount"], 12.0);
  EXPECT_EQ(lift["dose"]["unit"], "mm");
  EXPECT_EQ(lift["status"], "withheld");
  EXPECT_EQ(lift["withheld_by"], "RF-NERVE");
  EXPECT_EQ(lift["triggers"][0]["evidence"][0]["threshold"], "< 40");
  EXPECT_EQ(lift["links"][0]["id"], "L4");
  EXPECT_FALSE(lift["expected_effects"].empty());
  for (const char* k : {"contraindications", "confidence", "what_would_change", "strength", "sources", "reason"})
    EXPECT_TRUE(lift.contains(k)) << k;
  const auto whole = prescription_json(p);
  EXPECT_EQ(whole["red_flags_screened"], true);
  EXPECT_EQ(whole["rules"]["version"], test::default_rules().rules_version);
  EXPECT_FALSE(whole["chain"]["active_links"].empty());
  EXPECT_TRUE(whole["chain"].contains("inferred_nodes"));
  EXPECT_TRUE(whole.contains("symptomatic"));
  EXPECT_EQ(lift["priority"], "recommended");
}

}  // namespace
}  // namespace insole::recommend
