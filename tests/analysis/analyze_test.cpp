// The whole analysis on simulated recordings with known ground truth (insole::sim), on a real
// insole walk (PhysioNet gaitpdb) when present, and its streaming form against the batch form.
#include "insole/analysis/analyze.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <map>
#include <numbers>
#include <set>
#include <stdexcept>
#include <thread>

#include "footprint_builder.hpp"
#include "insole/analysis/measure_catalogue.hpp"
#include "insole/analysis/missing.hpp"
#include "insole/recommend/findings.hpp"
#include "insole/sim/insole_layouts.hpp"
#include "insole/sim/simulator.hpp"
#include "no_geometry.hpp"
#include "support/gaitpdb_rows.hpp"
#include "support/shared_data.hpp"

namespace insole::analysis {
namespace {

// A 1.52 m x 0.30 m walkway at 5.08 mm and 50 Hz keeps the suite fast while holding two to
// three contacts per pass.
sim::MatParams walkway() {
  sim::MatParams m;
  m.rows = 60;
  m.cols = 300;
  return m;
}

sim::WalkParams walk(double pronation, bool equinus) {
  sim::WalkParams w;
  w.duration_s = 6.0;
  w.sample_rate_hz = 50.0;
  w.foot.pronation = pronation;
  w.foot.equinus = equinus;
  w.noise = sim::NoiseParams::typical_mat();
  return w;
}

// Simulations are costly under the sanitizers: each is made once and shared by the tests.
struct Case {
  sim::Simulation sim;
  AnalysisResult result;
};

const Case& walk_case(double pronation, bool equinus) {
  static std::map<std::pair<double, bool>, Case> cache;
  auto key = std::make_pair(pronation, equinus);
  auto it = cache.find(key);
  if (it == cache.end()) {
    Case c;
    c.sim = sim::simulate_walk_mat(walk(pronation, equinus), walkway());
    auto r = analyze(c.sim.recording);
    if (!r) throw std::runtime_error(r.error().message);
    c.result = std::move(*r);
    it = cache.emplace(key, std::move(c)).first;
  }
  return it->second;
}

const FootSummary* foot(const AnalysisResult& r, Side side) {
  for (const auto& f : r.feet)
    if (f.side == side) return &f;
  return nullptr;
}

// Findings are the shipped rule file's (recommend/findings.hpp): the analysis only measures.
std::vector<Finding> rule_findings(const AnalysisResult& r) {
  static const recommend::RuleSet rules = [] {
    auto loaded = recommend::load_default_rules();
    if (!loaded) throw std::runtime_error(loaded.error().message);
    return loaded.value();
  }();
  return recommend::evaluate_findings(rules, r.feet, r.timing).findings;
}

bool has_finding(const AnalysisResult& r, const std::string& id, Side side) {
  const auto found = rule_findings(r);
  return std::any_of(found.begin(), found.end(), [&](const Finding& f) { return f.id == id && f.side == side; });
}

double median_of(const AnalysisResult& r, Side side, const char* key) {
  const FootSummary* f = foot(r, side);
  if (!f || !f->median(key)) return std::nan("");
  return *f->median(key);
}

TEST(AnalyzeWalk, EventsFootLengthAndTimingMatchTheSimulatorTruth) {
  const Case& c = walk_case(0.0, false);
  const AnalysisResult& r = c.result;
  ASSERT_TRUE(r.has_usable_contact());
  ASSERT_NE(foot(r, Side::left), nullptr);
  ASSERT_NE(foot(r, Side::right), nullptr);
  EXPECT_EQ(r.algorithm_version, kAnalysisAlgorithmVersion);

  // Every used footfall matches a truth footfall of the same side; its events lie within two
  // frames (40 ms at 50 Hz) of the truth (IC, FFC, HO, TO as in metrics.md section 5.4).
  std::size_t matched = 0;
  for (const auto& fa : r.footfalls) {
    if (!fa.footfall.reject_reason.empty()) continue;
    const auto& truth = c.sim.truth.footfalls;
    auto t = std::min_element(truth.begin(), truth.end(), [&](const auto& a, const auto& b) {
      return std::abs(a.start_s - fa.events.ic_s) < std::abs(b.start_s - fa.events.ic_s);
    });
    ASSERT_NE(t, truth.end());
    EXPECT_EQ(t->side, fa.footfall.side);
    EXPECT_NEAR(fa.events.ic_s, t->start_s, 0.04);
    EXPECT_NEAR(fa.events.to_s, t->end_s, 0.04);
    ASSERT_TRUE(fa.events.ffc_s && fa.events.ho_s);
    EXPECT_NEAR(*fa.events.ffc_s, t->ffc_s, 0.04);
    EXPECT_NEAR(*fa.events.ho_s, t->ho_s, 0.04);
    // FPA truth (out-toeing 7 deg +/- jitter); the COP-free axis method is good to a few degrees.
    ASSERT_TRUE(fa.foot_progression_angle_deg);
    EXPECT_NEAR(*fa.foot_progression_angle_deg, t->progression_angle_deg, 4.0);
    ++matched;
  }
  EXPECT_GE(matched, 4u);

  for (Side side : {Side::left, Side::right}) {
    // Foot length: the simulated foot is 260 mm (Mondopoint); the footprint reads within a sensel.
    EXPECT_NEAR(median_of(r, side, "foot_length_mm"), 260.0, 8.0);
    // Phases of stance: the simulator follows the walking reference 7.0 / 4.8 / 48.8 / 39.4 %;
    // heel contact (IC -> HO) is 60.6 % of stance.
    EXPECT_NEAR(median_of(r, side, "heel_contact_percent"), 60.6, 5.0);
    EXPECT_NEAR(median_of(r, side, "initial_contact_percent") + median_of(r, side, "forefoot_contact_percent"),
                7.0 + 4.8, 5.0);
    // CPEI against the simulator's own figure (FootModel::cpei_percent: its noise-free COP on
    // its exact axis): a regression aid, not evidence, and its tolerance (3.5 % CPEI) is wider
    // than the 1-2 % that separate foot types. The construction itself is checked to 0.05 %
    // against a hand computation (CpeiOfAHandBuiltFootfallEqualsTheSongConstructionByHand). The
    // residual here is measured, per footfall (printed below): CPEI 17.97 / 14.37 % left and
    // 17.98 / 18.89 % right against 19.25 %. Its sources: (1) the forefoot width is the extent of
    // the registered sensels at the line plus one sensel; on this 5.08 mm mat, with the foot at
    // its walking angle, the same foot reads 92.7 or 97.8 mm (one sensel apart, 5.5 % of the
    // width, about 1 % CPEI); (2) the construction line's end points are the first and last COP
    // samples above 5 % of peak force, 20 ms apart at 50 Hz, on noisy sensels: three footfalls
    // give CPE 17.53-17.59 mm, the fourth 13.32 mm. So one footfall on a 5 mm mat at 50 Hz does
    // not resolve 1-2 % CPEI; the per-foot median of several footfalls is what is reported and
    // docs/validation.md says so.
    for (const auto& fa : r.footfalls)
      if (fa.cpei && fa.footfall.side == side && fa.footfall.reject_reason.empty())
        std::cout << "[cpei] " << to_string(side) << " footfall: CPEI " << fa.cpei->cpei_percent << " %, CPE "
                  << fa.cpei->cpe_mm << " mm, forefoot width " << fa.cpei->forefoot_width_mm << " mm (truth CPEI "
                  << c.sim.truth.feet[0].cpei_percent << " %)\n";
    EXPECT_NEAR(median_of(r, side, "cpei_percent"), c.sim.truth.feet[0].cpei_percent, 3.5);
  }
  // Cadence: the simulated walker takes 110 steps/min.
  ASSERT_TRUE(r.timing.cadence_steps_per_min);
  EXPECT_NEAR(*r.timing.cadence_steps_per_min, 110.0, 4.0);
  // A neutral walker gives no pronation, supination or equinus finding.
  for (Side side : {Side::left, Side::right}) {
    EXPECT_FALSE(has_finding(r, "F-PRONATION", side));
    EXPECT_FALSE(has_finding(r, "F-SUPINATION", side));
    EXPECT_FALSE(has_finding(r, "F-EQUINUS", side));
  }
  // A short walkway gives fewer footfalls than recommended: the quality section says so.
  EXPECT_TRUE(std::any_of(r.quality.warnings.begin(), r.quality.warnings.end(),
                          [](const std::string& w) { return w.find("fewer than the recommended") != std::string::npos; }));
  ASSERT_EQ(r.quality.streams.size(), 1u);
  EXPECT_EQ(r.quality.streams[0].frames, static_cast<std::size_t>(c.sim.recording.streams[0].frame_count()));
  EXPECT_TRUE(r.quality.streams[0].saturated_sensels.empty());
}

// CPEI through the whole analysis (segmentation, foot frame, footprint width, COP from the
// pressure frames, the Song construction) on a footfall whose CPEI is computed on paper. The
// footprint is footprint_builder's asymmetric right foot on a 5 mm grid at 0 deg, so every sensel
// is wholly in or out: toe-less forefoot 90 mm wide (x -45..45, y 130..230), foot 275 mm long
// (heel y = 0 to hallux tip y = 275). It is pressed once, lightly (30 % of its pressures), while
// the COP is still in the midfoot. The COP is carried by a 15 x 15 mm square load (300 N) whose
// sensel pressures are its exact area coverage: a square three sensels wide has its centroid of
// sensel centres weighted by coverage exactly at its centre (the cell-centre offset has zero mean
// over a whole number of cells), so the measured COP is the drawn path wherever the light
// imprint is absent. The path, in foot mm (x lateral for this right foot, y from the heel), runs
// P0 (5, 20) -> P1 (15, 110) -> P2 (10, 200) -> P3 (-15, 255), y advancing 235/60 mm a frame.
// By hand: distal-third line y = 0.67 * 275 = 184.25, crossed on P1 -> P2 at
// x = 15 - 5 * 74.25 / 90 = 10.875; construction line P0 -> P3 there at
// x = 5 - 20 * 164.25 / 235 = -8.97872; CPE = 19.85372 mm lateral; CPEI = 100 * CPE / 90 = 22.0597 %.
// The COP samples either side of the line (y 180.58 and 184.50) lie on P1 -> P2, so the linear
// interpolation between them is exact. Measured: equal to 1e-4 %. Tolerance 0.05 % CPEI, far
// below the 1-2 % that separate foot types (cadet means 21.6 / 22.8 / 23.9 %): what remains is
// float storage of the pressures and the estimated axis (pca_refined, < 0.5 deg on this foot).
TEST(AnalyzeWalk, CpeiOfAHandBuiltFootfallEqualsTheSongConstructionByHand) {
  Recording rec;
  rec.meta.mode = "walk";
  Stream s;
  s.info.name = "mat";
  s.info.side = Side::both;
  s.info.sample_rate_hz = 100.0;
  s.info.layout = SensorLayout::grid(80, 50, 5.0, 5.0).value();
  const SensorLayout& L = s.info.layout;
  test::Placement at;
  at.origin_mm = {125.0, 50.0};  // foot x = grid x - 125, foot y = grid y - 50
  test::Shape light = test::asymmetric_right_foot();
  for (auto& b : light.boxes) b.kpa *= 0.3;
  const Eigen::VectorXf imprint = test::render(L, light, at);
  auto path_x = [](double y) {
    if (y <= 110.0) return 5.0 + 10.0 * (y - 20.0) / 90.0;
    if (y <= 200.0) return 15.0 - 5.0 * (y - 110.0) / 90.0;
    return 10.0 - 25.0 * (y - 200.0) / 55.0;
  };
  auto overlap = [](double a0, double a1, double b0, double b1) { return std::max(0.0, std::min(a1, b1) - std::max(a0, b0)); };
  const double force_n = 300.0, side_mm = 15.0;
  const Eigen::VectorXf unloaded = Eigen::VectorXf::Zero(L.sensor_count());
  for (int f = 0; f < 5; ++f) s.append(0.01 * f, unloaded);  // off the plate before and after
  for (int f = 0; f <= 60; ++f) {
    const double y = 20.0 + 235.0 * f / 60.0;
    const Eigen::Vector2d c = at.to_grid(path_x(y), y);
    Eigen::VectorXf p = Eigen::VectorXf::Zero(L.sensor_count());
    for (int row = 0; row < L.rows(); ++row)
      for (int col = 0; col < L.cols(); ++col) {
        const double a = overlap(col * 5.0, col * 5.0 + 5.0, c.x() - side_mm / 2, c.x() + side_mm / 2) *
                         overlap(row * 5.0, row * 5.0 + 5.0, c.y() - side_mm / 2, c.y() + side_mm / 2);
        // force share a / 225 on a 25 mm^2 sensel, N/mm^2 -> kPa
        p[L.index(row, col)] = static_cast<float>(force_n * a / (side_mm * side_mm) / 25.0 * 1000.0);
      }
    if (y >= 60.0 && y <= 100.0) p = p.cwiseMax(imprint);
    s.append(0.01 * (f + 5), p);
  }
  for (int f = 66; f < 71; ++f) s.append(0.01 * f, unloaded);
  rec.streams.push_back(std::move(s));
  auto r = analyze(rec);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->footfalls.size(), 1u);
  const FootfallAnalysis& fa = r->footfalls[0];
  ASSERT_EQ(fa.footfall.reject_reason, "");
  EXPECT_EQ(fa.footfall.side, Side::right) << fa.footfall.side_reason;
  ASSERT_TRUE(fa.cpei) << fa.cpei_note;
  std::cout << "[cpei by hand] length " << fa.frame.length_mm << " mm, line " << fa.cpei->line_ap_mm << " mm, width "
            << fa.cpei->forefoot_width_mm << " mm, CPE " << fa.cpei->cpe_mm << " mm, CPEI " << fa.cpei->cpei_percent
            << " % (by hand 22.0597 %)\n";
  EXPECT_NEAR(fa.frame.length_mm, 275.0, 1e-6);
  EXPECT_NEAR(fa.cpei->forefoot_width_mm, 90.0, 1e-6);
  const double cpe = 15.0 - 5.0 * (0.67 * 275.0 - 110.0) / 90.0 - (5.0 - 20.0 * (0.67 * 275.0 - 20.0) / 235.0);
  EXPECT_NEAR(fa.cpei->cpe_mm, cpe, 0.05);
  EXPECT_NEAR(fa.cpei->cpei_percent, 100.0 * cpe / 90.0, 0.05);
}

TEST(AnalyzeWalk, PronatedNeutralSupinatedAreRankedAndClassified) {
  const AnalysisResult& sup = walk_case(-0.8, false).result;
  const AnalysisResult& neu = walk_case(0.0, false).result;
  const AnalysisResult& pro = walk_case(0.8, false).result;
  for (Side side : {Side::left, Side::right}) {
    // Smaller CPEI = more medial COP in the forefoot = pronated function (Song 1996).
    EXPECT_LT(median_of(pro, side, "cpei_percent"), median_of(neu, side, "cpei_percent") - 2.0);
    EXPECT_GT(median_of(sup, side, "cpei_percent"), median_of(neu, side, "cpei_percent") + 2.0);
    // Medial-lateral index (positive lateral) ranks the same way.
    EXPECT_LT(median_of(pro, side, "forefoot_mlpi"), median_of(neu, side, "forefoot_mlpi"));
    EXPECT_GT(median_of(sup, side, "forefoot_mlpi"), median_of(neu, side, "forefoot_mlpi"));
    EXPECT_LT(median_of(pro, side, "mlpi"), median_of(sup, side, "mlpi"));

    EXPECT_TRUE(has_finding(pro, "F-PRONATION", side));
    EXPECT_FALSE(has_finding(pro, "F-SUPINATION", side));
    // The simulator's CPEI runs about 5 % below the cadets' (its neutral foot 16-18 % against the
    // rectus mean 22.8 %), so its supinated walker (18.8-22.4 %) stays far below the rule file's
    // upper-quintile estimate (28.2 %): the lateral MLPI alone (about 0.13 > 0.06) is one vote of
    // the two F-SUPINATION needs. The neutral walker's low CPEI alone likewise makes no pronation.
    EXPECT_FALSE(has_finding(sup, "F-SUPINATION", side)) << "CPEI " << median_of(sup, side, "cpei_percent");
    EXPECT_GT(median_of(sup, side, "mlpi"), 0.06);
    EXPECT_FALSE(has_finding(neu, "F-PRONATION", side));
    EXPECT_FALSE(has_finding(sup, "F-PRONATION", side));
  }
  // The finding names the indices that agree and carries their values and thresholds.
  const auto pro_findings = rule_findings(pro);
  const auto f = std::find_if(pro_findings.begin(), pro_findings.end(), [](const Finding& x) { return x.id == "F-PRONATION"; });
  ASSERT_NE(f, pro_findings.end());
  EXPECT_GE(f->evidence.size(), 2u);
  EXPECT_NE(f->notes[0].find("agree cpei_percent, mlpi"), std::string::npos) << f->notes[0];
}

// Regression: on the way back (second pass, the walker turned round) the shape rule for the heel
// end (the metatarsal-head band wider than the heel band) reversed some pronated and supinated
// footprints, and the side assignment then gave both contacts of that pass the wrong side. The
// heel end now comes from the loading sequence. Pronation +0.8 and -0.8, each in two of four
// directions of travel (0, 145 / 60, 250 deg; every case reversed at least one whole footfall
// before the fix) on a square mat (0.76 m), two passes each: every whole footfall of the
// simulator's truth is used, has the truth's side, and its axis points from the truth's heel to
// its toe.
TEST(AnalyzeWalk, BothPassesKeepHeelAndSideForPronatedAndSupinatedFeet) {
  sim::MatParams mat;
  mat.rows = 150;
  mat.cols = 150;
  std::size_t checked = 0;
  const std::pair<double, double> cases[] = {{0.8, 0.0}, {0.8, 145.0}, {-0.8, 60.0}, {-0.8, 250.0}};
  for (const auto& [pronation, direction] : cases) {
      sim::WalkParams w = walk(pronation, false);
      w.walk_direction_deg = direction;
      w.seed = 11 + static_cast<std::uint64_t>(direction);
      const auto simu = sim::simulate_walk_mat(w, mat);
      auto r = analyze(simu.recording);
      ASSERT_TRUE(r) << r.error().message;
      std::set<int> passes;
      for (const auto& t : simu.truth.footfalls) {
        if (t.partial) continue;
        const std::string where = "pronation " + std::to_string(pronation) + ", direction " +
                                  std::to_string(direction) + ", pass " + std::to_string(t.pass) +
                                  ", truth IC " + std::to_string(t.start_s) + " s";
        const Eigen::Vector2d mid = 0.5 * (t.heel_mm + t.toe_mm);
        const Eigen::Vector2d axis = (t.toe_mm - t.heel_mm).normalized();
        // The analysed contact at the same time and place (the force centre lies on the foot).
        const FootfallAnalysis* got = nullptr;
        for (const auto& fa : r->footfalls)
          if (std::abs(fa.footfall.start_s - t.start_s) < 0.1 && (fa.centre_mm - mid).norm() < 80.0)
            got = &fa;
        ASSERT_NE(got, nullptr) << where;
        EXPECT_TRUE(got->footfall.reject_reason.empty()) << where << ": " << got->footfall.reject_reason;
        EXPECT_EQ(got->footfall.side, t.side) << where << ": " << got->footfall.side_reason;
        EXPECT_GT(got->frame.u.dot(axis), std::cos(10.0 * M_PI / 180.0)) << where << ": " << got->frame.method;
        EXPECT_NE(got->frame.method.find("loading sequence"), std::string::npos) << got->frame.method;
        passes.insert(t.pass);
        ++checked;
      }
      EXPECT_GE(passes.size(), 2u) << "pronation " << pronation << ", direction " << direction;
  }
  EXPECT_GE(checked, 8u);  // at least one whole footfall per pass
}

TEST(AnalyzeWalk, EquinusSignatureIsDetectedOnlyInTheEquinusWalker) {
  const AnalysisResult& eq = walk_case(0.0, true).result;
  const AnalysisResult& neu = walk_case(0.0, false).result;
  for (Side side : {Side::left, Side::right}) {
    EXPECT_LT(median_of(eq, side, "heel_contact_percent"), median_of(neu, side, "heel_contact_percent") - 15.0);
    EXPECT_GT(median_of(eq, side, "forefoot_heel_pti_ratio"), 2.0 * median_of(neu, side, "forefoot_heel_pti_ratio"));
    EXPECT_LT(median_of(eq, side, "foot_flat_percent"), median_of(neu, side, "foot_flat_percent"));
    EXPECT_TRUE(has_finding(eq, "F-EQUINUS", side));
    EXPECT_FALSE(has_finding(neu, "F-EQUINUS", side));
    // Equinus moves load to the forefoot; that alone must not read as pronation.
    EXPECT_FALSE(has_finding(eq, "F-PRONATION", side));
  }
  const auto eq_findings = rule_findings(eq);
  const auto f = std::find_if(eq_findings.begin(), eq_findings.end(), [](const Finding& x) { return x.id == "F-EQUINUS"; });
  ASSERT_NE(f, eq_findings.end());
  EXPECT_NE(f->statement.find("consistent with"), std::string::npos);
  EXPECT_NE(f->statement.find("lunge test"), std::string::npos);
}

// Feeds a recording to analyze_stream in chunks of `chunk` frames, streams interleaved.
Result<AnalysisResult> stream_recording(const Recording& rec, Eigen::Index chunk, const AnalysisParams& p) {
  std::vector<StreamInfo> infos;
  for (const auto& s : rec.streams) infos.push_back(s.info);
  std::vector<Eigen::Index> next(rec.streams.size(), 0);
  std::size_t turn = 0;
  ChunkProvider provider = [&]() -> Result<std::optional<FrameChunk>> {
    for (std::size_t tries = 0; tries < rec.streams.size(); ++tries, turn = (turn + 1) % rec.streams.size()) {
      const Stream& s = rec.streams[turn];
      if (next[turn] >= s.frame_count()) continue;
      const Eigen::Index n = std::min(chunk, s.frame_count() - next[turn]);
      FrameChunk c;
      c.stream = turn;
      c.time_s = s.time_s.segment(next[turn], n);
      c.pressure_kpa = s.pressure_kpa.middleRows(next[turn], n);
      next[turn] += n;
      turn = (turn + 1) % rec.streams.size();
      return std::optional<FrameChunk>(std::move(c));
    }
    return std::optional<FrameChunk>{};
  };
  return analyze_stream(rec.meta, infos, provider, p);
}

TEST(AnalyzeStream, SameResultAsBatchWhateverTheChunking) {
  const Case& c = walk_case(0.0, false);
  auto s = stream_recording(c.sim.recording, 37, {});
  ASSERT_TRUE(s) << s.error().message;
  const AnalysisResult& b = c.result;
  ASSERT_EQ(s->feet.size(), b.feet.size());
  for (std::size_t i = 0; i < b.feet.size(); ++i) {
    EXPECT_EQ(s->feet[i].side, b.feet[i].side);
    EXPECT_EQ(s->feet[i].footfalls_used, b.feet[i].footfalls_used);
    for (const char* key : {"cpei_percent", "foot_length_mm", "heel_contact_percent", "arch_index", "mlpi"})
      EXPECT_NEAR(*s->feet[i].median(key), *b.feet[i].median(key), 1e-9) << key;
  }
  EXPECT_EQ(rule_findings(*s).size(), rule_findings(b).size());
  EXPECT_EQ(s->quality.streams[0].frames, b.quality.streams[0].frames);
  EXPECT_EQ(s->quality.streams[0].footfalls_found, b.quality.streams[0].footfalls_found);
  // Frames are not kept: sensel lists are dropped in streaming.
  ASSERT_FALSE(s->footfalls.empty());
  for (const auto& fa : s->footfalls) EXPECT_TRUE(fa.footfall.sensels.empty());
}

TEST(AnalyzeStream, WindowsCutInsideWalkingCarryTheContactOver) {
  // Windows of at most 1.5 s and no quiet gap long enough to close them: every window is cut
  // at its least-loaded frame and the contacts still open there move to the next window.
  const Case& c = walk_case(0.0, false);
  AnalysisParams p;
  p.max_window_s = 1.5;
  p.quiet_gap_s = 100.0;
  auto s = stream_recording(c.sim.recording, 16, p);
  ASSERT_TRUE(s) << s.error().message;
  std::size_t used_batch = 0, used_stream = 0;
  for (const auto& fa : c.result.footfalls) used_batch += fa.footfall.reject_reason.empty();
  for (const auto& fa : s->footfalls) used_stream += fa.footfall.reject_reason.empty();
  EXPECT_EQ(used_stream, used_batch);
  // No contact analysed twice: start times are distinct.
  for (std::size_t i = 1; i < s->footfalls.size(); ++i)
    EXPECT_NE(s->footfalls[i].footfall.start_s, s->footfalls[i - 1].footfall.start_s);
  for (Side side : {Side::left, Side::right})
    EXPECT_NEAR(median_of(*s, side, "cpei_percent"), median_of(c.result, side, "cpei_percent"), 0.5);
}

// A simulated standing trial with sway on a mat of 10-mm sensels.
sim::Simulation stand_trial(double duration_s, double rate_hz, int rows, int cols) {
  sim::StandParams sp;
  sp.duration_s = duration_s;
  sp.sample_rate_hz = rate_hz;
  sim::MatParams mat;
  mat.rows = rows;
  mat.cols = cols;
  return sim::simulate_stand_mat(sp, mat);
}

// 12 s at 10 Hz on a 100 x 100 mat: 120 frames.
sim::Simulation twelve_second_stand() { return stand_trial(12.0, 10.0, 100, 100); }

TEST(AnalyzeStream, AStandingContactLongerThanItsWindowIsMeasuredOverAllItsFrames) {
  // A 12-s standing trial with sway, streamed in windows of at most 2 s: each foot is one contact
  // that outlasts six windows. The reference is the whole-recording analysis, which holds every
  // frame and measures each contact in one pass. Measures that do not depend on the foot frame
  // (which streaming takes from the contact's first window) must agree to rounding; before the
  // contact was carried from window to window, streaming measured only the first 2 s (the COP
  // path was then a sixth of the whole).
  const sim::Simulation sim = twelve_second_stand();
  ASSERT_EQ(sim.recording.meta.mode, "stand");
  auto whole = analyze(sim.recording);
  ASSERT_TRUE(whole) << whole.error().message;
  AnalysisParams p;
  p.max_window_s = 2.0;
  auto s = stream_recording(sim.recording, 7, p);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_GE(s->quality.streams[0].windows, 6u);
  const double end_s = sim.recording.streams[0].time_s.tail(1)(0);
  for (Side side : {Side::left, Side::right}) {
    SCOPED_TRACE(std::string(to_string(side)));
    const FootfallAnalysis* a = nullptr;
    const FootfallAnalysis* b = nullptr;
    std::size_t n = 0;
    for (const auto& fa : s->footfalls)
      if (fa.footfall.side == side && fa.footfall.reject_reason.empty()) {
        a = &fa;
        ++n;
      }
    for (const auto& fa : whole->footfalls)
      if (fa.footfall.side == side && fa.footfall.reject_reason.empty()) b = &fa;
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(n, 1u) << "one contact per foot, not one per window";
    EXPECT_EQ(a->footfall.start_s, b->footfall.start_s);
    EXPECT_EQ(a->footfall.end_s, end_s);
    EXPECT_EQ(a->footfall.last_frame, b->footfall.last_frame);
    for (const char* key : {"standing_mean_force_n", "standing_cop_path_length_mm", "standing_cop_mean_velocity_mm_s",
                            "standing_cop_ellipse95_area_mm2"}) {
      ASSERT_TRUE(a->measures.contains(key) && b->measures.contains(key)) << key;
      EXPECT_NEAR(a->measures.at(key), b->measures.at(key), 1e-9 * std::abs(b->measures.at(key))) << key;
    }
    EXPECT_NEAR(a->force_time_integral_n_s, b->force_time_integral_n_s, 1e-9 * b->force_time_integral_n_s);
    EXPECT_EQ(a->peak_force_n, b->peak_force_n);
    // Shares and the COP position depend on the foot frame: within a tenth of a percent.
    for (const char* key : {"standing_heel_load_share_percent", "standing_forefoot_load_share_percent",
                            "standing_cop_ap_percent"}) {
      ASSERT_TRUE(a->measures.contains(key) && b->measures.contains(key)) << key;
      EXPECT_NEAR(a->measures.at(key), b->measures.at(key), 0.1) << key;
    }
    // The regions too are measured over the whole contact: the same peak pressure, PTI and FTI
    // (the regions are drawn on each run's own footprint, the same sensels on this still foot).
    ASSERT_FALSE(a->regions.empty());
    ASSERT_EQ(a->regions.size(), b->regions.size());
    for (std::size_t r = 0; r < a->regions.size(); ++r) {
      const RegionMetrics& x = a->regions[r];
      const RegionMetrics& y = b->regions[r];
      SCOPED_TRACE(x.region);
      EXPECT_EQ(x.region, y.region);
      EXPECT_EQ(x.peak_pressure_kpa, y.peak_pressure_kpa);
      EXPECT_NEAR(x.pti_novel_kpa_s, y.pti_novel_kpa_s, 1e-9 * std::abs(y.pti_novel_kpa_s));
      EXPECT_NEAR(x.fti_n_s, y.fti_n_s, 1e-9 * std::abs(y.fti_n_s));
      EXPECT_EQ(x.contact_time_percent, y.contact_time_percent);
    }
  }
}

TEST(AnalyzeStream, AStandingContactInTheShoeLongerThanItsWindowIsMeasuredOverAllItsFrames) {
  // 12 s of standing in a pair of 16-sensor insoles at 10 Hz, built by hand: each cell carries a
  // fixed share of the foot's load, and the load sways between heel and forefoot (0.3 Hz,
  // +-30 %), a little differently under each foot. Each insole is one stance (the stance threshold
  // of a standing trial is relative to an unloaded insole: relative to the sway's low point, as in
  // a walk, it cut the stance at every sway, into 5 and 4 stances). Streamed in windows of at most
  // 2 s, each insole is one contact measured over all its frames, as the whole analysis measures it.
  Recording rec;
  rec.meta.mode = "stand";
  const double rate = 10.0;
  const Eigen::Index frames = 120;
  for (Side side : {Side::left, Side::right}) {
    Stream s;
    s.info.name = side == Side::left ? "left" : "right";
    s.info.side = side;
    s.info.sample_rate_hz = rate;
    s.info.layout = sim::insole_sensor_layout(260, 16, side);
    s.time_s = Eigen::VectorXd::LinSpaced(frames, 0.0, double(frames - 1) / rate);
    s.pressure_kpa.resize(frames, 16);
    const double phase = side == Side::left ? 0.0 : 0.7;
    for (Eigen::Index f = 0; f < frames; ++f) {
      const double sway = 0.3 * std::sin(2.0 * std::numbers::pi * 0.3 * s.time_s[f] + phase);
      for (Eigen::Index i = 0; i < 16; ++i) {
        const double y = s.info.layout.centres_mm()(i, 1);  // heel 0 .. toes 260
        const double base = 60.0 + 40.0 * std::cos(double(i));
        s.pressure_kpa(f, i) = float(base * (1.0 + sway * (y < 130.0 ? 1.0 : -1.0)));
      }
    }
    rec.streams.push_back(std::move(s));
  }
  auto whole = analyze(rec);
  ASSERT_TRUE(whole) << whole.error().message;
  AnalysisParams p;
  p.max_window_s = 2.0;
  auto s = stream_recording(rec, 7, p);
  ASSERT_TRUE(s) << s.error().message;
  for (std::size_t k = 0; k < 2; ++k) {
    SCOPED_TRACE(rec.streams[k].info.name);
    EXPECT_GE(s->quality.streams[k].windows, 6u);
    const FootfallAnalysis* a = nullptr;
    const FootfallAnalysis* b = nullptr;
    std::size_t n = 0, m = 0;
    for (const auto& fa : s->footfalls)
      if (fa.footfall.stream == k && fa.footfall.reject_reason.empty()) a = &fa, ++n;
    for (const auto& fa : whole->footfalls)
      if (fa.footfall.stream == k && fa.footfall.reject_reason.empty()) b = &fa, ++m;
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(n, 1u) << "one contact per insole, not one per window";
    EXPECT_EQ(m, 1u);
    EXPECT_EQ(a->footfall.first_frame, 0);
    EXPECT_EQ(a->footfall.last_frame, frames - 1);
    EXPECT_EQ(a->footfall.last_frame, b->footfall.last_frame);
    // Every measure of the contact the whole analysis gives, streaming gives, to rounding (an
    // insole's foot frame is its own: it does not depend on which window saw the contact first).
    for (const auto& [key, value] : b->measures) {
      ASSERT_TRUE(a->measures.contains(key)) << key;
      EXPECT_NEAR(a->measures.at(key), value, 1e-9 * std::max(1.0, std::abs(value))) << key;
    }
    EXPECT_EQ(a->measures.size(), b->measures.size());
    EXPECT_NEAR(a->force_time_integral_n_s, b->force_time_integral_n_s, 1e-9 * b->force_time_integral_n_s);
    EXPECT_EQ(a->peak_force_n, b->peak_force_n);
    ASSERT_TRUE(a->measures.contains("standing_cop_path_length_mm"));
    ASSERT_EQ(a->regions.size(), b->regions.size());
    for (std::size_t r = 0; r < a->regions.size(); ++r) {
      EXPECT_EQ(a->regions[r].peak_pressure_kpa, b->regions[r].peak_pressure_kpa) << a->regions[r].region;
      EXPECT_NEAR(a->regions[r].pti_novel_kpa_s, b->regions[r].pti_novel_kpa_s,
                  1e-9 * std::abs(b->regions[r].pti_novel_kpa_s))
          << a->regions[r].region;
    }
    std::printf("[ info ] %s: %zu windows, COP path %.1f mm streamed, %.1f mm whole\n", rec.streams[k].info.name.c_str(),
                std::size_t(s->quality.streams[k].windows), a->measures.at("standing_cop_path_length_mm"),
                b->measures.at("standing_cop_path_length_mm"));
  }
}

TEST(AnalyzeStream, AStandingContactEndedByAQuietGapIsNotCarriedOn) {
  // The same standing trial with the load taken off the mat for 3 s in the middle (frames 40-69:
  // all sensels read 0 but three of the left foot, 100 kPa each, under the quiet limit). No
  // window reaches max_window_s: the quiet gap closes the first window while those three sensels
  // keep the left contact registered at its last frame. That contact ends with the window: it is
  // measured as the whole-recording analysis measures the recording cut at the same frame. (Kept
  // open across the gap, it took the next loaded frame, seconds later, as its last frame's
  // interval, and its region PTIs grew by that much.)
  sim::Simulation sim = twelve_second_stand();
  const auto whole_first = analyze(sim.recording);
  ASSERT_TRUE(whole_first) << whole_first.error().message;
  Eigen::Index light = -1;
  for (const auto& fa : whole_first->footfalls)
    if (fa.footfall.side == Side::left && !fa.footfall.sensels.empty()) light = fa.footfall.sensels[fa.footfall.sensels.size() / 2];
  ASSERT_GE(light, 0);
  Stream& st = sim.recording.streams[0];
  for (Eigen::Index f = 40; f < 70; ++f) {
    st.pressure_kpa.row(f).setZero();
    for (Eigen::Index k = 0; k < 3; ++k) st.pressure_kpa(f, light + k) = 100.0f;
  }
  AnalysisParams p;
  p.max_window_s = 100.0;
  auto s = stream_recording(sim.recording, 7, p);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->quality.streams[0].windows, 2u);
  const FootfallAnalysis* left = nullptr;
  for (const auto& fa : s->footfalls)
    if (fa.footfall.side == Side::left && fa.footfall.first_frame == 0) left = &fa;
  ASSERT_NE(left, nullptr);
  ASSERT_TRUE(left->footfall.reject_reason.empty()) << left->footfall.reject_reason;
  ASSERT_LT(left->footfall.last_frame, 60);
  // The recording up to the first window's last frame, analysed whole.
  Recording cut = sim.recording;
  const Eigen::Index n = left->footfall.last_frame + 1;
  cut.streams[0].time_s = Eigen::VectorXd(st.time_s.head(n));
  cut.streams[0].pressure_kpa = st.pressure_kpa.topRows(n);
  auto whole = analyze(cut);
  ASSERT_TRUE(whole) << whole.error().message;
  const FootfallAnalysis* ref = nullptr;
  for (const auto& fa : whole->footfalls)
    if (fa.footfall.side == Side::left && fa.footfall.first_frame == 0) ref = &fa;
  ASSERT_NE(ref, nullptr);
  EXPECT_EQ(left->footfall.last_frame, ref->footfall.last_frame);
  for (const auto& [key, value] : ref->measures)
    if (key.rfind("standing_", 0) == 0) {
      ASSERT_TRUE(left->measures.contains(key)) << key;
      EXPECT_NEAR(left->measures.at(key), value, 1e-9 * std::max(1.0, std::abs(value))) << key;
    }
  ASSERT_FALSE(left->regions.empty());
  ASSERT_EQ(left->regions.size(), ref->regions.size());
  for (std::size_t r = 0; r < left->regions.size(); ++r)
    EXPECT_NEAR(left->regions[r].pti_novel_kpa_s, ref->regions[r].pti_novel_kpa_s,
                1e-9 * std::abs(ref->regions[r].pti_novel_kpa_s))
        << left->regions[r].region;
}

