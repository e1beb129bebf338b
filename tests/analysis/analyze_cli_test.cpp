// `insole analyze` as users run it (the built program, INSOLE_CLI): the JSON document carries the
// recommendations of the rule file (design note section 3.2), the table lists them, and bad rule
// or intake files are bad input (exit 2).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "insole/batch/csv.hpp"
#include "insole/batch/results.hpp"
#include "insole/importers/apd.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "no_geometry.hpp"
#include "report/cli_run.hpp"
#include "support/shared_data.hpp"
#include "support/temp_dir.hpp"

namespace insole::test {
namespace {

// A simulated flat-footed walk (arch index about 0.31 in the simulator, above the 0.26 low-arch
// limit) on a 1.52 m walkway at 50 Hz for 4 s (one pass), written into the test's directory.
std::filesystem::path flat_walk(const TempDir& dir) {
  const auto path = dir.path() / "flat.h5";
  const CliRun sim = insole_cli("simulate --foot flat --duration 4 --rate 50 --rows 60 --cols 300 -o " + quote(path),
                                dir.path());
  EXPECT_EQ(sim.exit_code, 0) << sim.err;
  return path;
}

TEST(AnalyzeCli, JsonCarriesRecommendationsTracedToFindings) {
  TempDir dir;
  const auto file = flat_walk(dir);
  const CliRun r = insole_cli("analyze --json " + quote(file), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  // The flat walk gives F-ARCH-LOW on both feet.
  std::set<std::string> findings;
  for (const auto& f : doc.at("findings")) findings.insert(f.at("id").get<std::string>());
  EXPECT_TRUE(findings.count("F-ARCH-LOW")) << doc.at("findings").dump();
  const auto& recs = doc.at("recommendations");
  ASSERT_TRUE(recs.is_array());
  ASSERT_FALSE(recs.empty());
  for (const auto& item : recs) {
    ASSERT_TRUE(item.contains("id")) << item.dump();
    EXPECT_FALSE(item.at("id").get<std::string>().empty());
    if (item.at("category") == "referral") continue;  // referrals come from the intake, not findings
    // Every recommended item names the findings that triggered it, and each of those was found.
    ASSERT_TRUE(item.contains("triggers")) << item.dump();
    ASSERT_FALSE(item.at("triggers").empty()) << item.dump();
    for (const auto& t : item.at("triggers")) {
      const std::string id = t.at("finding").get<std::string>();
      if (id.rfind("intake:", 0) == 0) continue;
      EXPECT_TRUE(findings.count(id)) << id << " is not among the findings";
      // ... with the measured evidence behind it.
      ASSERT_FALSE(t.at("evidence").empty()) << t.dump();
      EXPECT_TRUE(t.at("evidence")[0].at("value").is_number()) << t.dump();
    }
  }
}

// An insole pair imported without sensor geometry (as from a Moticon export): nothing can be
// computed, and the table says why instead of a bare "no feet found"; exit 1 (ran, found nothing).
TEST(AnalyzeCli, NoGeometryIsExplainedInTheTable) {
  TempDir dir;
  const auto file = dir.path() / "no-geometry.h5";
  ASSERT_TRUE(io::write_recording(file, insoles_without_geometry(300)));
  const CliRun r = insole_cli("analyze " + quote(file), dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("no feet found"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stream 'left': sensor positions and areas unknown (not in the file)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("stream 'right': sensor positions and areas unknown"), std::string::npos) << r.out;
}

// An insole pair without sensor positions whose maker's channels were kept (as `insole import`
// keeps a Moticon export's; no_geometry.hpp): `insole analyze` (table and --json), `insole
// report` and the `insole batch` CSV give gait timing from the vendor total force, the COP path
// from the vendor COP in normalised insole units, and every measure that needs positions as not
// available, with the reason.
TEST(AnalyzeCli, VendorChannelsWithoutPositionsInAnalyzeReportAndBatch) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "in");
  const auto file = dir.path() / "in" / "vendor.h5";
  ASSERT_TRUE(io::write_recording(file, insoles_with_vendor_channels(400)));
  const std::string reason = "not available: sensor positions unknown (not in the file)";
  const double stance = 0.6 * (1.0 - 2.0 * std::asin(0.05) / std::acos(-1.0));  // 0.5809 s (no_geometry.hpp)

  const CliRun j = insole_cli("analyze --json " + quote(file), dir.path());
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc.at("feet").size(), 2u);
  for (const auto& foot : doc.at("feet")) {
    EXPECT_EQ(foot.at("sensor_positions"), "unknown");
    EXPECT_TRUE(foot.at("arch_index").is_null());
    EXPECT_EQ(foot.at("arch_index_reason"), reason);
    EXPECT_EQ(foot.at("foot_length_mm_reason"), reason);
    for (const char* key : {"foot_length_mm", "cop_path_length_mm", "mlpi", "heel_peak_kpa", "toe_first_percent"}) {
      EXPECT_TRUE(foot.at("measures").at(key).is_null()) << key;
      EXPECT_EQ(foot.at("measure_reasons").at(key), reason) << key;
    }
    EXPECT_NEAR(foot.at("measures").at("stance_s").at("median").get<double>(), stance, 2e-4);
    EXPECT_GT(foot.at("measures").at("cop_path_length_normalised").at("median").get<double>(), 0.6);
    EXPECT_FALSE(foot.at("measure_reasons").contains("stance_s"));
    ASSERT_FALSE(foot.at("gait").at("timing").is_null());
  }
  EXPECT_NEAR(doc.at("gait").at("cadence_steps_per_min").get<double>(), 120.0, 0.01);
  EXPECT_EQ(doc.at("units").at("cop_path_length_normalised"), "insole units");
  for (const auto& s : doc.at("quality").at("streams")) EXPECT_EQ(s.at("contacts_from"), "vendor_channels");

