#include "insole/recommend/json.hpp"

namespace insole::recommend {

namespace {

using nlohmann::json;

json evidence_json(const analysis::Evidence& e) {
  return {{"measure", e.measure}, {"value", e.value},   {"unit", e.unit},
          {"threshold", e.threshold}, {"source", e.source}, {"agrees", e.agrees}};
}

json item_json(const Recommendation& r) {
  json triggers = json::array();
  for (const auto& t : r.triggers) {
    json ev = json::array();
    for (const auto& e : t.evidence) ev.push_back(evidence_json(e));
    json tj = {{"finding", t.finding_id}, {"side", std::string(to_string(t.side))}, {"statement", t.statement},
               {"evidence", ev}};
    if (!t.confidence.empty()) tj["confidence"] = t.confidence;
    if (t.severity > 0) tj["severity"] = t.severity;
    triggers.push_back(tj);
  }
  json links = json::array();
  for (const auto& l : r.links) links.push_back({{"id", l.id}, {"articles", l.articles}, {"strength", l.strength}, {"text", l.text}});
  json effects = json::array();
  for (const auto& e : r.expected_effects) {
    json ej = {{"measure", e.measure}, {"direction", e.direction}, {"text", e.text}, {"source", e.source}};
    if (e.change_min) ej["change"] = {{"min", *e.change_min}, {"max", *e.change_max}, {"unit", e.change_unit}};
    effects.push_back(ej);
  }
  json dose = {{"text", r.dose.text}, {"basis", r.dose.basis}};
  if (r.dose.amount) {
    dose["amount"] = *r.dose.amount;
    dose["unit"] = r.dose.unit;
  }
  if (!r.dose.source.empty()) dose["source"] = r.dose.source;
  return {{"id", r.id},
          {"category", r.category},
          {"element", r.element},
          {"side", std::string(to_string(r.side))},
          {"dose", dose},
          {"reason", r.reason},
          {"strength", r.strength},
          {"triggers", triggers},
          {"links", links},
          {"expected_effects", effects},
          {"contraindications", r.contraindications},
          {"confidence", r.confidence},
          {"what_would_change", r.what_would_change},
          {"caveats", r.caveats},
          {"sources", r.sources},
          {"status", r.withheld ? "withheld" : "recommended"},
          {"priority", r.priority},
          {"withheld_by", r.withheld_by}};
}

json referral_json(const Referral& r) {
  return {{"id", r.id},
          {"category", "referral"},
          {"urgency", r.urgency},
          {"text", r.text},
          {"because", r.because},
          {"sources", r.sources},
          {"status", "refer"}};
}

}  // namespace

json recommendations_json(const Prescription& p) {
  json arr = json::array();
  for (const auto& r : p.referrals) arr.push_back(referral_json(r));
  for (const auto& r : p.items) arr.push_back(item_json(r));
  return arr;
}

json prescription_json(const Prescription& p) {
  json refs = json::array();
  for (const auto& r : p.referrals) refs.push_back(referral_json(r));
  json items = json::array();
  for (const auto& r : p.items) items.push_back(item_json(r));
  return {{"rules", {{"name", p.rules_name}, {"version", p.rules_version}}},
          {"red_flags_screened", p.red_flags_screened},
          {"referrals", refs},
          {"items", items},
          {"statements", p.statements},
          {"chain", {{"active_nodes", p.active_nodes}, {"inferred_nodes", p.inferred_nodes}, {"active_links", p.active_links}}},
          {"symptomatic", p.symptomatic ? json(*p.symptomatic) : json(nullptr)},
          {"caveats", p.caveats},
          {"review", p.review},
          {"sign_off", p.sign_off}};
}

}  // namespace insole::recommend
