#pragma once
// Reading a whole recording the way the analysis does, and the FILE [REPEATS] command line, for
// the read and analysis benchmarks.
#include <Eigen/Core>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "insole/io/hdf5_recording.hpp"

namespace insole::bench {

/// The analysis' block size (batch::AnalyseOptions read_bytes, min_read_frames, max_read_bytes;
/// repeated here so that the read bench needs only core and io).
constexpr std::int64_t kReadBytes = 4ll << 20, kMinReadFrames = 1, kMaxReadBytes = 8ll << 20;

/// Opens `file` and reads every frame of every stream in blocks of whole chunks
/// (RecordingReader::block_frames with the analysis' sizes above), calling `on_block(frames)` for
/// each. Exits with status 2 and the message on any error.
template <class Fn>
void read_blocks(const char* file, Fn&& on_block) {
  auto reader = io::RecordingReader::open(file);
  if (!reader) {
    std::fprintf(stderr, "%s\n", reader.error().message.c_str());
    std::exit(2);
  }
  for (std::size_t s = 0; s < reader->streams().size(); ++s) {
    const Eigen::Index block = reader->block_frames(s, kReadBytes, kMinReadFrames, kMaxReadBytes);
    for (Eigen::Index first = 0; first < reader->frame_count(s); first += block) {
      auto frames = reader->read_frames(s, first, block);
      if (!frames) {
        std::fprintf(stderr, "%s\n", frames.error().message.c_str());
        std::exit(2);
      }
      on_block(*frames);
    }
  }
}

/// REPEATS of a `PROGRAM FILE [REPEATS]` command line (default 3, at least 1); prints the usage
/// and exits with status 2 when FILE is missing.
inline int repeats_from_args(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [REPEATS]\n", argv[0]);
    std::exit(2);
  }
  return argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
}

}  // namespace insole::bench
