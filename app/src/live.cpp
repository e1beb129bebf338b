#include "insole/app/live.hpp"

#include <cmath>

#include "insole/capture/live_view.hpp"

namespace insole::app {

nlohmann::json live_message(const capture::CaptureProgress& progress, bool recording, int max_rows, int max_cols) {
  using nlohmann::json;
  json msg = {{"type", "frame"}, {"elapsed_s", progress.elapsed_s}, {"recording", recording}, {"finished", progress.finished}};
  // Wall-clock stamps (ms since the Unix epoch) for frame-to-screen latency on this machine:
  // when each stream's latest frame arrived, and when this message was made.
  msg["sent_unix_ms"] = capture::unix_ms_now();
  json streams = json::array();
  for (const auto& s : progress.streams) {
    const bool counts = s.info.units == PressureUnits::counts;
    json calibration = nullptr;
    if (s.info.calibration)
      calibration = {{"device_serial", s.info.calibration->device_serial},
                     {"stream", s.info.calibration->stream},
                     {"method", s.info.calibration->method},
                     {"date", s.info.calibration->date}};
    json js = {{"name", s.info.name},
               {"side", std::string(to_string(s.info.side))},
               {"units", std::string(to_string(s.info.units))},
               {"calibration", std::move(calibration)},
               {"frames", s.frames},
               {"rate_hz", s.rate_hz},
               {"total_force_n", counts ? json(nullptr) : json(s.total_force_n)},
               {"captured_unix_ms", s.latest_received_unix_ms}};
    if (s.latest_kpa.size() == 0) {
      js["rows"] = 0;
      js["cols"] = 0;
      js["cells_kpa"] = json::array();
      js["cop"] = nullptr;
      js["max_kpa"] = nullptr;
      streams.push_back(std::move(js));
      continue;
    }
    const Eigen::MatrixXf cells = capture::pool_for_view(s.info.layout, s.latest_kpa, max_rows, max_cols);
    json values = json::array();
    // Centre of pressure of the pooled map in cell units (row, col): sum(p * position) / sum(p)
    // over loaded cells; the live view shows where the load is, the analysis computes the
    // recording's COP in millimetres from the sensels themselves.
    double sum = 0, sum_r = 0, sum_c = 0, max_kpa = 0;
    for (Eigen::Index r = 0; r < cells.rows(); ++r)
      for (Eigen::Index c = 0; c < cells.cols(); ++c) {
        const float v = cells(r, c);
        if (std::isnan(v)) {
          values.push_back(nullptr);
          continue;
        }
        values.push_back(std::round(static_cast<double>(v) * 10.0) / 10.0);
        if (v > 0) {
          sum += v;
          sum_r += v * (static_cast<double>(r) + 0.5);
          sum_c += v * (static_cast<double>(c) + 0.5);
          max_kpa = std::max(max_kpa, static_cast<double>(v));
        }
      }
    js["rows"] = cells.rows();
    js["cols"] = cells.cols();
    js["cells_kpa"] = std::move(values);
    js["max_kpa"] = max_kpa;
    js["cop"] = sum > 0 ? json{{"row", sum_r / sum}, {"col", sum_c / sum}} : json(nullptr);
    streams.push_back(std::move(js));
  }
  msg["streams"] = std::move(streams);
  json sources = json::array();
  for (const auto& s : progress.sources)
    sources.push_back({{"uri", s.uri},
                       {"state", std::string(capture::to_string(s.state))},
                       // Said plainly for the page: false while the device is unplugged or silent
                       // (the source is reconnecting; frames resume into the same recording).
                       {"connected", s.state == capture::SourceState::streaming},
                       {"gaps", s.gaps},
                       {"last_error", s.last_error},
                       {"lost", s.stats.lost_frames}});
  msg["sources"] = std::move(sources);
  return msg;
}

LiveCapture::LiveCapture(SourceOpener opener, std::shared_ptr<Clock> clock) : opener_(std::move(opener)), clock_(std::move(clock)) {}

LiveCapture::~LiveCapture() { stop(); }

void LiveCapture::join_finished() {
  if (thread_.joinable() && !running_) thread_.join();
}

Status LiveCapture::start(const std::string& uri, const std::filesystem::path& output, RecordingMetadata meta, bool recording,
                          OnFinished on_finished, double duration_s, std::vector<Calibration> calibrations) {
  std::lock_guard lock(mutex_);
  if (running_) return Error{Errc::invalid_argument, "a capture is already running (stop it first)"};
  join_finished();
  auto source = opener_(uri);
  if (!source) return source.error();
  // The capture runs on its own thread and would refuse an unfitting calibration only there, after
  // this request was answered: the same check first, on the streams the source says it has.
  if (!calibrations.empty())
    if (auto streams = capture::capture_streams({&(*source)->info()}, calibrations); !streams)
      return Error{streams.error().code, "the calibration does not fit this source: " + streams.error().message};
  std::vector<std::unique_ptr<FrameSource>> sources;
  sources.push_back(std::move(*source));
  capture::CaptureOptions options;
  options.output = output;
  options.meta = std::move(meta);
  options.duration_s = duration_s;
  options.calibrations = std::move(calibrations);
  // 30 live messages per second: what the eye needs (the aim is at least 25 drawn per second with
  // margin for a late tick on a busy machine), a fraction of a 100 Hz device.
  options.progress_interval_s = 1.0 / 30.0;
  options.flush_interval_s = 0.5;
  stop_ = false;
  running_ = true;
  recording_ = recording;
  source_ = uri;
  thread_ = std::thread([this, sources = std::move(sources), options, on_finished = std::move(on_finished)]() mutable {
    Finished done;
    done.output = options.output;
    auto summary = capture::run_capture(std::move(sources), options, clock_, &stop_,
                                        [this](const capture::CaptureProgress& p) {
                                          publish(live_message(p, recording_).dump());
                                        });
    if (summary) {
      done.ok = true;
      done.message = summary->stop_reason;
      for (auto n : summary->frames) done.frames += n;
      if (done.frames == 0) {
        done.ok = false;
        done.message = "no frames arrived from the source";
      }
    } else {
      done.message = summary.error().message;
    }
    if (on_finished) on_finished(done);
    {
      std::lock_guard l(mutex_);
      last_ = done;
    }
    publish(nlohmann::json{{"type", "finished"}, {"ok", done.ok}, {"message", done.message}, {"frames", done.frames}}.dump());
    running_ = false;
  });
  return {};
}

void LiveCapture::stop() {
  stop_ = true;
  std::thread t;
  {
    std::lock_guard lock(mutex_);
    t = std::move(thread_);
  }
  if (t.joinable()) t.join();
}

bool LiveCapture::running() const { return running_; }

nlohmann::json LiveCapture::status() const {
  std::lock_guard lock(mutex_);
  nlohmann::json last = nullptr;
  if (!last_.output.empty() || !last_.message.empty())
    last = {{"ok", last_.ok}, {"message", last_.message}, {"frames", last_.frames}};
  return {{"running", running_.load()}, {"recording", running_ && recording_}, {"source", source_}, {"last", last}};
}

int LiveCapture::subscribe(std::function<void(const std::string&)> on_message) {
  std::lock_guard lock(subscribers_mutex_);
  const int id = next_id_++;
  subscribers_[id] = std::move(on_message);
  return id;
}

void LiveCapture::unsubscribe(int id) {
  std::lock_guard lock(subscribers_mutex_);
  subscribers_.erase(id);
}

void LiveCapture::publish(const std::string& message) {
  std::lock_guard lock(subscribers_mutex_);
  for (auto& [id, f] : subscribers_) f(message);
}

}  // namespace insole::app
