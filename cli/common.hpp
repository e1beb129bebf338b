#pragma once
// Shared plumbing for subcommands: option parsing with --help, error reporting and exit codes.
// No algorithms live in cli/.

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "insole/compare/compare.hpp"
#include "insole/core/result.hpp"

namespace insole::cli {

namespace po = boost::program_options;

/// Exit codes (design note §3.3).
enum ExitCode : int {
  kExitOk = 0,       ///< success
  kExitProblem = 1,  ///< ran, but found a problem the user must see (e.g. no foot contact)
  kExitBadInput = 2  ///< bad usage or bad input
};

using Args = std::vector<std::string>;

/// Description of one subcommand for `insole --help` and dispatch.
struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Args& args);
};

/// Parses `args` (without the program and subcommand names) against `options` and the
/// positional names. Returns an exit code when the command should stop now: 0 after printing
/// help for --help, 2 after printing a usage error. Returns nullopt when parsing succeeded.
std::optional<int> parse_options(const std::string& command, const std::string& usage,
                                 const std::string& description, po::options_description& options,
                                 const po::positional_options_description& positional,
                                 const Args& args, po::variables_map& vm);

/// Prints "insole <command>: error: <message>" to stderr; returns the exit code for the error
/// (1 for Errc::no_data, 2 for everything else).
int report_error(const std::string& command, const Error& error);

/// The sentence that names `insole recover` for a capture that was interrupted (killed, crashed):
/// the toolkit reads it as of its last flush, other HDF5 tools need it recovered first. (For a
/// capture still being written: says so instead.)
std::string interrupted_note(const std::string& file);

/// Prints "insole <command>: note: <interrupted_note(file)>" to stderr.
void note_interrupted(const std::string& command, const std::string& file);

/// The same for commands that read a recording whole (io::read_recording): opens the file only to
/// look; says nothing when it cannot be opened (the command's own read reports that).
void note_if_interrupted(const std::string& command, const std::string& file);

/// Prints a usage error and returns 2.
int usage_error(const std::string& command, const std::string& message);

/// --condition-a / --condition-b (what each recording was made in) into the comparison's options,
/// checked by compare::check_conditions; the usage error's exit code when one is not allowed.
std::optional<int> read_conditions(const std::string& command, const po::variables_map& vm,
                                   compare::CompareOptions& options);

}  // namespace insole::cli
