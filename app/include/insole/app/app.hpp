#pragma once
// The clinic app without its network layer: every HTTP request the server receives becomes a
// call to App::handle (after check_request), and every live message goes out through
// LiveCapture's subscribers. The JSON API (docs/app.md):
//   GET  /api/session                      CSRF token, versions, intake schema
//   GET  /api/patients                     list;  POST /api/patients  create
//   GET  /api/patients/{id}                patient, visits, trials, notes
//   POST /api/patients/{id}                update (pseudonym, age, mass, intake)
//   POST /api/patients/{id}/visits         new visit {date, condition}
//   POST /api/visits/{id}/notes            {text}
//   POST /api/visits/{id}/import?name=F    body: a recording (.h5) or a vendor export
//   GET  /api/trials/{id}/result           the `insole analyze --json` document
//   GET  /api/trials/{id}/peak.png         peak-pressure picture (regions, COP line)
//   GET  /api/trials/{id}/report.{pdf,html,json}
//   POST /api/trials/{id}                  {condition}: barefoot | shoe | shoe_orthosis | ""
//   GET  /api/targets                      the rule file's targets with their sources' citations
//   GET  /api/compare?a=ID&b=ID[&fitted=ID,...]   the `insole compare --json` document of two trials
//   GET  /api/compare/diff.png?a=..&b=..   difference maps;  /api/compare/report.{pdf,html}?a=..&b=..
//                                          B's report with the comparison (`insole report --compare-with`)
//   GET  /api/sources                      serial ports with protocols, simulator, emulators; each
//                                          with its device serial and the calibration file matching it
//   GET  /api/calibrations                 the calibration files offered (calibrations.hpp)
//   GET  /api/live                         capture state
//   POST /api/live/start {source, visit_id?, kind?, calibration?}   preview (no visit) or record a
//                                          trial, calibrated with the named listed file or in counts
//   POST /api/live/stop                    stop; a recorded trial is indexed
//   GET  /  and /app.js, /app.css ...      the embedded web assets

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "insole/app/calibrations.hpp"
#include "insole/app/http.hpp"
#include "insole/app/live.hpp"
#include "insole/app/store.hpp"
#include "insole/assess/assessment.hpp"
#include "insole/compare/compare.hpp"
#include "insole/report/report_model.hpp"
#include "insole/recommend/rules.hpp"

namespace insole::app {

/// One embedded web asset (generated from app/web at build time).
struct Asset {
  const char* path;          ///< "/index.html"
  const char* content_type;
  const unsigned char* data;
  std::size_t size;
};
const std::vector<Asset>& web_assets();

struct AppConfig {
  std::filesystem::path data_dir;
  SecurityPolicy policy;
  /// Largest request body accepted (uploads of vendor exports), bytes.
  std::size_t max_body_bytes = 64u << 20;
  SourceLister list_sources;
  SourceOpener open_source;
  std::shared_ptr<Clock> clock;
  /// Seconds a simulator trial lasts when the request does not say (0 = until stopped).
  double default_duration_s = 0.0;
  /// The folder of calibration files offered for live capture (calibrations.hpp); empty:
  /// data_dir / "calibrations", created when absent.
  std::filesystem::path calibrations_dir;
};

class App {
 public:
  static Result<std::unique_ptr<App>> create(AppConfig config);
  ~App();

  /// Answers a request that passed check_request.
  HttpResponse handle(const HttpRequest& req);

  LiveCapture& live() { return *live_; }
  Store& store() { return *store_; }
  const AppConfig& config() const { return config_; }
  /// Set once the port is known (before serving).
  void set_allowed_hosts(std::vector<std::string> hosts) { config_.policy.allowed_hosts = std::move(hosts); }

  /// The assessment of a trial with its patient's intake, through batch::assess_file (the path
  /// of `insole analyze`); `input` is the trial's file relative to the data directory.
  /// The last few are kept (keyed by trial and intake), so the result, picture and reports of
  /// one trial are analysed once.
  Result<std::shared_ptr<const assess::Assessment>> assess_trial(std::int64_t trial_id);

  /// Two trials of one patient compared (compare::compare on assess_trial's assessments, B = b_id
  /// against A = a_id, with `fitted` intervention ids). Errors: not_found for an unknown trial,
  /// invalid_argument for one trial twice or trials of two patients. The last one is kept.
  struct ComparedTrials {
    std::shared_ptr<const assess::Assessment> a, b;
    std::vector<std::string> fitted;
    std::string condition_a, condition_b;  ///< the trials' stated conditions (they can be edited)
    std::shared_ptr<const compare::Comparison> comparison;
  };
  Result<ComparedTrials> compare_trials(std::int64_t a_id, std::int64_t b_id, const std::vector<std::string>& fitted);

 private:
  App(AppConfig config, std::unique_ptr<Store> store, recommend::RuleSet rules);
  HttpResponse route(const HttpRequest& req, const Target& t);
  HttpResponse compare_route(const Target& t, const std::string& what);
  HttpResponse targets_response() const;
  HttpResponse rendered_report(const report::ReportModel& model, bool html, const std::string& filename);

  AppConfig config_;
  std::unique_ptr<Store> store_;
  recommend::RuleSet rules_;
  std::unique_ptr<LiveCapture> live_;
  struct Cached {
    std::int64_t trial_id;
    std::string intake;
    std::shared_ptr<const assess::Assessment> assessment;
  };
  std::vector<Cached> cache_;  ///< most recent last, at most 4
  std::optional<ComparedTrials> compared_;  ///< the last comparison
};

}  // namespace insole::app
