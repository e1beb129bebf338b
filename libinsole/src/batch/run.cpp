#include "insole/batch/run.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "insole/batch/hash.hpp"
#include "insole/core/atomic_output.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "insole/report/json.hpp"

namespace insole::batch {

namespace fs = std::filesystem;

std::mutex& hdf5_mutex() { return io::hdf5_mutex(); }

fs::path journal_path(const fs::path& output) { return fs::path(output.string() + ".journal"); }
fs::path manifest_path(const fs::path& output) { return fs::path(output.string() + ".manifest.json"); }

std::FILE* open_journal(const fs::path& output, bool resume) {
  const fs::path path = journal_path(output);
  if (!resume) return std::fopen(path.c_str(), "w");
  std::FILE* f = std::fopen(path.c_str(), "a+");
  if (!f) return nullptr;
  // Keep everything up to the last line break.
  if (std::fseek(f, 0, SEEK_END) == 0) {
    long size = std::ftell(f);
    long keep = size;
    while (keep > 0) {
      if (std::fseek(f, keep - 1, SEEK_SET) != 0) break;
      if (std::fgetc(f) == '\n') break;
      --keep;
    }
    if (keep < size) {
      std::fclose(f);
      std::error_code ec;
      fs::resize_file(path, static_cast<std::uintmax_t>(keep), ec);
      if (ec) return nullptr;
      return std::fopen(path.c_str(), "a");
    }
  }
  std::fseek(f, 0, SEEK_END);  // from reading to writing
  return f;
}

namespace {

// A RecordingReader whose every use, destruction included, holds hdf5_mutex().
class LockedReader {
 public:
  static Result<LockedReader> open(const fs::path& path) {
    std::lock_guard lock(hdf5_mutex());
    auto r = io::RecordingReader::open(path);
    if (!r) return r.error();
    LockedReader out;
    out.reader_.emplace(std::move(*r));
    return out;
  }
  // A moved-from reader is left empty, so its destructor does not take the lock (open() moves
  // out of a local while holding it).
  LockedReader(LockedReader&& other) noexcept : reader_(std::move(other.reader_)) { other.reader_.reset(); }
  LockedReader& operator=(LockedReader&&) noexcept = delete;
  LockedReader(const LockedReader&) = delete;
  LockedReader& operator=(const LockedReader&) = delete;
  ~LockedReader() { close(); }
  void close() {
    if (!reader_) return;
    std::lock_guard lock(hdf5_mutex());
    reader_.reset();
  }
  template <class F>
  auto with(F&& f) const {
    std::lock_guard lock(hdf5_mutex());
    return f(*reader_);
  }
  // Metadata and stream descriptions are copied at open and never change: no lock needed.
  const io::RecordingReader& unlocked() const { return *reader_; }

 private:
  LockedReader() = default;
  std::optional<io::RecordingReader> reader_;
};

std::string with_file(const fs::path& path, std::string message) {
  if (message.find(path.string()) == std::string::npos) message = path.string() + ": " + message;
  return message;
}

// Runs a chunk provider on its own thread, at most `depth` chunks ahead of the consumer, so that
// reading and decompressing the next block overlaps the analysis of the current one. The
// provider's results (chunks, the end, or an error) reach next() in order; the destructor stops
// the thread (it may be waiting for room in the queue or inside a read).
class Prefetcher {
 public:
  Prefetcher(analysis::ChunkProvider inner, std::size_t depth) : inner_(std::move(inner)), depth_(depth) {
    thread_ = std::thread([this] { run(); });
  }
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;
  ~Prefetcher() {
    {
      std::lock_guard lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  Result<std::optional<analysis::FrameChunk>> next() {
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return !queue_.empty() || finished_; });
    if (queue_.empty()) return std::optional<analysis::FrameChunk>{};  // asked again after the end
    auto r = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return r;
  }

