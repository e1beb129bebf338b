#include "fuzz_entry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "insole/io/hdf5_recording.hpp"

namespace insole::io::fuzz {

namespace {

constexpr const char* kName = "fuzz-input.h5";
// Frames read per stream and played back per input: enough to cross several chunks of the seeds,
// small enough that one input takes milliseconds.
constexpr Eigen::Index kFrameBudget = 4096;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "HDF5 reader invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_error(const Error& e, const char* during) {
  if (e.code != Errc::format_error && e.code != Errc::unsupported)
    fail(during, "unexpected error code " + std::string(to_string(e.code)) + ": " + e.message);
  if (e.message.rfind(std::string(kName) + ":", 0) != 0) fail(during, "message does not name the file: " + e.message);
}

// Reads each stream as `analyze` and `batch` do: blocks of chunk_frames from the start.
void read_streams(const RecordingReader& r) {
  for (std::size_t i = 0; i < r.streams().size(); ++i) {
    const StreamInfo& info = r.streams()[i];
    const Eigen::Index n = r.frame_count(i), chunk = r.chunk_frames(i);
    if (n < 0 || chunk < 1) fail("frame or chunk count", info.name);
    const Eigen::Index sensels = info.layout.sensor_count();
    if (sensels < 1) fail("empty layout", info.name);
    const Eigen::Index block = std::min<Eigen::Index>(chunk, kFrameBudget);
    double last_t = -INFINITY;
    for (Eigen::Index first = 0; first < std::min(n, kFrameBudget); first += block) {
      auto s = r.read_frames(i, first, block);
      if (!s) {
        check_error(s.error(), "read_frames");
        break;
      }
      const Eigen::Index got = s->frame_count();
      if (got != std::min(block, n - first)) fail("block length", info.name);
      if (s->pressure_kpa.rows() != got || s->pressure_kpa.cols() != sensels) fail("block shape", info.name);
      for (Eigen::Index k = 0; k < got; ++k) {
        if (!std::isfinite(s->time_s[k]) || !(s->time_s[k] > last_t)) fail("time not increasing", info.name);
        last_t = s->time_s[k];
      }
      auto seq = r.read_sequence(i, first, block);
      if (!seq) {
        check_error(seq.error(), "read_sequence");
        break;
      }
      if (static_cast<Eigen::Index>(seq->size()) != got) fail("sequence length", info.name);
    }
    // The vendor channels are read whole (as batch::assess_file does): only for streams within
    // the budget, so that an input claiming millions of rows takes no more than the frames do.
    if (r.has_vendor_channels(i) && n <= kFrameBudget) {
      auto v = r.read_vendor_channels(i);
      if (!v) {
        check_error(v.error(), "read_vendor_channels");
      } else if (!v->has_value()) {
        fail("vendor channels announced but absent", info.name);
      } else if ((*v)->total_force_n.size() != n || (*v)->cop_normalised.rows() != n) {
        fail("vendor channel length", info.name);
      }
    }
  }
}

// Plays the recording back as `capture --source file://` and `report` do.
void play_back(RecordingReader r) {
  Eigen::Index expected = 0;
  std::vector<Eigen::Index> sensels;
  for (std::size_t i = 0; i < r.streams().size(); ++i) {
    expected += r.frame_count(i);
    sensels.push_back(r.streams()[i].layout.sensor_count());
  }
  auto src = open_playback(std::move(r));
  if (auto st = src->start(); !st) fail("playback start", st.error().message);
  Eigen::Index frames = 0;
  std::vector<double> last_t(sensels.size(), -INFINITY);
  while (frames < kFrameBudget) {
    auto f = src->next(std::chrono::milliseconds(0));
    if (!f) {
      if (f.error().code == Errc::end_of_stream) {
        if (frames != expected) fail("playback ended early", std::to_string(frames) + " of " + std::to_string(expected));
        break;
      }
      check_error(f.error(), "playback");
      break;
    }
    if (f->stream >= sensels.size() || f->pressure_kpa.size() != sensels[f->stream]) fail("playback frame shape", "");
    if (!(f->time_s > last_t[f->stream])) fail("playback time not increasing", "");
    last_t[f->stream] = f->time_s;
    ++frames;
  }
  src->stop();
}

}  // namespace

int run_one(const std::uint8_t* data, std::size_t size) {
  const std::string_view image(reinterpret_cast<const char*>(data), size);
  auto r = RecordingReader::open_image(kName, image);
  if (!r) {
    check_error(r.error(), "open");
    return 0;
  }
  if (r->interrupted()) fail("interrupted", "an image cannot be an interrupted capture");
  for (const auto& e : r->events())
    if (!std::isfinite(e.time_s) || e.kind.empty()) fail("event", e.kind);
  read_streams(*r);
  play_back(std::move(*r));
  return 0;
}

}  // namespace insole::io::fuzz
