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

using draw::fmt;

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
    // Cells that neither recording loads are left grey.
    draw::diverging_map(cr, g.rows, g.cols, l.map_x[i], l.map_y,
                        g.pitch_x_mm * l.pt_per_mm, g.pitch_y_mm * l.pt_per_mm, l.scale_kpa, [&](int row, int col) {
                          const bool contact = d.a_peak_kpa.values(row, col) > 0 || d.b_on_a_kpa.values(row, col) > 0;
                          return contact ? d.diff_kpa.values(row, col) : NAN;
                        });
    cairo_set_source_rgb(cr, 0, 0, 0);
    draw::set_font(cr, 8.5, true);
    draw::text(cr, l.map_x[i], l.map_y + l.map_h + 14, std::string(to_string(feet[i]->side)) + " foot");
    draw::set_font(cr, 7.5);
    draw::text(cr, l.map_x[i], l.map_y + l.map_h + 25,
               "rotation " + fmt("%.1f", d.registration.angle_deg) + " deg, Dice " +
                   fmt("%.2f", d.registration.quality.dice));
  }
  draw::diverging_bar(cr, l.bar_x, l.map_y, kBarW, l.map_h, l.scale_kpa);
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
  return draw::write_drawing(path, format, l.width, l.height, "Peak pressure difference (insole compare)", "",
                             "the figure", [&](cairo_t* cr) { render(cr, c, feet, l); });
}

}  // namespace insole::report
