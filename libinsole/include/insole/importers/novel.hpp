#pragma once
// Novel GmbH ASCII exports: emed plate pictures (.lst), pedar insoles (.asc) and pliance sensor
// sets (.asc). Layouts checked against real exports; see docs/formats.md.

#include <istream>
#include <string>

#include "insole/core/recording.hpp"
#include "insole/importers/options.hpp"

namespace insole::importers {

/// emed .lst: one page per picture (ended by a form feed) with a printed window of the plate
/// (row and column numbers, kPa) and force margins in N that are checked against
/// sum(kPa) x sensor area. One grid stream "plate": the whole "Matrix:" with the printed window
/// at its numbers and 0 kPa elsewhere (the window alone when the matrix cannot hold it).
Result<Recording> read_emed_lst(std::istream& in, const std::string& source,
                                const ImportOptions& options = {});

/// pedar .asc: preamble, header row, TAB table of time + left sensors + right sensors.
/// Two sensor streams "left" and "right"; the file carries no sensor positions, so the layouts
/// have unknown geometry (NaN positions and areas, has_geometry() false).
Result<Recording> read_pedar_asc(std::istream& in, const std::string& source,
                                 const ImportOptions& options = {});

/// pliance .asc: preamble, space-aligned table of time + sensors (numbered), MPP/MVP summary
/// rows, a force/COP table and a sensor geometry block (corners, centre, area in cm). One sensor
/// stream "pliance" with the centres and areas of the geometry block (unknown when absent).
Result<Recording> read_pliance_asc(std::istream& in, const std::string& source,
                                   const ImportOptions& options = {});

}  // namespace insole::importers
