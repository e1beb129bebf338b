#include "insole/sim/noise.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace insole::sim {

NoiseParams NoiseParams::typical_mat() {
  NoiseParams n;
  n.gain_sd = 0.03;
  n.noise_sd_kpa = 1.5;
  n.threshold_kpa = 5.0;
  n.quantum_kpa = 1.0;
  n.saturation_kpa = 1200.0;
  return n;
}

std::uint64_t mix64(std::uint64_t x) noexcept {
  // SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective, well-mixed hash.
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

double uniform01(std::uint64_t key) noexcept {
  return static_cast<double>(mix64(key) >> 11) * 0x1.0p-53;
}

double standard_normal(std::uint64_t key) noexcept {
  // Box-Muller; written out (not std::normal_distribution) so that values are identical on
  // every standard library.
  const double u1 = 1.0 - uniform01(key);  // (0, 1]
  const double u2 = uniform01(key ^ 0x5DEECE66Dull);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

namespace {

struct NoiseKeys {
  std::uint64_t gain, frame;
};

NoiseKeys keys(std::uint64_t seed, std::uint64_t stream, std::uint64_t frame) {
  const std::uint64_t stream_key = mix64(mix64(seed) ^ (0xA5A5ull + stream));
  return {mix64(stream_key ^ 0x6A1Eull), mix64(stream_key + mix64(frame + 1))};
}

inline void one(const NoiseParams& n, const NoiseKeys& k, Eigen::Index i, float& v) {
  if (!(v != 0.0f) || !std::isfinite(v)) return;  // zero stays zero: unloaded sensels are stable
  double x = v;
  if (x > 0) {
    if (n.gain_sd > 0)
      x *= std::max(0.0, 1.0 + n.gain_sd * standard_normal(k.gain + static_cast<std::uint64_t>(i)));
    if (n.noise_sd_kpa > 0) x += n.noise_sd_kpa * standard_normal(k.frame + mix64(static_cast<std::uint64_t>(i)));
  }
  if (x < 0 || (n.threshold_kpa > 0 && x < n.threshold_kpa)) x = 0;
  if (n.quantum_kpa > 0) x = std::round(x / n.quantum_kpa) * n.quantum_kpa;
  if (n.saturation_kpa > 0 && x > n.saturation_kpa) x = n.saturation_kpa;
  v = static_cast<float>(x);
}

}  // namespace

void apply_noise(const NoiseParams& n, std::uint64_t seed, std::uint64_t stream, std::uint64_t frame,
                 Eigen::Ref<Eigen::VectorXf> p) {
  const NoiseKeys k = keys(seed, stream, frame);
  for (Eigen::Index i = 0; i < p.size(); ++i) one(n, k, i, p[i]);
}

void apply_noise_at(const NoiseParams& n, std::uint64_t seed, std::uint64_t stream, std::uint64_t frame,
                    Eigen::Ref<Eigen::VectorXf> p, const std::vector<Eigen::Index>& sensels) {
  const NoiseKeys k = keys(seed, stream, frame);
  for (const Eigen::Index i : sensels) one(n, k, i, p[i]);
}

}  // namespace insole::sim
