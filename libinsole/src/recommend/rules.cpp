#include "insole/recommend/rules.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "insole/analysis/measure_catalogue.hpp"
#include "insole/recommend/intake.hpp"
#include "json_text.hpp"

namespace insole::recommend {

namespace {

using nlohmann::json;

// Thrown inside the parser only and turned into an Error at parse_rules(): it carries the JSON
// path of the offending value so that the message can name it.
struct RuleError {
  std::string path;
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw RuleError{path, message};
}

std::string type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "an unsupported value";
  }
}

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// Typed access to object members, each failure naming the path and the expected type.
class Obj {
 public:
  Obj(const json& j, std::string path, std::set<std::string> allowed) : j_(j), path_(std::move(path)) {
    if (!j.is_object()) fail(path_, "expected an object, found " + type_name(j));
    for (const auto& [k, v] : j.items()) {
      (void)v;
      if (!allowed.count(k)) {
        std::vector<std::string> names(allowed.begin(), allowed.end());
        fail(child(path_, k), "unknown key (expected one of: " + join(names) + ")");
      }
    }
  }
  bool has(const std::string& k) const { return j_.contains(k); }
  const json& at(const std::string& k) const {
    if (!j_.contains(k)) fail(child(path_, k), "missing required key");
    return j_.at(k);
  }
  std::string path(const std::string& k) const { return child(path_, k); }
  std::string str(const std::string& k, bool required = true) const {
    if (!has(k)) {
      if (required) fail(child(path_, k), "missing required key");
      return {};
    }
    const json& v = j_.at(k);
    if (!v.is_string()) fail(child(path_, k), "expected a string, found " + type_name(v));
    std::string s = v.get<std::string>();
    if (required && s.empty()) fail(child(path_, k), "must not be empty");
    return s;
  }
  double num(const std::string& k) const {
    const json& v = at(k);
    if (!v.is_number()) fail(child(path_, k), "expected a number, found " + type_name(v));
    return v.get<double>();
  }
  std::optional<double> opt_num(const std::string& k) const {
    if (!has(k)) return std::nullopt;
    return num(k);
  }
  int integer(const std::string& k, int fallback) const {
    if (!has(k)) return fallback;
    const json& v = j_.at(k);
    if (!v.is_number_integer()) fail(child(path_, k), "expected an integer, found " + type_name(v));
    return v.get<int>();
  }
  bool boolean(const std::string& k, bool fallback) const {
    if (!has(k)) return fallback;
    const json& v = j_.at(k);
    if (!v.is_boolean()) fail(child(path_, k), "expected true or false, found " + type_name(v));
    return v.get<bool>();
  }
  std::vector<std::string> strings(const std::string& k, bool required = true) const {
    if (!has(k)) {
      if (required) fail(child(path_, k), "missing required key");
      return {};
    }
    const json& v = j_.at(k);
    if (!v.is_array()) fail(child(path_, k), "expected an array of strings, found " + type_name(v));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string())
        fail(child(path_, k) + "[" + std::to_string(i) + "]", "expected a string, found " + type_name(v[i]));
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }
  const json& array(const std::string& k, bool required = true) const {
    static const json empty = json::array();
    if (!has(k)) {
      if (required) fail(child(path_, k), "missing required key");
      return empty;
    }
    const json& v = j_.at(k);
    if (!v.is_array()) fail(child(path_, k), "expected an array, found " + type_name(v));
    return v;
  }

 private:
  const json& j_;
  std::string path_;
};

std::string item_path(const std::string& base, std::size_t i, const json& j) {
  std::string p = base + "[" + std::to_string(i) + "]";
  if (j.is_object() && j.contains("id") && j.at("id").is_string()) p += " (" + j.at("id").get<std::string>() + ")";
  return p;
}

const std::set<std::string> kOps = {"<", "<=", ">", ">=", "=="};

Condition parse_condition(const json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "expected a condition object, found " + type_name(j));
  Condition c;
  if (j.contains("any") || j.contains("all")) {
    const bool any = j.contains("any");
    Obj o(j, path, {any ? "any" : "all"});
    c.kind = any ? Condition::Kind::any : Condition::Kind::all;
    const json& arr = o.array(any ? "any" : "all");
    if (arr.empty()) fail(o.path(any ? "any" : "all"), "must list at least one condition");
    for (std::size_t i = 0; i < arr.size(); ++i)
      c.children.push_back(parse_condition(arr[i], o.path(any ? "any" : "all") + "[" + std::to_string(i) + "]"));
    return c;
  }
  if (j.contains("not")) {
    Obj o(j, path, {"not"});
    c.kind = Condition::Kind::negate;
    c.children.push_back(parse_condition(o.at("not"), o.path("not")));
    return c;
  }
  if (j.contains("finding")) {
    Obj o(j, path, {"finding", "min_severity"});
    c.kind = Condition::Kind::finding;
    c.key = o.str("finding");
    c.min_severity = o.integer("min_severity", 0);
    return c;
  }
  if (j.contains("patient")) {
    Obj o(j, path, {"patient"});
    c.kind = Condition::Kind::patient;
    c.key = o.str("patient");
    if (c.key != "paediatric" && c.key != "symptomatic")
      fail(o.path("patient"), "expected \"paediatric\" or \"symptomatic\", found \"" + c.key + "\"");
    return c;
  }
  if (j.contains("measure") || j.contains("intake")) {
    const bool measure = j.contains("measure");
    Obj o(j, path, {measure ? "measure" : "intake", "op", "value"});
    c.kind = measure ? Condition::Kind::measure : Condition::Kind::intake;
    c.key = o.str(measure ? "measure" : "intake");
    if (measure || o.has("op") || o.has("value")) {
      c.op = o.str("op");
      if (!kOps.count(c.op)) fail(o.path("op"), "unknown operator '" + c.op + "' (expected <, <=, >, >= or ==)");
      c.value = o.num("value");
    }
    return c;
  }
  fail(path, "expected one of the keys finding, measure, intake, patient, any, all, not");
}

