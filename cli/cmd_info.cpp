// `insole info FILE [--json]`: what a recording holds, read in chunks (memory stays flat).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "insole/core/version.hpp"
#include "insole/io/hdf5_recording.hpp"

namespace insole::cli {

namespace {

struct StreamSummary {
  Eigen::Index frames = 0;
  double first_time_s = NAN, last_time_s = NAN;
  std::optional<double> pressure_min_kpa, pressure_max_kpa;
  std::optional<double> force_min_n, force_max_n;
};

Result<StreamSummary> summarise(const io::RecordingReader& reader, std::size_t s) {
  StreamSummary sum;
  sum.frames = reader.frame_count(s);
  const bool force_known = reader.streams()[s].layout.has_geometry();
  const Eigen::Index chunk = std::max<Eigen::Index>(reader.chunk_frames(s), 1);
  const Eigen::Index block = chunk * std::max<Eigen::Index>(1, 256 / chunk);
  for (Eigen::Index first = 0; first < sum.frames; first += block) {
    auto b = reader.read_frames(s, first, block);
    if (!b) return b.error();
    if (first == 0) sum.first_time_s = b->time_s[0];
    sum.last_time_s = b->time_s[b->frame_count() - 1];
    for (Eigen::Index i = 0; i < b->pressure_kpa.size(); ++i) {
      const double p = b->pressure_kpa.data()[i];
      if (!std::isfinite(p)) continue;
      sum.pressure_min_kpa = std::min(sum.pressure_min_kpa.value_or(p), p);
      sum.pressure_max_kpa = std::max(sum.pressure_max_kpa.value_or(p), p);
    }
    if (force_known) {
      const Eigen::VectorXd f = total_force_n(*b);
      sum.force_min_n = std::min(sum.force_min_n.value_or(f.minCoeff()), f.minCoeff());
      sum.force_max_n = std::max(sum.force_max_n.value_or(f.maxCoeff()), f.maxCoeff());
    }
  }
  return sum;
}

nlohmann::json opt(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }
nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

std::string fmt(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string layout_text(const StreamInfo& info) {
  const SensorLayout& l = info.layout;
  std::string text;
  if (l.is_grid())
    text = "grid " + std::to_string(l.rows()) + " x " + std::to_string(l.cols()) + " @ " + fmt(l.row_pitch_mm(), 2) +
           " x " + fmt(l.col_pitch_mm(), 2) + " mm";
  else
    text = std::to_string(l.sensor_count()) + " sensors, geometry " + (l.has_geometry() ? "known" : "unknown");
  if (l.present_count() != l.sensor_count())
    text += " (" + std::to_string(l.present_count()) + " of " + std::to_string(l.sensor_count()) + " sensels present)";
  return text;
}

}  // namespace

int cmd_info(const Args& args) {
  po::options_description opts("options");
  opts.add_options()("json", "print one JSON document instead of text")(
      "file", po::value<std::string>()->required(), "recording (insole HDF5 format)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (auto rc = parse_options("info", "FILE [--json]",
                              "Shows the streams, frames, duration, rate, sensor layout, pressure and force ranges,\n"
                              "subject, mode and events of a recording. Reads the frames in chunks.",
                              opts, pos, args, vm))
    return *rc;
  const std::string path = vm["file"].as<std::string>();
  auto reader = io::RecordingReader::open(path);
  if (!reader) return report_error("info", reader.error());
  if (reader->interrupted() && vm.count("json")) note_interrupted("info", path);
  const RecordingMetadata& meta = reader->metadata();

  std::vector<StreamSummary> sums;
  for (std::size_t s = 0; s < reader->streams().size(); ++s) {
    auto sum = summarise(*reader, s);
    if (!sum) return report_error("info", sum.error());
    sums.push_back(*sum);
  }

