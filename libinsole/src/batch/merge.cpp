#include "insole/batch/merge.hpp"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "insole/batch/csv.hpp"
#include "insole/batch/results.hpp"
#include "insole/batch/run.hpp"
#include "insole/core/atomic_output.hpp"

namespace insole::batch {

namespace fs = std::filesystem;

namespace {

Result<std::string> slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::not_found, path.string() + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return make_error(Errc::io_error, path.string() + ": read error");
  return ss.str();
}

struct Manifest {
  int shard = 0, shards = 0;
  std::size_t inputs_total = 0;
  std::string digest;
  std::vector<std::string> files;
};

Result<Manifest> read_manifest(const fs::path& path) {
  auto text = slurp(path);
  if (!text) return text.error();
  const auto j = nlohmann::json::parse(*text, nullptr, false);
  const auto bad = [&](const std::string& what) {
    return make_error(Errc::format_error, path.string() + ": not a batch manifest: " + what);
  };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  if (j.value("format", "") != "insole-batch-manifest") return bad("\"format\" is not \"insole-batch-manifest\"");
  if (!j.contains("version") || j["version"] != 1) return bad("unsupported \"version\" (expected 1)");
  Manifest m;
  try {
    m.shard = j.at("shard").get<int>();
    m.shards = j.at("shards").get<int>();
    m.inputs_total = j.at("inputs_total").get<std::size_t>();
    m.digest = j.at("inputs_digest").get<std::string>();
    m.files = j.at("files").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return bad(e.what());
  }
  if (m.shards < 1 || m.shard < 1 || m.shard > m.shards) return bad("shard number out of range");
  return m;
}

}  // namespace

Result<MergeReport> merge_shards(const std::vector<fs::path>& shard_csvs, const fs::path& output,
                                 const MergeOptions& options) {
  if (shard_csvs.empty()) return make_error(Errc::invalid_argument, "no shard outputs to merge");
  std::vector<std::string> problems;
  auto problem = [&](std::string p) { problems.push_back(std::move(p)); };

  // key -> (source csv, rows in their order)
  std::map<std::string, std::pair<std::size_t, std::vector<CsvRow>>> recordings;
  std::vector<std::set<std::string>> keys_of(shard_csvs.size());
  const std::size_t key_col = column_index("file");
  for (std::size_t i = 0; i < shard_csvs.size(); ++i) {
    auto text = slurp(shard_csvs[i]);
    if (!text) return text.error();
    auto rows = parse_csv(*text, shard_csvs[i].string());
    if (!rows) return rows.error();
    if (rows->empty() || (*rows)[0] != csv_columns())
      return make_error(Errc::format_error, shard_csvs[i].string() +
                                                ": the header is not that of an insole batch CSV of this version");
    for (std::size_t r = 1; r < rows->size(); ++r) {
      CsvRow& row = (*rows)[r];
      if (row.size() != csv_columns().size())
        return make_error(Errc::format_error, shard_csvs[i].string() + ": row " + std::to_string(r + 1) + " has " +
                                                  std::to_string(row.size()) + " fields, expected " +
                                                  std::to_string(csv_columns().size()));
      const std::string key = row[key_col];
      auto [it, fresh] = recordings.try_emplace(key, i, std::vector<CsvRow>{});
      if (!fresh && it->second.first != i) {
        if (keys_of[i].insert(key).second)
          problem("duplicate: " + key + " is in both " + shard_csvs[it->second.first].string() + " and " +
                  shard_csvs[i].string());
        continue;
      }
      keys_of[i].insert(key);
      it->second.second.push_back(std::move(row));
    }
  }

  MergeReport report;
  report.shards = shard_csvs.size();
  std::size_t with_manifest = 0;
  for (const auto& csv : shard_csvs) with_manifest += fs::exists(manifest_path(csv)) ? 1 : 0;
  if (with_manifest == 0 && !options.allow_without_manifest)
    problem("no manifests (" + manifest_path(shard_csvs[0]).filename().string() +
            " ...): cannot check that no recording is missing; pass --allow-without-manifest to merge anyway");
  if (with_manifest > 0 && with_manifest < shard_csvs.size()) problem("some shard outputs have no manifest");
  if (with_manifest == shard_csvs.size()) {
    std::vector<Manifest> ms;
    for (const auto& csv : shard_csvs) {
      auto m = read_manifest(manifest_path(csv));
      if (!m) return m.error();
      ms.push_back(std::move(*m));
    }
    const int n = ms[0].shards;
    std::map<int, std::vector<std::size_t>> by_shard;
    std::size_t listed = 0;
    for (std::size_t i = 0; i < ms.size(); ++i) {
      if (ms[i].shards != n || ms[i].digest != ms[0].digest || ms[i].inputs_total != ms[0].inputs_total)
        problem(shard_csvs[i].string() + ": from another batch (shard count or input list differ from " +
                shard_csvs[0].string() + ")");
      by_shard[ms[i].shard].push_back(i);
      listed += ms[i].files.size();
      const std::set<std::string> files(ms[i].files.begin(), ms[i].files.end());
      for (const auto& f : files)
        if (!keys_of[i].count(f)) problem("missing: " + f + " is in shard " + std::to_string(ms[i].shard) + "/" +
                                          std::to_string(n) + " but has no row in " + shard_csvs[i].string());
      for (const auto& k : keys_of[i])
        if (!files.count(k)) problem(shard_csvs[i].string() + ": " + k + " has rows but is not in its manifest");
    }
    for (int k = 1; k <= n; ++k) {
      const auto it = by_shard.find(k);
      if (it == by_shard.end())
        problem("missing: shard " + std::to_string(k) + "/" + std::to_string(n) + " (no output given for it)");
      else if (it->second.size() > 1)
        problem("duplicate: shard " + std::to_string(k) + "/" + std::to_string(n) + " given " +
                std::to_string(it->second.size()) + " times");
    }
    if (problems.empty() && listed != ms[0].inputs_total)
      problem("the shards list " + std::to_string(listed) + " recordings but the batch had " +
              std::to_string(ms[0].inputs_total) + " inputs");
    report.completeness_checked = true;
  }
  if (!problems.empty()) {
    std::string msg = std::to_string(problems.size()) + " problem(s), nothing written:";
    for (std::size_t i = 0; i < problems.size() && i < 20; ++i) msg += "\n  " + problems[i];
    if (problems.size() > 20) msg += "\n  ...";
    return make_error(Errc::invalid_argument, msg);
  }

  std::string out = csv_line(csv_columns());
  const std::size_t status_col = column_index("status");
  for (const auto& [key, entry] : recordings) {
    ++report.recordings;
    bool failed = false;
    for (const auto& row : entry.second) {
      out += csv_line(row);
      ++report.rows;
      failed = failed || row[status_col] == kStatusFailed;
    }
    report.failed += failed ? 1 : 0;
  }
  if (auto st = write_file_atomically(output, out); !st) return st.error();
  return report;
}

}  // namespace insole::batch
