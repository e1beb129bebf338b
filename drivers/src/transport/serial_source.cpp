#include "insole/drivers/transport/serial_source.hpp"

#include <algorithm>
#include <deque>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <variant>

#include "insole/drivers/transport/bounded_queue.hpp"
#include "insole/drivers/transport/serial_port.hpp"

namespace insole::drivers {

namespace {

using Item = std::variant<PressureFrame, Error>;

DecoderStats& operator+=(DecoderStats& a, const DecoderStats& b) {
  a.frames += b.frames;
  a.bytes += b.bytes;
  a.checksum_errors += b.checksum_errors;
  a.resyncs += b.resyncs;
  a.lost_frames += b.lost_frames;
  a.garbage_bytes += b.garbage_bytes;
  a.truncated_frames += b.truncated_frames;
  a.malformed_frames += b.malformed_frames;
  a.replies += b.replies;
  a.nacks += b.nacks;
  return a;
}

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0 + 0.5));
}

}  // namespace

struct SerialSource::Impl {
  SerialSourceOptions opt;
  const ProtocolInfo* proto = nullptr;
  std::shared_ptr<Clock> clock;
  SerialPort port;
  std::unique_ptr<Decoder> decoder;
  std::unique_ptr<HostSession> session;
  BoundedQueue<Item> queue;
  std::thread io;
  std::atomic<bool> stopping{false};
  std::atomic<bool> io_finished{false};
  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};

  mutable std::mutex stats_mutex;
  DecoderStats past;     // decoders of earlier connections
  DecoderStats current;  // snapshot of the current decoder
  std::uint64_t reconnects = 0;
  std::uint64_t delivered = 0;

  std::mutex wake_mutex;
  std::condition_variable wake;

  // I/O thread state.
  double epoch_s = 0.0;
  double period_s = 0.0;
  // When the port of the current connection was opened (since epoch_s): no frame read on it is
  // stamped earlier, however many arrive in one read (deliver() spaces a read's frames back by
  // the nominal period; a late first read after a reconnect would otherwise date frames inside
  // the gap, before it started).
  double connection_start_s = 0.0;
  // Detection times of the disconnections queued as errors, taken one per error in order
  // (take_disconnect_time_s); under stats_mutex.
  std::deque<double> disconnect_times;
  std::vector<double> last_time;
  std::vector<std::uint64_t> last_seq;
  std::vector<bool> have_seq;
  std::vector<bool> new_connection;
  std::vector<std::uint64_t> seq_offset;
  std::vector<std::uint8_t> buf = std::vector<std::uint8_t>(8192);
  std::vector<PressureFrame> decoded;
  // Silence of a streaming device (stream_silence_periods).
  double silence_limit_s = 0.0;  // 0 = not watched
  double last_frame_s = 0.0;
  bool frames_on_connection = false;
  // The port in use (may change when the device re-enumerates) and the USB identity it had at
  // start(), when it has a serial number.
  std::string current_path;
  std::optional<PortInfo> identity;

  Impl(SerialSourceOptions o, std::shared_ptr<Clock> c)
      : opt(std::move(o)), clock(std::move(c)), queue(std::max<std::size_t>(opt.queue_frames, 1)) {}

  void snapshot_stats() {
    std::lock_guard lock(stats_mutex);
    current = decoder->stats();
  }

  // Stamps and queues what the decoder produced.
  void deliver() {
    if (decoded.empty()) return;
    last_frame_s = clock->now_s();
    frames_on_connection = true;
    const double now = last_frame_s - epoch_s;
    const std::size_t n_streams = last_time.size();
    std::vector<std::size_t> remaining(n_streams, 0);
    for (const auto& f : decoded)
      if (f.stream < n_streams) ++remaining[f.stream];
    // A read's frames are spaced back from now by the nominal period, but never to before the
    // connection's port was opened: more frames than could have arrived since then (a burst
    // after a late first read) share the time since the opening evenly.
    std::vector<double> step(n_streams, period_s);
    for (std::size_t s = 0; s < n_streams; ++s)
      if (remaining[s] > 0) step[s] = std::min(period_s, std::max(0.0, now - connection_start_s) / double(remaining[s]));
    for (auto& f : decoded) {
      if (f.stream >= n_streams) continue;  // a decoder bug; never index out of range
      const std::size_t s = f.stream;
      --remaining[s];
      double t = now - double(remaining[s]) * step[s];
      if (!(t > last_time[s])) t = last_time[s] + 1e-6;
      last_time[s] = t;
      f.time_s = t;
      if (new_connection[s]) {
        new_connection[s] = false;
        seq_offset[s] = 0;
        if (have_seq[s] && f.sequence <= last_seq[s]) seq_offset[s] = last_seq[s] + 1 - f.sequence;
      }
      f.sequence += seq_offset[s];
      last_seq[s] = f.sequence;
      have_seq[s] = true;
      queue.try_push(std::move(f));
    }
    decoded.clear();
  }

  Result<std::size_t> read_and_feed(std::chrono::milliseconds timeout) {
    auto r = port.read_some(buf, timeout);
    if (!r) return r;
    decoder->feed(std::span<const std::uint8_t>(buf.data(), *r), decoded);
    snapshot_stats();
    deliver();
    return r;
  }

  Status send(const std::vector<std::uint8_t>& bytes) {
    return port.write_all(bytes, std::chrono::milliseconds(1000));
  }

  // Opens the port and runs the open commands; frames that arrive meanwhile are delivered.
  Status connect() {
    const std::uint32_t baud = opt.baud ? opt.baud : proto->default_baud;
    decoder = proto->make_decoder();
    session = proto->make_host_session();
    // Stale input is discarded only for devices that stay silent until asked (a handshake or a
    // poll): a device that streams from power-up may already have sent fresh frames by the
    // time the port is open, and its decoder resynchronises on any stale tail anyway.
    const bool silent_until_asked = proto->poll_driven || !session->open_commands().empty();
    if (auto st = port.open(current_path, SerialSettings{baud, silent_until_asked}); !st) return st;
    connection_start_s = clock->now_s() - epoch_s;
    frames_on_connection = false;
    std::fill(new_connection.begin(), new_connection.end(), true);
    const auto reply_timeout = to_ms(session->reply_timeout_s());
    for (const auto& cmd : session->open_commands()) {
      const auto replies_before = decoder->stats().replies;
      const auto nacks_before = decoder->stats().nacks;
      if (auto st = send(cmd.bytes); !st) {
        port.close();
        return make_error(st.error().code, "sending \"" + cmd.what + "\" to " + current_path + ": " +
                                               st.error().message);
      }
      if (cmd.await_reply) {
        const double deadline = clock->now_s() + session->reply_timeout_s();
        while (decoder->stats().replies == replies_before) {
          const double left_s = deadline - clock->now_s();
          if (left_s <= 0 || stopping) {
            port.close();
            return make_error(Errc::timeout, "the device on " + current_path + " did not answer \"" +
                                                 cmd.what + "\" within " +
                                                 std::to_string(reply_timeout.count()) + " ms (is it a " +
                                                 proto->name + " device?)");
          }
          auto r = read_and_feed(std::min(to_ms(left_s) + std::chrono::milliseconds(1), reply_timeout));
          if (!r && r.error().code != Errc::timeout && r.error().code != Errc::cancelled) {
            port.close();
            return r.error();
          }
        }
      }
      if (decoder->stats().nacks != nacks_before) {
        port.close();
        return make_error(Errc::unsupported, "the device on " + current_path + " refused \"" + cmd.what + "\"");
      }
      if (auto st = decoder->device_status(); !st) {
        port.close();
        return make_error(st.error().code, current_path + ": " + st.error().message);
      }
    }
    if (proto->poll_driven) {
      const double limit = clock->now_s() + 1.0;
      while (!stopping && clock->now_s() < limit) {
        auto r = port.read_some(buf, to_ms(opt.poll_settle_s));
        if (!r && r.error().code == Errc::timeout) break;
        if (!r && r.error().code != Errc::cancelled) {
          port.close();
          return r.error();
        }
      }
    }
    snapshot_stats();
    return {};
  }

  void close_connection() {
    port.close();
    if (decoder) {
      std::lock_guard lock(stats_mutex);
      past += decoder->stats();
      current = DecoderStats{};
    }
  }

  // The device's port by its USB identity: after re-enumeration it may have another name, and
  // its old name may belong to another device by then, so a device with a serial number is only
  // reopened where that serial number is. False while it is nowhere to be seen.
  bool find_device_again() {
    if (!identity) return true;
    for (const PortInfo& p : list_serial_ports(opt.discovery))
      if (p.serial == identity->serial && p.usb_vid == identity->usb_vid && p.usb_pid == identity->usb_pid) {
        current_path = p.stable_path();
        return true;
      }
    return false;
  }

  // Remembers the USB identity of the port opened at start(), when it has a serial number.
  void remember_identity() {
    std::error_code ec;
    const auto here = std::filesystem::canonical(current_path, ec);
    if (ec) return;
    for (PortInfo& p : list_serial_ports(opt.discovery)) {
      const auto dev = std::filesystem::canonical(p.device_path, ec);
      if (!ec && dev == here && !p.serial.empty() && p.usb_vid && p.usb_pid) {
        identity = std::move(p);
        return;
      }
    }
  }

  // Waits `seconds` unless stop() is called; false when stopping.
  bool backoff_wait(double seconds) {
    std::unique_lock lock(wake_mutex);
    wake.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return stopping.load(); });
    return !stopping;
  }

  // After a disconnection: tell the consumer, then reopen with backoff. False when giving up.
  bool reconnect_after(const Error& why) {
    {
      // When it was detected, before the reconnection's first frame can be stamped: the consumer
      // may take the error much later (it waits behind the frames before it).
      std::lock_guard lock(stats_mutex);
      disconnect_times.push_back(clock->now_s() - epoch_s);
    }
    close_connection();
    queue.push_always(make_error(Errc::disconnected, current_path + ": " + why.message));
    if (!opt.reconnect) return false;
    double wait_s = opt.reconnect_initial_s;
    while (backoff_wait(wait_s)) {
      if (find_device_again() && connect()) {
        std::lock_guard lock(stats_mutex);
        ++reconnects;
        return true;
      }
      wait_s = std::min(wait_s * 2.0, opt.reconnect_max_s);
    }
    return false;
  }

  void run() noexcept {
    try {
      int silent_polls = 0;
      while (!stopping) {
        Status step;
        if (proto->poll_driven) {
          step = send(session->poll_bytes());
          if (step) {
            decoder->on_request_sent();
            const double deadline = clock->now_s() + session->reply_timeout_s();
            const auto frames_before = decoder->stats().frames;
            while (!stopping && decoder->stats().frames == frames_before) {
              const double left_s = deadline - clock->now_s();
              if (left_s <= 0) break;
              auto r = read_and_feed(std::min(to_ms(left_s) + std::chrono::milliseconds(1),
                                              opt.read_timeout));
              if (!r && r.error().code != Errc::timeout && r.error().code != Errc::cancelled) {
                step = r.error();
                break;
              }
            }
            if (step && !stopping) {
              silent_polls = decoder->stats().frames == frames_before ? silent_polls + 1 : 0;
              if (silent_polls >= opt.poll_silence_limit)
                step = make_error(Errc::disconnected,
                                  "no answer to " + std::to_string(silent_polls) + " frame requests");
            }
          }
        } else {
          auto r = read_and_feed(opt.read_timeout);
          if (!r && r.error().code != Errc::timeout && r.error().code != Errc::cancelled) {
            step = r.error();
          } else if (silence_limit_s > 0 && frames_on_connection && !stopping &&
                     clock->now_s() - last_frame_s > silence_limit_s) {
            char text[160];
            std::snprintf(text, sizeof text,
                          "no frame for %.2f s (more than %g frame periods at the nominal %g Hz): the device went quiet",
                          clock->now_s() - last_frame_s, opt.stream_silence_periods, proto->frame_rate_hz);
            step = make_error(Errc::disconnected, text);
          }
        }
        if (!step && !stopping) {
          silent_polls = 0;
          if (!reconnect_after(step.error())) break;
        }
      }
    } catch (const std::exception& e) {
      // Never let an exception cross the thread: report it like a disconnection, and end.
      queue.push_always(make_error(Errc::io_error, std::string("internal error in the serial reader: ") + e.what()));
    }
    io_finished = true;
  }
};

