// The emed plate sample of pressuRe (../shared/data/pressure_vendor_samples/emed_test.lst, MIT;
// one step on a Novel emed platform, 0.5 cm sensors, 100 Hz) read with the toolkit's importer and
// measured with the analysis functions: arch index, Chippaux-Smirak, Staheli and CPEI must be
// those of a plausible adult foot, each placed in the published class it falls in, and the side
// must agree with pressuRe's auto_detect_side(), which says RIGHT for this file
// (tests/testthat/test_pressuRe.R). Skips when the data are absent.
#include <gtest/gtest.h>

#include "insole/analysis/analyze.hpp"
#include "insole/importers/importers.hpp"
#include "insole/recommend/findings.hpp"
#include "recommend/support.hpp"
#include "support/mirror_rows.hpp"
#include "support/shared_data.hpp"

namespace insole::analysis {
namespace {

constexpr const char* kPlate = "pressure_vendor_samples/emed_test.lst";

// pressuRe's sensor_coords() places the first printed row at the top of the image (y decreasing
// with the printed row number); the toolkit's emed importer reads increasing printed rows as
// increasing y (docs/validation.md): test::mirror_rows gives the imported stream in pressuRe's
// orientation.

TEST(EmedPlate, PlausibleAdultFootAndRightSide) {
  INSOLE_REQUIRE_SHARED_DATA(kPlate);
  auto rec = importers::import_file(test::shared_data(kPlate));
  ASSERT_TRUE(rec) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 1u);
  const Stream plate = test::mirror_rows(rec->streams[0]);
  ASSERT_TRUE(plate.info.layout.is_grid());
  EXPECT_NEAR(plate.info.layout.row_pitch_mm(), 5.0, 1e-9);  // "Sensor size: 0.500x0.500 cm"

  const auto footfalls = find_footfalls(plate, 0);
  ASSERT_EQ(footfalls.size(), 1u);  // one step
  const Footfall& ff = footfalls[0];
  // The export holds only the contact's pictures: the step is cut in time (4.8 % of its peak
  // force in the first picture, 1.1 % in the last), but not in space once the printed window is
  // placed in the whole 64 x 95 plate.
  EXPECT_TRUE(ff.flags.time_start);
  EXPECT_FALSE(ff.flags.edge);

  // Side: pressuRe's auto_detect_side() says RIGHT.
  EXPECT_EQ(ff.side, Side::right) << ff.side_reason;

  const Eigen::VectorXf peak = peak_footprint(plate, ff);
  const LoadTiming timing = load_timing(plate, ff, SegmentationParams{}.active_threshold_kpa);
  auto frame = foot_frame(plate.info.layout, peak, ff.sensels, ff.side, {}, &timing);
  ASSERT_TRUE(frame) << frame.error().message;
  auto masks = make_regions(plate.info.layout, peak, ff.sensels, *frame);
  ASSERT_TRUE(masks) << masks.error().message;
  const ArchMeasures a = arch_measures(plate.info.layout, peak, *masks, *frame);
  const FootfallAnalysis fa = analyze_footfall(plate.info, plate.time_s, plate.pressure_kpa, ff, *frame, false, {});
  ASSERT_TRUE(a.arch_index && a.chippaux_smirak_percent && a.staheli) << a.unavailable_reason;
  ASSERT_TRUE(fa.cpei) << fa.cpei_note;
  // The Buldt 2018 group from the shipped rule file's class "arch_class_research".
  const recommend::ClassDef* research = test::default_rules().find_class("arch_class_research");
  ASSERT_NE(research, nullptr);
  const std::string research_class = recommend::classify(test::default_rules(), *research, *a.arch_index, {}).label;
  std::cout << "[emed] side " << to_string(ff.side) << " (" << ff.side_reason << "); axis: " << frame->method
            << "\n[emed] length " << frame->length_mm << " mm, width " << frame->width_mm << " mm, AI "
            << *a.arch_index << " (" << research_class << ", Buldt 2018), CSI " << *a.chippaux_smirak_percent
            << " %, Staheli " << *a.staheli << ", CPEI " << fa.cpei->cpei_percent << " %, COP heel->toe "
            << fa.cop_heel_to_toe_mm << " mm\n";

