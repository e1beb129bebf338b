#include "insole/core/recording.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace insole;

namespace {
Stream two_by_two() {
  Stream s;
  s.info.name = "mat";
  s.info.layout = SensorLayout::grid(2, 2, 10.0, 10.0).value();  // 100 mm^2 per sensel
  return s;
}
}  // namespace

TEST(Recording, TotalForceIsSumOfPressureTimesArea) {
  Stream s = two_by_two();
  Eigen::VectorXf f(4);
  f << 100, 200, 0, 50;  // kPa
  s.append(0.0, f);
  f << 10, NAN, 10, 10;  // NaN = absent sensel, contributes nothing
  s.append(0.01, f);
  ASSERT_TRUE(s.validate().ok());
  const auto force = total_force_n(s);
  // (100+200+0+50) kPa * 100 mm^2 = 35000 kPa*mm^2 = 35 N
  EXPECT_NEAR(force[0], 35.0, 1e-9);
  EXPECT_NEAR(force[1], 3.0, 1e-9);
}

TEST(Recording, ValidateCatchesNonIncreasingTime) {
  Stream s = two_by_two();
  s.append(0.0, Eigen::VectorXf::Zero(4));
  s.append(0.0, Eigen::VectorXf::Zero(4));
  auto st = s.validate();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("strictly increasing at index 1"), std::string::npos);
}

TEST(Recording, ValidateCatchesShapeMismatch) {
  Stream s = two_by_two();
  s.append(0.0, Eigen::VectorXf::Zero(3));
  EXPECT_FALSE(s.validate().ok());
  Stream t = two_by_two();
  t.time_s.resize(2);
  t.time_s << 0, 1;
  t.pressure_kpa.resize(1, 4);
  EXPECT_FALSE(t.validate().ok());
}

TEST(Recording, StreamNamesMustBeUnique) {
  Recording r;
  r.streams.push_back(two_by_two());
  r.streams.push_back(two_by_two());
  EXPECT_FALSE(r.validate().ok());
  r.streams[1].info.name = "left";
  EXPECT_TRUE(r.validate().ok());
  EXPECT_NE(r.find_stream("left"), nullptr);
  EXPECT_EQ(r.find_stream("right"), nullptr);
}
