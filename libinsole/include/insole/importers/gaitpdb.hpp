#pragma once
// PhysioNet "Gait in Parkinson's Disease" (gaitpdb 1.0.0) walks: 19 whitespace-separated columns
// per line, time (s), vertical force (N) under 8 left sensors, 8 right sensors, left total,
// right total; 100 Hz (Goldberger et al. 2000; format.txt of the data set).

#include <istream>
#include <string>

#include "insole/core/recording.hpp"
#include "insole/importers/options.hpp"

namespace insole::importers {

/// The published sensor positions are in arbitrary units (origin between the feet, +Y forward).
/// They are converted to the foot's own frame at this nominal scale: x relative to the foot's
/// centre line (L/R x = -/+500), y relative to the heel sensor (y = -800).
inline constexpr double kGaitpdbMmPerUnit = 0.1;
/// The sensors measure force, not pressure. Each is given this nominal area so that
/// pressure_kpa = 1000 * force_n / area_mm2 and total_force_n() returns the measured forces.
inline constexpr double kGaitpdbNominalSensorAreaMm2 = 100.0;

/// Streams "left" and "right", 8 sensors each. The totals in columns 18 and 19 are checked
/// against the sensor sums (within 0.05 N per the file's two-decimal rounding).
Result<Recording> read_gaitpdb(std::istream& in, const std::string& source,
                               const ImportOptions& options = {});

}  // namespace insole::importers