DoseRule parse_dose(const json& j, const std::string& path) {
  Obj o(j, path, {"kind", "basis", "measure", "findings", "bands", "scale", "offset", "min", "max",
                  "decimals", "unit", "text", "fallback", "source"});
  DoseRule d;
  d.kind = o.str("kind");
  d.unit = o.str("unit", false);
  d.text = o.str("text", false);
  d.fallback = o.str("fallback", false);
  d.source = o.str("source", false);
  d.decimals = o.integer("decimals", 0);
  if (d.kind == "fixed") {
    if (d.text.empty()) fail(o.path("text"), "a fixed dose needs its text");
  } else if (d.kind == "bands") {
    d.basis = o.str("basis");
    if (d.basis == "measure") {
      d.measure = o.str("measure");
    } else if (d.basis == "severity") {
      d.findings = o.strings("findings");
      if (d.findings.empty()) fail(o.path("findings"), "must list at least one finding");
    } else {
      fail(o.path("basis"), "expected \"measure\" or \"severity\", found \"" + d.basis + "\"");
    }
    if (d.source.empty()) fail(o.path("source"), "a dose band table needs a source");
    const json& bands = o.array("bands");
    if (bands.empty()) fail(o.path("bands"), "must list at least one band");
    for (std::size_t i = 0; i < bands.size(); ++i) {
      const std::string bp = o.path("bands") + "[" + std::to_string(i) + "]";
      Obj b(bands[i], bp, {"min", "max", "amount", "text"});
      DoseBand band{b.opt_num("min"), b.opt_num("max"), b.num("amount"), b.str("text")};
      if (band.min && band.max && !(*band.min < *band.max))
        fail(bp, "min must be below max");
      d.bands.push_back(band);
    }
    // Bands must tile the line in order: the first open below (or starting), each next one
    // starting where the previous one ends, so that every value gets exactly one dose.
    for (std::size_t i = 0; i + 1 < d.bands.size(); ++i) {
      const std::string bp = o.path("bands") + "[" + std::to_string(i + 1) + "]";
      if (!d.bands[i].max) fail(o.path("bands") + "[" + std::to_string(i) + "]", "only the last band may be open above");
      if (!d.bands[i + 1].min || *d.bands[i + 1].min != *d.bands[i].max) {
        std::ostringstream m;
        m << "min must equal the previous band's max (" << *d.bands[i].max << "): bands must not overlap or leave gaps";
        fail(bp, m.str());
      }
    }
  } else if (d.kind == "linear") {
    d.measure = o.str("measure");
    d.scale = o.has("scale") ? o.num("scale") : 1.0;
    d.offset = o.has("offset") ? o.num("offset") : 0.0;
    d.min = o.opt_num("min");
    d.max = o.opt_num("max");
    if (d.min && d.max && *d.min > *d.max) fail(path, "min must not exceed max");
    if (d.text.find("{value}") == std::string::npos) fail(o.path("text"), "a linear dose text must contain {value}");
    if (d.source.empty()) fail(o.path("source"), "a linear dose needs a source");
  } else {
    fail(o.path("kind"), "expected \"fixed\", \"bands\" or \"linear\", found \"" + d.kind + "\"");
  }
  return d;
}

// "ages": "adult" or {"min": years, "max": years} (min inclusive, max exclusive).
AgeRange parse_ages(const json& j, const std::string& path) {
  AgeRange a;
  if (j.is_string()) {
    if (j.get<std::string>() != "adult") fail(path, "expected \"adult\" or {\"min\": years, \"max\": years}");
    a.adult = true;
    return a;
  }
  Obj o(j, path, {"min", "max"});
  a.min = o.opt_num("min");
  a.max = o.opt_num("max");
  if (!a.min && !a.max) fail(path, "needs min, max or both (years)");
  if (a.min && *a.min < 0) fail(o.path("min"), "an age must be 0 or more");
  if (a.min && a.max && !(*a.min < *a.max)) fail(path, "min must be below max");
  return a;
}

ClassDef parse_class(const json& j, const std::string& path) {
  Obj o(j, path, {"id", "measure", "sets"});
  ClassDef c;
  c.id = o.str("id");
  c.measure = o.str("measure");
  const json& sets = o.array("sets");
  if (sets.empty()) fail(o.path("sets"), "must list at least one set of cut-offs");
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const std::string sp = o.path("sets") + "[" + std::to_string(i) + "]";
    Obj so(sets[i], sp, {"ages", "labels", "cutoffs", "source", "note"});
    ClassSet set;
    if (so.has("ages")) set.ages = parse_ages(so.at("ages"), so.path("ages"));
    set.labels = so.strings("labels");
    set.source = so.str("source");
    set.note = so.str("note", false);
    const json& cuts = so.array("cutoffs");
    if (cuts.empty()) fail(so.path("cutoffs"), "must list at least one cut-off");
    for (std::size_t k = 0; k < cuts.size(); ++k) {
      const std::string cp = so.path("cutoffs") + "[" + std::to_string(k) + "]";
      Obj co(cuts[k], cp, {"value", "op"});
      ClassCutoff cut{co.num("value"), co.str("op")};
      if (cut.op != ">" && cut.op != ">=")
        fail(co.path("op"), "expected \">\" or \">=\" (the side of the cut-off a value at it belongs to), found \"" +
                                cut.op + "\"");
      // Sorted strictly: equal or decreasing cut-offs would make classes overlap or vanish.
      if (!set.cutoffs.empty() && !(cut.value > set.cutoffs.back().value)) {
        std::ostringstream m;
        m << "cut-offs must increase strictly (" << cut.value << " after " << set.cutoffs.back().value
          << "): classes would overlap";
        fail(co.path("value"), m.str());
      }
      set.cutoffs.push_back(cut);
    }
    if (set.labels.size() != set.cutoffs.size() + 1)
      fail(so.path("labels"), "needs one label more than cut-offs (" + std::to_string(set.cutoffs.size() + 1) +
                                  " labels for " + std::to_string(set.cutoffs.size()) + " cut-offs), found " +
                                  std::to_string(set.labels.size()));
    std::set<std::string> seen;
    for (const auto& l : set.labels) {
      if (l.empty()) fail(so.path("labels"), "a label must not be empty");
      if (!seen.insert(l).second) fail(so.path("labels"), "duplicate label '" + l + "'");
    }
    c.sets.push_back(set);
  }
  return c;
}

