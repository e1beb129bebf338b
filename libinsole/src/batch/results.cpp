#include "insole/batch/results.hpp"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "insole/analysis/measure_catalogue.hpp"
#include "insole/analysis/missing.hpp"
#include "insole/core/version.hpp"

namespace insole::batch {

namespace {

using analysis::AnalysisResult;
using analysis::FootSummary;

// Metadata columns, then the foot's identity, then the measures, then recording-level values.
const std::vector<std::string> kHead = {"file",         "file_hash", "status",       "error_code", "message",
                                        "algorithm_version", "rules_version", "toolkit_version", "subject", "mode",
                                        "body_mass_kg", "duration_s", "stream",       "device",     "side",
                                        "surface",      "footfalls_used", "footfalls_rejected", "arch_class"};
// The per-foot measures with a CSV column, in the measure catalogue's order.
std::vector<std::string> make_measures() {
  std::vector<std::string> m;
  for (const auto& info : analysis::measure_catalogue())
    if (info.csv && !info.per_recording()) m.push_back(info.key);
  return m;
}
const std::vector<std::string>& measure_list() {
  static const std::vector<std::string> m = make_measures();
  return m;
}
const std::vector<std::string> kTail = {"reasons", "cadence_steps_per_min", "stance_symmetry_percent", "findings",
                                        "recommendations", "json"};

std::vector<std::string> make_columns() {
  std::vector<std::string> c = kHead;
  c.insert(c.end(), measure_list().begin(), measure_list().end());
  c.insert(c.end(), kTail.begin(), kTail.end());
  return c;
}

std::string opt_number(const std::optional<double>& v) { return v ? format_number(*v) : std::string(); }

CsvRow base_row(const std::string& key, const std::string& file_hash, std::string_view status) {
  CsvRow row(csv_columns().size());
  row[column_index("file")] = key;
  row[column_index("file_hash")] = file_hash;
  row[column_index("status")] = std::string(status);
  row[column_index("algorithm_version")] = analysis::kAnalysisAlgorithmVersion;
  row[column_index("toolkit_version")] = kToolkitVersion;
  return row;
}

void fill_recording(CsvRow& row, const RecordingFacts& f, const assess::Assessment& a) {
  const AnalysisResult& r = a.analysis;
  row[column_index("rules_version")] = a.rules_version;
  row[column_index("subject")] = f.subject;
  row[column_index("mode")] = f.mode;
  row[column_index("body_mass_kg")] = opt_number(f.body_mass_kg);
  row[column_index("duration_s")] = format_number(f.duration_s);
  row[column_index("cadence_steps_per_min")] = opt_number(r.timing.cadence_steps_per_min);
  row[column_index("stance_symmetry_percent")] = opt_number(r.timing.stance_symmetry_percent);
  row[column_index("json")] = f.json_path;
}

}  // namespace

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> columns = make_columns();
  return columns;
}

std::size_t column_index(std::string_view name) {
  static const std::map<std::string, std::size_t, std::less<>> index = [] {
    std::map<std::string, std::size_t, std::less<>> m;
    for (std::size_t i = 0; i < csv_columns().size(); ++i) m.emplace(csv_columns()[i], i);
    return m;
  }();
  const auto it = index.find(name);
  if (it == index.end()) throw std::out_of_range("no batch CSV column named " + std::string(name));
  return it->second;
}

const std::vector<std::string>& measure_columns() { return measure_list(); }

std::string format_number(double value) {
  if (!std::isfinite(value)) return {};
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return {};
  return std::string(buf, end);
}

