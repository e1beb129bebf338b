// The streaming RecordingWriter: appending, flushing, events, refusal to overwrite, crash
// durability with a real SIGKILL, and full-disk behaviour.

#include <gtest/gtest.h>
#include <hdf5.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <thread>

#include "insole/core/atomic_output.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "io/test_recordings.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

namespace insole::io {
namespace {

using test::TempDir;

std::vector<StreamInfo> two_streams() {
  Recording rec = test::make_recording();
  return {rec.streams[0].info, rec.streams[1].info};
}

PressureFrame frame(std::size_t stream, double t, std::uint64_t seq, Eigen::Index sensels) {
  PressureFrame f;
  f.stream = stream;
  f.time_s = t;
  f.sequence = seq;
  f.pressure_kpa = Eigen::VectorXf::LinSpaced(sensels, float(seq), float(seq) + 100.0f);
  if (seq % 5 == 0) f.pressure_kpa[1] = std::numeric_limits<float>::quiet_NaN();
  return f;
}

TEST(RecordingWriter, AppendsFlushesAndCloses) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  WriterOptions opts;
  opts.clock = clock;
  opts.chunk_frames = 7;
  const auto streams = two_streams();
  RecordingMetadata meta;
  meta.subject = "P-3";
  meta.mode = "stand";
  auto w = RecordingWriter::create(dir / "cap.h5", meta, streams, opts);
  ASSERT_TRUE(w.ok()) << w.error().message;
  std::vector<PressureFrame> sent[2];
  for (int i = 0; i < 50; ++i) {
    const std::size_t s = i % 3 == 0 ? 1 : 0;
    auto f = frame(s, 0.01 * i, 1000 + std::uint64_t(i), streams[s].layout.sensor_count());
    sent[s].push_back(f);
    ASSERT_TRUE(w->append(f).ok());
    clock->advance_s(0.1);  // an automatic flush every 10 frames
    if (i == 20) {
      ASSERT_TRUE(w->add_event(Event{0.2, "left", "heel_strike", "auto"}).ok());
      // Readable while the capture is still running (SWMR), up to the last flush.
      auto live = RecordingReader::open(dir / "cap.h5");
      ASSERT_TRUE(live.ok()) << live.error().message;
      EXPECT_GT(live->frame_count(0), 0);
      EXPECT_LE(live->frame_count(0), Eigen::Index(sent[0].size()));
    }
  }
  EXPECT_EQ(w->frames_written(0) + w->frames_written(1), 50u);
  ASSERT_TRUE(w->close().ok());
  ASSERT_TRUE(w->close().ok());  // idempotent
  EXPECT_FALSE(w->append(sent[0].back()).ok());

  auto r = RecordingReader::open(dir / "cap.h5");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->interrupted());
  EXPECT_EQ(r->metadata().subject, "P-3");
  EXPECT_EQ(r->metadata().mode, "stand");
  EXPECT_EQ(r->chunk_frames(0), 7);
  ASSERT_EQ(r->events().size(), 1u);
  EXPECT_EQ(r->events()[0].detail, "auto");
  for (std::size_t s = 0; s < 2; ++s) {
    ASSERT_EQ(r->frame_count(s), Eigen::Index(sent[s].size()));
    EXPECT_TRUE(r->has_sequence(s));
    auto block = r->read_frames(s, 0, r->frame_count(s));
    ASSERT_TRUE(block.ok()) << block.error().message;
    auto seq = r->read_sequence(s, 0, r->frame_count(s));
    ASSERT_TRUE(seq.ok());
    for (std::size_t i = 0; i < sent[s].size(); ++i) {
      EXPECT_EQ(block->time_s[Eigen::Index(i)], sent[s][i].time_s);
      EXPECT_EQ((*seq)[i], sent[s][i].sequence);
      EXPECT_EQ(0, std::memcmp(block->pressure_kpa.row(Eigen::Index(i)).data(), sent[s][i].pressure_kpa.data(),
                               sizeof(float) * std::size_t(sent[s][i].pressure_kpa.size())));
    }
  }
}

