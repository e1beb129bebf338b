#pragma once
// Deterministic partition of a batch's inputs into N shards, so that independent processes on
// any machines (a Slurm job array, a Kubernetes indexed Job, GNU parallel) each take one shard
// and together cover every recording exactly once, with no coordination between them.
//
// A recording's shard depends only on its input key (the path as the batch names it, see
// inputs.hpp) and N: shard = XXH64(key) mod N. So shards computed on different machines agree
// as long as they are given the same inputs, whatever order the files were listed in, and adding
// a file to the study does not move any other file to another shard.

#include <string>
#include <string_view>
#include <vector>

#include "insole/batch/inputs.hpp"
#include "insole/core/result.hpp"

namespace insole::batch {

/// Shard K of N, 1-based as users count (and as Slurm's array task ids usually are).
struct ShardSpec {
  int index = 1;  ///< 1..count
  int count = 1;  ///< >= 1
};

/// Parses "K/N" with 1 <= K <= N <= 100000; Errc::invalid_argument with the accepted form.
Result<ShardSpec> parse_shard(std::string_view text);

/// 1-based shard of an input key.
int shard_of(std::string_view key, int count);

/// The inputs that belong to `shard`, in their original order.
std::vector<InputFile> select_shard(const std::vector<InputFile>& inputs, const ShardSpec& shard);

}  // namespace insole::batch
