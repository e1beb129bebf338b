// insole capture: records one or more sources into one HDF5 file, with a live view.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>

#include "commands.hpp"
#include "insole/capture/capture.hpp"
#include "insole/calibration/calibration_file.hpp"
#include "insole/capture/live_view.hpp"
#include "source_uri.hpp"

namespace insole::cli {

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void on_stop_signal(int) { g_stop.store(true); }

}  // namespace

int cmd_capture(const Args& args) {
  po::options_description opts("options");
  std::vector<std::string> sources, calibrations;
  std::string output, subject, mode;
  double duration_s = 0, mass_kg = 0, flush_s = 0.5;
  opts.add_options()
      ("source,s", po::value(&sources)->required(),
       "frame source; repeat for several at once (two insoles, insoles + mat):\n"
       "  serial:///dev/serial/by-id/...?protocol=NAME[&baud=N]\n"
       "  sim://walk?foot=flat&seed=1   (simulator)\n"
       "  file:///path/recording.h5     (playback)")
      ("output,o", po::value(&output)->required(), "HDF5 file to write (never overwritten)")
      ("duration", po::value(&duration_s), "seconds to record (default: until Ctrl-C or the sources end)")
      ("subject", po::value(&subject), "subject pseudonym (never a real name)")
      ("mode", po::value(&mode), "walk | stand")
      ("mass", po::value(&mass_kg), "body mass in kg")
      ("flush", po::value(&flush_s), "seconds between flushes to disk, at most 1 (default 0.5)")
      ("calibration", po::value(&calibrations),
       "calibration file (insole calibrate compute) applied as frames arrive: the stream it names, or "
       "the only stream in counts, is recorded in kPa with its raw counts kept beside; repeat per stream")
      ("quiet,q", "no live view; only the summary")
      ("plain", "plain status lines even on a terminal");
  po::variables_map vm;
  if (auto rc = parse_options("capture", "--source URI [--source URI ...] -o FILE [options]",
                              "Records frame sources into one HDF5 recording on one clock. Ctrl-C stops "
                              "and finalises the file; an unplugged device is waited for and the gap "
                              "recorded as events.",
                              opts, {}, args, vm))
    return *rc;
  if (!mode.empty() && mode != "walk" && mode != "stand")
    return usage_error("capture", "--mode must be walk or stand, got '" + mode + "'");
  if (duration_s < 0) return usage_error("capture", "--duration must be >= 0");
  if (vm.count("mass") && !(mass_kg > 0 && mass_kg < 500))
    return usage_error("capture", "--mass must be between 0 and 500 kg");
  if (!(flush_s > 0 && flush_s <= 1)) return usage_error("capture", "--flush must be in (0, 1] s");

  std::vector<Calibration> cals;
  for (const auto& file : calibrations) {
    auto cal = calibration::read_file(file);
    if (!cal) return report_error("capture", cal.error());
    cals.push_back(std::move(*cal));
  }

  auto clock = steady_clock();
  std::vector<std::unique_ptr<FrameSource>> opened;
  for (const auto& uri : sources) {
    auto src = open_source(uri, clock);
    if (!src) return report_error("capture", src.error());
    opened.push_back(std::move(src).value());
  }

  capture::CaptureOptions copt;
  copt.output = output;
  copt.duration_s = duration_s;
  copt.flush_interval_s = flush_s;
  copt.calibrations = std::move(cals);
  copt.meta.subject = subject;
  copt.meta.mode = mode;
  if (vm.count("mass")) copt.meta.body_mass_kg = mass_kg;

  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  const bool quiet = vm.count("quiet") > 0;
  const bool live = terminal && !quiet && !vm.count("plain");
  copt.progress_interval_s = live ? 0.5 : 1.0;
  capture::LiveViewStyle style;
  auto on_progress = [&](const capture::CaptureProgress& p) {
    if (quiet || p.finished) return;
    if (live)
      std::cout << capture::render_live_view(p, style) << std::flush;
    else
      std::cout << capture::render_status_line(p) << std::endl;
  };

  // First Ctrl-C (or SIGTERM) stops cleanly; the handler then reverts so a second one kills.
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  auto result = capture::run_capture(std::move(opened), copt, clock, &g_stop, on_progress);
  if (!result) return report_error("capture", result.error());
  const auto& s = *result;
  std::cout << (live ? "\n" : "") << "wrote " << s.output.string() << " (" << s.stop_reason << ", "
            << s.duration_s << " s)\n";
  for (std::size_t i = 0; i < s.stream_names.size(); ++i)
    std::cout << "  " << s.stream_names[i] << ": " << s.frames[i] << " frames\n";
  int rc = kExitOk;
  for (const auto& src : s.final_progress.sources) {
    const auto& st = src.stats;
    std::cout << "  " << src.uri << ": lost " << st.lost_frames << ", checksum errors "
              << st.checksum_errors << ", resyncs " << st.resyncs << ", overflow " << st.overflows
              << ", reconnects " << st.reconnects << ", gaps " << src.gaps << "\n";
    if (src.state == capture::SourceState::failed) {
      std::cerr << "insole capture: source " << src.uri << " failed: " << src.last_error << "\n";
      rc = kExitProblem;
    }
  }
  if (s.events) std::cout << "  " << s.events << " events recorded (gaps, failures)\n";
  return rc;
}

}  // namespace insole::cli
