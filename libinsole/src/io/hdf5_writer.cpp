// Writing the insole HDF5 format v1: write_recording (whole file, atomic) and the streaming
// RecordingWriter used by capture (SWMR, flushed at least every flush_interval_s).
//
// Crash durability of the streaming writer (docs/format.md, "Durability"): the file is created
// with the HDF5 1.10 format and switched to single-writer/multiple-reader (SWMR) mode, in which
// HDF5 writes its metadata in an order that keeps the file consistent on disk at every moment.
// Frames are appended with H5Dset_extent + H5Dwrite; every flush_interval_s the writer
//   1. H5Fflush + fsync: frames and extents are on disk,
//   2. updates the per-stream attribute frame_count (and /events event_count), H5Fflush + fsync.
// A reader trusts only frame_count frames, so rows whose data may not have reached the disk when
// the process died (extent written, chunk not yet) are never read. A killed capture therefore
// loses at most the frames since the last completed flush.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>
#include <system_error>

#include "insole/core/atomic_output.hpp"
#include "insole/core/version.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "io/format.hpp"

namespace insole::io {

namespace detail {
namespace {

using h5::Hid;
using h5::Where;

// Fixed widths (bytes, UTF-8) of the event strings in a streaming capture: SWMR cannot append
// variable-length strings, so add_event refuses longer texts instead of cutting them.
constexpr std::size_t kEventStreamBytes = 256;
constexpr std::size_t kEventKindBytes = 256;
constexpr std::size_t kEventDetailBytes = 1024;
constexpr hsize_t kEventChunk = 64;

struct CreateOptions {
  hsize_t frames = 0;        // initial extent along time
  hsize_t chunk_frames = 1;
  int deflate_level = 4;
  bool sequence = false;     // create the optional "sequence" dataset
  bool frame_count = false;  // create the optional frame_count attribute
  bool raw_counts = false;   // create calibration/raw_counts (a stream with a calibration)
};

struct StreamDatasets {
  Hid group, time, pressure, sequence, raw_counts;
};

Status validate_name(const std::string& name, const std::string& what) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos || name.size() > kEventStreamBytes - 1)
    return make_error(Errc::invalid_argument,
                      what + " \"" + name + "\" is not usable as an HDF5 group name (non-empty, no '/', at most " +
                          std::to_string(kEventStreamBytes - 1) + " bytes)");
  return {};
}

Status validate_streams(const std::vector<StreamInfo>& streams) {
  if (streams.empty()) return make_error(Errc::invalid_argument, "a recording needs at least one stream");
  std::set<std::string> names;
  for (const auto& s : streams) {
    if (auto st = validate_name(s.name, "stream name"); !st) return st;
    if (!names.insert(s.name).second)
      return make_error(Errc::invalid_argument, "stream name \"" + s.name + "\" is used twice");
    if (s.layout.sensor_count() == 0)
      return make_error(Errc::invalid_argument, "stream \"" + s.name + "\" has an empty sensor layout");
    if (!std::isfinite(s.sample_rate_hz) || s.sample_rate_hz < 0)
      return make_error(Errc::invalid_argument,
                        "stream \"" + s.name + "\": sample_rate_hz must be finite and >= 0 (0 = unknown)");
    for (const auto& [key, value] : s.attributes)
      if (key.empty() || key == ".")
        return make_error(Errc::invalid_argument, "stream \"" + s.name + "\" has an attribute with an empty name");
  }
  return {};
}

Result<Hid> create_group(hid_t loc, const char* name, const Where& w, bool track_order) {
  Hid gcpl(H5Pcreate(H5P_GROUP_CREATE));
  // Streams keep the order in which they were given (h5py: track_order=True).
  if (track_order) H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  Hid g(H5Gcreate2(loc, name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT));
  if (!g.valid()) return h5::write_error(w.at(name), "cannot create the group");
  return g;
}

// A dataset chunked along its first (time) dimension, unlimited along it, optionally compressed.
Result<Hid> create_frames_dataset(hid_t loc, const char* name, hid_t file_type, std::vector<hsize_t> dims,
                                  hsize_t chunk_frames, int deflate_level, hid_t fill_type,
                                  const void* fill, const Where& w) {
  std::vector<hsize_t> maxdims = dims, chunk = dims;
  maxdims[0] = H5S_UNLIMITED;
  chunk[0] = std::max<hsize_t>(chunk_frames, 1);
  Hid space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()));
  Hid dcpl(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
  if (deflate_level > 0 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
    H5Pset_shuffle(dcpl.get());  // byte shuffling makes float data compress far better
    H5Pset_deflate(dcpl.get(), static_cast<unsigned>(deflate_level));
  }
  // A checksum per chunk: damaged frame data is reported instead of read as plausible numbers.
  if (H5Zfilter_avail(H5Z_FILTER_FLETCHER32) > 0) H5Pset_fletcher32(dcpl.get());
  if (fill) H5Pset_fill_value(dcpl.get(), fill_type, fill);
  Hid ds(H5Dcreate2(loc, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  if (!ds.valid()) return h5::write_error(w.at(name), "cannot create the dataset");
  return ds;
}

Status write_small_dataset(hid_t loc, const char* name, hid_t file_type, const std::vector<hsize_t>& dims,
                           hid_t mem_type, const void* data, const Where& w) {
  Hid space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  Hid ds(H5Dcreate2(loc, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!ds.valid()) return h5::write_error(w.at(name), "cannot create the dataset");
  if (H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    return h5::write_error(w.at(name), "cannot write the dataset");
  return {};
}

Status write_text_attrs(hid_t loc, const char* group_name, const std::map<std::string, std::string>& attrs,
                        const Where& w) {
  if (attrs.empty()) return {};
  auto g = create_group(loc, group_name, w, false);
  if (!g) return g.error();
  for (const auto& [key, value] : attrs)
    if (auto st = h5::write_string_attr(g->get(), key.c_str(), value, w.at(group_name)); !st) return st;
  return {};
}

std::vector<hsize_t> frame_dims(const SensorLayout& layout, hsize_t frames) {
  if (layout.is_grid()) return {frames, hsize_t(layout.rows()), hsize_t(layout.cols())};
  return {frames, hsize_t(layout.sensor_count())};
}

Result<StreamDatasets> create_stream(hid_t streams, const StreamInfo& info, const CreateOptions& o,
                                     const Where& sw) {
  const Where w = sw.at(info.name);
  StreamDatasets out;
  auto g = create_group(streams, info.name.c_str(), sw, false);
  if (!g) return g.error();
  out.group = std::move(*g);
  const hid_t gid = out.group.get();
  const SensorLayout& l = info.layout;
  if (auto st = h5::write_string_attr(gid, "kind", l.is_grid() ? "grid" : "sensors", w); !st) return st.error();
  if (auto st = h5::write_string_attr(gid, "side", std::string(to_string(info.side)), w); !st) return st.error();
  if (auto st = h5::write_string_attr(gid, "units", std::string(to_string(info.units)), w); !st) return st.error();
  if (auto st = h5::write_double_attr(gid, "sample_rate_hz", info.sample_rate_hz, w); !st) return st.error();
  if (auto st = h5::write_string_attr(gid, "device", info.device, w); !st) return st.error();
  if (l.is_grid()) {
    if (auto st = h5::write_double_array_attr(gid, "pitch_mm", {l.row_pitch_mm(), l.col_pitch_mm()}, w); !st)
      return st.error();
  } else {
    const Eigen::Index n = l.sensor_count();
    std::vector<double> xy(static_cast<std::size_t>(n) * 2);
    for (Eigen::Index i = 0; i < n; ++i) {
      xy[std::size_t(i) * 2] = l.centres_mm()(i, 0);
      xy[std::size_t(i) * 2 + 1] = l.centres_mm()(i, 1);
    }
    if (auto st = write_small_dataset(gid, kSensorXy, H5T_IEEE_F32LE, {hsize_t(n), 2}, H5T_NATIVE_DOUBLE,
                                      xy.data(), w);
        !st)
      return st.error();
    if (auto st = write_small_dataset(gid, kSensorArea, H5T_IEEE_F32LE, {hsize_t(n)}, H5T_NATIVE_DOUBLE,
                                      l.areas_mm2().data(), w);
        !st)
      return st.error();
  }
  if (l.present_count() != l.sensor_count()) {
    std::vector<std::uint8_t> mask(l.present().begin(), l.present().end());
    std::vector<hsize_t> dims = frame_dims(l, 0);
    dims.erase(dims.begin());
    if (auto st = write_small_dataset(gid, kPresent, H5T_STD_U8LE, dims, H5T_NATIVE_UINT8, mask.data(), w); !st)
      return st.error();
  }
  if (auto st = write_text_attrs(gid, kMetadata, info.attributes, w); !st) return st.error();
  if (info.calibration) {
    const Calibration& c = *info.calibration;
    const Where cw = w.at(kCalibration);
    auto cg = create_group(gid, kCalibration, w, false);
    if (!cg) return cg.error();
    const hid_t cid = cg->get();
    if (auto st = h5::write_string_attr(cid, "model", std::string(to_string(c.model)), cw); !st) return st.error();
    if (auto st = h5::write_double_array_attr(cid, "coefficients", c.coefficients, cw); !st) return st.error();
    for (auto [key, value] : {std::pair<const char*, const std::string*>{"device_serial", &c.device_serial},
                              {"method", &c.method}, {"date", &c.date}, {"source", &c.source}})
      if (auto st = h5::write_string_attr(cid, key, *value, cw); !st) return st.error();
    if (!c.residuals_kpa.empty())
      if (auto st = h5::write_double_array_attr(cid, "residuals_kpa", c.residuals_kpa, cw); !st) return st.error();
    if (c.body_mass_kg)
      if (auto st = h5::write_double_attr(cid, "body_mass_kg", *c.body_mass_kg, cw); !st) return st.error();
    for (auto [key, v] : {std::pair<const char*, const Eigen::VectorXd*>{"zero_counts", &c.zero_counts},
                          {"gain", &c.gain}})
      if (v->size())
        if (auto st = write_small_dataset(cid, key, H5T_IEEE_F64LE, {hsize_t(v->size())}, H5T_NATIVE_DOUBLE,
                                          v->data(), cw);
            !st)
          return st.error();
    if (o.raw_counts) {
      // The counts as the device gave them, beside the calibrated pressure (docs/format.md).
      const float nan_f = std::numeric_limits<float>::quiet_NaN();
      auto rc = create_frames_dataset(cid, kRawCounts, H5T_IEEE_F32LE, frame_dims(l, o.frames), o.chunk_frames,
                                      o.deflate_level, H5T_NATIVE_FLOAT, &nan_f, cw);
      if (!rc) return rc.error();
      out.raw_counts = std::move(*rc);
    }
  } else if (o.raw_counts) {
    return make_error(Errc::invalid_argument, w.prefix() + "raw_counts need a calibration");
  }

  // Unwritten rows read as NaN (no time, no pressure), never as plausible zeros.
  const double nan_d = std::numeric_limits<double>::quiet_NaN();
  const float nan_f = std::numeric_limits<float>::quiet_NaN();
  auto t = create_frames_dataset(gid, kTime, H5T_IEEE_F64LE, {o.frames}, o.chunk_frames, o.deflate_level,
                                 H5T_NATIVE_DOUBLE, &nan_d, w);
  if (!t) return t.error();
  out.time = std::move(*t);
  auto p = create_frames_dataset(gid, kPressure, H5T_IEEE_F32LE, frame_dims(l, o.frames), o.chunk_frames,
                                 o.deflate_level, H5T_NATIVE_FLOAT, &nan_f, w);
  if (!p) return p.error();
  out.pressure = std::move(*p);
  if (o.sequence) {
    auto s = create_frames_dataset(gid, kSequence, H5T_STD_U64LE, {o.frames}, o.chunk_frames, o.deflate_level,
                                   H5T_NATIVE_UINT64, nullptr, w);
    if (!s) return s.error();
    out.sequence = std::move(*s);
  }
  if (o.frame_count)
    if (auto st = h5::write_int_attr(gid, kFrameCount, 0, w); !st) return st.error();
  return out;
}

Status write_root(hid_t f, const RecordingMetadata& meta, const Where& w) {
  const Where root = w.at("");
  if (auto st = h5::write_string_attr(f, "format", kFormatName, root); !st) return st;
  if (auto st = h5::write_int_attr(f, "format_version", kFormatVersion, root); !st) return st;
  if (auto st = h5::write_string_attr(f, "insole_version", kToolkitVersion, root); !st) return st;
  if (!meta.mode.empty())
    if (auto st = h5::write_string_attr(f, "mode", meta.mode, root); !st) return st;
  if (!meta.created_by.empty())
    if (auto st = h5::write_string_attr(f, "created_by", meta.created_by, root); !st) return st;
  if (!meta.subject.empty() || meta.body_mass_kg) {
    if (meta.body_mass_kg && !(*meta.body_mass_kg > 0 && *meta.body_mass_kg <= 1000))
      return make_error(Errc::invalid_argument, "body_mass_kg must be in (0, 1000] kg");
    auto g = create_group(f, kSubject, w, false);
    if (!g) return g.error();
    if (!meta.subject.empty())
      if (auto st = h5::write_string_attr(g->get(), "pseudonym", meta.subject, w.at(kSubject)); !st) return st;
    if (meta.body_mass_kg)
      if (auto st = h5::write_double_attr(g->get(), "body_mass_kg", *meta.body_mass_kg, w.at(kSubject)); !st)
        return st;
  }
  return write_text_attrs(f, kMetadata, meta.attributes, w);
}

using h5::fixed_string_type;

Status validate_event(const Event& e, const std::set<std::string>& stream_names, bool fixed_width) {
  if (!std::isfinite(e.time_s)) return make_error(Errc::invalid_argument, "event time must be finite");
  if (e.kind.empty()) return make_error(Errc::invalid_argument, "event kind must not be empty");
  if (!e.stream.empty() && !stream_names.count(e.stream))
    return make_error(Errc::invalid_argument, "event names unknown stream \"" + e.stream + "\"");
  for (const std::string* s : {&e.stream, &e.kind, &e.detail})
    if (s->find('\0') != std::string::npos)
      return make_error(Errc::invalid_argument, "event text must not contain NUL bytes");
  if (fixed_width && (e.kind.size() >= kEventKindBytes || e.detail.size() >= kEventDetailBytes))
    return make_error(Errc::invalid_argument,
                      "event kind must be shorter than " + std::to_string(kEventKindBytes) +
                          " bytes and detail shorter than " + std::to_string(kEventDetailBytes) +
                          " bytes in a streaming capture");
  return {};
}

Status write_events_whole(hid_t f, const std::vector<Event>& events, const Where& w) {
  if (events.empty()) return {};
  auto g = create_group(f, kEvents, w, false);
  if (!g) return g.error();
  const Where ew = w.at(kEvents);
  const hsize_t n = events.size();
  std::vector<double> t;
  for (const auto& e : events) t.push_back(e.time_s);
  if (auto st = write_small_dataset(g->get(), kTime, H5T_IEEE_F64LE, {n}, H5T_NATIVE_DOUBLE, t.data(), ew); !st)
    return st;
  // Fixed-length strings as wide as the longest entry (nothing is cut; see write_string_attr).
  using Field = std::string Event::*;
  for (auto [name, field] : {std::pair{"stream", Field(&Event::stream)}, std::pair{"kind", Field(&Event::kind)},
                             std::pair{"detail", Field(&Event::detail)}}) {
    std::size_t width = 1;
    for (const auto& e : events) width = std::max(width, (e.*field).size());
    std::vector<char> buf(n * width, '\0');
    for (hsize_t i = 0; i < n; ++i) std::copy((events[i].*field).begin(), (events[i].*field).end(), buf.begin() + long(i * width));
    Hid type = fixed_string_type(width);
    if (auto st = write_small_dataset(g->get(), name, type.get(), {n}, type.get(), buf.data(), ew); !st) return st;
  }
  return {};
}

Status select_and_write(hid_t ds, hid_t mem_type, const std::vector<hsize_t>& new_dims, hsize_t first,
                        hsize_t count, const void* data, const Where& w) {
  if (H5Dset_extent(ds, new_dims.data()) < 0) return h5::write_error(w, "cannot extend the dataset");
  Hid fspace(H5Dget_space(ds));
  std::vector<hsize_t> start(new_dims.size(), 0), extent = new_dims;
  start[0] = first;
  extent[0] = count;
  H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr);
  Hid mspace(H5Screate_simple(static_cast<int>(extent.size()), extent.data(), nullptr));
  if (H5Dwrite(ds, mem_type, mspace.get(), fspace.get(), H5P_DEFAULT, data) < 0)
    return h5::write_error(w, "cannot write frames");
  return {};
}

}  // namespace

void set_file_format_v110(hid_t fapl) {
#ifdef H5F_LIBVER_V110
  H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
#else
  H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
#endif
}

namespace {

// File image callbacks of the core driver that keep a copy of the final image at close.
struct ImageCapture {
  std::size_t size = 0;
  std::vector<char> image;
  bool complete = false;
};

void* image_malloc(std::size_t size, H5FD_file_image_op_t, void* udata) {
  static_cast<ImageCapture*>(udata)->size = size;
  return std::malloc(size);
}
void* image_memcpy(void* dest, const void* src, std::size_t size, H5FD_file_image_op_t, void*) {
  return std::memcpy(dest, src, size);
}
void* image_realloc(void* ptr, std::size_t size, H5FD_file_image_op_t, void* udata) {
  void* p = std::realloc(ptr, size);
  if (p) static_cast<ImageCapture*>(udata)->size = size;
  return p;
}
herr_t image_free(void* ptr, H5FD_file_image_op_t op, void* udata) {
  auto* c = static_cast<ImageCapture*>(udata);
  if (op == H5FD_FILE_IMAGE_OP_FILE_CLOSE && ptr) {
    const char* bytes = static_cast<const char*>(ptr);
    c->image.assign(bytes, bytes + c->size);
    c->complete = true;
  }
  std::free(ptr);
  return 0;
}
void* udata_copy(void* udata) { return udata; }  // the property list copies share one capture
herr_t udata_free(void*) { return 0; }

// The file's bytes: the core driver's buffer grows in steps; the file ends at the end-of-file
// address in the superblock (version 3: signature 8, versions/sizes 4, base address 8, extension 8,
// then EOF).
std::string_view image_bytes(const ImageCapture& capture) {
  std::size_t size = capture.image.size();
  if (size >= 36 && capture.image[8] >= 2 && capture.image[9] == 8) {
    std::uint64_t eof = 0;
    for (int i = 7; i >= 0; --i) eof = (eof << 8) | static_cast<unsigned char>(capture.image[28 + std::size_t(i)]);
    if (eof > 0 && eof <= size) size = static_cast<std::size_t>(eof);
  }
  return std::string_view(capture.image.data(), size);
}

H5FD_file_image_callbacks_t capture_callbacks(ImageCapture* c) {
  return H5FD_file_image_callbacks_t{image_malloc, image_memcpy, image_realloc, image_free, udata_copy, udata_free, c};
}

// Gives a file set up under another name its final name without replacing anything there (link,
// then unlink the old name); 0 or an errno (EEXIST: `to` exists).
int publish(const std::filesystem::path& from, const std::filesystem::path& to) {
  auto sync_dir = [&] {  // the new name survives a power cut too
    const std::filesystem::path dir = to.has_parent_path() ? to.parent_path() : std::filesystem::path(".");
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  };
  if (::link(from.c_str(), to.c_str()) == 0) {
    ::unlink(from.c_str());
    sync_dir();
    return 0;
  }
  const int err = errno;
  if (err != EPERM && err != ENOTSUP && err != ENOSYS) return err;
  // Filesystems without hard links (FAT, some network mounts): rename after a last check.
  std::error_code ec;
  if (std::filesystem::exists(to, ec)) return EEXIST;
  if (::rename(from.c_str(), to.c_str()) != 0) return errno;
  sync_dir();
  return 0;
}

Status fsync_file(hid_t f, const Where& w) {
  const int fd = h5::file_descriptor(f);
  if (fd >= 0 && ::fsync(fd) != 0) {
    const int err = errno;
    const bool full = err == ENOSPC || err == EDQUOT || err == EFBIG;
    return make_error(full ? Errc::disk_full : Errc::io_error,
                      w.prefix() + "cannot flush to disk: " + std::generic_category().message(err));
  }
  return {};
}

}  // namespace
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// write_recording

Status write_recording(const std::filesystem::path& path, const Recording& rec) {
  std::vector<StreamInfo> infos;
  for (const auto& s : rec.streams) infos.push_back(s.info);
  if (auto st = detail::validate_streams(infos); !st) return st;
  if (auto st = rec.validate(); !st) return make_error(Errc::invalid_argument, st.error().message);
  std::set<std::string> names;
  for (const auto& s : infos) names.insert(s.name);
  for (const auto& e : rec.events)
    if (auto st = detail::validate_event(e, names, false); !st) return st;

  h5::QuietErrors quiet;
  const h5::Where w{path.string(), "", nullptr};
  // The file is built in memory (HDF5's core driver) and written by write_file_atomically.
  // HDF5 cannot close a file whose buffers it failed to write (its handles then stay open for
  // the life of the process), so HDF5 itself never touches the disk here: a full disk is met by
  // our own write(), reported, and leaves the old file in place.
  detail::ImageCapture capture;
  {
    h5::Hid fapl(H5Pcreate(H5P_FILE_ACCESS));
    H5Pset_fapl_core(fapl.get(), 1 << 20, false);
    // H5Fget_file_image of an open 1.10-format file yields a superblock that fails its checksum
    // (HDF5 1.10.8), so the image is taken as the core driver releases it at H5Fclose.
    H5FD_file_image_callbacks_t callbacks = detail::capture_callbacks(&capture);
    H5Pset_file_image_callbacks(fapl.get(), &callbacks);
    // The HDF5 1.10 file format, as for captures: every metadata structure (superblock, object
    // headers, chunk indices) carries a checksum, so a damaged file is reported, not misread.
    // Needs HDF5 >= 1.10 to read (2016; h5py >= 2.7, MATLAB R2021b).
    detail::set_file_format_v110(fapl.get());
    h5::Hid f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
    if (!f.valid()) return h5::write_error(w, "cannot create the HDF5 file in memory");
    if (auto st = detail::write_root(f.get(), rec.meta, w); !st) return st;
    auto streams = detail::create_group(f.get(), detail::kStreams, w, true);
    if (!streams) return streams.error();
    for (const auto& s : rec.streams) {
      detail::CreateOptions o;
      o.frames = static_cast<hsize_t>(s.frame_count());
      o.chunk_frames = detail::frames_for_bytes(s.info.layout.sensor_count(), 256.0 * 1024, std::max<hsize_t>(o.frames, 1));
      o.raw_counts = s.raw_counts.size() != 0;
      auto ds = detail::create_stream(streams->get(), s.info, o, w.at(detail::kStreams));
      if (!ds) return ds.error();
      if (o.frames == 0) continue;
      const h5::Where sw = w.at(detail::kStreams).at(s.info.name);
      if (H5Dwrite(ds->time.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, s.time_s.data()) < 0)
        return h5::write_error(sw.at(detail::kTime), "cannot write");
      if (H5Dwrite(ds->pressure.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, s.pressure_kpa.data()) < 0)
        return h5::write_error(sw.at(detail::kPressure), "cannot write");
      if (o.raw_counts &&
          H5Dwrite(ds->raw_counts.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, s.raw_counts.data()) < 0)
        return h5::write_error(sw.at(detail::kCalibration).at(detail::kRawCounts), "cannot write");
      if (s.vendor) {
        // The maker's own channels, one row per frame (docs/format.md "vendor").
        auto vg = detail::create_group(ds->group.get(), detail::kVendor, sw, false);
        if (!vg) return vg.error();
        const h5::Where vw = sw.at(detail::kVendor);
        const double nan = std::numeric_limits<double>::quiet_NaN();
        auto force = detail::create_frames_dataset(vg->get(), detail::kVendorForce, H5T_IEEE_F64LE, {o.frames},
                                                   o.chunk_frames, o.deflate_level, H5T_NATIVE_DOUBLE, &nan, vw);
        if (!force) return force.error();
        if (H5Dwrite(force->get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, s.vendor->total_force_n.data()) < 0)
          return h5::write_error(vw.at(detail::kVendorForce), "cannot write");
        if (auto st = h5::write_string_attr(force->get(), "units", "N", vw); !st) return st;
        auto cop = detail::create_frames_dataset(vg->get(), detail::kVendorCop, H5T_IEEE_F64LE, {o.frames, 2},
                                                 o.chunk_frames, o.deflate_level, H5T_NATIVE_DOUBLE, &nan, vw);
        if (!cop) return cop.error();
        const Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor> rows = s.vendor->cop_normalised;
        if (H5Dwrite(cop->get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) < 0)
          return h5::write_error(vw.at(detail::kVendorCop), "cannot write");
        if (auto st = h5::write_string_attr(cop->get(), "units", "insole width, insole length (-0.5 .. +0.5)", vw); !st)
          return st;
      }
    }
    if (auto st = detail::write_events_whole(f.get(), rec.events, w); !st) return st;
    streams->reset();
    if (H5Fclose(f.release()) < 0) return h5::write_error(w, "cannot finish the HDF5 file");
  }
  if (!capture.complete) return make_error(Errc::io_error, w.prefix() + "HDF5 produced no file image");
  return write_file_atomically(path, detail::image_bytes(capture));
}

// ---------------------------------------------------------------------------------------------
// RecordingWriter

struct WriterState {
  WriterState() = default;
  WriterState(const WriterState&) = delete;
  WriterState& operator=(const WriterState&) = delete;
  ~WriterState() { release_live_lock(); }
  // The lock that tells recover_capture and readers that this capture is still being written.
  int live_lock_fd = -1;
  void release_live_lock() noexcept {
    if (live_lock_fd >= 0) ::close(live_lock_fd);
    live_lock_fd = -1;
  }
  struct Slot {
    detail::StreamDatasets ds;
    h5::Where where;
    SensorLayout layout;
    hsize_t chunk_frames = 1;
    std::uint64_t written = 0;    // rows in the HDF5 datasets
    std::uint64_t committed = 0;  // value of frame_count on disk
    std::uint64_t appended = 0;   // accepted by append()
    double last_time_s = -std::numeric_limits<double>::infinity();
    std::vector<double> time;     // buffered, not yet handed to HDF5
    std::vector<float> pressure;
    std::vector<std::uint64_t> sequence;
    // A stream with a calibration: frames arrive as counts, kept here as raw_counts while
    // `pressure` takes their calibration.
    std::optional<Calibration> calibration;
    std::vector<float> raw;
  };
  h5::Hid file;  // first: released last
  h5::Where where;
  WriterOptions opts;
  std::vector<Slot> slots;
  std::set<std::string> stream_names;
  h5::Hid events_group, ev_time, ev_stream, ev_kind, ev_detail;
  std::uint64_t events_written = 0, events_committed = 0;
  std::vector<Event> pending_events;
  double last_flush_s = 0;
  std::optional<Error> failed;
  bool closed = false;

  Status fail(Error e) {
    if (!failed) failed = e;
    abandon();
    return e;
  }
  // After a failed write HDF5 cannot close the file (closing flushes, which fails again, and a
  // failed close leaves dangling internal state that can crash a later open). So the handles are
  // given up without closing: the file stays as of the last completed flush, still marked as
  // being written, which readers open in SWMR mode (see open_insole_file).
  void abandon() noexcept {
    for (auto& s : slots) {
      (void)s.ds.group.release();
      (void)s.ds.time.release();
      (void)s.ds.pressure.release();
      (void)s.ds.sequence.release();
      (void)s.ds.raw_counts.release();
    }
    for (h5::Hid* h : {&events_group, &ev_time, &ev_stream, &ev_kind, &ev_detail, &file}) (void)h->release();
  }
  Status write_pending(Slot& s);
  Status write_pending_events();
  Status flush();
  Status close();
};

Status WriterState::write_pending(Slot& s) {
  const hsize_t n = s.time.size();
  if (n == 0) return {};
  const hsize_t total = s.written + n;
  std::vector<hsize_t> pdims = detail::frame_dims(s.layout, total);
  if (auto st = detail::select_and_write(s.ds.pressure.get(), H5T_NATIVE_FLOAT, pdims, s.written, n,
                                         s.pressure.data(), s.where.at(detail::kPressure));
      !st)
    return st;
  if (auto st = detail::select_and_write(s.ds.sequence.get(), H5T_NATIVE_UINT64, {total}, s.written, n,
                                         s.sequence.data(), s.where.at(detail::kSequence));
      !st)
    return st;
  if (s.calibration)
    if (auto st = detail::select_and_write(s.ds.raw_counts.get(), H5T_NATIVE_FLOAT, pdims, s.written, n, s.raw.data(),
                                           s.where.at(detail::kCalibration).at(detail::kRawCounts));
        !st)
      return st;
  if (auto st = detail::select_and_write(s.ds.time.get(), H5T_NATIVE_DOUBLE, {total}, s.written, n,
                                         s.time.data(), s.where.at(detail::kTime));
      !st)
    return st;
  s.written = total;
  s.time.clear();
  s.pressure.clear();
  s.sequence.clear();
  s.raw.clear();
  return {};
}

Status WriterState::write_pending_events() {
  const hsize_t n = pending_events.size();
  if (n == 0) return {};
  const h5::Where ew = where.at(detail::kEvents);
  const hsize_t total = events_written + n;
  std::vector<double> t;
  std::vector<char> stream(n * detail::kEventStreamBytes, '\0'), kind(n * detail::kEventKindBytes, '\0'),
      det(n * detail::kEventDetailBytes, '\0');
  for (hsize_t i = 0; i < n; ++i) {
    const Event& e = pending_events[i];
    t.push_back(e.time_s);
    std::copy(e.stream.begin(), e.stream.end(), stream.begin() + long(i * detail::kEventStreamBytes));
    std::copy(e.kind.begin(), e.kind.end(), kind.begin() + long(i * detail::kEventKindBytes));
    std::copy(e.detail.begin(), e.detail.end(), det.begin() + long(i * detail::kEventDetailBytes));
  }
  h5::Hid ts = detail::fixed_string_type(detail::kEventStreamBytes), tk = detail::fixed_string_type(detail::kEventKindBytes),
          td = detail::fixed_string_type(detail::kEventDetailBytes);
  if (auto st = detail::select_and_write(ev_stream.get(), ts.get(), {total}, events_written, n, stream.data(), ew.at("stream")); !st) return st;
  if (auto st = detail::select_and_write(ev_kind.get(), tk.get(), {total}, events_written, n, kind.data(), ew.at("kind")); !st) return st;
  if (auto st = detail::select_and_write(ev_detail.get(), td.get(), {total}, events_written, n, det.data(), ew.at("detail")); !st) return st;
  if (auto st = detail::select_and_write(ev_time.get(), H5T_NATIVE_DOUBLE, {total}, events_written, n, t.data(), ew.at(detail::kTime)); !st) return st;
  events_written = total;
  pending_events.clear();
  return {};
}

namespace {

// Overwrites an existing integer attribute in place (allowed while in SWMR write mode, unlike
// creating one).
Status update_count_attr(hid_t obj, const char* name, std::uint64_t value, const h5::Where& w) {
  h5::Hid a(H5Aopen(obj, name, H5P_DEFAULT));
  if (!a.valid()) return h5::write_error(w, std::string("cannot open attribute '") + name + "'");
  const auto v = static_cast<std::int64_t>(value);
  if (H5Awrite(a.get(), H5T_NATIVE_INT64, &v) < 0)
    return h5::write_error(w, std::string("cannot update attribute '") + name + "'");
  return {};
}

}  // namespace

Status WriterState::flush() {
  if (failed) return *failed;
  if (closed) return {};
  last_flush_s = opts.clock->now_s();
  bool changed = !pending_events.empty() || events_written != events_committed;
  for (auto& s : slots) changed = changed || !s.time.empty() || s.written != s.committed;
  if (!changed) return {};
  // Phase 1: the frames and their extents reach the disk.
  for (auto& s : slots)
    if (auto st = write_pending(s); !st) return fail(st.error());
  if (auto st = write_pending_events(); !st) return fail(st.error());
  if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0) return fail(h5::write_error(where, "cannot flush"));
  if (auto st = detail::fsync_file(file.get(), where); !st) return fail(st.error());
  // Phase 2: only now do the counts that readers trust move forward.
  for (auto& s : slots)
    if (s.written != s.committed) {
      if (auto st = update_count_attr(s.ds.group.get(), detail::kFrameCount, s.written, s.where); !st)
        return fail(st.error());
      s.committed = s.written;
    }
  if (events_written != events_committed) {
    if (auto st = update_count_attr(events_group.get(), detail::kEventCount, events_written,
                                    where.at(detail::kEvents));
        !st)
      return fail(st.error());
    events_committed = events_written;
  }
  if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0) return fail(h5::write_error(where, "cannot flush"));
  if (auto st = detail::fsync_file(file.get(), where); !st) return fail(st.error());
  return {};
}

