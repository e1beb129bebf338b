#include "io/h5util.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

namespace insole::io::h5 {

void Hid::reset() noexcept {
  if (id_ >= 0) H5Idec_ref(id_);
  id_ = H5I_INVALID_HID;
}

QuietErrors::QuietErrors() noexcept {
  // A corrupt file can leave HDF5 unable to release its internal file structures; its exit-time
  // shutdown then prints "infinite loop closing library" to stderr. Our files are closed
  // explicitly, so the exit-time shutdown is not needed. (Only effective before HDF5's first use.)
  static std::once_flag once;
  std::call_once(once, [] { H5dont_atexit(); });
  H5Eget_auto2(H5E_DEFAULT, &old_func_, &old_data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, old_func_, old_data_); }

namespace {

herr_t collect_error(unsigned /*n*/, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<StackInfo*>(data);
  if (err->desc && *err->desc) {
    const std::string desc = err->desc;
    out->detail = desc;  // walking downward: the last one is the innermost, most specific
    // The sec2 driver writes "errno = N, error message = '...'" into its messages.
    for (const char* code : {"errno = 28,", "errno = 122,", "errno = 27,"})
      if (desc.find(code) != std::string::npos) out->no_space = true;
  }
  return 0;
}

}  // namespace

StackInfo take_error_stack() {
  StackInfo info;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &info);
  H5Eclear2(H5E_DEFAULT);
  return info;
}

Where Where::at(const std::string& child) const {
  Where w = *this;
  w.object = (object.empty() || object == "/" ? "/" : object + "/") + child;
  return w;
}

std::string Where::prefix() const {
  if (object.empty()) return file + ": ";
  if (object == "/") return file + ": root group: ";
  return file + ": " + object + ": ";
}

Error format_error(const Where& w, const std::string& what) {
  // When the last HDF5 call failed (rather than, say, finding an attribute absent), the
  // conclusion may come from damage: say what HDF5 could not read.
  const StackInfo s = take_error_stack();
  return make_error(Errc::format_error,
                    w.prefix() + what + (s.detail.empty() ? "" : " (HDF5 could not read it: " + s.detail + "; damaged file?)"));
}