TEST(AnalyzeStream, WindowsCutAtTheValueBudgetCarryTheContactOver) {
  // No quiet gap closes a window and none reaches max_window_s: only max_window_values cuts them.
  // A budget of one contact (its frames x its sensels) is passed by every window, which is then
  // cut once it is 3 x standing_min_s long: the walk is analysed in several windows and
  // every contact must still be analysed whole, once.
  const Case& c = walk_case(0.0, false);
  ASSERT_EQ(c.sim.recording.meta.mode, "walk");
  double largest = 0.0;
  for (const auto& fa : c.result.footfalls)
    largest = std::max(largest, double(fa.footfall.last_frame - fa.footfall.first_frame + 1) *
                                    double(fa.footfall.sensels.size()));
  ASSERT_GT(largest, 0.0);
  AnalysisParams p;
  p.quiet_gap_s = 100.0;
  p.max_window_s = 1000.0;
  p.max_window_values = 1e30;
  // The walk lasts 6 s: windows may be cut by the budget from 3 s on (every stance of this walk
  // is under 1 s, so none counts as standing).
  p.standing_min_s = 1.0;
  auto one = stream_recording(c.sim.recording, 16, p);
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(one->quality.streams[0].windows, 1u);
  p.max_window_values = largest;
  auto s = stream_recording(c.sim.recording, 16, p);
  ASSERT_TRUE(s) << s.error().message;
  const double duration = c.sim.recording.streams[0].time_s.tail(1)(0);
  EXPECT_GE(s->quality.streams[0].windows, 2u);
  // No window shorter than 3 x standing_min_s was cut by the budget.
  EXPECT_LE(double(s->quality.streams[0].windows), 1.0 + duration / (3.0 * p.standing_min_s));
  std::size_t used_batch = 0, used_stream = 0;
  for (const auto& fa : c.result.footfalls) used_batch += fa.footfall.reject_reason.empty();
  for (const auto& fa : s->footfalls) used_stream += fa.footfall.reject_reason.empty();
  EXPECT_EQ(used_stream, used_batch);
  for (std::size_t i = 1; i < s->footfalls.size(); ++i)
    EXPECT_NE(s->footfalls[i].footfall.start_s, s->footfalls[i - 1].footfall.start_s);
  for (Side side : {Side::left, Side::right})
    EXPECT_NEAR(median_of(*s, side, "cpei_percent"), median_of(c.result, side, "cpei_percent"), 0.5);
}

