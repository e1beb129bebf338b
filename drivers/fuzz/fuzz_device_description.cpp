// libFuzzer target for device descriptions (drivers/src/protocol/device_description.cpp): any
// text is parsed or refused with an error; what parses validates, writes back into the same
// description, becomes a registry entry, and its decoder and device model run on a short input
// made from the rest of the text.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "insole/drivers/protocol/device_description.hpp"

using namespace insole;
using namespace insole::drivers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = parse_device_description(text, "fuzz-input.json");
  if (!c) {
    if (c.error().message.rfind("fuzz-input.json: ", 0) != 0) __builtin_trap();  // errors name the file
    return 0;
  }
  if (!c->validate()) __builtin_trap();
  const std::string written = to_device_description(*c);
  auto again = parse_device_description(written, "written.json");
  if (!again || to_device_description(*again) != written) __builtin_trap();
  auto info = make_matrix_protocol(*c);
  if (!info) __builtin_trap();
  // A description may claim up to 4096 x 4096 cells: run the codec only on small ones.
  if (c->cells() > 4096) return 0;
  auto decoder = info->make_decoder();
  std::vector<PressureFrame> frames;
  decoder->feed(std::span<const std::uint8_t>(data, size), frames);
  for (const auto& f : frames)  // a stream's own size: the Fisica codec's load cell has one value
    if (f.stream >= info->streams.size() || f.pressure_kpa.size() != info->streams[f.stream].layout.sensor_count())
      __builtin_trap();
  auto device = info->make_device();
  std::vector<std::uint8_t> reply;
  device->on_host_bytes(std::span<const std::uint8_t>(data, size), reply);
  if (device->streaming()) {
    PressureFrame f;
    f.stream = 0;
    f.pressure_kpa = Eigen::VectorXf::Constant(info->streams[0].layout.sensor_count(), 10.f);
    device->encode_frame(f, reply);
  }
  return 0;
}

// Seeds for the g++ replay test: the built-in descriptions.
std::vector<std::vector<std::uint8_t>> insole_fuzz_seeds() {
  std::vector<std::vector<std::uint8_t>> seeds;
  for (const auto& [name, text] : builtin_device_descriptions()) seeds.emplace_back(text.begin(), text.end());
  // A frame sent tile by tile (values.tiles; none of the built-in devices is tiled).
  const std::string tiled =
      R"({"format": "insole-device", "format_version": 1, "name": "tiled_mat", "description": "4x4 in 2x2 tiles",)"
      R"( "frame_rate_hz": 50, "transport": {"baud": 115200},)"
      R"( "framing": {"type": "header", "sync": "A5 5A", "checksum": "sum8_payload"},)"
      R"( "values": {"type": "u8", "order": "col_major", "max_raw": 255, "tiles": {"rows": 2, "cols": 2, "order": "col_major"}},)"
      R"( "layout": {"kind": "grid", "rows": 4, "cols": 4, "pitch_mm": [10, 10]},)"
      R"( "provenance": {"wire_format": "measured", "values": "measured", "geometry": "measured", "rate": "measured"}})";
  seeds.emplace_back(tiled.begin(), tiled.end());
  return seeds;
}