namespace {

std::uint64_t read_le(std::string_view b, std::size_t at, unsigned n) {
  std::uint64_t v = 0;
  for (unsigned i = n; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

}  // namespace

Status validate_global_heaps(std::string_view b, const Where& w) {
  static constexpr char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  // "Size of Lengths" from the superblock (at 0, 512, 1024, ... after a user block): byte 14 in
  // superblock versions 0 and 1, byte 10 in versions 2 and 3 (HDF5 file format spec, II.A).
  unsigned len = 0;
  for (std::size_t base = 0; base + 16 <= b.size(); base = base ? base * 2 : 512)
    if (std::memcmp(b.data() + base, kSignature, 8) == 0) {
      len = static_cast<unsigned char>(b[base + (static_cast<unsigned char>(b[base + 8]) < 2 ? 14 : 10)]);
      break;
    }
  if (len != 2 && len != 4 && len != 8) return {};  // HDF5 refuses such a superblock itself
  // Global heap collection (spec III.E): "GCOL", version 1, 3 reserved, collection size (len);
  // objects: index (2), reference count (2), reserved (4), size (len), data padded to 8 bytes.
  const std::size_t header = 8 + len, obj_header = 8 + len;
  for (std::size_t pos = b.find("GCOL"); pos != std::string_view::npos; pos = b.find("GCOL", pos + 1)) {
    if (pos + header > b.size() || b[pos + 4] != 1) continue;
    const std::uint64_t size = read_le(b, pos + 8, len);
    if (size < header || size > b.size() - pos)
      return format_error(w, "damaged global heap (variable-length strings): the collection at byte " +
                                 std::to_string(pos) + " claims " + std::to_string(size) + " bytes");
    // The walk HDF5 1.10 makes when it loads the collection (H5HG__cache_heap_deserialize): from
    // each object to the next by its stated size - object 0 (free space) by its size alone, which
    // counts its own header - to the end; a tail too short for an object header is free space.
    // HDF5 checks none of it: a size of 0 for object 0 makes it loop forever, a size past the end
    // makes it copy past its buffer later.
    const std::size_t end = pos + static_cast<std::size_t>(size);
    for (std::size_t p = pos + header; p + obj_header <= end;) {
      const auto index = read_le(b, p, 2);
      const std::uint64_t obj_size = read_le(b, p + 8, len);
      const std::uint64_t need = index == 0 ? obj_size : obj_header + (obj_size + 7) / 8 * 8;
      if (need < obj_header || need > end - p || obj_size > end - p)
        return format_error(w, "damaged global heap (variable-length strings): object " + std::to_string(index) +
                                   " of the collection at byte " + std::to_string(pos) + " claims " +
                                   std::to_string(obj_size) + " bytes, which does not fit the collection");
      p += static_cast<std::size_t>(need);
    }
  }
  return {};
}

std::shared_ptr<HeapCheck> HeapCheck::file(std::string path) {
  std::shared_ptr<HeapCheck> h(new HeapCheck());
  h->path_ = std::move(path);
  return h;
}

std::shared_ptr<HeapCheck> HeapCheck::image(std::string_view bytes) {
  std::shared_ptr<HeapCheck> h(new HeapCheck());
  h->image_.assign(bytes);
  h->mapped_ = true;
  return h;
}

HeapCheck::~HeapCheck() {
  if (map_) ::munmap(const_cast<char*>(map_), map_size_);
}

std::string_view HeapCheck::bytes() {
  if (!mapped_) {
    mapped_ = true;
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0 && st.st_size > 0) {
      void* m = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (m != MAP_FAILED) {
        map_ = static_cast<const char*>(m);
        map_size_ = static_cast<std::size_t>(st.st_size);
      }
    }
    if (fd >= 0) ::close(fd);
  }
  return map_ ? std::string_view(map_, map_size_) : std::string_view(image_);
}

Status HeapCheck::collections(const Where& w) {
  if (!checked_) {
    checked_ = true;
    if (auto st = validate_global_heaps(bytes(), Where{w.file, "", nullptr}); !st) failure_ = st.error();
  }
  if (failure_) return *failure_;
  return {};
}

Status HeapCheck::references(const unsigned char* refs, std::size_t n, std::size_t ref_size, const Where& w,
                             const std::string& label) {
  const std::string_view b = bytes();
  static constexpr char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  std::size_t sb = 0;
  unsigned off = 0, len = 0;
  for (std::size_t base = 0; base + 16 <= b.size(); base = base ? base * 2 : 512)
    if (std::memcmp(b.data() + base, kSignature, 8) == 0) {
      const bool old = static_cast<unsigned char>(b[base + 8]) < 2;
      off = static_cast<unsigned char>(b[base + (old ? 13 : 9)]);
      len = static_cast<unsigned char>(b[base + (old ? 14 : 10)]);
      sb = base;
      break;
    }
  auto bad = [&](const std::string& what) {
    return format_error(w, label + ": damaged variable-length string reference: " + what);
  };
  if ((off != 2 && off != 4 && off != 8) || (len != 2 && len != 4 && len != 8)) return bad("unknown address size");
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char* r = refs + i * ref_size;
    const std::string_view ref(reinterpret_cast<const char*>(r), 8 + off);
    const std::uint64_t length = read_le(ref, 0, 4), addr = read_le(ref, 4, off), index = read_le(ref, 4 + off, 4);
    if (length == 0) continue;  // an empty string: HDF5 does not look into the heap
    if (length > (std::uint64_t(1) << 24)) return bad("a string of " + std::to_string(length) + " bytes");
    // Addresses are relative to the superblock's base (its position when there is a user block).
    std::size_t pos = std::string_view::npos;
    for (const std::uint64_t at : {addr, addr + sb})
      if (at < b.size() && b.size() - at >= 8 + len && b.compare(static_cast<std::size_t>(at), 4, "GCOL") == 0 &&
          b[static_cast<std::size_t>(at) + 4] == 1) {
        pos = static_cast<std::size_t>(at);
        break;
      }
    if (pos == std::string_view::npos) return bad("no heap collection at address " + std::to_string(addr));
    if (index == 0) return bad("object index 0 (the free space)");
    // The collection was validated: walk its objects as HDF5 does (validate_global_heaps); the
    // last object with that index is the one HDF5 reads.
    const std::size_t end = pos + static_cast<std::size_t>(read_le(b, pos + 8, len));
    std::optional<std::uint64_t> found_size;
    for (std::size_t p = pos + 8 + len; p + 8 + len <= end;) {
      const auto idx = read_le(b, p, 2);
      const std::uint64_t size = read_le(b, p + 8, len);
      if (idx == index) found_size = size;
      const std::uint64_t step = idx == 0 ? size : 8 + len + (size + 7) / 8 * 8;
      if (step < 8 + len || step > end - p) break;  // cannot happen after validation; never loop
      p += static_cast<std::size_t>(step);
    }
    if (!found_size) return bad("no object " + std::to_string(index) + " in the heap collection at address " + std::to_string(addr));
    if (*found_size != length)
      return bad("object " + std::to_string(index) + " holds " + std::to_string(*found_size) +
                 " bytes, the reference says " + std::to_string(length));
  }
  return {};
}

