#include "insole/sim/foot_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace insole::sim {
namespace {

FootModel model(ArchType arch, double pronation = 0, bool equinus = false, Side side = Side::right) {
  FootParams p;
  p.arch = arch;
  p.pronation = pronation;
  p.equinus = equinus;
  return FootModel(p, side);
}

// A 1 mm lattice covering a 260 mm foot (foot frame).
Eigen::MatrixX2d lattice(double step = 1.0) {
  const int nx = static_cast<int>(140 / step), ny = static_cast<int>(270 / step);
  Eigen::MatrixX2d pts(nx * ny, 2);
  for (int iy = 0; iy < ny; ++iy)
    for (int ix = 0; ix < nx; ++ix) pts.row(iy * nx + ix) << -70 + (ix + 0.5) * step, (iy + 0.5) * step;
  return pts;
}

TEST(ForceCurve, DoublePeakedWithTheConfiguredPeaksAndValley) {
  // Perry & Burnfield 2010: peaks 1.1-1.2 BW near 25 % and 75 % of stance, valley 0.7-0.8 BW.
  const ForceCurveParams c;
  EXPECT_NEAR(force_curve_bw(c, 0.25), 1.15, 1e-12);
  EXPECT_NEAR(force_curve_bw(c, 0.50), 0.75, 1e-12);
  EXPECT_NEAR(force_curve_bw(c, 0.77), 1.12, 1e-12);
  EXPECT_EQ(force_curve_bw(c, 0.0), 0.0);
  EXPECT_EQ(force_curve_bw(c, 1.0), 0.0);
  EXPECT_EQ(force_curve_bw(c, -0.1), 0.0);
  double max_first = 0, min_mid = 10, max_second = 0;
  for (int i = 1; i < 1000; ++i) {
    const double s = i / 1000.0, f = force_curve_bw(c, s);
    EXPECT_GE(f, 0.0);
    if (s < 0.4) max_first = std::max(max_first, f);
    if (s > 0.4 && s < 0.6) min_mid = std::min(min_mid, f);
    if (s > 0.6) max_second = std::max(max_second, f);
  }
  // The Hermite spline has zero slope at the extrema: nothing overshoots.
  EXPECT_NEAR(max_first, 1.15, 1e-6);
  EXPECT_NEAR(min_mid, 0.75, 1e-6);
  EXPECT_NEAR(max_second, 1.12, 1e-6);
}

TEST(FootModel, RegionDensitiesIntegrateToOne) {
  // The analytic normalisation (super-ellipse area / (k+1)) checked by brute-force integration.
  const FootModel m = model(ArchType::normal);
  const Eigen::MatrixX2d pts = lattice(0.5);
  for (std::size_t r = 0; r < m.regions().size(); ++r)
    for (bool core : {false, true}) {
      const double integral = m.region_density(r, pts, core).sum() * 0.5 * 0.5;
      EXPECT_NEAR(integral, 1.0, 0.01) << m.regions()[r].name << (core ? " core" : "");
    }
}

TEST(FootModel, SharesSumToOneAndFieldCarriesTheForce) {
  const FootModel m = model(ArchType::normal);
  const Eigen::MatrixX2d pts = lattice(1.0);
  for (double s : {0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99}) {
    EXPECT_NEAR(m.walking_shares(s).sum(), 1.0, 1e-12);
    const double force = 700 * force_curve_bw({}, s);
    // kPa * mm^2 * 1e-3 = N
    const double integral = plantar_pressure_kpa(m, pts, s, force).sum() * 1e-3;
    EXPECT_NEAR(integral, force, 0.01 * force) << "s=" << s;
  }
}

TEST(FootModel, ArchIndexFollowsArchHeightInPublishedRanges) {
  // Cavanagh & Rodgers arch index; Buldt 2018 (JFAR 11:3): normal 0.22 (0.03), planus 0.30,
  // cavus 0.16; C&R quartile cut-offs 0.21 / 0.26 (metrics.md §1).
  const double flat = model(ArchType::flat).arch_index();
  const double normal = model(ArchType::normal).arch_index();
  const double cavus = model(ArchType::cavus).arch_index();
  EXPECT_GE(flat, 0.28);
  EXPECT_GE(normal, 0.22);
  EXPECT_LE(normal, 0.25);
  EXPECT_LE(cavus, 0.18);
  FootParams high;
  high.arch_height = 1.0;
  const FootModel none(high, Side::right);
  EXPECT_EQ(none.midfoot_contact_width_mm(), 0.0);
  EXPECT_LT(none.arch_index(), 0.03);  // only the heel tip reaches the middle third
  EXPECT_GT(model(ArchType::flat).midfoot_contact_width_mm(), model(ArchType::normal).midfoot_contact_width_mm());
  EXPECT_GT(model(ArchType::normal).midfoot_contact_width_mm(), model(ArchType::cavus).midfoot_contact_width_mm());
}

TEST(FootModel, CpeiInNormalRangeAndOrderedByPronation) {
  // CPEI normal ~14-21 %; smaller = pronated, larger = supinated (Song 1996, metrics.md §3).
  const double normal = model(ArchType::normal).cpei_percent();
  EXPECT_GE(normal, 14.0);
  EXPECT_LE(normal, 21.0);
  EXPECT_LT(model(ArchType::normal, 1.0).cpei_percent(), normal - 3.0);
  EXPECT_GT(model(ArchType::normal, -1.0).cpei_percent(), normal + 3.0);
  // Same for the left foot (mirrored geometry).
  EXPECT_NEAR(model(ArchType::normal, 0, false, Side::left).cpei_percent(), normal, 1e-9);
}

TEST(FootModel, CopRollsFromHeelThroughForefootToHallux) {
  const FootModel m = model(ArchType::normal);
  const double L = 260;
  const Eigen::Vector2d start = m.walking_cop_mm(0.01), mid = m.walking_cop_mm(0.5), end = m.walking_cop_mm(0.995);
  EXPECT_LT(start.y(), 0.2 * L);  // under the heel
  EXPECT_GT(mid.y(), start.y());
  EXPECT_GT(end.y(), 0.85 * L);   // under the hallux
  EXPECT_LT(end.x(), -10.0);      // hallux is medial of the axis (right foot: medial = -x)
  double prev = -1;
  for (int i = 1; i < 100; ++i) {  // monotone progression heel -> toe
    const double y = m.walking_cop_mm(i / 100.0).y();
    EXPECT_GE(y, prev - 0.5);
    prev = y;
  }
  // In the forefoot phase the COP passes near MTH2/3 (x between MTH1 and MTH4 centres).
  const Eigen::Vector2d fore = m.walking_cop_mm(0.8);
  EXPECT_GT(fore.x(), -20.0);
  EXPECT_LT(fore.x(), 15.0);
}

TEST(FootModel, PronationMovesForefootCopMediallySupinationLaterally) {
  for (Side side : {Side::right, Side::left}) {
    const double medial = side == Side::right ? -1.0 : 1.0;  // x towards the subject's right
    const double neutral = model(ArchType::normal, 0, false, side).walking_cop_mm(0.8).x() * medial;
    const double pron = model(ArchType::normal, 1, false, side).walking_cop_mm(0.8).x() * medial;
    const double sup = model(ArchType::normal, -1, false, side).walking_cop_mm(0.8).x() * medial;
    EXPECT_GT(pron, neutral + 3.0);
    EXPECT_LT(sup, neutral - 3.0);
  }
}

TEST(FootModel, LeftFootIsTheMirrorImage) {
  const FootModel r = model(ArchType::normal, 0.3), l = model(ArchType::normal, 0.3, false, Side::left);
  Eigen::MatrixX2d pts = lattice(2.0), mirrored = pts;
  mirrored.col(0) *= -1.0;
  const Eigen::VectorXd pr = plantar_pressure_kpa(r, pts, 0.6, 700);
  const Eigen::VectorXd pl = plantar_pressure_kpa(l, mirrored, 0.6, 700);
  EXPECT_LT((pr - pl).cwiseAbs().maxCoeff(), 1e-9);
}

TEST(FootModel, RegionalPeakPressuresNearBarefootNorms) {
  // Putti et al. 2008 (Gait Posture 27:501), barefoot Emed: heel 313 (77), MTH2 361 (104),
  // MTH3 330 (84), hallux 321 (141) kPa. 70 kg walker, peaks over stance.
  const FootModel m = model(ArchType::normal);
  const Eigen::MatrixX2d pts = lattice(1.0);
  Eigen::VectorXd peak = Eigen::VectorXd::Zero(pts.rows());
  for (int i = 1; i < 50; ++i) {
    const double s = i / 50.0;
    peak = peak.cwiseMax(plantar_pressure_kpa(m, pts, s, 70 * 9.80665 * force_curve_bw({}, s)));
  }
  auto region_peak = [&](double y0, double y1, double x0, double x1) {
    double v = 0;
    for (Eigen::Index i = 0; i < pts.rows(); ++i)
      if (pts(i, 1) >= y0 && pts(i, 1) < y1 && pts(i, 0) >= x0 && pts(i, 0) < x1) v = std::max(v, peak[i]);
    return v;
  };
  const double heel = region_peak(0, 80, -70, 70);
  const double mth23 = region_peak(150, 215, -18, 16);
  const double hallux = region_peak(215, 270, -70, -12);
  const double midfoot = region_peak(90, 140, 0, 70);
  EXPECT_GE(heel, 250);
  EXPECT_LE(heel, 400);
  EXPECT_GE(mth23, 300);
  EXPECT_LE(mth23, 450);
  EXPECT_GE(hallux, 250);
  EXPECT_LE(hallux, 350);
  EXPECT_GT(midfoot, 15);  // the lateral band carries a little load (~20-40 kPa)
  EXPECT_LT(midfoot, 150);
}

TEST(FootModel, EquinusLightShortHeelContactAndForefootLoading) {
  const FootModel n = model(ArchType::normal), e = model(ArchType::normal, 0, true);
  // Gait phases: walking norms 7.0 / 4.8 / 48.8 / 39.4 % (metrics.md §5.4) -> FFC 0.070,
  // all heads 0.118, heel-off 0.606.
  EXPECT_NEAR(n.events().ffc, 0.070, 1e-12);
  EXPECT_NEAR(n.events().fff, 0.118, 1e-12);
  EXPECT_NEAR(n.events().ho, 0.606, 1e-12);
  EXPECT_LT(e.events().ho, n.events().ho - 0.15);
  EXPECT_LT(e.events().ffc, n.events().ffc);
  // Heel share of the impulse, and after 30 % of stance.
  double heel_n = 0, heel_e = 0, late_n = 0, late_e = 0;
  for (int i = 1; i < 1000; ++i) {
    const double s = i / 1000.0, f = force_curve_bw({}, s);
    heel_n += n.walking_shares(s)[0] * f;
    heel_e += e.walking_shares(s)[0] * f;
    if (s > 0.3) {
      late_n += n.walking_shares(s)[0] * f;
      late_e += e.walking_shares(s)[0] * f;
    }
  }
  EXPECT_LT(heel_e, 0.6 * heel_n);
  EXPECT_LT(late_e, 0.3 * late_n);
  // Heel region carries nothing after heel-off.
  EXPECT_EQ(n.walking_shares(n.events().ho + 0.01)[0], 0.0);
  EXPECT_EQ(e.walking_shares(e.events().ho + 0.01)[0], 0.0);
  EXPECT_GT(e.walking_shares(e.events().ho - 0.05)[0], 0.0);
}

TEST(FootModel, RejectsBadParameters) {
  FootParams p;
  p.length_mm = -1;
  EXPECT_THROW(FootModel(p, Side::right), std::invalid_argument);
  p = {};
  p.pronation = 2;
  EXPECT_THROW(FootModel(p, Side::right), std::invalid_argument);
  EXPECT_FALSE(parse_arch_type("hollow").ok());
  EXPECT_EQ(parse_arch_type("cavus").value(), ArchType::cavus);
  EXPECT_EQ(to_string(ArchType::flat), "flat");
}

}  // namespace
}  // namespace insole::sim
