#include "fuzz_entry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <variant>
#include <nlohmann/json.hpp>
#include <string>

#include "insole/core/utf8.hpp"
#include "insole/recommend/engine.hpp"
#include "insole/recommend/intake.hpp"
#include "insole/recommend/json.hpp"
#include "insole/recommend/rules.hpp"

namespace insole::recommend::fuzz {

namespace {

const std::string kOrigin = "fuzz-input";

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "recommend invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}


// The engine must run on anything the parsers accept; an exception here is a bug (the parsers
// are the place to reject), so it aborts like a crash would.
template <class Fn>
void no_throw(const char* what, Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    fail(what, std::string("threw: ") + e.what());
  } catch (...) {
    fail(what, "threw a non-standard exception");
  }
}

void check_error(const Error& e, const char* what) {
  if (e.code != Errc::format_error) fail(what, std::string("unexpected error code ") + std::string(to_string(e.code)) + ": " + e.message);
  if (e.message.rfind(kOrigin + ":", 0) != 0) fail(what, "message does not name the origin: " + e.message);
}

// What the engine promises about its output, for any rule set that validated.
void check_prescription(const RuleSet& rules, const Prescription& p, bool screened) {
  if (p.red_flags_screened != screened) fail("prescription", "red_flags_screened mismatch");
  int last_rank = -1;
  for (const auto& r : p.referrals) {
    const int rank = r.urgency == "urgent" ? 0 : r.urgency == "prompt" ? 1 : 2;
    if (rank < last_rank) fail("prescription", "referrals not ordered by urgency");
    last_rank = rank;
  }
  if (!screened && !p.referrals.empty()) fail("prescription", "referral without an intake");
  for (const auto& r : p.items) {
    if (r.side != Side::left && r.side != Side::right && r.side != Side::both)
      fail("prescription", r.id + ": item without a side");
    if (rules.confidence_rank(r.confidence) < 0) fail("prescription", r.id + ": unknown confidence " + r.confidence);
    const bool known = std::any_of(rules.interventions.begin(), rules.interventions.end(),
                                   [&](const Intervention& iv) { return iv.id == r.id; });
    if (!known) fail("prescription", r.id + ": not an intervention of the rule set");
    if (r.withheld && r.withheld_by.empty()) fail("prescription", r.id + ": withheld by nothing");
  }
  for (const auto& l : p.active_links)
    if (!rules.find_link(l)) fail("prescription", "unknown active link " + l);
  for (const auto& n : p.active_nodes)
    if (!rules.find_node(n)) fail("prescription", "unknown active node " + n);
  // The JSON form holds every item and referral (text from the rule file must serialise).
  (void)prescription_json(p).dump();
}

// Every finding of the rule set on both feet (severities 1-3, every confidence wording the
// analysis uses), measures at, below and above their reference ranges.
std::vector<EngineInput> probe_inputs(const RuleSet& rules, const Intake* intake) {
  static const char* kConfidence[] = {"low", "moderate", "high"};
  std::vector<EngineInput> out;
  for (int variant = 0; variant < 3; ++variant) {
    EngineInput in;
    int k = variant;
    for (const auto& f : rules.findings) {
      for (Side s : {Side::left, Side::right}) {
        if ((k++ % 3) == 2) continue;  // not every finding on every foot
        analysis::Finding fi;
        fi.id = f.id;
        fi.side = f.id == "F-ASYMMETRY" ? Side::both : s;
        fi.severity = 1 + (k % 3);
        fi.confidence = kConfidence[k % 3];
        fi.statement = "findings consistent with " + f.id;
        for (const auto& t : f.thresholds) fi.evidence.push_back({t.measure, t.value, "", t.op + " x", t.source, true, false, true, ""});
        in.findings.push_back(std::move(fi));
      }
    }
    for (const auto& m : rules.measures) {
      const double lo = m.ref_low.value_or(0.0), hi = m.ref_high.value_or(lo + 1.0);
      const double v = variant == 0 ? lo - 1.0 : variant == 1 ? (lo + hi) / 2 : hi + 1.0;
      for (Side s : {Side::left, Side::right, Side::both}) in.measures[s][m.id] = v;
    }
    if (intake) in.intake = *intake;
    out.push_back(std::move(in));
  }
  return out;
}

const RuleSet& shipped_rules() {
  static const RuleSet rules = [] {
    auto r = load_default_rules();
    if (!r) fail("shipped rules", r.error().message);
    return std::move(*r);
  }();
  return rules;
}

// The intake as the JSON document that would describe it.
nlohmann::json to_json(const Intake& in) {
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& entry : in.values) {
    const std::string& name = entry.first;  // a named reference: clang 14 cannot capture bindings
    const IntakeField* f = find_intake_field(name);
    if (!f) fail("intake", "accepted unknown field " + name);
    nlohmann::json& into = f->section.empty() ? doc : doc[f->section];
    std::visit([&](const auto& v) { into[name] = v; }, entry.second);
  }
  return doc;
}

