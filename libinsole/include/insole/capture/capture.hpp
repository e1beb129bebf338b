#pragma once
// Capture: records one or more FrameSources (two insoles, insoles and a mat, ...) into one HDF5
// recording on one clock, streaming, so that a crash loses at most the last flush interval.
//
// Each source is read on its own thread and its frames are handed to the writer through a
// bounded queue with back-pressure: when the disk is slow the reader threads wait and any loss
// happens, counted, in the source's own queue next to the device (SourceStats::overflows).
// A source that reports Errc::disconnected is reconnecting by itself (the serial source does so
// with backoff): capture keeps what it has, records a "gap_start" event per stream of that source
// and a "gap_end" event when frames flow again, and goes on.
//
// Capture never depends on drivers: it sees FrameSources only.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "insole/core/clock.hpp"
#include "insole/core/frame_source.hpp"
#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"

namespace insole::capture {

struct CaptureOptions {
  /// Output file; capture refuses to overwrite an existing file.
  std::filesystem::path output;
  /// Subject pseudonym, mode ("walk"/"stand"), body mass ...; created_by is filled in if empty.
  RecordingMetadata meta;
  /// Seconds to record, measured on the capture clock; 0 = until stopped or all sources end.
  double duration_s = 0.0;
  /// Seconds between flushes to disk: what SIGKILL or a power cut can lose at most. <= 1.
  double flush_interval_s = 0.5;
  /// Seconds between progress callbacks.
  double progress_interval_s = 0.5;
  /// How long a reader thread waits in FrameSource::next() before checking for a stop request.
  std::chrono::milliseconds poll_timeout{100};
  /// Frames waiting between the reader threads and the writer before readers are held back.
  std::size_t queue_frames = 8192;
  /// gzip level of the frame datasets (0..9).
  int deflate_level = 4;
  /// Calibrations applied as frames arrive (docs/calibration.md). Each is for the stream it names
  /// (Calibration::stream, as the stream is named in the file), or, when it names none, for the
  /// only stream in counts. That stream is recorded in kPa, its counts kept as they came beside
  /// the pressure (calibration/raw_counts), exactly as `insole calibrate apply` would store them.
  /// A calibration for a missing, already-calibrated or differently-sized stream fails the capture
  /// before the file is created.
  std::vector<Calibration> calibrations;
};

/// What a source is doing, for the live view.
enum class SourceState { starting, streaming, reconnecting, ended, failed };
std::string_view to_string(SourceState state) noexcept;

struct StreamProgress {
  StreamInfo info;                  ///< name as written in the file
  std::uint64_t frames = 0;         ///< frames written so far
  double rate_hz = 0.0;             ///< frames per second over the last progress interval
  double total_force_n = 0.0;       ///< of the latest frame
  Eigen::VectorXf latest_kpa;       ///< the latest frame (empty before the first)
  /// When the latest frame reached this program: milliseconds since the Unix epoch on the system
  /// (wall) clock, so that a browser on the same machine can measure frame-to-screen latency
  /// (0 before the first frame).
  double latest_received_unix_ms = 0.0;
};

struct SourceProgress {
  std::string uri;
  SourceState state = SourceState::starting;
  SourceStats stats;                ///< the source's own counters (lost, checksum, overflow ...)
  std::uint64_t gaps = 0;           ///< disconnections seen
  std::string last_error;           ///< why it is reconnecting / failed
};

/// Milliseconds since the Unix epoch on the system clock (microsecond resolution).
double unix_ms_now();

struct CaptureProgress {
  double elapsed_s = 0.0;
  std::vector<StreamProgress> streams;
  std::vector<SourceProgress> sources;
  std::uint64_t queue_high_water = 0;  ///< the most frames ever waiting for the writer
  std::uint64_t time_adjusted = 0;     ///< frames whose time had to be nudged to keep it increasing
  bool finished = false;
};

struct CaptureSummary {
  std::filesystem::path output;
  double duration_s = 0.0;
  std::vector<std::string> stream_names;
  std::vector<std::uint64_t> frames;   ///< per stream
  std::uint64_t events = 0;
  CaptureProgress final_progress;
  std::string stop_reason;             ///< "duration", "stopped", "sources ended"
};

/// Invoked on the capturing thread every progress_interval_s and once at the end.
using ProgressCallback = std::function<void(const CaptureProgress&)>;

/// Starts every source, records until `duration_s`, `*stop` becomes true (e.g. set by a SIGINT
/// handler), or every source has ended, then stops the sources, writes what they still hold and
/// finalises the file. Streams keep their names unless two sources use the same one, in which
/// case later ones get a suffix "_2", "_3". Times are seconds from the capture start on `clock`.
///
/// Errors: a source that fails to start fails the capture before the file is created; a write
/// failure (e.g. Errc::disk_full) stops the capture, keeps the file valid up to the last frame
/// written, and is returned with a message naming the file.
Result<CaptureSummary> run_capture(std::vector<std::unique_ptr<FrameSource>> sources,
                                   const CaptureOptions& options, std::shared_ptr<Clock> clock,
                                   const std::atomic<bool>* stop = nullptr,
                                   const ProgressCallback& on_progress = {});

/// Unique stream names for the given sources, in order ("left", "right", "mat", "left_2" ...).
std::vector<std::string> merged_stream_names(const std::vector<const SourceInfo*>& sources);

/// The streams a capture of `sources` records, exactly as run_capture makes them: named by
/// merged_stream_names, each with its source's URI in the attribute "source_uri", and each
/// calibration given to its stream (the one it names, or the only stream in counts; see
/// CaptureOptions::calibrations), whose units are then kPa.
///
/// Errors (Errc::invalid_argument, the message naming the calibration's device and the stream):
/// the sources describe no streams; a calibration names a stream the capture does not have;
/// one names no stream and not exactly one stream is in counts; a stream is given two; a stream
/// is already in kPa; the calibration's zero or gain has another number of sensels than the
/// stream, or is otherwise invalid (Calibration::validate).
///
/// run_capture applies it once the sources have started. A caller that must refuse an unfitting
/// calibration before anything starts (the clinic app, which answers the request at once and
/// captures on a thread of its own) checks with it on the sources' info() first: sources that
/// know their streams before start() (serial devices, the simulator, playback) get the answer
/// run_capture would give.
Result<std::vector<StreamInfo>> capture_streams(const std::vector<const SourceInfo*>& sources,
                                                const std::vector<Calibration>& calibrations);

}  // namespace insole::capture
