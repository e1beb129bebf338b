#pragma once
// Registration of footprint images (peak or mean pressure, PTI, contact time): finding where each
// point of a "moving" image lies in a "fixed" image (another trial of the same subject, or a
// population template such as MUN104), so that pixel-level statistics compare homologous points
// (Pataky et al. 2008 J Biomech 41:1987, "pedobarographic statistical parametric mapping").
//
// All coordinates are in mm (stats::Grid), so images from mats of different pitch register to
// each other directly; the result is resampled onto the fixed image's grid (bilinear).
//
// Transform, moving -> fixed:  p_fixed = A * p_moving + t_mm.
//  * rigid:  A = R(angle) * M, M = diag(-1, 1) when the moving foot is mirrored (a left foot onto a
//            right one), else the identity. Three parameters (angle, t).
//  * affine: A any 2x2 (6 parameters), started from the rigid solution.
//  * nonlinear: the affine transform followed by a smooth displacement field u (mm, on the fixed
//            grid): the warped moving image at p is moving(A^-1 (p + u(p) - t)). The field is found
//            with the demons algorithm (Thirion 1998 Med Image Anal 2:243) in the normalised form
//            of Vercauteren et al. 2009 NeuroImage 45:S61: each iteration moves every pixel by
//            du = -r g / (|g|^2 + r^2 / sigma_x^2), with r the residual and g the mean of the two
//            images' gradients (so |du| <= sigma_x / 2), then smooths u with a Gaussian (the
//            "diffusion" regulariser).
//
// Rigid and affine parameters minimise the sum of squared differences between the fixed image and
// the resampled moving image (Levenberg-Marquardt, central-difference Jacobian), coarse to fine
// (both images smoothed with Gaussians of decreasing width), started from the images' first and
// second moments (centroid and principal axis; both directions of the axis are tried, since the
// moments cannot tell heel from toe). Before the cost is formed the moving image is scaled so that
// its integral (sum of value x pixel area) equals the fixed image's: for pressure that is equal
// total force, so a heavier subject or a template in other units still aligns by shape.
//
// Quality (RegistrationQuality): Dice overlap of the contact areas, normalised cross-correlation
// and the RMS residual over the union of the contact, before (moving only resampled, no
// transform) and after. For a nonlinear registration also the smallest Jacobian determinant of
// p -> p + u(p): at or below 0 the field folds (a sign of a bad registration).

#include <Eigen/Core>
#include <optional>

#include "insole/core/result.hpp"
#include "insole/core/side.hpp"
#include "insole/stats/image.hpp"

namespace insole::stats {

enum class TransformKind { rigid, affine, nonlinear };

struct RegistrationParams {
  /// Mirror the moving image (left foot onto right or right onto left). Use needs_mirror().
  bool mirror = false;
  /// Coarse-to-fine smoothing, Gaussian sigma in mm, one level each; 0 = unsmoothed. The widest
  /// level must bridge the initial misalignment left by the moments (a few cm of heel-toe shape).
  Eigen::VectorXd levels_sigma_mm = (Eigen::VectorXd(3) << 12.0, 6.0, 0.0).finished();
  /// Levenberg-Marquardt iterations per level, and the parameter step below which it stops.
  int max_iterations = 60;
  double tolerance = 1e-6;
  /// Sensels above this value are contact (Dice). 5 kPa is the contact threshold the regional
  /// metrics use (analysis::RegionMetricsParams).
  double contact_threshold = 5.0;
  /// Demons: iterations, maximum half-step sigma_x (mm) and the Gaussian that smooths the field
  /// (mm). Defaults chosen for 5 mm sensels: steps under a sensel, smoothing over about two.
  int demons_iterations = 80;
  double demons_step_mm = 2.0;
  double demons_smooth_mm = 8.0;
};

/// Quality of one registration, over the union of both images' contact (value > threshold).
struct RegistrationQuality {
  double dice = 0.0;               ///< 2 |F n W| / (|F| + |W|) of the contact areas, 0..1
  double ncc = 0.0;                ///< normalised cross-correlation of the values, -1..1
  double rms_residual = 0.0;       ///< sqrt(mean (W - F)^2), in the fixed image's unit
  double dice_before = 0.0;        ///< same, moving image only resampled (and mirrored)
  double ncc_before = 0.0;
  double rms_residual_before = 0.0;
  /// Nonlinear only: smallest det(I + grad u) over the grid (1 = no local change of area).
  std::optional<double> min_jacobian;
};

struct Registration {
  TransformKind kind = TransformKind::rigid;
  bool mirrored = false;
  Eigen::Matrix2d A = Eigen::Matrix2d::Identity();  ///< moving -> fixed linear part
  Eigen::Vector2d t_mm = Eigen::Vector2d::Zero();    ///< moving -> fixed translation (mm)
  /// Rotation part of A (degrees, counter-clockwise in the grid's x-y frame): exact for rigid, the
  /// rotation of the polar decomposition for affine.
  double angle_deg = 0.0;
  /// Nonlinear only: displacement field on the fixed grid (mm); empty otherwise.
  Eigen::MatrixXd ux_mm, uy_mm;
  Grid fixed_grid;
  Image warped;  ///< the moving image on the fixed grid
  RegistrationQuality quality;
  double final_cost = 0.0;  ///< normalised sum of squared differences at the end

  /// Where the moving-image point q (mm) lands in the fixed image (affine part only).
  Eigen::Vector2d map(const Eigen::Vector2d& q) const { return A * q + t_mm; }
};

/// Whether a foot of side `moving` must be mirrored to match a foot of side `fixed`.
bool needs_mirror(Side moving, Side fixed) noexcept;

/// Errors: invalid_argument for a malformed image or parameter, no_data when either image has no
/// value above the contact threshold.
Result<Registration> register_rigid(const Image& moving, const Image& fixed, const RegistrationParams& params = {});
Result<Registration> register_affine(const Image& moving, const Image& fixed, const RegistrationParams& params = {});
Result<Registration> register_nonlinear(const Image& moving, const Image& fixed,
                                        const RegistrationParams& params = {});

/// Another image of the same foot (e.g. the PTI image of the trial whose peak image was
/// registered) carried onto the fixed grid by an existing registration.
Image apply_registration(const Registration& reg, const Image& moving);

/// Quality of an image already on the fixed grid (no transform), for reporting.
RegistrationQuality compare_images(const Image& warped, const Image& fixed, double contact_threshold);

}  // namespace insole::stats
