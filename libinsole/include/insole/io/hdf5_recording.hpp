#pragma once
// Reading and writing recordings in the insole HDF5 format, version 1 (docs/format.md; design
// note §3.1). Whole-file read/write for small recordings, a streaming writer for capture (appends
// while recording, flushes at least every `flush_interval_s`, so a killed process loses at most the
// last interval), a streaming reader that never loads all frames, a FrameSource for playback, and
// analysis results stored next to the frames.
//
// Every failure is a Result with a message naming the file, the HDF5 object (e.g.
// "/streams/left/pressure") and what was expected; malformed files give Errc::format_error and
// never print HDF5's own error stack.

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "insole/core/clock.hpp"
#include "insole/core/frame_source.hpp"
#include "insole/core/data_tree.hpp"
#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"

namespace insole::io {

/// Serialises calls into the HDF5 library among a process's threads (Debian's HDF5 is built
/// without thread-safety). RecordingReader::read_frames takes it itself, and only around its HDF5
/// calls: the frames' chunks are decompressed with it released. Every other call into this
/// module expects its caller to hold it when several threads use HDF5 (batch::hdf5_mutex() is
/// this mutex).
std::mutex& hdf5_mutex();

/// Reads a whole recording into memory (validated: shapes, attributes, strictly increasing time).
Result<Recording> read_recording(const std::filesystem::path& path);

/// Writes a whole recording atomically: to a temporary next to `path`, then renamed over it, so
/// an existing file at `path` is replaced only by a complete new one.
Status write_recording(const std::filesystem::path& path, const Recording& rec);

struct WriterOptions {
  /// Seconds between automatic flushes to disk (H5Fflush); what a crash can lose at most.
  double flush_interval_s = 1.0;
  /// Frames per HDF5 chunk along time; 0 = automatic (about 64 KiB of pressure per chunk,
  /// between 1 and 1024 frames).
  int chunk_frames = 0;
  /// gzip (deflate) level 0..9 for the frame datasets; 0 = no compression.
  int deflate_level = 4;
  /// Clock deciding when a flush is due; null = the process steady clock.
  std::shared_ptr<Clock> clock;
};

struct WriterState;  // defined in the implementation (HDF5 handles)

/// Streaming writer for capture. The file at `path` is written in place (it is the capture
/// itself, readable after a crash, and readable while it is written); create() refuses to
/// overwrite an existing file. After a failed write (Errc::disk_full, Errc::io_error) the writer
/// stops: every later call returns that error and the file keeps what was flushed before.
/// Not thread-safe: one thread appends.
class RecordingWriter {
 public:
  static Result<RecordingWriter> create(const std::filesystem::path& path,
                                        const RecordingMetadata& meta,
                                        const std::vector<StreamInfo>& streams,
                                        WriterOptions opts = {});
  /// Appends one frame; frame.stream indexes `streams`, the frame has the layout's sensor count,
  /// and time must be finite and strictly increasing per stream. For a stream with a calibration
  /// (StreamInfo::calibration, units kPa) the frame holds the device's counts: they are stored as
  /// they came in calibration/raw_counts, and their calibration (Calibration::apply) as pressure.
  Status append(const PressureFrame& frame);
  /// Records an event (written at the next flush and at close).
  Status add_event(const Event& event);
  /// Makes everything appended so far durable; also happens automatically every flush_interval_s.
  Status flush();
  /// Finalises the file; after close the file at `path` is complete. Idempotent.
  Status close();
  /// Frames accepted by append() for that stream (durable after the next flush).
  std::uint64_t frames_written(std::size_t stream) const;
  const std::filesystem::path& path() const noexcept { return path_; }

  RecordingWriter(RecordingWriter&&) noexcept;
  RecordingWriter& operator=(RecordingWriter&&) noexcept;
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;
  /// Closes the file if close() was not called (errors are then lost: call close()).
  ~RecordingWriter();

