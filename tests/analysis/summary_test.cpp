#include "insole/analysis/summary.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace insole::analysis {
namespace {

TEST(Summarize, MedianQuartilesAndCountIgnoringNaN) {
  // Sorted 1 2 3 4 10: median 3; type-7 quartiles at positions 1 and 3 -> 2 and 4.
  const auto s = summarize({10.0, 2.0, std::numeric_limits<double>::quiet_NaN(), 1.0, 4.0, 3.0});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->n, 5u);
  EXPECT_EQ(s->median, 3.0);
  EXPECT_EQ(s->q1, 2.0);
  EXPECT_EQ(s->q3, 4.0);
  EXPECT_EQ(s->min, 1.0);
  EXPECT_EQ(s->max, 10.0);
  // Even count: 1 2 3 4 -> median 2.5, q1 at 0.75 -> 1.75.
  const auto e = summarize({4.0, 3.0, 2.0, 1.0});
  EXPECT_EQ(e->median, 2.5);
  EXPECT_EQ(e->q1, 1.75);
  EXPECT_FALSE(summarize({}));
}

TEST(SymmetryIndex, Robinson) {
  // 200 * |0.6 - 0.5| / 1.1 = 18.18 %
  EXPECT_NEAR(*symmetry_index_percent(0.6, 0.5), 18.181818, 1e-5);
  EXPECT_EQ(*symmetry_index_percent(1.0, 1.0), 0.0);
  EXPECT_FALSE(symmetry_index_percent(0.0, 0.0));
}

}  // namespace
}  // namespace insole::analysis
