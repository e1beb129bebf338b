#pragma once
// Small RAII and error helpers over the HDF5 C API, private to insole::io. Only io/ includes HDF5.

#include <hdf5.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "insole/core/result.hpp"

namespace insole::io::h5 {

/// Owns one HDF5 identifier (file, group, dataset, dataspace, type, property list, attribute).
class Hid {
 public:
  Hid() = default;
  explicit Hid(hid_t id) noexcept : id_(id) {}
  ~Hid() { reset(); }
  Hid(Hid&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  Hid& operator=(Hid&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;

  hid_t get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  void reset() noexcept;
  hid_t release() noexcept {
    const hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

/// Turns HDF5's automatic error-stack printing off for this thread for the guard's lifetime
/// (thread-safe builds keep the setting per thread, so every public entry point takes one).
class QuietErrors {
 public:
  QuietErrors() noexcept;
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t old_func_ = nullptr;
  void* old_data_ = nullptr;
};

/// The innermost message of the current HDF5 error stack (then cleared) and whether the operating
/// system reported that the disk is full (ENOSPC, EDQUOT, EFBIG).
struct StackInfo {
  std::string detail;
  bool no_space = false;
};
StackInfo take_error_stack();

struct Where;

/// The bytes of a file being read, for checks HDF5 1.10 does not make before it follows
/// variable-length string references (see read_strings): the global heap collections are
/// validated once (validate_global_heaps), and each reference is checked against them.
class HeapCheck {
 public:
  /// A file on disk: mapped read-only on first use.
  static std::shared_ptr<HeapCheck> file(std::string path);
  /// A file image: copied.
  static std::shared_ptr<HeapCheck> image(std::string_view bytes);
  ~HeapCheck();
  HeapCheck(const HeapCheck&) = delete;
  HeapCheck& operator=(const HeapCheck&) = delete;
  /// The heap collections are sound (checked once); else the error, naming `w`'s file.
  Status collections(const Where& w);
  /// Each of `n` raw disk references (4-byte length, heap collection address, 4-byte object
  /// index; `ref_size` bytes apart) names an existing object of exactly that length.
  Status references(const unsigned char* refs, std::size_t n, std::size_t ref_size, const Where& w,
                    const std::string& label);

 private:
  HeapCheck() = default;
  std::string_view bytes();
  std::string path_, image_;
  const char* map_ = nullptr;
  std::size_t map_size_ = 0;
  bool mapped_ = false, checked_ = false;
  std::optional<Error> failure_;
};

/// Names the file and, when known, the object inside it in every message.
struct Where {
  std::string file;
  std::string object;  ///< HDF5 path, e.g. "/streams/left/pressure"; empty for the file itself
  /// The file's bytes for the variable-length string checks (shared by every Where derived from
  /// it); null for files the toolkit is writing itself.
  std::shared_ptr<HeapCheck> heaps;
  Where at(const std::string& child) const;
  std::string prefix() const;  ///< "file: /object: " or "file: "
};

Error format_error(const Where& w, const std::string& what);

/// Variable-length strings live in HDF5's global heap, whose collections carry no checksum, and
/// HDF5 1.10 copies a heap object by the size the collection states without checking it against
/// the collection (H5HG_read): a damaged size reads past the heap's buffer. This checks, in the
/// file's bytes, that every global heap collection ("GCOL") lies inside the file and that each of
/// its objects ends inside the collection. Runs before the first variable-length string is read.
Status validate_global_heaps(std::string_view bytes, const Where& w);
/// An error after a failed HDF5 call while writing: disk_full when the OS said so, else io_error.
Error write_error(const Where& w, const std::string& what);
/// An error after a failed HDF5 call while reading: format_error with HDF5's own reason appended.
Error read_error(const Where& w, const std::string& what);

std::string class_name(H5T_class_t c);

// ---- attributes (reading) ----
bool has_attr(hid_t obj, const char* name);
Result<std::string> read_string_attr(hid_t obj, const char* name, const Where& w);
Result<double> read_number_attr(hid_t obj, const char* name, const Where& w);
Result<std::vector<double>> read_number_array_attr(hid_t obj, const char* name, const Where& w);
/// All attributes of a group as text: strings as they are, numbers formatted ("%.17g"),
/// 1-D numeric arrays as "[a, b, ...]"; anything else is a format error.
Result<std::map<std::string, std::string>> read_text_attrs(hid_t obj, const Where& w);

// ---- attributes (writing) ----
Status write_string_attr(hid_t obj, const char* name, const std::string& value, const Where& w);
Status write_double_attr(hid_t obj, const char* name, double value, const Where& w);
Status write_int_attr(hid_t obj, const char* name, std::int64_t value, const Where& w);
Status write_double_array_attr(hid_t obj, const char* name, const std::vector<double>& v,
                               const Where& w);

// ---- objects ----
bool link_exists(hid_t loc, const char* name);
/// H5O_TYPE_GROUP / H5O_TYPE_DATASET / H5O_TYPE_UNKNOWN when absent or not resolvable /
/// H5O_TYPE_NTYPES for an external or user-defined link (never followed).
H5O_type_t object_type(hid_t loc, const char* name);
/// Child link names of a group, in creation order when the group tracks it, else by name.
Result<std::vector<std::string>> child_names(hid_t group, const Where& w);

/// A dataset opened for reading with its extent checked to be numeric (integer or float).
struct NumericDataset {
  Hid id;
  std::vector<hsize_t> dims;
  H5T_class_t type_class = H5T_NO_CLASS;
};
Result<NumericDataset> open_numeric_dataset(hid_t loc, const char* name, const Where& w);
/// Checks, before anything is allocated for it, that the first `rows` rows of the dataset are
/// stored in this file: no virtual or external storage; chunks of at most `max_chunk_bytes`; and,
/// when the filters are known (none, shuffle, fletcher32, deflate), stored bytes that can hold
/// `rows` rows at the filters' best compression (`max_deflate_ratio` with deflate, else 1).
Status check_stored(const NumericDataset& ds, hsize_t rows, const Where& w, double max_chunk_bytes,
                    double max_deflate_ratio);
/// Reads rows [first, first + count) along the first dimension into `out` (memory type `mem`).
Status read_rows(const NumericDataset& ds, hsize_t first, hsize_t count, hid_t mem, void* out,
                 const Where& w);

/// Strings of a 1-D string dataset (fixed or variable length), rows [0, count).
Result<std::vector<std::string>> read_string_dataset(hid_t loc, const char* name, hsize_t count,
                                                     const Where& w);
/// Scalar or 1-element string dataset.
Result<std::string> read_scalar_string_dataset(hid_t loc, const char* name, const Where& w);
/// Fixed-length UTF-8 string type, null-padded, `width` bytes (at least 1).
Hid fixed_string_type(std::size_t width);
Status write_scalar_string_dataset(hid_t loc, const char* name, const std::string& value,
                                   const Where& w);

/// The file descriptor of an HDF5 file opened with the default (sec2) driver, or -1.
int file_descriptor(hid_t file);

}  // namespace insole::io::h5
