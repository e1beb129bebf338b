#include "insole/batch/shard.hpp"

#include <charconv>
#include <optional>
#include <stdexcept>

#include "insole/batch/hash.hpp"

namespace insole::batch {

namespace {

constexpr int kMaxShards = 100000;

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  if (s.empty()) return std::nullopt;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Result<ShardSpec> parse_shard(std::string_view text) {
  const auto bad = [&] {
    return make_error(Errc::invalid_argument, "--shard \"" + std::string(text) +
                                                  "\": expected K/N with 1 <= K <= N <= " +
                                                  std::to_string(kMaxShards) + " (e.g. 3/8)");
  };
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return bad();
  const auto k = parse_int(text.substr(0, slash));
  const auto n = parse_int(text.substr(slash + 1));
  if (!k || !n || *n < 1 || *n > kMaxShards || *k < 1 || *k > *n) return bad();
  return ShardSpec{*k, *n};
}

int shard_of(std::string_view key, int count) {
  if (count < 1) throw std::invalid_argument("shard_of: count must be >= 1");
  return static_cast<int>(xxh64(key) % static_cast<std::uint64_t>(count)) + 1;
}

std::vector<InputFile> select_shard(const std::vector<InputFile>& inputs, const ShardSpec& shard) {
  std::vector<InputFile> out;
  for (const auto& in : inputs)
    if (shard_of(in.key, shard.count) == shard.index) out.push_back(in);
  return out;
}

}  // namespace insole::batch
