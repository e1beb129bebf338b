#pragma once
// A hand-built ReportModel: two synthetic footprints on a 5 mm grid (heel, wide midfoot,
// forefoot, toes), with regions, arch-index thirds, a COP path, metrics and a prescription
// computed by the shipped rules. No analysis involved.
#include <cmath>

#include "insole/recommend/engine.hpp"
#include "insole/report/report_model.hpp"
#include "recommend/support.hpp"

namespace insole::test {

inline report::FootPanel sample_panel(Side side, double forefoot_kpa) {
  report::FootPanel p;
  p.side = side;
  p.title = std::string(side == Side::left ? "Left" : "Right") + " foot (stream mat, 5 footfalls)";
  p.length_mm = 250;
  p.width_mm = 100;
  const double pitch = 5.0;
  for (double y = 0; y < 250; y += pitch) {
    // Half-width of the print along the foot: heel 30 mm, midfoot 25 mm (flat), forefoot 45 mm.
    const double hw = y < 70 ? 30 : y < 140 ? 25 : y < 210 ? 45 : 35;
    for (double x = -50; x < 50; x += pitch) {
      const double cx = x + pitch / 2;
      if (std::abs(cx) > hw) continue;
      double kpa = y < 70 ? 280 : y < 140 ? 90 : y < 210 ? forefoot_kpa : 200;
      kpa *= 1.0 - 0.4 * std::abs(cx) / hw;
      p.cells.push_back({{{x, y}, {x + pitch, y}, {x + pitch, y + pitch}, {x, y + pitch}}, kpa});
    }
  }
  auto box = [](const std::string& label, double y0, double y1, double hw) {
    return report::Polyline{label, {{-hw, y0}, {hw, y0}, {hw, y1}, {-hw, y1}}, true};
  };
  p.regions = {box("heel", 0, 70, 30), box("midfoot", 70, 140, 25), box("forefoot", 140, 210, 45),
               box("toes", 210, 250, 35)};
  for (double y : {70.0, 140.0}) p.thirds.push_back({y == 70.0 ? "C|B" : "B|A", {{-50, y}, {50, y}}, false});
  for (int i = 0; i <= 20; ++i) p.cop_path.push_back({5.0 * std::sin(i * 0.3), 10.0 + i * 11.0});
  return p;
}

inline report::ReportModel sample_model(std::optional<recommend::Intake> intake = std::nullopt) {
  report::ReportModel m;
  m.header = {"Example Clinic", "P-0042", "2024-05-01", "pressure mat (simulator)", "walk_flat.h5", "0.1.0", "1.0.0"};
  m.feet = {sample_panel(Side::left, 420), sample_panel(Side::right, 610)};
  const auto& rules = default_rules();
  auto row = [&](const std::string& key, Side s, double v) {
    const auto* md = rules.find_measure(key);
    return report::MetricRow{key, md->label, s, v, md->unit, md->decimals, md->ref_low, md->ref_high, md->source, ""};
  };
  m.metrics = {row("arch_index", Side::left, 0.29), row("arch_index", Side::right, 0.33),
               row("forefoot_peak_kpa", Side::left, 420), row("forefoot_peak_kpa", Side::right, 610)};
  auto low = finding("F-ARCH-LOW", Side::left);
  low.evidence.push_back({"arch_index", 0.29, "", ">= 0.26", "Cavanagh & Rodgers 1987", true, false, true, ""});
  m.findings = {low, finding("F-ARCH-LOW", Side::right), finding("F-EQUINUS", Side::right, 2),
                finding("F-FOREFOOT-OVERLOAD", Side::right)};
  recommend::EngineInput in{m.findings,
                            {{Side::left, {{"arch_index", 0.29}}},
                             {Side::right, {{"arch_index", 0.33}, {"forefoot_peak_ap_mm", 185}}}},
                            std::move(intake)};
  m.prescription = recommend::recommend(rules, in);
  m.chain = report::make_chain_diagram(rules, m.prescription);
  m.quality = {{"Footfalls used (left)", "5 of 5", true}, {"Saturated sensels", "0", true},
               {"Footfalls used (right)", "3 of 5 (2 partial)", false}};
  m.quality_warnings = {"fewer footfalls than the 5 recommended on a mat (right)"};
  return m;
}

}  // namespace insole::test
