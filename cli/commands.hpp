#pragma once
// Entry points of the subcommands, one per cmd_<name>.cpp file.
#include "common.hpp"

namespace insole::cli {
int cmd_version(const Args& args);
int cmd_info(const Args& args);
int cmd_analyze(const Args& args);
int cmd_import(const Args& args);
int cmd_export(const Args& args);
int cmd_capture(const Args& args);
int cmd_devices(const Args& args);
int cmd_virtual_device(const Args& args);
int cmd_report(const Args& args);
int cmd_simulate(const Args& args);
int cmd_batch(const Args& args);
int cmd_batch_merge(const Args& args);
int cmd_recover(const Args& args);
int cmd_spm(const Args& args);
int cmd_register(const Args& args);
int cmd_serve(const Args& args);
int cmd_calibrate(const Args& args);
int cmd_map_sensors(const Args& args);
int cmd_compare(const Args& args);
}  // namespace insole::cli
