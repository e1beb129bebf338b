#pragma once
// Cairo drawing shared by the PDF and HTML renderers (internal to insole::report).
#include <cairo.h>

#include <string>
#include <vector>

#include "insole/compare/compare.hpp"
#include "insole/report/report_model.hpp"

namespace insole::report::draw {

inline constexpr const char* kFont = "DejaVu Sans";

void set_font(cairo_t* cr, double size_pt, bool bold = false);
double text_width(cairo_t* cr, const std::string& text);
/// Splits text into lines no wider than width_pt with the current font.
std::vector<std::string> wrap(cairo_t* cr, const std::string& text, double width_pt);
/// Draws text with its baseline at y.
void text(cairo_t* cr, double x, double y, const std::string& text);

/// Both foot panels side by side with a vertical colour bar (kPa) on the right.
void feet(cairo_t* cr, const std::vector<FootPanel>& panels, double x, double y, double w, double h);
/// The chain diagram with the active path highlighted, and its legend along the bottom.
void chain(cairo_t* cr, const ChainDiagram& diagram, double x, double y, double w, double h);

/// The difference maps of a comparison (the drawing of write_compare_figure, compare_figure.hpp),
/// scaled to fit w x h points at (x, y) with its aspect ratio kept. Returns false, drawing
/// nothing, when no foot has a difference map.
bool compare_maps(cairo_t* cr, const compare::Comparison& c, double x, double y, double w, double h);
/// Height over width of that drawing (0 when no foot has a map).
double compare_maps_aspect(const compare::Comparison& c);

/// Renders a figure into a PNG held in memory (for the HTML report).
template <class Fn>
std::string png(double w_pt, double h_pt, double px_per_pt, Fn&& draw_fn);

}  // namespace insole::report::draw

#include <cairo.h>
namespace insole::report::draw {
cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length);

template <class Fn>
std::string png(double w_pt, double h_pt, double px_per_pt, Fn&& draw_fn) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(w_pt * px_per_pt),
                                                  static_cast<int>(h_pt * px_per_pt));
  cairo_t* cr = cairo_create(s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_scale(cr, px_per_pt, px_per_pt);
  draw_fn(cr);
  cairo_destroy(cr);
  std::string out;
  cairo_surface_write_to_png_stream(s, append_bytes, &out);
  cairo_surface_destroy(s);
  return out;
}
}  // namespace insole::report::draw
