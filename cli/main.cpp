// The `insole` program: dispatches to one subcommand per file. No algorithms here.
#include <array>
#include <exception>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "insole/core/version.hpp"

namespace {

using insole::cli::Command;

// The table of subcommands, in the order `insole --help` lists them.
constexpr std::array kCommands{
    Command{"version", "print the toolkit and file-format versions", insole::cli::cmd_version},
    Command{"info", "show what a recording holds: streams, frames, layout, ranges, events", insole::cli::cmd_info},
    Command{"analyze", "footprints, arch, CPEI, gait events and timing, equinus signature, findings", insole::cli::cmd_analyze},
    Command{"import", "convert a vendor export file to an insole HDF5 recording", insole::cli::cmd_import},
    Command{"export", "write a recording's footprint for other software (pedcad .apd)", insole::cli::cmd_export},
    Command{"capture", "record live sources (devices, simulator, files) into one HDF5 file", insole::cli::cmd_capture},
    Command{"recover", "make an interrupted (killed) capture a complete file other HDF5 tools open", insole::cli::cmd_recover},
    Command{"devices", "list serial ports and protocols; probe a port", insole::cli::cmd_devices},
    Command{"virtual-device", "emulate a pressure device on a pseudo-terminal", insole::cli::cmd_virtual_device},
    Command{"report", "write the fitting report (PDF, HTML or JSON) with recommendations", insole::cli::cmd_report},
    Command{"simulate", "write a simulated walk or standing recording (mat or insoles)", insole::cli::cmd_simulate},
    Command{"batch", "analyse many recordings into one CSV (parallel, shardable, resumable)", insole::cli::cmd_batch},
    Command{"register", "register footprints rigidly within subject or onto a template (MUN104); quality per image",
            insole::cli::cmd_register},
    Command{"map-sensors", "an insole's outputs to its cells, from a trial pressing each zone once", insole::cli::cmd_map_sensors},
    Command{"calibrate", "counts to kPa: compute a body-weight calibration, apply it to a recording, check it", insole::cli::cmd_calibrate},
    Command{"compare", "compare two recordings of one patient per foot and region; difference map; prescription targets",
            insole::cli::cmd_compare},
    Command{"spm", "register footprints of a design onto a template; pixel t tests with permutation FWE", insole::cli::cmd_spm},
    Command{"serve", "the clinic app in a web browser: patients, live capture, results, reports", insole::cli::cmd_serve},
    Command{"batch-merge", "combine the CSVs of batch shards, checking none is missing or duplicated", insole::cli::cmd_batch_merge},
};

void print_help() {
  std::cout << "insole " << insole::kToolkitVersion
            << ": plantar-pressure analysis for pressure mats and insoles\n\n"
               "usage: insole <command> [options]\n       insole <command> --help\n\ncommands:\n";
  for (const auto& c : kCommands) {
    std::string name = c.name;
    name.resize(16, ' ');
    std::cout << "  " << name << c.summary << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) {
    print_help();
    return insole::cli::kExitBadInput;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_help();
    return insole::cli::kExitOk;
  }
  if (name == "--version") return insole::cli::cmd_version({});
  for (const auto& c : kCommands)
    if (name == c.name) return c.run(insole::cli::Args(argv + 2, argv + argc));
  std::cerr << "insole: unknown command '" << name << "' (see 'insole --help')\n";
  return insole::cli::kExitBadInput;
} catch (const std::exception& e) {
  // Only programmer errors reach here (expected failures are Results).
  std::cerr << "insole: internal error: " << e.what() << "\n";
  return 3;
}
