#include "report/draw.hpp"

#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "insole/core/atomic_output.hpp"
#include "insole/report/render.hpp"

namespace insole::report {

// Viridis control points (matplotlib's perceptually uniform map, lightness rising from 0 to 1),
// used reversed so that high pressure is dark and the map reads in grey-scale print.
Rgb pressure_colour(double fraction) noexcept {
  static constexpr Rgb kViridis[] = {{0.267, 0.005, 0.329}, {0.283, 0.141, 0.458}, {0.254, 0.265, 0.530},
                                     {0.207, 0.372, 0.553}, {0.164, 0.471, 0.558}, {0.128, 0.567, 0.551},
                                     {0.135, 0.659, 0.518}, {0.267, 0.749, 0.441}, {0.478, 0.821, 0.318},
                                     {0.741, 0.873, 0.150}, {0.993, 0.906, 0.144}};
  constexpr int n = sizeof kViridis / sizeof kViridis[0];
  const double t = (1.0 - std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0)) * (n - 1);
  const int i = std::min(static_cast<int>(t), n - 2);
  const double f = t - i;
  const Rgb& a = kViridis[i];
  const Rgb& b = kViridis[i + 1];
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

void release_render_caches() noexcept {
  cairo_debug_reset_static_data();
  FcFini();
}

double luminance(const Rgb& c) noexcept { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b; }

double scale_max_kpa(double peak_kpa) noexcept {
  if (!std::isfinite(peak_kpa) || peak_kpa <= 0) return 100.0;
  const double step = peak_kpa > 200 ? 100.0 : 50.0;
  return std::max(step, std::ceil(peak_kpa / step) * step);
}

namespace draw {

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void set_font(cairo_t* cr, double size_pt, bool bold) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size_pt);
}

double text_width(cairo_t* cr, const std::string& s) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  return e.x_advance;
}

std::vector<std::string> wrap(cairo_t* cr, const std::string& s, double width_pt) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  std::string word, line;
  while (in >> word) {
    const std::string trial = line.empty() ? word : line + " " + word;
    if (!line.empty() && text_width(cr, trial) > width_pt) {
      lines.push_back(line);
      line = word;
    } else {
      line = trial;
    }
  }
  if (!line.empty()) lines.push_back(line);
  if (lines.empty()) lines.emplace_back();
  return lines;
}

void text(cairo_t* cr, double x, double y, const std::string& s) {
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, s.c_str());
}

