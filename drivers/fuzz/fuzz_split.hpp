#pragma once
// Shared by the protocol fuzz targets: decodes the same bytes whole and in chunks chosen from
// the input, with poll requests at fixed offsets, and traps when the results differ (the
// decoders promise that any split gives the same frames and stats). Also traps on frames of
// the wrong size.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "insole/drivers/protocol/decoder.hpp"

namespace insole::fuzz {

struct Outcome {
  std::vector<PressureFrame> frames;
  drivers::DecoderStats stats;
};

/// Feeds `bytes` cut before every offset in `cuts` (sorted), calling on_request_sent at every
/// multiple of `request_period` (0: never).
inline Outcome feed(drivers::Decoder& d, std::span<const std::uint8_t> bytes,
                    const std::vector<std::size_t>& cuts, std::size_t request_period) {
  d.reset();
  Outcome o;
  std::size_t at = 0, ci = 0;
  while (at < bytes.size()) {
    if (request_period && at % request_period == 0) d.on_request_sent();
    std::size_t end = bytes.size();
    while (ci < cuts.size() && cuts[ci] <= at) ++ci;
    if (ci < cuts.size()) end = std::min(cuts[ci], bytes.size());
    if (request_period) end = std::min(end, (at / request_period + 1) * request_period);
    d.feed(bytes.subspan(at, end - at), o.frames);
    at = end;
  }
  o.stats = d.stats();
  return o;
}

inline bool same(const Outcome& a, const Outcome& b) {
  if (a.frames.size() != b.frames.size()) return false;
  for (std::size_t i = 0; i < a.frames.size(); ++i) {
    const PressureFrame &x = a.frames[i], &y = b.frames[i];
    if (x.stream != y.stream || x.sequence != y.sequence ||
        x.pressure_kpa.size() != y.pressure_kpa.size())
      return false;
    for (Eigen::Index k = 0; k < x.pressure_kpa.size(); ++k)  // bitwise: NaN never appears
      if (!(x.pressure_kpa(k) == y.pressure_kpa(k))) return false;
  }
  const auto &s = a.stats, &t = b.stats;
  return s.frames == t.frames && s.bytes == t.bytes && s.checksum_errors == t.checksum_errors &&
         s.resyncs == t.resyncs && s.lost_frames == t.lost_frames &&
         s.garbage_bytes == t.garbage_bytes && s.truncated_frames == t.truncated_frames &&
         s.malformed_frames == t.malformed_frames && s.replies == t.replies && s.nacks == t.nacks;
}

/// Whole vs byte-by-byte vs chunks of 1..16 bytes driven by `seed`; traps on any difference or
/// on a frame whose size does not match its stream's layout.
inline void check_split_invariance(drivers::Decoder& d, std::span<const std::uint8_t> bytes,
                                   std::uint32_t seed, std::size_t request_period,
                                   const std::vector<StreamInfo>& streams) {
  const Outcome whole = feed(d, bytes, {}, request_period);
  std::vector<std::size_t> every, chunks;
  for (std::size_t i = 1; i < bytes.size(); ++i) every.push_back(i);
  std::uint32_t x = seed | 1u;
  for (std::size_t at = 0; at < bytes.size();) {
    x = x * 1664525u + 1013904223u;  // Numerical Recipes LCG: deterministic chunk sizes
    at += 1 + (x >> 28);
    chunks.push_back(at);
  }
  if (!same(whole, feed(d, bytes, every, request_period))) __builtin_trap();
  if (!same(whole, feed(d, bytes, chunks, request_period))) __builtin_trap();
  if (whole.stats.bytes != bytes.size() || whole.stats.frames < whole.frames.size())
    __builtin_trap();
  for (const PressureFrame& f : whole.frames) {
    if (f.stream >= streams.size()) __builtin_trap();
    if (f.pressure_kpa.size() != streams[f.stream].layout.sensor_count()) __builtin_trap();
    if (!f.pressure_kpa.allFinite() || (f.pressure_kpa.array() < 0).any()) __builtin_trap();
  }
}

}  // namespace insole::fuzz
