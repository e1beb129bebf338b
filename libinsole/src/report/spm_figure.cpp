#include "insole/report/spm_figure.hpp"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "draw.hpp"
#include "insole/core/atomic_output.hpp"

namespace insole::report {

namespace {

constexpr double kMargin = 24, kTitleH = 44, kMapMaxW = 260, kMapMaxH = 380, kBarGap = 22, kBarW = 14,
                 kBarLabelsW = 96, kLineH = 13;
constexpr std::size_t kMaxListed = 12;

using draw::fmt;

std::string p_text(double p) { return p < 0.001 ? "p < 0.001" : "p = " + fmt("%.3f", p); }

/// The signs whose clusters the test reports (two-sided: both).
std::vector<int> signs_of(stats::Tail tail) {
  if (tail == stats::Tail::upper) return {1};
  if (tail == stats::Tail::lower) return {-1};
  return {1, -1};
}

void render(cairo_t* cr, const stats::SpmResult& r, const SpmFigureGeometry& g) {
  const stats::Grid& grid = r.grid;
  const Eigen::MatrixXd& t = r.statistic.values;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);

  // Title.
  cairo_set_source_rgb(cr, 0, 0, 0);
  draw::set_font(cr, 11, true);
  draw::text(cr, kMargin, kMargin + 4,
             stats::to_string(r.design) + " t test, n = " + std::to_string(r.n) + ", df = " + std::to_string(r.df));
  draw::set_font(cr, 8.5);
  draw::text(cr, kMargin, kMargin + 18,
             std::to_string(r.permutations) + (r.exact ? " (all)" : " random") + " permutations; FWE alpha " +
                 fmt("%.3g", r.alpha) + ": t* = " + fmt("%.2f", r.threshold_t) + " (" + stats::to_string(r.tail) + ")");

  // The map: one rectangle per pixel (vector in PDF).
  draw::diverging_map(cr, grid.rows, grid.cols, g.map_x_pt, g.map_y_pt, grid.pitch_x_mm * g.pt_per_mm,
                      grid.pitch_y_mm * g.pt_per_mm, g.t_max,
                      [&](int row, int col) { return r.mask(row, col) ? t(row, col) : NAN; });
  cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
  cairo_set_line_width(cr, 0.5);
  cairo_rectangle(cr, g.map_x_pt, g.map_y_pt, g.map_w_pt, g.map_h_pt);
  cairo_stroke(cr);

  // Outlines of the suprathreshold sets: every pixel edge between a pixel beyond the threshold
  // (sign * t > t*, as the clusters are formed) and one that is not.
  auto beyond = [&](int row, int col, int s) {
    if (row < 0 || col < 0 || row >= grid.rows || col >= grid.cols) return false;
    const double v = t(row, col);
    return std::isfinite(v) && r.mask(row, col) && s * v > r.threshold_t;
  };
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 1.6);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
  for (int s : signs_of(r.tail))
    for (int row = 0; row < grid.rows; ++row)
      for (int col = 0; col < grid.cols; ++col) {
        if (!beyond(row, col, s)) continue;
        const double x0 = grid.origin_x_mm + col * grid.pitch_x_mm, x1 = x0 + grid.pitch_x_mm;
        const double y0 = grid.origin_y_mm + row * grid.pitch_y_mm, y1 = y0 + grid.pitch_y_mm;
        auto edge = [&](double xa, double ya, double xb, double yb) {
          const auto a = g.page_point(xa, ya), b = g.page_point(xb, yb);
          cairo_move_to(cr, a.x(), a.y());
          cairo_line_to(cr, b.x(), b.y());
        };
        if (!beyond(row - 1, col, s)) edge(x0, y0, x1, y0);
        if (!beyond(row + 1, col, s)) edge(x0, y1, x1, y1);
        if (!beyond(row, col - 1, s)) edge(x0, y0, x0, y1);
        if (!beyond(row, col + 1, s)) edge(x1, y0, x1, y1);
      }
  cairo_stroke(cr);

  // Cluster numbers at their centroids.
  draw::set_font(cr, 8, true);
  for (std::size_t i = 0; i < r.peak_clusters.size() && i < kMaxListed; ++i) {
    const auto& c = r.peak_clusters[i];
    const auto p = g.page_point(c.centroid_x_mm, c.centroid_y_mm);
    const std::string label = std::to_string(i + 1);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_new_path(cr);  // the previous label's text left a current point; no line from it
    cairo_arc(cr, p.x(), p.y(), 6.5, 0, 2 * M_PI);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
    draw::text(cr, p.x() - draw::text_width(cr, label) / 2, p.y() + 3, label);
  }

  // Colour bar with the threshold.
  draw::diverging_bar(cr, g.bar_x_pt, g.map_y_pt, g.bar_w_pt, g.map_h_pt, g.t_max);
  draw::set_font(cr, 7.5);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (double tv : {g.t_max, 0.0, -g.t_max})
    draw::text(cr, g.bar_x_pt + g.bar_w_pt + 4, g.bar_y(tv) + 3, fmt("%.1f", tv));
  draw::text(cr, g.bar_x_pt - 2, g.map_y_pt - 6, "t");
  cairo_set_line_width(cr, 1.5);
  for (int s : signs_of(r.tail)) {
    const double y = g.bar_y(s * r.threshold_t);
    cairo_move_to(cr, g.bar_x_pt - 4, y);
    cairo_line_to(cr, g.bar_x_pt + g.bar_w_pt + 4, y);
    cairo_stroke(cr);
    draw::text(cr, g.bar_x_pt + g.bar_w_pt + 26, y + 3, "t* = " + fmt("%.2f", s * r.threshold_t));
  }

