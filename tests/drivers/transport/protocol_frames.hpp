#pragma once
// Test frames for device emulators: a RecordingSource with a protocol's own streams and a
// deterministic, varied pressure pattern, the first frame due `lead_s` seconds after start so
// a host has time to connect. Also the reference decode of what an emulator sent.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "insole/core/frame_source.hpp"
#include "insole/drivers/protocol/decoder.hpp"
#include "insole/drivers/transport/device_emulator.hpp"

namespace insole::test {

inline Recording protocol_recording(const drivers::ProtocolInfo& proto, int frames, double lead_s,
                                    double rate_hz = 0) {
  Recording rec;
  const double rate = rate_hz > 0 ? rate_hz : proto.frame_rate_hz;
  for (std::size_t s = 0; s < proto.streams.size(); ++s) {
    Stream st;
    st.info = proto.streams[s];
    const auto n = st.info.layout.sensor_count();
    // Filled in place: Stream::append grows the matrix one frame at a time.
    st.time_s.resize(frames);
    st.pressure_kpa.resize(frames, n);
    for (int k = 0; k < frames; ++k) {
      for (Eigen::Index i = 0; i < n; ++i) {
        // A moving bump plus a stream-dependent offset: every frame differs from its neighbours.
        const double phase = 0.37 * double(i) + 0.9 * k + 1.3 * double(s);
        st.pressure_kpa(k, i) = float(std::max(0.0, 220.0 * std::sin(phase) + 60.0 + 5.0 * (k % 7)));
      }
      st.time_s[k] = lead_s + k / rate;
    }
    rec.streams.push_back(std::move(st));
  }
  return rec;
}

inline std::unique_ptr<FrameSource> protocol_frames(const drivers::ProtocolInfo& proto, int frames,
                                                    double lead_s, double rate_hz = 0) {
  return std::make_unique<RecordingSource>(protocol_recording(proto, frames, lead_s, rate_hz),
                                           "test://" + proto.name);
}

/// What a host should decode from the frames an emulator sent: each frame's bytes decoded in turn
/// (poll-driven decoders are told a request was sent first). Usually each sent frame decodes to
/// one frame; a device frame may also carry several sent frames (the Fisica scale: a mat frame
/// and a load-cell frame make one 645-byte frame, sent when its last part is given), so the
/// decoded frames may lag but never run ahead of the sent ones, and in the end match them one
/// for one.
inline std::vector<PressureFrame> decode_sent(const drivers::ProtocolInfo& proto,
                                              const std::vector<drivers::SentFrame>& sent) {
  std::vector<PressureFrame> out;
  auto dec = proto.make_decoder();
  for (std::size_t i = 0; i < sent.size(); ++i) {
    dec->on_request_sent();
    dec->feed(sent[i].bytes, out);
    if (out.size() > i + 1) {
      ADD_FAILURE() << proto.name << ": sent frames 0.." << i << " decode to " << out.size() << " frames";
      out.resize(i + 1);
    }
  }
  if (out.size() != sent.size()) {
    ADD_FAILURE() << proto.name << ": " << sent.size() << " sent frames decode to " << out.size() << " frames";
    out.resize(sent.size());
  }
  return out;
}

}  // namespace insole::test
