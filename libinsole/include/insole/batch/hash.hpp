#pragma once
// Content hashes that identify a recording independently of its path, so that --resume can tell
// "already analysed" from "same name, new content". XXH64 (Yann Collet's xxHash, 64-bit variant,
// specification: github.com/Cyan4973/xxHash doc/xxhash_spec.md): not cryptographic, but fast
// enough (several GB/s) that hashing costs far less than reading the frames, and a 64-bit digest
// makes an accidental collision among a study's recordings negligible.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "insole/core/result.hpp"

namespace insole::batch {

/// XXH64 of `size` bytes at `data` with `seed` (no default: xxh64("a", 0) must not mean 0 bytes).
std::uint64_t xxh64(const void* data, std::size_t size, std::uint64_t seed) noexcept;
inline std::uint64_t xxh64(std::string_view text, std::uint64_t seed = 0) noexcept {
  return xxh64(text.data(), text.size(), seed);
}

/// Incremental XXH64: update() any number of times, digest() at any point.
class Xxh64Stream {
 public:
  explicit Xxh64Stream(std::uint64_t seed = 0) noexcept;
  void update(const void* data, std::size_t size) noexcept;
  std::uint64_t digest() const noexcept;

 private:
  std::uint64_t acc_[4];
  std::uint64_t seed_;
  std::uint64_t total_ = 0;
  unsigned char buf_[32];
  std::size_t buffered_ = 0;
};

/// 16 lower-case hex digits.
std::string hex64(std::uint64_t value);

/// "xxh64:<16 hex digits>" of the file's bytes. Errc::not_found / io_error naming the file.
Result<std::string> hash_file(const std::filesystem::path& path);

}  // namespace insole::batch
