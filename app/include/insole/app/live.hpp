#pragma once
// Live capture for the app: one capture at a time, through capture::run_capture (the path of
// `insole capture`), on a thread of its own. Every progress tick becomes one JSON message for the
// browsers watching (WebSocket): per stream the pooled pressure map (kPa), total force (N) and
// centre of pressure, per source its state ("reconnecting" when a device was unplugged; frames
// resume by themselves when it comes back). A preview records into a scratch file that is
// deleted at the end; a trial records into the visit's folder and is indexed when it finishes.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "insole/capture/capture.hpp"
#include "insole/core/clock.hpp"
#include "insole/core/frame_source.hpp"

namespace insole::app {

/// A source the user can choose.
struct SourceChoice {
  std::string uri;    ///< what SourceOpener takes
  std::string label;  ///< shown to the user
  std::string kind;   ///< "serial" | "simulator" | "emulator" (demo_devices.hpp)
  /// The device's serial number when known (a USB device's, from sysfs), "" otherwise; a
  /// calibration file of that device is preselected (calibrations.hpp).
  std::string serial;
};

using SourceLister = std::function<std::vector<SourceChoice>()>;
using SourceOpener = std::function<Result<std::unique_ptr<FrameSource>>(const std::string& uri)>;

/// The live message of one progress tick (exposed for tests): {"type":"frame", "elapsed_s",
/// "recording", "streams":[{name, side, units, calibration, rows, cols, cells_kpa (row-major,
/// null = no sensel), max_kpa, total_force_n, cop:{row, col} (cell units, null without load),
/// frames, rate_hz, captured_unix_ms (when the latest frame arrived)}], "sources":[{uri, state,
/// connected, gaps, last_error, lost}], "sent_unix_ms"}; "connected" is false while the device is
/// unplugged or silent ("state": "reconnecting") and before its first frame; the two stamps are
/// ms since the Unix epoch on the system clock.
/// "units" is the stream's as recorded: "kPa" (a device that reports pressure, or counts
/// calibrated as they arrive; "calibration" then says which: {device_serial, stream, method,
/// date}) or "counts" (uncalibrated; "calibration" null). The values of cells_kpa and max_kpa
/// are in those units; total_force_n is null for counts, which are no pressure to integrate.
nlohmann::json live_message(const capture::CaptureProgress& progress, bool recording, int max_rows = 24,
                            int max_cols = 48);

class LiveCapture {
 public:
  struct Finished {
    bool ok = false;
    std::string message;                   ///< error or stop reason
    std::filesystem::path output;
    std::uint64_t frames = 0;
  };
  /// Called on the capture thread when a capture ends (stopped, duration reached, source ended
  /// or failed); a recording is complete on disk by then.
  using OnFinished = std::function<void(const Finished&)>;

  LiveCapture(SourceOpener opener, std::shared_ptr<Clock> clock);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  /// Opens `uri` and starts recording into `output` (which must not exist), with `calibrations`
  /// applied as frames arrive (capture::CaptureOptions::calibrations). Fails when a capture is
  /// already running, the source cannot be opened, or a calibration does not fit the source's
  /// streams (capture::capture_streams, checked before anything starts: no file is made).
  Status start(const std::string& uri, const std::filesystem::path& output, RecordingMetadata meta, bool recording,
               OnFinished on_finished, double duration_s = 0.0, std::vector<Calibration> calibrations = {});
  /// Asks the running capture to stop and waits for it; no-op when idle.
  void stop();
  bool running() const;
  /// {"running", "recording", "source", "last": Finished as JSON}.
  nlohmann::json status() const;

  /// Subscribers get every live message (on the capture thread; keep it short).
  int subscribe(std::function<void(const std::string&)> on_message);
  void unsubscribe(int id);

 private:
  void publish(const std::string& message);
  void join_finished();

  SourceOpener opener_;
  std::shared_ptr<Clock> clock_;
  mutable std::mutex mutex_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};
  bool recording_ = false;
  std::string source_;
  Finished last_;
  std::mutex subscribers_mutex_;
  std::map<int, std::function<void(const std::string&)>> subscribers_;
  int next_id_ = 1;
};

}  // namespace insole::app
