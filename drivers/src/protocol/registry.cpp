#include <stdexcept>

#include "insole/drivers/protocol/decoder.hpp"
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
  return info;
}

std::vector<ProtocolInfo> build_registry() {
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
  return all;
}

}  // namespace

const std::vector<ProtocolInfo>& protocols() {
  static const std::vector<ProtocolInfo> registry = build_registry();
  return registry;
}

const ProtocolInfo* find_protocol(std::string_view name) {
  for (const ProtocolInfo& p : protocols())
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace insole::drivers
