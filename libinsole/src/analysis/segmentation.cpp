#include "insole/analysis/segmentation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <utility>
#include <vector>

#include "insole/analysis/foot_frame.hpp"
#include "insole/analysis/footprint.hpp"

namespace insole::analysis {

bool is_insole_stream(const StreamInfo& info) {
  if (!info.layout.is_grid()) return true;
  return info.side == Side::left || info.side == Side::right;
}

// ---------------------------------------------------------------------------------------------
// Mat segmentation

namespace {

struct Piece {
  Eigen::Index first_frame = 0, last_frame = 0;
  double start_s = 0, end_s = 0;
  std::vector<Eigen::Index> sensels;
  std::vector<float> peak;
  std::vector<double> first_s, last_s;  // loading sequence, aligned with sensels
  bool at_start = false, at_end = false;
  int rmin = 0, rmax = -1, cmin = 0, cmax = -1;  // bounding box in grid cells
};

struct Track {
  Piece piece;
  std::vector<Eigen::Index> painted;  // cells of owner_near painted by this track
  int gap = 0;
  bool seen = false;
  bool used = false;
};

}  // namespace

struct MatSegmenter::Impl {
  SegmentationParams prm;
  std::size_t stream_index = 0;
  int rows = 0, cols = 0;
  double pr = 1, pc = 1;
  mutable std::vector<std::pair<double, double>> b_rc;  // distance(): (row, col) of b's sensels
  std::vector<bool> present;
  Eigen::VectorXd areas;
  std::vector<int> owner_core, owner_near;  // track slot or -1
  std::vector<int> pos;                     // index of a sensel inside its track's piece
  std::vector<std::pair<int, int>> offsets;  // (dr, dc) within link distance
  std::vector<Track> slots;
  std::vector<Piece> pending;
  std::vector<TrackedFootfall> finished;
  // Scratch, reused every frame (no allocation in steady state).
  std::vector<Eigen::Index> active, leftover, stack, comp;
  std::vector<float> reading;  // reading[s] of this frame, written for the active sensels only
  std::vector<char> is_left;
  bool started = false;
  Eigen::Index first_index = 0, last_pushed = -1;

  Impl(const SensorLayout& layout, std::size_t idx, const SegmentationParams& p)
      : prm(p), stream_index(idx) {
    if (!layout.is_grid()) throw std::invalid_argument("MatSegmenter needs a grid layout");
    rows = layout.rows();
    cols = layout.cols();
    pr = layout.row_pitch_mm();
    pc = layout.col_pitch_mm();
    present = layout.present();
    areas = layout.areas_mm2();
    const auto n = static_cast<std::size_t>(layout.sensor_count());
    owner_core.assign(n, -1);
    owner_near.assign(n, -1);
    pos.assign(n, -1);
    is_left.assign(n, 0);
    reading.assign(n, 0.0f);
    const int rr = static_cast<int>(std::floor(prm.link_distance_mm / pr));
    const int rc = static_cast<int>(std::floor(prm.link_distance_mm / pc));
    for (int dr = -rr; dr <= rr; ++dr)
      for (int dc = -rc; dc <= rc; ++dc)
        if (std::hypot(dr * pr, dc * pc) <= prm.link_distance_mm) offsets.emplace_back(dr, dc);
  }

  int new_slot() {
    for (std::size_t i = 0; i < slots.size(); ++i)
      if (!slots[i].used) {
        slots[i] = Track{};
        slots[i].used = true;
        return static_cast<int>(i);
      }
    slots.emplace_back();
    slots.back().used = true;
    return static_cast<int>(slots.size() - 1);
  }

  void add_sensel(int t, Eigen::Index s, float p, double t_s) {
    Track& tr = slots[static_cast<std::size_t>(t)];
    Piece& pc_ = tr.piece;
    owner_core[static_cast<std::size_t>(s)] = t;
    pos[static_cast<std::size_t>(s)] = static_cast<int>(pc_.sensels.size());
    pc_.sensels.push_back(s);
    pc_.peak.push_back(p);
    pc_.first_s.push_back(t_s);
    pc_.last_s.push_back(t_s);
    const int r = static_cast<int>(s / cols), c = static_cast<int>(s % cols);
    if (pc_.rmax < pc_.rmin) {
      pc_.rmin = pc_.rmax = r;
      pc_.cmin = pc_.cmax = c;
    } else {
      pc_.rmin = std::min(pc_.rmin, r);
      pc_.rmax = std::max(pc_.rmax, r);
      pc_.cmin = std::min(pc_.cmin, c);
      pc_.cmax = std::max(pc_.cmax, c);
    }
    for (const auto& [dr, dc] : offsets) {
      const int rr = r + dr, cc = c + dc;
      if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
      const auto q = static_cast<std::size_t>(rr) * static_cast<std::size_t>(cols) +
                     static_cast<std::size_t>(cc);
      if (owner_near[q] == -1) {
        owner_near[q] = t;
        tr.painted.push_back(static_cast<Eigen::Index>(q));
      }
    }
  }