TEST(RecordingWriter, RejectsBadFramesAndEvents) {
  TempDir dir;
  const auto streams = two_streams();
  auto w = RecordingWriter::create(dir / "cap.h5", {}, streams);
  ASSERT_TRUE(w.ok());
  const auto n = streams[0].layout.sensor_count();
  EXPECT_EQ(w->append(frame(2, 0.0, 0, n)).error().code, Errc::invalid_argument);
  EXPECT_EQ(w->append(frame(0, 0.0, 0, n - 1)).error().code, Errc::invalid_argument);
  ASSERT_TRUE(w->append(frame(0, 1.0, 0, n)).ok());
  EXPECT_EQ(w->append(frame(0, 1.0, 1, n)).error().code, Errc::invalid_argument);  // not increasing
  EXPECT_EQ(w->append(frame(0, std::nan(""), 1, n)).error().code, Errc::invalid_argument);
  EXPECT_FALSE(w->add_event(Event{1.0, "nosuch", "marker", ""}).ok());
  EXPECT_FALSE(w->add_event(Event{1.0, "", "", ""}).ok());
  EXPECT_FALSE(w->add_event(Event{1.0, "", "marker", std::string(5000, 'x')}).ok());
  // Rejected input does not poison the writer.
  ASSERT_TRUE(w->append(frame(0, 2.0, 1, n)).ok());
  ASSERT_TRUE(w->close().ok());
  EXPECT_EQ(read_recording(dir / "cap.h5")->streams[0].frame_count(), 2);
}

TEST(RecordingWriter, NeverOverwritesAnExistingFile) {
  TempDir dir;
  { std::ofstream(dir / "cap.h5") << "precious"; }
  auto w = RecordingWriter::create(dir / "cap.h5", {}, two_streams());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, Errc::invalid_argument);
  std::string content;
  std::getline(std::ifstream(dir / "cap.h5"), content);
  EXPECT_EQ(content, "precious");
  auto bad = RecordingWriter::create(dir / "nodir" / "cap.h5", {}, two_streams());
  EXPECT_FALSE(bad.ok());
  WriterOptions opts;
  opts.flush_interval_s = 0;
  EXPECT_EQ(RecordingWriter::create(dir / "x.h5", {}, two_streams(), opts).error().code, Errc::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.h5"));
}

TEST(RecordingWriter, RecoverRefusesACaptureStillBeingWritten) {
  TempDir dir;
  const auto file = dir / "live.h5";
  auto w = RecordingWriter::create(file, {}, two_streams());
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir / ".live.h5.creating")) << "set-up name left behind";
  EXPECT_TRUE(capture_in_progress(file));
  auto r = recover_capture(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("still writing"), std::string::npos) << r.error().message;
  ASSERT_TRUE(w->close().ok());
  EXPECT_FALSE(capture_in_progress(file));
  auto done = recover_capture(file);
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_FALSE(done->was_interrupted);
}