namespace {

void polyline(cairo_t* cr, const std::vector<Point>& pts, bool closed, double ox, double oy, double scale) {
  if (pts.empty()) return;
  cairo_move_to(cr, ox + pts[0].x_mm * scale, oy - pts[0].y_mm * scale);
  for (std::size_t i = 1; i < pts.size(); ++i) cairo_line_to(cr, ox + pts[i].x_mm * scale, oy - pts[i].y_mm * scale);
  if (closed) cairo_close_path(cr);
}

// One panel: origin (ox, oy) is the heel on the foot axis, y grows upwards on the page.
void panel(cairo_t* cr, const FootPanel& p, double x, double y, double w, double h, double vmax) {
  set_font(cr, 8, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  text(cr, x, y + 8, p.title);
  const double top = y + 14, avail_h = h - 14 - 12;
  const double len = std::max(p.length_mm, 1.0), wid = std::max(p.width_mm, 1.0);
  const double scale = std::min(w / (wid * 1.15), avail_h / (len * 1.05));
  const double ox = x + w / 2, oy = top + avail_h - (avail_h - len * scale) / 2;

  // Raster heat map: painted into an image first so the PDF carries it as one image.
  const double px = 4.0;  // image pixels per point
  const int iw = std::max(1, static_cast<int>(w * px)), ih = std::max(1, static_cast<int>(avail_h * px));
  cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, iw, ih);
  cairo_t* ic = cairo_create(img);
  cairo_scale(ic, px, px);
  cairo_set_antialias(ic, CAIRO_ANTIALIAS_NONE);
  for (const auto& c : p.cells) {
    if (!(c.peak_kpa > 0)) continue;
    const Rgb col = pressure_colour(c.peak_kpa / vmax);
    cairo_set_source_rgb(ic, col.r, col.g, col.b);
    polyline(ic, c.outline, true, w / 2, oy - top, scale);
    cairo_fill_preserve(ic);
    cairo_set_line_width(ic, 0.3);
    cairo_stroke(ic);
  }
  cairo_destroy(ic);
  cairo_save(cr);
  cairo_translate(cr, x, top);
  cairo_scale(cr, 1.0 / px, 1.0 / px);
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(img);

  // Region outlines: thin dark grey.
  cairo_set_line_width(cr, 0.5);
  cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
  set_font(cr, 5, false);
  for (const auto& r : p.regions) {
    polyline(cr, r.points, r.closed, ox, oy, scale);
    cairo_stroke(cr);
  }
  // Arch-index thirds: dashed black lines labelled at the right.
  const double dash[] = {3.0, 2.0};
  cairo_set_dash(cr, dash, 2, 0);
  cairo_set_line_width(cr, 0.8);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (const auto& t : p.thirds) {
    polyline(cr, t.points, false, ox, oy, scale);
    cairo_stroke(cr);
    if (!t.points.empty() && !t.label.empty()) {
      const Point& e = t.points.back();
      text(cr, ox + e.x_mm * scale + 2, oy - e.y_mm * scale + 2, t.label);
    }
  }
  cairo_set_dash(cr, nullptr, 0, 0);
  // COP path: white halo under a black line, so it reads on dark and light cells alike.
  if (p.cop_path.size() > 1) {
    for (int pass = 0; pass < 2; ++pass) {
      cairo_set_line_width(cr, pass == 0 ? 2.4 : 1.0);
      cairo_set_source_rgb(cr, pass == 0 ? 1 : 0, pass == 0 ? 1 : 0, pass == 0 ? 1 : 0);
      polyline(cr, p.cop_path, false, ox, oy, scale);
      cairo_stroke(cr);
    }
    const Point& s = p.cop_path.front();
    cairo_arc(cr, ox + s.x_mm * scale, oy - s.y_mm * scale, 1.6, 0, 2 * M_PI);
    cairo_fill(cr);
  }
  // Scale bar (50 mm) under the foot, and the medial side marked.
  cairo_set_line_width(cr, 0.8);
  const double bar = 50 * scale;
  cairo_move_to(cr, x, y + h - 4);
  cairo_line_to(cr, x + bar, y + h - 4);
  cairo_stroke(cr);
  set_font(cr, 6, false);
  text(cr, x + bar + 3, y + h - 2, "50 mm");
  const bool medial_right = p.side == Side::left;
  if (p.side == Side::left || p.side == Side::right) {
    const std::string m = "medial";
    text(cr, medial_right ? x + w - text_width(cr, m) : x, top + 6, m);
  }
}

void colour_bar(cairo_t* cr, double x, double y, double h, double vmax) {
  const double w = 9, steps = 64;
  for (int i = 0; i < steps; ++i) {
    const Rgb c = pressure_colour((i + 0.5) / steps);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_rectangle(cr, x, y + h - (i + 1) * h / steps, w, h / steps + 0.3);
    cairo_fill(cr);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.5);
  cairo_rectangle(cr, x, y, w, h);
  cairo_stroke(cr);
  set_font(cr, 6, false);
  const double tick = vmax > 400 ? 200 : vmax > 200 ? 100 : 50;
  for (double v = 0; v <= vmax + 1e-9; v += tick) {
    const double ty = y + h - v / vmax * h;
    cairo_move_to(cr, x + w, ty);
    cairo_line_to(cr, x + w + 3, ty);
    cairo_stroke(cr);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    text(cr, x + w + 4, ty + 2, buf);
  }
  set_font(cr, 6, true);
  text(cr, x - 2, y - 4, "peak kPa");
}

}  // namespace

void feet(cairo_t* cr, const std::vector<FootPanel>& panels, double x, double y, double w, double h) {
  double peak = 0;
  for (const auto& p : panels)
    for (const auto& c : p.cells) peak = std::max(peak, c.peak_kpa);
  const double vmax = scale_max_kpa(peak);
  const double bar_w = 40;
  const std::size_t n = std::max<std::size_t>(1, panels.size());
  const double pw = (w - bar_w) / n;
  for (std::size_t i = 0; i < panels.size(); ++i) panel(cr, panels[i], x + i * pw, y, pw - 8, h, vmax);
  if (panels.empty()) {
    set_font(cr, 9, false);
    text(cr, x, y + 20, "No foot contact to show.");
  }
  colour_bar(cr, x + w - bar_w + 6, y + 24, h - 50, vmax);
  set_font(cr, 6, false);
  cairo_set_source_rgb(cr, 0, 0, 0);
  // The legend names only what is drawn (insoles have no thirds and no region outlines).
  bool thirds = false, regions = false;
  for (const auto& p : panels) {
    thirds |= !p.thirds.empty();
    regions |= !p.regions.empty();
  }
  std::string legend = "Viewed from above. Black line: centre-of-pressure path (dot = first contact).";
  if (thirds) legend += " Dashed: arch-index thirds.";
  if (regions) legend += " Grey outlines: regions.";
  text(cr, x, y + h + 6, legend);
}

