// `insole report B.h5 --compare-with A.h5` as users run it: the report's comparison section is the
// one compare::compare result of `insole compare A.h5 B.h5` (its JSON object is that command's
// document, its PDF text shows the section and each target's verdict), and a bad A exits 2 naming
// the file without touching -o.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "report/cli_run.hpp"
#include "support/bad_recordings.hpp"
#include "support/temp_dir.hpp"

namespace insole {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kA = fs::path(INSOLE_SOURCE_DIR) / "data" / "walk_normal.h5";
const fs::path kB = fs::path(INSOLE_SOURCE_DIR) / "data" / "walk_flat_pronated.h5";

TEST(ReportCompareCli, JsonComparisonIsTheCompareDocumentAndThePdfShowsTheVerdicts) {
  test::TempDir tmp;
  const auto cmp = test::insole_cli("compare " + test::quote(kA) + " " + test::quote(kB) + " --fitted R-MET-PAD --json",
                                    tmp.path());
  ASSERT_EQ(cmp.exit_code, 0) << cmp.err;
  const json expected = json::parse(cmp.out);

  const fs::path out_json = tmp.path() / "r.json";
  const auto rj = test::insole_cli("report " + test::quote(kB) + " --compare-with " + test::quote(kA) +
                                       " --fitted R-MET-PAD -o " + test::quote(out_json),
                                   tmp.path());
  ASSERT_EQ(rj.exit_code, 0) << rj.err;
  const json report = json::parse(test::read_file(out_json));
  ASSERT_TRUE(report.contains("comparison"));
  EXPECT_EQ(report["comparison"], expected);
  // The report is B's: its comparison names A as the reference and B as this recording.
  EXPECT_EQ(report["comparison"]["a"], kA.string());
  EXPECT_EQ(report["comparison"]["b"], kB.string());
  ASSERT_FALSE(expected["feet"].empty());

  const fs::path out_pdf = tmp.path() / "r.pdf";
  const auto rp = test::insole_cli("report " + test::quote(kB) + " --compare-with " + test::quote(kA) +
                                       " --fitted R-MET-PAD --date 2026-01-01 -o " + test::quote(out_pdf),
                                   tmp.path());
  ASSERT_EQ(rp.exit_code, 0) << rp.err;
  EXPECT_EQ(test::read_file(out_pdf).rfind("%PDF-", 0), 0u);
  if (!test::have_poppler()) GTEST_SKIP() << "pdftotext not installed";
  const std::string text = test::pdf_text(out_pdf, tmp.path());
  EXPECT_NE(text.find("Comparison with an earlier recording"), std::string::npos) << text;
  // Every target verdict of the compare document, as "Target ID: status - reason" (status with
  // spaces; only the reason's first words, as the PDF may wrap the line there).
  std::size_t verdicts = 0;
  for (const auto& f : expected["feet"])
    for (const auto& t : f["targets"]) {
      std::string status = t["status"].get<std::string>();
      std::replace(status.begin(), status.end(), '_', ' ');
      const std::string reason = t["reason"].get<std::string>();
      const std::string line =
          "Target " + t["id"].get<std::string>() + ": " + status + " - " + reason.substr(0, reason.find(' ', 12));
      EXPECT_NE(text.find(line), std::string::npos) << line;
      ++verdicts;
    }
  EXPECT_GT(verdicts, 0u);
}

TEST(ReportCompareCli, BadCompareWithExitsTwoNamingItAndLeavesTheOutputAlone) {
  test::TempDir tmp;
  const fs::path out = tmp.path() / "keep.pdf";
  test::write_bytes(out, "previous report\n");
  for (const fs::path& bad : test::bad_recordings(tmp.path(), kA)) {
    const auto r = test::insole_cli("report " + test::quote(kB) + " --compare-with " + test::quote(bad) + " -o " +
                                        test::quote(out),
                                    tmp.path());
    EXPECT_EQ(r.exit_code, 2) << bad << r.err;
    EXPECT_NE(r.err.find(bad.filename().string()), std::string::npos) << r.err;
    EXPECT_EQ(test::read_file(out), "previous report\n");
  }
  // --fitted without --compare-with, and an unknown id: usage errors, before any analysis.
  auto r = test::insole_cli("report " + test::quote(kB) + " --fitted R-MET-PAD -o " + test::quote(out), tmp.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--compare-with"), std::string::npos) << r.err;
  r = test::insole_cli("report " + test::quote(kB) + " --compare-with " + test::quote(kA) + " --fitted R-NOPE -o " +
                           test::quote(out),
                       tmp.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("R-NOPE"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_file(out), "previous report\n");
}

}  // namespace
}  // namespace insole