  const CliRun t = insole_cli("analyze " + quote(file), dir.path());
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_EQ(t.out.find("no feet found"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("COP path length (vendor COP) (insole units)"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("swing (s)"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("cadence 120.0 steps/min"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("left foot (left): " + reason + ": foot_length_mm, foot_width_mm, arch_index"),
            std::string::npos)
      << t.out;

  const CliRun rep = insole_cli("report " + quote(file) + " --format html -o " + quote(dir.path() / "r.html"), dir.path());
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  const std::string page = read_file(dir.path() / "r.html");
  EXPECT_NE(page.find(reason), std::string::npos);
  EXPECT_NE(page.find("COP path length (vendor COP)"), std::string::npos);
  EXPECT_NE(page.find("contacts, gait events and timing from the vendor"), std::string::npos);

  const auto csv_path = dir.path() / "batch.csv";
  const CliRun b = insole_cli("batch " + quote(dir.path() / "in") + " -o " + quote(csv_path) + " --progress none",
                              dir.path());
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto rows = batch::parse_csv(read_file(csv_path), csv_path.string());
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);  // header, left, right
  for (std::size_t k = 1; k < rows->size(); ++k) {
    const auto& row = (*rows)[k];
    EXPECT_EQ(row[batch::column_index("status")], "ok");
    EXPECT_NEAR(std::stod(row[batch::column_index("stance_s")]), stance, 2e-4);
    EXPECT_EQ(row[batch::column_index("arch_index")], "");
    EXPECT_NE(row[batch::column_index("reasons")].find("arch_index: " + reason), std::string::npos)
        << row[batch::column_index("reasons")];
    EXPECT_NEAR(std::stod(row[batch::column_index("cadence_steps_per_min")]), 120.0, 0.01);
  }
}

// A real Moticon OpenGo walk as users run it: `insole import` then `insole analyze`.
TEST(AnalyzeCli, ImportedMoticonWalk) {
  const std::string rel = "moticon_opengo/230927_102114.txt";
  INSOLE_REQUIRE_SHARED_DATA(rel);
  TempDir dir;
  const auto file = dir.path() / "m.h5";
  const CliRun imp = insole_cli("import " + quote(shared_data(rel)) + " -o " + quote(file), dir.path());
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  const CliRun j = insole_cli("analyze --json " + quote(file), dir.path());
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc.at("feet").size(), 2u);
  for (const auto& foot : doc.at("feet")) {
    EXPECT_EQ(foot.at("arch_index_reason"),
              "not available: sensor positions unknown (Moticon does not publish the sensor cell positions)");
    // The vendor's gait report: mean stance 0.804 s (left), 0.814 s (right) over its steps.
    EXPECT_NEAR(foot.at("measures").at("stance_s").at("median").get<double>(), 0.81, 0.05);
    EXPECT_GT(foot.at("measures").at("stance_s").at("n").get<int>(), 5);
  }
  ASSERT_TRUE(doc.at("gait").at("cadence_steps_per_min").is_number());
}

TEST(AnalyzeCli, TableListsRecommendations) {
  TempDir dir;
  const auto file = flat_walk(dir);
  const CliRun r = insole_cli("analyze " + quote(file), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("recommendations (rules"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("red flags not screened"), std::string::npos);
  EXPECT_NE(r.out.find("[because F-ARCH-LOW"), std::string::npos) << r.out;
}

TEST(AnalyzeCli, IntakeAndRulesOptions) {
  TempDir dir;
  const auto file = flat_walk(dir);
  // The shipped example intake: red flags are then screened.
  const std::filesystem::path intake = std::filesystem::path(INSOLE_SOURCE_DIR) / "data" / "intake-example.yaml";
  if (std::filesystem::exists(intake)) {
    const CliRun r = insole_cli("analyze " + quote(file) + " --intake " + quote(intake), dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("red flags not screened"), std::string::npos);
    EXPECT_NE(r.out.find("recommendations (rules"), std::string::npos);
  }
  // The shipped rule file given explicitly gives the same recommendations as the default.
  const std::filesystem::path rules = std::filesystem::path(INSOLE_SOURCE_DIR) / "libinsole" / "rules" / "default.json";
  const CliRun a = insole_cli("analyze --json " + quote(file), dir.path());
  const CliRun b = insole_cli("analyze --json " + quote(file) + " --rules " + quote(rules), dir.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(nlohmann::json::parse(a.out).at("recommendations"), nlohmann::json::parse(b.out).at("recommendations"));
}

TEST(AnalyzeCli, BadRulesOrIntakeFileIsBadInput) {
  TempDir dir;
  const auto file = flat_walk(dir);
  const auto garbage = dir.path() / "garbage.json";
  { std::ofstream(garbage) << "{ not json"; }
  for (const std::string opt : {"--rules ", "--intake "}) {
    for (const auto& bad : {garbage, dir.path() / "missing.json"}) {
      const CliRun r = insole_cli("analyze --json " + quote(file) + " " + opt + quote(bad), dir.path());
      EXPECT_EQ(r.exit_code, 2) << opt << bad << ": " << r.err;
      EXPECT_TRUE(r.out.empty()) << "nothing printed on stdout for bad input";
      EXPECT_NE(r.err.find(bad.filename().string()), std::string::npos) << r.err;
    }
  }
}

}  // namespace
}  // namespace insole::test

namespace insole::test {
namespace {

const std::filesystem::path kDataDir = std::filesystem::path(INSOLE_SOURCE_DIR) / "data";
const std::filesystem::path kRulesFile = std::filesystem::path(INSOLE_SOURCE_DIR) / "libinsole" / "rules" / "default.json";

std::string rules_text() {
  std::ifstream in(kRulesFile);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The shipped rule file with one piece of text replaced, written into the test's directory.
std::filesystem::path edited_rules(const TempDir& dir, const std::string& from, const std::string& to) {
  std::string text = rules_text();
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  const auto path = dir.path() / "clinic-rules.json";
  std::ofstream(path) << text;
  return path;
}

std::set<std::string> ids(const nlohmann::json& doc, const char* key) {
  std::set<std::string> out;
  for (const auto& x : doc.at(key)) out.insert(x.at("id").get<std::string>() + "/" + x.at("side").get<std::string>());
  return out;
}

nlohmann::json analyze_json(const std::filesystem::path& file, const std::string& extra, const TempDir& dir) {
  const CliRun r = insole_cli("analyze --json " + quote(file) + extra, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object({{"findings", nlohmann::json::array()},
                                                                                  {"recommendations", nlohmann::json::array()}});
}

// Interpretation is data: a clinic's copy of the rule file with the low-arch limit moved from
// 0.26 to 0.35 no longer finds a low arch on the flat sample (arch index 0.30 / 0.31).
TEST(AnalyzeCliRules, MovingAThresholdInACopyChangesWhatFiresOnASample) {
  const auto file = kDataDir / "walk_flat_pronated.h5";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "data/ sample absent";
  TempDir dir;
  const auto before = analyze_json(file, "", dir);
  EXPECT_TRUE(ids(before, "findings").count("F-ARCH-LOW/left")) << before.at("findings").dump();
  const auto rules = edited_rules(dir, R"({"measure": "arch_index", "op": ">=", "value": 0.26,)",
                                  R"({"measure": "arch_index", "op": ">=", "value": 0.35,)");
  const auto after = analyze_json(file, " --rules " + quote(rules), dir);
  EXPECT_FALSE(ids(after, "findings").count("F-ARCH-LOW/left")) << after.at("findings").dump();
  EXPECT_FALSE(ids(after, "findings").count("F-ARCH-LOW/right"));
  // Left 0.304 and right 0.306 are closer than the arch index's measurement error (0.016): the
  // same arch support on both feet, one item.
  for (const auto& item : before.at("recommendations")) {
    if (item.at("id") == "R-ARCH-SUPPORT") {
      EXPECT_EQ(item.at("side"), "both") << item.dump();
    }
  }
}

// The bundled in-shoe samples (CPEI 12.7-17.4 %, below the barefoot lower-quintile estimate of
// 17.3 %) get no pronation finding and no medial post: the CPEI threshold was measured barefoot.
// With a clinic rule where any one vote decides, a barefoot sample fires on its CPEI, and on the
// insoles the CPEI vote is "not applicable" (it neither agrees nor counts).
TEST(AnalyzeCliRules, BarefootCpeiNormsAreNotAppliedToInShoeSamples) {
  TempDir dir;
  const auto cpei_alone = edited_rules(dir, R"("combine": {"at_least": 2},
     "notes": ["No single)", R"("combine": "any",
     "notes": ["No single)");
  for (const char* name : {"insoles_grid_normal.h5", "insoles_pedar99_flat.h5"}) {
    const auto file = kDataDir / name;
    if (!std::filesystem::exists(file)) GTEST_SKIP() << "data/ sample absent";
    const auto doc = analyze_json(file, "", dir);
    for (const auto& id : ids(doc, "findings")) EXPECT_EQ(id.rfind("F-PRONATION", 0), std::string::npos) << name;
    for (const auto& item : doc.at("recommendations")) EXPECT_NE(item.at("id"), "R-MEDIAL-POST") << name;
    for (const auto& foot : doc.at("feet")) {
      if (foot.at("cpei_percent").is_number()) {
        EXPECT_LT(foot.at("cpei_percent").get<double>(), 17.5) << name;
      }
    }
    // With "any", the medial-lateral index may decide alone in the shoe; the CPEI vote never counts.
    const auto any = analyze_json(file, " --rules " + quote(cpei_alone), dir);
    for (const auto& f : any.at("findings")) {
      if (f.at("id") != "F-PRONATION") continue;
      for (const auto& e : f.at("evidence")) {
        if (e.at("measure") != "cpei_percent") continue;
        EXPECT_FALSE(e.at("applicable").get<bool>()) << name << e.dump();
        EXPECT_FALSE(e.at("agrees").get<bool>()) << name << e.dump();
        EXPECT_NE(e.at("note").get<std::string>().find("measured barefoot"), std::string::npos) << e.dump();
      }
    }
  }
  const auto barefoot = kDataDir / "walk_normal.h5";  // CPEI 16.6 % left (barefoot mat)
  if (!std::filesystem::exists(barefoot)) GTEST_SKIP() << "data/ sample absent";
  EXPECT_FALSE(ids(analyze_json(barefoot, "", dir), "findings").count("F-PRONATION/left"));
  EXPECT_TRUE(ids(analyze_json(barefoot, " --rules " + quote(cpei_alone), dir), "findings").count("F-PRONATION/left"));
}


// `insole export` consumes the assessment (issue 12 item 1): its per-foot CSV values are those of
// `analyze --json` for the same file (the same double, written shortest round-trip by both), and
// its pedcad footprint is one foot's image from the analysis, so a mat with two feet needs --foot.
TEST(ExportCli, PerFootValuesEqualAnalyzeJson) {
  TempDir dir;
  for (const char* name : {"walk_normal.h5", "insoles_grid_normal.h5", "stand_normal.h5"}) {
    const auto file = kDataDir / name;
    const CliRun j = insole_cli("analyze --json " + quote(file), dir.path());
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    const auto csv_path = dir.path() / "feet.csv";
    const CliRun e = insole_cli("export --format csv " + quote(file) + " -o " + quote(csv_path), dir.path());
    ASSERT_EQ(e.exit_code, 0) << e.err;
    std::ifstream in(csv_path);
    std::stringstream text;
    text << in.rdbuf();
    auto rows = batch::parse_csv(text.str(), csv_path.string());
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_EQ(rows->size(), doc.at("feet").size() + 1) << name;  // header + one row per foot
    EXPECT_EQ((*rows)[0], batch::csv_columns());
    std::size_t compared = 0;
    for (const auto& foot : doc.at("feet")) {
      const auto row = std::find_if(rows->begin() + 1, rows->end(), [&](const batch::CsvRow& r) {
        return r[batch::column_index("side")] == foot.at("side").get<std::string>() &&
               r[batch::column_index("stream")] == foot.at("stream").get<std::string>();
      });
      ASSERT_NE(row, rows->end()) << name << " " << foot.at("side");
      for (const auto& key : batch::measure_columns()) {
        const std::string cell = (*row)[batch::column_index(key)];
        const auto& m = foot.at("measures");
        if (!m.contains(key) || m.at(key).at("median").is_null()) {
          EXPECT_EQ(cell, "") << name << " " << key;
          continue;
        }
        ASSERT_FALSE(cell.empty()) << name << " " << key;
        EXPECT_EQ(std::stod(cell), m.at(key).at("median").get<double>()) << name << " " << key;
        ++compared;
      }
    }
    EXPECT_GT(compared, 10u) << name;
  }

  // pedcad: two feet on the mat -> the user chooses; the chosen foot's footprint is written at the
  // image's raster cell (the mat's 5.08 mm pitch), and reads back as one frame.
  const auto mat = kDataDir / "walk_normal.h5";
  const auto apd = dir.path() / "left.apd";
  const CliRun both = insole_cli("export " + quote(mat) + " -o " + quote(apd), dir.path());
  EXPECT_EQ(both.exit_code, 2) << both.err;
  EXPECT_NE(both.err.find("choose one with --foot"), std::string::npos) << both.err;
  const CliRun left = insole_cli("export --foot left " + quote(mat) + " -o " + quote(apd), dir.path());
  ASSERT_EQ(left.exit_code, 0) << left.err;
  std::ifstream in(apd);
  auto back = importers::read_apd(in, apd.string());
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->streams.size(), 1u);
  EXPECT_NEAR(back->streams[0].info.layout.row_pitch_mm(), 5.08, 1e-4);
  EXPECT_GT(back->streams[0].pressure_kpa.maxCoeff(), 0.0f);
}

}  // namespace
}  // namespace insole::test
