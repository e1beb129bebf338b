#pragma once
// `insole batch-merge`: combines the CSVs of the shards of one batch into the CSV an unsharded
// run would have written (same rows, same order), after checking that the shards fit together:
//  * every file appears in exactly one shard output (a duplicate means two shards analysed it:
//    overlapping inputs or a shard run twice with different inputs);
//  * with the manifests that `insole batch --shard` writes (<csv>.manifest.json): all shards
//    1..N of the same N and the same input list are present exactly once, and every file the
//    inputs listed has rows (nothing missing).
// Nothing is written when a check fails.

#include <filesystem>
#include <string>
#include <vector>

#include "insole/core/result.hpp"

namespace insole::batch {

struct MergeOptions {
  /// Accept shard CSVs without manifests (then only duplicates can be checked).
  bool allow_without_manifest = false;
};

struct MergeReport {
  std::size_t shards = 0;
  std::size_t recordings = 0;
  std::size_t rows = 0;
  std::size_t failed = 0;       ///< recordings with a failed row
  bool completeness_checked = false;
};

/// Checks the shard outputs and writes the merged CSV atomically to `output`. Errc::format_error
/// for an unreadable or foreign CSV or manifest; Errc::invalid_argument naming every missing,
/// duplicated or inconsistent shard and file (the first 20).
Result<MergeReport> merge_shards(const std::vector<std::filesystem::path>& shard_csvs,
                                 const std::filesystem::path& output, const MergeOptions& options = {});

}  // namespace insole::batch