  void push(Eigen::Index frame, double t_s, const Eigen::Ref<const Eigen::VectorXf>& p) {
    if (p.size() != static_cast<Eigen::Index>(present.size()))
      throw std::invalid_argument("frame size does not match the layout");
    const float thr = static_cast<float>(prm.active_threshold_kpa);
    active.clear();
    // Plain pointer scan: the frame is contiguous (inner stride 1), and the debug builds the tests
    // run under would otherwise spend most of the analysis in Eigen's element accessors.
    const float* d = p.data();
    const Eigen::Index n = p.size();
    for (Eigen::Index s = 0; s < n; ++s)
      if (d[s] > thr) {  // NaN compares false
        active.push_back(s);
        reading[static_cast<std::size_t>(s)] = d[s];
      }
    track(frame, t_s);
  }

  void push_stored(Eigen::Index frame, double t_s, const Eigen::Index* sensels, const float* values,
                   Eigen::Index count) {
    const float thr = static_cast<float>(prm.active_threshold_kpa);
    active.clear();
    for (Eigen::Index k = 0; k < count; ++k) {
      const Eigen::Index s = sensels[k];
      if (s < 0 || s >= static_cast<Eigen::Index>(present.size()) || (k > 0 && s <= sensels[k - 1]))
        throw std::invalid_argument("stored sensels must be layout indices in increasing order");
      if (values[k] > thr) {
        active.push_back(s);
        reading[static_cast<std::size_t>(s)] = values[k];
      }
    }
    track(frame, t_s);
  }

  // One frame whose loaded sensels (above the threshold, in increasing order) are `active`, with
  // their readings in `reading`.
  void track(Eigen::Index frame, double t_s) {
    if (!started) {
      started = true;
      first_index = frame;
    }
    last_pushed = frame;
    const float* d = reading.data();
    for (auto& tr : slots) tr.seen = false;
    leftover.clear();
    for (Eigen::Index s : active) {
      const auto si = static_cast<std::size_t>(s);
      if (!present[si]) continue;
      int t = owner_core[si];
      if (t >= 0) {
        Track& tr = slots[static_cast<std::size_t>(t)];
        float& pk = tr.piece.peak[static_cast<std::size_t>(pos[si])];
        pk = std::max(pk, d[s]);
        tr.piece.last_s[static_cast<std::size_t>(pos[si])] = t_s;
        tr.seen = true;
        tr.piece.last_frame = frame;
        tr.piece.end_s = t_s;
        continue;
      }
      t = owner_near[si];
      if (t >= 0) {
        Track& tr = slots[static_cast<std::size_t>(t)];
        add_sensel(t, s, d[s], t_s);
        tr.seen = true;
        tr.piece.last_frame = frame;
        tr.piece.end_s = t_s;
        continue;
      }
      leftover.push_back(s);
      is_left[si] = 1;
    }
    // New contacts: 8-connected components of the loaded sensels no open contact claimed.
    for (Eigen::Index s0 : leftover) {
      if (!is_left[static_cast<std::size_t>(s0)]) continue;
      comp.clear();
      stack.clear();
      stack.push_back(s0);
      is_left[static_cast<std::size_t>(s0)] = 0;
      while (!stack.empty()) {
        const Eigen::Index s = stack.back();
        stack.pop_back();
        comp.push_back(s);
        const int r = static_cast<int>(s / cols), c = static_cast<int>(s % cols);
        for (int dr = -1; dr <= 1; ++dr)
          for (int dc = -1; dc <= 1; ++dc) {
            const int rr = r + dr, cc = c + dc;
            if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
            const auto q = static_cast<std::size_t>(rr) * static_cast<std::size_t>(cols) +
                           static_cast<std::size_t>(cc);
            if (is_left[q]) {
              is_left[q] = 0;
              stack.push_back(static_cast<Eigen::Index>(q));
            }
          }
      }
      // A component near a contact opened earlier in this frame joins it.
      int t = -1;
      for (Eigen::Index s : comp)
        if (owner_near[static_cast<std::size_t>(s)] >= 0) {
          t = owner_near[static_cast<std::size_t>(s)];
          break;
        }
      if (t < 0) {
        if (static_cast<int>(comp.size()) < prm.min_new_track_sensels) continue;
        t = new_slot();
        Piece& pc_ = slots[static_cast<std::size_t>(t)].piece;
        pc_.first_frame = frame;
        pc_.start_s = t_s;
        pc_.at_start = frame == first_index;
      }
      Track& tr = slots[static_cast<std::size_t>(t)];
      for (Eigen::Index s : comp) add_sensel(t, s, d[s], t_s);
      tr.seen = true;
      tr.piece.last_frame = frame;
      tr.piece.end_s = t_s;
    }
    for (std::size_t i = 0; i < slots.size(); ++i) {
      Track& tr = slots[i];
      if (!tr.used) continue;
      if (tr.seen) tr.gap = 0;
      else if (++tr.gap > prm.max_gap_frames) close(static_cast<int>(i), false);
    }
    flush(frame);
  }

  void close(int t, bool at_end) {
    Track& tr = slots[static_cast<std::size_t>(t)];
    for (Eigen::Index s : tr.piece.sensels) {
      owner_core[static_cast<std::size_t>(s)] = -1;
      pos[static_cast<std::size_t>(s)] = -1;
    }
    for (Eigen::Index q : tr.painted)
      if (owner_near[static_cast<std::size_t>(q)] == t) owner_near[static_cast<std::size_t>(q)] = -1;
    Piece piece = std::move(tr.piece);
    piece.at_end = at_end;
    tr = Track{};
    merge_into_pending(std::move(piece));
  }

