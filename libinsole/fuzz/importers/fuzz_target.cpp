// libFuzzer target for one importer; the format is chosen at compile time (INSOLE_FUZZ_FORMAT).
#include <cstddef>
#include <cstdint>

#include "fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return insole::importers::fuzz::run_one(INSOLE_FUZZ_FORMAT, data, size);
}
