#pragma once
// Pronation / supination measures from the COP and the pressure distribution about the foot axis
// (metrics.md sections 3, 4 and 8). None of them classifies a foot on its own: the findings step
// combines CPEI, the whole-foot and the forefoot medial-lateral indices and says which agree.

#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

#include "insole/analysis/bands.hpp"
#include "insole/analysis/cop.hpp"
#include "insole/analysis/gait.hpp"

namespace insole::analysis {

struct CpeiParams {
  /// Distal-third line at 67 % of foot length from the heel (Song 1996, metrics.md section 3).
  double distal_fraction = 0.67;
  /// Half-thickness of the strip around the distal-third line used to measure forefoot width,
  /// in sensel sizes (sqrt of the median sensel area).
  double width_band_sensels = 0.75;
  /// Fewest sensels in that strip for a width (fewer: the sensor cannot resolve the forefoot).
  int min_width_sensels = 3;
};

struct CpeiResult {
  double cpei_percent = 0.0;        ///< CPE / forefoot width * 100
  double cpe_mm = 0.0;              ///< COP lateral (+) or medial (-) of the construction line
  double forefoot_width_mm = 0.0;
  double line_ap_mm = 0.0;          ///< position of the distal-third line from the heel
};

/// Forefoot width across the foot at `ap_mm` from the heel: medial-lateral extent of the
/// sensels whose peak pressure in the footfall is above zero, within a thin strip around the
/// line, plus one sensel size. nullopt when the strip holds too few sensels.
std::optional<double> footprint_width_mm(const FootfallSamples& samples, const FootFrame& frame,
                                         double ap_mm, const CpeiParams& params = {});

/// CPEI by the Song 1996 construction from a COP path given in foot coordinates
/// (column 0 = ml_mm positive medial, column 1 = ap_mm): construction line from the first to the
/// last COP point; CPE = ml(construction line) - ml(COP) where the COP path first crosses the
/// distal-third line (positive = COP lateral of the line, the normal bow); CPEI = CPE / W * 100.
/// nullopt (with `why` set) when the COP never reaches the line or the path has no AP extent.
std::optional<CpeiResult> cpei(const Eigen::MatrixX2d& cop_foot_mm, double foot_length_mm,
                               double forefoot_width_mm, const CpeiParams& params = {},
                               std::string* why = nullptr);

/// Medial-lateral pressure index about the foot axis over [ap_from, ap_to) fractions of foot
/// length: MLPI = (F_lat - F_med) / (F_lat + F_med) with F the force-time integral of the
/// sensels lateral / medial of the axis (Tse et al. 2021 JFAR [V] for the use; normalisation by
/// the sum [U]). Positive = lateral loading. nullopt when nothing is loaded there.
std::optional<double> ml_pressure_index(const FootfallSamples& samples, const FootFrame& frame,
                                        double ap_from_fraction = 0.0, double ap_to_fraction = 1.0);
/// The same from each sensel's pressure-time integral (kPa s, trapezoidal in time; for a single
/// frame its pressures), sensel centres and areas: what a contact measured over several analysis
/// windows keeps instead of its frames.
std::optional<double> ml_pressure_index(const Eigen::VectorXd& pti_kpa_s, const Eigen::MatrixX2d& xy_mm,
                                        const Eigen::VectorXd& area_mm2, const FootFrame& frame,
                                        double ap_from_fraction = 0.0, double ap_to_fraction = 1.0);

/// Mean COP speed (mm/s) over stance and within each phase of gait.h. Walking reference: mean
/// COP velocity 31.6 (5.3) cm/s (n = 30, RSscan [V], metrics.md section 4).
struct CopVelocity {
  std::optional<double> stance_mm_s;
  std::optional<double> initial_contact_mm_s;
  std::optional<double> forefoot_contact_mm_s;
  std::optional<double> foot_flat_mm_s;
  std::optional<double> push_off_mm_s;
};

CopVelocity cop_velocity(const CopTrajectory& cop, const GaitEvents& events);

/// One footfall of a walking pass over a mat, for the line of progression.
struct PassFootfall {
  Side side = Side::unknown;
  Eigen::Vector2d centre_mm = Eigen::Vector2d::Zero();  ///< where the foot stood, layout mm
  Eigen::Vector2d axis_u = Eigen::Vector2d::UnitY();    ///< its long axis (FootFrame::u)
};

/// Direction of travel of one pass (footfalls in time order), pointing from the first footfall
/// to the last. Successive contacts of the same foot are parallel to the line of progression
/// whatever the step width, so their displacements are averaged ("same-side strides"). A pass of
/// one left and one right contact has none: the bisector of the two foot axes is used instead,
/// which assumes equal out-toeing of both feet ("axis bisector"). nullopt for a single contact
/// or when the pass does not travel `min_travel_mm` along that direction. `method` receives the method used.
std::optional<Eigen::Vector2d> progression_direction(const std::vector<PassFootfall>& pass,
                                                     std::string* method = nullptr,
                                                     double min_travel_mm = 100.0);

/// Foot progression angle in degrees between the walking direction and the foot's long axis;
/// positive = out-toeing (toes point lateral of the direction of travel), for either side,
/// because FootFrame::v points medially. Adult reference about +5 to +13 deg [S].
double foot_progression_angle_deg(const FootFrame& frame, const Eigen::Vector2d& direction);

}  // namespace insole::analysis
