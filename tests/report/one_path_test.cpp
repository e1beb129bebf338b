// One analysis path (issue 12 item 1): for the same file and rules, `insole analyze --json`,
// `insole report --format json` and the CSV of `insole batch --rules` carry the same measures,
// findings and recommendations. Run over every recording in data/ and every shared real recording
// that `insole import` accepts (skipped when ../shared/data is absent).

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "report/cli_run.hpp"
#include "support/shared_data.hpp"
#include "support/temp_dir.hpp"

namespace insole::test {
namespace {

using nlohmann::json;

const std::filesystem::path kData = std::filesystem::path(INSOLE_SOURCE_DIR) / "data";
const std::filesystem::path kRules = std::filesystem::path(INSOLE_SOURCE_DIR) / "libinsole" / "rules" / "default.json";

// Shared real recordings in vendor formats (tests/support/shared_data.hpp); each is imported with
// `insole import` and taken when the import succeeds.
const std::vector<std::string> kShared = {
    "pressure_vendor_samples/emed_test.lst",     "pressure_vendor_samples/pedar_example.asc",
    "pressure_vendor_samples/pliance_test.asc",  "pressure_vendor_samples/iscan_test.csv",
    "pressure_vendor_samples/xsensor_data.csv",  "pressure_vendor_samples/fscan_testL.asf",
    "tekscan_fscan_footpress/FrasP01L.asf",      "tekscan_fscan_footpress/FrasP01R.asf",
    "moticon_opengo/230927_102114.txt",          "physionet_gaitpdb/GaCo01_01.txt",
};

// Minimal RFC 4180 reader for the batch CSV (quoted fields may hold commas, quotes and newlines).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (c == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
    } else {
      field += c;
    }
  }
  if (!rows.back().empty() || !field.empty()) rows.back().push_back(field);
  else rows.pop_back();
  return rows;
}

std::string join_ids(const std::vector<std::string>& ids) {
  std::string s;
  for (const auto& id : ids) s += (s.empty() ? "" : ";") + id;
  return s;
}

struct Inputs {
  TempDir dir;
  std::vector<std::filesystem::path> files;
};

// The recordings of data/ and the importable shared ones, imported into `dir`.
Inputs& inputs() {
  static Inputs x;
  static const bool done = [] {
    for (const auto& e : std::filesystem::directory_iterator(kData))
      if (e.path().extension() == ".h5") x.files.push_back(e.path());
    std::sort(x.files.begin(), x.files.end());
    for (const auto& rel : kShared) {
      const auto src = shared_data(rel);
      if (!std::filesystem::exists(src)) continue;
      std::string name = rel;
      for (char& c : name)
        if (c == '/' || c == '.') c = '_';
      const auto out = x.dir / (name + ".h5");
      const CliRun r = insole_cli("import " + quote(src) + " -o " + quote(out), x.dir.path());
      if (r.exit_code == 0) x.files.push_back(out);
    }
    return true;
  }();
  (void)done;
  return x;
}

