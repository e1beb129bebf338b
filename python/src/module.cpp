// The `insole._insole` extension module: the C++ library seen from Python. It only converts
// (recordings <-> dicts of NumPy arrays, the assessment -> its JSON text and its per-foot image
// arrays) and calls the same library functions the CLI calls; the Python package `insole`
// (python/insole/__init__.py) wraps these functions into the documented API.
//
// Errors: every Result error becomes a C++ ToolkitError, translated into the Python exception
// class insole._errors.class_for(code) with the toolkit's message unchanged.
// The GIL is released while the library reads, analyses or writes.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "insole/assess/assessment.hpp"
#include "insole/batch/inputs.hpp"
#include "insole/batch/run.hpp"
#include "insole/core/recording.hpp"
#include "insole/core/result.hpp"
#include "insole/core/version.hpp"
#include "insole/importers/importers.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "insole/recommend/intake.hpp"
#include "insole/recommend/rules.hpp"
#include "insole/report/json.hpp"
#include "insole/sim/simulator.hpp"
#include "insole/stats/image.hpp"
#include "insole/stats/regions.hpp"
#include "insole/stats/registration.hpp"
#include "insole/stats/results.hpp"
#include "insole/stats/spm.hpp"

namespace py = pybind11;
namespace fs = std::filesystem;

