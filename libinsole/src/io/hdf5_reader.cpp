// Reading the insole HDF5 format v1: validation of every object against docs/format.md, the
// streaming RecordingReader and read_recording.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>
#include <system_error>

#include "insole/core/version.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "io/format.hpp"

namespace insole::io {

namespace detail {

using h5::Hid;
using h5::Where;

hsize_t frames_for_bytes(Eigen::Index sensels, double target_bytes, hsize_t max_frames) {
  const double per_frame = 4.0 * double(std::max<Eigen::Index>(sensels, 1));
  const double n = std::floor(target_bytes / per_frame);
  return std::clamp<hsize_t>(n < 1 ? 1 : static_cast<hsize_t>(n), 1, std::max<hsize_t>(max_frames, 1));
}

// An open-file-description lock (fcntl F_OFD_*, Linux >= 3.15): owned by the descriptor, so no
// other open or close of the file in the writer's process releases it, and independent of the
// flock() locks HDF5 takes itself. The kernel drops it when the writer dies.
int take_capture_lock(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct flock lk {};
  lk.l_type = F_RDLCK;
  lk.l_whence = SEEK_SET;
  if (::fcntl(fd, F_OFD_SETLK, &lk) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool capture_lock_held(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock lk {};
  lk.l_type = F_WRLCK;  // conflicts with the writer's read lock
  lk.l_whence = SEEK_SET;
  const bool held = ::fcntl(fd, F_OFD_GETLK, &lk) == 0 && lk.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

Hid file_access_plist() {
  Hid fapl(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_fapl_sec2(fapl.get());
#if H5_VERSION_GE(1, 10, 7)
  // Lock like HDF5 always does, but do not fail on filesystems that cannot lock (some NFS).
  H5Pset_file_locking(fapl.get(), true, true);
#endif
  return fapl;
}

Result<AtomicOutput> copy_for_update(const std::filesystem::path& path, const Where& w) {
  auto out = AtomicOutput::create(path);
  if (!out) return out.error();
  std::error_code ec;
  std::filesystem::copy_file(path, out->temp_path(), std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) {
    const bool full = ec == std::errc::no_space_on_device || ec == std::errc::file_too_large;
    return make_error(full ? Errc::disk_full : Errc::io_error, w.prefix() + "cannot copy the file: " + ec.message());
  }
  return out;
}

namespace {

bool is_integral(double x) { return std::isfinite(x) && std::floor(x) == x; }

}  // namespace

// The file attributes format = "insole" and format_version = 1.
Status check_insole_root(hid_t f, const Where& w) {
  if (!h5::has_attr(f, "format"))
    return h5::format_error(w, "not an insole recording: file attribute 'format' is missing "
                               "(expected \"insole\", docs/format.md)");
  auto format = h5::read_string_attr(f, "format", w.at(""));
  if (!format) return format.error();
  if (*format != kFormatName)
    return h5::format_error(w, "file attribute 'format' is \"" + *format + "\", expected \"insole\"");
  auto version = h5::read_number_attr(f, "format_version", w.at(""));
  if (!version) return version.error();
  if (!is_integral(*version) || *version < 1)
    return h5::format_error(w, "file attribute 'format_version' must be a positive integer");
  if (*version != kFormatVersion)
    return h5::format_error(w, "format_version " + std::to_string(static_cast<long long>(*version)) +
                                   " is not supported; this toolkit (" + kToolkitVersion +
                                   ") reads format_version " + std::to_string(kFormatVersion));
  return {};
}

Result<OpenedFile> open_insole_file(const std::filesystem::path& path, const Where& w) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status))
    return make_error(Errc::not_found, w.prefix() + "no such file");
  if (std::filesystem::is_directory(status))
    return make_error(Errc::format_error, w.prefix() + "is a directory, expected an HDF5 recording");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return make_error(Errc::io_error,
                      w.prefix() + "cannot open: " + std::generic_category().message(errno));
  char magic[8] = {};
  const ssize_t got = ::pread(fd, magic, sizeof magic, 0);
  ::close(fd);
  if (got == 0)
    return make_error(Errc::format_error,
                      w.prefix() + "empty file (0 bytes), expected an HDF5 recording (docs/format.md)");
  static constexpr char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  // HDF5 also finds a superblock at 512, 1024, ... (user block); H5Fis_hdf5 searches for it.
  if (got != 8 || std::memcmp(magic, kSignature, 8) != 0) {
    if (H5Fis_hdf5(path.c_str()) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return make_error(Errc::format_error,
                        w.prefix() + "not an HDF5 file (no HDF5 signature), expected an insole "
                                     "HDF5 recording (docs/format.md)");
    }
  }

  OpenedFile out;
  Hid fapl = file_access_plist();
  out.file = Hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()));
  if (!out.file.valid()) {
    const h5::StackInfo first = h5::take_error_stack();
    // A capture killed while writing leaves its "open for writing" flag set; HDF5's SWMR read
    // mode opens such a file and sees the state of its last flush (docs/format.md, durability).
    // SWMR readers retry a metadata read whose checksum fails (the writer may be mid-update),
    // sleeping 1, 2, 4 ... ns between attempts; HDF5's default of 100 attempts would sleep for
    // ages on a corrupt file, a dozen is plenty for a live or interrupted capture.
    H5Pset_metadata_read_attempts(fapl.get(), 12);
    out.file = Hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl.get()));
    if (!out.file.valid()) {
      H5Eclear2(H5E_DEFAULT);
      return make_error(Errc::format_error,
                        w.prefix() + "cannot be opened as HDF5 (damaged or truncated file?): " +
                            first.detail);
    }
    out.interrupted = true;
  }
  if (auto st = check_insole_root(out.file.get(), w); !st) return st.error();
  return out;
}