// A simulated 3 s standing trial at 25 Hz on an 80 x 90 mat.
sim::Simulation three_second_stand() { return stand_trial(3.0, 25.0, 80, 90); }

TEST(AnalyzeStream, HandsEveryChunksStorageBackOnceAnalysed) {
  // FrameChunk::give_back: the reader's blocks come back to it to be filled again. Each chunk's
  // own storage must come back, once, after the analysis has used it, and the result must not
  // depend on it.
  sim::Simulation sim = three_second_stand();
  const Stream& st = sim.recording.streams[0];
  auto plain = stream_recording(sim.recording, 16, {});
  ASSERT_TRUE(plain) << plain.error().message;
  std::vector<const float*> sent, returned;
  Eigen::Index next = 0;
  ChunkProvider provider = [&]() -> Result<std::optional<FrameChunk>> {
    if (next >= st.frame_count()) return std::optional<FrameChunk>{};
    const Eigen::Index n = std::min<Eigen::Index>(16, st.frame_count() - next);
    FrameChunk c;
    c.time_s = st.time_s.segment(next, n);
    c.pressure_kpa = st.pressure_kpa.middleRows(next, n);
    sent.push_back(c.pressure_kpa.data());
    c.give_back = [&returned](FrameMatrix&& m) {
      returned.push_back(m.data());
      FrameMatrix gone = std::move(m);  // the reader now owns it
    };
    next += n;
    return std::optional<FrameChunk>(std::move(c));
  };
  auto s = analyze_stream(sim.recording.meta, {st.info}, provider, {});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(returned, sent);
  ASSERT_EQ(s->footfalls.size(), plain->footfalls.size());
  for (std::size_t i = 0; i < s->footfalls.size(); ++i)
    EXPECT_EQ(s->footfalls[i].measures, plain->footfalls[i].measures) << i;
}

