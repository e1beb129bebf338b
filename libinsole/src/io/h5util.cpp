#include "io/h5util.hpp"

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

// Reads strings from an attribute or dataset whose file type is `ftype` (class string).
// `reader(memtype, buffer)` performs the H5Aread/H5Dread.
template <class ReadFn>
Result<std::vector<std::string>> read_strings(hid_t ftype, std::size_t n, ReadFn reader,
                                             const Where& w, const std::string& label) {
  std::vector<std::string> out;
  if (n == 0) return out;
  const htri_t is_vl = H5Tis_variable_str(ftype);
  if (is_vl < 0) return read_error(w, label + ": cannot inspect the string type");
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
  if (t != H5O_TYPE_DATASET) return format_error(here, "expected a dataset, found a group or other object");
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