SerialSource::SerialSource(SerialSourceOptions options, std::shared_ptr<Clock> clock)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(clock))) {
  if (!impl_->clock) throw std::invalid_argument("SerialSource: clock is null");
  impl_->proto = impl_->opt.custom_protocol ? impl_->opt.custom_protocol.get()
                                             : find_protocol(impl_->opt.protocol);
  if (!impl_->proto)
    throw std::invalid_argument("SerialSource: unknown protocol '" + impl_->opt.protocol + "'");
  info_.uri = "serial://" + impl_->opt.path + "?protocol=" + impl_->proto->name;
  info_.description = impl_->proto->description + " on " + impl_->opt.path;
  info_.streams = impl_->proto->streams;
  const std::size_t n = info_.streams.size();
  impl_->last_time.assign(n, -std::numeric_limits<double>::infinity());
  impl_->last_seq.assign(n, 0);
  impl_->have_seq.assign(n, false);
  impl_->new_connection.assign(n, true);
  impl_->seq_offset.assign(n, 0);
  impl_->period_s = impl_->proto->frame_rate_hz > 0 ? 1.0 / impl_->proto->frame_rate_hz : 0.0;
  impl_->current_path = impl_->opt.path;
  if (!impl_->proto->poll_driven && impl_->proto->frame_rate_hz > 0 && impl_->opt.stream_silence_periods > 0)
    impl_->silence_limit_s = std::max(impl_->opt.stream_silence_periods / impl_->proto->frame_rate_hz,
                                      impl_->opt.stream_silence_min_s);
}

