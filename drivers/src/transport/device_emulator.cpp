#include "insole/drivers/transport/device_emulator.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace insole::drivers {

Result<std::unique_ptr<DeviceEmulator>> DeviceEmulator::start(EmulatorOptions options,
                                                              std::unique_ptr<FrameSource> frames,
                                                              std::shared_ptr<Clock> clock) {
  if (!clock) throw std::invalid_argument("DeviceEmulator: clock is null");
  if (!frames) throw std::invalid_argument("DeviceEmulator: frame source is null");
  const ProtocolInfo* proto =
      options.custom_protocol ? options.custom_protocol.get() : find_protocol(options.protocol);
  if (!proto) return make_error(Errc::invalid_argument, "unknown protocol '" + options.protocol + "'");
  if (!(options.speed > 0.0)) return make_error(Errc::invalid_argument, "emulator speed must be > 0");
  if (!(options.start_delay_s >= 0.0))
    return make_error(Errc::invalid_argument, "emulator start delay must be >= 0 s");
  if (options.epoch_s && !std::isfinite(*options.epoch_s))
    return make_error(Errc::invalid_argument, "emulator epoch must be a finite clock time");
  const auto& want = proto->streams;
  const auto& have = frames->info().streams;
  if (have.size() != want.size())
    return make_error(Errc::invalid_argument,
                      "frame source has " + std::to_string(have.size()) + " streams; protocol " +
                          proto->name + " has " + std::to_string(want.size()));
  for (std::size_t i = 0; i < want.size(); ++i)
    if (have[i].layout.sensor_count() != want[i].layout.sensor_count())
      return make_error(Errc::invalid_argument,
                        "frame source stream " + std::to_string(i) + " has " +
                            std::to_string(have[i].layout.sensor_count()) + " sensels; protocol " +
                            proto->name + " stream '" + want[i].name + "' has " +
                            std::to_string(want[i].layout.sensor_count()));
  if (auto st = frames->start(); !st) return st.error();
  auto pty = PseudoTerminal::open(options.link_path);
  if (!pty) return pty.error();

  std::unique_ptr<DeviceEmulator> emu(new DeviceEmulator());
  emu->opt_ = std::move(options);
  emu->proto_ = proto;
  emu->frames_ = std::move(frames);
  emu->clock_ = std::move(clock);
  emu->pty_ = std::move(pty).value();
  emu->device_ = proto->make_device();
  emu->thread_ = std::thread([e = emu.get()] { e->run(); });
  return emu;
}

DeviceEmulator::~DeviceEmulator() { stop(); }

std::string DeviceEmulator::host_path() const {
  std::lock_guard lock(mutex_);
  return opt_.link_path.empty() ? pty_.slave_path() : opt_.link_path;
}

std::string DeviceEmulator::slave_path() const {
  std::lock_guard lock(mutex_);
  return pty_.slave_path();
}

bool DeviceEmulator::plugged() const {
  std::lock_guard lock(mutex_);
  return pty_.is_open();
}

EmulatorStats DeviceEmulator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::vector<SentFrame> DeviceEmulator::log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

void DeviceEmulator::drain_and_close(double timeout_s) {
  // Caller holds mutex_, so the device thread sends nothing meanwhile.
  if (!pty_.is_open()) return;
  // Bytes written to the master reach the slave's read queue asynchronously (the kernel's flip
  // buffer work), so an empty queue counts only when it stays empty for several checks.
  const double deadline = clock_->now_s() + timeout_s;
  int quiet_checks = 0;
  while (pty_.host_connected() && quiet_checks < 4 && clock_->now_s() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    quiet_checks = pty_.host_unread_bytes() == 0 ? quiet_checks + 1 : 0;
  }
  pty_.close(/*remove_link=*/true);
  device_ = proto_->make_device();
  host_was_connected_ = false;
}

void DeviceEmulator::unplug(double drain_timeout_s) {
  std::lock_guard lock(mutex_);
  drain_and_close(drain_timeout_s);
}

Status DeviceEmulator::replug() {
  std::lock_guard lock(mutex_);
  if (pty_.is_open()) return {};
  auto pty = PseudoTerminal::open(opt_.link_path);
  if (!pty) return pty.error();
  pty_ = std::move(pty).value();
  device_ = proto_->make_device();
  host_was_connected_ = false;
  return {};
}