  // An adult foot: the printed window is 54 x 5 mm = 270 mm long; adult Mondopoint lengths lie
  // around 220-290 mm (ISO 9407 sizing), widths about 0.35-0.45 of the length.
  EXPECT_GT(frame->length_mm, 200.0);
  EXPECT_LT(frame->length_mm, 290.0);
  EXPECT_GT(frame->width_mm, 0.3 * frame->length_mm);
  EXPECT_LT(frame->width_mm, 0.5 * frame->length_mm);
  // The heel end from the loading sequence: the COP rolls heel -> toe in the foot frame.
  EXPECT_NE(frame->method.find("loading sequence"), std::string::npos);
  EXPECT_GT(fa.cop_heel_to_toe_mm, 0.3 * frame->length_mm);

  // Arch index inside the published range of the Buldt et al. 2018 group it is classified in
  // (JFAR 11:3, emed-x): normal 0.22 (0.03), range 0.15-0.29; planus 0.30 (0.05), 0.23-0.40;
  // cavus 0.16 (0.06), 0.04-0.24.
  const double ai = *a.arch_index;
  if (research_class == "normal") {
    EXPECT_GE(ai, 0.15);
    EXPECT_LE(ai, 0.29);
  } else if (research_class == "low") {
    EXPECT_GE(ai, 0.23);
    EXPECT_LE(ai, 0.40);
  } else {
    EXPECT_GE(ai, 0.04);
    EXPECT_LE(ai, 0.24);
  }
  // CSI of an adult footprint: 0 (no midfoot contact, cavus) to about 60 %; flat beyond 45 %
  // (adults, unverified secondary source; metrics reference table row 5). Its class must agree
  // with the arch index: a normal or high arch by AI is not a flat CSI.
  EXPECT_GT(*a.chippaux_smirak_percent, 0.0);
  EXPECT_LT(*a.chippaux_smirak_percent, 60.0);
  if (research_class != "low") {
    EXPECT_LE(*a.chippaux_smirak_percent, 45.0);
  }
  // Staheli: flat beyond 1.15 (Hernandez et al. 2007, children); an adult normal foot lies well
  // below, and PAI rises with CSI (both widths of the middle third).
  EXPECT_GT(*a.staheli, 0.0);
  if (research_class != "low") {
    EXPECT_LT(*a.staheli, 1.15);
  }
  // CPEI: the COP bows lateral (positive) and lies within the band of the cadet data (means
  // 21.6-23.9 %, PMC7393860; derived quintiles 17.3 / 28.2 %, SD about 6.5 %): within 3 SD.
  EXPECT_GT(fa.cpei->cpei_percent, 0.0);
  EXPECT_LT(fa.cpei->cpei_percent, 22.8 + 3 * 6.5);

  // The same footprint in the importer's own orientation is its mirror image: the side flips,
  // nothing else does (the measures are computed in the foot frame).
  const auto mirrored = find_footfalls(rec->streams[0], 0);
  ASSERT_EQ(mirrored.size(), 1u);
  EXPECT_EQ(mirrored[0].side, Side::left) << mirrored[0].side_reason;

  // analyze() itself uses the step (AnalysisParams::boundary_force_share: cut in time while
  // nearly unloaded) and gets the arch index of the functions above, out of gait timing.
  auto whole = analyze(*rec);
  ASSERT_TRUE(whole) << whole.error().message;
  ASSERT_TRUE(whole->has_usable_contact());
  ASSERT_EQ(whole->footfalls.size(), 1u);
  EXPECT_EQ(whole->footfalls[0].footfall.reject_reason, "");
  ASSERT_TRUE(whole->footfalls[0].arch.arch_index.has_value());
  // The importer's orientation is the mirror image of the one above: AI within 0.005 (0.0005 apart).
  EXPECT_NEAR(*whole->footfalls[0].arch.arch_index, ai, 0.005);
  EXPECT_FALSE(whole->timing.left.stance_s.has_value());
  bool warned = false;
  for (const auto& w : whole->quality.warnings) warned = warned || w.find("cut by the start or end") != std::string::npos;
  EXPECT_TRUE(warned);
}

}  // namespace
}  // namespace insole::analysis
