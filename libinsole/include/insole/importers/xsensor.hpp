#pragma once
// XSENSOR CSV export, label/value frame-block layout (XSENSOR 2022 "Foot"): per frame "FRAME",
// "Date", "Time", then per sensor "SENSOR", "Rows", "Columns", "Sensel Width/Height (cm)",
// statistics, "SENSELS" and the grid; then "GROUP" region blocks (skipped).

#include <istream>
#include <string>

#include "insole/core/recording.hpp"
#include "insole/importers/options.hpp"

namespace insole::importers {

/// One grid stream per sensor ("left"/"right" for names ending in -LF/-RF, else the sensor
/// name); pressure converted to kPa from the file's "Units:" (mmHg, kPa, PSI, N/cm2);
/// time from the frames' wall-clock "Time" relative to the first frame.
Result<Recording> read_xsensor_csv(std::istream& in, const std::string& source,
                                   const ImportOptions& options = {});

}  // namespace insole::importers
