#include "insole/core/side.hpp"

#include <gtest/gtest.h>

using namespace insole;

TEST(Side, RoundTripsThroughText) {
  for (Side s : {Side::left, Side::right, Side::both, Side::unknown})
    EXPECT_EQ(parse_side(to_string(s)), s);
  EXPECT_FALSE(parse_side("Left").has_value());
  EXPECT_FALSE(parse_side("").has_value());
}