// ---- crash durability ----------------------------------------------------------------------

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Child spawn_writer(const std::filesystem::path& file, const char* mode = nullptr, const char* arg2 = nullptr) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  const std::string exe = INSOLE_IO_CRASH_WRITER;
  const std::string arg = file.string();
  char* argv[] = {const_cast<char*>(exe.c_str()), const_cast<char*>(arg.c_str()), const_cast<char*>(mode),
                  const_cast<char*>(arg2), nullptr};
  Child c;
  EXPECT_EQ(posix_spawn(&c.pid, exe.c_str(), &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  c.out = fdopen(fds[0], "r");
  return c;
}

void kill_and_check(double run_s) {
  TempDir dir;
  const auto file = dir / "capture.h5";
  Child child = spawn_writer(file);
  ASSERT_GT(child.pid, 0);
  char line[128] = {};
  ASSERT_NE(fgets(line, sizeof line, child.out), nullptr) << "writer did not start";
  double t0 = 0;
  ASSERT_EQ(std::sscanf(line, "ready %lf", &t0), 1) << line;
  std::this_thread::sleep_for(std::chrono::duration<double>(run_s));
  const double kill_s = steady_clock()->now_s();
  ASSERT_EQ(kill(child.pid, SIGKILL), 0);
  int status = 0;
  waitpid(child.pid, &status, 0);
  fclose(child.out);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "writer exited early, status " << status;

  testing::internal::CaptureStderr();
  auto rec = read_recording(file);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  {
    auto reader = RecordingReader::open(file);
    ASSERT_TRUE(reader.ok());
    EXPECT_TRUE(reader->interrupted());
  }  // closed again: HDF5 shares a file opened twice in one process, and recover opens it afresh
  ASSERT_EQ(rec->meta.attributes.at("t0_steady_s").substr(0, 8), std::string(line + 6).substr(0, 8));
  for (const Stream& s : rec->streams) {
    ASSERT_GT(s.frame_count(), 0) << s.info.name;
    // Every surviving frame is intact: values follow the writer's formula, nothing is NaN. The
    // calibrated insole keeps the counts as sent and twice them as pressure, row for row.
    const bool calibrated = s.info.calibration.has_value();
    EXPECT_EQ(calibrated, s.info.name == "left");
    if (calibrated) {
      ASSERT_EQ(s.raw_counts.rows(), s.frame_count());
      ASSERT_EQ(s.raw_counts.cols(), s.pressure_kpa.cols());
    }
    for (Eigen::Index f = 0; f < s.frame_count(); ++f)
      for (Eigen::Index i = 0; i < s.pressure_kpa.cols(); ++i) {
        const float sent = float(double(f) * 0.5 + double(i));
        if (calibrated) {
          ASSERT_EQ(s.raw_counts(f, i), sent) << s.info.name << " frame " << f;
          ASSERT_EQ(s.pressure_kpa(f, i), 2.0f * sent) << s.info.name << " frame " << f;
        } else {
          ASSERT_EQ(s.pressure_kpa(f, i), sent) << s.info.name << " frame " << f;
        }
      }
    // The flush interval is 1 s: at most the last second is lost. 0.25 s of slack covers the
    // time a loaded CI machine may take to schedule the writer's flush and this kill.
    const double last_abs_s = t0 + s.time_s[s.frame_count() - 1];
    const double lost_s = kill_s - last_abs_s;
    std::printf("[ info ] %s: %lld frames survived, last %.3f s before the kill\n", s.info.name.c_str(),
                static_cast<long long>(s.frame_count()), lost_s);
    EXPECT_LE(lost_s, 1.0 + 0.25) << s.info.name;
    EXPECT_GE(lost_s, 0.0);
  }
  EXPECT_GE(rec->events.size(), 1u);

  // recover_capture makes it a complete file with exactly the frames read above.
  auto report = recover_capture(file);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->was_interrupted);
  ASSERT_EQ(report->frames.size(), rec->streams.size());
  auto again = RecordingReader::open(file);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->interrupted());
  for (std::size_t i = 0; i < rec->streams.size(); ++i) {
    EXPECT_EQ(report->frames[i].second, std::uint64_t(rec->streams[i].frame_count()));
    EXPECT_EQ(again->frame_count(i), rec->streams[i].frame_count());
  }
  auto recovered = read_recording(file);
  ASSERT_TRUE(recovered.ok()) << recovered.error().message;
  for (std::size_t i = 0; i < rec->streams.size(); ++i) {
    EXPECT_EQ(recovered->streams[i].pressure_kpa, rec->streams[i].pressure_kpa) << rec->streams[i].info.name;
    EXPECT_EQ(recovered->streams[i].raw_counts, rec->streams[i].raw_counts) << rec->streams[i].info.name;
  }
  EXPECT_EQ(recovered->events.size(), rec->events.size());
  // HDF5 itself now opens it for reading the ordinary way (no SWMR, no h5clear).
  {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    EXPECT_GE(f, 0) << "HDF5 refuses the recovered file";
    if (f >= 0) {
      // The calibrated insole's counts were trimmed with its pressure.
      for (const char* name : {"/streams/left/pressure", "/streams/left/calibration/raw_counts"}) {
        const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
        EXPECT_GE(d, 0) << name;
        if (d < 0) continue;
        const hid_t space = H5Dget_space(d);
        hsize_t dims[2] = {0, 0};
        H5Sget_simple_extent_dims(space, dims, nullptr);
        EXPECT_EQ(dims[0], hsize_t(rec->streams[1].frame_count())) << name;
        H5Sclose(space);
        H5Dclose(d);
      }
      H5Fclose(f);
    }
  }
  // A second recovery finds nothing to do and leaves the file alone.
  auto twice = recover_capture(file);
  ASSERT_TRUE(twice.ok());
  EXPECT_FALSE(twice->was_interrupted);
}

