#include "insole/analysis/findings.hpp"

#include <cmath>
#include <sstream>

namespace insole::analysis {

namespace {

std::string fmt(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

Evidence make_evidence(std::string measure, double value, std::string unit, std::string threshold,
                       std::string source, bool agrees) {
  return Evidence{std::move(measure), value, std::move(unit), std::move(threshold),
                  std::move(source), agrees};
}

// Confidence from how many footfalls a median rests on and whether the interquartile range lies
// entirely beyond the threshold.
std::string confidence_of(const Spread& s, double threshold, bool above) {
  if (s.n < 3) return "low";
  const bool iqr_beyond = above ? s.q1 >= threshold : s.q3 <= threshold;
  return iqr_beyond ? "high" : "moderate";
}

int severity_of(double margin, double mild, double moderate) {
  margin = std::abs(margin);
  return margin < mild ? 1 : (margin < moderate ? 2 : 3);
}

const char* kCR = "Cavanagh & Rodgers 1987 J Biomech 20:547 (cut-offs quoted second-hand, unverified)";
const char* kDesign = "toolkit design default (no published cut-off)";

void arch_findings(const FootSummary& foot, const FindingParams& p, std::vector<Finding>& out) {
  auto it = foot.measures.find("arch_index");
  if (it == foot.measures.end()) return;
  const Spread& ai = it->second;
  if (ai.median >= p.arch_low_min) {
    Finding f{"F-ARCH-LOW", foot.side,
              "Footprint findings consistent with a low medial arch (pes planus pattern).",
              {make_evidence("arch_index", ai.median, "", ">= " + fmt(p.arch_low_min), kCR, true)},
              confidence_of(ai, p.arch_low_min, true), severity_of(ai.median - p.arch_low_min, 0.02, 0.05), {}};
    f.notes.push_back("Arch Index on the accumulated (maximum) footprint without toes, median of " +
                      std::to_string(ai.n) + " footfalls.");
    f.notes.push_back("Adult cut-offs; flat footprints are normal in young children.");
    out.push_back(std::move(f));
  } else if (ai.median <= p.arch_high_max) {
    Finding f{"F-ARCH-HIGH", foot.side,
              "Footprint findings consistent with a high medial arch (pes cavus pattern).",
              {make_evidence("arch_index", ai.median, "", "<= " + fmt(p.arch_high_max), kCR, true)},
              confidence_of(ai, p.arch_high_max, false), severity_of(p.arch_high_max - ai.median, 0.03, 0.08), {}};
    f.notes.push_back("Arch Index on the accumulated (maximum) footprint without toes, median of " +
                      std::to_string(ai.n) + " footfalls.");
    out.push_back(std::move(f));
  }
}

void pronation_findings(const FootSummary& foot, const FindingParams& p, std::vector<Finding>& out) {
  struct Index {
    const char* key;
    double low, high;  // pronated below low, supinated above high
    const char* source;
  };
  const Index indices[] = {
      {"cpei_percent", p.cpei.low_quintile_percent, p.cpei.high_quintile_percent,
       "Song et al. 1996 JAPMA 86:16; quintile limits derived from cadet data PMC7393860 Table 4 (estimate)"},
      {"mlpi", p.mlpi_medial_max, p.mlpi_lateral_min, kDesign},
      {"forefoot_mlpi", p.forefoot_mlpi_medial_max, p.forefoot_mlpi_lateral_min, kDesign},
  };
  for (bool pronation : {true, false}) {
    std::vector<Evidence> evidence;
    int agreeing = 0;
    std::string agree_names;
    std::string disagree_names;
    for (const auto& ix : indices) {
      const auto v = foot.median(ix.key);
      if (!v) continue;
      const bool agrees = pronation ? *v < ix.low : *v > ix.high;
      const std::string unit = std::string(ix.key) == "cpei_percent" ? "%" : "";
      evidence.push_back(make_evidence(ix.key, *v, unit,
                                       pronation ? "< " + fmt(ix.low) : "> " + fmt(ix.high),
                                       ix.source, agrees));
      std::string& names = agrees ? agree_names : disagree_names;
      names += (names.empty() ? "" : ", ") + std::string(ix.key);
      agreeing += agrees ? 1 : 0;
    }
    if (agreeing < p.pronation_min_agreeing) continue;
    Finding f;
    f.id = pronation ? "F-PRONATION" : "F-SUPINATION";
    f.side = foot.side;
    f.statement = pronation
                      ? "Centre-of-pressure and loading pattern consistent with pronated foot function (medial loading)."
                      : "Centre-of-pressure and loading pattern consistent with supinated foot function (lateral loading).";
    f.evidence = std::move(evidence);
    const int evaluated = static_cast<int>(f.evidence.size());
    f.confidence = agreeing >= 3 ? "high" : (agreeing == evaluated ? "moderate" : "low");
    f.severity = agreeing;
    f.notes.push_back("Indices that agree: " + agree_names +
                      (disagree_names.empty() ? "" : "; that do not: " + disagree_names) + ".");
    f.notes.push_back("No single pressure index classifies pronation; CPEI differs by only 1-2 % between foot types.");
    out.push_back(std::move(f));
  }
}

void equinus_findings(const FootSummary& foot, const FindingParams& p, std::vector<Finding>& out) {
  std::vector<Evidence> evidence;
  int agreeing = 0;
  const char* kSig = "metrics.md section 6 detector proposal (Searle 2018 JFAR mechanism), threshold unvalidated";
  if (auto v = foot.median("heel_contact_percent")) {
    const bool a = *v < p.equinus_heel_contact_max_percent;
    evidence.push_back(make_evidence("heel_contact_percent", *v, "%",
                                     "< " + fmt(p.equinus_heel_contact_max_percent) + " (walking reference 60.6)",
                                     kSig, a));
    agreeing += a;
  }
  if (auto v = foot.median("forefoot_heel_pti_ratio")) {
    const bool a = *v > p.equinus_pti_ratio_min;
    evidence.push_back(make_evidence("forefoot_heel_pti_ratio", *v, "", "> " + fmt(p.equinus_pti_ratio_min), kSig, a));
    agreeing += a;
  }
  if (auto v = foot.median("toe_first_percent")) {
    const bool a = *v >= 100.0 * p.equinus_toe_first_min_fraction;
    evidence.push_back(make_evidence("toe_first_percent", *v, "%",
                                     ">= " + fmt(100.0 * p.equinus_toe_first_min_fraction),
                                     "metrics.md section 6 feature 3 (no heel contact in the first 10 % of stance)", a));
    agreeing += a;
  }
  if (foot.surface == Surface::barefoot) {
    if (auto v = foot.median("forefoot_peak_kpa")) {
      const bool a = *v > p.forefoot_peak_barefoot_kpa;
      evidence.push_back(make_evidence("forefoot_peak_kpa", *v, "kPa", "> " + fmt(p.forefoot_peak_barefoot_kpa),
                                       "Putti 2008 Gait Posture 27:501 MTH2 mean + 2 SD; equinus 787 vs 652 kPa Searle 2018", a));
      agreeing += a;
    }
  }
  if (auto v = foot.median("standing_heel_load_share_percent")) {
    const bool a = *v < p.standing_heel_share_max_percent;
    evidence.push_back(make_evidence("standing_heel_load_share_percent", *v, "%",
                                     "< " + fmt(p.standing_heel_share_max_percent) + " (normal about 60)",
                                     "Cavanagh, Rodgers & Iiboshi 1987 Foot Ankle 7:262 (normal share, unverified); threshold design default", a));
    agreeing += a;
  }
  if (agreeing < p.equinus_min_agreeing) return;
  Finding f;
  f.id = "F-EQUINUS";
  f.side = foot.side;
  f.statement =
      "Pressure pattern consistent with limited ankle dorsiflexion (calf tightness / equinus signature). "
      "Confirm clinically: weight-bearing lunge test (equinus if dorsiflexion < 30 deg, Searle 2018) "
      "or Silfverskiold test.";
  f.evidence = std::move(evidence);
  f.confidence = agreeing >= 3 ? "high" : "moderate";
  f.severity = std::min(3, agreeing - 1);
  f.notes.push_back(std::to_string(agreeing) + " of " + std::to_string(f.evidence.size()) +
                    " equinus features agree.");
  f.notes.push_back("A pressure signature does not establish equinus; compensation can also mask it (Rao 2006).");
  out.push_back(std::move(f));
}

void overload_findings(const FootSummary& foot, const FindingParams& p, std::vector<Finding>& out) {
  if (foot.surface != Surface::barefoot) return;  // no in-shoe norm in the sources we hold
  auto it = foot.measures.find("forefoot_peak_kpa");
  if (it == foot.measures.end() || !(it->second.median > p.forefoot_overload_barefoot_kpa)) return;
  const Spread& s = it->second;
  Finding f{"F-FOREFOOT-OVERLOAD", foot.side,
            "Forefoot peak pressure above the barefoot norm, consistent with metatarsal overload.",
            {make_evidence("forefoot_peak_kpa", s.median, "kPa", "> " + fmt(p.forefoot_overload_barefoot_kpa),
                           "Putti, Arnold, Cochrane & Abboud 2008 Gait Posture 27:501 (MTH2 361 +/- 104 kPa, mean + 2 SD)", true)},
            confidence_of(s, p.forefoot_overload_barefoot_kpa, true),
            severity_of(s.median - p.forefoot_overload_barefoot_kpa, 100.0, 250.0), {}};
  f.notes.push_back("Norm measured barefoot on an Emed platform; devices differ, build device-specific norms.");
  out.push_back(std::move(f));
}

void short_stride_findings(const FootSummary& foot, const FindingParams& p, std::vector<Finding>& out) {
  std::vector<Evidence> evidence;
  int agreeing = 0;
  if (auto v = foot.median("cop_ap_excursion_percent")) {
    const bool a = *v < p.short_rollover_max_percent;
    evidence.push_back(make_evidence("cop_ap_excursion_percent", *v, "%", "< " + fmt(p.short_rollover_max_percent), kDesign, a));
    agreeing += a;
  }
  if (auto v = foot.median("stride_length_mm")) {
    const bool a = *v < p.short_stride_max_mm;
    evidence.push_back(make_evidence("stride_length_mm", *v, "mm", "< " + fmt(p.short_stride_max_mm), kDesign, a));
    agreeing += a;
  }
  if (agreeing == 0 || 2 * agreeing < static_cast<int>(evidence.size())) return;
  Finding f;
  f.id = "F-SHORT-STRIDE";
  f.side = foot.side;
  f.statement = "Shortened roll-over / stride, consistent with reduced forward progression.";
  f.evidence = std::move(evidence);
  f.confidence = agreeing >= 2 ? "moderate" : "low";
  f.severity = 1;
  out.push_back(std::move(f));
}

void asymmetry_findings(const std::vector<FootSummary>& feet, const GaitTiming& timing,
                        const FindingParams& p, std::vector<Finding>& out) {
  const FootSummary* left = nullptr;
  const FootSummary* right = nullptr;
  for (const auto& f : feet) {
    if (f.side == Side::left && f.footfalls_used > 0) left = &f;
    if (f.side == Side::right && f.footfalls_used > 0) right = &f;
  }
  if (!left || !right) return;
  std::vector<Evidence> evidence;
  int agreeing = 0;
  auto add = [&](const std::string& key, std::optional<double> si) {
    if (!si) return;
    const bool a = *si > p.asymmetry_max_percent;
    evidence.push_back(make_evidence(key, *si, "%", "> " + fmt(p.asymmetry_max_percent),
                                     "Robinson symmetry index (Robinson, Herzog & Nigg 1987); limit is a design default", a));
    agreeing += a;
  };
  add("stance_symmetry_percent", timing.stance_symmetry_percent);
  add("step_symmetry_percent", timing.step_symmetry_percent);
  auto pair_si = [&](const char* key) -> std::optional<double> {
    auto l = left->median(key);
    auto r = right->median(key);
    if (!l || !r) return std::nullopt;
    return symmetry_index_percent(*l, *r);
  };
  add("peak_force_symmetry_percent", pair_si("peak_force_n"));
  add("force_time_integral_symmetry_percent", pair_si("force_time_integral_n_s"));
  if (agreeing == 0) return;
  Finding f;
  f.id = "F-ASYMMETRY";
  f.side = Side::both;
  f.statement = "Left/right differences beyond the symmetry limit in loading or timing.";
  f.evidence = std::move(evidence);
  f.confidence = agreeing >= 2 ? "high" : "moderate";
  f.severity = std::min(3, agreeing);
  out.push_back(std::move(f));
}

}  // namespace

std::vector<Finding> derive_findings(const std::vector<FootSummary>& feet, const GaitTiming& timing,
                                     const FindingParams& params) {
  std::vector<Finding> out;
  for (const auto& foot : feet) {
    if (foot.footfalls_used == 0) continue;
    arch_findings(foot, params, out);
    pronation_findings(foot, params, out);
    equinus_findings(foot, params, out);
    overload_findings(foot, params, out);
    short_stride_findings(foot, params, out);
  }
  asymmetry_findings(feet, timing, params, out);
  return out;
}

}  // namespace insole::analysis
