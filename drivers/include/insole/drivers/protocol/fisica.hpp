#pragma once
// The Fisica scale: a standing platform for both feet with a 29 x 22 pressure grid and a load
// cell, on a CP210x USB-serial bridge at 115200 Bd. Wire format from the MIT-licensed Python SDK
// (`fisica` on PyPI, source github.com/care-co/fisica_sdk; fisica_sdk/parser.py, device.py,
// receiver.py, port_scanner.py, analyzer.py), summarised in docs/devices.md:
//
//   device frame, 645 bytes:
//     [0]        one byte, meaning not documented (the SDK never reads it)
//     [1..638]   29 x 22 = 638 u8 cell values, row-major (numpy reshape((29, 22)))
//     [639..640] two bytes, meaning not documented (the SDK never reads them)
//     [641..642] weight, u16 big-endian, in 0.1 kg
//     [643..644] F0 0F (the SDK finds frames by this trailer)
//   command (host -> device) and reply (device -> host), 8 bytes:
//     24 HDR TYPE RET DH DL FF F0     TYPE 'S' (0x53) set / 'G' (0x47) get; RET 00 from the host,
//                                     01 success / 00 failure (DL = error code) from the device
//
// Frames decode to two streams: "mat" (the grid, raw counts) and "load_cell" (one value per frame:
// the weight in kg). The platform's cell pitch is not published: it is a parameter with a stated
// default, and the mat stream's attributes say where the value came from.
//
// The device itself is a description file (drivers/devices/fisica.json, "framing": {"type":
// "fisica"}): name, rate, baud, USB id, pitch and its source, provenance are data; this codec is
// the wire format. protocol_for() builds the registry entry from such a description.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "insole/drivers/protocol/decoder.hpp"

namespace insole::drivers {
struct MatrixCodecConfig;
}

namespace insole::drivers::fisica {

inline constexpr int kRows = 29;
inline constexpr int kCols = 22;
inline constexpr int kCells = kRows * kCols;  // 638
inline constexpr std::size_t kFrameBytes = 645;
inline constexpr std::size_t kCommandBytes = 8;
inline constexpr std::uint8_t kTrailer0 = 0xF0, kTrailer1 = 0x0F;
inline constexpr std::uint8_t kStx = 0x24, kEtx0 = 0xFF, kEtx1 = 0xF0;
inline constexpr std::uint8_t kSet = 0x53, kGet = 0x47;
/// Command headers used here (SDK device.py, ATCommands).
inline constexpr std::uint8_t kHeaderCurrentWeight = 0x14;
inline constexpr std::uint8_t kHeaderDeviceSetting = 0x22;
inline constexpr std::uint8_t kHeaderMeasurementInterval = 0x23;
inline constexpr std::uint8_t kHeaderContinuous = 0x51;
/// Silicon Labs CP210x (the SDK's port scan accepts vendor 4292 = 0x10C4; ea60 is the CP210x
/// default product id).
inline constexpr std::uint16_t kUsbVid = 0x10C4, kUsbPid = 0xEA60;
inline constexpr std::uint32_t kBaud = 115200;
/// The SDK's analyzer measures feet with 1.0 cm cells (analyzer.py, _calculate_foot_size; the
/// grid's real size is commented out there). No pitch is published: this is the assumed default.
inline constexpr double kDefaultPitchMm = 10.0;
/// Not documented: the SDK accepts measurement intervals of 100..2000 ms; 100 ms is assumed.
inline constexpr double kDefaultRateHz = 10.0;

/// A pitch other than the built-in description's (the source option pitch=MM).
struct Config {
  double pitch_mm = kDefaultPitchMm;  ///< cell pitch in both directions
  /// Where pitch_mm came from, recorded as the mat stream's attribute "pitch_source".
  std::string pitch_source =
      "assumed default: not published by the maker; 10 mm is the cell size the vendor SDK's "
      "analyzer uses for foot dimensions (fisica_sdk/analyzer.py)";
};

/// Checks the pitch: finite, 1..100 mm; the message says what is wrong.
Status validate(const Config& config);

/// Whether the 8 bytes at `p` are a command or a reply of the documented form.
bool is_command(std::span<const std::uint8_t> p);
/// 24 HDR TYPE 00 DH DL FF F0.
std::vector<std::uint8_t> command(std::uint8_t header, std::uint8_t type, std::uint8_t data_high,
                                  std::uint8_t data_low);

class FisicaDecoder final : public Decoder {
 public:
  void feed(std::span<const std::uint8_t> bytes, std::vector<PressureFrame>& out) override;
  void reset() override;
  const DecoderStats& stats() const override { return stats_; }

 private:
  void discard(std::size_t n);
  std::vector<std::uint8_t> buf_;
  std::size_t pos_ = 0;
  bool discarding_ = false;
  std::uint64_t sequence_ = 0;
  DecoderStats stats_;
};

class FisicaHostSession final : public HostSession {
 public:
  std::vector<HostCommand> open_commands() const override;
  std::vector<std::uint8_t> poll_bytes() const override { return {}; }
  std::vector<HostCommand> close_commands() const override;
};

/// The platform's side: answers commands with 8-byte replies, streams between "start continuous
/// measurement" and "stop", and encodes one device frame from a mat frame (stream 0, counts) and
/// a load-cell frame (stream 1, kg) of the same sequence, in either order.
class FisicaDeviceModel final : public DeviceModel {
 public:
  void on_host_bytes(std::span<const std::uint8_t> bytes, std::vector<std::uint8_t>& reply) override;
  bool streaming() const override { return streaming_; }
  void encode_frame(const PressureFrame& frame, std::vector<std::uint8_t>& out) override;
  /// Last measurement interval set with header 0x23 (ms; 0 when never set).
  int interval_ms() const { return interval_ms_; }

 private:
  void answer(std::span<const std::uint8_t> cmd, std::vector<std::uint8_t>& reply);
  std::vector<std::uint8_t> in_;
  bool streaming_ = false;
  int interval_ms_ = 0;
  std::vector<std::uint8_t> cells_;  // pending mat frame (empty: none)
  bool have_weight_ = false;
  std::uint16_t weight_tenths_ = 0;  // pending weight; also the last weight for "get weight"
};

/// The two streams of a described Fisica device (its codec is fisica, validated): the grid (29 x 22
/// at the description's pitch, counts, named by the description's stream, with the attributes
/// pitch_mm and pitch_source) and "load_cell" (marked as a load cell: insole::is_load_cell_stream,
/// core/calibration.hpp).
std::vector<StreamInfo> streams_for(const MatrixCodecConfig& description);
/// The registry entry of a described Fisica device.
ProtocolInfo protocol_for(const MatrixCodecConfig& description);
/// The built-in "fisica" description's streams and entry with `config`'s pitch (the registry's
/// "fisica" is the default). Throws std::invalid_argument when the config does not validate
/// (check validate() first).
std::vector<StreamInfo> streams(const Config& config);
ProtocolInfo protocol(const Config& config = {});

/// Weight of a load-cell frame value, u16 0.1 kg -> kg.
inline float weight_kg(std::uint8_t high, std::uint8_t low) {
  return static_cast<float>((static_cast<unsigned>(high) << 8) | low) / 10.0f;
}

}  // namespace insole::drivers::fisica