TEST(RecordingWriter, RecoverKeepsACalibratedStreamUpToTheLastFlush) {
  // The child wrote 30 frames per stream in chunks of 10 but committed only the first 5. Whether
  // the longer extents reached the disk is up to HDF5's metadata cache; either way the recovered
  // file has 5 frames, and the calibrated insole's raw_counts exactly as many.
  TempDir dir;
  const auto file = dir / "capture.h5";
  Child child = spawn_writer(file, "unflushed");
  ASSERT_GT(child.pid, 0);
  char line[128] = {};
  ASSERT_NE(fgets(line, sizeof line, child.out), nullptr) << "writer did not start";
  ASSERT_EQ(kill(child.pid, SIGKILL), 0);
  int status = 0;
  waitpid(child.pid, &status, 0);
  fclose(child.out);
  auto extent = [&](const char* name) {
    hsize_t dims[2] = {0, 0};
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
    EXPECT_GE(f, 0);
    if (f < 0) return hsize_t(0);
    const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    EXPECT_GE(d, 0) << name;
    if (d >= 0) {
      const hid_t space = H5Dget_space(d);
      H5Sget_simple_extent_dims(space, dims, nullptr);
      H5Sclose(space);
      H5Dclose(d);
    }
    H5Fclose(f);
    return dims[0];
  };
  EXPECT_GE(extent("/streams/left/calibration/raw_counts"), 5u);
  auto report = recover_capture(file);
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_TRUE(report->was_interrupted);
  EXPECT_EQ(extent("/streams/left/pressure"), 5u);
  EXPECT_EQ(extent("/streams/left/calibration/raw_counts"), 5u);
  auto rec = read_recording(file);
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  const Stream& left = rec->streams[1];
  ASSERT_EQ(left.raw_counts.rows(), 5);
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(left.raw_counts(k, 0), float(k));
    EXPECT_EQ(left.pressure_kpa(k, 0), 2.0f * float(k));
  }
}

// A capture dies at every write of a flush and of the close in turn (the child stops at its
// n-th write to the file, n = 1, 2, ..., until it completes: see crash_writer_main.cpp), not at
// moments drawn from a clock. During a flush HDF5 writes new chunks past the end of the space
// its superblock records and rewrites the superblock last, so a file killed in between has
// objects beyond its recorded end: readable in SWMR mode, but recovery must extend the file's
// recorded end before it trims or adds anything, or HDF5 refuses to read them (or allocates
// over them). Every state must read as 13 or 27 frames per stream, each exactly as written,
// and recover to the same frames in a file HDF5 opens the ordinary way.
TEST(RecordingWriter, AKillAtEveryWriteOfAFlushLeavesARecoverableFile) {
  TempDir dir;
  long completed_writes = -1;
  int interrupted = 0;
  std::set<std::int64_t> counts_seen;
  for (long n = 1; n <= 400 && completed_writes < 0; ++n) {
    SCOPED_TRACE("died at write " + std::to_string(n));
    const auto file = dir / ("w" + std::to_string(n) + ".h5");
    Child child = spawn_writer(file, "die-at-write", std::to_string(n).c_str());
    ASSERT_GT(child.pid, 0);
    char line[128] = {};
    const bool said = fgets(line, sizeof line, child.out) != nullptr;
    int status = 0;
    waitpid(child.pid, &status, 0);
    fclose(child.out);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    if (WEXITSTATUS(status) == 0) {
      ASSERT_TRUE(said && std::sscanf(line, "completed %ld", &completed_writes) == 1) << line;
    } else {
      ASSERT_EQ(WEXITSTATUS(status), 9) << "the writer failed before its counted writes (its stderr is above)";
    }
    {
      auto reader = RecordingReader::open(file);
      ASSERT_TRUE(reader.ok()) << reader.error().message;
      EXPECT_EQ(reader->interrupted(), completed_writes < 0);
      interrupted += reader->interrupted();
    }
    auto rec = read_recording(file);
    ASSERT_TRUE(rec.ok()) << rec.error().message;
    ASSERT_EQ(rec->streams.size(), 2u);
    for (const Stream& s : rec->streams) {
      // Each stream's count moves on its own at the second phase of the flush.
      const Eigen::Index frames = s.frame_count();
      EXPECT_TRUE(frames == 13 || frames == 27) << s.info.name << ": " << frames;
      counts_seen.insert(frames);
      const float scale = s.info.name == "left" ? 2.0f : 1.0f;
      for (Eigen::Index k = 0; k < frames; ++k) {
        ASSERT_TRUE((s.pressure_kpa.row(k).array() == scale * float(k)).all()) << s.info.name << " frame " << k;
        if (scale == 2.0f) {
          ASSERT_TRUE((s.raw_counts.row(k).array() == float(k)).all()) << "frame " << k;
        }
      }
    }
    auto report = recover_capture(file);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->was_interrupted, completed_writes < 0);
    auto recovered = read_recording(file);
    ASSERT_TRUE(recovered.ok()) << recovered.error().message;
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(recovered->streams[i].pressure_kpa, rec->streams[i].pressure_kpa) << i;
      EXPECT_EQ(recovered->streams[i].raw_counts, rec->streams[i].raw_counts) << i;
    }
    EXPECT_EQ(recovered->events.size(), rec->events.size());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    EXPECT_GE(f, 0) << "HDF5 refuses the recovered file";
    if (f >= 0) H5Fclose(f);
  }
  std::printf("[ info ] the counted flush and close made %ld writes; %d kills left an interrupted file\n",
              completed_writes, interrupted);
  ASSERT_NE(completed_writes, -1) << "the flush and close made more than 400 writes: raise the bound";
  ASSERT_GT(completed_writes, 0) << "no write was counted: the child's pwrite was not the one HDF5 called";
  EXPECT_EQ(interrupted, completed_writes);
  EXPECT_EQ(counts_seen, (std::set<std::int64_t>{13, 27}));
}

