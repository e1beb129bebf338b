#include "insole/batch/results.hpp"

#include <gtest/gtest.h>

namespace insole::batch {
namespace {

// An assessment around an analysis result: its findings, and one recommendation per side so that
// the recommendations column can be checked.
assess::Assessment assessment_of(analysis::AnalysisResult r, std::vector<analysis::Finding> findings = {}) {
  assess::Assessment a;
  a.findings = std::move(findings);
  a.analysis = std::move(r);
  a.rules_version = "9.9.9";
  recommend::Recommendation arch;
  arch.id = "R-ARCH-SUPPORT";
  arch.side = Side::right;
  recommend::Recommendation shoes;
  shoes.id = "W-SUPPORT";
  shoes.side = Side::both;
  a.prescription.items = {arch, shoes};
  return a;
}

assess::Assessment two_feet() {
  analysis::AnalysisResult r;
  for (Side side : {Side::left, Side::right}) {
    analysis::FootSummary f;
    f.side = side;
    f.stream = "mat";
    f.footfalls_used = 3;
    f.footfalls_rejected = 1;
    f.arch_class = "normal";
    analysis::Spread s;
    s.median = side == Side::left ? 0.25 : 0.3;
    s.n = 3;
    f.measures["arch_index"] = s;
    f.measures["not_a_column"] = s;
    r.feet.push_back(f);
    analysis::FootfallAnalysis fa;
    fa.footfall.side = side;
    r.footfalls.push_back(fa);  // a used footfall: has_usable_contact()
  }
  r.timing.cadence_steps_per_min = 110.5;
  analysis::Finding low;
  low.id = "F-ARCH-LOW";
  low.side = Side::right;
  return assessment_of(std::move(r), {low});
}

RecordingFacts facts() {
  RecordingFacts f;
  f.key = "study/s1.h5";
  f.file_hash = "xxh64:0123456789abcdef";
  f.subject = "P-017";
  f.mode = "walk";
  f.body_mass_kg = 72.5;
  f.duration_s = 12.0;
  StreamInfo mat;
  mat.name = "mat";
  mat.device = "Sensel Morph";
  f.streams.push_back(mat);
  return f;
}

std::string cell(const CsvRow& row, const char* column) { return row.at(column_index(column)); }

TEST(Results, OneRowPerFootWithMetadataAndMedians) {
  const auto rows = result_rows(facts(), two_feet());
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    ASSERT_EQ(r.size(), csv_columns().size());
    EXPECT_EQ(cell(r, "file"), "study/s1.h5");
    EXPECT_EQ(cell(r, "status"), "ok");
    EXPECT_EQ(cell(r, "subject"), "P-017");
    EXPECT_EQ(cell(r, "device"), "Sensel Morph");
    EXPECT_EQ(cell(r, "body_mass_kg"), "72.5");
    EXPECT_EQ(cell(r, "duration_s"), "12");
    EXPECT_EQ(cell(r, "cadence_steps_per_min"), "110.5");
    EXPECT_EQ(cell(r, "footfalls_used"), "3");
    EXPECT_EQ(cell(r, "cpei_percent"), "");  // not measured: empty, never invented
  }
  EXPECT_EQ(cell(rows[0], "side"), "left");
  EXPECT_EQ(cell(rows[0], "arch_index"), "0.25");
  EXPECT_EQ(cell(rows[0], "findings"), "");
  EXPECT_EQ(cell(rows[1], "arch_index"), "0.3");
  EXPECT_EQ(cell(rows[1], "findings"), "F-ARCH-LOW");
  // Recommendations of that foot's side or of both feet, and the rules that made them.
  EXPECT_EQ(cell(rows[0], "recommendations"), "W-SUPPORT");
  EXPECT_EQ(cell(rows[1], "recommendations"), "R-ARCH-SUPPORT;W-SUPPORT");
  EXPECT_EQ(cell(rows[0], "rules_version"), "9.9.9");
}

TEST(Results, NoContactAndFailureAreSingleRows) {
  const auto rows = result_rows(facts(), assessment_of(analysis::AnalysisResult{}));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(cell(rows[0], "status"), "no_contact");
  EXPECT_EQ(cell(rows[0], "error_code"), "no_data");
  EXPECT_EQ(cell(rows[0], "side"), "");
  const CsvRow f = failure_row("x.h5", "", make_error(Errc::format_error, "x.h5: not an HDF5 file"));
  EXPECT_EQ(f.size(), csv_columns().size());
  EXPECT_EQ(cell(f, "status"), "failed");
  EXPECT_EQ(cell(f, "error_code"), "format_error");
  EXPECT_EQ(cell(f, "message"), "x.h5: not an HDF5 file");
}

TEST(Results, NumbersRoundTripExactly) {
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(std::stod(format_number(1.0 / 3.0)), 1.0 / 3.0);
  EXPECT_EQ(format_number(std::nan("")), "");
}

TEST(Results, CsvAndJournalIndexTheSameRows) {
  const auto rows = result_rows(facts(), two_feet());
  std::string csv = csv_line(csv_columns());
  for (const auto& r : rows) csv += csv_line(r);
  ResultIndex from_csv, from_journal;
  ASSERT_TRUE(index_csv(csv, "r.csv", from_csv));
  ASSERT_TRUE(index_journal(journal_line("study/s1.h5", rows), "r.journal", from_journal));
  ASSERT_EQ(from_csv.size(), 1u);
  const auto& a = from_csv.at("study/s1.h5");
  EXPECT_EQ(a.rows, rows);
  EXPECT_EQ(a.file_hash, "xxh64:0123456789abcdef");
  EXPECT_EQ(a.algorithm_version, analysis::kAnalysisAlgorithmVersion);
  EXPECT_FALSE(a.failed);
  EXPECT_EQ(from_journal.at("study/s1.h5").rows, rows);
}

TEST(Results, JournalToleratesOnlyACutLastLine) {
  const auto rows = result_rows(facts(), two_feet());
  const std::string line = journal_line("study/s1.h5", rows);
  for (std::size_t n = 0; n < line.size(); ++n) {
    ResultIndex idx;
    ASSERT_TRUE(index_journal(line.substr(0, n), "j", idx)) << n;
    EXPECT_TRUE(idx.empty());
  }
  ResultIndex idx;
  auto bad = index_journal("{\"file\":1}\n" + line, "r.journal", idx);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("r.journal: line 1"), std::string::npos);
  CsvRow narrow = rows[0];
  narrow.pop_back();
  auto short_row = index_journal(journal_line("k", {narrow}), "j", idx);
  ASSERT_FALSE(short_row);
  EXPECT_EQ(short_row.error().code, Errc::format_error);
}

TEST(Results, ForeignCsvHeaderIsRejected) {
  ResultIndex idx;
  auto r = index_csv("file,score\na,1\n", "other.csv", idx);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("other.csv"), std::string::npos);
}

}  // namespace
}  // namespace insole::batch