Result<OpenedFile> open_insole_image(std::string_view image, const Where& w) {
  static constexpr char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  if (image.empty())
    return make_error(Errc::format_error,
                      w.prefix() + "empty file (0 bytes), expected an HDF5 recording (docs/format.md)");
  // Only a superblock at offset 0 (files with a user block are read from disk). Also keeps a
  // zero-size image from making the core driver open `w.file` on disk instead.
  if (image.size() < 8 || std::memcmp(image.data(), kSignature, 8) != 0)
    return make_error(Errc::format_error, w.prefix() + "not an HDF5 file (no HDF5 signature at the start), "
                                                       "expected an insole HDF5 recording (docs/format.md)");
  Hid fapl(H5Pcreate(H5P_FILE_ACCESS));
  // The core (memory) driver over a copy of the image; nothing is written back.
  if (H5Pset_fapl_core(fapl.get(), 64 * 1024, false) < 0 ||
      H5Pset_file_image(fapl.get(), const_cast<char*>(image.data()), image.size()) < 0)
    return h5::read_error(w, "cannot set up reading from memory");
  OpenedFile out;
  out.file = Hid(H5Fopen(w.file.c_str(), H5F_ACC_RDONLY, fapl.get()));
  if (!out.file.valid()) {
    const h5::StackInfo first = h5::take_error_stack();
    return make_error(Errc::format_error,
                      w.prefix() + "cannot be opened as HDF5 (damaged or truncated file, or a capture that "
                                   "was interrupted?): " + first.detail);
  }
  if (w.heaps)
    if (auto st = w.heaps->collections(w); !st) return st.error();
  if (auto st = check_insole_root(out.file.get(), w); !st) return st.error();
  return out;
}

namespace {

Result<Side> parse_side_attr(hid_t g, const Where& w) {
  auto s = h5::read_string_attr(g, "side", w);
  if (!s) return s.error();
  auto side = parse_side(*s);
  if (!side)
    return h5::format_error(w, "attribute 'side' is \"" + *s +
                                   "\", expected \"left\", \"right\", \"both\" or \"unknown\"");
  return *side;
}

Result<hsize_t> chunk_along_time(const h5::NumericDataset& ds, Eigen::Index sensels) {
  Hid dcpl(H5Dget_create_plist(ds.id.get()));
  if (dcpl.valid() && H5Pget_layout(dcpl.get()) == H5D_CHUNKED) {
    std::vector<hsize_t> chunk(ds.dims.size(), 1);
    // Read in blocks of whole chunks, but never more than ~16 MiB of pressure at once (a chunk
    // may hold up to kMaxChunkBytes).
    if (H5Pget_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()) >= 0 && chunk[0] > 0)
      return std::min(chunk[0], frames_for_bytes(sensels, 16.0 * 1024 * 1024, hsize_t(1) << 24));
  }
  H5Eclear2(H5E_DEFAULT);
  return frames_for_bytes(sensels, 256.0 * 1024, 1u << 20);
}

}  // namespace

