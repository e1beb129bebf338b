// MeasureValues (insole/analysis/measure_values.hpp): the per-footfall measures, a sorted flat
// array of interned names, must behave as the std::map<std::string, double> it replaced: the same
// iteration order, lookups, insertion and equality.

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "insole/analysis/measure_values.hpp"

namespace insole::analysis {
namespace {

TEST(MeasureValues, IteratesInTheOrderOfAStdMap) {
  const std::vector<std::pair<std::string, double>> inserts = {
      {"stance_s", 0.61}, {"arch_index", 0.27}, {"cpei_percent", 14.2}, {"a", 1.0},
      {"standing_cop_ellipse95_area_mm2", 88.0}, {"Z_upper", 2.0}, {"arch_index_resolution", 0.02}};
  MeasureValues m;
  std::map<std::string, double> ref;
  for (const auto& [k, v] : inserts) {
    m[k] = v;
    ref[k] = v;
  }
  ASSERT_EQ(m.size(), ref.size());
  auto it = ref.begin();
  for (const auto& [k, v] : m) {
    EXPECT_EQ(std::string(k), it->first);
    EXPECT_EQ(v, it->second);
    ++it;
  }
}

TEST(MeasureValues, FindAtCountAndOverwrite) {
  MeasureValues m{{"foot_length_mm", 262.0}, {"arch_index", 0.27}};
  EXPECT_EQ(m.count("arch_index"), 1u);
  EXPECT_EQ(m.count("arch"), 0u);            // a prefix is not a key
  EXPECT_EQ(m.count("arch_index_x"), 0u);    // nor an extension of one
  EXPECT_TRUE(m.find("cpei_percent") == m.end());
  EXPECT_DOUBLE_EQ(m.at("foot_length_mm"), 262.0);
  m["arch_index"] = 0.31;                    // overwrite, no second entry
  EXPECT_EQ(m.size(), 2u);
  EXPECT_DOUBLE_EQ(m.find("arch_index")->second, 0.31);
  EXPECT_DOUBLE_EQ(m["new_key"], 0.0);       // operator[] inserts 0, as std::map does
  EXPECT_EQ(m.size(), 3u);
  try {
    (void)m.at("missing_measure");
    FAIL() << "at() of a missing key did not throw";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("missing_measure"), std::string::npos) << e.what();
  }
  m.clear();
  EXPECT_TRUE(m.empty());
}

TEST(MeasureValues, NamesAreInternedAndOutliveTheirSource) {
  MeasureValues a, b;
  {
    std::string key = "forefoot_peak_ap_mm";
    a[key] = 1.0;
    b[std::string("forefoot_peak_ap_mm")] = 1.0;
    key.assign(key.size(), 'x');  // the caller's buffer changes; the stored name must not
  }
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a.begin()->first, "forefoot_peak_ap_mm");
  EXPECT_EQ(a.begin()->first.data(), b.begin()->first.data()) << "one copy of each name";
  EXPECT_EQ(intern_measure_name("forefoot_peak_ap_mm").data(), a.begin()->first.data());
  EXPECT_TRUE(a == b);
  b["forefoot_peak_ap_mm"] = 2.0;
  EXPECT_FALSE(a == b);
}

}  // namespace
}  // namespace insole::analysis