Status WriterState::close() {
  if (closed) return failed ? Status(*failed) : Status();
  Status result = flush();
  for (auto& s : slots) s.ds = {};
  ev_time.reset();
  ev_stream.reset();
  ev_kind.reset();
  ev_detail.reset();
  events_group.reset();
  closed = true;
  if (file.valid() && H5Fclose(file.release()) < 0 && result.ok())
    result = fail(h5::write_error(where, "cannot close the file"));
  release_live_lock();
  return result;
}

RecordingWriter::RecordingWriter(RecordingWriter&&) noexcept = default;
RecordingWriter& RecordingWriter::operator=(RecordingWriter&& o) noexcept {
  if (this != &o) {
    if (state_) {
      h5::QuietErrors quiet;
      (void)state_->close();
    }
    path_ = std::move(o.path_);
    state_ = std::move(o.state_);
  }
  return *this;
}

RecordingWriter::~RecordingWriter() {
  if (state_) {
    h5::QuietErrors quiet;
    (void)state_->close();
    state_.reset();
  }
}

Result<RecordingWriter> RecordingWriter::create(const std::filesystem::path& path, const RecordingMetadata& meta,
                                                const std::vector<StreamInfo>& streams, WriterOptions opts) {
  if (auto st = detail::validate_streams(streams); !st) return st.error();
  for (const auto& s : streams)
    if (s.calibration)
      if (auto st = s.calibration->validate(s.layout.sensor_count()); !st)
        return make_error(Errc::invalid_argument, "stream '" + s.name + "': " + st.error().message);
  if (!std::isfinite(opts.flush_interval_s) || opts.flush_interval_s <= 0)
    return make_error(Errc::invalid_argument, "flush_interval_s must be a positive number of seconds");
  if (opts.chunk_frames < 0) return make_error(Errc::invalid_argument, "chunk_frames must be >= 0 (0 = automatic)");
  if (opts.deflate_level < 0 || opts.deflate_level > 9)
    return make_error(Errc::invalid_argument, "deflate_level must be between 0 and 9");
  if (!opts.clock) opts.clock = steady_clock();

  h5::QuietErrors quiet;
  const h5::Where w{path.string(), "", nullptr};
  std::error_code ec;
  if (std::filesystem::exists(path, ec))
    return make_error(Errc::invalid_argument, w.prefix() + "already exists; a capture never overwrites a file");
  h5::Hid fapl = detail::file_access_plist();
  detail::set_file_format_v110(fapl.get());
  auto st = std::make_unique<WriterState>();
  st->where = w;
  st->opts = opts;
  // The file is set up under a hidden name next to `path` and given its name only once it is in
  // SWMR mode and on disk: until H5Fstart_swmr_write, HDF5 writes metadata in no safe order, so a
  // process killed then would leave a file nobody can open. Killed before, it leaves only the
  // hidden file (and no capture).
  // Built by appending: GCC 12's -Wrestrict misfires on `"." + std::string&&` in Release builds.
  std::string setup_name(".");
  setup_name += path.filename().string();
  setup_name += ".creating";
  const std::filesystem::path setup_path = path.parent_path() / setup_name;
  std::filesystem::remove(setup_path, ec);  // left by a capture killed while it was being set up
  st->file = h5::Hid(H5Fcreate(setup_path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()));
  if (!st->file.valid()) return h5::write_error(w, "cannot create the file (" + setup_path.string() + ")");
  // From here on the file is ours: remove it again if setting it up fails.
  auto abandon = [&](Error e) -> Error {
    if (e.code == Errc::io_error || e.code == Errc::disk_full) st->abandon();  // see WriterState::abandon
    st.reset();
    std::filesystem::remove(setup_path, ec);
    return e;
  };
  const hid_t f = st->file.get();
  if (auto s = detail::write_root(f, meta, w); !s) return abandon(s.error());
  auto sg = detail::create_group(f, detail::kStreams, w, true);
  if (!sg) return abandon(sg.error());
  const h5::Where sw = w.at(detail::kStreams);
  for (const auto& info : streams) {
    detail::CreateOptions o;
    const Eigen::Index sensels = info.layout.sensor_count();
    if (opts.chunk_frames > 0) {
      o.chunk_frames = hsize_t(opts.chunk_frames);
    } else if (info.sample_rate_hz > 0) {
      // About one flush interval per chunk, so that most flushes complete a chunk instead of
      // rewriting a partial one; at most 1 MiB of pressure per chunk.
      const double per_flush = std::ceil(info.sample_rate_hz * opts.flush_interval_s);
      o.chunk_frames = std::min<hsize_t>(hsize_t(std::max(1.0, std::min(per_flush, 1e6))),
                                         detail::frames_for_bytes(sensels, 1024.0 * 1024, 1u << 20));
    } else {
      o.chunk_frames = detail::frames_for_bytes(sensels, 64.0 * 1024, 1024);
    }
    o.deflate_level = opts.deflate_level;
    o.sequence = true;
    o.frame_count = true;
    o.raw_counts = info.calibration.has_value();
    auto ds = detail::create_stream(sg->get(), info, o, sw);
    if (!ds) return abandon(ds.error());
    WriterState::Slot slot;
    slot.ds = std::move(*ds);
    slot.calibration = info.calibration;
    slot.where = sw.at(info.name);
    slot.layout = info.layout;
    slot.chunk_frames = o.chunk_frames;
    st->slots.push_back(std::move(slot));
    st->stream_names.insert(info.name);
  }
  sg->reset();
  {
    auto eg = detail::create_group(f, detail::kEvents, w, false);
    if (!eg) return abandon(eg.error());
    st->events_group = std::move(*eg);
    const h5::Where ew = w.at(detail::kEvents);
    const double nan_d = std::numeric_limits<double>::quiet_NaN();
    auto t = detail::create_frames_dataset(st->events_group.get(), detail::kTime, H5T_IEEE_F64LE, {0},
                                           detail::kEventChunk, opts.deflate_level, H5T_NATIVE_DOUBLE, &nan_d, ew);
    if (!t) return abandon(t.error());
    st->ev_time = std::move(*t);
    h5::Hid* targets[] = {&st->ev_stream, &st->ev_kind, &st->ev_detail};
    const char* names[] = {"stream", "kind", "detail"};
    const std::size_t widths[] = {detail::kEventStreamBytes, detail::kEventKindBytes, detail::kEventDetailBytes};
    for (int i = 0; i < 3; ++i) {
      h5::Hid type = detail::fixed_string_type(widths[i]);
      auto d = detail::create_frames_dataset(st->events_group.get(), names[i], type.get(), {0}, detail::kEventChunk,
                                             opts.deflate_level, type.get(), nullptr, ew);
      if (!d) return abandon(d.error());
      *targets[i] = std::move(*d);
    }
    if (auto s = h5::write_int_attr(st->events_group.get(), detail::kEventCount, 0, ew); !s)
      return abandon(s.error());
  }
  if (H5Fstart_swmr_write(f) < 0) return abandon(h5::write_error(w, "cannot switch to SWMR write mode"));
  if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0) return abandon(h5::write_error(w, "cannot flush"));
  if (auto s = detail::fsync_file(f, w); !s) return abandon(s.error());
  if (const int err = detail::publish(setup_path, path); err != 0) {
    if (err == EEXIST)
      return abandon(make_error(Errc::invalid_argument, w.prefix() + "already exists; a capture never overwrites a file"));
    return abandon(make_error(err == ENOSPC || err == EDQUOT ? Errc::disk_full : Errc::io_error,
                              w.prefix() + "cannot name the new file: " + std::generic_category().message(err)));
  }
  st->live_lock_fd = detail::take_capture_lock(path);
  st->last_flush_s = opts.clock->now_s();
  RecordingWriter wr;
  wr.path_ = path;
  wr.state_ = std::move(st);
  return wr;
}