namespace {

using namespace insole;

/// A toolkit Error on its way to Python.
struct ToolkitError : std::exception {
  explicit ToolkitError(Error e) : error(std::move(e)) {}
  const char* what() const noexcept override { return error.message.c_str(); }
  Error error;
};

template <class T>
T take(Result<T>&& r) {
  if (!r) throw ToolkitError(r.error());
  return std::move(r).value();
}

void check(const Status& st) {
  if (!st) throw ToolkitError(st.error());
}

// ---- recordings <-> dicts ---------------------------------------------------------------------

template <class T>
py::array_t<T> new_array(std::vector<py::ssize_t> shape) {
  return py::array_t<T>(std::move(shape));
}

py::dict stream_to_dict(const Stream& s) {
  const StreamInfo& info = s.info;
  const SensorLayout& layout = info.layout;
  const py::ssize_t n = s.frame_count();
  py::dict d;
  d["name"] = info.name;
  d["kind"] = layout.is_grid() ? "grid" : "sensors";
  d["side"] = std::string(to_string(info.side));
  d["units"] = "kPa";  // io reads kPa only (docs/format.md)
  d["sample_rate_hz"] = info.sample_rate_hz;
  d["device"] = info.device;
  d["attributes"] = info.attributes;

  auto time = new_array<double>({n});
  std::copy(s.time_s.data(), s.time_s.data() + n, time.mutable_data());
  d["time_s"] = time;

  const py::ssize_t sensels = layout.sensor_count();
  py::array_t<float> pressure =
      layout.is_grid() ? new_array<float>({n, layout.rows(), layout.cols()}) : new_array<float>({n, sensels});
  // FrameMatrix is row-major: one frame is contiguous, as in the HDF5 dataset.
  if (n * sensels > 0) std::memcpy(pressure.mutable_data(), s.pressure_kpa.data(), sizeof(float) * n * sensels);
  d["pressure"] = pressure;

  py::array_t<bool> present = layout.is_grid() ? new_array<bool>({layout.rows(), layout.cols()}) : new_array<bool>({sensels});
  for (py::ssize_t i = 0; i < sensels; ++i) present.mutable_data()[i] = layout.present()[static_cast<std::size_t>(i)];
  d["present"] = present;

  if (layout.is_grid()) {
    d["pitch_mm"] = py::make_tuple(layout.row_pitch_mm(), layout.col_pitch_mm());
    d["sensor_xy_mm"] = py::none();
    d["sensor_area_mm2"] = py::none();
  } else {
    auto xy = new_array<float>({sensels, 2});
    auto area = new_array<float>({sensels});
    for (py::ssize_t i = 0; i < sensels; ++i) {
      xy.mutable_at(i, 0) = static_cast<float>(layout.centres_mm()(i, 0));
      xy.mutable_at(i, 1) = static_cast<float>(layout.centres_mm()(i, 1));
      area.mutable_at(i) = static_cast<float>(layout.areas_mm2()(i));
    }
    d["pitch_mm"] = py::none();
    d["sensor_xy_mm"] = xy;
    d["sensor_area_mm2"] = area;
  }
  // The maker's own total force and COP (Moticon), one row per frame; None when the file has none.
  d["vendor_total_force_n"] = py::none();
  d["vendor_cop_normalised"] = py::none();
  if (s.vendor) {
    auto force = new_array<double>({n});
    auto cop = new_array<double>({n, 2});
    for (py::ssize_t i = 0; i < n; ++i) {
      force.mutable_at(i) = s.vendor->total_force_n(i);
      cop.mutable_at(i, 0) = s.vendor->cop_normalised(i, 0);
      cop.mutable_at(i, 1) = s.vendor->cop_normalised(i, 1);
    }
    d["vendor_total_force_n"] = force;
    d["vendor_cop_normalised"] = cop;
  }
  return d;
}

py::dict recording_to_dict(const Recording& rec) {
  py::dict meta;
  meta["subject"] = rec.meta.subject;
  meta["body_mass_kg"] = rec.meta.body_mass_kg ? py::object(py::float_(*rec.meta.body_mass_kg)) : py::object(py::none());
  meta["mode"] = rec.meta.mode;
  meta["created_by"] = rec.meta.created_by;
  meta["attributes"] = rec.meta.attributes;
  py::list streams;
  for (const auto& s : rec.streams) streams.append(stream_to_dict(s));
  py::list events;
  for (const auto& e : rec.events) {
    py::dict ev;
    ev["time_s"] = e.time_s;
    ev["stream"] = e.stream;
    ev["kind"] = e.kind;
    ev["detail"] = e.detail;
    events.append(ev);
  }
  py::dict d;
  d["metadata"] = meta;
  d["streams"] = streams;
  d["events"] = events;
  return d;
}

Error bad(const std::string& where, const std::string& what) {
  return make_error(Errc::invalid_argument, where + ": " + what);
}

std::string str_item(const py::dict& d, const char* key, const std::string& where, const std::string& fallback = "") {
  if (!d.contains(key) || d[key].is_none()) return fallback;
  if (!py::isinstance<py::str>(d[key])) throw ToolkitError(bad(where, std::string("'") + key + "' must be a str"));
  return d[key].cast<std::string>();
}

std::map<std::string, std::string> str_map(const py::dict& d, const char* key, const std::string& where) {
  std::map<std::string, std::string> out;
  if (!d.contains(key) || d[key].is_none()) return out;
  try {
    out = d[key].cast<std::map<std::string, std::string>>();
  } catch (const py::cast_error&) {
    throw ToolkitError(bad(where, std::string("'") + key + "' must be a dict of str to str"));
  }
  return out;
}

Stream stream_from_dict(const py::dict& d, std::size_t index) {
  const std::string where = "recording.streams[" + std::to_string(index) + "]";
  Stream s;
  StreamInfo& info = s.info;
  info.name = str_item(d, "name", where);
  const std::string kind = str_item(d, "kind", where, "grid");
  if (kind != "grid" && kind != "sensors")
    throw ToolkitError(bad(where, "'kind' is \"" + kind + "\", expected \"grid\" or \"sensors\""));
  const std::string side = str_item(d, "side", where, "unknown");
  const auto parsed_side = parse_side(side);
  if (!parsed_side)
    throw ToolkitError(bad(where, "'side' is \"" + side + "\", expected left, right, both or unknown"));
  info.side = *parsed_side;
  info.sample_rate_hz = d.contains("sample_rate_hz") ? d["sample_rate_hz"].cast<double>() : 0.0;
  info.device = str_item(d, "device", where);
  info.attributes = str_map(d, "attributes", where);

  if (!d.contains("time_s") || !d.contains("pressure")) throw ToolkitError(bad(where, "needs 'time_s' and 'pressure'"));
  const auto time = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["time_s"]);
  const auto pressure = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(d["pressure"]);
  if (!time || time.ndim() != 1) throw ToolkitError(bad(where, "'time_s' must be a 1-D array of seconds"));
  if (!pressure) throw ToolkitError(bad(where, "'pressure' must be an array of kPa"));
  const py::ssize_t n = time.shape(0);
  if (kind == "grid") {
    if (pressure.ndim() != 3 || pressure.shape(0) != n)
      throw ToolkitError(bad(where, "'pressure' must have shape [frames, rows, cols] with frames = len(time_s)"));
    const auto pitch = d.contains("pitch_mm") ? d["pitch_mm"].cast<std::vector<double>>() : std::vector<double>{};
    if (pitch.size() != 2) throw ToolkitError(bad(where, "'pitch_mm' must hold 2 numbers (row, col)"));
    info.layout = take(SensorLayout::grid(static_cast<int>(pressure.shape(1)), static_cast<int>(pressure.shape(2)),
                                          pitch[0], pitch[1]));
  } else {
    if (pressure.ndim() != 2 || pressure.shape(0) != n)
      throw ToolkitError(bad(where, "'pressure' must have shape [frames, sensors] with frames = len(time_s)"));
    const py::ssize_t m = pressure.shape(1);
    const auto xy = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["sensor_xy_mm"]);
    const auto area = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["sensor_area_mm2"]);
    if (!xy || xy.ndim() != 2 || xy.shape(0) != m || xy.shape(1) != 2)
      throw ToolkitError(bad(where, "'sensor_xy_mm' must have shape [sensors, 2]"));
    if (!area || area.ndim() != 1 || area.shape(0) != m)
      throw ToolkitError(bad(where, "'sensor_area_mm2' must have shape [sensors]"));
    Eigen::MatrixX2d centres(m, 2);
    Eigen::VectorXd areas(m);
    for (py::ssize_t i = 0; i < m; ++i) {
      centres(i, 0) = xy.at(i, 0);
      centres(i, 1) = xy.at(i, 1);
      areas(i) = area.at(i);
    }
    info.layout = take(SensorLayout::sensors(std::move(centres), std::move(areas)));
  }
  if (d.contains("present") && !d["present"].is_none()) {
    const auto present = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(d["present"]);
    if (!present || present.size() != info.layout.sensor_count())
      throw ToolkitError(bad(where, "'present' must have one entry per sensel"));
    std::vector<bool> mask(static_cast<std::size_t>(present.size()));
    for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = present.data()[i];
    check(info.layout.set_present(std::move(mask)));
  }
  const bool has_force = d.contains("vendor_total_force_n") && !d["vendor_total_force_n"].is_none();
  const bool has_cop = d.contains("vendor_cop_normalised") && !d["vendor_cop_normalised"].is_none();
  if (has_force != has_cop)
    throw ToolkitError(bad(where, "'vendor_total_force_n' and 'vendor_cop_normalised' go together (both or neither)"));
  if (has_force) {
    const auto force = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["vendor_total_force_n"]);
    const auto cop = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["vendor_cop_normalised"]);
    if (!force || force.ndim() != 1 || force.shape(0) != n)
      throw ToolkitError(bad(where, "'vendor_total_force_n' must have shape [frames] with frames = len(time_s)"));
    if (!cop || cop.ndim() != 2 || cop.shape(0) != n || cop.shape(1) != 2)
      throw ToolkitError(bad(where, "'vendor_cop_normalised' must have shape [frames, 2] with frames = len(time_s)"));
    VendorChannels v;
    v.total_force_n = Eigen::Map<const Eigen::VectorXd>(force.data(), n);
    v.cop_normalised.resize(n, 2);
    for (py::ssize_t i = 0; i < n; ++i) {
      v.cop_normalised(i, 0) = cop.at(i, 0);
      v.cop_normalised(i, 1) = cop.at(i, 1);
    }
    s.vendor = std::move(v);
  }
  const py::ssize_t sensels = info.layout.sensor_count();
  s.time_s.resize(n);
  std::copy(time.data(), time.data() + n, s.time_s.data());
  s.pressure_kpa.resize(n, sensels);
  if (n * sensels > 0) std::memcpy(s.pressure_kpa.data(), pressure.data(), sizeof(float) * n * sensels);
  return s;
}

