#include "insole/capture/capture.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>

#include "insole/core/version.hpp"
#include "insole/io/hdf5_recording.hpp"

namespace insole::capture {

double unix_ms_now() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch());
  return static_cast<double>(us.count()) / 1000.0;
}

std::string_view to_string(SourceState state) noexcept {
  switch (state) {
    case SourceState::starting: return "starting";
    case SourceState::streaming: return "streaming";
    case SourceState::reconnecting: return "reconnecting";
    case SourceState::ended: return "ended";
    case SourceState::failed: return "failed";
  }
  return "unknown";
}

std::vector<std::string> merged_stream_names(const std::vector<const SourceInfo*>& sources) {
  std::vector<std::string> names;
  std::map<std::string, int> used;
  for (const auto* s : sources)
    for (const auto& st : s->streams) {
      std::string name = st.name.empty() ? std::string("stream") : st.name;
      int& n = used[name];
      ++n;
      if (n > 1) {
        std::string candidate;
        do {
          candidate = name + "_" + std::to_string(n);
        } while (used.count(candidate) && ++n);
        used[candidate] = 1;
        name = candidate;
      }
      names.push_back(name);
    }
  return names;
}

namespace {

// Gives each calibration its stream (CaptureOptions::calibrations): the one it names, or the only
// stream in counts. That stream is then recorded in kPa, with its counts kept beside (the writer).
Status attach_calibrations(const std::vector<Calibration>& cals, std::vector<StreamInfo>& streams) {
  auto names = [&] {
    std::string out;
    for (const auto& s : streams) out += (out.empty() ? "" : ", ") + s.name + " (" + std::string(to_string(s.units)) + ")";
    return out;
  };
  for (const Calibration& cal : cals) {
    const std::string what = "calibration" + (cal.device_serial.empty() ? std::string() : " of device " + cal.device_serial);
    StreamInfo* target = nullptr;
    if (!cal.stream.empty()) {
      for (auto& s : streams)
        if (s.name == cal.stream) target = &s;
      if (!target)
        return make_error(Errc::invalid_argument,
                          what + " is for stream '" + cal.stream + "', which this capture does not have; it has " + names());
    } else {
      std::size_t in_counts = 0;
      for (auto& s : streams)
        if (s.units == PressureUnits::counts && !s.calibration) target = &s, ++in_counts;
      if (in_counts != 1)
        return make_error(Errc::invalid_argument,
                          what + " names no stream and the capture has " + std::to_string(in_counts) +
                              " uncalibrated streams in counts (" + names() + "); say which stream it is for");
    }
    if (target->calibration)
      return make_error(Errc::invalid_argument, "stream '" + target->name + "' is given two calibrations");
    if (target->units != PressureUnits::counts)
      return make_error(Errc::invalid_argument, "stream '" + target->name + "' is already in " +
                                                    std::string(to_string(target->units)) + "; a calibration turns counts into kPa");
    if (auto st = cal.validate(target->layout.sensor_count()); !st)
      return make_error(Errc::invalid_argument, "stream '" + target->name + "': " + st.error().message);
    target->units = PressureUnits::kpa;
    target->calibration = cal;
  }
  return {};
}

}  // namespace

Result<std::vector<StreamInfo>> capture_streams(const std::vector<const SourceInfo*>& sources,
                                                const std::vector<Calibration>& calibrations) {
  const auto names = merged_stream_names(sources);
  std::vector<StreamInfo> streams;
  for (const auto* src : sources)
    for (const auto& st : src->streams) {
      StreamInfo s = st;
      s.name = names[streams.size()];
      if (s.attributes.count("source_uri") == 0) s.attributes["source_uri"] = src->uri;
      streams.push_back(std::move(s));
    }
  if (streams.empty()) return make_error(Errc::invalid_argument, "the sources describe no streams");
  if (auto st = attach_calibrations(calibrations, streams); !st) return st.error();
  return streams;
}

