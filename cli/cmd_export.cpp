// insole export: an insole HDF5 recording -> an exchange format for other software.
// Currently the pedcad import file (.apd) of the maximum-pressure footprint, for orthotic CAD.
#include <iostream>

#include "commands.hpp"
#include "insole/importers/apd.hpp"
#include "insole/io/hdf5_recording.hpp"

namespace insole::cli {

int cmd_export(const Args& args) {
  po::options_description opts("options");
  opts.add_options()
      ("format,f", po::value<std::string>()->default_value("apd"), "output format: apd")
      ("output,o", po::value<std::string>(), "output file (required; replaced atomically)")
      ("stream", po::value<std::string>()->default_value(""),
       "grid stream to export (default: the only grid stream)")
      ("threshold-kpa", po::value<double>()->default_value(0.0),
       "pressures at or below this are written as 'no contact'")
      ("input", po::value<std::string>(), "insole HDF5 recording");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  if (auto rc = parse_options("export", "--format apd INPUT.h5 -o OUT.apd",
                              "Writes the maximum-pressure footprint of a grid stream as a pedcad "
                              "import file (.apd, N/cm2, -1 = no contact) for orthotic CAD software.",
                              opts, pos, args, vm))
    return *rc;
  if (vm["format"].as<std::string>() != "apd")
    return usage_error("export", "unknown --format '" + vm["format"].as<std::string>() + "' (supported: apd)");
  if (!vm.count("input")) return usage_error("export", "missing INPUT.h5");
  if (!vm.count("output")) return usage_error("export", "missing -o OUT.apd");
  const double threshold = vm["threshold-kpa"].as<double>();
  if (!(threshold >= 0)) return usage_error("export", "--threshold-kpa must be >= 0");
  note_if_interrupted("export", vm["input"].as<std::string>());
  auto rec = io::read_recording(vm["input"].as<std::string>());
  if (!rec) return report_error("export", rec.error());
  importers::ApdExportOptions o;
  o.stream = vm["stream"].as<std::string>();
  o.contact_threshold_kpa = threshold;
  if (auto st = importers::export_apd(*rec, std::filesystem::path(vm["output"].as<std::string>()), o); !st)
    return report_error("export", st.error());
  std::cerr << "insole export: wrote " << vm["output"].as<std::string>() << "\n";
  return kExitOk;
}

}  // namespace insole::cli
