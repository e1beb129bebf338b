#include <sstream>

#include "insole/core/atomic_output.hpp"
#include "insole/core/text.hpp"
#include "insole/report/render.hpp"
#include "report/draw.hpp"
#include "report/sections.hpp"

namespace insole::report {

namespace {

std::string base64(const std::string& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += k[(v >> 6) & 63];
    out += k[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? k[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void table(std::ostringstream& o, const sections::Table& t) {
  if (t.rows.empty()) {
    o << "<p>(none)</p>\n";
    return;
  }
  o << "<table><tr>";
  for (const auto& h : t.header) o << "<th>" << html_escape(h) << "</th>";
  o << "</tr>\n";
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    o << (r < t.emphasis.size() && t.emphasis[r] ? "<tr class=\"em\">" : "<tr>");
    for (const auto& c : t.rows[r]) o << "<td>" << html_escape(c) << "</td>";
    o << "</tr>\n";
  }
  o << "</table>\n";
}

}  // namespace

std::string chain_png(const ReportModel& m) {
  return draw::png(523, 232, 2.0, [&](cairo_t* cr) { draw::chain(cr, m.chain, 0, 0, 523, 230); });
}

std::string feet_png(const ReportModel& m) {
  return draw::png(523, 312, 2.0, [&](cairo_t* cr) { draw::feet(cr, m.feet, 0, 0, 523, 300); });
}

std::string render_html(const ReportModel& m) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<title>Plantar pressure fitting report</title><style>"
       "body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:10pt;max-width:60em;margin:2em auto;color:#000}"
       "h1{font-size:16pt}h2{font-size:12pt;border-bottom:1px solid #000;margin-top:1.5em}"
       "table{border-collapse:collapse;width:100%;font-size:8.5pt}th{background:#ddd;text-align:left}"
       "td,th{border-bottom:1px solid #999;padding:2px 4px;vertical-align:top}tr.em td{font-weight:bold}"
       ".flag{font-weight:bold}img{max-width:100%}.sign{margin-top:2em}</style></head><body>\n";
  o << "<h1>Plantar pressure fitting report</h1>\n";
  for (const auto& l : sections::header_lines(m)) o << "<p>" << html_escape(l) << "</p>\n";

  o << "<h2>Peak pressure per foot</h2>\n";
  const std::string feet = feet_png(m);
  o << "<img alt=\"peak pressure maps\" src=\"data:image/png;base64," << base64(feet) << "\">\n";

  o << "<h2>Measures against reference ranges</h2>\n";
  table(o, sections::metrics(m));
  o << "<h2>Findings</h2>\n<ul>";
  for (const auto& f : sections::findings(m)) o << "<li>" << html_escape(f) << "</li>";
  o << "</ul>\n";

  o << "<h2>The chain: from the measured findings to the back</h2>\n";
  const std::string chain = chain_png(m);
  o << "<img alt=\"chain diagram\" src=\"data:image/png;base64," << base64(chain) << "\">\n";

  o << "<h2>Red flags and referrals</h2>\n";
  if (!m.prescription.red_flags_screened) o << "<p class=\"flag\">RED FLAGS NOT SCREENED: no intake was given.</p>\n";
  for (const auto& r : sections::referrals(m)) o << "<p class=\"flag\">" << html_escape(r) << "</p>\n";
  for (const auto& c : m.prescription.caveats) o << "<p>" << html_escape(c) << "</p>\n";

  o << "<h2>Prescription</h2>\n";
  table(o, sections::prescription(m, sections::Detail::full));
  o << "<h2>Exercise programme</h2>\n";
  table(o, sections::exercises(m, sections::Detail::full));
  o << "<h2>Measurement quality</h2>\n";
  table(o, sections::quality(m));
  for (const auto& w : m.quality_warnings) o << "<p>Warning: " << html_escape(w) << "</p>\n";
  if (m.comparison) {
    const auto& c = *m.comparison;
    o << "<h2>Comparison with an earlier recording (B = this recording)</h2>\n<p>A: " << html_escape(c.input_a)
      << " &nbsp; B: " << html_escape(c.input_b) << " &nbsp; (rules " << html_escape(c.rules_name) << " " << html_escape(c.rules_version)
      << ")</p>\n";
    for (const auto& f : c.feet) {
      o << "<h3>" << html_escape(sections::comparison_foot_title(f)) << "</h3>\n";
      table(o, sections::comparison_regions(f));
      if (!f.difference) o << "<p>No difference map: " << html_escape(f.difference_reason) << "</p>\n";
      o << "<ul>";
      for (const auto& t : sections::comparison_targets(f)) o << "<li>" << html_escape(t) << "</li>";
      o << "</ul>\n";
    }
    for (const auto& n : c.notes) o << "<p>Note: " << html_escape(n) << "</p>\n";
    if (const double aspect = draw::compare_maps_aspect(c); aspect > 0) {
      const double w = 523, h = w * aspect;
      const std::string maps = draw::png(w, h, 2.0, [&](cairo_t* cr) { draw::compare_maps(cr, c, 0, 0, w, h); });
      o << "<img alt=\"peak pressure difference maps\" src=\"data:image/png;base64," << base64(maps) << "\">\n";
    }
  }
  o << "<h2>Review and sign-off</h2>\n<p>Review: " << html_escape(m.prescription.review) << ".</p>\n<p>"
    << html_escape(m.prescription.sign_off) << "</p>\n"
    << "<p class=\"sign\">Clinician: ______________________ Signature: ______________ Date: __________</p>\n";
  o << "</body></html>\n";
  return o.str();
}

Status write_html(const ReportModel& model, const std::filesystem::path& path) {
  return write_file_atomically(path, render_html(model));
}

}  // namespace insole::report