// HDF5's superblock checksum (Jenkins' lookup3 over the bytes before it): exported by the
// library though not in its public headers.
extern "C" std::uint32_t H5_checksum_metadata(const void* data, std::size_t len, std::uint32_t initval);

// A capture whose file ends before the space its superblock records (its last blocks never
// reached the disk, as after a power cut) is refused by an ordinary open as truncated; recovery
// opens it as the SWMR reader and `h5clear` do. The state is made exactly: a capture stopped at
// the first write of its second flush (13 frames a stream committed), whose superblock's end of
// allocated space is then moved 4096 bytes past the end of the file (offset 28 of a version 3
// superblock, its checksum at 44 recomputed).
TEST(RecordingWriter, RecoverOpensACaptureShorterThanItsRecordedEnd) {
  TempDir dir;
  const auto file = dir / "short.h5";
  Child child = spawn_writer(file, "die-at-write", "1");
  ASSERT_GT(child.pid, 0);
  int status = 0;
  waitpid(child.pid, &status, 0);
  fclose(child.out);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 9) << status;
  const auto size = std::filesystem::file_size(file);
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    unsigned char sb[48];
    ASSERT_TRUE(f.read(reinterpret_cast<char*>(sb), sizeof sb));
    ASSERT_EQ(std::string(reinterpret_cast<char*>(sb), 8), "\x89HDF\r\n\x1a\n");
    ASSERT_EQ(sb[8], 3) << "superblock version";
    ASSERT_EQ(sb[9], 8) << "size of offsets";
    std::uint32_t stored = 0;
    std::memcpy(&stored, sb + 44, 4);
    ASSERT_EQ(H5_checksum_metadata(sb, 44, 0), stored) << "the superblock's layout is not the one assumed";
    std::uint64_t eoa = 0;
    std::memcpy(&eoa, sb + 28, 8);
    ASSERT_EQ(eoa, size) << "a capture's file ends where its superblock says";
    eoa += 4096;
    std::memcpy(sb + 28, &eoa, 8);
    const std::uint32_t sum = H5_checksum_metadata(sb, 44, 0);
    std::memcpy(sb + 44, &sum, 4);
    f.seekp(0);
    ASSERT_TRUE(f.write(reinterpret_cast<const char*>(sb), sizeof sb));
  }
  {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hbool_t yes = true;
    const bool set = H5Pset(fapl, "clear_status_flags", &yes) >= 0;
    const hid_t f = set ? H5Fopen(file.c_str(), H5F_ACC_RDWR, fapl) : H5I_INVALID_HID;
    H5Pclose(fapl);
    ASSERT_TRUE(set);
    EXPECT_LT(f, 0) << "HDF5 opened a file shorter than its recorded end: the case is not made";
    if (f >= 0) H5Fclose(f);
  }
  auto before = read_recording(file);
  ASSERT_TRUE(before.ok()) << before.error().message;
  ASSERT_EQ(before->streams[0].frame_count(), 13);
  auto report = recover_capture(file);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->was_interrupted);
  auto after = read_recording(file);
  ASSERT_TRUE(after.ok()) << after.error().message;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(after->streams[i].pressure_kpa, before->streams[i].pressure_kpa) << i;
    EXPECT_EQ(after->streams[i].raw_counts, before->streams[i].raw_counts) << i;
  }
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(f, 0) << "HDF5 refuses the recovered file";
  if (f >= 0) H5Fclose(f);
}

