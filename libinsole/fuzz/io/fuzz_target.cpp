// libFuzzer target for the HDF5 recording reader (fuzz_entry.hpp).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_entry.hpp"

// HDF5 1.10 allocates a metadata entry at the size the file states before it reads it (and finds
// it past the end of the file): a damaged size asks for gigabytes once, which malloc refuses and
// HDF5 reports as a damaged file. The allocator answers such requests with null, as malloc does
// outside AddressSanitizer, instead of aborting; libFuzzer's own single-allocation limit is raised
// accordingly (-rss_limit_mb still bounds the memory actually used).
extern "C" const char* __asan_default_options();
extern "C" __attribute__((used)) const char* __asan_default_options() { return "allocator_may_return_null=1"; }

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  static char limit[] = "-malloc_limit_mb=1048576";
  static std::vector<char*> args;
  for (int i = 0; i < *argc; ++i) {
    if (std::strncmp((*argv)[i], "-malloc_limit_mb=", 17) == 0) return 0;  // given: keep it
    args.push_back((*argv)[i]);
  }
  args.push_back(limit);
  args.push_back(nullptr);
  *argc = static_cast<int>(args.size()) - 1;
  *argv = args.data();
  return 0;
}

// Mutation runs explore files in the HDF5 formats with checksummed metadata (superblock version
// >= 2: what the toolkit writes, h5py with libver="v110"/"latest"): there, damage shows as a
// checksum error or reaches the reader's own checks. In the older formats (superblock 0/1, h5py's
// and MATLAB's default) HDF5 1.10 decodes unchecksummed object headers and B-trees without bounds
// checks, and a mutated one crashes inside HDF5 (e.g. decoding an attribute message in
// H5O__msg_iterate) before the reader sees anything: those inputs are skipped here. They are
// still read, seeds and regression inputs with fixed mutations, by HdfFuzzReplay (tests/io), and
// the limit is stated in docs/format.md ("Robustness").
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size >= 9 && std::memcmp(data, "\x89HDF\r\n\x1a\n", 8) == 0 && data[8] < 2) return 0;
  return insole::io::fuzz::run_one(data, size);
}
