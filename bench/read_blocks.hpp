#pragma once
// Reading a whole recording the way the analysis does, for the read and analysis benchmarks.
#include <Eigen/Core>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "insole/io/hdf5_recording.hpp"

namespace insole::bench {

/// Opens `file` and reads every frame of every stream in blocks of whole chunks of at least
/// `min_frames` frames (as batch::AnalyseOptions::min_read_frames makes the analysis read),
/// calling `on_block(frames)` for each. Exits with status 2 and the message on any error.
template <class Fn>
void read_blocks(const char* file, Eigen::Index min_frames, Fn&& on_block) {
  auto reader = io::RecordingReader::open(file);
  if (!reader) {
    std::fprintf(stderr, "%s\n", reader.error().message.c_str());
    std::exit(2);
  }
  for (std::size_t s = 0; s < reader->streams().size(); ++s) {
    const Eigen::Index chunk = std::max<Eigen::Index>(1, reader->chunk_frames(s));
    const Eigen::Index block = (min_frames + chunk - 1) / chunk * chunk;
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

}  // namespace insole::bench