  // Extent along the principal axis and across it of a set of sensels (mm).
  void shape_of(const Piece& a, const Piece& b, double* length, double* width) const {
    Eigen::Vector2d mean = Eigen::Vector2d::Zero();
    Eigen::Matrix2d cov = Eigen::Matrix2d::Zero();
    std::size_t n = 0;
    auto xy = [&](Eigen::Index s) {
      return Eigen::Vector2d((double(s % cols) + 0.5) * pc, (double(s / cols) + 0.5) * pr);
    };
    for (const Piece* q : {&a, &b})
      for (Eigen::Index s : q->sensels) {
        mean += xy(s);
        ++n;
      }
    mean /= double(n);
    for (const Piece* q : {&a, &b})
      for (Eigen::Index s : q->sensels) {
        const Eigen::Vector2d d = xy(s) - mean;
        cov += d * d.transpose();
      }
    const double th = 0.5 * std::atan2(2 * cov(0, 1), cov(0, 0) - cov(1, 1));
    const Eigen::Vector2d u(std::cos(th), std::sin(th)), v(-u.y(), u.x());
    double u0 = 1e300, u1 = -1e300, v0 = 1e300, v1 = -1e300;
    for (const Piece* q : {&a, &b})
      for (Eigen::Index s : q->sensels) {
        const Eigen::Vector2d d = xy(s) - mean;
        u0 = std::min(u0, d.dot(u));
        u1 = std::max(u1, d.dot(u));
        v0 = std::min(v0, d.dot(v));
        v1 = std::max(v1, d.dot(v));
      }
    const double pitch = std::max(pr, pc);
    *length = u1 - u0 + pitch;
    *width = v1 - v0 + pitch;
  }

  // Smallest centre distance between two pieces (mm); bounding boxes first.
  double distance(const Piece& a, const Piece& b) const {
    const double dr = std::max({0, a.rmin - b.rmax, b.rmin - a.rmax}) * pr;
    const double dc = std::max({0, a.cmin - b.cmax, b.cmin - a.cmax}) * pc;
    if (std::hypot(dr, dc) > prm.merge_distance_mm) return std::numeric_limits<double>::infinity();
    // Squared distances rank the pairs; std::hypot (accurate to under one ulp) is taken only for
    // a pair within a relative 1e-9 of the best square so far, so the minimum is the same value
    // as the hypot of every pair would give, at a fraction of the cost.
    b_rc.clear();
    for (Eigen::Index q : b.sensels) b_rc.emplace_back(double(q / cols), double(q % cols));
    double best = std::numeric_limits<double>::infinity();
    double best2 = std::numeric_limits<double>::infinity();
    for (Eigen::Index s : a.sensels) {
      const double ra = double(s / cols), ca = double(s % cols);
      for (const auto& [rb, cb] : b_rc) {
        const double y = (ra - rb) * pr, x = (ca - cb) * pc;
        const double d2 = y * y + x * x;
        if (d2 > best2 * (1.0 + 1e-9)) continue;
        best2 = std::min(best2, d2);
        best = std::min(best, std::hypot(y, x));
      }
    }
    return best;
  }

  bool mergeable(const Piece& a, const Piece& b, double* dist) const {
    const Eigen::Index slack = prm.max_gap_frames + 1;
    if (a.first_frame > b.last_frame + slack || b.first_frame > a.last_frame + slack) return false;
    *dist = distance(a, b);
    if (!(*dist <= prm.merge_distance_mm)) return false;
    double len, wid;
    shape_of(a, b, &len, &wid);
    if (len <= prm.max_foot_length_mm && wid <= prm.max_width_ratio * len) return true;
    // A forefoot and its toes without a heel (toe walking) are as wide as they are long, like
    // two feet side by side; unlike those, the union is no larger than one forefoot and one
    // piece is much smaller than the other (toes against the metatarsal heads).
    const auto na = static_cast<double>(a.sensels.size()), nb = static_cast<double>(b.sensels.size());
    return std::min(na, nb) <= 0.5 * std::max(na, nb) && len <= 0.6 * prm.max_foot_length_mm &&
           wid <= prm.max_width_ratio * prm.max_foot_length_mm;
  }

  static void absorb(Piece& into, Piece&& from) {
    into.first_frame = std::min(into.first_frame, from.first_frame);
    if (from.start_s < into.start_s || into.sensels.empty()) into.start_s = from.start_s;
    if (from.last_frame > into.last_frame) {
      into.last_frame = from.last_frame;
      into.end_s = from.end_s;
    }
    into.at_start = into.at_start || from.at_start;
    into.at_end = into.at_end || from.at_end;
    into.rmin = std::min(into.rmin, from.rmin);
    into.rmax = std::max(into.rmax, from.rmax);
    into.cmin = std::min(into.cmin, from.cmin);
    into.cmax = std::max(into.cmax, from.cmax);
    into.sensels.insert(into.sensels.end(), from.sensels.begin(), from.sensels.end());
    into.peak.insert(into.peak.end(), from.peak.begin(), from.peak.end());
    into.first_s.insert(into.first_s.end(), from.first_s.begin(), from.first_s.end());
    into.last_s.insert(into.last_s.end(), from.last_s.begin(), from.last_s.end());
  }

  void merge_into_pending(Piece piece) {
    for (;;) {
      double best = std::numeric_limits<double>::infinity();
      std::size_t arg = pending.size();
      for (std::size_t i = 0; i < pending.size(); ++i) {
        double d;
        if (mergeable(piece, pending[i], &d) && d < best) {
          best = d;
          arg = i;
        }
      }
      if (arg == pending.size()) break;
      absorb(piece, std::move(pending[arg]));
      pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(arg));
    }
    pending.push_back(std::move(piece));
  }

