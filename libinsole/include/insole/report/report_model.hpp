#pragma once
// ReportModel: everything the fitting report shows, as plain data, so that the PDF and HTML
// renderers never compute a measure themselves. Built from an analysis by
// build_report_model() (report_builder.hpp) or by hand in tests.
//
// Foot panels are drawn in the foot's own frame, viewed from above: x in mm to the viewer's right
// (the medial side for a left foot, the lateral side for a right foot), y in mm from the most
// posterior heel contact towards the toes. Whatever the foot's position on a mat, it is drawn
// upright.

#include <optional>
#include <string>
#include <vector>

#include "insole/analysis/finding.hpp"
#include "insole/compare/compare.hpp"
#include "insole/core/side.hpp"
#include "insole/recommend/engine.hpp"
#include "insole/recommend/rules.hpp"

namespace insole::report {

struct Point {
  double x_mm = 0.0;
  double y_mm = 0.0;
};

/// One sensel: its outline in the panel frame and its peak pressure over the footfalls.
struct Cell {
  std::vector<Point> outline;
  double peak_kpa = 0.0;
};

/// A labelled polyline: a region outline (closed) or an arch-index third boundary (open).
struct Polyline {
  std::string label;
  std::vector<Point> points;
  bool closed = false;
};

struct FootPanel {
  Side side = Side::unknown;
  std::string title;                 ///< e.g. "Left foot (stream mat, 6 footfalls)"
  std::vector<Cell> cells;
  std::vector<Polyline> regions;
  std::vector<Polyline> thirds;      ///< the arch-index thirds (Cavanagh & Rodgers construction)
  std::vector<Point> cop_path;       ///< representative footfall's centre of pressure
  double length_mm = 0.0;            ///< panel extent along y
  double width_mm = 0.0;             ///< panel extent along x (centred on x = 0)
};

/// One row of the metrics table, compared against the rule file's reference range.
struct MetricRow {
  std::string measure;
  std::string label;
  Side side = Side::unknown;
  std::optional<double> value;
  std::string unit;
  int decimals = 2;
  std::optional<double> ref_low;
  std::optional<double> ref_high;
  std::string ref_source;
  /// Why there is no value (e.g. "an in-shoe sensor cannot see the footprint shape"), or why the
  /// reference range was not applied; printed next to the value.
  std::string note;

  /// true inside the range, false outside, nullopt when no value or no range.
  std::optional<bool> in_range() const;
  /// "0.21-0.26", "<= 569", ">= 35" or "-" when there is no range.
  std::string range_text() const;
};

struct QualityRow {
  std::string label;
  std::string value;
  bool ok = true;
};

struct ReportHeader {
  std::string clinic;
  std::string patient_id;            ///< pseudonym
  std::string date;
  std::string device;
  std::string recording;
  std::string toolkit_version;
  std::string analysis_version;
};

/// The chain drawn as columns from the feet to the back (longest path over non-feedback links).
struct ChainNode {
  std::string id, label, kind;
  bool active = false;
  int column = 0;
  int row = 0;
};
struct ChainEdge {
  std::string link_id;
  std::string from, to;              ///< node ids (a link with via nodes gives several edges)
  std::string strength;
  bool feedback = false;
  bool active = false;
};
struct ChainDiagram {
  std::vector<ChainNode> nodes;      ///< only nodes that take part in a link, or are active
  std::vector<ChainEdge> edges;
  int columns = 0;
  int rows = 0;
};

/// Lays out the rule set's chain and marks what the prescription found active.
ChainDiagram make_chain_diagram(const recommend::RuleSet& rules, const recommend::Prescription& prescription);

struct ReportModel {
  ReportHeader header;
  std::vector<FootPanel> feet;
  std::vector<MetricRow> metrics;
  std::vector<analysis::Finding> findings;
  recommend::Prescription prescription;
  ChainDiagram chain;
  std::vector<QualityRow> quality;
  std::vector<std::string> quality_warnings;
  /// The comparison with an earlier (or reference) recording A, this report's recording being B
  /// (`insole report B.h5 --compare-with A.h5`): the one compare::compare result, rendered as a
  /// section (regional table, target verdicts, difference map). nullopt: no such section.
  std::optional<compare::Comparison> comparison;
};

}  // namespace insole::report
