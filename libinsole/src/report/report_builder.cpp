#include "insole/report/report_builder.hpp"

#include <algorithm>
#include <cmath>

#include <array>
#include <chrono>
#include <utility>

#include "insole/analysis/measure_catalogue.hpp"
#include "insole/analysis/missing.hpp"

namespace insole::report {

namespace {

using analysis::FootSummary;

// Andrew's monotone chain; the outline of a region's cells.
std::vector<Point> convex_hull(std::vector<Point> p) {
  if (p.size() < 3) return p;
  std::sort(p.begin(), p.end(), [](const Point& a, const Point& b) { return a.x_mm < b.x_mm || (a.x_mm == b.x_mm && a.y_mm < b.y_mm); });
  auto cross = [](const Point& o, const Point& a, const Point& b) {
    return (a.x_mm - o.x_mm) * (b.y_mm - o.y_mm) - (a.y_mm - o.y_mm) * (b.x_mm - o.x_mm);
  };
  std::vector<Point> h(2 * p.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
    h[k++] = p[i];
  }
  for (std::size_t i = p.size() - 1, t = k + 1; i > 0; --i) {
    while (k >= t && cross(h[k - 2], h[k - 1], p[i - 1]) <= 0) --k;
    h[k++] = p[i - 1];
  }
  h.resize(k - 1);
  return h;
}

// Panel x: viewed from above, the viewer's right is medial for a left foot, lateral for a right.
double panel_x(Side side, double ml_mm) { return side == Side::right ? -ml_mm : ml_mm; }

// The foot's aggregated image (analysis/foot_image.hpp) as a panel: mean peak pressure per cell,
// region outlines from the cells' majority region, the median arch-index thirds and the mean COP.
FootPanel make_panel(const analysis::AnalysisResult& r, const FootSummary& foot) {
  FootPanel p;
  p.side = foot.side;
  std::string side = std::string(to_string(foot.side));
  side[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(side[0])));
  p.title = side + " foot (stream " + foot.stream + ", " + std::to_string(foot.footfalls_used) + " footfalls)";
  const analysis::FootImage* im = r.image_of(foot);
  if (!im || im->cells.empty()) return p;
  double max_abs_x = 0, max_y = foot.median("foot_length_mm").value_or(0.0);
  std::array<std::vector<Point>, analysis::kImageRegions.size()> region_pts;
  for (const auto& [key, c] : im->cells) {
    (void)key;
    const double v = im->mean_peak_kpa(c);
    if (!(v > 0)) continue;
    Cell cell;
    cell.peak_kpa = v;
    for (const auto& [dx, dy] : {std::pair{-1.0, -1.0}, {1.0, -1.0}, {1.0, 1.0}, {-1.0, 1.0}}) {
      const Point pt{panel_x(foot.side, c.ml_mm + dx * c.half_ml_mm), c.ap_mm + dy * c.half_ap_mm};
      cell.outline.push_back(pt);
      max_abs_x = std::max(max_abs_x, std::abs(pt.x_mm));
      max_y = std::max(max_y, pt.y_mm);
    }
    if (const int reg = im->region_of(c); reg >= 0)
      region_pts[static_cast<std::size_t>(reg)].insert(region_pts[static_cast<std::size_t>(reg)].end(),
                                                       cell.outline.begin(), cell.outline.end());
    p.cells.push_back(std::move(cell));
  }
  p.width_mm = 2 * max_abs_x;
  p.length_mm = max_y;
  for (std::size_t k = 0; k < region_pts.size(); ++k)
    if (!region_pts[k].empty()) p.regions.push_back({analysis::kImageRegions[k], convex_hull(std::move(region_pts[k])), true});
  if (const auto thirds = im->thirds_ap_mm()) {
    const double half = p.width_mm / 2;
    p.thirds.push_back({"C|B", {{-half, (*thirds)[0]}, {half, (*thirds)[0]}}, false});
    p.thirds.push_back({"B|A", {{-half, (*thirds)[1]}, {half, (*thirds)[1]}}, false});
  }
  for (const auto& c : im->mean_cop_mm()) p.cop_path.push_back({panel_x(foot.side, c.x()), c.y()});
  return p;
}

}  // namespace

