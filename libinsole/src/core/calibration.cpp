#include "insole/core/calibration.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>

#include "insole/core/median.hpp"

namespace insole {
namespace {

Error invalid(std::string msg) { return Error{Errc::invalid_argument, std::move(msg)}; }

bool finite_positive(double x) { return std::isfinite(x) && x > 0.0; }

}  // namespace

std::string_view to_string(ResponseModel m) noexcept {
  switch (m) {
    case ResponseModel::linear: return "linear";
    case ResponseModel::power_law: return "power_law";
    case ResponseModel::cubic: return "cubic";
  }
  return "linear";
}

std::optional<ResponseModel> response_model_from_string(std::string_view s) noexcept {
  if (s == "linear") return ResponseModel::linear;
  if (s == "power_law") return ResponseModel::power_law;
  if (s == "cubic") return ResponseModel::cubic;
  return std::nullopt;
}

std::size_t coefficient_count(ResponseModel m) noexcept {
  switch (m) {
    case ResponseModel::linear: return 1;
    case ResponseModel::power_law: return 2;
    case ResponseModel::cubic: return 3;
  }
  return 1;
}

Status Calibration::validate(Eigen::Index sensel_count) const {
  if (coefficients.size() != coefficient_count(model))
    return invalid("calibration: model '" + std::string(to_string(model)) + "' takes " +
                   std::to_string(coefficient_count(model)) + " coefficients, found " +
                   std::to_string(coefficients.size()));
  for (std::size_t i = 0; i < coefficients.size(); ++i)
    if (!std::isfinite(coefficients[i]))
      return invalid("calibration: coefficients[" + std::to_string(i) + "] is not finite");
  // The leading scale must make pressure rise with load (a sensor reading more under more load).
  if (!(coefficients[0] > 0.0))
    return invalid("calibration: coefficients[0] must be > 0, found " + std::to_string(coefficients[0]));
  if (model == ResponseModel::power_law && !(coefficients[1] > 0.0))
    return invalid("calibration: coefficients[1] (the power_law exponent) must be > 0");
  if (sensel_count >= 0) {
    if (zero_counts.size() != 0 && zero_counts.size() != sensel_count)
      return invalid("calibration: zero_counts has " + std::to_string(zero_counts.size()) +
                     " values, the stream has " + std::to_string(sensel_count) + " sensels");
    if (gain.size() != 0 && gain.size() != sensel_count)
      return invalid("calibration: gain has " + std::to_string(gain.size()) + " values, the stream has " +
                     std::to_string(sensel_count) + " sensels");
  }
  for (Eigen::Index i = 0; i < zero_counts.size(); ++i)
    if (!std::isfinite(zero_counts[i]))
      return invalid("calibration: zero_counts[" + std::to_string(i) + "] is not finite");
  for (Eigen::Index i = 0; i < gain.size(); ++i)
    if (!finite_positive(gain[i]))
      return invalid("calibration: gain[" + std::to_string(i) + "] must be finite and > 0");
  if (body_mass_kg && !(finite_positive(*body_mass_kg) && *body_mass_kg <= 1000.0))
    return invalid("calibration: body_mass_kg must be in (0, 1000]");
  return {};
}

double Calibration::pressure_kpa(double e) const {
  if (!(e > 0.0)) return 0.0;
  switch (model) {
    case ResponseModel::linear: return coefficients[0] * e;
    case ResponseModel::power_law: return coefficients[0] * std::pow(e, coefficients[1]);
    case ResponseModel::cubic: return e * (coefficients[0] + e * (coefficients[1] + e * coefficients[2]));
  }
  return 0.0;
}

Eigen::VectorXf Calibration::apply(const Eigen::Ref<const Eigen::VectorXf>& counts) const {
  Eigen::VectorXf out(counts.size());
  for (Eigen::Index i = 0; i < counts.size(); ++i) {
    const float x = counts[i];
    if (!std::isfinite(x)) {
      out[i] = std::numeric_limits<float>::quiet_NaN();
      continue;
    }
    const double z = zero_counts.size() ? zero_counts[i] : 0.0;
    const double g = gain.size() ? gain[i] : 1.0;
    out[i] = float(pressure_kpa(g * (double(x) - z)));
  }
  return out;
}

Result<Eigen::VectorXd> zero_offset(const FrameMatrix& unloaded) {
  if (unloaded.rows() == 0) return invalid("zero offset: no unloaded frames");
  Eigen::VectorXd zero = Eigen::VectorXd::Zero(unloaded.cols());
  for (Eigen::Index s = 0; s < unloaded.cols(); ++s) {
    double sum = 0.0;
    Eigen::Index n = 0;
    for (Eigen::Index f = 0; f < unloaded.rows(); ++f)
      if (std::isfinite(unloaded(f, s))) sum += unloaded(f, s), ++n;
    zero[s] = n ? sum / double(n) : 0.0;
  }
  return zero;
}

Result<Eigen::VectorXd> equalisation_gain(const FrameMatrix& uniform, const Eigen::VectorXd& zero) {
  if (uniform.rows() == 0) return invalid("equalisation: no frames under the uniform load");
  if (zero.size() != 0 && zero.size() != uniform.cols())
    return invalid("equalisation: zero offset has " + std::to_string(zero.size()) + " values for " +
                   std::to_string(uniform.cols()) + " sensels");
  Eigen::VectorXd mean = Eigen::VectorXd::Constant(uniform.cols(), std::numeric_limits<double>::quiet_NaN());
  double total = 0.0;
  Eigen::Index present = 0;
  for (Eigen::Index s = 0; s < uniform.cols(); ++s) {
    double sum = 0.0;
    Eigen::Index n = 0;
    for (Eigen::Index f = 0; f < uniform.rows(); ++f)
      if (std::isfinite(uniform(f, s))) sum += uniform(f, s), ++n;
    if (!n) continue;
    mean[s] = sum / double(n) - (zero.size() ? zero[s] : 0.0);
    if (!(mean[s] > 0.0))
      return invalid("equalisation: sensel " + std::to_string(s) + " reads " + std::to_string(mean[s]) +
                     " counts above zero under the uniform load (dead or unloaded sensel)");
    total += mean[s];
    ++present;
  }
  if (!present) return invalid("equalisation: every sensel is NaN");
  const double common = total / double(present);
  Eigen::VectorXd gain = Eigen::VectorXd::Ones(uniform.cols());
  for (Eigen::Index s = 0; s < uniform.cols(); ++s)
    if (std::isfinite(mean[s])) gain[s] = common / mean[s];
  return gain;
}

Result<ResponseFit> fit_response(ResponseModel model, const std::vector<LoadPoint>& loads) {
  const std::size_t need = model == ResponseModel::linear ? 1 : 3;
  if (loads.size() < need)
    return invalid("calibration fit: model '" + std::string(to_string(model)) + "' needs at least " +
                   std::to_string(need) + " known loads, found " + std::to_string(loads.size()));
  for (std::size_t i = 0; i < loads.size(); ++i)
    if (!finite_positive(loads[i].counts) || !finite_positive(loads[i].pressure_kpa))
      return invalid("calibration fit: load " + std::to_string(i) + " must have counts > 0 and pressure_kpa > 0");
  std::vector<double> distinct;
  for (const auto& l : loads) distinct.push_back(l.counts);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() < need)
    return invalid("calibration fit: model '" + std::string(to_string(model)) + "' needs " + std::to_string(need) +
                   " loads with different counts, found " + std::to_string(distinct.size()));
  ResponseFit fit;
  fit.model = model;
  const auto n = Eigen::Index(loads.size());
  switch (model) {
    case ResponseModel::linear: {
      double sxy = 0.0, sxx = 0.0;
      for (const auto& l : loads) sxy += l.counts * l.pressure_kpa, sxx += l.counts * l.counts;
      fit.coefficients = {sxy / sxx};
      break;
    }
    case ResponseModel::power_law: {
      // ln p = ln a + b ln x, ordinary least squares.
      Eigen::MatrixXd a(n, 2);
      Eigen::VectorXd y(n);
      for (Eigen::Index i = 0; i < n; ++i) {
        a(i, 0) = 1.0;
        a(i, 1) = std::log(loads[std::size_t(i)].counts);
        y[i] = std::log(loads[std::size_t(i)].pressure_kpa);
      }
      const Eigen::Vector2d c = a.colPivHouseholderQr().solve(y);
      fit.coefficients = {std::exp(c[0]), c[1]};
      break;
    }
    case ResponseModel::cubic: {
      Eigen::MatrixXd a(n, 3);
      Eigen::VectorXd y(n);
      for (Eigen::Index i = 0; i < n; ++i) {
        const double x = loads[std::size_t(i)].counts;
        a(i, 0) = x, a(i, 1) = x * x, a(i, 2) = x * x * x;
        y[i] = loads[std::size_t(i)].pressure_kpa;
      }
      // Scale the columns so that the normal matrix is well conditioned for counts in the
      // hundreds or thousands, then undo the scaling.
      const Eigen::Vector3d scale = a.colwise().norm().transpose();
      for (int j = 0; j < 3; ++j) a.col(j) /= scale[j];
      const Eigen::Vector3d c = a.colPivHouseholderQr().solve(y).cwiseQuotient(scale);
      fit.coefficients = {c[0], c[1], c[2]};
      break;
    }
  }
  for (std::size_t i = 0; i < fit.coefficients.size(); ++i)
    if (!std::isfinite(fit.coefficients[i]))
      return invalid("calibration fit: the loads do not determine the model (degenerate loads)");
  Calibration probe;
  probe.model = model;
  probe.coefficients = fit.coefficients;
  if (auto st = probe.validate(); !st)
    return invalid("calibration fit: the fitted curve does not rise with load (" + st.error().message + ")");
  for (const auto& l : loads) fit.residuals_kpa.push_back(l.pressure_kpa - probe.pressure_kpa(l.counts));
  return fit;
}

