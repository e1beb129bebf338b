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
}
