#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>

#include "insole/core/atomic_output.hpp"
#include "insole/report/render.hpp"
#include "report/draw.hpp"
#include "report/sections.hpp"

namespace insole::report {

namespace {

constexpr double kPageW = 595.28, kPageH = 841.89;  // A4 in points
constexpr double kMargin = 30.0;
constexpr double kTextW = kPageW - 2 * kMargin;
constexpr double kBottom = kPageH - kMargin - 14;   // room for the footer

// Flowing layout on Cairo pages: a cursor y that starts a new page when content would overflow.
class Doc {
 public:
  Doc(cairo_t* cr, std::string footer) : cr_(cr), footer_(std::move(footer)) {}

  void new_page() {
    footer();
    cairo_show_page(cr_);
    ++page_;
    y_ = kMargin;
  }
  void finish() { footer(); }
  bool at_top() const { return y_ <= kMargin + 1; }
  double y() const { return y_; }
  void skip(double h) { y_ += h; }
  void ensure(double h) {
    if (y_ + h > kBottom && !at_top()) new_page();
  }

  void heading(const std::string& s) {
    ensure(32);
    y_ += 3;
    draw::set_font(cr_, 9.5, true);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    draw::text(cr_, kMargin, y_ + 9, s);
    cairo_set_line_width(cr_, 0.6);
    cairo_move_to(cr_, kMargin, y_ + 12);
    cairo_line_to(cr_, kMargin + kTextW, y_ + 12);
    cairo_stroke(cr_);
    y_ += 14.5;
  }

  void paragraph(const std::string& s, double size = 7.5, bool bold = false, double indent = 0, double gap = 2) {
    draw::set_font(cr_, size, bold);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    for (const auto& line : draw::wrap(cr_, s, kTextW - indent)) {
      ensure(size * 1.3);
      draw::text(cr_, kMargin + indent, y_ + size, line);
      y_ += size * 1.3;
    }
    y_ += gap;
  }

  void table(const sections::Table& t, double size = 6.8, double pad = 2.0) {
    if (t.rows.empty()) {
      paragraph("(none)", size);
      return;
    }
    const double lh = size * 1.25;
    auto cell_lines = [&](const sections::Row& row, bool bold) {
      std::vector<std::vector<std::string>> out;
      draw::set_font(cr_, size, bold);
      for (std::size_t c = 0; c < row.size(); ++c) out.push_back(draw::wrap(cr_, row[c], t.widths[c] * kTextW - 2 * pad));
      return out;
    };
    auto draw_row = [&](const sections::Row& row, bool bold, bool shade) {
      auto lines = cell_lines(row, bold);
      std::size_t n = 1;
      for (const auto& l : lines) n = std::max(n, l.size());
      const double h = n * lh + 2 * pad;
      if (shade) {
        cairo_set_source_rgb(cr_, 0.88, 0.88, 0.88);
        cairo_rectangle(cr_, kMargin, y_, kTextW, h);
        cairo_fill(cr_);
      }
      cairo_set_source_rgb(cr_, 0, 0, 0);
      draw::set_font(cr_, size, bold);
      double x = kMargin;
      for (std::size_t c = 0; c < lines.size(); ++c) {
        for (std::size_t i = 0; i < lines[c].size(); ++i) draw::text(cr_, x + pad, y_ + pad + (i + 0.8) * lh, lines[c][i]);
        x += t.widths[c] * kTextW;
      }
      y_ += h;
      cairo_set_line_width(cr_, 0.3);
      cairo_set_source_rgb(cr_, 0.5, 0.5, 0.5);
      cairo_move_to(cr_, kMargin, y_);
      cairo_line_to(cr_, kMargin + kTextW, y_);
      cairo_stroke(cr_);
      return h;
    };
    auto row_height = [&](const sections::Row& row) {
      std::size_t n = 1;
      for (const auto& l : cell_lines(row, false)) n = std::max(n, l.size());
      return n * lh + 2 * pad;
    };
    ensure(row_height(t.header) + row_height(t.rows.front()));
    draw_row(t.header, true, true);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      const double h = row_height(t.rows[r]);
      if (y_ + h > kBottom) {
        new_page();
        draw_row(t.header, true, true);
      }
      draw_row(t.rows[r], r < t.emphasis.size() && t.emphasis[r], false);
    }
    y_ += 3;
  }

  cairo_t* cr() { return cr_; }

