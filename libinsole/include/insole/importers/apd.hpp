#pragma once
// zebris / GP "pedcad Importfile" (.apd): INI-like sections [General] [Customer] [Technical]
// [Data]; [Data] is a TAB grid of maximum pressure (N/cm2, -1 = no contact) of SensCountX rows
// by SensCountY columns, with sensor pitches LDistX / LDistY in mm. It carries one footprint and
// is what orthotic CAD software (pedCAD) imports.

#include <filesystem>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "insole/core/recording.hpp"
#include "insole/importers/options.hpp"

namespace insole::importers {

/// One grid stream "footprint" with a single frame at t = 0 (kPa; "no contact" = 0 kPa).
/// [Customer] fields (names) are deliberately not kept.
Result<Recording> read_apd(std::istream& in, const std::string& source,
                           const ImportOptions& options = {});

struct ApdExportOptions {
  /// Stream to export; empty = the only grid stream (an error when there are several).
  std::string stream;
  /// Pressure at or below this is written as "no contact" (-1), kPa.
  double contact_threshold_kpa = 0.0;
  /// Written to [General] Source=.
  std::string source_name = "insole";
};

/// Writes one footprint grid (kPa, row-major `rows` x `cols`, pitches in mm; NaN or at most
/// options.contact_threshold_kpa = no contact), cropped to the cells above the threshold, in
/// N/cm2 with one decimal. Errc::no_data when no cell is above it.
Status write_apd_grid(std::ostream& out, int rows, int cols, double row_pitch_mm, double col_pitch_mm,
                      const std::vector<float>& kpa, const ApdExportOptions& options = {});
/// `text` to `path`, atomically (a temporary file renamed over `path`).
Status write_file_atomically(const std::filesystem::path& path, const std::string& text);

/// Writes the maximum-pressure footprint (per-sensel maximum over all frames) of a grid stream,
/// cropped to the sensels that were ever loaded, in N/cm2 with one decimal.
/// Errc::unsupported for sensor-set streams; Errc::no_data when nothing was ever loaded.
Status export_apd(const Recording& rec, std::ostream& out, const ApdExportOptions& options = {});
/// Same, to a file written atomically (temporary file renamed over `path`).
Status export_apd(const Recording& rec, const std::filesystem::path& path,
                  const ApdExportOptions& options = {});

}  // namespace insole::importers
