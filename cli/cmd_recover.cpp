// `insole recover FILE`: an interrupted capture made into a complete file (io::recover_capture).
#include <iostream>

#include "commands.hpp"
#include "insole/io/hdf5_recording.hpp"

namespace insole::cli {

int cmd_recover(const Args& args) {
  po::options_description opts("options");
  opts.add_options()("file", po::value<std::string>()->required(), "the capture (HDF5 recording)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (auto rc = parse_options("recover", "FILE",
                              "Makes a capture that was interrupted (killed, crashed, power lost) a complete file:\n"
                              "clears HDF5's open-for-writing flags (as h5clear -s does), trims the datasets to\n"
                              "the frames of the capture's last flush and notes the recovery in the file. The\n"
                              "file is then opened by h5py, HDFView and MATLAB like any other. Works on a copy\n"
                              "renamed over the original; a complete file is left untouched.",
                              opts, pos, args, vm))
    return *rc;
  const std::string path = vm["file"].as<std::string>();
  auto r = io::recover_capture(path);
  if (!r) return report_error("recover", r.error());
  if (!r->was_interrupted) {
    std::cout << path << ": complete already (closed by its writer); nothing to do\n";
    return kExitOk;
  }
  std::cout << "recovered " << path << "\n";
  for (const auto& [name, frames] : r->frames) std::cout << "  " << name << ": " << frames << " frames\n";
  std::cout << "  events: " << r->events << "\n";
  return kExitOk;
}

}  // namespace insole::cli