Error write_error(const Where& w, const std::string& what) {
  const StackInfo s = take_error_stack();
  if (s.no_space) return make_error(Errc::disk_full, w.prefix() + what + ": no space left (" + s.detail + ")");
  return make_error(Errc::io_error, w.prefix() + what + (s.detail.empty() ? "" : " (" + s.detail + ")"));
}

Error read_error(const Where& w, const std::string& what) {
  const StackInfo s = take_error_stack();
  return make_error(Errc::format_error,
                    w.prefix() + what + (s.detail.empty() ? "" : " (HDF5: " + s.detail + ")"));
}

std::string class_name(H5T_class_t c) {
  switch (c) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "float";
    case H5T_STRING: return "string";
    case H5T_BITFIELD: return "bitfield";
    case H5T_OPAQUE: return "opaque";
    case H5T_COMPOUND: return "compound";
    case H5T_REFERENCE: return "reference";
    case H5T_ENUM: return "enum";
    case H5T_VLEN: return "variable-length sequence";
    case H5T_ARRAY: return "array";
    default: return "unknown type";
  }
}

namespace {

bool is_numeric(H5T_class_t c) { return c == H5T_INTEGER || c == H5T_FLOAT; }

// Element count of a dataspace; scalar = 1; -1 for a null dataspace.
hssize_t element_count(hid_t space) {
  if (H5Sget_simple_extent_type(space) == H5S_NULL) return -1;
  return H5Sget_simple_extent_npoints(space);
}

int rank_of(hid_t space) {
  return H5Sget_simple_extent_type(space) == H5S_SCALAR ? 0 : H5Sget_simple_extent_ndims(space);
}

std::string attr_label(const char* name) { return std::string("attribute '") + name + "'"; }

// Raw variable-length references: HDF5 1.10 cannot hand them out through its API, so a
// conversion function from any variable-length string to an opaque type tagged kRawRefTag is
// registered; HDF5 passes it the attribute's or dataset's bytes as stored on disk (length, heap
// collection address, object index), which it copies unchanged.
constexpr std::size_t kRawRefSize = 32;  // >= 4 + the largest address size (16) + 4
constexpr const char* kRawRefTag = "insole:variable-length reference on disk";

herr_t copy_raw_references(hid_t src, hid_t dst, H5T_cdata_t* cdata, std::size_t n, std::size_t buf_stride,
                           std::size_t, void* buf, void*, hid_t) {
  switch (cdata->command) {
    case H5T_CONV_INIT: {
      if (H5Tis_variable_str(src) <= 0 || H5Tget_class(dst) != H5T_OPAQUE) return -1;
      char* tag = H5Tget_tag(dst);
      const bool ours = tag && std::strcmp(tag, kRawRefTag) == 0;
      if (tag) H5free_memory(tag);
      if (!ours) return -1;
      cdata->need_bkg = H5T_BKG_NO;
      return 0;
    }
    case H5T_CONV_FREE:
      return 0;
    case H5T_CONV_CONV: {
      const std::size_t s = H5Tget_size(src), d = H5Tget_size(dst);
      if (s == 0 || s > d) return -1;
      auto* b = static_cast<unsigned char*>(buf);
      const std::size_t ss = buf_stride ? buf_stride : s, ds = buf_stride ? buf_stride : d;
      for (std::size_t i = n; i-- > 0;) {  // widening in place: from the back
        std::memmove(b + i * ds, b + i * ss, s);
        std::memset(b + i * ds + s, 0, d - s);
      }
      return 0;
    }
    default:
      return -1;
  }
}

hid_t raw_reference_type() {
  static hid_t type = [] {
    const hid_t t = H5Tcreate(H5T_OPAQUE, kRawRefSize);
    H5Tset_tag(t, kRawRefTag);
    Hid vl(H5Tcopy(H5T_C_S1));
    H5Tset_size(vl.get(), H5T_VARIABLE);
    H5Tregister(H5T_PERS_SOFT, "insole_raw_vl_references", vl.get(), t, copy_raw_references);
    return t;
  }();
  return type;
}

// Reads strings from an attribute or dataset whose file type is `ftype` (class string).
// `reader(memtype, buffer)` performs the H5Aread/H5Dread.
template <class ReadFn>
Result<std::vector<std::string>> read_strings(hid_t ftype, std::size_t n, ReadFn reader,
                                             const Where& w, const std::string& label) {
  std::vector<std::string> out;
  if (n == 0) return out;
  const htri_t is_vl = H5Tis_variable_str(ftype);
  if (is_vl < 0) return read_error(w, label + ": cannot inspect the string type");
  if (is_vl > 0 && w.heaps) {
    // Before HDF5 follows the references: the heap collections are sound and every reference
    // names an object of its own length (HDF5 1.10 checks neither; see HeapCheck).
    if (auto st = w.heaps->collections(w); !st) return st.error();
    std::vector<unsigned char> raw(n * kRawRefSize);
    if (reader(raw_reference_type(), raw.data()) < 0)
      return read_error(w, label + ": cannot read the string references");
    if (auto st = w.heaps->references(raw.data(), n, kRawRefSize, w, label); !st) return st.error();
  }
  Hid mem(H5Tcopy(H5T_C_S1));
  H5Tset_cset(mem.get(), H5Tget_cset(ftype) == H5T_CSET_UTF8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
  if (is_vl > 0) {
    H5Tset_size(mem.get(), H5T_VARIABLE);
    std::vector<char*> ptrs(n, nullptr);
    if (reader(mem.get(), ptrs.data()) < 0) return read_error(w, label + ": cannot read strings");
    for (char* p : ptrs) {
      out.emplace_back(p ? p : "");
      if (p) H5free_memory(p);
    }
    return out;
  }
  const std::size_t width = H5Tget_size(ftype);
  if (width == 0 || width > (std::size_t(1) << 24))
    return format_error(w, label + ": fixed-length strings of absurd width " + std::to_string(width));
  if (double(n) * double(width) > 64.0 * 1024 * 1024)
    return format_error(w, label + ": " + std::to_string(n) + " strings of " + std::to_string(width) +
                               " bytes are more text than this toolkit reads (64 MiB)");
  H5Tset_size(mem.get(), width);
  H5Tset_strpad(mem.get(), H5T_STR_NULLPAD);
  std::vector<char> buf(n * width);
  if (reader(mem.get(), buf.data()) < 0) return read_error(w, label + ": cannot read strings");
  for (std::size_t i = 0; i < n; ++i) {
    const char* s = buf.data() + i * width;
    std::size_t len = ::strnlen(s, width);
    // Space-padded (Fortran, MATLAB) strings: trim the padding.
    if (H5Tget_strpad(ftype) == H5T_STR_SPACEPAD)
      while (len > 0 && s[len - 1] == ' ') --len;
    out.emplace_back(s, len);
  }
  return out;
}

}  // namespace

bool has_attr(hid_t obj, const char* name) { return H5Aexists(obj, name) > 0; }

Result<std::string> read_string_attr(hid_t obj, const char* name, const Where& w) {
  const std::string label = attr_label(name);
  if (!has_attr(obj, name)) return format_error(w, "missing " + label + " (a string)");
  Hid attr(H5Aopen(obj, name, H5P_DEFAULT));
  if (!attr.valid()) return read_error(w, "cannot open " + label);
  Hid type(H5Aget_type(attr.get()));
  Hid space(H5Aget_space(attr.get()));
  if (H5Tget_class(type.get()) != H5T_STRING)
    return format_error(w, label + " must be a string, found " +
                               class_name(H5Tget_class(type.get())));
  if (element_count(space.get()) != 1)
    return format_error(w, label + " must be a single string");
  auto v = read_strings(
      type.get(), 1, [&](hid_t mem, void* buf) { return H5Aread(attr.get(), mem, buf); }, w, label);
  if (!v) return v.error();
  return std::move(v->front());
}

Result<std::vector<double>> read_number_array_attr(hid_t obj, const char* name, const Where& w) {
  const std::string label = attr_label(name);
  if (!has_attr(obj, name)) return format_error(w, "missing " + label + " (a number)");
  Hid attr(H5Aopen(obj, name, H5P_DEFAULT));
  if (!attr.valid()) return read_error(w, "cannot open " + label);
  Hid type(H5Aget_type(attr.get()));
  Hid space(H5Aget_space(attr.get()));
  const H5T_class_t c = H5Tget_class(type.get());
  if (!is_numeric(c)) return format_error(w, label + " must be numeric, found " + class_name(c));
  const hssize_t n = element_count(space.get());
  if (n < 0 || n > 1'000'000) return format_error(w, label + " has no or too many values");
  if (rank_of(space.get()) > 1) return format_error(w, label + " must be a scalar or a 1-D array");
  std::vector<double> v(static_cast<std::size_t>(n));
  if (n > 0 && H5Aread(attr.get(), H5T_NATIVE_DOUBLE, v.data()) < 0)
    return read_error(w, "cannot read " + label);
  return v;
}

Result<double> read_number_attr(hid_t obj, const char* name, const Where& w) {
  auto v = read_number_array_attr(obj, name, w);
  if (!v) return v.error();
  if (v->size() != 1)
    return format_error(w, attr_label(name) + " must be a single number, found " +
                               std::to_string(v->size()) + " values");
  return v->front();
}

namespace {

std::string format_number(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

struct AttrNames {
  std::vector<std::string> names;
};

herr_t collect_attr_name(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<AttrNames*>(data)->names.emplace_back(name);
  return 0;
}

}  // namespace

Result<std::map<std::string, std::string>> read_text_attrs(hid_t obj, const Where& w) {
  AttrNames names;
  hsize_t idx = 0;
  if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr_name, &names) < 0)
    return read_error(w, "cannot list attributes");
  std::map<std::string, std::string> out;
  for (const auto& name : names.names) {
    Hid attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
    if (!attr.valid()) return read_error(w, "cannot open " + attr_label(name.c_str()));
    Hid type(H5Aget_type(attr.get()));
    const H5T_class_t c = H5Tget_class(type.get());
    if (c == H5T_STRING) {
      auto s = read_string_attr(obj, name.c_str(), w);
      if (!s) return s.error();
      out[name] = std::move(*s);
    } else if (is_numeric(c)) {
      auto v = read_number_array_attr(obj, name.c_str(), w);
      if (!v) return v.error();
      Hid space(H5Aget_space(attr.get()));
      if (rank_of(space.get()) == 0 && v->size() == 1) {
        out[name] = format_number(v->front());
      } else {
        std::string text = "[";
        for (std::size_t i = 0; i < v->size(); ++i)
          text += (i ? ", " : "") + format_number((*v)[i]);
        out[name] = text + "]";
      }
    } else {
      return format_error(w, attr_label(name.c_str()) +
                                 " must be a string or a number (free metadata), found " +
                                 class_name(c));
    }
  }
  return out;
}

