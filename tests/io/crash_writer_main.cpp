// Child process for the crash-durability test: captures frames into an HDF5 file with
// RecordingWriter until it is killed. Frame values follow a formula of the frame index, so the
// test can check every frame that survived. Stream "left" is calibrated as it is written (counts
// in raw_counts, pressure = 2 x counts). Usage: io_crash_writer <file.h5>
// Prints "ready <t0_steady_s>" on stdout once the file exists; time_s of each frame is steady-clock
// seconds since t0 (std::chrono::steady_clock is CLOCK_MONOTONIC, shared by all processes).
//
// io_crash_writer <file.h5> die-at-write <n> dies (exit code 9) at the n-th write HDF5 makes to
// the file from its second flush on, before that write reaches the file: the file is left
// exactly as a SIGKILL at that moment leaves it, at a moment chosen by count rather than by
// clock. It prints "completed <writes>" if the flush and the close made fewer than n writes.

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "insole/io/hdf5_recording.hpp"

namespace {

constexpr int kDiedAtWrite = 9;
std::atomic<long> writes_left{-1};  // writes still allowed; -1 while not counting
std::atomic<long> writes_made{0};

}  // namespace

namespace {

ssize_t counted_pwrite(int fd, const void* buf, size_t n, off64_t offset) {
  if (writes_left.load() >= 0) {
    if (writes_left.fetch_sub(1) == 0) _exit(kDiedAtWrite);
    ++writes_made;
  }
  return static_cast<ssize_t>(::syscall(SYS_pwrite64, fd, buf, n, offset));
}

}  // namespace

// HDF5's file driver writes with pwrite (nm -D libhdf5: U pwrite; pwrite64 in a build with
// _FILE_OFFSET_BITS=64). These definitions in the program take precedence over the C library's
// for every shared library it loads.
extern "C" ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset) { return counted_pwrite(fd, buf, n, offset); }
#if !defined(_FILE_OFFSET_BITS) || _FILE_OFFSET_BITS != 64  // there pwrite is already pwrite64
extern "C" ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t offset) {
  return counted_pwrite(fd, buf, n, offset);
}
#endif

int main(int argc, char** argv) {
  // "unflushed": write 5 frames per stream and flush, then 25 more in whole chunks of 10 that no
  // flush commits, say "ready" and wait to be killed (rows beyond frame_count for recover to trim).
  const bool unflushed = argc == 3 && std::string(argv[2]) == "unflushed";
  // "die-at-write n": 13 frames per stream flushed, 14 more, then the counted flush and close.
  const bool die_at_write = argc == 4 && std::string(argv[2]) == "die-at-write";
  if (argc != 2 && !unflushed && !die_at_write) return 2;
  using namespace insole;
  auto clock = steady_clock();
  const double t0 = clock->now_s();
  std::vector<StreamInfo> streams(2);
  streams[0].name = "mat";
  streams[0].layout = SensorLayout::grid(16, 8, 5.0, 5.0).value();
  streams[0].sample_rate_hz = 100;
  streams[0].side = Side::both;
  streams[1].name = "left";
  streams[1].layout = SensorLayout::sensors(Eigen::MatrixX2d::Constant(16, 2, 10.0), Eigen::VectorXd::Constant(16, 100.0)).value();
  streams[1].sample_rate_hz = 200;
  streams[1].side = Side::left;
  // The insole is calibrated as it records: its frames are counts, kept as raw_counts, and its
  // pressure is twice them (linear, 2 kPa per count).
  Calibration cal;
  cal.device_serial = "CRASH-1";
  cal.method = "manual";
  cal.date = "2026-12-07";
  cal.coefficients = {2.0};
  streams[1].calibration = cal;
  RecordingMetadata meta;
  meta.created_by = "io_crash_writer";
  char t0_text[64];
  std::snprintf(t0_text, sizeof t0_text, "%.9f", t0);
  meta.attributes["t0_steady_s"] = t0_text;
  io::WriterOptions opts;
  opts.clock = clock;
  if (unflushed || die_at_write) {
    opts.flush_interval_s = 1e6;
    opts.chunk_frames = 10;
  }
  auto writer = io::RecordingWriter::create(argv[1], meta, streams, opts);
  if (!writer) {
    std::fprintf(stderr, "%s\n", writer.error().message.c_str());
    return 1;
  }
  // Frames k = 0 .. count - 1 of both streams, every value k, with a flush before frame flush_at.
  auto constant_frames = [&](int count, int flush_at) {
    for (int k = 0; k < count; ++k) {
      if (k == flush_at && !writer->flush()) return false;
      for (std::size_t s = 0; s < 2; ++s) {
        PressureFrame f;
        f.stream = s;
        f.time_s = 0.01 * k;
        f.sequence = std::uint64_t(k);
        f.pressure_kpa = Eigen::VectorXf::Constant(streams[s].layout.sensor_count(), float(k));
        if (!writer->append(f)) return false;
      }
    }
    return true;
  };
  if (die_at_write) {
    const long n = std::atol(argv[3]);
    if (n < 1) return 2;
    if (!constant_frames(27, 13)) return 1;
    (void)writer->add_event(Event{0.2, "", "marker", "before the counted flush"});
    writes_left = n - 1;
    if (auto st = writer->flush(); !st) return 1;
    if (auto st = writer->close(); !st) return 1;
    std::printf("completed %ld\n", writes_made.load());
    return 0;
  }
  if (unflushed) {
    if (!constant_frames(30, 5)) return 1;
    std::printf("ready %s\n", t0_text);
    std::fflush(stdout);
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::printf("ready %s\n", t0_text);
  std::fflush(stdout);
  std::uint64_t n[2] = {0, 0};
  for (std::uint64_t tick = 0;; ++tick) {  // 200 Hz; the mat gets every second tick
    for (std::size_t s = 0; s < 2; ++s) {
      if (s == 0 && tick % 2) continue;
      PressureFrame f;
      f.stream = s;
      f.time_s = clock->now_s() - t0;
      f.sequence = n[s];
      const auto sensels = streams[s].layout.sensor_count();
      f.pressure_kpa.resize(sensels);
      for (Eigen::Index i = 0; i < sensels; ++i) f.pressure_kpa[i] = float(double(n[s]) * 0.5 + double(i));
      if (auto st = writer->append(f); !st) {
        std::fprintf(stderr, "%s\n", st.error().message.c_str());
        return 1;
      }
      ++n[s];
    }
    if (tick % 100 == 0) (void)writer->add_event(Event{clock->now_s() - t0, "", "marker", std::to_string(tick)});
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}