// The footfalls of a window are measured side by side on several threads and folded into the
// result in time order: every measure and every sum of the foot images must be the same bits as
// on one thread. analyze() takes the whole walk as one window (more footfalls than a batch of 8);
// analyze_stream() takes it in chunks.
TEST(AnalyzeThreads, ManyThreadsGiveTheBitsOfOne) {
  sim::WalkParams w = walk(0.0, false);
  w.duration_s = 20.0;  // passes to and fro: more footfalls than a batch of 8
  const sim::Simulation sim = sim::simulate_walk_mat(w, walkway());
  struct Restore {
    ~Restore() { set_analysis_threads(0); }
  } restore;
  // Streamed twice: as is, and with windows cut for their length every 1 s (their footfalls are
  // then measured on the measuring threads too, MeasureQueue in analyze.cpp).
  AnalysisParams short_windows;
  short_windows.max_window_s = 1.0;
  auto run = [&](unsigned threads, int how) {
    set_analysis_threads(threads);
    EXPECT_EQ(analysis_threads(), threads);
    auto r = how == 0 ? analyze(sim.recording) : stream_recording(sim.recording, 37, how == 1 ? AnalysisParams{} : short_windows);
    if (!r) throw std::runtime_error(r.error().message);
    return std::move(*r);
  };
  std::size_t default_windows = 0;
  for (const int how : {0, 1, 2}) {
    SCOPED_TRACE(how);
    const AnalysisResult one = run(1, how);
    const AnalysisResult many = run(5, how);
    ASSERT_GT(one.footfalls.size(), 8u);
    // Windows of at most 1 s: more of them than the quiet gaps alone make.
    if (how == 1) default_windows = one.quality.streams.at(0).windows;
    if (how == 2) {
      EXPECT_GT(one.quality.streams.at(0).windows, default_windows);
    }
    ASSERT_EQ(many.footfalls.size(), one.footfalls.size());
    for (std::size_t i = 0; i < one.footfalls.size(); ++i) {
      EXPECT_EQ(many.footfalls[i].footfall.start_s, one.footfalls[i].footfall.start_s) << i;
      EXPECT_EQ(many.footfalls[i].footfall.reject_reason, one.footfalls[i].footfall.reject_reason) << i;
      EXPECT_EQ(many.footfalls[i].measures, one.footfalls[i].measures) << i;
    }
    ASSERT_EQ(many.quality.streams.size(), one.quality.streams.size());
    for (std::size_t k = 0; k < one.quality.streams.size(); ++k) {
      EXPECT_EQ(many.quality.streams[k].footfalls_found, one.quality.streams[k].footfalls_found);
      EXPECT_EQ(many.quality.streams[k].footfalls_used, one.quality.streams[k].footfalls_used);
      EXPECT_EQ(many.quality.streams[k].rejected, one.quality.streams[k].rejected);
    }
    ASSERT_EQ(many.images.size(), one.images.size());
    ASSERT_FALSE(one.images.empty());
    for (std::size_t k = 0; k < one.images.size(); ++k) {
      const FootImage& a = one.images[k];
      const FootImage& b = many.images[k];
      EXPECT_EQ(b.side, a.side);
      EXPECT_EQ(b.footfalls, a.footfalls);
      EXPECT_EQ(b.third_cb_ap_mm, a.third_cb_ap_mm);
      EXPECT_EQ(b.third_ba_ap_mm, a.third_ba_ap_mm);
      EXPECT_EQ(b.cop_sum_mm, a.cop_sum_mm);
      ASSERT_EQ(b.cells.size(), a.cells.size());
      for (const auto& [key, ca] : a.cells) {
        const auto it = b.cells.find(key);
        ASSERT_NE(it, b.cells.end()) << key;
        const ImageCell& cb = it->second;
        EXPECT_EQ(cb.footfalls, ca.footfalls) << key;
        EXPECT_EQ(cb.max_peak_kpa, ca.max_peak_kpa) << key;
        EXPECT_EQ(cb.sum_peak_kpa, ca.sum_peak_kpa) << key;
        EXPECT_EQ(cb.sum_mean_kpa, ca.sum_mean_kpa) << key;
        EXPECT_EQ(cb.sum_pti_kpa_s, ca.sum_pti_kpa_s) << key;
        EXPECT_EQ(cb.sum_contact_percent, ca.sum_contact_percent) << key;
        EXPECT_EQ(cb.region_votes, ca.region_votes) << key;
      }
    }
  }
}

