#include "insole/stats/regions.hpp"

#include <cmath>
#include <string_view>
#include <vector>

#include "insole/analysis/foot_frame.hpp"
#include "insole/analysis/regions.hpp"

namespace insole::stats {

Result<RegionMap> regions_on_image(const Image& image, Side side, const Eigen::Vector2d& toe_direction,
                                   double contact_threshold) {
  if (auto s = validate(image, "region image"); !s) return s.error();
  auto layout = SensorLayout::grid(image.rows(), image.cols(), image.grid.pitch_y_mm, image.grid.pitch_x_mm);
  if (!layout) return layout.error();
  Eigen::VectorXf peak(layout->sensor_count());
  std::vector<Eigen::Index> sensels;
  for (int r = 0; r < image.rows(); ++r)
    for (int c = 0; c < image.cols(); ++c) {
      const double v = image.values(r, c);
      const Eigen::Index k = layout->index(r, c);
      peak(k) = std::isfinite(v) ? static_cast<float>(v) : 0.0f;
      if (std::isfinite(v) && v > contact_threshold) sensels.push_back(k);
    }
  analysis::FootFrameParams fp;
  fp.contact_threshold_kpa = contact_threshold;
  analysis::LoadTiming timing;
  const bool timed = toe_direction.norm() > 0;
  if (timed) {
    // Loaded and unloaded in order of the position along the toe direction (seconds are nominal).
    const Eigen::Vector2d u = toe_direction.normalized();
    timing.first_loaded_s = Eigen::VectorXd::Constant(layout->sensor_count(), std::nan(""));
    timing.last_loaded_s = timing.first_loaded_s;
    for (Eigen::Index k : sensels) {
      const Eigen::Vector2d p = layout->centres_mm().row(k).transpose();
      timing.first_loaded_s(k) = timing.last_loaded_s(k) = 1e-3 * u.dot(p);
    }
  }
  auto frame = analysis::foot_frame(*layout, peak, sensels, side, fp, timed ? &timing : nullptr);
  if (!frame) return frame.error();
  analysis::RegionParams rp;
  rp.contact_threshold_kpa = contact_threshold;
  auto masks = analysis::make_regions(*layout, peak, sensels, *frame, rp);
  if (!masks) return masks.error();
  // Coarse first, so that finer regions overwrite them.
  const std::vector<std::string_view> order = {
      analysis::region::hindfoot, analysis::region::midfoot, analysis::region::forefoot, analysis::region::toes,
      analysis::region::mth[0],   analysis::region::mth[1],  analysis::region::mth[2],   analysis::region::mth[3],
      analysis::region::mth[4],   analysis::region::hallux,  analysis::region::lesser_toes};
  RegionMap map;
  map.label = Eigen::MatrixXi::Constant(image.rows(), image.cols(), -1);
  for (std::string_view name : order) {
    const analysis::Region* reg = masks->find(name);
    if (!reg || reg->sensels.empty()) continue;
    const int label = static_cast<int>(map.names.size());
    map.names.emplace_back(name);
    for (Eigen::Index k : reg->sensels)
      map.label(static_cast<Eigen::Index>(k / image.cols()), static_cast<Eigen::Index>(k % image.cols())) = label;
  }
  return map;
}

}  // namespace insole::stats
