#include "insole/report/report_builder.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>

#include "insole/recommend/json.hpp"
#include "insole/report/json.hpp"
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

// The same simulated cavus walk on the usual 5.08 mm mat and on 2.5 mm sensels. On 5.08 mm the
// grid alone can move the arch index by more than the rule file's 0.025 (docs/validation.md,
// "Resolution": the cavus foot reads 0.151 against the model's 0.124), so the quality warnings of
// the JSON and the report say so with the figures; on 2.5 mm they do not. A rules copy with a
// larger limit takes the warning away: the limit is data.
assess::Assessment cavus_walk(const char* pitch, const char* rows, const char* cols, const recommend::RuleSet& rules) {
  auto spec = sim::parse_spec({{"foot", "cavus"}, {"duration", "3"}, {"seed", "11"}, {"rate", "50"},
                               {"pitch", pitch}, {"rows", rows}, {"cols", cols}});
  if (!spec) throw std::runtime_error(spec.error().message);
  auto simulation = sim::run(*spec);
  if (!simulation) throw std::runtime_error(simulation.error().message);
  auto result = assess::assess("cavus_walk", simulation->recording, rules, std::nullopt);
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

std::vector<std::string> resolution_warnings_of(const assess::Assessment& a) {
  std::vector<std::string> w;
  for (const auto& s : a.analysis.quality.warnings)
    if (s.find("cannot separate its classes") != std::string::npos) w.push_back(s);
  return w;
}

TEST(ReportBuilder, CoarseSenselsSayTheArchIndexCannotSeparateTheClasses) {
  const auto coarse = cavus_walk("5.08", "120", "400", test::default_rules());
  ASSERT_FALSE(coarse.analysis.feet.empty());
  const auto w = resolution_warnings_of(coarse);
  ASSERT_FALSE(w.empty());
  for (const auto& foot : coarse.analysis.feet) {
    const auto r = foot.median("arch_index_resolution");
    ASSERT_TRUE(r.has_value());
    std::cout << to_string(foot.side) << " foot on 5.08 mm: AI " << *foot.median("arch_index") << ", resolution " << *r << "\n";
    EXPECT_GT(*r, 0.025);
    EXPECT_LT(*r, 0.06);  // p L / 3 T of a foot about 190 mm long (toe-less) with 60-100 cm2
  }
  EXPECT_NE(w[0].find("Arch index of this recording cannot separate its classes at this sensel pitch (5.08 mm)"),
            std::string::npos) << w[0];
  EXPECT_NE(w[0].find("more than 0.025"), std::string::npos) << w[0];
  // Every front end: the JSON's quality warnings and the report's.
  const auto j = report::assessment_json(coarse);
  EXPECT_NE(j.dump().find("cannot separate its classes at this sensel pitch (5.08 mm)"), std::string::npos);
  ReportHeader header;
  header.recording = "cavus_walk";
  const auto m = build_report_model(coarse, test::default_rules(), header);
  EXPECT_NE(render_html(m).find("cannot separate its classes at this sensel pitch (5.08 mm)"), std::string::npos);

  const auto fine = cavus_walk("2.5", "244", "813", test::default_rules());
  ASSERT_FALSE(fine.analysis.feet.empty());
  for (const auto& foot : fine.analysis.feet) {
    const auto r = foot.median("arch_index_resolution");
    ASSERT_TRUE(r.has_value());
    std::cout << to_string(foot.side) << " foot on 2.5 mm: AI " << *foot.median("arch_index") << ", resolution " << *r << "\n";
    EXPECT_LT(*r, 0.025);
  }
  EXPECT_TRUE(resolution_warnings_of(fine).empty());

  std::string text = test::default_rules_text();
  const std::string from = R"("measure": "arch_index_resolution", "limit": 0.025,)";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), R"("measure": "arch_index_resolution", "limit": 0.06,)");
  const auto lax = recommend::parse_rules(text, "lax.json");
  ASSERT_TRUE(lax) << lax.error().message;
  EXPECT_TRUE(resolution_warnings_of(cavus_walk("5.08", "120", "400", *lax)).empty());
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

// The default report date (insole report, the clinic app): the local calendar date as YYYY-MM-DD.
// Under TZ=UTC, 0 is 1970-01-01 and 951782400 is 2000-02-29 00:00:00 (leap day); one second
// earlier is still 2000-02-28. Under UTC-5 the same instant is the evening before.
TEST(ReportBuilder, LocalDateIsTheCalendarDateInTheLocalZone) {
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(insole::report::local_date(0), "1970-01-01");
  EXPECT_EQ(insole::report::local_date(951782400), "2000-02-29");
  EXPECT_EQ(insole::report::local_date(951782399), "2000-02-28");
  setenv("TZ", "EST5", 1);
  tzset();
  EXPECT_EQ(insole::report::local_date(951782400), "2000-02-28");
  EXPECT_EQ(insole::report::local_date(951782400 + 5 * 3600), "2000-02-29");
  if (old) setenv("TZ", saved.c_str(), 1); else unsetenv("TZ");
  tzset();
  const std::string today = insole::report::local_date_today();
  ASSERT_EQ(today.size(), 10u);
  EXPECT_EQ(today[4], '-');
  EXPECT_EQ(today[7], '-');
}
