// Runs a libFuzzer entry point (drivers/fuzz/fuzz_<name>.cpp, linked in) over seeded inputs so
// that g++ builds, which have no libFuzzer, exercise the same checks: the target's own seeds
// (device-model conversations), mutations of them (flipped, inserted, deleted and duplicated
// bytes, truncations, splices) and plain random bytes. A failed check traps, failing the test.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
std::vector<std::vector<std::uint8_t>> insole_fuzz_seeds();

int main() {
  using Bytes = std::vector<std::uint8_t>;
  const std::vector<Bytes> seeds = insole_fuzz_seeds();
  std::mt19937 rng(20240601);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  std::size_t runs = 0;
  for (const Bytes& s : seeds) {
    LLVMFuzzerTestOneInput(s.data(), s.size());
    ++runs;
  }
  for (int i = 0; i < 600; ++i) {
    Bytes b = seeds[pick(seeds.size())];
    const int edits = 1 + int(pick(6));
    for (int e = 0; e < edits && b.size() > 2; ++e) {
      const std::size_t at = 2 + pick(b.size() - 2);  // keep the selector bytes
      switch (pick(6)) {
        case 0: b[at] ^= std::uint8_t(1u << pick(8)); break;
        case 1: b.insert(b.begin() + std::ptrdiff_t(at), std::uint8_t(rng())); break;
        case 2: b.erase(b.begin() + std::ptrdiff_t(at), b.begin() + std::ptrdiff_t(std::min(b.size(), at + 1 + pick(40)))); break;
        case 3: b.resize(at); break;
        case 4: {
          const Bytes& o = seeds[pick(seeds.size())];
          if (o.size() > 2) b.insert(b.begin() + std::ptrdiff_t(at), o.begin() + 2, o.begin() + std::ptrdiff_t(2 + pick(o.size() - 2)));
          break;
        }
        default: {
          const std::size_t len = std::min<std::size_t>(b.size() - at, 1 + pick(64));
          Bytes copy(b.begin() + std::ptrdiff_t(at), b.begin() + std::ptrdiff_t(at + len));
          b.insert(b.begin() + std::ptrdiff_t(at), copy.begin(), copy.end());
        }
      }
    }
    LLVMFuzzerTestOneInput(b.data(), b.size());
    ++runs;
  }
  for (int i = 0; i < 200; ++i) {
    Bytes b(pick(1500));
    for (auto& x : b) x = std::uint8_t(rng());
    LLVMFuzzerTestOneInput(b.data(), b.size());
    ++runs;
  }
  std::printf("replayed %zu inputs\n", runs);
  return 0;
}
