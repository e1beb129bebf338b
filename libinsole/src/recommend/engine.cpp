#include "insole/recommend/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace insole::recommend {

namespace {

using analysis::Finding;

std::string fmt(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", std::clamp(decimals, 0, 6), v);
  return buf;
}

std::string side_word(Side s) {
  switch (s) {
    case Side::left: return "left";
    case Side::right: return "right";
    case Side::both: return "both";
    default: return "unknown side";
  }
}

// Where a condition is evaluated: one foot (findings of that side and whole-body findings) or
// the whole patient (any finding).
struct Ctx {
  const EngineInput& in;
  Side side;
  bool whole = false;
  bool paediatric = false;   ///< {"patient": "paediatric"}
  bool symptomatic = false;  ///< {"patient": "symptomatic"}: a symptom was reported
};

struct Hits {
  std::vector<const Finding*> findings;
  std::vector<std::string> intake;
};

bool side_matches(const Ctx& ctx, Side s) {
  return ctx.whole || s == ctx.side || s == Side::both;
}

std::optional<double> measure(const EngineInput& in, Side side, const std::string& key) {
  for (Side s : {side, Side::both}) {
    auto it = in.measures.find(s);
    if (it == in.measures.end()) continue;
    auto v = it->second.find(key);
    if (v != it->second.end() && std::isfinite(v->second)) return v->second;
  }
  return std::nullopt;
}

bool eval(const Condition& c, const Ctx& ctx, Hits* hits) {
  switch (c.kind) {
    case Condition::Kind::any: {
      bool any = false;
      for (const auto& ch : c.children) any = eval(ch, ctx, hits) || any;  // evaluate all: collect hits
      return any;
    }
    case Condition::Kind::all: {
      Hits local;
      for (const auto& ch : c.children)
        if (!eval(ch, ctx, &local)) return false;
      if (hits) {
        hits->findings.insert(hits->findings.end(), local.findings.begin(), local.findings.end());
        hits->intake.insert(hits->intake.end(), local.intake.begin(), local.intake.end());
      }
      return true;
    }
    case Condition::Kind::negate: return !eval(c.children.front(), ctx, nullptr);
    case Condition::Kind::finding: {
      bool found = false;
      for (const auto& f : ctx.in.findings) {
        if (f.id != c.key || !side_matches(ctx, f.side) || f.severity < c.min_severity) continue;
        found = true;
        if (hits) hits->findings.push_back(&f);
      }
      return found;
    }
    case Condition::Kind::measure: {
      std::optional<double> v;
      if (ctx.whole) {
        for (const auto& [s, m] : ctx.in.measures) {
          (void)m;
          if (auto x = measure(ctx.in, s, c.key); x && compare(*x, c.op, c.value)) v = x;
        }
        return v.has_value();
      }
      v = measure(ctx.in, ctx.side, c.key);
      return v && compare(*v, c.op, c.value);
    }
    case Condition::Kind::patient:
      return c.key == "paediatric" ? ctx.paediatric : c.key == "symptomatic" && ctx.symptomatic;
    case Condition::Kind::intake: {
      if (!ctx.in.intake) return false;
      bool yes = false;
      if (c.op.empty()) {
        yes = ctx.in.intake->flag(c.key).value_or(false);
      } else if (auto v = ctx.in.intake->number(c.key)) {
        yes = compare(*v, c.op, c.value);
      }
      if (yes && hits) hits->intake.push_back(c.key);
      return yes;
    }
  }
  return false;
}

// Whether the intake answers any question the condition asks about.
bool asks_any(const Condition& c, const Intake& intake) {
  if (c.kind == Condition::Kind::intake && intake.values.count(c.key)) return true;
  return std::any_of(c.children.begin(), c.children.end(), [&](const Condition& ch) { return asks_any(ch, intake); });
}

bool mentions_findings(const Condition& c) {
  if (c.kind == Condition::Kind::finding || c.kind == Condition::Kind::measure) return true;
  return std::any_of(c.children.begin(), c.children.end(), mentions_findings);
}

const DoseBand* pick_band(const DoseRule& d, double v) {
  for (const auto& b : d.bands)
    if ((!b.min || v >= *b.min) && (!b.max || v < *b.max)) return &b;
  return nullptr;
}

std::string band_label(const DoseBand& b, int decimals) {
  if (b.min && b.max) return "[" + fmt(*b.min, decimals) + ", " + fmt(*b.max, decimals) + ")";
  if (b.min) return ">= " + fmt(*b.min, decimals);
  if (b.max) return "< " + fmt(*b.max, decimals);
  return "all values";
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}

Dose compute_dose(const RuleSet& rules, const DoseRule& d, const Ctx& ctx, const std::vector<const Finding*>& hits) {
  Dose out;
  out.unit = d.unit;
  out.source = d.source;
  if (d.kind == "fixed") {
    out.text = d.text;
    return out;
  }
  const MeasureDef* md = d.measure.empty() ? nullptr : rules.find_measure(d.measure);
  const int decimals = md ? md->decimals : 2;
  if (d.kind == "bands" && d.basis == "severity") {
    int sev = 0;
    for (const auto* f : hits)
      if (std::find(d.findings.begin(), d.findings.end(), f->id) != d.findings.end()) sev = std::max(sev, f->severity);
    const DoseBand* b = sev > 0 ? pick_band(d, sev) : nullptr;
    if (!b) {
      out.text = d.fallback.empty() ? "dose to be set clinically (no severity graded)" : d.fallback;
      out.basis = "severity not available";
      return out;
    }
    out.text = b->text;
    out.amount = b->amount;
    std::string names;
    for (const auto& f : d.findings) names += (names.empty() ? "" : "/") + f;
    out.basis = names + " severity " + std::to_string(sev) + " (band " + band_label(*b, 0) + ")";
    return out;
  }
  std::optional<double> v;
  if (ctx.whole) {
    for (Side s : {Side::left, Side::right, Side::unknown})
      if (auto x = measure(ctx.in, s, d.measure); x && (!v || *x > *v)) v = x;
  } else {
    v = measure(ctx.in, ctx.side, d.measure);
  }
  if (!v) {
    out.text = d.fallback.empty() ? "dose to be set clinically (" + d.measure + " not measured)" : d.fallback;
    out.basis = d.measure + " not measured";
    return out;
  }
  if (d.kind == "bands") {
    // No band is chosen on a difference smaller than the measure's measurement error (rule file
    // measures[].borderline_margin): a value that passes a band's lower edge by less than it keeps
    // the lower band, and left and right values closer than it get the same (lower) band.
    const double margin = md && md->borderline_margin ? *md->borderline_margin : 0.0;
    bool edge = false;
    auto band_of = [&](double x) -> int {
      const DoseBand* b = pick_band(d, x);
      if (!b) return -1;
      int i = static_cast<int>(b - d.bands.data());
      if (i > 0 && b->min && x - *b->min < margin) {
        --i;
        edge = true;
      }
      return i;
    };
    int i = band_of(*v);
    std::string matched;
    if (i >= 0 && !ctx.whole && (ctx.side == Side::left || ctx.side == Side::right)) {
      const Side other = ctx.side == Side::left ? Side::right : Side::left;
      if (auto o = measure(ctx.in, other, d.measure); o && std::abs(*o - *v) < margin) {
        const bool edge_before = edge;
        const int j = band_of(*o);
        edge = edge_before;
        if (j >= 0 && j < i) {
          i = j;
          matched = "; same band as the " + std::string(side_word(other)) + " foot (" + fmt(*o, decimals) +
                    "), closer than the measurement error " + fmt(margin, decimals);
        }
      }
    }
    if (i < 0) {  // validated bands tile the line from their first min; values below it land here
      out.text = d.fallback.empty() ? "dose to be set clinically (" + d.measure + " outside the dose table)" : d.fallback;
      out.basis = d.measure + " = " + fmt(*v, decimals) + " outside the dose table";
      return out;
    }
    const DoseBand& b = d.bands[static_cast<std::size_t>(i)];
    out.text = b.text;
    out.amount = b.amount;
    out.basis = d.measure + " = " + fmt(*v, decimals) + " (band " + band_label(b, decimals) + ")" +
                (edge ? "; within the measurement error " + fmt(margin, decimals) + " of the next band's edge: lower band kept"
                      : "") +
                matched;
    return out;
  }
  double amount = d.scale * *v + d.offset;
  if (d.min) amount = std::max(amount, *d.min);
  if (d.max) amount = std::min(amount, *d.max);
  out.amount = amount;
  out.text = d.text;
  replace_all(out.text, "{value}", fmt(amount, d.decimals));
  replace_all(out.text, "{measure}", fmt(*v, d.decimals));
  out.basis = d.measure + " = " + fmt(*v, decimals) + " (" + fmt(d.scale, 2) + " x value " +
              (d.offset < 0 ? "- " : "+ ") + fmt(std::abs(d.offset), 2) + ")";
  return out;
}

Trigger to_trigger(const Finding& f) {
  return {f.id, f.side, f.statement, f.evidence, f.confidence, f.severity};
}

// "what would change this": the finding's own thresholds (from its evidence) or the rule file's.
std::vector<std::string> change_hints(const RuleSet& rules, const Ctx& ctx, const std::vector<const Finding*>& hits) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto* f : hits) {
    if (!seen.insert(f->id + side_word(f->side)).second) continue;
    bool any = false;
    for (const auto& e : f->evidence) {
      if (!e.agrees || e.threshold.empty()) continue;
      out.push_back(f->id + " (" + side_word(f->side) + ") rests on " + e.measure + " = " + fmt(e.value, 3) +
                    (e.unit.empty() ? "" : " " + e.unit) + " meeting " + e.threshold +
                    "; a follow-up value outside it removes this trigger");
      any = true;
    }
    if (any) continue;
    if (const FindingDef* def = rules.find_finding(f->id)) {
      for (const auto& t : def->thresholds) {
        auto v = measure(ctx.in, f->side, t.measure);
        out.push_back(f->id + " (" + side_word(f->side) + "): " + t.measure + " " + negate_op(t.op) + " " +
                      fmt(t.value, 3) + " on a follow-up recording" +
                      (v ? " (now " + fmt(*v, 3) + ")" : ""));
      }
    }
  }
  return out;
}