Result<DiskStream> parse_stream(hid_t streams_group, const std::string& name, const Where& sw) {
  DiskStream ds;
  ds.where = sw.at(name);
  const Where& w = ds.where;
  if (h5::object_type(streams_group, name.c_str()) != H5O_TYPE_GROUP)
    return h5::format_error(w, "expected a group (one per stream), found another kind of object");
  Hid g(H5Gopen2(streams_group, name.c_str(), H5P_DEFAULT));
  if (!g.valid()) return h5::read_error(w, "cannot open the group");
  StreamInfo& info = ds.info;
  info.name = name;

  auto kind = h5::read_string_attr(g.get(), "kind", w);
  if (!kind) return kind.error();
  if (*kind != "grid" && *kind != "sensors")
    return h5::format_error(w, "attribute 'kind' is \"" + *kind + "\", expected \"grid\" or \"sensors\"");
  const bool grid = *kind == "grid";
  auto side = parse_side_attr(g.get(), w);
  if (!side) return side.error();
  info.side = *side;
  auto units = h5::read_string_attr(g.get(), "units", w);
  if (!units) return units.error();
  auto pu = pressure_units_from_string(*units);
  if (!pu)
    return h5::format_error(w, "attribute 'units' is \"" + *units + "\", expected \"kPa\" or \"counts\"");
  info.units = *pu;
  auto rate = h5::read_number_attr(g.get(), "sample_rate_hz", w);
  if (!rate) return rate.error();
  if (!std::isfinite(*rate) || *rate < 0)
    return h5::format_error(w, "attribute 'sample_rate_hz' must be a finite number >= 0 (0 = unknown)");
  info.sample_rate_hz = *rate;
  auto device = h5::read_string_attr(g.get(), "device", w);
  if (!device) return device.error();
  info.device = *device;

  auto time = h5::open_numeric_dataset(g.get(), kTime, w);
  if (!time) return time.error();
  ds.time = std::move(*time);
  if (ds.time.dims.size() != 1)
    return h5::format_error(w.at(kTime), "expected rank 1 [frames], found rank " +
                                             std::to_string(ds.time.dims.size()));
  auto pressure = h5::open_numeric_dataset(g.get(), kPressure, w);
  if (!pressure) return pressure.error();
  ds.pressure = std::move(*pressure);
  const auto& pd = ds.pressure.dims;
  const Where pw = w.at(kPressure);

  if (grid) {
    if (pd.size() != 3)
      return h5::format_error(pw, "expected rank 3 [frames, rows, cols] for a grid stream, found rank " +
                                      std::to_string(pd.size()));
    if (pd[1] == 0 || pd[2] == 0 || pd[1] > kMaxSensels || pd[2] > kMaxSensels || pd[1] * pd[2] > kMaxSensels)
      return h5::format_error(pw, "grid of " + std::to_string(pd[1]) + " x " + std::to_string(pd[2]) +
                                      " sensels is empty or larger than this toolkit reads (" +
                                      std::to_string(kMaxSensels) + " sensels)");
    auto pitch = h5::read_number_array_attr(g.get(), "pitch_mm", w);
    if (!pitch) return pitch.error();
    if (pitch->size() != 2)
      return h5::format_error(w, "attribute 'pitch_mm' must hold 2 numbers [row_pitch, col_pitch], found " +
                                     std::to_string(pitch->size()));
    auto layout = SensorLayout::grid(static_cast<int>(pd[1]), static_cast<int>(pd[2]), (*pitch)[0], (*pitch)[1]);
    if (!layout) return h5::format_error(w, layout.error().message);
    info.layout = std::move(*layout);
  } else {
    if (pd.size() != 2)
      return h5::format_error(pw, "expected rank 2 [frames, sensors] for a sensors stream, found rank " +
                                      std::to_string(pd.size()));
    if (pd[1] == 0 || pd[1] > kMaxSensels)
      return h5::format_error(pw, "number of sensors " + std::to_string(pd[1]) + " is zero or larger than this toolkit reads (" +
                                      std::to_string(kMaxSensels) + ")");
    const hsize_t s = pd[1];
    auto xy = h5::open_numeric_dataset(g.get(), kSensorXy, w);
    if (!xy) return xy.error();
    if (xy->dims.size() != 2 || xy->dims[0] != s || xy->dims[1] != 2)
      return h5::format_error(w.at(kSensorXy), "expected shape [" + std::to_string(s) +
                                                   ", 2] (one x, y per sensor of pressure)");
    auto area = h5::open_numeric_dataset(g.get(), kSensorArea, w);
    if (!area) return area.error();
    if (area->dims.size() != 1 || area->dims[0] != s)
      return h5::format_error(w.at(kSensorArea), "expected shape [" + std::to_string(s) +
                                                     "] (one area per sensor of pressure)");
    if (auto st = h5::check_stored(*xy, s, w.at(kSensorXy), kMaxChunkBytes, kMaxDeflateRatio); !st) return st.error();
    if (auto st = h5::check_stored(*area, s, w.at(kSensorArea), kMaxChunkBytes, kMaxDeflateRatio); !st)
      return st.error();
    Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor> xy_rows(static_cast<Eigen::Index>(s), 2);
    Eigen::VectorXd areas(static_cast<Eigen::Index>(s));
    if (auto st = h5::read_rows(*xy, 0, s, H5T_NATIVE_DOUBLE, xy_rows.data(), w.at(kSensorXy)); !st)
      return st.error();
    if (auto st = h5::read_rows(*area, 0, s, H5T_NATIVE_DOUBLE, areas.data(), w.at(kSensorArea)); !st)
      return st.error();
    auto layout = SensorLayout::sensors(Eigen::MatrixX2d(xy_rows), std::move(areas));
    if (!layout) return h5::format_error(w, layout.error().message);
    info.layout = std::move(*layout);
  }

  if (h5::link_exists(g.get(), kPresent)) {
    auto present = h5::open_numeric_dataset(g.get(), kPresent, w);
    if (!present) return present.error();
    const bool shape_ok = grid ? (present->dims.size() == 2 && present->dims[0] == pd[1] &&
                                  present->dims[1] == pd[2])
                               : (present->dims.size() == 1 && present->dims[0] == pd[1]);
    if (!shape_ok)
      return h5::format_error(w.at(kPresent), grid ? "expected shape [rows, cols] of pressure"
                                                   : "expected shape [sensors] of pressure");
    if (auto st = h5::check_stored(*present, present->dims[0], w.at(kPresent), kMaxChunkBytes, kMaxDeflateRatio); !st)
      return st.error();
    std::vector<double> values(static_cast<std::size_t>(info.layout.sensor_count()));
    if (auto st = h5::read_rows(*present, 0, present->dims[0], H5T_NATIVE_DOUBLE, values.data(),
                                w.at(kPresent));
        !st)
      return st.error();
    std::vector<bool> mask(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) mask[i] = values[i] != 0;
    (void)info.layout.set_present(std::move(mask));
  }

  if (h5::link_exists(g.get(), kMetadata)) {
    if (h5::object_type(g.get(), kMetadata) != H5O_TYPE_GROUP)
      return h5::format_error(w.at(kMetadata), "expected a group of attributes");
    Hid m(H5Gopen2(g.get(), kMetadata, H5P_DEFAULT));
    if (!m.valid()) return h5::read_error(w.at(kMetadata), "cannot open the group");
    auto attrs = h5::read_text_attrs(m.get(), w.at(kMetadata));
    if (!attrs) return attrs.error();
    info.attributes = std::move(*attrs);
  }

  if (h5::link_exists(g.get(), kCalibration)) {
    const Where cw = w.at(kCalibration);
    if (h5::object_type(g.get(), kCalibration) != H5O_TYPE_GROUP)
      return h5::format_error(cw, "expected a group (the stream's calibration)");
    Hid c(H5Gopen2(g.get(), kCalibration, H5P_DEFAULT));
    if (!c.valid()) return h5::read_error(cw, "cannot open the group");
    if (info.units != PressureUnits::kpa)
      return h5::format_error(w, "a stream with a calibration group must have units \"kPa\"");
    Calibration cal;
    auto model = h5::read_string_attr(c.get(), "model", cw);
    if (!model) return model.error();
    auto m = response_model_from_string(*model);
    if (!m)
      return h5::format_error(cw, "attribute 'model' is \"" + *model + "\", expected \"linear\", \"power_law\" or \"cubic\"");
    cal.model = *m;
    auto coeffs = h5::read_number_array_attr(c.get(), "coefficients", cw);
    if (!coeffs) return coeffs.error();
    cal.coefficients = std::move(*coeffs);
    struct S { const char* key; std::string* dst; };
    for (const S& f : {S{"device_serial", &cal.device_serial}, S{"method", &cal.method}, S{"date", &cal.date},
                       S{"source", &cal.source}}) {
      if (!h5::has_attr(c.get(), f.key)) continue;
      auto v = h5::read_string_attr(c.get(), f.key, cw);
      if (!v) return v.error();
      *f.dst = std::move(*v);
    }
    if (h5::has_attr(c.get(), "residuals_kpa")) {
      auto r = h5::read_number_array_attr(c.get(), "residuals_kpa", cw);
      if (!r) return r.error();
      cal.residuals_kpa = std::move(*r);
    }
    if (h5::has_attr(c.get(), "body_mass_kg")) {
      auto bm = h5::read_number_attr(c.get(), "body_mass_kg", cw);
      if (!bm) return bm.error();
      cal.body_mass_kg = *bm;
    }
    const hsize_t sensels = hsize_t(info.layout.sensor_count());
    for (auto [key, dst] : {std::pair<const char*, Eigen::VectorXd*>{"zero_counts", &cal.zero_counts},
                            std::pair<const char*, Eigen::VectorXd*>{"gain", &cal.gain}}) {
      if (!h5::link_exists(c.get(), key)) continue;
      auto d = h5::open_numeric_dataset(c.get(), key, cw);
      if (!d) return d.error();
      if (d->dims.size() != 1 || d->dims[0] != sensels)
        return h5::format_error(cw.at(key), "expected shape [" + std::to_string(sensels) + "] (one value per sensel)");
      if (auto st = h5::check_stored(*d, sensels, cw.at(key), kMaxChunkBytes, kMaxDeflateRatio); !st) return st.error();
      dst->resize(Eigen::Index(sensels));
      if (auto st = h5::read_rows(*d, 0, sensels, H5T_NATIVE_DOUBLE, dst->data(), cw.at(key)); !st) return st.error();
    }
    if (auto st = cal.validate(Eigen::Index(sensels)); !st) return h5::format_error(cw, st.error().message);
    info.calibration = std::move(cal);
    if (h5::link_exists(c.get(), kRawCounts)) {
      auto rc = h5::open_numeric_dataset(c.get(), kRawCounts, cw);
      if (!rc) return rc.error();
      if (rc->dims.size() != pd.size() || !std::equal(pd.begin() + 1, pd.end(), rc->dims.begin() + 1))
        return h5::format_error(cw.at(kRawCounts), "expected the shape of pressure (one count per sensel and frame)");
      ds.raw_counts = std::move(*rc);
    }
  }

  const hsize_t nt = ds.time.dims[0], np = pd[0];
  if (h5::has_attr(g.get(), kFrameCount)) {
    auto fc = h5::read_number_attr(g.get(), kFrameCount, w);
    if (!fc) return fc.error();
    if (!is_integral(*fc) || *fc < 0 || *fc > double(std::min(nt, np)))
      return h5::format_error(w, "attribute 'frame_count' must be an integer between 0 and the length of "
                                 "time_s (" + std::to_string(nt) + ") and pressure (" + std::to_string(np) + ")");
    ds.frames = static_cast<hsize_t>(*fc);
  } else {
    if (nt != np)
      return h5::format_error(w, "time_s has " + std::to_string(nt) + " frames but pressure has " +
                                     std::to_string(np));
    ds.frames = nt;
  }
  if (h5::link_exists(g.get(), kSequence)) {
    auto seq = h5::open_numeric_dataset(g.get(), kSequence, w);
    if (!seq) return seq.error();
    if (seq->dims.size() != 1 || seq->dims[0] < ds.frames)
      return h5::format_error(w.at(kSequence), "expected rank 1 with one entry per frame (" +
                                                   std::to_string(ds.frames) + ")");
    if (seq->type_class != H5T_INTEGER)
      return h5::format_error(w.at(kSequence), "expected an integer dataset (frame counter)");
    if (auto st = h5::check_stored(*seq, ds.frames, w.at(kSequence), kMaxChunkBytes, kMaxDeflateRatio); !st)
      return st.error();
    ds.sequence = std::move(*seq);
  }
  // Before anything is allocated for them: the valid frames must be stored in this file.
  if (auto st = h5::check_stored(ds.time, ds.frames, w.at(kTime), kMaxChunkBytes, kMaxDeflateRatio); !st)
    return st.error();
  if (auto st = h5::check_stored(ds.pressure, ds.frames, pw, kMaxChunkBytes, kMaxDeflateRatio); !st)
    return st.error();
  if (ds.raw_counts) {
    const Where rw = w.at(kCalibration).at(kRawCounts);
    if (ds.raw_counts->dims[0] < ds.frames)
      return h5::format_error(rw, "has " + std::to_string(ds.raw_counts->dims[0]) + " frames, pressure has " +
                                      std::to_string(ds.frames));
    if (auto st = h5::check_stored(*ds.raw_counts, ds.frames, rw, kMaxChunkBytes, kMaxDeflateRatio); !st)
      return st.error();
  }
  if (h5::link_exists(g.get(), kVendor)) {
    // The maker's own channels (docs/format.md): total force [frames] in N and COP [frames, 2].
    const Where vw = w.at(kVendor);
    if (h5::object_type(g.get(), kVendor) != H5O_TYPE_GROUP)
      return h5::format_error(vw, "expected a group (the vendor's total force and COP channels)");
    Hid v(H5Gopen2(g.get(), kVendor, H5P_DEFAULT));
    if (!v.valid()) return h5::read_error(vw, "cannot open the group");
    for (const char* key : {kVendorForce, kVendorCop})
      if (!h5::link_exists(v.get(), key))
        return h5::format_error(vw, std::string("expected the datasets total_force_n and cop_normalised, '") + key +
                                        "' is missing");
    auto force = h5::open_numeric_dataset(v.get(), kVendorForce, vw);
    if (!force) return force.error();
    if (force->dims.size() != 1 || force->dims[0] < ds.frames)
      return h5::format_error(vw.at(kVendorForce), "expected rank 1 with one value per frame (" +
                                                       std::to_string(ds.frames) + ")");
    if (h5::has_attr(force->id.get(), "units")) {
      auto u = h5::read_string_attr(force->id.get(), "units", vw.at(kVendorForce));
      if (!u) return u.error();
      if (*u != "N") return h5::format_error(vw.at(kVendorForce), "attribute 'units' is \"" + *u + "\", expected \"N\"");
    }
    auto cop = h5::open_numeric_dataset(v.get(), kVendorCop, vw);
    if (!cop) return cop.error();
    if (cop->dims.size() != 2 || cop->dims[1] != 2 || cop->dims[0] < ds.frames)
      return h5::format_error(vw.at(kVendorCop), "expected shape [frames, 2] with one row per frame (" +
                                                     std::to_string(ds.frames) + ")");
    if (auto st = h5::check_stored(*force, ds.frames, vw.at(kVendorForce), kMaxChunkBytes, kMaxDeflateRatio); !st)
      return st.error();
    if (auto st = h5::check_stored(*cop, ds.frames, vw.at(kVendorCop), kMaxChunkBytes, kMaxDeflateRatio); !st)
      return st.error();
    ds.vendor_force = std::move(*force);
    ds.vendor_cop = std::move(*cop);
  }
  auto chunk = chunk_along_time(ds.pressure, info.layout.sensor_count());
  if (!chunk) return chunk.error();
  ds.chunk_frames = *chunk;
  ds.direct = chunk::plan_for(ds.pressure);
  return ds;
}

