// The app's results are the CLI's: the trial JSON equals `insole analyze --json` on the same file
// with the same intake; imports go through the importers; figures and reports come from the
// report renderer; a live trial is recorded through the capture path and indexed.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app_test_support.hpp"
#include "insole/app/password.hpp"
#include "insole/report/render.hpp"
#include "insole/sim/simulator.hpp"
#include "support/shared_data.hpp"

namespace insole::app {
namespace {

using nlohmann::json;
using test::TestServer;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// Runs a command and returns its stdout.
std::string run(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  std::array<char, 65536> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  pclose(f);
  return out;
}

HttpRequest get(const std::string& target) {
  HttpRequest r;
  r.method = "GET";
  r.target = target;
  return r;
}

HttpRequest post(const std::string& target, std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.target = target;
  r.body = std::move(body);
  return r;
}

// Creates a patient with an intake and a visit; returns the visit id.
std::int64_t patient_and_visit(App& app) {
  auto p = app.handle(post("/api/patients", R"({"pseudonym":"P-0042","age_years":42,"body_mass_kg":80,
    "intake":{"symptoms":{"low_back_pain":true}}})"));
  EXPECT_EQ(p.status, 201) << p.body;
  const auto pid = json::parse(p.body)["id"].get<std::int64_t>();
  auto v = app.handle(post("/api/patients/" + std::to_string(pid) + "/visits", R"({"date":"2026-12-05","condition":"barefoot"})"));
  EXPECT_EQ(v.status, 201) << v.body;
  return json::parse(v.body)["id"].get<std::int64_t>();
}

// The app's result document and the CLI's, for one imported file, must be the same document.
void expect_same_as_cli(TestServer& s, const std::filesystem::path& source_file) {
  App& app = s.app();
  const auto vid = patient_and_visit(app);
  auto imp = app.handle(post("/api/visits/" + std::to_string(vid) + "/import?name=" + source_file.filename().string(),
                             read_file(source_file)));
  ASSERT_EQ(imp.status, 201) << imp.body;
  const auto tid = json::parse(imp.body)["id"].get<std::int64_t>();
  const std::string rel = json::parse(imp.body)["file"];

  auto res = app.handle(get("/api/trials/" + std::to_string(tid) + "/result"));
  ASSERT_EQ(res.status, 200) << res.body;
  // The same intake as a file for the CLI: what the patient record gives the analysis.
  const auto intake_file = s.root() / "intake.json";
  std::ofstream(intake_file) << R"({"patient_id":"P-0042","age_years":42,"body_mass_kg":80,"symptoms":{"low_back_pain":true}})";
  const std::string cli = run("cd '" + (s.root() / "data").string() + "' && '" INSOLE_CLI "' analyze '" + rel +
                              "' --json --intake '" + intake_file.string() + "' 2>/dev/null");
  ASSERT_FALSE(cli.empty());
  const json a = json::parse(res.body), b = json::parse(cli);
  EXPECT_EQ(a, b) << "app and CLI differ for " << source_file;
  EXPECT_EQ(res.body, cli);
  EXPECT_FALSE(a["feet"].empty());
  EXPECT_TRUE(a["intake_given"].get<bool>());
}

TEST(AppResults, TrialJsonEqualsCliForAnImportedRecording) {
  TestServer s;
  expect_same_as_cli(s, std::filesystem::path(INSOLE_SOURCE_DIR) / "data" / "walk_flat_pronated.h5");
}

TEST(AppResults, TrialJsonEqualsCliForAnImportedVendorExport) {
  // A Novel emed mat export (pressuRe's test file, ../shared/data/pressure_vendor_samples/SOURCE.txt).
  INSOLE_REQUIRE_SHARED_DATA("pressure_vendor_samples/emed_test.lst");
  TestServer s;
  expect_same_as_cli(s, ::insole::test::shared_data("pressure_vendor_samples/emed_test.lst"));
}

TEST(AppResults, FiguresAndReports) {
  TestServer s;
  App& app = s.app();
  const auto vid = patient_and_visit(app);
  auto imp = app.handle(post("/api/visits/" + std::to_string(vid) + "/import?name=walk.h5",
                             read_file(std::filesystem::path(INSOLE_SOURCE_DIR) / "data" / "walk_flat_pronated.h5")));
  ASSERT_EQ(imp.status, 201) << imp.body;
  const std::string base = "/api/trials/" + std::to_string(json::parse(imp.body)["id"].get<std::int64_t>());
  auto png = app.handle(get(base + "/peak.png"));
  ASSERT_EQ(png.status, 200);
  EXPECT_EQ(png.content_type, "image/png");
  EXPECT_EQ(png.body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto pdf = app.handle(get(base + "/report.pdf"));
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");
  auto html = app.handle(get(base + "/report.html"));
  ASSERT_EQ(html.status, 200);
  EXPECT_NE(html.body.find("Plantar pressure fitting report"), std::string::npos);
  EXPECT_NE(html.body.find("P-0042"), std::string::npos);
  auto rj = app.handle(get(base + "/report.json"));
  ASSERT_EQ(rj.status, 200);
  EXPECT_TRUE(json::parse(rj.body).contains("prescription"));
  EXPECT_EQ(app.handle(get(base + "/nothing")).status, 404);
  EXPECT_EQ(app.handle(get("/api/trials/999/result")).status, 404);
  // Nothing rendered is left behind in the scratch folder.
  EXPECT_TRUE(std::filesystem::is_empty(s.root() / "data" / "tmp"));
  report::release_render_caches();
}

TEST(AppResults, HostileImportsAreRefusedAndLeaveNothing) {
  TestServer s;
  App& app = s.app();
  const auto vid = patient_and_visit(app);
  const std::string good = read_file(std::filesystem::path(INSOLE_SOURCE_DIR) / "data" / "walk_normal.h5");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"empty.asc", ""},
      {"garbage.asc", "\x01\x02\x03 not a pressure export \xff\xfe"},
      {"truncated.h5", good.substr(0, good.size() / 3)},
      {"corrupt.h5", [&] { std::string c = good; for (std::size_t i = 2048; i < c.size(); i += 97) c[i] = '\x5a'; return c; }()},
      {"../../escape.h5", good.substr(0, 100)},
  };
  for (const auto& [name, body] : bad) {
    auto r = app.handle(post("/api/visits/" + std::to_string(vid) + "/import?name=" + name, body));
    EXPECT_EQ(r.status, 400) << name << ": " << r.body;
    EXPECT_NE(json::parse(r.body)["error"].get<std::string>(), "") << name;
  }
  EXPECT_TRUE(app.store().trials(vid)->empty());
  EXPECT_TRUE(std::filesystem::is_empty(s.root() / "data" / "tmp"));
  EXPECT_FALSE(std::filesystem::exists(s.root() / "escape.h5"));
  // A good one after all of them still works.
  auto r = app.handle(post("/api/visits/" + std::to_string(vid) + "/import?name=walk.h5", good));
  EXPECT_EQ(r.status, 201) << r.body;
}

// Two imported trials of one patient, in two visits (barefoot, then shoe with orthosis); returns
// their ids and files.
struct TwoTrials {
  std::int64_t a = 0, b = 0;
  std::string file_a, file_b;
  std::int64_t visit_b = 0;
};
TwoTrials two_trials(TestServer& s) {
  App& app = s.app();
  TwoTrials out;
  const auto vid = patient_and_visit(app);  // its condition "barefoot" becomes the trial's
  const auto pid = app.store().visit(vid)->patient_id;
  auto v2 = app.handle(post("/api/patients/" + std::to_string(pid) + "/visits", R"({"date":"2026-12-19","condition":"after 2 weeks"})"));
  EXPECT_EQ(v2.status, 201) << v2.body;
  out.visit_b = json::parse(v2.body)["id"].get<std::int64_t>();
  const auto dir = std::filesystem::path(INSOLE_SOURCE_DIR) / "data";
  auto ia = app.handle(post("/api/visits/" + std::to_string(vid) + "/import?name=walk_normal.h5", read_file(dir / "walk_normal.h5")));
  auto ib = app.handle(post("/api/visits/" + std::to_string(out.visit_b) + "/import?name=walk_flat.h5&condition=shoe_orthosis",
                            read_file(dir / "walk_flat_pronated.h5")));
  EXPECT_EQ(ia.status, 201) << ia.body;
  EXPECT_EQ(ib.status, 201) << ib.body;
  out.a = json::parse(ia.body)["id"].get<std::int64_t>();
  out.b = json::parse(ib.body)["id"].get<std::int64_t>();
  out.file_a = json::parse(ia.body)["file"];
  out.file_b = json::parse(ib.body)["file"];
  return out;
}

TEST(AppCompare, JsonEqualsCliCompareAndFigureAndReportRender) {
  TestServer s;
  App& app = s.app();
  const auto t = two_trials(s);
  // The trial conditions: from the visit's text ("barefoot") and from the import's ?condition=.
  EXPECT_EQ(app.store().trial(t.a)->condition, "barefoot");
  EXPECT_EQ(app.store().trial(t.b)->condition, "shoe_orthosis");
  const std::string q = "?a=" + std::to_string(t.a) + "&b=" + std::to_string(t.b) + "&fitted=R-MET-PAD";
  auto res = app.handle(get("/api/compare" + q));
  ASSERT_EQ(res.status, 200) << res.body;
  const auto intake_file = s.root() / "intake.json";
  std::ofstream(intake_file) << R"({"patient_id":"P-0042","age_years":42,"body_mass_kg":80,"symptoms":{"low_back_pain":true}})";
  const std::string cli = run("cd '" + (s.root() / "data").string() + "' && '" INSOLE_CLI "' compare '" + t.file_a + "' '" +
                              t.file_b + "' --json --fitted R-MET-PAD --intake '" + intake_file.string() +
                              "' --condition-a barefoot --condition-b shoe_orthosis 2>/dev/null");
  ASSERT_FALSE(cli.empty());
  EXPECT_EQ(res.body, cli);  // the same document, byte for byte
  const json c = json::parse(res.body);
  EXPECT_EQ(c["a"], t.file_a);
  EXPECT_EQ(c["b"], t.file_b);
  ASSERT_FALSE(c["feet"].empty());
  // The trials' stated conditions are the comparison's, next to where the sensors were (a platform).
  for (const auto& f : c["feet"]) {
    EXPECT_EQ(f["a"]["condition"], "barefoot");
    EXPECT_EQ(f["b"]["condition"], "shoe_orthosis");
    EXPECT_EQ(f["b"]["surface"], "barefoot");
  }
  // The dome was stated as fitted: its target is judged (met or not met), with a reason and source.
  bool judged = false;
  for (const auto& f : c["feet"])
    for (const auto& v : f["targets"])
      if (v["id"] == "T-MET-PAD-FOREFOOT") {
        EXPECT_TRUE(v["status"] == "met" || v["status"] == "not_met") << v.dump();
        EXPECT_NE(v["reason"].get<std::string>(), "");
        EXPECT_EQ(v["sources"], json::array({"jfar2014_7_18"}));
        judged = true;
      }
  EXPECT_TRUE(judged);
  // Without the fitted dome the verdicts follow A's own prescription: a different document.
  auto plain = app.handle(get("/api/compare?a=" + std::to_string(t.a) + "&b=" + std::to_string(t.b)));
  ASSERT_EQ(plain.status, 200) << plain.body;
  const std::string cli_plain = run("cd '" + (s.root() / "data").string() + "' && '" INSOLE_CLI "' compare '" + t.file_a + "' '" +
                                    t.file_b + "' --json --intake '" + intake_file.string() +
                                    "' --condition-a barefoot --condition-b shoe_orthosis 2>/dev/null");
  EXPECT_EQ(plain.body, cli_plain);

  auto png = app.handle(get("/api/compare/diff.png" + q));
  ASSERT_EQ(png.status, 200) << png.body;
  EXPECT_EQ(png.content_type, "image/png");
  EXPECT_EQ(png.body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto html = app.handle(get("/api/compare/report.html" + q));
  ASSERT_EQ(html.status, 200) << html.body;
  EXPECT_NE(html.body.find("Comparison with an earlier recording"), std::string::npos);
  EXPECT_NE(html.body.find("T-MET-PAD-FOREFOOT"), std::string::npos);
  EXPECT_NE(html.body.find("P-0042"), std::string::npos);
  auto pdf = app.handle(get("/api/compare/report.pdf" + q));
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");
  bool attachment = false;
  for (const auto& [k, v] : pdf.headers)
    if (k == "Content-Disposition")
      attachment = v == "attachment; filename=\"compare-trial-" + std::to_string(t.a) + "-trial-" + std::to_string(t.b) + "-report.pdf\"";
  EXPECT_TRUE(attachment);
  EXPECT_TRUE(std::filesystem::is_empty(s.root() / "data" / "tmp"));

  // The condition of a trial can be set afterwards; a bad one is refused and changes nothing.
  EXPECT_EQ(app.handle(post("/api/trials/" + std::to_string(t.a), R"({"condition":"shoe"})")).status, 200);
  EXPECT_EQ(app.store().trial(t.a)->condition, "shoe");
  auto bad = app.handle(post("/api/trials/" + std::to_string(t.a), R"({"condition":"sandals"})"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(json::parse(bad.body)["error"].get<std::string>().find("condition"), std::string::npos);
  EXPECT_EQ(app.handle(post("/api/trials/" + std::to_string(t.a), R"({"condition":3})")).status, 400);
  EXPECT_EQ(app.handle(post("/api/trials/99999", R"({"condition":"shoe"})")).status, 404);
  EXPECT_EQ(app.store().trial(t.a)->condition, "shoe");
  // The comparison follows the edit (not the one computed before it).
  auto edited = app.handle(get("/api/compare" + q));
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(json::parse(edited.body)["feet"][0]["a"]["condition"], "shoe");
  auto listed = json::parse(app.handle(get("/api/patients/" + std::to_string(app.store().visit(t.visit_b)->patient_id))).body);
  EXPECT_EQ(listed["visits"][1]["trials"][0]["condition"], "shoe_orthosis");
  report::release_render_caches();
}

TEST(AppCompare, BadAndUnknownIdsAreRefusedClearly) {
  TestServer s;
  App& app = s.app();
  const auto t = two_trials(s);
  const std::string a = std::to_string(t.a), b = std::to_string(t.b);
  struct Case {
    std::string target;
    int status;
    std::string message;  // a part of the error message
  };
  const std::vector<Case> cases = {
      {"/api/compare", 400, "a: a trial id expected"},
      {"/api/compare?a=" + a, 400, "b: a trial id expected"},
      {"/api/compare?a=x&b=" + b, 400, "a: a trial id (digits) expected, not 'x'"},
      {"/api/compare?a=" + a + "&b=-1", 400, "b: a trial id (digits) expected"},
      {"/api/compare?a=" + a + "&b=1234567890123456789", 400, "b: a trial id"},
      {"/api/compare?a=" + a + "&b=%2e%2e%2fclinic.sqlite", 400, "b: a trial id"},
      {"/api/compare?a=" + a + "&b=999", 404, "trial 999 not found"},
      {"/api/compare/diff.png?a=999&b=" + b, 404, "trial 999 not found"},
      {"/api/compare?a=" + a + "&b=" + a, 400, "two different trials"},
      {"/api/compare?a=" + a + "&b=" + b + "&fitted=R-NOPE", 400, "fitted: unknown intervention id 'R-NOPE'"},
      {"/api/compare/report.docx?a=" + a + "&b=" + b, 404, "no such comparison resource"},
      {"/api/compare/..%2f..%2fclinic.sqlite?a=" + a + "&b=" + b, 400, ""},
  };
  for (const auto& c : cases) {
    auto r = app.handle(get(c.target));
    EXPECT_EQ(r.status, c.status) << c.target << ": " << r.body;
    const json j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << c.target << ": " << r.body;
    EXPECT_NE(j["error"].get<std::string>().find(c.message), std::string::npos) << c.target << ": " << r.body;
  }
  // Trials of two patients are never compared.
  auto p2 = app.handle(post("/api/patients", R"({"pseudonym":"P-0043"})"));
  const auto pid2 = json::parse(p2.body)["id"].get<std::int64_t>();
  auto v = app.handle(post("/api/patients/" + std::to_string(pid2) + "/visits", R"({"date":"2026-12-05"})"));
  const auto vid2 = json::parse(v.body)["id"].get<std::int64_t>();
  auto other = app.handle(post("/api/visits/" + std::to_string(vid2) + "/import?name=walk.h5",
                               read_file(std::filesystem::path(INSOLE_SOURCE_DIR) / "data" / "walk_cavus.h5")));
  ASSERT_EQ(other.status, 201) << other.body;
  EXPECT_EQ(app.store().trial(json::parse(other.body)["id"].get<std::int64_t>())->condition, "");
  auto r = app.handle(get("/api/compare?a=" + a + "&b=" + std::to_string(json::parse(other.body)["id"].get<std::int64_t>())));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find("different patients"), std::string::npos) << r.body;
  // An import with a bad condition is refused before anything is written.
  auto bad = app.handle(post("/api/visits/" + std::to_string(vid2) + "/import?name=walk.h5&condition=flipflops",
                             read_file(std::filesystem::path(INSOLE_SOURCE_DIR) / "data" / "walk_cavus.h5")));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(app.store().trials(vid2)->size(), 1u);
  // The targets with their sources, for the compare screen.
  auto targets = json::parse(app.handle(get("/api/targets")).body);
  ASSERT_EQ(targets["targets"].size(), 2u);
  EXPECT_EQ(targets["targets"][0]["id"], "T-MET-PAD-FOREFOOT");
  EXPECT_EQ(targets["targets"][0]["intervention"], "R-MET-PAD");
  EXPECT_EQ(targets["targets"][0]["element"], "Metatarsal dome");
  EXPECT_DOUBLE_EQ(targets["targets"][0]["max"].get<double>(), -17.0);
  EXPECT_EQ(targets["targets"][0]["sources"][0]["id"], "jfar2014_7_18");
  EXPECT_NE(targets["targets"][0]["sources"][0]["citation"].get<std::string>().find("J Foot Ankle Res"), std::string::npos);
  EXPECT_DOUBLE_EQ(targets["targets"][1]["max"].get<double>(), 200.0);
}

TEST(AppLive, MessageCarriesMapForceCopAndUnplugState) {
  capture::CaptureProgress p;
  capture::StreamProgress sp;
  sp.info.name = "mat";
  sp.info.side = Side::both;
  sp.info.layout = SensorLayout::grid(2, 2, 5.0, 5.0).value();
  // Load only in the lower-right sensel: the COP is that cell's centre (row 1.5, col 1.5).
  sp.latest_kpa = Eigen::VectorXf::Zero(4);
  sp.latest_kpa[3] = 200.0f;
  sp.total_force_n = 5.0;
  sp.frames = 12;
  sp.latest_received_unix_ms = 1764972000123.456;  // 2025-12-05T22:00:00.123456Z
  p.streams.push_back(sp);
  capture::SourceProgress src;
  src.uri = "serial:///dev/ttyACM0";
  src.state = capture::SourceState::reconnecting;
  src.last_error = "device unplugged";
  p.sources.push_back(src);
  const double before_ms = capture::unix_ms_now();
  const json m = live_message(p, true);
  const double after_ms = capture::unix_ms_now();
  EXPECT_EQ(m["type"], "frame");
  // The frame's arrival stamp passes through unchanged; the message is stamped when made.
  EXPECT_DOUBLE_EQ(m["streams"][0]["captured_unix_ms"].get<double>(), 1764972000123.456);
  EXPECT_GE(m["sent_unix_ms"].get<double>(), before_ms);
  EXPECT_LE(m["sent_unix_ms"].get<double>(), after_ms);
  EXPECT_EQ(m["streams"][0]["rows"], 2);
  EXPECT_EQ(m["streams"][0]["cols"], 2);
  EXPECT_EQ(m["streams"][0]["cells_kpa"][3], 200.0);
  EXPECT_DOUBLE_EQ(m["streams"][0]["cop"]["row"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(m["streams"][0]["cop"]["col"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(m["streams"][0]["total_force_n"].get<double>(), 5.0);
  EXPECT_EQ(m["sources"][0]["state"], "reconnecting");
  EXPECT_EQ(m["sources"][0]["last_error"], "device unplugged");
  EXPECT_EQ(m["sources"][0]["connected"], false);
  p.sources[0].state = capture::SourceState::streaming;
  EXPECT_EQ(live_message(p, true)["sources"][0]["connected"], true);
  p.sources[0].state = capture::SourceState::starting;  // no frame yet: not yet connected
  EXPECT_EQ(live_message(p, true)["sources"][0]["connected"], false);
  // Two equal loads at (0,0) and (1,1): the COP halfway, (1,1) in cell units.
  p.streams[0].latest_kpa << 100.0f, 0.0f, 0.0f, 100.0f;
  const json h = live_message(p, false);
  EXPECT_DOUBLE_EQ(h["streams"][0]["cop"]["row"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(h["streams"][0]["cop"]["col"].get<double>(), 1.0);
  p.streams[0].latest_kpa.setZero();
  EXPECT_TRUE(live_message(p, false)["streams"][0]["cop"].is_null());
  // What the values are: kPa from the device itself (no calibration), counts with no force, or
  // kPa through a calibration, which is named.
  EXPECT_EQ(m["streams"][0]["units"], "kPa");
  EXPECT_TRUE(m["streams"][0]["calibration"].is_null());
  p.streams[0].info.units = PressureUnits::counts;
  const json c = live_message(p, true);
  EXPECT_EQ(c["streams"][0]["units"], "counts");
  EXPECT_TRUE(c["streams"][0]["total_force_n"].is_null());
  Calibration cal;
  cal.device_serial = "SN-9";
  cal.method = "body_weight_standing";
  cal.date = "2026-12-05";
  cal.coefficients = {2.0};
  p.streams[0].info.units = PressureUnits::kpa;
  p.streams[0].info.calibration = cal;
  const json k = live_message(p, true);
  EXPECT_EQ(k["streams"][0]["units"], "kPa");
  EXPECT_EQ(k["streams"][0]["calibration"]["device_serial"], "SN-9");
  EXPECT_EQ(k["streams"][0]["calibration"]["date"], "2026-12-05");
  EXPECT_DOUBLE_EQ(k["streams"][0]["total_force_n"].get<double>(), 5.0);
}

TEST(AppLive, RecordedTrialIsIndexedAndAnalysable) {
  AppConfig config;
  // A short pass over a small mat: enough for footfalls, quick under ASan.
  const std::string uri = "sim://walk?layout=mat&rows=48&cols=240&pitch=10&rate=50&foot=normal&seed=1&duration=3";
  config.list_sources = [uri] { return std::vector<SourceChoice>{{uri, "simulator", "simulator", ""}}; };
  // Frames paced at their time stamps, as a device sends them: the live view samples the capture
  // 30 times a second, and unpaced frames could all pass between two samples on a fast machine,
  // leaving no loaded map to see (the test's verdict would depend on the machine's speed).
  config.open_source = [](const std::string& u) { return sim::make_source(u, steady_clock(), true); };
  TestServer s(config);
  App& app = s.app();
  std::mutex m;
  std::vector<json> messages;
  const int sub = app.live().subscribe([&](const std::string& msg) {
    std::lock_guard l(m);
    messages.push_back(json::parse(msg));
  });
  const auto vid = patient_and_visit(app);
  const double start_ms = capture::unix_ms_now();
  EXPECT_EQ(app.handle(post("/api/live/start", R"({"source":"file:///etc/passwd"})")).status, 400);
  // A condition that is none of the store's is refused before anything starts.
  auto bad = app.handle(post("/api/live/start", R"({"source":")" + uri + R"(","visit_id":)" + std::to_string(vid) +
                                                    R"(,"kind":"walk","condition":"stilts"})"));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_FALSE(app.live().running());
  // The trial's condition as given (the visit says "barefoot").
  auto st = app.handle(post("/api/live/start", R"({"source":")" + uri + R"(","visit_id":)" + std::to_string(vid) +
                                                   R"(,"kind":"walk","condition":"shoe"})"));
  ASSERT_EQ(st.status, 200) << st.body;
  // The simulated source ends after its 3 s of frames; stop() waits for the capture to finish.
  for (int i = 0; i < 600 && app.live().running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  app.live().stop();
  app.live().unsubscribe(sub);
  const double end_ms = capture::unix_ms_now();
  auto trials = app.store().trials(vid);
  ASSERT_TRUE(trials.ok());
  ASSERT_EQ(trials->size(), 1u);
  EXPECT_EQ(trials->at(0).kind, "walk");
  EXPECT_EQ(trials->at(0).source, uri);
  EXPECT_EQ(trials->at(0).condition, "shoe");
  {
    std::lock_guard l(m);
    ASSERT_GE(messages.size(), 2u);
    bool map_seen = false;
    for (const auto& msg : messages)
      if (msg["type"] == "frame" && !msg["streams"].empty() && msg["streams"][0]["rows"].get<int>() > 0) {
        if (msg["streams"][0]["total_force_n"].get<double>() > 0) map_seen = true;
        // Every shown frame is stamped with its arrival during this capture, before the message.
        const double captured = msg["streams"][0]["captured_unix_ms"].get<double>();
        EXPECT_GE(captured, start_ms);
        EXPECT_LE(captured, msg["sent_unix_ms"].get<double>());
        EXPECT_LE(msg["sent_unix_ms"].get<double>(), end_ms);
      }
    EXPECT_TRUE(map_seen) << "no live message carried a loaded pressure map";
    EXPECT_EQ(messages.back()["type"], "finished");
    EXPECT_TRUE(messages.back()["ok"].get<bool>());
  }
  auto res = app.handle(get("/api/trials/" + std::to_string(trials->at(0).id) + "/result"));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_FALSE(json::parse(res.body)["feet"].empty());
}

// `insole serve` beyond loopback without --token needs the clinic password, set from standard
// input with --set-password (twice, at least 10 characters); nothing listens until then.
TEST(ServeCli, PasswordRequiredOffLoopbackAndSetFromStdin) {
  const auto dir = std::filesystem::temp_directory_path() / ("insole_serve_pw_" + random_token(6));
  const std::string d = dir.string();
  const std::string cli = INSOLE_CLI;
  auto refused = run("'" + cli + "' serve --data '" + d + "' --bind 0.0.0.0 --port 0 2>&1; echo rc=$?");
  EXPECT_NE(refused.find("no clinic password is set"), std::string::npos) << refused;
  EXPECT_NE(refused.find("--set-password"), std::string::npos) << refused;
  EXPECT_NE(refused.find("rc=2"), std::string::npos) << refused;
  EXPECT_EQ(refused.find("open http"), std::string::npos) << refused;
  auto differ = run("printf 'abcdefghijk\\nabcdefghijX\\n' | '" + cli + "' serve --data '" + d + "' --set-password 2>&1; echo rc=$?");
  EXPECT_NE(differ.find("differ"), std::string::npos) << differ;
  EXPECT_NE(differ.find("rc=2"), std::string::npos) << differ;
  auto shorter = run("printf 'short\\nshort\\n' | '" + cli + "' serve --data '" + d + "' --set-password 2>&1; echo rc=$?");
  EXPECT_NE(shorter.find("at least 10"), std::string::npos) << shorter;
  EXPECT_NE(shorter.find("rc=2"), std::string::npos) << shorter;
  auto once = run("printf 'abcdefghijk\\n' | '" + cli + "' serve --data '" + d + "' --set-password 2>&1; echo rc=$?");
  EXPECT_NE(once.find("rc=2"), std::string::npos) << once;
  EXPECT_FALSE(std::filesystem::exists(password_file(dir)));
  auto ok = run("printf 'abcdefghijk\\nabcdefghijk\\n' | '" + cli + "' serve --data '" + d + "' --set-password 2>&1; echo rc=$?");
  EXPECT_NE(ok.find("rc=0"), std::string::npos) << ok;
  auto stored = load_password(dir);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_TRUE(stored->has_value());
  EXPECT_TRUE(verify_password(**stored, "abcdefghijk"));
  EXPECT_EQ(std::filesystem::status(password_file(dir)).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // A damaged password file stops the server with the file named.
  std::ofstream(password_file(dir), std::ios::trunc) << "pbkdf2-sha256$600000$abcd";
  auto damaged = run("'" + cli + "' serve --data '" + d + "' --bind 0.0.0.0 --port 0 2>&1; echo rc=$?");
  EXPECT_NE(damaged.find("clinic-password"), std::string::npos) << damaged;
  EXPECT_NE(damaged.find("rc=2"), std::string::npos) << damaged;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// `insole serve --calibrations DIR`: a folder that is not there stops the server with exit 2 and
// the reason; an existing one is where the calibration files are looked for (the default is
// DATA/calibrations, made at start).
TEST(ServeCli, CalibrationsFolderOption) {
  const auto dir = std::filesystem::temp_directory_path() / ("insole_serve_cal_" + random_token(6));
  std::filesystem::create_directories(dir / "cals");
  const std::string d = dir.string();
  const std::string cli = INSOLE_CLI;
  auto missing = run("'" + cli + "' serve --data '" + d + "/data' --calibrations '" + d + "/none' --port 0 2>&1; echo rc=$?");
  EXPECT_NE(missing.find("--calibrations " + d + "/none: not a folder"), std::string::npos) << missing;
  EXPECT_NE(missing.find("rc=2"), std::string::npos) << missing;
  EXPECT_EQ(missing.find("open http"), std::string::npos) << missing;
  // Served for a moment (timeout's SIGTERM stops it as Ctrl-C does).
  auto given = run("timeout 2 '" + cli + "' serve --data '" + d + "/data' --calibrations '" + d + "/cals' --port 0 2>&1");
  EXPECT_NE(given.find("calibration files in " + d + "/cals;"), std::string::npos) << given;
  EXPECT_FALSE(std::filesystem::exists(dir / "data" / "calibrations"));
  auto by_default = run("timeout 2 '" + cli + "' serve --data '" + d + "/data' --port 0 2>&1");
  EXPECT_NE(by_default.find("calibration files in " + d + "/data/calibrations;"), std::string::npos) << by_default;
  EXPECT_TRUE(std::filesystem::is_directory(dir / "data" / "calibrations"));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace insole::app
