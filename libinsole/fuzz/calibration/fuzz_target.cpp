// libFuzzer target for the calibration file parser (fuzz_entry.hpp).
#include <cstddef>
#include <cstdint>

#include "fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return insole::calibration::fuzz::run_one(data, size);
}