Status RecordingWriter::append(const PressureFrame& frame) {
  WriterState& st = *state_;
  if (st.failed) return *st.failed;
  if (st.closed) return make_error(Errc::invalid_argument, st.where.prefix() + "append() after close()");
  if (frame.stream >= st.slots.size())
    return make_error(Errc::invalid_argument, st.where.prefix() + "frame for stream index " +
                                                  std::to_string(frame.stream) + " but the capture has " +
                                                  std::to_string(st.slots.size()) + " streams");
  WriterState::Slot& s = st.slots[frame.stream];
  if (frame.pressure_kpa.size() != s.layout.sensor_count())
    return make_error(Errc::invalid_argument, s.where.prefix() + "frame has " +
                                                  std::to_string(frame.pressure_kpa.size()) +
                                                  " values, the layout has " +
                                                  std::to_string(s.layout.sensor_count()) + " sensels");
  if (!std::isfinite(frame.time_s) || !(frame.time_s > s.last_time_s))
    return make_error(Errc::invalid_argument, s.where.prefix() + "frame time " + std::to_string(frame.time_s) +
                                                  " s is not finite or does not follow the previous frame (" +
                                                  std::to_string(s.last_time_s) + " s)");
  s.last_time_s = frame.time_s;
  s.time.push_back(frame.time_s);
  s.sequence.push_back(frame.sequence);
  if (s.calibration) {
    s.raw.insert(s.raw.end(), frame.pressure_kpa.data(), frame.pressure_kpa.data() + frame.pressure_kpa.size());
    const Eigen::VectorXf kpa = s.calibration->apply(frame.pressure_kpa);
    s.pressure.insert(s.pressure.end(), kpa.data(), kpa.data() + kpa.size());
  } else {
    s.pressure.insert(s.pressure.end(), frame.pressure_kpa.data(), frame.pressure_kpa.data() + frame.pressure_kpa.size());
  }
  ++s.appended;
  h5::QuietErrors quiet;
  // Whole chunks go to HDF5 at once (bounded memory); they count only after the next flush.
  if (s.time.size() >= s.chunk_frames)
    if (auto r = st.write_pending(s); !r) return st.fail(r.error());
  if (st.opts.clock->now_s() - st.last_flush_s >= st.opts.flush_interval_s) return st.flush();
  return {};
}