TEST(AnalyzeThreads, AThreadsOwnChoiceOverridesTheProcesssOnThatThreadOnly) {
  struct Restore {
    ~Restore() {
      set_analysis_threads(0);
      set_analysis_threads_on_this_thread(0);
    }
  } restore;
  set_analysis_threads(5);
  unsigned in_worker = 0, in_worker_after_reset = 0;
  std::thread worker([&] {
    set_analysis_threads_on_this_thread(1);  // what a batch job does with --jobs above 1
    in_worker = analysis_threads();
    EXPECT_EQ(analysis_threads_on_this_thread(), 1u);
    set_analysis_threads_on_this_thread(0);
    in_worker_after_reset = analysis_threads();
  });
  worker.join();
  EXPECT_EQ(in_worker, 1u);
  EXPECT_EQ(in_worker_after_reset, 5u);
  EXPECT_EQ(analysis_threads(), 5u);  // the process-wide choice, untouched by the worker's
  set_analysis_threads_on_this_thread(3);
  EXPECT_EQ(analysis_threads(), 3u);
}

TEST(AnalyzeStream, CompactWindowGivesExactlyTheInMemoryResult) {
  // A standing trial loaded from its first frame to its last, in one window (no quiet gap, and
  // windows longer than the trial): analyze_stream keeps the window as the readings that are not
  // zero and lays them out over the sensels read (frame_view.hpp); analyze() reads the dense
  // frames. Same frames, so every measure must be the same double, not merely close.
  sim::Simulation sim = three_second_stand();
  // A reading of -0 and an absent-sensel NaN are readings too: the compact window keeps them.
  Stream& st = sim.recording.streams[0];
  st.pressure_kpa(10, 0) = -0.0f;
  st.pressure_kpa(20, 1) = std::numeric_limits<float>::quiet_NaN();
  auto m = analyze(sim.recording);
  ASSERT_TRUE(m) << m.error().message;
  AnalysisParams p;
  p.max_window_s = 100.0;
  auto s = stream_recording(sim.recording, 7, p);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->footfalls.size(), m->footfalls.size());
  ASSERT_EQ(m->footfalls.size(), 2u);
  for (std::size_t i = 0; i < m->footfalls.size(); ++i) {
    EXPECT_EQ(s->footfalls[i].footfall.first_frame, m->footfalls[i].footfall.first_frame);
    EXPECT_EQ(s->footfalls[i].footfall.last_frame, m->footfalls[i].footfall.last_frame);
    EXPECT_EQ(s->footfalls[i].measures, m->footfalls[i].measures) << i;
    ASSERT_EQ(s->footfalls[i].regions.size(), m->footfalls[i].regions.size());
    for (std::size_t k = 0; k < m->footfalls[i].regions.size(); ++k) {
      EXPECT_EQ(s->footfalls[i].regions[k].peak_pressure_kpa, m->footfalls[i].regions[k].peak_pressure_kpa);
      EXPECT_EQ(s->footfalls[i].regions[k].fti_n_s, m->footfalls[i].regions[k].fti_n_s);
    }
  }
  ASSERT_EQ(s->images.size(), m->images.size());
  for (std::size_t i = 0; i < m->images.size(); ++i) {
    ASSERT_EQ(s->images[i].cells.size(), m->images[i].cells.size());
    for (const auto& [key, cell] : m->images[i].cells) {
      ASSERT_EQ(s->images[i].cells.count(key), 1u) << key;
      EXPECT_EQ(s->images[i].cells.at(key).max_peak_kpa, cell.max_peak_kpa) << key;
    }
  }
}

TEST(AnalyzeStream, OnlyWalkingTrialsAreCutAtTheValueBudget) {
  // A standing trial (mode "stand") is one contact measured over the frames its window holds, and
  // a trial of unknown mode may be: the value budget does not cut them (analyze.hpp,
  // max_window_values). A walk of the same frames is cut.
  sim::Simulation sim = sim::simulate_stand_mat([] {
    sim::StandParams sp;
    sp.duration_s = 15.0;
    sp.sample_rate_hz = 25.0;
    return sp;
  }(), [] {
    sim::MatParams mat;
    mat.rows = 80;
    mat.cols = 90;
    return mat;
  }());
  ASSERT_EQ(sim.recording.meta.mode, "stand");
  AnalysisParams p;
  p.max_window_s = 100.0;
  auto whole = stream_recording(sim.recording, 7, p);
  ASSERT_TRUE(whole) << whole.error().message;
  ASSERT_FALSE(whole->footfalls.empty());
  p.max_window_values = 1.0;
  for (const char* mode : {"stand", ""}) {
    sim.recording.meta.mode = mode;
    auto budget = stream_recording(sim.recording, 7, p);
    ASSERT_TRUE(budget) << budget.error().message;
    EXPECT_EQ(budget->quality.streams[0].windows, 1u) << mode;
    if (std::string(mode) == "stand") {
      ASSERT_EQ(budget->footfalls.size(), whole->footfalls.size());
      for (std::size_t i = 0; i < whole->footfalls.size(); ++i)
        EXPECT_EQ(budget->footfalls[i].measures, whole->footfalls[i].measures) << i;
    }
  }
  sim.recording.meta.mode = "walk";
  auto walk = stream_recording(sim.recording, 7, p);
  ASSERT_TRUE(walk) << walk.error().message;
  EXPECT_GE(walk->quality.streams[0].windows, 2u);
}

