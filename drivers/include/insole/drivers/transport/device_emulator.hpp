#pragma once
// DeviceEmulator: a device on a pseudo-terminal. It answers the host's commands through the
// protocol's DeviceModel (Sensel register reads, SensingTex configure/start/stop ...) and sends
// frames taken from a FrameSource (normally the simulator) at the device's rate, in the wire
// format. Used by `insole virtual-device`, by the end-to-end tests and by the capture benchmark.
//
// Behaviour modelled on real devices:
//  * frames are sent only while a host has the port open and the device is streaming (after its
//    start command; for poll-driven devices while a poll is pending). A poll-driven device keeps
//    only the latest frame, like the Sensel's frame buffer: a frame not asked for in time is
//    replaced by the next one (counted in frames_skipped).
//  * when the host closes the port the device forgets its configuration (a CDC device sees DTR
//    drop) and must be configured again.
//  * unplug() closes the terminal after the host has read everything already sent; replug()
//    makes a new terminal behind the same stable link, like re-enumeration.
//
// Every frame actually sent can be logged (keep_log) so tests compare it with what was captured.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "insole/core/clock.hpp"
#include "insole/core/frame_source.hpp"
#include "insole/core/result.hpp"
#include "insole/drivers/protocol/decoder.hpp"
#include "insole/drivers/transport/pseudo_terminal.hpp"

namespace insole::drivers {

struct EmulatorOptions {
  std::string protocol;          ///< registry name
  /// A protocol built at run time; used instead of the registry when set.
  std::shared_ptr<const ProtocolInfo> custom_protocol;
  std::string link_path;         ///< stable symlink standing in for /dev/serial/by-id/...; optional
  /// Time compression: frames go out at their time stamps divided by `speed` (2 = twice the
  /// source's rate). The frame source should already run at the protocol's nominal rate.
  double speed = 1.0;
  /// Seconds after start() before the source's time zero: a host can connect meanwhile.
  double start_delay_s = 0.0;
  /// The clock time start_delay_s is counted from, instead of the moment the device thread
  /// starts: emulators given one epoch on one clock send their frames in step (the tiles of one
  /// mat), however late each thread starts.
  std::optional<double> epoch_s;
  /// Stop after sending this many frames (0 = until stopped or the source ends).
  std::uint64_t max_frames = 0;
  /// Keep every sent frame (as given to the device model) and its bytes, for tests.
  bool keep_log = false;
};

struct EmulatorStats {
  std::uint64_t frames_sent = 0;
  std::uint64_t frames_skipped = 0;   ///< came due while nobody listened or asked
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t host_connections = 0; ///< times a host opened the port
  std::uint64_t write_timeouts = 0;   ///< frames the host did not read within a second
  bool source_ended = false;
};

/// One frame as sent: the frame handed to the device model and the bytes on the wire.
struct SentFrame {
  PressureFrame frame;
  std::vector<std::uint8_t> bytes;
  std::uint64_t connection = 0;  ///< host_connections count when it was sent
};

class DeviceEmulator {
 public:
  /// Creates the terminal (and link) and starts the device thread. Frames are pulled from
  /// `frames` with next(0), so it must not pace itself (realtime = false); its streams must match
  /// the protocol's streams (same order, same sensor counts).
  static Result<std::unique_ptr<DeviceEmulator>> start(EmulatorOptions options,
                                                       std::unique_ptr<FrameSource> frames,
                                                       std::shared_ptr<Clock> clock);
  ~DeviceEmulator();
  DeviceEmulator(const DeviceEmulator&) = delete;
  DeviceEmulator& operator=(const DeviceEmulator&) = delete;

  /// What a host opens: the link when there is one, else /dev/pts/N.
  std::string host_path() const;
  std::string slave_path() const;
  const ProtocolInfo& protocol() const noexcept { return *proto_; }

  /// Stops sending, waits (at most `drain_timeout_s`) until the host has read what was sent,
  /// then closes the terminal and removes the link: the host reads end of file.
  void unplug(double drain_timeout_s = 5.0);
  /// A new terminal behind the same link; the device starts unconfigured.
  Status replug();
  /// Silent: the port stays open but the device sends nothing and answers nothing (hung
  /// firmware, a cable that keeps power but lost data); frames that come due are skipped
  /// (frames_skipped). false: back to normal.
  void set_silent(bool silent) { silent_ = silent; }
  bool plugged() const;
  /// Stops the device thread (after unplug-style draining); idempotent.
  void stop();
  /// True once the device thread has ended (stopped, max_frames reached or source ended).
  bool finished() const noexcept { return finished_; }

  EmulatorStats stats() const;
  /// Frames sent so far (only with keep_log).
  std::vector<SentFrame> log() const;

 private:
  DeviceEmulator() = default;
  void run() noexcept;
  void drain_and_close(double timeout_s);

  std::atomic<bool> silent_{false};
  EmulatorOptions opt_;
  const ProtocolInfo* proto_ = nullptr;
  std::unique_ptr<FrameSource> frames_;
  std::shared_ptr<Clock> clock_;

  mutable std::mutex mutex_;  // guards everything below
  PseudoTerminal pty_;
  std::unique_ptr<DeviceModel> device_;
  bool host_was_connected_ = false;
  EmulatorStats stats_;
  std::vector<SentFrame> log_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace insole::drivers
