// `insole analyze` as users run it (the built program, INSOLE_CLI): the JSON document carries the
// recommendations of the rule file (design note section 3.2), the table lists them, and bad rule
// or intake files are bad input (exit 2).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "insole/io/hdf5_recording.hpp"
#include "no_geometry.hpp"
#include "report/cli_run.hpp"
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
