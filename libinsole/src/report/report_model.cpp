#include "insole/report/report_model.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace insole::report {

namespace {
std::string num(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", std::clamp(decimals, 0, 6), v);
  return buf;
}
}  // namespace

std::optional<bool> MetricRow::in_range() const {
  if (!value || (!ref_low && !ref_high)) return std::nullopt;
  if (ref_low && *value < *ref_low) return false;
  if (ref_high && *value > *ref_high) return false;
  return true;
}

std::string MetricRow::range_text() const {
  if (ref_low && ref_high) return num(*ref_low, decimals) + "-" + num(*ref_high, decimals);
  if (ref_high) return "<= " + num(*ref_high, decimals);
  if (ref_low) return ">= " + num(*ref_low, decimals);
  return "-";
}

ChainDiagram make_chain_diagram(const recommend::RuleSet& rules, const recommend::Prescription& p) {
  ChainDiagram d;
  const std::set<std::string> active_nodes(p.active_nodes.begin(), p.active_nodes.end());
  const std::set<std::string> active_links(p.active_links.begin(), p.active_links.end());
  std::set<std::string> linked;
  for (const auto& l : rules.links) {
    std::vector<std::string> path = l.via;
    path.push_back(l.to);
    const bool on = active_links.count(l.id) > 0;
    for (const auto& f : l.from) {
      // A link from several nodes is active from the ones that are lit.
      d.edges.push_back({l.id, f, path.front(), l.strength, l.feedback, on && active_nodes.count(f) > 0});
      linked.insert(f);
    }
    for (std::size_t i = 0; i + 1 < path.size(); ++i)
      d.edges.push_back({l.id, path[i], path[i + 1], l.strength, l.feedback, on});
    linked.insert(path.begin(), path.end());
  }
  for (const auto& n : rules.nodes)
    if (linked.count(n.id) || active_nodes.count(n.id))
      d.nodes.push_back({n.id, n.label, n.kind, active_nodes.count(n.id) > 0, 0, 0});

  // Column = longest path from a source over non-feedback edges (the validator guarantees they
  // are acyclic, so relaxing |nodes| times converges).
  std::map<std::string, int> col;
  for (const auto& n : d.nodes) col[n.id] = 0;
  for (std::size_t pass = 0; pass < d.nodes.size(); ++pass) {
    bool changed = false;
    for (const auto& e : d.edges) {
      if (e.feedback) continue;
      if (col[e.to] < col[e.from] + 1) {
        col[e.to] = col[e.from] + 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  // Rows: column by column, each node goes near the mean row of the nodes that link to it (the
  // barycentre heuristic of layered graph drawing, Sugiyama et al. 1981), so that links cross
  // less; nodes without a predecessor keep the rule file's order.
  std::map<std::string, double> row_of;
  for (auto& n : d.nodes) {
    n.column = col[n.id];
    d.columns = std::max(d.columns, n.column + 1);
  }
  for (int c = 0; c < d.columns; ++c) {
    std::vector<std::pair<double, std::size_t>> order;
    for (std::size_t i = 0; i < d.nodes.size(); ++i) {
      if (d.nodes[i].column != c) continue;
      double sum = 0;
      int k = 0;
      for (const auto& e : d.edges) {
        if (e.feedback || e.to != d.nodes[i].id || !row_of.count(e.from)) continue;
        sum += row_of[e.from];
        ++k;
      }
      order.push_back({k ? sum / k : static_cast<double>(order.size()), i});
    }
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t r = 0; r < order.size(); ++r) {
      ChainNode& n = d.nodes[order[r].second];
      n.row = static_cast<int>(r);
      row_of[n.id] = static_cast<double>(r);
      d.rows = std::max(d.rows, n.row + 1);
    }
  }
  return d;
}

}  // namespace insole::report
