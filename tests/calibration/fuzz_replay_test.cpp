// Replays the libFuzzer entry point of the calibration file parser
// (libinsole/fuzz/calibration/fuzz_entry.cpp) under g++, so its invariants are checked in every
// build: the seeds, every input that ever broke it (regressions/), and byte mutations of the
// seeds. run_one() aborts on a broken invariant, which fails this test.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "fuzz_entry.hpp"
#include "support/files.hpp"
#include "insole/calibration/calibration_file.hpp"

namespace insole::calibration {
namespace {

namespace fs = std::filesystem;

const fs::path kFuzzDir = fs::path(INSOLE_SOURCE_DIR) / "libinsole" / "fuzz" / "calibration";

using test::files_in;
using test::read_bytes;

void run(const std::string& t) { fuzz::run_one(reinterpret_cast<const std::uint8_t*>(t.data()), t.size()); }

TEST(CalibrationFuzzReplay, SeedsRegressionsAndByteMutations) {
  const auto seeds = files_in(kFuzzDir / "corpus");
  ASSERT_GE(seeds.size(), 6u);
  // The first four seeds are valid files of each model, the rest damaged ones.
  int accepted = 0;
  for (const auto& f : seeds) accepted += from_json(read_bytes(f), f.string()) ? 1 : 0;
  EXPECT_EQ(accepted, 4);
  for (const auto& f : files_in(kFuzzDir / "regressions")) run(read_bytes(f));
  std::mt19937 rng(21);
  for (const auto& f : seeds) {
    const std::string base = read_bytes(f);
    run(base);
    for (int i = 0; i < 200; ++i) {
      std::string t = base;
      for (int e = 1 + static_cast<int>(rng() % 3); e > 0 && !t.empty(); --e) {
        const std::size_t at = rng() % t.size();
        switch (rng() % 5) {
          case 0: t[at] = static_cast<char>(rng()); break;
          case 1: t.erase(at, 1 + rng() % 8); break;
          case 2: t.resize(at); break;
          case 3: t.insert(at, std::to_string(static_cast<std::int32_t>(rng())) + "e30" + std::to_string(rng() % 400)); break;
          default: t.insert(at, t.substr(rng() % t.size(), 1 + rng() % 24)); break;
        }
      }
      run(t);
    }
  }
}

}  // namespace
}  // namespace insole::calibration