int level_of(const RuleSet& rules, const std::string& level) {
  const int r = rules.confidence_rank(level);
  return r < 0 ? 0 : r;  // an unknown level counts as the lowest
}

struct Candidate {
  Recommendation rec;
  bool dropped = false;
  std::string drop_reason;
};

// The chain on this patient's path (see Prescription::active_nodes).
struct Chain {
  std::set<std::string> nodes;
  std::set<std::string> observed;  ///< measured findings and intake-reported (asked) nodes
  std::set<std::string> links;
};

Chain trace_chain(const RuleSet& rules, const EngineInput& input, const Ctx& whole) {
  Chain c;
  for (const auto& f : input.findings)
    if (rules.find_finding(f.id)) c.observed.insert(f.id);
  for (const auto& n : rules.nodes)
    if (n.active_when && eval(*n.active_when, whole, nullptr)) c.observed.insert(n.id);
  c.nodes = c.observed;
  // A node that is asked at intake or measured is never lit by inference: a link may end in it
  // (or pass through it) only when it was reported or measured. Feedback links (L7, L9) need
  // both ends observed.
  auto reachable = [&](const std::string& id) {
    const Node* n = rules.find_node(id);
    return n && (n->kind == "inferred" || c.observed.count(id) > 0);
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& l : rules.links) {
      if (c.links.count(l.id)) continue;
      const std::set<std::string>& sources = l.feedback ? c.observed : c.nodes;
      const bool from_lit = std::any_of(l.from.begin(), l.from.end(), [&](const std::string& id) { return sources.count(id) > 0; });
      if (!from_lit) continue;
      const bool to_ok = l.feedback ? c.observed.count(l.to) > 0 : reachable(l.to);
      if (!to_ok || !std::all_of(l.via.begin(), l.via.end(), reachable)) continue;
      c.links.insert(l.id);
      for (const auto& v : l.via) c.nodes.insert(v);
      c.nodes.insert(l.to);
      changed = true;
    }
  }
  return c;
}

