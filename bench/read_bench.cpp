// Read throughput of the analysis path against the HDF5 library path (docs/performance.md,
// "Reading frames"). For one recording, reads every frame of every stream in the blocks the
// analysis reads (batch::AnalyseOptions::read_bytes: whole chunks of at least 4 MiB), touching every value, on
//   direct   RecordingReader::read_frames as analyze/report/batch use it (raw chunks decoded
//            outside HDF5 on INSOLE_DECODE_THREADS threads),
//   library  the same with INSOLE_HDF5_PATH=library (HDF5's filter pipeline),
// for 1 and 2 decode threads, interleaved (machine noise hits all alike), best of REPEATS. Prints
// one JSON line per thread count. Usage: insole_bench_read FILE [REPEATS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include "insole/io/hdf5_recording.hpp"
#include "read_blocks.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Seconds to read every frame; `values` and `checksum` let the caller check both paths agree.
double read_all(const char* file, long long& values, double& checksum) {
  const auto t0 = Clock::now();
  values = 0;
  checksum = 0;
  insole::bench::read_blocks(file, [&](const insole::Stream& frames) {
    checksum += static_cast<double>(frames.pressure_kpa.unaryExpr([](float v) { return v == v ? v : 0.f; }).sum());
    values += frames.pressure_kpa.size();
  });
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = insole::bench::repeats_from_args(argc, argv);
  for (const char* threads : {"1", "2"}) {
    ::setenv("INSOLE_DECODE_THREADS", threads, 1);
    double best_direct = std::numeric_limits<double>::infinity(), best_library = best_direct;
    long long values = 0, lib_values = 0;
    double sum = 0, lib_sum = 0;
    for (int r = 0; r < repeats; ++r) {
      ::unsetenv("INSOLE_HDF5_PATH");
      best_direct = std::min(best_direct, read_all(argv[1], values, sum));
      ::setenv("INSOLE_HDF5_PATH", "library", 1);
      best_library = std::min(best_library, read_all(argv[1], lib_values, lib_sum));
    }
    ::unsetenv("INSOLE_HDF5_PATH");
    if (values != lib_values || sum != lib_sum) {
      std::fprintf(stderr, "the paths disagree: %lld values (sum %.17g) against %lld (sum %.17g)\n", values, sum,
                   lib_values, lib_sum);
      return 1;
    }
    const double mb = static_cast<double>(values) * 4.0 / 1e6;
    std::printf("{\"file\": \"%s\", \"threads\": %s, \"raw_mb\": %.1f, \"direct_s\": %.4f, \"library_s\": %.4f, "
                "\"direct_mb_s\": %.1f, \"library_mb_s\": %.1f, \"direct_over_library\": %.3f}\n",
                argv[1], threads, mb, best_direct, best_library, mb / best_direct, mb / best_library,
                best_library / best_direct);
  }
  return 0;
}