 private:
  RecordingWriter() = default;
  std::filesystem::path path_;
  std::unique_ptr<WriterState> state_;
};

struct ReaderState;  // defined in the implementation (HDF5 handles)

/// Streaming reader: opens and validates the file's structure and metadata, reads frames on
/// demand in any range.
class RecordingReader {
 public:
  static Result<RecordingReader> open(const std::filesystem::path& path);
  /// Opens a recording held in memory (an HDF5 file image: bytes received from elsewhere, or a
  /// fuzz input) with the same validation as open(); `name` stands for the file in messages and
  /// path(). The image is copied. An interrupted capture cannot be opened from memory (HDF5 reads
  /// those only from disk, in SWMR mode).
  static Result<RecordingReader> open_image(const std::string& name, std::string_view image);
  const RecordingMetadata& metadata() const;
  const std::vector<StreamInfo>& streams() const;
  const std::vector<Event>& events() const;
  Eigen::Index frame_count(std::size_t stream) const;
  /// HDF5 chunk size along time: read in multiples of it. For a contiguous (unchunked) dataset,
  /// a block of about 256 KiB of pressure.
  Eigen::Index chunk_frames(std::size_t stream) const;
  /// Frames per read when a stream is read whole in blocks: the smallest multiple of its chunk
  /// length that holds at least `target_bytes` of pressure and at least `min_frames` frames, then
  /// cut back (whole chunks, at least one) to at most `max_bytes` of pressure.
  Eigen::Index block_frames(std::size_t stream, std::int64_t target_bytes, std::int64_t min_frames,
                            std::int64_t max_bytes) const;
  /// True when the file was not closed by its writer (a capture that was killed or crashed); it is
  /// then read as of the writer's last flush.
  bool interrupted() const;
  /// Whether the stream stores device frame sequence numbers (optional dataset "sequence").
  bool has_sequence(std::size_t stream) const;
  /// Sequence numbers of frames [first, first + count) (clipped at the end); the frame indices
  /// when the stream stores none.
  Result<std::vector<std::uint64_t>> read_sequence(std::size_t stream, Eigen::Index first,
                                                   Eigen::Index count) const;
  /// Frames [first, first + count) of one stream (count is clipped at the end). Time is checked
  /// to be finite and strictly increasing within the block and against the previous block read.
  /// Pressure stored as the toolkit and h5py write it (chunks of whole frames, float32, shuffle/
  /// deflate/fletcher32) is read by raw chunks and decoded on up to INSOLE_DECODE_THREADS threads
  /// (default: all cores) outside the HDF5 library; anything else, or INSOLE_HDF5_PATH=library,
  /// goes through the library. Both give the same bytes. Takes hdf5_mutex() itself: call it
  /// without holding that mutex. `reuse`, when given, is storage a previous call returned: the
  /// pressure is read into it (no new block, no fresh pages to fault in when it has this block's
  /// size), and it is left empty.
  Result<Stream> read_frames(std::size_t stream, Eigen::Index first, Eigen::Index count,
                             FrameMatrix* reuse = nullptr) const;
  /// Whether the stream stores the maker's own channels (optional group "vendor").
  bool has_vendor_channels(std::size_t stream) const;
  /// The maker's total force and COP of every frame of the stream (optional group "vendor",
  /// docs/format.md: 24 bytes a frame, read whole); nullopt when the stream has none. Takes
  /// hdf5_mutex() itself.
  Result<std::optional<VendorChannels>> read_vendor_channels(std::size_t stream) const;
  const std::filesystem::path& path() const noexcept { return path_; }

  RecordingReader(RecordingReader&&) noexcept;
  RecordingReader& operator=(RecordingReader&&) noexcept;
  RecordingReader(const RecordingReader&) = delete;
  RecordingReader& operator=(const RecordingReader&) = delete;
  ~RecordingReader();

 private:
  RecordingReader() = default;
  std::filesystem::path path_;
  std::unique_ptr<ReaderState> state_;
};

/// A FrameSource over a file (for `file://` capture sources and playback): frames of all streams
/// in time order (ties: lower stream index), read in chunks. With a clock and realtime=true it
/// paces frames at their time stamps. sequence is the stored frame sequence number when the file
/// has one, else the frame index.
Result<std::unique_ptr<FrameSource>> open_playback(const std::filesystem::path& path,
                                                   std::shared_ptr<Clock> clock = nullptr,
                                                   bool realtime = false);
/// The same over a reader that is already open (e.g. RecordingReader::open_image).
std::unique_ptr<FrameSource> open_playback(RecordingReader reader, std::shared_ptr<Clock> clock = nullptr,
                                           bool realtime = false);

/// True while a capture (RecordingWriter, in this or another process) is writing the file; its
/// frames are then readable up to the last flush, and it is not an interrupted capture.
bool capture_in_progress(const std::filesystem::path& path);

/// What recover_capture() found and did.
struct RecoverReport {
  /// False: the file was complete (closed by its writer) and was left untouched.
  bool was_interrupted = false;
  /// Frames kept per stream (name, frames), in file order.
  std::vector<std::pair<std::string, std::uint64_t>> frames;
  std::uint64_t events = 0;
};

/// Turns a capture that was interrupted (killed, crashed, power lost) into a normal, complete file
/// that every HDF5 tool opens (h5py, HDFView, MATLAB): clears the superblock's "open for writing"
/// flags (what `h5clear -s` does), trims every frame and event dataset to the frames the capture
/// had made durable (frame_count, event_count), and records the recovery in the root attribute
/// `recovered_by`. Works on a copy renamed over the original, so an interrupted recovery leaves
/// the file as it was; a complete file is not touched. A capture still being written
/// (capture_in_progress) is refused (Errc::invalid_argument). Errors as RecordingReader::open, and
/// Errc::io_error / disk_full when the copy cannot be written.
Result<RecoverReport> recover_capture(const std::filesystem::path& path);

/// Stores a JSON document with the algorithm version and parameters that produced it under
/// /analysis/<name>, replacing an earlier one of that name, without rewriting the frames. Safe if
/// interrupted: the file is copied next to itself, updated and renamed over the original.
Status write_analysis(const std::filesystem::path& path, const std::string& name,
                      const std::string& json, const std::string& algorithm_version,
                      const std::string& parameters_json);
/// The JSON document stored under /analysis/<name>; Errc::not_found when there is none.
Result<std::string> read_analysis(const std::filesystem::path& path, const std::string& name);

/// Writes a results file (docs/format.md, "Results files"): root attributes format = `format`
/// (e.g. "insole-spm"), format_version = 1 and insole_version, then the tree: groups, attributes,
/// float64 datasets (with a "units" attribute when given) and string datasets. Written whole and
/// atomically (an existing file is replaced only by a complete new one).
Status write_data_tree(const std::filesystem::path& path, const DataNode& root, const std::string& format);

}  // namespace insole::io
