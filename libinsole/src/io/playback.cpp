// open_playback: a FrameSource over a recording file, reading each stream in chunk-sized blocks
// so that memory stays flat however long the recording is.

#include <algorithm>
#include <limits>

#include "insole/io/hdf5_recording.hpp"

namespace insole::io {

namespace {

class PlaybackSource final : public FrameSource {
 public:
  PlaybackSource(RecordingReader reader, std::shared_ptr<Clock> clock, bool realtime)
      : reader_(std::move(reader)), clock_(std::move(clock)), realtime_(realtime) {
    info_.uri = "file://" + std::filesystem::absolute(reader_.path()).string();
    info_.description = "playback of " + reader_.path().string();
    info_.streams = reader_.streams();
    cursors_.resize(info_.streams.size());
  }

  Status start() override {
    if (realtime_ && !clock_) return make_error(Errc::invalid_argument, "realtime playback needs a clock");
    started_ = true;
    if (clock_) start_clock_s_ = clock_->now_s();
    return {};
  }

  Result<PressureFrame> next(std::chrono::milliseconds timeout) override {
    if (!started_) return make_error(Errc::invalid_argument, "next() called before start()");
    if (failed_) return *failed_;
    std::size_t best = cursors_.size();
    double best_t = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < cursors_.size(); ++i) {
      if (auto st = ensure_block(i); !st) {
        failed_ = st.error();
        return *failed_;
      }
      const Cursor& c = cursors_[i];
      if (c.pos < reader_.frame_count(i)) {
        const double t = c.block.time_s[c.pos - c.block_first];
        if (t < best_t) {
          best_t = t;
          best = i;
        }
      }
    }
    if (best == cursors_.size()) return make_error(Errc::end_of_stream, "end of recording " + reader_.path().string());
    if (realtime_) {
      const double due_in = (start_clock_s_ + best_t) - clock_->now_s();
      const double limit = std::chrono::duration<double>(timeout).count();
      if (due_in > limit) {
        clock_->sleep_for_s(limit);
        return make_error(Errc::timeout, "no frame due yet");
      }
      if (due_in > 0) clock_->sleep_for_s(due_in);
    }
    Cursor& c = cursors_[best];
    const Eigen::Index row = c.pos - c.block_first;
    PressureFrame f;
    f.stream = best;
    f.time_s = best_t;
    f.sequence = c.sequence[static_cast<std::size_t>(row)];
    f.pressure_kpa = c.block.pressure_kpa.row(row).transpose();
    ++c.pos;
    ++stats_.frames;
    return f;
  }

  void stop() override { started_ = false; }
  const SourceInfo& info() const override { return info_; }
  SourceStats stats() const override { return stats_; }

 private:
  struct Cursor {
    Stream block;
    std::vector<std::uint64_t> sequence;
    Eigen::Index block_first = 0;
    Eigen::Index pos = 0;
  };

  // Loads the block holding the stream's next frame when the current one is used up.
  Status ensure_block(std::size_t i) {
    Cursor& c = cursors_[i];
    if (c.pos >= reader_.frame_count(i) || c.pos < c.block_first + c.block.frame_count()) return {};
    const Eigen::Index chunk = std::max<Eigen::Index>(reader_.chunk_frames(i), 1);
    const Eigen::Index block = chunk * std::max<Eigen::Index>(1, 256 / chunk);
    auto s = reader_.read_frames(i, c.pos, block);
    if (!s) return s.error();
    auto seq = reader_.read_sequence(i, c.pos, block);
    if (!seq) return seq.error();
    c.block = std::move(*s);
    c.sequence = std::move(*seq);
    c.block_first = c.pos;
    return {};
  }

  RecordingReader reader_;
  std::shared_ptr<Clock> clock_;
  bool realtime_;
  SourceInfo info_;
  std::vector<Cursor> cursors_;
  SourceStats stats_;
  bool started_ = false;
  double start_clock_s_ = 0.0;
  std::optional<Error> failed_;
};

}  // namespace

Result<std::unique_ptr<FrameSource>> open_playback(const std::filesystem::path& path, std::shared_ptr<Clock> clock,
                                                   bool realtime) {
  if (realtime && !clock) clock = steady_clock();
  auto reader = RecordingReader::open(path);
  if (!reader) return reader.error();
  return open_playback(std::move(*reader), std::move(clock), realtime);
}

std::unique_ptr<FrameSource> open_playback(RecordingReader reader, std::shared_ptr<Clock> clock, bool realtime) {
  if (realtime && !clock) clock = steady_clock();
  return std::make_unique<PlaybackSource>(std::move(reader), std::move(clock), realtime);
}

}  // namespace insole::io
