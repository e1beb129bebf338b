#pragma once
// Sensor imperfections applied to simulated pressure: gain error, noise, threshold, quantisation,
// saturation. Deterministic: the random numbers come from a counter-based generator keyed by
// (seed, stream, frame, sensel), so any chunking of the frames gives the same values.

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "insole/core/result.hpp"

namespace insole::sim {

/// Sensor imperfections, applied in this order: per-sensel gain error, additive Gaussian noise on
/// loaded sensels (unloaded resistive sensels read a stable zero), threshold (readings below it
/// become 0), quantisation to a step, saturation (clip). Zero disables each one. The defaults are
/// an ideal sensor; typical_mat() gives realistic values.
struct NoiseParams {
  double gain_sd = 0;          ///< relative SD of a fixed per-sensel gain (e.g. 0.03 = 3 %)
  double noise_sd_kpa = 0;     ///< SD of additive noise on loaded sensels
  double threshold_kpa = 0;    ///< readings below read 0 (the electronics' floor)
  double quantum_kpa = 0;      ///< quantisation step (e.g. 8-bit over 0..1000 kPa = 3.9)
  double saturation_kpa = 0;   ///< maximum reading (clip); 0 = none
  static NoiseParams typical_mat();  ///< 3 % gain, 1.5 kPa noise, 5 kPa floor, 1 kPa step, 1200 kPa
};

/// Applies `noise` in place to one frame of one stream (values in kPa; NaN stays NaN).
void apply_noise(const NoiseParams& noise, std::uint64_t seed, std::uint64_t stream,
                 std::uint64_t frame, Eigen::Ref<Eigen::VectorXf> frame_kpa);

/// Same, only at the listed sensels (the others must read 0 and stay 0, as apply_noise leaves
/// zero readings at zero). Gives values identical to apply_noise.
void apply_noise_at(const NoiseParams& noise, std::uint64_t seed, std::uint64_t stream,
                    std::uint64_t frame, Eigen::Ref<Eigen::VectorXf> frame_kpa,
                    const std::vector<Eigen::Index>& sensels);

/// SplitMix64 step, the counter-based hash used for all simulator randomness.
std::uint64_t mix64(std::uint64_t x) noexcept;
/// Uniform double in [0, 1) from a 64-bit key.
double uniform01(std::uint64_t key) noexcept;
/// Standard normal deviate from a 64-bit key (Box-Muller on two derived uniforms).
double standard_normal(std::uint64_t key) noexcept;

}  // namespace insole::sim
