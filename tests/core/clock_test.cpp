#include "insole/core/clock.hpp"

#include <gtest/gtest.h>

using namespace insole;

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock c(5.0);
  EXPECT_DOUBLE_EQ(c.now_s(), 5.0);
  c.sleep_for_s(0.25);
  EXPECT_DOUBLE_EQ(c.now_s(), 5.25);
  c.advance_s(1.0);
  EXPECT_DOUBLE_EQ(c.now_s(), 6.25);
}

TEST(Clock, SteadyClockIsMonotonic) {
  SteadyClock c;
  const double a = c.now_s();
  const double b = c.now_s();
  EXPECT_LE(a, b);
}