  if (vm.count("json")) {
    nlohmann::json doc;
    doc["toolkit_version"] = kToolkitVersion;
    doc["input"] = path;
    doc["format_version"] = kFormatVersion;
    doc["interrupted"] = reader->interrupted();
    doc["recover_command"] = reader->interrupted() ? nlohmann::json("insole recover " + path) : nlohmann::json(nullptr);
    doc["subject"] = meta.subject;
    doc["body_mass_kg"] = meta.body_mass_kg ? nlohmann::json(*meta.body_mass_kg) : nlohmann::json(nullptr);
    doc["mode"] = meta.mode;
    doc["created_by"] = meta.created_by;
    doc["events"] = reader->events().size();
    doc["streams"] = nlohmann::json::array();
    for (std::size_t s = 0; s < sums.size(); ++s) {
      const StreamInfo& info = reader->streams()[s];
      const SensorLayout& l = info.layout;
      const StreamSummary& sum = sums[s];
      nlohmann::json j;
      j["name"] = info.name;
      j["kind"] = l.is_grid() ? "grid" : "sensors";
      j["side"] = std::string(to_string(info.side));
      j["device"] = info.device;
      j["rows"] = l.is_grid() ? nlohmann::json(l.rows()) : nlohmann::json(nullptr);
      j["cols"] = l.is_grid() ? nlohmann::json(l.cols()) : nlohmann::json(nullptr);
      j["pitch_mm"] = l.is_grid() ? nlohmann::json({l.row_pitch_mm(), l.col_pitch_mm()}) : nlohmann::json(nullptr);
      j["sensels"] = l.sensor_count();
      j["sensels_present"] = l.present_count();
      j["geometry_known"] = l.has_geometry();
      j["frames"] = sum.frames;
      j["first_time_s"] = num(sum.first_time_s);
      j["last_time_s"] = num(sum.last_time_s);
      j["duration_s"] = num(sum.last_time_s - sum.first_time_s);
      j["sample_rate_hz"] = info.sample_rate_hz > 0 ? nlohmann::json(info.sample_rate_hz) : nlohmann::json(nullptr);
      j["measured_rate_hz"] =
          sum.frames >= 2 ? num(double(sum.frames - 1) / (sum.last_time_s - sum.first_time_s)) : nlohmann::json(nullptr);
      // A stream in counts (uncalibrated) has no pressure or force: its raw range is value_min/max.
      const bool counts = info.units == PressureUnits::counts;
      j["units"] = std::string(to_string(info.units));
      j["value_min"] = opt(sum.pressure_min_kpa);
      j["value_max"] = opt(sum.pressure_max_kpa);
      j["pressure_min_kpa"] = counts ? nlohmann::json(nullptr) : opt(sum.pressure_min_kpa);
      j["pressure_max_kpa"] = counts ? nlohmann::json(nullptr) : opt(sum.pressure_max_kpa);
      j["total_force_min_n"] = counts ? nlohmann::json(nullptr) : opt(sum.force_min_n);
      j["total_force_max_n"] = counts ? nlohmann::json(nullptr) : opt(sum.force_max_n);
      j["attributes"] = info.attributes;
      doc["streams"].push_back(j);
    }
    std::cout << doc.dump(2) << "\n";
    return kExitOk;
  }

  std::cout << path << ": insole recording, format version " << kFormatVersion << "\n";
  if (reader->interrupted()) std::cout << "  note: " << interrupted_note(path) << "\n";
  if (!meta.created_by.empty()) std::cout << "  created by: " << meta.created_by << "\n";
  std::cout << "  subject: " << (meta.subject.empty() ? "(none)" : meta.subject);
  if (meta.body_mass_kg) std::cout << ", body mass " << fmt(*meta.body_mass_kg, 1) << " kg";
  std::cout << "\n  mode: " << (meta.mode.empty() ? "(unknown)" : meta.mode) << "\n";
  std::cout << "  events: " << reader->events().size() << "\n";
  for (std::size_t s = 0; s < sums.size(); ++s) {
    const StreamInfo& info = reader->streams()[s];
    const StreamSummary& sum = sums[s];
    std::cout << "  stream " << info.name << ": " << layout_text(info) << ", side " << to_string(info.side);
    if (!info.device.empty()) std::cout << ", device \"" << info.device << "\"";
    std::cout << "\n    frames: " << sum.frames;
    if (sum.frames > 0)
      std::cout << ", " << fmt(sum.first_time_s, 3) << " .. " << fmt(sum.last_time_s, 3) << " s (duration "
                << fmt(sum.last_time_s - sum.first_time_s, 3) << " s)";
    std::cout << "\n    rate: " << (info.sample_rate_hz > 0 ? fmt(info.sample_rate_hz, 1) + " Hz nominal" : "nominal unknown");
    if (sum.frames >= 2)
      std::cout << ", " << fmt(double(sum.frames - 1) / (sum.last_time_s - sum.first_time_s), 1) << " Hz measured";
    const bool counts = info.units == PressureUnits::counts;
    std::cout << (counts ? "\n    values (uncalibrated counts): " : "\n    pressure: ");
    if (sum.pressure_min_kpa)
      std::cout << fmt(*sum.pressure_min_kpa, 1) << " .. " << fmt(*sum.pressure_max_kpa, 1) << (counts ? " counts" : " kPa");
    else
      std::cout << "(no values)";
    if (counts) {
      if (auto it = info.attributes.find("raw_unit"); it != info.attributes.end())
        std::cout << " (raw unit stated by the device's source: " << it->second << ")";
      std::cout << "\n    total force: not available (not calibrated; see `insole calibrate`)\n";
      continue;
    }
    std::cout << "\n    total force: ";
    if (sum.force_min_n)
      std::cout << fmt(*sum.force_min_n, 1) << " .. " << fmt(*sum.force_max_n, 1) << " N\n";
    else
      std::cout << (info.layout.has_geometry() ? "(no frames)" : "unknown (sensor areas unknown)") << "\n";
  }
  return kExitOk;
}

}  // namespace insole::cli