  // Emits pending pieces that no open or future contact can still merge with.
  void flush(Eigen::Index now) {
    const Eigen::Index slack = prm.max_gap_frames + 1;
    for (std::size_t i = 0; i < pending.size();) {
      const Piece& p = pending[i];
      bool blocked = now <= p.last_frame + slack;
      for (const auto& tr : slots)
        if (tr.used && tr.piece.first_frame <= p.last_frame + slack) blocked = true;
      if (blocked) {
        ++i;
        continue;
      }
      emit(std::move(pending[i]));
      pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }

  void emit(Piece p) {
    TrackedFootfall out;
    Footfall& ff = out.footfall;
    ff.stream = stream_index;
    ff.first_frame = p.first_frame;
    ff.last_frame = p.last_frame;
    ff.start_s = p.start_s;
    ff.end_s = p.end_s;
    std::vector<std::size_t> order(p.sensels.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return p.sensels[a] < p.sensels[b]; });
    double area = 0.0;
    FootfallFlags& fl = ff.flags;
    for (std::size_t k : order) {
      const Eigen::Index s = p.sensels[k];
      ff.sensels.push_back(s);
      out.peak_kpa.push_back(p.peak[k]);
      out.first_loaded_s.push_back(p.first_s[k]);
      out.last_loaded_s.push_back(p.last_s[k]);
      area += areas[s];
      const int r = static_cast<int>(s / cols), c = static_cast<int>(s % cols);
      if (r == 0 || c == 0 || r == rows - 1 || c == cols - 1) fl.edge = true;
      for (int dr = -1; dr <= 1 && !fl.absent_sensel; ++dr)
        for (int dc = -1; dc <= 1; ++dc) {
          const int rr = r + dr, cc = c + dc;
          if (rr >= 0 && cc >= 0 && rr < rows && cc < cols &&
              !present[static_cast<std::size_t>(rr) * static_cast<std::size_t>(cols) +
                       static_cast<std::size_t>(cc)])
            fl.absent_sensel = true;
        }
    }
    fl.time_start = p.at_start;
    fl.time_end = p.at_end;
    fl.too_short = p.last_frame - p.first_frame + 1 < prm.min_contact_frames;
    fl.too_small = area < prm.min_footprint_area_mm2;
    std::vector<std::string> why;
    if (fl.edge) why.push_back("partial: touches the edge of the sensing area");
    if (fl.absent_sensel) why.push_back("partial: touches an absent sensel");
    if (fl.time_start) why.push_back("partial: already in contact at the start of the recording");
    if (fl.time_end) why.push_back("partial: still in contact at the end of the recording");
    ff.partial = fl.partial();
    if (fl.too_short)
      why.push_back("too short: " + std::to_string(p.last_frame - p.first_frame + 1) +
                    " frames < " + std::to_string(prm.min_contact_frames));
    if (fl.too_small) {
      std::ostringstream os;
      os << "too small: footprint " << area << " mm2 < " << prm.min_footprint_area_mm2 << " mm2";
      why.push_back(os.str());
    }
    for (std::size_t i = 0; i < why.size(); ++i) ff.reject_reason += (i ? "; " : "") + why[i];
    finished.push_back(std::move(out));
  }

  void finish() {
    for (std::size_t i = 0; i < slots.size(); ++i)
      if (slots[i].used) close(static_cast<int>(i), true);
    std::sort(pending.begin(), pending.end(),
              [](const Piece& a, const Piece& b) { return a.first_frame < b.first_frame; });
    for (auto& p : pending) emit(std::move(p));
    pending.clear();
  }
};

MatSegmenter::MatSegmenter(const SensorLayout& layout, std::size_t stream_index,
                           const SegmentationParams& params)
    : impl_(new Impl(layout, stream_index, params)) {}
MatSegmenter::~MatSegmenter() { delete impl_; }
MatSegmenter::MatSegmenter(MatSegmenter&& o) noexcept : impl_(o.impl_) { o.impl_ = nullptr; }
MatSegmenter& MatSegmenter::operator=(MatSegmenter&& o) noexcept {
  if (this != &o) {
    delete impl_;
    impl_ = o.impl_;
    o.impl_ = nullptr;
  }
  return *this;
}

void MatSegmenter::push(Eigen::Index frame_index, double time_s,
                        const Eigen::Ref<const Eigen::VectorXf>& pressure_kpa) {
  impl_->push(frame_index, time_s, pressure_kpa);
}

void MatSegmenter::push_stored(Eigen::Index frame_index, double time_s, const Eigen::Index* sensels,
                               const float* values, Eigen::Index count) {
  impl_->push_stored(frame_index, time_s, sensels, values, count);
}

std::vector<TrackedFootfall> MatSegmenter::take_finished() {
  std::vector<TrackedFootfall> out;
  out.swap(impl_->finished);
  return out;
}

std::vector<TrackedFootfall> MatSegmenter::finish() {
  impl_->finish();
  return take_finished();
}

// ---------------------------------------------------------------------------------------------
// Sides on a mat