std::vector<CsvRow> result_rows(const RecordingFacts& f, const assess::Assessment& a) {
  const AnalysisResult& r = a.analysis;
  std::vector<CsvRow> rows;
  if (r.feet.empty() || !r.has_usable_contact()) {
    CsvRow row = base_row(f.key, f.file_hash, kStatusNoContact);
    row[column_index("error_code")] = std::string(to_string(Errc::no_data));
    row[column_index("message")] = r.quality.warnings.empty() ? "no usable foot contact found"
                                                               : r.quality.warnings.front();
    fill_recording(row, f, a);
    rows.push_back(std::move(row));
    return rows;
  }
  for (const FootSummary& foot : r.feet) {
    CsvRow row = base_row(f.key, f.file_hash, kStatusOk);
    fill_recording(row, f, a);
    row[column_index("stream")] = foot.stream;
    for (const auto& s : f.streams)
      if (s.name == foot.stream) row[column_index("device")] = s.device;
    row[column_index("side")] = std::string(to_string(foot.side));
    row[column_index("surface")] = foot.surface == analysis::Surface::in_shoe ? "in_shoe" : "barefoot";
    row[column_index("footfalls_used")] = std::to_string(foot.footfalls_used);
    row[column_index("footfalls_rejected")] = std::to_string(foot.footfalls_rejected);
    row[column_index("arch_class")] = foot.arch_class;
    std::string reasons;
    for (const auto& m : measure_list()) {
      row[column_index(m)] = opt_number(foot.median(m));
      if (const auto why = analysis::missing_reason(r, foot, m); !why.reason.empty())
        reasons += (reasons.empty() ? "" : "; ") + m + ": " + why.reason;
    }
    row[column_index("reasons")] = reasons;
    // Findings and recommendations that concern this foot (its side, or both feet), ids joined
    // by ';' in the assessment's order; referrals are listed as recommendations too.
    std::string ids;
    for (const auto& finding : a.findings)
      if (finding.side == foot.side || finding.side == Side::both) ids += (ids.empty() ? "" : ";") + finding.id;
    row[column_index("findings")] = ids;
    std::string recs;
    for (const auto& ref : a.prescription.referrals) recs += (recs.empty() ? "" : ";") + ref.id;
    for (const auto& item : a.prescription.items)
      if (item.side == foot.side || item.side == Side::both) recs += (recs.empty() ? "" : ";") + item.id;
    row[column_index("recommendations")] = recs;
    rows.push_back(std::move(row));
  }
  return rows;
}

CsvRow failure_row(const std::string& key, const std::string& file_hash, const Error& error) {
  CsvRow row = base_row(key, file_hash, kStatusFailed);
  row[column_index("error_code")] = std::string(to_string(error.code));
  row[column_index("message")] = error.message;
  return row;
}

namespace {

Status add_rows(std::vector<CsvRow> rows, const std::string& where, ResultIndex& index) {
  const std::size_t width = csv_columns().size();
  std::map<std::string, StoredRecording> fresh;
  for (auto& row : rows) {
    if (row.size() != width)
      return make_error(Errc::format_error, where + ": a row has " + std::to_string(row.size()) +
                                                " fields, expected " + std::to_string(width));
    auto& rec = fresh[row[column_index("file")]];
    rec.file_hash = row[column_index("file_hash")];
    rec.algorithm_version = row[column_index("algorithm_version")];
    rec.rules_version = row[column_index("rules_version")];
    rec.failed = rec.failed || row[column_index("status")] == kStatusFailed;
    rec.rows.push_back(std::move(row));
  }
  for (auto& [key, rec] : fresh) index[key] = std::move(rec);
  return {};
}

}  // namespace

Status index_csv(std::string_view text, const std::string& source, ResultIndex& index) {
  auto rows = parse_csv(text, source);
  if (!rows) return rows.error();
  if (rows->empty()) return {};
  if ((*rows)[0] != csv_columns())
    return make_error(Errc::format_error, source + ": the header is not that of an insole batch CSV of this version");
  rows->erase(rows->begin());
  return add_rows(std::move(*rows), source, index);
}

std::string journal_line(const std::string& key, const std::vector<CsvRow>& rows) {
  nlohmann::json j;
  j["file"] = key;
  j["rows"] = rows;
  // Invalid UTF-8 in a path or message is replaced rather than thrown on.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Status index_journal(std::string_view text, const std::string& source, ResultIndex& index) {
  std::size_t pos = 0, line = 0;
  while (pos < text.size()) {
    ++line;
    const std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) break;  // cut by an interruption: ignored
    const std::string_view l = text.substr(pos, end - pos);
    pos = end + 1;
    const auto j = nlohmann::json::parse(l, nullptr, false);
    const std::string where = source + ": line " + std::to_string(line);
    if (j.is_discarded() || !j.is_object() || !j.contains("rows") || !j["rows"].is_array())
      return make_error(Errc::format_error, where + ": not a batch journal entry");
    std::vector<CsvRow> rows;
    for (const auto& r : j["rows"]) {
      if (!r.is_array()) return make_error(Errc::format_error, where + ": a row is not an array");
      CsvRow row;
      for (const auto& cell : r) {
        if (!cell.is_string()) return make_error(Errc::format_error, where + ": a cell is not a string");
        row.push_back(cell.get<std::string>());
      }
      rows.push_back(std::move(row));
    }
    if (rows.empty()) return make_error(Errc::format_error, where + ": entry without rows");
    if (auto st = add_rows(std::move(rows), where, index); !st) return st;
  }
  return {};
}

}  // namespace insole::batch
