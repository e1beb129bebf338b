#include "text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "insole/core/utf8.hpp"

namespace insole::importers::detail {

LineReader::LineReader(std::istream& in, std::string source)
    : in_(in), source_(std::move(source)), buf_(64 * 1024) {}

bool LineReader::fill() {
  if (eof_) return false;
  in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  end_ = static_cast<std::size_t>(in_.gcount());
  pos_ = 0;
  if (end_ == 0) eof_ = true;
  return end_ > 0;
}

Result<std::optional<std::string_view>> LineReader::next() {
  if (unread_) {
    unread_ = false;
    return std::optional<std::string_view>(line_);
  }
  if (!started_) {
    started_ = true;
    fill();
    if (end_ >= 2 && ((static_cast<unsigned char>(buf_[0]) == 0xFF &&
                       static_cast<unsigned char>(buf_[1]) == 0xFE) ||
                      (static_cast<unsigned char>(buf_[0]) == 0xFE &&
                       static_cast<unsigned char>(buf_[1]) == 0xFF)))
      return format_error(source_, 1,
                          "expected 8-bit text (UTF-8 or ISO-8859-1), got UTF-16 (re-export or "
                          "convert the file to UTF-8)");
    if (end_ >= 3 && static_cast<unsigned char>(buf_[0]) == 0xEF &&
        static_cast<unsigned char>(buf_[1]) == 0xBB && static_cast<unsigned char>(buf_[2]) == 0xBF)
      pos_ = 3;
  }
  line_.clear();
  bool any = false;
  for (;;) {
    if (pos_ >= end_ && !fill()) break;
    any = true;
    if (last_was_cr_) {  // "\r\n": the '\n' belongs to the previous line's terminator
      last_was_cr_ = false;
      if (buf_[pos_] == '\n') {
        ++pos_;
        continue;
      }
    }
    const char* begin = buf_.data() + pos_;
    const char* stop = buf_.data() + end_;
    // Stops at line ends and at control bytes, which no text export contains (TAB and the form
    // feed that ends an emed page excepted): binary input fails at its first control byte.
    const char* hit = std::find_if(begin, stop, [](char ch) {
      const auto c = static_cast<unsigned char>(ch);
      return (c < 0x20 && c != '\t' && c != '\f') || c == 0x7F;
    });
    if (line_.size() + static_cast<std::size_t>(hit - begin) > kMaxLineBytes)
      return format_error(source_, line_no_ + 1,
                          "expected lines shorter than " + std::to_string(kMaxLineBytes) +
                              " bytes (is this a text export?)");
    line_.append(begin, hit);
    pos_ += static_cast<std::size_t>(hit - begin);
    if (hit == stop) continue;
    if (*hit != '\n' && *hit != '\r') {
      static const char* hex = "0123456789abcdef";
      const auto c = static_cast<unsigned char>(*hit);
      return format_error(source_, line_no_ + 1,
                          std::string("expected text, got control byte 0x") + hex[c >> 4] +
                              hex[c & 15] + " (binary file?)");
    }
    last_was_cr_ = *hit == '\r';
    ++pos_;
    ++line_no_;
    return std::optional<std::string_view>(line_);
  }
  if (!any && line_.empty()) {
    if (in_.bad()) return make_error(Errc::io_error, source_ + ": read error");
    return std::optional<std::string_view>();
  }
  if (line_.empty()) return std::optional<std::string_view>();
  ++line_no_;  // last line without a terminator
  return std::optional<std::string_view>(line_);
}

std::string quote(std::string_view text) {
  std::string out = "'";
  const std::size_t limit = 60;
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7F) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else
      out += static_cast<char>(c);
  }
  if (text.size() > limit) out += "...";
  out += "'";
  return to_utf8(out);
}

Error format_error(const std::string& source, std::size_t line, const std::string& message) {
  return make_error(Errc::format_error, source + ":" + std::to_string(line) + ": " + message);
}

Error format_error(const LineReader& r, const std::string& message) {
  return format_error(r.source(), r.line_number(), message);
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

namespace {
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool starts_with_ci(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

std::vector<std::string_view> split(std::string_view s, char delim) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t p = s.find(delim, start);
    if (p == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, p - start));
    start = p + 1;
  }
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::vector<std::string> split_csv(std::string_view s) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          out.back() += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::optional<double> parse_number(std::string_view s) noexcept {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return std::nullopt;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v,
                                         std::chars_format::general);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  if (std::abs(v) > kMaxAbsNumber) return std::nullopt;
  return v;
}

std::optional<long long> parse_int(std::string_view s, long long lo, long long hi) noexcept {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v < lo || v > hi)
    return std::nullopt;
  return v;
}


std::string to_utf8(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() * 2);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::optional<double> kpa_per_unit(std::string_view unit) {
  std::string u;
  for (char c : trim(unit))
    if (c != ' ') u += lower(c);
  // "N/cm²" in UTF-8 (c2 b2) or ISO-8859-1 (b2), or written with ^2 / plain 2.
  auto is = [&](std::string_view base) {
    return u == base || u == std::string(base) + "2" || u == std::string(base) + "^2" ||
           u == std::string(base) + "\xc2\xb2" || u == std::string(base) + "\xb2";
  };
  if (u == "kpa") return 1.0;
  if (u == "mpa") return 1000.0;
  if (u == "pa") return 0.001;
  if (u == "psi") return 6.894757;
  if (u == "mmhg") return 0.1333224;
  if (u == "bar") return 100.0;
  if (is("n/cm")) return 10.0;
  if (is("n/mm")) return 1000.0;
  return std::nullopt;
}

StreamBuilder::StreamBuilder(StreamInfo info) : info_(std::move(info)) {}

bool StreamBuilder::add(double time_s, const float* values) {
  const auto n = static_cast<std::size_t>(sensels());
  if (static_cast<long long>(values_.size() + n) > kMaxValuesPerStream) return false;
  time_s_.push_back(time_s);
  values_.insert(values_.end(), values, values + n);
  return true;
}

Stream StreamBuilder::finish() {
  Stream s;
  s.info = info_;
  const auto frames = static_cast<Eigen::Index>(time_s_.size());
  const Eigen::Index n = sensels();
  s.time_s = Eigen::Map<const Eigen::VectorXd>(time_s_.data(), frames);
  s.pressure_kpa = Eigen::Map<const FrameMatrix>(values_.data(), frames, n);
  time_s_.clear();
  values_.clear();
  return s;
}

std::optional<Side> side_from_file_name(std::string_view source) {
  const std::string stem = std::filesystem::path(std::string(source)).stem().string();
  if (stem.size() < 2) return std::nullopt;
  const char last = stem.back();
  const char before = stem[stem.size() - 2];
  const bool sep = (before >= '0' && before <= '9') || before == '_' || before == '-';
  if (!sep) return std::nullopt;
  if (last == 'L') return Side::left;
  if (last == 'R') return Side::right;
  return std::nullopt;
}

}  // namespace insole::importers::detail