Result<RecordingMetadata> parse_metadata(hid_t f, const Where& w) {
  RecordingMetadata meta;
  const Where root = w.at("");
  if (h5::has_attr(f, "mode")) {
    auto mode = h5::read_string_attr(f, "mode", root);
    if (!mode) return mode.error();
    meta.mode = *mode;
  }
  if (h5::has_attr(f, "created_by")) {
    auto by = h5::read_string_attr(f, "created_by", root);
    if (!by) return by.error();
    meta.created_by = *by;
  }
  if (h5::link_exists(f, kSubject)) {
    const Where sw = w.at(kSubject);
    if (h5::object_type(f, kSubject) != H5O_TYPE_GROUP) return h5::format_error(sw, "expected a group");
    Hid g(H5Gopen2(f, kSubject, H5P_DEFAULT));
    if (!g.valid()) return h5::read_error(sw, "cannot open the group");
    if (h5::has_attr(g.get(), "pseudonym")) {
      auto p = h5::read_string_attr(g.get(), "pseudonym", sw);
      if (!p) return p.error();
      meta.subject = *p;
    }
    if (h5::has_attr(g.get(), "body_mass_kg")) {
      auto m = h5::read_number_attr(g.get(), "body_mass_kg", sw);
      if (!m) return m.error();
      if (!std::isfinite(*m) || *m <= 0 || *m > 1000)
        return h5::format_error(sw, "attribute 'body_mass_kg' must be a mass in kg (0 < m <= 1000)");
      meta.body_mass_kg = *m;
    }
  }
  if (h5::link_exists(f, kMetadata)) {
    const Where mw = w.at(kMetadata);
    if (h5::object_type(f, kMetadata) != H5O_TYPE_GROUP) return h5::format_error(mw, "expected a group of attributes");
    Hid g(H5Gopen2(f, kMetadata, H5P_DEFAULT));
    if (!g.valid()) return h5::read_error(mw, "cannot open the group");
    auto attrs = h5::read_text_attrs(g.get(), mw);
    if (!attrs) return attrs.error();
    meta.attributes = std::move(*attrs);
  }
  return meta;
}

