// Writes a long simulated mat recording for the benchmarks, frame by frame through the streaming
// writer (sim::Generator + io::RecordingWriter), so that an hour of a 64 x 64 mat never has to be
// held in memory. Usage: insole_bench_make [--mode walk|treadmill|stand] OUT.h5 MINUTES [ROWS COLS
// PITCH_MM RATE_HZ [CHUNK_FRAMES DEFLATE_LEVEL]] (chunking and level default to the writer's).
// walk crosses the mat and turns; treadmill walks in place (some foot always on the mat); stand
// is a standing trial (both feet on the mat throughout).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "insole/io/hdf5_recording.hpp"
#include "insole/sim/simulator.hpp"

int main(int argc, char** argv) {
  std::string mode = "walk";
  const char* prog = argv[0];
  if (argc > 2 && std::string(argv[1]) == "--mode") {
    mode = argv[2];
    argv += 2;
    argc -= 2;
  }
  if (argc < 3 || (mode != "walk" && mode != "treadmill" && mode != "stand")) {
    std::fprintf(stderr, "usage: %s [--mode walk|treadmill|stand] OUT.h5 MINUTES [ROWS COLS PITCH_MM RATE_HZ [CHUNK_FRAMES DEFLATE_LEVEL]]\n", prog);
    return 2;
  }
  const std::string out = argv[1];
  insole::sim::WalkParams w;
  w.duration_s = 60.0 * std::atof(argv[2]);
  w.sample_rate_hz = argc > 6 ? std::atof(argv[6]) : 100.0;
  // A 64 x 64 mat at 10 mm is 0.64 m square: each pass across it is about one step per foot.
  insole::sim::MatParams mat;
  mat.rows = argc > 3 ? std::atoi(argv[3]) : 64;
  mat.cols = argc > 4 ? std::atoi(argv[4]) : 64;
  mat.pitch_mm = argc > 5 ? std::atof(argv[5]) : 10.0;
  w.noise = insole::sim::NoiseParams::typical_mat();  // realistic sensor: noise, floor, steps
  w.treadmill = mode == "treadmill";
  insole::sim::StandParams st;
  st.duration_s = w.duration_s;
  st.sample_rate_hz = w.sample_rate_hz;
  st.noise = w.noise;
  auto gen = mode == "stand" ? insole::sim::Generator::stand_mat(st, mat) : insole::sim::Generator::walk_mat(w, mat);
  if (!gen) {
    std::fprintf(stderr, "%s\n", gen.error().message.c_str());
    return 2;
  }
  insole::io::WriterOptions opts;
  if (argc > 7) opts.chunk_frames = std::atoi(argv[7]);
  if (argc > 8) opts.deflate_level = std::atoi(argv[8]);
  auto writer = insole::io::RecordingWriter::create(out, gen->metadata(), gen->streams(), opts);
  if (!writer) {
    std::fprintf(stderr, "%s\n", writer.error().message.c_str());
    return 2;
  }
  const Eigen::Index n = gen->frame_count();
  constexpr Eigen::Index kBlock = 500;
  Eigen::VectorXd t;
  insole::FrameMatrix p;
  insole::PressureFrame frame;
  for (Eigen::Index first = 0; first < n; first += kBlock) {
    const Eigen::Index count = std::min(kBlock, n - first);
    gen->generate(0, first, count, t, p);
    for (Eigen::Index k = 0; k < count; ++k) {
      frame.stream = 0;
      frame.time_s = t[k];
      frame.sequence = static_cast<std::uint64_t>(first + k);
      frame.pressure_kpa = p.row(k).transpose();
      if (auto st = writer->append(frame); !st) {
        std::fprintf(stderr, "%s\n", st.error().message.c_str());
        return 2;
      }
    }
  }
  if (auto st = writer->close(); !st) {
    std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return 2;
  }
  std::printf("%s: %lld frames of %d x %d\n", out.c_str(), static_cast<long long>(n), mat.rows, mat.cols);
  return 0;
}
