# Turns the built-in device descriptions (drivers/devices/*.json) into one C++ source (script
# mode), in registry order:
#   cmake -DDEVICES_DIR=... -DNAMES="a;b;c" -DOUTPUT=... -P embed_devices.cmake
# Each file becomes a byte array and an entry {file name, text} of
# insole::drivers::builtin_device_descriptions().
include("${CMAKE_CURRENT_LIST_DIR}/embed_common.cmake")
set(arrays "")
set(entries "")
set(i 0)
foreach(name IN LISTS NAMES)
  set(f "${DEVICES_DIR}/${name}.json")
  if(NOT EXISTS "${f}")
    message(FATAL_ERROR "built-in device description ${f} is missing")
  endif()
  embed_append_array("${f}" device${i} arrays size)
  string(APPEND entries "      {\"${name}.json\", std::string(reinterpret_cast<const char*>(device${i}), ${size})},\n")
  math(EXPR i "${i} + 1")
endforeach()
set(content "// Generated from drivers/devices by cmake/embed_devices.cmake; do not edit.
#include \"insole/drivers/protocol/device_description.hpp\"

namespace insole::drivers {
namespace {
${arrays}}  // namespace

const std::vector<std::pair<std::string, std::string>>& builtin_device_descriptions() {
  static const std::vector<std::pair<std::string, std::string>> files = {
${entries}  };
  return files;
}

}  // namespace insole::drivers
")
embed_write_if_changed("${OUTPUT}" "${content}")