Candidate build(const RuleSet& rules, const Intervention& iv, const Ctx& ctx, const Hits& hits, bool paediatric,
                bool asymptomatic, const Chain& chain, const std::vector<Referral>& referrals) {
  Candidate c;
  Recommendation& r = c.rec;
  r.id = iv.id;
  r.category = iv.category;
  r.element = iv.element;
  r.side = ctx.whole ? Side::both : ctx.side;
  r.reason = iv.reason;
  r.strength = iv.strength;
  r.sources = iv.sources;
  r.expected_effects = iv.expected_effects;
  for (const auto* f : hits.findings) r.triggers.push_back(to_trigger(*f));
  for (const auto& key : hits.intake) {
    Trigger t;
    t.finding_id = "intake:" + key;
    t.side = Side::both;
    t.statement = "intake answer: " + key;
    r.triggers.push_back(t);
  }
  // Only the links on this patient's path: an item never cites a link the findings did not reach.
  for (const auto& id : iv.links)
    if (const Link* l = rules.find_link(id); l && chain.links.count(id))
      r.links.push_back({l->id, l->articles, l->strength, l->text});
  r.dose = compute_dose(rules, iv.dose, ctx, hits.findings);

  // Confidence: capped by the evidence strength, then by the weakest triggering finding.
  int level = level_of(rules, rules.confidence_cap_by_strength.at(iv.strength));
  for (const auto* f : hits.findings) level = std::min(level, level_of(rules, f->confidence));
  if (paediatric && !rules.paediatric.confidence_cap.empty())
    level = std::min(level, level_of(rules, rules.paediatric.confidence_cap));
  const auto& optional_categories = rules.symptoms.categories;
  if (asymptomatic && std::find(optional_categories.begin(), optional_categories.end(), iv.category) != optional_categories.end()) {
    level = std::min(level, level_of(rules, rules.symptoms.confidence_cap));
    r.priority = "optional";
    r.caveats.push_back(rules.symptoms.asymptomatic_text);
  }
  for (const auto& ci : iv.contraindications) {
    if (!ci.when) {
      r.contraindications.push_back(ci.text);
      continue;
    }
    if (!eval(*ci.when, ctx, nullptr)) continue;
    if (ci.action == "withhold") {
      c.dropped = true;
      c.drop_reason = iv.id + " (" + side_word(r.side) + ") not recommended: " + ci.text;
      if (!ci.sources.empty()) {
        std::string cited;
        for (const auto& id : ci.sources) {
          const Source* s = rules.find_source(id);
          cited += (cited.empty() ? "" : "; ") + (s ? s->citation : id);
        }
        c.drop_reason += " (" + cited + ")";
      }
      return c;
    }
    r.contraindications.push_back("caution: " + ci.text);
    level = std::max(0, level - 1);
  }
  r.confidence = rules.confidence_levels[static_cast<std::size_t>(level)];
  r.what_would_change.push_back(iv.what_would_change);
  for (auto& h : change_hints(rules, ctx, hits.findings)) r.what_would_change.push_back(std::move(h));
  if (paediatric && !iv.paediatric_note.empty()) r.caveats.push_back("paediatric: " + iv.paediatric_note);

  std::string by;
  for (const auto& ref : referrals) {
    const RedFlag* rf = nullptr;
    for (const auto& f : rules.red_flags)
      if (f.id == ref.id) rf = &f;
    if (rf && std::find(rf->withholds.begin(), rf->withholds.end(), iv.category) != rf->withholds.end())
      by += (by.empty() ? "" : ", ") + rf->id;
  }
  if (!by.empty()) {
    r.withheld = true;
    r.withheld_by = by;
  }
  return c;
}

