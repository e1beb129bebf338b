#pragma once
// Quiet-standing measures of one standing contact (one foot): how the load is shared along the
// foot, where the centre of pressure (COP) sits in the foot frame, and how much it sways.
//
// Load shares: each band's share of the contact's force-time integral, bands of bands.hpp (heel
// 0-30 %, midfoot 30-55 %, forefoot 55-85 % and toes 85-100 % of foot length; the forefoot
// share here is forefoot + toes). Reference: in quiet standing the rearfoot carries more than the
// forefoot, 54-55 % vs 44-46 % of each foot's load (n = 416 healthy adults, Zebris FDM-S,
// Ohlendorf et al. 2020 J Physiol Anthropol 39:39; their split is rearfoot / forefoot, not our
// bands), about 60 % heel in Cavanagh, Rodgers & Iiboshi 1987 Foot Ankle 7:262 (unverified here).
//
// COP position: the mean COP in foot coordinates, ap as % of foot length from the heel and ml as
// % of foot width from the axis (positive medial). COP sway (Prieto, Myklebust, Hoffmann, Lovett
// & Myklebust 1996 IEEE Trans Biomed Eng 43(9):956): path length = sum of the COP segment
// lengths; range AP / ML = extent of the COP along / across the foot axis; mean velocity = path
// length / duration; 95 % confidence ellipse area = 2 pi F(.05; 2, n-2) sqrt(s_ap^2 s_ml^2 -
// s_apml^2), s the sample (co)variances, F(.05; 2, m) = (m/2)(0.05^(-2/m) - 1) exactly. This is
// the COP under one foot, not the body's COP over both feet (which needs both contacts).
// The sway measures need only the axis line; the load shares and the COP position need the
// heel end (FootFrame::heel_end_known).

#include <Eigen/Core>
#include <optional>

#include "insole/analysis/bands.hpp"
#include "insole/analysis/cop.hpp"
#include "insole/analysis/footfall.hpp"

namespace insole::analysis {

struct StandingMeasures {
  std::optional<double> heel_load_share_percent;
  std::optional<double> midfoot_load_share_percent;
  std::optional<double> forefoot_load_share_percent;  ///< forefoot + toes bands
  std::optional<double> cop_ap_percent;   ///< mean COP, % of foot length from the heel
  std::optional<double> cop_ml_percent;   ///< mean COP, % of foot width from the axis, + medial
  std::optional<double> cop_path_length_mm;
  std::optional<double> cop_range_ap_mm;
  std::optional<double> cop_range_ml_mm;
  std::optional<double> cop_mean_velocity_mm_s;
  std::optional<double> cop_ellipse95_area_mm2;  ///< needs at least 3 COP samples
};

/// `cop_foot` is `cop` in foot coordinates (cop_in_foot), `series` the band forces of the same
/// frames; with heel_end_known false only the sway measures are given.
StandingMeasures standing_measures(const CopTrajectory& cop, const Eigen::MatrixX2d& cop_foot,
                                   const BandSeries& series, const Eigen::VectorXd& time_s,
                                   const FootFrame& frame);
/// The same from the bands' force-time integrals (N s: heel, midfoot, forefoot, toes;
/// trapezoidal, or a single frame's forces), nullopt without frames: what a contact measured over
/// several analysis windows keeps instead of its band series.
StandingMeasures standing_measures(const CopTrajectory& cop, const Eigen::MatrixX2d& cop_foot,
                                   const std::optional<Eigen::Vector4d>& band_fti_n_s,
                                   const FootFrame& frame);

/// The 95 % confidence ellipse area (mm^2) of a set of 2-D points (Prieto 1996); nullopt for
/// fewer than 3 points.
std::optional<double> confidence_ellipse95_area_mm2(const Eigen::MatrixX2d& xy_mm);

}  // namespace insole::analysis