 private:
  void run() {
    for (;;) {
      {
        std::unique_lock lock(m_);
        cv_.wait(lock, [&] { return stop_ || queue_.size() < depth_; });
        if (stop_) break;
      }
      Result<std::optional<analysis::FrameChunk>> r = std::optional<analysis::FrameChunk>{};
      try {
        r = inner_();
      } catch (const std::exception& e) {
        r = make_error(Errc::io_error, std::string("reading frames: ") + e.what());
      }
      const bool end = !r || !r->has_value();
      {
        std::lock_guard lock(m_);
        queue_.push_back(std::move(r));
      }
      cv_.notify_all();
      if (end) break;
    }
    {
      std::lock_guard lock(m_);
      finished_ = true;
    }
    cv_.notify_all();
  }

  analysis::ChunkProvider inner_;
  std::size_t depth_;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Result<std::optional<analysis::FrameChunk>>> queue_;
  bool stop_ = false;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace

Result<assess::Assessment> assess_file(const fs::path& path, const recommend::RuleSet& rules,
                                       std::optional<recommend::Intake> intake, const AnalyseOptions& options,
                                       RecordingFacts* facts) {
  auto reader = LockedReader::open(path);
  if (!reader) return make_error(reader.error().code, with_file(path, reader.error().message));
  RecordingMetadata meta = reader->unlocked().metadata();
  if (!options.mode.empty()) meta.mode = options.mode;
  const std::vector<StreamInfo> streams = reader->unlocked().streams();
  // The maker's own channels (Moticon total force and COP), read whole: 24 bytes a frame. A stream
  // whose sensor positions are unknown is analysed from them.
  std::vector<std::optional<VendorChannels>> vendor(streams.size());
  for (std::size_t s = 0; s < streams.size(); ++s) {
    auto v = reader->unlocked().read_vendor_channels(s);
    if (!v) return make_error(v.error().code, with_file(path, v.error().message));
    vendor[s] = std::move(*v);
  }
  std::vector<Eigen::Index> counts, block;
  for (std::size_t s = 0; s < streams.size(); ++s) {
    // Whole HDF5 chunks per read: a partial chunk would be decompressed twice.
    const auto [count, frames] = reader->with([&](const io::RecordingReader& r) {
      return std::pair{r.frame_count(s), r.block_frames(s, options.read_bytes, options.min_read_frames, options.max_read_bytes)};
    });
    counts.push_back(count);
    block.push_back(frames);
  }
  std::size_t stream = 0;
  Eigen::Index next = 0;
  // Blocks the analysis has finished with, filled again by the next reads: a few blocks of a few
  // MB are allocated once per recording instead of once per read. Freeing and allocating them at
  // every read left holes in the heap that the results then filled, so the resident size grew
  // with the recording's length, and every new block's pages were faulted in afresh.
  struct Spares {
    std::mutex mutex;
    std::vector<FrameMatrix> blocks;
  };
  const auto spares = std::make_shared<Spares>();
  const analysis::ChunkProvider provider = [&]() -> Result<std::optional<analysis::FrameChunk>> {
    while (stream < streams.size() && next >= counts[stream]) {
      ++stream;
      next = 0;
    }
    if (stream >= streams.size()) return std::optional<analysis::FrameChunk>{};
    // read_frames takes the HDF5 mutex itself, only while it calls HDF5: chunks are inflated
    // without it, so other jobs can read meanwhile.
    FrameMatrix storage;
    {
      const std::lock_guard<std::mutex> lock(spares->mutex);
      if (!spares->blocks.empty()) {
        storage = std::move(spares->blocks.back());
        spares->blocks.pop_back();
      }
    }
    auto frames = reader->unlocked().read_frames(stream, next, block[stream], &storage);
    if (!frames) return frames.error();
    if (frames->time_s.size() == 0)
      return make_error(Errc::format_error, "stream '" + streams[stream].name + "' returned no frames at frame " +
                                                std::to_string(next));
    analysis::FrameChunk c;
    c.stream = stream;
    c.time_s = std::move(frames->time_s);
    c.pressure_kpa = std::move(frames->pressure_kpa);
    c.give_back = [spares](FrameMatrix&& m) {
      const std::lock_guard<std::mutex> lock(spares->mutex);
      if (spares->blocks.size() < 4) spares->blocks.push_back(std::move(m));
    };
    next += c.time_s.size();
    return std::optional<analysis::FrameChunk>(std::move(c));
  };
  assess::AssessOptions ao;
  ao.params = options.params;
  for (const auto& v : vendor) ao.vendor.push_back(v ? &*v : nullptr);
  Result<assess::Assessment> result = make_error(Errc::no_data, "not analysed");
  // The analysis runs on this thread: its thread count applies here for this file only.
  struct AnalysisThreads {
    unsigned before = analysis::analysis_threads_on_this_thread();
    explicit AnalysisThreads(unsigned n) {
      if (n > 0) analysis::set_analysis_threads_on_this_thread(n);
    }
    ~AnalysisThreads() { analysis::set_analysis_threads_on_this_thread(before); }
  } threads(options.analysis_threads);
  if (options.prefetch) {
    Prefetcher ahead(provider, 2);
    result = assess::assess(path.string(), meta, streams, [&ahead] { return ahead.next(); }, rules, intake, ao);
  } else {
    result = assess::assess(path.string(), meta, streams, provider, rules, intake, ao);
  }  // the prefetch thread has stopped here: the reader can close
  const bool interrupted = reader->unlocked().interrupted();
  reader->close();
  if (!result) return make_error(result.error().code, with_file(path, result.error().message));
  if (interrupted)
    result->analysis.quality.warnings.push_back(path.string() + ": the capture was interrupted; read as of its last flush "
                                       "(run 'insole recover " + path.string() + "')");
  if (facts) {
    facts->subject = result->meta.subject;
    facts->mode = result->meta.mode;
    facts->body_mass_kg = result->meta.body_mass_kg;
    facts->streams = streams;
    facts->duration_s = 0;
    for (const auto& q : result->analysis.quality.streams) facts->duration_s = std::max(facts->duration_s, q.duration_s);
  }
  return result;
}

RecordingOutcome process_recording(const InputFile& input, const BatchOptions& options, const fs::path& json_path) {
  RecordingOutcome out;
  out.key = input.key;
  auto fail = [&](const std::string& hash, const Error& e) {
    out.outcome = Outcome::failed;
    out.rows = {failure_row(input.key, hash, e)};
    return out;
  };
  if (!input.problem.empty()) return fail("", make_error(Errc::not_found, input.key + ": " + input.problem));
  try {
    std::error_code ec;
    out.bytes = fs::file_size(input.path, ec);
    if (ec) out.bytes = 0;
    auto hash = hash_file(input.path);
    if (!hash) return fail("", hash.error());
    RecordingFacts facts;
    facts.key = input.key;
    facts.file_hash = *hash;
    AnalyseOptions analyse = options.analyse;
    if (options.jobs > 1) {  // the jobs already fill the cores
      analyse.prefetch = false;
      analyse.analysis_threads = 1;
    }
    std::shared_ptr<const recommend::RuleSet> rules = options.rules;
    if (!rules) {
      auto loaded = recommend::load_default_rules();
      if (!loaded) return fail(*hash, loaded.error());
      rules = std::make_shared<const recommend::RuleSet>(std::move(*loaded));
    }
    auto result = assess_file(input.path, *rules, std::nullopt, analyse, &facts);
    if (!result) return fail(*hash, result.error());
    result->input = input.key;
    if (!json_path.empty() || options.write_back) {
      const std::string json = report::to_json(*result);
      if (!json_path.empty()) {
        fs::create_directories(json_path.parent_path(), ec);
        if (auto st = write_file_atomically(json_path, json); !st)
          return fail(*hash, make_error(st.error().code, "JSON output: " + st.error().message));
        facts.json_path = json_path.string();
      }
      if (options.write_back) {
        Status st = [&] {
          std::lock_guard lock(hdf5_mutex());
          return io::write_analysis(input.path, options.write_back_name, json, result->analysis.algorithm_version,
                                    report::parameters_json(result->analysis.params).dump());
        }();
        if (!st) return fail(*hash, make_error(st.error().code, "write-back: " + st.error().message));
        // The file changed: its new content is what a later --resume will see.
        auto after = hash_file(input.path);
        if (!after) return fail(*hash, after.error());
        facts.file_hash = *after;
      }
    }
    out.rows = result_rows(facts, *result);
    out.outcome = out.rows.size() == 1 && out.rows[0][column_index("status")] == kStatusNoContact
                      ? Outcome::no_contact
                      : Outcome::analysed;
    return out;
  } catch (const std::exception& e) {
    // A bug or resource exhaustion on one recording must not take the batch down.
    return fail("", make_error(Errc::io_error, input.key + ": internal error: " + e.what()));
  }
}

namespace {

Result<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::not_found, path.string() + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return make_error(Errc::io_error, path.string() + ": read error");
  return ss.str();
}

// JSON file per input under json_dir, mirroring the path below the input directory; inputs that
// would share a name get the hash of their key appended.
std::vector<fs::path> json_paths(const std::vector<InputFile>& inputs, const fs::path& dir) {
  std::vector<fs::path> out(inputs.size());
  if (dir.empty()) return out;
  std::map<fs::path, int> uses;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    out[i] = dir / fs::path(inputs[i].relative).replace_extension(".json");
    ++uses[out[i]];
  }
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (uses[out[i]] > 1)
    {
      std::string ext = ".";
      ext += hex64(xxh64(inputs[i].key)).substr(0, 8);
      ext += ".json";
      out[i] = dir / fs::path(inputs[i].relative).replace_extension(ext);
    }
  return out;
}

std::string manifest_json(const ShardSpec& shard, const std::vector<InputFile>& all,
                          const std::vector<InputFile>& mine) {
  Xxh64Stream digest;
  for (const auto& f : all) digest.update(f.key.data(), f.key.size() + 1);  // keys with their NULs
  nlohmann::json j;
  j["format"] = "insole-batch-manifest";
  j["version"] = 1;
  j["shard"] = shard.index;
  j["shards"] = shard.count;
  j["inputs_total"] = all.size();
  j["inputs_digest"] = "xxh64:" + hex64(digest.digest());
  j["algorithm_version"] = analysis::kAnalysisAlgorithmVersion;
  std::vector<std::string> keys;
  for (const auto& f : mine) keys.push_back(f.key);
  j["files"] = keys;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

Result<BatchSummary> run_batch(const std::vector<InputFile>& all_inputs, const BatchOptions& options,
                               const ProgressCallback& progress) {
  if (options.jobs < 1) throw std::invalid_argument("run_batch: jobs must be >= 1");
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  BatchSummary summary;
  summary.inputs_total = all_inputs.size();
  const std::vector<InputFile> inputs = options.shard ? select_shard(all_inputs, *options.shard) : all_inputs;
  summary.total = inputs.size();

  // The output's directory must be writable before any work is done.
  {
    auto probe = AtomicOutput::create(options.output);
    if (!probe) return probe.error();
  }

  // The rules every recording is assessed with: given, or the shipped default.
  BatchOptions opts = options;
  if (!opts.rules) {
    auto rules = recommend::load_default_rules();
    if (!rules) return rules.error();
    opts.rules = std::make_shared<const recommend::RuleSet>(std::move(*rules));
  }
  const std::string rules_version = opts.rules->rules_version;

  ResultIndex previous;
  if (options.resume) {
    if (auto text = read_text(options.output)) {
      if (auto st = index_csv(*text, options.output.string(), previous); !st) return st.error();
    }
    if (auto text = read_text(journal_path(options.output))) {
      if (auto st = index_journal(*text, journal_path(options.output).string(), previous); !st)
        summary.warnings.push_back(st.error().message + " (journal ignored from there on)");
    }
  }

  std::vector<std::uintmax_t> sizes(inputs.size(), 0);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::error_code ec;
    sizes[i] = inputs[i].problem.empty() ? fs::file_size(inputs[i].path, ec) : 0;
    if (ec) sizes[i] = 0;
    summary.bytes_total += sizes[i];
  }
  const std::vector<fs::path> jsons = json_paths(inputs, options.json_dir);

  std::FILE* journal = open_journal(options.output, options.resume);
  if (!journal)
    return make_error(Errc::io_error, journal_path(options.output).string() + ": cannot open the journal for writing");

  std::vector<std::optional<RecordingOutcome>> outcomes(inputs.size());
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::size_t> finished;  // indices finished since the main thread last looked
  std::atomic<std::size_t> next{0};

  // With --resume: the earlier rows of input i when its content and the algorithm are unchanged.
  auto reuse = [&](std::size_t i, RecordingOutcome& o) {
    const auto it = previous.find(inputs[i].key);
    if (it == previous.end() || it->second.failed ||
        it->second.algorithm_version != analysis::kAnalysisAlgorithmVersion ||
        it->second.rules_version != rules_version)
      return false;
    auto hash = hash_file(inputs[i].path);
    if (!hash || *hash != it->second.file_hash) return false;
    o.key = inputs[i].key;
    o.outcome = Outcome::skipped;
    o.rows = it->second.rows;
    o.bytes = sizes[i];
    return true;
  };

  // The workers that run: no more than there are recordings (process_recording decides from
  // their number how each reads and analyses).
  const auto jobs = std::min<std::size_t>(static_cast<std::size_t>(options.jobs), std::max<std::size_t>(1, inputs.size()));
  opts.jobs = static_cast<int>(jobs);
  auto worker = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= inputs.size()) return;
      RecordingOutcome o;
      try {
        const bool reused = options.resume && inputs[i].problem.empty() && reuse(i, o);
        if (!reused) o = process_recording(inputs[i], opts, jsons[i]);
      } catch (const std::exception& e) {
        // No exception crosses a thread: it becomes this recording's failed row.
        o = RecordingOutcome{};
        o.key = inputs[i].key;
        o.rows = {failure_row(inputs[i].key, "",
                              make_error(Errc::io_error, inputs[i].key + ": internal error: " + e.what()))};
      }
      {
        std::lock_guard lock(m);
        outcomes[i] = std::move(o);
        finished.push_back(i);
      }
      cv.notify_one();
    }
  };

  std::vector<std::thread> threads;
  for (std::size_t j = 0; j < jobs; ++j) threads.emplace_back(worker);

  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  bool journal_ok = true;
  const double interval_s = options.progress_interval_s > 0.01 ? options.progress_interval_s : 0.01;
  const auto interval = std::chrono::duration<double>(interval_s);
  for (;;) {
    std::vector<std::size_t> batch;
    {
      std::unique_lock lock(m);
      // (An empty shard has nothing to wait for.)
      if (!inputs.empty()) cv.wait_for(lock, interval, [&] { return !finished.empty(); });
      batch.swap(finished);
    }
    for (std::size_t i : batch) {
      const RecordingOutcome& o = *outcomes[i];  // written before i was published, under m
      ++summary.done;
      summary.bytes_done += sizes[i];
      switch (o.outcome) {
        case Outcome::analysed: ++summary.analysed; break;
        case Outcome::no_contact: ++summary.no_contact; break;
        case Outcome::failed: ++summary.failed; break;
        case Outcome::skipped:
          ++summary.skipped;
          summary.bytes_skipped += sizes[i];
          break;
      }
      if (o.outcome != Outcome::skipped && journal_ok) {
        const std::string line = journal_line(o.key, o.rows);
        journal_ok = std::fwrite(line.data(), 1, line.size(), journal) == line.size() && std::fflush(journal) == 0;
        if (!journal_ok) summary.warnings.push_back("cannot write the journal; --resume will redo this batch");
      }
    }
    summary.elapsed_s = elapsed();
    if (progress) progress(summary);
    if (summary.done == inputs.size()) break;
  }
  for (auto& t : threads) t.join();
  std::fclose(journal);

  std::string csv = csv_line(csv_columns());
  for (const auto& o : outcomes)
    for (const auto& row : o->rows) {
      csv += csv_line(row);
      ++summary.rows;
    }
  if (auto st = write_file_atomically(options.output, csv); !st) return st.error();
  if (options.shard) {
    summary.manifest = manifest_path(options.output);
    if (auto st = write_file_atomically(summary.manifest, manifest_json(*options.shard, all_inputs, inputs)); !st)
      return st.error();
  }
  std::error_code ec;
  fs::remove(journal_path(options.output), ec);
  summary.elapsed_s = elapsed();
  return summary;
}

}  // namespace insole::batch
