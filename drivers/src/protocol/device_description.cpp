#include "insole/drivers/protocol/device_description.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "insole/core/text.hpp"

namespace insole::drivers {

std::string_view to_string(FactSource s) noexcept {
  switch (s) {
    case FactSource::documented: return "documented";
    case FactSource::measured: return "measured";
    case FactSource::guessed: return "guessed";
    case FactSource::unknown: return "unknown";
  }
  return "guessed";
}

namespace {

using nlohmann::json;

// Names on the wire of the codec's enumerations, in one table each (read and written alike).
template <class E>
using Names = std::vector<std::pair<E, std::string_view>>;

const Names<MatrixFraming>& framings() {
  // Built on first use: the registry may be built during other files' static initialisation.
  static const Names<MatrixFraming> names = {{MatrixFraming::text_lines, "text_lines"}, {MatrixFraming::poll_raw, "poll_raw"},
                                        {MatrixFraming::header, "header"},         {MatrixFraming::cobs, "cobs"},
                                        {MatrixFraming::slip, "slip"},
                                        {MatrixFraming::zero_run, "zero_run"},     {MatrixFraming::column_messages, "column_messages"}};
  return names;
}
const Names<ValueType>& value_types() {
  // Built on first use: the registry may be built during other files' static initialisation.
  static const Names<ValueType> names = {{ValueType::u8, "u8"},       {ValueType::u16le, "u16le"}, {ValueType::u16be, "u16be"},
                                      {ValueType::i16le, "i16le"}, {ValueType::ascii, "ascii"}};
  return names;
}
const Names<ScanOrder>& orders() {
  // Built on first use: the registry may be built during other files' static initialisation.
  static const Names<ScanOrder> names = {{ScanOrder::row_major, "row_major"}, {ScanOrder::col_major, "col_major"}};
  return names;
}
const Names<MatrixChecksum>& checksums() {
  // Built on first use: the registry may be built during other files' static initialisation.
  static const Names<MatrixChecksum> names = {{MatrixChecksum::none, "none"},
                                          {MatrixChecksum::sum8_all, "sum8_all"},
                                          {MatrixChecksum::sum8_payload, "sum8_payload"},
                                          {MatrixChecksum::sum16le_all, "sum16le_all"}};
  return names;
}
const Names<LengthCounts>& length_counts() {
  // Built on first use: the registry may be built during other files' static initialisation.
  static const Names<LengthCounts> names = {{LengthCounts::values, "values"},
                                            {LengthCounts::payload, "payload"},
                                            {LengthCounts::frame, "frame"}};
  return names;
}
const Names<RawTransform>& transforms() {
  // Built on first use: the registry may be built during other files' static initialisation.
  static const Names<RawTransform> names = {{RawTransform::none, "none"}, {RawTransform::invert, "invert"},
                                         {RawTransform::sensingtex12, "sensingtex12"}};
  return names;
}
const Names<FactSource>& fact_sources() {
  // Built on first use: the registry may be built during other files' static initialisation.
  static const Names<FactSource> names = {{FactSource::documented, "documented"},
                                        {FactSource::measured, "measured"},
                                        {FactSource::guessed, "guessed"},
                                        {FactSource::unknown, "unknown"}};
  return names;
}
const Names<Side>& sides() {
  // Built on first use: the registry may be built during other files' static initialisation.
  static const Names<Side> names = {{Side::left, "left"}, {Side::right, "right"}, {Side::both, "both"}, {Side::unknown, "unknown"}};
  return names;
}

template <class E>
std::string name_of(const Names<E>& names, E value) {
  for (const auto& [v, n] : names)
    if (v == value) return std::string(n);
  return {};
}

template <class E>
std::string choices(const Names<E>& names) {
  std::string out;
  for (const auto& [v, n] : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

std::string hex_bytes(const std::vector<std::uint8_t>& b) {
  std::ostringstream os;
  for (std::size_t i = 0; i < b.size(); ++i)
    os << (i ? " " : "") << std::uppercase << std::hex << std::setw(2) << std::setfill('0') << int(b[i]);
  return os.str();
}

std::string hex4(std::uint16_t v) {
  std::ostringstream os;
  os << std::hex << std::setw(4) << std::setfill('0') << v;
  return os.str();
}

// Reads one JSON object field by field: every field read is ticked off, and finish() refuses the
// object when anything is left (a misspelt field is an error, not silently ignored).
class Fields {
 public:
  Fields(const json& j, std::string path, std::string_view origin) : j_(j), path_(std::move(path)), origin_(origin) {}

  Error bad(std::string_view key, const std::string& what) const {
    return Error{Errc::format_error, std::string(origin_) + ": field '" + where(key) + "': " + what};
  }
  std::string_view origin() const { return origin_; }
  const json& json_object() const { return j_; }
  std::string where(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }
  const json* find(std::string_view key) {
    auto it = j_.find(key);
    if (it == j_.end()) return nullptr;
    used_.insert(std::string(key));
    return &*it;
  }
  Status finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!used_.count(it.key())) return bad(it.key(), "unknown field");
    return {};
  }

  Result<std::string> text(std::string_view key, bool required, std::size_t max_len = 1024) {
    const json* v = find(key);
    if (!v) {
      if (required) return bad(key, "missing (expected a string)");
      return std::string();
    }
    if (!v->is_string()) return bad(key, "expected a string, found " + std::string(v->type_name()));
    std::string s = v->get<std::string>();
    if (s.size() > max_len) return bad(key, "longer than " + std::to_string(max_len) + " bytes");
    if (s.find('\0') != std::string::npos) return bad(key, "contains a NUL character");
    return s;
  }
  Result<double> number(std::string_view key, bool required, double lo, double hi, double fallback) {
    const json* v = find(key);
    if (!v) {
      if (required) return bad(key, "missing (expected a number)");
      return fallback;
    }
    if (!v->is_number()) return bad(key, "expected a number, found " + std::string(v->type_name()));
    const double d = v->get<double>();
    if (!std::isfinite(d) || d < lo || d > hi) {
      std::ostringstream os;
      os << "must be between " << lo << " and " << hi << ", got " << d;
      return bad(key, os.str());
    }
    return d;
  }
  Result<long long> integer(std::string_view key, bool required, long long lo, long long hi, long long fallback) {
    const json* v = find(key);
    if (!v) {
      if (required) return bad(key, "missing (expected an integer)");
      return fallback;
    }
    if (!v->is_number_integer()) return bad(key, "expected an integer, found " + std::string(v->type_name()));
    const long long i = v->is_number_unsigned() && v->get<unsigned long long>() > (1ULL << 62)
                            ? (1LL << 62)
                            : v->get<long long>();
    if (i < lo || i > hi)
      return bad(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                          std::to_string(i));
    return i;
  }
  Result<bool> flag(std::string_view key, bool fallback) {
    const json* v = find(key);
    if (!v) return fallback;
    if (!v->is_boolean()) return bad(key, "expected true or false, found " + std::string(v->type_name()));
    return v->get<bool>();
  }
  template <class E>
  Result<E> choice(std::string_view key, const Names<E>& names, bool required, E fallback) {
    auto s = text(key, required, 64);
    if (!s) return s.error();
    if (s->empty() && !required && !find(key)) return fallback;
    for (const auto& [v, n] : names)
      if (n == *s) return v;
    return bad(key, "\"" + *s + "\" is not one of " + choices(names));
  }
  // Bytes written as hexadecimal pairs separated by spaces: "AA AB AC".
  Result<std::vector<std::uint8_t>> bytes(std::string_view key, std::size_t max_bytes) {
    auto s = text(key, false, 4 * max_bytes + 16);
    if (!s) return s.error();
    std::vector<std::uint8_t> out;
    std::istringstream in(*s);
    std::string tok;
    while (in >> tok) {
      if (tok.size() != 2 || !std::isxdigit(static_cast<unsigned char>(tok[0])) ||
          !std::isxdigit(static_cast<unsigned char>(tok[1])))
        return bad(key, "\"" + tok + "\" is not a byte: write bytes as hexadecimal pairs, e.g. \"AA AB AC\"");
      out.push_back(static_cast<std::uint8_t>(std::strtoul(tok.c_str(), nullptr, 16)));
    }
    if (out.size() > max_bytes) return bad(key, "more than " + std::to_string(max_bytes) + " bytes");
    return out;
  }
  Result<Fields> object(std::string_view key, bool required) {
    const json* v = find(key);
    if (!v) {
      if (required) return bad(key, "missing (expected an object)");
      return Fields(empty(), where(key), origin_);
    }
    if (!v->is_object()) return bad(key, "expected an object, found " + std::string(v->type_name()));
    return Fields(*v, where(key), origin_);
  }
  const json* array(std::string_view key, Error* error) {
    const json* v = find(key);
    if (v && !v->is_array()) {
      *error = bad(key, "expected an array, found " + std::string(v->type_name()));
      return nullptr;
    }
    return v;
  }

 private:
  static const json& empty() {
    static const json e = json::object();
    return e;
  }
  const json& j_;
  std::string path_;
  std::string_view origin_;
  std::set<std::string> used_;
};

#define INSOLE_TRY(var, expr)              \
  auto var##_r = (expr);                   \
  if (!var##_r) return var##_r.error();    \
  auto var = std::move(*var##_r)

Result<std::vector<HostCommand>> commands(Fields& f, std::string_view key) {
  Error e{Errc::format_error, ""};
  const json* a = f.array(key, &e);
  if (!e.message.empty()) return e;
  std::vector<HostCommand> out;
  if (!a) return out;
  if (a->size() > 16) return f.bad(key, "more than 16 commands");
  for (std::size_t i = 0; i < a->size(); ++i) {
    const json& c = (*a)[i];
    const std::string at = std::string(key) + "[" + std::to_string(i) + "]";
    if (!c.is_object()) return f.bad(at, "expected an object {\"bytes\": ..., \"what\": ...}");
    Fields cf(c, f.where(at), f.origin());
    HostCommand hc;
    INSOLE_TRY(b, cf.bytes("bytes", 256));
    INSOLE_TRY(what, cf.text("what", true, 200));
    INSOLE_TRY(wait, cf.flag("await_reply", false));
    if (b.empty()) return cf.bad("bytes", "a command needs at least one byte");
    if (auto st = cf.finish(); !st) return st.error();
    hc.bytes = std::move(b);
    hc.what = std::move(what);
    hc.await_reply = wait;
    out.push_back(std::move(hc));
  }
  return out;
}

// Sensor positions from a CSV file: a header "x_mm,y_mm,area_mm2", then one sensor per line in
// wire order ('#' starts a comment).
Result<Eigen::MatrixX3d> read_positions_csv(const std::filesystem::path& file, Fields& l) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return l.bad("positions_file", file.string() + ": cannot read (" + ec.message() + ")");
  if (size > kMaxDeviceFileBytes) return l.bad("positions_file", file.string() + ": larger than 256 KiB");
  std::ifstream in(file);
  std::string line;
  std::vector<std::array<double, 3>> rows;
  bool header = false;
  for (int n = 1; std::getline(in, line); ++n) {
    const std::vector<std::string> cells = csv_fields(line);
    if (cells.empty()) continue;
    const std::string at = file.string() + " line " + std::to_string(n) + ": ";
    if (!header) {
      if (cells != std::vector<std::string>{"x_mm", "y_mm", "area_mm2"})
        return l.bad("positions_file", at + "expected the header x_mm,y_mm,area_mm2");
      header = true;
      continue;
    }
    if (cells.size() != 3) return l.bad("positions_file", at + "expected 3 numbers (x_mm, y_mm, area_mm2)");
    std::array<double, 3> v{};
    for (std::size_t k = 0; k < 3; ++k) {
      const auto x = parse_number(cells[k]);
      if (!x) return l.bad("positions_file", at + "\"" + cells[k] + "\" is not a number");
      v[k] = *x;
    }
    if (const std::string why = sensor_position_problem(v[0], v[1], v[2]); !why.empty())
      return l.bad("positions_file", at + "sensor " + std::to_string(rows.size()) + ": " + why);
    rows.push_back(v);
    if (rows.size() > 4096) return l.bad("positions_file", file.string() + ": more than 4096 sensors");
  }
  if (!header) return l.bad("positions_file", file.string() + ": empty (expected the header x_mm,y_mm,area_mm2)");
  Eigen::MatrixX3d out(Eigen::Index(rows.size()), 3);
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (int k = 0; k < 3; ++k) out(Eigen::Index(i), k) = rows[i][std::size_t(k)];
  return out;
}

Result<MatrixCodecConfig> parse_json(const json& j, std::string_view origin, const std::filesystem::path& base_dir) {
  if (!j.is_object()) return Error{Errc::format_error, std::string(origin) + ": a device description is a JSON object"};
  Fields top(j, "", origin);
  MatrixCodecConfig c;
  INSOLE_TRY(format, top.text("format", true, 64));
  if (format != kDeviceFormat)
    return top.bad("format", "expected \"" + std::string(kDeviceFormat) + "\", got \"" + format + "\"");
  INSOLE_TRY(version, top.integer("format_version", true, 1, 1000, 1));
  if (version != kDeviceFormatVersion)
    return top.bad("format_version", "this program reads version " + std::to_string(kDeviceFormatVersion) +
                                         ", the file is version " + std::to_string(version));
  INSOLE_TRY(name, top.text("name", true, 40));
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
      }))
    return top.bad("name", "\"" + name + "\": use 1..40 lower-case letters, digits and '_' (it goes in source URIs)");
  c.name = name;
  INSOLE_TRY(description, top.text("description", true, 200));
  c.description = description;
  INSOLE_TRY(device, top.text("device", false, 120));
  c.device = device;
  INSOLE_TRY(rate, top.number("frame_rate_hz", true, 0.01, 10000.0, 50.0));
  c.frame_rate_hz = rate;
  INSOLE_TRY(banner, top.text("boot_banner", false, 200));
  c.boot_banner = banner;