RuleSet parse_document(const json& root) {
  Obj o(root, "", {"schema", "schema_version", "name", "rules_version", "description", "strength_levels",
                   "confidence_levels", "confidence_cap_by_strength", "sources", "measures", "classes", "findings",
                   "nodes", "links", "interventions", "red_flags", "targets", "paediatric", "symptoms", "review",
                   "not_screened_text", "wording"});
  if (o.str("schema") != "insole-rules") fail("schema", "expected \"insole-rules\"");
  if (o.integer("schema_version", -1) != 2)
    fail("schema_version", "expected 2 (this toolkit reads rule-file schema version 2: measures take their label "
                           "and unit from the measure catalogue, findings are evaluated from the file)");
  RuleSet r;
  r.name = o.str("name");
  r.rules_version = o.str("rules_version");
  r.strength_levels = o.strings("strength_levels");
  r.confidence_levels = o.strings("confidence_levels");
  if (r.confidence_levels.empty()) fail("confidence_levels", "must list at least one level");
  {
    const json& caps = o.at("confidence_cap_by_strength");
    if (!caps.is_object()) fail("confidence_cap_by_strength", "expected an object");
    for (const auto& [k, v] : caps.items()) {
      if (!v.is_string()) fail("confidence_cap_by_strength." + k, "expected a string");
      r.confidence_cap_by_strength[k] = v.get<std::string>();
    }
  }
  const json& sources = o.array("sources");
  for (std::size_t i = 0; i < sources.size(); ++i) {
    Obj s(sources[i], item_path("sources", i, sources[i]), {"id", "kind", "citation"});
    r.sources.push_back({s.str("id"), s.str("kind"), s.str("citation")});
  }
  const json& measures = o.array("measures");
  for (std::size_t i = 0; i < measures.size(); ++i) {
    const std::string p = item_path("measures", i, measures[i]);
    Obj m(measures[i], p, {"id", "decimals", "reference", "source", "note", "borderline_margin", "resolution", "published"});
    MeasureDef md;
    md.id = m.str("id");
    // Label and unit are the catalogue's: a measure is defined once (measure_catalogue.hpp).
    const analysis::MeasureInfo* info = analysis::find_measure_info(md.id);
    if (!info)
      fail(m.path("id"), "unknown measure '" + md.id +
                             "': not in the measure catalogue (docs/metrics.md lists every measure)");
    md.label = info->label;
    md.unit = info->unit;
    md.decimals = m.integer("decimals", 2);
    md.source = m.str("source");
    md.note = m.str("note", false);
    if (m.has("reference")) {
      Obj ref(m.at("reference"), m.path("reference"), {"low", "high", "surface"});
      md.ref_low = ref.opt_num("low");
      md.ref_high = ref.opt_num("high");
      md.ref_surface = ref.str("surface", false);
      if (!md.ref_surface.empty() && md.ref_surface != "barefoot" && md.ref_surface != "in_shoe")
        fail(ref.path("surface"), "expected \"barefoot\" or \"in_shoe\", found \"" + md.ref_surface + "\"");
      if (!md.ref_low && !md.ref_high) fail(m.path("reference"), "needs low, high or both");
      if (md.ref_low && md.ref_high && *md.ref_low >= *md.ref_high) fail(m.path("reference"), "low must be below high");
    }
    if (m.has("borderline_margin")) {
      Obj b(m.at("borderline_margin"), m.path("borderline_margin"), {"value", "source", "note"});
      md.borderline_margin = b.num("value");
      if (!(*md.borderline_margin >= 0.0)) fail(b.path("value"), "a measurement-error margin must be 0 or more");
      md.borderline_source = b.str("source");
      md.borderline_note = b.str("note", false);
    }
    if (m.has("resolution")) {
      Obj res(m.at("resolution"), m.path("resolution"), {"measure", "limit", "source", "note"});
      MeasureDef::Resolution rd{res.str("measure"), res.num("limit"), res.str("source"), res.str("note", false)};
      const analysis::MeasureInfo* rinfo = analysis::find_measure_info(rd.measure);
      if (!rinfo)
        fail(res.path("measure"), "unknown measure '" + rd.measure +
                                      "': not in the measure catalogue (docs/metrics.md lists every measure)");
      if (rd.measure == md.id) fail(res.path("measure"), "a measure cannot be its own resolution");
      if (rinfo->per_recording() != info->per_recording())
        fail(res.path("measure"), "'" + rd.measure + "' and '" + md.id +
                                      "' must both be per foot or both per recording");
      if (rinfo->unit != info->unit)
        fail(res.path("measure"), "'" + rd.measure + "' is in '" + rinfo->unit + "', '" + md.id + "' in '" + info->unit +
                                      "': a resolution is in the unit of the measure it resolves");
      if (!(rd.limit > 0.0)) fail(res.path("limit"), "a resolution limit must be above 0");
      md.resolution = std::move(rd);
    }
    if (m.has("published")) {
      Obj pub(m.at("published"), m.path("published"), {"values", "source", "note"});
      const json& values = pub.at("values");
      if (!values.is_object() || values.empty())
        fail(pub.path("values"), "expected an object of named numbers, e.g. {\"mean\": 48.8}");
      for (const auto& [name, v] : values.items()) {
        if (!v.is_number()) fail(pub.path("values") + "." + name, "expected a number");
        md.published[name] = v.get<double>();
      }
      md.published_source = pub.str("source");
      md.published_note = pub.str("note", false);
      // Sources are read before measures; an unknown id is refused by validate().
      if (const Source* src = r.find_source(md.published_source)) md.published_citation = src->citation;
    }
    r.measures.push_back(md);
  }
  const json& classes = o.array("classes", false);
  for (std::size_t i = 0; i < classes.size(); ++i) r.classes.push_back(parse_class(classes[i], item_path("classes", i, classes[i])));
  const json& findings = o.array("findings");
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const std::string p = item_path("findings", i, findings[i]);
    Obj f(findings[i], p, {"id", "label", "consistent_with", "thresholds", "combine", "confirm", "notes"});
    FindingDef fd;
    fd.id = f.str("id");
    if (fd.id.rfind("F-", 0) != 0) fail(f.path("id"), "finding ids start with \"F-\"");
    fd.label = f.str("label");
    fd.consistent_with = f.str("consistent_with");
    fd.confirm = f.str("confirm", false);
    fd.notes = f.strings("notes", false);
    const json& th = f.array("thresholds");
    if (th.empty()) fail(f.path("thresholds"), "must list at least one threshold");
    for (std::size_t k = 0; k < th.size(); ++k) {
      const std::string tp = f.path("thresholds") + "[" + std::to_string(k) + "]";
      Obj t(th[k], tp, {"measure", "op", "value", "source", "surface", "note", "severity", "ages"});
      Threshold thr{t.str("measure"), t.str("op"), t.num("value"), t.str("source"), t.str("surface", false),
                    t.str("note", false), {}, {}};
      if (t.has("ages")) thr.ages = parse_ages(t.at("ages"), t.path("ages"));
      if (!kOps.count(thr.op)) fail(t.path("op"), "unknown operator '" + thr.op + "'");
      if (thr.op == "==") fail(t.path("op"), "a finding's vote needs a direction (<, <=, > or >=), found '=='");
      if (!thr.surface.empty() && thr.surface != "barefoot" && thr.surface != "in_shoe")
        fail(t.path("surface"), "expected \"barefoot\" or \"in_shoe\", found \"" + thr.surface + "\"");
      const json& sev = t.array("severity", false);
      for (std::size_t b = 0; b < sev.size(); ++b) {
        const std::string bp = t.path("severity") + "[" + std::to_string(b) + "]";
        Obj band(sev[b], bp, {"beyond", "grade"});
        SeverityBand sb{band.num("beyond"), band.integer("grade", 0)};
        if (b == 0 && sb.beyond != 0.0) fail(band.path("beyond"), "the first severity band starts at the threshold (beyond 0)");
        if (b > 0 && !(sb.beyond > thr.severity.back().beyond))
          fail(band.path("beyond"), "severity bands must be in increasing distance beyond the threshold");
        if (sb.grade != static_cast<int>(b) + 1) fail(band.path("grade"), "grades run 1, 2, 3, ... in band order");
        thr.severity.push_back(sb);
      }
      // A finding is about one foot, or (left/right symmetry measures) about the pair.
      if (const analysis::MeasureInfo* info = analysis::find_measure_info(thr.measure); info && k == 0)
        fd.per_recording = info->per_recording();
      fd.thresholds.push_back(thr);
    }
    // combine: "any" | "all" | {"at_least": n}, 1 <= n <= number of votes.
    if (!f.has("combine")) fail(f.path("combine"), "missing required key (\"any\", \"all\" or {\"at_least\": n})");
    const json& cj = f.at("combine");
    if (cj.is_string() && cj.get<std::string>() == "any") {
      fd.combine = {Combine::Kind::any, 1};
    } else if (cj.is_string() && cj.get<std::string>() == "all") {
      fd.combine = {Combine::Kind::all, static_cast<int>(fd.thresholds.size())};
    } else if (cj.is_object()) {
      Obj c(cj, f.path("combine"), {"at_least"});
      const int n = c.integer("at_least", 0);
      if (n < 1 || n > static_cast<int>(fd.thresholds.size()))
        fail(c.path("at_least"), "invalid combine: at_least " + std::to_string(n) + " of " +
                                     std::to_string(fd.thresholds.size()) + " votes (expected 1 to " +
                                     std::to_string(fd.thresholds.size()) + ")");
      fd.combine = {Combine::Kind::at_least, n};
    } else {
      fail(f.path("combine"), "invalid combine " + cj.dump() + " (expected \"any\", \"all\" or {\"at_least\": n})");
    }
    r.findings.push_back(fd);
    r.nodes.push_back({fd.id, "finding", fd.label, std::nullopt});
  }
  const json& nodes = o.array("nodes");
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::string p = item_path("nodes", i, nodes[i]);
    Obj n(nodes[i], p, {"id", "kind", "label", "active_when"});
    Node node{n.str("id"), n.str("kind"), n.str("label"), std::nullopt};
    if (node.kind != "inferred" && node.kind != "asked")
      fail(n.path("kind"), "expected \"inferred\" or \"asked\" (findings are nodes already)");
    if (n.has("active_when")) node.active_when = parse_condition(n.at("active_when"), n.path("active_when"));
    if (node.kind == "asked" && !node.active_when) fail(n.path("active_when"), "an asked node needs active_when");
    r.nodes.push_back(node);
  }
  const json& links = o.array("links");
  for (std::size_t i = 0; i < links.size(); ++i) {
    const std::string p = item_path("links", i, links[i]);
    Obj l(links[i], p, {"id", "from", "via", "to", "articles", "strength", "text", "feedback"});
    Link link;
    link.id = l.str("id");
    link.from = l.strings("from");
    if (link.from.empty()) fail(l.path("from"), "must name at least one node");
    link.via = l.strings("via", false);
    link.to = l.str("to");
    link.articles = l.strings("articles");
    if (link.articles.empty()) fail(l.path("articles"), "a link needs at least one source");
    link.strength = l.str("strength");
    link.text = l.str("text");
    link.feedback = l.boolean("feedback", false);
    r.links.push_back(link);
  }
  const json& items = o.array("interventions");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string p = item_path("interventions", i, items[i]);
    Obj it(items[i], p, {"id", "category", "element", "strength", "trigger", "bilateral", "reason", "links",
                         "sources", "dose", "expected_effects", "contraindications", "what_would_change",
                         "paediatric_note"});
    Intervention iv;
    iv.id = it.str("id");
    iv.category = it.str("category");
    iv.element = it.str("element");
    iv.strength = it.str("strength");
    iv.trigger = parse_condition(it.at("trigger"), it.path("trigger"));
    iv.bilateral = it.boolean("bilateral", false);
    iv.reason = it.str("reason");
    iv.links = it.strings("links");
    iv.sources = it.strings("sources");
    if (iv.sources.empty()) fail(it.path("sources"), "an intervention needs at least one source");
    iv.dose = parse_dose(it.at("dose"), it.path("dose"));
    const json& eff = it.array("expected_effects", false);
    for (std::size_t k = 0; k < eff.size(); ++k) {
      const std::string ep = it.path("expected_effects") + "[" + std::to_string(k) + "]";
      Obj e(eff[k], ep, {"measure", "direction", "change_kpa", "change_percent", "text", "source"});
      ExpectedEffect ee;
      ee.measure = e.str("measure");
      ee.direction = e.str("direction");
      if (ee.direction != "increase" && ee.direction != "decrease")
        fail(e.path("direction"), "expected \"increase\" or \"decrease\"");
      for (const char* key : {"change_kpa", "change_percent"}) {
        if (!e.has(key)) continue;
        const json& range = e.at(key);
        if (!range.is_array() || range.size() != 2 || !range[0].is_number() || !range[1].is_number())
          fail(e.path(key), "expected [min, max] numbers");
        ee.change_min = range[0].get<double>();
        ee.change_max = range[1].get<double>();
        if (*ee.change_min > *ee.change_max) fail(e.path(key), "min must not exceed max");
        ee.change_unit = std::string(key) == "change_kpa" ? "kPa" : "%";
      }
      ee.text = e.str("text");
      ee.source = e.str("source");
      iv.expected_effects.push_back(ee);
    }
    const json& contra = it.array("contraindications", false);
    for (std::size_t k = 0; k < contra.size(); ++k) {
      const std::string cp = it.path("contraindications") + "[" + std::to_string(k) + "]";
      Obj c(contra[k], cp, {"when", "action", "text", "sources"});
      Contraindication ci;
      if (c.has("when")) ci.when = parse_condition(c.at("when"), c.path("when"));
      ci.action = c.has("action") ? c.str("action") : "caution";
      if (ci.action != "caution" && ci.action != "withhold")
        fail(c.path("action"), "expected \"caution\" or \"withhold\"");
      ci.text = c.str("text");
      ci.sources = c.strings("sources", false);
      iv.contraindications.push_back(ci);
    }
    iv.what_would_change = it.str("what_would_change");
    iv.paediatric_note = it.str("paediatric_note", false);
    r.interventions.push_back(iv);
  }
  const json& flags = o.array("red_flags");
  for (std::size_t i = 0; i < flags.size(); ++i) {
    const std::string p = item_path("red_flags", i, flags[i]);
    Obj f(flags[i], p, {"id", "when", "urgency", "text", "withholds", "sources"});
    RedFlag rf;
    rf.id = f.str("id");
    rf.when = parse_condition(f.at("when"), f.path("when"));
    rf.urgency = f.str("urgency");
    if (rf.urgency != "urgent" && rf.urgency != "prompt" && rf.urgency != "routine")
      fail(f.path("urgency"), "expected \"urgent\", \"prompt\" or \"routine\"");
    rf.text = f.str("text");
    rf.withholds = f.strings("withholds");
    rf.sources = f.strings("sources");
    if (rf.sources.empty()) fail(f.path("sources"), "a red flag needs at least one source");
    r.red_flags.push_back(rf);
  }
  const json& targets = o.array("targets", false);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const std::string p = item_path("targets", i, targets[i]);
    Obj t(targets[i], p, {"id", "when", "region", "variable", "kind", "max", "surface", "text", "sources"});
    TargetDef td;
    td.id = t.str("id");
    Obj w(t.at("when"), t.path("when"), {"prescribed", "red_flag"});
    td.intervention = w.str("prescribed", false);
    td.red_flag = w.str("red_flag", false);
    if (td.intervention.empty() == td.red_flag.empty())
      fail(t.path("when"), "expected exactly one of \"prescribed\" (an intervention id) or \"red_flag\" (a red flag id)");
    td.region = t.str("region");
    td.variable = t.str("variable");
    if (td.variable != "peak_pressure_kpa" && td.variable != "pti_novel_kpa_s")
      fail(t.path("variable"), "expected \"peak_pressure_kpa\" or \"pti_novel_kpa_s\"");
    td.kind = t.str("kind");
    td.max_value = t.num("max");
    if (!std::isfinite(td.max_value)) fail(t.path("max"), "expected a finite number");
    if (td.kind == "relative_change") {
      if (td.max_value < -100.0 || td.max_value > 100.0)
        fail(t.path("max"), "a relative change is a percentage between -100 and 100");
    } else if (td.kind == "ceiling") {
      if (td.max_value <= 0.0) fail(t.path("max"), "a ceiling must be positive");
    } else {
      fail(t.path("kind"), "expected \"relative_change\" or \"ceiling\"");
    }
    td.surface = t.str("surface", false);
    if (!td.surface.empty() && td.surface != "in_shoe" && td.surface != "barefoot")
      fail(t.path("surface"), "expected \"in_shoe\" or \"barefoot\"");
    td.text = t.str("text");
    td.sources = t.strings("sources");
    if (td.sources.empty()) fail(t.path("sources"), "a target needs at least one source");
    r.targets.push_back(td);
  }
  if (o.has("paediatric")) {
    Obj pd(o.at("paediatric"), "paediatric", {"when", "confidence_cap", "sources", "caveats"});
    r.paediatric.when = parse_condition(pd.at("when"), pd.path("when"));
    r.paediatric.confidence_cap = pd.str("confidence_cap");
    r.paediatric.sources = pd.strings("sources");
    r.paediatric.caveats = pd.strings("caveats");
  }
  if (o.has("symptoms")) {
    Obj sy(o.at("symptoms"), "symptoms", {"when", "asymptomatic", "sources"});
    r.symptoms.when = parse_condition(sy.at("when"), sy.path("when"));
    r.symptoms.sources = sy.strings("sources");
    Obj as(sy.at("asymptomatic"), sy.path("asymptomatic"), {"categories", "confidence_cap", "text"});
    r.symptoms.categories = as.strings("categories");
    r.symptoms.confidence_cap = as.str("confidence_cap");
    r.symptoms.asymptomatic_text = as.str("text");
  }
  {
    Obj rv(o.at("review"), "review", {"weeks_min", "weeks_max", "sources", "text", "with_red_flags"});
    r.review.weeks_min = rv.integer("weeks_min", 0);
    r.review.weeks_max = rv.integer("weeks_max", 0);
    if (r.review.weeks_min <= 0 || r.review.weeks_max < r.review.weeks_min)
      fail("review", "needs 0 < weeks_min <= weeks_max");
    r.review.text = rv.str("text");
    r.review.with_red_flags = rv.str("with_red_flags");
    r.review.sources = rv.strings("sources");
  }
  r.not_screened_text = o.str("not_screened_text");
  {
    Obj w(o.at("wording"), "wording", {"prefix", "sign_off", "weak_links"});
    r.wording_prefix = w.str("prefix");
    r.sign_off = w.str("sign_off");
    if (w.has("weak_links")) {
      Obj wl(w.at("weak_links"), w.path("weak_links"), {"strengths", "phrase"});
      r.weak_link_strengths = wl.strings("strengths");
      r.weak_link_phrase = wl.str("phrase");
    }
  }
  return r;
}

