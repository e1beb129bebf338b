// Tekscan F-Scan overground walk (../shared/data/tekscan_fscan_footpress, MIT, Rashid et al.
// 2018 footPress): the toolkit's stance phases against the frames listed in the data set's
// README, and the per-stance peak total force against the 75 kg calibration body weight.
#include <gtest/gtest.h>

#include <iostream>
#include <optional>

#include "insole/analysis/analyze.hpp"
#include "insole/importers/importers.hpp"
#include "support/shared_data.hpp"
#include "validation_util.hpp"

namespace insole::test {
namespace {

Recording load(const std::string& rel) {
  auto rec = importers::import_file(shared_data(rel));
  if (!rec) throw std::runtime_error(rec.error().message);
  return std::move(*rec);
}

// Stance phases as 1-based [on, off) frame numbers, the README's convention: "on N" is the first
// frame at or above 50 N, "off N" the first frame below it again.
std::vector<std::pair<int, int>> stances_1based(const Stream& s, double threshold_n) {
  analysis::SegmentationParams p;
  p.force_threshold_n = threshold_n;
  std::vector<std::pair<int, int>> out;
  for (const auto& ff : analysis::find_footfalls(s, 0, p))
    out.emplace_back(int(ff.first_frame) + 1, int(ff.last_frame) + 2);
  return out;
}

TEST(TekscanValidation, StancePhasesMatchTheListedFrames) {
  INSOLE_REQUIRE_SHARED_DATA("tekscan_fscan_footpress/FrasP01L.asf");
  INSOLE_REQUIRE_SHARED_DATA("tekscan_fscan_footpress/FrasP01R.asf");
  const Recording l = load("tekscan_fscan_footpress/FrasP01L.asf");
  const Recording r = load("tekscan_fscan_footpress/FrasP01R.asf");
  ASSERT_TRUE(analysis::is_insole_stream(l.streams[0].info));  // in-shoe grid: stances from total force
  // ../shared/data/README.md section 1, stance on/off frames with a 50 N force threshold:
  // L starts in stance, off 15, on 30, off 52, on 66, off 87, on 101, off 123, on 137, off 158,
  // on 172, off 196; R on 10, off 35, on 48, off 70, on 84, off 105, on 119, off 141, on 154,
  // off 177, on 190 (205 frames: the last stance runs to the end, "off 206").
  // Exact: the same threshold on the same frames must give the same frames.
  EXPECT_EQ(stances_1based(l.streams[0], 50.0),
            (std::vector<std::pair<int, int>>{{1, 15}, {30, 52}, {66, 87}, {101, 123}, {137, 158}, {172, 196}}));
  EXPECT_EQ(stances_1based(r.streams[0], 50.0),
            (std::vector<std::pair<int, int>>{{10, 35}, {48, 70}, {84, 105}, {119, 141}, {154, 177}, {190, 206}}));
}

TEST(TekscanValidation, PeakForceAgainstTheCalibrationBodyWeight) {
  INSOLE_REQUIRE_SHARED_DATA("tekscan_fscan_footpress/FrasP01L.asf");
  INSOLE_REQUIRE_SHARED_DATA("tekscan_fscan_footpress/FrasP01R.asf");
  // The files' CALIBRATION_POINT_1: the walk was calibrated at 75.0001 kg.
  const double body_weight_n = 75.0001 * 9.80665;
  for (const char* rel : {"tekscan_fscan_footpress/FrasP01L.asf", "tekscan_fscan_footpress/FrasP01R.asf"}) {
    const Recording rec = load(rel);
    auto res = analysis::analyze(rec);
    ASSERT_TRUE(res) << res.error().message;
    std::vector<double> peaks_bw;
    for (const auto& fa : res->footfalls) {
      // Stances cut by the recording's ends have no complete force curve. A full stance's peak
      // force is kept even when a later step rejects it (the foot axis, which the force does
      // not depend on); the rejection is printed.
      if (fa.footfall.partial) continue;
      if (!fa.footfall.reject_reason.empty())
        std::cout << "[tekscan " << rel << "] frames " << fa.footfall.first_frame + 1 << ".."
                  << fa.footfall.last_frame + 1 << " rejected by analyze(): " << fa.footfall.reject_reason << "\n";
      peaks_bw.push_back(fa.peak_force_n / body_weight_n);
    }
    std::cout << "[tekscan " << rel << "] full stances " << peaks_bw.size() << ", peak force / BW:";
    for (double x : peaks_bw) std::cout << " " << x;
    std::cout << " (median " << median_of(peaks_bw) << ")\n";
    ASSERT_EQ(peaks_bw.size(), 5u);  // 6 stances per file, one cut by the recording (test above)
    // The peak vertical force of walking is about 1.0-1.3 body weights (the data README's
    // expectation 0.9-1.3 x BW, section 6); in-shoe sensors calibrated on the subject's weight
    // should land in it. Each full stance is checked, not only the largest.
    for (double x : peaks_bw) {
      EXPECT_GE(x, 0.9) << rel;
      EXPECT_LE(x, 1.3) << rel;
    }
  }
}

// An in-shoe grid moves with the foot, so analyze() finds one foot frame per insole stream from
// all its whole stances (analyze.cpp, in_shoe_frame). Every full stance of both insoles must then
// be analysed with the COP running heel -> toe; before that frame, three of the five full right
// stances (frames 11-33, 84-104, 120-139) were rejected as "foot axis reversed".
TEST(TekscanValidation, EveryFullStanceIsAnalysedInOneInShoeFrame) {
  INSOLE_REQUIRE_SHARED_DATA("tekscan_fscan_footpress/FrasP01L.asf");
  INSOLE_REQUIRE_SHARED_DATA("tekscan_fscan_footpress/FrasP01R.asf");
  for (const char* rel : {"tekscan_fscan_footpress/FrasP01L.asf", "tekscan_fscan_footpress/FrasP01R.asf"}) {
    const Recording rec = load(rel);
    auto res = analysis::analyze(rec);
    ASSERT_TRUE(res) << res.error().message;
    int full = 0;
    std::optional<Eigen::Vector2d> u;
    for (const auto& fa : res->footfalls) {
      if (fa.footfall.partial) continue;
      ++full;
      EXPECT_EQ(fa.footfall.reject_reason, "") << rel << " frames " << fa.footfall.first_frame + 1;
      EXPECT_GT(fa.cop_heel_to_toe_mm, 0.0) << rel << " frames " << fa.footfall.first_frame + 1;
      if (!u) u = fa.frame.u;
      EXPECT_LT((fa.frame.u - *u).norm(), 1e-12) << rel << ": one frame for the whole stream";
    }
    EXPECT_EQ(full, 5) << rel;
  }
}

}  // namespace
}  // namespace insole::test
