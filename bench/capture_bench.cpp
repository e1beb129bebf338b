// Sustained live capture through real pseudo-terminals at far above real device rates:
//   (1) a 64 x 64 mat (header framing, u16, sum8) at 1 kHz,
//   (2) an 18-point insole pair (left + right) at 1 kHz per foot,
//   (3) both at once into one file.
// Device emulators run in a forked child process, so the CPU time measured here (getrusage of
// this process) is the capture side only: Asio reads, decoding, queueing, HDF5 appends,
// compression and flushes. Prints counts and ratios, one JSON object per scenario.
//
// usage: insole_bench_capture [seconds-per-scenario=5] [workdir=/tmp/insole-bench-capture]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "insole/capture/capture.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"
#include "insole/drivers/transport/device_emulator.hpp"
#include "insole/drivers/transport/serial_source.hpp"
#include "insole/sim/simulator.hpp"

namespace {

using namespace insole;
namespace fs = std::filesystem;

constexpr double kRateHz = 1000.0;

// The M1616 wire format grown to 64 x 64 (8 KiB + 7 bytes per frame, 8.2 MB/s at 1 kHz), with a
// sum8 so corruption would show.
std::shared_ptr<const drivers::ProtocolInfo> mat64_protocol() {
  drivers::MatrixCodecConfig c;
  for (const auto& p : drivers::matrix_presets())
    if (p.name == "m1616") c = p;
  c.name = "bench_mat64";
  c.description = "64x64 mat, AA AB AC + u16 BE + sum8, 1 kHz (benchmark)";
  c.rows = 64;
  c.cols = 64;
  c.row_pitch_mm = c.col_pitch_mm = 7.62;
  c.checksum = drivers::MatrixChecksum::sum8_payload;
  c.frame_rate_hz = kRateHz;
  c.baud = 3000000;
  auto info = drivers::make_matrix_protocol(c);
  if (!info) throw std::runtime_error(info.error().message);
  return std::make_shared<const drivers::ProtocolInfo>(std::move(info).value());
}

std::shared_ptr<const drivers::ProtocolInfo> insole_protocol() {
  drivers::MatrixCodecConfig c;
  for (const auto& p : drivers::matrix_presets())
    if (p.name == "insole18_uart") c = p;
  c.name = "bench_insole18";
  c.frame_rate_hz = kRateHz;
  auto info = drivers::make_matrix_protocol(c);
  if (!info) throw std::runtime_error(info.error().message);
  return std::make_shared<const drivers::ProtocolInfo>(std::move(info).value());
}

// Simulated frames with the protocol's layout (a walk on a 64 x 64 mat, or walking insoles),
// generated into memory up front so the simulator's cost does not limit the device rate.
std::unique_ptr<FrameSource> frames_for(const drivers::ProtocolInfo& p, double seconds) {
  std::map<std::string, std::string> o{{"rate", std::to_string(kRateHz)},
                                       {"duration", std::to_string(seconds + 0.5)},
                                       {"noise", "2"},
                                       {"seed", "7"}};
  const auto& layout = p.streams.front().layout;
  if (layout.is_grid()) {
    o["layout"] = "mat";
    o["rows"] = std::to_string(layout.rows());
    o["cols"] = std::to_string(layout.cols());
    o["pitch"] = std::to_string(layout.row_pitch_mm());
  } else {
    o["layout"] = "insole" + std::to_string(layout.sensor_count());
  }
  auto spec = sim::parse_spec(o);
  if (!spec) throw std::runtime_error(spec.error().message);
  auto gen = sim::make_generator(*spec);
  if (!gen) throw std::runtime_error(gen.error().message);
  Recording rec;
  for (std::size_t s = 0; s < gen->streams().size(); ++s) {
    Stream st;
    st.info = gen->streams()[s];
    gen->generate(s, 0, gen->frame_count(), st.time_s, st.pressure_kpa);
    rec.streams.push_back(std::move(st));
  }
  return std::make_unique<RecordingSource>(std::move(rec), "sim://bench");
}

double clock_now() { return steady_clock()->now_s(); }

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Child: runs the emulators, reports their paths, waits for the parent's go, streams for
// `seconds`, drains and reports what it sent.
[[noreturn]] void run_devices(const std::vector<std::shared_ptr<const drivers::ProtocolInfo>>& protos,
                              double seconds, int to_parent, int from_parent) {
  std::vector<std::unique_ptr<FrameSource>> frames;
  for (const auto& p : protos) frames.push_back(frames_for(*p, seconds));
  std::vector<std::unique_ptr<drivers::DeviceEmulator>> emus;
  std::string paths;
  const double start_s = clock_now();
  for (std::size_t i = 0; i < protos.size(); ++i) {
    drivers::EmulatorOptions o;
    o.custom_protocol = protos[i];
    o.max_frames = static_cast<std::uint64_t>(seconds * kRateHz) * protos[i]->streams.size();
    o.start_delay_s = 1.0;  // the host connects meanwhile
    auto e = drivers::DeviceEmulator::start(o, std::move(frames[i]), steady_clock());
    if (!e) {
      std::cerr << "emulator: " << e.error().message << "\n";
      ::_exit(1);
    }
    paths += e.value()->host_path() + "\n";
    emus.push_back(std::move(e).value());
  }
  if (::write(to_parent, paths.data(), paths.size()) < 0) ::_exit(1);
  for (bool all = false; !all;) {
    all = true;
    for (auto& e : emus) all = all && e->finished();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double streamed_s = clock_now() - start_s - 1.0;
  std::string report;
  for (auto& e : emus) {
    e->unplug(10.0);  // after the host has read everything
    const auto st = e->stats();
    report += std::to_string(st.frames_sent) + " " + std::to_string(st.frames_skipped) + " " +
              std::to_string(streamed_s) + "\n";
  }
  if (::write(to_parent, report.data(), report.size()) < 0) ::_exit(1);
  char c;
  [[maybe_unused]] auto n = ::read(from_parent, &c, 1);
  ::_exit(0);
}

std::vector<std::string> read_lines(int fd, std::size_t n) {
  std::vector<std::string> lines;
  std::string buf;
  char c;
  while (lines.size() < n && ::read(fd, &c, 1) == 1) {
    if (c == '\n') {
      lines.push_back(buf);
      buf.clear();
    } else {
      buf += c;
    }
  }
  return lines;
}

void scenario(const std::string& name, const std::vector<std::shared_ptr<const drivers::ProtocolInfo>>& protos,
              double seconds, const fs::path& work) {
  int up[2], down[2];
  if (::pipe(up) != 0 || ::pipe(down) != 0) throw std::runtime_error("pipe");
  // Frames are generated before the clock starts: the simulator is not part of the measure.
  const pid_t pid = ::fork();
  if (pid == 0) run_devices(protos, seconds, up[1], down[0]);
  const auto paths = read_lines(up[0], protos.size());
  if (paths.size() != protos.size()) throw std::runtime_error("device process failed");

  std::vector<std::unique_ptr<FrameSource>> sources;
  std::vector<drivers::SerialSource*> serial;
  for (std::size_t i = 0; i < protos.size(); ++i) {
    drivers::SerialSourceOptions o;
    o.path = paths[i];
    o.custom_protocol = protos[i];
    o.queue_frames = 8192;
    o.reconnect = false;
    auto s = std::make_unique<drivers::SerialSource>(o, steady_clock());
    serial.push_back(s.get());
    sources.push_back(std::move(s));
  }
  const fs::path out = work / (name + ".h5");
  fs::remove(out);
  std::atomic<bool> stop{false};
  std::vector<std::uint64_t> sent(protos.size(), 0), skipped(protos.size(), 0);
  std::vector<double> streamed_s(protos.size(), 0.0);
  std::thread waiter([&] {
    const auto report = read_lines(up[0], protos.size());
    for (std::size_t i = 0; i < report.size(); ++i) std::istringstream(report[i]) >> sent[i] >> skipped[i] >> streamed_s[i];
    stop = true;  // everything sent has been read by the host: stop and finalise
  });
  capture::CaptureOptions opt;
  opt.output = out;
  opt.progress_interval_s = 1.0;
  const double cpu0 = cpu_seconds();
  auto r = capture::run_capture(std::move(sources), opt, steady_clock(), &stop);
  const double cpu_s = cpu_seconds() - cpu0;
  waiter.join();
  if (::write(down[1], "x", 1) < 0) {
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!r) throw std::runtime_error(r.error().message);

  std::uint64_t written = 0, sent_total = 0, skipped_total = 0;
  for (auto f : r->frames) written += f;
  for (std::size_t i = 0; i < protos.size(); ++i) {
    sent_total += sent[i];
    skipped_total += skipped[i];
  }
  std::uint64_t lost = 0, crc = 0, ovf = 0, resync = 0;
  for (const auto& s : r->final_progress.sources) {
    lost += s.stats.lost_frames;
    crc += s.stats.checksum_errors;
    ovf += s.stats.overflows;
    resync += s.stats.resyncs;
  }
  double streaming_s = 0;  // how long the devices took to send their frames
  for (double t : streamed_s) streaming_s = std::max(streaming_s, t);
  // The same frames written straight from memory by the same capture code: the cost of the disk
  // side alone, so the ratio shows what the serial path (Asio reads, decoding, queue) adds.
  double write_only_cpu_s = 0;
  {
    std::vector<std::unique_ptr<FrameSource>> mem;
    for (const auto& p : protos) mem.push_back(frames_for(*p, seconds));
    capture::CaptureOptions wopt;
    wopt.output = work / (name + "-memory.h5");
    fs::remove(wopt.output);
    const double c0 = cpu_seconds();
    auto w = capture::run_capture(std::move(mem), wopt, steady_clock());
    write_only_cpu_s = cpu_seconds() - c0;
    if (!w) throw std::runtime_error(w.error().message);
    // Scale to the frames of the live run (the memory run also writes the 0.5 s of slack).
    std::uint64_t n = 0;
    for (auto f : w->frames) n += f;
    if (n) write_only_cpu_s *= double(written) / double(n);
    fs::remove(wopt.output);
  }
  std::printf(
      "{\"scenario\":\"%s\",\"frames_sent\":%llu,\"frames_written\":%llu,\"missing\":%lld,"
      "\"device_skipped\":%llu,\"decoder_lost\":%llu,\"checksum_errors\":%llu,\"resyncs\":%llu,"
      "\"overflows\":%llu,\"queue_high_water\":%llu,\"frames_per_s\":%.0f,\"cpu_s\":%.2f,"
      "\"cpu_us_per_frame\":%.1f,\"cpu_share_of_one_core\":%.3f,\"write_only_cpu_us_per_frame\":%.1f,"
      "\"live_over_write_only_cpu\":%.2f,\"streaming_s\":%.2f,\"file_mb\":%.1f}\n",
      name.c_str(), (unsigned long long)sent_total, (unsigned long long)written,
      (long long)sent_total - (long long)written, (unsigned long long)skipped_total, (unsigned long long)lost,
      (unsigned long long)crc, (unsigned long long)resync, (unsigned long long)ovf,
      (unsigned long long)r->final_progress.queue_high_water, double(written) / streaming_s, cpu_s,
      written ? 1e6 * cpu_s / double(written) : 0.0, cpu_s / streaming_s,
      written ? 1e6 * write_only_cpu_s / double(written) : 0.0, cpu_s / write_only_cpu_s, streaming_s,
      double(fs::file_size(out)) / 1e6);
  std::fflush(stdout);
  fs::remove(out);
}

}  // namespace

int main(int argc, char** argv) try {
  const double seconds = argc > 1 ? std::stod(argv[1]) : 5.0;
  const fs::path work = argc > 2 ? argv[2] : "/tmp/insole-bench-capture";
  fs::create_directories(work);
  const auto mat = mat64_protocol();
  const auto insoles = insole_protocol();
  scenario("mat64_1khz", {mat}, seconds, work);
  scenario("insoles18_1khz", {insoles}, seconds, work);
  scenario("mat64_and_insoles_1khz", {mat, insoles}, seconds, work);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "insole_bench_capture: " << e.what() << "\n";
  return 1;
}
