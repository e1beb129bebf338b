#include "insole/batch/hash.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

namespace insole::batch {

namespace {

// Constants and steps of the XXH64 specification (xxhash_spec.md, "XXH64 algorithm").
constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr std::uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr std::uint64_t kP5 = 0x27D4EB2F165667C5ULL;

constexpr std::uint64_t rotl(std::uint64_t x, int r) noexcept { return (x << r) | (x >> (64 - r)); }

// Little-endian loads whatever the host's byte order (the digest is defined on LE words).
std::uint64_t load64(const unsigned char* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
std::uint32_t load32(const unsigned char* p) noexcept {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

std::uint64_t round64(std::uint64_t acc, std::uint64_t input) noexcept {
  acc += input * kP2;
  acc = rotl(acc, 31);
  return acc * kP1;
}

std::uint64_t merge_round(std::uint64_t acc, std::uint64_t val) noexcept {
  acc ^= round64(0, val);
  return acc * kP1 + kP4;
}

// Consumes whole 32-byte stripes; returns the number of bytes consumed.
std::size_t stripes(std::uint64_t (&acc)[4], const unsigned char* p, std::size_t size) noexcept {
  std::size_t done = 0;
  while (size - done >= 32) {
    acc[0] = round64(acc[0], load64(p + done));
    acc[1] = round64(acc[1], load64(p + done + 8));
    acc[2] = round64(acc[2], load64(p + done + 16));
    acc[3] = round64(acc[3], load64(p + done + 24));
    done += 32;
  }
  return done;
}

std::uint64_t finish(std::uint64_t h, const unsigned char* p, std::size_t size) noexcept {
  while (size >= 8) {
    h ^= round64(0, load64(p));
    h = rotl(h, 27) * kP1 + kP4;
    p += 8;
    size -= 8;
  }
  if (size >= 4) {
    h ^= static_cast<std::uint64_t>(load32(p)) * kP1;
    h = rotl(h, 23) * kP2 + kP3;
    p += 4;
    size -= 4;
  }
  while (size > 0) {
    h ^= static_cast<std::uint64_t>(*p) * kP5;
    h = rotl(h, 11) * kP1;
    ++p;
    --size;
  }
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

std::uint64_t converge(const std::uint64_t (&acc)[4]) noexcept {
  std::uint64_t h = rotl(acc[0], 1) + rotl(acc[1], 7) + rotl(acc[2], 12) + rotl(acc[3], 18);
  for (std::uint64_t a : acc) h = merge_round(h, a);
  return h;
}

}  // namespace

std::uint64_t xxh64(const void* data, std::size_t size, std::uint64_t seed) noexcept {
  Xxh64Stream s(seed);
  s.update(data, size);
  return s.digest();
}

Xxh64Stream::Xxh64Stream(std::uint64_t seed) noexcept
    : acc_{seed + kP1 + kP2, seed + kP2, seed, seed - kP1}, seed_(seed), buf_{} {}

void Xxh64Stream::update(const void* data, std::size_t size) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
  total_ += size;
  if (buffered_ > 0) {
    const std::size_t take = std::min(size, sizeof buf_ - buffered_);
    std::memcpy(buf_ + buffered_, p, take);
    buffered_ += take;
    p += take;
    size -= take;
    if (buffered_ < sizeof buf_) return;
    stripes(acc_, buf_, sizeof buf_);
    buffered_ = 0;
  }
  const std::size_t done = stripes(acc_, p, size);
  p += done;
  size -= done;
  if (size > 0) {
    std::memcpy(buf_, p, size);
    buffered_ = size;
  }
}

std::uint64_t Xxh64Stream::digest() const noexcept {
  std::uint64_t h = total_ >= 32 ? converge(acc_) : seed_ + kP5;
  h += total_;
  return finish(h, buf_, buffered_);
}

std::string hex64(std::uint64_t value) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(value));
  return out;
}

Result<std::string> hash_file(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    const int err = errno;
    return make_error(err == ENOENT ? Errc::not_found : Errc::io_error,
                      path.string() + ": cannot open for hashing: " + std::strerror(err));
  }
  Xxh64Stream s;
  std::vector<unsigned char> buf(1 << 20);
  for (;;) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), f);
    if (n > 0) s.update(buf.data(), n);
    if (n < buf.size()) break;
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return make_error(Errc::io_error, path.string() + ": read error while hashing");
  return "xxh64:" + hex64(s.digest());
}

}  // namespace insole::batch
