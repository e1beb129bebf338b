#pragma once
// The rows of a batch's results CSV (docs/batch.md lists every column): one row per foot per
// recording, with the recording's metadata, or one row for a recording that failed or in which
// no foot was found. The same rows are kept in a journal while the batch runs, and read back by
// --resume and by batch-merge.

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "insole/analysis/analyze.hpp"
#include "insole/assess/assessment.hpp"
#include "insole/batch/csv.hpp"
#include "insole/core/result.hpp"

namespace insole::batch {

/// Values of the "status" column.
inline constexpr std::string_view kStatusOk = "ok";                ///< one row per foot found
inline constexpr std::string_view kStatusNoContact = "no_contact"; ///< analysed, no usable foot contact
inline constexpr std::string_view kStatusFailed = "failed";        ///< unreadable or invalid recording

/// The CSV header, in column order. The first columns (file, file_hash, status, error_code,
/// message, algorithm_version) are the same for every row; foot columns are empty on failed
/// and no_contact rows; numbers not measured are empty.
const std::vector<std::string>& csv_columns();
/// Index of a column (std::out_of_range for an unknown name: a programmer error).
std::size_t column_index(std::string_view name);
/// The per-foot median measures that have a column, named as the analysis JSON names them.
const std::vector<std::string>& measure_columns();

/// What a row says about the recording itself.
struct RecordingFacts {
  std::string key;        ///< InputFile::key
  std::string file_hash;  ///< hash_file() of the file as analysed (after write-back, if any)
  std::string subject;    ///< pseudonym
  std::string mode;
  std::optional<double> body_mass_kg;
  double duration_s = 0;  ///< longest stream, last minus first time stamp
  std::vector<StreamInfo> streams;
  std::string json_path;  ///< where --json-dir put the JSON document, empty without it
};

/// Rows of an assessed recording: one per foot (kStatusOk), or one kStatusNoContact row. The
/// findings and recommendations columns hold the ids that concern that foot.
std::vector<CsvRow> result_rows(const RecordingFacts& facts, const assess::Assessment& assessment);
/// The row of a recording that could not be analysed. `file_hash` may be empty.
CsvRow failure_row(const std::string& key, const std::string& file_hash, const Error& error);

/// Rows already produced for one recording (from an earlier output or a journal).
struct StoredRecording {
  std::vector<CsvRow> rows;
  std::string file_hash;
  std::string algorithm_version;
  std::string rules_version;
  bool failed = false;
};
/// Recording key -> its rows.
using ResultIndex = std::map<std::string, StoredRecording>;

/// Adds the rows of a CSV text (with our header) to `index`, grouped by file; later rows of a
/// file replace earlier ones. Errc::format_error naming `source` for a malformed CSV, a header
/// that is not csv_columns() or a row of the wrong width.
Status index_csv(std::string_view text, const std::string& source, ResultIndex& index);

/// One journal line (JSON, newline-terminated) holding one recording's rows.
std::string journal_line(const std::string& key, const std::vector<CsvRow>& rows);
/// Adds every complete journal line of `text` to `index` (a last line cut by an interrupted
/// write is ignored; any other bad line is a format_error naming `source` and the line).
Status index_journal(std::string_view text, const std::string& source, ResultIndex& index);

/// Formats a number for the CSV: shortest form that reads back to the same double, empty for
/// non-finite values.
std::string format_number(double value);

}  // namespace insole::batch
