#pragma once
// Names and shared pieces of the insole HDF5 format v1 (docs/format.md), private to insole::io.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "insole/core/atomic_output.hpp"
#include "insole/core/recording.hpp"
#include "io/chunk_reader.hpp"
#include "io/h5util.hpp"

namespace insole::io::detail {

inline constexpr const char* kFormatName = "insole";
inline constexpr const char* kStreams = "streams";
inline constexpr const char* kEvents = "events";
inline constexpr const char* kSubject = "subject";
inline constexpr const char* kMetadata = "metadata";
inline constexpr const char* kAnalysis = "analysis";
inline constexpr const char* kTime = "time_s";
inline constexpr const char* kPressure = "pressure";
inline constexpr const char* kSequence = "sequence";
inline constexpr const char* kSensorXy = "sensor_xy_mm";
inline constexpr const char* kSensorArea = "sensor_area_mm2";
inline constexpr const char* kPresent = "sensel_present";
inline constexpr const char* kFrameCount = "frame_count";
inline constexpr const char* kEventCount = "event_count";
inline constexpr const char* kCalibration = "calibration";
inline constexpr const char* kRawCounts = "raw_counts";
inline constexpr const char* kVendor = "vendor";
inline constexpr const char* kVendorForce = "total_force_n";
inline constexpr const char* kVendorCop = "cop_normalised";

/// Whole-frame reads larger than this are refused (a corrupt or hostile extent must not make us
/// allocate the machine's memory); stream such recordings with RecordingReader.
inline constexpr double kMaxReadBytes = 4.0 * 1024 * 1024 * 1024;

/// Limits on what a file may claim, checked before anything is allocated for it (a corrupt or
/// hostile header must give an error, not make us allocate the machine's memory).
/// Sensels of one frame: a 2048 x 2048 grid (the largest walkways have ~10^5).
inline constexpr hsize_t kMaxSensels = hsize_t(1) << 22;
/// Bytes of one HDF5 chunk (HDF5 allocates whole chunks to read one row); the toolkit writes
/// <= 1 MiB, h5py's automatic chunks are <= 1 MiB.
inline constexpr double kMaxChunkBytes = 256.0 * 1024 * 1024;
/// Streams in /streams.
inline constexpr std::size_t kMaxStreams = 1024;
/// Logical bytes per stored byte that deflate can reach at best (zlib: 1032:1 for a run of one
/// byte value, https://zlib.net/zlib_tech.html), with a little slack. A dataset that claims more
/// rows than its stored chunks can hold at this ratio is damaged.
inline constexpr double kMaxDeflateRatio = 1100.0;

/// An insole file opened for reading, with format and format_version checked.
struct OpenedFile {
  h5::Hid file;
  /// The file was not closed by its writer (an interrupted capture) and was opened in HDF5's
  /// single-writer/multiple-reader mode, which reads such files consistently.
  bool interrupted = false;
};
Result<OpenedFile> open_insole_file(const std::filesystem::path& path, const h5::Where& w);
/// The same for an HDF5 file image in memory (core driver); `w.file` names it in messages.
Result<OpenedFile> open_insole_image(std::string_view image, const h5::Where& w);

/// Marks a capture file as being written: a lock held by the writer's descriptor (returned; -1
/// when the filesystem has no such locks) until it closes the file or dies.
int take_capture_lock(const std::filesystem::path& path);
/// Whether a live writer holds that lock.
bool capture_lock_held(const std::filesystem::path& path);

/// File access properties used by every reader and writer (sec2 driver, file locking that is
/// skipped on filesystems without it).
h5::Hid file_access_plist();

/// A temporary copy of an existing file beside it, to be changed and then committed over the
/// original (so a failure leaves the original untouched). A full disk is reported as disk_full.
Result<AtomicOutput> copy_for_update(const std::filesystem::path& path, const h5::Where& w);

/// Files are written in the HDF5 1.10 format (checksummed metadata; needed for SWMR).
void set_file_format_v110(hid_t fapl);

/// One stream group as found on disk.
struct DiskStream {
  StreamInfo info;
  h5::NumericDataset time;
  h5::NumericDataset pressure;
  std::optional<h5::NumericDataset> sequence;
  std::optional<h5::NumericDataset> raw_counts;  ///< calibration/raw_counts, same shape as pressure
  /// vendor/total_force_n [frames] and vendor/cop_normalised [frames, 2] (both or neither).
  std::optional<h5::NumericDataset> vendor_force, vendor_cop;
  /// How to read pressure by raw chunks (chunk_reader.hpp); empty: through the HDF5 library.
  std::optional<chunk::Plan> direct;
  hsize_t frames = 0;        ///< valid frames (frame_count attribute, else dataset length)
  hsize_t chunk_frames = 1;  ///< chunk length along time (a block of ~256 KiB when contiguous)
  h5::Where where;
};
Result<DiskStream> parse_stream(hid_t streams_group, const std::string& name, const h5::Where& w);
Result<RecordingMetadata> parse_metadata(hid_t file, const h5::Where& w);
Result<std::vector<Event>> parse_events(hid_t file, const std::vector<StreamInfo>& streams,
                                        const h5::Where& w);

/// Frames per chunk that keep a chunk near `target_bytes` of float32 pressure (1..max_frames).
hsize_t frames_for_bytes(Eigen::Index sensels, double target_bytes, hsize_t max_frames);

}  // namespace insole::io::detail
