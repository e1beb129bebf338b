# Turns the built-in device descriptions (drivers/devices/*.json) into one C++ source (script
# mode), in registry order:
#   cmake -DDEVICES_DIR=... -DNAMES="a;b;c" -DOUTPUT=... -P embed_devices.cmake
# Each file becomes a byte array and an entry {file name, text} of
# insole::drivers::builtin_device_descriptions().
set(arrays "")
set(entries "")
set(i 0)
foreach(name IN LISTS NAMES)
  set(f "${DEVICES_DIR}/${name}.json")
  if(NOT EXISTS "${f}")
    message(FATAL_ERROR "built-in device description ${f} is missing")
  endif()
  file(READ "${f}" hex HEX)
  string(LENGTH "${hex}" hex_len)
  math(EXPR size "${hex_len} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x..,){32})" "\\1\n" bytes "${bytes}")
  string(APPEND arrays "const unsigned char device${i}[] = {\n${bytes}0};\n")
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
# Rewrite only when changed, so that unchanged descriptions do not recompile.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
  if(old STREQUAL content)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${content}")