void check_intake(const Intake& in) {
  if (in.origin != kOrigin) fail("intake", "origin " + in.origin);
  for (const auto& [name, value] : in.values) {
    const IntakeField* f = find_intake_field(name);
    if (!f) fail("intake", "accepted unknown field " + name);
    if (f->type == "bool" && !std::holds_alternative<bool>(value)) fail("intake", name + ": not a boolean");
    if (f->type == "number") {
      if (!std::holds_alternative<double>(value)) fail("intake", name + ": not a number");
      const double v = std::get<double>(value);
      if (!std::isfinite(v) || v < f->min || v > f->max) fail("intake", name + ": out of range " + std::to_string(v));
    }
    if (f->type == "string") {
      if (!std::holds_alternative<std::string>(value)) fail("intake", name + ": not a string");
      if (!is_valid_utf8(std::get<std::string>(value))) fail("intake", name + ": accepted a string that is not UTF-8");
    }
  }
  // What was accepted, written back as JSON, reads back the same.
  std::string text;
  no_throw("intake json dump", [&] { text = to_json(in).dump(); });
  auto again = parse_intake(text, kOrigin, false);
  if (!again) fail("intake round trip", again.error().message + " for " + text);
  if (again->values != in.values) fail("intake round trip", "values differ for " + text);

  const RuleSet& rules = shipped_rules();
  const auto inputs = probe_inputs(rules, &in);
  no_throw("engine on an accepted intake", [&] { check_prescription(rules, recommend(rules, inputs[1]), true); });
}

}  // namespace

int run_intake(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool yaml : {false, true}) {
    std::optional<Result<Intake>> in;
    no_throw(yaml ? "parse_intake (yaml)" : "parse_intake (json)", [&] { in.emplace(parse_intake(text, kOrigin, yaml)); });
    if (!*in) {
      check_error(in->error(), yaml ? "parse_intake (yaml)" : "parse_intake (json)");
      continue;
    }
    check_intake(**in);
  }
  return 0;
}

int run_rules(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<Result<RuleSet>> parsed;
  no_throw("parse_rules", [&] { parsed.emplace(parse_rules(text, kOrigin)); });
  if (!*parsed) {
    check_error(parsed->error(), "parse_rules");
    return 0;
  }
  const auto& rules = *parsed;
  if (rules->origin != kOrigin) fail("rules", "origin " + rules->origin);
  if (rules->confidence_levels.empty()) fail("rules", "validated without confidence levels");
  Intake everything;
  for (const auto& f : intake_schema()) {
    if (f.type == "bool") everything.values[f.name] = true;
    if (f.type == "number") everything.values[f.name] = f.max;
  }
  Intake child;
  child.values["age_years"] = 8.0;
  // Measures below, inside and above their ranges, each with another intake: no intake (red
  // flags not screened), every answer yes (every red flag), a child (paediatric caps).
  const std::vector<const Intake*> intakes = {nullptr, &everything, &child};
  for (std::size_t v = 0; v < intakes.size(); ++v) {
    const EngineInput input = probe_inputs(*rules, intakes[v])[v];
    no_throw("engine on a validated rule set",
             [&] { check_prescription(*rules, recommend(*rules, input), intakes[v] != nullptr); });
  }
  return 0;
}

}  // namespace insole::recommend::fuzz