namespace {

struct FootInfo {
  bool usable = false;       // has a foot frame
  Eigen::Vector2d centroid = Eigen::Vector2d::Zero();
  Eigen::Vector2d u = Eigen::Vector2d::UnitY();
  double shape = 0.0;        // side_from_shape score, + = right
  bool heel_known = true;    // the frame's heel end is decided (u is heel -> toe)
  double weight = 1.0;
};

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(2);
  os << std::fixed << v;
  return os.str();
}

}  // namespace

void assign_mat_sides(const SensorLayout& layout, std::vector<TrackedFootfall>& fs,
                      double standing_min_s) {
  std::sort(fs.begin(), fs.end(), [](const TrackedFootfall& a, const TrackedFootfall& b) {
    return a.footfall.first_frame < b.footfall.first_frame;
  });
  std::vector<FootInfo> info(fs.size());
  Eigen::VectorXf dense = Eigen::VectorXf::Zero(layout.sensor_count());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  LoadTiming timing{Eigen::VectorXd::Constant(layout.sensor_count(), nan),
                    Eigen::VectorXd::Constant(layout.sensor_count(), nan)};
  for (std::size_t i = 0; i < fs.size(); ++i) {
    Footfall& ff = fs[i].footfall;
    ff.side = Side::unknown;
    if (ff.flags.too_short_or_small()) {
      ff.side_reason = "not assigned: " + ff.reject_reason;
      continue;
    }
    const bool timed = fs[i].first_loaded_s.size() == ff.sensels.size() &&
                       fs[i].last_loaded_s.size() == ff.sensels.size();
    for (std::size_t k = 0; k < ff.sensels.size(); ++k) {
      const Eigen::Index s = ff.sensels[k];
      dense[s] = std::max(dense[s], fs[i].peak_kpa[k]);
      if (!timed) continue;
      // A sensel may appear in two merged pieces: keep its earliest and latest loading.
      double& t0 = timing.first_loaded_s[s];
      double& t1 = timing.last_loaded_s[s];
      t0 = std::isnan(t0) ? fs[i].first_loaded_s[k] : std::min(t0, fs[i].first_loaded_s[k]);
      t1 = std::isnan(t1) ? fs[i].last_loaded_s[k] : std::max(t1, fs[i].last_loaded_s[k]);
    }
    // The heel end from the loading sequence (the shape alone reverses some footprints), or
    // from the standing cues for a standing contact.
    FootFrameParams fp;
    fp.standing = ff.end_s - ff.start_s >= standing_min_s;
    auto frame = foot_frame(layout, dense, ff.sensels, Side::right, fp, timed ? &timing : nullptr);
    if (frame) {
      FootInfo& fi = info[i];
      fi.usable = true;
      fi.heel_known = frame->heel_end_known;
      fi.u = frame->u;
      double a = 0;
      for (Eigen::Index s : ff.sensels) {
        fi.centroid += layout.areas_mm2()[s] * layout.centres_mm().row(s).transpose();
        a += layout.areas_mm2()[s];
      }
      fi.centroid /= a;
      fi.shape = side_from_shape(layout, dense, ff.sensels, *frame).score;
      fi.weight = ff.partial ? 0.5 : 1.0;
    } else {
      ff.side_reason = "not assigned: " + frame.error().message;
    }
    for (Eigen::Index s : ff.sensels) {
      dense[s] = 0.0f;
      timing.first_loaded_s[s] = timing.last_loaded_s[s] = nan;
    }
  }

  auto overlap = [&](std::size_t a, std::size_t b) {
    const auto& x = fs[a].footfall;
    const auto& y = fs[b].footfall;
    const double o = std::min(x.end_s, y.end_s) - std::max(x.start_s, y.start_s);
    const double shorter = std::min(x.end_s - x.start_s, y.end_s - y.start_s);
    return shorter > 0 && o >= 0.5 * shorter;
  };

  std::vector<char> done(fs.size(), 0);
  // Standing: two contacts that overlap for most of their duration.
  for (std::size_t a = 0; a < fs.size(); ++a) {
    if (!info[a].usable || done[a]) continue;
    for (std::size_t b = a + 1; b < fs.size(); ++b) {
      if (!info[b].usable || done[b] || !overlap(a, b)) continue;
      const double dur_a = fs[a].footfall.end_s - fs[a].footfall.start_s;
      const double dur_b = fs[b].footfall.end_s - fs[b].footfall.start_s;
      // Walking double support is short relative to stance; standing overlaps nearly fully.
      const double o = std::min(fs[a].footfall.end_s, fs[b].footfall.end_s) -
                       std::max(fs[a].footfall.start_s, fs[b].footfall.start_s);
      if (o < 0.8 * std::max(dur_a, dur_b)) continue;
      // The common forward direction needs at least one decided heel end: two feet standing
      // side by side face the same way, so one decided foot orients the pair.
      if (!info[a].heel_known && !info[b].heel_known) {
        const std::string why = "standing pair: heel end undecided for both feet, so left and "
                                "right cannot be told (side unknown)";
        fs[a].footfall.side_reason = why;
        fs[b].footfall.side_reason = why;
        done[a] = done[b] = 1;
        break;
      }
      Eigen::Vector2d fwd;
      if (info[a].heel_known && info[b].heel_known)
        fwd = info[a].u + (info[a].u.dot(info[b].u) >= 0 ? info[b].u : -info[b].u);
      else
        fwd = info[a].heel_known ? info[a].u : info[b].u;
      fwd.normalize();
      const double offset = (info[b].centroid - info[a].centroid).dot(right_of(fwd));
      // Evidence that b is the right foot (and a the left). A foot whose own heel end is
      // undecided has no shape vote (its toe vote and lateral side depend on it).
      const double pos_vote = std::tanh(offset / 50.0);
      auto shape_of = [&](std::size_t k) { return info[k].heel_known ? info[k].shape : 0.0; };
      const double shape_vote = 0.5 * (shape_of(b) - shape_of(a));
      const double e = pos_vote + shape_vote;
      const bool b_right = e >= 0;
      fs[a].footfall.side = b_right ? Side::left : Side::right;
      fs[b].footfall.side = b_right ? Side::right : Side::left;
      const std::string why = "standing pair: relative position " + fmt(pos_vote) +
                              ", shape " + fmt(shape_vote) + " (evidence " + fmt(std::abs(e)) +
                              ")";
      fs[a].footfall.side_reason = why;
      fs[b].footfall.side_reason = why;
      done[a] = done[b] = 1;
      break;
    }
  }

  // Walking: sequences of successive steps that alternate.
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < fs.size(); ++i) {
    if (!info[i].usable || done[i]) continue;
    if (!info[i].heel_known) {
      // Side from shape or position needs the heel end; a lone standing foot without one stays
      // unknown rather than guessed.
      fs[i].footfall.side_reason = "heel end undecided (standing cues disagree): side unknown";
      continue;
    }
    idx.push_back(i);
  }
  std::size_t begin = 0;
  while (begin < idx.size()) {
    std::size_t end = begin + 1;
    while (end < idx.size()) {
      const auto& p = info[idx[end - 1]];
      const auto& q = info[idx[end]];
      const double dt = fs[idx[end]].footfall.start_s - fs[idx[end - 1]].footfall.start_s;
      if (dt > 1.5 || (q.centroid - p.centroid).norm() > 1500.0 || p.u.dot(q.u) < 0) break;
      ++end;
    }
    const std::size_t m = end - begin;
    // Evidence that the first footfall of the sequence is a right foot.
    double e_shape = 0.0, e_step = 0.0;
    std::vector<double> step_vote(m, 0.0);
    for (std::size_t k = 0; k < m; ++k) {
      const double sign = (k % 2 == 0) ? 1.0 : -1.0;
      const FootInfo& fi = info[idx[begin + k]];
      e_shape += sign * fi.weight * fi.shape;
      if (m >= 2) {
        const FootInfo& prev = info[idx[begin + (k == 0 ? 1 : k - 1)]];
        const FootInfo& next = info[idx[begin + (k + 1 < m ? k + 1 : k - 1)]];
        Eigen::Vector2d dir = next.centroid - prev.centroid;
        if (k == 0 || k + 1 == m || dir.norm() < 1e-6) {
          dir = fi.u + prev.u;  // one neighbour: walking direction from the feet
          dir.normalize();
        } else {
          dir.normalize();
          if (dir.dot(fi.u) < 0) dir = -dir;
        }
        const double offset = (fi.centroid - prev.centroid).dot(right_of(dir));
        step_vote[k] = std::tanh(offset / 30.0);
        e_step += sign * step_vote[k];
      }
    }
    const double e = e_shape + e_step;
    if (m == 1 && std::abs(e) < 0.05) {
      fs[idx[begin]].footfall.side_reason = "undecided: single footfall with ambiguous shape (" +
                                            fmt(info[idx[begin]].shape) + ")";
    } else {
      int shape_agree = 0, step_agree = 0;
      for (std::size_t k = 0; k < m; ++k) {
        const bool right = ((k % 2 == 0) == (e >= 0));
        Footfall& ff = fs[idx[begin + k]].footfall;
        ff.side = right ? Side::right : Side::left;
        const double sgn = right ? 1.0 : -1.0;
        shape_agree += sgn * info[idx[begin + k]].shape > 0 ? 1 : 0;
        step_agree += sgn * step_vote[k] > 0 ? 1 : 0;
      }
      const std::string why =
          m == 1 ? "foot shape only (score " + fmt(info[idx[begin]].shape) + ")"
                 : "gait alternation over " + std::to_string(m) + " footfalls; shape agrees " +
                       std::to_string(shape_agree) + "/" + std::to_string(m) +
                       ", step width agrees " + std::to_string(step_agree) + "/" +
                       std::to_string(m) + " (evidence " + fmt(std::abs(e)) + ")";
      for (std::size_t k = 0; k < m; ++k) fs[idx[begin + k]].footfall.side_reason = why;
    }
    begin = end;
  }
}

