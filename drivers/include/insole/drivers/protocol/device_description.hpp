#pragma once
// Devices described as data (docs/devices.md, "Devices described as data"). A device description
// is a versioned JSON file ("format": "insole-device") that gives everything the generic matrix
// codec needs: framing, value encoding, grid or sensor set and scan order, pitch, nominal rate and
// baud, USB identity, host commands, default calibration, and where each of these facts comes
// from (documented, measured or guessed). Adding a device is writing such a file, not
// recompiling: the built-in devices are these files (drivers/devices/, compiled in), and a
// clinic's own files are read from the device search path at start-up. A file may name a built-in
// codec instead of a matrix framing ("framing": {"type": "sensel" | "fisica"}) for protocols a
// framing cannot express; the rest of the file is then that codec's data.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "insole/core/result.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"

namespace insole::drivers {

inline constexpr std::string_view kDeviceFormat = "insole-device";
inline constexpr int kDeviceFormatVersion = 1;
/// Larger files are refused before parsing.
inline constexpr std::size_t kMaxDeviceFileBytes = 256 * 1024;

/// Parses and validates one description. Unknown fields, wrong types, out-of-range numbers, bad
/// hex byte strings and configurations the codec cannot run are refused with format_error,
/// naming `origin` (the file) and the field, e.g. "mat.json: field 'framing.sync': ...". A
/// `layout.positions_file` is read relative to `base_dir` (the description's directory).
Result<MatrixCodecConfig> parse_device_description(std::string_view text, std::string_view origin,
                                                   const std::filesystem::path& base_dir = {});
/// Reads a file (at most kMaxDeviceFileBytes) and parses it.
Result<MatrixCodecConfig> read_device_description(const std::filesystem::path& path);
/// The description of a config, as JSON text that parse_device_description reads back into the
/// same config.
std::string to_device_description(const MatrixCodecConfig& config);

/// The built-in descriptions compiled into the program, in registry order: {file name, text}.
const std::vector<std::pair<std::string, std::string>>& builtin_device_descriptions();

/// Where a clinic's own descriptions are looked for, in order: each directory of the environment
/// variable INSOLE_DEVICE_PATH (':'-separated) when it is set; otherwise
/// $XDG_CONFIG_HOME/insole/devices (default ~/.config/insole/devices), then /etc/insole/devices.
std::vector<std::filesystem::path> device_search_path();

struct UserDevices {
  std::vector<MatrixCodecConfig> devices;  ///< valid descriptions, in search-path then name order
  std::vector<std::filesystem::path> files;  ///< the file of each device
  std::vector<Error> problems;  ///< files that were refused, each naming the file and the reason
};

/// Reads every *.json in the directories of the search path. A file that does not parse, or that
/// names a device already defined (built in, or by an earlier file), is left out and reported in
/// `problems`; the others still load.
UserDevices load_user_devices(const std::vector<std::string>& taken_names);

}  // namespace insole::drivers
