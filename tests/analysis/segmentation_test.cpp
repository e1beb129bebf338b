#include "insole/analysis/segmentation.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "footprint_builder.hpp"
#include "insole/analysis/frame_view.hpp"
#include "insole/sim/simulator.hpp"
#include "support/shared_data.hpp"

namespace insole::analysis {
namespace {

using test::Placement;
using test::Shape;

// A contact: a footprint, where it lies, and the frames during which it is loaded.
struct Contact {
  Shape shape;
  Placement at;
  int first, last;  // frames, inclusive
};

struct Built {
  Stream stream;
  std::vector<Eigen::VectorXf> prints;  // rendered footprint of each contact
};

// Frame f holds each loaded contact's footprint scaled by a smooth loading curve that stays at
// or above 0.5 inside [first, last] (so the footprint never leaves) and is 0 outside.
Built make_mat(int rows, int cols, int frames, const std::vector<Contact>& contacts) {
  Built b;
  b.stream.info.name = "mat";
  b.stream.info.side = Side::both;
  b.stream.info.sample_rate_hz = 100;
  b.stream.info.layout = SensorLayout::grid(rows, cols, 5.0, 5.0).value();
  for (const auto& c : contacts) b.prints.push_back(test::render(b.stream.info.layout, c.shape, c.at));
  for (int f = 0; f < frames; ++f) {
    Eigen::VectorXf p = Eigen::VectorXf::Zero(b.stream.info.layout.sensor_count());
    for (std::size_t k = 0; k < contacts.size(); ++k) {
      const auto& c = contacts[k];
      if (f < c.first || f > c.last) continue;
      const double x = c.last > c.first ? double(f - c.first) / double(c.last - c.first) : 0.5;
      p += b.prints[k] * static_cast<float>(0.5 + 0.5 * std::sin(M_PI * x));
    }
    b.stream.append(f * 0.01, p);
  }
  return b;
}

// Sensels a contact loads above the 5 kPa activity threshold at its lightest (scale 0.5).
std::vector<Eigen::Index> loaded(const Eigen::VectorXf& print) {
  std::vector<Eigen::Index> v;
  for (Eigen::Index s = 0; s < print.size(); ++s)
    if (print[s] * 0.5f > 5.0f) v.push_back(s);
  return v;
}

Placement at(double x, double y, double angle = 0.0) {
  Placement p;
  p.origin_mm = {x, y};
  p.angle_deg = angle;
  return p;
}

TEST(Segmentation, TwoFootfallsInSpaceAndTime) {
  const auto b = make_mat(80, 120, 25,
                          {{test::rectangle_foot(false), at(150, 50), 3, 12},
                           {test::rectangle_foot(false), at(350, 80), 10, 20}});
  const auto ffs = find_footfalls(b.stream, 0);
  ASSERT_EQ(ffs.size(), 2u);
  EXPECT_EQ(ffs[0].first_frame, 3);
  EXPECT_EQ(ffs[0].last_frame, 12);
  EXPECT_NEAR(ffs[0].start_s, 0.03, 1e-12);
  EXPECT_NEAR(ffs[0].end_s, 0.12, 1e-12);
  EXPECT_EQ(ffs[1].first_frame, 10);
  EXPECT_EQ(ffs[1].last_frame, 20);
  EXPECT_EQ(ffs[0].sensels, loaded(b.prints[0]));
  EXPECT_EQ(ffs[1].sensels, loaded(b.prints[1]));
  for (const auto& ff : ffs) {
    EXPECT_FALSE(ff.partial);
    EXPECT_TRUE(ff.reject_reason.empty()) << ff.reject_reason;
    EXPECT_EQ(ff.stream, 0u);
  }
  // Symmetric prints give no shape evidence; the second step lies to the right of the first in
  // the walking direction (+y, right = +x): left then right.
  EXPECT_EQ(ffs[0].side, Side::left);
  EXPECT_EQ(ffs[1].side, Side::right);
  EXPECT_NE(ffs[0].side_reason.find("alternation"), std::string::npos);
}

// A high-arched foot: heel and forefoot never touch each other and load at different times.
TEST(Segmentation, HeelAndForefootPiecesAreOneFoot) {
  Shape heel, fore;
  heel.boxes = {{-30, 30, 0, 80, 100}};
  fore.boxes = {{-45, 45, 160, 240, 100}};
  const auto b = make_mat(80, 80, 25, {{heel, at(200, 50), 2, 10}, {fore, at(200, 50), 5, 15}});
  const auto ffs = find_footfalls(b.stream, 0);
  ASSERT_EQ(ffs.size(), 1u);
  EXPECT_EQ(ffs[0].first_frame, 2);
  EXPECT_EQ(ffs[0].last_frame, 15);
  auto expected = loaded(b.prints[0]);
  const auto f2 = loaded(b.prints[1]);
  expected.insert(expected.end(), f2.begin(), f2.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ffs[0].sensels, expected);
}

// Two feet at once, side by side, facing +y (subject's right = +x): the left foot is at smaller x.
TEST(Segmentation, StandingTwoFeet) {
  const auto b = make_mat(80, 100, 40,
                          {{test::rectangle_foot(true), at(150, 60), 2, 37},
                           {test::rectangle_foot(true), at(330, 60), 2, 37}});
  const auto ffs = find_footfalls(b.stream, 0);
  ASSERT_EQ(ffs.size(), 2u);
  int left = 0, right = 0;
  for (const auto& ff : ffs) {
    EXPECT_EQ(ff.first_frame, 2);
    EXPECT_EQ(ff.last_frame, 37);
    const double x = b.stream.info.layout.centres_mm()(ff.sensels.front(), 0);
    if (ff.side == Side::left) {
      ++left;
      EXPECT_LT(x, 250.0);
    } else if (ff.side == Side::right) {
      ++right;
      EXPECT_GT(x, 250.0);
    }
    EXPECT_NE(ff.side_reason.find("standing"), std::string::npos);
  }
  EXPECT_EQ(left, 1);
  EXPECT_EQ(right, 1);
}

TEST(Segmentation, PartialFootfallsAreFlaggedNotDropped) {
  const auto b = make_mat(80, 140, 30,
                          {{test::rectangle_foot(false), at(20, 60), 5, 15},    // off the left edge
                           {test::rectangle_foot(false), at(250, 60), 0, 10},   // from frame 0
                           {test::rectangle_foot(false), at(500, 60), 20, 29}}); // to the end
  const auto ffs = find_footfalls(b.stream, 0);
  ASSERT_EQ(ffs.size(), 3u);
  for (const auto& ff : ffs) EXPECT_TRUE(ff.partial);
  EXPECT_NE(ffs[0].reject_reason.find("start of the recording"), std::string::npos);
  EXPECT_NE(ffs[1].reject_reason.find("edge"), std::string::npos);
  EXPECT_NE(ffs[2].reject_reason.find("end of the recording"), std::string::npos);
  EXPECT_EQ(ffs[2].last_frame, 29);
  // The same as data: one flag each, nothing else.
  EXPECT_TRUE(ffs[0].flags.time_start && !ffs[0].flags.time_end && !ffs[0].flags.cut_in_space());
  EXPECT_TRUE(ffs[1].flags.edge && !ffs[1].flags.absent_sensel && !ffs[1].flags.cut_in_time());
  EXPECT_TRUE(ffs[2].flags.time_end && !ffs[2].flags.time_start && !ffs[2].flags.cut_in_space());
  for (const auto& ff : ffs) {
    EXPECT_EQ(ff.partial, ff.flags.partial());
    EXPECT_FALSE(ff.flags.too_short_or_small());
  }
}

// A footprint next to an absent (masked) sensel inside the grid was not seen whole: flagged as
// such, not as touching the edge.
TEST(Segmentation, AbsentSenselNeighbourIsFlagged) {
  Built b = make_mat(80, 80, 20, {{test::rectangle_foot(false), at(200, 60), 4, 14}});
  std::vector<bool> present(static_cast<std::size_t>(b.stream.info.layout.sensor_count()), true);
  // The heel covers x 170..230, y 60..140 mm; sensel (row 20, col 46) covers x 230..235,
  // y 100..105: just beside it, unloaded, and now absent.
  present[static_cast<std::size_t>(b.stream.info.layout.index(20, 46))] = false;
  ASSERT_TRUE(b.stream.info.layout.set_present(present).ok());
  b.stream.pressure_kpa.col(b.stream.info.layout.index(20, 46)).setConstant(std::nanf(""));
  const auto ffs = find_footfalls(b.stream, 0);
  ASSERT_EQ(ffs.size(), 1u);
  EXPECT_TRUE(ffs[0].flags.absent_sensel);
  EXPECT_FALSE(ffs[0].flags.edge);
  EXPECT_TRUE(ffs[0].partial);
  EXPECT_NE(ffs[0].reject_reason.find("absent sensel"), std::string::npos);
}

TEST(Segmentation, NoiseIsNotAFootfall) {
  Built b = make_mat(40, 40, 10, {});
  b.stream.pressure_kpa(4, 100) = 200.0f;  // a lone sensel
  b.stream.pressure_kpa(6, 300) = 50.0f;   // a two-sensel blob for one frame
  b.stream.pressure_kpa(6, 301) = 50.0f;
  const auto ffs = find_footfalls(b.stream, 0);
  ASSERT_EQ(ffs.size(), 1u);
  EXPECT_EQ(ffs[0].first_frame, 6);
  EXPECT_NE(ffs[0].reject_reason.find("too short"), std::string::npos);
  EXPECT_NE(ffs[0].reject_reason.find("too small"), std::string::npos);
  EXPECT_TRUE(ffs[0].flags.too_short && ffs[0].flags.too_small && !ffs[0].flags.partial());
  EXPECT_EQ(ffs[0].side, Side::unknown);
}

// Four steps along +x (subject's right = -y), right foot first.
std::vector<Contact> four_steps(const Shape& right, const Shape& left, double step_width) {
  std::vector<Contact> c;
  for (int k = 0; k < 4; ++k) {
    const bool is_right = k % 2 == 0;
    const double y = 200.0 + (is_right ? -0.5 : 0.5) * step_width;
    c.push_back({is_right ? right : left, at(20.0 + 290.0 * k, y, -90.0), 2 + 8 * k, 14 + 8 * k});
  }
  return c;
}

void expect_right_left_right_left(const std::vector<Footfall>& ffs, const char* evidence) {
  ASSERT_EQ(ffs.size(), 4u);
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(ffs[static_cast<std::size_t>(k)].side, k % 2 == 0 ? Side::right : Side::left)
        << k << " " << ffs[static_cast<std::size_t>(k)].side_reason;
    EXPECT_NE(ffs[static_cast<std::size_t>(k)].side_reason.find(evidence), std::string::npos)
        << ffs[static_cast<std::size_t>(k)].side_reason;
  }
}

TEST(Segmentation, WalkingSidesFromShapeAndAlternation) {
  const Shape r = test::asymmetric_right_foot();
  const Shape l = test::mirrored(r);
  // All on one line: only the foot shapes can tell the sides.
  auto b = make_mat(80, 240, 50, four_steps(r, l, 0.0));
  auto ffs = find_footfalls(b.stream, 0);
  expect_right_left_right_left(ffs, "shape agrees 4/4");
  // Symmetric prints: only the step width can tell.
  b = make_mat(80, 240, 50, four_steps(test::rectangle_foot(true), test::rectangle_foot(true), 100));
  ffs = find_footfalls(b.stream, 0);
  expect_right_left_right_left(ffs, "step width agrees 4/4");
  // Both, walking the other way round (-x): the subject's right is now +y.
  auto steps = four_steps(r, l, -100.0);
  for (auto& c : steps) {
    c.at.angle_deg = 90.0;
    c.at.origin_mm.x() = 1200.0 - c.at.origin_mm.x();
  }
  b = make_mat(80, 240, 50, steps);
  ffs = find_footfalls(b.stream, 0);
  expect_right_left_right_left(ffs, "alternation over 4");
}

// The incremental segmenter gives the same footfalls whatever the first frame index.
TEST(Segmentation, IncrementalWithFrameOffset) {
  const auto b = make_mat(80, 120, 25,
                          {{test::rectangle_foot(false), at(150, 50), 3, 12},
                           {test::rectangle_foot(false), at(350, 80), 10, 20}});
  MatSegmenter seg(b.stream.info.layout, 3);
  std::vector<TrackedFootfall> got;
  for (Eigen::Index f = 0; f < b.stream.frame_count(); ++f) {
    seg.push(1000 + f, b.stream.time_s[f], b.stream.pressure_kpa.row(f).transpose());
    for (auto& t : seg.take_finished()) got.push_back(std::move(t));
  }
  // Both contacts ended more than max_gap_frames before the last frame: already finished.
  EXPECT_EQ(got.size(), 2u);
  for (auto& t : seg.finish()) got.push_back(std::move(t));
  ASSERT_EQ(got.size(), 2u);
  assign_mat_sides(b.stream.info.layout, got);
  EXPECT_EQ(got[0].footfall.first_frame, 1003);
  EXPECT_EQ(got[1].footfall.last_frame, 1020);
  EXPECT_EQ(got[0].footfall.stream, 3u);
  EXPECT_EQ(got[0].footfall.sensels, loaded(b.prints[0]));
  // The tracked peak is the per-sensel maximum. Frames 3..12 sample the loading curve at
  // x = k/9, whose largest value is 0.5 + 0.5 sin(4 pi / 9) = 0.99240.
  const float top = static_cast<float>(0.5 + 0.5 * std::sin(4.0 * M_PI / 9.0));
  for (std::size_t k = 0; k < got[0].footfall.sensels.size(); ++k)
    EXPECT_NEAR(got[0].peak_kpa[k], b.prints[0][got[0].footfall.sensels[k]] * top, 1e-3);
  const auto peak = peak_footprint(b.stream, find_footfalls(b.stream, 0)[0]);
  for (Eigen::Index s = 0; s < peak.size(); ++s)
    EXPECT_NEAR(peak[s], std::binary_search(got[0].footfall.sensels.begin(),
                                            got[0].footfall.sensels.end(), s)
                             ? b.prints[0][s] * top
                             : 0.0f,
                1e-3);
  // The loading sequence tracked on the fly equals the one read back from the frames: every
  // sensel of this footprint is loaded from frame 3 (0.03 s) to frame 12 (0.12 s).
  const auto ff0 = find_footfalls(b.stream, 0)[0];
  const LoadTiming lt = load_timing(b.stream, ff0, 5.0);
  ASSERT_EQ(got[0].first_loaded_s.size(), got[0].footfall.sensels.size());
  ASSERT_EQ(got[0].last_loaded_s.size(), got[0].footfall.sensels.size());
  for (std::size_t k = 0; k < got[0].footfall.sensels.size(); ++k) {
    EXPECT_NEAR(got[0].first_loaded_s[k], 0.03, 1e-12);
    EXPECT_NEAR(got[0].last_loaded_s[k], 0.12, 1e-12);
    EXPECT_EQ(lt.first_loaded_s[got[0].footfall.sensels[k]], got[0].first_loaded_s[k]);
    EXPECT_EQ(lt.last_loaded_s[got[0].footfall.sensels[k]], got[0].last_loaded_s[k]);
  }
  EXPECT_TRUE(std::isnan(lt.first_loaded_s[0]));  // corner sensel, never loaded
}

// Insole stances from total force. Four sensors of 100 mm2; frame force = 4 * p * 100 * 1e-3 N.
// p (kPa) per frame: 50 50 0 0 10 100 500 600 300 20 0 0 200 200 1 -> F = 20 20 0 0 4 40 200 240
// 120 8 0 0 80 80 0.4 N. Threshold = 0 + 0.10 * (240 - 0) = 24 N: the frames with F > 24 are
// 5-8 and 12-13; frames 0-1 (20 N) are below.
TEST(Segmentation, InsoleStancesFromTotalForce) {
  Stream st;
  st.info.name = "left";
  st.info.side = Side::left;
  st.info.sample_rate_hz = 100;
  Eigen::MatrixX2d xy(4, 2);
  xy << 0, 0, 0, 100, -20, 180, 20, 180;
  st.info.layout = SensorLayout::sensors(xy, Eigen::VectorXd::Constant(4, 100.0)).value();
  const float p[] = {50, 50, 0, 0, 10, 100, 500, 600, 300, 20, 0, 0, 200, 200, 1};
  for (int f = 0; f < 15; ++f) st.append(f * 0.01, Eigen::VectorXf::Constant(4, p[f]));
  EXPECT_TRUE(is_insole_stream(st.info));
  auto ffs = find_footfalls(st, 1);
  ASSERT_EQ(ffs.size(), 2u);
  EXPECT_EQ(ffs[0].first_frame, 5);
  EXPECT_EQ(ffs[0].last_frame, 8);
  EXPECT_EQ(ffs[1].first_frame, 12);
  EXPECT_EQ(ffs[1].last_frame, 13);
  EXPECT_EQ(ffs[0].side, Side::left);
  EXPECT_EQ(ffs[0].sensels.size(), 4u);
  EXPECT_EQ(ffs[1].stream, 1u);
  // Stance 12-13 is 2 frames: too short (min 3), flagged, kept.
  EXPECT_NE(ffs[1].reject_reason.find("too short"), std::string::npos);
  EXPECT_TRUE(ffs[1].flags.too_short);
  EXPECT_FALSE(ffs[0].flags.too_short || ffs[0].flags.partial());
  // Absolute threshold of 15 N: frames 0-1 (20 N) become a stance that starts with the recording.
  SegmentationParams prm;
  prm.force_threshold_n = 15.0;
  ffs = find_footfalls(st, 1, prm);
  ASSERT_EQ(ffs.size(), 3u);
  EXPECT_TRUE(ffs[0].partial);
  EXPECT_TRUE(ffs[0].flags.time_start && !ffs[0].flags.cut_in_space());
  EXPECT_NE(ffs[0].reject_reason.find("start"), std::string::npos);
}

// Tekscan F-Scan insole walk (GallVp/footPress, MIT): stance frames with a 50 N threshold as
// listed in /work/shared/data/README.md section 1, read from the file by the README's author
// (1-based "on" = first frame above, "off" = first frame below). The .asf is parsed minimally
// here (test-local reader); the full importer belongs to the io module.
Stream read_fscan(const std::filesystem::path& path, Side side) {
  std::ifstream in(path, std::ios::binary);
  Stream st;
  st.info.side = side;
  st.info.sample_rate_hz = 31.25;
  st.info.layout = SensorLayout::grid(60, 21, 5.08, 5.08).value();
  std::string line;
  std::vector<float> frame;
  int frame_no = 0;
  auto flush = [&] {
    if (frame.size() == 60 * 21) {
      st.append((frame_no - 1) * 0.032,
                Eigen::Map<Eigen::VectorXf>(frame.data(), static_cast<Eigen::Index>(frame.size())));
    }
    frame.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("Frame ", 0) == 0) {
      flush();
      frame_no = std::stoi(line.substr(6));
      continue;
    }
    if (frame_no == 0 || line.empty() || line == "@@") continue;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ','))
      frame.push_back(cell == "B" ? std::numeric_limits<float>::quiet_NaN() : std::stof(cell));
  }
  flush();
  if (st.frame_count() > 0) {  // 'B' cells lie outside the trimmed insole outline
    std::vector<bool> present(static_cast<std::size_t>(st.pressure_kpa.cols()));
    for (Eigen::Index s = 0; s < st.pressure_kpa.cols(); ++s)
      present[static_cast<std::size_t>(s)] = !std::isnan(st.pressure_kpa(0, s));
    EXPECT_TRUE(st.info.layout.set_present(present).ok());
  }
  return st;
}

