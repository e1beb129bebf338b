#include "insole/sim/simulator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace insole::sim {
namespace {

// A shorter walkway than the default keeps the suite fast under sanitizers: 80 x 300 sensels at
// 5.08 mm (0.41 x 1.52 m); two or three footfalls per pass lie fully on it.
MatParams small_mat() {
  MatParams m;
  m.rows = 80;
  m.cols = 300;
  return m;
}

WalkParams walk(std::uint64_t seed = 1) {
  WalkParams w;
  w.duration_s = 3.0;
  w.sample_rate_hz = 100;
  w.seed = seed;
  return w;
}

struct FootCoords {
  double ml_medial;  // + = medial
  double ap;         // from the heel
};

// Foot-frame coordinates of a stream point for a footfall, from the truth.
FootCoords to_foot(const FootfallTruth& f, const Eigen::Vector2d& p) {
  const double a = f.axis_angle_deg * std::numbers::pi / 180.0;
  const Eigen::Vector2d u(std::cos(a), std::sin(a)), r(u.y(), -u.x());
  const Eigen::Vector2d d = p - f.heel_mm;
  const double x = d.dot(r);
  return {f.side == Side::right ? -x : x, d.dot(u)};
}

// Sensels whose centre lies within the footfall's foot box.
std::vector<Eigen::Index> foot_sensels(const Stream& s, const FootfallTruth& f, double L = 260) {
  std::vector<Eigen::Index> out;
  for (Eigen::Index i = 0; i < s.info.layout.sensor_count(); ++i) {
    const FootCoords c = to_foot(f, s.info.layout.centres_mm().row(i).transpose());
    if (c.ap > -10 && c.ap < L + 10 && std::abs(c.ml_medial) < 0.3 * L) out.push_back(i);
  }
  return out;
}

// COP (foot frame) and force of a footfall at frame k, from the recorded pressures.
std::pair<FootCoords, double> cop(const Stream& s, const FootfallTruth& f, const std::vector<Eigen::Index>& sens,
                                  Eigen::Index k) {
  double sum = 0, x = 0, y = 0;
  for (Eigen::Index i : sens) {
    const double p = s.pressure_kpa(k, i);
    if (!(p > 0)) continue;
    const double w = p * s.info.layout.areas_mm2()[i];
    sum += w;
    x += w * s.info.layout.centres_mm()(i, 0);
    y += w * s.info.layout.centres_mm()(i, 1);
  }
  if (sum <= 0) return {{0, 0}, 0};
  return {to_foot(f, {x / sum, y / sum}), sum * 1e-3};
}

const FootfallTruth* first_whole(const Simulation& sim, Side side = Side::unknown) {
  for (const auto& f : sim.truth.footfalls)
    if (!f.partial && (side == Side::unknown || f.side == side)) return &f;
  return nullptr;
}

TEST(SimulateWalkMat, TotalForceFromFramesMatchesIntendedCurveWithin5Percent) {
  for (double dir : {37.0, 180.0}) {
    WalkParams w = walk();
    w.walk_direction_deg = dir;
    const Simulation sim = simulate_walk_mat(w, small_mat());
    const Stream& s = sim.recording.streams.at(0);
    const Eigen::VectorXd measured = total_force_n(s);  // sum(p * A)
    const Eigen::VectorXd& intended = sim.truth.total_force_n.at(0);
    const double bw = 70 * 9.80665;
    int checked = 0;
    for (Eigen::Index k = 0; k < s.frame_count(); ++k) {
      const double t = s.time_s[k];
      bool on_mat = true;  // skip frames where a footfall is partly off the mat
      for (const auto& f : sim.truth.footfalls)
        if (t >= f.start_s && t <= f.end_s && f.on_mat_fraction < 0.999) on_mat = false;
      if (!on_mat || intended[k] < 0.05 * bw) continue;
      EXPECT_NEAR(measured[k], intended[k], 0.05 * intended[k]) << "dir " << dir << " t=" << t;
      ++checked;
    }
    EXPECT_GT(checked, 40) << dir;  // frames with force, whole footfalls on the mat
    // The intended curve of a whole footfall: peaks 1.1-1.2 BW, valley 0.7-0.8 BW.
    const FootfallTruth* f = first_whole(sim);
    ASSERT_NE(f, nullptr);
    double peak = 0, valley = 1e9;
    for (Eigen::Index k = 0; k < s.frame_count(); ++k) {
      const double t = s.time_s[k], st = (t - f->start_s) / (f->end_s - f->start_s);
      if (st < 0 || st > 1) continue;
      const double force = f->side == Side::left ? sim.truth.foot_force_n[0][0][k] : sim.truth.foot_force_n[0][1][k];
      peak = std::max(peak, force);
      if (st > 0.4 && st < 0.6) valley = std::min(valley, force);
    }
    EXPECT_GE(peak / bw, 1.1);
    EXPECT_LE(peak / bw, 1.2);
    EXPECT_GE(valley / bw, 0.7);
    EXPECT_LE(valley / bw, 0.8);
  }
}

TEST(SimulateWalkMat, FootfallsAlternateLeftRightOnTheirSideOfTheLine) {
  WalkParams w = walk();
  w.duration_s = 8;  // two passes, the second walking back
  w.walk_direction_deg = 90;
  MatParams m = small_mat();
  std::swap(m.rows, m.cols);  // a walkway along y
  const Simulation sim = simulate_walk_mat(w, m);
  ASSERT_GE(sim.truth.footfalls.size(), 4u);
  for (std::size_t i = 1; i < sim.truth.footfalls.size(); ++i) {
    const auto& a = sim.truth.footfalls[i - 1];
    const auto& b = sim.truth.footfalls[i];
    if (a.pass == b.pass) {
      EXPECT_NE(a.side, b.side) << i;
    }
    EXPECT_LT(a.start_s, b.start_s);
  }
  const double centre_x = m.cols * m.pitch_mm / 2;
  bool saw_back = false;
  for (const auto& f : sim.truth.footfalls) {
    // Walking +y, the walker's right is +x; walking back (-y) it is -x.
    const bool forward = std::abs(f.walk_direction_deg - 90) < 1e-6;
    saw_back |= !forward;
    const double right_of_line = (forward ? 1 : -1) * (f.heel_mm.x() - centre_x);
    if (f.side == Side::right) {
      EXPECT_GT(right_of_line, 10) << f.start_s;
    } else {
      EXPECT_LT(right_of_line, -10) << f.start_s;
    }
    // Out-toeing: the right foot axis is turned clockwise from the walking direction.
    const double fpa = (f.side == Side::right ? -1 : 1) * std::remainder(f.axis_angle_deg - f.walk_direction_deg, 360.0);
    EXPECT_NEAR(fpa, f.progression_angle_deg, 1e-6);
    EXPECT_GT(fpa, 0.0);
  }
  EXPECT_TRUE(saw_back);
  // In the data: during each whole footfall the pressure lies on that foot's side of the line.
  const Stream& s = sim.recording.streams[0];
  for (const auto& f : sim.truth.footfalls) {
    if (f.partial) continue;
    const Eigen::Index k = static_cast<Eigen::Index>(std::round((f.start_s + 0.3 * (f.end_s - f.start_s)) * 100));
    double sum = 0, x = 0;
    for (Eigen::Index i = 0; i < s.info.layout.sensor_count(); ++i) {
      const double p = s.pressure_kpa(k, i);
      const double y = s.info.layout.centres_mm()(i, 1);
      if (p > 0 && std::abs(y - 0.5 * (f.heel_mm.y() + f.toe_mm.y())) < 200) {
        sum += p;
        x += p * s.info.layout.centres_mm()(i, 0);
      }
    }
    ASSERT_GT(sum, 0);
    EXPECT_LT(std::abs(x / sum - 0.5 * (f.heel_mm.x() + f.toe_mm.x())), 25.0);
  }
}

TEST(SimulateWalkMat, TreadmillWalksInPlaceAndNeverUnloadsTheMat) {
  // A treadmill-sized mat, 60 x 150 sensels at 10 mm (0.6 x 1.5 m), 6 s at 100 Hz.
  WalkParams w = walk();
  w.duration_s = 6;
  w.treadmill = true;
  MatParams m;
  m.rows = 60;
  m.cols = 150;
  m.pitch_mm = 10;
  const Simulation sim = simulate_walk_mat(w, m);
  // Steps start every 60/110 = 0.545 s from 0.05 s: k = 0..10 start before the end (5.99 s); the
  // last, starting at 5.50 s with 0.68 s of stance, is still on the mat at the end.
  const auto& ff = sim.truth.footfalls;
  ASSERT_EQ(ff.size(), 11u);
  for (std::size_t i = 0; i < ff.size(); ++i) {
    EXPECT_EQ(ff[i].pass, 0) << i;  // one pass: no turns
    EXPECT_EQ(ff[i].partial, i + 1 == ff.size()) << i;
    EXPECT_NEAR(ff[i].on_mat_fraction, 1.0, 1e-12) << i;
    if (i > 0) {
      EXPECT_NE(ff[i].side, ff[i - 1].side) << i;
    }
    // Each foot lands where it landed before (2 % jitter of the 650 mm step: SD 13 mm).
    if (i > 1) {
      EXPECT_LT((ff[i].heel_mm - ff[i - 2].heel_mm).norm(), 60.0) << i;
    }
  }
  // Feet centred on the mat: the heel 130 mm behind the centre along x (walking +x).
  EXPECT_NEAR(ff[0].heel_mm.x(), 750.0 - 130.0, 40.0);
  EXPECT_EQ(sim.recording.meta.attributes.at("sim.treadmill"), "true");
  // Some foot loads the mat in every frame from the first step to the end (stance 0.68 s is
  // longer than the 0.545 s step, so one foot lands before the other lifts).
  const Stream& s = sim.recording.streams[0];
  for (Eigen::Index k = 7; k < s.frame_count(); ++k) {
    double sum = 0;
    for (Eigen::Index i = 0; i < s.pressure_kpa.cols(); ++i) sum += s.pressure_kpa(k, i) > 0 ? s.pressure_kpa(k, i) : 0;
    ASSERT_GT(sum, 0) << "frame " << k;
  }
  // Without the flag, the same walk leaves the mat between passes.
  w.treadmill = false;
  EXPECT_EQ(simulate_walk_mat(w, m).recording.meta.attributes.count("sim.treadmill"), 0u);
}

TEST(SimulateWalkMat, CopProgressesHeelToToeAndShiftsWithPronation) {
  double forefoot_ml[3] = {0, 0, 0};
  int idx = 0;
  for (double pron : {-1.0, 0.0, 1.0}) {
    WalkParams w = walk();
    w.foot.pronation = pron;
    w.walk_direction_deg = 200;
    const Simulation sim = simulate_walk_mat(w, small_mat());
    const Stream& s = sim.recording.streams[0];
    int n = 0;
    for (const auto& f : sim.truth.footfalls) {
      if (f.partial) continue;
      const auto sens = foot_sensels(s, f);
      std::vector<FootCoords> path;
      double ml = 0;
      int m = 0;
      for (Eigen::Index k = 0; k < s.frame_count(); ++k) {
        const double st = (s.time_s[k] - f.start_s) / (f.end_s - f.start_s);
        if (st <= 0.02 || st >= 0.98) continue;
        const auto [c, force] = cop(s, f, sens, k);
        if (force <= 0) continue;
        path.push_back(c);
        if (st > 0.7 && st < 0.9) {
          ml += c.ml_medial;
          ++m;
        }
      }
      ASSERT_GT(path.size(), 40u);
      EXPECT_LT(path.front().ap, 0.25 * 260);  // starts under the heel
      EXPECT_GT(path.back().ap, 0.8 * 260);    // ends under the toes
      EXPECT_GT(path[path.size() / 2].ap, path.front().ap + 30);
      forefoot_ml[idx] += ml / m;
      ++n;
    }
    ASSERT_GT(n, 0);
    forefoot_ml[idx] /= n;
    ++idx;
  }
  // Medial shift of the forefoot COP: supinated < neutral < pronated.
  EXPECT_LT(forefoot_ml[0] + 3, forefoot_ml[1]);
  EXPECT_LT(forefoot_ml[1] + 3, forefoot_ml[2]);
}

// Contact area of the maximal footprint in the middle of the foot (35-55 % of length).
double midfoot_contact_mm2(const Simulation& sim) {
  const Stream& s = sim.recording.streams[0];
  const FootfallTruth* f = first_whole(sim);
  EXPECT_NE(f, nullptr);
  if (!f) return 0;
  double area = 0;
  for (Eigen::Index i = 0; i < s.info.layout.sensor_count(); ++i) {
    const FootCoords c = to_foot(*f, s.info.layout.centres_mm().row(i).transpose());
    if (c.ap < 0.35 * 260 || c.ap > 0.55 * 260 || std::abs(c.ml_medial) > 80) continue;
    bool touched = false;
    for (Eigen::Index k = 0; k < s.frame_count() && !touched; ++k) {
      const double t = s.time_s[k];
      if (t >= f->start_s && t <= f->end_s && s.pressure_kpa(k, i) > 0) touched = true;
    }
    if (touched) area += s.info.layout.areas_mm2()[i];
  }
  return area;
}

TEST(SimulateWalkMat, MidfootContactWidthFollowsArchHeight) {
  double area[3];
  int i = 0;
  for (ArchType a : {ArchType::flat, ArchType::normal, ArchType::cavus}) {
    WalkParams w = walk();
    w.foot.arch = a;
    area[i++] = midfoot_contact_mm2(simulate_walk_mat(w, small_mat()));
  }
  EXPECT_GT(area[0], area[1] * 1.15);
  EXPECT_GT(area[1], area[2] * 1.5);
}

TEST(SimulateWalkMat, EquinusLowersLateHeelShareAndBringsHeelOffEarlier) {
  double late_heel_share[2], heel_off[2];
  for (int e = 0; e < 2; ++e) {
    WalkParams w = walk();
    w.foot.equinus = e == 1;
    const Simulation sim = simulate_walk_mat(w, small_mat());
    const Stream& s = sim.recording.streams[0];
    const FootfallTruth* f = first_whole(sim);
    ASSERT_NE(f, nullptr);
    const auto sens = foot_sensels(s, *f);
    double heel_sum = 0, total_sum = 0, heel_max = 0;
    std::vector<std::pair<double, double>> heel_curve;
    for (Eigen::Index k = 0; k < s.frame_count(); ++k) {
      const double st = (s.time_s[k] - f->start_s) / (f->end_s - f->start_s);
      if (st < 0 || st > 1) continue;
      double heel = 0, total = 0;
      for (Eigen::Index i : sens) {
        const double p = s.pressure_kpa(k, i);
        if (!(p > 0)) continue;
        total += p;
        if (to_foot(*f, s.info.layout.centres_mm().row(i).transpose()).ap < 0.25 * 260) heel += p;
      }
      if (st > 0.25 && st < 0.6) {
        heel_sum += heel;
        total_sum += total;
      }
      heel_max = std::max(heel_max, heel);
      heel_curve.emplace_back(st, heel);
    }
    late_heel_share[e] = heel_sum / total_sum;
    heel_off[e] = 1;
    for (auto it = heel_curve.rbegin(); it != heel_curve.rend(); ++it)
      if (it->second > 0.05 * heel_max) {
        heel_off[e] = it->first;
        break;
      }
    // Truth heel-off matches the data within two frames.
    EXPECT_NEAR(heel_off[e], (f->ho_s - f->start_s) / (f->end_s - f->start_s), 0.06) << e;
  }
  EXPECT_LT(late_heel_share[1], 0.5 * late_heel_share[0]);
  EXPECT_LT(heel_off[1], heel_off[0] - 0.15);
}

TEST(SimulateWalkMat, DeterministicFromSeedAndIndependentOfChunking) {
  const Simulation a = simulate_walk_mat(walk(5), small_mat());
  const Simulation b = simulate_walk_mat(walk(5), small_mat());
  const Simulation c = simulate_walk_mat(walk(6), small_mat());
  EXPECT_TRUE(a.recording.streams[0].pressure_kpa.cwiseEqual(b.recording.streams[0].pressure_kpa).all());
  EXPECT_FALSE(a.recording.streams[0].pressure_kpa.isApprox(c.recording.streams[0].pressure_kpa));
  EXPECT_NE(a.truth.footfalls[0].heel_mm.x(), c.truth.footfalls[0].heel_mm.x());

  WalkParams w = walk(5);
  w.noise = NoiseParams::typical_mat();
  auto g = Generator::walk_mat(w, small_mat());
  ASSERT_TRUE(g.ok());
  Eigen::VectorXd t_all, t;
  FrameMatrix all, part;
  g->generate(0, 0, g->frame_count(), t_all, all);
  for (Eigen::Index first = 0; first < g->frame_count(); first += 7) {
    const Eigen::Index n = std::min<Eigen::Index>(7, g->frame_count() - first);
    g->generate(0, first, n, t, part);
    ASSERT_TRUE(part.cwiseEqual(all.middleRows(first, n)).all()) << first;
    ASSERT_TRUE(t.cwiseEqual(t_all.segment(first, n)).all());
  }
}

TEST(SimulateWalkMat, RecordingIsValidWithTruthEventsAndMetadata) {
  const Simulation sim = simulate_walk_mat(walk(), small_mat());
  EXPECT_TRUE(sim.recording.validate().ok());
  EXPECT_EQ(sim.recording.streams[0].info.side, Side::both);
  EXPECT_EQ(sim.recording.meta.mode, "walk");
  ASSERT_TRUE(sim.recording.meta.body_mass_kg.has_value());
  EXPECT_DOUBLE_EQ(*sim.recording.meta.body_mass_kg, 70.0);
  EXPECT_EQ(sim.truth.feet.size(), 2u);
  int ic = 0, to = 0;
  for (const auto& e : sim.recording.events) {
    ic += e.kind == "initial_contact";
    to += e.kind == "toe_off";
  }
  EXPECT_GE(ic, 2);
  EXPECT_GE(to, 2);
  for (const auto& f : sim.truth.footfalls) {
    EXPECT_LT(f.start_s, f.ffc_s);
    EXPECT_LT(f.ffc_s, f.ho_s);
    EXPECT_LT(f.ho_s, f.end_s);
    // Stance = 62 % of a 60/110*2 s gait cycle.
    EXPECT_NEAR(f.end_s - f.start_s, 0.62 * 120.0 / 110.0, 1e-9);
    EXPECT_NEAR((f.toe_mm - f.heel_mm).norm(), 260, 1e-6);
  }
}

TEST(SimulateStandMat, BothFeetCarryBodyWeightWithSway) {
  StandParams p;
  p.duration_s = 5;
  p.sample_rate_hz = 50;
  MatParams m;
  m.rows = 100;
  m.cols = 100;
  const Simulation sim = simulate_stand_mat(p, m);
  const Stream& s = sim.recording.streams[0];
  const Eigen::VectorXd f = total_force_n(s);
  const double bw = 70 * 9.80665;
  ASSERT_GT(f.size(), 0);  // the loop below must not pass vacuously
  for (Eigen::Index k = 0; k < f.size(); ++k) EXPECT_NEAR(f[k], bw, 0.05 * bw);
  ASSERT_EQ(sim.truth.footfalls.size(), 2u);
  EXPECT_FALSE(sim.truth.footfalls[0].partial);
  EXPECT_FALSE(sim.truth.footfalls[1].partial);
  // Sway: the left/right split moves, the sum does not.
  const Eigen::VectorXd& left = sim.truth.foot_force_n[0][0];
  EXPECT_GT(left.maxCoeff() - left.minCoeff(), 0.02 * bw);
  EXPECT_LT((sim.truth.foot_force_n[0][0] + sim.truth.foot_force_n[0][1] - Eigen::VectorXd::Constant(f.size(), bw))
                .cwiseAbs()
                .maxCoeff(),
            1e-6);
  // Left foot lies to the subject's left (facing +y: smaller x).
  EXPECT_LT(sim.truth.footfalls[0].heel_mm.x(), sim.truth.footfalls[1].heel_mm.x());
}

TEST(SimulateWalkInsoles, TwoMirroredStreamsAlternatingStance) {
  WalkParams w = walk();
  const SensorLayout grid = insole_grid_layout(260);
  const Simulation sim = simulate_walk_insoles(w, grid);
  ASSERT_EQ(sim.recording.streams.size(), 2u);
  EXPECT_TRUE(sim.recording.validate().ok());
  EXPECT_EQ(sim.recording.streams[0].info.side, Side::left);
  EXPECT_EQ(sim.recording.streams[1].info.side, Side::right);
  const double bw = 70 * 9.80665;
  for (std::size_t s = 0; s < 2; ++s) {
    const Eigen::VectorXd f = total_force_n(sim.recording.streams[s]);
    const Eigen::VectorXd& want = sim.truth.total_force_n[s];
    for (Eigen::Index k = 0; k < f.size(); ++k) {
      if (want[k] > 0.05 * bw) {
        EXPECT_NEAR(f[k], want[k], 0.05 * want[k]) << s << " " << k;
      }
      if (want[k] == 0) {
        EXPECT_EQ(f[k], 0.0);
      }
    }
  }
  // Stance phases alternate: the right starts first, then the left, then the right...
  ASSERT_GE(sim.truth.footfalls.size(), 4u);
  for (std::size_t i = 0; i < sim.truth.footfalls.size(); ++i)
    EXPECT_EQ(sim.truth.footfalls[i].side, i % 2 == 0 ? Side::right : Side::left);
  // Mirror: the left stream's presence mask is the right's flipped left-right.
  const auto& lp = sim.recording.streams[0].info.layout.present();
  const auto& rp = sim.recording.streams[1].info.layout.present();
  for (int r = 0; r < grid.rows(); ++r)
    for (int c = 0; c < grid.cols(); ++c)
      EXPECT_EQ(lp[static_cast<std::size_t>(grid.index(r, c))], rp[static_cast<std::size_t>(grid.index(r, grid.cols() - 1 - c))]);
  // Sensor insole: 99 tiled cells also see nearly all the force; 16 sensors see part of it.
  const Simulation s99 = simulate_walk_insoles(w, insole_sensor_layout(260, 99, Side::right));
  const Simulation s16 = simulate_walk_insoles(w, insole_sensor_layout(260, 16, Side::right));
  const Eigen::VectorXd f99 = total_force_n(s99.recording.streams[1]);
  const Eigen::VectorXd f16 = total_force_n(s16.recording.streams[1]);
  const Eigen::VectorXd& want = s99.truth.total_force_n[1];
  double r99 = 0, r16 = 0, sum = 0;
  for (Eigen::Index k = 0; k < want.size(); ++k) {
    r99 += f99[k];
    r16 += f16[k];
    sum += want[k];
  }
  EXPECT_NEAR(r99 / sum, 1.0, 0.05);
  EXPECT_GT(r16 / sum, 0.1);
  EXPECT_LT(r16 / sum, 0.8);
  EXPECT_EQ(s16.recording.streams[0].info.layout.sensor_count(), 16);
}

TEST(Simulate, InvalidParametersAreRejectedWithMessages) {
  WalkParams w;
  w.body_mass_kg = -3;
  auto st = validate(w);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("body mass"), std::string::npos);
  EXPECT_THROW(simulate_walk_mat(w), std::invalid_argument);
  w = {};
  w.foot.pronation = 1.5;
  EXPECT_FALSE(validate(w).ok());
  w = {};
  w.sample_rate_hz = 0;
  EXPECT_FALSE(Generator::walk_mat(w).ok());
  MatParams m;
  m.rows = 0;
  EXPECT_FALSE(validate(m).ok());
  StandParams s;
  s.duration_s = std::nan("");
  EXPECT_FALSE(validate(s).ok());
}

}  // namespace
}  // namespace insole::sim