Recording recording_from_dict(const py::dict& d) {
  Recording rec;
  if (d.contains("metadata") && !d["metadata"].is_none()) {
    const py::dict m = d["metadata"].cast<py::dict>();
    rec.meta.subject = str_item(m, "subject", "recording.metadata");
    rec.meta.mode = str_item(m, "mode", "recording.metadata");
    rec.meta.created_by = str_item(m, "created_by", "recording.metadata");
    if (m.contains("body_mass_kg") && !m["body_mass_kg"].is_none()) rec.meta.body_mass_kg = m["body_mass_kg"].cast<double>();
    rec.meta.attributes = str_map(m, "attributes", "recording.metadata");
  }
  if (!d.contains("streams")) throw ToolkitError(bad("recording", "has no 'streams'"));
  std::size_t i = 0;
  for (const auto& item : d["streams"].cast<py::list>()) rec.streams.push_back(stream_from_dict(item.cast<py::dict>(), i++));
  if (d.contains("events"))
    for (const auto& item : d["events"].cast<py::list>()) {
      const py::dict e = item.cast<py::dict>();
      rec.events.push_back(Event{e["time_s"].cast<double>(), str_item(e, "stream", "recording.events"),
                                 str_item(e, "kind", "recording.events"), str_item(e, "detail", "recording.events")});
    }
  check(rec.validate());
  return rec;
}

// ---- rules and intake ---------------------------------------------------------------------------

/// None = the shipped default (found as the CLI finds it); a path; or a dict (the rule file's JSON).
recommend::RuleSet rules_arg(const py::object& rules) {
  if (rules.is_none()) return take(recommend::load_default_rules());
  if (py::isinstance<py::dict>(rules)) {
    const std::string text = py::module_::import("json").attr("dumps")(rules).cast<std::string>();
    return take(recommend::parse_rules(text, "<rules dict>"));
  }
  return take(recommend::load_rules(py::module_::import("os").attr("fspath")(rules).cast<std::string>()));
}

/// None; a path (.json or .yaml); or a dict of intake fields.
std::optional<recommend::Intake> intake_arg(const py::object& intake) {
  if (intake.is_none()) return std::nullopt;
  if (py::isinstance<py::dict>(intake)) {
    const std::string text = py::module_::import("json").attr("dumps")(intake).cast<std::string>();
    return take(recommend::parse_intake(text, "<intake dict>", false));
  }
  return take(recommend::load_intake(py::module_::import("os").attr("fspath")(intake).cast<std::string>()));
}

// ---- statistics: images, registrations and test results <-> dicts --------------------------------

/// An image as the Python package holds it: values [rows, cols] (float64, row 0 at the lowest y),
/// pitch_mm (row, col) as in the recording format, origin_mm (x, y).
py::dict stats_image_to_dict(const stats::Image& im) {
  py::dict d;
  auto values = new_array<double>({im.rows(), im.cols()});
  for (int r = 0; r < im.rows(); ++r)
    for (int c = 0; c < im.cols(); ++c) values.mutable_at(r, c) = im.values(r, c);
  d["values"] = values;
  d["pitch_mm"] = py::make_tuple(im.grid.pitch_y_mm, im.grid.pitch_x_mm);
  d["origin_mm"] = py::make_tuple(im.grid.origin_x_mm, im.grid.origin_y_mm);
  return d;
}

std::pair<double, double> number_pair(const py::dict& d, const char* key, const std::string& where,
                                      std::pair<double, double> fallback) {
  if (!d.contains(key) || d[key].is_none()) return fallback;
  std::vector<double> v;
  try {
    v = d[key].cast<std::vector<double>>();
  } catch (const py::cast_error&) {
    throw ToolkitError(bad(where, std::string("'") + key + "' must hold 2 numbers"));
  }
  if (v.size() != 2) throw ToolkitError(bad(where, std::string("'") + key + "' must hold 2 numbers"));
  return {v[0], v[1]};
}

stats::Grid grid_from_dict(const py::dict& d, int rows, int cols, const std::string& where) {
  stats::Grid g;
  g.rows = rows;
  g.cols = cols;
  const auto pitch = number_pair(d, "pitch_mm", where, {1.0, 1.0});
  g.pitch_y_mm = pitch.first;
  g.pitch_x_mm = pitch.second;
  const auto origin = number_pair(d, "origin_mm", where, {0.0, 0.0});
  g.origin_x_mm = origin.first;
  g.origin_y_mm = origin.second;
  return g;
}

stats::Image stats_image_from_dict(const py::dict& d, const std::string& where) {
  if (!d.contains("values")) throw ToolkitError(bad(where, "has no 'values'"));
  const auto values = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["values"]);
  if (!values || values.ndim() != 2)
    throw ToolkitError(bad(where, "'values' must be a 2-D array [rows, cols] of numbers"));
  stats::Image im;
  im.grid = grid_from_dict(d, static_cast<int>(values.shape(0)), static_cast<int>(values.shape(1)), where);
  im.values.resize(im.grid.rows, im.grid.cols);
  for (int r = 0; r < im.grid.rows; ++r)
    for (int c = 0; c < im.grid.cols; ++c) {
      const double v = values.at(r, c);
      // NaN means "no sensel / no contact" (stats/image.hpp); an infinite value is no pressure.
      if (std::isinf(v))
        throw ToolkitError(bad(where, "value at row " + std::to_string(r) + ", column " + std::to_string(c) +
                                          " is infinite (expected a finite number, or NaN for no contact)"));
      im.values(r, c) = v;
    }
  check(stats::validate(im, where));
  return im;
}

std::vector<stats::Image> stats_images_from_list(const py::list& items, const std::string& name) {
  std::vector<stats::Image> out;
  std::size_t i = 0;
  for (const auto& item : items) {
    const std::string where = name + "[" + std::to_string(i++) + "]";
    if (!py::isinstance<py::dict>(item)) throw ToolkitError(bad(where, "must be an image"));
    out.push_back(stats_image_from_dict(item.cast<py::dict>(), where));
  }
  return out;
}

template <class M>
py::array_t<double> matrix_to_array(const M& m) {
  auto a = new_array<double>({static_cast<py::ssize_t>(m.rows()), static_cast<py::ssize_t>(m.cols())});
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) a.mutable_at(r, c) = static_cast<double>(m(r, c));
  return a;
}

