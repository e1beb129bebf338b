#include "insole/batch/inputs.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace insole::batch {
namespace {

namespace fs = std::filesystem;

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

std::vector<std::string> keys(const std::vector<InputFile>& in) {
  std::vector<std::string> k;
  for (const auto& f : in) k.push_back(f.key);
  return k;
}

class InputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f : {"study/s01/walk.h5", "study/s01/stand.HDF5", "study/s02/walk.h5", "study/s02/notes.txt",
                          "study/.hidden/x.h5", "study/s02/.walk.h5.tmp-abc123", "loose.h5", "other.dat"})
      touch(dir / f);
  }
  std::string p(const std::string& rel) const { return (dir.path() / rel).string(); }
  insole::test::TempDir dir;
};

TEST_F(InputsTest, DirectoriesAreSearchedRecursivelyForRecordingsOnly) {
  const auto in = expand_inputs({p("study")});
  EXPECT_EQ(keys(in), (std::vector<std::string>{p("study/s01/stand.HDF5"), p("study/s01/walk.h5"), p("study/s02/walk.h5")}));
  for (const auto& f : in) EXPECT_TRUE(f.problem.empty());
  EXPECT_EQ(in[1].relative, fs::path("s01/walk.h5"));
}

TEST_F(InputsTest, ExplicitFilesAreTakenWhateverTheirName) {
  const auto in = expand_inputs({p("other.dat")});
  ASSERT_EQ(in.size(), 1u);
  EXPECT_TRUE(in[0].problem.empty());
  EXPECT_EQ(in[0].relative, fs::path("other.dat"));
}

TEST_F(InputsTest, GlobsExpandAndResultsAreSortedAndDeduplicated) {
  const auto in = expand_inputs({p("study/s0*/walk.h5"), p("loose.h5"), p("study/s01/walk.h5"), p("study/s01")});
  EXPECT_EQ(keys(in), (std::vector<std::string>{p("loose.h5"), p("study/s01/stand.HDF5"), p("study/s01/walk.h5"),
                                                p("study/s02/walk.h5")}));
}

TEST_F(InputsTest, PathsAreNormalisedSoTheSameFileIsOneInput) {
  const auto in = expand_inputs({p("study/s01/./walk.h5"), dir.path().string() + "//study/s01/walk.h5"});
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].key, p("study/s01/walk.h5"));
}

TEST_F(InputsTest, InputsNamingNothingBecomeProblemsNotErrors) {
  const auto in = expand_inputs({p("missing.h5"), p("nomatch/*.h5"), p("loose.h5")});
  ASSERT_EQ(in.size(), 3u);
  EXPECT_EQ(in[0].key, p("loose.h5"));
  EXPECT_TRUE(in[0].problem.empty());
  EXPECT_EQ(in[1].problem, "no such file or directory");
  EXPECT_EQ(in[2].problem, "the pattern matches no file");
}

TEST(IsGlob, RecognisesMetacharacters) {
  EXPECT_TRUE(is_glob("a/*.h5"));
  EXPECT_TRUE(is_glob("a?.h5"));
  EXPECT_TRUE(is_glob("a[12].h5"));
  EXPECT_FALSE(is_glob("a/b.h5"));
}

}  // namespace
}  // namespace insole::batch
