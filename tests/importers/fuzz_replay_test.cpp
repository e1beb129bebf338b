// Replays the libFuzzer entry point (libinsole/fuzz/importers/fuzz_entry.cpp) under gcc, so the
// invariants are exercised in every build: mutated seeds and mutated heads of the real samples.
// run_one() aborts on a broken invariant, which fails this test.

#include <gtest/gtest.h>

#include <random>

#include "fuzz_entry.hpp"
#include "importer_test_util.hpp"
#include "support/shared_data.hpp"

namespace insole::test {
namespace {

void replay(const std::string& format, const std::string& base, int rounds, std::uint32_t seed_value) {
  std::mt19937 rng(seed_value);
  auto run = [&](const std::string& t) {
    importers::fuzz::run_one(format, reinterpret_cast<const std::uint8_t*>(t.data()), t.size());
  };
  run(base);
  for (int i = 0; i < rounds; ++i) {
    std::string t = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !t.empty(); ++e) {
      const std::size_t at = rng() % t.size();
      switch (rng() % 6) {
        case 0: t[at] = static_cast<char>(rng()); break;
        case 1: t.erase(at, 1 + rng() % 64); break;
        case 2: t.insert(at, t.substr(rng() % t.size(), 1 + rng() % 64)); break;
        case 3: t.resize(at); break;
        case 4: t.insert(at, std::to_string(rng())); break;  // big numbers in odd places
        default: t.insert(at, "\r\n"); break;
      }
    }
    run(t);
  }
}

TEST(FuzzReplay, SeedsOfEveryFormat) {
  const std::vector<std::pair<std::string, std::string>> seeds = {
      {"tekscan", "tekscan/fscan_small.asf"}, {"tekscan", "tekscan/iscan_small.csv"},
      {"emed", "emed/emed_small.lst"},        {"pedar", "pedar/pedar_small.asc"},
      {"pliance", "pliance/pliance_small.asc"}, {"xsensor", "xsensor/xsensor_small.csv"},
      {"moticon", "moticon/moticon_small.txt"}, {"moticon", "moticon/moticon_vendor.txt"},
      {"gaitpdb", "gaitpdb/gaitpdb_small.txt"}, {"apd", "apd/apd_small.apd"}};
  std::uint32_t k = 1;
  for (const auto& [format, file] : seeds) replay(format, seed(file), 150, k++);
}

TEST(FuzzReplay, HeadsOfRealSamples) {
  INSOLE_REQUIRE_SHARED_DATA("pressure_vendor_samples/emed_test.lst");
  const std::vector<std::pair<std::string, std::string>> real = {
      {"tekscan", "tekscan_fscan_footpress/FrasP01L.asf"},
      {"emed", "pressure_vendor_samples/emed_test.lst"},
      {"pedar", "pressure_vendor_samples/pedar_example.asc"},
      {"pliance", "pressure_vendor_samples/pliance_test.asc"},
      {"xsensor", "pressure_vendor_samples/xsensor_data.csv"},
      {"moticon", "moticon_opengo/walk_data_with_events/text_export.txt"},
      {"gaitpdb", "physionet_gaitpdb/GaCo01_01.txt"}};
  std::uint32_t k = 100;
  for (const auto& [format, rel] : real) {
    const std::string head = read_bytes(shared_data(rel)).substr(0, 12 * 1024);
    replay(format, head, 25, k++);
  }
}

}  // namespace
}  // namespace insole::test
