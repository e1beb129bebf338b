#include "insole/batch/merge.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "fixtures.hpp"
#include "insole/batch/run.hpp"
#include "support/temp_dir.hpp"

namespace insole::batch {
namespace {

namespace fs = std::filesystem;
using fixture::read_all;

class Merge : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 1; i <= 5; ++i) fixture::write_walk(dir / ("in/r" + std::to_string(i) + ".h5"), static_cast<std::uint64_t>(i), 1.2);
    fixture::write_text(dir / "in/bad.h5", "not hdf5");
    inputs = expand_inputs({(dir / "in").string()});
    BatchOptions o;
    o.output = dir / "all.csv";
    ASSERT_TRUE(run_batch(inputs, o));
    for (int k = 1; k <= 3; ++k) {
      o.shard = ShardSpec{k, 3};
      o.output = shard(k);
      ASSERT_TRUE(run_batch(inputs, o));
    }
  }
  fs::path shard(int k) const { return dir / ("shard" + std::to_string(k) + ".csv"); }

  insole::test::TempDir dir;
  std::vector<InputFile> inputs;
};

TEST_F(Merge, ShardsMergeToExactlyTheUnshardedOutput) {
  auto r = merge_shards({shard(3), shard(1), shard(2)}, dir / "merged.csv");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->completeness_checked);
  EXPECT_EQ(r->recordings, 6u);
  EXPECT_EQ(r->failed, 1u);
  EXPECT_EQ(read_all(dir / "merged.csv"), read_all(dir / "all.csv"));
}

TEST_F(Merge, MissingShardIsReportedAndNothingWritten) {
  auto r = merge_shards({shard(1), shard(3)}, dir / "merged.csv");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("missing: shard 2/3"), std::string::npos) << r.error().message;
  EXPECT_FALSE(fs::exists(dir / "merged.csv"));
}

TEST_F(Merge, ShardGivenTwiceIsADuplicate) {
  fs::copy_file(shard(2), dir / "again.csv");
  fs::copy_file(manifest_path(shard(2)), manifest_path(dir / "again.csv"));
  auto r = merge_shards({shard(1), shard(2), shard(3), dir / "again.csv"}, dir / "merged.csv");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("duplicate: "), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("duplicate: shard 2/3 given 2 times"), std::string::npos);
}

TEST_F(Merge, RowsLostFromAShardAreMissing) {
  // Drop the last recording's rows from a shard's CSV (e.g. edited by hand). Keys are the paths
  // as given, here under a random temporary directory, so which shard holds rows varies from run
  // to run (shard 1 is empty in about 9 % of runs): take the first shard that has some.
  int k = 1;
  std::optional<std::vector<CsvRow>> rows;
  for (; k <= 3; ++k) {
    auto parsed = parse_csv(read_all(shard(k)), "s");
    ASSERT_TRUE(parsed);
    if (parsed->size() > 1) {
      rows = std::move(*parsed);
      break;
    }
  }
  ASSERT_TRUE(rows) << "no shard has a row";
  const std::string lost = rows->back()[column_index("file")];
  std::string kept;
  for (const auto& row : *rows)
    if (row[column_index("file")] != lost) kept += csv_line(row);
  fixture::write_text(shard(k), kept);
  auto r = merge_shards({shard(1), shard(2), shard(3)}, dir / "merged.csv");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("missing: " + lost), std::string::npos) << r.error().message;
}

TEST_F(Merge, ShardsOfAnotherBatchAreRejected) {
  // Shard 2 redone over a different input list.
  fixture::write_walk(dir / "in/r6.h5", 6, 1.2);
  BatchOptions o;
  o.shard = ShardSpec{2, 3};
  o.output = shard(2);
  ASSERT_TRUE(run_batch(expand_inputs({(dir / "in").string()}), o));
  auto r = merge_shards({shard(1), shard(2), shard(3)}, dir / "merged.csv");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("from another batch"), std::string::npos) << r.error().message;
}

TEST_F(Merge, WithoutManifestsOnlyWhenAskedAndDuplicatesStillCaught) {
  fs::copy_file(dir / "all.csv", dir / "plain1.csv");
  auto refused = merge_shards({dir / "plain1.csv"}, dir / "merged.csv");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("--allow-without-manifest"), std::string::npos);
  MergeOptions allow;
  allow.allow_without_manifest = true;
  auto ok = merge_shards({dir / "plain1.csv"}, dir / "merged.csv", allow);
  ASSERT_TRUE(ok);
  EXPECT_FALSE(ok->completeness_checked);
  fs::copy_file(dir / "all.csv", dir / "plain2.csv");
  auto dup = merge_shards({dir / "plain1.csv", dir / "plain2.csv"}, dir / "merged2.csv", allow);
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("duplicate: "), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "merged2.csv"));
}

TEST_F(Merge, ForeignOrBrokenInputsAreFormatErrors) {
  fixture::write_text(dir / "foreign.csv", "a,b\n1,2\n");
  auto r = merge_shards({dir / "foreign.csv"}, dir / "merged.csv");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::format_error);
  fixture::write_text(manifest_path(shard(1)), "{\"format\": \"something else\"}");
  auto m = merge_shards({shard(1), shard(2), shard(3)}, dir / "merged.csv");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Errc::format_error);
  EXPECT_NE(m.error().message.find("manifest"), std::string::npos);
}

}  // namespace
}  // namespace insole::batch