void DeviceEmulator::stop() {
  if (thread_.joinable()) {
    stopping_ = true;
    thread_.join();
  }
  std::lock_guard lock(mutex_);
  drain_and_close(2.0);
  if (frames_) frames_->stop();
}

void DeviceEmulator::run() noexcept {
  try {
    const double t0 = opt_.epoch_s ? *opt_.epoch_s : clock_->now_s();
    std::optional<PressureFrame> due;   // the next frame from the source
    std::optional<PressureFrame> held;  // poll-driven: the latest frame, waiting for a poll
    bool source_ended = false;
    std::vector<std::uint8_t> in(4096), reply, wire;
    auto fetch = [&] {
      if (due || source_ended) return;
      auto r = frames_->next(std::chrono::milliseconds(0));
      if (r) {
        due = std::move(r).value();
      } else if (r.error().code != Errc::timeout) {
        source_ended = true;
      }
    };
    // Sends one frame; caller holds mutex_.
    auto send = [&](const PressureFrame& f) {
      wire.clear();
      device_->encode_frame(f, wire);
      if (auto st = pty_.write_all(wire, std::chrono::milliseconds(1000)); !st) {
        ++stats_.write_timeouts;
        return;
      }
      ++stats_.frames_sent;
      stats_.bytes_sent += wire.size();
      if (opt_.keep_log) log_.push_back(SentFrame{f, wire, stats_.host_connections});
    };
    while (!stopping_) {
      fetch();
      if (opt_.max_frames && stats().frames_sent >= opt_.max_frames) break;
      if (source_ended && !due && !held) break;
      const double now = clock_->now_s() - t0;
      double wait_s = 0.005;
      if (due) wait_s = std::clamp((opt_.start_delay_s + due->time_s / opt_.speed) - now, 0.0, 0.005);

      std::unique_lock lock(mutex_);
      if (!pty_.is_open()) {
        // Unplugged: the world goes on, frames come due and nobody receives them.
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::duration<double>(wait_s > 0 ? wait_s : 0.001));
        lock.lock();
        const double t = clock_->now_s() - t0;
        while (due && (opt_.start_delay_s + due->time_s / opt_.speed) <= t) {
          ++stats_.frames_skipped;
          due.reset();
          fetch();
        }
        if (held) {
          ++stats_.frames_skipped;
          held.reset();
        }
        continue;
      }
      auto n = pty_.read(in, std::chrono::milliseconds(static_cast<int>(wait_s * 1000.0)));
      const bool connected = pty_.host_connected();
      if (connected && !host_was_connected_) {
        ++stats_.host_connections;
        device_ = proto_->make_device();
        const auto boot = device_->boot_bytes();
        if (!boot.empty() && pty_.write_all(boot, std::chrono::milliseconds(1000)))
          stats_.bytes_sent += boot.size();
      } else if (!connected && host_was_connected_) {
        device_ = proto_->make_device();  // DTR dropped: the device resets its configuration
        if (held) {
          ++stats_.frames_skipped;
          held.reset();
        }
      }
      host_was_connected_ = connected;
      const bool silent = silent_;
      if (n && *n > 0 && connected && !silent) {
        stats_.bytes_received += *n;
        reply.clear();
        device_->on_host_bytes(std::span<const std::uint8_t>(in.data(), *n), reply);
        if (!reply.empty() && pty_.write_all(reply, std::chrono::milliseconds(1000)))
          stats_.bytes_sent += reply.size();
      }
      const double t = clock_->now_s() - t0;
      while (due && (opt_.start_delay_s + due->time_s / opt_.speed) <= t) {
        if (proto_->poll_driven) {
          if (held) ++stats_.frames_skipped;  // replaced before anyone asked for it
          held = std::move(due);
        } else if (connected && device_->streaming() && !silent) {
          send(*due);
        } else {
          ++stats_.frames_skipped;
        }
        due.reset();
        fetch();
        if (opt_.max_frames && stats_.frames_sent >= opt_.max_frames) break;
      }
      if (held && connected && device_->streaming() && !silent) {
        send(*held);
        held.reset();
      }
      stats_.source_ended = source_ended && !due;
    }
  } catch (const std::exception&) {
    // Nothing may cross the thread; the emulator simply stops, which the host sees as silence.
  }
  finished_ = true;
}

}  // namespace insole::drivers
