// The direct chunk reader (libinsole/src/io/chunk_reader.*): Fletcher-32 and unshuffle against
// hand computations and against chunks written by libhdf5 itself, the same frames as the library
// path for every filter combination the toolkit and h5py write, the fallback for everything else,
// and damaged chunks (flipped byte, wrong checksum, garbage that inflates to nothing, truncated
// deflate stream) giving a format error that names the dataset and the chunk.

#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "insole/io/hdf5_recording.hpp"
#include "io/chunk_reader.hpp"
#include "support/temp_dir.hpp"
#include "test_recordings.hpp"

namespace insole::io {
namespace {

using test::TempDir;

// Sets INSOLE_HDF5_PATH for the guard's lifetime.
class PathEnv {
 public:
  explicit PathEnv(const char* value) {
    if (const char* old = std::getenv("INSOLE_HDF5_PATH")) old_ = old;
    if (value) ::setenv("INSOLE_HDF5_PATH", value, 1);
    else ::unsetenv("INSOLE_HDF5_PATH");
  }
  ~PathEnv() {
    if (old_.empty()) ::unsetenv("INSOLE_HDF5_PATH");
    else ::setenv("INSOLE_HDF5_PATH", old_.c_str(), 1);
  }

 private:
  std::string old_;
};

// Every frame of stream `s`, in blocks of `block` frames starting at `offset` (then from 0).
Result<FrameMatrix> read_all(const std::filesystem::path& file, std::size_t s, Eigen::Index block,
                             Eigen::Index offset = 0) {
  auto r = RecordingReader::open(file);
  if (!r) return r.error();
  const Eigen::Index n = r->frame_count(s);
  FrameMatrix all(n, r->streams()[s].layout.sensor_count());
  auto part = [&](Eigen::Index first, Eigen::Index count) -> Status {
    auto b = r->read_frames(s, first, count);
    if (!b) return b.error();
    all.middleRows(first, b->frame_count()) = b->pressure_kpa;
    return {};
  };
  if (offset > 0)
    if (auto st = part(offset, n - offset); !st) return st.error();
  for (Eigen::Index first = 0; first < std::min(n, offset > 0 ? offset : n); first += block)
    if (auto st = part(first, std::min(block, (offset > 0 ? offset : n) - first)); !st) return st.error();
  return all;
}

void expect_same_both_paths(const std::filesystem::path& file, std::size_t s = 0) {
  for (Eigen::Index block : {3, 8, 1000})
    for (Eigen::Index offset : {0, 5}) {
      Result<FrameMatrix> direct = read_all(file, s, block, offset);
      PathEnv lib("library");
      Result<FrameMatrix> library = read_all(file, s, block, offset);
      ASSERT_TRUE(direct.ok()) << direct.error().message;
      ASSERT_TRUE(library.ok()) << library.error().message;
      EXPECT_TRUE(test::same_bits(*direct, *library)) << file << " block " << block << " offset " << offset;
    }
}

// The plan the reader made for a dataset, by opening it the same way.
std::optional<chunk::Plan> plan_of(const std::filesystem::path& file, const char* dataset) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  h5::NumericDataset ds;
  ds.id = h5::Hid(H5Dopen2(f, dataset, H5P_DEFAULT));
  h5::Hid space(H5Dget_space(ds.id.get()));
  ds.dims.resize(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.get())));
  H5Sget_simple_extent_dims(space.get(), ds.dims.data(), nullptr);
  auto plan = chunk::plan_for(ds);
  ds.id.reset();
  H5Fclose(f);
  return plan;
}

