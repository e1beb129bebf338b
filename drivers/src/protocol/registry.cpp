#include <stdexcept>

#include "insole/drivers/protocol/decoder.hpp"
#include "insole/drivers/protocol/device_description.hpp"
#include "insole/drivers/protocol/fisica.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"
#include "insole/drivers/protocol/sensel.hpp"

namespace insole::drivers {

namespace {

ProtocolInfo sensel_protocol(std::string name, std::string description, sensel::Config config) {
  ProtocolInfo info;
  info.name = std::move(name);
  info.description = std::move(description);
  info.default_baud = 115200;  // CDC-ACM ignores the rate; the SDK sets B115200
  info.streams = {sensel::stream_info(config.detail)};
  info.frame_rate_hz = info.streams[0].sample_rate_hz;
  info.make_decoder = [config] { return std::make_unique<sensel::SenselDecoder>(config); };
  info.make_host_session = [config] { return std::make_unique<sensel::SenselHostSession>(config); };
  info.make_device = [] { return std::make_unique<sensel::SenselDeviceModel>(); };
  info.poll_driven = !config.async;
  info.usb_vid = sensel::kUsbVid;
  info.usb_pid = sensel::kUsbPidMorph;
  info.provenance =
      "wire format documented, values documented, geometry documented, rate documented; sources: "
      "github.com/sensel/sensel-api (MIT: sensel_register.c, sensel_register_map.h, sensel.c); "
      "github.com/CreativeInquiry/Sensel-Morph-Liberation (docs/communications_protocol.md). A "
      "register protocol with its own decoder (docs/devices.md, section 3), not a device description";
  return info;
}

struct Registry {
  std::vector<ProtocolInfo> all;
  std::vector<Error> problems;
};

Registry build_registry() {
  std::vector<ProtocolInfo> all;
  sensel::Config sync_medium;
  all.push_back(sensel_protocol(
      "sensel_morph", "Sensel Morph register protocol, sync polling, medium detail (47x27 grid)",
      sync_medium));
  sensel::Config async_medium;
  async_medium.async = true;
  all.push_back(sensel_protocol(
      "sensel_morph_async", "Sensel Morph register protocol, async push, medium detail (47x27 grid)",
      async_medium));
  sensel::Config sync_high;
  sync_high.detail = sensel::Detail::high;
  all.push_back(sensel_protocol(
      "sensel_morph_high", "Sensel Morph register protocol, sync polling, high detail (93x53 grid)",
      sync_high));
  for (const MatrixCodecConfig& preset : matrix_presets()) {
    auto info = make_matrix_protocol(preset);
    if (!info) throw std::logic_error("built-in preset is invalid: " + info.error().message);
    all.push_back(std::move(*info));
  }
  all.push_back(fisica::protocol());
  std::vector<std::string> names;
  for (const auto& p : all) names.push_back(p.name);
  UserDevices user = load_user_devices(names);
  for (std::size_t i = 0; i < user.devices.size(); ++i) {
    auto info = make_matrix_protocol(user.devices[i]);
    if (!info) {
      user.problems.push_back(info.error());
      continue;
    }
    info->defined_in = user.files[i].string();
    all.push_back(std::move(*info));
  }
  return Registry{std::move(all), std::move(user.problems)};
}

const Registry& registry() {
  static const Registry r = build_registry();
  return r;
}

}  // namespace

const std::vector<ProtocolInfo>& protocols() { return registry().all; }

const std::vector<Error>& device_file_problems() { return registry().problems; }

const ProtocolInfo* find_protocol(std::string_view name) {
  for (const ProtocolInfo& p : protocols())
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace insole::drivers
