#pragma once
// Helpers for the importer tests: parse text in memory, read the project's own seed files, and
// compare recordings frame by frame (NaN-aware).

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "insole/importers/importers.hpp"

namespace insole::test {

inline Result<Recording> parse(std::string_view format, const std::string& text,
                               const std::string& source = "mem",
                               const importers::ImportOptions& options = {}) {
  std::istringstream in(text);
  return importers::import_stream(in, source, format, options);
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

/// A seed file written for this project (libinsole/fuzz/importers/corpus/<rel>).
inline std::string seed(const std::string& rel) {
  return read_bytes(std::filesystem::path(INSOLE_SOURCE_DIR) / "libinsole/fuzz/importers/corpus" / rel);
}

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

inline std::string to_crlf(const std::string& lf) { return replace_all(lf, "\n", "\r\n"); }
inline std::string to_cr(const std::string& lf) { return replace_all(lf, "\n", "\r"); }

inline void expect_same_frames(const Recording& a, const Recording& b) {
  ASSERT_EQ(a.streams.size(), b.streams.size());
  for (std::size_t i = 0; i < a.streams.size(); ++i) {
    const Stream& x = a.streams[i];
    const Stream& y = b.streams[i];
    EXPECT_EQ(x.info.name, y.info.name);
    EXPECT_TRUE(x.info.layout == y.info.layout);
    ASSERT_EQ(x.frame_count(), y.frame_count());
    EXPECT_EQ(x.time_s, y.time_s);
    ASSERT_EQ(x.pressure_kpa.cols(), y.pressure_kpa.cols());
    for (Eigen::Index k = 0; k < x.pressure_kpa.size(); ++k) {
      const float p = x.pressure_kpa.data()[k], q = y.pressure_kpa.data()[k];
      if (!(p == q || (std::isnan(p) && std::isnan(q)))) {
        ADD_FAILURE() << "stream " << x.info.name << " value " << k << ": " << p << " vs " << q;
        return;
      }
    }
  }
  ASSERT_EQ(a.events.size(), b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].time_s, b.events[i].time_s);
    EXPECT_EQ(a.events[i].kind, b.events[i].kind);
  }
}

/// The error is a format error naming "mem:<line>:" and saying what was expected.
inline ::testing::AssertionResult is_format_error_at(const Result<Recording>& r, int line) {
  if (r.ok()) return ::testing::AssertionFailure() << "parsed without error";
  const std::string want = "mem:" + std::to_string(line) + ": ";
  if (r.error().code != Errc::format_error)
    return ::testing::AssertionFailure() << "code " << to_string(r.error().code) << ": " << r.error().message;
  if (r.error().message.rfind(want, 0) != 0 || r.error().message.find("expected") == std::string::npos)
    return ::testing::AssertionFailure() << "message '" << r.error().message << "' lacks '" << want << "expected'";
  return ::testing::AssertionSuccess();
}

/// Largest value of a stream ignoring absent sensels.
inline float max_kpa(const Stream& s) {
  float m = -INFINITY;
  for (Eigen::Index k = 0; k < s.pressure_kpa.size(); ++k)
    if (std::isfinite(s.pressure_kpa.data()[k])) m = std::max(m, s.pressure_kpa.data()[k]);
  return m;
}

/// Sensels loaded (> 0 kPa) in at least one frame.
inline int loaded_sensels(const Stream& s) {
  int n = 0;
  for (Eigen::Index c = 0; c < s.pressure_kpa.cols(); ++c) {
    bool any = false;
    for (Eigen::Index f = 0; f < s.frame_count() && !any; ++f) any = s.pressure_kpa(f, c) > 0;
    n += any ? 1 : 0;
  }
  return n;
}

}  // namespace insole::test
