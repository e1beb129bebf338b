#pragma once
// A left + right insole pair whose 16-cell layouts have neither positions nor areas (as imported
// from a Moticon export, whose geometry is not published), 100 Hz, 1 s stance / 1 s swing with
// every cell at 150 kPa in stance.
#include <cmath>
#include <limits>
#include <string>

#include "insole/core/recording.hpp"

namespace insole::test {

inline Recording insoles_without_geometry(int frames) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Recording rec;
  for (const char* name : {"left", "right"}) {
    Stream s;
    s.info.name = name;
    s.info.side = std::string(name) == "left" ? Side::left : Side::right;
    s.info.layout = SensorLayout::sensors(Eigen::MatrixX2d::Constant(16, 2, nan),
                                          Eigen::VectorXd::Constant(16, nan)).value();
    for (int f = 0; f < frames; ++f)
      s.append(0.01 * f, Eigen::VectorXf::Constant(16, (f / 100) % 2 == 0 ? 150.0f : 0.0f));
    rec.streams.push_back(std::move(s));
  }
  return rec;
}

/// The same pair with the maker's own channels (Stream::vendor), as a Moticon import keeps them:
/// each foot is loaded for 0.6 s of every 1 s with total force 800 sin(pi (t - t0) / 0.6) N from
/// t0 = 0.2 s + k s (left) and t0 = 0.7 s + k s (right); the COP moves at constant speed along
/// the insole from -0.35 at t0 to +0.35 at t0 + 0.6 s, 0.05 across, and is (0, 0) while the foot is
/// unloaded. Gait events at 5 % of peak force (GaitEventParams) are then 0.6 asin(0.05) / pi =
/// 9.55 ms after t0 and before t0 + 0.6 s: stance 0.5809 s, step time 0.5 s (cadence 120
/// steps/min), swing 0.4191 s.
inline Recording insoles_with_vendor_channels(int frames) {
  constexpr double kPi = 3.14159265358979323846;
  Recording rec = insoles_without_geometry(frames);
  for (Stream& s : rec.streams) {
    const double first_t0 = s.info.name == "left" ? 0.2 : 0.7;
    VendorChannels v;
    v.total_force_n = Eigen::VectorXd::Zero(frames);
    v.cop_normalised = Eigen::MatrixX2d::Zero(frames, 2);
    for (int f = 0; f < frames; ++f) {
      const double t = s.time_s[f];
      const double phase = std::fmod(t - first_t0 + 10.0, 1.0);  // seconds since the last t0
      const bool loaded = t > first_t0 - 1e-9 && phase > 1e-9 && phase < 0.6 - 1e-9;
      s.pressure_kpa.row(f).setConstant(loaded ? 150.0f : 0.0f);
      if (!loaded) continue;
      v.total_force_n[f] = 800.0 * std::sin(kPi * phase / 0.6);
      v.cop_normalised(f, 0) = 0.05;
      v.cop_normalised(f, 1) = -0.35 + 0.7 * phase / 0.6;
    }
    s.vendor = std::move(v);
  }
  return rec;
}

}  // namespace insole::test
