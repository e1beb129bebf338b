#include "insole/batch/run.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "insole/batch/csv.hpp"
#include "insole/batch/results.hpp"
#include "insole/report/json.hpp"
#include "support/temp_dir.hpp"

namespace insole::batch {
namespace {

namespace fs = std::filesystem;
using fixture::read_all;

std::vector<CsvRow> read_rows(const fs::path& csv) {
  auto rows = parse_csv(read_all(csv), csv.string());
  EXPECT_TRUE(rows);
  if (!rows || rows->empty()) return {};
  EXPECT_EQ((*rows)[0], csv_columns());
  return std::vector<CsvRow>(rows->begin() + 1, rows->end());
}

std::string cell(const CsvRow& row, const char* column) { return row.at(column_index(column)); }

// The folder a real study accumulates: good recordings, a file cut short by an interrupted copy,
// a text file with a recording's name, an empty recording, and files that are not inputs.
class StudyFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture::write_walk(dir / "study/s1/walk.h5", 1);
    fixture::write_walk(dir / "study/s2/walk.h5", 2);
    fixture::write_walk(dir / "study/s3/walk.hdf5", 3);
    fixture::write_truncated(dir / "study/s1/walk.h5", dir / "study/s4/cut.h5", 0.5);
    fixture::write_text(dir / "study/s5/notes.h5", "subject walked twice, second trial better\n");
    fixture::write_empty(dir / "study/s6/empty.h5");
    fixture::write_text(dir / "study/README.txt", "not a recording");
    inputs = expand_inputs({(dir / "study").string()});
    options.output = dir / "out/results.csv";
    fs::create_directories(dir / "out");
  }
  std::string key(const std::string& rel) const { return (dir.path() / "study" / rel).string(); }

  insole::test::TempDir dir;
  std::vector<InputFile> inputs;
  BatchOptions options;
};

TEST_F(StudyFolder, BadFilesBecomeRowsAndNeverStopTheBatch) {
  ASSERT_EQ(inputs.size(), 6u);  // README.txt is not an input
  options.jobs = 2;
  auto summary = run_batch(inputs, options);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->total, 6u);
  EXPECT_EQ(summary->analysed, 3u);
  EXPECT_EQ(summary->failed + summary->no_contact, 3u);
  EXPECT_EQ(summary->failed, 2u);  // cut.h5 and notes.h5; the empty recording is valid but has no contact
  EXPECT_EQ(summary->no_contact, 1u);

  std::map<std::string, std::vector<CsvRow>> by_file;
  for (auto& row : read_rows(options.output)) by_file[cell(row, "file")].push_back(row);
  ASSERT_EQ(by_file.size(), 6u);
  for (const char* good : {"s1/walk.h5", "s2/walk.h5", "s3/walk.hdf5"}) {
    const auto& rows = by_file[key(good)];
    // One row per foot the analysis found, in its order.
    auto rec = io::read_recording(key(good));
    ASSERT_TRUE(rec);
    auto whole = analysis::analyze(*rec);
    ASSERT_TRUE(whole);
    ASSERT_GE(whole->feet.size(), 1u);
    ASSERT_EQ(rows.size(), whole->feet.size()) << good;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(cell(rows[i], "side"), to_string(whole->feet[i].side));
      EXPECT_EQ(cell(rows[i], "footfalls_used"), std::to_string(whole->feet[i].footfalls_used));
    }
    for (const auto& r : rows) {
      EXPECT_EQ(cell(r, "status"), "ok");
      EXPECT_EQ(cell(r, "device"), "simulated test mat");
      EXPECT_EQ(cell(r, "file_hash").substr(0, 6), "xxh64:");
      EXPECT_EQ(cell(r, "algorithm_version"), analysis::kAnalysisAlgorithmVersion);
      EXPECT_FALSE(cell(r, "foot_length_mm").empty());
      // 2.4 s at 50 Hz: last stamp 2.38 s after the first.
      EXPECT_NEAR(std::stod(cell(r, "duration_s")), 2.38, 1e-9);
    }
  }
  EXPECT_EQ(cell(by_file[key("s1/walk.h5")][0], "subject"), "S1");
  for (const char* bad : {"s4/cut.h5", "s5/notes.h5"}) {
    const auto& rows = by_file[key(bad)];
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(cell(rows[0], "status"), "failed");
    EXPECT_FALSE(cell(rows[0], "error_code").empty());
    EXPECT_NE(cell(rows[0], "message").find(bad), std::string::npos) << cell(rows[0], "message");
  }
  EXPECT_EQ(cell(by_file[key("s5/notes.h5")][0], "error_code"), "format_error");
  const auto& empty = by_file[key("s6/empty.h5")];
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(cell(empty[0], "status"), "no_contact");
  EXPECT_EQ(cell(empty[0], "subject"), "EMPTY");

  // Finished: no journal and no temporaries left next to the output.
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir / "out")) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"results.csv"});
}

