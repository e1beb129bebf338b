// insole devices: lists serial ports and known protocols; probes a port for a protocol.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "insole/drivers/protocol/decoder.hpp"
#include "insole/drivers/protocol/device_description.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"
#include "insole/drivers/transport/discovery.hpp"

namespace insole::cli {

namespace {

std::string hex4(std::uint16_t v) {
  std::ostringstream os;
  os << std::hex << std::setw(4) << std::setfill('0') << v;
  return os.str();
}

}  // namespace

int cmd_devices(const Args& args) {
  po::options_description opts("options");
  std::string probe, protocol, check;
  int timeout_ms = 2000;
  opts.add_options()
      ("protocols", "list the protocols: built in, and the clinic's own device descriptions")
      ("check", po::value(&check), "validate a device description file (JSON) and show what it describes")
      ("probe", po::value(&probe), "port to probe (needs --protocol)")
      ("protocol,p", po::value(&protocol), "protocol to probe for")
      ("timeout-ms", po::value(&timeout_ms), "probe: how long to wait for a frame (default 2000)");
  po::variables_map vm;
  if (auto rc = parse_options("devices", "[--protocols] [--check FILE.json] [--probe PORT --protocol NAME]",
                              "Lists USB serial ports (ttyUSB*, ttyACM*, /dev/serial/by-id) with their USB "
                              "identity and the protocols they are known to speak; probes a port.",
                              opts, {}, args, vm))
    return *rc;

  if (!check.empty()) {
    auto c = drivers::read_device_description(check);
    if (!c) return report_error("devices", c.error());
    auto info = drivers::make_matrix_protocol(*c);
    if (!info) return report_error("devices", info.error());
    // Taken by another device: a built-in one, or one from another file of the search path (the
    // same file under another spelling of its path is not another device).
    const bool taken = std::any_of(drivers::protocols().begin(), drivers::protocols().end(), [&](const auto& p) {
      std::error_code ec;
      return p.name == c->name && (p.defined_in.empty() || !std::filesystem::equivalent(p.defined_in, check, ec));
    });
    const char* codec = c->codec == drivers::DeviceCodec::sensel   ? ", built-in sensel codec"
                        : c->codec == drivers::DeviceCodec::fisica ? ", built-in fisica codec"
                                                                   : "";
    std::cout << check << ": valid device description \"" << c->name << "\" (" << c->description << ")\n    "
              << c->rows << "x" << c->cols << (c->sensor_set ? " sensors" : " grid") << codec << ", " << c->frame_rate_hz
              << " frames/s, " << c->baud << " baud, " << (info->poll_driven ? "polled" : "streaming") << ", "
              << (c->units == PressureUnits::counts ? "records raw counts (uncalibrated)" : "records kPa") << "\n    "
              << info->provenance << "\n";
    if (taken) {
      std::cerr << "insole devices: the name \"" << c->name
                << "\" is already taken by another device; this file will be skipped until it is renamed\n";
      return kExitBadInput;
    }
    std::cout << "search path:";
    for (const auto& dir : drivers::device_search_path()) std::cout << " " << dir.string();
    std::cout << "\n";
    return kExitOk;
  }

  if (vm.count("protocols")) {
    for (const auto& e : drivers::device_file_problems())
      std::cerr << "insole devices: skipped a device description: " << e.message << "\n";
    const auto& builtin = drivers::builtin_device_descriptions();
    for (const auto& p : drivers::protocols()) {
      std::cout << p.name << "\n    " << p.description << "\n    " << p.frame_rate_hz << " frames/s, "
                << p.default_baud << " baud, " << (p.poll_driven ? "polled" : "streaming");
      for (const auto& s : p.streams)
        std::cout << ", " << s.name << " " << s.layout.rows() << "x" << s.layout.cols();
      if (!p.streams.empty())
        std::cout << (p.streams[0].units == PressureUnits::counts ? ", records raw counts (uncalibrated)"
                                                                  : ", records kPa");
      if (p.usb_vid) std::cout << ", USB " << hex4(p.usb_vid) << ":" << hex4(p.usb_pid);
      std::cout << "\n";
      if (!p.provenance.empty()) std::cout << "    " << p.provenance << "\n";
      if (!p.defined_in.empty()) {
        std::cout << "    defined in " << p.defined_in << "\n";
      } else if (std::any_of(builtin.begin(), builtin.end(), [&](const auto& f) { return f.first == p.name + ".json"; })) {
        std::cout << "    defined in the built-in description " << p.name << ".json (drivers/devices)\n";
      }
    }
    return kExitOk;
  }

  if (!probe.empty()) {
    if (protocol.empty()) return usage_error("devices", "--probe needs --protocol NAME");
    if (timeout_ms <= 0) return usage_error("devices", "--timeout-ms must be positive");
    auto r = drivers::probe_port(probe, protocol, std::chrono::milliseconds(timeout_ms), steady_clock());
    if (!r) return report_error("devices", r.error());
    std::cout << probe << ": answers " << protocol << " (" << r->description << "), " << r->sensels
              << " sensels per frame\n";
    return kExitOk;
  }
  if (!protocol.empty()) return usage_error("devices", "--protocol is only used with --probe");

  const auto ports = drivers::list_serial_ports();
  if (ports.empty()) {
    std::cout << "no USB serial ports found (ttyUSB*, ttyACM*, /dev/serial/by-id)\n";
    return kExitOk;
  }
  for (const auto& p : ports) {
    std::cout << p.stable_path() << "\n";
    if (!p.by_id_path.empty()) std::cout << "    device: " << p.device_path << "\n";
    if (p.usb_vid && p.usb_pid) {
      std::cout << "    usb: " << hex4(*p.usb_vid) << ":" << hex4(*p.usb_pid);
      if (!p.manufacturer.empty() || !p.product.empty()) std::cout << "  " << p.manufacturer << " " << p.product;
      if (!p.serial.empty()) std::cout << "  serial " << p.serial;
      std::cout << "\n";
    }
    if (!p.driver.empty()) std::cout << "    driver: " << p.driver << "\n";
    for (const auto& name : p.protocols)
      std::cout << "    protocol: " << name << "   (capture: insole capture --source serial://"
                << p.stable_path() << "?protocol=" << name << " -o scan.h5)\n";
  }
  return kExitOk;
}

}  // namespace insole::cli
