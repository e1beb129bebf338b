#include "insole/importers/importers.hpp"

#include <fstream>
#include <functional>
#include <system_error>

#include "insole/importers/apd.hpp"
#include "insole/importers/gaitpdb.hpp"
#include "insole/importers/moticon.hpp"
#include "insole/importers/novel.hpp"
#include "insole/importers/tekscan.hpp"
#include "insole/importers/xsensor.hpp"
#include "text.hpp"

namespace insole::importers {

using namespace detail;

namespace {

using Reader = Result<Recording> (*)(std::istream&, const std::string&, const ImportOptions&);

struct Entry {
  FormatInfo info;
  Reader read;
};

const std::vector<Entry>& registry() {
  static const std::vector<Entry> r = {
      {{"tekscan", "Tekscan ASCII movie (F-Scan insoles, I-Scan/MatScan mats), calibrated units",
        {".asf", ".csv"}},
       read_tekscan},
      {{"emed", "Novel emed platform ASCII pictures (.lst)", {".lst"}}, read_emed_lst},
      {{"pedar", "Novel pedar insoles ASCII export, left and right (.asc)", {".asc"}}, read_pedar_asc},
      {{"pliance", "Novel pliance ASCII export with sensor geometry (.asc)", {".asc"}}, read_pliance_asc},
      {{"xsensor", "XSENSOR CSV export, frame-block layout (.csv)", {".csv"}}, read_xsensor_csv},
      {{"moticon", "Moticon OpenGo text export, both insoles and step events (.txt)", {".txt"}},
       read_moticon_txt},
      {{"gaitpdb", "PhysioNet gaitpdb walk, 8 force sensors per foot (.txt)", {".txt"}}, read_gaitpdb},
      {{"apd", "zebris / GP pedcad import file, one max-pressure footprint (.apd)", {".apd"}}, read_apd},
  };
  return r;
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  return to_lower(hay).find(to_lower(needle)) != std::string::npos;
}

}  // namespace

const std::vector<FormatInfo>& formats() {
  static const std::vector<FormatInfo> list = [] {
    std::vector<FormatInfo> out;
    for (const auto& e : registry()) out.push_back(e.info);
    return out;
  }();
  return list;
}

Result<std::string> detect_format_text(std::string_view head) {
  if (head.size() >= 2 && ((head[0] == '\xFF' && head[1] == '\xFE') || (head[0] == '\xFE' && head[1] == '\xFF')))
    return make_error(Errc::unsupported,
                      "UTF-16 text is not supported: convert the file to UTF-8 (or re-export as ANSI)");
  if (head.size() >= 3 && head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  // First non-empty line.
  std::string_view first;
  {
    std::size_t i = 0;
    while (i < head.size()) {
      std::size_t e = head.find_first_of("\r\n", i);
      if (e == std::string_view::npos) e = head.size();
      const auto l = trim(head.substr(i, e - i));
      if (!l.empty()) {
        first = l;
        break;
      }
      i = e + 1;
    }
  }
  if (starts_with_ci(first, "DATA_TYPE") || head.find("\nASCII_DATA") != std::string_view::npos)
    return std::string("tekscan");
  if (head.find("\tPict-No.:") != std::string_view::npos ||
      (head.find("Matrix:") != std::string_view::npos && head.find("Sensor size:") != std::string_view::npos))
    return std::string("emed");
  if (contains_ci(head, "time[secs]")) {
    if (contains_ci(head, "mat type")) return std::string("pliance");
    const std::size_t at = to_lower(head).find("time[secs]");
    const std::size_t eol = head.find_first_of("\r\n", at);
    const auto header = head.substr(at, eol == std::string_view::npos ? std::string_view::npos : eol - at);
    return std::string(header.find('\t') != std::string_view::npos ? "pedar" : "pliance");
  }
  if (starts_with_ci(first, "File:,") || (head.find("\nFRAME,") != std::string_view::npos &&
                                          head.find("SENSELS") != std::string_view::npos))
    return std::string("xsensor");
  if (!first.empty() && first.front() == '#' &&
      (contains_ci(head, "# Start time") || contains_ci(head, "# Sensor insoles")))
    return std::string("moticon");
  if (first == "[General]" || (contains_ci(head, "pedcad") && head.find("[Data]") != std::string_view::npos))
    return std::string("apd");
  {
    const auto f = split_ws(first);
    bool numeric = f.size() == 19;
    for (const auto& x : f) numeric = numeric && parse_number(x).has_value();
    if (numeric) return std::string("gaitpdb");
  }
  return make_error(Errc::unsupported,
                    "the content matches none of the supported formats; name one with --format "
                    "(see 'insole import --list')");
}

Result<std::string> detect_format(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return make_error(Errc::not_found, path.string() + ": no such file");
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error(Errc::io_error, path.string() + ": cannot open for reading");
  std::string head(256 * 1024, '\0');
  f.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(f.gcount()));
  if (head.empty()) return make_error(Errc::format_error, path.string() + ":1: expected content, the file is empty");
  auto r = detect_format_text(head);
  if (!r) return make_error(r.error().code, path.string() + ": " + r.error().message);
  return r;
}

Result<Recording> import_stream(std::istream& in, const std::string& source, std::string_view format,
                                const ImportOptions& options) {
  for (const auto& e : registry())
    if (e.info.name == format) {
      auto rec = e.read(in, source, options);
      if (!rec) return rec;
      if (auto st = rec->validate(); !st)
        return make_error(Errc::format_error, source + ": " + st.error().message);
      return rec;
    }
  return make_error(Errc::invalid_argument, "unknown import format '" + std::string(format) +
                                                "' (see 'insole import --list')");
}

Result<Recording> import_file(const std::filesystem::path& path, std::string_view format,
                              const ImportOptions& options) {
  std::string fmt(format);
  if (fmt.empty()) {
    auto d = detect_format(path);
    if (!d) return d.error();
    fmt = *d;
  } else {
    bool known = false;
    for (const auto& f : formats()) known = known || f.name == fmt;
    if (!known)
      return make_error(Errc::invalid_argument,
                        "unknown import format '" + fmt + "' (see 'insole import --list')");
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return make_error(Errc::not_found, path.string() + ": no such file");
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error(Errc::io_error, path.string() + ": cannot open for reading");
  return import_stream(f, path.string(), fmt, options);
}

}  // namespace insole::importers
