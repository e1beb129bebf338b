#pragma once
// Vendor export files -> Recording (pressure in kPa, time in s). The registry of supported
// formats, detection from content, and dispatch. Each format also has its own reader taking a
// std::istream and a source name used in messages (tekscan.hpp, novel.hpp, xsensor.hpp,
// moticon.hpp, gaitpdb.hpp, apd.hpp), so tests and fuzz targets can feed memory.
//
// Every reader returns Errc::format_error with "SOURCE:LINE: expected ..." for malformed input,
// Errc::unsupported for valid files this toolkit cannot represent (e.g. uncalibrated raw units),
// and never allocates from a size claimed by the file. Writing HDF5 is insole::io's job.

#include <filesystem>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"
#include "insole/importers/options.hpp"

namespace insole::importers {

struct FormatInfo {
  std::string name;                     ///< stable identifier, e.g. "tekscan", "pedar"
  std::string description;              ///< one line for `insole import --list`
  std::vector<std::string> extensions;  ///< usual file name extensions, with the dot
};

/// Every supported import format, in the order `insole import --list` prints them.
const std::vector<FormatInfo>& formats();

/// The format of a file judged from its first bytes (never from the extension alone).
/// Errc::unsupported when no reader recognises it; Errc::not_found / io_error for the file.
Result<std::string> detect_format(const std::filesystem::path& path);
/// Same, from the beginning of a text already in memory.
Result<std::string> detect_format_text(std::string_view head);

/// Reads a file in the named format ("" = detect from content).
Result<Recording> import_file(const std::filesystem::path& path, std::string_view format = "",
                              const ImportOptions& options = {});
/// Reads from a stream in the named format (must not be empty); `source` names it in messages.
Result<Recording> import_stream(std::istream& in, const std::string& source,
                                std::string_view format, const ImportOptions& options = {});

}  // namespace insole::importers
