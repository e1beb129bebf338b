#include "insole/compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace insole::compare {
namespace {

using nlohmann::json;

const char* surface_name(analysis::Surface s) { return s == analysis::Surface::in_shoe ? "in_shoe" : "barefoot"; }

// The foot of `side` with used footfalls (the first one, in the analysis's order), or nullptr.
const analysis::FootSummary* foot_of(const analysis::AnalysisResult& r, Side side) {
  for (const auto& f : r.feet)
    if (f.side == side && f.footfalls_used > 0) return &f;
  return nullptr;
}

std::optional<double> region_value(const analysis::FootSummary& f, const std::string& region, const std::string& var) {
  auto it = f.regions.find(region);
  if (it == f.regions.end()) return std::nullopt;
  auto jt = it->second.find(var);
  if (jt == it->second.end()) return std::nullopt;
  return jt->second.median;
}

// Region names in a stable order: the analysis's own naming order, then any other.
std::vector<std::string> region_order(const analysis::FootSummary& a, const analysis::FootSummary& b) {
  static const std::vector<std::string> kOrder = {"whole_foot", "toeless", "hindfoot", "midfoot", "forefoot",
                                                  "toes", "hallux", "lesser_toes", "medial", "lateral",
                                                  "mth1", "mth2", "mth3", "mth4", "mth5"};
  std::set<std::string> present;
  for (const auto& [k, v] : a.regions) present.insert(k);
  for (const auto& [k, v] : b.regions) present.insert(k);
  std::vector<std::string> out;
  for (const auto& r : kOrder)
    if (present.erase(r)) out.push_back(r);
  out.insert(out.end(), present.begin(), present.end());
  return out;
}

bool prescribed(const assess::Assessment& a, const std::string& id, Side side, const CompareOptions& options) {
  if (std::find(options.fitted.begin(), options.fitted.end(), id) != options.fitted.end()) return true;
  for (const auto& item : a.prescription.items)
    if (item.id == id && !item.withheld && (item.side == side || item.side == Side::both)) return true;
  return false;
}

bool raised(const assess::Assessment& x, const std::string& id) {
  return std::any_of(x.prescription.referrals.begin(), x.prescription.referrals.end(),
                     [&](const recommend::Referral& r) { return r.id == id; });
}

std::string fmt(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

TargetVerdict judge(const recommend::TargetDef& t, const assess::Assessment& a, const assess::Assessment& b,
                    const FootComparison& fc, const CompareOptions& options) {
  TargetVerdict v;
  v.id = t.id;
  v.region = t.region;
  v.variable = t.variable;
  v.kind = t.kind;
  v.max_value = t.max_value;
  v.text = t.text;
  v.sources = t.sources;
  if (!t.intervention.empty() && !prescribed(a, t.intervention, fc.side, options)) {
    v.status = "not_applicable";
    v.reason = t.intervention + " was neither prescribed for this foot in A nor stated as fitted";
    return v;
  }
  if (!t.red_flag.empty() && !raised(a, t.red_flag) && !raised(b, t.red_flag)) {
    v.status = "not_applicable";
    v.reason = "red flag " + t.red_flag + " was not raised (an intake must report it)";
    return v;
  }
  v.status = "not_assessable";
  if (!t.surface.empty()) {
    // The sensors' place comes from the recording; the stated condition says what the foot wore.
    // Barefoot pressure needs a platform and a bare foot; in-shoe pressure needs in-shoe sensors.
    const bool shod = fc.condition_b == "shoe" || fc.condition_b == "shoe_orthosis";
    const bool holds = t.surface == "barefoot" ? fc.surface_b == "barefoot" && !shod
                                               : fc.surface_b == "in_shoe" && fc.condition_b != "barefoot";
    if (!holds) {
      v.reason = "the target holds for " + t.surface + " pressure; B was measured " + measured_as(fc.surface_b, fc.condition_b);
      return v;
    }
  }
  const RegionChange* rc = nullptr;
  for (const auto& r : fc.regions)
    if (r.region == t.region && r.variable == t.variable) rc = &r;
  if (t.kind == "ceiling") {
    if (!rc || !rc->b) {
      v.reason = "region " + t.region + " (" + t.variable + ") was not measured in B";
      return v;
    }
    v.value = *rc->b;
    const bool met = *rc->b < t.max_value;
    v.status = met ? "met" : "not_met";
    v.reason = t.region + " " + t.variable + " in B " + fmt(*rc->b) + (met ? " < " : " >= ") + fmt(t.max_value);
    return v;
  }
  // relative_change
  if (!rc || !rc->a || !rc->b) {
    v.reason = "region " + t.region + " (" + t.variable + ") was not measured in " + (!rc || !rc->a ? "A" : "B");
    return v;
  }
  if (!rc->change_percent) {
    v.reason = "region " + t.region + " (" + t.variable + ") is 0 in A: no relative change";
    return v;
  }
  v.value = *rc->change_percent;
  const bool met = *rc->change_percent <= t.max_value;
  v.status = met ? "met" : "not_met";
  v.reason = t.region + " " + t.variable + " changed by " + fmt(*rc->change_percent) + " %" + (met ? " <= " : " > ") +
             fmt(t.max_value) + " %";
  return v;
}

void build_difference(FootComparison& fc, const assess::Assessment& a, const assess::Assessment& b,
                      const analysis::FootSummary& fa, const analysis::FootSummary& fb, const CompareOptions& options) {
  const analysis::FootImage* ia = a.analysis.image_of(fa);
  const analysis::FootImage* ib = b.analysis.image_of(fb);
  if (!ia || !ib) {
    fc.difference_reason = std::string("no per-foot image in ") + (!ia ? "A" : "B");
    return;
  }
  auto img_a = stats::from_foot_image(*ia, stats::FootValue::mean_peak_kpa);
  if (!img_a) {
    fc.difference_reason = "A: " + img_a.error().message;
    return;
  }
  auto img_b = stats::from_foot_image(*ib, stats::FootValue::mean_peak_kpa);
  if (!img_b) {
    fc.difference_reason = "B: " + img_b.error().message;
    return;
  }
  stats::RegistrationParams rp = options.registration;
  rp.mirror = false;  // same side
  auto reg = stats::register_rigid(*img_b, *img_a, rp);
  if (!reg) {
    fc.difference_reason = "registration of B onto A failed: " + reg.error().message;
    return;
  }
  DifferenceMap d;
  d.a_peak_kpa = *img_a;
  // The map shows pressure, not shape: B's registered image without the registration's equal-force
  // scaling (apply_registration resamples the original values).
  d.b_on_a_kpa = stats::apply_registration(*reg, *img_b);
  d.diff_kpa = d.a_peak_kpa;
  d.diff_kpa.values = d.b_on_a_kpa.values - d.a_peak_kpa.values;
  d.max_increase_kpa = std::max(0.0, d.diff_kpa.values.maxCoeff());
  d.max_decrease_kpa = std::min(0.0, d.diff_kpa.values.minCoeff());
  d.registration = std::move(*reg);
  fc.difference = std::move(d);
}

}  // namespace

std::string measured_as(const std::string& surface, const std::string& condition) {
  const std::string stated = condition.empty() ? "" : " (stated condition: " + condition + ")";
  if (surface == "in_shoe") return "with in-shoe sensors" + stated;
  if (condition == "shoe" || condition == "shoe_orthosis")
    return "on a platform under the shoe" + stated + ", not between foot and shoe";
  return "barefoot on a platform" + stated;
}

Status check_conditions(const CompareOptions& options) {
  for (const std::string* cond : {&options.condition_a, &options.condition_b})
    if (!cond->empty() && std::find(std::begin(kConditions), std::end(kConditions), *cond) == std::end(kConditions))
      return Error{Errc::invalid_argument, std::string("condition of ") + (cond == &options.condition_a ? "A" : "B") +
                                               ": barefoot, shoe, shoe_orthosis or empty expected, not '" + *cond + "'"};
  return {};
}

Result<Comparison> compare(const assess::Assessment& a, const assess::Assessment& b, const recommend::RuleSet& rules,
                           const CompareOptions& options) {
  for (const auto& id : options.fitted)
    if (std::none_of(rules.interventions.begin(), rules.interventions.end(),
                     [&](const recommend::Intervention& iv) { return iv.id == id; }))
      return Error{Errc::invalid_argument, "unknown intervention id '" + id + "' given as fitted (rule file " +
                                               rules.origin + ")"};
  if (auto st = check_conditions(options); !st) return st.error();
  Comparison c;
  c.input_a = a.input;
  c.input_b = b.input;
  c.rules_name = rules.name;
  c.rules_version = rules.rules_version;
  std::vector<Side> sides = {Side::left, Side::right, Side::unknown, Side::both};
  if (options.foot) sides = {*options.foot};
  for (Side side : sides) {
    const auto* fa = foot_of(a.analysis, side);
    const auto* fb = foot_of(b.analysis, side);
    if (!fa && !fb) continue;
    if (!fa || !fb) {
      c.notes.push_back(std::string(to_string(side)) + " foot: no usable footfall in " + (!fa ? a.input : b.input));
      continue;
    }
    FootComparison fc;
    fc.side = side;
    fc.stream_a = fa->stream;
    fc.stream_b = fb->stream;
    fc.surface_a = surface_name(fa->surface);
    fc.surface_b = surface_name(fb->surface);
    fc.condition_a = options.condition_a;
    fc.condition_b = options.condition_b;
    fc.footfalls_a = fa->footfalls_used;
    fc.footfalls_b = fb->footfalls_used;
    for (const auto& region : region_order(*fa, *fb))
      for (const char* var : kCompareVariables) {
        RegionChange rc;
        rc.region = region;
        rc.variable = var;
        rc.a = region_value(*fa, region, var);
        rc.b = region_value(*fb, region, var);
        if (!rc.a && !rc.b) continue;
        if (rc.a && rc.b) {
          rc.change = *rc.b - *rc.a;
          if (*rc.a > 0.0) rc.change_percent = 100.0 * (*rc.b - *rc.a) / *rc.a;
        }
        fc.regions.push_back(rc);
      }
    if (options.difference_map) build_difference(fc, a, b, *fa, *fb, options);
    for (const auto& t : rules.targets) fc.targets.push_back(judge(t, a, b, fc, options));
    c.feet.push_back(std::move(fc));
  }
  if (c.feet.empty()) {
    std::string msg = "no foot with usable footfalls on the same side in both recordings";
    if (options.foot) msg = "no " + std::string(to_string(*options.foot)) + " foot with usable footfalls in both recordings";
    for (const auto& n : c.notes) msg += "; " + n;
    if (c.notes.empty()) {
      if (!a.has_usable_contact()) msg += "; no usable footfall in " + a.input;
      if (!b.has_usable_contact()) msg += "; no usable footfall in " + b.input;
    }
    return Error{Errc::no_data, msg};
  }
  return c;
}

namespace {
json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json quality_json(const stats::RegistrationQuality& q) {
  return json{{"dice", q.dice},       {"ncc", q.ncc},           {"rms_residual_kpa", q.rms_residual},
              {"dice_before", q.dice_before}, {"ncc_before", q.ncc_before}, {"rms_residual_before_kpa", q.rms_residual_before}};
}
}  // namespace

std::string to_json(const Comparison& c, int indent) {
  json j;
  j["a"] = c.input_a;
  j["b"] = c.input_b;
  j["rules"] = {{"name", c.rules_name}, {"version", c.rules_version}};
  j["feet"] = json::array();
  for (const auto& f : c.feet) {
    json jf;
    jf["side"] = std::string(to_string(f.side));
    auto stated = [](const std::string& cond) { return cond.empty() ? json(nullptr) : json(cond); };
    jf["a"] = {{"stream", f.stream_a}, {"surface", f.surface_a}, {"condition", stated(f.condition_a)}, {"footfalls", f.footfalls_a}};
    jf["b"] = {{"stream", f.stream_b}, {"surface", f.surface_b}, {"condition", stated(f.condition_b)}, {"footfalls", f.footfalls_b}};
    json regions = json::object();
    for (const auto& r : f.regions)
      regions[r.region][r.variable] = {{"a", opt(r.a)}, {"b", opt(r.b)}, {"change", opt(r.change)},
                                       {"change_percent", opt(r.change_percent)}};
    jf["regions"] = regions;
    if (f.difference) {
      const auto& d = *f.difference;
      jf["difference_map"] = {
          {"image", "mean_peak_kpa"},
          {"registration", {{"kind", "rigid"}, {"angle_deg", d.registration.angle_deg},
                            {"translation_mm", {d.registration.t_mm.x(), d.registration.t_mm.y()}},
                            {"quality", quality_json(d.registration.quality)}}},
          {"grid", {{"rows", d.diff_kpa.grid.rows}, {"cols", d.diff_kpa.grid.cols},
                    {"pitch_mm", {d.diff_kpa.grid.pitch_x_mm, d.diff_kpa.grid.pitch_y_mm}}}},
          {"max_increase_kpa", d.max_increase_kpa},
          {"max_decrease_kpa", d.max_decrease_kpa}};
    } else {
      jf["difference_map"] = nullptr;
      jf["difference_map_reason"] = f.difference_reason;
    }
    json targets = json::array();
    for (const auto& t : f.targets)
      targets.push_back({{"id", t.id},          {"status", t.status},     {"reason", t.reason},
                         {"region", t.region},  {"variable", t.variable}, {"kind", t.kind},
                         {"max", t.max_value},  {"value", opt(t.value)},  {"text", t.text},
                         {"sources", t.sources}});
    jf["targets"] = targets;
    j["feet"].push_back(jf);
  }
  j["notes"] = c.notes;
  return j.dump(indent);
}

std::string format_table(const Comparison& c) {
  std::ostringstream os;
  os << "A: " << c.input_a << "\nB: " << c.input_b << "\n";
  for (const auto& f : c.feet) {
    os << "\n" << to_string(f.side) << " foot (A " << measured_as(f.surface_a, f.condition_a) << ", " << f.footfalls_a
       << " footfalls; B " << measured_as(f.surface_b, f.condition_b) << ", " << f.footfalls_b << " footfalls)\n";
    char line[200];
    std::snprintf(line, sizeof line, "  %-12s %-18s %10s %10s %10s %9s\n", "region", "variable", "A", "B", "B-A", "%");
    os << line;
    for (const auto& r : f.regions) {
      auto cell = [](const std::optional<double>& v) { return v ? fmt(*v) : std::string("-"); };
      std::snprintf(line, sizeof line, "  %-12s %-18s %10s %10s %10s %9s\n", r.region.c_str(), r.variable.c_str(),
                    cell(r.a).c_str(), cell(r.b).c_str(), cell(r.change).c_str(), cell(r.change_percent).c_str());
      os << line;
    }
    if (f.difference) {
      const auto& q = f.difference->registration.quality;
      os << "  difference map (B registered rigidly onto A): rotation " << fmt(f.difference->registration.angle_deg)
         << " deg, Dice " << fmt(q.dice, 2) << " (before " << fmt(q.dice_before, 2) << "), largest increase "
         << fmt(f.difference->max_increase_kpa) << " kPa, largest decrease " << fmt(f.difference->max_decrease_kpa)
         << " kPa\n";
    } else {
      os << "  difference map: none (" << f.difference_reason << ")\n";
    }
    for (const auto& t : f.targets)
      os << "  target " << t.id << ": " << t.status << " (" << t.reason << ")\n";
  }
  for (const auto& n : c.notes) os << "note: " << n << "\n";
  return os.str();
}

}  // namespace insole::compare
