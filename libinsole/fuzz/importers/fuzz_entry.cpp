#include "fuzz_entry.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "insole/importers/apd.hpp"
#include "insole/importers/importers.hpp"

namespace insole::importers::fuzz {

namespace {
[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "importer invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}
}  // namespace

int run_one(std::string_view format, const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)detect_format_text(bytes);
  std::istringstream in(bytes);
  const std::string source = "fuzz-input";
  auto rec = import_stream(in, source, format);
  if (!rec) {
    const Error& e = rec.error();
    if (e.code != Errc::format_error && e.code != Errc::unsupported)
      fail("unexpected error code", std::string(to_string(e.code)) + " " + e.message);
    if (e.message.rfind(source + ":", 0) != 0) fail("message does not name the source", e.message);
    return 0;
  }
  if (auto st = rec->validate(); !st) fail("recording does not validate", st.error().message);
  for (const auto& s : rec->streams) {
    if (s.frame_count() == 0) fail("empty stream", s.info.name);
    if (s.pressure_kpa.cols() != s.info.layout.sensor_count()) fail("sensel count", s.info.name);
    if (s.info.layout.is_grid()) {
      std::ostringstream out;
      ApdExportOptions o;
      o.stream = s.info.name;
      auto st = export_apd(*rec, out, o);
      if (!st && st.error().code != Errc::no_data) fail("apd export", st.error().message);
      if (st) {  // what we write, we must read back with the same shape
        std::istringstream back(out.str());
        auto again = import_stream(back, "export", "apd");
        if (!again) fail("apd round trip", again.error().message);
      }
    }
  }
  return 0;
}

}  // namespace insole::importers::fuzz
