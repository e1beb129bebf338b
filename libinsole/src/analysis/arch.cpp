#include "insole/analysis/arch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "insole/analysis/footprint.hpp"

namespace insole::analysis {

namespace {

struct Pt {
  double x, y;
};

// Upper (sign = +1) or lower (sign = -1) convex hull of points sorted by x.
std::vector<Pt> half_hull(const std::vector<Pt>& pts, double sign) {
  std::vector<Pt> h;
  for (const Pt& p : pts) {
    while (h.size() >= 2) {
      const Pt& a = h[h.size() - 2];
      const Pt& b = h.back();
      const double cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
      if (sign * cross >= 0) h.pop_back();  // b lies inside (or on) the hull: drop it
      else break;
    }
    h.push_back(p);
  }
  return h;
}

double hull_at(const std::vector<Pt>& h, double x) {
  if (h.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (x <= h.front().x) return h.front().y;
  for (std::size_t i = 1; i < h.size(); ++i)
    if (x <= h[i].x) {
      const double t = (x - h[i - 1].x) / (h[i].x - h[i - 1].x);
      return h[i - 1].y + t * (h[i].y - h[i - 1].y);
    }
  return h.back().y;
}

}  // namespace

ArchMeasures arch_measures(const SensorLayout& layout, const Eigen::VectorXf& peak_kpa,
                           const RegionMasks& masks, const FootFrame& frame,
                           const ArchParams& params) {
  ArchMeasures out;
  if (params.in_shoe || !layout.is_grid()) {
    out.unavailable_reason =
        "in-shoe sensor: an insole cannot see the footprint shape, so footprint arch indices "
        "are not computed";
    return out;
  }
  const Region* toeless = masks.find(region::toeless);
  if (toeless == nullptr || toeless->sensels.empty() || peak_kpa.size() != layout.sensor_count()) {
    out.unavailable_reason = "no toe-less footprint to measure";
    return out;
  }
  const auto contact = contact_sensels(peak_kpa, toeless->sensels, params.contact_threshold_kpa);
  if (contact.empty()) {
    out.unavailable_reason = "no contact in the toe-less footprint";
    return out;
  }

  // Thirds of the toe-less length along the axis.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (Eigen::Index s : contact) {
    const auto r = sensel_ap_span(layout, s, frame);
    lo = std::min(lo, r[0]);
    hi = std::max(hi, r[1]);
  }
  const double b1 = lo + (hi - lo) / 3.0, b2 = lo + 2.0 * (hi - lo) / 3.0;
  out.toeless_ap_min_mm = lo;
  out.toeless_ap_max_mm = hi;
  out.thirds_ap_mm = {b1, b2};
  const double inf = std::numeric_limits<double>::infinity();
  for (Eigen::Index s : contact) {
    out.area_rearfoot_mm2 += sensel_area_between_ap(layout, s, frame, -inf, b1);
    out.area_midfoot_mm2 += sensel_area_between_ap(layout, s, frame, b1, b2);
    out.area_forefoot_mm2 += sensel_area_between_ap(layout, s, frame, b2, inf);
  }
  const double total = out.area_rearfoot_mm2 + out.area_midfoot_mm2 + out.area_forefoot_mm2;
  if (total > 0) {
    out.arch_index = out.area_midfoot_mm2 / total;
    // Resolution (arch.hpp, "Arch-index resolution"): half a sensel along the middle third's
    // medial and lateral borders, 2 x (p / 2) x (L / 3), over the toe-less area T; it bounds the
    // change of AI = B / T, (dB / T)(1 - AI).
    const double pitch = std::max(layout.row_pitch_mm(), layout.col_pitch_mm());
    out.arch_index_resolution = pitch * ((hi - lo) / 3.0) / total;
  }

