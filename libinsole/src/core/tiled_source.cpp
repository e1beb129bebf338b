#include "insole/core/tiled_source.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <thread>

namespace insole {

namespace {

Error bad(const std::string& what) { return Error{Errc::invalid_argument, "tiled source: " + what}; }

}  // namespace

Result<std::unique_ptr<TiledSource>> TiledSource::make(std::vector<std::unique_ptr<FrameSource>> tiles,
                                                       TiledOptions opt) {
  if (tiles.empty()) return bad("no tiles");
  if (opt.tiles.size() != tiles.size())
    return bad(std::to_string(tiles.size()) + " tile sources but " + std::to_string(opt.tiles.size()) +
               " placements");
  if (opt.rows < 1 || opt.cols < 1 || static_cast<long long>(opt.rows) * opt.cols > (1 << 22))
    return bad("the composed grid must have 1.." + std::to_string(1 << 22) + " cells, got " +
               std::to_string(opt.rows) + "x" + std::to_string(opt.cols));
  std::vector<int> owner(static_cast<std::size_t>(opt.rows) * static_cast<std::size_t>(opt.cols), -1);
  const StreamInfo* first = nullptr;
  std::ostringstream layout_text;
  for (std::size_t k = 0; k < tiles.size(); ++k) {
    const std::string tile = "tile " + std::to_string(k);
    if (!tiles[k]) return bad(tile + " has no source");
    const auto& streams = tiles[k]->info().streams;
    if (streams.size() != 1 || !streams[0].layout.is_grid())
      return bad(tile + " (" + tiles[k]->info().uri + ") must have exactly one grid stream, it has " +
                 std::to_string(streams.size()) + " stream(s)");
    const StreamInfo& s = streams[0];
    if (!first) first = &s;
    if (std::abs(s.layout.row_pitch_mm() - first->layout.row_pitch_mm()) > 1e-9 ||
        std::abs(s.layout.col_pitch_mm() - first->layout.col_pitch_mm()) > 1e-9)
      return bad(tile + " has another pitch than tile 0");
    if (s.units != first->units) return bad(tile + " has other units than tile 0");
    const TilePlacement& p = opt.tiles[k];
    const int tr = s.layout.rows(), tc = s.layout.cols();
    if (p.row < 0 || p.col < 0 || p.row > opt.rows - tr || p.col > opt.cols - tc)
      return bad(tile + " (" + std::to_string(tr) + "x" + std::to_string(tc) + " at row " +
                 std::to_string(p.row) + ", column " + std::to_string(p.col) + ") does not fit in " +
                 std::to_string(opt.rows) + "x" + std::to_string(opt.cols));
    for (int r = 0; r < tr; ++r)
      for (int c = 0; c < tc; ++c) {
        int& o = owner[static_cast<std::size_t>(p.row + r) * static_cast<std::size_t>(opt.cols) +
                       static_cast<std::size_t>(p.col + c)];
        if (o >= 0) return bad(tile + " overlaps tile " + std::to_string(o));
        o = static_cast<int>(k);
      }
    layout_text << (k ? "; " : "") << tr << "x" << tc << " at row " << p.row << ", column " << p.col
                << " from " << tiles[k]->info().uri;
  }
  std::unique_ptr<TiledSource> t(new TiledSource());
  StreamInfo out;
  out.name = opt.name;
  out.layout = SensorLayout::grid(opt.rows, opt.cols, first->layout.row_pitch_mm(), first->layout.col_pitch_mm())
                   .value();
  out.side = first->side;
  out.units = first->units;
  out.sample_rate_hz = first->sample_rate_hz;
  out.device = opt.device.empty() ? first->device + " x " + std::to_string(tiles.size()) : opt.device;
  out.attributes = first->attributes;
  out.attributes["tiles"] = layout_text.str();
  t->info_.uri = "tiles:" + std::to_string(tiles.size());
  t->info_.description = std::to_string(tiles.size()) + " tiles composed into " + std::to_string(opt.rows) +
                         "x" + std::to_string(opt.cols);
  t->info_.streams = {std::move(out)};
  if (!(opt.window_s >= 0) || !std::isfinite(opt.window_s)) return bad("window_s must be >= 0 and finite");
  t->window_s_ = opt.window_s > 0 ? opt.window_s : first->sample_rate_hz > 0 ? 0.5 / first->sample_rate_hz : 0.05;
  t->fresh_.resize(tiles.size());
  t->ended_.assign(tiles.size(), false);
  t->tiles_ = std::move(tiles);
  t->opt_ = std::move(opt);
  return t;
}

Status TiledSource::start() {
  for (std::size_t k = 0; k < tiles_.size(); ++k)
    if (auto st = tiles_[k]->start(); !st) {
      for (std::size_t j = 0; j < k; ++j) tiles_[j]->stop();
      return Error{st.error().code, "tile " + std::to_string(k) + ": " + st.error().message};
    }
  return {};
}

void TiledSource::stop() {
  for (auto& t : tiles_) t->stop();
}

PressureFrame TiledSource::compose() {
  PressureFrame f;
  f.stream = 0;
  f.sequence = composed_++;
  f.pressure_kpa = Eigen::VectorXf::Constant(static_cast<Eigen::Index>(opt_.rows) * opt_.cols,
                                             std::numeric_limits<float>::quiet_NaN());
  double t = -std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < tiles_.size(); ++k) {
    if (!fresh_[k]) {
      if (!ended_[k]) ++left_out_;
      continue;
    }
    const SensorLayout& l = tiles_[k]->info().streams[0].layout;
    const TilePlacement& p = opt_.tiles[k];
    const Eigen::VectorXf& v = fresh_[k]->pressure_kpa;
    for (int r = 0; r < l.rows(); ++r)
      for (int c = 0; c < l.cols(); ++c) {
        const Eigen::Index src = static_cast<Eigen::Index>(r) * l.cols() + c;
        if (src < v.size())
          f.pressure_kpa(static_cast<Eigen::Index>(p.row + r) * opt_.cols + (p.col + c)) = v(src);
      }
    t = std::max(t, fresh_[k]->time_s);
    fresh_[k].reset();
  }
  // Tiles stamp time on one clock, so the latest tile time increases; kept strictly increasing
  // for the rare composed frame made only of tiles older than the last one.
  if (!(t > last_time_)) t = last_time_ + 1e-6;
  f.time_s = last_time_ = t;
  return f;
}

