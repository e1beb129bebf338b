#pragma once
// SerialSource: a FrameSource over a serial device speaking one of the registered protocols.
//
//   port (Asio, raw 8N1)  ->  I/O thread: HostSession commands, poll requests,
//                             Decoder::feed  ->  BoundedQueue  ->  next() on the consumer's thread
//
// The I/O thread never blocks on the consumer: when the queue is full the frame is dropped and
// counted in SourceStats::overflows. On end of file or a read/write error (unplug) it delivers a
// single Errc::disconnected through next(), then reopens the device with exponential backoff,
// replays the handshake, and frames flow again (SourceStats::reconnects counts the successes).
// A streaming device that goes silent (stream_silence_periods) is disconnected the same way.
// Finding the device again: when the port opened at start() is a USB device with a serial
// number (sysfs), each reopen looks for the port with that USB vendor, product and serial number
// (list_serial_ports) and opens its /dev/serial/by-id link (or its ttyACMn / ttyUSBn name), so a
// device that re-enumerates from ttyACM0 to ttyACM1 is found; without a serial number the path
// given is reopened (open the stable /dev/serial/by-id/... path then).
//
// Times: seconds on the injected clock since start(), stamped on arrival; frames decoded from one
// read are spread back at the nominal frame period so times stay strictly increasing per stream.
// Sequence numbers are the decoder's, shifted after a reconnect so they keep increasing.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "insole/core/clock.hpp"
#include "insole/core/frame_source.hpp"
#include "insole/drivers/protocol/decoder.hpp"
#include "insole/drivers/transport/discovery.hpp"

namespace insole::drivers {

struct SerialSourceOptions {
  std::string path;                 ///< e.g. /dev/serial/by-id/usb-Sensel_Morph_SM01-if00
  std::string protocol;             ///< registry name (protocols())
  /// A protocol built at run time (e.g. make_matrix_protocol for a custom DIY matrix); when set
  /// it is used instead of looking `protocol` up in the registry.
  std::shared_ptr<const ProtocolInfo> custom_protocol;
  std::uint32_t baud = 0;           ///< 0 = the protocol's default rate
  std::size_t queue_frames = 4096;  ///< frames buffered between the I/O thread and next()
  std::chrono::milliseconds read_timeout{200};  ///< one read; also the stop() latency bound
  bool reconnect = true;            ///< false: a disconnection ends the source (Errc::disconnected, final)
  double reconnect_initial_s = 0.1; ///< first backoff; doubles up to reconnect_max_s
  double reconnect_max_s = 2.0;
  /// Poll-driven devices: a poll that gets no frame within this time is repeated; after
  /// `poll_silence_limit` consecutive silent polls the device is treated as disconnected.
  int poll_silence_limit = 10;
  /// Streaming devices: once frames have arrived on a connection, a line silent for this many
  /// nominal frame periods (ProtocolInfo::frame_rate_hz) - but at least stream_silence_min_s - is
  /// a disconnection (a device that stops sending without closing its port: hung firmware, a
  /// cable that keeps power but lost data): Errc::disconnected, then reconnection. 0 = never.
  double stream_silence_periods = 10;
  /// Floor of that limit: the host's own scheduling on a loaded machine can delay a read by a
  /// few hundred ms, which must not look like a silent device.
  double stream_silence_min_s = 1.0;
  /// Where to look for the device again after a disconnection (/dev and /sys): see reconnection
  /// in the class comment.
  DiscoveryRoots discovery;
  /// Poll-driven devices: after the handshake, input is read and discarded until the line has
  /// been quiet this long (at most 1 s), so a boot banner printed when the port opens (Arduino
  /// firmware resets on open) is not taken for the answer to the first request.
  double poll_settle_s = 0.1;
};

class SerialSource final : public FrameSource {
 public:
  /// Programmer errors (unknown protocol name, null clock) throw std::invalid_argument; check
  /// the name with find_protocol() first when it comes from a user.
  SerialSource(SerialSourceOptions options, std::shared_ptr<Clock> clock);
  ~SerialSource() override;
  SerialSource(const SerialSource&) = delete;
  SerialSource& operator=(const SerialSource&) = delete;

  /// Opens the port and runs the protocol's handshake on the caller's thread (so a missing port
  /// or a device that answers as something else fails here), then starts the I/O thread.
  Status start() override;
  /// The next frame. Errc::timeout: nothing yet. Errc::disconnected: the device went away and
  /// the source is reconnecting (call next() again) - or, with reconnect=false, it is final.
  /// Errc::end_of_stream after stop() once every queued frame has been delivered.
  Result<PressureFrame> next(std::chrono::milliseconds timeout) override;
  /// Sends the protocol's close commands, stops the I/O thread and closes the port. Frames
  /// already queued can still be taken with next(). Idempotent.
  void stop() override;
  const SourceInfo& info() const override { return info_; }
  SourceStats stats() const override;
  std::optional<double> take_disconnect_time_s() override;
  /// The decoder's own counters, summed over connections.
  DecoderStats decoder_stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  SourceInfo info_;
};

}  // namespace insole::drivers