TEST(AnalyzeStream, RejectsInconsistentChunks) {
  StreamInfo info;
  info.name = "mat";
  info.layout = SensorLayout::grid(2, 2, 5.0, 5.0).value();
  bool sent = false;
  ChunkProvider bad = [&]() -> Result<std::optional<FrameChunk>> {
    if (sent) return std::optional<FrameChunk>{};
    sent = true;
    FrameChunk c;
    c.time_s = Eigen::VectorXd::Zero(2);
    c.pressure_kpa = FrameMatrix::Zero(2, 3);  // 3 values for a 4-sensel grid
    return std::optional<FrameChunk>(std::move(c));
  };
  auto r = analyze_stream({}, {info}, bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::format_error);
  EXPECT_NE(r.error().message.find("mat"), std::string::npos);
  ChunkProvider failing = []() -> Result<std::optional<FrameChunk>> {
    return make_error(Errc::io_error, "disk went away");
  };
  auto f = analyze_stream({}, {info}, failing);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::io_error);
}

TEST(AnalyzeStand, StandingGivesFootprintAndLoadSharesButNoCpei) {
  const auto sim = three_second_stand();
  auto r = analyze(sim.recording);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_NE(foot(*r, Side::left), nullptr);
  ASSERT_NE(foot(*r, Side::right), nullptr);
  for (Side side : {Side::left, Side::right}) {
    const FootSummary* f = foot(*r, side);
    EXPECT_EQ(f->standing_footfalls, f->footfalls_used);
    EXPECT_FALSE(f->median("cpei_percent"));
    EXPECT_FALSE(f->median("stance_s"));
    // Barefoot standing puts roughly half or more of the load on the heel (Cavanagh et al.
    // 1987: about 60 %); the simulator's standing shares are in that range.
    ASSERT_TRUE(f->median("standing_heel_load_share_percent"));
    EXPECT_GT(*f->median("standing_heel_load_share_percent"), 35.0);
    EXPECT_LT(*f->median("standing_heel_load_share_percent"), 75.0);
    EXPECT_TRUE(f->median("arch_index"));  // the footprint measures do not need walking
    EXPECT_NEAR(*f->median("foot_length_mm"), 260.0, 8.0);
    EXPECT_FALSE(has_finding(*r, "F-EQUINUS", side));
  }
  EXPECT_FALSE(r->timing.cadence_steps_per_min);
  // The feet stand for the whole recording: cut in time at both ends (flags), yet used, because
  // being cut in time does not spoil a standing footprint; nothing is matched by its wording.
  std::size_t used = 0;
  for (const auto& fa : r->footfalls) {
    if (!fa.footfall.reject_reason.empty()) continue;
    ++used;
    EXPECT_TRUE(fa.footfall.flags.time_start && fa.footfall.flags.time_end);
    EXPECT_FALSE(fa.footfall.flags.cut_in_space());
    EXPECT_FALSE(fa.footfall.partial);
  }
  EXPECT_EQ(used, 2u);
}

// Being cut in space still rejects a standing contact: two feet stand for the whole recording,
// one of them over the mat's right edge (its forefoot reaches x = 315 mm on a 300 mm mat).
TEST(AnalyzeStand, ACutInSpaceStillRejectsAStandingContact) {
  Recording rec;
  rec.meta.mode = "stand";
  Stream s;
  s.info.name = "mat";
  s.info.side = Side::both;
  s.info.sample_rate_hz = 25.0;
  s.info.layout = SensorLayout::grid(80, 60, 5.0, 5.0).value();
  test::Placement whole, cut;
  whole.origin_mm = {100.0, 20.0};
  cut.origin_mm = {270.0, 20.0};
  const Eigen::VectorXf p = test::render(s.info.layout, test::rectangle_foot(true), whole) +
                            test::render(s.info.layout, test::rectangle_foot(true), cut);
  for (int f = 0; f < 30; ++f) s.append(0.04 * f, p);
  rec.streams.push_back(std::move(s));
  auto r = analyze(rec);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->footfalls.size(), 2u);
  std::size_t used = 0, edge = 0;
  for (const auto& fa : r->footfalls) {
    const Footfall& ff = fa.footfall;
    EXPECT_TRUE(ff.flags.time_start && ff.flags.time_end);
    if (ff.flags.edge) {
      ++edge;
      EXPECT_TRUE(ff.partial);
      EXPECT_NE(ff.reject_reason.find("edge"), std::string::npos) << ff.reject_reason;
    } else {
      used += ff.reject_reason.empty() ? 1 : 0;
    }
  }
  EXPECT_EQ(edge, 1u);
  EXPECT_EQ(used, 1u);
}

TEST(AnalyzeInsoles, StrideTimeMatchesTheSimulatorTruth) {
  sim::WalkParams w;
  w.duration_s = 8.0;
  w.cadence_steps_per_min = 100.0;
  const auto sim = sim::simulate_walk_insoles(w, sim::insole_sensor_layout(260.0, 16, Side::right));
  auto r = analyze(sim.recording);
  ASSERT_TRUE(r) << r.error().message;
  // Truth strides: successive initial contacts of one foot.
  for (Side side : {Side::left, Side::right}) {
    std::vector<double> ic;
    for (const auto& t : sim.truth.footfalls)
      if (t.side == side) ic.push_back(t.start_s);
    ASSERT_GE(ic.size(), 3u);
    std::vector<double> strides;
    for (std::size_t i = 1; i < ic.size(); ++i) strides.push_back(ic[i] - ic[i - 1]);
    const double truth = summarize(strides)->median;  // 60 / 100 * 2 = 1.2 s
    const SideTiming& t = side == Side::left ? r->timing.left : r->timing.right;
    ASSERT_TRUE(t.stride_s);
    EXPECT_NEAR(t.stride_s->median, truth, 0.02);
    // Double support from the detected contacts against the same computation on the truth's
    // contact intervals (stance 62 % of the cycle: about 2 * (62 - 50) = 24 %). The detected
    // contacts are shorter by the contact threshold (5 % of peak force) at both ends.
    std::vector<ContactInterval> truth_contacts;
    for (const auto& tf : sim.truth.footfalls) truth_contacts.push_back({tf.side, tf.start_s, tf.end_s});
    const GaitTiming gt = gait_timing(truth_contacts);
    const SideTiming& tt = side == Side::left ? gt.left : gt.right;
    ASSERT_TRUE(t.double_support_percent && tt.double_support_percent);
    EXPECT_NEAR(tt.double_support_percent->median, 24.0, 1.0);
    EXPECT_NEAR(t.double_support_percent->median, tt.double_support_percent->median, 7.0);
    EXPECT_LT(t.double_support_percent->median, tt.double_support_percent->median);
    // In-shoe: no arch index, no barefoot peak-pressure norms.
    const FootSummary* f = foot(*r, side);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->surface, Surface::in_shoe);
    EXPECT_FALSE(f->median("arch_index"));
  }
  EXPECT_NEAR(*r->timing.cadence_steps_per_min, 100.0, 2.0);
  EXPECT_FALSE(has_finding(*r, "F-FOREFOOT-OVERLOAD", Side::left));
}

TEST(AnalyzeEmpty, NoContactIsReportedNotAnError) {
  Recording rec;
  Stream s;
  s.info.name = "mat";
  s.info.side = Side::both;
  s.info.layout = SensorLayout::grid(10, 10, 5.0, 5.0).value();
  for (int f = 0; f < 20; ++f) s.append(0.01 * f, Eigen::VectorXf::Zero(100));
  rec.streams.push_back(std::move(s));
  auto r = analyze(rec);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_usable_contact());
  EXPECT_TRUE(r->feet.empty());
  EXPECT_TRUE(rule_findings(*r).empty());
  EXPECT_NE(std::find(r->quality.warnings.begin(), r->quality.warnings.end(), "no usable foot contact found"),
            r->quality.warnings.end());
  // An invalid recording is an error.
  rec.streams[0].time_s[3] = rec.streams[0].time_s[2];
  auto bad = analyze(rec);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::format_error);
}

// A sensor set imported without geometry (Moticon publishes neither cell positions nor areas):
// analyze() computes nothing for it and says why, instead of inventing a layout.
TEST(AnalyzeQuality, SensorSetWithoutGeometryIsNamedNotGuessed) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Recording rec = test::insoles_without_geometry(200);
  auto r = analyze(rec);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->has_usable_contact());
  for (const char* name : {"left", "right"}) {
    const std::string expected = std::string("stream '") + name +
                                 "': sensor positions and areas unknown (not in the file); force, stance "
                                 "phases, centre of pressure and every measure need them, so none were "
                                 "computed for this stream";
    EXPECT_NE(std::find(r->quality.warnings.begin(), r->quality.warnings.end(), expected),
              r->quality.warnings.end())
        << name;
  }
  // Areas known (a vendor's cell table), positions unknown: only the positions are named.
  rec.streams[0].info.layout = SensorLayout::sensors(Eigen::MatrixX2d::Constant(16, 2, nan),
                                                     Eigen::VectorXd::Constant(16, 120.0)).value();
  r = analyze(rec);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NE(std::find_if(r->quality.warnings.begin(), r->quality.warnings.end(),
                         [](const std::string& w) { return w.rfind("stream 'left': sensor positions unknown", 0) == 0; }),
            r->quality.warnings.end());
}