py::dict quality_to_dict(const stats::RegistrationQuality& q) {
  py::dict d;
  d["dice"] = q.dice;
  d["ncc"] = q.ncc;
  d["rms_residual"] = q.rms_residual;
  d["dice_before"] = q.dice_before;
  d["ncc_before"] = q.ncc_before;
  d["rms_residual_before"] = q.rms_residual_before;
  d["min_jacobian"] = q.min_jacobian ? py::object(py::float_(*q.min_jacobian)) : py::object(py::none());
  return d;
}

const char* kind_name(stats::TransformKind k) {
  switch (k) {
    case stats::TransformKind::rigid: return "rigid";
    case stats::TransformKind::affine: return "affine";
    case stats::TransformKind::nonlinear: return "nonlinear";
  }
  return "rigid";
}

py::dict registration_to_dict(const stats::Registration& reg) {
  py::dict d;
  d["kind"] = kind_name(reg.kind);
  d["mirrored"] = reg.mirrored;
  d["A"] = matrix_to_array(reg.A);
  auto t = new_array<double>({2});
  t.mutable_at(0) = reg.t_mm.x();
  t.mutable_at(1) = reg.t_mm.y();
  d["t_mm"] = t;
  d["angle_deg"] = reg.angle_deg;
  d["ux_mm"] = reg.ux_mm.size() ? py::object(matrix_to_array(reg.ux_mm)) : py::object(py::none());
  d["uy_mm"] = reg.uy_mm.size() ? py::object(matrix_to_array(reg.uy_mm)) : py::object(py::none());
  d["warped"] = stats_image_to_dict(reg.warped);
  d["quality"] = quality_to_dict(reg.quality);
  d["final_cost"] = reg.final_cost;
  return d;
}

/// Back from the dict registration_to_dict made (for apply_registration): the transform and the
/// fixed grid (that of `warped`); quality and the warped image are not needed.
stats::Registration registration_from_dict(const py::dict& d) {
  const std::string where = "registration";
  stats::Registration reg;
  const std::string kind = str_item(d, "kind", where, "rigid");
  if (kind == "rigid") reg.kind = stats::TransformKind::rigid;
  else if (kind == "affine") reg.kind = stats::TransformKind::affine;
  else if (kind == "nonlinear") reg.kind = stats::TransformKind::nonlinear;
  else throw ToolkitError(bad(where, "'kind' is \"" + kind + "\", expected rigid, affine or nonlinear"));
  reg.mirrored = d.contains("mirrored") && d["mirrored"].cast<bool>();
  const auto A = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["A"]);
  const auto t = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["t_mm"]);
  if (!A || A.ndim() != 2 || A.shape(0) != 2 || A.shape(1) != 2) throw ToolkitError(bad(where, "'A' must be 2 x 2"));
  if (!t || t.size() != 2) throw ToolkitError(bad(where, "'t_mm' must hold 2 numbers"));
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 2; ++c) reg.A(r, c) = A.at(r, c);
  reg.t_mm = {t.data()[0], t.data()[1]};
  if (!d.contains("warped")) throw ToolkitError(bad(where, "has no 'warped' image (its grid is the fixed grid)"));
  reg.warped = stats_image_from_dict(d["warped"].cast<py::dict>(), where + ".warped");
  reg.fixed_grid = reg.warped.grid;
  if (reg.kind == stats::TransformKind::nonlinear) {
    const auto ux = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["ux_mm"]);
    const auto uy = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["uy_mm"]);
    const auto fits = [&](const py::array_t<double, py::array::c_style | py::array::forcecast>& u) {
      return u && u.ndim() == 2 && u.shape(0) == reg.fixed_grid.rows && u.shape(1) == reg.fixed_grid.cols;
    };
    if (!fits(ux) || !fits(uy)) throw ToolkitError(bad(where, "'ux_mm' and 'uy_mm' must be shaped like the fixed grid"));
    reg.ux_mm.resize(reg.fixed_grid.rows, reg.fixed_grid.cols);
    reg.uy_mm.resize(reg.fixed_grid.rows, reg.fixed_grid.cols);
    for (int r = 0; r < reg.fixed_grid.rows; ++r)
      for (int c = 0; c < reg.fixed_grid.cols; ++c) reg.ux_mm(r, c) = ux.at(r, c), reg.uy_mm(r, c) = uy.at(r, c);
  }
  return reg;
}

stats::RegistrationParams registration_params(const py::dict& o) {
  stats::RegistrationParams p;
  if (o.contains("mirror")) p.mirror = o["mirror"].cast<bool>();
  if (o.contains("levels_sigma_mm")) {
    const auto v = o["levels_sigma_mm"].cast<std::vector<double>>();
    if (v.empty()) throw ToolkitError(bad("register", "levels_sigma_mm must hold at least one sigma"));
    p.levels_sigma_mm = Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
  }
  if (o.contains("max_iterations")) p.max_iterations = o["max_iterations"].cast<int>();
  if (o.contains("tolerance")) p.tolerance = o["tolerance"].cast<double>();
  if (o.contains("contact_threshold")) p.contact_threshold = o["contact_threshold"].cast<double>();
  if (o.contains("demons_iterations")) p.demons_iterations = o["demons_iterations"].cast<int>();
  if (o.contains("demons_step_mm")) p.demons_step_mm = o["demons_step_mm"].cast<double>();
  if (o.contains("demons_smooth_mm")) p.demons_smooth_mm = o["demons_smooth_mm"].cast<double>();
  return p;
}

py::dict register_images(const py::dict& moving, const py::dict& fixed, const std::string& kind, const py::dict& options) {
  const stats::Image m = stats_image_from_dict(moving, "moving");
  const stats::Image f = stats_image_from_dict(fixed, "fixed");
  const stats::RegistrationParams params = registration_params(options);
  if (kind != "rigid" && kind != "affine" && kind != "nonlinear")
    throw ToolkitError(make_error(Errc::invalid_argument, "kind must be rigid, affine or nonlinear, not \"" + kind + "\""));
  Result<stats::Registration> r = make_error(Errc::invalid_argument, "not run");
  {
    py::gil_scoped_release release;
    r = kind == "rigid"    ? stats::register_rigid(m, f, params)
        : kind == "affine" ? stats::register_affine(m, f, params)
                           : stats::register_nonlinear(m, f, params);
  }
  return registration_to_dict(take(std::move(r)));
}

