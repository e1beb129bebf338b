#pragma once
// Hand-built footfalls for analysis tests: sensels at chosen foot coordinates with pressure
// given as a function of time, so every expected value can be computed on paper.

#include <functional>
#include <vector>

#include "insole/analysis/cop.hpp"

namespace insole::test {

struct HandSensel {
  double ml_mm;  // foot coordinates: ml positive medial, ap from the heel
  double ap_mm;
  std::function<double(double)> pressure_kpa;  // of time in s
  double area_mm2 = 100.0;
};

/// Foot frame with heel at the origin, u = +y, v = +x: layout coordinates equal (ml, ap).
inline analysis::FootFrame identity_frame(double length_mm, double width_mm = 100.0) {
  analysis::FootFrame f;
  f.heel_mm = {0.0, 0.0};
  f.u = {0.0, 1.0};
  f.v = {1.0, 0.0};
  f.length_mm = length_mm;
  f.width_mm = width_mm;
  return f;
}

inline analysis::FootfallSamples hand_samples(const std::vector<HandSensel>& sensels, double t0_s,
                                              double t1_s, double rate_hz) {
  analysis::FootfallSamples s;
  const auto n = static_cast<Eigen::Index>(std::llround((t1_s - t0_s) * rate_hz)) + 1;
  const auto m = static_cast<Eigen::Index>(sensels.size());
  s.time_s.resize(n);
  s.pressure_kpa.resize(n, m);
  s.xy_mm.resize(m, 2);
  s.area_mm2.resize(m);
  for (Eigen::Index j = 0; j < m; ++j) {
    const auto& h = sensels[static_cast<std::size_t>(j)];
    s.xy_mm(j, 0) = h.ml_mm;
    s.xy_mm(j, 1) = h.ap_mm;
    s.area_mm2[j] = h.area_mm2;
    s.sensel_index.push_back(j);
  }
  for (Eigen::Index f = 0; f < n; ++f) {
    const double t = t0_s + static_cast<double>(f) / rate_hz;
    s.time_s[f] = t;
    for (Eigen::Index j = 0; j < m; ++j)
      s.pressure_kpa(f, j) = static_cast<float>(sensels[static_cast<std::size_t>(j)].pressure_kpa(t));
  }
  return s;
}

/// Piecewise-linear trapezoid: 0 before a, ramps to peak at b, holds to c, back to 0 at d.
inline std::function<double(double)> trapezoid(double a, double b, double c, double d, double peak) {
  return [=](double t) {
    if (t <= a || t >= d) return 0.0;
    if (t < b) return peak * (t - a) / (b - a);
    if (t <= c) return peak;
    return peak * (d - t) / (d - c);
  };
}

}  // namespace insole::test
