// emed plate sample (../shared/data/pressure_vendor_samples/emed_test.lst, MIT, from pressuRe):
// arch index, Chippaux-Smirak index and CPEI of the one footfall, placed against the published
// ranges in docs/validation.md (no per-subject value is published for this file); the arch index's
// exact partial-sensel areas against an independent whole-sensel count; the mirror invariance of
// AI and CSI. docs/images/emed_footprint_thirds.png (validation_figures) shows the thirds.
//
// The export holds only the frames of the contact (loaded in the first and last picture, with
// 4.8 % and 1.1 % of the peak force): the segmentation flags it as cut in time, which analyze()
// accepts for so light a cut (AnalysisParams::boundary_force_share; EmedPlate test). The measures
// are taken here with the toolkit functions analyze() calls, on that footfall, to print the
// intermediate figures.
#include <gtest/gtest.h>

#include <iostream>

#include "insole/analysis/analyze.hpp"
#include "insole/analysis/footprint.hpp"
#include "insole/importers/importers.hpp"
#include "support/mirror_rows.hpp"
#include "support/shared_data.hpp"
#include "validation_util.hpp"

namespace insole::test {
namespace {

constexpr const char* kPlate = "pressure_vendor_samples/emed_test.lst";

struct Measured {
  analysis::FootFrame frame;
  analysis::RegionMasks masks;
  analysis::ArchMeasures arch;
  analysis::FootfallAnalysis fa;
};

Measured measure(const Stream& plate, const analysis::Footfall& ff, Side side) {
  Measured m;
  const Eigen::VectorXf peak = analysis::peak_footprint(plate, ff);
  auto frame = analysis::foot_frame(plate.info.layout, peak, ff.sensels, side);
  if (!frame) throw std::runtime_error(frame.error().message);
  m.frame = *frame;
  auto masks = analysis::make_regions(plate.info.layout, peak, ff.sensels, m.frame);
  if (!masks) throw std::runtime_error(masks.error().message);
  m.masks = *masks;
  m.arch = analysis::arch_measures(plate.info.layout, peak, m.masks, m.frame);
  m.fa = analysis::analyze_footfall(plate.info, plate.time_s, plate.pressure_kpa, ff, m.frame, false, {});
  return m;
}

TEST(EmedValidation, ArchIndexCsiAndCpeiOfThePlateSample) {
  INSOLE_REQUIRE_SHARED_DATA(kPlate);
  auto rec = importers::import_file(shared_data(kPlate));
  ASSERT_TRUE(rec) << rec.error().message;
  const Stream& plate = rec->streams.at(0);
  const auto footfalls = analysis::find_footfalls(plate, 0);
  ASSERT_EQ(footfalls.size(), 1u);  // one step on the plate
  const analysis::Footfall& ff = footfalls[0];
  std::cout << "[emed] footfall frames " << ff.first_frame << ".." << ff.last_frame << ", toolkit side "
            << to_string(ff.side) << " (" << ff.side_reason << "); " << ff.reject_reason << "\n";
  EXPECT_TRUE(ff.partial);

  // Measures with the toolkit's own side (from the footprint's shape, as analyze() does) and,
  // for the invariance checks, with the other side.
  const Side other = ff.side == Side::left ? Side::right : Side::left;
  const Measured own = measure(plate, ff, ff.side);
  const Measured mirrored = measure(plate, ff, other);
  const auto& a = own.arch;
  ASSERT_TRUE(a.arch_index && a.chippaux_smirak_percent) << a.unavailable_reason;
  ASSERT_TRUE(own.fa.cpei) << own.fa.cpei_note;
  std::cout << "[emed] AI " << *a.arch_index << " (C&R 0.21 / 0.26; Buldt 2018 0.11 / 0.25"
            << "), CSI " << *a.chippaux_smirak_percent << " % (midfoot " << a.midfoot_min_width_mm
            << " / forefoot " << a.forefoot_width_mm << " mm), Staheli " << a.staheli.value_or(-1) << ", CPEI "
            << own.fa.cpei->cpei_percent << " % (CPE " << own.fa.cpei->cpe_mm << " mm, forefoot width "
            << own.fa.cpei->forefoot_width_mm << " mm), foot length " << own.frame.length_mm << " mm, width "
            << own.frame.width_mm << " mm, thirds C/B/A " << a.area_rearfoot_mm2 << " / " << a.area_midfoot_mm2
            << " / " << a.area_forefoot_mm2 << " mm^2, toes found " << own.masks.toes_found << "; other side: AI "
            << mirrored.arch.arch_index.value_or(-1) << ", CSI " << mirrored.arch.chippaux_smirak_percent.value_or(-1)
            << "\n";

  // The COP of a walking step bows lateral of the line joining its first and last points, so
  // CPEI is positive (Song et al. 1996; cadet means 21.6-23.9 %, PMC7393860): the side read
  // from the footprint's shape and the COP path agree on which side is lateral.
  EXPECT_GT(own.fa.cpei->cpei_percent, 0.0);
  // Swapping medial and lateral flips CPEI's sign and nothing else (same construction line,
  // same forefoot width).
  ASSERT_TRUE(mirrored.fa.cpei);
  EXPECT_NEAR(mirrored.fa.cpei->cpei_percent, -own.fa.cpei->cpei_percent, 1e-9);
  // AI and CSI do not depend on which side is medial, up to the 1 mm raster the toe line and the
  // widths are found on, whose origin follows the medial direction: CSI may move by one raster
  // cell in each width, 100 * (1 / W_ff + W_mf / W_ff^2) points; AI by a sensel or two changing
  // between toes and forefoot (25 mm^2 each of about 11 000 mm^2: 0.005 for two).
  ASSERT_TRUE(mirrored.arch.arch_index && mirrored.arch.chippaux_smirak_percent);
  EXPECT_NEAR(*mirrored.arch.arch_index, *a.arch_index, 0.005);
  const double wf = a.forefoot_width_mm, wm = a.midfoot_min_width_mm;
  EXPECT_NEAR(*mirrored.arch.chippaux_smirak_percent, *a.chippaux_smirak_percent,
              100.0 * (1.0 / wf + wm / (wf * wf)) + 1e-9);

  // pressuRe's test expects auto_detect_side() = "RIGHT" for this file. The toolkit reads the
  // printed rows as increasing y (layout seen from above); a view from the other side of the
  // plate (rows mirrored) gives pressuRe's answer, so the two differ only in the grid's
  // handedness, not in the footprint's shape.
  const Stream flipped = mirror_rows(plate);
  const auto flipped_ff = analysis::find_footfalls(flipped, 0);
  ASSERT_EQ(flipped_ff.size(), 1u);
  std::cout << "[emed] toolkit side " << to_string(ff.side) << ", with the rows mirrored "
            << to_string(flipped_ff[0].side) << " (" << flipped_ff[0].side_reason << ")\n";
  EXPECT_EQ(flipped_ff[0].side, Side::right);
  EXPECT_EQ(ff.side, Side::left);

  // Independent arch index: whole sensels assigned to a third by their centre, on the toolkit's
  // foot axis and third lines. A sensel cut by a third line is counted wholly on one side instead
  // of split, so the two may differ by at most the area of the sensels the lines cut.
  const SensorLayout& L = plate.info.layout;
  const Eigen::VectorXf peak = analysis::peak_footprint(plate, ff);
  const auto contact = analysis::contact_sensels(peak, own.masks.at(analysis::region::toeless).sensels, 0.0);
  double thirds[3] = {0, 0, 0}, cut_area = 0.0;
  for (Eigen::Index s : contact) {
    const double ap = own.frame.to_foot(L.centres_mm().row(s).transpose()).y();
    const int k = ap < a.thirds_ap_mm[0] ? 0 : ap < a.thirds_ap_mm[1] ? 1 : 2;
    thirds[k] += L.areas_mm2()[s];
    const Eigen::Vector2d span = analysis::sensel_ap_range(L, s, own.frame);
    for (double cut : a.thirds_ap_mm)
      if (span[0] < cut && cut < span[1]) cut_area += L.areas_mm2()[s];
  }
  const double total = thirds[0] + thirds[1] + thirds[2];
  const double ai_whole = thirds[1] / total;
  std::cout << "[emed] AI whole sensels " << ai_whole << ", bound " << cut_area / total << "\n";
  // The exact areas add up to the contact area of the toe-less footprint (1e-9 relative).
  EXPECT_NEAR(a.area_rearfoot_mm2 + a.area_midfoot_mm2 + a.area_forefoot_mm2, total, 1e-9 * total);
  EXPECT_NEAR(*a.arch_index, ai_whole, cut_area / total);
}

// The forefoot overload finding decides on the forefoot's relative load (share of the footfall's
// force-time integral). On this real barefoot step the same pressures scaled by 110 / 70 (the
// same foot under a heavier walker) move the forefoot peak in proportion and leave the relative
// load within a fraction of its 3-point measurement margin (rules measures[].borderline_margin):
// only sensels near the contact threshold change.
TEST(EmedValidation, ForefootRelativeLoadDoesNotScaleWithBodyMass) {
  INSOLE_REQUIRE_SHARED_DATA(kPlate);
  auto rec = importers::import_file(shared_data(kPlate));
  ASSERT_TRUE(rec) << rec.error().message;
  const Stream& plate = rec->streams.at(0);
  Stream heavy = plate;
  heavy.pressure_kpa *= static_cast<float>(110.0 / 70.0);
  const auto ff70 = analysis::find_footfalls(plate, 0);
  const auto ff110 = analysis::find_footfalls(heavy, 0);
  ASSERT_EQ(ff70.size(), 1u);
  ASSERT_EQ(ff110.size(), 1u);
  const Measured light = measure(plate, ff70[0], ff70[0].side);
  const Measured weighty = measure(heavy, ff110[0], ff70[0].side);
  ASSERT_TRUE(light.fa.equinus.forefoot_relative_load_percent && weighty.fa.equinus.forefoot_relative_load_percent);
  const double r70 = *light.fa.equinus.forefoot_relative_load_percent;
  const double r110 = *weighty.fa.equinus.forefoot_relative_load_percent;
  std::cout << "[emed] forefoot relative load " << r70 << " % (x 110/70: " << r110 << " %), forefoot peak "
            << light.fa.equinus.forefoot_peak_kpa << " kPa (x 110/70: " << weighty.fa.equinus.forefoot_peak_kpa
            << " kPa)\n";
  EXPECT_GT(r70, 0.0);
  EXPECT_LT(r70, 100.0);
  EXPECT_NEAR(r110, r70, 0.5);
  EXPECT_NEAR(weighty.fa.equinus.forefoot_peak_kpa, light.fa.equinus.forefoot_peak_kpa * 110.0 / 70.0,
              0.02 * weighty.fa.equinus.forefoot_peak_kpa);
}

}  // namespace
}  // namespace insole::test
