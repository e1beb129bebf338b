// Round trip and validation of the HDF5 recording format v1 (docs/format.md).

#include "insole/io/hdf5_recording.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>

#include "io/hdf5_edit.hpp"
#include "io/test_recordings.hpp"
#include "support/temp_dir.hpp"

namespace insole::io {
namespace {

using test::TempDir;

void expect_same(const Recording& a, const Recording& b) {
  EXPECT_EQ(a.meta.subject, b.meta.subject);
  EXPECT_EQ(a.meta.body_mass_kg, b.meta.body_mass_kg);
  EXPECT_EQ(a.meta.mode, b.meta.mode);
  EXPECT_EQ(a.meta.created_by, b.meta.created_by);
  EXPECT_EQ(a.meta.attributes, b.meta.attributes);
  ASSERT_EQ(a.streams.size(), b.streams.size());
  for (std::size_t i = 0; i < a.streams.size(); ++i) {
    const Stream& x = a.streams[i];
    const Stream& y = b.streams[i];
    EXPECT_EQ(x.info.name, y.info.name);
    EXPECT_TRUE(x.info.layout == y.info.layout) << x.info.name;
    EXPECT_EQ(x.info.layout.has_geometry(), y.info.layout.has_geometry());
    EXPECT_EQ(x.info.side, y.info.side);
    EXPECT_EQ(x.info.sample_rate_hz, y.info.sample_rate_hz);
    EXPECT_EQ(x.info.device, y.info.device);
    EXPECT_EQ(x.info.attributes, y.info.attributes);
    ASSERT_EQ(x.time_s.size(), y.time_s.size());
    EXPECT_EQ(0, std::memcmp(x.time_s.data(), y.time_s.data(), sizeof(double) * std::size_t(x.time_s.size())));
    EXPECT_TRUE(test::same_bits(x.pressure_kpa, y.pressure_kpa)) << x.info.name;
  }
  ASSERT_EQ(a.events.size(), b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].time_s, b.events[i].time_s);
    EXPECT_EQ(a.events[i].stream, b.events[i].stream);
    EXPECT_EQ(a.events[i].kind, b.events[i].kind);
    EXPECT_EQ(a.events[i].detail, b.events[i].detail);
  }
}

TEST(Hdf5Recording, RoundTripIsBitExact) {
  TempDir dir;
  const Recording rec = test::make_recording();
  { auto wst = write_recording(dir / "r.h5", rec); ASSERT_TRUE(wst.ok()) << wst.error().message; }
  auto back = read_recording(dir / "r.h5");
  ASSERT_TRUE(back.ok()) << back.error().message;
  expect_same(rec, *back);
  // Streams keep their order (creation order), not alphabetical order.
  EXPECT_EQ(back->streams[0].info.name, "mat");
  EXPECT_EQ(back->streams[2].info.name, "anonymous");
  EXPECT_FALSE(back->streams[2].info.layout.has_geometry());
  EXPECT_FALSE(back->streams[0].info.layout.present()[0]);
  EXPECT_TRUE(std::isnan(back->streams[0].pressure_kpa(0, 0)));
}

TEST(Hdf5Recording, MinimalMetadataAndEmptyStreamRoundTrip) {
  TempDir dir;
  Recording rec;
  rec.streams.push_back(test::make_grid_stream("mat", 2, 3, 0, 100.0));
  rec.streams[0].info.attributes.clear();
  { auto wst = write_recording(dir / "r.h5", rec); ASSERT_TRUE(wst.ok()) << wst.error().message; }
  auto back = read_recording(dir / "r.h5");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->streams[0].frame_count(), 0);
  EXPECT_FALSE(back->meta.body_mass_kg.has_value());
  EXPECT_TRUE(back->events.empty());
}

