#include "fuzz_entry.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "insole/calibration/calibration_file.hpp"

namespace insole::calibration::fuzz {

namespace {

constexpr std::string_view kOrigin = "fuzz-input.json";

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "calibration file invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}

bool same_values(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  if (a.size() != b.size()) return false;
  for (Eigen::Index i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i])) return false;
  return true;
}

bool same(const Calibration& a, const Calibration& b) {
  return a.device_serial == b.device_serial && a.stream == b.stream && a.method == b.method && a.date == b.date &&
         a.source == b.source && a.model == b.model && a.coefficients == b.coefficients &&
         a.residuals_kpa == b.residuals_kpa && a.body_mass_kg == b.body_mass_kg && same_values(a.zero_counts, b.zero_counts) &&
         same_values(a.gain, b.gain);
}

// A frame of counts as a device sends them (NaN: no sensel there), one per calibrated sensel.
void check_apply(const Calibration& c) {
  Eigen::Index n = 6;
  if (c.zero_counts.size()) n = c.zero_counts.size();
  else if (c.gain.size()) n = c.gain.size();
  if (c.gain.size() && c.gain.size() != n) return;  // validate(n) refuses it; no stream could use it
  if (!c.validate(n)) fail("validate(sensels)", "refuses the calibration's own sensel count");
  static const float kCounts[] = {NAN, 0.0f, 1.0f, 255.0f, 4095.0f, 65535.0f};
  Eigen::VectorXf counts(n);
  for (Eigen::Index i = 0; i < n; ++i) counts[i] = kCounts[i % 6];
  const Eigen::VectorXf p = c.apply(counts);
  if (p.size() != n) fail("apply", "wrong length");
  for (Eigen::Index i = 0; i < n; ++i)
    if (std::isnan(p[i]) != std::isnan(counts[i]))
      fail("apply", "sensel " + std::to_string(i) + ": count " + std::to_string(counts[i]) + " gave " +
                        std::to_string(p[i]));
}

}  // namespace

int run_one(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = from_json(text, kOrigin);
  if (!c) {
    const Error& e = c.error();
    if (e.code != Errc::format_error) fail("error code", std::string(to_string(e.code)) + ": " + e.message);
    if (e.message.rfind(std::string(kOrigin) + ": ", 0) != 0) fail("message does not name the file", e.message);
    if (e.message.size() <= kOrigin.size() + 2) fail("message says nothing", e.message);
    return 0;
  }
  if (auto st = c->validate(); !st) fail("accepted but invalid", st.error().message);
  if (c->device_serial.empty()) fail("accepted without a device serial", "");
  const std::string out = to_json(*c);
  auto back = from_json(out, "round trip");
  if (!back) fail("own output refused", back.error().message + "\n" + out);
  if (!same(*c, *back)) fail("round trip changed the calibration", out);
  if (to_json(*back) != out) fail("round trip changed the text", out);
  check_apply(*c);
  return 0;
}

}  // namespace insole::calibration::fuzz
