#include "source_uri.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <sstream>

#include "insole/core/calibration.hpp"
#include "insole/core/tiled_source.hpp"
#include "insole/drivers/protocol/fisica.hpp"
#include "insole/drivers/transport/discovery.hpp"
#include "insole/drivers/transport/serial_source.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "insole/sim/simulator.hpp"

namespace insole::cli {

namespace {

Result<std::string> percent_decode(const std::string& s, const std::string& uri) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
      return make_error(Errc::invalid_argument,
                        "source '" + uri + "': bad percent escape '" + s.substr(i, 3) +
                            "' (expected % and two hexadecimal digits)");
    out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
    i += 2;
  }
  return out;
}

Result<bool> flag(const SourceUri& u, const std::string& key, bool fallback) {
  auto it = u.query.find(key);
  if (it == u.query.end()) return fallback;
  if (it->second == "1" || it->second == "true" || it->second == "yes") return true;
  if (it->second == "0" || it->second == "false" || it->second == "no") return false;
  return make_error(Errc::invalid_argument, "option '" + key + "': expected 0 or 1, got '" + it->second + "'");
}

Result<unsigned long> positive(const SourceUri& u, const std::string& key, unsigned long fallback) {
  auto it = u.query.find(key);
  if (it == u.query.end()) return fallback;
  std::size_t used = 0;
  unsigned long v = 0;
  try {
    v = std::stoul(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != it->second.size() || v == 0 || it->second[0] == '-')
    return make_error(Errc::invalid_argument,
                      "option '" + key + "': expected a positive integer, got '" + it->second + "'");
  return v;
}

Status only_keys(const SourceUri& u, std::initializer_list<const char*> keys) {
  for (const auto& [k, v] : u.query) {
    bool known = false;
    for (const char* allowed : keys) known = known || k == allowed;
    if (!known) {
      std::string list;
      for (const char* allowed : keys) list += std::string(list.empty() ? "" : ", ") + allowed;
      return make_error(Errc::invalid_argument,
                        u.scheme + " source: unknown option '" + k + "' (known: " + list + ")");
    }
  }
  return {};
}

Result<std::unique_ptr<FrameSource>> open_serial(const SourceUri& u, std::shared_ptr<Clock> clock) {
  if (auto st = only_keys(u, {"protocol", "baud", "reconnect", "queue", "pitch"}); !st) return st.error();
  std::string protocol;
  if (auto it = u.query.find("protocol"); it != u.query.end()) {
    protocol = it->second;
  } else {
    // No protocol named: accept the one the USB identity points to, if it is unambiguous.
    for (const auto& port : drivers::list_serial_ports())
      if (port.device_path == u.path || port.by_id_path == u.path) {
        if (port.protocols.size() == 1) protocol = port.protocols.front();
      }
    if (protocol.empty())
      return make_error(Errc::invalid_argument,
                        "serial source " + u.path + ": add ?protocol=NAME (see 'insole devices --protocols')");
  }
  if (!drivers::find_protocol(protocol))
    return make_error(Errc::invalid_argument, "serial source " + u.path + ": unknown protocol '" + protocol +
                                                  "' (see 'insole devices --protocols')");
  auto baud = positive(u, "baud", 0);
  if (!baud) return baud.error();
  auto reconnect = flag(u, "reconnect", true);
  if (!reconnect) return reconnect.error();
  auto queue = positive(u, "queue", 4096);
  if (!queue) return queue.error();
  drivers::SerialSourceOptions opt;
  // pitch=MM: the cell pitch of a device that does not publish it (the Fisica scale); the
  // recording's mat stream says it was given by the user.
  if (auto it = u.query.find("pitch"); it != u.query.end()) {
    if (protocol != "fisica")
      return make_error(Errc::invalid_argument, "serial source " + u.path + ": option 'pitch' is for protocols whose "
                                                "cell pitch is not published (fisica), not " + protocol);
    drivers::fisica::Config config;
    std::size_t used = 0;
    try {
      config.pitch_mm = std::stod(it->second, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != it->second.size())
      return make_error(Errc::invalid_argument, "option 'pitch': expected a number of mm, got '" + it->second + "'");
    config.pitch_source = "given by the user (source option pitch=" + it->second + ")";
    if (auto st = drivers::fisica::validate(config); !st) return st.error();
    opt.custom_protocol = std::make_shared<const drivers::ProtocolInfo>(drivers::fisica::protocol(config));
  }
  // The by-id name finds the device again after re-enumeration (ttyACM0 -> ttyACM1).
  opt.path = drivers::prefer_stable_path(u.path);
  opt.protocol = protocol;
  opt.baud = static_cast<std::uint32_t>(*baud);
  opt.reconnect = *reconnect;
  opt.queue_frames = *queue;
  return std::unique_ptr<FrameSource>(std::make_unique<drivers::SerialSource>(opt, std::move(clock)));
}

// A whole non-negative number, the whole of `s`.
std::optional<int> whole_number(const std::string& s) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// tiles://ROWSxCOLS?t0=ROW,COL,URI&t1=...: each tile's own source, placed in one grid.
Result<std::unique_ptr<FrameSource>> open_tiles(const SourceUri& u, std::shared_ptr<Clock> clock) {
  TiledOptions opt;
  const auto x = u.path.find('x');
  const auto rows = x == std::string::npos ? std::nullopt : whole_number(u.path.substr(0, x));
  const auto cols = x == std::string::npos ? std::nullopt : whole_number(u.path.substr(x + 1));
  if (!rows || !cols || *rows < 1 || *cols < 1)
    return make_error(Errc::invalid_argument,
                      "tiles source: the path must be the composed grid as ROWSxCOLS (e.g. tiles://32x64), got '" +
                          u.path + "'");
  opt.rows = *rows;
  opt.cols = *cols;
  std::map<int, std::string> by_index;
  for (const auto& [k, v] : u.query) {
    const auto index = k.size() > 1 && k[0] == 't' ? whole_number(k.substr(1)) : std::nullopt;
    if (!index || *index > 63 || k != "t" + std::to_string(*index))
      return make_error(Errc::invalid_argument,
                        "tiles source: unknown option '" + k + "' (tiles are t0, t1, ... t63 = ROW,COL,URI)");
    if (!by_index.emplace(*index, v).second)
      return make_error(Errc::invalid_argument, "tiles source: tile '" + k + "' is given twice");
  }
  if (by_index.empty())
    return make_error(Errc::invalid_argument, "tiles source: no tiles (add t0=ROW,COL,URI)");
  std::vector<std::unique_ptr<FrameSource>> tiles;
  for (const auto& [index, v] : by_index) {
    const std::string name = "tile t" + std::to_string(index);
    const auto c1 = v.find(','), c2 = c1 == std::string::npos ? c1 : v.find(',', c1 + 1);
    const auto row = c2 == std::string::npos ? std::nullopt : whole_number(v.substr(0, c1));
    const auto col = c2 == std::string::npos ? std::nullopt : whole_number(v.substr(c1 + 1, c2 - c1 - 1));
    if (!row || !col)
      return make_error(Errc::invalid_argument, name + ": expected ROW,COL,URI, got '" + v + "'");
    const std::string inner = v.substr(c2 + 1);
    if (inner.rfind("tiles:", 0) == 0)
      return make_error(Errc::invalid_argument, name + ": tiles cannot be nested");
    auto src = open_source(inner, clock);
    if (!src) return make_error(src.error().code, name + ": " + src.error().message);
    tiles.push_back(std::move(src).value());
    opt.tiles.push_back({*row, *col});
  }
  auto tiled = TiledSource::make(std::move(tiles), opt);
  if (!tiled) return tiled.error();
  return std::unique_ptr<FrameSource>(std::move(tiled).value());
}

}  // namespace

Result<SourceUri> parse_source_uri(const std::string& uri) {
  const auto sep = uri.find("://");
  if (sep == std::string::npos || sep == 0)
    return make_error(Errc::invalid_argument,
                      "source '" + uri + "': expected serial:///dev/..., sim://walk?..., file:///path.h5 or tiles://RxC?t0=...");
  SourceUri u;
  u.scheme = uri.substr(0, sep);
  if (u.scheme != "serial" && u.scheme != "sim" && u.scheme != "file" && u.scheme != "tiles")
    return make_error(Errc::invalid_argument,
                      "source '" + uri + "': unknown scheme '" + u.scheme + "' (expected serial, sim, file or tiles)");
  std::string rest = uri.substr(sep + 3);
  std::string query;
  if (const auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  auto path = percent_decode(rest, uri);
  if (!path) return path.error();
  u.path = *path;
  if (u.path.empty())
    return make_error(Errc::invalid_argument, "source '" + uri + "': the path is empty");
  std::stringstream qs(query);
  std::string item;
  while (std::getline(qs, item, '&')) {
    if (item.empty()) continue;
    const auto eq = item.find('=');
    auto key = percent_decode(item.substr(0, eq), uri);
    if (!key) return key.error();
    auto value = percent_decode(eq == std::string::npos ? "" : item.substr(eq + 1), uri);
    if (!value) return value.error();
    if (key->empty()) return make_error(Errc::invalid_argument, "source '" + uri + "': empty option name");
    if (!u.query.emplace(*key, *value).second)
      return make_error(Errc::invalid_argument, "source '" + uri + "': option '" + *key + "' given twice");
  }
  return u;
}

Result<std::unique_ptr<FrameSource>> open_source(const std::string& uri, std::shared_ptr<Clock> clock) {
  auto parsed = parse_source_uri(uri);
  if (!parsed) return parsed.error();
  SourceUri u = std::move(parsed).value();
  if (u.scheme == "serial") return open_serial(u, std::move(clock));
  if (u.scheme == "tiles") return open_tiles(u, std::move(clock));
  auto realtime = flag(u, "realtime", true);
  if (!realtime) return realtime.error();
  u.query.erase("realtime");
  if (u.scheme == "file") {
    if (auto st = only_keys(u, {}); !st) return st.error();
    return io::open_playback(u.path, std::move(clock), *realtime);
  }
  // The simulator reads its options as one query string: a decoded key or value holding one of
  // its separators would smuggle in another option.
  for (const auto& [k, v] : u.query)
    if ((k + v).find_first_of("?&=") != std::string::npos)
      return make_error(Errc::invalid_argument,
                        "sim source: option '" + k + "' may not contain '?', '&' or '=' (after %-decoding)");
  std::string q = u.path;
  char sep = '?';
  for (const auto& [k, v] : u.query) {
    q += sep + k + "=" + v;
    sep = '&';
  }
  return sim::make_source(q, std::move(clock), *realtime);
}

namespace {

// A source that reshapes another source's frames for an emulator: start, stop and the statistics
// pass through, with the frame count of what this source returned; `next` is the subclass's.
class WrappedSource : public FrameSource {
 public:
  explicit WrappedSource(std::unique_ptr<FrameSource> inner) : inner_(std::move(inner)), info_(inner_->info()) {}
  Status start() override { return inner_->start(); }
  void stop() override { inner_->stop(); }
  const SourceInfo& info() const override { return info_; }
  SourceStats stats() const override {
    SourceStats s = inner_->stats();
    s.frames = frames_;
    return s;
  }

 protected:
  std::unique_ptr<FrameSource> inner_;
  SourceInfo info_;
  std::uint64_t frames_ = 0;
};

// One stream of another source, renumbered as stream 0: a single insole (e.g. flx208) emulated
// from the simulator's left + right pair. The simulator is not paced, so skipping the other
// stream's frames does not wait.
class OneStreamSource final : public WrappedSource {
 public:
  OneStreamSource(std::unique_ptr<FrameSource> inner, std::size_t keep) : WrappedSource(std::move(inner)), keep_(keep) {
    info_.streams = {inner_->info().streams.at(keep)};
  }
  Result<PressureFrame> next(std::chrono::milliseconds timeout) override {
    for (;;) {
      auto r = inner_->next(timeout);
      if (!r) return r;
      if (r->stream != keep_) continue;
      r->stream = 0;
      ++frames_;
      return r;
    }
  }

 private:
  std::size_t keep_;
};

// A mat with a load cell (the Fisica scale): the simulator's mat stream, and after each of its
// frames a load-cell frame of the same time and sequence with the load on the mat in kg,
// sum(p A) / g, which is what the platform's load cell would read.
class LoadCellSource final : public WrappedSource {
 public:
  LoadCellSource(std::unique_ptr<FrameSource> inner, StreamInfo load_cell) : WrappedSource(std::move(inner)) {
    const SensorLayout& mat = info_.streams.at(0).layout;
    cell_area_mm2_ = mat.row_pitch_mm() * mat.col_pitch_mm();
    info_.streams.push_back(std::move(load_cell));
  }
  Result<PressureFrame> next(std::chrono::milliseconds timeout) override {
    if (pending_) {
      PressureFrame f = std::move(*pending_);
      pending_.reset();
      ++frames_;
      return f;
    }
    auto r = inner_->next(timeout);
    if (!r) return r;
    double force_n = 0;
    for (Eigen::Index k = 0; k < r->pressure_kpa.size(); ++k) {
      const float p = r->pressure_kpa(k);
      if (std::isfinite(p) && p > 0) force_n += double(p) * cell_area_mm2_ * 1e-3;  // kPa mm^2 = mN
    }
    PressureFrame load;
    load.stream = 1;
    load.time_s = r->time_s;
    load.sequence = r->sequence;
    load.pressure_kpa = Eigen::VectorXf::Constant(1, float(force_n / kStandardGravityMs2));
    pending_ = std::move(load);
    ++frames_;
    return r;
  }

 private:
  double cell_area_mm2_ = 0;
  std::optional<PressureFrame> pending_;
};

// One tile of a larger simulated mat: the simulator walks on the whole grid and this emulator
// sends the cells of its tile (a film tile of a composed mat), row-major.
class SubGridSource final : public WrappedSource {
 public:
  SubGridSource(std::unique_ptr<FrameSource> inner, StreamInfo tile, int row, int col)
      : WrappedSource(std::move(inner)), row_(row), col_(col) {
    full_cols_ = info_.streams.at(0).layout.cols();
    info_.streams = {std::move(tile)};
  }
  Result<PressureFrame> next(std::chrono::milliseconds timeout) override {
    auto r = inner_->next(timeout);
    if (!r) return r;
    ++frames_;
    const SensorLayout& t = info_.streams[0].layout;
    Eigen::VectorXf cells(t.sensor_count());
    for (int rr = 0; rr < t.rows(); ++rr)
      for (int cc = 0; cc < t.cols(); ++cc)
        cells(rr * t.cols() + cc) = r->pressure_kpa((row_ + rr) * full_cols_ + (col_ + cc));
    r->pressure_kpa = std::move(cells);
    return r;
  }

 private:
  int row_, col_, full_cols_ = 0;
};

// A grid followed by a load-cell stream (the Fisica scale).
bool grid_with_load_cell(const drivers::ProtocolInfo& protocol) {
  return protocol.streams.size() == 2 && protocol.streams[0].layout.is_grid() &&
         is_load_cell_stream(protocol.streams[1]);
}

}  // namespace

Status emulator_can_feed(const drivers::ProtocolInfo& protocol, const std::string& mode) {
  if (protocol.streams.empty())
    return make_error(Errc::unsupported, "protocol " + protocol.name + " describes no streams");
  const StreamInfo& first = protocol.streams.front();
  if (first.layout.is_grid() && protocol.streams.size() != 1 && !grid_with_load_cell(protocol))
    return make_error(Errc::unsupported, "protocol " + protocol.name + ": several grid streams cannot be simulated");
  // Insoles: the simulator makes a left and a right stream of N sensors; a single insole (one
  // stream) sends the left one.
  if (!first.layout.is_grid() && (protocol.streams.size() > 2 || mode != "walk"))
    return make_error(Errc::unsupported,
                      "protocol " + protocol.name + ": only walking on insoles (one or a left + right pair) is simulated");
  return {};
}

Result<std::unique_ptr<FrameSource>> emulator_frames(const drivers::ProtocolInfo& protocol,
                                                     std::map<std::string, std::string> sim_options,
                                                     std::shared_ptr<Clock> clock) {
  std::string mode = "walk";
  if (auto it = sim_options.find("mode"); it != sim_options.end()) {
    mode = it->second;
    sim_options.erase(it);
  }
  if (auto st = emulator_can_feed(protocol, mode); !st) return st.error();
  const StreamInfo& first = protocol.streams.front();
  // tile_of=ROWSxCOLS@ROW,COL: simulate the whole composed grid, send this tile of it.
  std::optional<std::array<int, 4>> tile_of;
  if (auto it = sim_options.find("tile_of"); it != sim_options.end()) {
    int v[4] = {0, 0, 0, 0};
    char x = 0, at = 0, comma = 0;
    std::istringstream in(it->second);
    in >> v[0] >> x >> v[1] >> at >> v[2] >> comma >> v[3];
    if (!in || !in.eof() || x != 'x' || at != '@' || comma != ',' || !first.layout.is_grid() ||
        protocol.streams.size() != 1 || v[0] < 1 || v[1] < 1 || v[0] > 4096 || v[1] > 4096 || v[2] < 0 ||
        v[3] < 0 || v[2] > v[0] - first.layout.rows() || v[3] > v[1] - first.layout.cols())
      return make_error(Errc::invalid_argument,
                        "tile_of: expected ROWSxCOLS@ROW,COL with this grid device's " +
                            std::to_string(first.layout.rows()) + "x" + std::to_string(first.layout.cols()) +
                            " tile inside ROWSxCOLS, got '" + it->second + "'");
    tile_of = std::array<int, 4>{v[0], v[1], v[2], v[3]};
    sim_options.erase(it);
  }
  auto set_default = [&](const std::string& k, const std::string& v) { sim_options.emplace(k, v); };
  std::ostringstream rate;
  rate << protocol.frame_rate_hz;
  set_default("rate", rate.str());
  set_default("duration", "3600");
  if (first.layout.is_grid()) {
    std::ostringstream pitch;
    pitch << 0.5 * (first.layout.row_pitch_mm() + first.layout.col_pitch_mm());
    set_default("layout", "mat");
    set_default("rows", std::to_string(tile_of ? (*tile_of)[0] : first.layout.rows()));
    set_default("cols", std::to_string(tile_of ? (*tile_of)[1] : first.layout.cols()));
    set_default("pitch", pitch.str());
    if (grid_with_load_cell(protocol)) {
      // A platform for both feet (the Fisica scale): the feet stand side by side and parallel
      // across it, each on its half, so the stance is at most 0.45 of its width, but not below
      // what the simulator allows for the foot (0.45 x its length; 260 mm unless given).
      double length = 260;
      if (auto it = sim_options.find("length"); it != sim_options.end()) {
        try {
          length = std::stod(it->second);
        } catch (const std::exception&) {
          // the simulator reports the bad value
        }
      }
      std::ostringstream stance;
      stance << std::max(0.45 * length, std::min(170.0, 0.45 * first.layout.cols() * first.layout.col_pitch_mm()));
      set_default("stance_width", stance.str());
      set_default("fpa", "0");
    }
  } else {
    set_default("layout", "insole" + std::to_string(first.layout.sensor_count()));
  }
  std::string q = mode;
  char sep = '?';
  for (const auto& [k, v] : sim_options) {
    q += sep + k + "=" + v;
    sep = '&';
  }
  auto src = sim::make_source(q, std::move(clock), /*realtime=*/false);
  if (!src) return src.error();
  if (tile_of)
    src = std::unique_ptr<FrameSource>(
        std::make_unique<SubGridSource>(std::move(*src), first, (*tile_of)[2], (*tile_of)[3]));
  if (grid_with_load_cell(protocol) && (*src)->info().streams.size() == 1)
    src = std::unique_ptr<FrameSource>(std::make_unique<LoadCellSource>(std::move(*src), protocol.streams[1]));
  if (!first.layout.is_grid() && protocol.streams.size() == 1 && (*src)->info().streams.size() == 2)
    src = std::unique_ptr<FrameSource>(std::make_unique<OneStreamSource>(std::move(*src), 0));
  const auto& have = (*src)->info().streams;
  if (have.size() != protocol.streams.size())
    return make_error(Errc::unsupported, "the simulator made " + std::to_string(have.size()) +
                                             " streams for protocol " + protocol.name);
  return src;
}

}  // namespace insole::cli
