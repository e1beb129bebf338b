// `insole compare` as users run it (the built program, INSOLE_CLI) on the shipped sample walk and
// a copy of it whose every pressure is multiplied by 0.8: the peak of a scaled signal is the scaled
// peak (and its integral the scaled integral), so regional values change by -20 %, which meets the
// -17 % metatarsal-dome target of the rule file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "insole/io/hdf5_recording.hpp"
#include "report/cli_run.hpp"
#include "support/bad_recordings.hpp"
#include "support/temp_dir.hpp"

namespace insole {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kWalk = fs::path(INSOLE_SOURCE_DIR) / "data" / "walk_normal.h5";

fs::path scaled_copy(const fs::path& dir, double factor, const std::string& name) {
  auto rec = io::read_recording(kWalk);
  EXPECT_TRUE(rec) << rec.error().message;
  for (auto& s : rec->streams) s.pressure_kpa *= static_cast<float>(factor);
  const fs::path out = dir / name;
  auto st = io::write_recording(out, *rec);
  EXPECT_TRUE(st) << st.error().message;
  return out;
}

TEST(CompareCli, ScaledCopyGivesMinusTwentyPercentEverywhereAndMeetsTheDomeTarget) {
  test::TempDir tmp;
  const fs::path b = scaled_copy(tmp.path(), 0.8, "b.h5");
  const fs::path out = tmp.path() / "cmp.json";
  auto r = test::insole_cli("compare " + test::quote(kWalk) + " " + test::quote(b) + " --fitted R-MET-PAD --json -o " +
                                test::quote(out) + " --figure " + test::quote(tmp.path() / "diff.png"),
                            tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(json::parse(test::read_file(out)), j);  // -o writes the same document
  EXPECT_EQ(test::read_file(tmp.path() / "diff.png").substr(0, 8), "\x89PNG\r\n\x1a\n");
  ASSERT_EQ(j["feet"].size(), 2u);
  for (const auto& f : j["feet"]) {
    ASSERT_TRUE(f["regions"].contains("forefoot"));
    for (const auto& [region, vars] : f["regions"].items())
      for (const auto& [var, v] : vars.items()) {
        if (v["a"].is_null() || v["a"].get<double>() < 20.0) continue;  // regions the foot barely loads
        // The peak of the large regions is the scaled peak: exact up to float32 storage (1e-7).
        // Region borders (midfoot, the metatarsal heads) and the frames a region counts as loaded
        // come from the contact footprint, whose edge sensels the 5 kPa contact threshold decides
        // again after scaling, so those values move by up to a point or so around -20 %.
        const bool exact = var == "peak_pressure_kpa" &&
                           (region == "whole_foot" || region == "hindfoot" || region == "forefoot" || region == "toes");
        EXPECT_NEAR(v["change_percent"].get<double>(), -20.0, exact ? 1e-3 : 1.5) << f["side"] << " " << region << " " << var;
      }
    bool checked = false;
    for (const auto& t : f["targets"])
      if (t["id"] == "T-MET-PAD-FOREFOOT") {
        EXPECT_EQ(t["status"], "met") << t["reason"];
        checked = true;
      } else {
        EXPECT_EQ(t["status"], "not_applicable");  // no intake: the diabetic ceiling does not apply
      }
    EXPECT_TRUE(checked);
    // Same walk: the registration finds no motion and the map is -0.2 x A.
    ASSERT_TRUE(f["difference_map"].is_object()) << f;
    EXPECT_NEAR(f["difference_map"]["registration"]["angle_deg"].get<double>(), 0.0, 1.0);
    EXPECT_GT(f["difference_map"]["registration"]["quality"]["dice"].get<double>(), 0.9);
  }

}

TEST(CompareCli, BadInputExitsTwoNamingTheFileAndLeavesTheOutputAlone) {
  test::TempDir tmp;
  const fs::path out = tmp.path() / "keep.json";
  test::write_bytes(out, "previous result\n");
  // Missing file, truncated HDF5 and garbage: exit 2, the file named, -o untouched.
  for (const fs::path& bad : test::bad_recordings(tmp.path(), kWalk)) {
    // As A, so that it fails before any analysis (B is read by the same code after A's).
    auto r = test::insole_cli("compare " + test::quote(bad) + " " + test::quote(kWalk) + " -o " + test::quote(out),
                              tmp.path());
    EXPECT_EQ(r.exit_code, 2) << bad << r.err;
    EXPECT_NE(r.err.find(bad.filename().string()), std::string::npos) << r.err;
    EXPECT_EQ(test::read_file(out), "previous result\n");
  }
  auto r = test::insole_cli("compare " + test::quote(kWalk), tmp.path());
  EXPECT_EQ(r.exit_code, 2);
  r = test::insole_cli("compare " + test::quote(kWalk) + " " + test::quote(kWalk) + " --foot middle", tmp.path());
  EXPECT_EQ(r.exit_code, 2);
  r = test::insole_cli("compare " + test::quote(kWalk) + " " + test::quote(kWalk) + " --figure diff.gif", tmp.path());
  EXPECT_NE(r.err.find("diff.gif"), std::string::npos) << r.err;
  EXPECT_EQ(r.exit_code, 2);
  r = test::insole_cli("compare " + test::quote(kWalk) + " " + test::quote(kWalk) + " --rules " +
                           test::quote(tmp.path() / "no-rules.json"),
                       tmp.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no-rules.json"), std::string::npos) << r.err;
  r = test::insole_cli("compare " + test::quote(kWalk) + " " + test::quote(kWalk) + " --fitted R-NOPE", tmp.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("R-NOPE"), std::string::npos) << r.err;
  // A condition outside barefoot / shoe / shoe_orthosis: a usage error naming it, before analysis.
  r = test::insole_cli("compare " + test::quote(kWalk) + " " + test::quote(kWalk) + " --condition-b sandals -o " +
                           test::quote(out),
                       tmp.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("sandals"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--condition-a / --condition-b: condition of B"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_file(out), "previous result\n");
  // The report's conditions belong to its comparison.
  r = test::insole_cli("report " + test::quote(kWalk) + " -o " + test::quote(tmp.path() / "r.json") + " --condition-b shoe",
                       tmp.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("need --compare-with"), std::string::npos) << r.err;
}

TEST(CompareCli, NoUsableFootInOneRecordingExitsOne) {
  test::TempDir tmp;
  const fs::path empty = scaled_copy(tmp.path(), 0.0, "empty.h5");  // every pressure 0: no contact
  auto r = test::insole_cli("compare " + test::quote(empty) + " " + test::quote(kWalk), tmp.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("empty.h5"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace insole
