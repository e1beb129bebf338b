#include "insole/analysis/analyze.hpp"
#include "insole/analysis/measure_catalogue.hpp"
#include "insole/analysis/standing_contact.hpp"
#include "insole/core/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <sstream>
#include <string_view>
#include <cstdint>
#include <cstring>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <cstdlib>
#include <deque>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#if defined(__linux__)
#include <sched.h>
#endif

namespace insole::analysis {

namespace {

// Frames are scanned in blocks of this many readings: a block whose readings are all +0 (most of
// a mat, most of the time) is passed over with one vectorised test instead of a branch per reading.
constexpr std::size_t kScanBlock = 16;

// True when every reading of v[0, n) is +0.0f (bit pattern zero; -0 and NaN are not).
inline bool all_plus_zero(const float* v, std::size_t n) noexcept {
  std::uint32_t acc = 0;
  for (std::size_t j = 0; j < n; ++j) {
    std::uint32_t bits;
    std::memcpy(&bits, v + j, sizeof bits);
    acc |= bits;
  }
  return acc == 0;
}

// Footfalls are measured in batches of this many (analyse_window), so more threads have no work.
constexpr unsigned kMaxAnalysisThreads = 8;
std::atomic<unsigned> g_analysis_threads{0};  // set_analysis_threads(); 0 = automatic
thread_local unsigned t_analysis_threads = 0;  // set_analysis_threads_on_this_thread(); 0 = process-wide

// INSOLE_ANALYSIS_THREADS when set (1 turns threading off), else the CPUs this process may run on
// (taskset), at most 8.
unsigned automatic_analysis_threads() {
  static const unsigned n = [] {
    if (const char* v = std::getenv("INSOLE_ANALYSIS_THREADS")) {
      char* end = nullptr;
      const long k = std::strtol(v, &end, 10);
      if (end != v && *end == '\0' && k >= 1) return static_cast<unsigned>(std::min<long>(k, kMaxAnalysisThreads));
    }
    unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) cpus = static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
#endif
    return std::min(cpus, kMaxAnalysisThreads);
  }();
  return n;
}

// Calls f(0) ... f(n - 1), spread over up to analysis_threads() threads (this one included).
// Every call runs even if one throws; the first exception is rethrown here.
template <class F>
void run_parallel(std::size_t n, const F& f) {
  const std::size_t threads = std::min<std::size_t>(analysis_threads(), n);
  if (threads <= 1) {
    for (std::size_t k = 0; k < n; ++k) f(k);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::mutex failed_mutex;
  std::exception_ptr failed;
  auto loop = [&] {
    for (std::size_t k; (k = next.fetch_add(1)) < n;) {
      try {
        f(k);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(failed_mutex);
        if (!failed) failed = std::current_exception();
      }
    }
  };
  std::vector<std::thread> helpers;
  helpers.reserve(threads - 1);
  // A thread that cannot be started (process or cgroup limits) is not an error: the threads
  // already running, and this one, share the work.
  try {
    for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(loop);
  } catch (const std::system_error&) {
  }
  loop();
  for (auto& h : helpers) h.join();
  if (failed) std::rethrow_exception(failed);
}

// ---------------------------------------------------------------------------------------------
// Sensor health, accumulated frame by frame so that batch and streaming share it.
class QualityAccumulator {
 public:
  explicit QualityAccumulator(const StreamInfo& info)
      : info_(&info),
        max_(static_cast<std::size_t>(info.layout.sensor_count()), 0.0f),
        run_(max_.size(), 0),
        best_run_(max_.size(), 0),
        runs_set_((max_.size() + kScanBlock - 1) / kScanBlock, 0) {}

  void push(double time_s, const float* row) {
    begin_frame(time_s);
    const std::size_t n = max_.size();
    for (std::size_t b = 0; b < n; b += kScanBlock) {
      const std::size_t e = std::min(n, b + kScanBlock);
      if (all_plus_zero(row + b, e - b)) {
        zero_block(b);
        continue;
      }
      for (std::size_t j = b; j < e; ++j) reading(j, row[j]);
    }
  }

  // The parts of push(), for a caller that scans the frame itself (StreamWindow::append): a
  // frame's time, then each block of kScanBlock readings either as zero_block() (all +0) or
  // reading by reading.
  void begin_frame(double time_s) {
    if (frames_ == 0) t0_ = time_s;
    t1_ = time_s;
    ++frames_;
  }
  // A +0 reading is never above the maximum (>= 0) nor a positive plateau: its run ends. Runs
  // already all zero (the block's flag is clear) are not written again, so an unloaded block
  // costs only the test that found it zero.
  void zero_block(std::size_t b) {
    auto& dirty = runs_set_[b / kScanBlock];
    if (!dirty) return;
    const std::size_t e = std::min(run_.size(), b + kScanBlock);
    std::fill(run_.begin() + static_cast<std::ptrdiff_t>(b), run_.begin() + static_cast<std::ptrdiff_t>(e), 0);
    dirty = 0;
  }
  void reading(std::size_t j, float p) {
    if (!std::isfinite(p)) return;
    if (p > max_[j]) {
      max_[j] = p;
      run_[j] = best_run_[j] = 1;
      runs_set_[j / kScanBlock] = 1;
    } else if (p == max_[j] && p > 0.0f) {
      best_run_[j] = std::max(best_run_[j], ++run_[j]);
      runs_set_[j / kScanBlock] = 1;
    } else {
      run_[j] = 0;
    }
  }

  StreamQuality finish(const AnalysisParams& p) const {
    StreamQuality q;
    q.stream = info_->name;
    q.frames = frames_;
    q.duration_s = frames_ > 0 ? t1_ - t0_ : 0.0;
    const auto& present = info_->layout.present();
    float stream_max = 0.0f;
    for (float m : max_) stream_max = std::max(stream_max, m);
    std::optional<double> limit;
    if (auto it = info_->attributes.find("saturation_kpa"); it != info_->attributes.end()) {
      try {
        limit = std::stod(it->second);
      } catch (const std::exception&) {
        limit.reset();  // unreadable attribute: fall back to plateau detection
      }
    }
    for (std::size_t j = 0; j < max_.size(); ++j) {
      if (!present.empty() && !present[j]) continue;
      const bool saturated = limit ? max_[j] >= *limit
                                   : (stream_max > 0.0f && max_[j] == stream_max &&
                                      best_run_[j] >= p.saturation_run_frames);
      if (saturated) q.saturated_sensels.push_back(static_cast<Eigen::Index>(j));
    }
    // Dead sensels (grids): never loaded although all four neighbours were.
    const auto& L = info_->layout;
    if (L.is_grid()) {
      const double active = p.segmentation.active_threshold_kpa;
      auto loaded = [&](int r, int c) {
        if (r < 0 || c < 0 || r >= L.rows() || c >= L.cols()) return false;
        const auto k = static_cast<std::size_t>(L.index(r, c));
        return (present.empty() || present[k]) && max_[k] > active;
      };
      for (int r = 0; r < L.rows(); ++r)
        for (int c = 0; c < L.cols(); ++c) {
          const auto k = static_cast<std::size_t>(L.index(r, c));
          if ((!present.empty() && !present[k]) || max_[k] > 0.0f) continue;
          if (loaded(r - 1, c) && loaded(r + 1, c) && loaded(r, c - 1) && loaded(r, c + 1))
            q.dead_sensels.push_back(static_cast<Eigen::Index>(k));
        }
    }
    return q;
  }

 private:
  const StreamInfo* info_;
  std::vector<float> max_;
  std::vector<int> run_;
  std::vector<int> best_run_;
  std::vector<unsigned char> runs_set_;  // per block of kScanBlock: some run_ may be non-zero
  std::size_t frames_ = 0;
  double t0_ = 0.0, t1_ = 0.0;
};

// Foot frame of an insole sensor set: its coordinates already are the foot's (x towards the
// subject's right, y heel -> toe, sensor_layout.hpp), so the axis is the insole's midline.
FootFrame insole_frame(const SensorLayout& layout, const std::vector<Eigen::Index>& sensels, Side side) {
  FootFrame f;
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  std::vector<double> areas;
  auto visit = [&](Eigen::Index i) {
    const double x = layout.centres_mm()(i, 0), y = layout.centres_mm()(i, 1);
    if (!std::isfinite(x) || !std::isfinite(y)) return;
    xmin = std::min(xmin, x);
    xmax = std::max(xmax, x);
    ymin = std::min(ymin, y);
    ymax = std::max(ymax, y);
    areas.push_back(layout.areas_mm2()[i]);
  };
  if (sensels.empty())
    for (Eigen::Index i = 0; i < layout.sensor_count(); ++i) visit(i);
  else
    for (auto i : sensels) visit(i);
  if (areas.empty()) return f;
  std::nth_element(areas.begin(), areas.begin() + static_cast<long>(areas.size() / 2), areas.end());
  const double size = std::sqrt(std::max(0.0, areas[areas.size() / 2]));
  f.heel_mm = {0.5 * (xmin + xmax), ymin - 0.5 * size};
  f.u = {0.0, 1.0};
  // Medial is towards the subject's left (-x) on a right foot, towards +x on a left foot.
  f.v = side == Side::right ? Eigen::Vector2d(-1.0, 0.0) : Eigen::Vector2d(1.0, 0.0);
  f.length_mm = ymax - ymin + size;
  f.width_mm = xmax - xmin + size;
  f.method = side == Side::left || side == Side::right
                 ? "insole layout (sensor coordinates are foot coordinates; midline axis)"
                 : "insole layout, side unknown: medial assumed +x";
  return f;
}

void put(MeasureValues& m, std::string_view key, std::optional<double> v) {
  if (v && std::isfinite(*v)) m[key] = *v;
}

// True when the contact's force at each frame where the recording cuts it (flags.time_start /
// time_end) is at most `share` of its peak force (AnalysisParams::boundary_force_share).
bool light_at_cuts(const FrameView& s, const Footfall& ff, double share) {
  const Eigen::VectorXd& area = s.info().layout.areas_mm2();
  auto force = [&](Eigen::Index f) {
    double sum = 0.0;
    for (Eigen::Index j : ff.sensels) {
      const float v = s.at(f, j);
      if (v > 0.0f) sum += v * area[j];  // NaN compares false
    }
    return sum;
  };
  double peak = 0.0;
  for (Eigen::Index f = ff.first_frame; f <= ff.last_frame; ++f) peak = std::max(peak, force(f));
  if (!(peak > 0.0)) return false;
  if (ff.flags.time_start && force(ff.first_frame) > share * peak) return false;
  if (ff.flags.time_end && force(ff.last_frame) > share * peak) return false;
  return true;
}

// The foot frame of an in-shoe grid stream (see analyze_window); nullopt when the window has no
// whole contact or no frame can be found (each contact then gets its own frame). The peak
// footprint of each whole contact is left in `peaks` (same order as `footfalls`) for its analysis.
std::optional<FootFrame> in_shoe_frame(const FrameView& window, const std::vector<Footfall>& footfalls,
                                       const AnalysisParams& p, std::vector<Eigen::VectorXf>& peaks) {
  const Eigen::Index n = window.info().layout.sensor_count();
  Eigen::VectorXf peak = Eigen::VectorXf::Zero(n);
  Eigen::VectorXd first_sum = Eigen::VectorXd::Zero(n), last_sum = Eigen::VectorXd::Zero(n);
  Eigen::VectorXi count = Eigen::VectorXi::Zero(n);
  Side side = Side::unknown;
  for (std::size_t i = 0; i < footfalls.size(); ++i) {
    const Footfall& ff = footfalls[i];
    if (ff.partial || !ff.reject_reason.empty() || !(ff.end_s > ff.start_s)) continue;
    side = ff.side;
    peaks[i] = peak_footprint(window, ff);
    peak = peak.cwiseMax(peaks[i]);
    const LoadTiming t = load_timing(window, ff, p.segmentation.active_threshold_kpa);
    const double span = ff.end_s - ff.start_s;
    for (Eigen::Index s : ff.sensels)
      if (std::isfinite(t.first_loaded_s[s]) && std::isfinite(t.last_loaded_s[s])) {
        first_sum[s] += (t.first_loaded_s[s] - ff.start_s) / span;
        last_sum[s] += (t.last_loaded_s[s] - ff.start_s) / span;
        ++count[s];
      }
  }
  std::vector<Eigen::Index> sensels;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  LoadTiming mean{Eigen::VectorXd::Constant(n, nan), Eigen::VectorXd::Constant(n, nan)};
  for (Eigen::Index s = 0; s < n; ++s)
    if (count[s] > 0) {
      sensels.push_back(s);
      mean.first_loaded_s[s] = first_sum[s] / count[s];
      mean.last_loaded_s[s] = last_sum[s] / count[s];
    }
  if (sensels.empty()) return std::nullopt;
  auto frame = foot_frame(window.info().layout, peak, sensels, side, p.foot_frame, &mean);
  if (!frame) return std::nullopt;
  frame->method += "; one frame for the in-shoe stream (all whole contacts)";
  return *frame;
}

// Everything measured on one footfall from its samples (the body of analyze_footfall). A
// standing footfall is measured through its StandingContact, handed out through `contact` when
// given (more frames of the contact may follow).
FootfallAnalysis analyze_samples(const FootfallSamples& s, const Footfall& footfall,
                                 const FootFrame& frame, bool standing, const AnalysisParams& p,
                                 std::optional<StandingContact>* contact = nullptr);

// Adds a used footfall's image to its foot's (stream + side) image.
void accumulate_into(std::vector<FootImage>& images, const StreamInfo& info, Side side, const FootFrame& frame,
                     const FootfallImage& im, const RegionMasks* masks) {
  auto it = std::find_if(images.begin(), images.end(),
                         [&](const FootImage& x) { return x.stream == info.name && x.side == side; });
  if (it == images.end()) {
    images.emplace_back();
    images.back().stream = info.name;
    images.back().side = side;
    it = images.end() - 1;
  }
  accumulate_image(*it, info.layout, frame, im, masks);
}

// One footfall's analysis, done (possibly on another thread) before it is folded into the result.
struct FootfallWork {
  Footfall ff;
  FootfallAnalysis fa;
  FootFrame frame;                   // with masks: the frame the image is accumulated in
  std::optional<RegionMasks> masks;  // the regions the image is accumulated over
  // A standing contact still loaded when its window was cut for its length: its state, fed with
  // the frames of the next windows until it ends (standing_contact.hpp). Its ff frames are stream
  // frames.
  std::optional<StandingContact> contact;
  std::optional<RegionMetricsAccumulator> region_acc;
};

// Folds a footfall's analysis into the result: counts it, adds its image to its foot's and
// appends it to `out`. `offset` turns its window frames into stream frames.
template <class Footfalls>
void fold_footfall(FootfallWork& w, const StreamInfo& info, Eigen::Index offset, bool keep_sensels,
                   StreamQuality& q, Footfalls& out, std::vector<FootImage>& images) {
  Footfall& ff = w.ff;
  FootfallAnalysis& fa = w.fa;
  ++q.footfalls_found;
  if (w.masks) {
    accumulate_into(images, info, ff.side, w.frame, fa.image, &*w.masks);
    fa.image = {};
  }
  if (ff.reject_reason.empty() && !fa.image.empty()) accumulate_into(images, info, ff.side, fa.frame, fa.image, nullptr);
  fa.image = {};
  if (!ff.reject_reason.empty()) ++q.rejected[ff.reject_reason];
  else ++q.footfalls_used;
  ff.first_frame += offset;
  ff.last_frame += offset;
  if (!keep_sensels) {
    ff.sensels.clear();
    ff.sensels.shrink_to_fit();
  }
  fa.footfall = std::move(ff);
  fa.measures.shrink_to_fit();
  out.push_back(std::move(fa));
}

// Measures an open standing contact over all the frames it was fed and folds it into the
// result; `last_interval_s` is its last frame's sampling interval.
template <class Footfalls>
void close_open_contact(FootfallWork& o, double last_interval_s, const StreamInfo& info, bool keep_sensels,
                        StreamQuality& q, Footfalls& out, std::vector<FootImage>& images) {
  o.contact->finish(o.fa);
  if (o.region_acc) o.fa.regions = o.region_acc->finish(last_interval_s);
  o.contact.reset();
  o.region_acc.reset();
  fold_footfall(o, info, 0, keep_sensels, q, out, images);
}

// The last frame's sampling interval of a contact that ends with no later frame at hand: its
// own last step, or the stream's rate for a contact of one frame.
double own_last_interval_s(const FootfallWork& o, const StreamInfo& info) {
  if (o.region_acc && o.region_acc->frames() > 1) return o.region_acc->last_step_s();
  return info.sample_rate_hz > 0 ? 1.0 / info.sample_rate_hz : 0.0;
}

// Feeds the open standing contacts of a stream (`open`, from earlier windows) with the frames of
// `window` that continue them, and folds those that end in it (or at the previous cut). A
// contact is continued by the footfall of the window that started before the window's own part
// and spans the contact's last frame (it was loaded at the cut), sharing most of its sensels
// (an in-shoe stream's footfalls all list every sensel); its frames are read over the contact's
// own sensels. Unless this window too is cut for its length (`length_cut`: a window closed by a
// quiet gap, or the stream's end), every open contact ends here.
template <class Footfalls>
void continue_open_contacts(const FrameView& window, const std::vector<Footfall>& footfalls, Eigen::Index offset,
                            Eigen::Index own_from, bool length_cut, bool keep_sensels, StreamQuality& q,
                            Footfalls& out, std::vector<FootImage>& images, std::vector<FootfallWork>& open) {
  const auto& info = window.info();
  const Eigen::Index last_local = window.frame_count() - 1;
  std::vector<bool> taken(footfalls.size(), false);
  std::vector<FootfallWork> still_open;
  for (FootfallWork& o : open) {
    const std::vector<Eigen::Index>& mine = o.contact->sensels();
    std::vector<Eigen::Index> sorted = mine;
    std::sort(sorted.begin(), sorted.end());
    std::size_t best = footfalls.size();
    std::size_t best_shared = 0;
    const Eigen::Index last = o.ff.last_frame - offset;  // in this window, when it holds it
    for (std::size_t i = 0; i < footfalls.size(); ++i) {
      const Footfall& f = footfalls[i];
      if (taken[i] || f.first_frame + offset >= own_from || last < f.first_frame || last > f.last_frame) continue;
      std::size_t shared = 0;
      for (Eigen::Index sensel : f.sensels)
        if (std::binary_search(sorted.begin(), sorted.end(), sensel)) ++shared;
      if (best == footfalls.size() || shared > best_shared) {
        best_shared = shared;
        best = i;
      }
    }
    bool open_on = false;
    if (best < footfalls.size() && 2 * best_shared >= std::min(mine.size(), footfalls[best].sensels.size())) {
      taken[best] = true;
      const Footfall& next = footfalls[best];
      Footfall part;
      part.first_frame = next.first_frame;
      part.last_frame = next.last_frame;
      part.sensels = mine;
      o.contact->append(extract_samples(window, part));
      if (o.region_acc)
        for (Eigen::Index f = next.first_frame; f <= next.last_frame; ++f)
          if (window.time(f) > o.region_acc->last_time_s()) o.region_acc->add(window, f);
      // The segmentation of this window may end it inside the frames two windows share, before
      // frames already added: the contact ends at the later of the two.
      if (next.last_frame + offset > o.ff.last_frame) {
        o.ff.last_frame = next.last_frame + offset;
        o.ff.end_s = window.time(next.last_frame);
        o.ff.flags.time_end = next.flags.time_end;
      }
      open_on = length_cut && next.last_frame >= last_local;
    }
    if (open_on) {
      still_open.push_back(std::move(o));
      continue;
    }
    // Its last frame's interval: to the stream's next frame when this window holds it, else the
    // contact's own last step (or the stream's rate for a contact of one frame).
    const Eigen::Index end = o.ff.last_frame - offset;
    close_open_contact(o,
                       end >= 0 && end + 1 < window.frame_count() ? window.time(end + 1) - window.time(end)
                                                                  : own_last_interval_s(o, info),
                       info, keep_sensels, q, out, images);
  }
  open = std::move(still_open);
}

// The footfalls of one window, and what measuring them shares.
struct WindowFootfalls {
  std::vector<Footfall> footfalls;
  std::vector<Eigen::VectorXf> peaks;  // filled on demand, once per footfall
  std::optional<FootFrame> shoe_frame;  // an in-shoe grid's one foot frame for the window
  std::vector<std::size_t> todo;        // the footfalls this window measures, in time order
};

bool is_standing_footfall(const Footfall& ff, const RecordingMetadata& meta, const AnalysisParams& p) {
  return meta.mode == "stand" || (ff.end_s - ff.start_s) >= p.standing_min_s;
}

// Measures footfall i of `window` into `w` (possibly on another thread: it touches only `w` and
// wf.peaks[i]). With `carry_on` (the window is cut for its length, streaming), a standing contact
// still loaded at the window's last frame keeps its state in w.contact to be fed on.
void measure_footfall(const FrameView& window, WindowFootfalls& wf, std::size_t i, const RecordingMetadata& meta,
                      const AnalysisParams& p, bool carry_on, FootfallWork& w) {
  const auto& info = window.info();
  const bool insole = is_insole_stream(info);
  Footfall& ff = w.ff;
  ff = wf.footfalls[i];
  FootfallAnalysis& fa = w.fa;
  const bool standing = is_standing_footfall(ff, meta, p);
  // A standing contact outlasts the recording (or the streaming window) by nature: being cut
  // in time does not spoil its footprint, so only a spatial cut (or being too short or too
  // small) rejects it. The flags keep what the segmentation saw.
  if (standing && ff.flags.cut_in_time() && !ff.flags.cut_in_space() &&
      !ff.flags.too_short_or_small()) {
    ff.reject_reason.clear();
    ff.partial = false;
  }
  if (!insole && !standing && ff.flags.cut_in_time() && !ff.flags.cut_in_space() &&
      !ff.flags.too_short_or_small() && light_at_cuts(window, ff, p.boundary_force_share)) {
    ff.reject_reason.clear();
    ff.partial = false;
  }
  if (ff.reject_reason.empty() && ff.partial)
    ff.reject_reason = "partial contact (at the edge of the sensor or of the recording)";
  if (ff.reject_reason.empty()) {
    if (wf.peaks[i].size() == 0) wf.peaks[i] = peak_footprint(window, ff);
    const Eigen::VectorXf& peak = wf.peaks[i];
    FootFrame frame;
    if (wf.shoe_frame) {
      frame = *wf.shoe_frame;
    } else if (info.layout.is_grid()) {
      // The loading sequence decides which end is the heel (foot_frame.hpp).
      const LoadTiming timing = load_timing(window, ff, p.segmentation.active_threshold_kpa);
      FootFrameParams fp = p.foot_frame;
      fp.standing = standing;
      auto fr = foot_frame(info.layout, peak, ff.sensels, ff.side, fp, &timing);
      if (fr) frame = *fr;
      else ff.reject_reason = "no foot frame: " + fr.error().message;
      // A walking print as wide as a forefoot is long has no heel in it: toe walking. Its
      // posterior end is the metatarsal heads, so no measure in the foot frame would mean what
      // it says (the "heel" would be the forefoot).
      if (fr && !standing && !insole && !(frame.width_mm < p.toe_walking_min_width_ratio * frame.length_mm)) {
        std::ostringstream os;
        os << "toe walking: no heel contact (print " << std::lround(frame.length_mm) << " mm long, "
           << std::lround(frame.width_mm) << " mm wide; a whole foot is 0.35-0.45 as wide as long)";
        ff.reject_reason = os.str();
      }
    } else if (info.layout.has_geometry()) {
      frame = insole_frame(info.layout, ff.sensels, ff.side);
    } else {
      ff.reject_reason = "sensor positions unknown: no foot frame";
    }
    // A standing contact still loaded where the window is cut for its length goes on in the next
    // window (a window closed by a quiet gap ends its contacts: the frames up to the next load
    // are dropped).
    const bool goes_on = carry_on && standing && ff.last_frame >= window.frame_count() - 1;
    if (ff.reject_reason.empty()) {
      fa = analyze_samples(extract_samples(window, ff), ff, frame, standing, p, goes_on ? &w.contact : nullptr);
      // The COP of a walking step rolls from heel to toe (metrics.md section 5.4). When it
      // runs the other way in the foot frame, the frame's heel and toe ends are swapped, and
      // with them medial and lateral: no measure of this contact can be trusted.
      if (!standing && fa.cop_heel_to_toe_mm < 0.0) {
        ff.reject_reason = "foot axis reversed: the COP runs from toe to heel in the foot frame";
        fa.measures.clear();
      } else if (info.layout.is_grid() && !frame.heel_end_known) {
        fa.arch.unavailable_reason = "heel end undecided (" + frame.heel_end_reason +
                                     "): the toes and the thirds cannot be placed";
      } else if (info.layout.is_grid()) {
        auto masks = make_regions(info.layout, peak, ff.sensels, frame, p.regions);
        if (masks) {
          ArchParams ap = p.arch;
          ap.in_shoe = insole;
          fa.arch = arch_measures(info.layout, peak, *masks, frame, ap);
          if (w.contact) {
            w.region_acc.emplace(*masks, info.layout.areas_mm2(), p.region_metrics);
            for (Eigen::Index f = ff.first_frame; f <= ff.last_frame; ++f) w.region_acc->add(window, f);
            fa.regions = w.region_acc->finish(frame_interval_s(window, ff.last_frame));
          } else {
            fa.regions = region_metrics(window, ff, *masks, p.region_metrics);
          }
          // Where the forefoot's highest peak lies (mm from the heel): a metatarsal pad sits just
          // proximal to it.
          if (const Region* fore = masks->find(region::forefoot)) {
            Eigen::Index best = -1;
            for (Eigen::Index s : fore->sensels)
              if (best < 0 || peak(s) > peak(best)) best = s;
            if (best >= 0 && peak(best) > 0.0f)
              put(fa.measures, "forefoot_peak_ap_mm", frame.to_foot(info.layout.centres_mm().row(best).transpose()).y());
          }
          w.frame = frame;
          w.masks = std::move(*masks);
        } else {
          fa.arch.unavailable_reason = "no regions: " + masks.error().message;
        }
        put(fa.measures, "arch_index", fa.arch.arch_index);
        put(fa.measures, "arch_index_resolution", fa.arch.arch_index_resolution);
        put(fa.measures, "chippaux_smirak_percent", fa.arch.chippaux_smirak_percent);
        put(fa.measures, "staheli_index", fa.arch.staheli);
        put(fa.measures, "midfoot_contact_ratio", fa.arch.midfoot_contact_ratio);
      } else {
        fa.arch.unavailable_reason = "sensor set: an insole cannot see the footprint shape";
      }
    }
  }
  wf.peaks[i] = {};  // a peak over the whole mat (36 kB on a 60 x 150 mat): not kept for the window
}

// A window's frames copied out of the stream's buffer, so that its footfalls can be measured
// while the buffer moves on (MeasureQueue).
class OwnedWindow {
 public:
  explicit OwnedWindow(const FrameView& v)
      : info_(&v.info()), frames_(v.frame_count()), stride_(v.stride()), unstored_(v.unstored()) {
    time_s_.resize(static_cast<std::size_t>(frames_));
    values_.resize(static_cast<std::size_t>(std::max<Eigen::Index>(1, frames_ * stride_)));
    for (Eigen::Index f = 0; f < frames_; ++f) {
      time_s_[static_cast<std::size_t>(f)] = v.time(f);
      std::memcpy(values_.data() + f * stride_, v.stored_row(f), static_cast<std::size_t>(stride_) * sizeof(float));
    }
    if (!v.dense()) {
      column_.resize(static_cast<std::size_t>(v.sensor_count()));
      for (Eigen::Index s = 0; s < v.sensor_count(); ++s) column_[static_cast<std::size_t>(s)] = v.column_of(s);
    }
  }
  FrameView view() const {
    if (column_.empty()) return FrameView(*info_, time_s_.data(), frames_, values_.data(), stride_);
    return FrameView(*info_, time_s_.data(), frames_, values_.data(), stride_, column_.data(), unstored_);
  }

 private:
  const StreamInfo* info_;
  Eigen::Index frames_, stride_;
  float unstored_;
  std::vector<double> time_s_;
  std::vector<float> values_;
  std::vector<int> column_;
};

// Measures the footfalls of walking windows on a thread of its own while the calling thread reads
// and segments the next windows (analyze_stream with two analysis threads or more). The jobs are
// folded into the result on the calling thread in the order they were queued, so the result is
// the same bits as measuring each window in place. At most kMaxWaiting jobs wait to be folded:
// the windows they copy stay bounded.
class MeasureQueue {
 public:
  explicit MeasureQueue(unsigned threads) {
    // A thread that cannot be started is done without (none: the windows are measured in place).
    workers_.reserve(kWorkers);
    try {
      for (unsigned k = 0; k < std::min(threads, kWorkers) && threads > 1; ++k)
        workers_.emplace_back([this, threads] {
          set_analysis_threads_on_this_thread(threads);
          run();
        });
    } catch (const std::system_error&) {
    }
  }
  MeasureQueue(const MeasureQueue&) = delete;
  MeasureQueue& operator=(const MeasureQueue&) = delete;
  // Waits for the job being measured; the others are dropped (only an error leaves any).
  ~MeasureQueue() {
    {
      const std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  bool on() const noexcept { return !workers_.empty(); }
  /// Queues `measure` for the worker; `fold` runs later on this thread, after the folds of every
  /// job queued before it.
  void submit(std::function<void()> measure, std::function<void()> fold) {
    auto job = std::make_shared<Job>();
    job->measure = std::move(measure);
    job->fold = std::move(fold);
    {
      const std::lock_guard<std::mutex> lock(m_);
      todo_.push_back(job);
    }
    cv_.notify_all();
    order_.push_back(std::move(job));
    fold_front(false);
    while (order_.size() > kMaxWaiting) fold_front(true);
  }
  /// Folds every job queued so far (waiting for them to be measured).
  void drain() {
    while (!order_.empty()) fold_front(true);
  }

 private:
  static constexpr unsigned kWorkers = 2;
  static constexpr std::size_t kMaxWaiting = 4;
  struct Job {
    std::function<void()> measure, fold;
    bool done = false;  // under m_
    std::exception_ptr failed;
  };
  // Folds the jobs at the front that are measured; with `wait`, waits for the first one.
  void fold_front(bool wait) {
    while (!order_.empty()) {
      const std::shared_ptr<Job> job = order_.front();
      {
        std::unique_lock<std::mutex> lock(m_);
        if (!job->done && !wait) return;
        cv_.wait(lock, [&] { return job->done; });
      }
      order_.pop_front();
      if (job->failed) std::rethrow_exception(job->failed);
      job->fold();
      wait = false;
    }
  }
  void run() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(m_);
        cv_.wait(lock, [this] { return stop_ || !todo_.empty(); });
        if (stop_) return;
        job = std::move(todo_.front());
        todo_.pop_front();
      }
      try {
        job->measure();
      } catch (...) {
        job->failed = std::current_exception();
      }
      job->measure = nullptr;
      {
        const std::lock_guard<std::mutex> lock(m_);
        job->done = true;
      }
      cv_.notify_all();
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;                          // under m_
  std::deque<std::shared_ptr<Job>> todo_;      // under m_: queued for the worker
  std::deque<std::shared_ptr<Job>> order_;     // this thread's: every job not yet folded, in order
  std::vector<std::thread> workers_;
};

// Analyses every footfall of `window` (a stream, or frames [offset, offset + n) of it).
// Footfalls starting before `own_from` belong to the previous window and are skipped. With
// `carry` non-null, contacts still loaded at the window's last frame that started after its
// second frame are left for the next window: the earliest of their first frames is returned
// through `carry`, and every footfall starting at or after it is left too (the next window
// starts there and finds them again). With `open` (streaming), the standing contacts open from
// earlier windows are continued or ended first (continue_open_contacts), and when the window is
// cut for its length (`length_cut`) a standing contact still loaded at its last frame is kept
// open in `open` instead of being folded in.
// `out` is a std::vector (whole recordings) or a std::deque (streaming: no doubling of a growing
// array while the result is largest); footfalls are appended to it. With `queue` (streaming), a
// window that ends all its contacts is measured on the queue's thread and folded in later, in
// order (MeasureQueue); any other window first folds those queued before it.
template <class Footfalls>
void analyze_window(const FrameView& window, std::size_t stream_index, Eigen::Index offset,
                    Eigen::Index own_from, const RecordingMetadata& meta, const AnalysisParams& p,
                    bool keep_sensels, StreamQuality& q, Footfalls& out,
                    std::vector<FootImage>& images, std::optional<Eigen::Index>* carry,
                    std::vector<FootfallWork>* open = nullptr, bool length_cut = false,
                    MeasureQueue* queue = nullptr) {
  const auto& info = window.info();
  const bool insole = is_insole_stream(info);
  const Eigen::Index last_local = window.frame_count() - 1;
  SegmentationParams sp = p.segmentation;
  sp.standing_min_s = meta.mode == "stand" ? 0.0 : p.standing_min_s;
  sp.standing_trial = meta.mode == "stand";
  WindowFootfalls wf;
  std::vector<Footfall>& footfalls = wf.footfalls;
  footfalls = find_footfalls(window, stream_index, sp);
  // A standing footprint is the whole registered contact (grow_to_registered_contact), so that
  // the arch measures do not follow body mass through the active threshold.
  if (!insole && info.layout.is_grid()) {
    std::vector<std::size_t> grow;
    for (std::size_t i = 0; i < footfalls.size(); ++i)
      if (is_standing_footfall(footfalls[i], meta, p) && !footfalls[i].flags.too_short_or_small()) grow.push_back(i);
    grow_to_registered_contact(window, footfalls, grow, p.standing_contact_floor_kpa);
  }
  if (carry) {
    for (const Footfall& ff : footfalls)
      if (ff.last_frame >= last_local && ff.first_frame >= 2 && ff.first_frame + offset >= own_from)
        *carry = carry->has_value() ? std::min(**carry, ff.first_frame + offset) : ff.first_frame + offset;
  }
  // An in-shoe grid moves with the foot: every contact of the window lies on the sensor the same
  // way, so one foot frame serves them all. It is found from the max footprint of the window's
  // whole contacts and their loading sequence averaged over the contacts (times as fractions of
  // each stance), which decides the heel end far more reliably than one contact alone.
  wf.peaks.resize(footfalls.size());
  if (insole && info.layout.is_grid()) wf.shoe_frame = in_shoe_frame(window, footfalls, p, wf.peaks);
  // Each footfall is analysed on its own (in parallel when cores allow), then folded into the
  // result in time order: the foot images are sums, and summing in the same order gives the same
  // bits whatever the number of threads.
  using Work = FootfallWork;
  std::vector<std::size_t>& todo = wf.todo;
  for (std::size_t i = 0; i < footfalls.size(); ++i) {
    const Eigen::Index first = footfalls[i].first_frame + offset;
    if (first < own_from) continue;
    if (carry && carry->has_value() && first >= **carry) continue;
    todo.push_back(i);
  }
  // In batches, so that at most a batch's images wait to be folded in.
  constexpr std::size_t kBatch = kMaxAnalysisThreads;
  const bool carry_on = open && length_cut;
  // A window with no standing contact to carry on or continue, at most a batch of footfalls and
  // at most kMaxQueuedWindowBytes of frames is measured on the queue's thread from a copy of its
  // frames.
  if (todo.empty() && (!open || open->empty())) return;  // nothing to measure, fold or continue
  bool keeps_state = open && !open->empty();
  for (std::size_t i : todo)
    keeps_state = keeps_state || (carry_on && is_standing_footfall(footfalls[i], meta, p) && footfalls[i].last_frame >= last_local);
  constexpr double kMaxQueuedWindowBytes = 8.0 * (1 << 20);
  if (queue && queue->on() && !keeps_state && todo.size() <= kBatch &&
      4.0 * double(window.frame_count()) * double(window.stride()) <= kMaxQueuedWindowBytes) {
    auto job = std::make_shared<std::pair<OwnedWindow, WindowFootfalls>>(OwnedWindow(window), std::move(wf));
    auto work = std::make_shared<std::vector<Work>>(job->second.todo.size());
    queue->submit(
        [job, work, &meta, &p] {
          const FrameView v = job->first.view();
          WindowFootfalls& f = job->second;
          run_parallel(work->size(), [&](std::size_t k) { measure_footfall(v, f, f.todo[k], meta, p, false, (*work)[k]); });
        },
        [work, &info, offset, keep_sensels, &q, &out, &images] {
          for (Work& w : *work) fold_footfall(w, info, offset, keep_sensels, q, out, images);
        });
    return;
  }
  if (queue) queue->drain();  // the windows queued before this one are folded first
  // Open standing contacts of earlier windows first: they started before this window's own part.
  if (open) continue_open_contacts(window, footfalls, offset, own_from, length_cut, keep_sensels, q, out, images, *open);
  std::vector<Work> work;
  for (std::size_t b0 = 0; b0 < todo.size(); b0 += kBatch) {
    const std::size_t nb = std::min(kBatch, todo.size() - b0);
    work.assign(nb, Work{});
    run_parallel(nb, [&](std::size_t k) { measure_footfall(window, wf, todo[b0 + k], meta, p, carry_on, work[k]); });
    for (Work& w : work) {
      if (w.contact && w.ff.reject_reason.empty()) {
        // Measured so far over this window; folded in when it ends (continue_open_contacts).
        w.ff.first_frame += offset;
        w.ff.last_frame += offset;
        open->push_back(std::move(w));
        continue;
      }
      w.contact.reset();
      w.region_acc.reset();
      fold_footfall(w, info, offset, keep_sensels, q, out, images);
    }
  }
}

double trapezoid_integral(const Eigen::VectorXd& t, const Eigen::VectorXd& y) {
  double s = 0.0;
  for (Eigen::Index k = 1; k < t.size(); ++k) s += 0.5 * (y[k] + y[k - 1]) * (t[k] - t[k - 1]);
  return s;
}

bool is_used(const FootfallAnalysis& fa) { return fa.footfall.reject_reason.empty(); }

std::string side_name(Side s) { return std::string(to_string(s)); }

}  // namespace

const FootImage* AnalysisResult::image_of(const FootSummary& foot) const noexcept {
  for (const auto& im : images)
    if (im.stream == foot.stream && im.side == foot.side) return &im;
  return nullptr;
}

bool AnalysisResult::has_usable_contact() const noexcept {
  return std::any_of(footfalls.begin(), footfalls.end(), is_used);
}

FootfallAnalysis analyze_footfall(const StreamInfo& info, const Eigen::Ref<const Eigen::VectorXd>& time_s,
                                  const Eigen::Ref<const FrameMatrix>& pressure_kpa,
                                  const Footfall& footfall, const FootFrame& frame, bool standing,
                                  const AnalysisParams& p, Eigen::Index frame_offset) {
  return analyze_samples(extract_samples(info.layout, time_s, pressure_kpa, footfall, frame_offset),
                         footfall, frame, standing, p);
}

namespace {

FootfallAnalysis analyze_samples(const FootfallSamples& s, const Footfall& footfall,
                                 const FootFrame& frame, bool standing, const AnalysisParams& p,
                                 std::optional<StandingContact>* contact) {
  FootfallAnalysis fa;
  fa.footfall = footfall;
  fa.frame = frame;
  fa.standing = standing;
  FootBands bands = assign_bands(s, frame, p.bands);
  if (standing) {
    // Standing: no gait events, no CPEI; every measure is a sum or a series over the frames
    // (standing_contact.hpp), so that a contact longer than a window is measured whole.
    StandingContact c(s, std::move(bands), frame, p);
    c.finish(fa);
    if (contact) contact->emplace(std::move(c));
    return fa;
  }
  const BandSeries series = band_series(s, bands);
  const CopTrajectory cop = cop_trajectory(s, p.cop);
  const Eigen::MatrixX2d cop_foot = cop_in_foot(cop, frame);
  const double length = frame.length_mm;

  fa.peak_force_n = series.total_force_n.size() ? series.total_force_n.maxCoeff() : 0.0;
  fa.force_time_integral_n_s = trapezoid_integral(s.time_s, series.total_force_n);
  // Force-time-weighted centre of the contact (layout mm): where the foot stood.
  {
    Eigen::VectorXd w = Eigen::VectorXd::Zero(s.xy_mm.rows());
    for (Eigen::Index f = 0; f < s.frames(); ++f) w += s.pressure_kpa.row(f).transpose().cast<double>();
    w = w.cwiseProduct(s.area_mm2);
    if (w.sum() > 0.0) fa.centre_mm = (s.xy_mm.transpose() * w) / w.sum();
    else fa.centre_mm = frame.heel_mm + 0.5 * length * frame.u;
  }
  fa.mlpi = ml_pressure_index(s, frame);
  fa.forefoot_mlpi = ml_pressure_index(s, frame, p.bands.forefoot_start_fraction, p.bands.toes_start_fraction);
  fa.cop_path_length_mm = cop_path_length_mm(cop);
  if (cop_foot.rows() > 1) fa.cop_heel_to_toe_mm = cop_foot(cop_foot.rows() - 1, 1) - cop_foot(0, 1);
  if (cop_foot.rows() > 0 && length > 0.0)
    fa.cop_ap_excursion_percent =
        100.0 * (cop_foot.col(1).maxCoeff() - cop_foot.col(1).minCoeff()) / length;

  fa.image = footfall_image(s, cop_foot, true, p.region_metrics.active_threshold_kpa);

  auto& m = fa.measures;
  put(m, "foot_length_mm", length);
  put(m, "foot_width_mm", frame.width_mm);
  fa.events = detect_gait_events(s, series, p.events);
  if (const auto w = footprint_width_mm(s, frame, p.cpei.distal_fraction * length, p.cpei)) {
    fa.cpei = cpei(cop_foot, length, *w, p.cpei, &fa.cpei_note);
  } else {
    fa.cpei_note = "forefoot width not measurable at the distal-third line (sensor too coarse)";
  }
  fa.cop_velocity = cop_velocity(cop, fa.events);
  fa.equinus = equinus_features(s, series, fa.events, cop_foot, length);

  const GaitEvents& e = fa.events;
  put(m, "stance_s", e.stance_s);
  put(m, "initial_contact_percent", e.initial_contact_percent);
  put(m, "forefoot_contact_percent", e.forefoot_contact_percent);
  put(m, "foot_flat_percent", e.foot_flat_percent);
  put(m, "push_off_percent", e.push_off_percent);
  put(m, "heel_contact_percent", e.heel_contact_percent);
  if (fa.cpei) {
    put(m, "cpei_percent", fa.cpei->cpei_percent);
    put(m, "cpe_mm", fa.cpei->cpe_mm);
    put(m, "cpei_forefoot_width_mm", fa.cpei->forefoot_width_mm);
  }
  put(m, "mlpi", fa.mlpi);
  put(m, "forefoot_mlpi", fa.forefoot_mlpi);
  put(m, "cop_speed_mm_s", fa.cop_velocity.stance_mm_s);
  put(m, "cop_speed_initial_contact_mm_s", fa.cop_velocity.initial_contact_mm_s);
  put(m, "cop_speed_forefoot_contact_mm_s", fa.cop_velocity.forefoot_contact_mm_s);
  put(m, "cop_speed_foot_flat_mm_s", fa.cop_velocity.foot_flat_mm_s);
  put(m, "cop_speed_push_off_mm_s", fa.cop_velocity.push_off_mm_s);
  put(m, "cop_path_length_mm", fa.cop_path_length_mm);
  put(m, "cop_ap_excursion_percent", fa.cop_ap_excursion_percent);
  put(m, "forefoot_pti_kpa_s", fa.equinus.forefoot_pti_kpa_s);
  put(m, "heel_pti_kpa_s", fa.equinus.heel_pti_kpa_s);
  put(m, "forefoot_heel_pti_ratio", fa.equinus.forefoot_heel_pti_ratio);
  put(m, "forefoot_peak_kpa", fa.equinus.forefoot_peak_kpa);
  put(m, "forefoot_relative_load_percent", fa.equinus.forefoot_relative_load_percent);
  put(m, "heel_peak_kpa", fa.equinus.heel_peak_kpa);
  put(m, "strike_index", fa.equinus.strike_index);
  put(m, "peak_force_n", fa.peak_force_n);
  put(m, "force_time_integral_n_s", fa.force_time_integral_n_s);
  return fa;
}

}  // namespace

void analyze_vendor_channels(const StreamInfo& info, std::size_t stream_index, const Eigen::Ref<const Eigen::VectorXd>& time_s,
                             const VendorChannels& vendor, const RecordingMetadata& meta,
                             const AnalysisParams& p, StreamQuality& q, std::vector<FootfallAnalysis>& out) {
  if (vendor.total_force_n.size() != time_s.size() || vendor.cop_normalised.rows() != time_s.size())
    throw std::invalid_argument("analyze_vendor_channels: stream '" + info.name + "': vendor channels of " +
                                std::to_string(vendor.total_force_n.size()) + " rows for " +
                                std::to_string(time_s.size()) + " frames");
  q.from_vendor_channels = true;
  // The vendor total force as one force sensor of nominal area A: pressure 1000 F / A kPa, so that
  // sum(p A) * 1e-3 is F again and the segmentation and event detection see exactly this force.
  // Rows without a force value are left out; row_of maps the force rows back to stream frames.
  constexpr double kAreaMm2 = 100.0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Stream force;
  force.info.name = info.name;
  force.info.side = info.side;
  force.info.sample_rate_hz = info.sample_rate_hz;
  force.info.device = info.device;
  force.info.layout =
      SensorLayout::sensors(Eigen::MatrixX2d::Constant(1, 2, nan), Eigen::VectorXd::Constant(1, kAreaMm2)).value();
  std::vector<Eigen::Index> row_of;
  for (Eigen::Index i = 0; i < time_s.size(); ++i)
    if (std::isfinite(vendor.total_force_n[i])) row_of.push_back(i);
  const auto n = static_cast<Eigen::Index>(row_of.size());
  force.time_s.resize(n);
  force.pressure_kpa.resize(n, 1);
  for (Eigen::Index k = 0; k < n; ++k) {
    const Eigen::Index i = row_of[static_cast<std::size_t>(k)];
    force.time_s[k] = time_s[i];
    // Clamped to 0 .. 10^9 N, so that any value a file holds converts to float (a larger one is not
    // a force a foot exerts; the conversion of an out-of-range double would be undefined).
    const double f = std::clamp(vendor.total_force_n[i], 0.0, 1e9);
    force.pressure_kpa(k, 0) = static_cast<float>(1000.0 * f / kAreaMm2);
  }
  if (n == 0) return;
  SegmentationParams sp = p.segmentation;
  sp.standing_min_s = meta.mode == "stand" ? 0.0 : p.standing_min_s;
  sp.standing_trial = meta.mode == "stand";
  const FootFrame no_frame;  // length 0: no sensor in any band; only the total force is used
  std::vector<Footfall> footfalls = find_footfalls(force, stream_index, sp);
  for (std::size_t i = 0; i < footfalls.size(); ++i) {
    Footfall ff = footfalls[i];
    ++q.footfalls_found;
    FootfallAnalysis fa;
    const bool standing = meta.mode == "stand" || (ff.end_s - ff.start_s) >= p.standing_min_s;
    if (standing && ff.flags.cut_in_time() && !ff.flags.too_short_or_small()) {
      ff.reject_reason.clear();
      ff.partial = false;
    }
    if (ff.reject_reason.empty() && ff.partial)
      ff.reject_reason = "partial contact (at the edge of the sensor or of the recording)";
    fa.standing = standing;
    if (ff.reject_reason.empty() && !standing) {
      // The segmentation's contact starts at its own threshold (SegmentationParams, 10 % of the
      // force range); the frames on either side down to GaitEventParams::contact_fraction of the
      // contact's peak (5 %) are added, so that IC and TO are the interpolated 5 % crossings
      // gait.hpp defines, not the segmentation's first and last frames. Never into a neighbouring
      // contact.
      const auto& F = force.pressure_kpa;
      double peak = 0.0;
      for (Eigen::Index k = ff.first_frame; k <= ff.last_frame; ++k) peak = std::max(peak, double(F(k, 0)));
      const double thr = p.events.contact_fraction * peak;
      const Eigen::Index lo = i > 0 ? footfalls[i - 1].last_frame + 1 : 0;
      const Eigen::Index hi = i + 1 < footfalls.size() ? footfalls[i + 1].first_frame - 1 : n - 1;
      while (ff.first_frame > lo && F(ff.first_frame, 0) >= thr) --ff.first_frame;
      while (ff.last_frame < hi && F(ff.last_frame, 0) >= thr) ++ff.last_frame;
      ff.start_s = force.time_s[ff.first_frame];
      ff.end_s = force.time_s[ff.last_frame];
    }
    if (ff.reject_reason.empty()) {
      const FootfallSamples s = extract_samples(force, ff);
      const BandSeries series = band_series(s, assign_bands(s, no_frame, p.bands));
      fa.peak_force_n = series.total_force_n.size() ? series.total_force_n.maxCoeff() : 0.0;
      fa.force_time_integral_n_s = trapezoid_integral(s.time_s, series.total_force_n);
      auto& m = fa.measures;
      if (standing) {
        fa.cpei_note = "standing: the COP does not traverse the foot";
        put(m, "standing_mean_force_n",
            s.frames() > 1 ? fa.force_time_integral_n_s / (s.time_s[s.frames() - 1] - s.time_s[0]) : fa.peak_force_n);
      } else {
        fa.events = detect_gait_events(s, series, p.events);
        put(m, "stance_s", fa.events.stance_s);
        put(m, "peak_force_n", fa.peak_force_n);
        put(m, "force_time_integral_n_s", fa.force_time_integral_n_s);
        // The vendor COP over the contact: (0, 0) is the vendor's "no COP", left out.
        double path = 0.0, xmin = 0.0, xmax = 0.0, ymin = 0.0, ymax = 0.0;
        std::size_t kept = 0;
        Eigen::Vector2d last = Eigen::Vector2d::Zero();
        for (Eigen::Index k = ff.first_frame; k <= ff.last_frame; ++k) {
          const Eigen::Vector2d c = vendor.cop_normalised.row(row_of[static_cast<std::size_t>(k)]).transpose();
          if (!c.allFinite() || (c.x() == 0.0 && c.y() == 0.0)) continue;
          if (kept == 0) {
            xmin = xmax = c.x();
            ymin = ymax = c.y();
          } else {
            path += (c - last).norm();
          }
          xmin = std::min(xmin, c.x());
          xmax = std::max(xmax, c.x());
          ymin = std::min(ymin, c.y());
          ymax = std::max(ymax, c.y());
          last = c;
          ++kept;
        }
        if (kept >= 2) {
          put(m, "cop_path_length_normalised", path);
          put(m, "cop_ap_range_normalised", ymax - ymin);
          put(m, "cop_ml_range_normalised", xmax - xmin);
        }
        fa.cpei_note = "sensor positions unknown: no foot frame";
      }
      fa.arch.unavailable_reason = "sensor positions unknown: no footprint";
    }
    if (!ff.reject_reason.empty()) ++q.rejected[ff.reject_reason];
    else ++q.footfalls_used;
    ff.first_frame = row_of[static_cast<std::size_t>(ff.first_frame)];
    ff.last_frame = row_of[static_cast<std::size_t>(ff.last_frame)];
    fa.footfall = std::move(ff);
    out.push_back(std::move(fa));
  }
}

void finish_analysis(AnalysisResult& r, const std::vector<StreamInfo>& streams) {
  const AnalysisParams& p = r.params;
  auto walking_used = [](const FootfallAnalysis& fa) { return is_used(fa) && !fa.standing; };

  // Line of progression and foot progression angle, per walking pass over a mat (a pass ends
  // when the next contact comes more than max_step_s later: the walker turned or stopped).
  for (std::size_t si = 0; si < streams.size(); ++si) {
    if (is_insole_stream(streams[si])) continue;
    std::vector<FootfallAnalysis*> walk;
    for (auto& fa : r.footfalls)
      if (fa.footfall.stream == si && walking_used(fa)) walk.push_back(&fa);
    std::sort(walk.begin(), walk.end(), [](const FootfallAnalysis* a, const FootfallAnalysis* b) {
      return a->events.ic_s < b->events.ic_s;
    });
    std::size_t begin = 0;
    while (begin < walk.size()) {
      std::size_t end = begin + 1;
      while (end < walk.size() && walk[end]->events.ic_s - walk[end - 1]->events.ic_s <= p.timing.max_step_s) ++end;
      std::vector<PassFootfall> pass;
      for (std::size_t k = begin; k < end; ++k)
        pass.push_back({walk[k]->footfall.side, walk[k]->centre_mm, walk[k]->frame.u});
      std::string method;
      if (const auto dir = progression_direction(pass, &method)) {
        for (std::size_t k = begin; k < end; ++k) {
          walk[k]->foot_progression_angle_deg = foot_progression_angle_deg(walk[k]->frame, *dir);
          walk[k]->fpa_method = method;
          walk[k]->measures["foot_progression_angle_deg"] = *walk[k]->foot_progression_angle_deg;
        }
      }
      begin = end;
    }
  }

  // Stride length on mats: heel to heel of successive contacts of one foot.
  for (std::size_t si = 0; si < streams.size(); ++si) {
    if (is_insole_stream(streams[si])) continue;
    for (Side side : {Side::left, Side::right}) {
      FootfallAnalysis* prev = nullptr;
      for (auto& fa : r.footfalls) {
        if (fa.footfall.stream != si || fa.footfall.side != side || !walking_used(fa)) continue;
        if (prev && fa.events.ic_s - prev->events.ic_s <= p.timing.max_stride_s)
          prev->measures["stride_length_mm"] = (fa.frame.heel_mm - prev->frame.heel_mm).norm();
        prev = &fa;
      }
    }
  }

  // Per-foot summaries, one per (stream, side).
  r.feet.clear();
  std::vector<std::pair<std::size_t, Side>> keys;
  for (const auto& fa : r.footfalls) {
    // A contact of unknown side that was rejected anyway does not make a foot; it is listed in
    // the quality section.
    if (fa.footfall.side != Side::left && fa.footfall.side != Side::right && !is_used(fa)) continue;
    const std::pair<std::size_t, Side> k{fa.footfall.stream, fa.footfall.side};
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : static_cast<int>(a.second) < static_cast<int>(b.second);
  });
  for (const auto& [si, side] : keys) {
    FootSummary foot;
    foot.side = side;
    foot.stream = si < streams.size() ? streams[si].name : std::to_string(si);
    foot.surface = si < streams.size() && is_insole_stream(streams[si]) ? Surface::in_shoe : Surface::barefoot;
    std::map<std::string, std::vector<double>> values;
    std::map<std::string, std::map<std::string, std::vector<double>>> regions;
    std::size_t walking = 0, toe_first = 0;
    for (const auto& fa : r.footfalls) {
      if (fa.footfall.stream != si || fa.footfall.side != side) continue;
      if (!is_used(fa)) {
        ++foot.footfalls_rejected;
        continue;
      }
      ++foot.footfalls_used;
      if (fa.standing) ++foot.standing_footfalls;
      else {
        ++walking;
        toe_first += fa.equinus.heel_first ? 0 : 1;
      }
      for (const auto& [k, v] : fa.measures) values[std::string(k)].push_back(v);
      for (const auto& rm : fa.regions) {
        auto& reg = regions[rm.region];
        reg["peak_pressure_kpa"].push_back(rm.peak_pressure_kpa);
        reg["mean_pressure_kpa"].push_back(rm.mean_pressure_kpa);
        reg["max_force_n"].push_back(rm.max_force_n);
        reg["contact_area_mm2"].push_back(rm.contact_area_mm2);
        reg["contact_time_percent"].push_back(rm.contact_time_percent);
        reg["pti_novel_kpa_s"].push_back(rm.pti_novel_kpa_s);
        reg["pti_melai_kpa_s"].push_back(rm.pti_melai_kpa_s);
        reg["fti_n_s"].push_back(rm.fti_n_s);
        reg["time_of_peak_percent"].push_back(rm.time_of_peak_percent);
      }
    }
    for (auto& [k, v] : values)
      if (auto s = summarize(std::move(v))) foot.measures[k] = *s;
    for (auto& [name, vars] : regions)
      for (auto& [k, v] : vars)
        if (auto s = summarize(std::move(v))) foot.regions[name][k] = *s;
    // An uncalibrated stream's values are counts: whatever needs absolute pressure or force is
    // withheld (missing_reason says why); ratios, shares, areas, positions and timing remain.
    foot.uncalibrated = si < streams.size() && streams[si].units == PressureUnits::counts;
    if (foot.uncalibrated) {
      for (auto it = foot.measures.begin(); it != foot.measures.end();) {
        const MeasureInfo* mi = find_measure_info(it->first);
        it = mi && mi->needs_kpa() ? foot.measures.erase(it) : std::next(it);
      }
      for (auto& [name, vars] : foot.regions)
        for (const char* k : {"peak_pressure_kpa", "mean_pressure_kpa", "max_force_n", "pti_novel_kpa_s",
                              "pti_melai_kpa_s", "fti_n_s"})
          vars.erase(k);
    }
    // Sensor positions unknown (not in the file): whatever needs them is withheld with the reason
    // (missing_reason); the stream's "geometry" attribute says why they are unknown.
    if (si < streams.size() && !streams[si].layout.has_geometry()) {
      const auto& attrs = streams[si].attributes;
      std::string why = "not in the file";
      if (auto it = attrs.find("geometry"); it != attrs.end() && !it->second.empty()) {
        why = it->second;
        if (why.rfind("unknown: ", 0) == 0) why = why.substr(9);
      }
      foot.positions_unknown = why;
      for (auto it = foot.measures.begin(); it != foot.measures.end();) {
        const MeasureInfo* mi = find_measure_info(it->first);
        it = mi && mi->needs_positions() ? foot.measures.erase(it) : std::next(it);
      }
      foot.regions.clear();
    }
    if (walking > 0 && foot.positions_unknown.empty()) {
      Spread s;
      s.median = s.q1 = s.q3 = s.min = s.max = 100.0 * static_cast<double>(toe_first) / static_cast<double>(walking);
      s.n = walking;
      foot.measures["toe_first_percent"] = s;
    }
    r.feet.push_back(std::move(foot));
  }

  // Temporal parameters from the walking contacts.
  std::vector<ContactInterval> contacts;
  for (const auto& fa : r.footfalls)
    if (walking_used(fa) && !fa.footfall.flags.cut_in_time() &&
        (fa.footfall.side == Side::left || fa.footfall.side == Side::right))
      contacts.push_back({fa.footfall.side, fa.events.ic_s, fa.events.to_s});
  r.timing = gait_timing(std::move(contacts), p.timing);

  // Quality warnings.
  auto& w = r.quality.warnings;
  if (!r.has_usable_contact()) w.push_back("no usable foot contact found");
  // A sensor set imported without geometry (e.g. Moticon, whose cell positions and areas are not
  // published) cannot give force (sum of p * A) or a centre of pressure: say so, do not guess.
  // (SensorLayout::sensors accepts unknown areas only with unknown positions; a grid's pitch
  // gives both.)
  for (std::size_t si = 0; si < streams.size(); ++si) {
    const auto& info = streams[si];
    if (info.layout.has_geometry()) continue;
    const bool areas_known = (info.layout.areas_mm2().array() > 0.0).all();  // NaN compares false
    if (si < r.quality.streams.size() && r.quality.streams[si].from_vendor_channels) {
      w.push_back("stream '" + info.name + "': sensor " + (areas_known ? "positions" : "positions and areas") +
                  " unknown (not in the file): contacts, gait events and timing from the vendor's total force, "
                  "COP path from the vendor's COP in normalised insole units; measures that need sensor "
                  "positions are not available");
      continue;
    }
    w.push_back("stream '" + info.name + "': sensor " + (areas_known ? "positions" : "positions and areas") +
                " unknown (not in the file); force, stance phases, centre of pressure and every "
                "measure need them, so none were computed for this stream");
  }
  for (const auto& foot : r.feet) {
    if (foot.side == Side::unknown && foot.footfalls_used > 0)
      w.push_back("stream '" + foot.stream + "': " + std::to_string(foot.footfalls_used) +
                  " footfalls with unknown side");
    const std::size_t rec = foot.surface == Surface::in_shoe ? p.recommended_footfalls_in_shoe
                                                             : p.recommended_footfalls_mat;
    const std::size_t walking = foot.footfalls_used - foot.standing_footfalls;
    if (walking > 0 && walking < rec)
      w.push_back(side_name(foot.side) + " foot (" + foot.stream + "): " + std::to_string(walking) +
                  " walking footfalls, fewer than the recommended " + std::to_string(rec) +
                  (foot.surface == Surface::in_shoe ? " (Melvin et al. 2014)" : "") +
                  "; medians are less reliable");
  }
  // Standing contacts whose heel end could not be decided, and toe-walking contacts: said, never
  // guessed.
  for (const auto& fa : r.footfalls) {
    if (!is_used(fa) || fa.frame.heel_end_known) continue;
    std::ostringstream os;
    os << "stream '" << (fa.footfall.stream < streams.size() ? streams[fa.footfall.stream].name : "?")
       << "': " << side_name(fa.footfall.side) << " standing contact at " << fa.footfall.start_s << "-"
       << fa.footfall.end_s << " s: heel end undecided (" << fa.frame.heel_end_reason
       << "); arch indices, load shares, COP position, medial-lateral indices and regions not "
          "reported";
    w.push_back(os.str());
  }
  for (std::size_t si = 0; si < streams.size(); ++si) {
    std::map<Side, std::size_t> toe_walks;
    for (const auto& fa : r.footfalls)
      if (fa.footfall.stream == si && fa.footfall.reject_reason.rfind("toe walking", 0) == 0)
        ++toe_walks[fa.footfall.side];
    for (const auto& [side, n] : toe_walks)
      w.push_back("stream '" + streams[si].name + "': " + std::to_string(n) + " " + side_name(side) +
                  " walking contact(s) without heel contact (toe walking): not analysed as feet, "
                  "their posterior end is the forefoot");
  }
  std::size_t light_cuts = 0;
  for (const auto& fa : r.footfalls)
    if (walking_used(fa) && fa.footfall.flags.cut_in_time()) ++light_cuts;
  if (light_cuts > 0)
    w.push_back(std::to_string(light_cuts) + " walking contact(s) cut by the start or end of the recording with at most " +
                std::to_string(static_cast<int>(std::lround(100.0 * p.boundary_force_share))) +
                " % of their peak force at the cut: analysed, left out of gait timing");
  for (const auto& q : r.quality.streams) {
    if (!q.saturated_sensels.empty())
      w.push_back("stream '" + q.stream + "': " + std::to_string(q.saturated_sensels.size()) +
                  " saturated sensels; peak pressures there are underestimated");
    if (!q.dead_sensels.empty())
      w.push_back("stream '" + q.stream + "': " + std::to_string(q.dead_sensels.size()) +
                  " sensels never loaded although surrounded by load (dead sensels?)");
  }
}

void set_analysis_threads(unsigned n) noexcept { g_analysis_threads.store(n); }

void set_analysis_threads_on_this_thread(unsigned n) noexcept { t_analysis_threads = n; }

unsigned analysis_threads_on_this_thread() noexcept { return t_analysis_threads; }

unsigned analysis_threads() noexcept {
  if (t_analysis_threads > 0) return t_analysis_threads;
  const unsigned n = g_analysis_threads.load();
  return n > 0 ? n : automatic_analysis_threads();
}

Result<AnalysisResult> analyze(const Recording& recording, const AnalysisParams& params) {
  if (auto st = recording.validate(); !st) return st.error();
  AnalysisResult r;
  r.params = params;
  std::vector<StreamInfo> infos;
  for (std::size_t si = 0; si < recording.streams.size(); ++si) {
    const Stream& s = recording.streams[si];
    infos.push_back(s.info);
    QualityAccumulator acc(s.info);
    for (Eigen::Index f = 0; f < s.frame_count(); ++f) acc.push(s.time_s[f], s.pressure_kpa.row(f).data());
    StreamQuality q = acc.finish(params);
    // A load cell (the platform's weight in kg, one value per frame) is not a footprint.
    const bool footprints = s.frame_count() > 0 && !is_load_cell_stream(s.info);
    if (footprints && s.vendor && !s.info.layout.has_geometry())
      analyze_vendor_channels(s.info, si, s.time_s, *s.vendor, recording.meta, params, q, r.footfalls);
    else if (footprints) {
      analyze_window(s, si, 0, 0, recording.meta, params, true, q, r.footfalls, r.images, nullptr);
      q.windows = 1;
    }
    r.quality.streams.push_back(std::move(q));
  }
  finish_analysis(r, infos);
  return r;
}

namespace {

// One stream's state while streaming: the frames of the current activity window, each kept as
// its readings that are not zero (sensel, value). A mat is mostly unloaded, so the window costs a
// few per cent of its dense size; process() lays out the window's frames over the sensels that
// read anything in them (frame_view.hpp), which reads back every value exactly.
struct StreamWindow {
  const StreamInfo* info = nullptr;
  std::size_t index = 0;
  Eigen::Index next_frame = 0;     // stream index of the next frame to arrive
  Eigen::Index window_first = 0;   // stream index of buffered frame 0
  Eigen::Index own_from = 0;       // footfalls starting earlier were handled before
  std::vector<double> time_s;
  std::vector<double> force_n;     // total force per buffered frame
  std::vector<std::size_t> row_begin{0};  // frame k's readings: [row_begin[k], row_begin[k + 1])
  std::vector<std::uint32_t> sensel;
  std::vector<float> value;
  std::vector<int> column;         // view(): sensel -> column of `compact`, -1 = never read
  std::vector<float> compact;      // view(): frames x read sensels
  std::vector<std::uint32_t> readings_of;  // per sensel: its readings in the buffer
  std::size_t sensels_read = 0;            // sensels with a reading in the buffer: view()'s width
  bool active = false;             // the buffer holds a loaded frame
  double quiet_since_s = std::numeric_limits<double>::quiet_NaN();
  double peak_force_n = 0.0;
  std::optional<QualityAccumulator> quality;
  StreamQuality q;
  /// Sensor positions unknown and the maker's channels given: the stream is analysed from them
  /// at its end (analyze_vendor_channels) and only its times are kept (8 bytes a frame).
  const VendorChannels* vendor = nullptr;
  std::vector<double> vendor_time_s;
  /// Standing contacts still loaded at the last cut, measured on over the next windows.
  std::vector<FootfallWork> open;

