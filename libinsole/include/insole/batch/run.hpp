#pragma once
// Running a batch: every input recording is hashed, read chunk by chunk and analysed
// (analysis::analyze_stream, so memory does not grow with a recording's length), and becomes CSV
// rows (results.hpp). Failures are rows too; they never stop the batch. Results are collected in
// input order, so the CSV is the same whatever the number of jobs.
//
// Durability: each finished recording is appended to a journal next to the output
// ("<output>.journal", one JSON line per recording) as the batch goes; the CSV itself is written
// only at the end, through a temporary renamed over the target (core/atomic_output.hpp), and the
// journal is then removed. An interrupted batch therefore leaves the previous CSV (if any)
// untouched plus a journal, from which --resume continues.
//
// Parallelism: `jobs` worker threads. The HDF5 library is entered by one thread at a time (a
// process-wide mutex, hdf5_mutex(), so that it is also safe with HDF5 builds that are not
// thread-safe); reading and decompressing a chunk is short next to analysing it, so analysis runs
// in parallel (measured in docs/performance.md). No exception crosses a thread: anything a worker
// throws becomes a failed row.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <memory>

#include "insole/analysis/analyze.hpp"
#include "insole/assess/assessment.hpp"
#include "insole/batch/inputs.hpp"
#include "insole/batch/results.hpp"
#include "insole/batch/shard.hpp"
#include "insole/core/result.hpp"

namespace insole::batch {

/// Serialises calls into the HDF5 library among the batch's threads.
std::mutex& hdf5_mutex();

struct AnalyseOptions {
  analysis::AnalysisParams params;
  /// Override of the recording's mode ("walk" | "stand"), empty = as recorded.
  std::string mode;
  /// Frames per read (io::RecordingReader::block_frames): the smallest multiple of the file's
  /// HDF5 chunk length (along time) that holds at least read_bytes of pressure and at least
  /// min_read_frames frames, cut back to at most max_read_bytes. 4 MB: 256 frames of a 64 x 64
  /// mat, 120 of a 60 x 150 treadmill mat, 32 of a 200 x 200 mat, about 58 000 of an 18-sensor insole.
  /// Smaller reads were faster (1 MB: the 1-min walk 0.079 -> 0.071 s on one core, the standing
  /// trial 0.35 -> 0.31 s) and took 18 MB less memory, but memory then grew by 12 % from 1 to 10
  /// minutes of treadmill walking instead of 8 % (the same 3.7 MB of results over a smaller base;
  /// docs/performance.md).
  static constexpr std::int64_t kDefaultReadBytes = 4ll << 20;
  std::int64_t read_bytes = kDefaultReadBytes;
  std::int64_t min_read_frames = 1;
  /// The reader keeps up to 4 blocks: one analysed, two read ahead, one being read.
  std::int64_t max_read_bytes = 8ll << 20;
  /// Read and decompress the next block on a second thread while the current one is analysed
  /// (at most 2 blocks ahead). run_batch turns it off when it runs several jobs, which already
  /// keep the cores busy.
  bool prefetch = true;
  /// Threads that measure the footfalls of a window (analysis::analysis_threads()); 0 keeps the
  /// calling thread's choice. run_batch uses 1 when it runs several jobs.
  unsigned analysis_threads = 0;
};

/// Reads a recording chunk by chunk and assesses it (assess::assess: analysis, findings and
/// prescription), without holding it in memory. This is the one path of `insole analyze`,
/// `insole report` and `insole batch`. Fills `facts` (metadata, streams, duration; not
/// key/hash/json) when non-null. Errors name the file.
Result<assess::Assessment> assess_file(const std::filesystem::path& path, const recommend::RuleSet& rules,
                                       std::optional<recommend::Intake> intake = std::nullopt,
                                       const AnalyseOptions& options = {}, RecordingFacts* facts = nullptr);

struct BatchOptions {
  std::filesystem::path output;    ///< results CSV
  std::filesystem::path json_dir;  ///< empty = no JSON documents
  int jobs = 1;                    ///< worker threads, >= 1
  std::optional<ShardSpec> shard;  ///< only this shard of the inputs; writes a manifest
  bool resume = false;             ///< reuse rows of the output and its journal (same hash and algorithm)
  bool write_back = false;         ///< store each result in its recording (io::write_analysis)
  std::string write_back_name = "batch";
  AnalyseOptions analyse;
  /// The rule file the findings and recommendations come from; null = the shipped default.
  std::shared_ptr<const recommend::RuleSet> rules;
  /// Seconds between progress callbacks.
  double progress_interval_s = 0.25;
};

enum class Outcome { analysed, no_contact, failed, skipped };

/// One recording's rows and what became of it.
struct RecordingOutcome {
  std::string key;
  Outcome outcome = Outcome::failed;
  std::vector<CsvRow> rows;
  std::uintmax_t bytes = 0;
};

/// Analyses one input into its rows (never fails: a bad input gives a failed row).
RecordingOutcome process_recording(const InputFile& input, const BatchOptions& options,
                                   const std::filesystem::path& json_path = {});

struct BatchProgress {
  std::size_t total = 0;       ///< recordings in this shard
  std::size_t done = 0;        ///< finished (any outcome)
  std::size_t analysed = 0;    ///< with at least one foot
  std::size_t no_contact = 0;  ///< analysed, no usable foot contact
  std::size_t skipped = 0;     ///< results reused (--resume)
  std::size_t failed = 0;
  std::uintmax_t bytes_total = 0;  ///< file sizes of the shard's recordings
  std::uintmax_t bytes_done = 0;   ///< of finished recordings, skipped ones included
  std::uintmax_t bytes_skipped = 0;
  double elapsed_s = 0;
};

struct BatchSummary : BatchProgress {
  std::size_t inputs_total = 0;     ///< before sharding
  std::size_t rows = 0;
  std::filesystem::path manifest;   ///< written with --shard
  std::vector<std::string> warnings;
};

/// Called on the calling thread about every progress_interval_s and once at the end.
using ProgressCallback = std::function<void(const BatchProgress&)>;

/// Runs the batch over `inputs` (expand_inputs() order). Fails only when the output cannot be
/// written (or, with resume, when an earlier output is not a batch CSV); per-recording problems
/// are rows.
Result<BatchSummary> run_batch(const std::vector<InputFile>& inputs, const BatchOptions& options,
                               const ProgressCallback& progress = {});

/// "<output>.journal" and "<output>.manifest.json".
std::filesystem::path journal_path(const std::filesystem::path& output);
std::filesystem::path manifest_path(const std::filesystem::path& output);

/// Opens the journal of `output` for writing: emptied, or with `resume` kept and appended to.
/// A last line cut by an interruption is dropped first, so that the next entry starts a line of
/// its own (appended to the cut, it would make that entry and every later one unreadable to the
/// next --resume). Null when the file cannot be opened.
std::FILE* open_journal(const std::filesystem::path& output, bool resume);

}  // namespace insole::batch
