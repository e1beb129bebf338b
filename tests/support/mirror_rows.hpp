#pragma once
// A grid stream with its rows in reverse order: the same recording seen from the other side of
// the sensor (left and right feet swap). Tests use it to compare against tools whose grid
// handedness is the opposite of the toolkit's.
#include "insole/core/recording.hpp"

namespace insole::test {

inline Stream mirror_rows(const Stream& grid) {
  Stream s = grid;
  const int rows = grid.info.layout.rows(), cols = grid.info.layout.cols();
  for (Eigen::Index f = 0; f < grid.frame_count(); ++f)
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c)
        s.pressure_kpa(f, r * cols + c) = grid.pressure_kpa(f, (rows - 1 - r) * cols + c);
  return s;
}

}  // namespace insole::test
