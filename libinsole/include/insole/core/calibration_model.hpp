#pragma once
// The calibration of one device as data (Eigen only): response model, coefficients, per-sensel
// zero and gain, and where it came from. The functions that make one are in
// insole/core/calibration.hpp; the JSON file is in insole/calibration/calibration_file.hpp.

#include <Eigen/Core>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "insole/core/result.hpp"

namespace insole {

/// Standard acceleration of gravity, m/s^2 (3rd CGPM 1901; ISO 80000-3). Converts kg to N.
inline constexpr double kStandardGravityMs2 = 9.80665;

enum class ResponseModel { linear, power_law, cubic };
std::string_view to_string(ResponseModel m) noexcept;
std::optional<ResponseModel> response_model_from_string(std::string_view s) noexcept;
/// Number of coefficients a model takes (linear 1, power_law 2, cubic 3).
std::size_t coefficient_count(ResponseModel m) noexcept;

/// One known load of a multi-load calibration: the mean equalised count of the loaded sensels
/// and the pressure applied (e.g. a known mass on a known area, or a bladder at a set pressure).
struct LoadPoint {
  double counts = 0.0;
  double pressure_kpa = 0.0;
};

/// A complete calibration of one device (one stream). Empty zero/gain mean 0 and 1 for all.
struct Calibration {
  static constexpr int kFileVersion = 1;  ///< version of the JSON file layout
  std::string device_serial;              ///< the device it belongs to
  std::string stream;                     ///< stream name it applies to ("" = any)
  std::string method;                     ///< "body_weight_standing", "body_weight_walking", "multi_load", "manual", ...
  std::string date;                       ///< ISO 8601 date or date-time when it was made
  std::string source;                     ///< where the coefficients came from (file, mass, loads)
  Eigen::VectorXd zero_counts;            ///< per-sensel zero offset, counts (empty = 0)
  Eigen::VectorXd gain;                   ///< per-sensel equalisation gain (empty = 1)
  ResponseModel model = ResponseModel::linear;
  std::vector<double> coefficients;       ///< see the header comment
  std::vector<double> residuals_kpa;      ///< fit residuals (measured - model) at the loads used (body-weight methods: calibrate_body_weight)
  std::optional<double> body_mass_kg;     ///< body-weight methods: the mass used

  /// Checks coefficients (count, finite, positive scale), gain/zero sizes, finite values.
  Status validate(Eigen::Index sensel_count = -1) const;
  /// Pressure in kPa of one equalised count value (after zero and gain).
  double pressure_kpa(double equalised_counts) const;
  /// kPa for one frame of counts (NaN stays NaN: no sensel). Sizes must match (validate()).
  Eigen::VectorXf apply(const Eigen::Ref<const Eigen::VectorXf>& counts) const;
};

}  // namespace insole
