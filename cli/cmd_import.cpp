// insole import: vendor export file -> insole HDF5 recording. Parsing is insole::importers',
// writing is insole::io's (atomic: an existing OUT is replaced only by a complete file).
#include <iostream>

#include "commands.hpp"
#include "insole/importers/importers.hpp"
#include "insole/io/hdf5_recording.hpp"

namespace insole::cli {

int cmd_import(const Args& args) {
  po::options_description opts("options");
  opts.add_options()
      ("format,f", po::value<std::string>()->default_value(""),
       "input format (see --list); detected from the content when omitted")
      ("output,o", po::value<std::string>(), "output HDF5 recording (required)")
      ("side", po::value<std::string>(),
       "left | right: side of a single-insole file (default: from a file name ending in L/R)")
      ("list", "list the supported formats and exit")
      ("input", po::value<std::string>(), "vendor export file");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  if (auto rc = parse_options("import", "[--format NAME] INPUT -o OUT.h5 | --list",
                              "Reads a vendor export (Tekscan, Novel emed/pedar/pliance, XSENSOR, "
                              "Moticon, PhysioNet gaitpdb, pedcad .apd) and writes an insole HDF5 "
                              "recording with pressure in kPa.",
                              opts, pos, args, vm))
    return *rc;
  if (vm.count("list")) {
    for (const auto& f : importers::formats()) {
      std::string name = f.name;
      name.resize(10, ' ');
      std::string ext;
      for (const auto& e : f.extensions) ext += (ext.empty() ? "" : " ") + e;
      std::cout << name << f.description << " [" << ext << "]\n";
    }
    return kExitOk;
  }
  if (!vm.count("input")) return usage_error("import", "missing INPUT file");
  if (!vm.count("output")) return usage_error("import", "missing -o OUT.h5");
  importers::ImportOptions options;
  if (vm.count("side")) {
    const auto side = parse_side(vm["side"].as<std::string>());
    if (!side || (*side != Side::left && *side != Side::right))
      return usage_error("import", "--side must be left or right");
    options.side = *side;
  }
  const std::string input = vm["input"].as<std::string>();
  auto rec = importers::import_file(input, vm["format"].as<std::string>(), options);
  if (!rec) return report_error("import", rec.error());
  rec->meta.created_by = "insole import";
  if (auto st = io::write_recording(vm["output"].as<std::string>(), *rec); !st)
    return report_error("import", st.error());
  std::cerr << "insole import: " << input << " (" << rec->meta.attributes["import.format"] << ") -> "
            << vm["output"].as<std::string>() << ":";
  for (const auto& s : rec->streams)
    std::cerr << " " << s.info.name << " " << s.frame_count() << " frames x "
              << s.info.layout.sensor_count() << " sensels"
              << (s.info.layout.has_geometry() ? "" : " (sensor geometry unknown)") << ";";
  std::cerr << " " << rec->events.size() << " events\n";
  return kExitOk;
}

}  // namespace insole::cli
