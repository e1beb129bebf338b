// `insole analyze` on imported Moticon OpenGo walks (../shared/data/moticon_opengo, Apache-2.0,
// Moticon ReGo AG). Moticon does not publish its cell positions, so the analysis takes contacts,
// heel strike and toe off from the vendor's total force channel (kept by the importer as
// Stream::vendor) and the COP path from the vendor's COP channel (analyze_vendor_channels), and
// withholds every measure that needs positions with the reason. Compared here with what the
// vendor's software computed, which the toolkit did not produce: the step events written into the
// exports themselves (step codes 11/15, 21/25), the stance times of the gait reports, and the gait
// reports' gait-line width (the COP range across the insole over each stance).
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <map>

#include "insole/analysis/analyze.hpp"
#include "insole/analysis/missing.hpp"
#include "insole/importers/importers.hpp"
#include "support/shared_data.hpp"
#include "validation_util.hpp"

namespace insole::test {
namespace {

struct Walk {
  const char* txt;
  const char* report;  ///< prefix of the derived gait-report sheets
  const char* tag;
};

const Walk kWalks[] = {
    {"moticon_opengo/230927_102114.txt", "moticon_opengo/derived/gait_report_230927_10_21_14__", "normal"},
    {"moticon_opengo/230927_102137.txt", "moticon_opengo/derived/gait_report_230927_10_21_37__", "slow"},
    {"moticon_opengo/230927_102231.txt", "moticon_opengo/derived/gait_report_230927_10_22_31__", "fast"},
};

struct Analysed {
  Recording rec;
  analysis::AnalysisResult result;
};

// The imported walk and its analysis (analyze(): the same footfalls as the streaming analysis of
// the imported file, AnalyzeVendorChannels.StreamingGivesTheSameResult).
const Analysed& analysed(std::size_t w) {
  static std::map<std::size_t, Analysed> cache;
  if (auto it = cache.find(w); it != cache.end()) return it->second;
  auto rec = importers::import_file(shared_data(kWalks[w].txt), "moticon");
  if (!rec) throw std::runtime_error(rec.error().message);
  auto r = analysis::analyze(*rec);
  if (!r) throw std::runtime_error(r.error().message);
  return cache.emplace(w, Analysed{std::move(*rec), std::move(*r)}).first->second;
}

// The used walking contacts of one insole.
std::vector<const analysis::FootfallAnalysis*> contacts(const Analysed& a, const std::string& side) {
  std::vector<const analysis::FootfallAnalysis*> out;
  for (const auto& fa : a.result.footfalls)
    if (a.rec.streams[fa.footfall.stream].info.name == side && fa.footfall.reject_reason.empty() && !fa.standing)
      out.push_back(&fa);
  return out;
}

// Ours nearest to a vendor initial contact, within 0.2 s (a foot's next step is at least 0.9 s
// later in these walks); nullptr when none.
const analysis::FootfallAnalysis* match(const std::vector<const analysis::FootfallAnalysis*>& ours, double ic_s) {
  const analysis::FootfallAnalysis* best = nullptr;
  for (const auto* fa : ours)
    if (!best || std::abs(fa->events.ic_s - ic_s) < std::abs(best->events.ic_s - ic_s)) best = fa;
  return best && std::abs(best->events.ic_s - ic_s) <= 0.2 ? best : nullptr;
}

#define REQUIRE_MOTICON()                                                                          \
  do {                                                                                             \
    INSOLE_REQUIRE_SHARED_DATA("moticon_opengo/230927_102114.txt");                                \
    INSOLE_REQUIRE_SHARED_DATA("moticon_opengo/derived/gait_report_230927_10_22_31__Left_Steps.csv"); \
  } while (0)

// Heel strike and toe off against the step codes in the export itself (11/15 left, 21/25 right:
// the OpenGo software's gait-report detection, imported as events).
TEST(MoticonAnalyze, HeelStrikeAndToeOffAgainstTheStepCodesOfTheExport) {
  REQUIRE_MOTICON();
  std::vector<double> all_ic, all_to;
  for (std::size_t w = 0; w < std::size(kWalks); ++w) {
    const Analysed& a = analysed(w);
    std::vector<double> ic, to;
    for (const std::string side : {"left", "right"}) {
      std::vector<double> hs, toe_off;
      for (const Event& e : a.rec.events) {
        if (e.stream != side) continue;
        if (e.kind == "heel_strike") hs.push_back(e.time_s);
        if (e.kind == "toe_off") toe_off.push_back(e.time_s);
      }
      ASSERT_GE(hs.size(), 4u) << kWalks[w].tag << " " << side;
      const auto ours = contacts(a, side);
      std::size_t matched = 0;
      for (double h : hs) {
        // The vendor's toe off of this step: its first after the heel strike.
        const auto t = std::find_if(toe_off.begin(), toe_off.end(), [&](double x) { return x > h; });
        const analysis::FootfallAnalysis* fa = match(ours, h);
        if (!fa || t == toe_off.end()) continue;
        ++matched;
        ic.push_back(fa->events.ic_s - h);
        to.push_back(fa->events.to_s - *t);
      }
      // Every vendor step is found (the vendor marks no step the toolkit misses).
      EXPECT_EQ(matched, hs.size()) << kWalks[w].tag << " " << side;
    }
    std::cout << "[moticon analyze " << kWalks[w].tag << "] steps " << ic.size() << ": IC ours - vendor median "
              << 1000 * median_of(ic) << " ms, median |d| " << 1000 * median_of(abs_of(ic)) << " ms, max |d| "
              << 1000 * max_abs(ic) << " ms; TO median " << 1000 * median_of(to) << " ms, median |d| "
              << 1000 * median_of(abs_of(to)) << " ms, max |d| " << 1000 * max_abs(to) << " ms\n";
    all_ic.insert(all_ic.end(), ic.begin(), ic.end());
    all_to.insert(all_to.end(), to.begin(), to.end());
  }
  std::cout << "[moticon analyze all] steps " << all_ic.size() << ": IC median |d| " << 1000 * median_of(abs_of(all_ic))
            << " ms, max |d| " << 1000 * max_abs(all_ic) << " ms; TO median |d| " << 1000 * median_of(abs_of(all_to))
            << " ms, max |d| " << 1000 * max_abs(all_to) << " ms\n";
  // Measured: heel strike within one sample (median |d| 4.5 ms, max 23 ms over 42 steps). Toe off
  // is later than the vendor's in every step (median +26 ms, max 41 ms): the vendor marks toe off
  // while the insole still carries 90-150 N (9-15 % of the step's peak; its heel strikes are at
  // 10-80 N), and the toolkit keeps its one published rule for both events, the 5 %-of-peak
  // crossing (gait.hpp), rather than a threshold fitted to this vendor. The bounds hold these
  // figures with a little room, so a change of rule or a shifted event shows here.
  EXPECT_LE(median_of(abs_of(all_ic)), 0.010 + 1e-9);
  EXPECT_LE(max_abs(all_ic), 0.025 + 1e-9);
  EXPECT_GE(median_of(all_to), 0.015);
  EXPECT_LE(median_of(abs_of(all_to)), 0.030 + 1e-9);
  EXPECT_LE(max_abs(all_to), 0.045 + 1e-9);
}

// Stance per step and its mean against the gait reports (Left_Steps / Right_Steps, Report_Data).
TEST(MoticonAnalyze, StanceAgainstTheGaitReports) {
  REQUIRE_MOTICON();
  for (std::size_t w = 0; w < std::size(kWalks); ++w) {
    const Analysed& a = analysed(w);
    for (const std::string side : {"left", "right"}) {
      const std::string sheet = std::string(kWalks[w].report) + (side == "left" ? "Left" : "Right") + "_Steps.csv";
      const auto ic = sheet_column(shared_data(sheet), "Initial contact (s)");
      const auto stance = sheet_column(shared_data(sheet), "Stance (s)");
      const auto ours = contacts(a, side);
      std::vector<double> d, mine;
      for (std::size_t k = 0; k < ic.size(); ++k) {
        const analysis::FootfallAnalysis* fa = match(ours, ic[k]);
        ASSERT_NE(fa, nullptr) << kWalks[w].tag << " " << side << " step " << k + 1;
        mine.push_back(fa->measures.at("stance_s"));
        d.push_back(mine.back() - stance[k]);
      }
      const double vendor_mean = sheet_value(shared_data(std::string(kWalks[w].report) + "Report_Data.csv"),
                                             "Mean stance duration (" + side + ") (s)");
      std::cout << "[moticon analyze " << kWalks[w].tag << " " << side << "] stance mean ours " << mean_of(mine)
                << " s, vendor " << vendor_mean << " s; per step median |d| " << 1000 * median_of(abs_of(d))
                << " ms, max |d| " << 1000 * max_abs(d) << " ms\n";
      // Ours is longer by the toe-off difference above (+20 to +40 ms on the means; per step at
      // most 47 ms), about 3 % of stance.
      EXPECT_GT(mean_of(mine), vendor_mean) << kWalks[w].tag << " " << side;
      EXPECT_NEAR(mean_of(mine), vendor_mean, 0.045) << kWalks[w].tag << " " << side;
      EXPECT_LE(max_abs(d), 0.050 + 1e-9) << kWalks[w].tag << " " << side;
    }
  }
}

// The gait report's "Gaitline width" of a step is the vendor's measure of how far its COP spreads
// across the insole (the export's COP Y) during the step; its construction is not published. The
// range of COP Y over the vendor's own [IC, TO] samples equals it exactly in 13 of these 42 steps
// (median |d| 0.012 insole widths over all). The toolkit's cop_ml_range_normalised of the same
// contact is compared with it.
TEST(MoticonAnalyze, CopRangeAcrossTheInsoleAgainstTheGaitLineWidth) {
  REQUIRE_MOTICON();
  std::vector<double> all;
  for (std::size_t w = 0; w < std::size(kWalks); ++w) {
    const Analysed& a = analysed(w);
    for (const std::string side : {"left", "right"}) {
      const std::string sheet = std::string(kWalks[w].report) + (side == "left" ? "Left" : "Right") + "_Steps.csv";
      const auto ic = sheet_column(shared_data(sheet), "Initial contact (s)");
      const auto width = sheet_column(shared_data(sheet), "Gaitline width");
      const auto ours = contacts(a, side);
      for (std::size_t k = 0; k < ic.size(); ++k) {
        const analysis::FootfallAnalysis* fa = match(ours, ic[k]);
        ASSERT_NE(fa, nullptr);
        all.push_back(fa->measures.at("cop_ml_range_normalised") - width[k]);
      }
    }
  }
  std::cout << "[moticon analyze] COP range across vs gait-line width: " << all.size() << " steps, median |d| "
            << median_of(abs_of(all)) << ", max |d| " << max_abs(all) << " (insole widths)\n";
  // Measured: median |d| 0.024, max 0.096 insole widths. Ours runs to our later toe off (above),
  // where the COP of the unloading foot still moves across the insole.
  EXPECT_LE(median_of(abs_of(all)), 0.030);
  EXPECT_LE(max_abs(all), 0.100);
}

// What the analysis cannot do without cell positions is said, per foot, with Moticon's reason.
TEST(MoticonAnalyze, PositionDependentMeasuresAreNotAvailableWithTheReason) {
  REQUIRE_MOTICON();
  const Analysed& a = analysed(0);
  ASSERT_EQ(a.result.feet.size(), 2u);
  for (const auto& foot : a.result.feet) {
    EXPECT_EQ(foot.positions_unknown, "Moticon does not publish the sensor cell positions");
    EXPECT_TRUE(foot.median("stance_s"));
    EXPECT_TRUE(foot.median("cop_path_length_normalised"));
    for (const char* key : {"arch_index", "foot_length_mm", "cpei_percent", "heel_peak_kpa", "cop_speed_mm_s"})
      EXPECT_EQ(analysis::missing_reason(a.result, foot, key).reason,
                "not available: sensor positions unknown (Moticon does not publish the sensor cell positions)")
          << key;
  }
}

}  // namespace
}  // namespace insole::test