Result<std::vector<Event>> parse_events(hid_t f, const std::vector<StreamInfo>& streams, const Where& w) {
  std::vector<Event> events;
  if (!h5::link_exists(f, kEvents)) return events;
  const Where ew = w.at(kEvents);
  if (h5::object_type(f, kEvents) != H5O_TYPE_GROUP) return h5::format_error(ew, "expected a group");
  Hid g(H5Gopen2(f, kEvents, H5P_DEFAULT));
  if (!g.valid()) return h5::read_error(ew, "cannot open the group");
  auto time = h5::open_numeric_dataset(g.get(), kTime, ew);
  if (!time) return time.error();
  if (time->dims.size() != 1) return h5::format_error(ew.at(kTime), "expected rank 1 [events]");
  hsize_t n = time->dims[0];
  if (h5::has_attr(g.get(), kEventCount)) {
    auto c = h5::read_number_attr(g.get(), kEventCount, ew);
    if (!c) return c.error();
    if (!is_integral(*c) || *c < 0 || *c > double(n))
      return h5::format_error(ew, "attribute 'event_count' must be an integer between 0 and the length of time_s");
    n = static_cast<hsize_t>(*c);
  }
  if (n > 10'000'000) return h5::format_error(ew, "absurd number of events: " + std::to_string(n));
  if (auto st = h5::check_stored(*time, n, ew.at(kTime), kMaxChunkBytes, kMaxDeflateRatio); !st) return st.error();
  std::vector<double> t(n);
  if (auto st = h5::read_rows(*time, 0, n, H5T_NATIVE_DOUBLE, t.data(), ew.at(kTime)); !st)
    return st.error();
  auto kind = h5::read_string_dataset(g.get(), "kind", n, ew);
  if (!kind) return kind.error();
  std::vector<std::string> stream(n), detail(n);
  if (h5::link_exists(g.get(), "stream")) {
    auto s = h5::read_string_dataset(g.get(), "stream", n, ew);
    if (!s) return s.error();
    stream = std::move(*s);
  }
  if (h5::link_exists(g.get(), "detail")) {
    auto d = h5::read_string_dataset(g.get(), "detail", n, ew);
    if (!d) return d.error();
    detail = std::move(*d);
  }
  std::set<std::string> names;
  for (const auto& s : streams) names.insert(s.name);
  for (hsize_t i = 0; i < n; ++i) {
    if (!std::isfinite(t[i]))
      return h5::format_error(ew.at(kTime), "event " + std::to_string(i) + " has a non-finite time");
    if (!stream[i].empty() && !names.count(stream[i]))
      return h5::format_error(ew.at("stream"), "event " + std::to_string(i) + " names stream \"" +
                                                   stream[i] + "\", which is not in /streams");
    if ((*kind)[i].empty())
      return h5::format_error(ew.at("kind"), "event " + std::to_string(i) + " has an empty kind");
    events.push_back(Event{t[i], std::move(stream[i]), std::move((*kind)[i]), std::move(detail[i])});
  }
  return events;
}

}  // namespace detail

