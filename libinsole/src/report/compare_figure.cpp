#include "insole/report/compare_figure.hpp"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "draw.hpp"
#include "insole/core/atomic_output.hpp"

namespace insole::report {
namespace {

constexpr double kMargin = 24, kTitleH = 40, kMapMaxW = 200, kMapMaxH = 380, kGap = 30, kBarW = 14, kBarLabelsW = 60,
                 kFootH = 30;

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

struct Layout {
  double pt_per_mm = 1, width = 0, height = 0, bar_x = 0, map_y = kMargin + kTitleH, map_h = 0, scale_kpa = 1;
  std::vector<double> map_x;
};

Layout layout_of(const std::vector<const compare::FootComparison*>& feet) {
  Layout l;
  double max_w = 1e-9, max_h = 1e-9, m = 0;
  for (const auto* f : feet) {
    const auto& g = f->difference->diff_kpa.grid;
    max_w = std::max(max_w, g.cols * g.pitch_x_mm);
    max_h = std::max(max_h, g.rows * g.pitch_y_mm);
    m = std::max({m, f->difference->max_increase_kpa, -f->difference->max_decrease_kpa});
  }
  l.pt_per_mm = std::min(kMapMaxW / max_w, kMapMaxH / max_h);
  l.map_h = max_h * l.pt_per_mm;
  double x = kMargin;
  for (std::size_t i = 0; i < feet.size(); ++i) {
    l.map_x.push_back(x);
    x += max_w * l.pt_per_mm + kGap;
  }
  l.bar_x = x;
  l.scale_kpa = std::max(10.0, 10.0 * std::ceil(m / 10.0));  // symmetric, whole tens of kPa
  l.width = std::max(l.bar_x + kBarW + kBarLabelsW + kMargin, 360.0);
  l.height = l.map_y + l.map_h + kFootH + kMargin;
  return l;
}

void render(cairo_t* cr, const compare::Comparison& c, const std::vector<const compare::FootComparison*>& feet,
            const Layout& l) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  draw::set_font(cr, 11, true);
  draw::text(cr, kMargin, kMargin + 4, "Peak pressure, B - A (kPa), B registered onto A");
  draw::set_font(cr, 8.5);
  draw::text(cr, kMargin, kMargin + 18, "A: " + c.input_a + "    B: " + c.input_b);
  for (std::size_t i = 0; i < feet.size(); ++i) {
    const auto& d = *feet[i]->difference;
    const auto& g = d.diff_kpa.grid;
    const double cw = g.pitch_x_mm * l.pt_per_mm, ch = g.pitch_y_mm * l.pt_per_mm;
    const double top_mm = g.origin_y_mm + g.rows * g.pitch_y_mm;
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    for (int row = 0; row < g.rows; ++row)
      for (int col = 0; col < g.cols; ++col) {
        const bool contact = d.a_peak_kpa.values(row, col) > 0 || d.b_on_a_kpa.values(row, col) > 0;
        if (contact) {
          const auto rgb = statistic_colour(d.diff_kpa.values(row, col), l.scale_kpa);
          cairo_set_source_rgb(cr, rgb.r, rgb.g, rgb.b);
        } else {
          cairo_set_source_rgb(cr, 0.82, 0.82, 0.82);
        }
        cairo_rectangle(cr, l.map_x[i] + col * cw, l.map_y + (top_mm - (g.origin_y_mm + (row + 1) * g.pitch_y_mm)) * l.pt_per_mm,
                        cw + 0.05, ch + 0.05);
        cairo_fill(cr);
      }
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
    cairo_set_source_rgb(cr, 0, 0, 0);
    draw::set_font(cr, 8.5, true);
    draw::text(cr, l.map_x[i], l.map_y + l.map_h + 14, std::string(to_string(feet[i]->side)) + " foot");
    draw::set_font(cr, 7.5);
    draw::text(cr, l.map_x[i], l.map_y + l.map_h + 25,
               "rotation " + fmt("%.1f", d.registration.angle_deg) + " deg, Dice " +
                   fmt("%.2f", d.registration.quality.dice));
  }
  const int steps = 120;
  for (int k = 0; k < steps; ++k) {
    const double v = l.scale_kpa * (1.0 - 2.0 * (k + 0.5) / steps);
    const auto rgb = statistic_colour(v, l.scale_kpa);
    cairo_set_source_rgb(cr, rgb.r, rgb.g, rgb.b);
    cairo_rectangle(cr, l.bar_x, l.map_y + l.map_h * k / steps, kBarW, l.map_h / steps + 0.05);
    cairo_fill(cr);
  }
  cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
  cairo_set_line_width(cr, 0.5);
  cairo_rectangle(cr, l.bar_x, l.map_y, kBarW, l.map_h);
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  draw::set_font(cr, 7.5);
  for (double v : {l.scale_kpa, 0.0, -l.scale_kpa})
    draw::text(cr, l.bar_x + kBarW + 4, l.map_y + l.map_h * (0.5 - 0.5 * v / l.scale_kpa) + 3, fmt("%+.0f", v) + " kPa");
}

std::vector<const compare::FootComparison*> feet_with_maps(const compare::Comparison& c) {
  std::vector<const compare::FootComparison*> feet;
  for (const auto& f : c.feet)
    if (f.difference && f.difference->diff_kpa.grid.rows > 0 && f.difference->diff_kpa.grid.cols > 0) feet.push_back(&f);
  return feet;
}

}  // namespace