py::dict apply_registration(const py::dict& registration, const py::dict& image) {
  const stats::Registration reg = registration_from_dict(registration);
  const stats::Image im = stats_image_from_dict(image, "image");
  return stats_image_to_dict(stats::apply_registration(reg, im));
}

py::dict compare_images(const py::dict& warped, const py::dict& fixed, double contact_threshold) {
  const stats::Image w = stats_image_from_dict(warped, "warped");
  const stats::Image f = stats_image_from_dict(fixed, "fixed");
  if (!w.grid.same_as(f.grid))
    throw ToolkitError(make_error(Errc::invalid_argument, "compare_images: the two images must share one grid"));
  return quality_to_dict(stats::compare_images(w, f, contact_threshold));
}

py::dict resample_image(const py::dict& image, const py::dict& grid) {
  const stats::Image im = stats_image_from_dict(image, "image");
  if (!grid.contains("rows") || !grid.contains("cols")) throw ToolkitError(bad("grid", "needs 'rows' and 'cols'"));
  const int rows = grid["rows"].cast<int>(), cols = grid["cols"].cast<int>();
  if (rows <= 0 || cols <= 0) throw ToolkitError(bad("grid", "rows and cols must be positive"));
  const stats::Grid g = grid_from_dict(grid, rows, cols, "grid");
  check(stats::validate(stats::Image::zeros(g), "grid"));
  return stats_image_to_dict(stats::resample(im, g));
}

py::dict smooth_image(const py::dict& image, double sigma_mm) {
  return stats_image_to_dict(stats::gaussian_smooth(stats_image_from_dict(image, "image"), sigma_mm));
}

py::dict mirror_image(const py::dict& image) {
  return stats_image_to_dict(stats::mirror_columns(stats_image_from_dict(image, "image")));
}

py::dict parse_csv_image(const std::string& text, double pitch_mm, const std::string& source) {
  return stats_image_to_dict(take(stats::parse_csv_image(text, pitch_mm, source)));
}

Side side_arg(const std::string& side) {
  const auto s = parse_side(side);
  if (!s) throw ToolkitError(make_error(Errc::invalid_argument, "side must be left, right or unknown, not \"" + side + "\""));
  return *s;
}

py::tuple regions_on_image(const py::dict& image, const std::string& side, std::pair<double, double> toe_direction,
                           double contact_threshold) {
  const stats::Image im = stats_image_from_dict(image, "image");
  auto map = take(stats::regions_on_image(im, side_arg(side), {toe_direction.first, toe_direction.second}, contact_threshold));
  auto label = new_array<std::int32_t>({map.label.rows(), map.label.cols()});
  for (Eigen::Index r = 0; r < map.label.rows(); ++r)
    for (Eigen::Index c = 0; c < map.label.cols(); ++c) label.mutable_at(r, c) = map.label(r, c);
  return py::make_tuple(label, map.names);
}

bool needs_mirror(const std::string& moving, const std::string& fixed) {
  return stats::needs_mirror(side_arg(moving), side_arg(fixed));
}

py::list clusters_to_list(const std::vector<stats::Cluster>& cs) {
  py::list out;
  for (const auto& c : cs) {
    py::dict d;
    d["sign"] = c.sign;
    d["pixels"] = c.pixels;
    d["area_mm2"] = c.area_mm2;
    d["centroid_mm"] = py::make_tuple(c.centroid_x_mm, c.centroid_y_mm);
    d["peak_t"] = c.peak_t;
    d["peak_mm"] = py::make_tuple(c.peak_x_mm, c.peak_y_mm);
    d["p_fwe"] = c.p_fwe;
    d["region"] = c.region.empty() ? py::object(py::none()) : py::object(py::str(c.region));
    out.append(d);
  }
  return out;
}