template <class T>
void append_unique(std::vector<T>& into, const std::vector<T>& from) {
  for (const auto& x : from)
    if (std::find(into.begin(), into.end(), x) == into.end()) into.push_back(x);
}

// One item for both feet when the left and right prescriptions are the same element and dose.
void merge_sides(const RuleSet& rules, std::vector<Recommendation>& items) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    for (std::size_t j = i + 1; j < items.size(); ++j) {
      Recommendation& a = items[i];
      const Recommendation& b = items[j];
      if (a.id != b.id || a.dose.text != b.dose.text || a.withheld != b.withheld || a.side == b.side) continue;
      a.side = Side::both;
      a.triggers.insert(a.triggers.end(), b.triggers.begin(), b.triggers.end());
      append_unique(a.contraindications, b.contraindications);
      append_unique(a.what_would_change, b.what_would_change);
      append_unique(a.caveats, b.caveats);
      if (a.dose.basis != b.dose.basis) a.dose.basis += "; " + b.dose.basis;
      if (level_of(rules, b.confidence) < level_of(rules, a.confidence)) a.confidence = b.confidence;
      items.erase(items.begin() + static_cast<std::ptrdiff_t>(j));
      --j;
    }
  }
}

int urgency_rank(const std::string& u) { return u == "urgent" ? 0 : u == "prompt" ? 1 : 2; }

}  // namespace

