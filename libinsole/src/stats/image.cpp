#include "insole/stats/image.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "insole/analysis/foot_image.hpp"

namespace insole::stats {

bool Grid::same_as(const Grid& o, double tol_mm) const noexcept {
  return rows == o.rows && cols == o.cols && std::abs(pitch_x_mm - o.pitch_x_mm) <= tol_mm &&
         std::abs(pitch_y_mm - o.pitch_y_mm) <= tol_mm &&
         std::abs(origin_x_mm - o.origin_x_mm) <= tol_mm &&
         std::abs(origin_y_mm - o.origin_y_mm) <= tol_mm;
}

Image Image::zeros(const Grid& g) {
  Image im;
  im.grid = g;
  im.values = Eigen::MatrixXd::Zero(g.rows, g.cols);
  return im;
}

Status validate(const Image& image, std::string_view what) {
  const Grid& g = image.grid;
  if (g.rows <= 0 || g.cols <= 0)
    return make_error(Errc::invalid_argument, std::string(what) + ": the image is empty");
  if (!(std::isfinite(g.pitch_x_mm) && g.pitch_x_mm > 0 && std::isfinite(g.pitch_y_mm) && g.pitch_y_mm > 0))
    return make_error(Errc::invalid_argument,
                      std::string(what) + ": pixel pitch must be positive and finite (mm)");
  if (!(std::isfinite(g.origin_x_mm) && std::isfinite(g.origin_y_mm)))
    return make_error(Errc::invalid_argument, std::string(what) + ": the grid origin is not finite");
  if (image.values.rows() != g.rows || image.values.cols() != g.cols)
    return make_error(Errc::invalid_argument,
                      std::string(what) + ": values are " + std::to_string(image.values.rows()) + " x " +
                          std::to_string(image.values.cols()) + ", the grid is " + std::to_string(g.rows) +
                          " x " + std::to_string(g.cols));
  return {};
}

namespace {
double at_or_zero(const Image& im, long r, long c) noexcept {
  if (r < 0 || c < 0 || r >= im.grid.rows || c >= im.grid.cols) return 0.0;
  const double v = im.values(r, c);
  return std::isfinite(v) ? v : 0.0;
}
}  // namespace

double sample_bilinear(const Image& image, double x_mm, double y_mm) noexcept {
  const double fc = image.grid.col_at(x_mm);
  const double fr = image.grid.row_at(y_mm);
  if (!(fc > -1.0 && fr > -1.0 && fc < image.grid.cols && fr < image.grid.rows)) return 0.0;
  const double c0f = std::floor(fc), r0f = std::floor(fr);
  const double ax = fc - c0f, ay = fr - r0f;
  const long c0 = static_cast<long>(c0f), r0 = static_cast<long>(r0f);
  return (1 - ay) * ((1 - ax) * at_or_zero(image, r0, c0) + ax * at_or_zero(image, r0, c0 + 1)) +
         ay * ((1 - ax) * at_or_zero(image, r0 + 1, c0) + ax * at_or_zero(image, r0 + 1, c0 + 1));
}

Image gaussian_smooth(const Image& image, double sigma_mm) {
  Image out = image;
  for (Eigen::Index i = 0; i < out.values.size(); ++i)
    if (!std::isfinite(out.values(i))) out.values(i) = 0.0;
  if (!(sigma_mm > 0)) return out;
  auto kernel = [](double sigma_px) {
    const int radius = std::max(1, static_cast<int>(std::ceil(3.0 * sigma_px)));
    std::vector<double> k(2 * radius + 1);
    double sum = 0;
    for (int i = -radius; i <= radius; ++i) sum += k[i + radius] = std::exp(-0.5 * i * i / (sigma_px * sigma_px));
    for (double& v : k) v /= sum;
    return k;
  };
  const auto kx = kernel(sigma_mm / image.grid.pitch_x_mm);
  const auto ky = kernel(sigma_mm / image.grid.pitch_y_mm);
  const int rows = image.grid.rows, cols = image.grid.cols;
  const int rx = static_cast<int>(kx.size() / 2), ry = static_cast<int>(ky.size() / 2);
  Eigen::MatrixXd tmp = Eigen::MatrixXd::Zero(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      double s = 0;
      for (int k = -rx; k <= rx; ++k) {
        const int cc = c + k;
        if (cc >= 0 && cc < cols) s += kx[k + rx] * out.values(r, cc);
      }
      tmp(r, c) = s;
    }
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      double s = 0;
      for (int k = -ry; k <= ry; ++k) {
        const int rr = r + k;
        if (rr >= 0 && rr < rows) s += ky[k + ry] * tmp(rr, c);
      }
      out.values(r, c) = s;
    }
  return out;
}

