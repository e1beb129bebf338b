#include "common.hpp"

#include <iostream>

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

}  // namespace insole::cli