namespace draw {

double compare_maps_aspect(const compare::Comparison& c) {
  const auto feet = feet_with_maps(c);
  if (feet.empty()) return 0.0;
  const Layout l = layout_of(feet);
  return l.height / l.width;
}

bool compare_maps(cairo_t* cr, const compare::Comparison& c, double x, double y, double w, double h) {
  const auto feet = feet_with_maps(c);
  if (feet.empty() || !(w > 0) || !(h > 0)) return false;
  const Layout l = layout_of(feet);
  const double s = std::min(w / l.width, h / l.height);
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, s, s);
  cairo_rectangle(cr, 0, 0, l.width, l.height);
  cairo_clip(cr);
  render(cr, c, feet, l);
  cairo_restore(cr);
  return true;
}

}  // namespace draw

Status write_compare_figure(const compare::Comparison& c, const std::filesystem::path& path, FigureFormat format) {
  const auto feet = feet_with_maps(c);
  if (feet.empty()) return make_error(Errc::no_data, path.string() + ": no foot has a difference map to draw");
  const Layout l = layout_of(feet);
  auto out = AtomicOutput::create(path);
  if (!out) return out.error();
  cairo_surface_t* surface =
      format == FigureFormat::pdf
          ? cairo_pdf_surface_create(out->temp_path().c_str(), l.width, l.height)
          : cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(std::ceil(l.width * kFigurePngPixelsPerPt)),
                                       static_cast<int>(std::ceil(l.height * kFigurePngPixelsPerPt)));
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    const std::string why = cairo_status_to_string(cairo_surface_status(surface));
    cairo_surface_destroy(surface);
    return make_error(Errc::io_error, path.string() + ": cannot create the figure: " + why);
  }
  if (format == FigureFormat::pdf)
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "Peak pressure difference (insole compare)");
  cairo_t* cr = cairo_create(surface);
  if (format == FigureFormat::png) cairo_scale(cr, kFigurePngPixelsPerPt, kFigurePngPixelsPerPt);
  render(cr, c, feet, l);
  const cairo_status_t draw_status = cairo_status(cr);
  cairo_destroy(cr);
  cairo_status_t status = CAIRO_STATUS_SUCCESS;
  if (format == FigureFormat::png) {
    cairo_surface_flush(surface);
    status = cairo_surface_write_to_png(surface, out->temp_path().c_str());
  } else {
    cairo_surface_finish(surface);
    status = cairo_surface_status(surface);
  }
  cairo_surface_destroy(surface);
  if (draw_status != CAIRO_STATUS_SUCCESS || status != CAIRO_STATUS_SUCCESS)
    return make_error(Errc::io_error, path.string() + ": writing the figure failed: " +
                                          cairo_status_to_string(draw_status != CAIRO_STATUS_SUCCESS ? draw_status : status));
  return out->commit();
}

}  // namespace insole::report