TEST(Segmentation, FscanInsoleStancesMatchTheListedFrames) {
  INSOLE_REQUIRE_SHARED_DATA("tekscan_fscan_footpress/FrasP01L.asf");
  INSOLE_REQUIRE_SHARED_DATA("tekscan_fscan_footpress/FrasP01R.asf");
  SegmentationParams prm;
  prm.force_threshold_n = 50.0;
  struct Case {
    const char* file;
    Side side;
    std::vector<std::pair<int, int>> stances;  // 0-based first, last
  };
  // L: starts in stance, off 15, on 30, off 52, on 66, off 87, on 101, off 123, on 137, off 158,
  //    on 172, off 196.  R: on 10, off 35, on 48, off 70, on 84, off 105, on 119, off 141,
  //    on 154, off 177, on 190 (to the end, frame 205). First = on - 1, last = off - 2.
  const Case cases[] = {
      {"tekscan_fscan_footpress/FrasP01L.asf", Side::left,
       {{0, 13}, {29, 50}, {65, 85}, {100, 121}, {136, 156}, {171, 194}}},
      {"tekscan_fscan_footpress/FrasP01R.asf", Side::right,
       {{9, 33}, {47, 68}, {83, 103}, {118, 139}, {153, 175}, {189, 204}}}};
  for (const auto& c : cases) {
    const Stream st = read_fscan(test::shared_data(c.file), c.side);
    ASSERT_EQ(st.frame_count(), 205) << c.file;
    EXPECT_TRUE(is_insole_stream(st.info));
    const auto ffs = find_footfalls(st, 0, prm);
    ASSERT_EQ(ffs.size(), c.stances.size()) << c.file;
    for (std::size_t k = 0; k < ffs.size(); ++k) {
      EXPECT_EQ(ffs[k].first_frame, c.stances[k].first) << c.file << " stance " << k;
      EXPECT_EQ(ffs[k].last_frame, c.stances[k].second) << c.file << " stance " << k;
      EXPECT_EQ(ffs[k].side, c.side);
      EXPECT_EQ(ffs[k].sensels.size(), 955u);  // cells inside the insole outline
    }
    EXPECT_TRUE(ffs.front().partial || ffs.back().partial);
    // The default threshold (F_min + 10 % of the range, pressuRe threshold_event) finds the same
    // number of stances within two frames of each edge.
    const auto dflt = find_footfalls(st, 0);
    ASSERT_EQ(dflt.size(), c.stances.size()) << c.file;
    for (std::size_t k = 0; k < dflt.size(); ++k) {
      EXPECT_NEAR(double(dflt[k].first_frame), c.stances[k].first, 2.0);
      EXPECT_NEAR(double(dflt[k].last_frame), c.stances[k].second, 2.0);
    }
  }
}

