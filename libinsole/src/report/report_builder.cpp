#include "insole/report/report_builder.hpp"

#include <algorithm>
#include <cmath>

#include "insole/analysis/cop.hpp"
#include "insole/analysis/regions.hpp"
#include "insole/analysis/segmentation.hpp"

namespace insole::report {

namespace {

using analysis::FootfallAnalysis;
using analysis::FootSummary;

// The used footfall of this foot with the median peak force: typical, not the extreme.
const FootfallAnalysis* representative(const analysis::AnalysisResult& r, const Recording& rec, const FootSummary& foot) {
  std::vector<const FootfallAnalysis*> used;
  for (const auto& fa : r.footfalls) {
    const auto& ff = fa.footfall;
    if (!ff.reject_reason.empty() || ff.side != foot.side || ff.stream >= rec.streams.size()) continue;
    if (rec.streams[ff.stream].info.name != foot.stream || ff.sensels.empty()) continue;
    used.push_back(&fa);
  }
  if (used.empty()) return nullptr;
  std::sort(used.begin(), used.end(), [](auto* a, auto* b) { return a->peak_force_n < b->peak_force_n; });
  return used[used.size() / 2];
}

// Panel coordinates: viewed from above, x to the viewer's right is medial for a left foot.
Point to_panel(const analysis::FootFrame& frame, Side side, const Eigen::Vector2d& layout_mm) {
  const Eigen::Vector2d f = frame.to_foot(layout_mm);  // (ml, ap), ml positive medial
  return {side == Side::right ? -f.x() : f.x(), f.y()};
}

std::vector<Eigen::Vector2d> sensel_corners(const SensorLayout& layout, Eigen::Index s) {
  const Eigen::Vector2d c = layout.centres_mm().row(s).transpose();
  double hx, hy;
  if (layout.is_grid()) {
    hx = layout.col_pitch_mm() / 2;
    hy = layout.row_pitch_mm() / 2;
  } else {
    hx = hy = std::sqrt(std::max(layout.areas_mm2()(s), 1.0)) / 2;
  }
  return {c + Eigen::Vector2d(-hx, -hy), c + Eigen::Vector2d(hx, -hy), c + Eigen::Vector2d(hx, hy),
          c + Eigen::Vector2d(-hx, hy)};
}

// Andrew's monotone chain; the outline of a region's sensels.
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

struct PanelExtras {
  std::optional<double> forefoot_peak_ap_mm;
};

FootPanel make_panel(const Recording& rec, const analysis::AnalysisResult& r, const FootSummary& foot,
                     PanelExtras* extras) {
  FootPanel p;
  p.side = foot.side;
  std::string side = std::string(to_string(foot.side));
  side[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(side[0])));
  p.title = side + " foot (stream " + foot.stream + ", " + std::to_string(foot.footfalls_used) + " footfalls)";
  const FootfallAnalysis* fa = representative(r, rec, foot);
  if (!fa) return p;
  const Stream& stream = rec.streams[fa->footfall.stream];
  const SensorLayout& layout = stream.info.layout;
  if (!layout.has_geometry()) return p;
  const Eigen::VectorXf peak = analysis::peak_footprint(stream, fa->footfall);
  double max_abs_x = 0, max_y = fa->frame.length_mm;
  for (Eigen::Index s : fa->footfall.sensels) {
    if (!(peak(s) > 0)) continue;
    Cell c;
    c.peak_kpa = peak(s);
    for (const auto& corner : sensel_corners(layout, s)) {
      c.outline.push_back(to_panel(fa->frame, foot.side, corner));
      max_abs_x = std::max(max_abs_x, std::abs(c.outline.back().x_mm));
      max_y = std::max(max_y, c.outline.back().y_mm);
    }
    p.cells.push_back(std::move(c));
  }
  p.width_mm = 2 * max_abs_x;
  p.length_mm = max_y;