TEST_F(StudyFolder, OutputIsIdenticalWhateverTheNumberOfJobs) {
  options.jobs = 1;
  ASSERT_TRUE(run_batch(inputs, options));
  const std::string one = read_all(options.output);
  options.jobs = 3;
  ASSERT_TRUE(run_batch(inputs, options));
  EXPECT_EQ(read_all(options.output), one);
}

TEST_F(StudyFolder, ResumeSkipsUnchangedFilesAndRedoesChangedAndFailedOnes) {
  ASSERT_TRUE(run_batch(inputs, options));
  const auto first = read_rows(options.output);
  fixture::write_walk(dir / "study/s2/walk.h5", 22);  // new content under the same name
  fixture::write_walk(dir / "study/s7/new.h5", 7);
  inputs = expand_inputs({(dir / "study").string()});
  options.resume = true;
  auto summary = run_batch(inputs, options);
  ASSERT_TRUE(summary) << summary.error().message;
  // Reused: s1, s3, empty (no_contact is a result). Redone: s2 (changed), s7 (new), cut and notes (failed).
  EXPECT_EQ(summary->skipped, 3u);
  EXPECT_EQ(summary->analysed, 2u);
  EXPECT_EQ(summary->failed, 2u);
  std::map<std::string, std::string> subject;
  for (const auto& row : read_rows(options.output)) subject[cell(row, "file")] = cell(row, "subject");
  EXPECT_EQ(subject[key("s2/walk.h5")], "S22");
  EXPECT_EQ(subject[key("s7/new.h5")], "S7");
  EXPECT_EQ(subject[key("s1/walk.h5")], "S1");
}

TEST_F(StudyFolder, ResumeReadsTheJournalOfAnInterruptedRun) {
  // An interrupted run leaves the journal and no CSV. Build one from a finished run's rows: two
  // complete entries and a last line cut mid-write.
  BatchOptions full = options;
  full.output = dir / "out/full.csv";
  ASSERT_TRUE(run_batch(inputs, full));
  std::map<std::string, std::vector<CsvRow>> rows;
  for (auto& row : read_rows(full.output)) rows[cell(row, "file")].push_back(row);
  const std::string cut_line = journal_line(key("s3/walk.hdf5"), rows[key("s3/walk.hdf5")]);
  fixture::write_text(journal_path(options.output), journal_line(key("s1/walk.h5"), rows[key("s1/walk.h5")]) +
                                                     journal_line(key("s2/walk.h5"), rows[key("s2/walk.h5")]) +
                                                     cut_line.substr(0, cut_line.size() / 2));
  options.resume = true;
  auto summary = run_batch(inputs, options);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->skipped, 2u);
  EXPECT_EQ(read_all(options.output), read_all(full.output));
  EXPECT_FALSE(fs::exists(journal_path(options.output)));
}