 private:
  void footer() {
    draw::set_font(cr_, 6.5, false);
    cairo_set_source_rgb(cr_, 0.3, 0.3, 0.3);
    const std::string s = footer_ + "    page " + std::to_string(page_);
    draw::text(cr_, kMargin, kPageH - kMargin + 4, s);
  }
  cairo_t* cr_;
  std::string footer_;
  double y_ = kMargin;
  int page_ = 1;
};

// Page 1: what was measured (header, red flags, foot maps, measures, findings, quality).
// Page 2: what to do (chain, prescription, exercises, sign-off). Sizes are chosen so that a
// typical walk with many findings fits on two A4 pages; longer content flows onto more.
void render(cairo_t* cr, const ReportModel& m) {
  const std::string patient = m.header.patient_id.empty() ? std::string("-") : m.header.patient_id;
  Doc doc(cr, "insole fitting report - patient " + patient + " - " + m.header.recording);
  draw::set_font(cr, 14, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  draw::text(cr, kMargin, kMargin + 13, "Plantar pressure fitting report");
  doc.skip(19);
  for (const auto& l : sections::header_lines(m)) doc.paragraph(l, 7.4, false, 0, 0.5);

  // Red flags first: they override everything below.
  doc.heading("Red flags and referrals");
  auto refs = sections::referrals(m);
  if (!m.prescription.red_flags_screened) refs.insert(refs.begin(), "RED FLAGS NOT SCREENED: no intake was given.");
  for (const auto& r : refs) doc.paragraph(r, 7.2, true, 0, 0.5);
  for (const auto& c : m.prescription.caveats) doc.paragraph(c, 6.6, false, 0, 0.5);

  doc.heading("Peak pressure per foot");
  const double fig_h = 228;
  doc.ensure(fig_h + 10);
  draw::feet(cr, m.feet, kMargin, doc.y(), kTextW, fig_h);
  doc.skip(fig_h + 9);

  doc.heading("Measures against reference ranges (OUT: outside the range)");
  doc.table(sections::metrics(m), 6.3, 1.3);

  doc.heading("Findings");
  for (const auto& f : sections::findings(m)) doc.paragraph(f, 6.6, false, 0, 0.5);

  doc.heading("Measurement quality");
  doc.table(sections::quality(m), 6.3, 1.3);
  for (const auto& w : m.quality_warnings) doc.paragraph("Warning: " + w, 6.6, false, 0, 0.5);

  if (m.comparison) {
    const auto& c = *m.comparison;
    doc.heading("Comparison with an earlier recording (B = this recording)");
    doc.paragraph("A: " + c.input_a + "    B: " + c.input_b + "    (rules " + c.rules_name + " " + c.rules_version + ")",
                  7.0, false, 0, 1);
    for (const auto& f : c.feet) {
      doc.paragraph(sections::comparison_foot_title(f), 7.4, true, 0, 1);
      doc.table(sections::comparison_regions(f), 6.3, 1.3);
      if (!f.difference) doc.paragraph("No difference map: " + f.difference_reason, 6.6, false, 0, 0.5);
      for (const auto& t : sections::comparison_targets(f)) doc.paragraph(t, 6.6, false, 0, 0.5);
    }
    for (const auto& n : c.notes) doc.paragraph("Note: " + n, 6.6, false, 0, 0.5);
    if (const double aspect = draw::compare_maps_aspect(c); aspect > 0) {
      const double h = std::min(kTextW * aspect, 300.0);
      doc.ensure(h + 6);
      draw::compare_maps(cr, c, kMargin, doc.y(), kTextW, h);
      doc.skip(h + 6);
    }
  }

  const double chain_h = 215;
  doc.ensure(chain_h + 30);
  doc.heading("The chain: from the measured findings to the back");
  draw::chain(cr, m.chain, kMargin, doc.y(), kTextW, chain_h);
  doc.skip(chain_h + 4);

  doc.heading("Prescription");
  doc.table(sections::prescription(m, sections::Detail::brief), 6.2, 1.5);
  doc.paragraph("Reasons list the triggering findings with their measured values (L/R foot). The full evidence trace "
                "(thresholds, chain articles, expected effects at follow-up, contraindications, what would change "
                "each item) is in the HTML and JSON forms of this report (insole report --format html|json).",
                6.0, false, 0, 0.5);

  doc.heading("Exercise programme");
  doc.table(sections::exercises(m, sections::Detail::brief), 6.2, 1.5);

  doc.heading("Review and sign-off");
  doc.paragraph("Review: " + m.prescription.review + ". " + m.prescription.sign_off, 7.2);
  doc.skip(6);
  doc.paragraph("Clinician: ______________________________    Signature: ____________________    Date: ____________", 8.5);
  doc.finish();
}

}  // namespace

Status write_pdf(const ReportModel& model, const std::filesystem::path& path) {
  return draw::write_drawing(path, FigureFormat::pdf, kPageW, kPageH, "Plantar pressure fitting report",
                             "insole " + model.header.toolkit_version, "the PDF",
                             [&](cairo_t* cr) { render(cr, model); });
}

}  // namespace insole::report