TEST(RecordingWriter, SigkillLosesAtMostTheLastSecond) {
  kill_and_check(1.6);
  kill_and_check(2.35);
}

// ---- full disk -------------------------------------------------------------------------------

// Limits the size of files this process may write (RLIMIT_FSIZE): writes beyond it fail with
// EFBIG, exactly where a full disk fails with ENOSPC, without needing root for a small filesystem.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = signal(SIGXFSZ, SIG_IGN);
    rlimit lim = old_;
    lim.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &lim);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit old_{};
  sighandler_t old_handler_;
};

Recording big_recording() {
  Recording rec;
  rec.streams.push_back(test::make_grid_stream("mat", 64, 64, 200, 100.0));
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> u(0, 400);
  for (Eigen::Index i = 0; i < rec.streams[0].pressure_kpa.size(); ++i) rec.streams[0].pressure_kpa.data()[i] = u(gen);
  return rec;
}

std::size_t count_files(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

TEST(DiskFull, WriteRecordingFailsCleanlyAndKeepsTheOldFile) {
  TempDir dir;
  const auto target = dir / "r.h5";
  { std::ofstream(target) << "precious"; }
  const Recording rec = big_recording();
  Status st;
  {
    FileSizeLimit limit(256 * 1024);
    st = write_recording(target, rec);
  }
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::disk_full) << st.error().message;
  EXPECT_NE(st.error().message.find(target.string()), std::string::npos) << st.error().message;
  std::string content;
  std::getline(std::ifstream(target), content);
  EXPECT_EQ(content, "precious");
  EXPECT_EQ(count_files(dir.path()), 1u) << "temporary file left behind";
}

TEST(DiskFull, WriteFileAtomicallyKeepsTheOldFile) {
  TempDir dir;
  const auto target = dir / "report.json";
  { std::ofstream(target) << "old"; }
  Status st;
  {
    FileSizeLimit limit(1000);
    st = write_file_atomically(target, std::string(5000, 'x'));
  }
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::disk_full);
  std::string content;
  std::getline(std::ifstream(target), content);
  EXPECT_EQ(content, "old");
  EXPECT_EQ(count_files(dir.path()), 1u);
}

TEST(DiskFull, StreamingWriterReportsAndKeepsWhatWasFlushed) {
  TempDir dir;
  const auto file = dir / "cap.h5";
  const Recording rec = big_recording();
  auto clock = std::make_shared<ManualClock>();
  WriterOptions opts;
  opts.clock = clock;
  opts.deflate_level = 0;
  opts.chunk_frames = 8;  // 128 KiB chunks: several flushes fit under the limit
  Status failure;
  std::uint64_t appended = 0;
  {
    auto w = RecordingWriter::create(file, {}, {rec.streams[0].info}, opts);
    ASSERT_TRUE(w.ok()) << w.error().message;
    FileSizeLimit limit(std::filesystem::file_size(file) + 600 * 1024);
    for (Eigen::Index f = 0; f < rec.streams[0].frame_count(); ++f) {
      PressureFrame pf;
      pf.time_s = rec.streams[0].time_s[f];
      pf.pressure_kpa = rec.streams[0].pressure_kpa.row(f).transpose();
      clock->advance_s(0.25);
      failure = w->append(pf);
      if (!failure) break;
      ++appended;
    }
    ASSERT_FALSE(failure.ok()) << "the limit was never reached";
    EXPECT_EQ(failure.error().code, Errc::disk_full) << failure.error().message;
    EXPECT_FALSE(w->append(PressureFrame{}).ok());  // stays failed
    EXPECT_FALSE(w->close().ok());
  }
  // The process can go on writing other files afterwards.
  auto next = RecordingWriter::create(dir / "next.h5", {}, {rec.streams[0].info}, opts);
  ASSERT_TRUE(next.ok()) << next.error().message;
  ASSERT_TRUE(next->close().ok());
  // What was flushed before the disk filled up is still readable.
  auto back = read_recording(file);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_GT(back->streams[0].frame_count(), 0);
  EXPECT_LE(back->streams[0].frame_count(), Eigen::Index(appended));
  EXPECT_TRUE(test::same_bits(back->streams[0].pressure_kpa,
                              rec.streams[0].pressure_kpa.topRows(back->streams[0].frame_count())));
}

}  // namespace
}  // namespace insole::io