// A 4 s simulated walk at 50 Hz across a 220 x 220 mat, heading 230 degrees (no orientation of
// the feet on the grid assumed).
sim::Simulation walk_on_220_mat(unsigned seed) {
  sim::WalkParams wp;
  wp.duration_s = 4.0;
  wp.sample_rate_hz = 50;
  wp.walk_direction_deg = 230.0;
  wp.seed = seed;
  sim::MatParams mat;
  mat.rows = 220;
  mat.cols = 220;
  return sim::simulate_walk_mat(wp, mat);
}

// A simulated walk (insole::sim ground truth): every footfall the simulator says is fully on the
// mat is found once, with its side and its contact times within two frames; partial ones are
// flagged. Walking direction 230 degrees, i.e. no orientation of the feet on the grid is assumed.
TEST(Segmentation, SimulatedWalkMatchesTruth) {
  const auto simu = walk_on_220_mat(11);
  const Stream& st = simu.recording.streams.at(0);
  const auto ffs = find_footfalls(st, 0);
  const double dt = 1.0 / 50.0;  // walk_on_220_mat samples at 50 Hz
  int complete = 0;
  for (const auto& truth : simu.truth.footfalls) {
    if (truth.partial) continue;
    ++complete;
    // The detected footfall overlapping this one most (successive steps overlap briefly in double
    // support, so plain overlap is not enough).
    const Footfall* best = nullptr;
    double best_overlap = 0.0;
    for (const auto& ff : ffs) {
      const double overlap = std::min(ff.end_s, truth.end_s) - std::max(ff.start_s, truth.start_s);
      if (overlap > best_overlap) {
        best_overlap = overlap;
        best = &ff;
      }
    }
    ASSERT_NE(best, nullptr) << "footfall at " << truth.start_s << " s not found";
    EXPECT_FALSE(best->partial) << best->reject_reason;
    EXPECT_EQ(best->side, truth.side) << best->side_reason;
    EXPECT_NEAR(best->start_s, truth.start_s, 2 * dt);
    EXPECT_NEAR(best->end_s, truth.end_s, 2 * dt);
  }
  // As many footfalls as the simulator made (partial ones included, flagged).
  EXPECT_EQ(ffs.size(), simu.truth.footfalls.size());
  EXPECT_GE(complete, 2);  // a 1.1 m mat holds two complete steps in this walk
}

