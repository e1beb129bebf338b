#pragma once
// The calibration file: one JSON document per device serial number (docs/calibration.md).
//
//   { "format": "insole-calibration", "format_version": 1,
//     "device_serial": "FSCAN-116-1974-1", "stream": "left",
//     "method": "body_weight_standing", "date": "2026-12-05", "source": "stand.h5, 75 kg",
//     "model": "linear", "coefficients": [5.94],
//     "zero_counts": [...], "gain": [...], "residuals_kpa": [...], "body_mass_kg": 75.0 }
//
// Reading is strict: unknown fields, wrong types, non-finite numbers and a wrong coefficient
// count are errors naming the file and the field (Errc::format_error -> CLI exit 2).

#include <filesystem>
#include <string>
#include <string_view>

#include "insole/core/calibration.hpp"
#include "insole/core/result.hpp"

namespace insole::calibration {

inline constexpr std::string_view kFormat = "insole-calibration";
/// Files larger than this are refused before parsing (a calibration of a 100 x 100 grid with
/// zero and gain per sensel is about 400 KB).
inline constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

std::string to_json(const Calibration& c);
/// `origin` names the text in error messages (usually the file name).
Result<Calibration> from_json(std::string_view text, std::string_view origin);
Result<Calibration> read_file(const std::filesystem::path& path);
/// Validates, then writes all or nothing (the old file survives any failure).
Status write_file(const Calibration& c, const std::filesystem::path& path);
/// "<dir>/<serial>.json" with every character outside [A-Za-z0-9._-] replaced by '_', so a
/// serial number can never name a path outside `dir`. Error for an empty serial.
Result<std::filesystem::path> file_for_serial(const std::filesystem::path& dir, std::string_view serial);

}  // namespace insole::calibration
