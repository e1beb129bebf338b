#include "insole/report/json.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "insole/analysis/measure_catalogue.hpp"
#include "insole/analysis/missing.hpp"
#include "insole/core/version.hpp"
#include "insole/recommend/json.hpp"
#include "insole/recommend/rules.hpp"

namespace insole::report {

using nlohmann::json;
using namespace insole::analysis;

namespace {

json num(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return *v;
}

json spread(const std::optional<Spread>& s) {
  if (!s) return nullptr;
  return json{{"median", s->median}, {"q1", s->q1}, {"q3", s->q3},
              {"min", s->min},       {"max", s->max}, {"n", s->n}};
}

json str_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json vec2(const Eigen::Vector2d& v) { return json::array({v.x(), v.y()}); }

json side_timing(const SideTiming& t) {
  return {{"stance_s", spread(t.stance_s)},
          {"stride_s", spread(t.stride_s)},
          {"swing_s", spread(t.swing_s)},
          {"step_s", spread(t.step_s)},
          {"double_support_percent", spread(t.double_support_percent)},
          {"stance_percent", spread(t.stance_percent)}};
}

json measure_map(const MeasureValues& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[std::string(k)] = num(v);
  return j;
}

json footfall_json(const FootfallAnalysis& fa, std::size_t index) {
  const Footfall& ff = fa.footfall;
  const bool used = ff.reject_reason.empty();
  auto measure = [&](const char* key) -> json {
    auto it = fa.measures.find(key);
    return it == fa.measures.end() ? json(nullptr) : num(it->second);
  };
  json j{{"index", index},
         {"start_s", ff.start_s},
         {"end_s", ff.end_s},
         {"first_frame", ff.first_frame},
         {"last_frame", ff.last_frame},
         {"used", used},
         {"reject_reason", str_or_null(ff.reject_reason)},
         {"partial", ff.partial},
         {"side_reason", str_or_null(ff.side_reason)},
         {"standing", fa.standing},
         {"arch_index", measure("arch_index")},
         {"arch_class", str_or_null(fa.arch.arch_class)},
         {"cpei_percent", measure("cpei_percent")},
         {"cpei_note", str_or_null(fa.cpei ? std::string() : fa.cpei_note)},
         {"foot_length_mm", measure("foot_length_mm")}};
  if (!used) return j;
  j["foot_frame"] = {{"heel_mm", vec2(fa.frame.heel_mm)}, {"u", vec2(fa.frame.u)},
                     {"v_medial", vec2(fa.frame.v)},     {"length_mm", fa.frame.length_mm},
                     {"width_mm", fa.frame.width_mm},     {"method", fa.frame.method}};
  if (!fa.standing) {
    const GaitEvents& e = fa.events;
    j["events"] = {{"initial_contact_s", e.ic_s},      {"forefoot_contact_s", num(e.ffc_s)},
                   {"forefoot_flat_s", num(e.ff_s)},   {"heel_on_s", num(e.heel_on_s)},
                   {"heel_off_s", num(e.ho_s)},        {"toe_off_s", e.to_s},
                   {"heel_first", e.heel_first}};
  }
  if (!fa.fpa_method.empty()) j["foot_progression_method"] = fa.fpa_method;
  if (!fa.arch.unavailable_reason.empty()) j["arch_unavailable_reason"] = fa.arch.unavailable_reason;
  j["measures"] = measure_map(fa.measures);
  return j;
}

/// Reference values printed next to the measures: the rule file's measures[].published and
/// reference ranges (Assessment::references). Without rules (analysis_json) every one is null.
class References {
 public:
  explicit References(const std::vector<recommend::MeasureDef>* defs) : defs_(defs) {}
  const recommend::MeasureDef* find(std::string_view id) const {
    if (!defs_) return nullptr;
    for (const auto& d : *defs_)
      if (d.id == id) return &d;
    return nullptr;
  }
  json value(std::string_view id, std::string_view name) const {
    const auto* d = find(id);
    return d ? num(d->published_value(name)) : json(nullptr);
  }
  json source(std::string_view id) const {
    const auto* d = find(id);
    return d && !d->published_citation.empty() ? json(d->published_citation) : json(nullptr);
  }
  /// Every published value of the measure, by name; null when it has none.
  json values(std::string_view id) const {
    const auto* d = find(id);
    if (!d || d->published.empty()) return nullptr;
    json j = json::object();
    for (const auto& [k, v] : d->published) j[k] = v;
    return j;
  }
  /// The reference range as [low, high] (a missing bound is null); null when there is none.
  json range(std::string_view id) const {
    const auto* d = find(id);
    if (!d || (!d->ref_low && !d->ref_high)) return nullptr;
    return json::array({num(d->ref_low), num(d->ref_high)});
  }

