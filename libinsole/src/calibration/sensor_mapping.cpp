#include "insole/calibration/sensor_mapping.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "insole/core/text.hpp"

namespace insole::calibration {

namespace {

Error bad_zones(const std::filesystem::path& path, int line, const std::string& what) {
  return Error{Errc::format_error, path.string() + (line > 0 ? " line " + std::to_string(line) : std::string()) + ": " + what};
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  const std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(p * double(v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
  return v[k];
}

std::string seconds(double t) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(2);
  os << t << " s";
  return os.str();
}

}  // namespace

Result<std::vector<Zone>> read_zones(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error{Errc::io_error, path.string() + ": cannot read (" + ec.message() + ")"};
  if (size > 1024 * 1024) return bad_zones(path, 0, "larger than 1 MiB; a zones file has one line per cell");
  std::ifstream in(path);
  std::vector<Zone> zones;
  std::string line;
  bool header = false;
  for (int n = 1; std::getline(in, line); ++n) {
    const std::vector<std::string> cells = csv_fields(line);
    if (cells.empty()) continue;
    if (!header) {
      if (cells != std::vector<std::string>{"zone", "x_mm", "y_mm", "area_mm2"})
        return bad_zones(path, n, "expected the header zone,x_mm,y_mm,area_mm2");
      header = true;
      continue;
    }
    if (cells.size() != 4) return bad_zones(path, n, "expected 4 fields (zone, x_mm, y_mm, area_mm2)");
    Zone z;
    z.name = cells[0];
    if (z.name.empty()) return bad_zones(path, n, "the zone has no name");
    double* targets[] = {&z.x_mm, &z.y_mm, &z.area_mm2};
    for (std::size_t k = 0; k < 3; ++k) {
      const auto v = parse_number(cells[k + 1]);
      if (!v) return bad_zones(path, n, "\"" + cells[k + 1] + "\" is not a number");
      *targets[k] = *v;
    }
    if (!(z.area_mm2 > 0)) return bad_zones(path, n, "the area must be positive (mm^2)");
    zones.push_back(std::move(z));
    if (zones.size() > 4096) return bad_zones(path, n, "more than 4096 zones");
  }
  if (!header) return bad_zones(path, 0, "empty (expected the header zone,x_mm,y_mm,area_mm2)");
  if (zones.empty()) return bad_zones(path, 0, "no zones");
  return zones;
}

Result<SensorMapping> map_sensors(const Stream& stream, const std::vector<Zone>& zones) {
  const Eigen::Index outputs = stream.pressure_kpa.cols();
  const Eigen::Index frames = stream.frame_count();
  auto refuse = [&](const std::string& what) {
    return Error{Errc::invalid_argument, "stream '" + stream.info.name + "': " + what};
  };
  if (Eigen::Index(zones.size()) != outputs)
    return refuse("the zones file has " + std::to_string(zones.size()) + " zones for " + std::to_string(outputs) +
                  " outputs: give one zone per output");
  if (frames < 2) return refuse("too few frames to find presses");
  // Each output's resting level: its 10th percentile (the trial is mostly unloaded for any one
  // output, since each is pressed once).
  Eigen::VectorXd rest(outputs);
  for (Eigen::Index i = 0; i < outputs; ++i) {
    std::vector<double> v;
    v.reserve(std::size_t(frames));
    for (Eigen::Index f = 0; f < frames; ++f)
      if (std::isfinite(stream.pressure_kpa(f, i))) v.push_back(stream.pressure_kpa(f, i));
    rest[i] = percentile(v, 0.10);
  }
  std::vector<double> total(std::size_t(frames), 0.0);
  for (Eigen::Index f = 0; f < frames; ++f)
    for (Eigen::Index i = 0; i < outputs; ++i) {
      const double v = stream.pressure_kpa(f, i);
      if (std::isfinite(v) && v > rest[i]) total[std::size_t(f)] += v - rest[i];
    }
  // A press lifts the sum well above both the trial's quiet frames (at least a tenth of it is
  // spent releasing) and a quarter of its firmest presses.
  const double threshold = std::max(0.25 * percentile(total, 0.95), 3.0 * percentile(total, 0.10));
  if (!(threshold > 0)) return refuse("nothing was pressed: no output rose above its resting level");
  // Runs above the threshold; runs closer than 0.2 s merged, runs shorter than 0.2 s dropped.
  struct Run {
    Eigen::Index first, last;
  };
  std::vector<Run> runs;
  for (Eigen::Index f = 0; f < frames; ++f) {
    if (total[std::size_t(f)] <= threshold) continue;
    if (!runs.empty() && stream.time_s[f] - stream.time_s[runs.back().last] < 0.2)
      runs.back().last = f;
    else
      runs.push_back({f, f});
  }
  runs.erase(std::remove_if(runs.begin(), runs.end(),
                            [&](const Run& r) { return stream.time_s[r.last] - stream.time_s[r.first] < 0.2; }),
             runs.end());
  if (runs.size() != zones.size()) {
    std::string at;
    for (std::size_t k = 0; k < runs.size() && k < 40; ++k) at += (k ? ", " : "") + seconds(stream.time_s[runs[k].first]);
    return refuse("found " + std::to_string(runs.size()) + " presses" + (at.empty() ? "" : " (at " + at + ")") +
                  ", the zones file has " + std::to_string(zones.size()) +
                  ": press each zone once, in the file's order, for about a second, releasing fully in between");
  }
  SensorMapping m;
  m.zone_of_output.assign(std::size_t(outputs), zones.size());
  for (std::size_t k = 0; k < runs.size(); ++k) {
    Eigen::VectorXd rise = Eigen::VectorXd::Zero(outputs);
    const Eigen::Index n = runs[k].last - runs[k].first + 1;
    for (Eigen::Index f = runs[k].first; f <= runs[k].last; ++f)
      for (Eigen::Index i = 0; i < outputs; ++i) {
        const double v = stream.pressure_kpa(f, i);
        if (std::isfinite(v)) rise[i] += (v - rest[i]) / double(n);
      }
    Eigen::Index best = 0;
    rise.maxCoeff(&best);
    double second = -std::numeric_limits<double>::infinity();
    Eigen::Index runner = -1;
    for (Eigen::Index i = 0; i < outputs; ++i)
      if (i != best && rise[i] > second) second = rise[i], runner = i;
    PressFound p{k, std::size_t(best), stream.time_s[runs[k].first], stream.time_s[runs[k].last], rise[best],
                 std::max(0.0, second)};
    const std::string which = "press " + std::to_string(k + 1) + " (zone '" + zones[k].name + "', " +
                              seconds(p.start_s) + " to " + seconds(p.end_s) + ")";
    if (runner >= 0 && !(rise[best] >= 2.0 * std::max(0.0, second)))
      return refuse(which + ": outputs " + std::to_string(best) + " and " + std::to_string(runner) +
                    " both rose; press one zone at a time, on the cell's centre");
    if (m.zone_of_output[std::size_t(best)] != zones.size())
      return refuse(which + ": output " + std::to_string(best) + " was already pressed as zone '" +
                    zones[m.zone_of_output[std::size_t(best)]].name + "'; each zone must be a different cell");
    m.zone_of_output[std::size_t(best)] = k;
    m.presses.push_back(p);
  }
  return m;
}

std::string positions_csv(const SensorMapping& mapping, const std::vector<Zone>& zones) {
  std::ostringstream os;
  os << "x_mm,y_mm,area_mm2\n";
  for (std::size_t out = 0; out < mapping.zone_of_output.size(); ++out) {
    const std::size_t z = mapping.zone_of_output[out];
    const Zone& zone = zones.at(z);
    const PressFound& p = mapping.presses.at(z);
    os << zone.x_mm << "," << zone.y_mm << "," << zone.area_mm2 << "  # output " << out << ": " << zone.name
       << ", pressed at " << seconds(p.start_s) << "\n";
  }
  return os.str();
}

}  // namespace insole::calibration
