#pragma once
// Demo devices: for a demonstration without hardware (the clinic app's "Demo device" sources),
// each built-in device emulator (DeviceEmulator) runs on a pseudo-terminal of its own, and the
// app captures from it
// through the real driver path (Asio SerialSource, the protocol's handshake and decoder), exactly
// as from a device on a USB port. A source is "demo://PROTOCOL"; the emulator starts when the
// source is first opened and stays "plugged in" until unplug() or the end of the program.
//
// unplug() closes the terminal and removes its link, as udev does when a USB device goes away;
// replug() makes a new terminal behind the same link: the SerialSource reconnects by itself and
// the capture resumes into the same recording (a gap event marks the interruption).

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "insole/core/clock.hpp"
#include "insole/core/frame_source.hpp"
#include "insole/core/result.hpp"
#include "insole/drivers/protocol/decoder.hpp"

namespace insole::drivers {

class DeviceEmulator;

/// A source to offer: "demo://NAME" and a label for people.
struct DemoChoice {
  std::string uri;
  std::string label;
};

/// Frames an emulator of `protocol` sends (streams matching the protocol's, not paced:
/// DeviceEmulator paces them). `insole serve` passes the simulator (cli emulator_frames).
using EmulatorFrames = std::function<Result<std::unique_ptr<FrameSource>>(const ProtocolInfo& protocol)>;

class DemoDevices {
 public:
  /// `protocols`: registry names offered (unknown names are an error). The links live in a new
  /// private directory under the system's temporary directory, removed at the end.
  static Result<std::unique_ptr<DemoDevices>> create(std::vector<std::string> protocols, EmulatorFrames frames,
                                                     std::shared_ptr<Clock> clock);
  ~DemoDevices();
  DemoDevices(const DemoDevices&) = delete;
  DemoDevices& operator=(const DemoDevices&) = delete;

  /// One choice per protocol, in the order given to create().
  std::vector<DemoChoice> choices() const;
  static bool is_demo_uri(const std::string& uri);
  /// Starts the emulator of the URI's protocol when it is not running, and returns a
  /// SerialSource (reconnecting) on its link: the same source as for a real device.
  Result<std::unique_ptr<FrameSource>> open(const std::string& uri);

  /// The device goes away (after the host has read what was already sent). `protocol` empty:
  /// every running emulator. Errc::not_found when that emulator is not running.
  Status unplug(const std::string& protocol = {});
  /// The device comes back behind the same link; `protocol` empty: every unplugged one.
  Status replug(const std::string& protocol = {});
  /// Frames the emulator of `protocol` has sent so far (0 when not running).
  std::uint64_t frames_sent(const std::string& protocol) const;
  /// The path a host opens for `protocol` (its link).
  std::filesystem::path link_path(const std::string& protocol) const { return dir_ / protocol; }

 private:
  DemoDevices() = default;
  std::vector<const ProtocolInfo*> protocols_;
  EmulatorFrames frames_;
  std::shared_ptr<Clock> clock_;
  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<DeviceEmulator>> running_;
};

}  // namespace insole::drivers
