#include "insole/core/result.hpp"

#include <gtest/gtest.h>

using namespace insole;

TEST(Result, HoldsValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
  EXPECT_THROW((void)r.error(), std::logic_error);
}

TEST(Result, HoldsErrorAndThrowsOnValueAccess) {
  Result<int> r = make_error(Errc::format_error, "file x.h5: /streams/mat/time_s missing");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::format_error);
  EXPECT_EQ(r.error().message, "file x.h5: /streams/mat/time_s missing");
  EXPECT_THROW((void)r.value(), BadResultAccess);
}

TEST(Result, VoidStatus) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  Status bad = make_error(Errc::timeout, "no frame");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::timeout);
}

TEST(Result, ErrcNamesAreStable) {
  EXPECT_EQ(to_string(Errc::format_error), "format_error");
  EXPECT_EQ(to_string(Errc::end_of_stream), "end_of_stream");
  EXPECT_EQ(to_string(Errc::disk_full), "disk_full");
}