ReportModel build_report_model(const assess::Assessment& a, const recommend::RuleSet& rules, ReportHeader header) {
  const analysis::AnalysisResult& result = a.analysis;
  const recommend::Prescription& prescription = a.prescription;
  ReportModel m;
  if (header.patient_id.empty()) header.patient_id = a.meta.subject;
  if (header.device.empty()) {
    for (const auto& s : a.streams)
      if (header.device.find(s.device) == std::string::npos)
        header.device += (header.device.empty() ? "" : "; ") + s.device;
  }
  if (header.analysis_version.empty()) header.analysis_version = result.algorithm_version;
  m.header = std::move(header);
  for (const auto& foot : result.feet) m.feet.push_back(make_panel(result, foot));

  // Metrics: every measure the rule file declares, per foot, in the rule file's order. A measure
  // the analysis left null on purpose (arch measures on insoles, CPEI when standing) keeps its row
  // with the reason, so the reader sees that it was not forgotten.
  for (const auto& md : rules.measures) {
    for (const auto& foot : result.feet) {
      const auto v = foot.median(md.id);
      // The analysis' own notes (arch measures on insoles, CPEI when standing) are listed; other
      // missing measures are left out of the table (their reasons are in the JSON).
      const auto missing = analysis::missing_reason(result, foot, md.id);
      const std::string why = v || !missing.noted ? std::string() : missing.reason;
      if (!v && why.empty()) continue;
      MetricRow row{md.id, md.label, foot.side, v, md.unit, md.decimals, md.ref_low, md.ref_high, md.source, why};
      // A barefoot norm (Putti 2008 is barefoot Emed) says nothing about in-shoe pressures.
      const std::string surface = foot.surface == analysis::Surface::in_shoe ? "in_shoe" : "barefoot";
      if (v && !md.ref_surface.empty() && md.ref_surface != surface && (md.ref_low || md.ref_high)) {
        row.ref_low.reset();
        row.ref_high.reset();
        row.note = md.ref_surface == "barefoot" ? "barefoot norm not applied in the shoe"
                                                : "in-shoe norm not applied barefoot";
      }
      m.metrics.push_back(std::move(row));
    }
    std::optional<double> whole;
    if (md.id == "stance_symmetry_percent") whole = result.timing.stance_symmetry_percent;
    if (whole) m.metrics.push_back({md.id, md.label, Side::both, whole, md.unit, md.decimals, md.ref_low, md.ref_high, md.source, ""});
  }
  // A foot whose sensor positions are unknown (Moticon) was analysed from the vendor's channels:
  // its COP path and ranges from the vendor COP (normalised insole units, no reference range) and
  // its peak force follow the rule file's measures.
  for (const auto& foot : result.feet) {
    if (foot.positions_unknown.empty()) continue;
    for (const auto& info : analysis::measure_catalogue()) {
      if (!info.vendor_cop() && info.key != "peak_force_n") continue;
      const auto v = foot.median(info.key);
      if (!v) continue;
      m.metrics.push_back({info.key, info.label, foot.side, v, info.unit, info.vendor_cop() ? 3 : 0, std::nullopt,
                           std::nullopt, "", "vendor channel (sensor positions unknown)"});
    }
  }
  m.findings = a.findings;
  m.prescription = prescription;
  m.chain = make_chain_diagram(rules, prescription);
  for (const auto& q : result.quality.streams) {
    const bool enough = q.footfalls_used > 0;
    m.quality.push_back({"Stream " + q.stream + ": footfalls used / found",
                         std::to_string(q.footfalls_used) + " / " + std::to_string(q.footfalls_found), enough});
    std::string rejected;
    for (const auto& [why, n] : q.rejected) rejected += (rejected.empty() ? "" : ", ") + why + " " + std::to_string(n);
    if (!rejected.empty()) m.quality.push_back({"Stream " + q.stream + ": rejected", rejected, true});
    m.quality.push_back({"Stream " + q.stream + ": saturated / dead sensels",
                         std::to_string(q.saturated_sensels.size()) + " / " + std::to_string(q.dead_sensels.size()),
                         q.saturated_sensels.empty()});
  }
  m.quality_warnings = result.quality.warnings;
  return m;
}

std::string local_date(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string local_date_today() {
  return local_date(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()));
}

}  // namespace insole::report