namespace {

Status write_attr(hid_t obj, const char* name, hid_t ftype, hid_t space, hid_t mtype,
                  const void* buf, const Where& w) {
  if (H5Aexists(obj, name) > 0 && H5Adelete(obj, name) < 0)
    return write_error(w, std::string("cannot replace attribute '") + name + "'");
  Hid attr(H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return write_error(w, std::string("cannot create attribute '") + name + "'");
  if (H5Awrite(attr.get(), mtype, buf) < 0)
    return write_error(w, std::string("cannot write attribute '") + name + "'");
  return {};
}

}  // namespace

Hid fixed_string_type(std::size_t width) {
  Hid t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t.get(), std::max<std::size_t>(width, 1));
  H5Tset_strpad(t.get(), H5T_STR_NULLPAD);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

namespace {

}  // namespace

Status write_string_attr(hid_t obj, const char* name, const std::string& value, const Where& w) {
  // Fixed-length UTF-8: stored inside the (checksummed) object header. Variable-length strings
  // live in HDF5's global heap, which has no checksum and which HDF5 1.10 reads unchecked.
  Hid type = fixed_string_type(value.size());
  Hid space(H5Screate(H5S_SCALAR));
  std::string padded = value;
  padded.resize(std::max<std::size_t>(value.size(), 1), '\0');
  return write_attr(obj, name, type.get(), space.get(), type.get(), padded.data(), w);
}

Status write_double_attr(hid_t obj, const char* name, double value, const Where& w) {
  Hid space(H5Screate(H5S_SCALAR));
  return write_attr(obj, name, H5T_IEEE_F64LE, space.get(), H5T_NATIVE_DOUBLE, &value, w);
}

Status write_int_attr(hid_t obj, const char* name, std::int64_t value, const Where& w) {
  Hid space(H5Screate(H5S_SCALAR));
  return write_attr(obj, name, H5T_STD_I64LE, space.get(), H5T_NATIVE_INT64, &value, w);
}

Status write_double_array_attr(hid_t obj, const char* name, const std::vector<double>& v,
                               const Where& w) {
  const hsize_t n = v.size();
  Hid space(H5Screate_simple(1, &n, nullptr));
  return write_attr(obj, name, H5T_IEEE_F64LE, space.get(), H5T_NATIVE_DOUBLE, v.data(), w);
}

bool link_exists(hid_t loc, const char* name) { return H5Lexists(loc, name, H5P_DEFAULT) > 0; }

H5O_type_t object_type(hid_t loc, const char* name) {
  if (!link_exists(loc, name)) return H5O_TYPE_UNKNOWN;
  // An external link would make HDF5 open another file named inside this one (any path on the
  // machine): reported as "another kind of object", never followed.
  H5L_info_t link;
  if (H5Lget_info(loc, name, &link, H5P_DEFAULT) < 0) return H5O_TYPE_UNKNOWN;
  if (link.type != H5L_TYPE_HARD && link.type != H5L_TYPE_SOFT) return H5O_TYPE_NTYPES;
  H5O_info_t info;
  if (H5Oget_info_by_name2(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
    return H5O_TYPE_UNKNOWN;  // the error stays on the stack for format_error to report
  return info.type;
}

namespace {

herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

}  // namespace

Result<std::vector<std::string>> child_names(hid_t group, const Where& w) {
  H5_index_t index = H5_INDEX_NAME;
  Hid gcpl(H5Gget_create_plist(group));
  unsigned flags = 0;
  if (gcpl.valid() && H5Pget_link_creation_order(gcpl.get(), &flags) >= 0 &&
      (flags & H5P_CRT_ORDER_TRACKED))
    index = H5_INDEX_CRT_ORDER;
  std::vector<std::string> names;
  hsize_t idx = 0;
  if (index == H5_INDEX_CRT_ORDER &&
      H5Literate(group, index, H5_ITER_INC, &idx, collect_link, &names) >= 0)
    return names;
  // Not tracked (or tracked without an index HDF5 can use): alphabetical order.
  H5Eclear2(H5E_DEFAULT);
  names.clear();
  idx = 0;
  if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_link, &names) < 0)
    return read_error(w, "cannot list the members of the group");
  return names;
}

Result<NumericDataset> open_numeric_dataset(hid_t loc, const char* name, const Where& w) {
  const Where here = w.at(name);
  const H5O_type_t t = object_type(loc, name);
  if (t == H5O_TYPE_UNKNOWN) return format_error(here, "missing dataset");
  if (t != H5O_TYPE_DATASET)
    return format_error(here, "expected a dataset, found a group, an external link or another kind of object");
  NumericDataset ds;
  ds.id = Hid(H5Dopen2(loc, name, H5P_DEFAULT));
  if (!ds.id.valid()) return read_error(here, "cannot open the dataset");
  Hid type(H5Dget_type(ds.id.get()));
  ds.type_class = H5Tget_class(type.get());
  if (!is_numeric(ds.type_class))
    return format_error(here, "expected a numeric (float or integer) dataset, found " +
                                  class_name(ds.type_class));
  Hid space(H5Dget_space(ds.id.get()));
  if (H5Sget_simple_extent_type(space.get()) != H5S_SIMPLE)
    return format_error(here, "expected an array, found a scalar or empty dataspace");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 1 || rank > 8) return read_error(here, "cannot read the dataspace");
  ds.dims.resize(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), ds.dims.data(), nullptr);
  return ds;
}

