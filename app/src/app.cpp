#include "insole/app/app.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>

#include "insole/analysis/measure_catalogue.hpp"
#include "insole/app/password.hpp"
#include "insole/batch/run.hpp"
#include "insole/compare/compare.hpp"
#include "insole/core/utf8.hpp"
#include "insole/core/atomic_output.hpp"
#include "insole/core/version.hpp"
#include "insole/importers/importers.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "insole/recommend/json.hpp"
#include "insole/report/compare_figure.hpp"
#include "insole/report/json.hpp"
#include "insole/report/render.hpp"
#include "insole/report/report_builder.hpp"

namespace insole::app {

namespace {

using nlohmann::json;

HttpResponse json_response(const json& j, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body = j.dump();
  return r;
}

int status_of(const Error& e) {
  switch (e.code) {
    case Errc::not_found: return 404;
    case Errc::invalid_argument:
    case Errc::format_error:
    case Errc::unsupported:
    case Errc::no_data: return 400;
    default: return 500;
  }
}

HttpResponse failure(const Error& e) { return error_response(status_of(e), e.message); }

// Splits "/api/trials/12/result" into its segments.
std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    if (end > pos) out.push_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::optional<std::int64_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 15) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

Result<json> parse_body(const HttpRequest& req) {
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{Errc::invalid_argument, "request body: a JSON object expected"};
  return j;
}

std::optional<double> opt_number(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  if (!j[key].is_number()) return std::nullopt;
  return j[key].get<double>();
}

Result<Patient> patient_from(const json& j) {
  Patient p;
  if (!j.contains("pseudonym") || !j["pseudonym"].is_string()) return Error{Errc::invalid_argument, "pseudonym: text expected"};
  p.pseudonym = j["pseudonym"].get<std::string>();
  for (const char* key : {"age_years", "body_mass_kg"})
    if (j.contains(key) && !j[key].is_null() && !j[key].is_number())
      return Error{Errc::invalid_argument, std::string(key) + ": a number expected"};
  p.age_years = opt_number(j, "age_years");
  p.body_mass_kg = opt_number(j, "body_mass_kg");
  if (j.contains("intake")) p.intake = j["intake"];
  return p;
}

json to_json(const Patient& p) {
  return {{"id", p.id}, {"pseudonym", p.pseudonym}, {"age_years", p.age_years ? json(*p.age_years) : json(nullptr)},
          {"body_mass_kg", p.body_mass_kg ? json(*p.body_mass_kg) : json(nullptr)}, {"intake", p.intake},
          {"created_at", p.created_at}};
}

std::string utc_stamp() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// A file name for an upload: letters, digits, '.', '-', '_' only, no leading dot; the extension
// is kept because some vendor formats are told apart by it.
std::string safe_name(const std::string& name) {
  std::string out;
  for (char c : name)
    out.push_back((std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_');
  while (!out.empty() && out.front() == '.') out.erase(0, 1);
  if (out.size() > 80) out = out.substr(out.size() - 80);
  return out.empty() ? "upload" : out;
}

Result<std::string> read_whole(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Error{Errc::io_error, p.string() + ": cannot read"};
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

report::ReportHeader report_header(const assess::Assessment& a) {
  report::ReportHeader header;
  header.clinic = "";
  header.patient_id = a.intake && a.intake->text("patient_id") ? *a.intake->text("patient_id") : "";
  header.date = report::local_date_today();
  header.recording = std::filesystem::path(a.input).filename().string();
  header.toolkit_version = kToolkitVersion;
  return header;
}

// A file rendered into the scratch folder and read back (the renderers write files atomically).
Result<std::string> render_to_bytes(const std::filesystem::path& scratch_dir, const std::string& extension,
                                    const std::function<Status(const std::filesystem::path&)>& write) {
  const auto scratch = scratch_dir / (random_token(8) + extension);
  const Status st = write(scratch);
  Result<std::string> bytes = st ? read_whole(scratch) : Result<std::string>(st.error());
  std::error_code ec;
  std::filesystem::remove(scratch, ec);
  return bytes;
}

// One trial id of a query (?a=12): 400 when absent or not digits.
Result<std::int64_t> query_id(const Target& t, const char* key) {
  auto it = t.query.find(key);
  if (it == t.query.end() || it->second.empty())
    return Error{Errc::invalid_argument, std::string(key) + ": a trial id expected (?a=ID&b=ID)"};
  auto id = parse_id(it->second);
  if (!id) return Error{Errc::invalid_argument, std::string(key) + ": a trial id (digits) expected, not '" +
                                                    (is_valid_utf8(it->second) && it->second.size() <= 20 ? it->second : std::string("...")) + "'"};
  return *id;
}

}  // namespace

HttpResponse App::rendered_report(const report::ReportModel& model, bool html, const std::string& filename) {
  HttpResponse r;
  if (html) {
    r.content_type = "text/html; charset=utf-8";
    r.body = report::render_html(model);
  } else {
    auto bytes = render_to_bytes(config_.data_dir / "tmp", ".pdf",
                                 [&](const std::filesystem::path& p) { return report::write_pdf(model, p); });
    if (!bytes) return failure(bytes.error());
    r.content_type = "application/pdf";
    r.body = std::move(*bytes);
  }
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return r;
}

Result<App::ComparedTrials> App::compare_trials(std::int64_t a_id, std::int64_t b_id, const std::vector<std::string>& fitted) {
  if (a_id == b_id) return Error{Errc::invalid_argument, "a and b: two different trials expected (both are trial " + std::to_string(a_id) + ")"};
  // Both trials must exist and belong to one patient before anything is analysed.
  std::int64_t patient_of[2] = {0, 0};
  std::string condition[2];
  for (int i = 0; i < 2; ++i) {
    auto tr = store_->trial(i == 0 ? a_id : b_id);
    if (!tr) return tr.error();
    auto v = store_->visit(tr->visit_id);
    if (!v) return v.error();
    patient_of[i] = v->patient_id;
    condition[i] = tr->condition;
  }
  if (patient_of[0] != patient_of[1])
    return Error{Errc::invalid_argument, "trials " + std::to_string(a_id) + " and " + std::to_string(b_id) +
                                             " belong to different patients; a comparison is of one patient's trials"};
  auto a = assess_trial(a_id);
  if (!a) return a.error();
  auto b = assess_trial(b_id);
  if (!b) return b.error();
  if (compared_ && compared_->a == *a && compared_->b == *b && compared_->fitted == fitted &&
      compared_->condition_a == condition[0] && compared_->condition_b == condition[1])
    return *compared_;
  // The trials' stated conditions go in as `insole compare --condition-a/--condition-b` would.
  compare::CompareOptions options;
  options.fitted = fitted;
  options.condition_a = condition[0];
  options.condition_b = condition[1];
  auto c = compare::compare(**a, **b, rules_, options);
  if (!c) return c.error();
  compared_ = ComparedTrials{*a, *b, fitted, condition[0], condition[1],
                             std::make_shared<const compare::Comparison>(std::move(*c))};
  return *compared_;
}

HttpResponse App::targets_response() const {
  json arr = json::array();
  for (const auto& td : rules_.targets) {
    json sources = json::array();
    for (const auto& id : td.sources) {
      std::string citation;
      for (const auto& s : rules_.sources)
        if (s.id == id) citation = s.citation;
      sources.push_back({{"id", id}, {"citation", citation}});
    }
    std::string element;
    for (const auto& iv : rules_.interventions)
      if (!td.intervention.empty() && iv.id == td.intervention) element = iv.element;
    arr.push_back({{"id", td.id}, {"intervention", td.intervention}, {"element", element}, {"red_flag", td.red_flag},
                   {"region", td.region}, {"variable", td.variable}, {"kind", td.kind}, {"max", td.max_value},
                   {"surface", td.surface}, {"text", td.text}, {"sources", sources}});
  }
  return json_response({{"rules", {{"name", rules_.name}, {"version", rules_.rules_version}}}, {"targets", arr}});
}

// GET /api/compare?a=ID&b=ID[&fitted=ID,...]        the compare::to_json document (`insole compare --json`)
// GET /api/compare/diff.png?a=ID&b=ID[&fitted=...]   the difference maps (`insole compare --figure`)
// GET /api/compare/report.{pdf,html}?a=ID&b=ID[...]  B's report with the comparison section
//                                                    (`insole report B --compare-with A`)
HttpResponse App::compare_route(const Target& t, const std::string& what) {
  if (!what.empty() && what != "diff.png" && what != "report.pdf" && what != "report.html")
    return error_response(404, "no such comparison resource: " + what);
  auto a_id = query_id(t, "a");
  if (!a_id) return failure(a_id.error());
  auto b_id = query_id(t, "b");
  if (!b_id) return failure(b_id.error());
  std::vector<std::string> fitted;
  if (auto it = t.query.find("fitted"); it != t.query.end()) {
    if (it->second.size() > 1000) return error_response(400, "fitted: at most 1000 bytes of intervention ids expected");
    std::stringstream ss(it->second);
    std::string id;
    while (std::getline(ss, id, ','))
      if (!id.empty()) {
        if (std::none_of(rules_.interventions.begin(), rules_.interventions.end(),
                         [&](const recommend::Intervention& iv) { return iv.id == id; }))
          return error_response(400, "fitted: unknown intervention id '" + (is_valid_utf8(id) && id.size() <= 40 ? id : std::string("...")) +
                                         "' (rule file " + rules_.name + " " + rules_.rules_version + ")");
        fitted.push_back(id);
      }
  }
  auto cmp = compare_trials(*a_id, *b_id, fitted);
  if (!cmp) return failure(cmp.error());
  const compare::Comparison& c = *cmp->comparison;
  const std::string stem = "compare-trial-" + std::to_string(*a_id) + "-trial-" + std::to_string(*b_id);
  HttpResponse r;
  if (what.empty()) {
    r.body = compare::to_json(c) + "\n";  // byte for byte what `insole compare --json` prints
    return r;
  }
  if (what == "diff.png") {
    auto bytes = render_to_bytes(config_.data_dir / "tmp", ".png", [&](const std::filesystem::path& p) {
      return report::write_compare_figure(c, p, report::FigureFormat::png);
    });
    if (!bytes) return failure(bytes.error());
    r.content_type = "image/png";
    r.body = std::move(*bytes);
    return r;
  }
  auto model = report::build_report_model(*cmp->b, rules_, report_header(*cmp->b));
  model.comparison = c;
  return rendered_report(model, what == "report.html", stem + "-" + what);
}

Result<std::unique_ptr<App>> App::create(AppConfig config) {
  auto store = Store::open(config.data_dir);
  if (!store) return store.error();
  auto rules = recommend::load_default_rules();
  if (!rules) return rules.error();
  if (!config.clock) config.clock = steady_clock();
  std::error_code ec;
  std::vector<std::filesystem::path> folders = {config.data_dir / "recordings", config.data_dir / "tmp"};
  // The calibrations folder is made only when it is the default one, inside the data directory.
  if (config.calibrations_dir.empty()) {
    config.calibrations_dir = config.data_dir / "calibrations";
    folders.push_back(config.calibrations_dir);
  }
  for (const auto& folder : folders) {
    std::filesystem::create_directories(folder, ec);
    if (ec) return Error{Errc::io_error, folder.string() + ": " + ec.message()};
  }
  // Scratch files of an earlier run (previews, uploads, rendered reports) are never needed again.
  for (const auto& e : std::filesystem::directory_iterator(config.data_dir / "tmp", ec)) std::filesystem::remove(e.path(), ec);
  return std::unique_ptr<App>(new App(std::move(config), std::move(*store), std::move(*rules)));
}

App::App(AppConfig config, std::unique_ptr<Store> store, recommend::RuleSet rules)
    : config_(std::move(config)), store_(std::move(store)), rules_(std::move(rules)) {
  live_ = std::make_unique<LiveCapture>(config_.open_source, config_.clock);
}

App::~App() { live_->stop(); }

Result<std::shared_ptr<const assess::Assessment>> App::assess_trial(std::int64_t trial_id) {
  auto trial = store_->trial(trial_id);
  if (!trial) return trial.error();
  auto visit = store_->visit(trial->visit_id);
  if (!visit) return visit.error();
  auto patient = store_->patient(visit->patient_id);
  if (!patient) return patient.error();
  const std::string key = patient->pseudonym + "\n" + (patient->age_years ? std::to_string(*patient->age_years) : "") + "\n" +
                          (patient->body_mass_kg ? std::to_string(*patient->body_mass_kg) : "") + "\n" + patient->intake.dump();
  for (const auto& c : cache_)
    if (c.trial_id == trial_id && c.intake == key) return c.assessment;
  auto intake = analysis_intake(*patient);
  if (!intake) return intake.error();
  auto file = resolve_in_dir(config_.data_dir, trial->file);
  if (!file) return file.error();
  auto a = batch::assess_file(*file, rules_, std::move(*intake), batch::AnalyseOptions{});
  if (!a) return a.error();
  a->input = trial->file;
  auto shared = std::make_shared<const assess::Assessment>(std::move(*a));
  if (cache_.size() >= 4) cache_.erase(cache_.begin());
  cache_.push_back({trial_id, key, shared});
  return shared;
}

HttpResponse App::handle(const HttpRequest& req) {
  auto t = parse_target(req.target);
  if (!t) return error_response(400, t.error().message);
  // HEAD gets the GET answer; the server sends its header fields only.
  try {
    return route(req, *t);
  } catch (const nlohmann::json::exception& e) {
    // A field of the right name but the wrong JSON type (json::value throws on those).
    return error_response(400, std::string("request body: ") + e.what());
  } catch (const std::exception& e) {
    // Programmer errors must not take the server down with them.
    return error_response(500, std::string("internal error: ") + e.what());
  }
}

HttpResponse App::route(const HttpRequest& req, const Target& t) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  const auto seg = segments(t.path);

  if (t.path == "/login" && config_.policy.login) return handle_login(req, *config_.policy.login);
  // Static assets: only the embedded ones, looked up by exact name; nothing is read from disk.
  if (seg.empty() || seg[0] != "api") {
    if (!get) return error_response(405, "only GET and HEAD on " + t.path);
    const std::string name = t.path == "/" ? "/index.html" : t.path;
    for (const auto& a : web_assets())
      if (name == a.path) {
        HttpResponse r;
        r.content_type = a.content_type;
        r.body.assign(reinterpret_cast<const char*>(a.data), a.size);
        r.headers.emplace_back("Cache-Control", "no-cache");
        // Opening /?token=... stores the token as a cookie for the requests that follow.
        if (t.query.count("token") && !config_.policy.access_token.empty() &&
            secrets_equal(t.query.at("token"), config_.policy.access_token))
          r.headers.emplace_back("Set-Cookie", "insole_token=" + config_.policy.access_token + "; Path=/; HttpOnly; SameSite=Strict");
        return r;
      }
    return error_response(404, "no such page");
  }

  const auto n = seg.size();
  if (get && n == 2 && seg[1] == "session") {
    json schema = json::array();
    for (const auto& f : recommend::intake_schema()) {
      if (f.name == "age_years" || f.name == "body_mass_kg" || f.name == "patient_id") continue;
      json jf = {{"section", f.section}, {"name", f.name}, {"type", f.type}, {"description", f.description}};
      if (f.type == "number") {
        jf["min"] = f.min;
        jf["max"] = f.max;
      }
      schema.push_back(jf);
    }
    // Labels and units from the measure catalogue, reference ranges and decimals from the rule
    // file: the results page shows each measure next to its range, as the report does. A measure
    // the rule file does not list has no decimals (null): the page shows three significant figures.
    json measures = json::array();
    for (const auto& m : analysis::measure_catalogue()) {
      json jm = {{"key", m.key}, {"label", m.label}, {"unit", m.unit}, {"ref_low", nullptr}, {"ref_high", nullptr},
                 {"decimals", nullptr}, {"source", ""}};
      for (const auto& d : rules_.measures)
        if (d.id == m.key) {
          jm["decimals"] = d.decimals;
          if (d.ref_low) jm["ref_low"] = *d.ref_low;
          if (d.ref_high) jm["ref_high"] = *d.ref_high;
          jm["source"] = d.source;
          jm["ref_surface"] = d.ref_surface;
        }
      measures.push_back(jm);
    }
    return json_response({{"csrf_token", config_.policy.csrf_token},
                          {"measures", measures},
                          {"toolkit_version", kToolkitVersion},
                          {"rules", {{"name", rules_.name}, {"version", rules_.rules_version}}},
                          {"intake_schema", schema}});
  }
  if (n == 2 && seg[1] == "patients") {
    if (get) {
      auto ps = store_->patients();
      if (!ps) return failure(ps.error());
      json arr = json::array();
      for (const auto& p : *ps) arr.push_back(to_json(p));
      return json_response(arr);
    }
    auto body = parse_body(req);
    if (!body) return failure(body.error());
    auto p = patient_from(*body);
    if (!p) return failure(p.error());
    auto id = store_->add_patient(*p);
    if (!id) return failure(id.error());
    return json_response({{"id", *id}}, 201);
  }
  if (n >= 3 && seg[1] == "patients") {
    const auto pid = parse_id(seg[2]);
    if (!pid) return error_response(404, "no such patient");
    if (n == 3 && get) {
      auto p = store_->patient(*pid);
      if (!p) return failure(p.error());
      json j = to_json(*p);
      auto vs = store_->visits(*pid);
      if (!vs) return failure(vs.error());
      json visits = json::array();
      for (const auto& v : *vs) {
        json jv = {{"id", v.id}, {"date", v.date}, {"condition", v.condition}, {"created_at", v.created_at}};
        auto ts = store_->trials(v.id);
        auto ns = store_->notes(v.id);
        if (!ts) return failure(ts.error());
        if (!ns) return failure(ns.error());
        jv["trials"] = json::array();
        for (const auto& tr : *ts)
          jv["trials"].push_back({{"id", tr.id}, {"kind", tr.kind}, {"file", tr.file}, {"source", tr.source},
                                  {"condition", tr.condition}, {"created_at", tr.created_at}});
        jv["notes"] = json::array();
        for (const auto& no : *ns) jv["notes"].push_back({{"id", no.id}, {"text", no.text}, {"created_at", no.created_at}});
        visits.push_back(jv);
      }
      j["visits"] = visits;
      return json_response(j);
    }
    if (n == 3 && post) {
      auto body = parse_body(req);
      if (!body) return failure(body.error());
      auto p = patient_from(*body);
      if (!p) return failure(p.error());
      p->id = *pid;
      if (auto st = store_->update_patient(*p); !st) return failure(st.error());
      return json_response({{"id", *pid}});
    }
    if (n == 4 && seg[3] == "visits" && post) {
      auto body = parse_body(req);
      if (!body) return failure(body.error());
      Visit v;
      v.patient_id = *pid;
      v.date = body->value("date", report::local_date_today());
      if (body->contains("condition") && (*body)["condition"].is_string()) v.condition = (*body)["condition"].get<std::string>();
      auto id = store_->add_visit(v);
      if (!id) return failure(id.error());
      return json_response({{"id", *id}}, 201);
    }
  }
  if (n == 4 && seg[1] == "visits" && post) {
    const auto vid = parse_id(seg[2]);
    if (!vid) return error_response(404, "no such visit");
    if (seg[3] == "notes") {
      auto body = parse_body(req);
      if (!body) return failure(body.error());
      Note note;
      note.visit_id = *vid;
      if (body->contains("text") && (*body)["text"].is_string()) note.text = (*body)["text"].get<std::string>();
      auto id = store_->add_note(note);
      if (!id) return failure(id.error());
      return json_response({{"id", *id}}, 201);
    }
    if (seg[3] == "import") {
      auto visit = store_->visit(*vid);
      if (!visit) return failure(visit.error());
      if (req.body.empty()) return error_response(400, "import: the request body (the file) is empty");
      const std::string name = safe_name(t.query.count("name") ? t.query.at("name") : "upload");
      // The trial's condition: ?condition=, else what the visit's condition names.
      const std::string condition = t.query.count("condition") ? t.query.at("condition") : trial_condition_of_visit(visit->condition);
      if (auto c = validate_trial_condition(condition); !c) return failure(c.error());
      // The upload goes to a scratch file first: the importers read files (and detect formats
      // from the first bytes); the recording is then written atomically into the visit's folder.
      const auto scratch = config_.data_dir / "tmp" / (random_token(8) + "-" + name);
      if (auto st = write_file_atomically(scratch, req.body); !st) return failure(st.error());
      Result<Recording> rec = Error{Errc::unsupported, ""};
      if (req.body.size() >= 8 && req.body.compare(0, 8, "\x89HDF\r\n\x1a\n") == 0)
        rec = io::read_recording(scratch);
      else
        rec = importers::import_file(scratch);
      std::error_code ec;
      std::filesystem::remove(scratch, ec);
      if (!rec) return error_response(400, "import of " + name + ": " + rec.error().message);
      const std::string rel = "recordings/visit-" + std::to_string(*vid) + "/import-" + utc_stamp() + "-" + random_token(3) + ".h5";
      std::filesystem::create_directories((config_.data_dir / rel).parent_path(), ec);
      if (rec->meta.created_by.empty()) rec->meta.created_by = "insole serve import";
      if (auto st = io::write_recording(config_.data_dir / rel, *rec); !st) return failure(st.error());
      Trial trial{0, *vid, "import", rel, name, "", condition};
      auto id = store_->add_trial(trial);
      if (!id) return failure(id.error());
      return json_response({{"id", *id}, {"file", rel}}, 201);
    }
  }
  if (n == 3 && seg[1] == "trials" && post) {
    const auto tid = parse_id(seg[2]);
    if (!tid) return error_response(404, "no such trial");
    auto body = parse_body(req);
    if (!body) return failure(body.error());
    if (!body->contains("condition") || !(*body)["condition"].is_string())
      return error_response(400, "condition: barefoot, shoe, shoe_orthosis or empty expected");
    if (auto st = store_->set_trial_condition(*tid, (*body)["condition"].get<std::string>()); !st) return failure(st.error());
    return json_response({{"id", *tid}, {"condition", (*body)["condition"]}});
  }
  if (get && n == 2 && seg[1] == "targets") return targets_response();
  if (get && (n == 2 || n == 3) && seg[1] == "compare") return compare_route(t, n == 2 ? "" : seg[2]);
  if (n == 4 && seg[1] == "trials" && get) {
    const auto tid = parse_id(seg[2]);
    if (!tid) return error_response(404, "no such trial");
    const std::string& what = seg[3];
    if (what != "result" && what != "peak.png" && what != "report.pdf" && what != "report.html" && what != "report.json")
      return error_response(404, "no such trial resource");
    auto assessed = assess_trial(*tid);
    if (!assessed) return failure(assessed.error());
    const assess::Assessment* a = assessed->get();
    if (what == "result") {
      HttpResponse r;
      r.body = report::to_json(*a);
      return r;
    }
    if (what == "report.json") {
      auto j = report::assessment_json(*a);
      j["prescription"] = recommend::prescription_json(a->prescription);
      HttpResponse r;
      r.body = j.dump(2) + "\n";
      r.headers.emplace_back("Content-Disposition", "attachment; filename=\"trial-" + std::to_string(*tid) + "-report.json\"");
      return r;
    }
    const auto model = report::build_report_model(*a, rules_, report_header(*a));
    if (what == "peak.png") {
      HttpResponse r;
      r.content_type = "image/png";
      r.body = report::feet_png(model);
      return r;
    }
    return rendered_report(model, what == "report.html", "trial-" + std::to_string(*tid) + "-" + what);
  }
  if (get && n == 2 && seg[1] == "sources") {
    json arr = json::array();
    if (config_.list_sources) {
      const auto calibrations = list_calibrations(config_.calibrations_dir);
      for (const auto& s : config_.list_sources()) {
        const auto match = calibration_for_serial(calibrations, s.serial);
        arr.push_back({{"uri", s.uri}, {"label", s.label}, {"kind", s.kind},
                       {"serial", s.serial.empty() ? json(nullptr) : json(s.serial)},
                       {"calibration", match ? json(*match) : json(nullptr)}});
      }
    }
    return json_response(arr);
  }
  if (get && n == 2 && seg[1] == "calibrations") {
    json arr = json::array();
    bool truncated = false;
    for (const auto& e : list_calibrations(config_.calibrations_dir, &truncated)) arr.push_back(to_json(e));
    return json_response(
        {{"directory", config_.calibrations_dir.string()}, {"calibrations", std::move(arr)}, {"truncated", truncated}});
  }
  if (get && n == 2 && seg[1] == "live") return json_response(live_->status());
  if (post && n == 3 && seg[1] == "live" && seg[2] == "stop") {
    live_->stop();
    return json_response(live_->status());
  }
  if (post && n == 3 && seg[1] == "live" && seg[2] == "start") {
    auto body = parse_body(req);
    if (!body) return failure(body.error());
    if (!body->contains("source") || !(*body)["source"].is_string()) return error_response(400, "source: a source URI expected");
    const std::string source = (*body)["source"].get<std::string>();
    bool allowed = false;  // only sources the server offered, never an arbitrary file:// URI
    if (config_.list_sources)
      for (const auto& s : config_.list_sources()) allowed = allowed || s.uri == source;
    if (!allowed) return error_response(400, "source: not one of /api/sources");
    const double duration = body->contains("duration_s") && (*body)["duration_s"].is_number()
                                ? std::clamp((*body)["duration_s"].get<double>(), 0.0, 3600.0)
                                : config_.default_duration_s;
    // The calibration: absent, null or "" records the source as it is (counts for an uncalibrated
    // device); otherwise the name of a listed file, never a path (calibrations.hpp).
    std::vector<Calibration> calibrations;
    if (body->contains("calibration") && !(*body)["calibration"].is_null()) {
      if (!(*body)["calibration"].is_string())
        return error_response(400, "calibration: the name of a file of /api/calibrations expected, or null for none");
      const std::string name = (*body)["calibration"].get<std::string>();
      if (!name.empty()) {
        auto cal = load_listed_calibration(config_.calibrations_dir, name);
        if (!cal)
          return error_response(400, "calibration '" + (is_valid_utf8(name) && name.size() <= 80 ? name : std::string("...")) +
                                         "': " + cal.error().message);
        calibrations.push_back(std::move(*cal));
      }
    }
    RecordingMetadata meta;
    meta.created_by = std::string("insole ") + kToolkitVersion + " serve";
    if (!body->contains("visit_id") || (*body)["visit_id"].is_null()) {
      const auto scratch = config_.data_dir / "tmp" / ("preview-" + random_token(6) + ".h5");
      auto st = live_->start(source, scratch, meta, false, [scratch](const LiveCapture::Finished&) {
        std::error_code ec;
        std::filesystem::remove(scratch, ec);
      }, duration, calibrations);
      if (!st) return failure(st.error());
      return json_response(live_->status());
    }
    if (!(*body)["visit_id"].is_number_integer()) return error_response(400, "visit_id: an integer expected");
    const std::int64_t vid = (*body)["visit_id"].get<std::int64_t>();
    const std::string kind = body->value("kind", std::string("walk"));
    if (kind != "walk" && kind != "stand") return error_response(400, "kind: walk or stand expected");
    auto visit = store_->visit(vid);
    if (!visit) return failure(visit.error());
    std::string condition = trial_condition_of_visit(visit->condition);
    if (body->contains("condition") && !(*body)["condition"].is_null()) {
      if (!(*body)["condition"].is_string()) return error_response(400, "condition: text expected");
      condition = (*body)["condition"].get<std::string>();
    }
    if (auto c = validate_trial_condition(condition); !c) return failure(c.error());
    auto patient = store_->patient(visit->patient_id);
    if (!patient) return failure(patient.error());
    meta.subject = patient->pseudonym;
    meta.body_mass_kg = patient->body_mass_kg;
    meta.mode = kind;
    const std::string rel = "recordings/visit-" + std::to_string(vid) + "/" + kind + "-" + utc_stamp() + "-" + random_token(3) + ".h5";
    std::error_code ec;
    std::filesystem::create_directories((config_.data_dir / rel).parent_path(), ec);
    Store* store = store_.get();
    auto st = live_->start(source, config_.data_dir / rel, meta, true, [store, vid, kind, rel, source, condition](const LiveCapture::Finished& f) {
      // A finished capture is complete on disk (run_capture finalised it); only then is it indexed.
      if (f.ok) (void)store->add_trial(Trial{0, vid, kind, rel, source, "", condition});
    }, duration, std::move(calibrations));
    if (!st) return failure(st.error());
    return json_response(live_->status());
  }
  return error_response(404, "no such API resource: " + t.path);
}

}  // namespace insole::app