// find_footfalls on a compact view (only the sensels read in the window are stored, as the
// streaming analysis keeps a window) feeds the segmenter the stored sensels alone (push_stored):
// the footfalls must be exactly those of the dense frames. A simulated walk, sensor noise included.
TEST(Segmentation, CompactViewGivesTheDenseFootfalls) {
  const auto simu = walk_on_220_mat(5);
  const Stream& st = simu.recording.streams.at(0);
  const Eigen::Index n = st.pressure_kpa.cols();
  std::vector<int> column(static_cast<std::size_t>(n), -1);
  std::vector<Eigen::Index> stored;
  for (Eigen::Index s = 0; s < n; ++s)
    if ((st.pressure_kpa.col(s).array() != 0.0f).any()) {
      column[static_cast<std::size_t>(s)] = static_cast<int>(stored.size());
      stored.push_back(s);
    }
  ASSERT_GT(stored.size(), 0u);
  ASSERT_LT(stored.size(), static_cast<std::size_t>(n)) << "the test needs sensels never loaded";
  FrameMatrix compact(st.frame_count(), static_cast<Eigen::Index>(stored.size()));
  for (std::size_t k = 0; k < stored.size(); ++k) compact.col(static_cast<Eigen::Index>(k)) = st.pressure_kpa.col(stored[k]);
  const FrameView view(st.info, st.time_s.data(), st.frame_count(), compact.data(), compact.cols(), column.data(), 0.0f);
  const auto dense = find_footfalls(st, 0);
  const auto sparse = find_footfalls(view, 0);
  ASSERT_GE(dense.size(), 3u);
  ASSERT_EQ(sparse.size(), dense.size());
  for (std::size_t i = 0; i < dense.size(); ++i) {
    EXPECT_EQ(sparse[i].first_frame, dense[i].first_frame) << i;
    EXPECT_EQ(sparse[i].last_frame, dense[i].last_frame) << i;
    EXPECT_EQ(sparse[i].sensels, dense[i].sensels) << i;
    EXPECT_EQ(sparse[i].side, dense[i].side) << i;
    EXPECT_EQ(sparse[i].side_reason, dense[i].side_reason) << i;
  }
  // Stored sensels out of order are refused, not silently mis-tracked.
  MatSegmenter seg(st.info.layout, 0);
  const Eigen::Index bad[] = {5, 3};
  const float v[] = {10.0f, 10.0f};
  EXPECT_THROW(seg.push_stored(0, 0.0, bad, v, 2), std::invalid_argument);
}

}  // namespace
}  // namespace insole::analysis
