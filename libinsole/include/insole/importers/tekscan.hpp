#pragma once
// Tekscan ASCII movie export (F-Scan .asf, I-Scan / MatScan .csv): a "KEY value" header parsed by
// key, "ASCII_DATA @@", then per frame a "Frame N[, t_s, ...]" line and ROWS lines of COLS
// comma-separated cells, "B" marking a sensel outside the trimmed sensor (stored as absent/NaN).
// Reference: docs/formats.md; layout checked against real F-Scan 6.33 and I-Scan 6.10 exports.

#include <istream>
#include <string>

#include "insole/core/recording.hpp"
#include "insole/importers/options.hpp"

namespace insole::importers {

/// Pressure units KPa, MPa, PSI (x 6.89476), mmHg (x 0.133322), N/cm2 (x 10) are converted to kPa;
/// "raw" (uncalibrated) gives Errc::unsupported. One grid stream, named "left"/"right" for an
/// F-Scan insole of known side, "insole" for one of unknown side and "sensor" otherwise.
Result<Recording> read_tekscan(std::istream& in, const std::string& source,
                               const ImportOptions& options = {});

}  // namespace insole::importers