struct ReaderState {
  h5::Hid file;  // declared first so that it is released last
  bool interrupted = false;
  RecordingMetadata meta;
  std::vector<StreamInfo> infos;
  std::vector<Event> events;
  std::vector<detail::DiskStream> disk;
};

RecordingReader::RecordingReader(RecordingReader&&) noexcept = default;
RecordingReader& RecordingReader::operator=(RecordingReader&&) noexcept = default;
RecordingReader::~RecordingReader() {
  if (state_) {
    h5::QuietErrors quiet;
    state_.reset();
  }
}

namespace {

// Everything open() and open_image() read after the file is open: streams, metadata, events.
Result<std::unique_ptr<ReaderState>> load(detail::OpenedFile opened, const h5::Where& w) {
  auto st = std::make_unique<ReaderState>();
  st->file = std::move(opened.file);
  st->interrupted = opened.interrupted;
  const hid_t f = st->file.get();

  const h5::Where sw = w.at(detail::kStreams);
  if (h5::object_type(f, detail::kStreams) != H5O_TYPE_GROUP)
    return h5::format_error(sw, "missing group (one subgroup per sensor stream)");
  h5::Hid streams(H5Gopen2(f, detail::kStreams, H5P_DEFAULT));
  if (!streams.valid()) return h5::read_error(sw, "cannot open the group");
  auto names = h5::child_names(streams.get(), sw);
  if (!names) return names.error();
  if (names->empty()) return h5::format_error(sw, "holds no stream, expected at least one");
  if (names->size() > detail::kMaxStreams)
    return h5::format_error(sw, "holds " + std::to_string(names->size()) + " streams; at most " +
                                    std::to_string(detail::kMaxStreams) + " are read");
  for (const auto& name : *names) {
    auto s = detail::parse_stream(streams.get(), name, sw);
    if (!s) return s.error();
    st->infos.push_back(s->info);
    st->disk.push_back(std::move(*s));
  }
  auto meta = detail::parse_metadata(f, w);
  if (!meta) return meta.error();
  st->meta = std::move(*meta);
  auto events = detail::parse_events(f, st->infos, w);
  if (!events) return events.error();
  st->events = std::move(*events);
  return st;
}

}  // namespace

