// Replays the libFuzzer entry point of the app's request checks (app/fuzz/fuzz_entry.cpp) under
// g++, so its invariants are checked in every build: the seeds, every input that ever broke it
// (regressions/), hostile targets and paths, and byte mutations of the seeds. run_one() aborts on
// a broken invariant, which fails this test.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "fuzz_entry.hpp"
#include "support/files.hpp"

namespace insole::app {
namespace {

namespace fs = std::filesystem;

const fs::path kFuzzDir = fs::path(INSOLE_SOURCE_DIR) / "app" / "fuzz";

using test::files_in;
using test::read_bytes;

void run(const std::string& t) { fuzz::run_one(reinterpret_cast<const std::uint8_t*>(t.data()), t.size()); }

TEST(AppHttpFuzzReplay, SeedsRegressionsAndHostileInputs) {
  const auto seeds = files_in(kFuzzDir / "corpus");
  ASSERT_GE(seeds.size(), 6u);
  for (const auto& f : seeds) run(read_bytes(f));
  for (const auto& f : files_in(kFuzzDir / "regressions")) run(read_bytes(f));
  // Traversal through every spelling the checks know, and through the links of the data directory.
  for (const std::string& t : std::vector<std::string>{"/..", "/%2e%2e/x", "/a/%2E./b", "/a%2fb", "/a%5Cb", "/a%00b", "/%c0%ae%c0%ae/x",
                              "/out/secret.txt", "/root/etc/passwd", "/inner/../../secret.txt", "/?file=../secret.txt",
                              "/?file=out/secret.txt&g=root/etc/passwd&h=%2e%2e/secret.txt", "/" + std::string(3000, 'a')})
    for (const std::string& f : std::vector<std::string>{"out/secret.txt", "root/etc/passwd", "inner/../../secret.txt", "inner/visit-1/walk.h5",
                                "/etc/passwd", "recordings/./visit-1/../../../secret.txt"})
      run(t + "\n" + f + "\nPOST\n127.0.0.1:8080\nhttp://127.0.0.1:8080\nsame-origin\nc5rf-t0ken\n");
}

TEST(AppHttpFuzzReplay, ByteMutationsOfTheSeeds) {
  std::mt19937 rng(31);
  static const char* kPieces[] = {"%2e", "%2E%2e", "/", "..", "%00", "%", "?", "&", "=", "\n", "\\", "%ff", "out/", "root/"};
  for (const auto& f : files_in(kFuzzDir / "corpus")) {
    const std::string base = read_bytes(f);
    for (int i = 0; i < 300; ++i) {
      std::string t = base;
      for (int e = 1 + static_cast<int>(rng() % 4); e > 0 && !t.empty(); --e) {
        const std::size_t at = rng() % t.size();
        switch (rng() % 4) {
          case 0: t[at] = static_cast<char>(rng()); break;
          case 1: t.erase(at, 1 + rng() % 6); break;
          case 2: t.insert(at, kPieces[rng() % (sizeof kPieces / sizeof kPieces[0])]); break;
          default: t.insert(at, t.substr(rng() % t.size(), 1 + rng() % 16)); break;
        }
      }
      run(t);
    }
  }
}

}  // namespace
}  // namespace insole::app