SerialSource::~SerialSource() { stop(); }

Status SerialSource::start() {
  if (impl_->started) return make_error(Errc::invalid_argument, "serial source already started");
  impl_->epoch_s = impl_->clock->now_s();
  if (auto st = impl_->connect(); !st) return st;
  impl_->remember_identity();
  impl_->started = true;
  impl_->io = std::thread([impl = impl_.get()] { impl->run(); });
  return {};
}

Result<PressureFrame> SerialSource::next(std::chrono::milliseconds timeout) {
  if (!impl_->started) return make_error(Errc::invalid_argument, "next() called before start()");
  auto item = impl_->queue.pop(timeout);
  if (!item) {
    if (impl_->stopped) return make_error(Errc::end_of_stream, "serial source stopped");
    if (impl_->io_finished && impl_->queue.size() == 0)
      return make_error(Errc::disconnected, impl_->opt.path + ": device gone (not reconnecting)");
    return make_error(Errc::timeout, "no frame from " + impl_->opt.path + " yet");
  }
  if (auto* e = std::get_if<Error>(&*item)) return *e;
  std::lock_guard lock(impl_->stats_mutex);
  ++impl_->delivered;
  return std::get<PressureFrame>(std::move(*item));
}

void SerialSource::stop() {
  if (!impl_ || !impl_->started || impl_->stopped) return;
  impl_->stopping = true;
  impl_->port.interrupt();
  impl_->wake.notify_all();
  if (impl_->io.joinable()) impl_->io.join();
  // The I/O thread has ended: this thread owns the port now.
  impl_->port.clear_interrupt();
  if (impl_->port.is_open() && impl_->session) {
    for (const auto& cmd : impl_->session->close_commands())
      if (!impl_->port.write_all(cmd.bytes, std::chrono::milliseconds(200))) break;
    // Whatever was already on the wire is still decoded, so no received frame is lost.
    while (impl_->read_and_feed(std::chrono::milliseconds(20))) {
    }
  }
  impl_->close_connection();
  impl_->queue.close();
  impl_->stopped = true;
}

std::optional<double> SerialSource::take_disconnect_time_s() {
  std::lock_guard lock(impl_->stats_mutex);
  if (impl_->disconnect_times.empty()) return std::nullopt;
  const double t = impl_->disconnect_times.front();
  impl_->disconnect_times.pop_front();
  return t;
}

SourceStats SerialSource::stats() const {
  SourceStats s;
  std::lock_guard lock(impl_->stats_mutex);
  DecoderStats d = impl_->past;
  d += impl_->current;
  s.frames = impl_->delivered;
  s.lost_frames = d.lost_frames;
  s.checksum_errors = d.checksum_errors;
  s.resyncs = d.resyncs;
  s.overflows = impl_->queue.overflows();
  s.reconnects = impl_->reconnects;
  return s;
}

DecoderStats SerialSource::decoder_stats() const {
  std::lock_guard lock(impl_->stats_mutex);
  DecoderStats d = impl_->past;
  d += impl_->current;
  return d;
}

}  // namespace insole::drivers
