#include "report/sections.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace insole::report::sections {

namespace {
std::string num(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", std::clamp(decimals, 0, 6), v);
  return buf;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string reason_text(const recommend::Recommendation& r) {
  std::string s = r.reason + ".";
  std::vector<std::string> trig;
  for (const auto& t : r.triggers) {
    std::string one = t.finding_id;
    if (t.finding_id.rfind("intake:", 0) != 0) {
      one += ' ';
      one += side_name(t.side);
    }
    std::vector<std::string> ev;
    for (const auto& e : t.evidence)
      if (e.agrees) ev.push_back(e.measure + " " + num(e.value, 2) + (e.unit.empty() ? "" : " " + e.unit) + " " + e.threshold);
    if (!ev.empty()) one += " (" + join(ev, "; ") + ")";
    trig.push_back(one);
  }
  if (!trig.empty()) s += " Triggered by " + join(trig, ", ") + ".";
  std::vector<std::string> links;
  for (const auto& l : r.links) links.push_back(l.id + " [" + join(l.articles, "/") + ", " + l.strength + "]");
  if (!links.empty()) s += " Chain: " + join(links, ", ") + ".";
  std::vector<std::string> eff;
  for (const auto& e : r.expected_effects) {
    std::string one = e.text;
    if (e.change_min)
      one += " (" + num(*e.change_min, 0) + " to " + num(*e.change_max, 0) + " " + e.change_unit + ")";
    eff.push_back(one + " [" + e.source + "]");
  }
  if (!eff.empty()) s += " Expected at follow-up: " + join(eff, "; ") + ".";
  if (!r.contraindications.empty()) s += " Contraindications: " + join(r.contraindications, "; ") + ".";
  s += " Confidence: " + r.confidence + " (evidence " + r.strength + ").";
  if (!r.what_would_change.empty()) s += " Would change: " + r.what_would_change.front() + ".";
  for (const auto& c : r.caveats) s += " " + c + ".";
  return s;
}
// Three significant figures at most, two decimals at most: 0.31, 14.8, 571.
std::string short_num(double v) {
  const double a = std::abs(v);
  return num(v, a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

// The PDF's reason: which findings fired, on which foot, with the measured values; the links;
// the confidence; and any caution that applied to this patient. The general reason text,
// thresholds, expected effects, standing contraindications and what would change it stay in the
// HTML and JSON (full trace), so that a typical walk fits on two printed pages.
std::string short_reason(const recommend::Recommendation& r) {
  struct Group {
    std::string id;
    std::vector<std::string> per_side;
  };
  std::vector<Group> groups;
  std::vector<std::string> asked;
  for (const auto& t : r.triggers) {
    if (t.finding_id.rfind("intake:", 0) == 0) {
      asked.push_back(t.finding_id.substr(7));
      continue;
    }
    auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) { return x.id == t.finding_id; });
    if (g == groups.end()) g = groups.insert(groups.end(), Group{t.finding_id, {}});
    std::vector<std::string> ev;
    for (const auto& e : t.evidence)
      if (e.agrees) ev.push_back(e.measure + " " + short_num(e.value) + (e.unit.empty() ? "" : " " + e.unit));
    const std::string side = t.side == Side::left ? "L" : t.side == Side::right ? "R" : side_name(t.side);
    g->per_side.push_back(ev.empty() ? side : side + ": " + join(ev, ", "));
  }
  std::vector<std::string> parts;
  for (const auto& g : groups) parts.push_back(g.id + " (" + join(g.per_side, "; ") + ")");
  if (!asked.empty()) parts.push_back("intake: " + join(asked, ", "));
  std::string s = join(parts, "; ") + ".";
  if (parts.empty()) s.clear();
  std::vector<std::string> links;
  for (const auto& l : r.links) links.push_back(l.id);
  if (!links.empty()) s += " Links " + join(links, ", ") + ".";
  s += " Confidence " + r.confidence + " (" + r.strength + ").";
  for (const auto& c : r.contraindications)
    if (c.rfind("caution: ", 0) == 0) s += " Caution: " + c.substr(9) + ".";
  if (s.front() == ' ') s.erase(0, 1);
  return s;
}

std::string withheld_prefix(const recommend::Recommendation& r, Detail detail) {
  if (!r.withheld) return r.priority == "optional" ? "OPTIONAL (no symptoms reported): " : "";
  return detail == Detail::full ? "WITHHELD until cleared (" + r.withheld_by + "). "
                                : "WITHHELD (" + r.withheld_by + "): ";
}

}  // namespace

std::string side_name(Side s) {
  switch (s) {
    case Side::left: return "left";
    case Side::right: return "right";
    case Side::both: return "both";
    default: return "-";
  }
}

std::vector<std::string> header_lines(const ReportModel& m) {
  const auto& h = m.header;
  std::vector<std::string> out;
  out.push_back("Clinic: " + (h.clinic.empty() ? std::string("-") : h.clinic) +
                "    Patient: " + (h.patient_id.empty() ? std::string("-") : h.patient_id) +
                "    Date: " + (h.date.empty() ? std::string("-") : h.date));
  out.push_back("Device: " + (h.device.empty() ? std::string("-") : h.device) + "    Recording: " + h.recording);
  out.push_back("insole " + h.toolkit_version + ", analysis " + h.analysis_version + ", rules " +
                m.prescription.rules_version);
  return out;
}

// One row per measure, left and right side by side; values outside the reference range are
// marked OUT (bold row) so that the table reads without colour.
Table metrics(const ReportModel& m) {
  Table t{{"Measure", "Left", "Right", "Reference", "Source"}, {0.34, 0.16, 0.16, 0.14, 0.20}, {}, {}};
  std::vector<std::string> order;
  for (const auto& r : m.metrics)
    if (std::find(order.begin(), order.end(), r.measure) == order.end()) order.push_back(r.measure);
  for (const auto& key : order) {
    Row row{"", "-", "-", "-", ""};
    bool out = false;
    for (const auto& r : m.metrics) {
      if (r.measure != key) continue;
      row[0] = r.label;
      row[3] = r.range_text();
      row[4] = r.ref_source;
      const auto in = r.in_range();
      out = out || (in && !*in);
      std::string v = r.value ? num(*r.value, r.decimals) + (r.unit.empty() ? "" : " " + r.unit) : "n/a";
      if (!r.note.empty()) v += " (" + r.note + ")";
      if (in) v += *in ? "" : "  OUT";
      if (r.side == Side::right) row[2] = v;
      else if (r.side == Side::both) row[1] = row[2] = v + " (both)";
      else row[1] = v;
    }
    t.rows.push_back(row);
    t.emphasis.push_back(out);
  }
  return t;
}

std::vector<std::string> findings(const ReportModel& m) {
  std::vector<std::string> out = m.prescription.statements;
  if (out.empty()) out.push_back("No finding of the flat-foot / tight-calf chain in this recording.");
  return out;
}

Table prescription(const ReportModel& m, Detail detail) {
  Table t{{"Element", "Side", "Dose", detail == Detail::full ? "Reason and evidence" : "Reason (findings and values)"},
          detail == Detail::full ? std::vector<double>{0.15, 0.06, 0.21, 0.58} : std::vector<double>{0.17, 0.06, 0.30, 0.47},
          {},
          {}};
  for (const auto& r : m.prescription.items) {
    if (r.category == "exercise") continue;
    // Left and right items with the same dose arrive merged into one "both" item (engine.cpp).
    t.rows.push_back({r.element + " [" + r.category + "]", side_name(r.side), withheld_prefix(r, detail) + r.dose.text,
                      detail == Detail::full ? reason_text(r) : short_reason(r)});
    t.emphasis.push_back(r.withheld);
  }
  return t;
}

Table exercises(const ReportModel& m, Detail detail) {
  Table t{{"Exercise", "Dose", "Why"},
          detail == Detail::full ? std::vector<double>{0.25, 0.25, 0.50} : std::vector<double>{0.23, 0.30, 0.47},
          {},
          {}};
  for (const auto& r : m.prescription.items) {
    if (r.category != "exercise") continue;
    const std::string dose = withheld_prefix(r, detail) + r.dose.text;
    std::string why = r.reason + ".";
    std::vector<std::string> links;
    for (const auto& l : r.links) links.push_back(detail == Detail::full ? l.id + " [" + l.strength + "]" : l.id);
    if (!links.empty()) why += (detail == Detail::full ? " Chain: " : " Links ") + join(links, ", ") + ".";
    if (!r.contraindications.empty()) why += " Note: " + join(r.contraindications, "; ") + ".";
    why += " Confidence" + std::string(detail == Detail::full ? ": " : " ") + r.confidence + ".";
    t.rows.push_back({r.element, dose, why});
    t.emphasis.push_back(r.withheld);
  }
  return t;
}

std::vector<std::string> referrals(const ReportModel& m) {
  std::vector<std::string> out;
  const auto& p = m.prescription;
  for (const auto& r : p.referrals) {
    std::string u = r.urgency;
    std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    out.push_back(u + " REFERRAL: " + r.text);
  }
  if (p.red_flags_screened && p.referrals.empty()) out.push_back("Red flags screened at intake: none reported.");
  if (!p.referrals.empty()) out.push_back("Red flags override the prescription: withheld items wait for medical clearance.");
  return out;
}

Table quality(const ReportModel& m) {
  Table t{{"Check", "Value", "OK"}, {0.45, 0.40, 0.15}, {}, {}};
  for (const auto& q : m.quality) {
    t.rows.push_back({q.label, q.value, q.ok ? "yes" : "NO"});
    t.emphasis.push_back(!q.ok);
  }
  return t;
}

std::string comparison_foot_title(const compare::FootComparison& f) {
  std::string side = side_name(f.side);
  if (!side.empty()) side[0] = static_cast<char>(side[0] - 'a' + 'A');
  return side + " foot: A " + compare::measured_as(f.surface_a, f.condition_a) + ", " + std::to_string(f.footfalls_a) +
         " footfalls; B " + compare::measured_as(f.surface_b, f.condition_b) + ", " + std::to_string(f.footfalls_b) + " footfalls";
}

Table comparison_regions(const compare::FootComparison& f) {
  Table t;
  t.header = {"Region", "Variable", "A", "B", "B - A", "% change"};
  t.widths = {0.18, 0.26, 0.14, 0.14, 0.14, 0.14};
  auto cell = [](const std::optional<double>& v) { return v ? num(*v, 1) : std::string("-"); };
  for (const auto& r : f.regions) {
    const std::string variable = r.variable == "peak_pressure_kpa" ? "peak pressure (kPa)"
                                 : r.variable == "pti_novel_kpa_s" ? "pressure-time integral (kPa s)"
                                                                   : r.variable;
    t.rows.push_back({r.region, variable, cell(r.a), cell(r.b), cell(r.change), cell(r.change_percent)});
    t.emphasis.push_back(false);
  }
  return t;
}

std::vector<std::string> comparison_targets(const compare::FootComparison& f) {
  std::vector<std::string> out;
  for (const auto& t : f.targets) {
    std::string status = t.status;
    std::replace(status.begin(), status.end(), '_', ' ');
    std::string line = "Target " + t.id + ": " + status + " - " + t.reason;
    if (!t.sources.empty()) line += " [" + join(t.sources, "; ") + "]";
    out.push_back(line);
  }
  return out;
}

}  // namespace insole::report::sections