  Eigen::Index rows() const { return static_cast<Eigen::Index>(time_s.size()); }
  /// Values view(rows()) would lay out.
  double view_values() const { return double(time_s.size()) * double(sensels_read); }

  // Keeps a frame; returns its total force (N), summed as before over the positive readings.
  // The frame is also given to `health` in the same pass (one read of each block while it is in
  // cache, instead of a second scan of the frame).
  double append(double t, const float* row, const Eigen::VectorXd& areas, QualityAccumulator& health) {
    const auto cols = static_cast<std::size_t>(info->layout.sensor_count());
    health.begin_frame(t);
    double force = 0.0;
    for (std::size_t b = 0; b < cols; b += kScanBlock) {
      const std::size_t e = std::min(cols, b + kScanBlock);
      if (all_plus_zero(row + b, e - b)) {  // +0: not stored (reads back as +0)
        health.zero_block(b);
        continue;
      }
      for (std::size_t j = b; j < e; ++j) {
        const float v = row[j];
        health.reading(j, v);
        std::uint32_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        if (bits == 0) continue;
        sensel.push_back(static_cast<std::uint32_t>(j));
        value.push_back(v);
        if (readings_of[j]++ == 0) ++sensels_read;
        if (std::isfinite(v) && v > 0.0f) force += v * areas[static_cast<Eigen::Index>(j)] * 1e-3;
      }
    }
    row_begin.push_back(sensel.size());
    time_s.push_back(t);
    force_n.push_back(force);
    return force;
  }

