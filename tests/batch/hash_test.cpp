#include "insole/batch/hash.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <numeric>
#include <random>
#include <string>

#include "support/temp_dir.hpp"

namespace insole::batch {
namespace {

// Reference digests computed with the xxHash library itself (libxxhash 0.8.1, XXH64()).
std::string bytes_0_255_x4_xyz() {
  std::string s;
  for (int r = 0; r < 4; ++r)
    for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  return s + "xyz";
}

TEST(Xxh64, MatchesReferenceVectors) {
  EXPECT_EQ(xxh64("", 0), 0xef46db3751d8e999ULL);
  EXPECT_EQ(xxh64("a", 0), 0xd24ec4f1a98c6e5bULL);
  EXPECT_EQ(xxh64("abc", 0), 0x44bc2cf5ad770999ULL);
  EXPECT_EQ(xxh64("abc", 1), 0xbea9ca8199328908ULL);
  EXPECT_EQ(xxh64("Nobody inspects the spammish repetition", 0), 0xfbcea83c8a378bf1ULL);
  const std::string long_input = bytes_0_255_x4_xyz();  // 1027 bytes: stripes + every tail path
  EXPECT_EQ(xxh64(long_input, 0), 0xe146cb31b65bc21aULL);
  EXPECT_EQ(xxh64(long_input, 0x9E3779B185EBCA87ULL), 0xaee8a8f151110399ULL);
}

TEST(Xxh64, StreamingEqualsOneShotWhateverTheSplits) {
  const std::string data = bytes_0_255_x4_xyz();
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    Xxh64Stream s;
    std::size_t pos = 0;
    while (pos < data.size()) {
      const std::size_t n = std::min<std::size_t>(data.size() - pos, rng() % 70);
      s.update(data.data() + pos, n);
      pos += n;
    }
    EXPECT_EQ(s.digest(), 0xe146cb31b65bc21aULL);
  }
  Xxh64Stream bytewise;
  for (char c : data) bytewise.update(&c, 1);
  EXPECT_EQ(bytewise.digest(), 0xe146cb31b65bc21aULL);
}

TEST(HashFile, DigestsContentAndNamesMissingFiles) {
  insole::test::TempDir dir;
  const auto p = dir / "x.bin";
  std::ofstream(p, std::ios::binary) << bytes_0_255_x4_xyz();
  auto h = hash_file(p);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(*h, "xxh64:e146cb31b65bc21a");
  auto missing = hash_file(dir / "nope.h5");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_NE(missing.error().message.find("nope.h5"), std::string::npos);
}

TEST(Hex64, PadsToSixteenDigits) { EXPECT_EQ(hex64(0xabcULL), "0000000000000abc"); }

}  // namespace
}  // namespace insole::batch
