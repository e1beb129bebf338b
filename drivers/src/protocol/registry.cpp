#include <stdexcept>

#include "insole/drivers/protocol/decoder.hpp"
#include "insole/drivers/protocol/device_description.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"

namespace insole::drivers {

namespace {

struct Registry {
  std::vector<ProtocolInfo> all;
  std::vector<Error> problems;
};

Registry build_registry() {
  // The built-in devices are description files (drivers/devices/*.json, in the order of
  // INSOLE_BUILTIN_DEVICES): the matrix presets and the Sensel and Fisica devices, whose
  // descriptions name their built-in codecs.
  std::vector<ProtocolInfo> all;
  for (const MatrixCodecConfig& d : builtin_devices()) {
    auto info = make_matrix_protocol(d);
    if (!info) throw std::logic_error("built-in device description is invalid: " + info.error().message);
    all.push_back(std::move(*info));
  }
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
