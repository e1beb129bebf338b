// libFuzzer target for the clinic app's request checks (fuzz_entry.hpp).
#include <cstddef>
#include <cstdint>

#include "fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return insole::app::fuzz::run_one(data, size);
}
