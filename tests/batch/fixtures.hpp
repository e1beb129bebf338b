#pragma once
// Small simulated recordings for the batch tests (a few seconds on a small mat, so that a test
// analysing a dozen of them stays fast under the sanitizers) and the broken files a real study
// folder contains.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "insole/io/hdf5_recording.hpp"
#include "insole/sim/simulator.hpp"

namespace insole::batch::fixture {

inline sim::MatParams small_mat() {
  sim::MatParams m;
  m.rows = 44;
  m.cols = 110;
  m.pitch_mm = 8.0;
  m.device = "simulated test mat";
  return m;
}

/// A 2.4 s walk over a small mat (a few footfalls per foot), written atomically.
inline void write_walk(const std::filesystem::path& path, std::uint64_t seed, double duration_s = 2.4) {
  sim::WalkParams w;
  w.duration_s = duration_s;
  w.seed = seed;
  w.sample_rate_hz = 50;
  Recording rec = sim::simulate_walk_mat(w, small_mat()).recording;
  rec.meta.subject = "S" + std::to_string(seed);
  std::filesystem::create_directories(path.parent_path());
  auto st = io::write_recording(path, rec);
  ASSERT_TRUE(st) << st.error().message;
}

/// A valid recording with a stream but no frames.
inline void write_empty(const std::filesystem::path& path) {
  Recording rec;
  rec.meta.subject = "EMPTY";
  Stream s;
  s.info.name = "mat";
  s.info.layout = SensorLayout::grid(8, 8, 5.0, 5.0).value();
  s.info.side = Side::both;
  s.info.sample_rate_hz = 100;
  s.info.device = "empty test mat";
  s.pressure_kpa.resize(0, 64);
  rec.streams.push_back(std::move(s));
  std::filesystem::create_directories(path.parent_path());
  auto st = io::write_recording(path, rec);
  ASSERT_TRUE(st) << st.error().message;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

/// A copy of `good` cut to `fraction` of its size (an interrupted copy or download).
inline void write_truncated(const std::filesystem::path& good, const std::filesystem::path& path, double fraction) {
  std::ifstream in(good, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write_text(path, bytes.substr(0, static_cast<std::size_t>(static_cast<double>(bytes.size()) * fraction)));
}

inline std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace insole::batch::fixture
