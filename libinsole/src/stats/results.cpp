#include "insole/stats/results.hpp"

#include <cstdint>

namespace insole::stats {

namespace {

DataArray matrix_array(const Eigen::MatrixXd& m, std::string units = {}) {
  DataArray a;
  a.shape = {static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())};
  a.values.reserve(static_cast<std::size_t>(m.size()));
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) a.values.push_back(m(r, c));  // row-major
  a.units = std::move(units);
  return a;
}

DataArray vector_array(std::vector<double> v, std::string units = {}) {
  DataArray a;
  a.shape = {v.size()};
  a.values = std::move(v);
  a.units = std::move(units);
  return a;
}

void put_grid(DataNode& node, const Grid& g) {
  node.arrays["pitch_mm"] = vector_array({g.pitch_y_mm, g.pitch_x_mm}, "mm");  // [row, col] as in the format
  node.arrays["origin_mm"] = vector_array({g.origin_x_mm, g.origin_y_mm}, "mm");
}

DataNode cluster_table(const std::vector<Cluster>& cs) {
  DataNode t;
  std::vector<double> sign, pixels, area, cx, cy, peak, px, py, p;
  std::vector<std::string> region;
  for (const Cluster& c : cs) {
    sign.push_back(c.sign), pixels.push_back(static_cast<double>(c.pixels)), area.push_back(c.area_mm2);
    cx.push_back(c.centroid_x_mm), cy.push_back(c.centroid_y_mm), peak.push_back(c.peak_t);
    px.push_back(c.peak_x_mm), py.push_back(c.peak_y_mm), p.push_back(c.p_fwe), region.push_back(c.region);
  }
  t.attributes["count"] = static_cast<std::int64_t>(cs.size());
  t.arrays["sign"] = vector_array(sign);
  t.arrays["pixels"] = vector_array(pixels);
  t.arrays["area_mm2"] = vector_array(area, "mm2");
  t.arrays["centroid_x_mm"] = vector_array(cx, "mm");
  t.arrays["centroid_y_mm"] = vector_array(cy, "mm");
  t.arrays["peak_t"] = vector_array(peak);
  t.arrays["peak_x_mm"] = vector_array(px, "mm");
  t.arrays["peak_y_mm"] = vector_array(py, "mm");
  t.arrays["p_fwe"] = vector_array(p);
  t.strings["region"] = region;
  return t;
}

}  // namespace

DataNode to_data_tree(const SpmResult& r) {
  DataNode n;
  n.attributes["design"] = to_string(r.design);
  n.attributes["tail"] = to_string(r.tail);
  n.attributes["n"] = static_cast<std::int64_t>(r.n);
  n.attributes["df"] = static_cast<std::int64_t>(r.df);
  n.attributes["alpha"] = r.alpha;
  n.attributes["permutations"] = static_cast<std::int64_t>(r.permutations);
  // Saturated counts (more than 2^63 relabellings) are written as -1.
  n.attributes["possible_permutations"] =
      r.possible_permutations > static_cast<std::size_t>(INT64_MAX) ? std::int64_t{-1}
                                                                     : static_cast<std::int64_t>(r.possible_permutations);
  n.attributes["exact"] = static_cast<std::int64_t>(r.exact);
  n.attributes["seed"] = std::to_string(r.seed);  // text: uint64 does not fit an int64 attribute
  n.attributes["threshold_t"] = r.threshold_t;
  n.attributes["cluster_forming_t"] = r.cluster_forming_t;
  n.attributes["critical_cluster_pixels"] = r.critical_cluster_pixels;
  n.attributes["method"] = std::string(
      "permutation FWE (Nichols & Holmes 2002): maximum statistic and cluster extent; pSPM (Pataky et al. 2008)");
  put_grid(n, r.grid);
  n.arrays["statistic"] = matrix_array(r.statistic.values);
  n.arrays["p_fwe"] = matrix_array(r.p_fwe);
  n.arrays["effect"] = matrix_array(r.effect);
  n.arrays["mask"] = matrix_array(r.mask.cast<double>());
  n.arrays["max_distribution"] = vector_array(r.max_distribution);
  n.arrays["cluster_distribution"] = vector_array(r.cluster_distribution);
  n.groups["clusters_max"] = cluster_table(r.peak_clusters);
  n.groups["clusters_extent"] = cluster_table(r.extent_clusters);
  return n;
}

DataNode to_data_tree(const Registration& reg) {
  DataNode n;
  n.attributes["kind"] = std::string(reg.kind == TransformKind::rigid    ? "rigid"
                                     : reg.kind == TransformKind::affine ? "affine"
                                                                         : "nonlinear");
  n.attributes["mirrored"] = static_cast<std::int64_t>(reg.mirrored);
  n.attributes["angle_deg"] = reg.angle_deg;
  n.attributes["dice"] = reg.quality.dice;
  n.attributes["ncc"] = reg.quality.ncc;
  n.attributes["rms_residual"] = reg.quality.rms_residual;
  n.attributes["dice_before"] = reg.quality.dice_before;
  n.attributes["ncc_before"] = reg.quality.ncc_before;
  n.attributes["rms_residual_before"] = reg.quality.rms_residual_before;
  if (reg.quality.min_jacobian) n.attributes["min_jacobian"] = *reg.quality.min_jacobian;
  n.arrays["A"] = matrix_array(reg.A);
  n.arrays["t_mm"] = vector_array({reg.t_mm.x(), reg.t_mm.y()}, "mm");
  put_grid(n, reg.fixed_grid);
  n.arrays["warped"] = matrix_array(reg.warped.values);
  if (reg.ux_mm.size()) {
    n.arrays["ux_mm"] = matrix_array(reg.ux_mm, "mm");
    n.arrays["uy_mm"] = matrix_array(reg.uy_mm, "mm");
  }
  return n;
}

}  // namespace insole::stats
