#pragma once
// The one entry point shared by the libFuzzer targets (fuzz_target.cpp, clang only) and the
// gcc replay test (tests/importers/fuzz_replay_test.cpp): feeds bytes to one importer and checks
// the invariants every reader promises.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace insole::importers::fuzz {

/// Runs the reader of `format` on the bytes. Returns 0. Aborts (so the fuzzer reports a crash)
/// when an invariant breaks: a success must give a recording that validates, whose streams have
/// the layout's sensor count and finite times; a failure must be format_error or unsupported with
/// a message that starts with the source name. Also runs content detection and, for grid
/// streams, the pedcad export on the result.
int run_one(std::string_view format, const std::uint8_t* data, std::size_t size);

}  // namespace insole::importers::fuzz
