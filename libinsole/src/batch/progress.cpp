#include "insole/batch/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace insole::batch {

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Recordings and bytes actually analysed (skipped ones are instantaneous and would inflate rates).
double worked(const BatchProgress& p) { return static_cast<double>(p.done - p.skipped); }
double worked_bytes(const BatchProgress& p) { return static_cast<double>(p.bytes_done - p.bytes_skipped); }

std::string rate_text(const BatchProgress& p) {
  if (p.elapsed_s <= 0) return "";
  return fmt("%.1f rec/s", worked(p) / p.elapsed_s) + ", " + fmt("%.0f MB/s", worked_bytes(p) / p.elapsed_s / 1e6);
}

std::string percent(const BatchProgress& p) {
  const double f = p.total ? static_cast<double>(p.done) / static_cast<double>(p.total) : 1.0;
  return fmt("%.0f%%", 100.0 * f);
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto s = static_cast<long long>(std::llround(seconds));
  char buf[48];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

std::optional<double> eta_s(const BatchProgress& p) {
  if (p.done >= p.total) return 0.0;
  if (p.elapsed_s <= 0 || p.done == p.skipped) return std::nullopt;
  const double remaining_bytes = static_cast<double>(p.bytes_total - p.bytes_done);
  if (worked_bytes(p) > 0 && p.bytes_total > 0) return remaining_bytes / (worked_bytes(p) / p.elapsed_s);
  return static_cast<double>(p.total - p.done) / (worked(p) / p.elapsed_s);
}

std::string progress_line(const BatchProgress& p) {
  std::string s = "batch: " + std::to_string(p.done) + "/" + std::to_string(p.total) + " (" + percent(p) + ")";
  if (const auto r = rate_text(p); !r.empty()) s += ", " + r;
  const auto eta = eta_s(p);
  s += ", ETA " + (eta ? format_duration(*eta) : std::string("--:--"));
  s += ", " + std::to_string(p.failed) + " failed, " + std::to_string(p.skipped) + " skipped";
  return s;
}

std::string progress_bar(const BatchProgress& p, int width) {
  std::string tail = "  " + std::to_string(p.done) + "/" + std::to_string(p.total) + "  " + percent(p);
  if (const auto r = rate_text(p); !r.empty()) tail += "  " + r;
  const auto eta = eta_s(p);
  tail += "  ETA " + (eta ? format_duration(*eta) : std::string("--:--"));
  if (p.failed) tail += "  " + std::to_string(p.failed) + " failed";
  const int bar = std::min(40, width - static_cast<int>(tail.size()) - 2);
  if (bar < 5) return tail.substr(0, static_cast<std::size_t>(std::max(0, width)));
  const double f = p.total ? static_cast<double>(p.done) / static_cast<double>(p.total) : 1.0;
  const int filled = static_cast<int>(std::floor(f * bar));
  std::string out(static_cast<std::size_t>(bar) + 2, '.');
  out.front() = '[';
  out.back() = ']';
  std::fill_n(out.begin() + 1, std::clamp(filled, 0, bar), '#');
  return out + tail;
}

std::string summary_text(const BatchSummary& s) {
  std::string t = "analysed " + std::to_string(s.analysed + s.no_contact);
  if (s.no_contact) t += " (" + std::to_string(s.no_contact) + " without foot contact)";
  t += ", skipped " + std::to_string(s.skipped) + ", failed " + std::to_string(s.failed) + ", of " +
       std::to_string(s.total);
  if (s.inputs_total != s.total) t += " in this shard (" + std::to_string(s.inputs_total) + " inputs in all)";
  t += " in " + format_duration(s.elapsed_s);
  if (const auto r = rate_text(s); !r.empty()) t += " (" + r + ")";
  return t;
}

}  // namespace insole::batch
