#include "insole/core/recording.hpp"

#include <cmath>
#include <set>

namespace insole {

std::string_view to_string(PressureUnits u) noexcept { return u == PressureUnits::counts ? "counts" : "kPa"; }

std::optional<PressureUnits> pressure_units_from_string(std::string_view s) noexcept {
  if (s == "kPa") return PressureUnits::kpa;
  if (s == "counts") return PressureUnits::counts;
  return std::nullopt;
}

Status Stream::validate() const {
  const std::string where = "stream '" + info.name + "': ";
  if (pressure_kpa.rows() != time_s.size())
    return make_error(Errc::format_error, where + std::to_string(time_s.size()) +
                                              " time stamps but " +
                                              std::to_string(pressure_kpa.rows()) + " frames");
  if (pressure_kpa.rows() > 0 && pressure_kpa.cols() != info.layout.sensor_count())
    return make_error(Errc::format_error,
                      where + "frames have " + std::to_string(pressure_kpa.cols()) +
                          " values but the layout has " +
                          std::to_string(info.layout.sensor_count()) + " sensels");
  if (raw_counts.size() != 0 && (raw_counts.rows() != pressure_kpa.rows() || raw_counts.cols() != pressure_kpa.cols()))
    return make_error(Errc::format_error, where + "raw_counts is " + std::to_string(raw_counts.rows()) + " x " +
                                              std::to_string(raw_counts.cols()) + ", pressure is " +
                                              std::to_string(pressure_kpa.rows()) + " x " +
                                              std::to_string(pressure_kpa.cols()));
  if (vendor && (vendor->total_force_n.size() != time_s.size() || vendor->cop_normalised.rows() != time_s.size()))
    return make_error(Errc::format_error, where + "vendor channels have " + std::to_string(vendor->total_force_n.size()) +
                                              " force and " + std::to_string(vendor->cop_normalised.rows()) +
                                              " COP values for " + std::to_string(time_s.size()) + " frames");
  if (info.calibration && info.units != PressureUnits::kpa)
    return make_error(Errc::format_error, where + "a calibrated stream holds kPa, not counts");
  if (info.calibration)
    if (auto st = info.calibration->validate(pressure_kpa.cols()); !st)
      return make_error(Errc::format_error, where + st.error().message);
  for (Eigen::Index i = 0; i < time_s.size(); ++i) {
    if (!std::isfinite(time_s[i]))
      return make_error(Errc::format_error,
                        where + "time_s[" + std::to_string(i) + "] is not a finite number");
    if (i > 0 && !(time_s[i] > time_s[i - 1]))
      return make_error(Errc::format_error, where + "time_s is not strictly increasing at index " +
                                                std::to_string(i));
  }
  return {};
}

void Stream::append(double t_s, const Eigen::Ref<const Eigen::VectorXf>& frame_kpa) {
  const Eigen::Index n = time_s.size();
  time_s.conservativeResize(n + 1);
  time_s[n] = t_s;
  pressure_kpa.conservativeResize(n + 1, frame_kpa.size());
  pressure_kpa.row(n) = frame_kpa.transpose();
}

const Stream* Recording::find_stream(const std::string& name) const noexcept {
  for (const auto& s : streams)
    if (s.info.name == name) return &s;
  return nullptr;
}

Status Recording::validate() const {
  std::set<std::string> names;
  for (const auto& s : streams) {
    if (s.info.name.empty()) return make_error(Errc::format_error, "a stream has an empty name");
    if (!names.insert(s.info.name).second)
      return make_error(Errc::format_error, "stream name '" + s.info.name + "' is used twice");
    if (auto st = s.validate(); !st) return st;
  }
  return {};
}

Eigen::VectorXd total_force_n(const Stream& stream) {
  // NaN-safe weighted row sums: absent sensels are zeroed in the weight and value.
  const auto& areas = stream.info.layout.areas_mm2();
  Eigen::VectorXd force = Eigen::VectorXd::Zero(stream.frame_count());
  for (Eigen::Index f = 0; f < stream.frame_count(); ++f) {
    double sum = 0.0;
    for (Eigen::Index s = 0; s < stream.pressure_kpa.cols(); ++s) {
      const float p = stream.pressure_kpa(f, s);
      if (std::isfinite(p) && std::isfinite(areas[s])) sum += double(p) * areas[s];
    }
    force[f] = sum * 1e-3;
  }
  return force;
}

}  // namespace insole