TEST(OnePath, AnalyzeReportAndBatchAgreeOnEveryRecording) {
  Inputs& in = inputs();
  ASSERT_GE(in.files.size(), 7u);  // every sample of data/ at least
  TempDir dir;
  // The batch over all files at once, with the rule file named explicitly.
  std::string list;
  for (const auto& f : in.files) list += " " + quote(f);
  const auto csv_path = dir / "batch.csv";
  const CliRun b = insole_cli("batch" + list + " --rules " + quote(kRules) + " --jobs 1 --progress none -o " +
                                  quote(csv_path),
                              dir.path());
  ASSERT_LE(b.exit_code, 1) << b.err;
  const auto rows = parse_csv(read_file(csv_path));
  ASSERT_GE(rows.size(), 2u);
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < rows[0].size(); ++i) col[rows[0][i]] = i;
  for (const char* c : {"file", "status", "stream", "side", "findings", "recommendations", "rules_version", "arch_index"})
    ASSERT_TRUE(col.count(c)) << "batch CSV has no column " << c;

  std::size_t compared_feet = 0, shared = 0;
  for (const auto& file : in.files) {
    SCOPED_TRACE(file.string());
    shared += file.parent_path() != kData;
    const CliRun a = insole_cli("analyze " + quote(file) + " --json --rules " + quote(kRules), dir.path());
    ASSERT_LE(a.exit_code, 1) << a.err;
    const auto report_path = dir / "report.json";
    const CliRun r = insole_cli("report " + quote(file) + " --rules " + quote(kRules) + " --format json -o " +
                                    quote(report_path),
                                dir.path());
    ASSERT_LE(r.exit_code, 1) << r.err;
    EXPECT_EQ(a.exit_code, r.exit_code);
    const json ja = json::parse(a.out);
    const json jr = json::parse(read_file(report_path));
    // Same measures (every per-foot spread and every footfall), findings and recommendations.
    ASSERT_EQ(ja["feet"].size(), jr["feet"].size());
    for (std::size_t i = 0; i < ja["feet"].size(); ++i) {
      EXPECT_EQ(ja["feet"][i]["measures"], jr["feet"][i]["measures"]) << "foot " << i;
      EXPECT_EQ(ja["feet"][i]["regions"], jr["feet"][i]["regions"]) << "foot " << i;
      EXPECT_EQ(ja["feet"][i]["footfalls"], jr["feet"][i]["footfalls"]) << "foot " << i;
      EXPECT_EQ(ja["feet"][i]["arch_class"], jr["feet"][i]["arch_class"]) << "foot " << i;
    }
    EXPECT_EQ(ja["findings"], jr["findings"]);
    EXPECT_EQ(ja["recommendations"], jr["recommendations"]);
    EXPECT_EQ(ja["gait"], jr["gait"]);
    EXPECT_EQ(ja["rules"]["version"], jr["rules"]["version"]);

    // The batch rows of this file: one per foot, in the JSON's order.
    std::vector<const std::vector<std::string>*> mine;
    for (std::size_t k = 1; k < rows.size(); ++k)
      if (rows[k].size() == rows[0].size() && rows[k][col["file"]] == file.string()) mine.push_back(&rows[k]);
    if (ja["feet"].empty() || !ja["quality"]["usable_contact"].get<bool>()) {
      ASSERT_EQ(mine.size(), 1u);
      EXPECT_EQ((*mine[0])[col["status"]], "no_contact");
      continue;
    }
    ASSERT_EQ(mine.size(), ja["feet"].size());
    for (std::size_t i = 0; i < mine.size(); ++i) {
      const auto& row = *mine[i];
      const json& foot = ja["feet"][i];
      const std::string side = foot["side"];
      EXPECT_EQ(row[col["side"]], side);
      EXPECT_EQ(row[col["stream"]], foot["stream"].get<std::string>());
      EXPECT_EQ(row[col["rules_version"]], ja["rules"]["version"].get<std::string>());
      // Every measure column the CSV has: the JSON median, to the last bit (both print the
      // shortest form that reads back to the same double).
      for (const auto& [name, c] : col) {
        if (!foot["measures"].contains(name)) continue;
        const json& m = foot["measures"][name];
        if (m.is_null()) {
          EXPECT_EQ(row[c], "") << name;
          continue;
        }
        ASSERT_FALSE(row[c].empty()) << name;
        EXPECT_EQ(std::stod(row[c]), m["median"].get<double>()) << name;
      }
      // Measures the JSON has but the CSV has no column for are not compared; every measure the
      // CSV has a column for and the JSON lacks must be empty.
      std::vector<std::string> findings, recs;
      for (const auto& f : ja["findings"])
        if (f["side"] == side || f["side"] == "both") findings.push_back(f["id"]);
      for (const auto& rc : ja["recommendations"])
        if (rc["category"] == "referral" || rc["side"] == side || rc["side"] == "both") recs.push_back(rc["id"]);
      EXPECT_EQ(row[col["findings"]], join_ids(findings));
      EXPECT_EQ(row[col["recommendations"]], join_ids(recs));
      ++compared_feet;
    }
  }
  EXPECT_GE(compared_feet, 14u);  // two feet on every sample of data/
  if (shared_data_dir().empty() || !std::filesystem::exists(shared_data("pressure_vendor_samples")))
    std::cout << "note: shared real recordings not available; only data/ compared\n";
  else
    EXPECT_GE(shared, 3u) << "fewer shared recordings imported than expected";
}

}  // namespace
}  // namespace insole::test
