// libFuzzer target for the Fisica scale decoder (645-byte frames found by their trailer, 8-byte
// replies) and its device model's command parser. Input: byte 0 drives the chunking, byte 1 the
// values the device model encodes; the rest is the byte stream.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "fuzz_split.hpp"
#include "insole/drivers/protocol/fisica.hpp"

using namespace insole;
using namespace insole::drivers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t ctl = data[0], values = data[1];
  const std::span<const std::uint8_t> bytes(data + 2, size - 2);
  static const std::vector<StreamInfo> streams = fisica::streams({});
  fisica::FisicaDecoder d;
  fuzz::check_split_invariance(d, bytes, ctl, 0, streams);

  // Frames come in pairs (mat, load cell) of one sequence; every byte is a frame, a reply,
  // garbage, or still buffered (less than one frame).
  std::vector<PressureFrame> out;
  d.reset();
  d.feed(bytes, out);
  if (out.size() % 2 != 0) __builtin_trap();
  for (std::size_t i = 0; i < out.size(); i += 2)
    if (out[i].stream != 0 || out[i + 1].stream != 1 || out[i].sequence != out[i + 1].sequence ||
        out[i].sequence != i / 2)
      __builtin_trap();
  const DecoderStats& s = d.stats();
  const std::uint64_t used = s.garbage_bytes + fisica::kFrameBytes * (s.frames / 2) +
                             fisica::kCommandBytes * s.replies;
  if (used > bytes.size() || bytes.size() - used >= fisica::kFrameBytes) __builtin_trap();

  // The device model: hostile host bytes, then frames with hostile values (NaN, infinities,
  // negatives, huge) must encode to exactly one well-formed frame per pair.
  fisica::FisicaDeviceModel dev;
  std::vector<std::uint8_t> reply;
  dev.on_host_bytes(bytes, reply);
  if (reply.size() % fisica::kCommandBytes != 0) __builtin_trap();
  const float special[] = {std::numeric_limits<float>::quiet_NaN(),
                           std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(), -5.f, 1e30f, 254.6f, 72.5f};
  PressureFrame mat, load;
  mat.stream = 0;
  mat.pressure_kpa.resize(fisica::kCells);
  for (int k = 0; k < fisica::kCells; ++k)
    mat.pressure_kpa(k) = special[(std::size_t(k) + values) % std::size(special)];
  load.stream = 1;
  load.pressure_kpa = Eigen::VectorXf::Constant(1, special[values % std::size(special)]);
  std::vector<std::uint8_t> wire;
  dev.encode_frame(values & 1 ? load : mat, wire);
  dev.encode_frame(values & 1 ? mat : load, wire);
  if (wire.size() != fisica::kFrameBytes) __builtin_trap();
  fisica::FisicaDecoder again;
  std::vector<PressureFrame> back;
  again.feed(wire, back);
  if (back.size() != 2) __builtin_trap();
  return 0;
}

// Seeds for the g++ replay test: device-model conversations (open commands, their replies,
// frames, a reply between frames).
std::vector<std::vector<std::uint8_t>> insole_fuzz_seeds() {
  std::vector<std::vector<std::uint8_t>> seeds;
  for (std::uint8_t variant = 0; variant < 4; ++variant) {
    fisica::FisicaDeviceModel dev;
    fisica::FisicaHostSession host;
    std::vector<std::uint8_t> wire{variant, static_cast<std::uint8_t>(variant * 3)};
    for (const HostCommand& c : host.open_commands()) dev.on_host_bytes(c.bytes, wire);
    for (int n = 0; n < 3; ++n) {
      PressureFrame mat, load;
      mat.stream = 0;
      mat.pressure_kpa = Eigen::VectorXf::Zero(fisica::kCells);
      for (int k = 0; k < fisica::kCells; k += 2 + variant)
        mat.pressure_kpa(k) = float((k * 29 + n * 7) % 256);
      load.stream = 1;
      load.pressure_kpa = Eigen::VectorXf::Constant(1, 60.f + float(n + variant));
      dev.encode_frame(mat, wire);
      dev.encode_frame(load, wire);
      if (n == 1)
        dev.on_host_bytes(fisica::command(fisica::kHeaderCurrentWeight, fisica::kGet, 0, 0), wire);
    }
    seeds.push_back(wire);
  }
  return seeds;
}
