#include "insole/app/calibrations.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "insole/app/http.hpp"
#include "insole/calibration/calibration_file.hpp"

namespace insole::app {

bool is_calibration_file_name(std::string_view name) {
  constexpr std::string_view suffix = ".json";
  if (name.size() <= suffix.size() || name.size() > 255 || name.substr(name.size() - suffix.size()) != suffix) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

namespace {

struct ListedFile {
  std::string name;
  std::filesystem::path path;  // canonical, inside the folder: what is read
};

// The files the listing holds (header comment), sorted by name, at most kMaxCalibrationFiles;
// `more` is set when there were more.
std::vector<ListedFile> listed_files(const std::filesystem::path& dir, bool* more) {
  std::vector<ListedFile> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (!is_calibration_file_name(name)) continue;
    // A link may point anywhere: listed only when what it names is a file inside the folder, and
    // that resolved file is what is read.
    auto inside = resolve_in_dir(dir, name);
    std::error_code fec;
    if (!inside || !std::filesystem::is_regular_file(*inside, fec)) continue;
    files.push_back({std::move(name), std::move(*inside)});
  }
  std::sort(files.begin(), files.end(), [](const ListedFile& a, const ListedFile& b) { return a.name < b.name; });
  if (more) *more = files.size() > kMaxCalibrationFiles;
  if (files.size() > kMaxCalibrationFiles) files.resize(kMaxCalibrationFiles);
  return files;
}

// Parsed files by resolved path, with the modification time and size they were read at: the page
// asks for /api/sources and /api/calibrations together, and each lists the folder, so a file is
// read again only when it changed. Kept to the files of the last listing.
struct CachedFile {
  std::filesystem::file_time_type mtime;
  std::uintmax_t size = 0;
  CalibrationEntry entry;
};
std::mutex cache_mutex;
std::map<std::filesystem::path, CachedFile> cache;

CalibrationEntry read_entry(ListedFile&& f) {
  std::error_code ec1, ec2;
  const auto mtime = std::filesystem::last_write_time(f.path, ec1);
  const auto size = std::filesystem::file_size(f.path, ec2);
  const bool stamped = !ec1 && !ec2;
  if (stamped) {
    std::lock_guard lock(cache_mutex);
    if (auto it = cache.find(f.path); it != cache.end() && it->second.mtime == mtime && it->second.size == size) {
      CalibrationEntry entry = it->second.entry;
      entry.name = std::move(f.name);
      return entry;
    }
  }
  CalibrationEntry entry;
  auto cal = calibration::read_file(f.path);
  if (cal)
    entry.calibration = std::move(*cal);
  else
    entry.error = cal.error().message;
  entry.name = std::move(f.name);
  if (stamped) {
    std::lock_guard lock(cache_mutex);
    cache[f.path] = CachedFile{mtime, size, entry};
  }
  return entry;
}

// Forgets the parsed files that are no longer listed.
void keep_cached_only(const std::vector<ListedFile>& files) {
  std::lock_guard lock(cache_mutex);
  for (auto it = cache.begin(); it != cache.end();)
    it = std::any_of(files.begin(), files.end(), [&](const ListedFile& f) { return f.path == it->first; }) ? std::next(it)
                                                                                                            : cache.erase(it);
}

}  // namespace

std::vector<CalibrationEntry> list_calibrations(const std::filesystem::path& dir, bool* truncated) {
  std::vector<ListedFile> files = listed_files(dir, truncated);
  keep_cached_only(files);
  std::vector<CalibrationEntry> out;
  for (auto& f : files) out.push_back(read_entry(std::move(f)));
  return out;
}

Result<Calibration> load_listed_calibration(const std::filesystem::path& dir, std::string_view name) {
  // Only the file of that name is read, and only when the listing holds it.
  for (auto& f : listed_files(dir, nullptr)) {
    if (f.name != name) continue;
    CalibrationEntry e = read_entry(std::move(f));
    if (!e.calibration) return Error{Errc::format_error, e.error};
    return std::move(*e.calibration);
  }
  return Error{Errc::not_found, "no calibration file of that name in " + dir.string() + " (GET /api/calibrations lists them)"};
}

std::optional<std::string> calibration_for_serial(const std::vector<CalibrationEntry>& entries, std::string_view serial) {
  if (serial.empty()) return std::nullopt;
  const CalibrationEntry* best = nullptr;
  for (const auto& e : entries)  // sorted by name: on equal dates the later name wins
    if (e.calibration && e.calibration->device_serial == serial && (!best || e.calibration->date >= best->calibration->date))
      best = &e;
  if (!best) return std::nullopt;
  return best->name;
}

nlohmann::json to_json(const CalibrationEntry& entry) {
  using nlohmann::json;
  json j = {{"name", entry.name}, {"usable", entry.calibration.has_value()}, {"error", entry.error.empty() ? json(nullptr) : json(entry.error)}};
  if (!entry.calibration) return j;
  const Calibration& c = *entry.calibration;
  j["device_serial"] = c.device_serial;
  j["stream"] = c.stream;
  j["method"] = c.method;
  j["date"] = c.date;
  j["source"] = c.source;
  j["model"] = std::string(to_string(c.model));
  j["coefficients"] = c.coefficients;
  j["body_mass_kg"] = c.body_mass_kg ? json(*c.body_mass_kg) : json(nullptr);
  const Eigen::Index sensels = std::max(c.zero_counts.size(), c.gain.size());
  j["sensels"] = sensels > 0 ? json(sensels) : json(nullptr);
  double sum2 = 0, max_abs = 0;
  for (double r : c.residuals_kpa) {
    sum2 += r * r;
    max_abs = std::max(max_abs, std::abs(r));
  }
  const bool any = !c.residuals_kpa.empty();
  j["residuals"] = {{"count", c.residuals_kpa.size()},
                    {"rms_kpa", any ? json(std::sqrt(sum2 / double(c.residuals_kpa.size()))) : json(nullptr)},
                    {"max_abs_kpa", any ? json(max_abs) : json(nullptr)}};
  return j;
}

}  // namespace insole::app