// A second interruption must not lose the first one's work: the entries appended after a line
// cut by the first must stay readable.
TEST(Journal, ResumeDropsALineCutByAnInterruptionBeforeAppending) {
  insole::test::TempDir dir;
  const fs::path out = dir / "results.csv";
  const auto row = [](const std::string& file) {
    CsvRow r(csv_columns().size());
    r[column_index("file")] = file;
    r[column_index("status")] = std::string(kStatusOk);
    return r;
  };
  const std::string done = journal_line("a.h5", {row("a.h5")});
  const std::string next = journal_line("c.h5", {row("c.h5")});
  for (const std::string& before : {std::string(), done, done + "{\"file\":\"b.h5\",\"ro"}) {
    fixture::write_text(journal_path(out), before);
    std::FILE* f = open_journal(out, true);
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(next.data(), 1, next.size(), f), next.size());
    std::fclose(f);
    const std::string kept = before.find('\n') == std::string::npos ? "" : done;
    EXPECT_EQ(read_all(journal_path(out)), kept + next);
    ResultIndex index;
    EXPECT_TRUE(index_journal(read_all(journal_path(out)), "journal", index));
    EXPECT_EQ(index.count("c.h5"), 1u);
    EXPECT_EQ(index.count("a.h5"), kept.empty() ? 0u : 1u);
  }
  // Without --resume the journal starts empty.
  fixture::write_text(journal_path(out), done);
  std::FILE* f = open_journal(out, false);
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  EXPECT_EQ(read_all(journal_path(out)), "");
}

// A shard that holds no recording finishes at once (it used to wait one progress interval).
TEST_F(StudyFolder, AnEmptyShardFinishesWithoutWaitingAndWritesItsManifest) {
  options.progress_interval_s = 30;
  std::vector<InputFile> none;
  options.shard = ShardSpec{1, 2};
  const auto t0 = std::chrono::steady_clock::now();
  auto summary = run_batch(none, options, [](const BatchProgress&) {});
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 20.0);
  EXPECT_EQ(summary->total, 0u);
  EXPECT_EQ(read_all(options.output), csv_line(csv_columns()));
  EXPECT_TRUE(fs::exists(manifest_path(options.output)));
}

TEST_F(StudyFolder, ResumeRefusesAnOutputThatIsNotABatchCsv) {
  fixture::write_text(options.output, "name,score\nalice,3\n");
  options.resume = true;
  auto summary = run_batch(inputs, options);
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, Errc::format_error);
  EXPECT_EQ(read_all(options.output), "name,score\nalice,3\n");  // untouched
}

TEST_F(StudyFolder, UnwritableOutputFailsBeforeAnyWorkAndLeavesNothing) {
  options.output = dir / "no/such/dir/results.csv";
  auto summary = run_batch(inputs, options);
  ASSERT_FALSE(summary);
  EXPECT_FALSE(fs::exists(dir / "no"));
}

TEST_F(StudyFolder, JsonDirMirrorsTheInputTree) {
  options.json_dir = dir / "out/json";
  options.jobs = 2;
  ASSERT_TRUE(run_batch(inputs, options));
  const auto json_path = dir / "out/json/s1/walk.json";
  ASSERT_TRUE(fs::exists(json_path));
  const auto j = nlohmann::json::parse(read_all(json_path));
  EXPECT_EQ(j["input"], key("s1/walk.h5"));
  EXPECT_GE(j["feet"].size(), 1u);
  EXPECT_FALSE(fs::exists(dir / "out/json/s5/notes.json"));  // failed: no document
  for (const auto& row : read_rows(options.output))
    if (cell(row, "file") == key("s1/walk.h5")) {
      EXPECT_EQ(cell(row, "json"), json_path.string());
    }
}

TEST_F(StudyFolder, WriteBackStoresTheResultWithoutTouchingFramesAndResumeStillSkips) {
  const auto file = dir / "study/s1/walk.h5";
  auto before = io::read_recording(file);
  ASSERT_TRUE(before);
  options.write_back = true;
  std::vector<InputFile> one = expand_inputs({file.string()});
  ASSERT_TRUE(run_batch(one, options));
  auto stored = io::read_analysis(file, "batch");
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(nlohmann::json::parse(*stored)["input"], file.string());
  auto after = io::read_recording(file);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->streams.size(), before->streams.size());
  EXPECT_EQ(after->streams[0].pressure_kpa, before->streams[0].pressure_kpa);
  EXPECT_EQ(after->streams[0].time_s, before->streams[0].time_s);
  // The CSV holds the hash of the file as left by the write-back.
  options.resume = true;
  auto again = run_batch(one, options);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->skipped, 1u);
}

