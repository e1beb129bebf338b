# Turns the files of the app's web folder into one C++ source (script mode):
#   cmake -DWEB_DIR=... -DOUTPUT=... -P embed_assets.cmake
# Each file becomes a byte array and an entry of insole::app::web_assets(), served by exact name.
include("${CMAKE_CURRENT_LIST_DIR}/embed_common.cmake")
file(GLOB files RELATIVE "${WEB_DIR}" "${WEB_DIR}/*")
list(SORT files)
set(arrays "")
set(entries "")
set(i 0)
foreach(f IN LISTS files)
  if(IS_DIRECTORY "${WEB_DIR}/${f}")
    continue()
  endif()
  embed_append_array("${WEB_DIR}/${f}" asset${i} arrays size)
  set(type "application/octet-stream")
  if(f MATCHES "\\.html$")
    set(type "text/html; charset=utf-8")
  elseif(f MATCHES "\\.js$")
    set(type "text/javascript; charset=utf-8")
  elseif(f MATCHES "\\.css$")
    set(type "text/css; charset=utf-8")
  elseif(f MATCHES "\\.svg$")
    set(type "image/svg+xml")
  elseif(f MATCHES "\\.png$")
    set(type "image/png")
  endif()
  string(APPEND entries "      {\"/${f}\", \"${type}\", asset${i}, ${size}},\n")
  math(EXPR i "${i} + 1")
endforeach()
set(content "// Generated from app/web by cmake/embed_assets.cmake; do not edit.
#include \"insole/app/app.hpp\"

namespace insole::app {
namespace {
${arrays}}  // namespace

const std::vector<Asset>& web_assets() {
  static const std::vector<Asset> assets = {
${entries}  };
  return assets;
}

}  // namespace insole::app
")
embed_write_if_changed("${OUTPUT}" "${content}")
