#include "insole/batch/csv.hpp"

#include <gtest/gtest.h>

#include <random>

namespace insole::batch {
namespace {

TEST(Csv, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_line({"a", "", "c,d"}), "a,,\"c,d\"\n");
}

TEST(Csv, RoundTripsHostileFields) {
  const std::vector<CsvRow> rows = {{"file", "message"},
                                    {"dir/a,b.h5", "line one\nline two"},
                                    {"q\"uote.h5", ""},
                                    {"", "\r\n,\"\""}};
  std::string text;
  for (const auto& r : rows) text += csv_line(r);
  auto back = parse_csv(text, "t.csv");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, rows);
}

TEST(Csv, AcceptsCrLfAndMissingFinalNewline) {
  auto r = parse_csv("a,b\r\n1,2", "t.csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (std::vector<CsvRow>{{"a", "b"}, {"1", "2"}}));
  auto trailing_empty = parse_csv("a,", "t.csv");
  ASSERT_TRUE(trailing_empty);
  EXPECT_EQ(*trailing_empty, (std::vector<CsvRow>{{"a", ""}}));
  auto empty = parse_csv("", "t.csv");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(Csv, RejectsMalformedInputNamingSourceAndLine) {
  auto open_quote = parse_csv("a,b\n\"never closed,1\n", "shard.csv");
  ASSERT_FALSE(open_quote);
  EXPECT_EQ(open_quote.error().code, Errc::format_error);
  EXPECT_NE(open_quote.error().message.find("shard.csv: line 2"), std::string::npos);
  auto stray = parse_csv("a,b\nx\"y,1\n", "s.csv");
  ASSERT_FALSE(stray);
  EXPECT_NE(stray.error().message.find("line 2"), std::string::npos);
  auto after_quote = parse_csv("\"a\"b,1\n", "s.csv");
  ASSERT_FALSE(after_quote);
}

TEST(Csv, NeverCrashesOnTruncationsOrRandomBytes) {
  const std::string text = csv_line({"a,b", "c\"d", "e\nf"}) + csv_line({"1", "2", "3"});
  for (std::size_t n = 0; n <= text.size(); ++n) (void)parse_csv(text.substr(0, n), "t");
  std::mt19937 rng(3);
  const std::string alphabet = ",\"\r\na";
  for (int trial = 0; trial < 500; ++trial) {
    std::string s;
    for (int i = 0; i < 30; ++i) s += alphabet[rng() % alphabet.size()];
    auto r = parse_csv(s, "t");
    if (r) {
      // Whatever parsed must re-serialise to something that parses to the same rows.
      std::string again;
      for (const auto& row : *r) again += csv_line(row);
      auto r2 = parse_csv(again, "t");
      ASSERT_TRUE(r2);
      EXPECT_EQ(*r2, *r);
    }
  }
}

}  // namespace
}  // namespace insole::batch