Result<RecordingReader> RecordingReader::open(const std::filesystem::path& path) {
  h5::QuietErrors quiet;
  const h5::Where w{path.string(), "", h5::HeapCheck::file(path.string())};
  auto opened = detail::open_insole_file(path, w);
  if (!opened) return opened.error();
  auto st = load(std::move(*opened), w);
  if (!st) return st.error();
  RecordingReader r;
  r.path_ = path;
  r.state_ = std::move(*st);
  return r;
}

Result<RecordingReader> RecordingReader::open_image(const std::string& name, std::string_view image) {
  h5::QuietErrors quiet;
  const h5::Where w{name, "", h5::HeapCheck::image(image)};
  auto opened = detail::open_insole_image(image, w);
  if (!opened) return opened.error();
  auto st = load(std::move(*opened), w);
  if (!st) return st.error();
  RecordingReader r;
  r.path_ = name;
  r.state_ = std::move(*st);
  return r;
}

const RecordingMetadata& RecordingReader::metadata() const { return state_->meta; }
const std::vector<StreamInfo>& RecordingReader::streams() const { return state_->infos; }
const std::vector<Event>& RecordingReader::events() const { return state_->events; }
bool RecordingReader::interrupted() const { return state_->interrupted; }

Eigen::Index RecordingReader::frame_count(std::size_t stream) const {
  return static_cast<Eigen::Index>(state_->disk.at(stream).frames);
}

Eigen::Index RecordingReader::chunk_frames(std::size_t stream) const {
  return static_cast<Eigen::Index>(state_->disk.at(stream).chunk_frames);
}

Eigen::Index RecordingReader::block_frames(std::size_t stream, std::int64_t target_bytes, std::int64_t min_frames,
                                          std::int64_t max_bytes) const {
  const Eigen::Index chunk = std::max<Eigen::Index>(1, chunk_frames(stream));
  const std::int64_t frame_bytes = 4 * std::max<std::int64_t>(1, streams().at(stream).layout.sensor_count());
  // Clamped so that the roundings below cannot overflow (a caller may pass INT64_MAX for "all").
  constexpr std::int64_t kHuge = std::numeric_limits<std::int64_t>::max() / 4;
  target_bytes = std::clamp<std::int64_t>(target_bytes, 0, kHuge);
  min_frames = std::clamp<std::int64_t>(min_frames, 0, kHuge);
  const std::int64_t want = std::max<std::int64_t>({1, min_frames, (target_bytes + frame_bytes - 1) / frame_bytes});
  const std::int64_t n = (want + chunk - 1) / chunk * chunk;
  const std::int64_t cap = std::max<std::int64_t>(chunk, max_bytes / frame_bytes / chunk * chunk);
  return static_cast<Eigen::Index>(std::min(n, cap));
}

bool RecordingReader::has_sequence(std::size_t stream) const {
  return state_->disk.at(stream).sequence.has_value();
}

namespace {

Status check_range(const detail::DiskStream& d, Eigen::Index first, Eigen::Index count) {
  if (first < 0 || count < 0 || static_cast<hsize_t>(first) > d.frames)
    return make_error(Errc::invalid_argument,
                      d.where.prefix() + "frame range starting at " + std::to_string(first) +
                          " is outside the stream's " + std::to_string(d.frames) + " frames");
  return {};
}

}  // namespace