  {
    INSOLE_TRY(t, top.object("transport", true));
    INSOLE_TRY(baud, t.integer("baud", true, 50, 12000000, 115200));
    c.baud = static_cast<std::uint32_t>(baud);
    INSOLE_TRY(usb, t.text("usb", false, 9));
    if (!usb.empty()) {
      unsigned vid = 0, pid = 0;
      char tail = 0;
      if (usb.size() != 9 || std::sscanf(usb.c_str(), "%4x:%4x%c", &vid, &pid, &tail) != 2 || vid == 0 || pid == 0)
        return t.bad("usb", "\"" + usb + "\": expected the USB vendor:product id as four hex digits each, e.g. \"10c4:ea60\"");
      c.usb_vid = static_cast<std::uint16_t>(vid);
      c.usb_pid = static_cast<std::uint16_t>(pid);
    }
    if (auto st = t.finish(); !st) return st.error();
  }
  {
    INSOLE_TRY(f, top.object("framing", true));
    INSOLE_TRY(type, f.text("type", true, 64));
    if (type == "sensel" || type == "fisica") {
      // A built-in codec: the wire format is its own; the description gives the rest as data.
      c.codec = type == "sensel" ? DeviceCodec::sensel : DeviceCodec::fisica;
      if (c.codec == DeviceCodec::sensel) {
        INSOLE_TRY(detail, f.text("detail", true, 16));
        if (detail != "medium" && detail != "high")
          return f.bad("detail", "\"" + detail + "\" is not one of medium, high (the sensel codec's documented scan details)");
        c.sensel_detail = detail == "high" ? sensel::Detail::high : sensel::Detail::medium;
        INSOLE_TRY(mode, f.text("mode", true, 16));
        if (mode != "sync" && mode != "async")
          return f.bad("mode", "\"" + mode + "\" is not one of sync (the host polls each frame), async (the device pushes frames)");
        c.sensel_async = mode == "async";
      }
      for (auto it = f.json_object().begin(); it != f.json_object().end(); ++it)
        if (it.key() != "type" && it.key() != "detail" && it.key() != "mode")
          return f.bad(it.key(), "the " + type + " codec has its own framing; only type" +
                                     (c.codec == DeviceCodec::sensel ? ", detail and mode apply" : " applies"));
    } else {
      MatrixFraming kind = MatrixFraming::header;
      bool known = false;
      for (const auto& [v, n] : framings())
        if (n == type) {
          kind = v;
          known = true;
        }
      if (!known) return f.bad("type", "\"" + type + "\" is not one of " + choices(framings()) + ", sensel, fisica");
      c.framing = kind;
      INSOLE_TRY(sync, f.bytes("sync", 8));
      c.sync = std::move(sync);
      INSOLE_TRY(foot, f.flag("foot_byte", false));
      c.foot_byte = foot;
      INSOLE_TRY(trailer, f.integer("trailer_bytes", false, 0, 64, 0));
      c.trailer_bytes = static_cast<std::size_t>(trailer);
      INSOLE_TRY(sum, f.choice("checksum", checksums(), false, MatrixChecksum::none));
      c.checksum = sum;
      {
        // "length": {"size": 2, "endian": "le", "counts": "frame", "adjust": -2}
        INSOLE_TRY(l, f.object("length", false));
        if (f.find("length")) {
          INSOLE_TRY(size, l.integer("size", true, 1, 2, 1));
          c.length.size = static_cast<std::size_t>(size);
          INSOLE_TRY(endian, l.text("endian", false, 8));
          if (size == 1 && l.find("endian"))
            return l.bad("endian", "a one-byte length field has no byte order; leave out endian");
          if (size == 2) {
            if (!l.find("endian")) return l.bad("endian", "missing (a two-byte length field: \"le\" or \"be\")");
            if (endian != "le" && endian != "be") return l.bad("endian", "\"" + endian + "\" is not one of le, be");
            c.length.big_endian = endian == "be";
          }
          INSOLE_TRY(counts, l.choice("counts", length_counts(), true, LengthCounts::frame));
          c.length.counts = counts;
          INSOLE_TRY(adjust, l.integer("adjust", false, -65535, 65535, 0));
          c.length.adjust = static_cast<long>(adjust);
          if (auto st = l.finish(); !st) return st.error();
        }
      }
      INSOLE_TRY(after, f.bytes("after_length", 8));
      c.after_length = std::move(after);
      INSOLE_TRY(embedded, f.flag("reject_embedded_sync", false));
      c.reject_embedded_sync = embedded;
      INSOLE_TRY(term, f.bytes("terminator", 1));
      if (f.find("terminator") && term.size() != 1) return f.bad("terminator", "expected exactly one byte, e.g. \"0A\"");
      if (!term.empty()) c.terminator = term[0];
      INSOLE_TRY(poll, f.bytes("poll_request", 64));
      c.poll_request = std::move(poll);
      INSOLE_TRY(sep, f.text("separator", false, 1));
      if (f.find("separator")) {
        if (sep.size() != 1 || (sep[0] != ' ' && sep[0] != ',' && sep[0] != ';' && sep[0] != '\t'))
          return f.bad("separator", "text_lines: what separates values on the line, one of \" \", \",\", \";\", \"\\t\"");
        c.text_separator = sep[0];
      }
    }
    if (auto st = f.finish(); !st) return st.error();
  }
  const bool builtin_codec = c.codec != DeviceCodec::matrix;
  const std::string codec_name = c.codec == DeviceCodec::sensel ? "sensel" : "fisica";
  if (builtin_codec) {
    // What the codec does itself cannot be described: refused by name rather than ignored.
    if (top.find("commands"))
      return top.bad("commands", "the " + codec_name + " codec sends its own commands (docs/devices.md); leave out commands");
    if (top.find("boot_banner"))
      return top.bad("boot_banner", "the " + codec_name + " codec's device model has no boot banner; leave it out");
  }
  {
    INSOLE_TRY(h, top.object("commands", false));
    INSOLE_TRY(open, commands(h, "open"));
    c.open_commands = std::move(open);
    INSOLE_TRY(close, commands(h, "close"));
    c.close_commands = std::move(close);
    INSOLE_TRY(start, h.bytes("device_start", 64));
    c.start_command = std::move(start);
    INSOLE_TRY(stop, h.bytes("device_stop", 64));
    c.stop_command = std::move(stop);
    INSOLE_TRY(prefix, h.bytes("configure_prefix", 1));
    if (!prefix.empty()) c.configure_prefix = prefix[0];
    INSOLE_TRY(len, h.integer("configure_length", false, 0, 64, 0));
    c.configure_length = static_cast<std::size_t>(len);
    if (auto st = h.finish(); !st) return st.error();
  }
  if (c.codec == DeviceCodec::sensel && top.find("values"))
    return top.bad("values", "the sensel codec decodes the Morph's compressed pressure image (grams per sensel) "
                             "itself; leave out values");
  if (c.codec == DeviceCodec::fisica) {
    // The Fisica codec reads u8 row-major cells: these are its defaults, which a values object
    // may state (validate() refuses anything else).
    c.value_type = ValueType::u8;
    c.max_raw = 255;
  }
  if (c.codec != DeviceCodec::sensel) {
    INSOLE_TRY(v, top.object("values", !builtin_codec));
    INSOLE_TRY(type, v.choice("type", value_types(), !builtin_codec, ValueType::u8));
    c.value_type = type;
    INSOLE_TRY(order, v.choice("order", orders(), false, ScanOrder::row_major));
    c.order = order;
    // "tiles": {"rows": 32, "cols": 32, "order": "row_major"}: the frame is sent tile by tile
    // (the tiles in this order across the grid, the cells of each in values.order).
    INSOLE_TRY(t, v.object("tiles", false));
    if (v.find("tiles")) {
      INSOLE_TRY(tr, t.integer("rows", true, 1, 4096, 1));
      INSOLE_TRY(tc, t.integer("cols", true, 1, 4096, 1));
      INSOLE_TRY(to, t.choice("order", orders(), false, ScanOrder::row_major));
      c.tile_rows = static_cast<int>(tr);
      c.tile_cols = static_cast<int>(tc);
      c.tile_order = to;
      if (auto st = t.finish(); !st) return st.error();
    }
    INSOLE_TRY(transform, v.choice("transform", transforms(), false, RawTransform::none));
    c.transform = transform;
    INSOLE_TRY(lo, v.integer("min_raw", false, 0, 0xFFFFFFFFLL, 0));
    INSOLE_TRY(hi, v.integer("max_raw", !builtin_codec, 0, 0xFFFFFFFFLL, 255));
    c.min_raw = static_cast<std::uint32_t>(lo);
    c.max_raw = static_cast<std::uint32_t>(hi);
    INSOLE_TRY(unit, v.text("raw_unit", false, 32));
    c.raw_unit = unit;
    if (auto st = v.finish(); !st) return st.error();
  }
  {
    INSOLE_TRY(l, top.object("layout", true));
    INSOLE_TRY(kind, l.text("kind", true, 16));
    if (kind == "grid") {
      INSOLE_TRY(rows, l.integer("rows", true, 1, 4096, 16));
      INSOLE_TRY(cols, l.integer("cols", true, 1, 4096, 16));
      c.rows = static_cast<int>(rows);
      c.cols = static_cast<int>(cols);
      Error e{Errc::format_error, ""};
      const json* pitch = l.array("pitch_mm", &e);
      if (!e.message.empty()) return e;
      if (!pitch || pitch->size() != 2 || !(*pitch)[0].is_number() || !(*pitch)[1].is_number())
        return l.bad("pitch_mm", "expected [row pitch, column pitch] in mm");
      c.row_pitch_mm = (*pitch)[0].get<double>();
      c.col_pitch_mm = (*pitch)[1].get<double>();
      for (double p : {c.row_pitch_mm, c.col_pitch_mm})
        if (!std::isfinite(p) || p <= 0 || p > 1000) return l.bad("pitch_mm", "each pitch must be in (0, 1000] mm");
      INSOLE_TRY(pitch_source, l.text("pitch_source", false, 400));
      c.pitch_source = pitch_source;
    } else if (kind == "sensors") {
      INSOLE_TRY(count, l.integer("count", true, 1, 4096, 1));
      c.rows = static_cast<int>(count);
      c.cols = 1;
      c.sensor_set = true;
      Error e{Errc::format_error, ""};
      const json* pos = l.array("positions", &e);
      if (!e.message.empty()) return e;
      INSOLE_TRY(file, l.text("positions_file", false, 400));
      if (pos && !file.empty()) return l.bad("positions_file", "give positions or positions_file, not both");
      if (pos) {
        c.positions.resize(Eigen::Index(pos->size()), 3);
        for (std::size_t i = 0; i < pos->size(); ++i) {
          const json& p = (*pos)[i];
          if (!p.is_array() || p.size() != 3 || !p[0].is_number() || !p[1].is_number() || !p[2].is_number())
            return l.bad("positions", "element " + std::to_string(i) + ": expected [x_mm, y_mm, area_mm2]");
          const double x = p[0].get<double>(), y = p[1].get<double>(), area = p[2].get<double>();
          if (const std::string why = sensor_position_problem(x, y, area); !why.empty())
            return l.bad("positions", "element " + std::to_string(i) + ": " + why);
          c.positions.row(Eigen::Index(i)) << x, y, area;
        }
      } else if (!file.empty()) {
        if (base_dir.empty())
          return l.bad("positions_file", "a positions file is read relative to its description file; give the positions inline here");
        const std::filesystem::path f = std::filesystem::path(file).is_absolute() ? std::filesystem::path(file) : base_dir / file;
        INSOLE_TRY(read, read_positions_csv(f, l));
        c.positions = std::move(read);
      }
      if (c.positions.size() != 0 && c.positions.rows() != c.rows)
        return l.bad(pos ? "positions" : "positions_file", std::to_string(c.positions.rows()) + " positions for " +
                                                              std::to_string(c.rows) + " sensors");
    } else {
      return l.bad("kind", "\"" + kind + "\" is not one of grid, sensors");
    }
    if (auto st = l.finish(); !st) return st.error();
  }
  {
    INSOLE_TRY(s, top.object("stream", false));
    INSOLE_TRY(sname, s.text("name", false, 32));
    if (!sname.empty()) c.stream_name = sname;
    INSOLE_TRY(side, s.choice("side", sides(), false, Side::both));
    c.side = side;
    if (auto st = s.finish(); !st) return st.error();
    if (c.foot_byte && (s.find("name") || s.find("side")))
      return s.bad("name", "a device with a foot byte has the streams left and right; leave out stream");
  }
  {
    INSOLE_TRY(k, top.object("calibration", false));
    INSOLE_TRY(units, k.text("units", false, 16));
    if (units.empty() || units == "counts") {
      c.units = PressureUnits::counts;
      if (k.find("zero_counts") || k.find("kpa_per_count"))
        return k.bad("units", "a calibration (zero_counts, kpa_per_count) needs \"units\": \"kPa\"");
    } else if (units == "kPa") {
      c.units = PressureUnits::kpa;
      INSOLE_TRY(from, k.text("from", false, 32));
      if (from == "grams_per_cell") {
        // The values are grams on each cell: kPa through the cells' areas (validate() checks
        // that the layout gives them).
        c.grams_per_cell = true;
        if (k.find("zero_counts") || k.find("kpa_per_count"))
          return k.bad("from", "grams per cell are converted through the cell areas; leave out zero_counts and kpa_per_count");
      } else if (!from.empty()) {
        return k.bad("from", "\"" + from + "\" is not grams_per_cell (or leave it out and give kpa_per_count)");
      } else {
        INSOLE_TRY(zero, k.number("zero_counts", false, -1e9, 1e9, 0.0));
        INSOLE_TRY(kpa, k.number("kpa_per_count", true, 1e-9, 1e9, 1.0));
        c.calibration.zero_counts = zero;
        c.calibration.kpa_per_count = kpa;
      }
    } else {
      return k.bad("units", "\"" + units + "\" is not one of counts, kPa");
    }
    if (auto st = k.finish(); !st) return st.error();
  }
  {
    INSOLE_TRY(p, top.object("provenance", true));
    for (auto [key, target] : {std::pair<const char*, FactSource*>{"wire_format", &c.facts.wire_format},
                               {"values", &c.facts.values},
                               {"geometry", &c.facts.geometry},
                               {"rate", &c.facts.rate}}) {
      INSOLE_TRY(v, p.choice(key, fact_sources(), true, FactSource::guessed));
      *target = v;
    }
    Error e{Errc::format_error, ""};
    const json* src = p.array("sources", &e);
    if (!e.message.empty()) return e;
    if (src) {
      if (src->size() > 32) return p.bad("sources", "more than 32 sources");
      for (std::size_t i = 0; i < src->size(); ++i) {
        if (!(*src)[i].is_string() || (*src)[i].get<std::string>().size() > 300)
          return p.bad("sources", "element " + std::to_string(i) + " is not a string of at most 300 bytes");
        c.facts.sources.push_back((*src)[i].get<std::string>());
      }
    }
    INSOLE_TRY(notes, p.text("notes", false, 2000));
    c.provenance = notes;
    if (auto st = p.finish(); !st) return st.error();
  }
  if (auto st = top.finish(); !st) return st.error();
  if (auto st = c.validate(); !st)
    return Error{Errc::format_error, std::string(origin) + ": " + st.error().message};
  return c;
}

}  // namespace