// ---------------------------------------------------------------------------------------------
// Insoles and the public entry point

namespace {

std::vector<Footfall> insole_stances(const FrameView& stream, std::size_t stream_index,
                                     const SegmentationParams& prm) {
  std::vector<Footfall> out;
  const Eigen::Index n = stream.frame_count();
  if (n == 0) return out;
  // Total force per frame as total_force_n() computes it (NaN-safe weighted row sums).
  Eigen::VectorXd force = Eigen::VectorXd::Zero(n);
  {
    const auto& areas = stream.info().layout.areas_mm2();
    const Eigen::Index cols = stream.dense() ? stream.stride() : stream.sensor_count();
    for (Eigen::Index f = 0; f < n; ++f) {
      double sum = 0.0;
      for (Eigen::Index s = 0; s < cols; ++s) {
        const float p = stream.at(f, s);
        if (std::isfinite(p) && std::isfinite(areas[s])) sum += double(p) * areas[s];
      }
      force[f] = sum * 1e-3;
    }
  }
  double thr;
  if (prm.force_threshold_n) {
    thr = *prm.force_threshold_n;
  } else {
    const double lo = prm.standing_trial ? 0.0 : force.minCoeff(), hi = force.maxCoeff();
    if (!(hi > lo)) return out;  // constant force: no stance can be told apart
    thr = lo + prm.force_threshold_fraction * (hi - lo);
  }
  std::vector<Eigen::Index> all;
  const auto& present = stream.info().layout.present();
  for (Eigen::Index s = 0; s < stream.info().layout.sensor_count(); ++s)
    if (present[static_cast<std::size_t>(s)]) all.push_back(s);
  Eigen::Index f = 0;
  while (f < n) {
    if (!(force[f] > thr)) {
      ++f;
      continue;
    }
    Eigen::Index g = f;
    while (g + 1 < n && force[g + 1] > thr) ++g;
    Footfall ff;
    ff.stream = stream_index;
    ff.side = stream.info().side;
    ff.side_reason = "stream side";
    ff.first_frame = f;
    ff.last_frame = g;
    ff.start_s = stream.time(f);
    ff.end_s = stream.time(g);
    ff.sensels = all;
    ff.flags.time_start = f == 0;
    ff.flags.time_end = g == n - 1;
    ff.flags.too_short = g - f + 1 < prm.min_stance_frames;
    std::vector<std::string> why;
    if (ff.flags.time_start) why.push_back("partial: already in stance at the start of the recording");
    if (ff.flags.time_end) why.push_back("partial: still in stance at the end of the recording");
    ff.partial = ff.flags.partial();
    if (ff.flags.too_short)
      why.push_back("too short: " + std::to_string(g - f + 1) + " frames < " +
                    std::to_string(prm.min_stance_frames));
    for (std::size_t i = 0; i < why.size(); ++i) ff.reject_reason += (i ? "; " : "") + why[i];
    out.push_back(std::move(ff));
    f = g + 1;
  }
  return out;
}

}  // namespace

