// Peak memory of the analysis (docs/performance.md, "Memory"): batch::assess_file, the code path
// of `insole analyze`, `insole report` and `insole batch`, on one recording, then the process's
// maximum resident set size (getrusage) and the raw size of the frames it analysed, as one JSON
// line. Usage: insole_bench_memory FILE
#include <sys/resource.h>

#include <cstdio>

#include "insole/batch/run.hpp"
#include "insole/io/hdf5_recording.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  auto rules = insole::recommend::load_default_rules();
  if (!rules) {
    std::fprintf(stderr, "%s\n", rules.error().message.c_str());
    return 2;
  }
  double raw_mb = 0.0;
  long long frames = 0;
  {
    auto reader = insole::io::RecordingReader::open(argv[1]);
    if (!reader) {
      std::fprintf(stderr, "%s\n", reader.error().message.c_str());
      return 2;
    }
    for (std::size_t s = 0; s < reader->streams().size(); ++s) {
      frames += reader->frame_count(s);
      raw_mb += 4e-6 * static_cast<double>(reader->frame_count(s)) *
                static_cast<double>(reader->streams()[s].layout.sensor_count());
    }
  }
  auto result = insole::batch::assess_file(argv[1], *rules);
  if (!result) {
    std::fprintf(stderr, "%s\n", result.error().message.c_str());
    return 2;
  }
  std::size_t used = 0;
  for (const auto& fa : result->analysis.footfalls) used += fa.footfall.reject_reason.empty() ? 1 : 0;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("{\"file\": \"%s\", \"frames\": %lld, \"raw_mb\": %.1f, \"footfalls\": %zu, \"footfalls_used\": %zu, "
              "\"max_rss_mb\": %.1f}\n",
              argv[1], frames, raw_mb, result->analysis.footfalls.size(), used,
              static_cast<double>(ru.ru_maxrss) / 1024.0);
  return 0;
}