Status check_stored(const NumericDataset& ds, hsize_t rows, const Where& w, double max_chunk_bytes,
                    double max_deflate_ratio) {
  Hid type(H5Dget_type(ds.id.get()));
  const double elem = static_cast<double>(H5Tget_size(type.get()));
  double row_elems = 1;
  for (std::size_t i = 1; i < ds.dims.size(); ++i) row_elems *= static_cast<double>(ds.dims[i]);
  Hid dcpl(H5Dget_create_plist(ds.id.get()));
  if (!dcpl.valid()) return read_error(w, "cannot read the dataset's storage properties");
  const H5D_layout_t layout = H5Pget_layout(dcpl.get());
  if (layout == H5D_VIRTUAL)
    return format_error(w, "is a virtual dataset (its data would come from other files); store the data in this file");
  if (H5Pget_external_count(dcpl.get()) > 0)
    return format_error(w, "keeps its data in external files; store the data in this file");
  if (layout != H5D_CHUNKED && layout != H5D_CONTIGUOUS && layout != H5D_COMPACT)
    return format_error(w, "has an unknown storage layout");
  double ratio = 1.0;
  if (layout == H5D_CHUNKED) {
    std::vector<hsize_t> chunk(ds.dims.size(), 0);
    if (H5Pget_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()) < 0)
      return read_error(w, "cannot read the chunk shape");
    double chunk_bytes = elem;
    for (hsize_t c : chunk) chunk_bytes *= static_cast<double>(c);
    if (chunk_bytes > max_chunk_bytes)
      return format_error(w, "chunks of " + std::to_string(static_cast<long long>(chunk_bytes)) +
                                 " bytes are larger than this toolkit reads (" +
                                 std::to_string(static_cast<long long>(max_chunk_bytes)) +
                                 "); rechunk the dataset (e.g. h5repack -l CHUNK=...)");
    const int nfilters = H5Pget_nfilters(dcpl.get());
    for (int i = 0; i < nfilters && ratio > 0; ++i) {
      unsigned flags = 0, config = 0;
      std::size_t nelem = 0;
      const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &nelem, nullptr, 0,
                                             nullptr, &config);
      if (id == H5Z_FILTER_DEFLATE) ratio = std::max(ratio, max_deflate_ratio);
      else if (id != H5Z_FILTER_SHUFFLE && id != H5Z_FILTER_FLETCHER32) ratio = 0;  // bound unknown
    }
  }
  if (ratio > 0) {
    // Rows that are stored occupy at least their bytes / ratio on disk. Unstored chunks read as
    // the fill value, so a header claiming billions of rows over a few stored bytes is damage.
    const double logical = static_cast<double>(rows) * row_elems * elem;
    const double stored = static_cast<double>(H5Dget_storage_size(ds.id.get()));
    if (logical > ratio * stored + 64)
      return format_error(w, "claims " + std::to_string(rows) + " rows (" +
                                 std::to_string(static_cast<long long>(logical)) + " bytes) but the file stores only " +
                                 std::to_string(static_cast<long long>(stored)) +
                                 " bytes of it (damaged or truncated file?)");
  }
  return {};
}

