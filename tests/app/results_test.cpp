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
}

TEST(AppLive, RecordedTrialIsIndexedAndAnalysable) {
  AppConfig config;
  // A short pass over a small mat: enough for footfalls, quick under ASan.
  const std::string uri = "sim://walk?layout=mat&rows=48&cols=240&pitch=10&rate=50&foot=normal&seed=1&duration=3";
  config.list_sources = [uri] { return std::vector<SourceChoice>{{uri, "simulator", "simulator"}}; };
  // Frames as fast as the simulator makes them (not paced): the test does not wait for 3 s.
  config.open_source = [](const std::string& u) { return sim::make_source(u, steady_clock(), false); };
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
  auto st = app.handle(post("/api/live/start", R"({"source":")" + uri + R"(","visit_id":)" + std::to_string(vid) + R"(,"kind":"walk"})"));
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

}  // namespace
}  // namespace insole::app