std::vector<Footfall> find_footfalls(const FrameView& stream, std::size_t stream_index,
                                     const SegmentationParams& params) {
  if (is_insole_stream(stream.info())) return insole_stances(stream, stream_index, params);
  MatSegmenter seg(stream.info().layout, stream_index, params);
  std::vector<TrackedFootfall> all;
  const Eigen::Index n = stream.sensor_count();
  if (stream.dense() && stream.frame_count() > 0 && stream.stride() != n)
    throw std::invalid_argument("frame size does not match the layout");
  // A compact window whose unstored sensels read at most the threshold (they read 0) is fed by
  // its stored columns alone: the loaded sensels are among them, so nothing else is looked at.
  const bool stored_only = !stream.dense() && !(stream.unstored() > static_cast<float>(params.active_threshold_kpa));
  std::vector<Eigen::Index> sensel_of;  // stored_only: layout index of each stored column, in order
  std::vector<Eigen::Index> column_order;  // stored columns by increasing sensel
  std::vector<float> values;
  if (stored_only) {
    for (Eigen::Index s = 0; s < n; ++s)
      if (const int c = stream.column_of(s); c >= 0) {
        column_order.push_back(c);
        sensel_of.push_back(s);
      }
    values.resize(column_order.size());
  }
  Eigen::VectorXf scratch(stored_only ? 0 : n);  // compact frames are otherwise expanded here
  for (Eigen::Index f = 0; f < stream.frame_count(); ++f) {
    if (const float* d = stream.dense_row(f)) {
      seg.push(f, stream.time(f), Eigen::Map<const Eigen::VectorXf>(d, n));
    } else if (stored_only) {
      const float* r = stream.stored_row(f);
      for (std::size_t k = 0; k < column_order.size(); ++k) values[k] = r[column_order[k]];
      seg.push_stored(f, stream.time(f), sensel_of.data(), values.data(), static_cast<Eigen::Index>(values.size()));
    } else {
      stream.row(f, scratch.data());
      seg.push(f, stream.time(f), scratch);
    }
    for (auto& t : seg.take_finished()) all.push_back(std::move(t));
  }
  for (auto& t : seg.finish()) all.push_back(std::move(t));
  assign_mat_sides(stream.info().layout, all, params.standing_min_s);
  std::vector<Footfall> out;
  out.reserve(all.size());
  for (auto& t : all) out.push_back(std::move(t.footfall));
  return out;
}