Status read_rows(const NumericDataset& ds, hsize_t first, hsize_t count, hid_t mem, void* out,
                 const Where& w) {
  if (count == 0) return {};
  Hid fspace(H5Dget_space(ds.id.get()));
  std::vector<hsize_t> start(ds.dims.size(), 0), extent = ds.dims;
  start[0] = first;
  extent[0] = count;
  if (H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(),
                          nullptr) < 0)
    return read_error(w, "cannot select rows");
  Hid mspace(H5Screate_simple(static_cast<int>(extent.size()), extent.data(), nullptr));
  if (H5Dread(ds.id.get(), mem, mspace.get(), fspace.get(), H5P_DEFAULT, out) < 0)
    return read_error(w, "cannot read rows " + std::to_string(first) + ".." +
                             std::to_string(first + count - 1) + " (damaged or truncated data)");
  return {};
}

Result<std::vector<std::string>> read_string_dataset(hid_t loc, const char* name, hsize_t count,
                                                     const Where& w) {
  const Where here = w.at(name);
  if (object_type(loc, name) != H5O_TYPE_DATASET) return format_error(here, "missing dataset (strings)");
  Hid ds(H5Dopen2(loc, name, H5P_DEFAULT));
  if (!ds.valid()) return read_error(here, "cannot open the dataset");
  Hid type(H5Dget_type(ds.get()));
  if (H5Tget_class(type.get()) != H5T_STRING)
    return format_error(here, "expected a string dataset, found " +
                                  class_name(H5Tget_class(type.get())));
  Hid space(H5Dget_space(ds.get()));
  if (rank_of(space.get()) != 1) return format_error(here, "expected a 1-D dataset of strings");
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space.get(), &n, nullptr);
  if (n < count)
    return format_error(here, "has " + std::to_string(n) + " entries, expected at least " +
                                  std::to_string(count));
  if (count == 0) return std::vector<std::string>{};
  const hsize_t start = 0;
  Hid fspace(H5Dget_space(ds.get()));
  H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr);
  Hid mspace(H5Screate_simple(1, &count, nullptr));
  return read_strings(
      type.get(), static_cast<std::size_t>(count),
      [&](hid_t mem, void* buf) {
        return H5Dread(ds.get(), mem, mspace.get(), fspace.get(), H5P_DEFAULT, buf);
      },
      here, "dataset");
}

