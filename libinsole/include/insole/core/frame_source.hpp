#pragma once
// FrameSource: the one seam between hardware and everything else. A serial device, an HDF5 file
// played back, the simulator and test fakes all implement it; capture, live statistics and
// analysis take a FrameSource and cannot tell them apart.

#include <chrono>
#include <optional>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "insole/core/clock.hpp"
#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"

namespace insole {

struct SourceInfo {
  std::string uri;                  ///< how the source was named, e.g. "sim://walk?seed=1"
  std::string description;          ///< for humans
  std::vector<StreamInfo> streams;  ///< PressureFrame::stream indexes into this
};

/// Counters every source keeps; a decoder's losses are counted, never silent.
struct SourceStats {
  std::uint64_t frames = 0;           ///< frames delivered by next()
  std::uint64_t lost_frames = 0;      ///< gaps in the device frame counter
  std::uint64_t checksum_errors = 0;
  std::uint64_t resyncs = 0;          ///< times the decoder had to search for a frame start
  std::uint64_t overflows = 0;        ///< frames dropped because a queue was full
  std::uint64_t reconnects = 0;
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  /// Opens the device / file and starts streaming.
  virtual Status start() = 0;
  /// The next frame, waiting at most `timeout`. Fails with Errc::timeout when nothing arrived in
  /// time (try again) and Errc::end_of_stream when the source is finished (final).
  virtual Result<PressureFrame> next(std::chrono::milliseconds timeout) = 0;
  /// Stops streaming; idempotent.
  virtual void stop() = 0;
  virtual const SourceInfo& info() const = 0;
  virtual SourceStats stats() const = 0;
  /// For a source that reconnects: the source time (s since start) at which it detected the
  /// disconnection behind an Errc::disconnected error next() returned. Call it once for each such
  /// error; the times come in the order of the errors. nullopt when the source does not know (the
  /// consumer then uses the time it got the error).
  virtual std::optional<double> take_disconnect_time_s() { return std::nullopt; }
};

/// Plays an in-memory Recording back as a FrameSource, merging its streams in time order.
/// With a clock and realtime=true it paces frames at their time stamps; otherwise it delivers
/// them as fast as they are asked for.
class RecordingSource final : public FrameSource {
 public:
  RecordingSource(Recording recording, std::string uri, std::shared_ptr<Clock> clock = nullptr,
                  bool realtime = false);
  Status start() override;
  Result<PressureFrame> next(std::chrono::milliseconds timeout) override;
  void stop() override;
  const SourceInfo& info() const override { return info_; }
  SourceStats stats() const override { return stats_; }

 private:
  Recording rec_;
  SourceInfo info_;
  std::shared_ptr<Clock> clock_;
  bool realtime_;
  bool started_ = false;
  double start_clock_s_ = 0.0;
  std::vector<Eigen::Index> cursor_;  // next frame per stream
  SourceStats stats_;
};

}  // namespace insole
