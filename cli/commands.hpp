#pragma once
// Entry points of the subcommands, one per cmd_<name>.cpp file.
#include "common.hpp"

namespace insole::cli {
int cmd_version(const Args& args);
}  // namespace insole::cli