py::array_t<double> vector_to_array(const std::vector<double>& v) {
  auto a = new_array<double>({static_cast<py::ssize_t>(v.size())});
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

py::dict spm_to_dict(const stats::SpmResult& r) {
  py::dict d;
  d["test"] = stats::to_string(r.design);
  d["tail"] = stats::to_string(r.tail);
  d["n"] = r.n;
  d["df"] = r.df;
  d["alpha"] = r.alpha;
  d["statistic"] = stats_image_to_dict(r.statistic);
  d["effect"] = matrix_to_array(r.effect);
  d["p_fwe"] = matrix_to_array(r.p_fwe);
  auto mask = new_array<bool>({static_cast<py::ssize_t>(r.mask.rows()), static_cast<py::ssize_t>(r.mask.cols())});
  for (Eigen::Index i = 0; i < r.mask.rows(); ++i)
    for (Eigen::Index j = 0; j < r.mask.cols(); ++j) mask.mutable_at(i, j) = r.mask(i, j);
  d["mask"] = mask;
  d["permutations"] = r.permutations;
  d["possible_permutations"] = r.possible_permutations;
  d["exact"] = r.exact;
  d["seed"] = r.seed;
  d["threshold_t"] = r.threshold_t;
  d["max_distribution"] = vector_to_array(r.max_distribution);
  d["clusters_max"] = clusters_to_list(r.peak_clusters);
  d["cluster_forming_t"] = r.cluster_forming_t;
  d["critical_cluster_pixels"] = r.critical_cluster_pixels;
  d["cluster_distribution"] = vector_to_array(r.cluster_distribution);
  d["clusters_extent"] = clusters_to_list(r.extent_clusters);
  return d;
}

stats::SpmParams spm_params(const py::dict& o) {
  stats::SpmParams p;
  if (o.contains("alpha")) p.alpha = o["alpha"].cast<double>();
  if (o.contains("tail")) {
    const std::string t = o["tail"].cast<std::string>();
    if (t == "two-sided" || t == "two_sided") p.tail = stats::Tail::two_sided;
    else if (t == "upper") p.tail = stats::Tail::upper;
    else if (t == "lower") p.tail = stats::Tail::lower;
    else throw ToolkitError(make_error(Errc::invalid_argument, "tail must be two-sided, upper or lower, not \"" + t + "\""));
  }
  if (o.contains("permutations")) {
    const auto n = o["permutations"].cast<long long>();
    if (n < 1) throw ToolkitError(make_error(Errc::invalid_argument, "permutations must be at least 1"));
    p.permutations = static_cast<std::size_t>(n);
  }
  if (o.contains("seed")) p.seed = o["seed"].cast<std::uint64_t>();
  if (o.contains("cluster_p")) p.cluster_forming_p = o["cluster_p"].cast<double>();
  if (o.contains("cluster_t") && !o["cluster_t"].is_none()) p.cluster_forming_t = o["cluster_t"].cast<double>();
  if (o.contains("contact_threshold")) p.contact_threshold = o["contact_threshold"].cast<double>();
  if (o.contains("min_contact_fraction")) p.min_contact_fraction = o["min_contact_fraction"].cast<double>();
  return p;
}

/// One test. `regions`: None or (label [rows, cols] int, names). `output`: "" or the HDF5 results
/// file (docs/statistics.md, "Results file") with the test as group /spm, written atomically.
py::dict run_spm(const std::string& test, const py::list& a, const py::list& b, const std::vector<double>& covariate,
                 const py::dict& options, const py::object& regions, const std::string& output) {
  const std::vector<stats::Image> ia = stats_images_from_list(a, "images");
  const std::vector<stats::Image> ib = stats_images_from_list(b, "images_b");
  const stats::SpmParams params = spm_params(options);
  std::optional<stats::RegionMap> map;
  if (!regions.is_none()) {
    const auto t = regions.cast<py::tuple>();
    if (t.size() != 2) throw ToolkitError(bad("regions", "must be (label array, names)"));
    const auto label = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>::ensure(t[0]);
    if (!label || label.ndim() != 2) throw ToolkitError(bad("regions", "the label array must be 2-D"));
    if (!ia.empty() && (label.shape(0) != ia.front().rows() || label.shape(1) != ia.front().cols()))
      throw ToolkitError(bad("regions", "the label array must be shaped like the images"));
    map.emplace();
    map->names = t[1].cast<std::vector<std::string>>();
    map->label.resize(label.shape(0), label.shape(1));
    for (py::ssize_t r = 0; r < label.shape(0); ++r)
      for (py::ssize_t c = 0; c < label.shape(1); ++c) {
        const int v = label.at(r, c);
        if (v < -1 || v >= static_cast<int>(map->names.size()))
          throw ToolkitError(bad("regions", "label " + std::to_string(v) + " names no region"));
        map->label(r, c) = v;
      }
  }
  const stats::RegionMap* mp = map ? &*map : nullptr;
  Result<stats::SpmResult> r = make_error(Errc::invalid_argument, "test must be one-sample, paired, two-sample or regression, not \"" + test + "\"");
  {
    py::gil_scoped_release release;
    if (test == "one-sample") r = stats::one_sample(ia, params, mp);
    else if (test == "paired") r = stats::paired(ia, ib, params, mp);
    else if (test == "two-sample") r = stats::two_sample(ia, ib, params, mp);
    else if (test == "regression") r = stats::regression(ia, covariate, params, mp);
  }
  const stats::SpmResult result = take(std::move(r));
  if (!output.empty()) {
    DataNode root;
    root.groups["spm"] = stats::to_data_tree(result);
    py::gil_scoped_release release;
    check(io::write_data_tree(output, root, stats::kSpmFormat));
  }
  return spm_to_dict(result);
}

double t_upper_quantile(double p, int df) {
  if (!(p > 0.0 && p < 1.0) || df < 1)
    throw ToolkitError(make_error(Errc::invalid_argument, "t_quantile needs 0 < p < 1 and df >= 1"));
  return stats::t_upper_quantile(p, df);
}

// ---- the assessment -----------------------------------------------------------------------------

/// One aggregated per-foot image (analysis/foot_image.hpp) as arrays. Raster images (grids) also
/// come as dense [ap, ml] arrays over their bounding box (row 0 at the heel, column 0 most
/// lateral); cells no footfall loaded are 0 there and False in "loaded".
py::dict image_to_dict(const analysis::FootImage& im) {
  py::dict d;
  d["stream"] = im.stream;
  d["side"] = std::string(to_string(im.side));
  d["raster"] = im.raster;
  d["cell_mm"] = im.cell_mm;
  d["footfalls"] = im.footfalls;
  const auto n = static_cast<py::ssize_t>(im.cells.size());
  auto ml = new_array<double>({n}), ap = new_array<double>({n}), half_ml = new_array<double>({n}),
       half_ap = new_array<double>({n}), max_peak = new_array<double>({n}), peak = new_array<double>({n}),
       mean = new_array<double>({n}), pti = new_array<double>({n}), contact = new_array<double>({n});
  auto loaded_by = new_array<std::int64_t>({n});
  auto region = new_array<std::int32_t>({n});
  py::ssize_t i = 0;
  for (const auto& [key, c] : im.cells) {
    (void)key;
    ml.mutable_at(i) = c.ml_mm;
    ap.mutable_at(i) = c.ap_mm;
    half_ml.mutable_at(i) = c.half_ml_mm;
    half_ap.mutable_at(i) = c.half_ap_mm;
    loaded_by.mutable_at(i) = static_cast<std::int64_t>(c.footfalls);
    max_peak.mutable_at(i) = c.max_peak_kpa;
    peak.mutable_at(i) = im.mean_peak_kpa(c);
    mean.mutable_at(i) = im.mean_pressure_kpa(c);
    pti.mutable_at(i) = im.pti_kpa_s(c);
    contact.mutable_at(i) = im.contact_percent(c);
    region.mutable_at(i) = im.region_of(c);
    ++i;
  }
  py::dict cells;
  cells["ml_mm"] = ml;
  cells["ap_mm"] = ap;
  cells["half_ml_mm"] = half_ml;
  cells["half_ap_mm"] = half_ap;
  cells["footfalls"] = loaded_by;
  cells["max_peak_kpa"] = max_peak;
  cells["peak_kpa"] = peak;
  cells["mean_kpa"] = mean;
  cells["pti_kpa_s"] = pti;
  cells["contact_percent"] = contact;
  cells["region"] = region;
  d["cells"] = cells;
  py::list region_names;
  for (const char* r : analysis::kImageRegions) region_names.append(r);
  d["region_names"] = region_names;

  const auto cop = im.mean_cop_mm();
  auto cop_arr = new_array<double>({static_cast<py::ssize_t>(cop.size()), 2});
  for (std::size_t k = 0; k < cop.size(); ++k) {
    cop_arr.mutable_at(static_cast<py::ssize_t>(k), 0) = cop[k].x();
    cop_arr.mutable_at(static_cast<py::ssize_t>(k), 1) = cop[k].y();
  }
  d["mean_cop_mm"] = cop_arr;
  if (const auto thirds = im.thirds_ap_mm()) d["thirds_ap_mm"] = py::make_tuple((*thirds)[0], (*thirds)[1]);
  else d["thirds_ap_mm"] = py::none();

  // The images insole::stats takes (stats::from_foot_image, as `insole spm` does): seen from
  // above, x to the subject's right, y from the heel; raster images only.
  py::dict stats_images;
  if (im.raster && n > 0) {
    const std::pair<const char*, stats::FootValue> values[] = {
        {"mean_peak_kpa", stats::FootValue::mean_peak_kpa},
        {"max_peak_kpa", stats::FootValue::max_peak_kpa},
        {"mean_pressure_kpa", stats::FootValue::mean_pressure_kpa},
        {"pti_kpa_s", stats::FootValue::pti_kpa_s},
        {"contact_percent", stats::FootValue::contact_percent}};
    for (const auto& [name, value] : values) {
      auto si = stats::from_foot_image(im, value);
      if (si) stats_images[name] = stats_image_to_dict(*si);
    }
  }
  d["stats_images"] = stats_images;

  if (im.raster && n > 0 && im.cell_mm > 0) {
    // Cell centres sit at (index + 0.5) * cell_mm (foot_image.cpp); recover the indices.
    const double step = im.cell_mm;
    auto index_of = [&](double v) { return static_cast<std::int64_t>(std::llround(v / step - 0.5)); };
    std::int64_t ix0 = std::numeric_limits<std::int64_t>::max(), ix1 = std::numeric_limits<std::int64_t>::min();
    std::int64_t iy0 = ix0, iy1 = ix1;
    for (const auto& [key, c] : im.cells) {
      (void)key;
      ix0 = std::min(ix0, index_of(c.ml_mm));
      ix1 = std::max(ix1, index_of(c.ml_mm));
      iy0 = std::min(iy0, index_of(c.ap_mm));
      iy1 = std::max(iy1, index_of(c.ap_mm));
    }
    const py::ssize_t rows = iy1 - iy0 + 1, cols = ix1 - ix0 + 1;
    py::dict grids;
    const char* names[] = {"peak_kpa", "max_peak_kpa", "mean_kpa", "pti_kpa_s", "contact_percent"};
    std::vector<py::array_t<double>> arrays;
    for (std::size_t k = 0; k < 5; ++k) {
      arrays.push_back(new_array<double>({rows, cols}));
      std::fill(arrays.back().mutable_data(), arrays.back().mutable_data() + rows * cols, 0.0);
    }
    auto loaded = new_array<bool>({rows, cols});
    auto reg = new_array<std::int32_t>({rows, cols});
    std::fill(loaded.mutable_data(), loaded.mutable_data() + rows * cols, false);
    std::fill(reg.mutable_data(), reg.mutable_data() + rows * cols, -1);
    for (const auto& [key, c] : im.cells) {
      (void)key;
      const py::ssize_t r = index_of(c.ap_mm) - iy0, col = index_of(c.ml_mm) - ix0;
      arrays[0].mutable_at(r, col) = im.mean_peak_kpa(c);
      arrays[1].mutable_at(r, col) = c.max_peak_kpa;
      arrays[2].mutable_at(r, col) = im.mean_pressure_kpa(c);
      arrays[3].mutable_at(r, col) = im.pti_kpa_s(c);
      arrays[4].mutable_at(r, col) = im.contact_percent(c);
      loaded.mutable_at(r, col) = true;
      reg.mutable_at(r, col) = im.region_of(c);
    }
    for (std::size_t k = 0; k < 5; ++k) grids[names[k]] = arrays[k];
    grids["loaded"] = loaded;
    grids["region"] = reg;
    // Centre of cell [0, 0] in foot coordinates (ml, ap), mm.
    grids["origin_mm"] = py::make_tuple((static_cast<double>(ix0) + 0.5) * step, (static_cast<double>(iy0) + 0.5) * step);
    d["grid"] = grids;
  } else {
    d["grid"] = py::none();
  }
  return d;
}

py::tuple assessment_out(const assess::Assessment& a) {
  py::list images;
  for (const auto& im : a.analysis.images) images.append(image_to_dict(im));
  return py::make_tuple(report::to_json(a), images, a.has_usable_contact());
}

batch::AnalyseOptions analyse_options(const std::string& mode) {
  batch::AnalyseOptions options;
  if (!mode.empty() && mode != "walk" && mode != "stand")
    throw ToolkitError(make_error(Errc::invalid_argument, "mode must be walk or stand, not \"" + mode + "\""));
  options.mode = mode;
  return options;
}

py::tuple analyze_file(const std::string& path, const py::object& rules, const py::object& intake,
                       const std::string& mode) {
  auto options = analyse_options(mode);
  auto rule_set = rules_arg(rules);
  auto in = intake_arg(intake);
  Result<assess::Assessment> a = make_error(Errc::invalid_argument, "not run");
  {
    py::gil_scoped_release release;
    a = batch::assess_file(path, rule_set, std::move(in), options);
  }
  assess::Assessment assessment = take(std::move(a));
  assessment.input = path;  // as `insole analyze FILE` does
  return assessment_out(assessment);
}

py::tuple analyze_recording(const py::dict& recording, const std::string& input, const py::object& rules,
                            const py::object& intake, const std::string& mode) {
  auto options = analyse_options(mode);
  auto rule_set = rules_arg(rules);
  auto in = intake_arg(intake);
  const Recording rec = recording_from_dict(recording);
  assess::AssessOptions ao;
  ao.params = options.params;
  ao.mode = options.mode;
  Result<assess::Assessment> a = make_error(Errc::invalid_argument, "not run");
  {
    py::gil_scoped_release release;
    a = assess::assess(input, rec, rule_set, std::move(in), ao);
  }
  return assessment_out(take(std::move(a)));
}

// ---- the other entry points ---------------------------------------------------------------------

py::dict read_file(const std::string& path) {
  Result<Recording> r = make_error(Errc::invalid_argument, "not run");
  {
    py::gil_scoped_release release;
    r = io::read_recording(path);
  }
  return recording_to_dict(take(std::move(r)));
}

void write_file(const std::string& path, const py::dict& recording) {
  const Recording rec = recording_from_dict(recording);
  py::gil_scoped_release release;
  check(io::write_recording(path, rec));
}

py::dict simulate(const std::map<std::string, std::string>& options, const std::string& command) {
  auto spec = take(sim::parse_spec(options));
  if (spec.mode == "stand" && !options.count("duration")) spec.stand.duration_s = 10;  // as `insole simulate`
  Result<sim::Simulation> s = make_error(Errc::invalid_argument, "not run");
  {
    py::gil_scoped_release release;
    s = sim::run(spec);
  }
  sim::Simulation sim = take(std::move(s));
  sim.recording.meta.created_by = std::string("insole ") + kToolkitVersion + " simulate";
  sim.recording.meta.attributes["sim.command"] = command;
  return recording_to_dict(sim.recording);
}

py::dict import_file(const std::string& path, const std::string& format, const std::string& side) {
  importers::ImportOptions options;
  if (!side.empty()) {
    const auto s = parse_side(side);
    if (!s) throw ToolkitError(make_error(Errc::invalid_argument, "side must be left, right, both or unknown, not \"" + side + "\""));
    options.side = *s;
  }
  Result<Recording> r = make_error(Errc::invalid_argument, "not run");
  {
    py::gil_scoped_release release;
    r = importers::import_file(path, format, options);
  }
  return recording_to_dict(take(std::move(r)));
}

py::list formats() {
  py::list out;
  for (const auto& f : importers::formats()) {
    py::dict d;
    d["name"] = f.name;
    d["description"] = f.description;
    d["extensions"] = f.extensions;
    out.append(d);
  }
  return out;
}

py::dict run_batch(const std::vector<std::string>& inputs, const std::string& output, const py::object& rules,
                   int jobs, const std::string& mode, const std::string& json_dir) {
  if (jobs < 1) throw ToolkitError(make_error(Errc::invalid_argument, "jobs must be >= 1"));
  batch::BatchOptions o;
  o.output = output;
  o.json_dir = json_dir;
  o.jobs = jobs;
  o.analyse = analyse_options(mode);
  o.rules = std::make_shared<const recommend::RuleSet>(rules_arg(rules));
  const auto expanded = batch::expand_inputs(inputs);
  Result<batch::BatchSummary> r = make_error(Errc::invalid_argument, "not run");
  {
    py::gil_scoped_release release;
    r = batch::run_batch(expanded, o);
  }
  const batch::BatchSummary s = take(std::move(r));
  py::dict d;
  d["total"] = s.total;
  d["analysed"] = s.analysed;
  d["no_contact"] = s.no_contact;
  d["failed"] = s.failed;
  d["rows"] = s.rows;
  d["elapsed_s"] = s.elapsed_s;
  d["warnings"] = s.warnings;
  return d;
}

}  // namespace

