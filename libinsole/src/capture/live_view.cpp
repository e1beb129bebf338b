#include "insole/capture/live_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace insole::capture {

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Dark blue -> cyan -> green -> yellow -> red on the xterm 256-colour cube (6 levels per channel).
int colour_index(double fraction) {
  static const int ramp[] = {17, 19, 27, 33, 39, 45, 49, 48, 82, 118, 154, 190, 226, 220, 214, 208, 202, 196};
  constexpr int n = int(sizeof ramp / sizeof ramp[0]);
  const int i = std::clamp(int(fraction * (n - 1) + 0.5), 0, n - 1);
  return ramp[i];
}

// Shades for terminals without colour, darkest to fullest.
const char* shade(double fraction) {
  static const char* levels[] = {"  ", "..", "::", "--", "==", "++", "**", "##", "@@"};
  const int i = std::clamp(int(fraction * 8 + 0.5), 0, 8);
  return levels[i];
}

}  // namespace

Eigen::MatrixXf pool_for_view(const SensorLayout& layout, const Eigen::VectorXf& pressure_kpa,
                              int max_rows, int max_cols) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  if (max_rows < 1 || max_cols < 1 || pressure_kpa.size() != layout.sensor_count())
    return Eigen::MatrixXf();
  int src_rows, src_cols;
  std::vector<std::pair<int, int>> cell_of(static_cast<std::size_t>(layout.sensor_count()));
  if (layout.is_grid()) {
    src_rows = layout.rows();
    src_cols = layout.cols();
    for (int r = 0; r < src_rows; ++r)
      for (int c = 0; c < src_cols; ++c) cell_of[std::size_t(layout.index(r, c))] = {r, c};
  } else if (layout.has_geometry() && layout.sensor_count() > 0) {
    // Heel at the bottom: y grows upwards on screen, so row 0 is the largest y.
    const auto& xy = layout.centres_mm();
    const double x0 = xy.col(0).minCoeff(), x1 = xy.col(0).maxCoeff();
    const double y0 = xy.col(1).minCoeff(), y1 = xy.col(1).maxCoeff();
    src_rows = max_rows;
    src_cols = max_cols;
    for (Eigen::Index i = 0; i < xy.rows(); ++i) {
      const double fx = x1 > x0 ? (xy(i, 0) - x0) / (x1 - x0) : 0.5;
      const double fy = y1 > y0 ? (y1 - xy(i, 1)) / (y1 - y0) : 0.5;
      cell_of[std::size_t(i)] = {std::clamp(int(fy * (src_rows - 1) + 0.5), 0, src_rows - 1),
                                 std::clamp(int(fx * (src_cols - 1) + 0.5), 0, src_cols - 1)};
    }
  } else {
    src_rows = 1;
    src_cols = int(layout.sensor_count());
    for (int i = 0; i < src_cols; ++i) cell_of[std::size_t(i)] = {0, i};
  }
  if (src_rows < 1 || src_cols < 1) return Eigen::MatrixXf();
  const int out_rows = std::min(src_rows, max_rows);
  const int out_cols = std::min(src_cols, max_cols);
  Eigen::MatrixXf sum = Eigen::MatrixXf::Zero(out_rows, out_cols);
  Eigen::MatrixXi count = Eigen::MatrixXi::Zero(out_rows, out_cols);
  const auto& present = layout.present();
  for (Eigen::Index i = 0; i < pressure_kpa.size(); ++i) {
    const float v = pressure_kpa[i];
    if (!std::isfinite(v) || (!present.empty() && !present[std::size_t(i)])) continue;
    const auto [r, c] = cell_of[std::size_t(i)];
    const int orow = int(std::int64_t(r) * out_rows / src_rows);
    const int ocol = int(std::int64_t(c) * out_cols / src_cols);
    sum(orow, ocol) += v;
    ++count(orow, ocol);
  }
  Eigen::MatrixXf out(out_rows, out_cols);
  for (int r = 0; r < out_rows; ++r)
    for (int c = 0; c < out_cols; ++c) out(r, c) = count(r, c) ? sum(r, c) / float(count(r, c)) : nan;
  return out;
}

std::string render_status_line(const CaptureProgress& p) {
  std::ostringstream os;
  os << "t=" << fixed(p.elapsed_s, 1) << "s";
  for (const auto& s : p.streams)
    os << " | " << s.info.name << ": " << s.frames << " fr " << fixed(s.rate_hz, 1) << " Hz "
       << fixed(s.total_force_n, 0) << " N";
  std::uint64_t lost = 0, crc = 0, ovf = 0, resync = 0, reconnects = 0;
  for (const auto& s : p.sources) {
    lost += s.stats.lost_frames;
    crc += s.stats.checksum_errors;
    ovf += s.stats.overflows;
    resync += s.stats.resyncs;
    reconnects += s.stats.reconnects;
  }
  os << " | lost " << lost << " crc " << crc << " resync " << resync << " ovf " << ovf;
  if (reconnects) os << " reconnects " << reconnects;
  for (const auto& s : p.sources)
    if (s.state == SourceState::reconnecting || s.state == SourceState::failed)
      os << " | " << s.uri << " " << to_string(s.state);
  return os.str();
}

std::string render_live_view(const CaptureProgress& p, const LiveViewStyle& style) {
  std::ostringstream os;
  if (style.colour) os << "\x1b[H\x1b[2J";
  os << "recording  " << fixed(p.elapsed_s, 1) << " s" << (p.finished ? "  (finished)" : "")
     << "   Ctrl-C stops and saves\n";
  for (const auto& s : p.sources) {
    os << "  source " << s.uri << "  [" << to_string(s.state) << "]  lost " << s.stats.lost_frames
       << "  checksum " << s.stats.checksum_errors << "  resyncs " << s.stats.resyncs
       << "  overflow " << s.stats.overflows << "  reconnects " << s.stats.reconnects;
    if (!s.last_error.empty() && s.state != SourceState::streaming) os << "  (" << s.last_error << ")";
    os << "\n";
  }
  for (const auto& s : p.streams) {
    os << "  " << s.info.name << " (" << to_string(s.info.side) << "): " << s.frames << " frames  "
       << fixed(s.rate_hz, 1) << " Hz  total force " << fixed(s.total_force_n, 0) << " N\n";
    if (s.latest_kpa.size() == 0) continue;
    const Eigen::MatrixXf cells =
        pool_for_view(s.info.layout, s.latest_kpa, style.map_max_rows, style.map_max_cols);
    for (Eigen::Index r = 0; r < cells.rows(); ++r) {
      os << "    ";
      for (Eigen::Index c = 0; c < cells.cols(); ++c) {
        const float v = cells(r, c);
        if (!std::isfinite(v)) {
          os << (style.colour ? "\x1b[0m  " : "  ");
          continue;
        }
        const double f = std::clamp(double(v) / style.full_scale_kpa, 0.0, 1.0);
        if (style.colour)
          os << "\x1b[48;5;" << (v <= 0.0f ? 16 : colour_index(f)) << "m  ";
        else
          os << shade(f);
      }
      os << (style.colour ? "\x1b[0m\n" : "\n");
    }
  }
  return os.str();
}

}  // namespace insole::capture
