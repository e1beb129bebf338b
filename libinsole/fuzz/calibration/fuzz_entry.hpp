#pragma once
// The one entry point shared by the libFuzzer target (fuzz_target.cpp, clang only) and the g++
// replay test (tests/calibration/fuzz_replay_test.cpp): parses bytes as a calibration file
// (docs/calibration.md) and checks what calibration::from_json promises.

#include <cstddef>
#include <cstdint>

namespace insole::calibration::fuzz {

/// Parses the bytes with calibration::from_json. Returns 0. Aborts (so the fuzzer reports a
/// crash) when a promise breaks: a failure must be format_error with a message that starts with
/// the origin and names a field or the document; a success must validate, have a device serial,
/// survive a to_json / from_json round trip unchanged, and turn a frame of counts into pressures
/// that are NaN exactly where the counts are NaN.
int run_one(const std::uint8_t* data, std::size_t size);

}  // namespace insole::calibration::fuzz