// ---- cross-reference checks (after the whole document is read) ----

void check_unique(const std::vector<std::string>& ids, const std::string& what) {
  std::set<std::string> seen;
  for (const auto& id : ids)
    if (!seen.insert(id).second) fail(what, "duplicate id '" + id + "'");
}

template <class T>
std::vector<std::string> ids_of(const std::vector<T>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.id);
  return out;
}

// A measure named anywhere in the rules must be in the catalogue and declared under measures.
void check_measure(const RuleSet& r, const std::string& key, const std::string& path) {
  if (r.find_measure(key)) return;
  if (!analysis::find_measure_info(key))
    fail(path, "unknown measure '" + key + "': not in the measure catalogue (docs/metrics.md lists every measure)");
  fail(path, "measure '" + key + "' is not declared under measures");
}

void check_condition(const RuleSet& r, const Condition& c, const std::string& path, bool intake_only) {
  switch (c.kind) {
    case Condition::Kind::any:
    case Condition::Kind::all:
    case Condition::Kind::negate:
      for (std::size_t i = 0; i < c.children.size(); ++i) check_condition(r, c.children[i], path, intake_only);
      return;
    case Condition::Kind::finding:
      if (intake_only) fail(path, "may depend on the intake only (pressure data cannot show it), found finding '" + c.key + "'");
      if (!r.find_finding(c.key))
        fail(path, "unknown finding id '" + c.key + "' (known: " + join(ids_of(r.findings)) + ")");
      return;
    case Condition::Kind::patient:
      if (intake_only) fail(path, "may depend on the intake only, found patient '" + c.key + "'");
      if (c.key == "paediatric" && !r.paediatric.when)
        fail(path, "{\"patient\": \"paediatric\"} needs a paediatric section with its when");
      if (c.key == "symptomatic" && !r.symptoms.when)
        fail(path, "{\"patient\": \"symptomatic\"} needs a symptoms section with its when");
      return;
    case Condition::Kind::measure:
      if (intake_only) fail(path, "may depend on the intake only, found measure '" + c.key + "'");
      check_measure(r, c.key, path);
      return;
    case Condition::Kind::intake: {
      const IntakeField* f = find_intake_field(c.key);
      if (!f) fail(path, "unknown intake field '" + c.key + "' (see the intake schema in docs/recommendations.md)");
      if (f->type == "bool" && !c.op.empty()) fail(path, "intake field '" + c.key + "' is a yes/no answer: no op/value");
      if (f->type == "number" && c.op.empty()) fail(path, "intake field '" + c.key + "' is a number: needs op and value");
      if (f->type == "string") fail(path, "intake field '" + c.key + "' is free text and cannot be tested");
      return;
    }
  }
}

