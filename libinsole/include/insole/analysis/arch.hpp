#pragma once
// Arch measures of one accumulated (peak) footprint, in the foot frame, toes excluded.
//
// Arch Index (Cavanagh & Rodgers 1987 J Biomech 20(5):547-551): the toe-less footprint is split
// into three equal parts along the foot axis, between the lines perpendicular to the axis at its
// most posterior and most anterior points; AI = B / (A + B + C), B the middle third. Areas are
// exact: every sensel rectangle cut by a third line contributes the part on each side (partial
// sensels, as pressuRe's arch_index(partial_sensors = TRUE) [C]). It must be computed on the
// accumulated footprint, not on one frame (metrics.md section 0).
//
// Arch-index resolution (toolkit definition, docs/metrics.md): how far the AI can move when the
// footprint's edge is known only to a sensel. A grid sees the print's border only to the sensel
// that holds it: the true border lies anywhere across that sensel, so along a border of length
// l the contact area is uncertain by +-(p / 2) x l (p the sensel pitch; the larger of the two
// pitches of a rectangular grid, as the axis may run either way). The middle third B is L / 3
// long (L the toe-less length) and bounded across the axis by a medial and a lateral border, so
//   dB = 2 x (p / 2) x (L / 3) = p x L / 3.
// AI = B / T (T = A + B + C) and the same border strip is part of T, so with A and C held
//   dAI = dB (T - B) / T^2 = (dB / T)(1 - AI) <= dB / T,
// and the resolution is reported as that bound, r = p x L / (3 T). (The heel and forefoot
// borders move T only: by AI x dT / T, a smaller term that has the opposite sign when every border
// reads wide, as it does when a partly loaded sensel counts as contact.) Example: the
// rectangle foot of arch_test.cpp, L = 240 mm, T = 13,600 mm2, p = 5 mm: r = 400 / 13,600 = 0.029;
// on 2 mm sensels 0.012. The rule file says from which r on the AI cannot separate the classes.
//
// Chippaux-Smirak Index (Chippaux 1952; Smirak 1960): CSI = W_mf,min / W_ff,max x 100 %, the
// smallest contact width of the middle third over the largest of the anterior third, widths
// measured perpendicular to the foot axis (contact width, so a gap in the arch counts as 0). A
// width is the exact area of the contact sensels' rectangles in a 1 mm slab across the axis
// (partial sensels) averaged over width_window_pitches along the axis within its third (a
// rotated grid's staircase edge would otherwise make single narrow or wide rows).
//
// Staheli Plantar Arch Index (Staheli, Chew, Corbett 1987 JBJS Am 69(3):426-428): the line
// tangent to the medial forefoot and medial heel; A = contact width at the midpoint of that
// tangent, B = contact width at the heel tangent point; PAI = A / B. The tangent is the edge of
// the convex hull of the medial border that spans the middle of the foot. A and B are the
// averaged widths of the CSI, each averaged within the third that holds its measuring point.
//
// Midfoot contact ratio (toolkit-defined, no published cut-offs): contact area of the middle third
// divided by the area of the footprint's convex envelope in that third (1 = arch filled, 0 = no
// midfoot contact).
//
// Classes (arch_class, the Chippaux-Smirak and Staheli classes, adult and paediatric) are not
// computed here: the rule file defines them (`classes[]`, with their sources and the ages they hold
// for) and the assessment labels the measures (recommend/findings.hpp classify).
// Insoles and sensor sets: null with the reason (an insole cannot see the footprint shape).

#include <Eigen/Core>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "insole/analysis/footfall.hpp"
#include "insole/analysis/regions.hpp"
#include "insole/core/sensor_layout.hpp"

namespace insole::analysis {

struct ArchParams {
  /// Peak pressure above this (kPa) is contact; 0 = any load (pressuRe on plates [C]).
  double contact_threshold_kpa = 0.0;
  /// Slab thickness for the widths (mm).
  double cell_mm = 1.0;
  /// CSI and Staheli widths (and the borders the Staheli tangent rests on) are averaged over
  /// this many sensel pitches along the axis, the window kept inside one third: the edge of a grid
  /// footprint is known only to a sensel and an oblique edge is a staircase, so single slabs read
  /// up to a sensel too narrow or too wide. The staircase of a straight edge repeats along the
  /// axis (every 5 pitches at 37 degrees, where tan = 3/4); 5 pitches keep the CSI of a 20 mm
  /// strip within 1.6 points of its 0-degree value at 37 and 253 degrees (3 pitches: 2.3 points)
  /// at the cost of averaging 25 mm of a 5 mm-grid footprint (foot_frame_test.cpp).
  double width_window_pitches = 5.0;
  /// The footprint comes from an in-shoe sensor: all measures null with the reason.
  bool in_shoe = false;
};

struct ArchMeasures {
  std::optional<double> arch_index;
  /// How finely this footprint's arch index is resolved by its sensel grid (see the header
  /// comment, "Arch-index resolution"): p x (L / 3) / T.
  std::optional<double> arch_index_resolution;
  std::optional<double> chippaux_smirak_percent;
  std::optional<double> staheli;
  std::optional<double> midfoot_contact_ratio;
  std::string unavailable_reason;  ///< why the measures are null ("" when computed)

  /// The footfall's label under the rule file's class "arch_class" ("high" | "normal" | "low"),
  /// filled by the assessment (assess::assess); "" when not classified.
  std::string arch_class;
  std::vector<std::string> notes;

  /// Areas (mm^2) of the thirds: rearfoot C, midfoot B, forefoot A.
  double area_rearfoot_mm2 = 0.0, area_midfoot_mm2 = 0.0, area_forefoot_mm2 = 0.0;
  /// For drawing, in foot coordinates (ap mm from frame.heel_mm): toe-less posterior and anterior
  /// limits and the two third lines.
  double toeless_ap_min_mm = 0.0, toeless_ap_max_mm = 0.0;
  std::array<double, 2> thirds_ap_mm = {0.0, 0.0};
  /// Widths used by CSI and Staheli (mm) and where they were measured (ap mm).
  double forefoot_width_mm = 0.0, midfoot_min_width_mm = 0.0;
  double staheli_central_width_mm = 0.0, staheli_heel_width_mm = 0.0;
  double staheli_central_ap_mm = 0.0, staheli_heel_ap_mm = 0.0;
};

/// Arch measures of a footprint (peak_kpa over the layout; the toes region of `masks` is left out).
ArchMeasures arch_measures(const SensorLayout& layout, const Eigen::VectorXf& peak_kpa,
                           const RegionMasks& masks, const FootFrame& frame,
                           const ArchParams& params = {});

}  // namespace insole::analysis
