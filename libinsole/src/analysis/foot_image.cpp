#include "insole/analysis/foot_image.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "insole/analysis/cop.hpp"
#include "insole/core/median.hpp"
#include "insole/analysis/regions.hpp"

namespace insole::analysis {

namespace {

// Raster key of cell (ix, iy); both fit easily in 31 bits for any foot.
std::int64_t raster_key(std::int64_t ix, std::int64_t iy) { return (iy << 32) + (ix + (std::int64_t{1} << 31)); }

}  // namespace

FootfallImage footfall_image(const FootfallSamples& s, const Eigen::MatrixX2d& cop_foot_mm, bool walking,
                             double active_threshold_kpa) {
  const Eigen::Index n = s.frames();
  const auto cols = static_cast<std::size_t>(s.pressure_kpa.cols());
  if (n == 0 || cols == 0) return {};
  Eigen::VectorXd peak_kpa(static_cast<Eigen::Index>(cols)), pti_kpa_s(static_cast<Eigen::Index>(cols));
  std::vector<Eigen::Index> loaded_frames(cols, 0);
  for (std::size_t j = 0; j < cols; ++j) {
    const auto c = static_cast<Eigen::Index>(j);
    double peak = 0.0, pti = 0.0;
    Eigen::Index loaded = 0;
    for (Eigen::Index f = 0; f < n; ++f) {
      const double p = s.pressure_kpa(f, c);
      peak = std::max(peak, p);
      if (p > active_threshold_kpa) ++loaded;
      if (f > 0) pti += 0.5 * (p + s.pressure_kpa(f - 1, c)) * (s.time_s[f] - s.time_s[f - 1]);
    }
    peak_kpa[c] = peak;
    pti_kpa_s[c] = pti;
    loaded_frames[j] = loaded;
  }
  FootfallImage im = footfall_image(s.sensel_index, peak_kpa, pti_kpa_s, loaded_frames, n,
                                    n > 1 ? s.time_s[n - 1] - s.time_s[0] : 0.0);
  if (walking && cop_foot_mm.rows() >= 2) {
    // Resampled by sample index (the COP samples are frames, equally spaced in time).
    const double last = static_cast<double>(cop_foot_mm.rows() - 1);
    im.cop_foot_mm.reserve(101);
    for (int k = 0; k <= 100; ++k) {
      const double x = last * k / 100.0;
      const auto i0 = static_cast<Eigen::Index>(std::floor(x));
      const Eigen::Index i1 = std::min<Eigen::Index>(i0 + 1, cop_foot_mm.rows() - 1);
      const double w = x - static_cast<double>(i0);
      im.cop_foot_mm.push_back((1.0 - w) * cop_foot_mm.row(i0).transpose() + w * cop_foot_mm.row(i1).transpose());
    }
  }
  return im;
}

FootfallImage footfall_image(std::vector<Eigen::Index> sensels, const Eigen::VectorXd& peak_kpa,
                             const Eigen::VectorXd& pti_kpa_s, const std::vector<Eigen::Index>& loaded_frames,
                             Eigen::Index frames, double duration_s) {
  FootfallImage im;
  const std::size_t cols = sensels.size();
  if (frames <= 0 || cols == 0) return im;
  im.sensels = std::move(sensels);
  im.peak_kpa.assign(cols, 0.0f);
  im.mean_kpa.assign(cols, 0.0f);
  im.pti_kpa_s.assign(cols, 0.0f);
  im.contact_percent.assign(cols, 0.0f);
  for (std::size_t j = 0; j < cols; ++j) {
    const auto c = static_cast<Eigen::Index>(j);
    im.peak_kpa[j] = static_cast<float>(peak_kpa[c]);
    im.pti_kpa_s[j] = static_cast<float>(pti_kpa_s[c]);
    im.mean_kpa[j] = static_cast<float>(duration_s > 0.0 ? pti_kpa_s[c] / duration_s : peak_kpa[c]);
    im.contact_percent[j] = static_cast<float>(100.0 * static_cast<double>(loaded_frames[j]) / static_cast<double>(frames));
  }
  return im;
}

int FootImage::region_of(const ImageCell& c) const {
  int best = -1;
  std::uint32_t votes = 0;
  for (std::size_t r = 0; r < c.region_votes.size(); ++r)
    if (c.region_votes[r] > votes) {
      votes = c.region_votes[r];
      best = static_cast<int>(r);
    }
  return best;
}

std::vector<Eigen::Vector2d> FootImage::mean_cop_mm() const {
  std::vector<Eigen::Vector2d> out;
  if (cop_footfalls == 0) return out;
  for (const auto& p : cop_sum_mm) out.push_back(p / static_cast<double>(cop_footfalls));
  return out;
}

std::optional<std::array<double, 2>> FootImage::thirds_ap_mm() const {
  if (third_cb_ap_mm.empty() || third_ba_ap_mm.empty()) return std::nullopt;
  return std::array<double, 2>{median(third_cb_ap_mm), median(third_ba_ap_mm)};
}

void accumulate_image(FootImage& image, const SensorLayout& layout, const FootFrame& frame,
                      const FootfallImage& im, const RegionMasks* masks) {
  ++image.footfalls;
  if (im.cop_foot_mm.size() == image.cop_sum_mm.size()) {
    for (std::size_t k = 0; k < im.cop_foot_mm.size(); ++k) image.cop_sum_mm[k] += im.cop_foot_mm[k];
    ++image.cop_footfalls;
  }
  if (masks && masks->thirds_ap_mm[1] > masks->thirds_ap_mm[0]) {
    image.third_cb_ap_mm.push_back(masks->thirds_ap_mm[0]);
    image.third_ba_ap_mm.push_back(masks->thirds_ap_mm[1]);
  }
  if (im.empty()) return;
  // Region of each sensel (grids), per kImageRegions.
  std::vector<int> region;
  if (masks) {
    region.assign(static_cast<std::size_t>(layout.sensor_count()), -1);
    for (std::size_t r = 0; r < kImageRegions.size(); ++r)
      if (const Region* reg = masks->find(kImageRegions[r]))
        for (Eigen::Index s : reg->sensels) region[static_cast<std::size_t>(s)] = static_cast<int>(r);
  }
  auto add = [&](ImageCell& c, std::size_t j, Eigen::Index sensel) {
    ++c.footfalls;
    c.max_peak_kpa = std::max(c.max_peak_kpa, static_cast<double>(im.peak_kpa[j]));
    c.sum_peak_kpa += im.peak_kpa[j];
    c.sum_mean_kpa += im.mean_kpa[j];
    c.sum_pti_kpa_s += im.pti_kpa_s[j];
    c.sum_contact_percent += im.contact_percent[j];
    if (!region.empty() && region[static_cast<std::size_t>(sensel)] >= 0)
      ++c.region_votes[static_cast<std::size_t>(region[static_cast<std::size_t>(sensel)])];
  };

  if (!layout.is_grid()) {
    image.raster = false;
    for (std::size_t j = 0; j < im.sensels.size(); ++j) {
      const Eigen::Index s = im.sensels[j];
      const Eigen::Vector2d centre = layout.centres_mm().row(s).transpose();
      if (!centre.allFinite() || !(im.peak_kpa[j] > 0.0f)) continue;
      ImageCell& c = image.cells[static_cast<std::int64_t>(s)];
      if (c.footfalls == 0) {
        const Eigen::Vector2d f = frame.to_foot(centre);
        c.ml_mm = f.x();
        c.ap_mm = f.y();
        c.half_ml_mm = c.half_ap_mm = 0.5 * std::sqrt(std::max(layout.areas_mm2()[s], 1.0));
      }
      add(c, j, s);
    }
    return;
  }

  image.raster = true;
  const double rp = layout.row_pitch_mm(), cp = layout.col_pitch_mm();
  const double cell = std::min(rp, cp);
  if (image.cell_mm == 0.0) image.cell_mm = cell;
  const double step = image.cell_mm;
  // Column of each loaded sensel of this footfall, and the footprint's extent in foot coordinates.
  std::vector<int> column(static_cast<std::size_t>(layout.sensor_count()), -1);
  double ml_min = std::numeric_limits<double>::infinity(), ml_max = -ml_min, ap_min = ml_min, ap_max = -ml_min;
  for (std::size_t j = 0; j < im.sensels.size(); ++j) {
    if (!(im.peak_kpa[j] > 0.0f)) continue;
    const Eigen::Index s = im.sensels[j];
    column[static_cast<std::size_t>(s)] = static_cast<int>(j);
    const Eigen::Vector2d f = frame.to_foot(layout.centres_mm().row(s).transpose());
    ml_min = std::min(ml_min, f.x());
    ml_max = std::max(ml_max, f.x());
    ap_min = std::min(ap_min, f.y());
    ap_max = std::max(ap_max, f.y());
  }
  if (!std::isfinite(ml_min)) return;
  const double margin = std::max(rp, cp);
  const auto ix0 = static_cast<std::int64_t>(std::floor((ml_min - margin) / step));
  const auto ix1 = static_cast<std::int64_t>(std::floor((ml_max + margin) / step));
  const auto iy0 = static_cast<std::int64_t>(std::floor((ap_min - margin) / step));
  const auto iy1 = static_cast<std::int64_t>(std::floor((ap_max + margin) / step));
  for (std::int64_t iy = iy0; iy <= iy1; ++iy)
    for (std::int64_t ix = ix0; ix <= ix1; ++ix) {
      const double ml = (static_cast<double>(ix) + 0.5) * step, ap = (static_cast<double>(iy) + 0.5) * step;
      const Eigen::Vector2d p = frame.heel_mm + ml * frame.v + ap * frame.u;
      const auto c = static_cast<int>(std::floor(p.x() / cp));
      const auto r = static_cast<int>(std::floor(p.y() / rp));
      if (r < 0 || c < 0 || r >= layout.rows() || c >= layout.cols()) continue;
      const Eigen::Index s = layout.index(r, c);
      const int j = column[static_cast<std::size_t>(s)];
      if (j < 0) continue;
      ImageCell& cellv = image.cells[raster_key(ix, iy)];
      if (cellv.footfalls == 0) {
        cellv.ml_mm = ml;
        cellv.ap_mm = ap;
        cellv.half_ml_mm = cellv.half_ap_mm = 0.5 * step;
      }
      add(cellv, static_cast<std::size_t>(j), s);
    }
}

}  // namespace insole::analysis