Result<MatrixCodecConfig> parse_device_description(std::string_view text, std::string_view origin,
                                                   const std::filesystem::path& base_dir) {
  if (text.size() > kMaxDeviceFileBytes)
    return Error{Errc::format_error, std::string(origin) + ": larger than " + std::to_string(kMaxDeviceFileBytes) +
                                         " bytes; a device description is a small JSON file"};
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) {
    // Parse again with exceptions only to name the place (the input is bounded above).
    try {
      const json again = json::parse(text.begin(), text.end());
      (void)again;
    } catch (const json::parse_error& e) {
      return Error{Errc::format_error, std::string(origin) + ": not valid JSON (" + e.what() + ")"};
    }
    return Error{Errc::format_error, std::string(origin) + ": not valid JSON"};
  }
  return parse_json(j, origin, base_dir);
}

Result<MatrixCodecConfig> read_device_description(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error{Errc::io_error, path.string() + ": cannot read (" + ec.message() + ")"};
  if (size > kMaxDeviceFileBytes)
    return Error{Errc::format_error, path.string() + ": larger than " + std::to_string(kMaxDeviceFileBytes) +
                                         " bytes; a device description is a small JSON file"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Errc::io_error, path.string() + ": cannot open"};
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  // A bare file name is relative to the working directory: its positions file is read there too.
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  return parse_device_description(text, path.string(), dir);
}

