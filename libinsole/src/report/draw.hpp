#pragma once
// Cairo drawing shared by the PDF and HTML renderers and the figures of `insole spm` and
// `insole compare` (internal to insole::report).
#include <cairo.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "insole/compare/compare.hpp"
#include "insole/core/result.hpp"
#include "insole/report/report_model.hpp"
#include "insole/report/spm_figure.hpp"

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

/// One number formatted with a printf format (e.g. "%.2f").
std::string fmt(const char* format, double v);

/// A map of `rows` x `cols` cells of cw x ch points whose bottom-left cell (row 0, col 0) has its
/// lower-left corner at (x, y + rows * ch): row r is drawn from the bottom up. Each cell is filled
/// with statistic_colour(value(row, col), scale), or light grey where the value is not finite
/// (outside the map); cells overlap by a hair so no seams show, without antialiasing (vector in
/// PDF).
void diverging_map(cairo_t* cr, int rows, int cols, double x, double y, double cw, double ch, double scale,
                   const std::function<double(int row, int col)>& value);

/// A vertical colour bar of statistic_colour from +scale at the top to -scale at the bottom in
/// 120 bands, outlined in grey. Labels are the caller's.
void diverging_bar(cairo_t* cr, double x, double y, double w, double h, double scale);

/// Writes a drawing of w x h points to `path` atomically, as a vector PDF titled `title` (and with
/// `creator` unless empty) or a PNG of kFigurePngPixelsPerPt pixels per point: `render` draws it.
/// Errors name the file and `what` ("the figure", "the PDF"); an existing file is replaced only
/// by a complete one.
Status write_drawing(const std::filesystem::path& path, FigureFormat format, double w, double h,
                     const std::string& title, const std::string& creator, const std::string& what,
                     const std::function<void(cairo_t*)>& render);

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
