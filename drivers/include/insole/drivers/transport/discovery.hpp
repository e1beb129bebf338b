#pragma once
// Finding serial devices: lists USB serial ports (ttyUSB*, ttyACM*, and every link in
// /dev/serial/by-id), reads their USB identity from sysfs, recognises known devices by
// vendor:product id (the protocol registry's usb_vid/usb_pid, e.g. Sensel Morph 2c2f:0003), and
// prefers the stable /dev/serial/by-id/... name, which survives re-enumeration (ttyACM0 may come
// back as ttyACM1 after a replug). probe_port() checks that a port answers a given protocol.
//
// The /dev and /sys roots are parameters so the logic is testable on a fake tree.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "insole/core/clock.hpp"
#include "insole/core/result.hpp"

namespace insole::drivers {

struct DiscoveryRoots {
  std::filesystem::path dev = "/dev";
  std::filesystem::path sys = "/sys";
};

struct PortInfo {
  std::string device_path;  ///< e.g. /dev/ttyACM0
  std::string by_id_path;   ///< e.g. /dev/serial/by-id/usb-Sensel_Morph_SM01-if00; empty if none
  std::optional<std::uint16_t> usb_vid, usb_pid;
  std::string manufacturer, product, serial;  ///< USB strings from sysfs, when present
  std::string driver;       ///< kernel driver, e.g. cdc_acm, ftdi_sio, ch341
  /// Protocols whose USB identity matches (empty when the ids are unknown or generic bridges).
  std::vector<std::string> protocols;
  /// The name to open: by_id_path when there is one, else device_path.
  const std::string& stable_path() const { return by_id_path.empty() ? device_path : by_id_path; }
};

/// Serial ports under `roots`, sorted by device path. Never fails: an unreadable sysfs entry
/// just leaves the USB fields empty.
std::vector<PortInfo> list_serial_ports(const DiscoveryRoots& roots = {});

/// The /dev/serial/by-id/... link that points at the same device as `path`, or `path` itself
/// when there is none (or `path` already is such a link).
std::string prefer_stable_path(const std::string& path, const DiscoveryRoots& roots = {});

struct ProbeResult {
  std::string path;
  std::string protocol;
  std::uint64_t frames = 0;        ///< frames decoded during the probe
  std::size_t sensels = 0;         ///< sensels per frame of the first stream
  std::string description;
};

/// Opens `path`, runs the protocol's handshake and waits for one frame. Errc::not_found,
/// Errc::timeout (no answer / no frame), Errc::unsupported (the device said it is something
/// else). The port is closed again afterwards.
Result<ProbeResult> probe_port(const std::string& path, const std::string& protocol,
                               std::chrono::milliseconds timeout, std::shared_ptr<Clock> clock,
                               std::uint32_t baud = 0);

}  // namespace insole::drivers