  // Frames [0, n) over the sensels read in them; valid until the next view() or drop_front().
  FrameView view(Eigen::Index n) {
    const auto cols = static_cast<std::size_t>(info->layout.sensor_count());
    const std::size_t end = row_begin[static_cast<std::size_t>(n)];
    column.assign(cols, -1);
    for (std::size_t e = 0; e < end; ++e) column[sensel[e]] = 0;
    int m = 0;
    for (std::size_t j = 0; j < cols; ++j)
      if (column[j] == 0) column[j] = m++;
    const auto width = static_cast<std::size_t>(m);
    compact.assign(std::max<std::size_t>(1, static_cast<std::size_t>(n) * width), 0.0f);
    for (std::size_t k = 0; k < static_cast<std::size_t>(n); ++k) {
      float* out = compact.data() + k * width;
      for (std::size_t e = row_begin[k]; e < row_begin[k + 1]; ++e)
        out[static_cast<std::size_t>(column[sensel[e]])] = value[e];
    }
    return FrameView(*info, time_s.data(), n, compact.data(), m, column.data(), 0.0f);
  }

  void drop_front(Eigen::Index n) {
    const std::size_t cut = row_begin[static_cast<std::size_t>(n)];
    for (std::size_t e = 0; e < cut; ++e)
      if (--readings_of[sensel[e]] == 0) --sensels_read;
    time_s.erase(time_s.begin(), time_s.begin() + n);
    force_n.erase(force_n.begin(), force_n.begin() + n);
    sensel.erase(sensel.begin(), sensel.begin() + static_cast<std::ptrdiff_t>(cut));
    value.erase(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(cut));
    row_begin.erase(row_begin.begin(), row_begin.begin() + n);
    for (auto& b : row_begin) b -= cut;
    window_first += n;
  }
};

}  // namespace

Result<AnalysisResult> analyze_stream(const RecordingMetadata& meta, const std::vector<StreamInfo>& streams,
                                      const ChunkProvider& next_chunk, const AnalysisParams& params,
                                      const std::vector<const VendorChannels*>& vendor) {
  AnalysisResult r;
  r.params = params;
  // Footfalls as they are analysed. A std::vector growing by doubling would hold its old and new
  // arrays at once near the end, when the result is largest (a 10-min treadmill walk: about a
  // thousand footfalls of 1.4 kB, 2.8 MB at that moment); a deque adds one footfall at a time.
  std::deque<FootfallAnalysis> found;
  std::vector<StreamWindow> win(streams.size());
  // Walking windows' footfalls are measured on a second thread while this one reads on (declared
  // after what its folds write to: it is gone first).
  MeasureQueue queue(analysis_threads());
  for (std::size_t i = 0; i < streams.size(); ++i) {
    win[i].info = &streams[i];
    win[i].index = i;
    win[i].quality.emplace(streams[i]);
    win[i].readings_of.assign(static_cast<std::size_t>(streams[i].layout.sensor_count()), 0);
    if (i < vendor.size() && vendor[i] && !streams[i].layout.has_geometry()) win[i].vendor = vendor[i];
  }

  // The value budget cuts walking windows only (analyze.hpp, max_window_values): a standing
  // trial's window is one contact measured over the frames it holds, and a trial of unknown mode
  // may be one too.
  const bool cap_values = meta.mode == "walk";
  const double min_capped_window_s = 3.0 * params.standing_min_s;

  auto is_quiet = [&](double force, double peak) {
    // Below the absolute limit, or below 5 % of the stream's peak so far (insoles whose values
    // are forces in arbitrary units).
    return force < params.quiet_force_n || force < 0.05 * peak;
  };

  // Frames kept before the next contact: its light first milliseconds may count as quiet, and
  // the segmentation must see the foot arrive (a contact loaded in a window's first frame is
  // "partial").
  constexpr double kLeadInS = 0.25;
  auto lead_in_start = [&](const StreamWindow& w, Eigen::Index n) {
    Eigen::Index k = n - 1;
    while (k > 0 && w.time_s[static_cast<std::size_t>(n - 1)] - w.time_s[static_cast<std::size_t>(k - 1)] <= kLeadInS) --k;
    return k;
  };

  auto process = [&](StreamWindow& w, Eigen::Index n, bool last, bool length_cut) {
    // Analyses buffer rows [0, n); contacts still open at row n - 1 are carried over unless
    // this is the end of the stream, and standing ones are measured on if the window is cut for
    // its length (`length_cut`).
    const FrameView s = w.view(n);
    ++w.q.windows;
    std::optional<Eigen::Index> carry;
    if (!is_load_cell_stream(*w.info))  // a load cell's weight is not a footprint
      analyze_window(s, w.index, w.window_first, w.own_from, meta, params, false, w.q, found, r.images,
                     last ? nullptr : &carry, &w.open, length_cut, &queue);
    Eigen::Index next_start = w.window_first + lead_in_start(w, n);
    w.own_from = w.window_first + n;
    if (carry) {
      next_start = *carry - 1;  // one unloaded frame before the carried contact
      w.own_from = *carry;
    }
    w.drop_front(std::min(next_start - w.window_first, w.rows()));
    w.active = false;
    for (double f : w.force_n) w.active = w.active || !is_quiet(f, w.peak_force_n);
  };

  for (;;) {
    auto chunk = next_chunk();
    if (!chunk) return chunk.error();
    if (!chunk->has_value()) break;
    FrameChunk& c = **chunk;
    if (c.stream >= win.size())
      return make_error(Errc::invalid_argument, "frame chunk for stream " + std::to_string(c.stream) +
                                                    " but the recording has " + std::to_string(win.size()));
    StreamWindow& w = win[c.stream];
    const Eigen::Index cols = w.info->layout.sensor_count();
    if (c.pressure_kpa.rows() != c.time_s.size() || (c.pressure_kpa.rows() > 0 && c.pressure_kpa.cols() != cols))
      return make_error(Errc::format_error, "stream '" + w.info->name + "': chunk of " +
                                                std::to_string(c.pressure_kpa.rows()) + " x " +
                                                std::to_string(c.pressure_kpa.cols()) + " values for " +
                                                std::to_string(c.time_s.size()) + " times and " +
                                                std::to_string(cols) + " sensels");
    const Eigen::VectorXd& areas = w.info->layout.areas_mm2();
    if (w.vendor) {
      for (Eigen::Index f = 0; f < c.time_s.size(); ++f) {
        const double t = c.time_s[f];
        if (!std::isfinite(t) || (!w.vendor_time_s.empty() && !(t > w.vendor_time_s.back())))
          return make_error(Errc::format_error, "stream '" + w.info->name + "': time at frame " +
                                                    std::to_string(w.next_frame) +
                                                    " is not finite or not increasing");
        w.quality->push(t, c.pressure_kpa.row(f).data());
        w.vendor_time_s.push_back(t);
        ++w.next_frame;
      }
      if (c.give_back) c.give_back(std::move(c.pressure_kpa));
      continue;
    }
    for (Eigen::Index f = 0; f < c.time_s.size(); ++f) {
      const double t = c.time_s[f];
      if (!std::isfinite(t) || (!w.time_s.empty() && !(t > w.time_s.back())))
        return make_error(Errc::format_error, "stream '" + w.info->name + "': time at frame " +
                                                  std::to_string(w.next_frame) +
                                                  " is not finite or not increasing");
      const float* row = c.pressure_kpa.row(f).data();
      const double force = w.append(t, row, areas, *w.quality);
      w.peak_force_n = std::max(w.peak_force_n, force);
      ++w.next_frame;
      const bool quiet = is_quiet(force, w.peak_force_n);
      if (!quiet) {
        // Becoming active: keep exactly the lead-in before this frame (the quiet branch below
        // trims lazily).
        if (!w.active && w.rows() > 1) w.drop_front(lead_in_start(w, w.rows() - 1));
        w.active = true;
        w.quiet_since_s = std::numeric_limits<double>::quiet_NaN();
      } else if (std::isnan(w.quiet_since_s)) {
        w.quiet_since_s = t;
      }
      if (!w.active) {
        // Nothing loaded yet: only the lead-in will be kept. Dropping the older frames once they
        // are half the buffer (not at every frame) keeps the cost per frame constant: a mat is
        // empty most of the time, and shifting the lead-in at every quiet frame was the largest
        // cost of the analysis after decompression.
        const Eigen::Index k = lead_in_start(w, w.rows());
        if (k >= std::max<Eigen::Index>(64, w.rows() / 2)) w.drop_front(k);
        continue;
      }
      if (quiet && t - w.quiet_since_s >= params.quiet_gap_s) {
        process(w, w.rows(), false, false);
      } else if (t - w.time_s.front() > params.max_window_s || (cap_values && w.view_values() > params.max_window_values &&
                                                       t - w.time_s.front() >= min_capped_window_s)) {
        // Cut at the least-loaded frame of the window's last third.
        const Eigen::Index n = w.rows();
        Eigen::Index cut = n - 1;
        for (Eigen::Index k = (2 * n) / 3; k < n; ++k)
          if (w.force_n[static_cast<std::size_t>(k)] < w.force_n[static_cast<std::size_t>(cut)]) cut = k;
        process(w, cut + 1, false, true);
      }
    }
    if (c.give_back) c.give_back(std::move(c.pressure_kpa));
  }
  for (auto& w : win) {
    queue.drain();  // every window queued so far is folded before a stream's last footfalls
    if (w.vendor) {
      const auto frames = static_cast<Eigen::Index>(w.vendor_time_s.size());
      if (w.vendor->total_force_n.size() != frames || w.vendor->cop_normalised.rows() != frames)
        return make_error(Errc::format_error, "stream '" + w.info->name + "': vendor channels have " +
                                                  std::to_string(w.vendor->total_force_n.size()) + " rows for " +
                                                  std::to_string(frames) + " frames");
      const Eigen::Map<const Eigen::VectorXd> t(w.vendor_time_s.data(), frames);
      std::vector<FootfallAnalysis> from_vendor;
      analyze_vendor_channels(*w.info, w.index, t, *w.vendor, meta, params, w.q, from_vendor);
      for (auto& fa : from_vendor) found.push_back(std::move(fa));
      w.vendor_time_s = {};
    } else if (w.active && w.rows() > 0) {
      process(w, w.rows(), true, false);
    }
    queue.drain();
    // Open contacts whose end no window saw (the stream ended at a cut): measured as they are.
    for (FootfallWork& o : w.open) close_open_contact(o, own_last_interval_s(o, *w.info), *w.info, false, w.q, found, r.images);
    w.open.clear();
    StreamQuality q = w.quality->finish(params);
    q.footfalls_found = w.q.footfalls_found;
    q.footfalls_used = w.q.footfalls_used;
    q.rejected = w.q.rejected;
    q.from_vendor_channels = w.q.from_vendor_channels;
    q.windows = w.q.windows;
    r.quality.streams.push_back(std::move(q));
  }
  r.footfalls.reserve(found.size());
  while (!found.empty()) {
    r.footfalls.push_back(std::move(found.front()));
    found.pop_front();  // frees it as it goes: one copy of the footfalls at any time
  }
  // Footfalls in time order per stream, as analyze() gives them. They mostly arrive in that order
  // already, and std::stable_sort would take a buffer of half the footfalls (about 0.7 MB for a
  // thousand) at the moment the result is largest.
  const auto before = [](const FootfallAnalysis& a, const FootfallAnalysis& b) {
    return a.footfall.stream != b.footfall.stream ? a.footfall.stream < b.footfall.stream
                                                  : a.footfall.start_s < b.footfall.start_s;
  };
  if (!std::is_sorted(r.footfalls.begin(), r.footfalls.end(), before))
    std::stable_sort(r.footfalls.begin(), r.footfalls.end(), before);
  finish_analysis(r, streams);
  return r;
}

}  // namespace insole::analysis
