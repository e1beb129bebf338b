// The figure of a pixel-level test, read back: PNG pixels through Cairo, PDF text through
// pdftotext. The result drawn is built by hand, so every colour and label is known in advance.
#include "insole/report/spm_figure.hpp"

#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>

#include "insole/report/render.hpp"
#include "report/cli_run.hpp"
#include "support/temp_dir.hpp"

namespace insole::report {
namespace {

// 12 rows x 8 columns of 5 mm pixels. t = 0.5 everywhere, except a positive cluster (rows 2-4,
// columns 2-3, t = 6) and a negative one (rows 8-9, columns 5-6, t = -5); row 11 is outside the
// analysis. Threshold t* = 3, two-sided. Colour scale: t_max = ceil(max(6, 1.25 x 3)) = 6.
stats::SpmResult hand_result() {
  stats::SpmResult r;
  r.design = stats::Design::one_sample;
  r.tail = stats::Tail::two_sided;
  r.n = 12;
  r.df = 11;
  r.permutations = 4096;
  r.exact = true;
  r.grid.rows = 12;
  r.grid.cols = 8;
  r.grid.pitch_x_mm = r.grid.pitch_y_mm = 5.0;
  r.grid.origin_x_mm = -20.0;
  r.grid.origin_y_mm = 10.0;
  r.statistic.grid = r.grid;
  r.statistic.values = Eigen::MatrixXd::Constant(12, 8, 0.5);
  r.statistic.values.block(2, 2, 3, 2).setConstant(6.0);
  r.statistic.values.block(8, 5, 2, 2).setConstant(-5.0);
  r.statistic.values.row(11).setConstant(std::numeric_limits<double>::quiet_NaN());
  r.mask.setConstant(12, 8, true);
  r.mask.row(11).setConstant(false);
  r.threshold_t = 3.0;
  const auto centre = [&](double row, double col) {
    return Eigen::Vector2d(r.grid.x_mm(col), r.grid.y_mm(row));
  };
  stats::Cluster a;
  a.sign = 1, a.pixels = 6, a.area_mm2 = 150, a.peak_t = 6, a.p_fwe = 0.002, a.region = "hallux";
  a.centroid_x_mm = centre(3, 2.5).x(), a.centroid_y_mm = centre(3, 2.5).y();
  stats::Cluster b;
  b.sign = -1, b.pixels = 4, b.area_mm2 = 100, b.peak_t = -5, b.p_fwe = 0.031, b.region = "hindfoot";
  b.centroid_x_mm = centre(8.5, 5.5).x(), b.centroid_y_mm = centre(8.5, 5.5).y();
  r.peak_clusters = {a, b};
  return r;
}

struct Png {
  cairo_surface_t* s = nullptr;
  explicit Png(const std::filesystem::path& p) : s(cairo_image_surface_create_from_png(p.c_str())) {}
  ~Png() { cairo_surface_destroy(s); }
  bool ok() const { return cairo_surface_status(s) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(s); }
  int height() const { return cairo_image_surface_get_height(s); }
  /// Colour at a point of the figure (points), components 0..1.
  FigureRgb at(const Eigen::Vector2d& pt) const {
    const int x = static_cast<int>(pt.x() * kFigurePngPixelsPerPt), y = static_cast<int>(pt.y() * kFigurePngPixelsPerPt);
    const auto* row = cairo_image_surface_get_data(s) + static_cast<std::ptrdiff_t>(y) * cairo_image_surface_get_stride(s);
    std::uint32_t px;
    std::memcpy(&px, row + 4 * x, 4);
    return {((px >> 16) & 0xff) / 255.0, ((px >> 8) & 0xff) / 255.0, (px & 0xff) / 255.0};
  }
};

class SpmFigure : public ::testing::Test {
 protected:
  void TearDown() override { release_render_caches(); }
  test::TempDir dir_;
};

TEST_F(SpmFigure, PngPixelsShowTheMapTheOutlinesAndTheThreshold) {
  const auto r = hand_result();
  const auto path = dir_.path() / "map.png";
  ASSERT_TRUE(write_spm_figure(r, path, FigureFormat::png));
  Png png(path);
  ASSERT_TRUE(png.ok());
  const SpmFigureGeometry g = spm_figure_geometry(r);
  EXPECT_EQ(g.t_max, 6.0);
  EXPECT_EQ(png.width(), static_cast<int>(std::ceil(g.width_pt * kFigurePngPixelsPerPt)));
  EXPECT_EQ(png.height(), static_cast<int>(std::ceil(g.height_pt * kFigurePngPixelsPerPt)));
  const auto pixel = [&](double row, double col) { return g.page_point(r.grid.x_mm(col), r.grid.y_mm(row)); };
  // Toes up: row 0 (lowest y) is drawn at the bottom of the map, row 11 at the top.
  EXPECT_GT(pixel(0, 0).y(), pixel(11, 0).y());

  const FigureRgb pos = png.at(pixel(2, 2));  // t = 6 = t_max: full red (0.80, 0.10, 0.10)
  EXPECT_NEAR(pos.r, 0.80, 0.02);
  EXPECT_NEAR(pos.g, 0.10, 0.02);
  EXPECT_NEAR(pos.b, 0.10, 0.02);
  const FigureRgb neg = png.at(pixel(9, 6));  // t = -5: 5/6 of the way to blue (0.10, 0.20, 0.80)
  EXPECT_NEAR(neg.r, 1 - 0.9 * 5 / 6.0, 0.02);
  EXPECT_NEAR(neg.b, 1 - 0.2 * 5 / 6.0, 0.02);
  const FigureRgb low = png.at(pixel(6, 0));  // t = 0.5: almost white
  EXPECT_NEAR(low.g, 1 - 0.9 * 0.5 / 6.0, 0.02);
  const FigureRgb out = png.at(pixel(11, 4));  // outside the analysis: grey
  EXPECT_NEAR(out.r, 0.82, 0.02);
  EXPECT_NEAR(out.g, 0.82, 0.02);

  // Outlines: the left edge of the positive cluster (x between columns 1 and 2) is black; the
  // boundary between two background pixels is not.
  const auto edge = g.page_point(r.grid.origin_x_mm + 2 * 5.0, r.grid.y_mm(2));
  const FigureRgb e = png.at(edge);
  EXPECT_LT(e.r + e.g + e.b, 0.3);
  const FigureRgb plain = png.at(g.page_point(r.grid.origin_x_mm + 1 * 5.0, r.grid.y_mm(6)));
  EXPECT_GT(plain.r + plain.g + plain.b, 2.5);
  // The outline follows the negative cluster too (its top edge, between rows 9 and 10).
  const FigureRgb ne = png.at(g.page_point(r.grid.x_mm(5), r.grid.origin_y_mm + 10 * 5.0));
  EXPECT_LT(ne.r + ne.g + ne.b, 0.3);

  // The colour bar: red at its top, blue at the bottom, black threshold marks at t = +-3.
  const double bx = g.bar_x_pt + g.bar_w_pt / 2;
  EXPECT_GT(png.at({bx, g.bar_y(5.8)}).r, 0.7);
  EXPECT_GT(png.at({bx, g.bar_y(-5.8)}).b, 0.7);
  for (double t : {3.0, -3.0}) {
    const FigureRgb m = png.at({bx, g.bar_y(t)});
    EXPECT_LT(m.r + m.g + m.b, 0.3) << "threshold mark at t = " << t;
  }
  // The cluster numbers sit on white discs at the centroids.
  const FigureRgb disc = png.at(g.page_point(r.peak_clusters[0].centroid_x_mm - 3.5 / g.pt_per_mm,
                                             r.peak_clusters[0].centroid_y_mm));
  EXPECT_GT(disc.r + disc.g + disc.b, 2.7);
  // Nothing joins the two labels: a stray path from one label to the next would cross row 5
  // (background, between the clusters' rows), so no dark pixel lies on that row across the map.
  const double y_between = g.page_point(0, r.grid.y_mm(5.75)).y();
  for (double x = g.map_x_pt + 2; x < g.map_x_pt + g.map_w_pt - 2; x += 0.5) {
    const FigureRgb c = png.at({x, y_between});
    ASSERT_GT(c.r + c.g + c.b, 2.0) << "dark pixel at x = " << x << " pt";
  }
}

TEST_F(SpmFigure, PdfTextCarriesThresholdAndClusterLabels) {
  if (!test::have_poppler()) GTEST_SKIP() << "pdftotext (poppler-utils) not installed";
  const auto path = dir_.path() / "map.pdf";
  ASSERT_TRUE(write_spm_figure(hand_result(), path, FigureFormat::pdf));
  const std::string text = test::pdf_text(path, dir_.path());
  for (const char* want : {"one_sample t test, n = 12, df = 11", "4096 (all) permutations", "t* = 3.00", "t* = -3.00",
                           "1 t > 0, 6 px (150 mm\u00b2), p = 0.002, peak t 6.00, hallux",
                           "2 t < 0, 4 px (100 mm\u00b2), p = 0.031, peak t -5.00, hindfoot"})
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n--- in ---\n" << text;
}

TEST_F(SpmFigure, BadRequestsAreErrorsAndKeepAnExistingFile) {
  EXPECT_FALSE(figure_format_of("map.svg"));
  EXPECT_NE(figure_format_of("map.svg").error().message.find("map.svg: a figure must be .png or .pdf"),
            std::string::npos);
  EXPECT_EQ(*figure_format_of("Map.PDF"), FigureFormat::pdf);
  const auto path = dir_.path() / "keep.png";
  std::ofstream(path) << "precious";
  stats::SpmResult empty;
  const auto st = write_spm_figure(empty, path, FigureFormat::png);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::invalid_argument);
  EXPECT_EQ(test::read_file(path), "precious");
  EXPECT_FALSE(write_spm_figure(hand_result(), dir_.path() / "no-such-dir" / "map.png", FigureFormat::png));
}

}  // namespace
}  // namespace insole::report
