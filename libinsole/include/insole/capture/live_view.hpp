#pragma once
// Text rendering of capture progress: a live terminal view (elapsed time, frame rates,
// lost/checksum/overflow counts, total force per stream and a small coloured pressure map per
// stream) and a plain one-line form for logs when stdout is not a terminal. Pure functions from
// a CaptureProgress to a string; the CLI decides where to print.

#include <string>

#include "insole/capture/capture.hpp"

namespace insole::capture {

struct LiveViewStyle {
  /// Use ANSI colours (256-colour background cells) for the pressure maps.
  bool colour = true;
  /// Largest map size in character cells per stream (each cell is two characters wide).
  int map_max_rows = 12;
  int map_max_cols = 16;
  /// Pressure shown at full colour, kPa; higher values saturate. 400 kPa is about peak
  /// forefoot pressure in walking, so the map does not saturate for ordinary steps.
  double full_scale_kpa = 400.0;
};

/// The multi-line live view. Starts with the ANSI "cursor home + clear" sequence when
/// style.colour is set, so printing it repeatedly redraws in place.
std::string render_live_view(const CaptureProgress& progress, const LiveViewStyle& style = {});

/// One line for logs: "t=12.5s left: 1250 fr 100.0 Hz 412 N | right: ... | lost 0 crc 0 ovf 0".
std::string render_status_line(const CaptureProgress& progress);

/// Pools one frame into at most max_rows x max_cols cells (mean of present sensels, kPa; NaN
/// where a cell holds no sensel). Grids pool by rows/columns; sensor sets are placed by their
/// centres (sets without geometry become one row in index order).
Eigen::MatrixXf pool_for_view(const SensorLayout& layout, const Eigen::VectorXf& pressure_kpa,
                              int max_rows, int max_cols);

}  // namespace insole::capture
