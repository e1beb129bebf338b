#include "insole/recommend/findings.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

#include "insole/analysis/measure_catalogue.hpp"
#include "insole/analysis/missing.hpp"
#include "insole/analysis/summary.hpp"

namespace insole::recommend {

namespace {

using analysis::Evidence;
using analysis::Finding;
using analysis::FootSummary;
using analysis::Spread;
using analysis::Surface;

std::string fmt(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

bool below(const std::string& op) { return op == "<" || op == "<="; }

// One vote of one finding on one foot (or on the pair).
struct Vote {
  const Threshold* t = nullptr;
  Evidence ev;
  bool counted = false;            // measured and applicable
  std::optional<Spread> spread;    // per-foot medians have one; per-recording values do not
  double margin = 0.0;
  double distance = 0.0;           // how far beyond the threshold, in the agreeing direction
  int grade = 0;                   // severity grade when it agrees
  bool grade_borderline = false;   // within the margin of a grade edge
};

std::string source_text(const RuleSet& rules, const Threshold& t) {
  const Source* s = rules.find_source(t.source);
  std::string out = s ? s->citation : t.source;
  if (!t.note.empty()) out += " (" + t.note + ")";
  return out;
}

// The reason a threshold does not apply to this foot's data, or "".
std::string not_applicable_reason(const RuleSet& rules, const Threshold& t, const FootSummary* foot) {
  if (!foot) return {};
  const bool in_shoe = foot->surface == Surface::in_shoe;
  const Source* s = rules.find_source(t.source);
  const std::string src = s ? t.source : "its source";
  if (in_shoe && t.surface == "barefoot")
    return "not applicable: the threshold was measured barefoot (" + src + "); this recording is in-shoe and the rule "
           "file gives no in-shoe threshold";
  if (!in_shoe && t.surface == "in_shoe")
    return "not applicable: the threshold was measured in-shoe (" + src + "); this recording is barefoot";
  const analysis::MeasureInfo* info = analysis::find_measure_info(t.measure);
  if (in_shoe && info && !info->in_shoe())
    return "not applicable: the measure applies barefoot only (measure catalogue: " + info->applies() + ")";
  return {};
}

Vote cast(const RuleSet& rules, const Threshold& t, const FootSummary* foot,
          const std::map<std::string, double>& per_recording) {
  Vote v;
  v.t = &t;
  std::optional<double> value;
  if (foot) {
    auto it = foot->measures.find(t.measure);
    if (it != foot->measures.end()) {
      value = it->second.median;
      v.spread = it->second;
    }
  } else if (auto it = per_recording.find(t.measure); it != per_recording.end()) {
    value = it->second;
  }
  const analysis::MeasureInfo* info = analysis::find_measure_info(t.measure);
  const MeasureDef* md = rules.find_measure(t.measure);
  v.margin = md && md->borderline_margin ? *md->borderline_margin : 0.0;
  // A foot whose recording resolves the measure more coarsely than the rule file's limit: its own
  // resolution is the margin when larger (the value can be off by that much from the grid alone).
  std::string coarse;
  if (foot && md && md->resolution)
    if (auto r = foot->median(md->resolution->measure); r && *r > md->resolution->limit && *r > v.margin) {
      v.margin = *r;
      coarse = " at this recording's sensel pitch (" + md->resolution->measure + " " + fmt(*r) + " > " +
               fmt(md->resolution->limit) + ")";
    }
  v.ev.measure = t.measure;
  v.ev.unit = info ? info->unit : "";
  v.ev.threshold = t.op + " " + fmt(t.value);
  v.ev.source = source_text(rules, t);
  v.ev.value = value ? *value : std::nan("");
  v.ev.agrees = false;
  const std::string na = not_applicable_reason(rules, t, foot);
  if (!na.empty()) {
    v.ev.applicable = false;
    v.ev.note = na;
    return v;
  }
  if (!value || !std::isfinite(*value)) return v;
  v.counted = true;
  v.ev.agrees = compare(*value, t.op, t.value);
  v.distance = below(t.op) ? t.value - *value : *value - t.value;
  v.ev.borderline = std::abs(*value - t.value) < v.margin;
  if (v.ev.borderline)
    v.ev.note = "borderline: within the measurement error (" + fmt(v.margin) + coarse + ") of " + fmt(t.value);
  if (v.ev.agrees) {
    v.grade = 1;
    // A higher grade only once the value is past the grade's edge by more than the measurement
    // error: no dose is chosen on a difference the measure cannot resolve.
    for (std::size_t b = 1; b < t.severity.size(); ++b) {
      if (v.distance >= t.severity[b].beyond + v.margin) v.grade = t.severity[b].grade;
      if (std::abs(v.distance - t.severity[b].beyond) < v.margin) v.grade_borderline = true;
    }
  }
  return v;
}

// Confidence of one agreeing vote: how many footfalls its median rests on and whether the
// interquartile range lies entirely beyond the threshold.
int vote_confidence(const Vote& v) {
  if (!v.spread) return 1;  // a per-recording value: no spread to judge
  if (v.spread->n < 3) return 0;
  const bool iqr_beyond = below(v.t->op) ? compare(v.spread->q3, v.t->op, v.t->value)
                                         : compare(v.spread->q1, v.t->op, v.t->value);
  return iqr_beyond ? 2 : 1;
}

std::string level_name(const RuleSet& rules, int level) {
  // confidence_levels lists the levels lowest first ("low", "moderate", "high").
  if (rules.confidence_levels.empty()) return level <= 0 ? "low" : level == 1 ? "moderate" : "high";
  const int top = static_cast<int>(rules.confidence_levels.size()) - 1;
  return rules.confidence_levels[static_cast<std::size_t>(std::clamp(level, 0, top))];
}

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

struct Outcome {
  bool fires = false;
  bool borderline_miss = false;
  std::string not_applicable;  ///< no threshold holds for the patient's age: why
  Finding finding;
  std::vector<Vote> votes;
};

// Why a foot's finding could not be evaluated at all, when the reason is the stream rather than
// the foot: every measure its thresholds (for the patient's age) use was withheld because the
// stream is in counts and the measure needs kPa, or because the sensor positions are unknown and
// the measure needs them (measure_catalogue.hpp). Empty otherwise (a measure merely not
// measured on these footfalls is no evidence either way and is not reported here).
std::string withheld_reason(const RuleSet& rules, const FindingDef& def, const FootSummary* foot,
                            const Patient& patient) {
  if (!foot || (!foot->uncalibrated && foot->positions_unknown.empty())) return {};
  std::vector<std::string> kpa, positions;
  for (const auto& t : def.thresholds) {
    if (!age_covers(t.ages, patient) || !not_applicable_reason(rules, t, foot).empty()) continue;
    if (foot->median(t.measure)) return {};
    const analysis::MeasureInfo* info = analysis::find_measure_info(t.measure);
    if (!info) return {};
    const analysis::StreamWithholding withheld = analysis::stream_withholding(*foot, *info);
    if (!withheld.any()) return {};
    for (auto* list : {withheld.positions ? &positions : nullptr, withheld.kpa ? &kpa : nullptr})
      if (list && std::find(list->begin(), list->end(), t.measure) == list->end()) list->push_back(t.measure);
  }
  auto need = [](const std::vector<std::string>& m) { return join(m) + (m.size() > 1 ? " need " : " needs "); };
  std::string why;
  if (!positions.empty())
    why = need(positions) + "sensor positions, unknown for this stream (" + foot->positions_unknown + ")";
  if (!kpa.empty())
    why += std::string(why.empty() ? "" : "; ") + need(kpa) +
           "pressure in kPa; the stream is uncalibrated (units \"counts\"): calibrate it with insole calibrate";
  return why.empty() ? why : "not evaluated: " + why;
}

Outcome evaluate(const RuleSet& rules, const FindingDef& def, const FootSummary* foot, Side side,
                 const std::map<std::string, double>& per_recording, const Patient& patient) {
  Outcome o;
  int counted = 0, agreeing = 0, solid = 0, near = 0, covered = 0;
  std::vector<std::string> agree_names, disagree_names, na_names, other_ages;
  for (const auto& t : def.thresholds) {
    if (!age_covers(t.ages, patient)) {
      const std::string a = age_text(t.ages);
      if (std::find(other_ages.begin(), other_ages.end(), a) == other_ages.end()) other_ages.push_back(a);
      continue;
    }
    ++covered;
    Vote v = cast(rules, t, foot, per_recording);
    if (!v.ev.applicable) na_names.push_back(t.measure);
    if (!v.counted && v.ev.applicable) continue;  // not measured: not evidence
    if (v.counted) {
      ++counted;
      if (v.ev.agrees) {
        ++agreeing;
        solid += v.ev.borderline ? 0 : 1;
        agree_names.push_back(t.measure);
      } else {
        near += v.ev.borderline ? 1 : 0;
        disagree_names.push_back(t.measure);
      }
    }
    o.votes.push_back(std::move(v));
  }
  if (covered == 0 && !other_ages.empty()) {
    o.not_applicable = "not applicable " +
                       (patient.age_years ? "at age " + fmt(*patient.age_years) + " y" : std::string("without an age")) +
                       ": the rule file's thresholds for " + def.id + " hold for " + join(other_ages) +
                       (patient.paediatric ? " (adult cut-offs do not apply to children)" : "");
    return o;
  }
  if (counted == 0) {
    o.not_applicable = withheld_reason(rules, def, foot, patient);
    return o;
  }
  const int need = def.combine.kind == Combine::Kind::any ? 1
                   : def.combine.kind == Combine::Kind::all ? counted
                                                            : def.combine.n;
  o.fires = agreeing >= need;
  o.borderline_miss = !o.fires && agreeing + near >= need;
  if (!o.fires && !o.borderline_miss) return o;

  Finding& f = o.finding;
  f.id = def.id;
  f.side = side;
  f.statement = capitalised(rules.wording_prefix.empty() ? "findings consistent with" : rules.wording_prefix) + " " +
                def.consistent_with + "." + (def.confirm.empty() ? "" : " Confirm clinically: " + def.confirm + ".");
  f.borderline = o.fires ? solid < need : true;
  int level = 2;
  int grade = 1;
  std::string grade_from;
  bool grade_borderline = false;
  for (const auto& v : o.votes) {
    f.evidence.push_back(v.ev);
    if (!v.counted || !v.ev.agrees) continue;
    level = std::min(level, vote_confidence(v));
    if (grade_from.empty() || v.grade > grade) {
      grade = v.grade;
      grade_from = v.t->measure;
    }
    grade_borderline = grade_borderline || v.grade_borderline;
  }
  if (f.borderline) level = 0;
  f.confidence = level_name(rules, level);
  f.severity = o.fires ? grade : 0;
  const std::string how = def.combine.kind == Combine::Kind::any ? "any one vote"
                          : def.combine.kind == Combine::Kind::all ? "every vote that applies"
                                                                   : "at least " + std::to_string(def.combine.n) + " votes";
  f.notes.push_back("Rule (" + how + "): agree " + (agree_names.empty() ? "none" : join(agree_names)) +
                    (disagree_names.empty() ? "" : "; do not agree " + join(disagree_names)) +
                    (na_names.empty() ? "" : "; not applicable " + join(na_names)) + ".");
  if (!o.fires) {
    f.notes.push_back("Did not fire: a vote within measurement error of its threshold would decide it; repeat the "
                      "recording or confirm clinically.");
  } else if (f.borderline) {
    f.notes.push_back("Borderline: it rests on a value within measurement error of its threshold; confirm clinically.");
  }
  if (o.fires && grade_borderline)
    f.notes.push_back("Severity " + std::to_string(grade) + " (from " + grade_from +
                      "): the value lies within measurement error of a severity edge, so the lower grade is kept.");
  for (const auto& n : def.notes) f.notes.push_back(n);
  return o;
}

// The vote that set a finding's grade: the agreeing vote with the highest grade.
const Vote* grading_vote(const Outcome& o) {
  const Vote* best = nullptr;
  for (const auto& v : o.votes)
    if (v.counted && v.ev.agrees && (!best || v.grade > best->grade)) best = &v;
  return best;
}

}  // namespace

std::map<std::string, double> recording_measures(const std::vector<FootSummary>& feet,
                                                 const analysis::GaitTiming& timing) {
  std::map<std::string, double> m;
  if (timing.stance_symmetry_percent) m["stance_symmetry_percent"] = *timing.stance_symmetry_percent;
  if (timing.swing_symmetry_percent) m["swing_symmetry_percent"] = *timing.swing_symmetry_percent;
  if (timing.step_symmetry_percent) m["step_symmetry_percent"] = *timing.step_symmetry_percent;
  const FootSummary* left = nullptr;
  const FootSummary* right = nullptr;
  for (const auto& f : feet) {
    if (f.side == Side::left && f.footfalls_used > 0 && !left) left = &f;
    if (f.side == Side::right && f.footfalls_used > 0 && !right) right = &f;
  }
  if (left && right) {
    auto pair = [&](const char* key, const char* out) {
      auto l = left->median(key);
      auto r = right->median(key);
      if (!l || !r) return;
      if (auto si = analysis::symmetry_index_percent(*l, *r)) m[out] = *si;
    };
    pair("peak_force_n", "peak_force_symmetry_percent");
    pair("force_time_integral_n_s", "force_time_integral_symmetry_percent");
  }
  return m;
}

std::vector<std::string> resolution_warnings(const RuleSet& rules, const std::vector<FootSummary>& feet,
                                             const std::map<std::string, double>& pitch_mm_by_stream) {
  std::vector<std::string> out;
  for (const auto& md : rules.measures) {
    if (!md.resolution) continue;
    const analysis::MeasureInfo* info = analysis::find_measure_info(md.id);
    const std::string label = info ? info->label : md.id;
    for (const auto& foot : feet) {
      if (foot.footfalls_used == 0) continue;
      const auto r = foot.median(md.resolution->measure);
      if (!r || !(*r > md.resolution->limit)) continue;
      std::ostringstream os;
      os.precision(3);
      os << to_string(foot.side) << " foot (" << foot.stream << "): the " << label
         << " of this recording cannot separate its classes";
      if (auto it = pitch_mm_by_stream.find(foot.stream); it != pitch_mm_by_stream.end())
        os << " at this sensel pitch (" << it->second << " mm)";
      os << ": the grid alone can move it by " << *r << " (" << md.resolution->measure << ", median of "
         << foot.measures.at(md.resolution->measure).n << " footfalls), more than " << md.resolution->limit
         << " (rule file";
      if (!md.resolution->note.empty()) os << ": " << md.resolution->note;
      os << "); findings on " << md.id << " within " << *r << " of their limits are borderline";
      out.push_back(os.str());
    }
  }
  return out;
}

FindingEvaluation evaluate_findings(const RuleSet& rules, const std::vector<FootSummary>& feet,
                                    const analysis::GaitTiming& timing, const Patient& patient) {
  FindingEvaluation out;
  const auto rec = recording_measures(feet, timing);
  bool left = false, right = false;
  for (const auto& f : feet) {
    left = left || (f.side == Side::left && f.footfalls_used > 0);
    right = right || (f.side == Side::right && f.footfalls_used > 0);
  }
  for (const auto& def : rules.findings) {
    if (def.per_recording) {
      if (!left || !right) continue;
      Outcome o = evaluate(rules, def, nullptr, Side::both, rec, patient);
      if (!o.not_applicable.empty()) out.not_applicable.push_back({def.id, Side::both, o.not_applicable});
      if (o.fires) out.findings.push_back(std::move(o.finding));
      else if (o.borderline_miss) out.borderline_misses.push_back(std::move(o.finding));
      continue;
    }
    std::vector<std::pair<const FootSummary*, Outcome>> fired;
    for (const auto& foot : feet) {
      if (foot.footfalls_used == 0) continue;
      Outcome o = evaluate(rules, def, &foot, foot.side, rec, patient);
      if (!o.not_applicable.empty()) out.not_applicable.push_back({def.id, foot.side, o.not_applicable});
      if (o.fires) fired.emplace_back(&foot, std::move(o));
      else if (o.borderline_miss) out.borderline_misses.push_back(std::move(o.finding));
    }
    // Left and right of one stream whose grading values differ by less than the measurement
    // error get the same, lower grade: a dose must not differ on a difference nobody can measure.
    for (auto& [fa, oa] : fired) {
      for (auto& [fb, ob] : fired) {
        if (fa == fb || fa->stream != fb->stream || oa.finding.severity <= ob.finding.severity) continue;
        const Vote* va = grading_vote(oa);
        if (!va) continue;
        const Vote* vb = nullptr;
        for (const auto& v : ob.votes)
          if (v.t == va->t && v.counted) vb = &v;
        if (!vb) continue;
        const double diff = std::abs(va->ev.value - vb->ev.value);
        if (diff < va->margin) {
          oa.finding.notes.push_back("Severity " + std::to_string(ob.finding.severity) + " as on the " +
                                     std::string(to_string(fb->side)) + " foot: " + va->t->measure +
                                     " differs by " + fmt(diff) + ", less than its measurement error (" +
                                     fmt(va->margin) + ").");
          oa.finding.severity = ob.finding.severity;
        }
      }
    }
    for (auto& [foot, o] : fired) out.findings.push_back(std::move(o.finding));
  }
  return out;
}

analysis::ClassLabel classify(const RuleSet& rules, const ClassDef& def, std::optional<double> value,
                              const Patient& patient) {
  analysis::ClassLabel out;
  out.id = def.id;
  out.measure = def.measure;
  const ClassSet* set = nullptr;
  std::vector<std::string> held;
  for (const auto& s : def.sets) {
    if (age_covers(s.ages, patient)) {
      set = &s;
      break;
    }
    held.push_back(age_text(s.ages));
  }
  if (!set) {
    out.reason = "not applicable " +
                 (patient.age_years ? "at age " + fmt(*patient.age_years) + " y" : std::string("without an age")) +
                 ": the rule file's " + def.id + " cut-offs hold for " + join(held) +
                 (patient.paediatric ? " (adult cut-offs do not apply to children)" : "");
    return out;
  }
  out.rule = class_rule_text(def.measure, *set);
  out.ages = age_text(set->ages);
  const Source* src = rules.find_source(set->source);
  out.source = src ? src->citation : set->source;
  if (!value || !std::isfinite(*value)) {
    out.reason = def.measure + " not measured";
    return out;
  }
  out.label = class_label(*set, *value);
  return out;
}

void classify_feet(const RuleSet& rules, std::vector<FootSummary>& feet, const Patient& patient) {
  for (auto& foot : feet) {
    foot.classes.clear();
    foot.arch_class.clear();
    for (const auto& def : rules.classes) {
      foot.classes.push_back(classify(rules, def, foot.median(def.measure), patient));
      if (def.id == "arch_class") foot.arch_class = foot.classes.back().label;
    }
  }
}

}  // namespace insole::recommend