std::optional<PressureFrame> TiledSource::take(std::size_t k, PressureFrame frame) {
  std::optional<PressureFrame> out;
  double earliest = std::numeric_limits<double>::infinity();
  for (const auto& f : fresh_)
    if (f) earliest = std::min(earliest, f->time_s);
  // Tile k is ahead, or its frame belongs to a later moment: emit what the others managed to send.
  if (fresh_[k] || frame.time_s - earliest > window_s_) out = compose();
  fresh_[k] = std::move(frame);
  bool all = true;
  for (std::size_t j = 0; j < tiles_.size(); ++j) all = all && (fresh_[j] || ended_[j]);
  if (all) {
    if (out) pending_ = compose();  // both complete at once: hand the second out next time
    else out = compose();
  }
  return out;
}

Result<PressureFrame> TiledSource::next(std::chrono::milliseconds timeout) {
  if (pending_) {
    PressureFrame f = std::move(*pending_);
    pending_.reset();
    return f;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    bool any = false;
    const std::size_t first = next_tile_;  // one sweep over every tile, from where the last stopped
    for (std::size_t i = 0; i < tiles_.size(); ++i) {
      const std::size_t k = (first + i) % tiles_.size();
      if (ended_[k]) continue;
      auto r = tiles_[k]->next(std::chrono::milliseconds(0));
      if (!r) {
        if (r.error().code == Errc::end_of_stream) {
          ended_[k] = true;
          continue;
        }
        if (r.error().code == Errc::timeout) continue;
        next_tile_ = (k + 1) % tiles_.size();
        return Error{r.error().code, "tile " + std::to_string(k) + ": " + r.error().message};
      }
      any = true;
      next_tile_ = (k + 1) % tiles_.size();
      if (r->stream != 0) continue;
      if (auto out = take(k, std::move(r).value())) return std::move(*out);
    }
    if (std::all_of(ended_.begin(), ended_.end(), [](bool e) { return e; })) {
      if (std::any_of(fresh_.begin(), fresh_.end(), [](const auto& f) { return f.has_value(); }))
        return compose();  // what the tiles sent last
      return Error{Errc::end_of_stream, "all tiles ended"};
    }
    if (!any) {
      if (std::chrono::steady_clock::now() >= deadline) return Error{Errc::timeout, "no tile frame yet"};
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
}

SourceStats TiledSource::stats() const {
  SourceStats s;
  for (const auto& t : tiles_) {
    const SourceStats c = t->stats();
    s.lost_frames += c.lost_frames;
    s.checksum_errors += c.checksum_errors;
    s.resyncs += c.resyncs;
    s.overflows += c.overflows;
    s.reconnects += c.reconnects;
  }
  s.frames = composed_;
  s.lost_frames += left_out_;
  return s;
}

}  // namespace insole
