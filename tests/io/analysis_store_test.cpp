// write_analysis / read_analysis: results stored next to the frames.

#include <gtest/gtest.h>

#include <fstream>

#include "insole/io/hdf5_recording.hpp"
#include "io/test_recordings.hpp"
#include "support/temp_dir.hpp"

namespace insole::io {
namespace {

using test::TempDir;

TEST(AnalysisStore, WritesReplacesAndReadsBackWithoutTouchingFrames) {
  TempDir dir;
  const auto file = dir / "r.h5";
  const Recording rec = test::make_recording();
  ASSERT_TRUE(write_recording(file, rec).ok());
  EXPECT_EQ(read_analysis(file, "summary").error().code, Errc::not_found);
  ASSERT_TRUE(write_analysis(file, "summary", R"({"arch_index": 0.27})", "arch 1.0", R"({"toes": false})").ok());
  ASSERT_TRUE(write_analysis(file, "other", "{}", "x 2", "{}").ok());
  auto json = read_analysis(file, "summary");
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_EQ(*json, R"({"arch_index": 0.27})");
  const std::string big(200000, 'a');
  ASSERT_TRUE(write_analysis(file, "summary", "\"" + big + "\"", "arch 1.1", "{}").ok());
  EXPECT_EQ(read_analysis(file, "summary")->size(), big.size() + 2);
  EXPECT_EQ(*read_analysis(file, "other"), "{}");
  auto back = read_recording(file);
  ASSERT_TRUE(back.ok()) << back.error().message;
  for (std::size_t i = 0; i < rec.streams.size(); ++i)
    EXPECT_TRUE(test::same_bits(rec.streams[i].pressure_kpa, back->streams[i].pressure_kpa));
}

TEST(AnalysisStore, RefusesBadNamesAndNonRecordings) {
  TempDir dir;
  const auto file = dir / "x.h5";
  { std::ofstream(file) << "text"; }
  EXPECT_EQ(write_analysis(file, "a", "{}", "v", "{}").error().code, Errc::format_error);
  std::string content;
  std::getline(std::ifstream(file), content);
  EXPECT_EQ(content, "text");
  ASSERT_TRUE(write_recording(dir / "r.h5", test::make_recording()).ok());
  EXPECT_EQ(write_analysis(dir / "r.h5", "a/b", "{}", "v", "{}").error().code, Errc::invalid_argument);
  EXPECT_EQ(write_analysis(dir / "r.h5", "", "{}", "v", "{}").error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace insole::io
