// `insole map-sensors`: the mapping step of an insole whose outputs are not documented. From a
// trial in which each zone was pressed once, in the zones file's order, it finds which output is
// which cell and writes the positions file of a device description (docs/devices.md, 2.1).
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "insole/calibration/sensor_mapping.hpp"
#include "insole/core/atomic_output.hpp"
#include "insole/io/hdf5_recording.hpp"

namespace insole::cli {

int cmd_map_sensors(const Args& args) {
  constexpr const char* kCmd = "map-sensors";
  po::options_description opts("options");
  std::string file, zones_file, stream_name, output;
  opts.add_options()
      ("file", po::value(&file)->required(), "the pressing trial (HDF5; e.g. from insole capture)")
      ("zones", po::value(&zones_file)->required(),
       "CSV: zone,x_mm,y_mm,area_mm2, one zone per line in the order they were pressed")
      ("stream", po::value(&stream_name), "the insole's stream (default: the only one, or left)")
      ("output,o", po::value(&output)->required(), "positions file to write (layout.positions_file)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (auto rc = parse_options(kCmd, "TRIAL.h5 --zones ZONES.csv -o POSITIONS.csv [--stream NAME]",
                              "Maps an insole's outputs to its cells. Record a trial pressing each zone once, "
                              "in the zones file's order (about a second each, releasing fully in between); "
                              "this finds the output that rose at each press and writes, per output in wire "
                              "order, its zone's position and area: the positions file of a device description.",
                              opts, pos, args, vm))
    return *rc;
  auto zones = calibration::read_zones(zones_file);
  if (!zones) return report_error(kCmd, zones.error());
  auto rec = io::read_recording(file);
  if (!rec) return report_error(kCmd, rec.error());
  const Stream* stream = nullptr;
  if (stream_name.empty() && rec->streams.size() == 1) stream = &rec->streams[0];
  const std::string wanted = stream_name.empty() ? "left" : stream_name;
  for (const auto& s : rec->streams)
    if (!stream && s.info.name == wanted) stream = &s;
  if (!stream) {
    std::string names;
    for (const auto& s : rec->streams) names += (names.empty() ? "" : ", ") + s.info.name;
    return usage_error(kCmd, file + " has no stream '" + wanted + "' (it has " + names + "); name it with --stream");
  }
  auto mapping = calibration::map_sensors(*stream, *zones);
  if (!mapping) return report_error(kCmd, mapping.error());
  std::cout << "stream " << stream->info.name << ": " << mapping->presses.size() << " presses, one output each\n";
  std::cout << "  press  zone                    output   from      to   rise  next\n";
  for (const auto& p : mapping->presses)
    std::cout << "  " << std::setw(5) << p.zone + 1 << "  " << std::left << std::setw(22) << (*zones)[p.zone].name
              << std::right << "  " << std::setw(6) << p.output << std::fixed << std::setprecision(2) << std::setw(7)
              << p.start_s << std::setw(8) << p.end_s << std::setprecision(1) << std::setw(7) << p.rise
              << std::setw(6) << p.next_rise << "\n"
              << std::defaultfloat;
  if (auto st = write_file_atomically(output, calibration::positions_csv(*mapping, *zones)); !st)
    return report_error(kCmd, st.error());
  std::cout << "wrote " << output << " (use it as layout.positions_file in the device description)\n";
  return kExitOk;
}

}  // namespace insole::cli