namespace {

// What a reader thread hands to the writer.
struct FrameItem {
  std::size_t source;
  PressureFrame frame;
  double received_unix_ms;  // wall clock when the reader got it (for live views' latency)
};
struct GapItem {
  std::size_t source;
  bool start;  // gap_start or gap_end
  double time_s;
  std::string detail;
};
struct EndItem {
  std::size_t source;
  bool failed;
  std::string detail;
};
using Item = std::variant<FrameItem, GapItem, EndItem>;

// Blocking bounded queue: readers wait for room (back-pressure towards the source's own queue).
class HandOff {
 public:
  explicit HandOff(std::size_t capacity) : capacity_(capacity) {}
  // False when the writer has given up (then the item is discarded).
  bool push(Item item, const std::atomic<bool>& abandon) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return items_.size() < capacity_ || abandon.load(); });
    if (abandon.load()) return false;
    items_.push_back(std::move(item));
    high_water_ = std::max<std::uint64_t>(high_water_, items_.size());
    lock.unlock();
    ready_.notify_one();
    return true;
  }
  std::optional<Item> pop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, timeout, [&] { return !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    Item item = std::move(items_.front());
    items_.pop_front();
    lock.unlock();
    room_.notify_one();
    return item;
  }
  void wake_all() { room_.notify_all(); }
  bool empty() const {
    std::lock_guard lock(mutex_);
    return items_.empty();
  }
  std::uint64_t high_water() const {
    std::lock_guard lock(mutex_);
    return high_water_;
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::deque<Item> items_;
  std::uint64_t high_water_ = 0;
};

struct SourceSlot {
  std::unique_ptr<FrameSource> source;
  std::size_t first_stream = 0;  // index of its first stream in the merged list
  double offset_s = 0.0;         // capture time of the source's own time zero
  // Shared with the reader thread.
  std::atomic<SourceState> state{SourceState::starting};
  mutable std::mutex stats_mutex;
  SourceStats stats;
  std::string last_error;
  std::uint64_t gaps = 0;
};

// Reads one source until asked to stop or the source ends; never throws.
// A gap starts when the source detected the disconnection (FrameSource::take_disconnect_time_s),
// or else when this reader got the error (capture time from `clock` and the capture's start
// `t0`); not when the writer gets to it: the device may be back, and its first frame stamped,
// before then.
void read_source(std::size_t index, SourceSlot& slot, HandOff& queue,
                 const std::atomic<bool>& stop_readers, const std::atomic<bool>& abandon,
                 std::chrono::milliseconds poll_timeout, std::atomic<std::size_t>& done, const Clock& clock,
                 double t0) noexcept {
  struct Done {
    std::atomic<std::size_t>& n;
    ~Done() { ++n; }
  } mark_done{done};
  FrameSource& src = *slot.source;
  // A source must stop delivering after stop(); this bounds the drain if one does not.
  constexpr std::uint64_t kMaxDrainFrames = 1u << 20;
  std::uint64_t drained = 0;
  bool in_gap = false;
  bool stopped = false;
  auto update_stats = [&] {
    const SourceStats st = src.stats();
    std::lock_guard lock(slot.stats_mutex);
    slot.stats = st;
  };
  auto finish = [&](bool failed, std::string detail) {
    update_stats();
    slot.state = failed ? SourceState::failed : SourceState::ended;
    queue.push(EndItem{index, failed, std::move(detail)}, abandon);
  };
  try {
    for (;;) {
      if (!stopped && stop_readers.load()) {
        // Stop the device but keep reading: frames already received are delivered, not lost.
        src.stop();
        stopped = true;
      }
      auto r = src.next(stopped ? std::chrono::milliseconds(0) : poll_timeout);
      update_stats();
      if (r.ok()) {
        if (in_gap) {
          in_gap = false;
          slot.state = SourceState::streaming;
          if (!queue.push(GapItem{index, false, r->time_s, "frames flow again"}, abandon)) return;
        }
        slot.state = SourceState::streaming;
        if (!queue.push(FrameItem{index, std::move(r).value(), unix_ms_now()}, abandon)) return;
        if (stopped && ++drained > kMaxDrainFrames) return finish(false, "stopped (drain limit)");
        continue;
      }
      const Error& e = r.error();
      if (e.code == Errc::timeout) {
        if (stopped) return finish(false, "stopped");
        continue;
      }
      if (e.code == Errc::disconnected && !stopped) {
        const std::optional<double> detected_s = src.take_disconnect_time_s();  // one per error
        {
          std::lock_guard lock(slot.stats_mutex);
          slot.last_error = e.message;
          if (!in_gap) ++slot.gaps;
        }
        slot.state = SourceState::reconnecting;
        if (!in_gap) {
          in_gap = true;
          const double start_s = detected_s ? *detected_s : clock.now_s() - t0 - slot.offset_s;
          if (!queue.push(GapItem{index, true, start_s, e.message}, abandon))
            return;
        }
        continue;
      }
      if (e.code == Errc::end_of_stream || stopped) return finish(false, e.message);
      {
        std::lock_guard lock(slot.stats_mutex);
        slot.last_error = e.message;
      }
      return finish(true, e.message);
    }
  } catch (const std::exception& ex) {
    // A programmer error inside a source must not cross the thread: report it as a failure.
    finish(true, std::string("internal error: ") + ex.what());
  }
}

}  // namespace