void grow_to_registered_contact(const FrameView& stream, std::vector<Footfall>& footfalls,
                                const std::vector<std::size_t>& grow, double floor_kpa) {
  const SensorLayout& layout = stream.info().layout;
  if (!layout.is_grid() || grow.empty()) return;
  const int rows = layout.rows(), cols = layout.cols();
  const auto& present = layout.present();
  const auto n = static_cast<std::size_t>(layout.sensor_count());
  // owner: index into `grow` of the footfall a sensel belongs to; -1 free; -2 taken by a
  // footfall that is not grown but overlaps one of them in time.
  std::vector<int> owner(n, -1);
  auto overlaps = [&](const Footfall& a, const Footfall& b) {
    return a.first_frame <= b.last_frame && b.first_frame <= a.last_frame;
  };
  for (std::size_t i = 0; i < footfalls.size(); ++i) {
    if (std::find(grow.begin(), grow.end(), i) != grow.end()) continue;
    bool concurrent = false;
    for (std::size_t g : grow) concurrent = concurrent || overlaps(footfalls[i], footfalls[g]);
    if (!concurrent) continue;
    for (Eigen::Index s : footfalls[i].sensels)
      if (s >= 0 && static_cast<std::size_t>(s) < n) owner[static_cast<std::size_t>(s)] = -2;
  }
  std::vector<std::pair<Eigen::Index, int>> queue;
  for (std::size_t k = 0; k < grow.size(); ++k)
    for (Eigen::Index s : footfalls[grow[k]].sensels)
      if (s >= 0 && static_cast<std::size_t>(s) < n && owner[static_cast<std::size_t>(s)] == -1) {
        owner[static_cast<std::size_t>(s)] = static_cast<int>(k);
        queue.emplace_back(s, static_cast<int>(k));
      }
  const auto floor = static_cast<float>(floor_kpa);
  auto registered = [&](Eigen::Index s, const Footfall& ff) {
    for (Eigen::Index f = ff.first_frame; f <= ff.last_frame; ++f)
      if (stream.at(f, s) > floor) return true;  // NaN compares false
    return false;
  };
  std::vector<std::vector<Eigen::Index>> added(grow.size());
  // Breadth first from all footprints at once: a sensel goes to the footprint that reaches it
  // first, so two feet that nearly touch share their fringe fairly.
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const auto [s, k] = queue[head];
    Footfall& ff = footfalls[grow[static_cast<std::size_t>(k)]];
    const int r = static_cast<int>(s / cols), c = static_cast<int>(s % cols);
    for (int dr = -1; dr <= 1; ++dr)
      for (int dc = -1; dc <= 1; ++dc) {
        const int rr = r + dr, cc = c + dc;
        if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
        const Eigen::Index q = layout.index(rr, cc);
        const auto qi = static_cast<std::size_t>(q);
        if (owner[qi] != -1 || !registered(q, ff)) continue;
        owner[qi] = k;
        added[static_cast<std::size_t>(k)].push_back(q);
        queue.emplace_back(q, k);
      }
  }
  for (std::size_t k = 0; k < grow.size(); ++k) {
    Footfall& ff = footfalls[grow[k]];
    if (added[k].empty()) continue;
    ff.sensels.insert(ff.sensels.end(), added[k].begin(), added[k].end());
    std::sort(ff.sensels.begin(), ff.sensels.end());
    bool edge = false, absent = false;
    for (Eigen::Index s : added[k]) {
      const int r = static_cast<int>(s / cols), c = static_cast<int>(s % cols);
      if (r == 0 || c == 0 || r == rows - 1 || c == cols - 1) edge = true;
      for (int dr = -1; dr <= 1; ++dr)
        for (int dc = -1; dc <= 1; ++dc) {
          const int rr = r + dr, cc = c + dc;
          if (rr >= 0 && cc >= 0 && rr < rows && cc < cols &&
              !present[static_cast<std::size_t>(layout.index(rr, cc))])
            absent = true;
        }
    }
    std::string why;
    if (edge && !ff.flags.edge) why = "partial: touches the edge of the sensing area";
    if (absent && !ff.flags.absent_sensel)
      why += std::string(why.empty() ? "" : "; ") + "partial: touches an absent sensel";
    ff.flags.edge = ff.flags.edge || edge;
    ff.flags.absent_sensel = ff.flags.absent_sensel || absent;
    ff.partial = ff.partial || ff.flags.partial();
    if (!why.empty()) ff.reject_reason += (ff.reject_reason.empty() ? "" : "; ") + why;
  }
}

LoadTiming load_timing(const FrameView& stream, const Footfall& ff, double threshold_kpa) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Eigen::Index n = stream.info().layout.sensor_count();
  LoadTiming t{Eigen::VectorXd::Constant(n, nan), Eigen::VectorXd::Constant(n, nan)};
  if (ff.first_frame < 0 || ff.last_frame >= stream.frame_count() || ff.last_frame < ff.first_frame)
    throw std::out_of_range("footfall frames outside the stream");
  const auto thr = static_cast<float>(threshold_kpa);
  for (Eigen::Index s : ff.sensels) {
    if (s < 0 || s >= n) continue;
    for (Eigen::Index f = ff.first_frame; f <= ff.last_frame; ++f)
      if (stream.at(f, s) > thr) {  // NaN compares false
        if (std::isnan(t.first_loaded_s[s])) t.first_loaded_s[s] = stream.time(f);
        t.last_loaded_s[s] = stream.time(f);
      }
  }
  return t;
}

Eigen::VectorXf peak_footprint(const FrameView& stream, const Footfall& ff) {
  Eigen::VectorXf peak = Eigen::VectorXf::Zero(stream.info().layout.sensor_count());
  if (ff.first_frame < 0 || ff.last_frame >= stream.frame_count() || ff.last_frame < ff.first_frame)
    throw std::out_of_range("footfall frames outside the stream");
  for (Eigen::Index s : ff.sensels) {
    float m = 0.0f;
    for (Eigen::Index f = ff.first_frame; f <= ff.last_frame; ++f) {
      const float p = stream.at(f, s);
      if (p > m) m = p;  // NaN compares false
    }
    peak[s] = m;
  }
  return peak;
}

}  // namespace insole::analysis
