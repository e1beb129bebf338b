// The `insole batch` and `insole batch-merge` commands, run as a user runs them (the built binary).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "fixtures.hpp"
#include "insole/batch/run.hpp"
#include "support/temp_dir.hpp"

namespace insole::batch {
namespace {

namespace fs = std::filesystem;
using fixture::read_all;

const std::string kInsole = std::string(INSOLE_BINARY_DIR) + "/cli/insole";

// Runs `insole ARGS` with stdout/stderr to files; returns the exit status.
int run(const std::string& args, const fs::path& log) {
  const std::string cmd = kInsole + " " + args + " >" + log.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

class BatchCli : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 1; i <= 3; ++i) fixture::write_walk(dir / ("in/a/r" + std::to_string(i) + ".h5"), static_cast<std::uint64_t>(i));
    fixture::write_walk(dir / "in/b/r4.h5", 4);
  }
  std::string in() const { return (dir.path() / "in").string(); }
  std::string out(const std::string& name) const { return (dir.path() / name).string(); }
  insole::test::TempDir dir;
};

TEST_F(BatchCli, AllGoodExitsZeroWithSummaryAndPlainProgressWhenNotATerminal) {
  EXPECT_EQ(run("batch " + in() + " -o " + out("r.csv") + " --jobs 2", dir / "log"), 0) << read_all(dir / "log");
  const std::string log = read_all(dir / "log");
  EXPECT_NE(log.find("batch: 4/4 (100%)"), std::string::npos) << log;
  EXPECT_NE(log.find("analysed 4, skipped 0, failed 0, of 4"), std::string::npos) << log;
  EXPECT_EQ(log.find('\r'), std::string::npos);  // no bar redraws in a log file
  auto rows = parse_csv(read_all(out("r.csv")), "r.csv");
  ASSERT_TRUE(rows);
  EXPECT_GE(rows->size(), 1u + 4u);  // header + at least a foot per recording
}

TEST_F(BatchCli, SomeFailedExitsOneAndGlobInputsWork) {
  fixture::write_text(dir / "in/a/broken.h5", "garbage");
  EXPECT_EQ(run("batch '" + in() + "/a/*.h5' -o " + out("r.csv") + " --progress none", dir / "log"), 1);
  const std::string log = read_all(dir / "log");
  EXPECT_NE(log.find("failed 1, of 4"), std::string::npos) << log;
  const std::string csv = read_all(out("r.csv"));
  const auto at = csv.find("broken.h5,xxh64:");
  ASSERT_NE(at, std::string::npos) << csv;
  EXPECT_NE(csv.find(",failed,format_error,", at), std::string::npos) << csv;
}

TEST_F(BatchCli, BadUsageExitsTwo) {
  EXPECT_EQ(run("batch -o " + out("r.csv"), dir / "log"), 2);
  EXPECT_EQ(run("batch " + in(), dir / "log"), 2);
  EXPECT_EQ(run("batch " + in() + " -o " + out("r.csv") + " --shard 4/3", dir / "log"), 2);
  EXPECT_NE(read_all(dir / "log").find("K/N"), std::string::npos);
  EXPECT_EQ(run("batch " + in() + " -o " + out("r.csv") + " --jobs 0", dir / "log"), 2);
  EXPECT_FALSE(fs::exists(out("r.csv")));
}

TEST_F(BatchCli, ShardsThenMergeEqualsOneRun) {
  ASSERT_EQ(run("batch " + in() + " -o " + out("all.csv") + " --progress none", dir / "log"), 0);
  std::string shards;
  for (int k = 1; k <= 3; ++k) {
    const std::string o = out("s" + std::to_string(k) + ".csv");
    ASSERT_EQ(run("batch " + in() + " -o " + o + " --shard " + std::to_string(k) + "/3 --progress none", dir / "log"), 0)
        << read_all(dir / "log");
    shards += " " + o;
  }
  EXPECT_EQ(run("batch-merge" + shards + " -o " + out("merged.csv"), dir / "mlog"), 0) << read_all(dir / "mlog");
  EXPECT_NE(read_all(dir / "mlog").find("none missing or duplicated"), std::string::npos);
  EXPECT_EQ(read_all(out("merged.csv")), read_all(out("all.csv")));
  // Leave one shard out: refused, exit 2, nothing written.
  EXPECT_EQ(run("batch-merge " + out("s1.csv") + " " + out("s2.csv") + " -o " + out("m2.csv"), dir / "mlog"), 2);
  EXPECT_NE(read_all(dir / "mlog").find("missing: shard 3/3"), std::string::npos) << read_all(dir / "mlog");
  EXPECT_FALSE(fs::exists(out("m2.csv")));
}

// Killed mid-run (a Slurm time limit, a reboot): the earlier CSV is intact, and --resume finishes
// the work from the journal without redoing what was done.
TEST_F(BatchCli, KilledBatchLeavesOldOutputIntactAndResumeCompletes) {
  for (int i = 5; i <= 12; ++i) fixture::write_walk(dir / ("in/c/r" + std::to_string(i) + ".h5"), static_cast<std::uint64_t>(i));
  const std::string old_csv = "previous results, must survive\n";
  fixture::write_text(out("r.csv"), old_csv);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string o = out("r.csv");
    const std::string input = in();
    execl(kInsole.c_str(), kInsole.c_str(), "batch", input.c_str(), "-o", o.c_str(), "--jobs", "1", "--progress",
          "none", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until at least one recording is in the journal, then kill without warning.
  const auto journal = journal_path(out("r.csv"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool journaled = false;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(journal) && read_all(journal).find('\n') != std::string::npos) {
      journaled = true;
      break;
    }
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  if (!journaled || !WIFSIGNALED(status)) GTEST_SKIP() << "the batch finished before it could be interrupted";
  EXPECT_EQ(read_all(out("r.csv")), old_csv);
  // The old file is not a batch CSV, so move it away as a user would, then resume.
  fs::rename(out("r.csv"), out("old.csv"));
  ASSERT_EQ(run("batch " + in() + " -o " + out("r.csv") + " --resume --progress none", dir / "log"), 0) << read_all(dir / "log");
  const std::string log = read_all(dir / "log");
  EXPECT_EQ(log.find("skipped 0,"), std::string::npos) << log;  // something came from the journal
  ASSERT_EQ(run("batch " + in() + " -o " + out("fresh.csv") + " --progress none", dir / "log"), 0);
  EXPECT_EQ(read_all(out("r.csv")), read_all(out("fresh.csv")));
}

}  // namespace
}  // namespace insole::batch
