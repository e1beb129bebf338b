#pragma once
// Result<T>: the return type of every operation that can fail for reasons outside the program's
// control (missing file, malformed input, timeout, bad checksum). Programmer errors throw instead.

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace insole {

/// What kind of failure happened. Stable: CLI exit codes and batch CSV rows are derived from it.
enum class Errc {
  invalid_argument,  ///< a parameter or option value is out of range or malformed
  not_found,         ///< file, stream, port or object does not exist
  io_error,          ///< the operating system refused a read or write
  format_error,      ///< input exists but does not follow its format (names the place)
  unsupported,       ///< valid input that this build cannot handle
  timeout,           ///< nothing arrived in the allotted time
  checksum,          ///< data integrity check failed
  end_of_stream,     ///< a source has no more frames
  disconnected,      ///< a device went away
  disk_full,         ///< no space left while writing
  cancelled,         ///< stopped on request
  no_data,           ///< input is valid but holds nothing to analyse
};

std::string_view to_string(Errc code) noexcept;

/// An expected runtime failure: a code and a message for a human that names what was wrong.
struct Error {
  Errc code;
  std::string message;
};

/// Thrown only by Result::value() on misuse (reading the value of a failed result).
class BadResultAccess : public std::logic_error {
 public:
  explicit BadResultAccess(const Error& e)
      : std::logic_error("value() called on a failed Result: " + e.message) {}
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    check();
    return std::get<0>(v_);
  }
  const T& value() const& {
    check();
    return std::get<0>(v_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  /// The error; only valid when !ok().
  const Error& error() const {
    if (ok()) throw std::logic_error("error() called on a successful Result");
    return std::get<1>(v_);
  }

 private:
  void check() const {
    if (!ok()) throw BadResultAccess(std::get<1>(v_));
  }
  std::variant<T, Error> v_;
};

/// Result of an operation that returns nothing on success.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), failed_(true) {}  // NOLINT
  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const Error& error() const {
    if (!failed_) throw std::logic_error("error() called on a successful Result");
    return err_;
  }

 private:
  Error err_{Errc::invalid_argument, {}};
  bool failed_ = false;
};

using Status = Result<void>;

/// Shorthand for building an Error.
inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace insole
