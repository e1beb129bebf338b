#pragma once
// Small recordings for the io tests: a grid mat and a sensor insole, with NaN sensels and unknown
// sensor geometry, so that every optional part of the format is exercised.

#include <cmath>
#include <cstring>
#include <limits>

#include "insole/core/recording.hpp"

namespace insole::test {

inline Stream make_grid_stream(const std::string& name, int rows, int cols, int frames, double rate_hz) {
  Stream s;
  s.info.name = name;
  s.info.layout = SensorLayout::grid(rows, cols, 5.08, 7.62).value();
  s.info.side = Side::both;
  s.info.sample_rate_hz = rate_hz;
  s.info.device = "test mat";
  s.info.attributes = {{"vendor_serial", "SN-42"}, {"calibration", "factory, 2 points"}};
  std::vector<bool> present(static_cast<std::size_t>(rows * cols), true);
  present[0] = false;  // a trimmed-away corner sensel
  (void)s.info.layout.set_present(present);
  for (int f = 0; f < frames; ++f) {
    Eigen::VectorXf p(rows * cols);
    for (int i = 0; i < rows * cols; ++i) p[i] = float(std::fmod(0.37 * i + 1.3 * f, 250.0));
    p[0] = std::numeric_limits<float>::quiet_NaN();
    s.append(0.125 + f / rate_hz, p);
  }
  return s;
}

inline Stream make_sensor_stream(const std::string& name, int sensors, int frames, double rate_hz,
                                 bool geometry) {
  Stream s;
  s.info.name = name;
  Eigen::MatrixX2d xy(sensors, 2);
  Eigen::VectorXd area(sensors);
  for (int i = 0; i < sensors; ++i) {
    xy(i, 0) = geometry ? 10.5 + 2.25 * i : std::numeric_limits<double>::quiet_NaN();
    xy(i, 1) = geometry ? 20.0 + 12.5 * i : std::numeric_limits<double>::quiet_NaN();
    area(i) = geometry ? 150.0 + i : std::numeric_limits<double>::quiet_NaN();
  }
  s.info.layout = SensorLayout::sensors(xy, area).value();
  s.info.side = Side::left;
  s.info.sample_rate_hz = rate_hz;
  s.info.device = "test insole";
  for (int f = 0; f < frames; ++f) {
    Eigen::VectorXf p(sensors);
    for (int i = 0; i < sensors; ++i) p[i] = float(1.5 * i + 0.01 * f);
    if (f % 7 == 3) p[1] = std::numeric_limits<float>::quiet_NaN();
    s.append(f * (rate_hz > 0 ? 1.0 / rate_hz : 0.01), p);
  }
  return s;
}

inline Recording make_recording() {
  Recording rec;
  rec.meta.subject = "P-017";
  rec.meta.body_mass_kg = 72.5;
  rec.meta.mode = "walk";
  rec.meta.created_by = "io test";
  rec.meta.attributes = {{"site", "lab 2"}, {"note", "ünïcode ok"}};
  rec.streams.push_back(make_grid_stream("mat", 6, 4, 40, 100.0));
  rec.streams.push_back(make_sensor_stream("left", 8, 33, 50.0, true));
  rec.streams.push_back(make_sensor_stream("anonymous", 3, 5, 0.0, false));
  rec.events.push_back(Event{0.25, "left", "heel_strike", ""});
  rec.events.push_back(Event{0.5, "", "marker", "clinician pressed the button"});
  return rec;
}

/// Bit-exact comparison of two float matrices (NaN equals NaN of the same bits).
inline bool same_bits(const FrameMatrix& a, const FrameMatrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  return a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(float) * std::size_t(a.size())) == 0;
}

}  // namespace insole::test