std::string to_device_description(const MatrixCodecConfig& c) {
  // ordered_json: fields in the order a person reads them, not sorted.
  using ojson = nlohmann::ordered_json;
  ojson j = ojson::object();
  j["format"] = kDeviceFormat;
  j["format_version"] = kDeviceFormatVersion;
  j["name"] = c.name;
  j["description"] = c.description;
  if (!c.device.empty()) j["device"] = c.device;
  j["frame_rate_hz"] = c.frame_rate_hz;
  if (!c.boot_banner.empty()) j["boot_banner"] = c.boot_banner;
  ojson t = {{"baud", c.baud}};
  if (c.usb_vid) t["usb"] = hex4(c.usb_vid) + ":" + hex4(c.usb_pid);
  j["transport"] = t;
  ojson f = ojson::object();
  if (c.codec == DeviceCodec::sensel) {
    f = {{"type", "sensel"},
         {"detail", c.sensel_detail == sensel::Detail::high ? "high" : "medium"},
         {"mode", c.sensel_async ? "async" : "sync"}};
  } else if (c.codec == DeviceCodec::fisica) {
    f = {{"type", "fisica"}};
  } else {
    f = {{"type", name_of(framings(), c.framing)}};
  }
  if (!c.sync.empty()) f["sync"] = hex_bytes(c.sync);
  if (c.foot_byte) f["foot_byte"] = true;
  if (c.trailer_bytes) f["trailer_bytes"] = c.trailer_bytes;
  if (c.length.size != 0) {
    ojson l = {{"size", c.length.size}};
    if (c.length.size == 2) l["endian"] = c.length.big_endian ? "be" : "le";
    l["counts"] = name_of(length_counts(), c.length.counts);
    if (c.length.adjust != 0) l["adjust"] = c.length.adjust;
    f["length"] = l;
  }
  if (!c.after_length.empty()) f["after_length"] = hex_bytes(c.after_length);
  if (c.checksum != MatrixChecksum::none) f["checksum"] = name_of(checksums(), c.checksum);
  if (c.reject_embedded_sync) f["reject_embedded_sync"] = true;
  if (c.terminator != '\n') f["terminator"] = hex_bytes({c.terminator});
  if (!c.poll_request.empty()) f["poll_request"] = hex_bytes(c.poll_request);
  if (c.text_separator != ' ') f["separator"] = std::string(1, c.text_separator);
  j["framing"] = f;
  ojson h = ojson::object();
  for (auto [key, list] : {std::pair<const char*, const std::vector<HostCommand>*>{"open", &c.open_commands},
                           {"close", &c.close_commands}})
    if (!list->empty()) {
      ojson a = ojson::array();
      for (const auto& cmd : *list) {
        ojson o = {{"bytes", hex_bytes(cmd.bytes)}, {"what", cmd.what}};
        if (cmd.await_reply) o["await_reply"] = true;
        a.push_back(o);
      }
      h[key] = a;
    }
  if (!c.start_command.empty()) h["device_start"] = hex_bytes(c.start_command);
  if (!c.stop_command.empty()) h["device_stop"] = hex_bytes(c.stop_command);
  if (c.configure_prefix) h["configure_prefix"] = hex_bytes({c.configure_prefix});
  if (c.configure_length) h["configure_length"] = c.configure_length;
  if (!h.empty()) j["commands"] = h;
  ojson v = {{"type", name_of(value_types(), c.value_type)}, {"order", name_of(orders(), c.order)}};
  if (c.tile_rows != 0)
    v["tiles"] = {{"rows", c.tile_rows}, {"cols", c.tile_cols}, {"order", name_of(orders(), c.tile_order)}};
  if (c.transform != RawTransform::none) v["transform"] = name_of(transforms(), c.transform);
  v["min_raw"] = c.min_raw;
  v["max_raw"] = c.max_raw;
  if (!c.raw_unit.empty()) v["raw_unit"] = c.raw_unit;
  if (c.codec != DeviceCodec::sensel) j["values"] = v;  // the sensel codec's values are its own
  if (c.sensor_set) {
    j["layout"] = {{"kind", "sensors"}, {"count", c.rows}};
    if (c.positions.size() != 0) {
      ojson pos = ojson::array();
      for (Eigen::Index i = 0; i < c.positions.rows(); ++i)
        pos.push_back({c.positions(i, 0), c.positions(i, 1), c.positions(i, 2)});
      j["layout"]["positions"] = pos;
    }
  } else {
    j["layout"] = {{"kind", "grid"}, {"rows", c.rows}, {"cols", c.cols}, {"pitch_mm", {c.row_pitch_mm, c.col_pitch_mm}}};
    if (!c.pitch_source.empty()) j["layout"]["pitch_source"] = c.pitch_source;
  }
  if (!c.foot_byte) j["stream"] = {{"name", c.stream_name}, {"side", name_of(sides(), c.side)}};
  if (c.grams_per_cell)
    j["calibration"] = {{"units", "kPa"}, {"from", "grams_per_cell"}};
  else if (c.units == PressureUnits::kpa)
    j["calibration"] = {{"units", "kPa"}, {"zero_counts", c.calibration.zero_counts},
                        {"kpa_per_count", c.calibration.kpa_per_count}};
  else
    j["calibration"] = {{"units", "counts"}};
  ojson p = {{"wire_format", to_string(c.facts.wire_format)},
            {"values", to_string(c.facts.values)},
            {"geometry", to_string(c.facts.geometry)},
            {"rate", to_string(c.facts.rate)},
            {"sources", c.facts.sources}};
  if (!c.provenance.empty()) p["notes"] = c.provenance;
  j["provenance"] = p;
  return j.dump(2) + "\n";
}