Status RecordingWriter::add_event(const Event& event) {
  WriterState& st = *state_;
  if (st.failed) return *st.failed;
  if (st.closed) return make_error(Errc::invalid_argument, st.where.prefix() + "add_event() after close()");
  if (auto v = detail::validate_event(event, st.stream_names, true); !v)
    return make_error(Errc::invalid_argument, st.where.prefix() + v.error().message);
  st.pending_events.push_back(event);
  h5::QuietErrors quiet;
  if (st.opts.clock->now_s() - st.last_flush_s >= st.opts.flush_interval_s) return st.flush();
  return {};
}

Status RecordingWriter::flush() {
  h5::QuietErrors quiet;
  return state_->flush();
}

Status RecordingWriter::close() {
  h5::QuietErrors quiet;
  return state_->close();
}

std::uint64_t RecordingWriter::frames_written(std::size_t stream) const { return state_->slots.at(stream).appended; }

}  // namespace insole::io

// ---------------------------------------------------------------------------------------------
// write_data_tree (results files)

namespace insole::io {

namespace {

Status write_node(hid_t loc, const DataNode& node, const h5::Where& w) {
  for (const auto& [name, value] : node.attributes) {
    Status st;
    if (const auto* s = std::get_if<std::string>(&value)) st = h5::write_string_attr(loc, name.c_str(), *s, w);
    else if (const auto* d = std::get_if<double>(&value)) st = h5::write_double_attr(loc, name.c_str(), *d, w);
    else st = h5::write_int_attr(loc, name.c_str(), std::get<std::int64_t>(value), w);
    if (!st) return st;
  }
  for (const auto& [name, arr] : node.arrays) {
    std::size_t count = 1;
    std::vector<hsize_t> dims;
    for (std::size_t d : arr.shape) count *= d, dims.push_back(static_cast<hsize_t>(d));
    if (count != arr.values.size())
      return make_error(Errc::invalid_argument, w.at(name).prefix() + "array shape does not match its values");
    if (dims.empty()) dims.push_back(1);
    if (auto st = detail::write_small_dataset(loc, name.c_str(), H5T_IEEE_F64LE, dims, H5T_NATIVE_DOUBLE,
                                              arr.values.data(), w);
        !st)
      return st;
    if (!arr.units.empty()) {
      h5::Hid ds(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
      if (auto st = h5::write_string_attr(ds.get(), "units", arr.units, w.at(name)); !st) return st;
    }
  }
  for (const auto& [name, strings] : node.strings) {
    std::size_t width = 1;
    for (const auto& s : strings) width = std::max(width, s.size());
    std::string packed(width * strings.size(), '\0');
    for (std::size_t i = 0; i < strings.size(); ++i) packed.replace(i * width, strings[i].size(), strings[i]);
    h5::Hid type = h5::fixed_string_type(width);
    const std::vector<hsize_t> dims = {static_cast<hsize_t>(strings.size())};
    if (auto st = detail::write_small_dataset(loc, name.c_str(), type.get(), dims, type.get(), packed.data(), w); !st)
      return st;
  }
  for (const auto& [name, child] : node.groups) {
    auto g = detail::create_group(loc, name.c_str(), w, false);
    if (!g) return g.error();
    if (auto st = write_node(g->get(), child, w.at(name)); !st) return st;
  }
  return {};
}

}  // namespace

Status write_data_tree(const std::filesystem::path& path, const DataNode& root, const std::string& format) {
  h5::QuietErrors quiet;
  const h5::Where w{path.string(), "", nullptr};
  // Built in memory and written by write_file_atomically, as write_recording does.
  detail::ImageCapture capture;
  {
    h5::Hid fapl(H5Pcreate(H5P_FILE_ACCESS));
    H5Pset_fapl_core(fapl.get(), 1 << 20, false);
    H5FD_file_image_callbacks_t callbacks = detail::capture_callbacks(&capture);
    H5Pset_file_image_callbacks(fapl.get(), &callbacks);
    detail::set_file_format_v110(fapl.get());
    h5::Hid f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
    if (!f.valid()) return h5::write_error(w, "cannot create the HDF5 file in memory");
    const h5::Where top = w.at("");
    if (auto st = h5::write_string_attr(f.get(), "format", format, top); !st) return st;
    if (auto st = h5::write_int_attr(f.get(), "format_version", 1, top); !st) return st;
    if (auto st = h5::write_string_attr(f.get(), "insole_version", kToolkitVersion, top); !st) return st;
    if (auto st = write_node(f.get(), root, w); !st) return st;
    if (H5Fclose(f.release()) < 0) return h5::write_error(w, "cannot finish the HDF5 file");
  }
  if (!capture.complete) return make_error(Errc::io_error, w.prefix() + "HDF5 produced no file image");
  return write_file_atomically(path, detail::image_bytes(capture));
}

}  // namespace insole::io
