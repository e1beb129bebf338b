#include "insole/report/render.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "report/sample_model.hpp"
#include "support/temp_dir.hpp"

namespace insole::report {
namespace {

// Runs a command and returns its stdout (tests use poppler-utils to read the PDF back).
std::string run(const std::string& cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return out;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
  return out;
}

bool have_poppler() { return std::system("pdftotext -v > /dev/null 2>&1") == 0; }

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Collapses the whitespace pdftotext puts inside wrapped lines.
std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\f';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

TEST(ColourScale, LightnessFallsMonotonicallySoGreyPrintKeepsTheOrder) {
  double previous = 2.0;
  for (int i = 0; i <= 100; ++i) {
    const double l = luminance(pressure_colour(i / 100.0));
    EXPECT_LT(l, previous) << i;
    previous = l;
  }
  // Ends of the map: viridis' yellow (0.993, 0.906, 0.144) for 0, its purple for 1.
  EXPECT_NEAR(pressure_colour(0).r, 0.993, 1e-9);
  EXPECT_NEAR(pressure_colour(1).b, 0.329, 1e-9);
  EXPECT_NEAR(pressure_colour(-3).g, pressure_colour(0).g, 1e-12);  // clamped
}

TEST(ColourScale, ScaleMaxRoundsUpToNiceSteps) {
  EXPECT_DOUBLE_EQ(scale_max_kpa(610), 700);  // 100 kPa steps above 200
  EXPECT_DOUBLE_EQ(scale_max_kpa(600), 600);
  EXPECT_DOUBLE_EQ(scale_max_kpa(120), 150);  // 50 kPa steps below
  EXPECT_DOUBLE_EQ(scale_max_kpa(0), 100);
}

TEST(MetricRow, InRangeAndRangeText) {
  MetricRow r{"arch_index", "Arch index", Side::left, 0.29, "", 2, 0.21, 0.26, "cavanagh1987", ""};
  EXPECT_EQ(r.in_range(), false);
  EXPECT_EQ(r.range_text(), "0.21-0.26");
  r.value = 0.26;
  EXPECT_EQ(r.in_range(), true);  // bounds inclusive
  r.ref_low.reset();
  EXPECT_EQ(r.range_text(), "<= 0.26");
  r.value.reset();
  EXPECT_FALSE(r.in_range().has_value());
}

TEST(ChainDiagram, ColumnsRunFromTheFeetToTheBack) {
  const auto m = test::sample_model();
  const auto& d = m.chain;
  auto node = [&](const std::string& id) {
    for (const auto& n : d.nodes)
      if (n.id == id) return n;
    throw std::runtime_error("missing node " + id);
  };
  // Longest non-feedback path: NERVE-ROOT -> EQUINUS -> ARCH-LOW -> TIBIAL -> KNEE-HIP -> PELVIC
  // -> LORDOSIS -> LOW-BACK, so the back sits in column 7.
  EXPECT_EQ(node("N-NERVE-ROOT").column, 0);
  EXPECT_EQ(node("F-EQUINUS").column, 1);
  EXPECT_EQ(node("F-ARCH-LOW").column, 2);
  EXPECT_EQ(node("N-LOW-BACK").column, 7);
  EXPECT_TRUE(node("F-ARCH-LOW").active);
  // No intake: the inferred path runs up to the pelvis; low back pain is asked, not reported, so
  // it is not on the path (inference never lights a symptom).
  EXPECT_TRUE(node("N-PELVIC-TILT").active);
  EXPECT_FALSE(node("N-LOW-BACK").active);
  EXPECT_FALSE(node("N-NERVE-ROOT").active);
  recommend::Intake back_pain;
  back_pain.values["low_back_pain"] = true;
  const auto reported = test::sample_model(back_pain);
  bool back_active = false;
  for (const auto& n : reported.chain.nodes) back_active |= n.id == "N-LOW-BACK" && n.active;
  EXPECT_TRUE(back_active);
  int active_edges = 0;
  for (const auto& e : d.edges) active_edges += e.active;
  EXPECT_GT(active_edges, 5);
}

TEST(Pdf, SampleReportHasTwoPagesImagesAndTheExpectedText) {
  if (!have_poppler()) GTEST_SKIP() << "poppler-utils not installed";
  test::TempDir dir;
  const auto path = dir / "report.pdf";
  const auto m = test::sample_model();
  ASSERT_TRUE(write_pdf(m, path));
  EXPECT_EQ(read(path).rfind("%PDF-", 0), 0u);
  const std::string info = run("pdfinfo '" + path.string() + "'");
  const auto pages_at = info.find("Pages:");
  ASSERT_NE(pages_at, std::string::npos) << info;
  EXPECT_EQ(std::stoi(info.substr(pages_at + 6)), 2) << info;  // two pages for a typical walk
  const std::string images = run("pdfimages -list '" + path.string() + "'");
  // Header lines of pdfimages plus one image per foot panel.
  int image_rows = 0;
  std::istringstream lines(images);
  for (std::string l; std::getline(lines, l);) image_rows += l.find(" image ") != std::string::npos;
  EXPECT_GE(image_rows, 2) << images;
  const std::string text = squeeze(run("pdftotext -layout '" + path.string() + "' -"));
  for (const char* expected :
       {"Plantar pressure fitting report", "Example Clinic", "P-0042", "peak kPa", "Arch index", "OUT",
        "findings consistent with a low medial arch", "Medial arch support", "Temporary heel lift",
        "Metatarsal dome", "Calf stretch, knee straight", "15-30 s", "RED FLAGS NOT SCREENED", "L1",
        "Measurement quality", "Clinician:"})
    EXPECT_NE(text.find(expected), std::string::npos) << expected;
  EXPECT_EQ(text.find("diagnosis"), std::string::npos);
}

TEST(Pdf, RedFlagReportShowsUrgentReferralAndWithheldItems) {
  if (!have_poppler()) GTEST_SKIP() << "poppler-utils not installed";
  test::TempDir dir;
  const auto path = dir / "flag.pdf";
  ASSERT_TRUE(write_pdf(test::sample_model(test::intake({{"calf_swelling_redness_warmth", true}})), path));
  const std::string text = squeeze(run("pdftotext '" + path.string() + "' -"));
  EXPECT_NE(text.find("URGENT REFERRAL"), std::string::npos);
  EXPECT_NE(text.find("WITHHELD"), std::string::npos);
  EXPECT_EQ(text.find("NOT SCREENED"), std::string::npos);
}

TEST(Pdf, FailedWriteLeavesExistingFileIntact) {
  test::TempDir dir;
  EXPECT_FALSE(write_pdf(test::sample_model(), dir / "missing-dir" / "r.pdf"));
  const auto path = dir / "r.pdf";
  { std::ofstream(path) << "previous report"; }
  ASSERT_TRUE(write_pdf(test::sample_model(), path));
  EXPECT_EQ(read(path).rfind("%PDF-", 0), 0u);
}

TEST(Html, SelfContainedWithFiguresAndEscapedText) {
  auto m = test::sample_model();
  m.header.clinic = "Feet & <Co>";
  const std::string html = render_html(m);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("Feet &amp; &lt;Co&gt;"), std::string::npos);
  std::size_t images = 0;
  for (std::size_t p = html.find("data:image/png;base64,iVBOR"); p != std::string::npos;
       p = html.find("data:image/png;base64,iVBOR", p + 1))
    ++images;
  EXPECT_EQ(images, 2u);  // foot maps and chain; iVBOR = base64 of the PNG signature
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  for (const char* expected : {"Medial arch support", "Exercise programme", "Clinician:", "RED FLAGS NOT SCREENED"})
    EXPECT_NE(html.find(expected), std::string::npos) << expected;
  test::TempDir dir;
  ASSERT_TRUE(write_html(m, dir / "r.html"));
  EXPECT_EQ(read(dir / "r.html"), html);
}

}  // namespace
}  // namespace insole::report

namespace {
// Frees the font caches once every test has run, so LeakSanitizer sees a clean exit.
class ReleaseFontCaches : public ::testing::Environment {
 public:
  void TearDown() override { insole::report::release_render_caches(); }
};
const auto* const kReleaseFontCaches = ::testing::AddGlobalTestEnvironment(new ReleaseFontCaches);
}  // namespace
