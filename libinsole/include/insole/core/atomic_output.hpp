#pragma once
// Writing an output file so that a failure never leaves it half-written: everything goes to a
// temporary file next to the target (same directory, hence same filesystem, so the final rename is
// atomic); commit() flushes the data to disk (fsync) and renames it over the target. Until
// commit() succeeds an existing target file is untouched, and if commit() is never called (error,
// exception, early return) the destructor removes the temporary. Design note §3.3: a bad input or
// a full disk never damages or truncates an existing output file.

#include <filesystem>
#include <string_view>

#include "insole/core/result.hpp"

namespace insole {

class AtomicOutput {
 public:
  /// Reserves a fresh temporary file "<dir>/.<name>.tmp-XXXXXX" next to `target` (created empty,
  /// mode 0644 minus umask). Fails with Errc::not_found when the directory does not exist and
  /// Errc::io_error when it cannot be written.
  static Result<AtomicOutput> create(const std::filesystem::path& target);

  /// Where to write the contents (by any means: streams, stdio, a library such as HDF5).
  const std::filesystem::path& temp_path() const noexcept { return temp_; }
  const std::filesystem::path& target() const noexcept { return target_; }

  /// fsyncs the temporary, renames it over the target and fsyncs the directory. The writer of
  /// temp_path() must have closed it first. Errc::disk_full when the disk filled up, Errc::io_error
  /// otherwise; on failure the temporary is removed and the target is untouched. Calling it twice
  /// is a programmer error (throws std::logic_error).
  Status commit();

  /// Removes the temporary unless commit() succeeded.
  ~AtomicOutput();
  AtomicOutput(AtomicOutput&& other) noexcept;
  AtomicOutput& operator=(AtomicOutput&& other) noexcept;
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

 private:
  AtomicOutput(std::filesystem::path target, std::filesystem::path temp)
      : target_(std::move(target)), temp_(std::move(temp)) {}
  void discard() noexcept;

  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool active_ = true;  // false after commit() or when moved from
};

/// Writes `contents` to `target` through an AtomicOutput (all or nothing).
Status write_file_atomically(const std::filesystem::path& target, std::string_view contents);

}  // namespace insole