Result<CaptureSummary> run_capture(std::vector<std::unique_ptr<FrameSource>> sources,
                                   const CaptureOptions& options, std::shared_ptr<Clock> clock,
                                   const std::atomic<bool>* stop,
                                   const ProgressCallback& on_progress) {
  if (sources.empty()) return make_error(Errc::invalid_argument, "capture needs at least one source");
  if (!clock) throw std::invalid_argument("run_capture: clock is null");
  if (options.output.empty()) return make_error(Errc::invalid_argument, "capture needs an output file");
  if (!(options.flush_interval_s > 0.0 && options.flush_interval_s <= 1.0))
    return make_error(Errc::invalid_argument, "flush interval must be in (0, 1] s");
  if (options.duration_s < 0.0) return make_error(Errc::invalid_argument, "duration must be >= 0 s");
  std::error_code fs_ec;
  if (std::filesystem::exists(options.output, fs_ec))
    return make_error(Errc::invalid_argument,
                      options.output.string() + " already exists; capture never overwrites a file");

  // Start every source first: a device that cannot be opened fails the capture before any
  // file exists.
  std::vector<std::unique_ptr<SourceSlot>> slots;
  const double t0 = clock->now_s();
  auto stop_started = [&] {
    for (auto& s : slots) s->source->stop();
  };
  for (auto& src : sources) {
    auto slot = std::make_unique<SourceSlot>();
    slot->offset_s = clock->now_s() - t0;
    slot->source = std::move(src);
    if (auto st = slot->source->start(); !st) {
      stop_started();
      return make_error(st.error().code,
                        "cannot start source " + slot->source->info().uri + ": " + st.error().message);
    }
    slots.push_back(std::move(slot));
  }

  std::vector<const SourceInfo*> infos;
  for (auto& s : slots) infos.push_back(&s->source->info());
  auto made = capture_streams(infos, options.calibrations);
  if (!made) {
    stop_started();
    return made.error();
  }
  std::vector<StreamInfo> streams = std::move(made).value();
  std::size_t first = 0;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    slots[i]->first_stream = first;
    first += infos[i]->streams.size();
  }

  RecordingMetadata meta = options.meta;
  if (meta.created_by.empty()) meta.created_by = std::string("insole ") + kToolkitVersion + " capture";
  io::WriterOptions wopts;
  wopts.flush_interval_s = options.flush_interval_s;
  wopts.deflate_level = options.deflate_level;
  wopts.clock = clock;
  auto created = io::RecordingWriter::create(options.output, meta, streams, wopts);
  if (!created) {
    stop_started();
    return created.error();
  }
  io::RecordingWriter writer = std::move(created).value();

  HandOff queue(std::max<std::size_t>(options.queue_frames, 16));
  std::atomic<bool> stop_readers{false};
  std::atomic<bool> abandon{false};
  std::atomic<std::size_t> readers_done{0};
  std::vector<std::thread> readers;
  readers.reserve(slots.size());
  for (std::size_t i = 0; i < slots.size(); ++i)
    readers.emplace_back(read_source, i, std::ref(*slots[i]), std::ref(queue), std::cref(stop_readers),
                         std::cref(abandon), options.poll_timeout, std::ref(readers_done), std::cref(*clock), t0);

  CaptureProgress progress;
  progress.streams.resize(streams.size());
  for (std::size_t k = 0; k < streams.size(); ++k) progress.streams[k].info = streams[k];
  progress.sources.resize(slots.size());
  std::vector<double> last_time(streams.size(), -std::numeric_limits<double>::infinity());
  std::vector<std::uint64_t> frames_at_last_progress(streams.size(), 0);
  std::uint64_t events = 0;
  std::optional<Error> write_error;
  std::string stop_reason;
  double last_flush = clock->now_s();
  double last_progress = last_flush;
  // Progress ticks on a fixed grid (start + k * interval): a tick can only fire when the loop
  // wakes, i.e. with a frame, so it comes a little late; anchoring the next one to the grid rather
  // than to that late moment keeps the rate at 1 / interval instead of drifting below it.
  double next_progress = last_flush + options.progress_interval_s;

  // Whether progress.streams[k].latest_kpa is a frame as it arrived (counts, for a calibrated
  // stream), not yet calibrated and summed.
  std::vector<bool> latest_fresh(streams.size(), false);
  auto fill_progress = [&](double now) {
    progress.elapsed_s = now - t0;
    const double dt = now - last_progress;
    for (std::size_t k = 0; k < streams.size(); ++k) {
      auto& sp = progress.streams[k];
      if (dt > 0) sp.rate_hz = double(sp.frames - frames_at_last_progress[k]) / dt;
      frames_at_last_progress[k] = sp.frames;
      if (!latest_fresh[k]) continue;
      latest_fresh[k] = false;
      if (streams[k].calibration) sp.latest_kpa = streams[k].calibration->apply(sp.latest_kpa);
      double force = 0.0;
      const auto& areas = streams[k].layout.areas_mm2();
      for (Eigen::Index j = 0; j < sp.latest_kpa.size() && j < areas.size(); ++j)
        if (std::isfinite(sp.latest_kpa[j]) && std::isfinite(areas[j])) force += double(sp.latest_kpa[j]) * areas[j] * 1e-3;
      sp.total_force_n = force;
    }
    for (std::size_t i = 0; i < slots.size(); ++i) {
      auto& p = progress.sources[i];
      p.uri = infos[i]->uri;
      p.state = slots[i]->state.load();
      std::lock_guard lock(slots[i]->stats_mutex);
      p.stats = slots[i]->stats;
      p.gaps = slots[i]->gaps;
      p.last_error = slots[i]->last_error;
    }
    progress.queue_high_water = queue.high_water();
    last_progress = now;
  };

  auto write_event = [&](Event ev) {
    if (write_error) return;
    if (auto st = writer.add_event(ev); !st)
      write_error = st.error();
    else
      ++events;
  };

  auto handle = [&](Item& item) {
    if (auto* f = std::get_if<FrameItem>(&item)) {
      if (write_error) return;
      auto& slot = *slots[f->source];
      const std::size_t k = slot.first_stream + f->frame.stream;
      if (f->frame.stream >= infos[f->source]->streams.size()) {
        write_error = make_error(Errc::format_error, "source " + infos[f->source]->uri +
                                                         " delivered a frame for an unknown stream");
        return;
      }
      PressureFrame fr = std::move(f->frame);
      fr.stream = k;
      fr.time_s += slot.offset_s;
      if (!(fr.time_s > last_time[k])) {
        // Two frames stamped alike (e.g. decoded from one read): keep both, in order.
        fr.time_s = std::nextafter(last_time[k] + 1e-6, std::numeric_limits<double>::infinity());
        ++progress.time_adjusted;
      }
      if (auto st = writer.append(fr); !st) {
        write_error = st.error();
        return;
      }
      last_time[k] = fr.time_s;
      auto& sp = progress.streams[k];
      ++sp.frames;
      // Its pressure and force are worked out when progress is reported (fill_progress), for the
      // latest frame only.
      sp.latest_kpa = std::move(fr.pressure_kpa);
      latest_fresh[k] = true;
      sp.latest_received_unix_ms = f->received_unix_ms;
    } else if (auto* g = std::get_if<GapItem>(&item)) {
      auto& slot = *slots[g->source];
      const double t = std::isfinite(g->time_s) ? g->time_s + slot.offset_s : clock->now_s() - t0;
      for (std::size_t j = 0; j < infos[g->source]->streams.size(); ++j)
        write_event(Event{t, streams[slot.first_stream + j].name, g->start ? "gap_start" : "gap_end",
                          g->detail});
      if (g->start && !write_error) {
        // Make what came before the gap durable now: the device may not come back.
        if (auto st = writer.flush(); !st) write_error = st.error();
      }
    } else if (auto* e = std::get_if<EndItem>(&item)) {
      if (e->failed)
        write_event(Event{clock->now_s() - t0, "", "source_failed", infos[e->source]->uri + ": " + e->detail});
    }
  };

  const auto pop_timeout = std::chrono::milliseconds(50);
  // Runs until every reader has finished and the writer has caught up, reporting progress all
  // along (a slow disk may still be writing long after fast sources ended).
  while (readers_done.load() < slots.size() || !queue.empty()) {
    const double now = clock->now_s();
    if (!stop_readers.load()) {
      if (write_error) {
        stop_reason = "write error";
      } else if (stop && stop->load()) {
        stop_reason = "stopped";
      } else if (options.duration_s > 0 && now - t0 >= options.duration_s) {
        stop_reason = "duration";
      }
      if (!stop_reason.empty()) stop_readers = true;
    }
    if (write_error) {
      // Nothing more can be written: release readers blocked on a full queue.
      abandon = true;
      queue.wake_all();
    }
    if (auto item = queue.pop(pop_timeout)) handle(*item);
    const double after = clock->now_s();
    if (!write_error && after - last_flush >= options.flush_interval_s) {
      if (auto st = writer.flush(); !st) write_error = st.error();
      last_flush = after;
    }
    if (after >= next_progress) {
      next_progress += options.progress_interval_s;
      if (next_progress <= after) next_progress = after + options.progress_interval_s;  // fell behind: restart the grid
      fill_progress(after);
      if (on_progress) on_progress(progress);
    }
  }
  if (stop_reason.empty()) stop_reason = "sources ended";
  for (auto& t : readers) t.join();
  // Readers have exited; anything still queued was pushed before they finished.
  while (auto item = queue.pop(std::chrono::milliseconds(0))) handle(*item);

  Status closed = writer.close();
  fill_progress(clock->now_s());
  progress.finished = true;
  if (on_progress) on_progress(progress);

  if (write_error) {
    std::uint64_t total = 0;
    for (const auto& sp : progress.streams) total += sp.frames;
    return make_error(write_error->code,
                      "capture to " + options.output.string() + " stopped: " + write_error->message +
                          " (after " + std::to_string(total) +
                          " frames; the file is valid up to the last flush before the error)");
  }
  if (!closed) return closed.error();

  CaptureSummary summary;
  summary.output = options.output;
  summary.duration_s = progress.elapsed_s;
  for (const auto& sp : progress.streams) {
    summary.stream_names.push_back(sp.info.name);
    summary.frames.push_back(sp.frames);
  }
  summary.events = events;
  summary.final_progress = progress;
  summary.stop_reason = stop_reason;
  return summary;
}

}  // namespace insole::capture