  if (layout.is_grid()) {
    auto masks = analysis::make_regions(layout, peak, fa->footfall.sensels, fa->frame);
    if (masks) {
      for (std::string_view name : {analysis::region::hindfoot, analysis::region::midfoot, analysis::region::forefoot,
                                    analysis::region::toes}) {
        const auto* reg = masks->find(name);
        if (!reg || reg->sensels.empty()) continue;
        std::vector<Point> pts;
        for (Eigen::Index s : reg->sensels)
          for (const auto& corner : sensel_corners(layout, s)) pts.push_back(to_panel(fa->frame, foot.side, corner));
        p.regions.push_back({std::string(name), convex_hull(std::move(pts)), true});
      }
      if (const auto* ff = masks->find(analysis::region::forefoot); ff && extras) {
        Eigen::Index best = -1;
        for (Eigen::Index s : ff->sensels)
          if (best < 0 || peak(s) > peak(best)) best = s;
        if (best >= 0) extras->forefoot_peak_ap_mm = fa->frame.to_foot(layout.centres_mm().row(best).transpose()).y();
      }
    }
  }
  if (fa->arch.arch_index) {
    const double half = p.width_mm / 2;
    p.thirds.push_back({"C|B", {{-half, fa->arch.thirds_ap_mm[0]}, {half, fa->arch.thirds_ap_mm[0]}}, false});
    p.thirds.push_back({"B|A", {{-half, fa->arch.thirds_ap_mm[1]}, {half, fa->arch.thirds_ap_mm[1]}}, false});
  }
  const auto samples = analysis::extract_samples(layout, stream.time_s, stream.pressure_kpa, fa->footfall);
  const auto cop = analysis::cop_in_foot(analysis::cop_trajectory(samples, r.params.cop), fa->frame);
  for (Eigen::Index i = 0; i < cop.rows(); ++i)
    p.cop_path.push_back({foot.side == Side::right ? -cop(i, 0) : cop(i, 0), cop(i, 1)});
  return p;
}

// Why a measure is null on every used footfall of this foot: the analysis' own reason (the
// first one given), or "" when the measure simply does not apply.
std::string unavailable_reason(const analysis::AnalysisResult& r, const FootSummary& foot, const std::string& key) {
  const bool arch = key == "arch_index" || key == "chippaux_smirak_percent" || key == "staheli" ||
                    key == "midfoot_contact_ratio";
  if (!arch && key != "cpei_percent") return {};
  for (const auto& fa : r.footfalls) {
    if (!fa.footfall.reject_reason.empty() || fa.footfall.side != foot.side) continue;
    if (arch && !fa.arch.unavailable_reason.empty()) return fa.arch.unavailable_reason;
    if (!arch && !fa.cpei && !fa.cpei_note.empty()) return fa.cpei_note;
  }
  return {};
}

}  // namespace

recommend::EngineInput engine_input(const analysis::AnalysisResult& result, std::optional<recommend::Intake> intake,
                                    const Recording* recording) {
  recommend::EngineInput in;
  in.findings = result.findings;
  in.intake = std::move(intake);
  for (const auto& foot : result.feet) {
    auto& m = in.measures[foot.side];
    for (const auto& [key, spread] : foot.measures) m[key] = spread.median;
    if (recording) {
      PanelExtras extras;
      make_panel(*recording, result, foot, &extras);
      if (extras.forefoot_peak_ap_mm) m["forefoot_peak_ap_mm"] = *extras.forefoot_peak_ap_mm;
    }
  }
  auto& both = in.measures[Side::both];
  if (result.timing.stance_symmetry_percent) both["stance_symmetry_percent"] = *result.timing.stance_symmetry_percent;
  if (result.timing.step_symmetry_percent) both["step_symmetry_percent"] = *result.timing.step_symmetry_percent;
  return in;
}

ReportModel build_report_model(const Recording& recording, const analysis::AnalysisResult& result,
                               const recommend::RuleSet& rules, const recommend::Prescription& prescription,
                               ReportHeader header) {
  ReportModel m;
  if (header.patient_id.empty()) header.patient_id = recording.meta.subject;
  if (header.device.empty()) {
    for (const auto& s : recording.streams)
      if (header.device.find(s.info.device) == std::string::npos)
        header.device += (header.device.empty() ? "" : "; ") + s.info.device;
  }
  if (header.analysis_version.empty()) header.analysis_version = result.algorithm_version;
  m.header = std::move(header);
  for (const auto& foot : result.feet) m.feet.push_back(make_panel(recording, result, foot, nullptr));

  // Metrics: every measure the rule file declares, per foot, in the rule file's order. A measure
  // the analysis left null on purpose (arch measures on insoles, CPEI when standing) keeps its row
  // with the reason, so the reader sees that it was not forgotten.
  for (const auto& md : rules.measures) {
    for (const auto& foot : result.feet) {
      const auto v = foot.median(md.id);
      const std::string why = v ? std::string() : unavailable_reason(result, foot, md.id);
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
  m.findings = result.findings;
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

}  // namespace insole::report
