// libFuzzer target for the rule-file parser and validator; see fuzz_entry.hpp for the invariants.
#include <cstddef>
#include <cstdint>

#include "fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return insole::recommend::fuzz::run_rules(data, size);
}