 private:
  const std::vector<recommend::MeasureDef>* defs_;
};

json foot_json(const FootSummary& foot, const AnalysisResult& r, const References& refs) {
  auto med = [&](const char* key) { return num(foot.median(key)); };
  auto sp = [&](const char* key) {
    auto it = foot.measures.find(key);
    return it == foot.measures.end() ? json(nullptr) : spread(it->second);
  };
  json j;
  j["side"] = std::string(to_string(foot.side));
  j["stream"] = foot.stream;
  j["surface"] = foot.surface == Surface::in_shoe ? "in_shoe" : "barefoot";
  j["arch_index"] = med("arch_index");
  j["arch_class"] = str_or_null(foot.arch_class);
  j["cpei_percent"] = med("cpei_percent");
  j["foot_length_mm"] = med("foot_length_mm");
  // A null contract value says why (design note section 6); every other missing measure of the
  // catalogue that concerns this foot is in measure_reasons.
  json reasons = json::object();
  for (const auto& info : measure_catalogue()) {
    const auto why = missing_reason(r, foot, info.key);
    if (!why.reason.empty()) reasons[info.key] = why.reason;
  }
  for (const char* key : {"arch_index", "cpei_percent", "foot_length_mm"})
    if (reasons.contains(key)) j[std::string(key) + "_reason"] = reasons[key];
  // Every class of the rule file with its cut-offs and source; a class without a label says why
  // (the measure's own reason when it was not measured).
  json classes = json::array();
  for (const auto& c : foot.classes) {
    std::string why = c.reason;
    if (c.label.empty() && reasons.contains(c.measure)) why = reasons[c.measure].get<std::string>();
    classes.push_back({{"id", c.id}, {"measure", c.measure}, {"label", str_or_null(c.label)},
                       {"rule", str_or_null(c.rule)}, {"ages", str_or_null(c.ages)},
                       {"source", str_or_null(c.source)}, {"reason", str_or_null(c.label.empty() ? why : "")}});
    if (c.id == "arch_class" && c.label.empty() && !why.empty()) j["arch_class_reason"] = why;
  }
  if (foot.arch_class.empty() && !j.contains("arch_class_reason") && reasons.contains("arch_index"))
    j["arch_class_reason"] = reasons["arch_index"];
  j["classes"] = classes;
  j["measure_reasons"] = reasons;
  j["footfalls_used"] = foot.footfalls_used;
  j["footfalls_rejected"] = foot.footfalls_rejected;
  j["standing_footfalls"] = foot.standing_footfalls;

  json measures = json::object();
  for (const auto& [k, s] : foot.measures) measures[k] = spread(s);
  if (foot.uncalibrated) {
    // Counts, not kPa: the measures that need absolute pressure are null, their reason in
    // measure_reasons (docs/calibration.md).
    j["pressure_units"] = "counts";
    for (const auto& info : measure_catalogue())
      if (info.needs_kpa() && reasons.contains(info.key)) measures[info.key] = nullptr;
  }
  if (!foot.positions_unknown.empty()) {
    // Sensor positions unknown (Moticon): every measure that needs them is null, its reason in
    // measure_reasons; the COP measures of the vendor's COP are in normalised insole units.
    j["sensor_positions"] = "unknown";
    for (const auto& info : measure_catalogue())
      if (info.needs_positions() && reasons.contains(info.key)) measures[info.key] = nullptr;
  }
  j["measures"] = measures;
  json regions = json::object();
  for (const auto& [name, vars] : foot.regions) {
    json v = json::object();
    for (const auto& [k, s] : vars) v[k] = spread(s);
    regions[name] = v;
  }
  j["regions"] = regions;

  const SideTiming* timing = foot.side == Side::left ? &r.timing.left
                             : foot.side == Side::right ? &r.timing.right : nullptr;
  j["gait"] = {
      {"timing", timing ? side_timing(*timing) : json(nullptr)},
      {"stance_s", sp("stance_s")},
      {"phases_percent",
       {{"initial_contact", med("initial_contact_percent")},
        {"forefoot_contact", med("forefoot_contact_percent")},
        {"foot_flat", med("foot_flat_percent")},
        {"push_off", med("push_off_percent")}}},
      {"phases_reference_percent",
       {{"initial_contact", refs.value("initial_contact_percent", "mean")},
        {"forefoot_contact", refs.value("forefoot_contact_percent", "mean")},
        {"foot_flat", refs.value("foot_flat_percent", "mean")},
        {"push_off", refs.value("push_off_percent", "mean")},
        {"source", refs.source("foot_flat_percent")}}},
      {"cop_speed_mm_s",
       {{"stance", med("cop_speed_mm_s")},
        {"initial_contact", med("cop_speed_initial_contact_mm_s")},
        {"forefoot_contact", med("cop_speed_forefoot_contact_mm_s")},
        {"foot_flat", med("cop_speed_foot_flat_mm_s")},
        {"push_off", med("cop_speed_push_off_mm_s")},
        {"reference_stance", refs.value("cop_speed_mm_s", "mean")},
        {"reference_source", refs.source("cop_speed_mm_s")}}},
      {"stride_length_mm", sp("stride_length_mm")},
  };
  j["pronation"] = {
      {"cpei_percent", sp("cpei_percent")},
      {"cpei_reference_percent",
       {{"planus", refs.value("cpei_percent", "planus")},
        {"rectus", refs.value("cpei_percent", "rectus")},
        {"cavus", refs.value("cpei_percent", "cavus")},
        {"source", refs.source("cpei_percent")}}},
      {"mlpi", sp("mlpi")},
      {"forefoot_mlpi", sp("forefoot_mlpi")},
      {"foot_progression_angle_deg", sp("foot_progression_angle_deg")},
      {"foot_progression_angle_reference_deg", refs.range("foot_progression_angle_deg")},
  };
  j["equinus"] = {
      {"heel_contact_percent", sp("heel_contact_percent")},
      {"heel_contact_reference_percent", refs.value("heel_contact_percent", "mean")},
      {"foot_flat_percent", sp("foot_flat_percent")},
      {"foot_flat_reference_percent", refs.value("foot_flat_percent", "mean")},
      {"forefoot_heel_pti_ratio", sp("forefoot_heel_pti_ratio")},
      {"forefoot_peak_kpa", sp("forefoot_peak_kpa")},
      {"forefoot_peak_reference_kpa", refs.values("forefoot_peak_kpa")},
      {"toe_first_percent", sp("toe_first_percent")},
      {"strike_index", sp("strike_index")},
      {"standing_heel_load_share_percent", sp("standing_heel_load_share_percent")},
      {"standing_heel_load_share_reference_percent", refs.value("standing_heel_load_share_percent", "mean")},
      {"note", "Features only; equinus must be confirmed clinically (weight-bearing lunge test, dorsiflexion < 30 deg)."},
  };
  json ffs = json::array();
  std::size_t index = 0;
  for (const auto& fa : r.footfalls) {
    const std::string stream_name =
        fa.footfall.stream < r.quality.streams.size() ? r.quality.streams[fa.footfall.stream].stream : "";
    if (fa.footfall.side == foot.side && stream_name == foot.stream) ffs.push_back(footfall_json(fa, index));
    ++index;
  }
  j["footfalls"] = ffs;
  return j;
}

json finding_json(const Finding& f) {
  json ev = json::array();
  for (const auto& e : f.evidence)
    ev.push_back({{"measure", e.measure}, {"value", num(e.value)}, {"unit", e.unit},
                  {"threshold", e.threshold}, {"source", e.source}, {"agrees", e.agrees},
                  {"borderline", e.borderline}, {"applicable", e.applicable}, {"note", e.note}});
  return {{"id", f.id},
          {"side", std::string(to_string(f.side))},
          {"statement", f.statement},
          {"confidence", f.confidence},
          {"severity", f.severity},
          {"borderline", f.borderline},
          {"evidence", ev},
          {"notes", f.notes}};
}

}  // namespace

json parameters_json(const AnalysisParams& p) {
  const auto& s = p.segmentation;
  return {
      {"segmentation",
       {{"active_threshold_kpa", s.active_threshold_kpa},
        {"link_distance_mm", s.link_distance_mm},
        {"max_gap_frames", s.max_gap_frames},
        {"min_new_track_sensels", s.min_new_track_sensels},
        {"merge_distance_mm", s.merge_distance_mm},
        {"max_foot_length_mm", s.max_foot_length_mm},
        {"max_width_ratio", s.max_width_ratio},
        {"min_contact_frames", s.min_contact_frames},
        {"min_footprint_area_mm2", s.min_footprint_area_mm2},
        {"force_threshold_fraction", s.force_threshold_fraction},
        {"force_threshold_n", num(s.force_threshold_n)},
        {"min_stance_frames", s.min_stance_frames}}},
      {"foot_frame",
       {{"method", p.foot_frame.method == AxisMethod::pca_refined ? "pca_refined"
                   : p.foot_frame.method == AxisMethod::pca       ? "pca"
                                                                  : "min_bbox"},
        {"contact_threshold_kpa", p.foot_frame.contact_threshold_kpa},
        {"heel_band", p.foot_frame.heel_band},
        {"forefoot_band_from", p.foot_frame.forefoot_band_from},
        {"forefoot_band_to", p.foot_frame.forefoot_band_to},
        {"refine_iterations", p.foot_frame.refine_iterations},
        {"min_contact_sensels", p.foot_frame.min_contact_sensels}}},
      {"regions",
       {{"contact_threshold_kpa", p.regions.contact_threshold_kpa},
        {"toe_band_from", p.regions.toe_band_from},
        {"toe_band_to", p.regions.toe_band_to},
        {"min_toe_area_fraction", p.regions.min_toe_area_fraction},
        {"hallux_width_fraction", p.regions.hallux_width_fraction},
        {"mth_cuts", p.regions.mth_cuts},
        {"heel_edge_band", p.regions.heel_edge_band},
        {"medial_edge_band", p.regions.medial_edge_band},
        {"lateral_edge_band", p.regions.lateral_edge_band},
        {"active_threshold_kpa", p.region_metrics.active_threshold_kpa}}},
      {"arch", {{"contact_threshold_kpa", p.arch.contact_threshold_kpa}}},
      {"cop", {{"min_force_fraction", p.cop.min_force_fraction}}},
      {"bands",
       {{"heel_end_fraction", p.bands.heel_end_fraction},
        {"forefoot_start_fraction", p.bands.forefoot_start_fraction},
        {"toes_start_fraction", p.bands.toes_start_fraction},
        {"forefoot_strips", p.bands.forefoot_strips}}},
      {"events",
       {{"contact_fraction", p.events.contact_fraction},
        {"region_contact_fraction", p.events.region_contact_fraction},
        {"toe_first_window_fraction", p.events.toe_first_window_fraction}}},
      {"timing", {{"max_stride_s", p.timing.max_stride_s}, {"max_step_s", p.timing.max_step_s}}},
      {"cpei",
       {{"distal_fraction", p.cpei.distal_fraction},
        {"width_band_sensels", p.cpei.width_band_sensels},
        {"min_width_sensels", p.cpei.min_width_sensels}}},
      {"standing_min_s", p.standing_min_s},
      {"boundary_force_share", p.boundary_force_share},
      {"recommended_footfalls_in_shoe", p.recommended_footfalls_in_shoe},
      {"recommended_footfalls_mat", p.recommended_footfalls_mat},
      {"saturation_run_frames", p.saturation_run_frames},
      {"streaming",
       {{"quiet_gap_s", p.quiet_gap_s}, {"quiet_force_n", p.quiet_force_n}, {"max_window_s", p.max_window_s}, {"max_window_values", p.max_window_values}}},
  };
}

namespace {

json document(const AnalysisResult& r, const std::vector<Finding>& found, const std::string& input_name,
              const json& recommendations, const References& refs) {
  if (!recommendations.is_array())
    throw std::invalid_argument("analysis_json: recommendations must be a JSON array");
  json doc;
  doc["toolkit_version"] = kToolkitVersion;
  doc["format_version"] = kFormatVersion;
  doc["algorithm_version"] = r.algorithm_version;
  doc["input"] = input_name;
  json feet = json::array();
  for (const auto& foot : r.feet) feet.push_back(foot_json(foot, r, refs));
  doc["feet"] = feet;
  // Unit of every measure the document holds, from the measure catalogue (docs/metrics.md).
  json units = json::object();
  for (const auto& foot : r.feet)
    for (const auto& [k, sp] : foot.measures) {
      (void)sp;
      if (const MeasureInfo* info = find_measure_info(k)) units[k] = info->unit;
    }
  for (const char* k : {"cadence_steps_per_min", "stance_symmetry_percent", "swing_symmetry_percent", "step_symmetry_percent"})
    units[k] = find_measure_info(k)->unit;
  doc["units"] = units;
  doc["gait"] = {{"cadence_steps_per_min", num(r.timing.cadence_steps_per_min)},
                 {"stance_symmetry_percent", num(r.timing.stance_symmetry_percent)},
                 {"swing_symmetry_percent", num(r.timing.swing_symmetry_percent)},
                 {"step_symmetry_percent", num(r.timing.step_symmetry_percent)},
                 {"left", side_timing(r.timing.left)},
                 {"right", side_timing(r.timing.right)}};
  json findings = json::array();
  for (const auto& f : found) findings.push_back(finding_json(f));
  doc["findings"] = findings;
  doc["recommendations"] = recommendations;
  json streams = json::array();
  for (const auto& q : r.quality.streams) {
    streams.push_back({{"stream", q.stream},
                       {"frames", q.frames},
                       {"duration_s", q.duration_s},
                       {"footfalls_found", q.footfalls_found},
                       {"footfalls_used", q.footfalls_used},
                       {"rejected", q.rejected},
                       {"saturated_sensels", q.saturated_sensels},
                       {"dead_sensels", q.dead_sensels}});
    // Only for streams analysed from a vendor's channels (docs/metrics.md), so that the document
    // of every other recording is unchanged.
    if (q.from_vendor_channels) streams.back()["contacts_from"] = "vendor_channels";
  }
  // Rejected contacts that belong to no foot (side unknown), so that every contact is listed.
  json unassigned = json::array();
  for (std::size_t i = 0; i < r.footfalls.size(); ++i) {
    const auto& fa = r.footfalls[i];
    const std::string stream_name =
        fa.footfall.stream < r.quality.streams.size() ? r.quality.streams[fa.footfall.stream].stream : "";
    const bool in_foot = std::any_of(r.feet.begin(), r.feet.end(), [&](const FootSummary& f) {
      return f.side == fa.footfall.side && f.stream == stream_name;
    });
    if (!in_foot) {
      json j = footfall_json(fa, i);
      j["stream"] = stream_name;
      j["side"] = std::string(to_string(fa.footfall.side));
      unassigned.push_back(j);
    }
  }
  doc["quality"] = {{"usable_contact", r.has_usable_contact()},
                    {"streams", streams},
                    {"unassigned_footfalls", unassigned},
                    {"warnings", r.quality.warnings}};
  doc["parameters"] = parameters_json(r.params);
  return doc;
}

}  // namespace

json analysis_json(const AnalysisResult& r, const std::string& input_name, const json& recommendations) {
  // Measures only: findings need the rule file (assessment_json).
  return document(r, {}, input_name, recommendations, References(nullptr));
}

json assessment_json(const assess::Assessment& a) {
  json doc = document(a.analysis, a.findings, a.input, recommend::recommendations_json(a.prescription),
                      References(&a.references));
  json misses = json::array();
  for (const auto& f : a.borderline_findings) misses.push_back(finding_json(f));
  doc["borderline_findings"] = misses;
  json not_applicable = json::array();
  for (const auto& na : a.not_applicable_findings)
    not_applicable.push_back({{"id", na.id}, {"side", std::string(to_string(na.side))}, {"reason", na.reason}});
  doc["findings_not_applicable"] = not_applicable;
  doc["rules"] = {{"name", a.rules_name}, {"version", a.rules_version}, {"origin", a.rules_origin}};
  doc["intake_given"] = a.intake.has_value();
  return doc;
}

std::string to_json(const assess::Assessment& a) {
  return assessment_json(a).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string to_json(const AnalysisResult& r, const std::string& input_name, const json& recommendations) {
  return analysis_json(r, input_name, recommendations).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace insole::report
