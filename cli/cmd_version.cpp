#include <iostream>

#include "commands.hpp"
#include "insole/core/version.hpp"

namespace insole::cli {

int cmd_version(const Args& args) {
  po::options_description opts("options");
  po::variables_map vm;
  if (auto rc = parse_options("version", "", "Prints the toolkit and file-format versions.", opts,
                              {}, args, vm))
    return *rc;
  std::cout << "insole " << kToolkitVersion << " (HDF5 recording format " << kFormatVersion
            << ")\n";
  return kExitOk;
}

}  // namespace insole::cli