void chain(cairo_t* cr, const ChainDiagram& d, double x, double y, double w, double h) {
  if (d.nodes.empty()) return;
  const double legend_h = 14;
  const double colw = w / std::max(1, d.columns), rowh = (h - legend_h) / std::max(1, d.rows);
  const double bw = colw * 0.74, bh = std::min(rowh * 0.78, 30.0), gap = colw - bw;
  std::map<std::string, std::pair<double, double>> centre;
  for (const auto& n : d.nodes) centre[n.id] = {x + (n.column + 0.5) * colw, y + (n.row + 0.5) * rowh};

  auto arrow = [&](double x1, double y1, double x2, double y2, bool curved, bool active) {
    cairo_set_line_width(cr, active ? 1.6 : 0.5);
    const double dash[] = {2.0, 2.0};
    cairo_set_dash(cr, dash, active ? 0 : 2, 0);
    if (active) cairo_set_source_rgb(cr, 0, 0, 0);
    else cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    double ex = x2, ey = y2, dx, dy;
    cairo_move_to(cr, x1, y1);
    if (curved) {
      const double bend = 0.5 * bh + 10;
      cairo_curve_to(cr, x1, y1 + bend, x2, y2 + bend, x2, y2);
      dx = 0;
      dy = -1;
    } else {
      cairo_line_to(cr, x2, y2);
      const double len = std::hypot(x2 - x1, y2 - y1);
      dx = len > 0 ? (x2 - x1) / len : 1;
      dy = len > 0 ? (y2 - y1) / len : 0;
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    const double a = active ? 4.5 : 3.5;
    cairo_move_to(cr, ex, ey);
    cairo_line_to(cr, ex - a * dx - a * 0.5 * dy, ey - a * dy + a * 0.5 * dx);
    cairo_line_to(cr, ex - a * dx + a * 0.5 * dy, ey - a * dy - a * 0.5 * dx);
    cairo_close_path(cr);
    cairo_fill(cr);
  };

  // Inactive edges first, active on top.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& e : d.edges) {
      if (e.active != (pass == 1)) continue;
      auto [x1, y1] = centre[e.from];
      auto [x2, y2] = centre[e.to];
      const bool back = x2 <= x1;
      double sx, sy, tx, ty;
      if (back) {  // loop below the boxes
        sx = x1;
        sy = y1 + bh / 2;
        tx = x2;
        ty = y2 + bh / 2;
      } else {
        sx = x1 + bw / 2;
        sy = y1;
        tx = x2 - bw / 2;
        ty = y2;
      }
      arrow(sx, sy, tx, ty, back, e.active);
      set_font(cr, 4.6, e.active);
      // Forward labels sit in the gap just before the target box, where the line is clear of
      // boxes (fans of links leave one source together, but reach different targets).
      const double lx = back ? (sx + tx) / 2 : std::max(sx + gap / 2, tx - gap / 2);
      const double ly = back ? std::max(sy, ty) + bh / 2 + 6
                             : (tx > sx ? sy + (ty - sy) * (lx - sx) / (tx - sx) : sy) + 1.8;
      const std::string label = e.link_id + " " + e.strength;
      cairo_set_source_rgb(cr, 1, 1, 1);
      const double tw = text_width(cr, label);
      cairo_rectangle(cr, lx - tw / 2 - 0.5, ly - 4.5, tw + 1, 5.5);
      cairo_fill(cr);
      if (e.active) cairo_set_source_rgb(cr, 0, 0, 0);
      else cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
      text(cr, lx - tw / 2, ly, label);
    }
  }
  for (const auto& n : d.nodes) {
    auto [cx, cy] = centre[n.id];
    const double r = n.kind == "finding" ? 0.0 : n.kind == "inferred" ? 6.0 : 2.5;
    const double bx = cx - bw / 2, by = cy - bh / 2;
    cairo_new_sub_path(cr);
    cairo_arc(cr, bx + bw - r, by + r, r, -M_PI / 2, 0);
    cairo_arc(cr, bx + bw - r, by + bh - r, r, 0, M_PI / 2);
    cairo_arc(cr, bx + r, by + bh - r, r, M_PI / 2, M_PI);
    cairo_arc(cr, bx + r, by + r, r, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr);
    // Measured or reported nodes on the path are shaded darker than the inferred ones between them.
    const double shade = !n.active ? 1.0 : n.kind == "inferred" ? 0.92 : 0.80;
    cairo_set_source_rgb(cr, shade, shade, shade);
    cairo_fill_preserve(cr);
    cairo_set_line_width(cr, n.active ? 1.6 : 0.5);
    const double dash[] = {1.5, 1.5};
    cairo_set_dash(cr, dash, n.kind == "asked" ? 2 : 0, 0);
    if (n.active) cairo_set_source_rgb(cr, 0, 0, 0);
    else cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    set_font(cr, 5.6, n.active);
    std::string label = n.kind == "finding" ? n.id.substr(2) + ": " + n.label : n.label;
    auto lines = wrap(cr, label, bw - 3);
    double widest = 0;
    for (const auto& l : lines) widest = std::max(widest, text_width(cr, l));
    if (widest > bw - 3) set_font(cr, 5.6 * (bw - 3) / widest, n.active);  // one word too long
    if (lines.size() > 4) lines.resize(4);
    const double lh = 6.2;
    double ty = cy - (lines.size() - 1) * lh / 2 + 2;
    for (const auto& l : lines) {
      text(cr, cx - text_width(cr, l) / 2, ty, l);
      ty += lh;
    }
  }
  set_font(cr, 5.6, false);
  cairo_set_source_rgb(cr, 0, 0, 0);
  text(cr, x, y + h - 2,
       "Square: measured finding. Rounded: inferred (never measured). Dashed: asked at intake, active only if "
       "reported. Bold/shaded: on this patient's path. Labels: link and strength (A measured, B consensus, C "
       "articles only: commonly described).");
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

