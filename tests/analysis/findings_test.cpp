#include "insole/analysis/findings.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace insole::analysis {
namespace {

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

FootSummary foot(Side side, std::map<std::string, Spread> m) {
  FootSummary f;
  f.side = side;
  f.stream = "mat";
  f.footfalls_used = 10;
  f.measures = std::move(m);
  return f;
}

const Finding* find(const std::vector<Finding>& v, const std::string& id, Side side) {
  auto it = std::find_if(v.begin(), v.end(), [&](const Finding& f) { return f.id == id && f.side == side; });
  return it == v.end() ? nullptr : &*it;
}

TEST(Findings, ArchLowCarriesValueThresholdAndSource) {
  const auto f = derive_findings({foot(Side::left, {{"arch_index", spread(0.30, 10, 0.01)}})}, {});
  const Finding* low = find(f, "F-ARCH-LOW", Side::left);
  ASSERT_NE(low, nullptr);
  ASSERT_EQ(low->evidence.size(), 1u);
  EXPECT_EQ(low->evidence[0].measure, "arch_index");
  EXPECT_DOUBLE_EQ(low->evidence[0].value, 0.30);
  EXPECT_EQ(low->evidence[0].threshold, ">= 0.26");
  EXPECT_NE(low->evidence[0].source.find("Cavanagh"), std::string::npos);
  EXPECT_EQ(low->confidence, "high");  // IQR 0.29-0.31 entirely above 0.26
  EXPECT_EQ(low->severity, 2);         // 0.04 above the limit
  EXPECT_NE(low->statement.find("consistent with"), std::string::npos);
  EXPECT_EQ(find(f, "F-ARCH-HIGH", Side::left), nullptr);
  EXPECT_TRUE(derive_findings({foot(Side::left, {{"arch_index", spread(0.23)}})}, {}).empty());
}

TEST(Findings, PronationNeedsTwoAgreeingIndices) {
  // CPEI 12 % is below the lower quintile estimate (17.3 %), MLPI -0.2 medial, forefoot MLPI 0.
  auto f = derive_findings({foot(Side::right, {{"cpei_percent", spread(12.0)},
                                                {"mlpi", spread(-0.2)},
                                                {"forefoot_mlpi", spread(0.0)}})},
                           {});
  const Finding* p = find(f, "F-PRONATION", Side::right);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->evidence.size(), 3u);
  EXPECT_EQ(std::count_if(p->evidence.begin(), p->evidence.end(), [](const Evidence& e) { return e.agrees; }), 2);
  EXPECT_NE(p->notes[0].find("cpei_percent, mlpi"), std::string::npos);
  EXPECT_NE(p->notes[0].find("do not: forefoot_mlpi"), std::string::npos);
  EXPECT_EQ(find(f, "F-SUPINATION", Side::right), nullptr);
  // CPEI alone never classifies.
  f = derive_findings({foot(Side::right, {{"cpei_percent", spread(5.0)}, {"mlpi", spread(0.0)}})}, {});
  EXPECT_EQ(find(f, "F-PRONATION", Side::right), nullptr);
  // Lateral pattern: supination.
  f = derive_findings({foot(Side::left, {{"cpei_percent", spread(35.0)}, {"mlpi", spread(0.3)},
                                         {"forefoot_mlpi", spread(0.25)}})},
                      {});
  const Finding* s = find(f, "F-SUPINATION", Side::left);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->confidence, "high");
}

TEST(Findings, EquinusOnlyWhenSeveralFeaturesAgreeAndAdvisesLungeTest) {
  // Heel contact 25 % (< 40), PTI ratio 3 (> 2): two agree.
  auto f = derive_findings({foot(Side::left, {{"heel_contact_percent", spread(25.0)},
                                               {"forefoot_heel_pti_ratio", spread(3.0)},
                                               {"toe_first_percent", spread(0.0)}})},
                           {});
  const Finding* e = find(f, "F-EQUINUS", Side::left);
  ASSERT_NE(e, nullptr);
  EXPECT_NE(e->statement.find("consistent with"), std::string::npos);
  EXPECT_NE(e->statement.find("lunge test"), std::string::npos);
  EXPECT_EQ(e->evidence.size(), 3u);
  // One feature alone is not enough.
  f = derive_findings({foot(Side::left, {{"heel_contact_percent", spread(25.0)},
                                          {"forefoot_heel_pti_ratio", spread(1.2)}})},
                      {});
  EXPECT_EQ(find(f, "F-EQUINUS", Side::left), nullptr);
}

TEST(Findings, ForefootOverloadOnlyBarefoot) {
  // Putti 2008: MTH2 361 + 2 * 104 = 569 kPa.
  FootSummary mat = foot(Side::left, {{"forefoot_peak_kpa", spread(700.0)}});
  auto f = derive_findings({mat}, {});
  ASSERT_NE(find(f, "F-FOREFOOT-OVERLOAD", Side::left), nullptr);
  EXPECT_EQ(find(f, "F-FOREFOOT-OVERLOAD", Side::left)->severity, 2);  // 131 kPa above
  mat.surface = Surface::in_shoe;
  EXPECT_EQ(find(derive_findings({mat}, {}), "F-FOREFOOT-OVERLOAD", Side::left), nullptr);
  EXPECT_TRUE(derive_findings({foot(Side::left, {{"forefoot_peak_kpa", spread(500.0)}})}, {}).empty());
}

TEST(Findings, AsymmetryFromTimingAndLoad) {
  GaitTiming t;
  t.stance_symmetry_percent = 15.0;
  t.step_symmetry_percent = 3.0;
  auto f = derive_findings({foot(Side::left, {{"peak_force_n", spread(800.0)}}),
                            foot(Side::right, {{"peak_force_n", spread(800.0)}})},
                           t);
  const Finding* a = find(f, "F-ASYMMETRY", Side::both);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->evidence.size(), 3u);  // stance, step, peak force (force-time integral absent)
  t.stance_symmetry_percent = 5.0;
  EXPECT_EQ(find(derive_findings({foot(Side::left, {}), foot(Side::right, {})}, t), "F-ASYMMETRY", Side::both),
            nullptr);
}

TEST(Findings, ShortStrideFromRollover) {
  auto f = derive_findings({foot(Side::left, {{"cop_ap_excursion_percent", spread(40.0)}})}, {});
  EXPECT_NE(find(f, "F-SHORT-STRIDE", Side::left), nullptr);
  f = derive_findings({foot(Side::left, {{"cop_ap_excursion_percent", spread(40.0)},
                                          {"stride_length_mm", spread(1300.0)}})},
                      {});
  EXPECT_NE(find(f, "F-SHORT-STRIDE", Side::left), nullptr);  // one of two: half agree
  f = derive_findings({foot(Side::left, {{"cop_ap_excursion_percent", spread(75.0)}})}, {});
  EXPECT_EQ(find(f, "F-SHORT-STRIDE", Side::left), nullptr);
}

}  // namespace
}  // namespace insole::analysis