Image resample(const Image& image, const Grid& grid) {
  const double ratio = std::max(grid.pitch_x_mm / image.grid.pitch_x_mm, grid.pitch_y_mm / image.grid.pitch_y_mm);
  const Image src = ratio > 1.5 ? gaussian_smooth(image, 0.5 * std::max(grid.pitch_x_mm, grid.pitch_y_mm)) : image;
  Image out = Image::zeros(grid);
  for (int r = 0; r < grid.rows; ++r)
    for (int c = 0; c < grid.cols; ++c) out.values(r, c) = sample_bilinear(src, grid.x_mm(c), grid.y_mm(r));
  return out;
}

Image mirror_columns(const Image& image) {
  Image out = image;
  out.values = image.values.rowwise().reverse();
  return out;
}

Result<Image> parse_csv_image(std::string_view text, double pitch_mm, const std::string& source) {
  if (!(std::isfinite(pitch_mm) && pitch_mm > 0))
    return make_error(Errc::invalid_argument, source + ": pixel pitch must be positive (mm)");
  std::vector<std::vector<double>> rows;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::vector<double> row;
    std::size_t field_start = 0;
    for (std::size_t col = 1;; ++col) {
      std::size_t comma = line.find(',', field_start);
      std::string_view field = line.substr(field_start, comma == std::string_view::npos ? line.size() - field_start
                                                                                          : comma - field_start);
      while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
      while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
      double v = 0;
      const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
      if (field.empty() || ec != std::errc() || ptr != field.data() + field.size() || !std::isfinite(v))
        return make_error(Errc::format_error, source + ": line " + std::to_string(line_no) + ", column " +
                                                  std::to_string(col) + ": expected a number, found '" +
                                                  std::string(field.substr(0, 40)) + "'");
      row.push_back(v);
      if (comma == std::string_view::npos) break;
      field_start = comma + 1;
    }
    if (!rows.empty() && row.size() != rows.front().size())
      return make_error(Errc::format_error, source + ": line " + std::to_string(line_no) + ": expected " +
                                                std::to_string(rows.front().size()) + " values, found " +
                                                std::to_string(row.size()));
    rows.push_back(std::move(row));
  }
  if (rows.empty()) return make_error(Errc::format_error, source + ": no rows of numbers");
  Image im;
  im.grid.rows = static_cast<int>(rows.size());
  im.grid.cols = static_cast<int>(rows.front().size());
  im.grid.pitch_x_mm = im.grid.pitch_y_mm = pitch_mm;
  im.values.resize(im.grid.rows, im.grid.cols);
  for (int r = 0; r < im.grid.rows; ++r)
    for (int c = 0; c < im.grid.cols; ++c) im.values(r, c) = rows[r][c];
  return im;
}

Result<Image> from_foot_image(const analysis::FootImage& image, FootValue value) {
  if (!image.raster)
    return make_error(Errc::unsupported, "foot image of stream '" + image.stream +
                                             "': a sensor set (one cell per sensor) is not a raster image");
  if (image.cells.empty() || !(image.cell_mm > 0))
    return make_error(Errc::no_data, "foot image of stream '" + image.stream + "' is empty");
  const double sign = image.side == Side::left ? 1.0 : -1.0;  // x = sign * ml
  double xmin = 1e300, xmax = -1e300, ymin = 1e300, ymax = -1e300;
  for (const auto& [key, cell] : image.cells) {
    xmin = std::min(xmin, sign * cell.ml_mm), xmax = std::max(xmax, sign * cell.ml_mm);
    ymin = std::min(ymin, cell.ap_mm), ymax = std::max(ymax, cell.ap_mm);
  }
  const double step = image.cell_mm;
  Grid g;
  g.pitch_x_mm = g.pitch_y_mm = step;
  g.origin_x_mm = xmin - 0.5 * step;
  g.origin_y_mm = ymin - 0.5 * step;
  g.cols = static_cast<int>(std::lround((xmax - xmin) / step)) + 1;
  g.rows = static_cast<int>(std::lround((ymax - ymin) / step)) + 1;
  Image out = Image::zeros(g);
  for (const auto& [key, cell] : image.cells) {
    const long c = std::lround(g.col_at(sign * cell.ml_mm));
    const long r = std::lround(g.row_at(cell.ap_mm));
    if (r < 0 || c < 0 || r >= g.rows || c >= g.cols) continue;
    double v = 0;
    switch (value) {
      case FootValue::max_peak_kpa: v = cell.max_peak_kpa; break;
      case FootValue::mean_peak_kpa: v = image.mean_peak_kpa(cell); break;
      case FootValue::mean_pressure_kpa: v = image.mean_pressure_kpa(cell); break;
      case FootValue::pti_kpa_s: v = image.pti_kpa_s(cell); break;
      case FootValue::contact_percent: v = image.contact_percent(cell); break;
    }
    out.values(r, c) = v;
  }
  return out;
}

}  // namespace insole::stats