// A sensor set without positions whose maker's channels were kept (as a Moticon import keeps its
// total force and COP): contacts and gait events come from the vendor total force, the COP path
// from the vendor COP, and every measure that needs positions is null with the reason. The
// expected values are those of the synthetic force and COP (no_geometry.hpp), computed by hand.
TEST(AnalyzeVendorChannels, GaitEventsAndCopPathFromTheVendorChannels) {
  const Recording rec = test::insoles_with_vendor_channels(400);  // 4 s
  auto r = analyze(rec);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->has_usable_contact());
  ASSERT_EQ(r->feet.size(), 2u);
  const double pi = std::acos(-1.0);
  const double lead = 0.6 * std::asin(0.05) / pi;  // 9.55 ms from t0 to 5 % of peak force
  for (const auto& q : r->quality.streams) EXPECT_TRUE(q.from_vendor_channels) << q.stream;
  std::map<std::string, std::size_t> used;
  for (const auto& fa : r->footfalls) {
    const std::string stream = rec.streams[fa.footfall.stream].info.name;
    if (!fa.footfall.reject_reason.empty()) {
      // Only the right foot's last contact, still loaded when the recording ends (t0 = 3.7 s).
      EXPECT_EQ(stream, "right");
      EXPECT_NEAR(fa.footfall.start_s, 3.71, 0.011);
      continue;
    }
    ++used[stream];
    const double base = stream == "left" ? 0.2 : 0.7;
    const double t0 = base + std::round(fa.footfall.start_s - base);  // the contact starts within 20 ms of t0
    // Linear interpolation between 10 ms samples of a sine near its zero: well under 0.1 ms.
    EXPECT_NEAR(fa.events.ic_s, t0 + lead, 1e-4) << stream << " " << t0;
    EXPECT_NEAR(fa.events.to_s, t0 + 0.6 - lead, 1e-4) << stream << " " << t0;
    EXPECT_NEAR(fa.measures.at("stance_s"), 0.6 - 2 * lead, 2e-4);
    EXPECT_NEAR(fa.measures.at("peak_force_n"), 800.0, 1.0);  // sin peaks between samples
    // The COP runs along the insole at 0.7 / 0.6 insole lengths per second, 0.05 across: path
    // and range along are that speed times the time between the contact's first and last
    // samples with a COP.
    const VendorChannels& v = *rec.streams[fa.footfall.stream].vendor;
    double first = -1, last = -1;
    for (Eigen::Index f = fa.footfall.first_frame; f <= fa.footfall.last_frame; ++f)
      if (v.total_force_n[f] > 0.0) {
        if (first < 0) first = rec.streams[fa.footfall.stream].time_s[f];
        last = rec.streams[fa.footfall.stream].time_s[f];
      }
    ASSERT_GT(last, first);
    EXPECT_NEAR(fa.measures.at("cop_path_length_normalised"), 0.7 / 0.6 * (last - first), 1e-9);
    EXPECT_NEAR(fa.measures.at("cop_ap_range_normalised"), 0.7 / 0.6 * (last - first), 1e-9);
    EXPECT_NEAR(fa.measures.at("cop_ml_range_normalised"), 0.0, 1e-12);
    // Nothing that needs sensor positions was formed.
    for (const auto& [key, value] : fa.measures) {
      (void)value;
      const MeasureInfo* info = find_measure_info(key);
      ASSERT_NE(info, nullptr) << key;
      EXPECT_FALSE(info->needs_positions()) << key;
    }
  }
  EXPECT_EQ(used["left"], 4u);
  EXPECT_EQ(used["right"], 3u);
  // Timing: one step every 0.5 s, swing 1 s - stance.
  ASSERT_TRUE(r->timing.cadence_steps_per_min);
  EXPECT_NEAR(*r->timing.cadence_steps_per_min, 120.0, 0.01);
  ASSERT_TRUE(r->timing.left.swing_s);
  EXPECT_NEAR(r->timing.left.swing_s->median, 0.4 + 2 * lead, 2e-4);
  for (const FootSummary& foot : r->feet) {
    EXPECT_EQ(foot.positions_unknown, "not in the file");
    ASSERT_TRUE(foot.median("stance_s"));
    ASSERT_TRUE(foot.median("cop_path_length_normalised"));
    EXPECT_FALSE(foot.median("toe_first_percent"));  // needs the heel band
    for (const char* key : {"arch_index", "foot_length_mm", "cpei_percent", "mlpi", "heel_peak_kpa", "toe_first_percent",
                            "cop_path_length_mm"}) {
      EXPECT_FALSE(foot.median(key)) << key;
      EXPECT_EQ(missing_reason(*r, foot, key).reason, "not available: sensor positions unknown (not in the file)") << key;
    }
    EXPECT_TRUE(missing_reason(*r, foot, "stance_s").reason.empty());
  }
  const std::string warning =
      "stream 'left': sensor positions and areas unknown (not in the file): contacts, gait events and timing from "
      "the vendor's total force, COP path from the vendor's COP in normalised insole units; measures that need "
      "sensor positions are not available";
  EXPECT_NE(std::find(r->quality.warnings.begin(), r->quality.warnings.end(), warning), r->quality.warnings.end());
}

// The streaming analysis (what `insole analyze` runs) gives the same contacts as analyze(); vendor
// channels whose length is not the stream's are refused.
TEST(AnalyzeVendorChannels, StreamingGivesTheSameResult) {
  const Recording rec = test::insoles_with_vendor_channels(400);
  auto whole = analyze(rec);
  ASSERT_TRUE(whole) << whole.error().message;
  std::vector<StreamInfo> infos;
  std::vector<const VendorChannels*> vendor;
  for (const auto& s : rec.streams) {
    infos.push_back(s.info);
    vendor.push_back(&*s.vendor);
  }
  auto provider = [&]() {
    return [&, stream = std::size_t{0}, next = Eigen::Index{0}]() mutable -> Result<std::optional<FrameChunk>> {
      while (stream < rec.streams.size() && next >= rec.streams[stream].frame_count()) {
        ++stream;
        next = 0;
      }
      if (stream >= rec.streams.size()) return std::optional<FrameChunk>{};
      const Stream& s = rec.streams[stream];
      const Eigen::Index n = std::min<Eigen::Index>(37, s.frame_count() - next);
      FrameChunk c;
      c.stream = stream;
      c.time_s = s.time_s.segment(next, n);
      c.pressure_kpa = s.pressure_kpa.middleRows(next, n);
      next += n;
      return std::optional<FrameChunk>(std::move(c));
    };
  };
  auto streamed = analyze_stream(rec.meta, infos, provider(), {}, vendor);
  ASSERT_TRUE(streamed) << streamed.error().message;
  ASSERT_EQ(streamed->footfalls.size(), whole->footfalls.size());
  for (std::size_t i = 0; i < whole->footfalls.size(); ++i) {
    EXPECT_EQ(streamed->footfalls[i].footfall.first_frame, whole->footfalls[i].footfall.first_frame);
    EXPECT_EQ(streamed->footfalls[i].events.ic_s, whole->footfalls[i].events.ic_s);
    EXPECT_EQ(streamed->footfalls[i].measures, whole->footfalls[i].measures);
  }
  EXPECT_EQ(streamed->quality.warnings, whole->quality.warnings);
  // Without the vendor channels the stream has nothing to go on (as before).
  auto without = analyze_stream(rec.meta, infos, provider());
  ASSERT_TRUE(without);
  EXPECT_FALSE(without->has_usable_contact());
  // Vendor channels one row short.
  VendorChannels short_v = *rec.streams[0].vendor;
  short_v.total_force_n.conservativeResize(short_v.total_force_n.size() - 1);
  short_v.cop_normalised.conservativeResize(short_v.cop_normalised.rows() - 1, 2);
  vendor[0] = &short_v;
  auto bad = analyze_stream(rec.meta, infos, provider(), {}, vendor);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::format_error);
  EXPECT_NE(bad.error().message.find("vendor channels have 399 rows for 400 frames"), std::string::npos)
      << bad.error().message;
  // In memory, Stream::validate() refuses the same.
  Recording broken = rec;
  broken.streams[0].vendor = short_v;
  EXPECT_FALSE(analyze(broken));
}

// Vendor channels as a damaged or hostile file may hold them (an HDF5 file's float64 values are not
// range-checked on reading): huge, infinite and NaN forces and COPs give a result, not undefined
// behaviour (the sanitizer build checks the float conversions).
TEST(AnalyzeVendorChannels, AbsurdValuesGiveAResult) {
  Recording rec = test::insoles_with_vendor_channels(300);
  VendorChannels& v = *rec.streams[0].vendor;
  v.total_force_n[50] = 1e300;
  v.total_force_n[51] = std::numeric_limits<double>::infinity();
  v.total_force_n[52] = -1e300;
  v.total_force_n[53] = std::numeric_limits<double>::quiet_NaN();
  v.cop_normalised(54, 0) = 1e308;
  v.cop_normalised(55, 1) = -1e308;
  v.cop_normalised(56, 0) = std::numeric_limits<double>::infinity();
  auto r = analyze(rec);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->has_usable_contact());
  for (const auto& fa : r->footfalls)
    for (const auto& [key, value] : fa.measures) EXPECT_TRUE(std::isfinite(value)) << key;
}

