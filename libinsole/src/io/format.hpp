#pragma once
// Names and shared pieces of the insole HDF5 format v1 (docs/format.md), private to insole::io.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "insole/core/recording.hpp"
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

/// Whole-frame reads larger than this are refused (a corrupt or hostile extent must not make us
/// allocate the machine's memory); stream such recordings with RecordingReader.
inline constexpr double kMaxReadBytes = 4.0 * 1024 * 1024 * 1024;

/// An insole file opened for reading, with format and format_version checked.
struct OpenedFile {
  h5::Hid file;
  /// The file was not closed by its writer (an interrupted capture) and was opened in HDF5's
  /// single-writer/multiple-reader mode, which reads such files consistently.
  bool interrupted = false;
};
Result<OpenedFile> open_insole_file(const std::filesystem::path& path, const h5::Where& w);

/// File access properties used by every reader and writer (sec2 driver, file locking that is
/// skipped on filesystems without it).
h5::Hid file_access_plist();

/// Files are written in the HDF5 1.10 format (checksummed metadata; needed for SWMR).
void set_file_format_v110(hid_t fapl);

/// One stream group as found on disk.
struct DiskStream {
  StreamInfo info;
  h5::NumericDataset time;
  h5::NumericDataset pressure;
  std::optional<h5::NumericDataset> sequence;
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
