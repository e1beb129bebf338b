#pragma once
// The protocol seam of the drivers module: pure, incremental decoders (device bytes -> frames),
// the host side of each protocol (what the host must send), device models (the device side, used
// by emulators and golden tests) and a registry of every protocol and preset.
//
// Nothing here touches Asio, a clock or a file: a transport (Asio serial port, pty) owns the
// bytes and the time, and calls into these objects. See docs/devices.md for the wire formats.

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"

namespace insole::drivers {

/// Counters every decoder keeps. Losses are counted, never silent. All counts since the last
/// reset().
struct DecoderStats {
  std::uint64_t frames = 0;            ///< frames emitted by feed()
  std::uint64_t bytes = 0;             ///< bytes passed to feed()
  std::uint64_t checksum_errors = 0;   ///< candidate frames whose checksum did not match
  std::uint64_t resyncs = 0;           ///< runs of discarded bytes (one run counts once)
  std::uint64_t lost_frames = 0;       ///< gaps in the device frame counter (protocols with one)
  std::uint64_t garbage_bytes = 0;     ///< bytes discarded while hunting for a frame start
  std::uint64_t truncated_frames = 0;  ///< frames cut short (terminator missing, too few values)
  std::uint64_t malformed_frames = 0;  ///< framing fine but content invalid (bad RLE, bad index)
  std::uint64_t replies = 0;           ///< register/command replies seen (Sensel acks)
  std::uint64_t nacks = 0;             ///< negative acknowledgements from the device
};

/// Host side: bytes from the device -> frames. Pure and incremental: any split of the byte stream
/// gives the same frames and the same stats. Frames carry `stream` (index into
/// ProtocolInfo::streams), `sequence` (the device's counter extended to 64 bits when the protocol
/// has one, else a running count from 0) and time_s = 0 (the transport stamps time).
class Decoder {
 public:
  virtual ~Decoder() = default;
  /// Consumes bytes and appends every completed frame to `out` (never clears `out`).
  virtual void feed(std::span<const std::uint8_t> bytes, std::vector<PressureFrame>& out) = 0;
  /// For poll-and-read protocols: the transport calls this right after writing the poll bytes.
  /// Bytes buffered before the request that do not form a whole frame are discarded (counted as
  /// garbage), which realigns the decoder with the reply. No-op for self-framed protocols.
  virtual void on_request_sent() {}
  /// Forgets buffered bytes, learnt device state and stats.
  virtual void reset() = 0;
  virtual const DecoderStats& stats() const = 0;
  /// Whether the device answered the handshake as expected. Ok when the protocol has no
  /// handshake or it has not been answered yet; an error (Errc::unsupported / Errc::format_error)
  /// when the device identified itself as something else or refused a command (NACK).
  virtual Status device_status() const { return {}; }
};

/// One command the host sends, e.g. "read magic register".
struct HostCommand {
  std::vector<std::uint8_t> bytes;
  /// When true the transport waits (reply_timeout_s) until the decoder's stats().replies grows
  /// before sending the next command; a timeout means the device did not answer.
  bool await_reply = false;
  std::string what;  ///< for error messages, e.g. "read register 0x00 (magic)"
};

/// Host side commands of a protocol: handshake and configuration, start/stop scanning, and the
/// poll request of poll-and-read devices. Stateless apart from configuration.
class HostSession {
 public:
  virtual ~HostSession() = default;
  /// Sent in order right after the port opens (identify, configure, start scanning).
  virtual std::vector<HostCommand> open_commands() const = 0;
  /// Sent to request one frame; empty for devices that stream on their own.
  virtual std::vector<std::uint8_t> poll_bytes() const = 0;
  /// Sent before closing the port (stop scanning); may be empty.
  virtual std::vector<HostCommand> close_commands() const = 0;
  /// How long to wait for each reply (Sensel SDK: 500 ms select timeout).
  virtual double reply_timeout_s() const { return 0.5; }
};

/// Device side (emulators and golden tests): answers host commands and serialises frames in the
/// wire format. Pure like the decoder: no I/O, no clock.
class DeviceModel {
 public:
  virtual ~DeviceModel() = default;
  /// Bytes the device sends when it powers up / the port opens (e.g. a boot banner); may be empty.
  virtual std::vector<std::uint8_t> boot_bytes() const { return {}; }
  /// Consumes host bytes (any split) and appends replies (register reads, acks) to `reply`.
  virtual void on_host_bytes(std::span<const std::uint8_t> bytes,
                             std::vector<std::uint8_t>& reply) = 0;
  /// Whether a frame should be sent now: after start-scan for streaming devices; for
  /// poll-driven devices while a poll request is pending (each encode_frame answers one poll).
  virtual bool streaming() const = 0;
  /// Serialises one frame (frame.stream selects the stream, frame.sequence the device counter,
  /// pressure in kPa is converted to raw counts with the protocol's calibration) into `out`.
  virtual void encode_frame(const PressureFrame& frame, std::vector<std::uint8_t>& out) = 0;
};

/// Everything about one protocol or preset. Layout pitches are in mm.
struct ProtocolInfo {
  std::string name;         ///< registry key, e.g. "sensel_morph", "m1616"
  std::string description;  ///< one line for `insole devices`
  std::uint32_t default_baud = 115200;
  double frame_rate_hz = 0;  ///< nominal rate of the device (emulators send at this rate)
  std::vector<StreamInfo> streams;
  std::function<std::unique_ptr<Decoder>()> make_decoder;
  std::function<std::unique_ptr<HostSession>()> make_host_session;
  std::function<std::unique_ptr<DeviceModel>()> make_device;
  bool poll_driven = false;  ///< the host must send poll_bytes() for every frame
  std::uint16_t usb_vid = 0, usb_pid = 0;  ///< 0 when the device has no fixed USB identity
  /// What is verified and what is assumed about the device (sources, unverified parts); printed
  /// by `insole devices --protocols`. Empty when nothing needs saying.
  std::string provenance;
  /// Where the protocol is defined: empty for the built-in ones, else the device description file
  /// it was read from (a clinic's own device, docs/devices.md).
  std::string defined_in;
};

/// Registry of all protocols and presets, in a stable order: the built-in ones, then the devices
/// described in the files of the device search path (device_description.hpp), read once, at the
/// first call.
const std::vector<ProtocolInfo>& protocols();
/// The device description files of the search path that were refused when protocols() was built,
/// each naming the file and the reason (`insole devices --protocols` prints them).
const std::vector<Error>& device_file_problems();
/// The protocol with that name, or nullptr.
const ProtocolInfo* find_protocol(std::string_view name);

}  // namespace insole::drivers
