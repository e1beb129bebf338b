// AtomicOutput (core): all-or-nothing output files. Disk-full cases are in recording_writer_test.

#include "insole/core/atomic_output.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace insole {
namespace {

using test::TempDir;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::size_t files_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(AtomicOutput, CommitReplacesTheTargetAndKeepsItsPermissions) {
  TempDir dir;
  const auto target = dir / "out.txt";
  { std::ofstream(target) << "old"; }
  ::chmod(target.c_str(), 0640);
  auto out = AtomicOutput::create(target);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->temp_path().parent_path(), dir.path());
  { std::ofstream(out->temp_path()) << "new"; }
  EXPECT_EQ(slurp(target), "old");  // untouched until commit
  ASSERT_TRUE(out->commit().ok());
  EXPECT_EQ(slurp(target), "new");
  struct stat st {};
  ::stat(target.c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(files_in(dir.path()), 1u);
  EXPECT_THROW((void)out->commit(), std::logic_error);
}

TEST(AtomicOutput, WithoutCommitTheTemporaryIsRemovedAndTheTargetUntouched) {
  TempDir dir;
  const auto target = dir / "out.txt";
  { std::ofstream(target) << "old"; }
  {
    auto out = AtomicOutput::create(target);
    ASSERT_TRUE(out.ok());
    { std::ofstream(out->temp_path()) << "half"; }
    AtomicOutput moved = std::move(*out);  // ownership moves; still one temporary
    EXPECT_EQ(files_in(dir.path()), 2u);
  }
  EXPECT_EQ(slurp(target), "old");
  EXPECT_EQ(files_in(dir.path()), 1u);
}

TEST(AtomicOutput, ErrorsNameThePlace) {
  TempDir dir;
  auto missing = AtomicOutput::create(dir / "no" / "out.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);
  auto is_dir = AtomicOutput::create(dir.path());
  EXPECT_FALSE(is_dir.ok());
  ASSERT_TRUE(write_file_atomically(dir / "a.json", "{}\n").ok());
  EXPECT_EQ(slurp(dir / "a.json"), "{}\n");
}

}  // namespace
}  // namespace insole
