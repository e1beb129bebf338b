#include "insole/analysis/foot_frame.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>

#include "footprint_builder.hpp"
#include "insole/analysis/arch.hpp"
#include "insole/analysis/regions.hpp"

namespace insole::analysis {
namespace {

using test::Placement;
using test::Shape;

double angle_diff_deg(double a, double b) {
  double d = std::fmod(a - b, 360.0);
  if (d > 180) d -= 360;
  if (d <= -180) d += 360;
  return d;
}

// The rectangle foot with toes (280 mm long, 90 mm wide; AI 1600/13600 = 0.1176 by hand, see
// arch_test.cpp) placed at 0, 37, 90, 180 and 253 degrees at different places on a 5 mm grid.
// Sampled like a sensel (mean over the sensel); contact = at least half covered (50 kPa of 100).
// Every measure is computed in the foot frame, so the AI must agree within 0.01, the CSI
// (20 / 90 = 22.2 % by hand) within 2 percentage points, the axis must follow the placement and
// the length must stay 280 mm within a sensel.
//
// Staheli needs a second foot: on the rectangle foot the tangent from the heel's back corner
// (0, -30) to the forefoot's (160, -45) has its midpoint at ap 80, exactly on the step from the
// 60 mm heel to the 20 mm strip, so A is 20 or 60 depending on a fraction of a millimetre. The
// same foot with an elliptical heel (centre (0, 40), semi-axes 30 x 40 mm) has a well-posed
// tangent. Its point Q = (-30 cos t, 40 + 40 sin t) on the ellipse seen from P = (-45, 160):
// (P - Q) . normal(Q) = 0 gives 1.5 cos t + 3 sin t = 1, so sin(t + 26.57 deg) = 1 / 3.354 and
// t = -9.22 deg: Q = (-29.61, 33.59). Midpoint of QP at ap (33.59 + 160) / 2 = 96.8, inside the
// strip: A = 20. B = heel width at ap 33.59 = 60 sqrt(1 - (6.41 / 40)^2) = 59.22 mm.
// PAI = 20 / 59.22 = 0.338, within 0.05 at every angle (measured 0.333-0.345: the averaged
// border touches the heel nearer its widest point, B = 57.4-60 mm). Its AI: heel area pi 30 40 = 3769.9,
// AI = 1600 / (3769.9 + 1600 + 7200) = 0.1273; CSI 20 / 90 as before.
Shape rounded_heel_foot() {
  Shape s = test::rectangle_foot(true);
  s.boxes.erase(s.boxes.begin());  // the 60 x 80 mm heel box
  s.ellipses.push_back({0.0, 40.0, 30.0, 40.0, 100.0});
  return s;
}

TEST(FootFrame, SameFootprintAtAnyAngleAndPlace) {
  const auto layout = SensorLayout::grid(110, 110, 5.0, 5.0).value();
  const auto sensels = test::all_sensels(layout);
  const double angles[] = {0, 37, 90, 180, 253};
  const Eigen::Vector2d centres[] = {{275, 275}, {250, 300}, {300, 260}, {280, 250}, {270, 290}};
  struct Foot {
    const char* name;
    Shape shape;
    double ai, csi_percent;
    std::optional<double> staheli;
  };
  const Foot feet[] = {{"rectangle heel", test::rectangle_foot(true), 1600.0 / 13600.0, 100.0 * 20.0 / 90.0, {}},
                       {"rounded heel", rounded_heel_foot(), 1600.0 / (1200.0 * M_PI + 8800.0),
                        100.0 * 20.0 / 90.0, 20.0 / 59.22}};
  for (const Foot& foot : feet) {
    double ai0 = -1, csi0 = -1, staheli0 = -1;
    for (int k = 0; k < 5; ++k) {
      const std::string where = std::string(foot.name) + " at " + std::to_string(angles[k]) + " deg";
      Placement at;
      at.angle_deg = angles[k];
      at.origin_mm = centres[k] - 140.0 * at.u();
      const auto peak = test::render(layout, foot.shape, at);
      FootFrameParams fp;
      fp.contact_threshold_kpa = 50.0;
      auto frame = foot_frame(layout, peak, sensels, Side::right, fp);
      ASSERT_TRUE(frame.ok()) << frame.error().message;
      EXPECT_NEAR(angle_diff_deg(axis_angle_deg(*frame), angles[k]), 0.0, 1.0) << where;
      EXPECT_NEAR(frame->length_mm, 280.0, 5.0) << where;
      EXPECT_NEAR(frame->width_mm, 90.0, 7.5) << where;
      // Heel point within a sensel of the placement origin.
      EXPECT_LT((frame->heel_mm - at.origin_mm).norm(), 5.0) << where;
      // Right foot: medial (v) points to the subject's left of u.
      EXPECT_NEAR(frame->v.dot(at.right()), -1.0, 0.01);
      RegionParams rp;
      rp.contact_threshold_kpa = 50.0;
      auto masks = make_regions(layout, peak, sensels, *frame, rp);
      ASSERT_TRUE(masks.ok());
      EXPECT_TRUE(masks->toes_found) << where;
      ArchParams ap;
      ap.contact_threshold_kpa = 50.0;
      const auto arch = arch_measures(layout, peak, *masks, *frame, ap);
      ASSERT_TRUE(arch.arch_index && arch.chippaux_smirak_percent && arch.staheli) << where;
      std::cout << where << ": AI " << *arch.arch_index << " CSI " << *arch.chippaux_smirak_percent
                << " % (" << arch.midfoot_min_width_mm << " / " << arch.forefoot_width_mm
                << " mm) Staheli " << *arch.staheli << " (" << arch.staheli_central_width_mm
                << " / " << arch.staheli_heel_width_mm << " mm) length " << frame->length_mm
                << " width " << frame->width_mm << "\n";
      if (k == 0) {
        ai0 = *arch.arch_index;
        csi0 = *arch.chippaux_smirak_percent;
        staheli0 = *arch.staheli;
      }
      EXPECT_NEAR(*arch.arch_index, ai0, 0.01) << where;
      EXPECT_NEAR(*arch.arch_index, foot.ai, 0.01) << where;
      EXPECT_NEAR(*arch.chippaux_smirak_percent, csi0, 2.0) << where;
      EXPECT_NEAR(*arch.chippaux_smirak_percent, foot.csi_percent, 2.0) << where;
      if (foot.staheli) {
        EXPECT_NEAR(*arch.staheli, staheli0, 0.05) << where;
        EXPECT_NEAR(*arch.staheli, *foot.staheli, 0.05) << where;
      }
    }
  }
}

// An asymmetric right foot whose reference axis is known: heel centre (x = 0) -> metatarsal-head
// centre (x = 0), i.e. the local +y. A lateral midfoot band (x 10..30) and a long hallux on the
// medial side (x < 0) pull the plain principal axis off; the refinement through the heel and
// forefoot centres does not see them. Methods compared (issue item 2):
//   pca_refined: error < 0.5 deg; pca: larger error; min_bbox: within 5 deg.
using test::asymmetric_right_foot;

TEST(FootFrame, AxisMethodsCompared) {
  const auto layout = SensorLayout::grid(100, 100, 5.0, 5.0).value();
  const auto sensels = test::all_sensels(layout);
  for (double angle : {0.0, 37.0, 253.0}) {
    Placement at;
    at.angle_deg = angle;
    at.origin_mm = Eigen::Vector2d(250, 250) - 137.5 * at.u();
    const auto peak = test::render(layout, asymmetric_right_foot(), at);
    double err[3];
    const AxisMethod methods[] = {AxisMethod::pca_refined, AxisMethod::pca, AxisMethod::min_bbox};
    for (int m = 0; m < 3; ++m) {
      FootFrameParams fp;
      fp.contact_threshold_kpa = 30.0;
      fp.method = methods[m];
      auto frame = foot_frame(layout, peak, sensels, Side::right, fp);
      ASSERT_TRUE(frame.ok());
      err[m] = std::abs(angle_diff_deg(axis_angle_deg(*frame), angle));
    }
    std::cout << "angle " << angle << ": axis error pca_refined " << err[0] << " deg, pca "
              << err[1] << " deg, min_bbox " << err[2] << " deg\n";
    EXPECT_LT(err[0], 0.5);
    EXPECT_GT(err[1], err[0]);
    EXPECT_LT(err[2], 5.0);
  }
}

TEST(FootFrame, SideFromShapeAndMirroring) {
  const auto layout = SensorLayout::grid(100, 100, 5.0, 5.0).value();
  const auto sensels = test::all_sensels(layout);
  Placement at;
  at.angle_deg = 120;
  at.origin_mm = Eigen::Vector2d(250, 250) - 137.5 * at.u();
  const auto right = test::render(layout, asymmetric_right_foot(), at);
  // Mirror image (x -> -x): a left foot.
  const Shape mirrored = test::mirrored(asymmetric_right_foot());
  const auto left = test::render(layout, mirrored, at);
  auto fr = foot_frame(layout, right, sensels, Side::unknown);
  auto fl = foot_frame(layout, left, sensels, Side::unknown);
  ASSERT_TRUE(fr.ok() && fl.ok());
  const auto vr = side_from_shape(layout, right, sensels, *fr);
  const auto vl = side_from_shape(layout, left, sensels, *fl);
  EXPECT_GT(vr.score, 0.3);
  EXPECT_LT(vl.score, -0.3);
  EXPECT_GT(vr.midfoot, 0.0);  // the band is on the lateral (right) side
  EXPECT_GT(vr.toes, 0.0);     // the hallux (left, medial) reaches further
  // Unknown side: medial estimated from shape. Right foot: v = -right_of(u); left: +right_of(u).
  EXPECT_NEAR(fr->v.dot(right_of(fr->u)), -1.0, 1e-9);
  EXPECT_NEAR(fl->v.dot(right_of(fl->u)), 1.0, 1e-9);
  EXPECT_NE(fr->method.find("estimated"), std::string::npos);
  // Known side overrides the shape.
  auto forced = foot_frame(layout, right, sensels, Side::left);
  ASSERT_TRUE(forced.ok());
  EXPECT_NEAR(forced->v.dot(right_of(forced->u)), 1.0, 1e-9);
}

// The heel end from the loading sequence. A footprint whose heel band is wider than its
// metatarsal-head band (heel 90 mm wide, forefoot 60 mm: the shape rule of the heel band against
// the 60-80 % band reads it backwards) with a walking time course: a sensel at ap y (mm from the
// true heel, 240 mm long) is first loaded at 0.3 y / 240 s and last loaded at 0.4 + 0.3 y / 240 s
// (heel first on, heel first off). The sequence wins over the shape at any angle; when every
// sensel is loaded and unloaded at the same instant (a static print) the shape decides, and says so.
TEST(FootFrame, HeelEndFromTheLoadingSequence) {
  const auto layout = SensorLayout::grid(100, 100, 5.0, 5.0).value();
  const auto sensels = test::all_sensels(layout);
  Shape s;
  s.boxes = {{-45, 45, 0, 90, 100}, {-20, 20, 90, 150, 100}, {-30, 30, 150, 240, 100}};
  for (double angle : {0.0, 37.0, 180.0, 253.0}) {
    Placement at;
    at.angle_deg = angle;
    at.origin_mm = Eigen::Vector2d(250, 250) - 120.0 * at.u();
    const auto peak = test::render(layout, s, at);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    LoadTiming walking{Eigen::VectorXd::Constant(layout.sensor_count(), nan),
                       Eigen::VectorXd::Constant(layout.sensor_count(), nan)};
    LoadTiming at_once = walking;
    for (Eigen::Index i = 0; i < layout.sensor_count(); ++i) {
      if (!(peak[i] > 0.0f)) continue;
      const double y = (layout.centres_mm().row(i).transpose() - at.origin_mm).dot(at.u());
      walking.first_loaded_s[i] = 0.3 * y / 240.0;
      walking.last_loaded_s[i] = 0.4 + 0.3 * y / 240.0;
      at_once.first_loaded_s[i] = 0.0;
      at_once.last_loaded_s[i] = 0.5;
    }
    auto shape_only = foot_frame(layout, peak, sensels, Side::right);
    auto timed = foot_frame(layout, peak, sensels, Side::right, {}, &walking);
    auto static_print = foot_frame(layout, peak, sensels, Side::right, {}, &at_once);
    ASSERT_TRUE(shape_only.ok() && timed.ok() && static_print.ok());
    EXPECT_LT(shape_only->u.dot(at.u()), -0.99) << angle;  // the shape rule alone is fooled
    EXPECT_GT(timed->u.dot(at.u()), 0.99) << angle;
    EXPECT_LT((timed->heel_mm - at.origin_mm).norm(), 5.0) << angle;
    EXPECT_NE(timed->method.find("heel end from the loading sequence"), std::string::npos);
    EXPECT_LT(static_print->u.dot(at.u()), -0.99) << angle;
    EXPECT_NE(static_print->method.find("not decisive"), std::string::npos);
  }
  // A timing vector of the wrong size is a caller's error, reported as such.
  LoadTiming wrong{Eigen::VectorXd::Zero(3), Eigen::VectorXd::Zero(3)};
  const auto peak = test::render(layout, s, {{250.0, 130.0}, 0.0});
  auto bad = foot_frame(layout, peak, sensels, Side::right, {}, &wrong);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
}

// Mondopoint: length = heel-most to toe-most contact along the axis, width across it.
TEST(FootFrame, LengthAndWidthByHand) {
  const auto layout = SensorLayout::grid(70, 40, 5.0, 5.0).value();
  const auto peak = test::render(layout, test::rectangle_foot(true), {{100.0, 25.0}, 0.0});
  auto f = foot_frame(layout, peak, test::all_sensels(layout), Side::right);
  ASSERT_TRUE(f.ok());
  EXPECT_NEAR(f->length_mm, 280.0, 1e-9);  // heel at y 0, toe tips at y 280
  EXPECT_NEAR(f->width_mm, 90.0, 1e-9);    // forefoot x -45..45
  EXPECT_NEAR(f->heel_mm.x(), 100.0, 1e-9);
  EXPECT_NEAR(f->heel_mm.y(), 25.0, 1e-9);
  EXPECT_NEAR(f->u.y(), 1.0, 1e-12);
  const Eigen::Vector2d toe = f->to_foot({100.0, 305.0});
  EXPECT_NEAR(toe.y(), 280.0, 1e-9);
  EXPECT_NEAR(toe.x(), 0.0, 1e-9);
}

TEST(FootFrame, Errors) {
  const auto layout = SensorLayout::grid(10, 10, 5.0, 5.0).value();
  const Eigen::VectorXf empty = Eigen::VectorXf::Zero(100);
  auto r = foot_frame(layout, empty, test::all_sensels(layout), Side::left);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::no_data);
  auto bad = foot_frame(layout, Eigen::VectorXf::Zero(3), {}, Side::left);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace insole::analysis
