// `insole calibrate compute|fit|apply|check`: body-weight calibration of uncalibrated ("counts")
// streams (optionally zeroed and equalised per sensel first), a multi-load response curve, applying a calibration file to a recording (a new file; the input is never touched),
// and the standing check of a calibrated trial against body weight. docs/calibration.md.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include "commands.hpp"
#include "insole/calibration/calibration_file.hpp"
#include "insole/core/calibration.hpp"
#include "insole/core/median.hpp"
#include "insole/io/hdf5_recording.hpp"

namespace insole::cli {
namespace {

constexpr const char* kCmd = "calibrate";

// The streams named with --stream (all pressure streams when none: a load cell is not summed),
// or an error naming the missing one.
Result<std::vector<Stream*>> select(Recording& rec, const std::vector<std::string>& names, const std::string& file) {
  std::vector<Stream*> out;
  if (names.empty()) {
    for (auto& s : rec.streams)
      if (!is_load_cell_stream(s.info)) out.push_back(&s);
    return out;
  }
  for (const auto& n : names) {
    auto it = std::find_if(rec.streams.begin(), rec.streams.end(), [&](const Stream& s) { return s.info.name == n; });
    if (it == rec.streams.end()) return Error{Errc::invalid_argument, file + ": no stream named '" + n + "'"};
    // Twice would calibrate a stream twice (apply) or count its load twice (compute).
    if (std::find(out.begin(), out.end(), &*it) != out.end())
      return Error{Errc::invalid_argument, "stream '" + n + "' is named twice with --stream"};
    out.push_back(&*it);
  }
  return out;
}

std::string today() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream s;
  s << std::put_time(&tm, "%Y-%m-%d");
  return s.str();
}

// Makes `s` a stream in counts: a stream calibrated before gets back the counts its calibration
// kept (calibration/raw_counts), so a new calibration can be computed from them or replace the old
// one. A stream in kPa without them (a device that reports kPa itself, such as the Sensel Morph)
// has no counts: the error names the file and the stream, and `why` says what needed them.
Status use_counts(Stream& s, const std::string& file, const std::string& why) {
  if (s.info.units == PressureUnits::counts) return {};
  if (s.raw_counts.size() == 0)
    return make_error(Errc::invalid_argument, file + ": stream '" + s.info.name +
                                                  "' is in kPa and keeps no raw counts (calibration/raw_counts); " + why);
  s.pressure_kpa = std::move(s.raw_counts);
  s.raw_counts = FrameMatrix();
  s.info.units = PressureUnits::counts;
  s.info.calibration.reset();
  return {};
}

// Per-sensel zero offset (--zero-from: unloaded frames) and equalisation gain (--equalise-from: a
// uniform load) of one stream, each from its own recording in counts. Empty when neither is given.
struct Equalisation {
  Eigen::VectorXd zero, gain;
  std::string source;
};

Result<FrameMatrix> counts_of(const std::string& file, const std::string& stream, Eigen::Index sensels) {
  auto rec = io::read_recording(file);
  if (!rec) return rec.error();
  for (Stream& s : rec->streams) {
    if (s.info.name != stream) continue;
    if (auto st = use_counts(s, file, "this step needs counts"); !st) return st.error();
    if (s.pressure_kpa.cols() != sensels)
      return Error{Errc::invalid_argument, file + ": stream '" + stream + "' has " + std::to_string(s.pressure_kpa.cols()) +
                                               " sensels, the trial has " + std::to_string(sensels)};
    return s.pressure_kpa;
  }
  return Error{Errc::invalid_argument, file + ": no stream named '" + stream + "'"};
}

Result<Equalisation> equalisation(const po::variables_map& vm, const std::string& stream, Eigen::Index sensels) {
  Equalisation q;
  if (vm.count("zero-from")) {
    const std::string f = vm["zero-from"].as<std::string>();
    auto c = counts_of(f, stream, sensels);
    if (!c) return c.error();
    auto z = zero_offset(*c);
    if (!z) return Error{z.error().code, f + ": " + z.error().message};
    q.zero = *z;
    q.source += "; zero from " + f;
  }
  if (vm.count("equalise-from")) {
    const std::string f = vm["equalise-from"].as<std::string>();
    auto c = counts_of(f, stream, sensels);
    if (!c) return c.error();
    auto g = equalisation_gain(*c, q.zero);
    if (!g) return Error{g.error().code, f + ": " + g.error().message};
    q.gain = *g;
    q.source += "; equalised from " + f;
  }
  return q;
}

// The stream's counts after zero and equalisation, e = gain (x - zero), at least 0 (what the
// response model sees; Calibration::apply gives 0 kPa at or below it).
void equalise(Stream& s, const Equalisation& q) {
  for (Eigen::Index f = 0; f < s.frame_count(); ++f)
    for (Eigen::Index i = 0; i < s.pressure_kpa.cols(); ++i) {
      const double x = s.pressure_kpa(f, i);
      if (!std::isfinite(x)) continue;
      const double e = (q.gain.size() ? q.gain[i] : 1.0) * (x - (q.zero.size() ? q.zero[i] : 0.0));
      s.pressure_kpa(f, i) = float(std::max(0.0, e));
    }
}

Result<std::filesystem::path> output_for(const po::variables_map& vm, const std::string& serial) {
  if (vm.count("output")) return std::filesystem::path(vm["output"].as<std::string>());
  return calibration::file_for_serial(".", serial);
}

int compute(const po::variables_map& vm) {
  const std::string file = vm["file"].as<std::string>();
  if (!vm.count("serial")) return usage_error(kCmd, "compute needs --serial SN (the device the calibration belongs to)");
  const std::string trial = vm["trial"].as<std::string>();
  if (trial != "standing" && trial != "walking")
    return usage_error(kCmd, "--trial must be \"standing\" or \"walking\", not \"" + trial + "\"");
  auto rec = io::read_recording(file);
  if (!rec) return report_error(kCmd, rec.error());
  // The body mass: --mass, or else what the platform's load cell measured during the standing
  // trial (a device with a load cell, e.g. the Fisica scale: docs/calibration.md).
  double mass = 0;
  std::string mass_from;
  if (vm.count("mass")) {
    mass = vm["mass"].as<double>();
  } else {
    const auto lc = std::find_if(rec->streams.begin(), rec->streams.end(),
                                 [](const Stream& s) { return is_load_cell_stream(s.info); });
    if (lc == rec->streams.end())
      return usage_error(kCmd, "compute needs --mass KG (the subject's body mass; " + file +
                                   " has no load-cell stream to measure it)");
    if (trial != "standing")
      return usage_error(kCmd, "the load cell gives the body mass in a standing trial only; give --mass KG");
    auto m = load_cell_mass_kg(*lc);
    if (!m) return report_error(kCmd, Error{m.error().code, file + ": " + m.error().message});
    if (!(*m <= 1000)) return report_error(kCmd, Error{Errc::invalid_argument, file + ": the load cell reads more than 1000 kg"});
    mass = *m;
    mass_from = " (median of load cell '" + lc->info.name + "')";
  }
  auto streams = select(*rec, vm.count("stream") ? vm["stream"].as<std::vector<std::string>>() : std::vector<std::string>{}, file);
  if (!streams) return report_error(kCmd, streams.error());
  std::vector<const Stream*> cs;
  for (Stream* s : *streams) {
    if (auto st = use_counts(*s, file, "a calibration is computed from counts"); !st)
      return report_error(kCmd, st.error());
    cs.push_back(s);
  }
  if (trial == "walking" && cs.size() != 1)
    return usage_error(kCmd, "a walking trial calibrates one foot: name its stream with --stream");
  const bool steps = vm.count("zero-from") || vm.count("equalise-from");
  if (steps && cs.size() != 1)
    return usage_error(kCmd, "zero and equalisation are per sensel of one device: name its stream with --stream");
  Equalisation q;
  Stream equalised;
  if (steps) {
    auto e = equalisation(vm, cs[0]->info.name, cs[0]->pressure_kpa.cols());
    if (!e) return report_error(kCmd, e.error());
    q = std::move(*e);
    equalised = *cs[0];
    equalise(equalised, q);
    cs = {&equalised};
  }
  auto cal = calibrate_body_weight(cs, trial == "standing" ? TrialKind::standing : TrialKind::walking, mass);
  if (!cal) return report_error(kCmd, Error{cal.error().code, file + ": " + cal.error().message});
  cal->device_serial = vm["serial"].as<std::string>();
  cal->stream = cs.size() == 1 ? cs[0]->info.name : "";
  cal->date = today();
  std::ostringstream src;
  src << file << ", " << trial << " trial, body mass " << mass << " kg" << mass_from << q.source;
  cal->source = src.str();
  cal->zero_counts = q.zero;
  cal->gain = q.gain;
  auto out_path = output_for(vm, cal->device_serial);
  if (!out_path) return report_error(kCmd, out_path.error());
  const std::filesystem::path out = *out_path;
  if (auto st = calibration::write_file(*cal, out); !st) return report_error(kCmd, st.error());
  std::cout << "calibration " << out.string() << ": " << cal->method << ", linear, k = " << std::setprecision(6)
            << cal->coefficients[0] << " kPa per count (m g / sum(A counts), m = " << mass << " kg" << mass_from << ")\n";
  if (!cal->residuals_kpa.empty()) {
    std::vector<double> a;
    for (double r : cal->residuals_kpa) a.push_back(std::abs(r));
    const std::size_t n = a.size();
    const double med = median(a);
    std::cout << "  residuals kept at " << n << (trial == "standing" ? " frames" : " stance peaks")
              << (n == kMaxBodyWeightResiduals ? " (evenly spaced over the trial)" : "")
              << " (body weight's mean pressure over the sensing area less the load's): median |r| "
              << std::setprecision(3) << med << " kPa, largest " << *std::max_element(a.begin(), a.end()) << " kPa\n";
  }
  return kExitOk;
}

// Multi-load curve: each --load TRIAL.h5=KPA is a trial under a known uniform pressure. Its point
// is the median over frames of the mean equalised count of the sensels loaded in the frame
// (e > 0); a model is fitted through the points (fit_response).
int fit(const po::variables_map& vm) {
  if (!vm.count("load")) return usage_error(kCmd, "fit needs --load TRIAL.h5=KPA, once per known load");
  if (!vm.count("serial")) return usage_error(kCmd, "fit needs --serial SN (the device the calibration belongs to)");
  const std::string model_name = vm.count("model") ? vm["model"].as<std::string>() : "power_law";
  const auto model = response_model_from_string(model_name);
  if (!model) return usage_error(kCmd, "--model must be linear, power_law or cubic, not \"" + model_name + "\"");
  std::string stream;
  if (vm.count("stream")) {
    const auto& names = vm["stream"].as<std::vector<std::string>>();
    if (names.size() != 1) return usage_error(kCmd, "fit calibrates one device: give one --stream");
    stream = names.front();
  }
  std::vector<LoadPoint> points;
  std::string source;
  std::optional<Equalisation> q;
  Eigen::Index sensels = -1;  // of the first trial: every trial must be of the same device
  for (const std::string& spec : vm["load"].as<std::vector<std::string>>()) {
    const auto eq = spec.rfind('=');
    char* end = nullptr;
    const double kpa = eq == std::string::npos ? 0.0 : std::strtod(spec.c_str() + eq + 1, &end);
    if (eq == std::string::npos || end == spec.c_str() + eq + 1 || *end != '\0' || !(std::isfinite(kpa) && kpa > 0))
      return usage_error(kCmd, "--load \"" + spec + "\": expected TRIAL.h5=KPA with the known pressure in kPa (> 0)");
    const std::string file = spec.substr(0, eq);
    auto rec = io::read_recording(file);
    if (!rec) return report_error(kCmd, rec.error());
    if (stream.empty()) {
      if (rec->streams.size() != 1) return usage_error(kCmd, file + " has several streams: name the device's with --stream");
      stream = rec->streams[0].info.name;
    }
    auto chosen = select(*rec, {stream}, file);
    if (!chosen) return report_error(kCmd, chosen.error());
    Stream& s = *chosen->front();
    if (auto st = use_counts(s, file, "a calibration is fitted to counts"); !st) return report_error(kCmd, st.error());
    if (sensels >= 0 && s.pressure_kpa.cols() != sensels)
      return report_error(kCmd, Error{Errc::invalid_argument, file + ": stream '" + stream + "' has " +
                                                                  std::to_string(s.pressure_kpa.cols()) +
                                                                  " sensels, the first load trial has " +
                                                                  std::to_string(sensels)});
    sensels = s.pressure_kpa.cols();
    if (!q) {
      auto e = equalisation(vm, stream, s.pressure_kpa.cols());
      if (!e) return report_error(kCmd, e.error());
      q = std::move(*e);
    }
    equalise(s, *q);
    std::vector<double> per_frame;
    for (Eigen::Index f = 0; f < s.frame_count(); ++f) {
      double sum = 0.0;
      int n = 0;
      for (Eigen::Index i = 0; i < s.pressure_kpa.cols(); ++i)
        if (s.pressure_kpa(f, i) > 0) sum += s.pressure_kpa(f, i), ++n;
      if (n > 0) per_frame.push_back(sum / n);
    }
    if (per_frame.empty())
      return report_error(kCmd, Error{Errc::invalid_argument, file + ": no sensel is loaded in any frame"});
    std::nth_element(per_frame.begin(), per_frame.begin() + std::ptrdiff_t(per_frame.size() / 2), per_frame.end());
    points.push_back(LoadPoint{per_frame[per_frame.size() / 2], kpa});
    std::ostringstream os;
    os << (source.empty() ? "" : ", ") << file << " = " << kpa << " kPa";
    source += os.str();
  }
  auto r = fit_response(*model, points);
  if (!r) return report_error(kCmd, r.error());
  Calibration cal;
  cal.device_serial = vm["serial"].as<std::string>();
  cal.stream = stream;
  cal.method = "multi_load";
  cal.date = today();
  cal.source = "known loads: " + source + q->source;
  cal.model = r->model;
  cal.coefficients = r->coefficients;
  cal.residuals_kpa = r->residuals_kpa;
  cal.zero_counts = q->zero;
  cal.gain = q->gain;
  auto out = output_for(vm, cal.device_serial);
  if (!out) return report_error(kCmd, out.error());
  if (auto st = calibration::write_file(cal, *out); !st) return report_error(kCmd, st.error());
  std::cout << "calibration " << out->string() << ": multi_load, " << to_string(cal.model) << ", coefficients";
  for (double c : cal.coefficients) std::cout << " " << std::setprecision(6) << c;
  std::cout << "\n";
  for (std::size_t i = 0; i < points.size(); ++i)
    std::cout << "  load " << points[i].pressure_kpa << " kPa: " << std::setprecision(6) << points[i].counts
              << " counts, residual " << std::setprecision(3) << r->residuals_kpa[i] << " kPa\n";
  return kExitOk;
}

int apply(const po::variables_map& vm) {
  const std::string file = vm["file"].as<std::string>();
  if (!vm.count("calibration")) return usage_error(kCmd, "apply needs --calibration FILE.json");
  if (!vm.count("output")) return usage_error(kCmd, "apply needs -o OUT.h5 (the input is never modified)");
  const std::filesystem::path out = vm["output"].as<std::string>();
  std::error_code ec;
  if (std::filesystem::exists(out, ec) && std::filesystem::equivalent(out, file, ec))
    return usage_error(kCmd, "-o names the input file; apply writes a new file and never modifies its input");
  auto cal = calibration::read_file(vm["calibration"].as<std::string>());
  if (!cal) return report_error(kCmd, cal.error());
  auto rec = io::read_recording(file);
  if (!rec) return report_error(kCmd, rec.error());
  std::vector<std::string> names;
  if (vm.count("stream")) names = vm["stream"].as<std::vector<std::string>>();
  else if (!cal->stream.empty()) names = {cal->stream};
  auto streams = select(*rec, names, file);
  if (!streams) return report_error(kCmd, streams.error());
  // A stream calibrated before is calibrated again from the counts it kept: the new calibration
  // replaces the old one.
  std::vector<std::string> replaced(streams->size());
  for (std::size_t i = 0; i < streams->size(); ++i) {
    Stream* s = (*streams)[i];
    if (s->info.units != PressureUnits::counts && s->info.calibration) {
      const Calibration& old = *s->info.calibration;
      replaced[i] = ", from its raw counts, replacing the calibration " +
                    (old.date.empty() ? std::string() : "of " + old.date + " ") + "(" +
                    (old.method.empty() ? std::string("method not stated") : old.method) +
                    (old.device_serial.empty() ? std::string() : ", serial " + old.device_serial) + ")";
    }
    if (auto st = use_counts(*s, file, "apply calibrates counts"); !st) return report_error(kCmd, st.error());
    if (auto st = cal->validate(s->pressure_kpa.cols()); !st)
      return report_error(kCmd, Error{Errc::invalid_argument, "stream '" + s->info.name + "': " + st.error().message});
  }
  for (std::size_t i = 0; i < streams->size(); ++i) {
    Stream* s = (*streams)[i];
    s->raw_counts = s->pressure_kpa;
    for (Eigen::Index f = 0; f < s->frame_count(); ++f)
      s->pressure_kpa.row(f) = cal->apply(s->raw_counts.row(f).transpose()).transpose();
    s->info.units = PressureUnits::kpa;
    s->info.calibration = *cal;
    std::cout << "stream " << s->info.name << ": " << s->frame_count() << " frames calibrated ("
              << to_string(cal->model) << ", " << cal->method << ", serial " << cal->device_serial << ")"
              << replaced[i] << "\n";
  }
  if (auto st = io::write_recording(out, *rec); !st) return report_error(kCmd, st.error());
  std::cout << "wrote " << out.string() << "\n";
  return kExitOk;
}

int check(const po::variables_map& vm) {
  const std::string file = vm["file"].as<std::string>();
  if (!vm.count("mass")) return usage_error(kCmd, "check needs --mass KG (the subject's body mass)");
  auto rec = io::read_recording(file);
  if (!rec) return report_error(kCmd, rec.error());
  auto streams = select(*rec, vm.count("stream") ? vm["stream"].as<std::vector<std::string>>() : std::vector<std::string>{}, file);
  if (!streams) return report_error(kCmd, streams.error());
  std::vector<const Stream*> ks;
  for (const Stream* s : *streams) {
    if (s->info.units != PressureUnits::kpa)
      return report_error(kCmd, Error{Errc::invalid_argument, file + ": stream '" + s->info.name +
                                                                  "' is in counts; apply a calibration first"});
    ks.push_back(s);
  }
  auto c = check_standing(ks, vm["mass"].as<double>());
  if (!c) return report_error(kCmd, Error{c.error().code, file + ": " + c.error().message});
  std::cout << std::fixed << std::setprecision(1) << "standing force " << c->measured_force_n << " N, body weight "
            << c->body_weight_n << " N, error " << std::showpos << c->error_percent << std::noshowpos << " %\n";
  if (vm.count("tolerance") && std::abs(c->error_percent) > vm["tolerance"].as<double>()) {
    std::cerr << "insole calibrate: the standing force differs from body weight by more than "
              << vm["tolerance"].as<double>() << " %\n";
    return kExitProblem;
  }
  return kExitOk;
}

}  // namespace

