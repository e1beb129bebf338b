#include "insole/drivers/transport/demo_devices.hpp"

#include <stdlib.h>

#include "insole/drivers/transport/device_emulator.hpp"
#include "insole/drivers/transport/serial_source.hpp"

namespace insole::drivers {

namespace {
constexpr const char* kScheme = "demo://";
}

Result<std::unique_ptr<DemoDevices>> DemoDevices::create(std::vector<std::string> protocols, EmulatorFrames frames,
                                                         std::shared_ptr<Clock> clock) {
  std::unique_ptr<DemoDevices> d(new DemoDevices());
  for (const auto& name : protocols) {
    const auto* p = find_protocol(name);
    if (!p) return Error{Errc::invalid_argument, "demo device: unknown protocol '" + name + "'"};
    d->protocols_.push_back(p);
  }
  d->frames_ = std::move(frames);
  d->clock_ = clock ? std::move(clock) : steady_clock();
  // mkdtemp: a directory only this user can enter, with a name nobody could have prepared.
  std::string pattern = (std::filesystem::temp_directory_path() / "insole-demo-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) return Error{Errc::io_error, "demo devices: cannot create " + pattern};
  d->dir_ = pattern;
  return d;
}

DemoDevices::~DemoDevices() {
  std::map<std::string, std::unique_ptr<DeviceEmulator>> running;
  {
    std::lock_guard lock(mutex_);
    running.swap(running_);
  }
  for (auto& [name, emu] : running) emu->stop();
  running.clear();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::vector<DemoChoice> DemoDevices::choices() const {
  std::vector<DemoChoice> out;
  for (const auto* p : protocols_) {
    // The device's name: the description up to its first ':' (the wire format follows), at most
    // 60 characters.
    std::string device = p->description.substr(0, p->description.find(':'));
    if (device.size() > 60) device = device.substr(0, 57) + "...";
    out.push_back({kScheme + p->name, "Demo device " + p->name + ": " + device + " (emulator)"});
  }
  return out;
}

bool DemoDevices::is_demo_uri(const std::string& uri) { return uri.rfind(kScheme, 0) == 0; }

Result<std::unique_ptr<FrameSource>> DemoDevices::open(const std::string& uri) {
  if (!is_demo_uri(uri)) return Error{Errc::invalid_argument, "demo device: " + uri + " is not a demo:// source"};
  const std::string name = uri.substr(std::string(kScheme).size());
  const ProtocolInfo* proto = nullptr;
  for (const auto* p : protocols_)
    if (p->name == name) proto = p;
  if (!proto) return Error{Errc::not_found, "demo device: no emulator of protocol '" + name + "'"};
  {
    std::lock_guard lock(mutex_);
    auto it = running_.find(name);
    if (it != running_.end() && it->second->finished()) {
      it->second->stop();
      running_.erase(it);
      it = running_.end();
    }
    if (it == running_.end()) {
      if (!frames_) return Error{Errc::unsupported, "demo device: no frames for the emulators"};
      auto frames = frames_(*proto);
      if (!frames) return frames.error();
      EmulatorOptions opt;
      opt.protocol = name;
      opt.link_path = link_path(name).string();
      auto emu = DeviceEmulator::start(opt, std::move(*frames), clock_);
      if (!emu) return emu.error();
      running_.emplace(name, std::move(*emu));
    }
  }
  SerialSourceOptions so;
  so.path = link_path(name).string();
  so.protocol = name;
  so.reconnect = true;
  // A demo device comes back quickly: look for it often.
  so.reconnect_initial_s = 0.1;
  so.reconnect_max_s = 0.5;
  return std::unique_ptr<FrameSource>(std::make_unique<SerialSource>(so, clock_));
}

Status DemoDevices::unplug(const std::string& protocol) {
  std::lock_guard lock(mutex_);
  bool any = false;
  for (auto& [name, emu] : running_)
    if ((protocol.empty() || name == protocol) && emu->plugged()) {
      emu->unplug();
      any = true;
    }
  if (!any && !protocol.empty()) return Error{Errc::not_found, "demo device " + protocol + " is not plugged in"};
  return {};
}

Status DemoDevices::replug(const std::string& protocol) {
  std::lock_guard lock(mutex_);
  bool any = false;
  for (auto& [name, emu] : running_)
    if ((protocol.empty() || name == protocol) && !emu->plugged() && !emu->finished()) {
      if (auto st = emu->replug(); !st) return st;
      any = true;
    }
  if (!any && !protocol.empty()) return Error{Errc::not_found, "demo device " + protocol + " is not unplugged"};
  return {};
}

std::uint64_t DemoDevices::frames_sent(const std::string& protocol) const {
  std::lock_guard lock(mutex_);
  auto it = running_.find(protocol);
  return it == running_.end() ? 0 : it->second->stats().frames_sent;
}

}  // namespace insole::drivers
