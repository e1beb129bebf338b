// read_moticon_vendor_channels (insole/importers/moticon.hpp): the vendor total force and COP
// channels the validation reads as data, on hand-written input and hostile input.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>

#include "insole/importers/moticon.hpp"

namespace insole::test {
namespace {

// 2 rows of left only, 1 of both; blank COP Y on the last left row; TAB separated.
const std::string kGood =
    "# Start time: 27.09.2023 10:21:14.922\n"
    "# Size: 7\n"
    "# time\tleft pressure 1[N/cm\xC2\xB2]\tleft total force[N]\tleft center of pressure X[-0.5...+0.5]\t"
    "left center of pressure Y[-0.5...+0.5]\tright pressure 1[N/cm\xC2\xB2]\tright total force[N]\t"
    "right center of pressure X[-0.5...+0.5]\tright center of pressure Y[-0.5...+0.5]\tright steps[]\n"
    "0.00\t\t\t\t\t6.50\t509.00\t-0.201829\t-0.076531\t\n"
    "0.01\t1.00\t330.00\t0.125\t-0.25\t\t\t\t\t21.00\n"
    "0.02\t1.25\t340.00\t0.000000\t\t6.25\t469.00\t0.1\t0.2\t\n";

Result<importers::MoticonVendorChannels> read(const std::string& text) {
  std::istringstream in(text);
  return importers::read_moticon_vendor_channels(in, "mem.txt");
}

bool fails_at(const Result<importers::MoticonVendorChannels>& r, const std::string& where) {
  return !r.ok() && r.error().code == Errc::format_error && r.error().message.find(where) != std::string::npos;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto p = s.find(from);
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

TEST(MoticonVendorChannels, ReadsForceAndCopPerInsole) {
  auto r = read(kGood);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->left && r->right);
  const auto& l = *r->left;
  ASSERT_EQ(l.time_s.size(), 2);  // the 0.00 row has no left sample
  EXPECT_DOUBLE_EQ(l.time_s[0], 0.01);
  EXPECT_DOUBLE_EQ(l.total_force_n[1], 340.0);
  EXPECT_DOUBLE_EQ(l.cop_normalised(0, 0), 0.125);
  EXPECT_DOUBLE_EQ(l.cop_normalised(0, 1), -0.25);
  EXPECT_TRUE(std::isnan(l.cop_normalised(1, 1)));  // blank field
  const auto& rt = *r->right;
  ASSERT_EQ(rt.time_s.size(), 2);  // the 0.01 row has no right sample
  EXPECT_DOUBLE_EQ(rt.time_s[1], 0.02);
  EXPECT_DOUBLE_EQ(rt.total_force_n[0], 509.0);
  EXPECT_DOUBLE_EQ(rt.cop_normalised(0, 0), -0.201829);
}

TEST(MoticonVendorChannels, MalformedInputNamesTheLine) {
  // Missing COP Y for the right insole: the side is incomplete.
  EXPECT_TRUE(fails_at(read(replace(kGood, "right center of pressure Y", "right centre Y")), "mem.txt:3:"));
  EXPECT_TRUE(fails_at(read(replace(kGood, "right total force[N]", "right total force[kN]")), "mem.txt:3:"));
  EXPECT_TRUE(fails_at(read(replace(kGood, "340.00", "34O.00")), "mem.txt:6:"));
  EXPECT_TRUE(fails_at(read(replace(kGood, "0.02\t", "0.01\t")), "mem.txt:6:"));
  EXPECT_TRUE(fails_at(read(replace(kGood, "\t21.00", "\t21.00\t")), "mem.txt:5:"));
  EXPECT_TRUE(fails_at(read(replace(kGood, "# time", "# tame")), "mem.txt:3:"));
  // No total force column at all.
  std::string none = replace(replace(kGood, "left total force", "left weight"), "right total force", "right weight");
  EXPECT_TRUE(fails_at(read(none), "total force"));
  // Header only.
  EXPECT_TRUE(fails_at(read(kGood.substr(0, kGood.find("0.00\t"))), "file truncated"));
}

TEST(MoticonVendorChannels, TruncatedCorruptedAndGarbageInputNeverCrash) {
  // Every prefix: either a clean error or a result holding only complete rows.
  for (std::size_t n = 0; n <= kGood.size(); ++n) {
    auto r = read(kGood.substr(0, n));
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, Errc::format_error) << n;
    }
  }
  std::mt19937 rng(7);
  for (int k = 0; k < 300; ++k) {
    std::string s = kGood;
    for (int j = 0; j < 4; ++j) s[rng() % s.size()] = static_cast<char>(rng() % 256);
    auto r = read(s);
    if (!r.ok()) {
      EXPECT_FALSE(r.error().message.empty());
    }
  }
  EXPECT_FALSE(read(std::string("\x00\x01\x02garbage\n", 11) + kGood).ok());
  // A huge claimed number of channels costs only what is read: a long but bounded line.
  std::string wide = "# time";
  for (int i = 0; i < 200000; ++i) wide += "\tx";
  EXPECT_FALSE(read(wide + "\n0.00\n").ok());
}

}  // namespace
}  // namespace insole::test
