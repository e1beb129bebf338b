// Time of the pixel-level statistics on a realistic load (docs/statistics.md): 100 footprint
// images (the analytic foot of the tests, each placed differently on a 5 mm mat, with a
// subject-specific load and smooth noise) registered affinely onto the first one, then 10 000
// permutations of a one-sample, a two-sample (50 + 50) and a regression test on the common grid,
// and the one-sample test again with a progress callback (the ratio of the two times).
// Usage: insole_bench_spm [images=100] [permutations=10000]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "insole/stats/registration.hpp"
#include "insole/stats/spm.hpp"
#include "stats/synthetic_foot.hpp"

using namespace insole;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100;
  const std::size_t perms = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 10000;
  if (n < 4 || perms < 1) {
    std::fprintf(stderr, "usage: insole_bench_spm [images >= 4] [permutations >= 1]\n");
    return 2;
  }
  test::Normal normal(12345);
  std::vector<stats::Image> raw;
  std::vector<double> covariate;
  for (int i = 0; i < n; ++i) {
    test::Placement pl;
    pl.angle_deg = 20.0 * normal();
    pl.t_mm = {15.0 * normal(), 15.0 * normal()};
    stats::Image im = test::mat_image(pl, 5.0);
    const double load = 1.0 + 0.1 * normal();
    for (Eigen::Index k = 0; k < im.values.size(); ++k)
      if (im.values(k) > 0) im.values(k) = std::max(0.0, load * im.values(k) + 10.0 * normal());
    raw.push_back(im);
    covariate.push_back(load);
  }
  auto t0 = Clock::now();
  std::vector<stats::Image> reg;
  double worst_dice = 1.0;
  for (const auto& im : raw) {
    auto r = stats::register_affine(im, raw.front());
    if (!r) {
      std::fprintf(stderr, "registration failed: %s\n", r.error().message.c_str());
      return 1;
    }
    worst_dice = std::min(worst_dice, r->quality.dice);
    reg.push_back(std::move(r->warped));
  }
  const double t_reg = seconds_since(t0);
  std::printf("images: %d on a %d x %d grid (5 mm); affine registration: %.2f s total, %.1f ms each; worst Dice %.3f\n",
              n, reg.front().rows(), reg.front().cols(), t_reg, 1e3 * t_reg / n, worst_dice);

  stats::SpmParams p;
  p.permutations = perms;
  auto run = [&](const char* name, auto&& fn) -> double {
    const auto t = Clock::now();
    auto r = fn();
    const double s = seconds_since(t);
    if (!r) {
      std::fprintf(stderr, "%s failed: %s\n", name, r.error().message.c_str());
      std::exit(1);
    }
    std::printf("%-11s %zu permutations x %lld pixels: %.2f s (%.1f us per permutation)\n", name, r->permutations,
                static_cast<long long>(r->mask.count()), s, 1e6 * s / static_cast<double>(r->permutations));
    return s;
  };
  const double t_one = run("one-sample", [&] { return stats::one_sample(reg, p); });
  const std::vector<stats::Image> a(reg.begin(), reg.begin() + n / 2), b(reg.begin() + n / 2, reg.end());
  run("two-sample", [&] { return stats::two_sample(a, b, p); });
  run("regression", [&] { return stats::regression(reg, covariate, p); });

  // The progress hook (a callback after every relabelling, as `insole spm` draws its bar with)
  // against none, measured in this run: the ratio should stay near 1.
  std::size_t calls = 0;
  stats::SpmParams hooked = p;
  hooked.progress = [&calls](std::size_t, std::size_t) { ++calls; };
  const double t_hooked = run("one-sample with progress callback", [&] { return stats::one_sample(reg, hooked); });
  std::printf("progress callback: %zu calls; time with / without: %.3f\n", calls, t_hooked / t_one);
  return 0;
}