Result<Stream> RecordingReader::read_frames(std::size_t stream, Eigen::Index first,
                                            Eigen::Index count, FrameMatrix* reuse) const {
  const detail::DiskStream& d = state_->disk.at(stream);
  if (auto st = check_range(d, first, count); !st) return st.error();
  count = std::min<Eigen::Index>(count, static_cast<Eigen::Index>(d.frames) - first);
  const Eigen::Index sensels = d.info.layout.sensor_count();
  if (double(count) * (double(sensels) * 4.0 + 8.0) > detail::kMaxReadBytes)
    return make_error(Errc::unsupported,
                      d.where.prefix() + std::to_string(count) + " frames of " + std::to_string(sensels) +
                          " sensels are too many to read at once; read fewer frames at a time");
  Stream out;
  out.info = d.info;
  // Read one frame before the block too, so that time is checked to increase across blocks.
  const Eigen::Index lead = first > 0 ? 1 : 0;
  Eigen::VectorXd t(count + lead);
  {
    std::lock_guard lock(hdf5_mutex());
    h5::QuietErrors quiet;
    if (auto st = h5::read_rows(d.time, static_cast<hsize_t>(first - lead), static_cast<hsize_t>(count + lead),
                                H5T_NATIVE_DOUBLE, t.data(), d.where.at(detail::kTime));
        !st)
      return st.error();
  }
  for (Eigen::Index i = 0; i < t.size(); ++i) {
    const Eigen::Index frame = first - lead + i;
    if (!std::isfinite(t[i]))
      return make_error(Errc::format_error, d.where.at(detail::kTime).prefix() + "time_s[" +
                                                std::to_string(frame) + "] is not a finite number");
    if (i > 0 && !(t[i] > t[i - 1]))
      return make_error(Errc::format_error,
                        d.where.at(detail::kTime).prefix() + "time_s must be strictly increasing, but time_s[" +
                            std::to_string(frame) + "] = " + std::to_string(t[i]) + " follows " +
                            std::to_string(t[i - 1]));
  }
  out.time_s = t.tail(count);
  if (reuse) out.pressure_kpa = std::move(*reuse);  // resize() keeps storage of the same size
  out.pressure_kpa.resize(count, sensels);
  const h5::Where pw = d.where.at(detail::kPressure);
  bool direct_done = false;
  if (d.direct && chunk::path_mode() == chunk::PathMode::automatic) {
    // Raw chunks, decoded outside the HDF5 lock (chunk_reader.hpp); the same bytes as the library.
    auto done = chunk::read_rows(d.pressure, *d.direct, static_cast<hsize_t>(first), static_cast<hsize_t>(count),
                                 out.pressure_kpa.data(), pw, hdf5_mutex());
    if (!done) return done.error();
    direct_done = *done == chunk::Outcome::done;
  }
  std::lock_guard lock(hdf5_mutex());
  h5::QuietErrors quiet;
  if (!direct_done) {
    if (auto st = h5::read_rows(d.pressure, static_cast<hsize_t>(first), static_cast<hsize_t>(count),
                                H5T_NATIVE_FLOAT, out.pressure_kpa.data(), pw);
        !st)
      return st.error();
  }
  // The raw counts of a calibrated stream are read through the library whichever path read pressure.
  if (d.raw_counts) {
    out.raw_counts.resize(count, sensels);
    if (auto st = h5::read_rows(*d.raw_counts, static_cast<hsize_t>(first), static_cast<hsize_t>(count),
                                H5T_NATIVE_FLOAT, out.raw_counts.data(),
                                d.where.at(detail::kCalibration).at(detail::kRawCounts));
        !st)
      return st.error();
  }
  return out;
}

bool RecordingReader::has_vendor_channels(std::size_t stream) const {
  return state_->disk.at(stream).vendor_force.has_value();
}

Result<std::optional<VendorChannels>> RecordingReader::read_vendor_channels(std::size_t stream) const {
  const detail::DiskStream& d = state_->disk.at(stream);
  if (!d.vendor_force || !d.vendor_cop) return std::optional<VendorChannels>{};
  const auto n = static_cast<Eigen::Index>(d.frames);
  if (double(n) * 24.0 > detail::kMaxReadBytes)
    return make_error(Errc::unsupported, d.where.at(detail::kVendor).prefix() + std::to_string(n) +
                                             " frames of vendor channels are too many to read at once");
  VendorChannels v;
  v.total_force_n.resize(n);
  Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor> cop(n, 2);
  {
    std::lock_guard lock(hdf5_mutex());
    h5::QuietErrors quiet;
    const h5::Where vw = d.where.at(detail::kVendor);
    if (auto st = h5::read_rows(*d.vendor_force, 0, d.frames, H5T_NATIVE_DOUBLE, v.total_force_n.data(),
                                vw.at(detail::kVendorForce));
        !st)
      return st.error();
    if (auto st = h5::read_rows(*d.vendor_cop, 0, d.frames, H5T_NATIVE_DOUBLE, cop.data(), vw.at(detail::kVendorCop));
        !st)
      return st.error();
  }
  v.cop_normalised = cop;
  return std::optional<VendorChannels>(std::move(v));
}

Result<std::vector<std::uint64_t>> RecordingReader::read_sequence(std::size_t stream, Eigen::Index first,
                                                                   Eigen::Index count) const {
  h5::QuietErrors quiet;
  const detail::DiskStream& d = state_->disk.at(stream);
  if (auto st = check_range(d, first, count); !st) return st.error();
  count = std::min<Eigen::Index>(count, static_cast<Eigen::Index>(d.frames) - first);
  std::vector<std::uint64_t> seq(static_cast<std::size_t>(count));
  if (!d.sequence) {
    for (Eigen::Index i = 0; i < count; ++i) seq[static_cast<std::size_t>(i)] = static_cast<std::uint64_t>(first + i);
    return seq;
  }
  if (auto st = h5::read_rows(*d.sequence, static_cast<hsize_t>(first), static_cast<hsize_t>(count),
                              H5T_NATIVE_UINT64, seq.data(), d.where.at(detail::kSequence));
      !st)
    return st.error();
  return seq;
}

std::mutex& hdf5_mutex() {
  static std::mutex m;
  return m;
}

Result<Recording> read_recording(const std::filesystem::path& path) {
  auto reader = RecordingReader::open(path);
  if (!reader) return reader.error();
  Recording rec;
  rec.meta = reader->metadata();
  rec.events = reader->events();
  for (std::size_t i = 0; i < reader->streams().size(); ++i) {
    auto s = reader->read_frames(i, 0, reader->frame_count(i));
    if (!s) return s.error();
    auto vendor = reader->read_vendor_channels(i);
    if (!vendor) return vendor.error();
    s->vendor = std::move(*vendor);
    rec.streams.push_back(std::move(*s));
  }
  return rec;
}

}  // namespace insole::io
