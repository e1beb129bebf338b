#include "insole/sim/noise.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace insole::sim {
namespace {

Eigen::VectorXf frame(float value, Eigen::Index n = 20000) { return Eigen::VectorXf::Constant(n, value); }

TEST(Noise, IdealSensorChangesNothing) {
  Eigen::VectorXf f(4);
  f << 0.0f, 1.5f, 300.0f, std::numeric_limits<float>::quiet_NaN();
  Eigen::VectorXf g = f;
  apply_noise(NoiseParams{}, 1, 0, 0, g);
  EXPECT_EQ(g[0], 0.0f);
  EXPECT_EQ(g[1], 1.5f);
  EXPECT_EQ(g[2], 300.0f);
  EXPECT_TRUE(std::isnan(g[3]));
}

TEST(Noise, AdditiveNoiseHasTheRequestedSdAndOnlyOnLoadedSensels) {
  NoiseParams n;
  n.noise_sd_kpa = 2.0;
  Eigen::VectorXf f = frame(100.0f);
  apply_noise(n, 7, 0, 3, f);
  const double mean = f.cast<double>().mean();
  const double sd = std::sqrt((f.cast<double>().array() - mean).square().mean());
  // 20000 samples: SE of the mean 0.014, of the SD ~0.01.
  EXPECT_NEAR(mean, 100.0, 0.1);
  EXPECT_NEAR(sd, 2.0, 0.06);
  Eigen::VectorXf zero = frame(0.0f, 1000);
  apply_noise(n, 7, 0, 3, zero);
  EXPECT_EQ(zero.cwiseAbs().maxCoeff(), 0.0f);  // unloaded sensels stay at a stable zero
}

TEST(Noise, ThresholdQuantisationAndSaturation) {
  NoiseParams n;
  n.threshold_kpa = 5;
  n.quantum_kpa = 2.5;
  n.saturation_kpa = 600;
  Eigen::VectorXf f(6);
  f << 4.9f, 5.1f, 101.2f, 101.3f, 599.0f, 900.0f;
  apply_noise(n, 1, 0, 0, f);
  EXPECT_EQ(f[0], 0.0f);    // below the floor
  EXPECT_EQ(f[1], 5.0f);    // 5.1 -> nearest multiple of 2.5
  EXPECT_EQ(f[2], 100.0f);  // 101.2 / 2.5 = 40.48 -> 40
  EXPECT_EQ(f[3], 102.5f);  // 40.52 -> 41
  EXPECT_EQ(f[4], 600.0f);  // 599 -> 600 (rounded, at the clip)
  EXPECT_EQ(f[5], 600.0f);  // clipped
}

TEST(Noise, GainErrorIsFixedPerSenselAcrossFrames) {
  NoiseParams n;
  n.gain_sd = 0.05;
  Eigen::VectorXf a = frame(100.0f), b = frame(100.0f);
  apply_noise(n, 3, 1, 10, a);
  apply_noise(n, 3, 1, 11, b);
  EXPECT_TRUE(a.cwiseEqual(b).all());  // same sensel, same gain in every frame
  const double sd = std::sqrt((a.cast<double>().array() - a.cast<double>().mean()).square().mean());
  EXPECT_NEAR(sd, 5.0, 0.2);
  Eigen::VectorXf c = frame(100.0f);
  apply_noise(n, 3, 2, 10, c);  // another stream has other sensors
  EXPECT_FALSE(a.cwiseEqual(c).all());
}

TEST(Noise, DeterministicPerSeedFrameAndSensel) {
  NoiseParams n;
  n.noise_sd_kpa = 1;
  Eigen::VectorXf a = frame(50.0f, 100), b = frame(50.0f, 100), c = frame(50.0f, 100), d = frame(50.0f, 100);
  apply_noise(n, 9, 0, 4, a);
  apply_noise(n, 9, 0, 4, b);
  apply_noise(n, 10, 0, 4, c);
  apply_noise(n, 9, 0, 5, d);
  EXPECT_TRUE(a.cwiseEqual(b).all());
  EXPECT_FALSE(a.cwiseEqual(c).all());
  EXPECT_FALSE(a.cwiseEqual(d).all());
  // apply_noise_at gives the same values at the listed sensels.
  Eigen::VectorXf e = frame(50.0f, 100);
  std::vector<Eigen::Index> idx;
  for (Eigen::Index i = 0; i < 100; ++i) idx.push_back(i);
  apply_noise_at(n, 9, 0, 4, e, idx);
  EXPECT_TRUE(a.cwiseEqual(e).all());
}

TEST(Noise, StandardNormalHasUnitMoments) {
  double s = 0, s2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double z = standard_normal(mix64(static_cast<std::uint64_t>(i)));
    s += z;
    s2 += z * z;
  }
  EXPECT_NEAR(s / n, 0.0, 0.01);
  EXPECT_NEAR(s2 / n, 1.0, 0.015);
  EXPECT_EQ(mix64(1), mix64(1));
  EXPECT_NE(mix64(1), mix64(2));
}

}  // namespace
}  // namespace insole::sim