int cmd_calibrate(const Args& args) {
  po::options_description opts("options");
  opts.add_options()("action", po::value<std::string>()->required(), "compute | fit | apply | check")(
      "file", po::value<std::string>(), "the trial or recording (HDF5)")(
      "mass", po::value<double>(), "compute, check: body mass in kg (compute, standing: default the recording's load cell)")(
      "trial", po::value<std::string>()->default_value("standing"), "compute: standing | walking")(
      "serial", po::value<std::string>(), "compute: serial number of the device")(
      "stream", po::value<std::vector<std::string>>(), "streams to use (repeatable; default: all)")(
      "calibration", po::value<std::string>(), "apply: the calibration file (JSON)")(
      "output,o", po::value<std::string>(), "compute: calibration file (default ./<serial>.json); apply: new recording")(
      "tolerance", po::value<double>(), "check: exit 1 when |error| exceeds this many per cent")(
      "zero-from", po::value<std::string>(), "compute, fit: per-sensel zero offset from this unloaded trial")(
      "equalise-from", po::value<std::string>(), "compute, fit: per-sensel equalisation from this uniform-load trial")(
      "load", po::value<std::vector<std::string>>(), "fit: TRIAL.h5=KPA, a trial under a known uniform pressure (repeat)")(
      "model", po::value<std::string>(), "fit: linear | power_law | cubic (default power_law)");
  po::positional_options_description pos;
  pos.add("action", 1).add("file", 1);
  po::variables_map vm;
  if (auto rc = parse_options(kCmd, "compute|apply|check FILE [options]  |  fit --load TRIAL.h5=KPA ... [options]",
                              "compute: body-weight factor k = m g / sum(A counts) from a standing trial (both feet,\n"
                              "         all streams) or a walking trial (one foot, --stream), written as a JSON\n"
                              "         calibration file for the device's serial number. With --zero-from and\n"
                              "         --equalise-from the counts are zeroed and equalised per sensel first.\n"
                              "fit:     a response curve (power law, cubic, linear) through trials under known\n"
                              "         uniform pressures (--load TRIAL.h5=KPA; three or more for a curve).\n"
                              "apply:   counts -> kPa with a calibration file, into a new recording (-o) that keeps\n"
                              "         the raw counts and the calibration beside the pressure.\n"
                              "check:   a calibrated standing trial's force against body weight (per cent error).",
                              opts, pos, args, vm))
    return *rc;
  const std::string action = vm["action"].as<std::string>();
  if (vm.count("mass")) {
    const double m = vm["mass"].as<double>();
    if (!(std::isfinite(m) && m > 0 && m <= 1000)) return usage_error(kCmd, "--mass must be in (0, 1000] kg");
  }
  if (action != "fit" && !vm.count("file")) return usage_error(kCmd, action + " needs the FILE to work on");
  if (action == "compute") return compute(vm);
  if (action == "fit") return fit(vm);
  if (action == "apply") return apply(vm);
  if (action == "check") return check(vm);
  return usage_error(kCmd, "unknown action \"" + action + "\" (compute, fit, apply or check)");
}

}  // namespace insole::cli
