#include "insole/drivers/protocol/framing.hpp"

namespace insole::drivers {

std::uint8_t sum8(std::span<const std::uint8_t> bytes) noexcept {
  unsigned sum = 0;
  for (std::uint8_t b : bytes) sum += b;
  return static_cast<std::uint8_t>(sum & 0xFFu);
}

std::uint16_t sum16(std::span<const std::uint8_t> bytes) noexcept {
  std::uint32_t sum = 0;
  for (std::uint8_t b : bytes) sum += b;
  return static_cast<std::uint16_t>(sum & 0xFFFFu);
}

std::vector<std::uint8_t> cobs_encode(std::span<const std::uint8_t> data) {
  std::vector<std::uint8_t> out;
  out.reserve(data.size() + data.size() / 254 + 2);
  std::size_t code_at = out.size();
  out.push_back(0);  // placeholder for the first code byte
  std::uint8_t code = 1;
  bool open = true;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == 0) {
      out[code_at] = code;
      code_at = out.size();
      out.push_back(0);
      code = 1;
      continue;
    }
    out.push_back(data[i]);
    if (++code == 0xFF) {
      // A full block of 254 non-zero bytes carries no implied zero; open the next block only if
      // data follows, so that the encoding matches the reference examples byte for byte.
      out[code_at] = code;
      open = i + 1 < data.size();
      if (open) {
        code_at = out.size();
        out.push_back(0);
        code = 1;
      }
    }
  }
  if (open) out[code_at] = code;
  return out;
}

std::optional<std::vector<std::uint8_t>> cobs_decode(std::span<const std::uint8_t> packet) {
  std::vector<std::uint8_t> out;
  out.reserve(packet.size());
  std::size_t i = 0;
  while (i < packet.size()) {
    const std::uint8_t code = packet[i];
    if (code == 0) return std::nullopt;
    if (i + code > packet.size()) return std::nullopt;
    for (std::size_t k = 1; k < code; ++k) {
      if (packet[i + k] == 0) return std::nullopt;
      out.push_back(packet[i + k]);
    }
    i += code;
    // A code below 0xFF implies a zero, except after the last block of the packet.
    if (code != 0xFF && i < packet.size()) out.push_back(0);
  }
  return out;
}

std::vector<std::uint8_t> slip_encode(std::span<const std::uint8_t> data) {
  std::vector<std::uint8_t> out;
  out.reserve(data.size() + data.size() / 16 + 1);
  for (std::uint8_t b : data) {
    if (b == kSlipEnd) {
      out.push_back(kSlipEsc);
      out.push_back(kSlipEscEnd);
    } else if (b == kSlipEsc) {
      out.push_back(kSlipEsc);
      out.push_back(kSlipEscEsc);
    } else {
      out.push_back(b);
    }
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> slip_decode(std::span<const std::uint8_t> packet) {
  std::vector<std::uint8_t> out;
  out.reserve(packet.size());
  for (std::size_t i = 0; i < packet.size(); ++i) {
    if (packet[i] == kSlipEnd) return std::nullopt;  // an END cannot be inside a packet
    if (packet[i] != kSlipEsc) {
      out.push_back(packet[i]);
      continue;
    }
    if (i + 1 == packet.size()) return std::nullopt;
    const std::uint8_t next = packet[++i];
    if (next == kSlipEscEnd) out.push_back(kSlipEnd);
    else if (next == kSlipEscEsc) out.push_back(kSlipEsc);
    else return std::nullopt;
  }
  return out;
}

}  // namespace insole::drivers