void diverging_map(cairo_t* cr, int rows, int cols, double x, double y, double cw, double ch, double scale,
                   const std::function<double(int row, int col)>& value) {
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);  // abutting cells without light seams between them
  for (int row = 0; row < rows; ++row)
    for (int col = 0; col < cols; ++col) {
      const double v = value(row, col);
      if (std::isfinite(v)) {
        const FigureRgb c = statistic_colour(v, scale);
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
      } else {
        cairo_set_source_rgb(cr, 0.82, 0.82, 0.82);
      }
      cairo_rectangle(cr, x + col * cw, y + (rows - 1 - row) * ch, cw + 0.05, ch + 0.05);  // overlap a hair
      cairo_fill(cr);
    }
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
}

void diverging_bar(cairo_t* cr, double x, double y, double w, double h, double scale) {
  const int steps = 120;
  for (int k = 0; k < steps; ++k) {
    const FigureRgb c = statistic_colour(scale * (1.0 - 2.0 * (k + 0.5) / steps), scale);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_rectangle(cr, x, y + h * k / steps, w, h / steps + 0.05);
    cairo_fill(cr);
  }
  cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
  cairo_set_line_width(cr, 0.5);
  cairo_rectangle(cr, x, y, w, h);
  cairo_stroke(cr);
}

Status write_drawing(const std::filesystem::path& path, FigureFormat format, double w, double h,
                     const std::string& title, const std::string& creator, const std::string& what,
                     const std::function<void(cairo_t*)>& render) {
  auto out = AtomicOutput::create(path);
  if (!out) return out.error();
  cairo_surface_t* surface =
      format == FigureFormat::pdf
          ? cairo_pdf_surface_create(out->temp_path().c_str(), w, h)
          : cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(std::ceil(w * kFigurePngPixelsPerPt)),
                                       static_cast<int>(std::ceil(h * kFigurePngPixelsPerPt)));
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    const std::string why = cairo_status_to_string(cairo_surface_status(surface));
    cairo_surface_destroy(surface);
    return make_error(Errc::io_error, path.string() + ": cannot create " + what + ": " + why);
  }
  if (format == FigureFormat::pdf) {
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
    if (!creator.empty()) cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, creator.c_str());
  }
  cairo_t* cr = cairo_create(surface);
  if (format == FigureFormat::png) cairo_scale(cr, kFigurePngPixelsPerPt, kFigurePngPixelsPerPt);
  render(cr);
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
    return make_error(Errc::io_error, path.string() + ": writing " + what + " failed: " +
                                          cairo_status_to_string(draw_status != CAIRO_STATUS_SUCCESS ? draw_status : status));
  return out->commit();
}

}  // namespace draw
}  // namespace insole::report
