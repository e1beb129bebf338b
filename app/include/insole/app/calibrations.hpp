#pragma once
// The calibration files the clinic app offers for live capture (docs/app.md, "Calibration"): the
// files of one folder (DATA/calibrations, or `insole serve --calibrations DIR`), each the
// calibration of one device as `insole calibrate compute` writes it (SERIAL.json,
// insole/calibration/calibration_file.hpp).
//
// The page names a calibration by its file name only. A name is accepted when it is one of a
// fresh listing of the folder; the file opened is then the listed file's resolved path inside the
// folder, never a path from the request. Listed are regular files directly in the folder whose names
// are made of letters, digits, '.', '_' and '-' and end in ".json" (every name
// calibration::file_for_serial makes), and whose canonical path (links followed) stays inside
// the folder; at most kMaxCalibrationFiles of them, by name.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "insole/core/calibration.hpp"
#include "insole/core/result.hpp"

namespace insole::app {

inline constexpr std::size_t kMaxCalibrationFiles = 500;

/// One listed file: its calibration, or why it cannot be used (the reader's message, which names
/// the file and the field).
struct CalibrationEntry {
  std::string name;                       ///< file name, e.g. "SN1234.json"
  std::optional<Calibration> calibration; ///< set when the file reads and validates
  std::string error;                      ///< otherwise, why not
};

/// True for a name the listing may hold (see the header comment); false for anything with a
/// path separator, "..", a leading '/', percent signs or other characters.
bool is_calibration_file_name(std::string_view name);

/// The calibration files of `dir`, sorted by name; empty when the folder does not exist.
/// `truncated`, when given, is set when the folder holds more than kMaxCalibrationFiles of them.
std::vector<CalibrationEntry> list_calibrations(const std::filesystem::path& dir, bool* truncated = nullptr);

/// The calibration listed under `name` in `dir`. Errc::not_found when `name` is not in the
/// listing (whatever it spells: a path, "..", an encoded one), the reader's error when the file is
/// listed but unusable.
Result<Calibration> load_listed_calibration(const std::filesystem::path& dir, std::string_view name);

/// The name of the usable calibration of the device with serial number `serial` (its
/// device_serial field, compared exactly): the latest by date, then the last by name; nullopt
/// for an empty serial or when there is none.
std::optional<std::string> calibration_for_serial(const std::vector<CalibrationEntry>& entries, std::string_view serial);

/// {name, usable, error, device_serial, stream, method, date, source, model, coefficients,
///  body_mass_kg, sensels (of zero/gain, null when the file states none), residuals: {count,
///  rms_kpa, max_abs_kpa}}; the calibration's fields are absent when it is unusable.
nlohmann::json to_json(const CalibrationEntry& entry);

}  // namespace insole::app
