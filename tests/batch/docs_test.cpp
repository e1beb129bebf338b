// docs/batch.md shows the Slurm job script that scripts/test-cluster.sh submits, verbatim, and
// marks the blocks that script runs.

#include <gtest/gtest.h>

#include <string>

#include "fixtures.hpp"

namespace insole::batch {
namespace {

const std::string kSource = INSOLE_SOURCE_DIR;

TEST(BatchDocs, ShowsTheTestedSlurmJobScriptVerbatim) {
  const std::string doc = fixture::read_all(kSource + "/docs/batch.md");
  const std::string script = fixture::read_all(kSource + "/scripts/cluster/batch-array.sbatch");
  ASSERT_FALSE(script.empty());
  EXPECT_NE(doc.find("```bash\n" + script + "```\n"), std::string::npos)
      << "docs/batch.md must show scripts/cluster/batch-array.sbatch verbatim in a ```bash block";
}

TEST(BatchDocs, MarksTheBlocksTheClusterTestRuns) {
  const std::string doc = fixture::read_all(kSource + "/docs/batch.md");
  for (const char* name : {"slurm-submit", "slurm-resubmit", "parallel"}) {
    const std::string marker = std::string("<!-- test-cluster: ") + name + " -->\n```bash\n";
    const auto at = doc.find(marker);
    ASSERT_NE(at, std::string::npos) << marker;
    EXPECT_EQ(doc.find(marker, at + 1), std::string::npos) << "marked twice: " << name;
  }
  // The submission names the script file that is shown.
  EXPECT_NE(doc.find("sbatch --parsable --export=ALL,STUDY=/data/study scripts/cluster/batch-array.sbatch"),
            std::string::npos);
}

}  // namespace
}  // namespace insole::batch