TEST(ChunkReader, Fletcher32ByHand) {
  // Words are big-endian 16-bit: 0x0102, 0x0304. sum1 = 0x0102, then 0x0406; sum2 = 0x0102, then
  // 0x0508. Result sum2 << 16 | sum1.
  const unsigned char even[] = {0x01, 0x02, 0x03, 0x04};
  EXPECT_EQ(chunk::fletcher32(even, 4), 0x05080406u);
  // An odd last byte 0x03 is the word 0x0300: sum1 = 0x0102 + 0x0300 = 0x0402, sum2 = 0x0102 + 0x0402.
  EXPECT_EQ(chunk::fletcher32(even, 3), 0x05040402u);
  // Carries: two words 0xffff 0xffff. sum1 = 0xffff, 0x1fffe; sum2 = 0xffff, 0x2fffd. Folding:
  // sum1 = 0xfffe + 1 = 0xffff; sum2 = 0xfffd + 2 = 0xffff.
  const unsigned char ones[] = {0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(chunk::fletcher32(ones, 4), 0xffffffffu);
  EXPECT_EQ(chunk::fletcher32(ones, 0), 0u);
}

TEST(ChunkReader, UnshuffleByHand) {
  // Three 4-byte elements stored as 4 planes of 3 bytes.
  const unsigned char planes[] = {0xa0, 0xb0, 0xc0, 0xa1, 0xb1, 0xc1, 0xa2, 0xb2, 0xc2, 0xa3, 0xb3, 0xc3};
  unsigned char out[12] = {};
  chunk::unshuffle(planes, 3, 4, 0, 3, out);
  const unsigned char want[] = {0xa0, 0xa1, 0xa2, 0xa3, 0xb0, 0xb1, 0xb2, 0xb3, 0xc0, 0xc1, 0xc2, 0xc3};
  EXPECT_EQ(std::memcmp(out, want, 12), 0);
  unsigned char mid[4] = {};
  chunk::unshuffle(planes, 3, 4, 1, 1, mid);
  EXPECT_EQ(std::memcmp(mid, want + 4, 4), 0);
}

// libhdf5 computes the checksum it stores: chunks of assorted lengths (odd ones included, and
// long runs of 0xff that exercise the folding) through the fletcher32 filter alone.
TEST(ChunkReader, Fletcher32MatchesWhatLibhdf5Stores) {
  TempDir dir;
  const auto file = dir / "f32.h5";
  const hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  std::mt19937 rng(7);
  int checked = 0;
  for (hsize_t n : {1, 2, 3, 7, 359, 360, 361, 720, 721, 5001, 20000}) {
    for (int fill : {-1, 0xff}) {
      std::vector<unsigned char> data(n);
      for (auto& b : data) b = fill < 0 ? static_cast<unsigned char>(rng()) : static_cast<unsigned char>(fill);
      h5::Hid space(H5Screate_simple(1, &n, nullptr));
      h5::Hid dcpl(H5Pcreate(H5P_DATASET_CREATE));
      H5Pset_chunk(dcpl.get(), 1, &n);
      H5Pset_fletcher32(dcpl.get());
      const std::string name = "d" + std::to_string(n) + "_" + std::to_string(fill);
      h5::Hid ds(H5Dcreate2(f, name.c_str(), H5T_NATIVE_UCHAR, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
      ASSERT_GE(H5Dwrite(ds.get(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), 0);
      H5Dflush(ds.get());
      const hsize_t at = 0;
      hsize_t stored = 0;
      ASSERT_GE(H5Dget_chunk_storage_size(ds.get(), &at, &stored), 0);
      ASSERT_EQ(stored, n + 4);
      std::vector<unsigned char> raw(stored);
      std::uint32_t mask = 0;
      ASSERT_GE(H5Dread_chunk(ds.get(), H5P_DEFAULT, &at, &mask, raw.data()), 0);
      ASSERT_EQ(std::memcmp(raw.data(), data.data(), n), 0);
      // Stored little-endian after the data.
      const std::uint32_t want = std::uint32_t(raw[n]) | std::uint32_t(raw[n + 1]) << 8 |
                                 std::uint32_t(raw[n + 2]) << 16 | std::uint32_t(raw[n + 3]) << 24;
      EXPECT_EQ(chunk::fletcher32(data.data(), n), want) << name;
      ++checked;
    }
  }
  H5Fclose(f);
  EXPECT_EQ(checked, 22);
}

Recording grid_recording(int frames) {
  Recording rec;
  rec.meta.created_by = "chunk reader test";
  rec.streams.push_back(test::make_grid_stream("mat", 12, 10, frames, 100.0));
  rec.streams.push_back(test::make_sensor_stream("left", 8, frames, 100.0, true));
  return rec;
}

Status write_with(const std::filesystem::path& file, const Recording& rec, int chunk_frames, int level) {
  WriterOptions o;
  o.chunk_frames = chunk_frames;
  o.deflate_level = level;
  auto w = RecordingWriter::create(file, rec.meta, {rec.streams[0].info, rec.streams[1].info}, o);
  if (!w) return w.error();
  for (std::size_t s = 0; s < rec.streams.size(); ++s)
    for (Eigen::Index i = 0; i < rec.streams[s].frame_count(); ++i) {
      PressureFrame fr;
      fr.stream = s;
      fr.time_s = rec.streams[s].time_s[i];
      fr.pressure_kpa = rec.streams[s].pressure_kpa.row(i).transpose();
      if (auto st = w->append(fr); !st) return st;
    }
  return w->close();
}

TEST(ChunkReader, WriterFilesReadTheSameThroughBothPaths) {
  TempDir dir;
  const Recording rec = grid_recording(61);
  for (int chunk_frames : {1, 8, 64})
    for (int level : {0, 6}) {
      const auto file = dir / ("w" + std::to_string(chunk_frames) + "_" + std::to_string(level) + ".h5");
      ASSERT_TRUE(write_with(file, rec, chunk_frames, level).ok());
      ASSERT_TRUE(plan_of(file, "/streams/mat/pressure").has_value()) << file;
      expect_same_both_paths(file, 0);
      expect_same_both_paths(file, 1);
      // And both equal what was written.
      auto all = read_all(file, 0, 8);
      ASSERT_TRUE(all.ok());
      EXPECT_TRUE(test::same_bits(*all, rec.streams[0].pressure_kpa));
    }
}

// read_frames into storage handed back from an earlier block (what the analysis does, through
// FrameChunk::give_back): the same frames as fresh reads on both paths, the same memory reused
// while blocks keep their size, and a short last block still right.
TEST(ChunkReader, ReusedStorageGivesTheSameFramesInTheSameBlock) {
  TempDir dir;
  const Recording rec = grid_recording(61);
  const auto file = dir / "reuse.h5";
  ASSERT_TRUE(write_with(file, rec, 8, 4).ok());
  for (const char* path : {static_cast<const char*>(nullptr), "library"}) {
    PathEnv env(path);
    auto r = RecordingReader::open(file);
    ASSERT_TRUE(r.ok()) << r.error().message;
    FrameMatrix storage;
    const float* block_memory = nullptr;
    for (Eigen::Index first = 0; first < 61; first += 16) {
      auto b = r->read_frames(0, first, 16, &storage);
      ASSERT_TRUE(b.ok()) << b.error().message;
      EXPECT_EQ(storage.size(), 0) << "the storage was taken";
      const Eigen::Index n = std::min<Eigen::Index>(16, 61 - first);
      ASSERT_EQ(b->frame_count(), n);
      EXPECT_TRUE(test::same_bits(b->pressure_kpa, rec.streams[0].pressure_kpa.middleRows(first, n)))
          << (path ? path : "direct") << " from frame " << first;
      if (n == 16) {
        if (block_memory) {
          EXPECT_EQ(b->pressure_kpa.data(), block_memory) << "a new block at frame " << first;
        }
        block_memory = b->pressure_kpa.data();
      }
      storage = std::move(b->pressure_kpa);  // handed back, as the analysis does
    }
  }
}

// Replaces the pressure dataset of stream "mat" by one with the given creation properties and
// memory/file type, holding the same values.
void rewrite_pressure(const std::filesystem::path& file, const Recording& rec, hid_t dcpl, hid_t ftype) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  ASSERT_GE(H5Ldelete(f, "/streams/mat/pressure", H5P_DEFAULT), 0);
  const auto& p = rec.streams[0].pressure_kpa;
  const hsize_t dims[3] = {hsize_t(p.rows()), 12, 10};
  h5::Hid space(H5Screate_simple(3, dims, nullptr));
  h5::Hid ds(H5Dcreate2(f, "/streams/mat/pressure", ftype, space.get(), H5P_DEFAULT, dcpl, H5P_DEFAULT));
  ASSERT_TRUE(ds.valid());
  ASSERT_GE(H5Dwrite(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()), 0);
  ds.reset();
  H5Fclose(f);
}

TEST(ChunkReader, AnyOrderOfShuffleDeflateFletcherIsDecoded) {
  TempDir dir;
  const Recording rec = grid_recording(45);
  using Step = herr_t (*)(hid_t);
  const Step shuffle = [](hid_t p) { return H5Pset_shuffle(p); };
  const Step deflate = [](hid_t p) { return H5Pset_deflate(p, 5); };
  const Step fletcher = [](hid_t p) { return H5Pset_fletcher32(p); };
  const std::vector<std::vector<Step>> pipelines = {
      {}, {shuffle}, {deflate}, {fletcher}, {fletcher, shuffle, deflate}, {deflate, fletcher},
      {fletcher, deflate}, {shuffle, fletcher, deflate}, {deflate, shuffle}, {deflate, shuffle, fletcher}};
  int n = 0;
  for (const auto& pipeline : pipelines) {
    const auto file = dir / ("p" + std::to_string(n++) + ".h5");
    ASSERT_TRUE(write_recording(file, rec).ok());
    h5::Hid dcpl(H5Pcreate(H5P_DATASET_CREATE));
    const hsize_t chunk[3] = {7, 12, 10};
    H5Pset_chunk(dcpl.get(), 3, chunk);
    for (Step s : pipeline) s(dcpl.get());
    rewrite_pressure(file, rec, dcpl.get(), H5T_IEEE_F32LE);
    auto plan = plan_of(file, "/streams/mat/pressure");
    ASSERT_TRUE(plan.has_value()) << n;
    EXPECT_EQ(plan->filters.size(), pipeline.size());
    expect_same_both_paths(file);
    auto all = read_all(file, 0, 7);
    ASSERT_TRUE(all.ok()) << all.error().message;
    EXPECT_TRUE(test::same_bits(*all, rec.streams[0].pressure_kpa)) << n;
  }
}

TEST(ChunkReader, OtherLayoutsTypesAndFiltersUseTheLibrary) {
  TempDir dir;
  const Recording rec = grid_recording(30);
  struct Case {
    const char* name;
    hid_t ftype;
    void (*props)(hid_t);
  };
  const Case cases[] = {
      {"contiguous", H5T_IEEE_F32LE, [](hid_t) {}},
      {"float64", H5T_IEEE_F64LE,
       [](hid_t p) {
         const hsize_t c[3] = {8, 12, 10};
         H5Pset_chunk(p, 3, c);
         H5Pset_deflate(p, 4);
       }},
      {"big-endian", H5T_IEEE_F32BE,
       [](hid_t p) {
         const hsize_t c[3] = {8, 12, 10};
         H5Pset_chunk(p, 3, c);
         H5Pset_shuffle(p);
         H5Pset_deflate(p, 4);
       }},
      {"chunks split frames", H5T_IEEE_F32LE,
       [](hid_t p) {
         const hsize_t c[3] = {8, 6, 10};
         H5Pset_chunk(p, 3, c);
         H5Pset_deflate(p, 4);
       }},
      {"n-bit", H5T_IEEE_F32LE,
       [](hid_t p) {
         const hsize_t c[3] = {8, 12, 10};
         H5Pset_chunk(p, 3, c);
         H5Pset_nbit(p);
       }},
      {"scale-offset", H5T_IEEE_F32LE,
       [](hid_t p) {
         const hsize_t c[3] = {8, 12, 10};
         H5Pset_chunk(p, 3, c);
         H5Pset_scaleoffset(p, H5Z_SO_FLOAT_DSCALE, 3);
       }},
  };
  for (const Case& c : cases) {
    const auto file = dir / (std::string(c.name) + ".h5");
    ASSERT_TRUE(write_recording(file, rec).ok());
    h5::Hid dcpl(H5Pcreate(H5P_DATASET_CREATE));
    c.props(dcpl.get());
    rewrite_pressure(file, rec, dcpl.get(), c.ftype);
    EXPECT_FALSE(plan_of(file, "/streams/mat/pressure").has_value()) << c.name;
    expect_same_both_paths(file);
    auto all = read_all(file, 0, 8);
    ASSERT_TRUE(all.ok()) << c.name << ": " << all.error().message;
    if (std::string(c.name) != "scale-offset") {  // lossy (3 decimals): only the same on both paths
      EXPECT_TRUE(test::same_bits(*all, rec.streams[0].pressure_kpa)) << c.name;
    }
  }
}

bool have_h5py() { return std::system("/usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1") == 0; }

TEST(ChunkReader, H5pyFilesDirectOrFallbackGiveTheSameFrames) {
  if (!have_h5py()) GTEST_SKIP() << "/usr/bin/python3 with h5py and numpy is not available";
  TempDir dir;
  struct Case {
    const char* chunks;
    const char* filters;
    bool direct;
  };
  const Case cases[] = {{"frames", "gzip,shuffle,fletcher32", true}, {"frames", "gzip", true},
                        {"frames", "none", true},                    {"auto", "gzip,shuffle,fletcher32", false},
                        {"frames", "lzf", false},                    {"frames", "scaleoffset", false}};
  int n = 0;
  for (const Case& c : cases) {
    const auto file = dir / ("h" + std::to_string(n++) + ".h5");
    const std::string cmd = std::string("/usr/bin/python3 ") + INSOLE_SOURCE_DIR + "/tests/io/write_chunked_h5py.py '" +
                            file.string() + "' " + c.chunks + " " + c.filters;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    if (std::string(c.filters) == "lzf" && H5Zfilter_avail(32000) <= 0) {
      // Without h5py's LZF plugin libhdf5 cannot read it either: a clear error on both paths.
      auto r = read_all(file, 0, 8);
      EXPECT_FALSE(r.ok());
      continue;
    }
    EXPECT_EQ(plan_of(file, "/streams/mat/pressure").has_value(), c.direct) << c.chunks << " " << c.filters;
    expect_same_both_paths(file);
  }
}

// Damage to one chunk of a file the writer made (chunks of 8 frames: shuffle, deflate level 4,
// fletcher32), written back raw with H5Dwrite_chunk so only that chunk changes.
class DamagedChunk : public ::testing::Test {
 protected:
  void SetUp() override {
    rec_ = grid_recording(40);
    ASSERT_TRUE(write_with(file_, rec_, 8, 4).ok());
    const hid_t f = H5Fopen(file_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    h5::Hid ds(H5Dopen2(f, "/streams/mat/pressure", H5P_DEFAULT));
    const hsize_t at[3] = {16, 0, 0};  // chunk 2
    hsize_t n = 0;
    H5Dget_chunk_storage_size(ds.get(), at, &n);
    raw_.resize(n);
    std::uint32_t mask = 0;
    ASSERT_GE(H5Dread_chunk(ds.get(), H5P_DEFAULT, at, &mask, raw_.data()), 0);
    ds.reset();
    H5Fclose(f);
  }
  void put(const std::vector<unsigned char>& bytes, std::uint32_t mask = 0) {
    const hid_t f = H5Fopen(file_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    h5::Hid ds(H5Dopen2(f, "/streams/mat/pressure", H5P_DEFAULT));
    const hsize_t at[3] = {16, 0, 0};
    ASSERT_GE(H5Dwrite_chunk(ds.get(), H5P_DEFAULT, mask, at, bytes.size(), bytes.data()), 0);
    ds.reset();
    H5Fclose(f);
  }
  static std::vector<unsigned char> with_checksum(std::vector<unsigned char> b) {
    const std::uint32_t s = chunk::fletcher32(b.data(), b.size());
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<unsigned char>(s >> (8 * i)));
    return b;
  }
  void expect_error(const std::string& what) {
    auto r = RecordingReader::open(file_);
    ASSERT_TRUE(r.ok());
    // Frames before the chunk read fine; the block holding it fails with a clear error.
    auto good = r->read_frames(0, 0, 16);
    ASSERT_TRUE(good.ok()) << good.error().message;
    EXPECT_TRUE(test::same_bits(good->pressure_kpa, rec_.streams[0].pressure_kpa.topRows(16)));
    auto bad = r->read_frames(0, 0, 40);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, Errc::format_error);
    EXPECT_NE(bad.error().message.find("/streams/mat/pressure: chunk 2 (frames 16..23)"), std::string::npos)
        << bad.error().message;
    EXPECT_NE(bad.error().message.find(what), std::string::npos) << bad.error().message;
    EXPECT_EQ(bad.error().message.rfind(file_.string(), 0), 0u) << bad.error().message;
  }
  TempDir dir_;
  std::filesystem::path file_ = dir_ / "damaged.h5";
  Recording rec_;
  std::vector<unsigned char> raw_;
};

TEST_F(DamagedChunk, FlippedByteFailsTheChecksum) {
  auto b = raw_;
  b[b.size() / 2] ^= 0x10;
  put(b);
  expect_error("Fletcher-32");
}

TEST_F(DamagedChunk, WrongChecksum) {
  auto b = raw_;
  b[b.size() - 1] ^= 0x01;
  put(b);
  expect_error("Fletcher-32");
}

TEST_F(DamagedChunk, SwappedChecksumOfOldReleasesIsAccepted) {
  // HDF5 before 1.6.3 stored the checksum with the bytes of each 16-bit half swapped; HDF5 still
  // reads those, and so does the direct path.
  auto b = raw_;
  std::swap(b[b.size() - 4], b[b.size() - 3]);
  std::swap(b[b.size() - 2], b[b.size() - 1]);
  put(b);
  auto all = read_all(file_, 0, 8);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_TRUE(test::same_bits(*all, rec_.streams[0].pressure_kpa));
}

TEST_F(DamagedChunk, GarbageThatIsNotDeflateData) {
  std::vector<unsigned char> garbage(300);
  std::mt19937 rng(3);
  for (auto& x : garbage) x = static_cast<unsigned char>(rng());
  put(with_checksum(garbage));
  expect_error("not valid deflate");
}

TEST_F(DamagedChunk, TruncatedDeflateStream) {
  std::vector<unsigned char> cut(raw_.begin(), raw_.begin() + static_cast<long>(raw_.size() / 2));
  put(with_checksum(cut));
  expect_error("deflate");
}

TEST_F(DamagedChunk, ValidStreamOfTheWrongLength) {
  // A zlib stream (stored blocks, RFC 1950/1951) of 10 zero bytes in place of the chunk's 3840:
  // header 78 01; final stored block, LEN 10, NLEN ~10; data; Adler-32 of ten zeros = 0x000a0001.
  std::vector<unsigned char> z = {0x78, 0x01, 0x01, 0x0a, 0x00, 0xf5, 0xff};
  z.insert(z.end(), 10, 0);
  for (unsigned char c : {0x00, 0x0a, 0x00, 0x01}) z.push_back(c);
  put(with_checksum(z));
  expect_error("inflates to 10 bytes, expected 3840");
}

TEST_F(DamagedChunk, FilterMaskSkippingDeflateIsReadByTheLibrary) {
  // A chunk HDF5 stored without compression (mask bit 1: the deflate filter, second in the
  // pipeline, was skipped): shuffled bytes plus the checksum. The library decodes it.
  const auto& p = rec_.streams[0].pressure_kpa;
  const std::size_t n = 8 * 120;
  std::vector<unsigned char> plain(4 * n), shuffled(4 * n);
  std::memcpy(plain.data(), p.data() + 16 * 120, 4 * n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t b = 0; b < 4; ++b) shuffled[b * n + i] = plain[4 * i + b];
  put(with_checksum(shuffled), 0x2);
  expect_same_both_paths(file_);
  auto all = read_all(file_, 0, 8);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_TRUE(test::same_bits(*all, rec_.streams[0].pressure_kpa));
}

}  // namespace
}  // namespace insole::io