void check_source(const RuleSet& r, const std::string& id, const std::string& path) {
  if (!r.find_source(id)) fail(path, "unknown source '" + id + "' (declare it under sources)");
}

void check_strength(const RuleSet& r, const std::string& s, const std::string& path) {
  if (std::find(r.strength_levels.begin(), r.strength_levels.end(), s) == r.strength_levels.end())
    fail(path, "unknown strength '" + s + "' (expected one of: " + join(r.strength_levels) + ")");
}

void check_level(const RuleSet& r, const std::string& level, const std::string& path) {
  if (r.confidence_rank(level) < 0)
    fail(path, "unknown confidence level '" + level + "' (expected one of: " + join(r.confidence_levels) + ")");
}

// Depth-first search for a cycle among the non-feedback links; reports it as a node path.
void check_acyclic(const RuleSet& r) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> next;  // node -> (node, link)
  for (const auto& l : r.links) {
    if (l.feedback) continue;
    std::vector<std::string> chain = l.via;
    chain.push_back(l.to);
    for (const auto& f : l.from) next[f].push_back({chain.front(), l.id});
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) next[chain[i]].push_back({chain[i + 1], l.id});
  }
  std::map<std::string, int> state;  // 0 new, 1 on stack, 2 done
  std::vector<std::string> stack_nodes, stack_links;
  std::function<void(const std::string&)> visit = [&](const std::string& n) {
    state[n] = 1;
    stack_nodes.push_back(n);
    for (const auto& [m, link] : next[n]) {
      if (state[m] == 1) {
        auto it = std::find(stack_nodes.begin(), stack_nodes.end(), m);
        std::vector<std::string> cyc(it, stack_nodes.end());
        cyc.push_back(m);
        std::vector<std::string> cyc_links(stack_links.begin() + (it - stack_nodes.begin()), stack_links.end());
        cyc_links.push_back(link);
        std::set<std::string> uniq(cyc_links.begin(), cyc_links.end());
        fail("links", "cycle " + join(cyc, " -> ") + " through links " + join({uniq.begin(), uniq.end()}) +
                          ": mark the link that closes the loop with \"feedback\": true");
      }
      if (state[m] == 0) {
        stack_links.push_back(link);
        visit(m);
        stack_links.pop_back();
      }
    }
    stack_nodes.pop_back();
    state[n] = 2;
  };
  for (const auto& node : r.nodes)
    if (state[node.id] == 0) visit(node.id);
}

