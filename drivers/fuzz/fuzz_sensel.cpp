// libFuzzer target for the Sensel Morph decoder, its frame parser and decompressor, and the
// device model's command parser (an emulator must survive any host bytes too).
// Input: byte 0 picks the detail level and the chunking; the rest is the device byte stream.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_split.hpp"
#include "insole/drivers/protocol/sensel.hpp"

using namespace insole;
using namespace insole::drivers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t ctl = data[0];
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  sensel::Config cfg;
  cfg.detail = (ctl & 1) ? sensel::Detail::high : sensel::Detail::medium;
  sensel::SenselDecoder d(cfg);
  fuzz::check_split_invariance(d, bytes, ctl, 0, {sensel::stream_info(cfg.detail)});

  std::vector<sensel::Frame> frames;
  d.reset();
  d.feed_frames(bytes, frames);
  (void)d.device_status();

  // The payload parsers on their own, without the packet checksum in the way.
  (void)sensel::parse_frame(bytes, sensel::CompressionMeta::for_detail(cfg.detail), {}, {});
  std::size_t used = 0;
  if (auto v = sensel::decompress_pressure(bytes, 47 * 27, &used))
    if (v->size() != 47 * 27 || used > bytes.size()) __builtin_trap();

  sensel::SenselDeviceModel dev;
  std::vector<std::uint8_t> reply;
  dev.on_host_bytes(bytes, reply);
  if (dev.streaming()) {
    PressureFrame f;
    f.pressure_kpa = Eigen::VectorXf::Constant(47 * 27, 50.f);
    dev.encode_frame(f, reply);
  }
  return 0;
}

// Seeds for the g++ replay test (tests/drivers/protocol/fuzz_replay_main.cpp): a whole host
// conversation with the device model.
std::vector<std::vector<std::uint8_t>> insole_fuzz_seeds() {
  std::vector<std::vector<std::uint8_t>> seeds;
  for (int async = 0; async < 2; ++async) {
    sensel::Config cfg;
    cfg.async = async == 1;
    sensel::SenselHostSession host(cfg);
    sensel::SenselDeviceModel dev;
    std::vector<std::uint8_t> wire{static_cast<std::uint8_t>(async * 2)};
    for (const HostCommand& c : host.open_commands()) dev.on_host_bytes(c.bytes, wire);
    for (int i = 0; i < 4; ++i) {
      if (!cfg.async) dev.on_host_bytes(host.poll_bytes(), wire);
      PressureFrame f;
      f.sequence = 250u + unsigned(i) * 3u;
      f.pressure_kpa = Eigen::VectorXf::Zero(47 * 27);
      for (int k = 0; k < 30; ++k) f.pressure_kpa((k * 37 + i) % (47 * 27)) = float(k * 13 % 300);
      dev.encode_frame(f, wire);
    }
    seeds.push_back(wire);
  }
  return seeds;
}
