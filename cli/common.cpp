#include "common.hpp"

#include <iostream>

#include "insole/io/hdf5_recording.hpp"

namespace insole::cli {

std::optional<int> parse_options(const std::string& command, const std::string& usage,
                                 const std::string& description, po::options_description& options,
                                 const po::positional_options_description& positional,
                                 const Args& args, po::variables_map& vm) {
  options.add_options()("help,h", "show this help and exit");
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: insole " << command << " " << usage << "\n\n"
                << description << "\n\n"
                << options << "\n";
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "insole " << command << ": error: " << e.what() << "\n"
              << "usage: insole " << command << " " << usage << "\n"
              << "(see 'insole " << command << " --help')\n";
    return kExitBadInput;
  }
  return std::nullopt;
}

int report_error(const std::string& command, const Error& error) {
  std::cerr << "insole " << command << ": error: " << error.message << "\n";
  return error.code == Errc::no_data ? kExitProblem : kExitBadInput;
}

int usage_error(const std::string& command, const std::string& message) {
  std::cerr << "insole " << command << ": error: " << message << "\n"
            << "(see 'insole " << command << " --help')\n";
  return kExitBadInput;
}

std::string interrupted_note(const std::string& file) {
  if (io::capture_in_progress(file))
    return file + ": a capture is still writing this file; it is read as of the capture's last flush.";
  return file + ": the capture that wrote this file was interrupted (killed or crashed); it is read as of "
                "its last flush. Run 'insole recover " + file + "' to make it a complete file that h5py, "
                "HDFView and MATLAB open.";
}

void note_interrupted(const std::string& command, const std::string& file) {
  std::cerr << "insole " << command << ": note: " << interrupted_note(file) << "\n";
}

void note_if_interrupted(const std::string& command, const std::string& file) {
  auto reader = io::RecordingReader::open(file);
  if (reader && reader->interrupted()) note_interrupted(command, file);
}

std::optional<int> read_conditions(const std::string& command, const po::variables_map& vm,
                                   compare::CompareOptions& options) {
  if (vm.count("condition-a")) options.condition_a = vm["condition-a"].as<std::string>();
  if (vm.count("condition-b")) options.condition_b = vm["condition-b"].as<std::string>();
  if (auto st = compare::check_conditions(options); !st)  // the message says "condition of A" or "of B"
    return usage_error(command, "--condition-a / --condition-b: " + st.error().message);
  return std::nullopt;
}

}  // namespace insole::cli