void validate(const RuleSet& r) {
  check_unique(ids_of(r.sources), "sources");
  check_unique(ids_of(r.measures), "measures");
  check_unique(ids_of(r.nodes), "nodes");
  check_unique(ids_of(r.links), "links");
  check_unique(ids_of(r.interventions), "interventions");
  check_unique(ids_of(r.red_flags), "red_flags");
  for (const auto& [s, level] : r.confidence_cap_by_strength) {
    check_strength(r, s, "confidence_cap_by_strength." + s);
    check_level(r, level, "confidence_cap_by_strength." + s);
  }
  for (const auto& s : r.strength_levels)
    if (!r.confidence_cap_by_strength.count(s)) fail("confidence_cap_by_strength", "missing a cap for strength '" + s + "'");
  for (std::size_t i = 0; i < r.measures.size(); ++i)
  {
    check_source(r, r.measures[i].source, "measures[" + std::to_string(i) + "] (" + r.measures[i].id + ").source");
    if (r.measures[i].borderline_margin)
      check_source(r, r.measures[i].borderline_source,
                   "measures[" + std::to_string(i) + "] (" + r.measures[i].id + ").borderline_margin.source");
    if (const auto& res = r.measures[i].resolution) {
      const std::string rp = "measures[" + std::to_string(i) + "] (" + r.measures[i].id + ").resolution";
      check_source(r, res->source, rp + ".source");
      const Source* src = r.find_source(res->source);
      if (src && src->kind == "convention" && res->note.empty())
        fail(rp + ".note", "a resolution limit resting on a convention needs a note saying why this value");
    }
    if (!r.measures[i].published.empty())
      check_source(r, r.measures[i].published_source,
                   "measures[" + std::to_string(i) + "] (" + r.measures[i].id + ").published.source");
  }
  check_unique(ids_of(r.classes), "classes");
  for (std::size_t i = 0; i < r.classes.size(); ++i) {
    const auto& c = r.classes[i];
    const std::string p = "classes[" + std::to_string(i) + "] (" + c.id + ")";
    check_measure(r, c.measure, p + ".measure");
    for (std::size_t k = 0; k < c.sets.size(); ++k) {
      const ClassSet& s = c.sets[k];
      const std::string sp = p + ".sets[" + std::to_string(k) + "]";
      check_source(r, s.source, sp + ".source");
      const Source* src = r.find_source(s.source);
      if (src && src->kind == "convention" && s.note.empty())
        fail(sp + ".note", "cut-offs resting on a convention need a note saying why these values");
      if (s.ages.adult && !r.paediatric.when)
        fail(sp + ".ages", "\"adult\" needs a paediatric section (its when says who is a child)");
      // The contract of the JSON key arch_class (design note 3.2): high, normal or low (or null).
      if (c.id == "arch_class")
        for (const auto& l : s.labels)
          if (l != "high" && l != "normal" && l != "low")
            fail(sp + ".labels", "arch_class labels are \"high\", \"normal\" or \"low\" (JSON contract), found \"" + l + "\"");
      // One set per age: no two sets of a class may hold for the same patient.
      for (std::size_t m = 0; m < k; ++m) {
        const AgeRange& a = c.sets[m].ages;
        const AgeRange& b = s.ages;
        bool overlap = false;
        if (a.any_age() || b.any_age()) overlap = true;
        else if (a.adult || b.adult) overlap = a.adult && b.adult;
        else overlap = (!a.max || !b.min || *b.min < *a.max) && (!b.max || !a.min || *a.min < *b.max);
        if (overlap)
          fail(sp + ".ages", "ages (" + age_text(b) + ") overlap those of sets[" + std::to_string(m) + "] (" +
                                 age_text(a) + "): one set of cut-offs per age");
      }
    }
  }
  for (std::size_t i = 0; i < r.findings.size(); ++i) {
    const auto& f = r.findings[i];
    for (std::size_t k = 0; k < f.thresholds.size(); ++k) {
      const std::string p = "findings[" + std::to_string(i) + "] (" + f.id + ").thresholds[" + std::to_string(k) + "]";
      const Threshold& t = f.thresholds[k];
      check_measure(r, t.measure, p + ".measure");
      check_source(r, t.source, p + ".source");
      const Source* src = r.find_source(t.source);
      if (src && src->kind == "convention" && t.note.empty())
        fail(p + ".note", "a threshold resting on a convention needs a note saying why this value");
      if (t.ages.adult && !r.paediatric.when)
        fail(p + ".ages", "\"adult\" needs a paediatric section (its when says who is a child)");
      const MeasureDef* md = r.find_measure(t.measure);
      if (!md->borderline_margin)
        fail(p + ".measure", "measure '" + t.measure + "' votes for a finding but declares no borderline_margin "
                             "(its measurement error) under measures");
      const analysis::MeasureInfo* info = analysis::find_measure_info(t.measure);
      if ((info && info->per_recording()) != f.per_recording)
        fail(p + ".measure", "mixes per-foot and per-recording measures ('" + t.measure + "'): a finding is about "
                             "one foot or about the pair");
    }
  }
  for (std::size_t i = 0; i < r.nodes.size(); ++i)
    if (r.nodes[i].active_when)
      check_condition(r, *r.nodes[i].active_when, "nodes (" + r.nodes[i].id + ").active_when", true);
  for (std::size_t i = 0; i < r.links.size(); ++i) {
    const auto& l = r.links[i];
    const std::string p = "links[" + std::to_string(i) + "] (" + l.id + ")";
    auto need = [&](const std::string& id, const std::string& key) {
      if (!r.find_node(id)) fail(p + "." + key, "link to a missing node '" + id + "'");
    };
    for (const auto& f : l.from) need(f, "from");
    for (const auto& v : l.via) need(v, "via");
    need(l.to, "to");
    for (const auto& a : l.articles) check_source(r, a, p + ".articles");
    check_strength(r, l.strength, p + ".strength");
    const bool weak = std::find(r.weak_link_strengths.begin(), r.weak_link_strengths.end(), l.strength) !=
                      r.weak_link_strengths.end();
    if (weak && l.text.find(r.weak_link_phrase) == std::string::npos)
      fail(p + ".text", "a link of strength " + l.strength + " rests on articles only: its text must say \"" +
                            r.weak_link_phrase + "\"");
  }
  check_acyclic(r);
  for (std::size_t i = 0; i < r.interventions.size(); ++i) {
    const auto& iv = r.interventions[i];
    const std::string p = "interventions[" + std::to_string(i) + "] (" + iv.id + ")";
    static const std::set<std::string> kCategories = {"orthosis", "exercise", "footwear", "advice"};
    if (!kCategories.count(iv.category))
      fail(p + ".category", "unknown category '" + iv.category + "' (expected orthosis, exercise, footwear or advice)");
    check_strength(r, iv.strength, p + ".strength");
    check_condition(r, iv.trigger, p + ".trigger", false);
    for (const auto& l : iv.links)
      if (!r.find_link(l)) fail(p + ".links", "unknown link '" + l + "'");
    for (const auto& s : iv.sources) check_source(r, s, p + ".sources");
    if (!iv.dose.source.empty()) check_source(r, iv.dose.source, p + ".dose.source");
    if (!iv.dose.measure.empty()) check_measure(r, iv.dose.measure, p + ".dose.measure");
    for (const auto& f : iv.dose.findings)
      if (!r.find_finding(f)) fail(p + ".dose.findings", "unknown finding id '" + f + "'");
    for (std::size_t k = 0; k < iv.expected_effects.size(); ++k) {
      check_source(r, iv.expected_effects[k].source, p + ".expected_effects[" + std::to_string(k) + "].source");
      check_measure(r, iv.expected_effects[k].measure, p + ".expected_effects[" + std::to_string(k) + "].measure");
    }
    for (std::size_t k = 0; k < iv.contraindications.size(); ++k) {
      const std::string cp = p + ".contraindications[" + std::to_string(k) + "]";
      if (iv.contraindications[k].when) check_condition(r, *iv.contraindications[k].when, cp + ".when", false);
      for (const auto& s : iv.contraindications[k].sources) check_source(r, s, cp + ".sources");
    }
  }
  check_unique(ids_of(r.targets), "targets");
  for (std::size_t i = 0; i < r.targets.size(); ++i) {
    const auto& td = r.targets[i];
    const std::string p = "targets[" + std::to_string(i) + "] (" + td.id + ")";
    if (!td.intervention.empty() &&
        std::none_of(r.interventions.begin(), r.interventions.end(), [&](const Intervention& iv) { return iv.id == td.intervention; }))
      fail(p + ".when.prescribed", "unknown intervention id '" + td.intervention + "'");
    if (!td.red_flag.empty() &&
        std::none_of(r.red_flags.begin(), r.red_flags.end(), [&](const RedFlag& rf) { return rf.id == td.red_flag; }))
      fail(p + ".when.red_flag", "unknown red flag id '" + td.red_flag + "'");
    static const std::set<std::string> kRegions = {"hindfoot", "midfoot", "forefoot", "toes", "hallux", "lesser_toes",
                                                   "medial", "lateral", "mth1", "mth2", "mth3", "mth4", "mth5"};
    if (!kRegions.count(td.region))
      fail(p + ".region", "unknown region '" + td.region + "' (expected one of the analysis regions: " +
                              join(std::vector<std::string>(kRegions.begin(), kRegions.end())) + ")");
    for (const auto& s : td.sources) check_source(r, s, p + ".sources");
  }
  for (std::size_t i = 0; i < r.red_flags.size(); ++i) {
    const auto& rf = r.red_flags[i];
    const std::string p = "red_flags[" + std::to_string(i) + "] (" + rf.id + ")";
    check_condition(r, rf.when, p + ".when", true);
    for (const auto& s : rf.sources) check_source(r, s, p + ".sources");
    for (const auto& c : rf.withholds)
      if (c != "orthosis" && c != "exercise" && c != "footwear" && c != "advice")
        fail(p + ".withholds", "unknown category '" + c + "'");
  }
  if (r.paediatric.when) {
    check_condition(r, *r.paediatric.when, "paediatric.when", true);
    check_level(r, r.paediatric.confidence_cap, "paediatric.confidence_cap");
    for (const auto& s : r.paediatric.sources) check_source(r, s, "paediatric.sources");
  }
  if (r.symptoms.when) {
    check_condition(r, *r.symptoms.when, "symptoms.when", true);
    check_level(r, r.symptoms.confidence_cap, "symptoms.asymptomatic.confidence_cap");
    for (const auto& c : r.symptoms.categories)
      if (c != "orthosis" && c != "exercise" && c != "footwear" && c != "advice")
        fail("symptoms.asymptomatic.categories", "unknown category '" + c + "'");
    for (const auto& s : r.symptoms.sources) check_source(r, s, "symptoms.sources");
  }
  for (const auto& s : r.weak_link_strengths) check_strength(r, s, "wording.weak_links.strengths");
  for (const auto& s : r.review.sources) check_source(r, s, "review.sources");
}

