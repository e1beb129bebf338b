// Replays the HDF5 reader's libFuzzer entry point (libinsole/fuzz/io/fuzz_entry.cpp) under gcc,
// so its invariants are exercised in every build: every committed seed and every input that once
// crashed the reader (regressions/), then seeded mutations of the seeds (flipped bytes, cut
// files, overwritten runs, big numbers in size fields). run_one() aborts on a broken invariant,
// which fails this test.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "fuzz_entry.hpp"
#include "insole/io/hdf5_recording.hpp"

// HDF5 1.10 allocates a metadata entry at the size the file states before it reads it (and
// finds it past the end of the file); a damaged size asks for gigabytes. Without AddressSanitizer,
// malloc refuses such a request and HDF5 reports the file as damaged; under AddressSanitizer this
// makes the allocator answer the same way instead of aborting the test program.
extern "C" const char* __asan_default_options();
extern "C" __attribute__((used)) const char* __asan_default_options() { return "allocator_may_return_null=1"; }

namespace insole::test {
namespace {

namespace fs = std::filesystem;

const fs::path kFuzzDir = fs::path(INSOLE_SOURCE_DIR) / "libinsole/fuzz/io";

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().filename().string()[0] != '.') out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

void run(const std::string& bytes) {
  io::fuzz::run_one(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

TEST(HdfFuzzReplay, SeedsOpenAndRegressionsDoNotCrash) {
  const auto seeds = files_in(kFuzzDir / "corpus");
  ASSERT_GE(seeds.size(), 4u) << "seeds missing in " << (kFuzzDir / "corpus");
  for (const auto& p : seeds) {
    const std::string bytes = read_bytes(p);
    SCOPED_TRACE(p.string());
    // A seed is a valid recording: it must open (the entry point alone only checks errors).
    auto r = io::RecordingReader::open_image("seed.h5", bytes);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_GE(r->streams().size(), 1u);
    run(bytes);
  }
  for (const auto& p : files_in(kFuzzDir / "regressions")) {
    SCOPED_TRACE(p.string());
    run(read_bytes(p));
  }
}

TEST(HdfFuzzReplay, MutatedSeeds) {
  std::mt19937 rng(20240611);
  for (const auto& p : files_in(kFuzzDir / "corpus")) {
    const std::string base = read_bytes(p);
    ASSERT_FALSE(base.empty());
    for (int round = 0; round < 150; ++round) {
      std::string t = base;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !t.empty(); ++e) {
        const std::size_t at = rng() % t.size();
        switch (rng() % 5) {
          case 0: t[at] = static_cast<char>(rng()); break;
          case 1: t[at] = static_cast<char>(t[at] ^ (1u << (rng() % 8))); break;
          case 2: t.resize(std::max<std::size_t>(at, 8)); break;
          case 3:  // a run of 0xff: huge sizes, extents and addresses
            for (std::size_t k = at; k < std::min(t.size(), at + 1 + rng() % 8); ++k) t[k] = '\xff';
            break;
          default:  // a run of zeros
            for (std::size_t k = at; k < std::min(t.size(), at + 1 + rng() % 16); ++k) t[k] = '\0';
            break;
        }
      }
      run(t);
    }
  }
}

}  // namespace
}  // namespace insole::test
