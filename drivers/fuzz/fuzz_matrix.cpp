// libFuzzer target for the generic matrix decoder in every framing (all presets, plus 2x2
// variants that reach frame boundaries with short inputs, and header length-field variants) and for its device model's command
// parser. Input: byte 0 picks the config, byte 1 the chunking and the poll-request period.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_split.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"

using namespace insole;
using namespace insole::drivers;

namespace {

const std::vector<MatrixCodecConfig>& configs() {
  static const std::vector<MatrixCodecConfig> all = [] {
    std::vector<MatrixCodecConfig> v = matrix_presets();
    for (MatrixCodecConfig c : matrix_presets()) {
      c.name += "_2x2";
      c.rows = 2;
      c.cols = c.sensor_set ? 1 : 2;
      v.push_back(c);
      if (c.framing == MatrixFraming::cobs) {  // SLIP, which no built-in device uses (yet)
        c.name = "slip_2x2";
        c.framing = MatrixFraming::slip;
        v.push_back(c);
        c.name = "slip_16x16";
        c.rows = c.cols = 16;
        v.push_back(c);
      }
    }
    // Header frames with a length field in the forms no built-in device uses: one byte counting
    // values after a foot byte, and two big-endian bytes counting the frame with an adjustment,
    // constant bytes after them and no checksum (the FLX insole's form is among the presets).
    MatrixCodecConfig len;
    len.name = "len8_values_2x2";
    len.rows = len.cols = 2;
    len.framing = MatrixFraming::header;
    len.sync = {0xAA};
    len.foot_byte = true;
    len.length = LengthField{1, false, LengthCounts::values, 0};
    len.value_type = ValueType::u16le;
    len.max_raw = 0xFFFF;
    len.checksum = MatrixChecksum::sum8_all;
    v.push_back(len);
    len.name = "len16be_frame_2x2";
    len.sync = {0x5A, 0xA5};
    len.foot_byte = false;
    len.length = LengthField{2, true, LengthCounts::frame, -3};
    len.after_length = {0x10, 0x20};
    len.trailer_bytes = 2;
    len.value_type = ValueType::u8;
    len.max_raw = 0xFF;
    len.checksum = MatrixChecksum::none;
    v.push_back(len);
    return v;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const MatrixCodecConfig& c = configs()[data[0] % configs().size()];
  const std::uint8_t ctl = data[1];
  const std::span<const std::uint8_t> bytes(data + 2, size - 2);
  const std::size_t period =
      c.framing == MatrixFraming::poll_raw ? std::size_t(ctl % 64) * 8 : 0;  // 0: never
  MatrixDecoder d(c);
  auto streams = matrix_streams(c);
  if (!streams) __builtin_trap();
  fuzz::check_split_invariance(d, bytes, ctl, period, *streams);

  MatrixDeviceModel dev(c);
  std::vector<std::uint8_t> reply;
  dev.on_host_bytes(bytes, reply);
  if (dev.streaming()) {
    PressureFrame f;
    f.pressure_kpa = Eigen::VectorXf::Constant(c.cells(), 10.f);
    dev.encode_frame(f, reply);
  }
  return 0;
}

// Seeds for the g++ replay test: for each config, a few frames from the device model.
std::vector<std::vector<std::uint8_t>> insole_fuzz_seeds() {
  std::vector<std::vector<std::uint8_t>> seeds;
  for (std::size_t i = 0; i < configs().size(); ++i) {
    const MatrixCodecConfig& c = configs()[i];
    MatrixDeviceModel dev(c);
    std::vector<std::uint8_t> wire{static_cast<std::uint8_t>(i), 0};
    const auto boot = dev.boot_bytes();
    wire.insert(wire.end(), boot.begin(), boot.end());
    std::vector<std::uint8_t> ignored;
    for (const HostCommand& cmd : c.open_commands) dev.on_host_bytes(cmd.bytes, ignored);
    for (int n = 0; n < 3; ++n) {
      if (c.framing == MatrixFraming::poll_raw) dev.on_host_bytes(c.poll_request, ignored);
      PressureFrame f;
      f.stream = std::size_t(n) % c.stream_count();
      f.pressure_kpa = Eigen::VectorXf::Zero(c.cells());
      for (int k = 0; k < c.cells(); k += 3) f.pressure_kpa(k) = float((k * 29 + n * 7) % 450);
      dev.encode_frame(f, wire);
    }
    seeds.push_back(wire);
  }
  return seeds;
}
