# Shared by the embed_*.cmake scripts, which turn files into C++ byte arrays (script mode).

# Appends "const unsigned char NAME[] = {...};" holding the bytes of FILE to the variable named by
# ARRAYS_VAR (with a trailing 0 that is not counted), and sets SIZE_VAR to the file's size.
function(embed_append_array file name arrays_var size_var)
  file(READ "${file}" hex HEX)
  string(LENGTH "${hex}" hex_len)
  math(EXPR size "${hex_len} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x..,){32})" "\\1\n" bytes "${bytes}")
  set(${arrays_var} "${${arrays_var}}const unsigned char ${name}[] = {\n${bytes}0};\n" PARENT_SCOPE)
  set(${size_var} ${size} PARENT_SCOPE)
endfunction()

# Writes CONTENT to OUTPUT only when it differs, so that unchanged inputs do not recompile.
function(embed_write_if_changed output content)
  if(EXISTS "${output}")
    file(READ "${output}" old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE "${output}" "${content}")
endfunction()