PYBIND11_MODULE(_insole, m) {
  m.doc() = "insole C++ library bindings (use the `insole` package, not this module directly)";
  m.attr("__version__") = kToolkitVersion;
  m.attr("algorithm_version") = analysis::kAnalysisAlgorithmVersion;

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ToolkitError& e) {
      py::object cls = py::module_::import("insole._errors").attr("class_for")(std::string(to_string(e.error.code)));
      py::object exc = cls(e.error.message);
      exc.attr("code") = std::string(to_string(e.error.code));
      PyErr_SetObject(cls.ptr(), exc.ptr());
    }
  });

  m.def("read", &read_file, py::arg("path"));
  m.def("write", &write_file, py::arg("path"), py::arg("recording"));
  m.def("analyze_file", &analyze_file, py::arg("path"), py::arg("rules"), py::arg("intake"), py::arg("mode"));
  m.def("analyze_recording", &analyze_recording, py::arg("recording"), py::arg("input"), py::arg("rules"),
        py::arg("intake"), py::arg("mode"));
  m.def("simulate", &simulate, py::arg("options"), py::arg("command"));
  m.def("import_file", &import_file, py::arg("path"), py::arg("format"), py::arg("side"));
  m.def("formats", &formats);
  m.def("run_batch", &run_batch, py::arg("inputs"), py::arg("output"), py::arg("rules"), py::arg("jobs"),
        py::arg("mode"), py::arg("json_dir"));

  m.def("stats_register", &register_images, py::arg("moving"), py::arg("fixed"), py::arg("kind"), py::arg("options"));
  m.def("stats_apply_registration", &apply_registration, py::arg("registration"), py::arg("image"));
  m.def("stats_compare_images", &compare_images, py::arg("warped"), py::arg("fixed"), py::arg("contact_threshold"));
  m.def("stats_resample", &resample_image, py::arg("image"), py::arg("grid"));
  m.def("stats_smooth", &smooth_image, py::arg("image"), py::arg("sigma_mm"));
  m.def("stats_mirror", &mirror_image, py::arg("image"));
  m.def("stats_parse_csv_image", &parse_csv_image, py::arg("text"), py::arg("pitch_mm"), py::arg("source"));
  m.def("stats_regions", &regions_on_image, py::arg("image"), py::arg("side"), py::arg("toe_direction"),
        py::arg("contact_threshold"));
  m.def("stats_needs_mirror", &needs_mirror, py::arg("moving"), py::arg("fixed"));
  m.def("stats_spm", &run_spm, py::arg("test"), py::arg("a"), py::arg("b"), py::arg("covariate"), py::arg("options"),
        py::arg("regions"), py::arg("output"));
  m.def("stats_t_quantile", &t_upper_quantile, py::arg("p"), py::arg("df"));
}
