#pragma once
// The mapping step of an insole whose outputs are not documented (docs/devices.md, section 2.1):
// which output is which cell. The user records a trial in which each zone of the insole is
// pressed once, in the order of a zones file (a thumb on the cell, then release, then the next),
// and this finds, for each press, the one output that rose, and gives each output the position
// and area of its zone: the positions file of a device description.

#include <Eigen/Core>
#include <filesystem>
#include <string>
#include <vector>

#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"

namespace insole::calibration {

/// One zone of the insole, in pressing order.
struct Zone {
  std::string name;   ///< e.g. "medial heel"
  double x_mm = 0, y_mm = 0, area_mm2 = 0;  ///< the cell's centre and area (foot frame)
};

/// Zones file: CSV, header "zone,x_mm,y_mm,area_mm2", one zone per line in pressing order, '#'
/// comments. Errors name the file and line.
Result<std::vector<Zone>> read_zones(const std::filesystem::path& path);

struct PressFound {
  std::size_t zone = 0;     ///< index into the zones
  std::size_t output = 0;   ///< the output (sensor index in wire order) that rose
  double start_s = 0, end_s = 0;
  double rise = 0;          ///< its mean rise over the press, in the stream's units
  double next_rise = 0;     ///< the largest rise of any other output (crosstalk)
};

struct SensorMapping {
  std::vector<PressFound> presses;         ///< one per zone, in pressing order
  /// Per output (wire order): the zone it belongs to.
  std::vector<std::size_t> zone_of_output;
};

/// Finds the presses in one stream of a recording and maps outputs to zones. A press is a run of
/// frames whose summed rise above each output's resting level (its 10th percentile) exceeds both a
/// quarter of the sum's 95th percentile and three times its 10th (the noise of the quiet frames),
/// at least 0.2 s long, runs closer than 0.2 s merged.
/// Refused (invalid_argument, with what to do): another number of presses than zones; a press in
/// which no single output rose at least twice as much as every other one; an output pressed
/// twice; zones and outputs in different numbers.
Result<SensorMapping> map_sensors(const Stream& stream, const std::vector<Zone>& zones);

/// The positions file of a device description (layout.positions_file): header, then per output in
/// wire order "x_mm,y_mm,area_mm2  # zone, press at t s".
std::string positions_csv(const SensorMapping& mapping, const std::vector<Zone>& zones);

}  // namespace insole::calibration
