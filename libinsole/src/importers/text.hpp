#pragma once
// Shared text plumbing for the vendor importers: a line reader that accepts LF, CRLF and CR line
// endings and a UTF-8 byte-order mark, field splitting, strict number parsing, Latin-1 to UTF-8
// conversion for header values, and the "FILE:LINE: expected ..." error style.
//
// Nothing here allocates from a size claimed by a file: buffers grow only with bytes actually
// read, and every container that a file could make large is capped (kMax* below).

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"

namespace insole::importers::detail {

/// Longest line accepted (pliance rows are about 6.5 kB; pedar mask lines about 2 kB).
inline constexpr std::size_t kMaxLineBytes = 4u << 20;
/// Largest grid side accepted from a header (a zebris FDM platform is 353 sensors long).
inline constexpr int kMaxGridSide = 4096;
/// Most sensels per frame accepted.
inline constexpr long long kMaxSensels = 1'000'000;
/// Most stored values (frames x sensels) per stream: 100 M floats = 400 MB.
inline constexpr long long kMaxValuesPerStream = 100'000'000;

/// Reads lines in 64 KiB chunks. A line ends at "\n", "\r\n" or a lone "\r"; the terminator is not
/// part of the line. A UTF-8 BOM at the very start is dropped. Line numbers start at 1.
class LineReader {
 public:
  LineReader(std::istream& in, std::string source);
  /// The next line, or nullopt at end of input. Fails for a line longer than kMaxLineBytes, for
  /// control bytes other than TAB and form feed (binary input) and for UTF-16 input (detected from its byte-order mark).
  Result<std::optional<std::string_view>> next();
  /// Line number of the line last returned by next().
  std::size_t line_number() const noexcept { return line_no_; }
  const std::string& source() const noexcept { return source_; }
  /// Pushes the last line back so that next() returns it again.
  void unread() noexcept { unread_ = true; }

 private:
  bool fill();
  std::istream& in_;
  std::string source_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0;
  bool eof_ = false, started_ = false, unread_ = false, last_was_cr_ = false;
  std::string line_;
  std::size_t line_no_ = 0;
};

/// "source:line: message" as a format error.
Error format_error(const std::string& source, std::size_t line, const std::string& message);
/// Same, for the line the reader returned last.
Error format_error(const LineReader& r, const std::string& message);
/// A quoted, shortened rendering of untrusted text for messages.
std::string quote(std::string_view text);

std::string_view trim(std::string_view s) noexcept;
bool starts_with_ci(std::string_view s, std::string_view prefix) noexcept;
bool iequals(std::string_view a, std::string_view b) noexcept;
std::string to_lower(std::string_view s);

/// Splits on one delimiter character, keeping empty fields (CSV without quoting).
std::vector<std::string_view> split(std::string_view s, char delim);
/// Splits on runs of spaces and tabs; no empty fields.
std::vector<std::string_view> split_ws(std::string_view s);
/// Splits one CSV record with RFC 4180 quoting ("a,b" stays one field, "" is a quote).
std::vector<std::string> split_csv(std::string_view s);

/// Largest magnitude accepted from a file: keeps every value x unit factor (<= 1000) finite as float.
inline constexpr double kMaxAbsNumber = 1e12;
/// A finite decimal number with |v| <= kMaxAbsNumber, surrounding spaces allowed; nullopt
/// otherwise (also for "nan", "inf").
std::optional<double> parse_number(std::string_view s) noexcept;
/// An integer in [lo, hi], surrounding spaces allowed.
std::optional<long long> parse_int(std::string_view s, long long lo, long long hi) noexcept;

/// Header text as valid UTF-8: kept when it already is, else read as ISO-8859-1 (Novel exports).
std::string to_utf8(std::string_view s);

/// Collects frames of one stream in flat vectors (amortised growth, capped) and builds a Stream.
class StreamBuilder {
 public:
  explicit StreamBuilder(StreamInfo info);
  const StreamInfo& info() const noexcept { return info_; }
  StreamInfo& info() noexcept { return info_; }
  Eigen::Index sensels() const noexcept { return info_.layout.sensor_count(); }
  std::size_t frames() const noexcept { return time_s_.size(); }
  double last_time_s() const noexcept { return time_s_.empty() ? 0.0 : time_s_.back(); }
  /// Appends a frame; false when the per-stream value cap would be exceeded.
  bool add(double time_s, const float* values);
  /// The finished stream (moves the data out).
  Stream finish();

 private:
  StreamInfo info_;
  std::vector<double> time_s_;
  std::vector<float> values_;
};

/// Side guessed from a file name stem ending in "L"/"R" after a digit, '_' or '-'
/// (e.g. "FrasP01L"); nullopt when the name says nothing.
std::optional<Side> side_from_file_name(std::string_view source);

}  // namespace insole::importers::detail

namespace insole::importers::detail {

/// kPa per one unit of a pressure unit word as vendors spell it: kPa/KPa, MPa, Pa, PSI,
/// mmHg, N/cm2 (N/cm², N/cm^2), N/mm2, bar; nullopt for anything else (including "raw").
/// Factors: 1 psi = 6.894757 kPa, 1 mmHg = 0.1333224 kPa, 1 N/cm2 = 10 kPa, 1 N/mm2 = 1000 kPa.
std::optional<double> kpa_per_unit(std::string_view unit);

}  // namespace insole::importers::detail