TEST(Hdf5Recording, WriteReplacesAtomicallyAndRefusesInvalidRecordings) {
  TempDir dir;
  const auto target = dir / "r.h5";
  { std::ofstream(target) << "precious"; }
  Recording bad = test::make_recording();
  bad.streams[1].time_s[3] = bad.streams[1].time_s[2];  // not strictly increasing
  auto st = write_recording(target, bad);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::invalid_argument);
  std::string content;
  std::getline(std::ifstream(target), content);
  EXPECT_EQ(content, "precious");
  ASSERT_TRUE(write_recording(target, test::make_recording()).ok());
  EXPECT_TRUE(read_recording(target).ok());
  // No temporary files are left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST(Hdf5Recording, ReaderStreamsInBlocks) {
  TempDir dir;
  Recording rec;
  rec.streams.push_back(test::make_grid_stream("mat", 64, 64, 100, 100.0));
  { auto wst = write_recording(dir / "r.h5", rec); ASSERT_TRUE(wst.ok()) << wst.error().message; }
  auto r = RecordingReader::open(dir / "r.h5");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->frame_count(0), 100);
  EXPECT_EQ(r->chunk_frames(0), 16);  // 256 KiB / (64*64*4 B) frames per chunk
  EXPECT_FALSE(r->interrupted());
  EXPECT_FALSE(r->has_sequence(0));
  for (Eigen::Index first = 0; first < 100; first += 16) {
    auto block = r->read_frames(0, first, 16);
    ASSERT_TRUE(block.ok()) << block.error().message;
    const Eigen::Index n = std::min<Eigen::Index>(16, 100 - first);
    ASSERT_EQ(block->frame_count(), n);
    EXPECT_TRUE(test::same_bits(block->pressure_kpa, rec.streams[0].pressure_kpa.middleRows(first, n)));
    EXPECT_EQ(block->time_s[0], rec.streams[0].time_s[first]);
  }
  auto seq = r->read_sequence(0, 98, 10);
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, (std::vector<std::uint64_t>{98, 99}));
  EXPECT_FALSE(r->read_frames(0, 101, 1).ok());
  EXPECT_EQ(r->read_frames(0, 100, 5)->frame_count(), 0);
}

// Frames per read, by hand: a 64 x 64 frame is 16384 B and a chunk holds 16 of them.
TEST(Hdf5Recording, BlockFramesAreWholeChunksSizedInBytes) {
  TempDir dir;
  Recording rec;
  rec.streams.push_back(test::make_grid_stream("mat", 64, 64, 20, 100.0));
  { auto wst = write_recording(dir / "r.h5", rec); ASSERT_TRUE(wst.ok()) << wst.error().message; }
  auto r = RecordingReader::open(dir / "r.h5");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->chunk_frames(0), 16);
  constexpr std::int64_t MiB = 1 << 20;
  // The analysis' sizes: 4 MiB = 256 frames (16 chunks), under the 8 MiB cap.
  EXPECT_EQ(r->block_frames(0, 4 * MiB, 1, 8 * MiB), 256);
  // 100 000 B want 7 frames (6.1 rounded up): one chunk.
  EXPECT_EQ(r->block_frames(0, 100000, 1, 8 * MiB), 16);
  // 40 frames at least: three chunks.
  EXPECT_EQ(r->block_frames(0, 0, 40, 8 * MiB), 48);
  // Cut back to whole chunks within 1 MiB (64 frames), and never below one chunk.
  EXPECT_EQ(r->block_frames(0, 4 * MiB, 1, MiB), 64);
  EXPECT_EQ(r->block_frames(0, 4 * MiB, 1, 1000), 16);
  EXPECT_EQ(r->block_frames(0, 0, 0, 0), 16);
  // "All" from a caller: no overflow, capped by max_bytes (whole chunks).
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(r->block_frames(0, kMax, kMax, kMax), kMax / 16384 / 16 * 16);
  EXPECT_EQ(r->block_frames(0, -5, -5, 8 * MiB), 16);
}

// ---- malformed files ----------------------------------------------------------------------

class Malformed : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(write_recording(path(), test::make_recording()).ok()); }
  std::filesystem::path path() const { return dir_ / "r.h5"; }

  // Edits the good file with the HDF5 C API.
  void mutate(const std::function<void(hid_t)>& edit) { test::edit_h5(path(), edit); }

  void expect_error(const std::string& needle, Errc code = Errc::format_error) {
    testing::internal::CaptureStderr();
    auto r = read_recording(path());
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(err, "") << "HDF5 printed to stderr";
    ASSERT_FALSE(r.ok()) << "expected an error mentioning " << needle;
    EXPECT_EQ(r.error().code, code) << r.error().message;
    EXPECT_NE(r.error().message.find(path().string()), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  }

  TempDir dir_;
};

