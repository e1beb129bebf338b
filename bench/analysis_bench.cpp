// Analysis throughput against the I/O limit (docs/performance.md). For one recording, alternately:
//   read     open it and read + decompress every frame in the blocks the analysis reads, touching
//            every value (what no analysis can beat: the I/O limit);
//   analyze  batch::assess_file, the code path of `insole analyze`, `insole report` and `insole batch`.
// Repeats both (interleaved, so that machine noise hits both alike) and prints the best time of
// each and their ratio as one JSON line. Usage: insole_bench_analysis FILE [REPEATS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "insole/batch/run.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "read_blocks.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Reads every frame of every stream in the analysis' block size; returns the pressure values read.
long long read_all(const char* file, double& checksum) {
  static_assert(insole::bench::kReadBytes == insole::batch::AnalyseOptions::kDefaultReadBytes);
  long long values = 0;
  insole::bench::read_blocks(file, [&](const insole::Stream& frames) {
    checksum += static_cast<double>(frames.pressure_kpa.sum()) + frames.time_s.sum();
    values += frames.pressure_kpa.size();
  });
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = insole::bench::repeats_from_args(argc, argv);
  double best_read = std::numeric_limits<double>::infinity(), best_analyze = best_read;
  long long values = 0;
  double checksum = 0;
  std::size_t footfalls = 0;
  auto rules = insole::recommend::load_default_rules();
  if (!rules) {
    std::fprintf(stderr, "%s\n", rules.error().message.c_str());
    return 2;
  }
  for (int r = 0; r < repeats; ++r) {
    auto t0 = Clock::now();
    values = read_all(argv[1], checksum);
    best_read = std::min(best_read, seconds_since(t0));
    t0 = Clock::now();
    auto result = insole::batch::assess_file(argv[1], *rules);
    best_analyze = std::min(best_analyze, seconds_since(t0));
    if (!result) {
      std::fprintf(stderr, "%s\n", result.error().message.c_str());
      return 2;
    }
    footfalls = result->analysis.footfalls.size();
  }
  const double raw_mb = static_cast<double>(values) * 4.0 / 1e6;
  std::printf(
      "{\"file\": \"%s\", \"raw_mb\": %.1f, \"footfalls\": %zu, \"read_s\": %.3f, \"analyze_s\": %.3f, "
      "\"read_mb_s\": %.1f, \"analyze_mb_s\": %.1f, \"analysis_over_io\": %.3f, \"checksum\": %.6g}\n",
      argv[1], raw_mb, footfalls, best_read, best_analyze, raw_mb / best_read, raw_mb / best_analyze,
      best_read / best_analyze, checksum);
  return 0;
}