Prescription recommend(const RuleSet& rules, const EngineInput& input) {
  Prescription p;
  p.rules_name = rules.name;
  p.rules_version = rules.rules_version;
  p.red_flags_screened = input.intake.has_value();
  p.sign_off = rules.sign_off;

  for (const auto& f : input.findings) {
    const FindingDef* def = rules.find_finding(f.id);
    if (!def) {
      p.caveats.push_back("finding " + f.id + " is not known to rule set " + rules.rules_version + "; it was ignored");
      continue;
    }
    std::string s = side_word(f.side);
    s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    p.statements.push_back(s + ": " + rules.wording_prefix + " " + def->consistent_with + " (" + f.id + ", " +
                           f.confidence + " confidence" + (def->confirm.empty() ? "" : "; confirm by " + def->confirm) +
                           ")");
  }

  // Red flags come from the intake only, and override the prescription.
  const Patient patient = patient_of(rules, input.intake ? &*input.intake : nullptr);
  const bool reported_symptom = input.intake && rules.symptoms.when && eval_intake_condition(*rules.symptoms.when, *input.intake);
  const Ctx whole{input, Side::both, true, patient.paediatric, reported_symptom};
  if (input.intake) {
    for (const auto& rf : rules.red_flags) {
      Hits hits;
      if (!eval(rf.when, whole, &hits)) continue;
      p.referrals.push_back({rf.id, rf.urgency, rf.text, hits.intake, rf.sources});
    }
    std::stable_sort(p.referrals.begin(), p.referrals.end(),
                     [](const Referral& a, const Referral& b) { return urgency_rank(a.urgency) < urgency_rank(b.urgency); });
  } else {
    p.caveats.push_back(rules.not_screened_text);
  }
  const bool paediatric = patient.paediatric;
  if (paediatric) append_unique(p.caveats, rules.paediatric.caveats);
  // Symptomatic when a symptom is reported; asymptomatic only when symptoms were asked and none
  // was reported (an intake that asks nothing about symptoms leaves it unknown).
  if (input.intake && rules.symptoms.when) {
    if (eval(*rules.symptoms.when, whole, nullptr)) {
      p.symptomatic = true;
    } else if (asks_any(*rules.symptoms.when, *input.intake)) {
      p.symptomatic = false;
    }
  }
  const bool asymptomatic = p.symptomatic == false;
  const Chain chain = trace_chain(rules, input, whole);

  std::vector<Side> sides;
  for (const auto& f : input.findings)
    if (f.side != Side::both && std::find(sides.begin(), sides.end(), f.side) == sides.end()) sides.push_back(f.side);
  for (const auto& [s, m] : input.measures) {
    (void)m;
    if (s != Side::both && std::find(sides.begin(), sides.end(), s) == sides.end()) sides.push_back(s);
  }
  std::sort(sides.begin(), sides.end());

  for (const auto& iv : rules.interventions) {
    std::vector<Recommendation> per_side;
    if (iv.bilateral || !mentions_findings(iv.trigger)) {
      Hits hits;
      if (!eval(iv.trigger, whole, &hits)) continue;
      Candidate c = build(rules, iv, whole, hits, paediatric, asymptomatic, chain, p.referrals);
      if (c.dropped) {
        p.caveats.push_back(c.drop_reason);
        continue;
      }
      per_side.push_back(std::move(c.rec));
    } else {
      for (Side s : sides) {
        const Ctx ctx{input, s, false, patient.paediatric, reported_symptom};
        Hits hits;
        if (!eval(iv.trigger, ctx, &hits)) continue;
        Candidate c = build(rules, iv, ctx, hits, paediatric, asymptomatic, chain, p.referrals);
        if (c.dropped) {
          p.caveats.push_back(c.drop_reason);
          continue;
        }
        per_side.push_back(std::move(c.rec));
      }
      merge_sides(rules, per_side);
    }
    for (auto& r : per_side) p.items.push_back(std::move(r));
  }

  for (const auto& n : rules.nodes) {
    if (!chain.nodes.count(n.id)) continue;
    p.active_nodes.push_back(n.id);
    if (!chain.observed.count(n.id)) p.inferred_nodes.push_back(n.id);
  }
  for (const auto& l : rules.links)
    if (chain.links.count(l.id)) p.active_links.push_back(l.id);

  const Review& rv = rules.review;
  p.review = p.referrals.empty() ? rv.text : rv.with_red_flags + "; then " + rv.text;
  return p;
}

}  // namespace insole::recommend
