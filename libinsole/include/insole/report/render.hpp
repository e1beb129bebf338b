#pragma once
// The fitting report as PDF (Cairo) or self-contained HTML (figures as inline PNG data URIs).
// Both are written atomically: an existing file is replaced only once the new one is complete.

#include <filesystem>
#include <string>

#include "insole/core/result.hpp"
#include "insole/report/report_model.hpp"

namespace insole::report {

/// A4 PDF: header, per-foot peak-pressure maps (kPa colour scale, region outlines, COP path,
/// arch-index thirds), metrics against reference ranges (OUT marked), findings, red flags and
/// measurement quality, then the chain diagram, prescription, exercises and the sign-off line.
/// Two pages for a typical walk; more only when the tables overflow. Grey-scale friendly: the
/// colour map's lightness falls monotonically with pressure.
Status write_pdf(const ReportModel& model, const std::filesystem::path& path);

/// The report's figures as PNG bytes (the images of the HTML report): the per-foot peak-pressure
/// maps with region outlines and the centre-of-pressure line, and the chain diagram.
std::string feet_png(const ReportModel& model);
std::string chain_png(const ReportModel& model);

/// The same content as one HTML document with inline CSS and PNG figures.
std::string render_html(const ReportModel& model);
Status write_html(const ReportModel& model, const std::filesystem::path& path);

/// Frees Cairo's and fontconfig's process-wide font caches. Call once, at the very end of a
/// process that rendered reports (CLI, tests), so that leak checkers see a clean exit; no
/// rendering may follow.
void release_render_caches() noexcept;

/// The pressure colour map: 0 -> light, 1 -> dark, perceptually ordered (a viridis-like ramp
/// reversed so that high pressure prints dark). Components in [0, 1].
struct Rgb {
  double r, g, b;
};
Rgb pressure_colour(double fraction) noexcept;
/// Relative luminance (ITU-R BT.709 weights) of a colour; used to check grey-scale ordering.
double luminance(const Rgb& c) noexcept;
/// Upper end of the colour scale: the largest peak rounded up to a "nice" step (100 kPa steps
/// above 200 kPa, 50 below), so that two reports of one patient usually share a scale.
double scale_max_kpa(double peak_kpa) noexcept;

}  // namespace insole::report