  // The cluster list.
  double y = g.map_y_pt + g.map_h_pt + 20;
  draw::set_font(cr, 8.5, true);
  draw::text(cr, kMargin, y, "Clusters beyond the FWE threshold (maximum statistic)");
  draw::set_font(cr, 8.5);
  if (r.peak_clusters.empty()) draw::text(cr, kMargin, y += kLineH, "none");
  for (std::size_t i = 0; i < r.peak_clusters.size() && i < kMaxListed; ++i) {
    const auto& c = r.peak_clusters[i];
    draw::text(cr, kMargin, y += kLineH,
               std::to_string(i + 1) + "  " + (c.sign > 0 ? "t > 0" : "t < 0") + ", " + std::to_string(c.pixels) +
                   " px (" + fmt("%.0f", c.area_mm2) + " mm\u00b2), " + p_text(c.p_fwe) + ", peak t " +
                   fmt("%.2f", c.peak_t) + (c.region.empty() ? "" : ", " + c.region));
  }
  if (r.peak_clusters.size() > kMaxListed)
    draw::text(cr, kMargin, y += kLineH, "... and " + std::to_string(r.peak_clusters.size() - kMaxListed) + " more");
}

}  // namespace

Result<FigureFormat> figure_format_of(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (ext == ".png") return FigureFormat::png;
  if (ext == ".pdf") return FigureFormat::pdf;
  return make_error(Errc::invalid_argument, path.string() + ": a figure must be .png or .pdf");
}

FigureRgb statistic_colour(double t, double t_max) noexcept {
  const double f = std::clamp(t_max > 0 ? t / t_max : 0.0, -1.0, 1.0);
  // White through to a saturated red (0.80, 0.10, 0.10) or blue (0.10, 0.20, 0.80): lightness falls
  // with |t| on both sides, so the map still reads in grey scale.
  if (f >= 0) return {1.0 - 0.20 * f, 1.0 - 0.90 * f, 1.0 - 0.90 * f};
  const double a = -f;
  return {1.0 - 0.90 * a, 1.0 - 0.80 * a, 1.0 - 0.20 * a};
}

SpmFigureGeometry spm_figure_geometry(const stats::SpmResult& r) {
  SpmFigureGeometry g;
  const stats::Grid& grid = r.grid;
  const double w_mm = std::max(1e-9, grid.cols * grid.pitch_x_mm), h_mm = std::max(1e-9, grid.rows * grid.pitch_y_mm);
  g.pt_per_mm = std::min(kMapMaxW / w_mm, kMapMaxH / h_mm);
  g.map_x_pt = kMargin;
  g.map_y_pt = kMargin + kTitleH;
  g.map_w_pt = w_mm * g.pt_per_mm;
  g.map_h_pt = h_mm * g.pt_per_mm;
  g.bar_x_pt = g.map_x_pt + g.map_w_pt + kBarGap;
  g.bar_w_pt = kBarW;
  g.x0_mm = grid.origin_x_mm;
  g.y_top_mm = grid.origin_y_mm + h_mm;
  double m = 0;
  for (Eigen::Index k = 0; k < r.statistic.values.size(); ++k)
    if (std::isfinite(r.statistic.values(k))) m = std::max(m, std::abs(r.statistic.values(k)));
  // The scale reaches past both the largest statistic and the threshold, so the threshold mark
  // always lies on the bar.
  g.t_max = std::ceil(std::max({m, 1.25 * std::abs(r.threshold_t), 1.0}));
  const std::size_t lines = std::max<std::size_t>(1, std::min(r.peak_clusters.size(), kMaxListed + 1));
  g.width_pt = std::max(g.bar_x_pt + g.bar_w_pt + kBarLabelsW + kMargin, 420.0);
  g.height_pt = g.map_y_pt + g.map_h_pt + 20 + kLineH * static_cast<double>(lines) + kMargin;
  return g;
}

Status write_spm_figure(const stats::SpmResult& r, const std::filesystem::path& path, FigureFormat format) {
  if (r.grid.rows <= 0 || r.grid.cols <= 0 || r.statistic.values.rows() != r.grid.rows ||
      r.statistic.values.cols() != r.grid.cols || r.mask.rows() != r.grid.rows || r.mask.cols() != r.grid.cols)
    return make_error(Errc::invalid_argument, path.string() + ": no statistic map to draw");
  const SpmFigureGeometry g = spm_figure_geometry(r);
  return draw::write_drawing(path, format, g.width_pt, g.height_pt, "Pixel-level t statistic (insole spm)", "",
                             "the figure", [&](cairo_t* cr) { render(cr, r, g); });
}

}  // namespace insole::report
