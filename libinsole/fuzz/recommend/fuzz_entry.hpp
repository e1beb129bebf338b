#pragma once
// Entry points shared by the libFuzzer targets (fuzz_intake.cpp, fuzz_rules.cpp; clang only) and
// the g++ replay test (tests/recommend/fuzz_replay_test.cpp): feed bytes to the intake parser or
// the rule-file parser and check what each promises.

#include <cstddef>
#include <cstdint>

namespace insole::recommend::fuzz {

/// Parses the bytes as an intake, once as JSON and once as YAML. Returns 0. Aborts (so the fuzzer
/// reports a crash) when a promise breaks: a failure must be format_error with a message that
/// starts with the origin; a success holds only schema fields of the schema's type, numbers finite
/// and inside the field's range, strings valid UTF-8, and survives a JSON round trip unchanged.
/// An accepted intake is also run through the engine with the shipped rules.
int run_intake(const std::uint8_t* data, std::size_t size);

/// Parses the bytes as a rule file. Returns 0. Aborts when a failure is not format_error naming
/// the origin, or when a rule set that validated makes the engine throw or break its own output
/// contract (sides, confidence levels, referral order) on a set of findings, measures and intakes.
int run_rules(const std::uint8_t* data, std::size_t size);

}  // namespace insole::recommend::fuzz