// AnalysisParams::boundary_force_share (10 %): a walking contact cut by the recording's start is
// used when its force at the first frame is at most 10 % of its peak, and rejected as partial
// above. The ratios are computed here from the frames (sum of p * A over the contact's sensels),
// and the recording is cropped to start at a frame on each side of the boundary.
TEST(AnalyzeBoundary, ContactCutByTheStartIsUsedOnlyWhenLightAtTheCut) {
  const Case& c = walk_case(0.0, false);
  const Stream& mat = c.sim.recording.streams[0];
  const Eigen::VectorXd& area = mat.info.layout.areas_mm2();
  const FootfallAnalysis* chosen = nullptr;
  Eigen::Index light = -1, heavy = -1;
  double light_ratio = 0, heavy_ratio = 0;
  for (const auto& fa : c.result.footfalls) {
    const Footfall& ff = fa.footfall;
    if (!ff.reject_reason.empty() || fa.standing || ff.first_frame < 2) continue;
    std::vector<double> force;
    for (Eigen::Index f = ff.first_frame; f <= ff.last_frame; ++f) {
      double sum = 0;
      for (Eigen::Index j : ff.sensels) sum += std::max(0.0f, mat.pressure_kpa(f, j)) * area[j] * 1e-3;
      force.push_back(sum);
    }
    const auto peak_at = std::max_element(force.begin(), force.end()) - force.begin();
    const double peak = force[static_cast<std::size_t>(peak_at)];
    light = heavy = -1;
    for (Eigen::Index k = 0; k < peak_at; ++k) {  // the loading phase
      const double ratio = force[static_cast<std::size_t>(k)] / peak;
      if (ratio > 0.0 && ratio <= 0.08) light = ff.first_frame + k, light_ratio = ratio;
      if (ratio >= 0.15 && ratio <= 0.9 && heavy < 0) heavy = ff.first_frame + k, heavy_ratio = ratio;
    }
    if (light >= 0 && heavy > light) {
      chosen = &fa;
      break;
    }
  }
  ASSERT_NE(chosen, nullptr) << "no contact with frames on both sides of 10 % of its peak force";
  std::cout << "[boundary] crop at " << light_ratio << " and at " << heavy_ratio << " of the peak force\n";
  auto crop = [&](Eigen::Index from) {
    Recording rec = c.sim.recording;
    Stream& s = rec.streams[0];
    const Eigen::Index n = s.frame_count() - from;
    s.time_s = Eigen::VectorXd(s.time_s.tail(n));
    s.pressure_kpa = FrameMatrix(s.pressure_kpa.bottomRows(n));
    auto r = analyze(rec);
    if (!r) throw std::runtime_error(r.error().message);
    return std::move(*r);
  };
  // The chosen contact is the one loaded in the cropped recording's first frame on most of the
  // chosen contact's sensels.
  const std::set<Eigen::Index> own(chosen->footfall.sensels.begin(), chosen->footfall.sensels.end());
  auto find = [&](const AnalysisResult& r) -> const FootfallAnalysis* {
    for (const auto& fa : r.footfalls) {
      if (fa.footfall.first_frame != 0 || !fa.footfall.flags.time_start) continue;
      std::size_t shared = 0;
      for (Eigen::Index j : fa.footfall.sensels) shared += own.count(j);
      if (2 * shared > own.size()) return &fa;
    }
    return nullptr;
  };
  const AnalysisResult light_r = crop(light);
  const FootfallAnalysis* used = find(light_r);
  ASSERT_NE(used, nullptr);
  EXPECT_EQ(used->footfall.reject_reason, "");
  bool warned = false;
  for (const auto& w : light_r.quality.warnings) warned = warned || w.find("cut by the start or end") != std::string::npos;
  EXPECT_TRUE(warned);
  const AnalysisResult heavy_r = crop(heavy);
  const FootfallAnalysis* rejected = find(heavy_r);
  ASSERT_NE(rejected, nullptr);
  EXPECT_EQ(rejected->footfall.reject_reason, "partial: already in contact at the start of the recording");
  EXPECT_TRUE(rejected->measures.empty());
}

TEST(AnalyzeQuality, SaturatedAndDeadSensels) {
  // A 12 x 12 grid with a loaded 8 x 8 block; sensel (5,5) never reads (dead) and (3,3) is
  // clipped at the device maximum of 400 kPa for the whole contact.
  Recording rec;
  Stream s;
  s.info.name = "mat";
  s.info.side = Side::both;
  s.info.layout = SensorLayout::grid(12, 12, 5.0, 5.0).value();
  for (int f = 0; f < 30; ++f) {
    Eigen::VectorXf p = Eigen::VectorXf::Zero(144);
    if (f >= 5 && f < 25)
      for (int r = 2; r < 10; ++r)
        for (int c = 2; c < 10; ++c) p[r * 12 + c] = 100.0f + 10.0f * static_cast<float>(f % 5);
    if (f >= 5 && f < 25) p[3 * 12 + 3] = 400.0f;
    p[5 * 12 + 5] = 0.0f;
    s.append(0.01 * f, p);
  }
  rec.streams.push_back(std::move(s));
  auto r = analyze(rec);
  ASSERT_TRUE(r);
  const auto& q = r->quality.streams[0];
  EXPECT_EQ(q.saturated_sensels, std::vector<Eigen::Index>{3 * 12 + 3});
  EXPECT_EQ(q.dead_sensels, std::vector<Eigen::Index>{5 * 12 + 5});
  EXPECT_GE(r->quality.warnings.size(), 2u);
}

TEST(AnalyzeQuality, APlateauBrokenByAnUnloadedFrameIsNotSaturation) {
  // Sensel (3,3) reads the stream's maximum, 400 kPa, for two frames, the mat is then unloaded
  // for three frames, and the sensel reads 400 for two more: two runs of 2, below the 3 frames
  // that make a plateau (saturation_run_frames). Unloaded blocks of readings are passed over
  // without a branch per reading; the run must still end there. The same frames with the gap
  // loaded instead make one run of 7 (frames 5 to 11): saturated.
  for (const bool gap_unloaded : {true, false}) {
    Recording rec;
    Stream s;
    s.info.name = "mat";
    s.info.side = Side::both;
    s.info.layout = SensorLayout::grid(16, 16, 5.0, 5.0).value();
    for (int f = 0; f < 30; ++f) {
      Eigen::VectorXf p = Eigen::VectorXf::Zero(256);
      const bool loaded = f >= 5 && f < 25 && !(gap_unloaded && f >= 7 && f < 10);
      if (loaded)
        for (int r = 2; r < 10; ++r)
          for (int c = 2; c < 10; ++c) p[r * 16 + c] = 100.0f + 10.0f * static_cast<float>(f % 5);
      if (f >= 5 && f < 12 && loaded) p[3 * 16 + 3] = 400.0f;
      s.append(0.01 * f, p);
    }
    rec.streams.push_back(std::move(s));
    const std::vector<Eigen::Index> expected =
        gap_unloaded ? std::vector<Eigen::Index>{} : std::vector<Eigen::Index>{3 * 16 + 3};
    auto whole = analyze(rec);
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->quality.streams[0].saturated_sensels, expected) << "gap unloaded: " << gap_unloaded;
    for (const Eigen::Index chunk : {1, 7}) {
      auto streamed = stream_recording(rec, chunk, {});
      ASSERT_TRUE(streamed);
      EXPECT_EQ(streamed->quality.streams[0].saturated_sensels, expected)
          << "gap unloaded: " << gap_unloaded << ", chunks of " << chunk;
    }
  }
}

// PhysioNet gaitpdb (Goldberger et al. 2000; Frenkel-Toledo et al. 2005): 100 Hz, 8 force
// sensors under each foot (N). Columns: time, L1..L8, R1..R8, total left, total right.
TEST(AnalyzePhysionet, StrideTimeOfARealWalk) {
  const std::string rel = "physionet_gaitpdb/GaCo01_01.txt";
  INSOLE_REQUIRE_SHARED_DATA(rel);
  const auto rows = test::read_gaitpdb_rows(test::shared_data(rel));
  ASSERT_GT(rows.size(), 1000u);

  // Sensor positions from the dataset description (arbitrary units; x medial-lateral, y heel to
  // toe), taken as tenths of millimetres here; each sensor is treated as a 1000 mm^2 pad so that
  // a reading of F newtons is F kPa (F = p * A * 1e-3).
  const double xy[8][2] = {{-500, -800}, {-700, -400}, {-300, -400}, {-700, 0},
                           {-300, 0},    {-700, 400},  {-300, 400},  {-500, 800}};
  Recording rec;
  for (int foot_i = 0; foot_i < 2; ++foot_i) {
    Eigen::MatrixX2d pos(8, 2);
    for (int k = 0; k < 8; ++k) {
      pos(k, 0) = (foot_i == 0 ? 1.0 : -1.0) * xy[k][0] / 10.0;  // left foot: mirror
      pos(k, 1) = xy[k][1] / 10.0 + 100.0;
    }
    Stream s;
    s.info.name = foot_i == 0 ? "left" : "right";
    s.info.side = foot_i == 0 ? Side::left : Side::right;
    s.info.sample_rate_hz = 100.0;
    s.info.layout = SensorLayout::sensors(pos, Eigen::VectorXd::Constant(8, 1000.0)).value();
    s.time_s.resize(static_cast<Eigen::Index>(rows.size()));
    s.pressure_kpa.resize(static_cast<Eigen::Index>(rows.size()), 8);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      s.time_s[static_cast<Eigen::Index>(i)] = rows[i][0];
      for (int k = 0; k < 8; ++k)
        s.pressure_kpa(static_cast<Eigen::Index>(i), k) = static_cast<float>(rows[i][1 + 8 * foot_i + k]);
    }
    rec.streams.push_back(std::move(s));
  }
  auto r = analyze(rec);
  ASSERT_TRUE(r) << r.error().message;

  // Independent stride time from the raw total-force columns: upward crossings of half the
  // force range, strides = differences of successive crossings.
  for (int foot_i = 0; foot_i < 2; ++foot_i) {
    const int col = 17 + foot_i;
    double lo = 1e9, hi = -1e9;
    for (const auto& v : rows) {
      lo = std::min(lo, v[col]);
      hi = std::max(hi, v[col]);
    }
    const double thr = lo + 0.5 * (hi - lo);
    std::vector<double> up;
    for (std::size_t i = 1; i < rows.size(); ++i)
      if (rows[i - 1][col] < thr && rows[i][col] >= thr) up.push_back(rows[i][0]);
    std::vector<double> strides;
    for (std::size_t i = 1; i < up.size(); ++i)
      if (up[i] - up[i - 1] < 2.5) strides.push_back(up[i] - up[i - 1]);
    const double expected = summarize(strides)->median;
    EXPECT_NEAR(expected, 1.23, 0.05);  // the known cadence of this control subject's walk
    const SideTiming& t = foot_i == 0 ? r->timing.left : r->timing.right;
    ASSERT_TRUE(t.stride_s);
    EXPECT_NEAR(t.stride_s->median, expected, 0.02);
    EXPECT_GT(t.stride_s->n, 50u);
    ASSERT_TRUE(t.double_support_percent);
    EXPECT_GT(t.double_support_percent->median, 10.0);
    EXPECT_LT(t.double_support_percent->median, 35.0);
  }
  ASSERT_TRUE(r->timing.stance_symmetry_percent);
  EXPECT_LT(*r->timing.stance_symmetry_percent, 10.0);  // a healthy control walks symmetrically
}

}  // namespace
}  // namespace insole::analysis
