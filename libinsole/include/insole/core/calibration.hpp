#pragma once
// Calibration from raw sensor counts to pressure in kPa: per-sensel zero offset, per-sensel
// equalisation gain, a response model fitted from known loads (linear, power law, cubic), the
// body-weight factor of a standing or walking trial, and the check of a standing trial against
// body weight. Pure functions over Eigen data; the per-device JSON file is in
// insole/calibration/calibration_file.hpp.
//
// A count x is turned into pressure in three steps (the order of Tekscan's "equilibration then
// calibration", F-Scan / I-Scan user manuals, and of the usual resistive-sensor procedure):
//   e = gain_i * (x - zero_i)          zero and equalisation, per sensel (dimensionless counts)
//   p = f(e)                           response model, kPa:
//         linear     p = k e                         (coefficients {k}, kPa per count)
//         power_law  p = a e^b                       (coefficients {a, b})
//         cubic      p = c1 e + c2 e^2 + c3 e^3      (coefficients {c1, c2, c3}; through 0)
// Values at or below zero after the first step give 0 kPa (an unloaded sensel).

#include <Eigen/Core>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "insole/core/calibration_model.hpp"
#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"

namespace insole {

/// Per-sensel zero offset: the mean count of each sensel over unloaded frames (NaN ignored; a
/// sensel NaN in every frame gets 0). Error when there are no frames.
Result<Eigen::VectorXd> zero_offset(const FrameMatrix& unloaded_counts);

/// Per-sensel equalisation gain under a uniform load: gain_i = mean_j(m_j) / m_i where m_i is the
/// zero-corrected mean count of sensel i, so that every sensel reads the common mean. Sensels that
/// are NaN throughout keep gain 1. Error (naming the sensel) when a sensel reads <= 0 under load.
Result<Eigen::VectorXd> equalisation_gain(const FrameMatrix& uniform_counts,
                                          const Eigen::VectorXd& zero_counts = {});

/// A fitted response model and its residuals at the given loads.
struct ResponseFit {
  ResponseModel model = ResponseModel::linear;
  std::vector<double> coefficients;
  std::vector<double> residuals_kpa;  ///< measured - model, one per load point
};

/// Least-squares fit of a response model through known loads. Linear (through the origin):
/// k = sum(x p) / sum(x^2), at least one load. Power law: straight line through (ln x, ln p),
/// at least three loads (two would fit any pair exactly). Cubic through the origin: linear least
/// squares on x, x^2, x^3, at least three loads. Loads must have counts > 0 and pressure > 0.
Result<ResponseFit> fit_response(ResponseModel model, const std::vector<LoadPoint>& loads);

/// Body-weight factor in kPa per count: k = m g / (A * sum(raw)), with A the area of one sensel
/// (Tekscan's step/walk calibration; the F-Scan header line CALIBRATION_POINT_1 gives m and
/// sum(raw)). m in kg, A in mm^2: N / mm^2 = MPa, times 1000 for kPa.
Result<double> body_weight_factor_kpa_per_count(double body_mass_kg, double sensel_area_mm2,
                                                double raw_sum_counts);

/// Area-weighted sum of a frame of counts, sum(A_i * raw_i) in mm^2 * counts (NaN and sensels
/// without an area skipped). With equal areas it is A * sum(raw).
double area_weighted_count_sum(const Eigen::Ref<const Eigen::VectorXf>& counts,
                               const Eigen::VectorXd& areas_mm2);

/// The load that a trial puts on the sensors, in mm^2 * counts, equated to body weight:
///  - standing (both feet on the sensors): the median over frames of the summed counts of all
///    given streams (frames are paired by index; streams must have equal frame counts);
///  - walking (one foot per stream): the median over stances of each stance's peak, where a
///    stance is a run of frames whose sum exceeds `stance_fraction` of the trial's maximum.
///    In walking the peak vertical force is about 1.0-1.3 body weights, so a walking factor
///    is less exact than a standing one (docs/calibration.md).
enum class TrialKind { standing, walking };
Result<double> body_weight_load(const std::vector<const Stream*>& counts_streams, TrialKind kind,
                                double stance_fraction = 0.2);

/// At most this many residuals are kept by a body-weight calibration.
inline constexpr std::size_t kMaxBodyWeightResiduals = 1000;

/// Linear body-weight calibration from a trial: k = m g / body_weight_load(...) * 1000. Its
/// residuals_kpa, one per load the median was taken over (a standing trial's frames, a walking
/// trial's stance peaks; at most kMaxBodyWeightResiduals of them, evenly spaced), are measured
/// less model, as for a fitted curve: the mean pressure over the whole sensing area that body
/// weight gives less the one the load gives with k, (1000 m g - k sum(A raw)) / sum(A), in kPa.
/// Being spread over the whole sensing area, they are small on a large mat; relative to body
/// weight they read r sum(A) / (1000 m g).
Result<Calibration> calibrate_body_weight(const std::vector<const Stream*>& counts_streams,
                                          TrialKind kind, double body_mass_kg);

/// A load-cell stream carries one value per frame: the load on a platform in kg, not pressure
/// (the Fisica scale's "load_cell" stream, docs/devices.md). It is marked by the stream attribute
/// quantity = "load_cell_kg" and is never summed as pressure.
inline constexpr const char* kLoadCellQuantity = "load_cell_kg";
bool is_load_cell_stream(const StreamInfo& info);

/// The body mass a standing trial's load cell measured: the median over frames of the readings
/// above `min_kg` (frames with nobody on the platform are left out), in kg. Errors: the stream is
/// not a load-cell stream, or no frame reads more than min_kg.
Result<double> load_cell_mass_kg(const Stream& load_cell, double min_kg = 5.0);

/// Standing check: the force the calibrated standing trial puts on the sensors against m g.
struct StandingCheck {
  double measured_force_n = 0.0;  ///< median over frames of sum(p A) over all streams
  double body_weight_n = 0.0;     ///< m g
  double error_percent = 0.0;     ///< 100 (measured - weight) / weight
};
Result<StandingCheck> check_standing(const std::vector<const Stream*>& kpa_streams, double body_mass_kg);

}  // namespace insole