Result<double> body_weight_factor_kpa_per_count(double m_kg, double area_mm2, double raw_sum) {
  if (!(finite_positive(m_kg) && m_kg <= 1000.0)) return invalid("body-weight calibration: mass must be in (0, 1000] kg");
  if (!finite_positive(area_mm2)) return invalid("body-weight calibration: sensel area must be > 0 mm^2");
  if (!finite_positive(raw_sum)) return invalid("body-weight calibration: the raw sum must be > 0 counts");
  return m_kg * kStandardGravityMs2 / (area_mm2 * raw_sum) * 1000.0;
}

double area_weighted_count_sum(const Eigen::Ref<const Eigen::VectorXf>& counts, const Eigen::VectorXd& areas) {
  double sum = 0.0;
  for (Eigen::Index i = 0; i < counts.size() && i < areas.size(); ++i)
    if (std::isfinite(counts[i]) && std::isfinite(areas[i])) sum += double(counts[i]) * areas[i];
  return sum;
}

namespace {

Result<std::vector<Eigen::VectorXd>> frame_sums(const std::vector<const Stream*>& streams) {
  if (streams.empty()) return invalid("body-weight calibration: no stream given");
  std::vector<Eigen::VectorXd> sums;
  for (const Stream* s : streams) {
    if (!s || s->frame_count() == 0) return invalid("body-weight calibration: a stream has no frames");
    const auto& areas = s->info.layout.areas_mm2();
    bool any_area = false;
    for (Eigen::Index i = 0; i < areas.size(); ++i) any_area = any_area || finite_positive(areas[i]);
    if (!any_area)
      return invalid("body-weight calibration: stream '" + s->info.name +
                     "' has no sensel areas (forces cannot be computed without them)");
    Eigen::VectorXd v(s->frame_count());
    for (Eigen::Index f = 0; f < s->frame_count(); ++f)
      v[f] = area_weighted_count_sum(s->pressure_kpa.row(f).transpose(), areas);
    sums.push_back(std::move(v));
  }
  return sums;
}

// The loads a body-weight factor is taken from (mm^2 counts): each frame's total of a standing
// trial, or each complete stance's peak of a walking trial.
Result<std::vector<double>> body_weight_points(const std::vector<const Stream*>& streams, TrialKind kind,
                                               double stance_fraction) {
  auto sums = frame_sums(streams);
  if (!sums) return sums.error();
  if (kind == TrialKind::standing) {
    const Eigen::Index n = (*sums)[0].size();
    for (const auto& v : *sums)
      if (v.size() != n) return invalid("body-weight calibration: standing streams have different frame counts");
    std::vector<double> total(std::size_t(n), 0.0);
    for (const auto& v : *sums)
      for (Eigen::Index f = 0; f < n; ++f) total[std::size_t(f)] += v[f];
    if (!(median(total) > 0.0)) return invalid("body-weight calibration: the standing trial puts no load on the sensors");
    return total;
  }
  if (!(stance_fraction > 0.0 && stance_fraction < 1.0))
    return invalid("body-weight calibration: stance_fraction must be in (0, 1)");
  std::vector<double> peaks;
  for (const auto& v : *sums) {
    const double threshold = stance_fraction * v.maxCoeff();
    if (!(threshold > 0.0)) continue;
    double peak = 0.0;
    bool in = false, started_loaded = v[0] > threshold;
    for (Eigen::Index f = 0; f < v.size(); ++f) {
      if (v[f] > threshold) {
        in = true;
        peak = std::max(peak, v[f]);
      } else if (in) {
        // A stance cut by the start of the trial has no complete peak.
        if (!started_loaded) peaks.push_back(peak);
        in = false, started_loaded = false, peak = 0.0;
      }
    }
  }
  if (peaks.empty()) return invalid("body-weight calibration: no complete stance in the walking trial");
  return peaks;
}

}  // namespace