template <class T>
const T* find_by_id(const std::vector<T>& v, std::string_view id) noexcept {
  for (const auto& x : v)
    if (x.id == id) return &x;
  return nullptr;
}

}  // namespace

bool compare(double lhs, std::string_view op, double rhs) noexcept {
  if (op == "<") return lhs < rhs;
  if (op == "<=") return lhs <= rhs;
  if (op == ">") return lhs > rhs;
  if (op == ">=") return lhs >= rhs;
  if (op == "==") return lhs == rhs;
  return false;
}

std::string negate_op(std::string_view op) {
  if (op == "<") return ">=";
  if (op == "<=") return ">";
  if (op == ">") return "<=";
  if (op == ">=") return "<";
  return "!=";
}

bool age_covers(const AgeRange& ages, const Patient& patient) noexcept {
  if (ages.any_age()) return true;
  if (ages.adult) return !patient.paediatric;
  if (!patient.age_years) return false;
  const double a = *patient.age_years;
  return (!ages.min || a >= *ages.min) && (!ages.max || a < *ages.max);
}

namespace {
std::string num_text(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
}  // namespace

std::string age_text(const AgeRange& ages) {
  if (ages.adult) return "adults";
  if (ages.min && ages.max) return "ages " + num_text(*ages.min) + "-" + num_text(*ages.max) + " y";
  if (ages.min) return "ages " + num_text(*ages.min) + " y and over";
  if (ages.max) return "ages below " + num_text(*ages.max) + " y";
  return "any age";
}

const std::string& class_label(const ClassSet& set, double value) {
  std::size_t k = 0;
  while (k < set.cutoffs.size() && compare(value, set.cutoffs[k].op, set.cutoffs[k].value)) ++k;
  return set.labels[k];
}

std::string class_rule_text(const std::string& measure, const ClassSet& set) {
  std::string out;
  const std::size_t n = set.cutoffs.size();
  for (std::size_t k = 0; k <= n; ++k) {
    std::string part;
    if (k > 0) part = num_text(set.cutoffs[k - 1].value) + (set.cutoffs[k - 1].op == ">" ? " < " : " <= ") + measure;
    else part = measure;
    if (k < n) part += (set.cutoffs[k].op == ">" ? " <= " : " < ") + num_text(set.cutoffs[k].value);
    else part = measure + " " + set.cutoffs[k - 1].op + " " + num_text(set.cutoffs[k - 1].value);
    out += (out.empty() ? "" : ", ") + part + " " + set.labels[k];
  }
  return out;
}

bool eval_intake_condition(const Condition& c, const Intake& intake) {
  switch (c.kind) {
    case Condition::Kind::any:
      return std::any_of(c.children.begin(), c.children.end(), [&](const Condition& ch) { return eval_intake_condition(ch, intake); });
    case Condition::Kind::all:
      return std::all_of(c.children.begin(), c.children.end(), [&](const Condition& ch) { return eval_intake_condition(ch, intake); });
    case Condition::Kind::negate: return !eval_intake_condition(c.children.front(), intake);
    case Condition::Kind::intake:
      if (c.op.empty()) return intake.flag(c.key).value_or(false);
      if (auto v = intake.number(c.key)) return compare(*v, c.op, c.value);
      return false;
    default: return false;
  }
}

Patient patient_of(const RuleSet& rules, const Intake* intake) {
  Patient p;
  if (!intake) return p;
  p.age_years = intake->number("age_years");
  p.paediatric = rules.paediatric.when && eval_intake_condition(*rules.paediatric.when, *intake);
  return p;
}

const Source* RuleSet::find_source(std::string_view id) const noexcept { return find_by_id(sources, id); }
const MeasureDef* RuleSet::find_measure(std::string_view id) const noexcept { return find_by_id(measures, id); }
const FindingDef* RuleSet::find_finding(std::string_view id) const noexcept { return find_by_id(findings, id); }
const ClassDef* RuleSet::find_class(std::string_view id) const noexcept { return find_by_id(classes, id); }
const Node* RuleSet::find_node(std::string_view id) const noexcept { return find_by_id(nodes, id); }
const Link* RuleSet::find_link(std::string_view id) const noexcept { return find_by_id(links, id); }
int RuleSet::confidence_rank(std::string_view level) const noexcept {
  for (std::size_t i = 0; i < confidence_levels.size(); ++i)
    if (confidence_levels[i] == level) return static_cast<int>(i);
  return -1;
}

Result<RuleSet> parse_rules(std::string_view json_text, std::string_view origin) {
  json root;
  try {
    root = detail::parse_json_text(json_text);
  } catch (const detail::JsonTextError& e) {
    return make_error(Errc::format_error, std::string(origin) + ": not valid JSON: " + e.what());
  }
  try {
    RuleSet r = parse_document(root);
    r.origin = std::string(origin);
    validate(r);
    return r;
  } catch (const RuleError& e) {
    return make_error(Errc::format_error,
                      std::string(origin) + ": " + (e.path.empty() ? "" : e.path + ": ") + e.message);
  }
}

Result<RuleSet> load_rules(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::not_found, path.string() + ": cannot open rule file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return make_error(Errc::io_error, path.string() + ": read failed");
  return parse_rules(ss.str(), path.string());
}

std::filesystem::path default_rules_path() {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("INSOLE_RULES_DIR"); env && *env) candidates.push_back(fs::path(env) / "default.json");
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share" / "insole" / "rules" / "default.json");
#ifdef INSOLE_RULES_INSTALL_DIR
  candidates.push_back(fs::path(INSOLE_RULES_INSTALL_DIR) / "default.json");
#endif
#ifdef INSOLE_RULES_SOURCE_DIR
  candidates.push_back(fs::path(INSOLE_RULES_SOURCE_DIR) / "default.json");
#endif
  for (const auto& c : candidates)
    if (fs::is_regular_file(c, ec)) return c;
  return candidates.empty() ? fs::path("default.json") : candidates.back();
}

Result<RuleSet> load_default_rules() { return load_rules(default_rules_path()); }

}  // namespace insole::recommend
