#pragma once
// Tiles composed into one grid on one clock. Each tile is a source of one grid stream (e.g. a
// 32 x 32 film tile behind its own ESP32 scanner, on its own serial port), placed at a row and
// column offset of a larger grid (two tiles side by side: 32 x 64; four: 64 x 64). The tiles'
// sources must stamp time on the same clock (every SerialSource of one capture does), so their
// frames can be put together.
//
// Composition, decided only by the order in which tile frames arrive (no timers):
//  - a composed frame is emitted as soon as every tile has sent a frame since the last one; it
//    holds each tile's latest frame and the time of the latest of them;
//  - when a tile sends a second frame before the others caught up, or a frame more than
//    `window_s` later than the earliest frame waiting (a tile is slower, lost a frame or is
//    unplugged), the waiting frames are emitted at once with the tiles that did not send left
//    out: their cells are NaN for that frame (missing, not zero) and each counts as a lost frame
//    (SourceStats::lost_frames). So a dead tile blanks its part of the grid instead of stopping
//    the others.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "insole/core/frame_source.hpp"

namespace insole {

struct TilePlacement {
  int row = 0;  ///< row of the composed grid where the tile's row 0 goes
  int col = 0;  ///< column of the composed grid where the tile's column 0 goes
};

struct TiledOptions {
  std::string name = "mat";  ///< the composed stream's name
  int rows = 0, cols = 0;    ///< the composed grid
  std::vector<TilePlacement> tiles;  ///< one per source, in the same order
  std::string device;        ///< StreamInfo::device of the composed stream (default: the tiles')
  /// Tile frames further apart than this (s) never share a composed frame; 0: half the tiles'
  /// nominal frame period (0.05 s when the rate is unknown).
  double window_s = 0;
};

class TiledSource final : public FrameSource {
 public:
  /// Checks that every source has exactly one grid stream, that the tiles have one pitch and one
  /// unit, fit inside rows x cols and do not overlap; errors name the tile and what is wrong.
  /// Cells covered by no tile stay NaN.
  static Result<std::unique_ptr<TiledSource>> make(std::vector<std::unique_ptr<FrameSource>> tiles,
                                                   TiledOptions options);
  Status start() override;
  Result<PressureFrame> next(std::chrono::milliseconds timeout) override;
  void stop() override;
  const SourceInfo& info() const override { return info_; }
  /// Sums of the tiles' counters; `frames` counts composed frames, `lost_frames` adds the tiles
  /// left out of composed frames.
  SourceStats stats() const override;

 private:
  TiledSource() = default;
  /// Takes tile `k`'s frame; returns a composed frame when one is complete.
  std::optional<PressureFrame> take(std::size_t k, PressureFrame frame);
  PressureFrame compose();

  std::vector<std::unique_ptr<FrameSource>> tiles_;
  TiledOptions opt_;
  SourceInfo info_;
  std::vector<std::optional<PressureFrame>> fresh_;  // per tile: a frame since the last compose
  std::vector<bool> ended_;
  std::size_t next_tile_ = 0;  // round-robin start
  std::uint64_t composed_ = 0, left_out_ = 0;
  double last_time_ = -1.0;
  double window_s_ = 0.05;
  std::optional<PressureFrame> pending_;  // complete frame held back (see take())
};

}  // namespace insole
