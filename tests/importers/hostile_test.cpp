// Every importer against hostile input: truncation at every byte, line-ending and encoding
// variants, garbage, binary, UTF-16 and absurd line lengths. Errors must be located format
// errors ("mem:<line>: expected ..."), never crashes, hangs or other codes.

#include <gtest/gtest.h>

#include <random>
#include <regex>

#include "importer_test_util.hpp"

namespace insole::test {
namespace {

struct Case {
  std::string format, file;
};

class Hostile : public ::testing::TestWithParam<Case> {};

::testing::AssertionResult located_error(const Result<Recording>& r) {
  static const std::regex located("^mem:[0-9]+: .*");
  if (r.ok()) return ::testing::AssertionSuccess();
  const auto& e = r.error();
  if (e.code != Errc::format_error && e.code != Errc::unsupported)
    return ::testing::AssertionFailure() << to_string(e.code) << ": " << e.message;
  if (!std::regex_match(e.message, located) || e.message.find("expected") == std::string::npos)
    return ::testing::AssertionFailure() << "unlocated message: " << e.message;
  return ::testing::AssertionSuccess();
}

TEST_P(Hostile, EveryTruncationFailsCleanlyOrParses) {
  const std::string text = seed(GetParam().file);
  ASSERT_TRUE(parse(GetParam().format, text).ok());
  int failures = 0;
  // Every byte near both ends; every 7th byte in the middle of longer seeds (keeps the test fast
  // under sanitizers while still cutting inside every kind of line).
  for (std::size_t n = 0; n < text.size(); n += (n < 600 || n + 600 > text.size()) ? 1 : 7) {
    auto r = parse(GetParam().format, text.substr(0, n));
    EXPECT_TRUE(located_error(r)) << "prefix of " << n << " bytes";
    failures += r.ok() ? 0 : 1;
    if (r.ok()) {
      EXPECT_TRUE(r->validate().ok());
    }
  }
  EXPECT_GT(failures, 0);
}

TEST_P(Hostile, LineEndingsAndByteOrderMarkDoNotChangeFrames) {
  const std::string lf = seed(GetParam().file);
  auto base = parse(GetParam().format, lf);
  ASSERT_TRUE(base.ok()) << base.error().message;
  for (const std::string& variant : {to_crlf(lf), to_cr(lf), "\xEF\xBB\xBF" + lf, lf + "\n\n"}) {
    auto other = parse(GetParam().format, variant);
    ASSERT_TRUE(other.ok()) << other.error().message;
    expect_same_frames(*base, *other);
  }
}

TEST_P(Hostile, GarbageBinaryAndUtf16AreRejected) {
  const std::string text = seed(GetParam().file);
  const std::string& f = GetParam().format;
  auto empty = parse(f, "");
  EXPECT_TRUE(is_format_error_at(empty, 1)) << f;
  EXPECT_TRUE(located_error(parse(f, "\x7f\x45LF\x02\x01 garbage\n" + text)));
  EXPECT_FALSE(parse(f, "\x7f\x45LF\x02\x01 garbage\n" + text).ok());
  std::string with_nul = text;
  with_nul[with_nul.size() / 2] = '\0';
  auto nul = parse(f, with_nul);
  ASSERT_FALSE(nul.ok());
  EXPECT_TRUE(located_error(nul));
  auto utf16 = parse(f, std::string("\xFF\xFE", 2) + "D\0A\0T\0A\0");
  ASSERT_FALSE(utf16.ok());
  EXPECT_NE(utf16.error().message.find("UTF-16"), std::string::npos);
  auto long_line = parse(f, std::string(5u << 20, '7'));
  ASSERT_FALSE(long_line.ok());
  EXPECT_TRUE(located_error(long_line));
}

TEST_P(Hostile, RandomChunkCorruptionNeverCrashes) {
  const std::string text = seed(GetParam().file);
  std::mt19937 rng(1234);
  for (int i = 0; i < 200; ++i) {
    std::string t = text;
    const std::size_t at = rng() % t.size();
    const std::size_t len = 1 + rng() % 16;
    switch (i % 4) {
      case 0: t.erase(at, len); break;                                  // lost chunk
      case 1: t.insert(at, t.substr(rng() % t.size(), len)); break;     // duplicated chunk
      case 2: for (std::size_t k = at; k < std::min(t.size(), at + len); ++k) t[k] = char(rng()); break;
      default: t.insert(at, std::string(len, ',')); break;             // extra separators
    }
    EXPECT_TRUE(located_error(parse(GetParam().format, t))) << "mutation " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllFormats, Hostile,
    ::testing::Values(Case{"tekscan", "tekscan/fscan_small.asf"}, Case{"tekscan", "tekscan/iscan_small.csv"},
                      Case{"emed", "emed/emed_small.lst"}, Case{"pedar", "pedar/pedar_small.asc"},
                      Case{"pliance", "pliance/pliance_small.asc"}, Case{"xsensor", "xsensor/xsensor_small.csv"},
                      Case{"moticon", "moticon/moticon_small.txt"}, Case{"moticon", "moticon/moticon_vendor.txt"},
                      Case{"gaitpdb", "gaitpdb/gaitpdb_small.txt"},
                      Case{"apd", "apd/apd_small.apd"}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string n = info.param.file.substr(info.param.file.find('/') + 1);
      for (auto& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

}  // namespace
}  // namespace insole::test