std::vector<std::filesystem::path> device_search_path() {
  std::vector<std::filesystem::path> out;
  if (const char* env = std::getenv("INSOLE_DEVICE_PATH"); env != nullptr) {
    std::string_view rest(env);
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const std::string_view dir = rest.substr(0, colon);
      if (!dir.empty()) out.emplace_back(std::string(dir));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
    return out;
  }
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0')
    out.push_back(std::filesystem::path(xdg) / "insole" / "devices");
  else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    out.push_back(std::filesystem::path(home) / ".config" / "insole" / "devices");
  out.emplace_back("/etc/insole/devices");
  return out;
}

UserDevices load_user_devices(const std::vector<std::string>& taken_names) {
  UserDevices out;
  std::map<std::string, std::filesystem::path> seen;
  for (const auto& n : taken_names) seen.emplace(n, std::filesystem::path());
  for (const auto& dir : device_search_path()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    std::vector<std::filesystem::path> files;
    for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec))
      if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path());
    if (ec) {
      out.problems.push_back(Error{Errc::io_error, dir.string() + ": cannot list (" + ec.message() + ")"});
      continue;
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      auto c = read_device_description(file);
      if (!c) {
        out.problems.push_back(c.error());
        continue;
      }
      if (auto it = seen.find(c->name); it != seen.end()) {
        out.problems.push_back(Error{Errc::format_error,
                                     file.string() + ": device \"" + c->name + "\" is already defined " +
                                         (it->second.empty() ? std::string("(built in)") : "by " + it->second.string()) +
                                         "; give it another name"});
        continue;
      }
      seen.emplace(c->name, file);
      out.devices.push_back(std::move(*c));
      out.files.push_back(file);
    }
  }
  return out;
}

}  // namespace insole::drivers
