#include "insole/report/report_builder.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>

#include "insole/recommend/json.hpp"
#include "insole/report/render.hpp"
#include "insole/sim/simulator.hpp"
#include "recommend/support.hpp"
#include "support/temp_dir.hpp"

namespace insole::report {
namespace {

std::string run_cmd(const std::string& cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::array<char, 4096> buf{};
  std::size_t n;
  while (pipe && (n = fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
  return out;
}

// A simulated flat-footed walk over a mat (sim: arch height 0.15 gives AI about 0.31, docs/simulator.md),
// assessed and reported end to end. The recording is dropped once assessed: the report must not
// need its frames.
const assess::Assessment& flat_walk() {
  static const assess::Assessment a = [] {
    auto spec = sim::parse_spec({{"foot", "flat"}, {"duration", "3"}, {"seed", "7"}, {"mass", "80"}});
    if (!spec) throw std::runtime_error(spec.error().message);
    auto simulation = sim::run(*spec);
    if (!simulation) throw std::runtime_error(simulation.error().message);
    auto result = assess::assess("flat_walk", simulation->recording, test::default_rules(), std::nullopt);
    if (!result) throw std::runtime_error(result.error().message);
    return std::move(*result);
  }();
  return a;
}

TEST(ReportBuilder, FlatWalkGivesArchSupportAndFootPanels) {
  const assess::Assessment& w = flat_walk();
  ASSERT_TRUE(w.has_usable_contact());
  const auto& in = w.engine_input;
  ASSERT_TRUE(in.measures.count(Side::left));
  ASSERT_TRUE(in.measures.at(Side::left).count("arch_index"));
  // Where the forefoot peak lies comes with the assessment (no frames needed for the pad's dose).
  ASSERT_TRUE(in.measures.at(Side::left).count("forefoot_peak_ap_mm"));
  const auto& p = w.prescription;
  bool arch_support = false;
  for (const auto& r : p.items) arch_support |= r.id == "R-ARCH-SUPPORT";
  EXPECT_TRUE(arch_support) << recommend::recommendations_json(p).dump(1);

  ReportHeader header;
  header.recording = "flat_walk";
  const auto m = build_report_model(w, test::default_rules(), header);
  ASSERT_EQ(m.feet.size(), 2u);
  for (const auto& f : m.feet) {
    EXPECT_GT(f.cells.size(), 50u);
    EXPECT_EQ(f.cop_path.size(), 101u);  // the mean COP path, 0..100 % of the samples
    EXPECT_EQ(f.thirds.size(), 2u);
    EXPECT_GE(f.regions.size(), 3u);
    // Drawn upright: the COP runs from the heel (small y) towards the toes.
    EXPECT_LT(f.cop_path.front().y_mm, f.cop_path.back().y_mm);
    EXPECT_GT(f.length_mm, 150);
    EXPECT_LT(f.length_mm, 350);
  }
  bool ai_row = false;
  for (const auto& r : m.metrics) ai_row |= r.measure == "arch_index" && r.ref_high.has_value();
  EXPECT_TRUE(ai_row);
  EXPECT_FALSE(m.quality.empty());

  if (std::system("pdftotext -v > /dev/null 2>&1") != 0) GTEST_SKIP() << "poppler-utils not installed";
  test::TempDir dir;
  ASSERT_TRUE(write_pdf(m, dir / "walk.pdf"));
  const std::string info = run_cmd("pdfinfo '" + (dir / "walk.pdf").string() + "'");
  const auto at = info.find("Pages:");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(std::stoi(info.substr(at + 6)), 2) << info;
  const std::string text = run_cmd("pdftotext '" + (dir / "walk.pdf").string() + "' -");
  EXPECT_NE(text.find("Medial arch support"), std::string::npos);
  EXPECT_NE(text.find("F-ARCH-LOW"), std::string::npos);
  if (const char* keep = std::getenv("INSOLE_KEEP_SAMPLE_REPORT")) write_pdf(m, keep).ok();
}

}  // namespace
}  // namespace insole::report
