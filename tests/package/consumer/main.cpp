// Links against the installed insole::core and computes a total force to prove it works.
#include <insole/core/recording.hpp>
#include <insole/core/version.hpp>

#include <cmath>
#include <cstdio>

int main() {
  insole::Stream s;
  s.info.name = "mat";
  auto layout = insole::SensorLayout::grid(2, 2, 10.0, 10.0);
  if (!layout) return 1;
  s.info.layout = *layout;
  s.append(0.0, Eigen::VectorXf::Constant(4, 100.0f));  // 4 x 100 kPa x 100 mm^2 = 40 N
  const double f = insole::total_force_n(s)[0];
  std::printf("insole %s: total force %.1f N\n", insole::kToolkitVersion, f);
  return std::fabs(f - 40.0) < 1e-9 ? 0 : 1;
}
