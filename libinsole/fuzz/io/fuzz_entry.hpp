#pragma once
// The one entry point shared by the libFuzzer target (fuzz_target.cpp, clang only) and the gcc
// replay test (tests/io/fuzz_replay_test.cpp): opens bytes as an HDF5 file image through the
// recording reader and reads everything in it the way the commands do.

#include <cstddef>
#include <cstdint>

namespace insole::io::fuzz {

/// Opens the bytes with RecordingReader::open_image, reads every stream in chunk-sized blocks
/// (frames and sequence numbers) and plays the recording back through open_playback, within a
/// budget of frames so one input stays quick. Returns 0. Aborts (so the fuzzer reports a crash)
/// when an invariant breaks: a failure must be format_error or unsupported with a message that
/// starts with the file's name; a success must give streams whose shapes agree with their layout,
/// finite and strictly increasing times, and a playback that yields exactly the frames counted.
int run_one(const std::uint8_t* data, std::size_t size);

}  // namespace insole::io::fuzz