using test::delete_attr;
using test::replace_dataset;
using test::set_int_attr;
using test::set_string_attr;

TEST_F(Malformed, NoSuchFileIsNotFound) {
  std::filesystem::remove(path());
  auto r = read_recording(path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::not_found);
}

TEST_F(Malformed, ZeroByteFile) {
  std::filesystem::resize_file(path(), 0);
  expect_error("empty file");
}

TEST_F(Malformed, TextFile) {
  std::ofstream(path(), std::ios::trunc) << "time,pressure\n0,1\n";
  expect_error("not an HDF5 file");
}

TEST_F(Malformed, TruncatedFileAtManyLengths) {
  const auto full = std::filesystem::file_size(path());
  std::ifstream in(path(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  // Every cut must give an error (never a crash, never stderr noise).
  for (std::size_t cut : {std::size_t(3), std::size_t(8), std::size_t(100), std::size_t(700), full / 4, full / 2,
                          full - 200, full - 1}) {
    std::ofstream(path(), std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(cut));
    testing::internal::CaptureStderr();
    auto r = read_recording(path());
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_EQ(r.error().code, Errc::format_error) << r.error().message;
  }
}

TEST_F(Malformed, CorruptedBytesNeverCrash) {
  std::ifstream in(path(), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::mt19937 gen(7);
  int failures = 0;
  for (int round = 0; round < 40; ++round) {
    std::string copy = bytes;
    for (int k = 0; k < 8; ++k) copy[gen() % copy.size()] = char(gen());
    std::ofstream(path(), std::ios::binary | std::ios::trunc) << copy;
    testing::internal::CaptureStderr();
    auto r = read_recording(path());
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    if (!r.ok()) {
      ++failures;
      EXPECT_TRUE(r.error().code == Errc::format_error || r.error().code == Errc::unsupported) << r.error().message;
    }
  }
  EXPECT_GT(failures, 0);
}

TEST_F(Malformed, NotAnInsoleFile) {
  mutate([](hid_t f) { delete_attr(f, "/", "format"); });
  expect_error("not an insole recording");
}

TEST_F(Malformed, WrongFormatName) {
  mutate([](hid_t f) { set_string_attr(f, "format", "other"); });
  expect_error("expected \"insole\"");
}

TEST_F(Malformed, FormatVersion2) {
  mutate([](hid_t f) { set_int_attr(f, "format_version", 2); });
  expect_error("format_version 2 is not supported");
}

TEST_F(Malformed, MissingStreams) {
  mutate([](hid_t f) { H5Ldelete(f, "streams", H5P_DEFAULT); });
  expect_error("/streams: missing group");
}

TEST_F(Malformed, MissingStreamAttribute) {
  for (const char* attr : {"kind", "side", "units", "sample_rate_hz", "device", "pitch_mm"}) {
    SetUp();
    mutate([&](hid_t f) { delete_attr(f, "/streams/mat", attr); });
    expect_error("/streams/mat: missing attribute '" + std::string(attr) + "'");
  }
}

TEST_F(Malformed, BadAttributeValues) {
  mutate([](hid_t f) {
    const hid_t g = H5Gopen2(f, "/streams/left", H5P_DEFAULT);
    set_string_attr(g, "units", "N/cm2");
    H5Gclose(g);
  });
  expect_error("expected \"kPa\"");
  SetUp();
  mutate([](hid_t f) {
    const hid_t g = H5Gopen2(f, "/streams/left", H5P_DEFAULT);
    set_string_attr(g, "side", "middle");
    H5Gclose(g);
  });
  expect_error("attribute 'side'");
  SetUp();
  mutate([](hid_t f) {
    const hid_t g = H5Gopen2(f, "/streams/left", H5P_DEFAULT);
    set_int_attr(g, "kind", 3);
    H5Gclose(g);
  });
  expect_error("attribute 'kind' must be a string, found integer");
}

TEST_F(Malformed, MissingDatasets) {
  for (const char* ds : {"/streams/mat/time_s", "/streams/mat/pressure", "/streams/left/sensor_xy_mm",
                         "/streams/left/sensor_area_mm2"}) {
    SetUp();
    mutate([&](hid_t f) { H5Ldelete(f, ds, H5P_DEFAULT); });
    expect_error(std::string(ds) + ": missing dataset");
  }
}

TEST_F(Malformed, WrongRank) {
  mutate([](hid_t f) { replace_dataset(f, "/streams/mat/pressure", H5T_NATIVE_FLOAT, {40, 24}, nullptr); });
  expect_error("/streams/mat/pressure: expected rank 3 [frames, rows, cols]");
  SetUp();
  mutate([](hid_t f) { replace_dataset(f, "/streams/left/pressure", H5T_NATIVE_FLOAT, {33, 8, 1}, nullptr); });
  expect_error("/streams/left/pressure: expected rank 2 [frames, sensors]");
  SetUp();
  mutate([](hid_t f) { replace_dataset(f, "/streams/left/time_s", H5T_NATIVE_DOUBLE, {33, 1}, nullptr); });
  expect_error("/streams/left/time_s: expected rank 1");
}

TEST_F(Malformed, WrongDtype) {
  mutate([](hid_t f) {
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 4);
    replace_dataset(f, "/streams/left/time_s", t, {33}, nullptr);
    H5Tclose(t);
  });
  expect_error("/streams/left/time_s: expected a numeric (float or integer) dataset, found string");
}

TEST_F(Malformed, IntegerPressureIsAcceptedAndConverted) {
  // Documented: any integer or float type is converted (e.g. raw ADC-like kPa in uint16).
  std::vector<std::uint16_t> p(33 * 8, 7);
  mutate([&](hid_t f) { replace_dataset(f, "/streams/left/pressure", H5T_NATIVE_UINT16, {33, 8}, p.data()); });
  auto r = read_recording(path());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->streams[1].pressure_kpa(5, 5), 7.0f);
}

TEST_F(Malformed, MismatchedLengths) {
  std::vector<double> t(32);
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = double(i);
  mutate([&](hid_t f) { replace_dataset(f, "/streams/left/time_s", H5T_NATIVE_DOUBLE, {32}, t.data()); });
  expect_error("/streams/left: time_s has 32 frames but pressure has 33");
  SetUp();
  std::vector<float> xy(7 * 2, 1.0f);
  mutate([&](hid_t f) { replace_dataset(f, "/streams/left/sensor_xy_mm", H5T_NATIVE_FLOAT, {7, 2}, xy.data()); });
  expect_error("/streams/left/sensor_xy_mm: expected shape [8, 2]");
}

TEST_F(Malformed, NonIncreasingAndNanTime) {
  std::vector<double> t(33);
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = 0.02 * double(i);
  t[10] = t[9];
  mutate([&](hid_t f) { replace_dataset(f, "/streams/left/time_s", H5T_NATIVE_DOUBLE, {33}, t.data()); });
  expect_error("/streams/left/time_s: time_s must be strictly increasing, but time_s[10]");
  SetUp();
  t[10] = std::numeric_limits<double>::quiet_NaN();
  mutate([&](hid_t f) { replace_dataset(f, "/streams/left/time_s", H5T_NATIVE_DOUBLE, {33}, t.data()); });
  expect_error("time_s[10] is not a finite number");
}

TEST_F(Malformed, BadGeometryAndPitch) {
  mutate([](hid_t f) {
    const hid_t g = H5Gopen2(f, "/streams/mat", H5P_DEFAULT);
    H5Adelete(g, "pitch_mm");
    const double v[3] = {1, 2, 3};
    const hsize_t n = 3;
    const hid_t sp = H5Screate_simple(1, &n, nullptr);
    const hid_t a = H5Acreate2(g, "pitch_mm", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, v);
    H5Aclose(a);
    H5Sclose(sp);
    H5Gclose(g);
  });
  expect_error("'pitch_mm' must hold 2 numbers");
  SetUp();
  std::vector<float> area(8, -1.0f);
  mutate([&](hid_t f) { replace_dataset(f, "/streams/left/sensor_area_mm2", H5T_NATIVE_FLOAT, {8}, area.data()); });
  expect_error("/streams/left: sensor 0 has a non-positive or non-finite area");
}

TEST_F(Malformed, EmptyStreamsGroupAndStrayDataset) {
  mutate([](hid_t f) {
    H5Ldelete(f, "/streams/mat", H5P_DEFAULT);
    H5Ldelete(f, "/streams/left", H5P_DEFAULT);
    H5Ldelete(f, "/streams/anonymous", H5P_DEFAULT);
  });
  expect_error("holds no stream");
  SetUp();
  mutate([](hid_t f) { replace_dataset(f, "/streams/stray", H5T_NATIVE_FLOAT, {3}, nullptr); });
  expect_error("/streams/stray: expected a group");
}

TEST_F(Malformed, BadEventsAndSubject) {
  mutate([](hid_t f) { H5Ldelete(f, "/events/kind", H5P_DEFAULT); });
  expect_error("/events/kind: missing dataset");
  SetUp();
  mutate([](hid_t f) {
    const hid_t g = H5Gopen2(f, "/subject", H5P_DEFAULT);
    set_int_attr(g, "body_mass_kg", -3);
    H5Gclose(g);
  });
  expect_error("/subject: attribute 'body_mass_kg'");
}

TEST_F(Malformed, FrameCountBeyondData) {
  mutate([](hid_t f) {
    const hid_t g = H5Gopen2(f, "/streams/left", H5P_DEFAULT);
    set_int_attr(g, "frame_count", 34);
    H5Gclose(g);
  });
  expect_error("/streams/left: attribute 'frame_count'");
}

TEST_F(Malformed, HugeClaimedExtentIsRefusedNotAllocated) {
  // A chunked dataset may claim far more frames than the file holds (unwritten chunks read as the
  // fill value); read_recording must refuse rather than try to allocate it.
  mutate([](hid_t f) {
    H5Ldelete(f, "/streams/mat/pressure", H5P_DEFAULT);
    H5Ldelete(f, "/streams/mat/time_s", H5P_DEFAULT);
    const hsize_t dims[3] = {hsize_t(1) << 40, 6, 4}, chunk[3] = {16, 6, 4};
    const hid_t sp = H5Screate_simple(3, dims, nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 3, chunk);
    H5Dclose(H5Dcreate2(f, "/streams/mat/pressure", H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    const hid_t sp1 = H5Screate_simple(1, dims, nullptr);
    H5Pset_chunk(dcpl, 1, chunk);
    H5Dclose(H5Dcreate2(f, "/streams/mat/time_s", H5T_IEEE_F64LE, sp1, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    H5Pclose(dcpl);
    H5Sclose(sp);
    H5Sclose(sp1);
  });
  // Refused when the file is opened (so by info, analyze, batch and playback alike), before any
  // frame is allocated: 2^40 frames claimed, none stored.
  auto r = RecordingReader::open(path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::format_error);
  EXPECT_NE(r.error().message.find("/streams/mat/time_s: claims 1099511627776 rows"), std::string::npos)
      << r.error().message;
  expect_error("but the file stores only 0 bytes of it");
}

TEST_F(Malformed, BillionsOfSenselsAreRefusedBeforeAllocation) {
  // 65536 x 65536 sensels per frame (4.3e9), one frame: HDF5 would happily describe it.
  mutate([](hid_t f) {
    H5Ldelete(f, "/streams/mat/pressure", H5P_DEFAULT);
    const hsize_t dims[3] = {40, 65536, 65536}, chunk[3] = {1, 64, 64};
    const hid_t sp = H5Screate_simple(3, dims, nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 3, chunk);
    H5Dclose(H5Dcreate2(f, "/streams/mat/pressure", H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    H5Pclose(dcpl);
    H5Sclose(sp);
  });
  expect_error("/streams/mat/pressure: grid of 65536 x 65536 sensels is empty or larger than this toolkit reads");
}

TEST_F(Malformed, HugeChunksAreRefused) {
  // One chunk of 40 x 4096 x 4096 float32 (2.7 GB): HDF5 allocates whole chunks to read a row.
  mutate([](hid_t f) {
    H5Ldelete(f, "/streams/mat/pressure", H5P_DEFAULT);
    const hsize_t dims[3] = {40, 6, 4}, maxdims[3] = {H5S_UNLIMITED, 4096, 4096}, chunk[3] = {40, 4096, 4096};
    const hid_t sp = H5Screate_simple(3, dims, maxdims);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 3, chunk);
    H5Dclose(H5Dcreate2(f, "/streams/mat/pressure", H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    H5Pclose(dcpl);
    H5Sclose(sp);
  });
  expect_error("/streams/mat/pressure: chunks of 2684354560 bytes are larger than this toolkit reads");
}

TEST_F(Malformed, ExternalLinksAndExternalStorageAreNotFollowed) {
  // A stream that is an external link would make HDF5 open any file the link names.
  mutate([](hid_t f) {
    H5Ldelete(f, "/streams/anonymous", H5P_DEFAULT);
    H5Lcreate_external("/etc/passwd", "/", f, "/streams/anonymous", H5P_DEFAULT, H5P_DEFAULT);
  });
  expect_error("/streams/anonymous: expected a group (one per stream), found another kind of object");
  ASSERT_TRUE(write_recording(path(), test::make_recording()).ok());
  // A dataset whose bytes live in another file (here /etc/hostname) must not be read.
  mutate([](hid_t f) {
    H5Ldelete(f, "/streams/left/time_s", H5P_DEFAULT);
    const hsize_t n = 33;
    const hid_t sp = H5Screate_simple(1, &n, nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_external(dcpl, "/etc/hostname", 0, n * 8);
    H5Dclose(H5Dcreate2(f, "/streams/left/time_s", H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    H5Pclose(dcpl);
    H5Sclose(sp);
  });
  expect_error("/streams/left/time_s: keeps its data in external files");
}

TEST_F(Malformed, OpenFromMemoryGivesTheSameResultAsFromDisk) {
  std::ifstream in(path(), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  auto from_disk = RecordingReader::open(path());
  auto from_memory = RecordingReader::open_image("memory.h5", bytes);
  ASSERT_TRUE(from_disk.ok() && from_memory.ok());
  ASSERT_EQ(from_memory->streams().size(), from_disk->streams().size());
  for (std::size_t i = 0; i < from_disk->streams().size(); ++i) {
    auto a = from_disk->read_frames(i, 0, from_disk->frame_count(i));
    auto b = from_memory->read_frames(i, 0, from_memory->frame_count(i));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_TRUE(test::same_bits(a->pressure_kpa, b->pressure_kpa));
    EXPECT_EQ(a->time_s, b->time_s);
  }
  EXPECT_EQ(from_memory->events().size(), from_disk->events().size());
  // Bad images: named, format_error, nothing read from disk under that name.
  for (const std::string& bad : {std::string(), std::string("text"), bytes.substr(0, 100)}) {
    auto r = RecordingReader::open_image(path().string(), bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::format_error);
    EXPECT_EQ(r.error().message.rfind(path().string() + ": ", 0), 0u) << r.error().message;
  }
}

// The optional per-stream group "vendor" (docs/format.md): a maker's total force and COP, one row
// per frame, as a Moticon import keeps them.
Recording with_vendor_channels() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Recording rec;
  Stream s;
  s.info.name = "left";
  s.info.side = Side::left;
  s.info.sample_rate_hz = 100.0;
  s.info.layout = SensorLayout::sensors(Eigen::MatrixX2d::Constant(4, 2, nan), Eigen::VectorXd::Constant(4, nan)).value();
  VendorChannels v;
  v.total_force_n.resize(10);
  v.cop_normalised.resize(10, 2);
  for (int f = 0; f < 10; ++f) {
    s.append(0.01 * f, Eigen::VectorXf::Constant(4, float(f)));
    v.total_force_n[f] = f == 3 ? nan : 100.0 * f + 0.25;  // a blank field stays NaN
    v.cop_normalised(f, 0) = -0.1 * f;                      // across
    v.cop_normalised(f, 1) = 0.03125 * f - 0.3;             // along
  }
  s.vendor = v;
  rec.streams.push_back(std::move(s));
  return rec;
}

TEST(Hdf5Vendor, RoundTripIsBitExactAndOlderFilesHaveNone) {
  TempDir dir;
  const Recording rec = with_vendor_channels();
  ASSERT_TRUE(write_recording(dir / "v.h5", rec));
  auto back = read_recording(dir / "v.h5");
  ASSERT_TRUE(back) << back.error().message;
  expect_same(rec, *back);
  ASSERT_TRUE(back->streams[0].vendor);
  const VendorChannels& a = *rec.streams[0].vendor;
  const VendorChannels& b = *back->streams[0].vendor;
  ASSERT_EQ(b.total_force_n.size(), 10);
  ASSERT_EQ(b.cop_normalised.rows(), 10);
  EXPECT_EQ(0, std::memcmp(a.total_force_n.data(), b.total_force_n.data(), 10 * sizeof(double)));
  EXPECT_EQ(a.cop_normalised, b.cop_normalised);  // column order (across, along) kept
  EXPECT_TRUE(std::isnan(b.total_force_n[3]));
  // The streaming reader says so too; a stream without the group has none.
  {
    auto reader = RecordingReader::open(dir / "v.h5");
    ASSERT_TRUE(reader);
    EXPECT_TRUE(reader->has_vendor_channels(0));
  }  // closed before the file is edited below
  const Recording plain = test::make_recording();
  ASSERT_TRUE(write_recording(dir / "plain.h5", plain));
  auto old = RecordingReader::open(dir / "plain.h5");
  ASSERT_TRUE(old);
  for (std::size_t i = 0; i < old->streams().size(); ++i) {
    EXPECT_FALSE(old->has_vendor_channels(i));
    auto none = old->read_vendor_channels(i);
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
  }
  auto plain_back = read_recording(dir / "plain.h5");
  ASSERT_TRUE(plain_back);
  for (const auto& st : plain_back->streams) EXPECT_FALSE(st.vendor);
  // Without the optional units attribute (a file written by another tool) the group still reads.
  test::edit_h5(dir / "v.h5", [](hid_t f) { delete_attr(f, "/streams/left/vendor/total_force_n", "units"); });
  EXPECT_TRUE(read_recording(dir / "v.h5"));
}

TEST(Hdf5Vendor, DamagedGroupIsAFormatErrorNamingTheObject) {
  TempDir dir;
  const auto path = dir / "v.h5";
  struct Case {
    std::function<void(hid_t)> edit;
    std::string needle;
  };
  const std::vector<double> five(5, 1.0), thirty(30, 0.0);
  const std::vector<Case> cases = {
      {[](hid_t f) { H5Ldelete(f, "/streams/left/vendor/cop_normalised", H5P_DEFAULT); },
       "/streams/left/vendor: expected the datasets total_force_n and cop_normalised, 'cop_normalised' is missing"},
      {[&](hid_t f) { replace_dataset(f, "/streams/left/vendor/total_force_n", H5T_NATIVE_DOUBLE, {5}, five.data()); },
       "/streams/left/vendor/total_force_n: expected rank 1 with one value per frame (10)"},
      {[&](hid_t f) {
         replace_dataset(f, "/streams/left/vendor/cop_normalised", H5T_NATIVE_DOUBLE, {10, 3}, thirty.data());
       },
       "/streams/left/vendor/cop_normalised: expected shape [frames, 2] with one row per frame (10)"},
      {[](hid_t f) { set_string_attr(f, "/streams/left/vendor/total_force_n", "units", "kN"); },
       "/streams/left/vendor/total_force_n: attribute 'units' is \"kN\", expected \"N\""},
      {[&](hid_t f) {
         H5Ldelete(f, "/streams/left/vendor", H5P_DEFAULT);
         replace_dataset(f, "/streams/left/vendor", H5T_NATIVE_DOUBLE, {5}, five.data());
       },
       "/streams/left/vendor: expected a group (the vendor's total force and COP channels)"},
  };
  for (const Case& c : cases) {
    ASSERT_TRUE(write_recording(path, with_vendor_channels()));
    test::edit_h5(path, c.edit);
    testing::internal::CaptureStderr();
    auto r = read_recording(path);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "") << "HDF5 printed to stderr";
    ASSERT_FALSE(r) << c.needle;
    EXPECT_EQ(r.error().code, Errc::format_error) << r.error().message;
    EXPECT_NE(r.error().message.find(path.string()), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(c.needle), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace insole::io