TEST_F(StudyFolder, ShardsWriteManifestsAndCoverEveryInputOnce) {
  std::size_t total = 0;
  for (int k = 1; k <= 3; ++k) {
    options.shard = ShardSpec{k, 3};
    options.output = dir / ("out/shard" + std::to_string(k) + ".csv");
    auto s = run_batch(inputs, options);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->inputs_total, 6u);
    total += s->total;
    const auto m = nlohmann::json::parse(read_all(manifest_path(options.output)));
    EXPECT_EQ(m["shard"], k);
    EXPECT_EQ(m["shards"], 3);
    EXPECT_EQ(m["files"].size(), s->total);
  }
  EXPECT_EQ(total, 6u);
}

const recommend::RuleSet& rules() {
  static const recommend::RuleSet r = [] {
    auto loaded = recommend::load_default_rules();
    if (!loaded) throw std::runtime_error(loaded.error().message);
    return std::move(*loaded);
  }();
  return r;
}

TEST(AssessFile, GivesTheSameResultAsTheWholeRecordingInMemory) {
  insole::test::TempDir dir;
  const auto file = dir / "walk.h5";
  fixture::write_walk(file, 5);
  AnalyseOptions small_reads;
  small_reads.read_bytes = 0;  // one HDF5 chunk per read
  RecordingFacts facts;
  auto streamed = assess_file(file, rules(), std::nullopt, small_reads, &facts);
  ASSERT_TRUE(streamed) << streamed.error().message;
  auto rec = io::read_recording(file);
  ASSERT_TRUE(rec);
  auto whole = analysis::analyze(*rec);
  ASSERT_TRUE(whole);
  ASSERT_EQ(streamed->analysis.feet.size(), whole->feet.size());
  for (std::size_t i = 0; i < whole->feet.size(); ++i)
    for (const auto& m : measure_columns())
      EXPECT_EQ(streamed->analysis.feet[i].median(m).has_value(), whole->feet[i].median(m).has_value()) << m;
  // The same recording assessed from memory goes through the same streaming path: identical.
  auto from_memory = assess::assess(file.string(), *rec, rules(), std::nullopt);
  ASSERT_TRUE(from_memory);
  EXPECT_EQ(report::to_json(*from_memory), report::to_json(*streamed));
  EXPECT_EQ(facts.subject, "S5");
  EXPECT_EQ(facts.streams.size(), 1u);
}

// Reading ahead on a second thread (AnalyseOptions::prefetch) must not change a single value:
// the chunks reach the analysis in the same order either way.
TEST(AssessFile, ReadAheadGivesIdenticalResults) {
  insole::test::TempDir dir;
  const auto file = dir / "walk.h5";
  fixture::write_walk(file, 6);
  AnalyseOptions options;
  options.read_bytes = 0;  // one chunk per read: the queue fills and drains many times
  options.prefetch = true;
  auto ahead = assess_file(file, rules(), std::nullopt, options);
  options.prefetch = false;
  auto inline_reads = assess_file(file, rules(), std::nullopt, options);
  ASSERT_TRUE(ahead) << ahead.error().message;
  ASSERT_TRUE(inline_reads) << inline_reads.error().message;
  EXPECT_EQ(report::to_json(*ahead), report::to_json(*inline_reads));
  EXPECT_GT(ahead->analysis.footfalls.size(), 0u);
  // A file that is not a recording fails the same way with and without read-ahead.
  const auto bad = dir / "bad.h5";
  { std::ofstream(bad) << "not hdf5"; }
  options.prefetch = true;
  auto e1 = assess_file(bad, rules(), std::nullopt, options);
  options.prefetch = false;
  auto e2 = assess_file(bad, rules(), std::nullopt, options);
  ASSERT_FALSE(e1);
  ASSERT_FALSE(e2);
  EXPECT_EQ(e1.error().message, e2.error().message);
}

}  // namespace
}  // namespace insole::batch