Result<std::string> read_scalar_string_dataset(hid_t loc, const char* name, const Where& w) {
  const Where here = w.at(name);
  if (object_type(loc, name) != H5O_TYPE_DATASET) return format_error(here, "missing dataset (a string)");
  Hid ds(H5Dopen2(loc, name, H5P_DEFAULT));
  if (!ds.valid()) return read_error(here, "cannot open the dataset");
  Hid type(H5Dget_type(ds.get()));
  if (H5Tget_class(type.get()) != H5T_STRING)
    return format_error(here, "expected a string, found " + class_name(H5Tget_class(type.get())));
  Hid space(H5Dget_space(ds.get()));
  if (element_count(space.get()) != 1) return format_error(here, "expected a single string");
  auto v = read_strings(
      type.get(), 1,
      [&](hid_t mem, void* buf) { return H5Dread(ds.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf); },
      here, "dataset");
  if (!v) return v.error();
  return std::move(v->front());
}

Status write_scalar_string_dataset(hid_t loc, const char* name, const std::string& value,
                                   const Where& w) {
  Hid type = fixed_string_type(value.size());
  Hid space(H5Screate(H5S_SCALAR));
  Hid ds(H5Dcreate2(loc, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!ds.valid()) return write_error(w.at(name), "cannot create the dataset");
  std::string padded = value;
  padded.resize(std::max<std::size_t>(value.size(), 1), '\0');
  if (H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, padded.data()) < 0)
    return write_error(w.at(name), "cannot write the dataset");
  return {};
}

int file_descriptor(hid_t file) {
  Hid fapl(H5Fget_access_plist(file));
  if (!fapl.valid() || H5Pget_driver(fapl.get()) != H5FD_SEC2) return -1;
  void* handle = nullptr;
  if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || !handle) {
    H5Eclear2(H5E_DEFAULT);
    return -1;
  }
  return *static_cast<int*>(handle);
}

}  // namespace insole::io::h5

// HDF5 1.10 leaks memory when damaged metadata fails to load (an HDF5 bug, outside our code).
// In sanitizer builds LeakSanitizer would fail every program that was handed a corrupt file.
// This hook, read only by LeakSanitizer, ignores leaks of memory allocated inside libhdf5 (whose
// stripped frames are the only ones LeakSanitizer's fast unwinder sees there). Leaks of memory
// our own code allocates are still reported.
extern "C" const char* __lsan_default_suppressions();
extern "C" __attribute__((used)) const char* __lsan_default_suppressions() { return "leak:libhdf5\n"; }
