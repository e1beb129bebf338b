// The direct chunk path against the HDF5 library path on the project's sample recordings: the same
// frames, and byte-identical `insole analyze --json` output; and a damaged chunk makes
// `insole analyze` exit 2 with a message naming the dataset and the chunk.

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdio>
#include <filesystem>
#include <algorithm>
#include <cctype>
#include <fstream>
#include <string>
#include <vector>

#include "insole/io/hdf5_recording.hpp"
#include "io/test_recordings.hpp"
#include "report/cli_run.hpp"
#include "support/temp_dir.hpp"

namespace insole::io {
namespace {

using test::TempDir;

std::vector<std::filesystem::path> samples() {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(INSOLE_SOURCE_DIR) + "/data"))
    if (e.path().extension() == ".h5") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

using CliResult = test::CliRun;

// Runs `insole ARGS` with environment assignments `env` ("" or "NAME=value ...").
CliResult run_cli(const std::string& env, const std::string& args, const TempDir& dir) {
  return test::run_command("env " + env + " " + INSOLE_CLI + " " + args, dir.path());
}

Result<std::vector<FrameMatrix>> all_frames(const std::filesystem::path& file) {
  auto r = RecordingReader::open(file);
  if (!r) return r.error();
  std::vector<FrameMatrix> out;
  for (std::size_t s = 0; s < r->streams().size(); ++s) {
    auto b = r->read_frames(s, 0, r->frame_count(s));
    if (!b) return b.error();
    out.push_back(std::move(b->pressure_kpa));
  }
  return out;
}

TEST(ChunkPathSamples, EverySampleGivesTheSameFramesOnBothPaths) {
  const auto files = samples();
  ASSERT_GE(files.size(), 5u);
  for (const auto& f : files) {
    auto direct = all_frames(f);
    ::setenv("INSOLE_HDF5_PATH", "library", 1);
    auto library = all_frames(f);
    ::unsetenv("INSOLE_HDF5_PATH");
    ASSERT_TRUE(direct.ok()) << direct.error().message;
    ASSERT_TRUE(library.ok()) << library.error().message;
    ASSERT_EQ(direct->size(), library->size());
    for (std::size_t s = 0; s < direct->size(); ++s)
      EXPECT_TRUE(test::same_bits((*direct)[s], (*library)[s])) << f << " stream " << s;
  }
}

// One case per sample (each runs the ASan-built program twice).
class AnalyzeJsonBothPaths : public ::testing::TestWithParam<std::string> {};

TEST_P(AnalyzeJsonBothPaths, IsByteIdentical) {
  TempDir dir;
  const std::string f = std::string(INSOLE_SOURCE_DIR) + "/data/" + GetParam();
  const CliResult direct = run_cli("INSOLE_DECODE_THREADS=2", "analyze '" + f + "' --json", dir);
  const CliResult library = run_cli("INSOLE_HDF5_PATH=library", "analyze '" + f + "' --json", dir);
  EXPECT_EQ(direct.exit_code, library.exit_code) << f;
  EXPECT_LE(direct.exit_code, 1) << f << ": " << direct.err;
  EXPECT_FALSE(direct.out.empty()) << f;
  EXPECT_EQ(direct.out, library.out) << f;
}

std::vector<std::string> sample_names() {
  std::vector<std::string> out;
  for (const auto& p : samples()) out.push_back(p.filename().string());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Samples, AnalyzeJsonBothPaths, ::testing::ValuesIn(sample_names()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param.substr(0, i.param.size() - 3);
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(ChunkPathSamples, DamagedChunkMakesAnalyzeExit2NamingDatasetAndChunk) {
  TempDir dir;
  const auto file = dir / "walk.h5";
  std::filesystem::copy_file(std::string(INSOLE_SOURCE_DIR) + "/data/walk_normal.h5", file);
  std::string stream;
  {
    auto r = RecordingReader::open(file);
    ASSERT_TRUE(r.ok());
    stream = r->streams()[0].name;
    ASSERT_GT(r->frame_count(0), 2 * r->chunk_frames(0));
  }
  // Flip one byte in the middle of the second chunk's stored bytes.
  const std::string dataset = "/streams/" + stream + "/pressure";
  {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t ds = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
    const hid_t dcpl = H5Dget_create_plist(ds);
    hsize_t chunk[3] = {};
    H5Pget_chunk(dcpl, 3, chunk);
    H5Pclose(dcpl);
    const hsize_t at[3] = {chunk[0], 0, 0};
    hsize_t n = 0;
    ASSERT_GE(H5Dget_chunk_storage_size(ds, at, &n), 0);
    std::vector<unsigned char> raw(n);
    std::uint32_t mask = 0;
    ASSERT_GE(H5Dread_chunk(ds, H5P_DEFAULT, at, &mask, raw.data()), 0);
    raw[n / 2] ^= 0x40;
    ASSERT_GE(H5Dwrite_chunk(ds, H5P_DEFAULT, mask, at, n, raw.data()), 0);
    H5Dclose(ds);
    H5Fclose(f);
  }
  const CliResult run = run_cli("", "analyze '" + file.string() + "' --json", dir);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find(dataset + ": chunk 1 ("), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("Fletcher-32"), std::string::npos) << run.err;
  // The library path also refuses it (HDF5's own checksum), with exit 2.
  const CliResult lib = run_cli("INSOLE_HDF5_PATH=library", "analyze '" + file.string() + "' --json", dir);
  EXPECT_EQ(lib.exit_code, 2) << lib.err;
}

}  // namespace
}  // namespace insole::io
