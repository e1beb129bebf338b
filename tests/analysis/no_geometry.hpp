#pragma once
// A left + right insole pair whose 16-cell layouts have neither positions nor areas (as imported
// from a Moticon export, whose geometry is not published), 100 Hz, 1 s stance / 1 s swing with
// every cell at 150 kPa in stance.
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

}  // namespace insole::test
