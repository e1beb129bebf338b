#pragma once
// Small framing building blocks shared by the protocol codecs: the 8- and 16-bit additive checksums,
// Consistent Overhead Byte Stuffing (COBS) and SLIP byte stuffing. Pure functions over bytes.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace insole::drivers {

/// Low 8 bits of the sum of the bytes (Sensel register protocol, 18-point insole).
std::uint8_t sum8(std::span<const std::uint8_t> bytes) noexcept;

/// Low 16 bits of the sum of the bytes (208-cell FLX insole, sent little-endian).
std::uint16_t sum16(std::span<const std::uint8_t> bytes) noexcept;

/// COBS-encodes `data` (Cheshire & Baker, "Consistent Overhead Byte Stuffing", IEEE/ACM Trans.
/// Networking 7(2), 1999): the result holds no 0x00 byte. The 0x00 packet delimiter is not
/// appended.
std::vector<std::uint8_t> cobs_encode(std::span<const std::uint8_t> data);

/// Decodes one COBS packet (without its 0x00 delimiter); nullopt when it is malformed (a 0x00
/// inside, or a code byte that points past the end).
std::optional<std::vector<std::uint8_t>> cobs_decode(std::span<const std::uint8_t> packet);

/// SLIP (RFC 1055, "A Nonstandard for Transmission of IP Datagrams over Serial Lines"): END = C0
/// ends a packet; inside, C0 is sent as DB DC and DB as DB DD. Encodes `data` without the END.
inline constexpr std::uint8_t kSlipEnd = 0xC0, kSlipEsc = 0xDB, kSlipEscEnd = 0xDC, kSlipEscEsc = 0xDD;
std::vector<std::uint8_t> slip_encode(std::span<const std::uint8_t> data);

/// Decodes one SLIP packet (without its END); nullopt when an escape is not followed by DC or DD.
std::optional<std::vector<std::uint8_t>> slip_decode(std::span<const std::uint8_t> packet);

}  // namespace insole::drivers
