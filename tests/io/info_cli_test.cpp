// `insole info`: runs the built program on good and bad files and checks output and exit codes
// (design note §3.3: 0 success, 2 bad input with a message naming the file).

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "insole/io/hdf5_recording.hpp"
#include "io/test_recordings.hpp"
#include "report/cli_run.hpp"
#include "support/temp_dir.hpp"

namespace insole::io {
namespace {

using test::TempDir;

using test::CliRun;

// Runs `insole info ARGS`.
CliRun run_info(const std::string& args, const TempDir& dir) { return test::insole_cli("info " + args, dir.path()); }

TEST(InfoCli, DescribesAGoodFile) {
  TempDir dir;
  const auto file = dir / "r.h5";
  const Recording rec = test::make_recording();
  ASSERT_TRUE(write_recording(file, rec).ok());
  const CliRun text = run_info("'" + file.string() + "'", dir);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("grid 6 x 4 @ 5.08 x 7.62 mm (23 of 24 sensels present)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("3 sensors, geometry unknown"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("subject: P-017, body mass 72.5 kg"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("events: 2"), std::string::npos);
  EXPECT_NE(text.out.find("total force: unknown (sensor areas unknown)"), std::string::npos);

  const CliRun json = run_info("--json '" + file.string() + "'", dir);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["mode"], "walk");
  EXPECT_EQ(doc["events"], 2);
  ASSERT_EQ(doc["streams"].size(), 3u);
  const auto& mat = doc["streams"][0];
  EXPECT_EQ(mat["frames"], 40);
  EXPECT_EQ(mat["rows"], 6);
  EXPECT_EQ(mat["sensels_present"], 23);
  // 40 frames at 100 Hz from 0.125 s: last at 0.125 + 39 / 100 = 0.515 s, duration 0.39 s.
  EXPECT_NEAR(mat["duration_s"].get<double>(), 0.39, 1e-12);
  EXPECT_NEAR(mat["measured_rate_hz"].get<double>(), 100.0, 1e-9);
  // Values are fmod(0.37 i + 1.3 f, 250) over sensels i = 1..23 (sensel 0 is NaN), f = 0..39:
  // the smallest is 0.37 at i = 1, f = 0.
  EXPECT_NEAR(mat["pressure_min_kpa"].get<double>(), 0.37, 1e-6);
  const Eigen::VectorXd force = total_force_n(rec.streams[0]);
  EXPECT_NEAR(mat["total_force_min_n"].get<double>(), force.minCoeff(), 1e-9);
  EXPECT_NEAR(mat["total_force_max_n"].get<double>(), force.maxCoeff(), 1e-9);
  const auto& anon = doc["streams"][2];
  EXPECT_TRUE(anon["total_force_min_n"].is_null());
  EXPECT_FALSE(anon["geometry_known"].get<bool>());
}

TEST(InfoCli, BadFilesExitWithTwoAndAMessage) {
  TempDir dir;
  const auto text_file = dir / "notes.h5";
  { std::ofstream(text_file) << "this is not a recording\n"; }
  const CliRun bad = run_info("'" + text_file.string() + "'", dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(text_file.string()), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("not an HDF5 file"), std::string::npos) << bad.err;
  EXPECT_TRUE(bad.out.empty());

  const CliRun missing = run_info("'" + (dir / "nope.h5").string() + "'", dir);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no such file"), std::string::npos) << missing.err;

  const CliRun usage = run_info("", dir);
  EXPECT_EQ(usage.exit_code, 2);

  // A damaged recording: the frames' chunks are cut off.
  const auto cut = dir / "cut.h5";
  ASSERT_TRUE(write_recording(cut, test::make_recording()).ok());
  std::filesystem::resize_file(cut, std::filesystem::file_size(cut) / 2);
  const CliRun damaged = run_info("--json '" + cut.string() + "'", dir);
  EXPECT_EQ(damaged.exit_code, 2);
  EXPECT_NE(damaged.err.find(cut.string()), std::string::npos) << damaged.err;
}

}  // namespace
}  // namespace insole::io
