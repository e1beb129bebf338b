// Renders the figures docs/validation.md shows for visual checking: the emed plate sample's peak
// footprint with the foot axis, the toe line and the arch-index thirds, as the toolkit finds them.
// Usage: validation_figures <shared-data-dir> <output-dir>   (writes emed_footprint_thirds.png)
#include <cairo.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "insole/analysis/analyze.hpp"
#include "insole/importers/importers.hpp"
#include "insole/report/render.hpp"

namespace {

using namespace insole;

int render_emed(const std::filesystem::path& data, const std::filesystem::path& out_dir) {
  auto rec = importers::import_file(data / "pressure_vendor_samples/emed_test.lst");
  if (!rec) {
    std::cerr << rec.error().message << "\n";
    return 1;
  }
  const Stream& plate = rec->streams.at(0);
  const auto ffs = analysis::find_footfalls(plate, 0);
  if (ffs.size() != 1) {
    std::cerr << "expected one footfall, found " << ffs.size() << "\n";
    return 1;
  }
  const auto& ff = ffs[0];
  const Eigen::VectorXf peak = analysis::peak_footprint(plate, ff);
  const SensorLayout& L = plate.info.layout;
  auto frame = analysis::foot_frame(L, peak, ff.sensels, ff.side);
  if (!frame) return std::cerr << frame.error().message << "\n", 1;
  auto masks = analysis::make_regions(L, peak, ff.sensels, *frame);
  if (!masks) return std::cerr << masks.error().message << "\n", 1;
  const auto arch = analysis::arch_measures(L, peak, *masks, *frame);

  // Layout millimetres -> pixels, y up (the layout is seen from above), 4 px per mm.
  const double px = 4.0, margin = 20.0, legend = 64.0;
  const double w_mm = L.cols() * L.col_pitch_mm(), h_mm = L.rows() * L.row_pitch_mm();
  const int W = static_cast<int>(w_mm * px + 2 * margin), H = static_cast<int>(h_mm * px + 2 * margin + legend);
  auto X = [&](double x) { return margin + x * px; };
  auto Y = [&](double y) { return margin + (h_mm - y) * px; };
  cairo_surface_t* surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
  cairo_t* cr = cairo_create(surf);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  const double vmax = report::scale_max_kpa(peak.maxCoeff());
  std::vector<bool> toe(static_cast<std::size_t>(L.sensor_count()), false);
  if (const auto* t = masks->find(analysis::region::toes))
    for (auto s : t->sensels) toe[static_cast<std::size_t>(s)] = true;
  for (Eigen::Index s = 0; s < L.sensor_count(); ++s) {
    if (!(peak[s] > 0.0f)) continue;
    const auto c = report::pressure_colour(std::min(1.0, double(peak[s]) / vmax));
    const double x = L.centres_mm()(s, 0), y = L.centres_mm()(s, 1);
    cairo_rectangle(cr, X(x - L.col_pitch_mm() / 2), Y(y + L.row_pitch_mm() / 2), L.col_pitch_mm() * px,
                    L.row_pitch_mm() * px);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_fill_preserve(cr);
    // Toe sensels outlined in orange (left out of the arch index), the others in grey.
    if (toe[static_cast<std::size_t>(s)]) cairo_set_source_rgb(cr, 0.95, 0.55, 0.1);
    else cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
  }
  // A line across the foot at foot ap, as long as the foot is wide.
  auto across = [&](double ap, double r, double g, double b, double width, bool dashed) {
    const Eigen::Vector2d c = frame->heel_mm + ap * frame->u;
    const Eigen::Vector2d p = c - 0.75 * frame->width_mm * frame->v, q = c + 0.75 * frame->width_mm * frame->v;
    cairo_set_source_rgb(cr, r, g, b);
    cairo_set_line_width(cr, width);
    const double dash[] = {6.0, 4.0};
    cairo_set_dash(cr, dash, dashed ? 2 : 0, 0);
    cairo_move_to(cr, X(p.x()), Y(p.y()));
    cairo_line_to(cr, X(q.x()), Y(q.y()));
    cairo_stroke(cr);
    cairo_set_dash(cr, dash, 0, 0);
  };
  across(arch.toeless_ap_min_mm, 0.1, 0.1, 0.1, 1.5, true);
  across(arch.toeless_ap_max_mm, 0.1, 0.1, 0.1, 1.5, true);
  across(arch.thirds_ap_mm[0], 0.85, 0.1, 0.1, 2.5, false);
  across(arch.thirds_ap_mm[1], 0.85, 0.1, 0.1, 2.5, false);
  // Foot axis from the heel point to the toe tip.
  const Eigen::Vector2d tip = frame->heel_mm + frame->length_mm * frame->u;
  cairo_set_source_rgb(cr, 0.1, 0.3, 0.9);
  cairo_set_line_width(cr, 1.5);
  cairo_move_to(cr, X(frame->heel_mm.x()), Y(frame->heel_mm.y()));
  cairo_line_to(cr, X(tip.x()), Y(tip.y()));
  cairo_stroke(cr);
  // Toe line (foot coordinates: ml, ap).
  cairo_set_source_rgb(cr, 0.95, 0.55, 0.1);
  cairo_set_line_width(cr, 2.0);
  bool first = true;
  for (const auto& pt : masks->toe_line_foot_mm) {
    const Eigen::Vector2d p = frame->heel_mm + pt.y() * frame->u + pt.x() * frame->v;
    if (first) cairo_move_to(cr, X(p.x()), Y(p.y()));
    else cairo_line_to(cr, X(p.x()), Y(p.y()));
    first = false;
  }
  cairo_stroke(cr);
  // Legend.
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 11);
  cairo_set_source_rgb(cr, 0, 0, 0);
  char line[200];
  std::snprintf(line, sizeof line, "emed_test.lst peak footprint, side %s (shape); 0-%.0f kPa",
                std::string(to_string(ff.side)).c_str(), vmax);
  cairo_move_to(cr, margin, H - legend + 16);
  cairo_show_text(cr, line);
  std::snprintf(line, sizeof line, "AI %.3f  (C %.0f / B %.0f / A %.0f mm2)   CSI %.1f %%",
                arch.arch_index.value_or(-1), arch.area_rearfoot_mm2, arch.area_midfoot_mm2,
                arch.area_forefoot_mm2, arch.chippaux_smirak_percent.value_or(-1));
  cairo_move_to(cr, margin, H - legend + 32);
  cairo_show_text(cr, line);
  cairo_move_to(cr, margin, H - legend + 48);
  cairo_show_text(cr, "red: thirds; dashed: toe-less limits; orange: toe line; blue: axis");
  cairo_destroy(cr);
  std::filesystem::create_directories(out_dir);
  const auto path = out_dir / "emed_footprint_thirds.png";
  const cairo_status_t st = cairo_surface_write_to_png(surf, path.c_str());
  cairo_surface_destroy(surf);
  if (st != CAIRO_STATUS_SUCCESS) {
    std::cerr << path << ": " << cairo_status_to_string(st) << "\n";
    return 1;
  }
  std::cout << "wrote " << path << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: validation_figures <shared-data-dir> <output-dir>\n";
    return 2;
  }
  const int rc = render_emed(argv[1], argv[2]);
  insole::report::release_render_caches();
  cairo_debug_reset_static_data();
  return rc;
}