  // Widths on the foot-aligned raster.
  auto fp = align_footprint(layout, peak_kpa, contact, frame, params.cell_mm);
  if (fp) {
    const Eigen::Index rows = fp->sensel.rows(), cols = fp->sensel.cols();
    // Contact width of each 1 mm slab across the axis: the exact area of the sensel rectangles
    // inside the slab divided by its thickness (partial sensels, as for the thirds), so an
    // oblique grid contributes what it covers rather than whole raster cells.
    std::vector<double> width(static_cast<std::size_t>(rows), 0.0);
    for (Eigen::Index s : contact) {
      const auto range = sensel_ap_range(layout, s, frame);
      const auto i0 = std::max<Eigen::Index>(
          0, static_cast<Eigen::Index>(std::floor((range[0] - fp->ap0_mm) / fp->cell_mm)));
      const auto i1 = std::min<Eigen::Index>(
          rows - 1, static_cast<Eigen::Index>(std::floor((range[1] - fp->ap0_mm) / fp->cell_mm)));
      for (Eigen::Index i = i0; i <= i1; ++i) {
        const double a0 = fp->ap0_mm + double(i) * fp->cell_mm;
        width[static_cast<std::size_t>(i)] +=
            sensel_area_between_ap(layout, s, frame, a0, a0 + fp->cell_mm) / fp->cell_mm;
      }
    }
    // Medial and lateral borders (ml of the outermost contact, raster rows; NaN = no contact).
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> med_ml(static_cast<std::size_t>(rows), nan), lat_ml(med_ml);
    for (Eigen::Index i = 0; i < rows; ++i) {
      Eigen::Index jmin = -1, jmax = -1;
      for (Eigen::Index j = 0; j < cols; ++j)
        if (fp->sensel(i, j) >= 0) {
          if (jmin < 0) jmin = j;
          jmax = j;
        }
      if (jmax >= 0) {
        med_ml[static_cast<std::size_t>(i)] = fp->ml0_mm + double(jmax + 1) * fp->cell_mm;
        lat_ml[static_cast<std::size_t>(i)] = fp->ml0_mm + double(jmin) * fp->cell_mm;
      }
    }
    auto row_at = [&](double ap) {
      return std::clamp<Eigen::Index>(
          static_cast<Eigen::Index>(std::floor((ap - fp->ap0_mm) / fp->cell_mm)), 0, rows - 1);
    };
    // Widths for CSI and Staheli: the slab widths averaged over params.width_window_pitches
    // sensel pitches along the axis, within the third that holds the measuring point (a width of
    // the central region never mixes in heel or forefoot). A grid's edge is known only to a sensel
    // and an oblique edge is a staircase: single slabs would read too narrow or too wide.
    const double pitch = std::max(layout.row_pitch_mm(), layout.col_pitch_mm());
    const auto half_win = std::max<Eigen::Index>(
        0, static_cast<Eigen::Index>(
               std::lround(0.5 * params.width_window_pitches * pitch / fp->cell_mm)));
    const Eigen::Index r_b1 = row_at(b1), r_b2 = row_at(b2);
    auto third_rows = [&](Eigen::Index i) -> std::pair<Eigen::Index, Eigen::Index> {
      if (i < r_b1) return {0, r_b1 - 1};
      if (i < r_b2) return {r_b1, r_b2 - 1};
      return {r_b2, rows - 1};
    };
    // Mean of v over the window around row i, shifted to lie within its third (a window cut
    // short at a third line would average less and read noisier), skipping NaN rows.
    auto window_mean = [&](const std::vector<double>& v, Eigen::Index i) {
      const auto [lo_row, hi_row] = third_rows(i);
      Eigen::Index a = i - half_win, b = i + half_win;
      if (a < lo_row) {
        b = std::min(hi_row, b + (lo_row - a));
        a = lo_row;
      }
      if (b > hi_row) {
        a = std::max(lo_row, a - (b - hi_row));
        b = hi_row;
      }
      double sum = 0.0;
      int n = 0;
      for (Eigen::Index k = a; k <= b; ++k)
        if (const double x = v[static_cast<std::size_t>(k)]; !std::isnan(x)) {
          sum += x;
          ++n;
        }
      return n > 0 ? sum / n : v[static_cast<std::size_t>(i)];
    };
    auto smoothed = [&](Eigen::Index i) { return window_mean(width, i); };
    // The borders are averaged the same way before the hull is taken: the Staheli tangent
    // touches the heel where its border is nearly parallel to it, so a staircase step of a
    // sensel would move the tangent point by centimetres along the heel.
    std::vector<Pt> medial, lateral;
    for (Eigen::Index i = 0; i < rows; ++i) {
      if (std::isnan(med_ml[static_cast<std::size_t>(i)])) continue;
      medial.push_back({fp->ap_of_row(i), window_mean(med_ml, i)});
      lateral.push_back({fp->ap_of_row(i), window_mean(lat_ml, i)});
    }
    double w_ff = 0.0, w_mf = inf;
    double env = 0.0, mid_contact = 0.0;
    const auto med_hull = half_hull(medial, +1.0);
    const auto lat_hull = half_hull(lateral, -1.0);
    for (Eigen::Index i = 0; i < rows; ++i) {
      const double ap = fp->ap_of_row(i);
      const double w = width[static_cast<std::size_t>(i)];
      const double ws = smoothed(i);
      if (ap >= b2) w_ff = std::max(w_ff, ws);
      if (ap >= b1 && ap < b2) {
        w_mf = std::min(w_mf, ws);
        mid_contact += w;
        env += std::max(0.0, hull_at(med_hull, ap) - hull_at(lat_hull, ap));
      }
    }
    if (w_ff > 0 && std::isfinite(w_mf)) {
      out.forefoot_width_mm = w_ff;
      out.midfoot_min_width_mm = w_mf;
      out.chippaux_smirak_percent = 100.0 * w_mf / w_ff;
    }
    if (env > 0) out.midfoot_contact_ratio = std::min(1.0, mid_contact / env);
    // Staheli: the medial tangent is the medial hull edge spanning the middle of the foot.
    const double mid = 0.5 * (lo + hi);
    for (std::size_t k = 1; k < med_hull.size(); ++k) {
      if (med_hull[k - 1].x <= mid && mid <= med_hull[k].x) {
        const double a_heel = med_hull[k - 1].x;
        const double a_centre = 0.5 * (med_hull[k - 1].x + med_hull[k].x);
        const double w_heel = smoothed(row_at(a_heel));
        const double w_centre = smoothed(row_at(a_centre));
        out.staheli_heel_ap_mm = a_heel;
        out.staheli_central_ap_mm = a_centre;
        out.staheli_heel_width_mm = w_heel;
        out.staheli_central_width_mm = w_centre;
        if (w_heel > 0) out.staheli = w_centre / w_heel;
        break;
      }
    }
  }

  if (!masks.toes_found)
    out.notes.push_back("no toes found in the footprint: the toe-less length is the whole print");
  return out;
}

}  // namespace insole::analysis
