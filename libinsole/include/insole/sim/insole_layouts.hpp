#pragma once
// Simulated insole layouts in the foot frame (x towards the subject's right, y heel->toe, mm),
// sized to foot length.

#include <Eigen/Core>

#include "insole/core/sensor_layout.hpp"
#include "insole/core/side.hpp"

namespace insole::sim {

/// The insole extends this far behind the heel (grid layouts, see simulate_walk_insoles).
inline constexpr double kInsoleHeelMarginMm = 3.0;

/// True when a foot-frame point (right foot) lies inside the insole outline of that foot length.
bool inside_insole_outline(double foot_length_mm, const Eigen::Vector2d& point_mm);
/// Tekscan F-Scan-like grid for the RIGHT foot, cells outside the outline marked absent.
/// Throws std::invalid_argument for non-positive sizes.
SensorLayout insole_grid_layout(double foot_length_mm, double pitch_mm = 5.08);
/// Discrete-sensor insole in the foot frame of `side`: 16 sensors at anatomical sites
/// (Moticon-like, 2.5 cm^2 each), otherwise `sensors` cells tiling the outline in rows
/// (pedar-like for 99). Throws std::invalid_argument for sensors < 8 (except 16) or > 2000.
SensorLayout insole_sensor_layout(double foot_length_mm, int sensors, Side side);

}  // namespace insole::sim
