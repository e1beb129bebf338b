#pragma once
// Feeding helpers for decoder tests: the same byte stream fed whole, byte by byte and in random
// (seeded) chunks must give the same frames and the same stats. Poll requests (on_request_sent)
// happen at fixed offsets of the stream, so every split calls them at the same place.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "insole/drivers/protocol/decoder.hpp"

namespace insole::test {

using Bytes = std::vector<std::uint8_t>;

inline Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
inline Bytes text(std::string_view s) { return {s.begin(), s.end()}; }

struct Decoded {
  std::vector<PressureFrame> frames;
  drivers::DecoderStats stats;
};

/// A byte stream plus the offsets at which the host sent a poll request.
struct Capture {
  Bytes bytes;
  std::vector<std::size_t> requests;  ///< sorted offsets into bytes
  void append(const Bytes& b) { bytes.insert(bytes.end(), b.begin(), b.end()); }
  void request() { requests.push_back(bytes.size()); }
};

/// Feeds `capture` cut at the given chunk boundaries (plus the request offsets).
inline Decoded decode_split(drivers::Decoder& d, const Capture& capture,
                            std::vector<std::size_t> cuts) {
  d.reset();
  cuts.insert(cuts.end(), capture.requests.begin(), capture.requests.end());
  cuts.push_back(capture.bytes.size());
  std::sort(cuts.begin(), cuts.end());
  Decoded r;
  std::size_t at = 0, next_request = 0;
  for (std::size_t cut : cuts) {
    if (cut > at) {
      d.feed(std::span<const std::uint8_t>(capture.bytes).subspan(at, cut - at), r.frames);
      at = cut;
    }
    while (next_request < capture.requests.size() && capture.requests[next_request] == at) {
      d.on_request_sent();
      ++next_request;
    }
  }
  r.stats = d.stats();
  return r;
}

inline void expect_same_stats(const drivers::DecoderStats& a, const drivers::DecoderStats& b,
                              const std::string& how) {
  EXPECT_EQ(a.frames, b.frames) << how;
  EXPECT_EQ(a.bytes, b.bytes) << how;
  EXPECT_EQ(a.checksum_errors, b.checksum_errors) << how;
  EXPECT_EQ(a.resyncs, b.resyncs) << how;
  EXPECT_EQ(a.lost_frames, b.lost_frames) << how;
  EXPECT_EQ(a.garbage_bytes, b.garbage_bytes) << how;
  EXPECT_EQ(a.truncated_frames, b.truncated_frames) << how;
  EXPECT_EQ(a.malformed_frames, b.malformed_frames) << how;
  EXPECT_EQ(a.replies, b.replies) << how;
  EXPECT_EQ(a.nacks, b.nacks) << how;
}

inline void expect_same_frames(const std::vector<PressureFrame>& a,
                               const std::vector<PressureFrame>& b, const std::string& how) {
  ASSERT_EQ(a.size(), b.size()) << how;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].stream, b[i].stream) << how << " frame " << i;
    EXPECT_EQ(a[i].sequence, b[i].sequence) << how << " frame " << i;
    EXPECT_TRUE(a[i].pressure_kpa.cwiseEqual(b[i].pressure_kpa).all()) << how << " frame " << i;
  }
}

/// Decodes whole, byte by byte and in random chunks (seeds 1..5, chunks of 1..max_chunk bytes);
/// checks they agree and returns the whole-stream result.
inline Decoded decode_all_ways(drivers::Decoder& d, const Capture& capture,
                               std::size_t max_chunk = 97) {
  Decoded whole = decode_split(d, capture, {});
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < capture.bytes.size(); ++i) every.push_back(i);
  Decoded bytewise = decode_split(d, capture, every);
  expect_same_frames(whole.frames, bytewise.frames, "byte by byte");
  expect_same_stats(whole.stats, bytewise.stats, "byte by byte");
  for (unsigned seed = 1; seed <= 5; ++seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> len(1, max_chunk);
    std::vector<std::size_t> cuts;
    for (std::size_t at = len(rng); at < capture.bytes.size(); at += len(rng)) cuts.push_back(at);
    Decoded chunked = decode_split(d, capture, cuts);
    const std::string how = "random chunks, seed " + std::to_string(seed);
    expect_same_frames(whole.frames, chunked.frames, how);
    expect_same_stats(whole.stats, chunked.stats, how);
  }
  return whole;
}

inline Decoded decode_all_ways(drivers::Decoder& d, const Bytes& bytes, std::size_t max_chunk = 97) {
  return decode_all_ways(d, Capture{bytes, {}}, max_chunk);
}

}  // namespace insole::test
