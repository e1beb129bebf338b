#include "insole/drivers/transport/discovery.hpp"

#include <algorithm>
#include <fstream>
#include <map>

#include "insole/drivers/protocol/decoder.hpp"
#include "insole/drivers/transport/serial_source.hpp"

namespace insole::drivers {

namespace fs = std::filesystem;

namespace {

std::string read_line(const fs::path& p) {
  std::ifstream in(p);
  std::string s;
  if (in) std::getline(in, s);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::optional<std::uint16_t> read_hex16(const fs::path& p) {
  const std::string s = read_line(p);
  if (s.empty() || s.size() > 4) return std::nullopt;
  try {
    std::size_t used = 0;
    const unsigned long v = std::stoul(s, &used, 16);
    if (used != s.size() || v > 0xFFFF) return std::nullopt;
    return static_cast<std::uint16_t>(v);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool is_serial_name(const std::string& name) {
  return name.rfind("ttyUSB", 0) == 0 || name.rfind("ttyACM", 0) == 0;
}

// Where a /dev entry really is, with links resolved (the path itself when it cannot be resolved).
fs::path resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::canonical(p, ec);
  return ec ? p : r;
}

void fill_usb_identity(PortInfo& port, const fs::path& sys_root, const std::string& tty_name) {
  std::error_code ec;
  const fs::path dev_link = sys_root / "class" / "tty" / tty_name / "device";
  fs::path dir = fs::canonical(dev_link, ec);
  if (ec) return;
  const fs::path driver = fs::read_symlink(dev_link / "driver", ec);
  if (!ec) port.driver = driver.filename().string();
  // Walk up from the interface (or usb-serial port) to the USB device that has idVendor.
  for (int depth = 0; depth < 6 && !dir.empty() && dir != dir.root_path(); ++depth) {
    if (fs::exists(dir / "idVendor", ec)) {
      port.usb_vid = read_hex16(dir / "idVendor");
      port.usb_pid = read_hex16(dir / "idProduct");
      port.manufacturer = read_line(dir / "manufacturer");
      port.product = read_line(dir / "product");
      port.serial = read_line(dir / "serial");
      return;
    }
    dir = dir.parent_path();
  }
}

}  // namespace

std::vector<PortInfo> list_serial_ports(const DiscoveryRoots& roots) {
  std::map<std::string, PortInfo> ports;  // by resolved device path
  std::error_code ec;
  for (fs::directory_iterator it(roots.dev, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!is_serial_name(name)) continue;
    PortInfo p;
    p.device_path = it->path().string();
    ports.emplace(resolved(it->path()).string(), std::move(p));
  }
  const fs::path by_id = roots.dev / "serial" / "by-id";
  for (fs::directory_iterator it(by_id, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path target = resolved(it->path());
    auto [pos, inserted] = ports.try_emplace(target.string());
    if (inserted) pos->second.device_path = target.string();
    // Several links can name one device (if00 / if02 ...); keep the first in name order.
    if (pos->second.by_id_path.empty() || it->path().string() < pos->second.by_id_path)
      pos->second.by_id_path = it->path().string();
  }
  std::vector<PortInfo> out;
  for (auto& [target, p] : ports) {
    fill_usb_identity(p, roots.sys, fs::path(target).filename().string());
    if (p.usb_vid && p.usb_pid)
      for (const auto& proto : protocols())
        if (proto.usb_vid != 0 && proto.usb_vid == *p.usb_vid && proto.usb_pid == *p.usb_pid)
          p.protocols.push_back(proto.name);
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(),
            [](const PortInfo& a, const PortInfo& b) { return a.device_path < b.device_path; });
  return out;
}

std::string prefer_stable_path(const std::string& path, const DiscoveryRoots& roots) {
  const fs::path by_id = roots.dev / "serial" / "by-id";
  if (fs::path(path).parent_path() == by_id) return path;
  const fs::path target = resolved(path);
  std::error_code ec;
  std::string best;
  for (fs::directory_iterator it(by_id, ec), end; !ec && it != end; it.increment(ec))
    if (resolved(it->path()) == target && (best.empty() || it->path().string() < best))
      best = it->path().string();
  return best.empty() ? path : best;
}

Result<ProbeResult> probe_port(const std::string& path, const std::string& protocol,
                               std::chrono::milliseconds timeout, std::shared_ptr<Clock> clock,
                               std::uint32_t baud) {
  const ProtocolInfo* proto = find_protocol(protocol);
  if (!proto) return make_error(Errc::invalid_argument, "unknown protocol '" + protocol + "'");
  SerialSourceOptions opt;
  opt.path = path;
  opt.protocol = protocol;
  opt.baud = baud;
  opt.reconnect = false;
  opt.queue_frames = 64;
  SerialSource src(opt, std::move(clock));
  if (auto st = src.start(); !st) return st.error();
  auto frame = src.next(timeout);
  src.stop();
  if (!frame) {
    if (frame.error().code == Errc::timeout)
      return make_error(Errc::timeout, path + " answered the " + protocol + " handshake but sent no frame within " +
                                           std::to_string(timeout.count()) + " ms");
    return frame.error();
  }
  ProbeResult r;
  r.path = path;
  r.protocol = protocol;
  r.frames = src.stats().frames;
  r.sensels = static_cast<std::size_t>(frame->pressure_kpa.size());
  r.description = proto->description;
  return r;
}

}  // namespace insole::drivers
