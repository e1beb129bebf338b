#include "insole/core/frame_source.hpp"

#include <limits>

namespace insole {

RecordingSource::RecordingSource(Recording recording, std::string uri,
                                 std::shared_ptr<Clock> clock, bool realtime)
    : rec_(std::move(recording)), clock_(std::move(clock)), realtime_(realtime) {
  info_.uri = std::move(uri);
  info_.description = "recording playback";
  for (const auto& s : rec_.streams) info_.streams.push_back(s.info);
  cursor_.assign(rec_.streams.size(), 0);
}

Status RecordingSource::start() {
  if (auto st = rec_.validate(); !st) return st;
  if (realtime_ && !clock_)
    return make_error(Errc::invalid_argument, "realtime playback needs a clock");
  started_ = true;
  if (clock_) start_clock_s_ = clock_->now_s();
  return {};
}

Result<PressureFrame> RecordingSource::next(std::chrono::milliseconds timeout) {
  if (!started_) return make_error(Errc::invalid_argument, "next() called before start()");
  // Pick the stream whose next frame is earliest (ties: lower stream index).
  std::size_t best = rec_.streams.size();
  double best_t = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < rec_.streams.size(); ++i) {
    const auto& s = rec_.streams[i];
    if (cursor_[i] < s.frame_count() && s.time_s[cursor_[i]] < best_t) {
      best_t = s.time_s[cursor_[i]];
      best = i;
    }
  }
  if (best == rec_.streams.size()) return make_error(Errc::end_of_stream, "end of recording");
  if (realtime_) {
    const double due_in = (start_clock_s_ + best_t) - clock_->now_s();
    const double limit = std::chrono::duration<double>(timeout).count();
    if (due_in > limit) {
      clock_->sleep_for_s(limit);
      return make_error(Errc::timeout, "no frame due yet");
    }
    clock_->sleep_for_s(due_in);
  }
  const auto& s = rec_.streams[best];
  PressureFrame f;
  f.stream = best;
  f.time_s = best_t;
  f.sequence = static_cast<std::uint64_t>(cursor_[best]);
  f.pressure_kpa = s.pressure_kpa.row(cursor_[best]).transpose();
  ++cursor_[best];
  ++stats_.frames;
  return f;
}

void RecordingSource::stop() { started_ = false; }

}  // namespace insole