Result<double> body_weight_load(const std::vector<const Stream*>& streams, TrialKind kind, double stance_fraction) {
  auto points = body_weight_points(streams, kind, stance_fraction);
  if (!points) return points.error();
  return median(*points);
}

bool is_load_cell_stream(const StreamInfo& info) {
  const auto it = info.attributes.find("quantity");
  return it != info.attributes.end() && it->second == kLoadCellQuantity &&
         info.layout.sensor_count() == 1;
}

Result<double> load_cell_mass_kg(const Stream& s, double min_kg) {
  if (!is_load_cell_stream(s.info))
    return invalid("stream '" + s.info.name + "' is not a load-cell stream (attribute quantity = " +
                   kLoadCellQuantity + ", one value per frame)");
  std::vector<double> loaded;
  for (Eigen::Index f = 0; f < s.pressure_kpa.rows(); ++f) {
    const double v = s.pressure_kpa(f, 0);
    if (std::isfinite(v) && v > min_kg) loaded.push_back(v);
  }
  if (loaded.empty())
    return invalid("load cell '" + s.info.name + "': no frame reads more than " + std::to_string(min_kg) +
                   " kg (nobody stood on the platform)");
  return median(loaded);
}

Result<Calibration> calibrate_body_weight(const std::vector<const Stream*>& streams, TrialKind kind, double m_kg) {
  if (!(finite_positive(m_kg) && m_kg <= 1000.0)) return invalid("body-weight calibration: mass must be in (0, 1000] kg");
  auto points = body_weight_points(streams, kind, 0.2);
  if (!points) return points.error();
  const double load = median(*points);
  Calibration c;
  c.method = kind == TrialKind::standing ? "body_weight_standing" : "body_weight_walking";
  c.model = ResponseModel::linear;
  // k = m g / sum(A raw): N / (mm^2 counts) = MPa per count, * 1000 for kPa per count.
  const double k = m_kg * kStandardGravityMs2 / load * 1000.0;
  c.coefficients = {k};
  c.body_mass_kg = m_kg;
  // Residuals at the loads the factor was taken from, measured less model as for a fitted curve:
  // the mean pressure over the sensing area that body weight gives, less the one each load gives
  // with k, (1000 m g - k sum(A raw)) / sum(A) in kPa (1000 m g and k sum(A raw) are in kPa mm^2).
  // At most kMaxBodyWeightResiduals, evenly spaced over the trial's loads (a long trial has one
  // load per frame; the file keeps a sample of them, and the median k uses them all).
  double area = 0.0;
  for (const Stream* s : streams)
    for (Eigen::Index i = 0; i < s->info.layout.areas_mm2().size(); ++i)
      if (finite_positive(s->info.layout.areas_mm2()[i])) area += s->info.layout.areas_mm2()[i];
  const std::size_t n = points->size(), kept = std::min(n, kMaxBodyWeightResiduals);
  c.residuals_kpa.reserve(kept);
  for (std::size_t j = 0; j < kept; ++j) {
    const std::size_t i = kept == n ? j : j * (n - 1) / (kept - 1);
    c.residuals_kpa.push_back((1000.0 * m_kg * kStandardGravityMs2 - k * (*points)[i]) / area);
  }
  return c;
}

Result<StandingCheck> check_standing(const std::vector<const Stream*>& streams, double m_kg) {
  if (!(finite_positive(m_kg) && m_kg <= 1000.0)) return invalid("standing check: mass must be in (0, 1000] kg");
  auto load = body_weight_load(streams, TrialKind::standing);
  if (!load) return load.error();
  StandingCheck c;
  c.measured_force_n = *load * 1e-3;  // kPa * mm^2 = 1e-3 N
  c.body_weight_n = m_kg * kStandardGravityMs2;
  c.error_percent = 100.0 * (c.measured_force_n - c.body_weight_n) / c.body_weight_n;
  return c;
}

}  // namespace insole
