// Calibration in the app's live capture: the calibration files offered (GET /api/calibrations),
// the one matching a source's serial number preselected (GET /api/sources), a capture started with
// one recorded in kPa with its counts kept (read back from the HDF5 file), one that does not fit
// the source refused before any file exists, names that spell paths refused, and the start
// behind the cross-site checks of every POST.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include "app_test_support.hpp"
#include "insole/calibration/calibration_file.hpp"
#include "insole/io/hdf5_recording.hpp"

namespace insole::app {
namespace {

using nlohmann::json;
using test::raw_request;
using test::TestServer;

constexpr const char* kCountsUri = "test://counts-mat";
constexpr const char* kKpaUri = "test://kpa-mat";
constexpr int kFrames = 40;

HttpRequest request(const std::string& method, const std::string& target, const std::string& body = "") {
  HttpRequest r;
  r.method = method;
  r.target = target;
  r.body = body;
  return r;
}

// A 2 x 3 mat of 5 mm sensels: frame k reads 10 + k + j counts on sensel j (or, for the kPa
// source, the same numbers as kPa).
Recording mat_recording(PressureUnits units) {
  Recording rec;
  Stream s;
  s.info.name = "mat";
  s.info.layout = SensorLayout::grid(2, 3, 5.0, 5.0).value();
  s.info.side = Side::both;
  s.info.sample_rate_hz = 100.0;
  s.info.device = "test mat";
  s.info.units = units;
  for (int k = 0; k < kFrames; ++k) {
    Eigen::VectorXf f(6);
    for (int j = 0; j < 6; ++j) f[j] = float(10 + k + j);
    s.append(0.01 * k, f);
  }
  rec.streams.push_back(std::move(s));
  return rec;
}

// A linear calibration with a zero offset: p = 2.5 (x - z_j) kPa, z = 0, 1, 2, 3, 4, 5 counts.
Calibration linear(const std::string& serial, const std::string& date, Eigen::Index sensels = 6) {
  Calibration c;
  c.device_serial = serial;
  c.method = "body_weight_standing";
  c.date = date;
  c.source = "stand.h5, standing trial, body mass 72.5 kg";
  c.coefficients = {2.5};
  c.residuals_kpa = {3.0, -4.0};
  c.body_mass_kg = 72.5;
  c.zero_counts = Eigen::VectorXd::LinSpaced(sensels, 0.0, double(sensels - 1));
  return c;
}

struct Fixture {
  Fixture() : server(config()) {
    cal_dir = server.root() / "data" / "calibrations";
    EXPECT_TRUE(std::filesystem::is_directory(cal_dir)) << "the default calibrations folder is made at start";
    EXPECT_TRUE(calibration::write_file(linear("MAT-7", "2026-12-05"), cal_dir / "MAT-7.json"));
    EXPECT_TRUE(calibration::write_file(linear("MAT-7", "2025-01-10"), cal_dir / "MAT-7-2025.json"));
    EXPECT_TRUE(calibration::write_file(linear("OTHER-3", "2026-12-01", 10), cal_dir / "OTHER-3.json"));
    Calibration left = linear("LEFT-1", "2026-12-02");
    left.stream = "left";
    EXPECT_TRUE(calibration::write_file(left, cal_dir / "LEFT-1.json"));
    std::ofstream(cal_dir / "broken.json") << R"({"format":"insole-calibration","format_version":1,"device_serial":"B","method":"manual",
      "model":"linear","coefficients":[-1]})";
    std::ofstream(cal_dir / "notes.txt") << "not a calibration";
    std::filesystem::create_directories(cal_dir / "folder.json");
    // A valid calibration outside the folder, and a link to it inside: neither may be reached.
    EXPECT_TRUE(calibration::write_file(linear("MAT-7", "2027-01-01"), server.root() / "data" / "outside.json"));
    std::filesystem::create_symlink(server.root() / "data" / "outside.json", cal_dir / "link.json");
    auto p = app().handle(request("POST", "/api/patients", R"({"pseudonym":"P-CAL","body_mass_kg":72.5})"));
    EXPECT_EQ(p.status, 201) << p.body;
    auto v = app().handle(request("POST", "/api/patients/" + std::to_string(json::parse(p.body)["id"].get<int>()) + "/visits",
                                  R"({"date":"2026-12-07","condition":"barefoot"})"));
    EXPECT_EQ(v.status, 201) << v.body;
    visit = json::parse(v.body)["id"].get<std::int64_t>();
  }
  static AppConfig config() {
    AppConfig c;
    c.list_sources = [] {
      return std::vector<SourceChoice>{{kCountsUri, "counts mat", "emulator", "MAT-7"}, {kKpaUri, "kPa mat", "emulator", ""}};
    };
    c.open_source = [](const std::string& uri) -> Result<std::unique_ptr<FrameSource>> {
      if (uri != kCountsUri && uri != kKpaUri) return Error{Errc::not_found, uri};
      return std::unique_ptr<FrameSource>(std::make_unique<RecordingSource>(
          mat_recording(uri == kCountsUri ? PressureUnits::counts : PressureUnits::kpa), uri));
    };
    return c;
  }
  App& app() { return server.app(); }
  HttpResponse start(const std::string& source, const json& calibration, bool trial = true) {
    json body = {{"source", source}, {"calibration", calibration}};
    if (trial) {
      body["visit_id"] = visit;
      body["kind"] = "stand";
    }
    return app().handle(request("POST", "/api/live/start", body.dump()));
  }
  void wait_finished() {
    for (int i = 0; i < 600 && app().live().running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    app().live().stop();
  }
  std::size_t recordings_on_disk() const {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(server.root() / "data" / "recordings", ec))
      n += e.path().extension() == ".h5";
    return n;
  }
  TestServer server;
  std::filesystem::path cal_dir;
  std::int64_t visit = 0;
};

TEST(AppCalibration, ListsTheFilesOfTheFolderOnly) {
  Fixture f;
  auto r = f.app().handle(request("GET", "/api/calibrations"));
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["directory"], f.cal_dir.string());
  std::vector<std::string> names;
  for (const auto& c : j["calibrations"]) names.push_back(c["name"]);
  // Not the text file, the folder named .json, or the link that leads out of the folder.
  EXPECT_EQ(names, (std::vector<std::string>{"LEFT-1.json", "MAT-7-2025.json", "MAT-7.json", "OTHER-3.json", "broken.json"}));
  const json& mat = j["calibrations"][2];
  EXPECT_EQ(mat["usable"], true);
  EXPECT_EQ(mat["device_serial"], "MAT-7");
  EXPECT_EQ(mat["stream"], "");
  EXPECT_EQ(mat["method"], "body_weight_standing");
  EXPECT_EQ(mat["date"], "2026-12-05");
  EXPECT_EQ(mat["model"], "linear");
  EXPECT_EQ(mat["coefficients"], json::array({2.5}));
  EXPECT_EQ(mat["sensels"], 6);
  EXPECT_DOUBLE_EQ(mat["body_mass_kg"].get<double>(), 72.5);
  // Residuals 3 and -4 kPa: RMS sqrt((9 + 16) / 2) = 3.5355, largest 4.
  EXPECT_EQ(mat["residuals"]["count"], 2);
  EXPECT_NEAR(mat["residuals"]["rms_kpa"].get<double>(), 3.5355339, 1e-6);
  EXPECT_DOUBLE_EQ(mat["residuals"]["max_abs_kpa"].get<double>(), 4.0);
  EXPECT_EQ(j["calibrations"][0]["stream"], "left");
  const json& broken = j["calibrations"][4];
  EXPECT_EQ(broken["usable"], false);
  EXPECT_FALSE(broken.contains("device_serial"));
  EXPECT_NE(broken["error"].get<std::string>().find("coefficients"), std::string::npos) << broken;
  EXPECT_NE(broken["error"].get<std::string>().find("broken.json"), std::string::npos) << broken;
  EXPECT_EQ(j["truncated"], false);

  // The source whose serial number has calibrations gets the latest one; the other none.
  auto s = f.app().handle(request("GET", "/api/sources"));
  ASSERT_EQ(s.status, 200) << s.body;
  const json sources = json::parse(s.body);
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0]["serial"], "MAT-7");
  EXPECT_EQ(sources[0]["calibration"], "MAT-7.json");
  EXPECT_TRUE(sources[1]["serial"].is_null());
  EXPECT_TRUE(sources[1]["calibration"].is_null());
  // A folder that went away lists nothing.
  std::filesystem::remove_all(f.cal_dir);
  EXPECT_TRUE(json::parse(f.app().handle(request("GET", "/api/calibrations")).body)["calibrations"].empty());
}

// Files are parsed again only when they change (calibrations.cpp keeps what it read by path,
// modification time and size): a broken file mended on disk is listed as usable at once.
TEST(AppCalibration, AFileChangedOnDiskIsReadAgain) {
  Fixture f;
  auto usable = [&](const std::string& name) {
    const json listing = json::parse(f.app().handle(request("GET", "/api/calibrations")).body);
    for (const auto& c : listing["calibrations"])
      if (c["name"] == name) return c["usable"].get<bool>();
    ADD_FAILURE() << name << " not listed";
    return false;
  };
  EXPECT_FALSE(usable("broken.json"));
  EXPECT_FALSE(usable("broken.json"));  // the second listing, from what was read
  std::filesystem::copy_file(f.cal_dir / "MAT-7.json", f.cal_dir / "broken.json",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::last_write_time(f.cal_dir / "broken.json",
                                   std::filesystem::last_write_time(f.cal_dir / "broken.json") + std::chrono::seconds(2));
  EXPECT_TRUE(usable("broken.json"));
  auto cal = load_listed_calibration(f.cal_dir, "broken.json");
  ASSERT_TRUE(cal) << cal.error().message;
  EXPECT_EQ(cal->device_serial, "MAT-7");
}

// A folder of more files than the listing holds: the first kMaxCalibrationFiles by name are
// listed (the fixture's four upper-case names, then ZZ-100000 .. ZZ-100495; "broken.json" sorts
// after them) and the response says that some were left out.
TEST(AppCalibration, AFolderOfTooManyFilesSaysSo) {
  Fixture f;
  for (std::size_t i = 0; i < kMaxCalibrationFiles; ++i) {
    std::ofstream(f.cal_dir / ("ZZ-" + std::to_string(100000 + i) + ".json")) << "{}";
  }
  auto r = f.app().handle(request("GET", "/api/calibrations"));
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["truncated"], true);
  ASSERT_EQ(j["calibrations"].size(), kMaxCalibrationFiles);
  EXPECT_EQ(j["calibrations"][0]["name"], "LEFT-1.json");
  EXPECT_EQ(j["calibrations"][kMaxCalibrationFiles - 1]["name"], "ZZ-" + std::to_string(100000 + kMaxCalibrationFiles - 5) + ".json");
  // The device's own file is still found and opened by its listed name.
  EXPECT_TRUE(load_listed_calibration(f.cal_dir, "MAT-7.json"));
  EXPECT_FALSE(load_listed_calibration(f.cal_dir, "ZZ-" + std::to_string(100000 + kMaxCalibrationFiles - 1) + ".json"));
}

TEST(AppCalibration, FileNamesThatCanBeListed) {
  EXPECT_TRUE(is_calibration_file_name("SN1234.json"));
  EXPECT_TRUE(is_calibration_file_name("FSCAN-116-1974-1.json"));
  EXPECT_TRUE(is_calibration_file_name(".._.._etc_passwd.json"));  // what file_for_serial makes of "../../etc/passwd"
  for (const char* bad : {"", ".json", "SN1", "SN1.json.bak", "../SN1.json", "/tmp/SN1.json", "a/b.json", "%2e%2e%2fSN1.json",
                          "SN 1.json", "SN1.json\n", "..\\SN1.json"})
    EXPECT_FALSE(is_calibration_file_name(bad)) << bad;
}

// Started with the device's calibration, the trial is recorded in kPa: read back from the file,
// every frame is 2.5 (x - z) kPa and the counts are kept as they came; the live view says kPa.
TEST(AppCalibration, ACalibratedTrialIsRecordedInKpaWithItsCounts) {
  Fixture f;
  std::mutex m;
  std::vector<json> messages;
  const int sub = f.app().live().subscribe([&](const std::string& msg) {
    std::lock_guard l(m);
    messages.push_back(json::parse(msg));
  });
  auto st = f.start(kCountsUri, "MAT-7.json");
  ASSERT_EQ(st.status, 200) << st.body;
  f.wait_finished();
  f.app().live().unsubscribe(sub);
  auto trials = f.app().store().trials(f.visit);
  ASSERT_TRUE(trials.ok());
  ASSERT_EQ(trials->size(), 1u);
  auto rec = io::read_recording(f.server.root() / "data" / trials->at(0).file);
  ASSERT_TRUE(rec) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 1u);
  const Stream& s = rec->streams[0];
  EXPECT_EQ(s.info.units, PressureUnits::kpa);
  ASSERT_TRUE(s.info.calibration);
  EXPECT_EQ(s.info.calibration->device_serial, "MAT-7");
  EXPECT_EQ(s.info.calibration->date, "2026-12-05");
  EXPECT_EQ(s.info.calibration->coefficients, std::vector<double>{2.5});
  ASSERT_EQ(s.frame_count(), kFrames);
  ASSERT_EQ(s.raw_counts.rows(), kFrames);
  ASSERT_EQ(s.raw_counts.cols(), 6);
  for (int k = 0; k < kFrames; ++k)
    for (int j = 0; j < 6; ++j) {
      // Counts x = 10 + k + j, zero z = j: p = 2.5 (10 + k) kPa on every sensel.
      ASSERT_EQ(s.raw_counts(k, j), float(10 + k + j)) << k << "," << j;
      ASSERT_FLOAT_EQ(s.pressure_kpa(k, j), float(2.5 * (10 + k))) << k << "," << j;
    }
  EXPECT_EQ(rec->meta.subject, "P-CAL");
  std::lock_guard l(m);
  bool frame_seen = false;
  for (const auto& msg : messages)
    if (msg["type"] == "frame" && !msg["streams"].empty() && msg["streams"][0]["rows"].get<int>() > 0) {
      frame_seen = true;
      const json& ms = msg["streams"][0];
      EXPECT_EQ(ms["units"], "kPa");
      EXPECT_EQ(ms["calibration"]["device_serial"], "MAT-7");
      EXPECT_TRUE(ms["total_force_n"].is_number());
      // Every pooled cell is one sensel here: 2.5 (10 + k) kPa for some frame k.
      const double v = ms["cells_kpa"][0].get<double>();
      EXPECT_GE(v, 25.0);
      EXPECT_LE(v, 2.5 * (10 + kFrames - 1));
    }
  EXPECT_TRUE(frame_seen);
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.back()["type"], "finished");
  EXPECT_TRUE(messages.back()["ok"].get<bool>()) << messages.back();
}

// Without a calibration the same device is recorded in counts, and the live view says so.
TEST(AppCalibration, WithoutOneTheTrialStaysInCounts) {
  Fixture f;
  std::mutex m;
  std::vector<json> messages;
  const int sub = f.app().live().subscribe([&](const std::string& msg) {
    std::lock_guard l(m);
    messages.push_back(json::parse(msg));
  });
  auto st = f.start(kCountsUri, nullptr);
  ASSERT_EQ(st.status, 200) << st.body;
  f.wait_finished();
  f.app().live().unsubscribe(sub);
  auto trials = f.app().store().trials(f.visit);
  ASSERT_TRUE(trials.ok());
  ASSERT_EQ(trials->size(), 1u);
  auto rec = io::read_recording(f.server.root() / "data" / trials->at(0).file);
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(rec->streams[0].info.units, PressureUnits::counts);
  EXPECT_FALSE(rec->streams[0].info.calibration);
  EXPECT_EQ(rec->streams[0].raw_counts.size(), 0);
  EXPECT_EQ(rec->streams[0].pressure_kpa(3, 2), 15.0f);
  std::lock_guard l(m);
  bool frame_seen = false;
  for (const auto& msg : messages)
    if (msg["type"] == "frame" && !msg["streams"].empty() && msg["streams"][0]["rows"].get<int>() > 0) {
      frame_seen = true;
      EXPECT_EQ(msg["streams"][0]["units"], "counts");
      EXPECT_TRUE(msg["streams"][0]["calibration"].is_null());
      EXPECT_TRUE(msg["streams"][0]["total_force_n"].is_null());
    }
  EXPECT_TRUE(frame_seen);
  // "" is the same choice as null.
  EXPECT_EQ(f.start(kCountsUri, "", false).status, 200);
  f.wait_finished();
}

// A calibration that does not fit the source is refused with the reason, and nothing starts: no
// recording file, no trial, no capture running.
TEST(AppCalibration, OneThatDoesNotFitIsRefusedAndNoFileIsMade) {
  Fixture f;
  struct Case {
    const char* source;
    const char* name;
    const char* reason;
  };
  for (const Case& c : {Case{kCountsUri, "OTHER-3.json", "zero_counts"},
                        Case{kCountsUri, "LEFT-1.json", "for stream 'left', which this capture does not have"},
                        Case{kKpaUri, "MAT-7.json", "has 0 uncalibrated streams in counts (mat (kPa))"},
                        Case{kCountsUri, "broken.json", "coefficients"}}) {
    for (bool trial : {true, false}) {
      auto r = f.start(c.source, c.name, trial);
      EXPECT_EQ(r.status, 400) << c.name << ": " << r.body;
      const std::string error = json::parse(r.body)["error"];
      EXPECT_NE(error.find(c.reason), std::string::npos) << error;
      EXPECT_NE(error.find(std::string(c.name) == "broken.json" ? "broken.json" : "does not fit this source"), std::string::npos) << error;
      EXPECT_FALSE(f.app().live().running());
    }
  }
  EXPECT_EQ(f.recordings_on_disk(), 0u);
  EXPECT_TRUE(f.app().store().trials(f.visit)->empty());
  std::error_code ec;
  std::size_t scratch = 0;
  for (const auto& e : std::filesystem::directory_iterator(f.server.root() / "data" / "tmp", ec)) scratch += e.path().extension() == ".h5";
  EXPECT_EQ(scratch, 0u) << "a refused preview left a scratch file";
}

// Only a name from the listing is ever opened: paths, encoded paths and the link out are refused,
// although the file they lead to exists and is a valid calibration of this very device.
TEST(AppCalibration, NamesThatSpellPathsAreRefused) {
  Fixture f;
  const std::string outside = (f.server.root() / "data" / "outside.json").string();
  for (const std::string& name : {std::string("../outside.json"), outside, std::string("%2e%2e%2foutside.json"),
                                  std::string("..%2Foutside.json"), std::string("calibrations/../outside.json"),
                                  std::string("./MAT-7.json"), std::string("link.json"), std::string("folder.json"),
                                  std::string("notes.txt"), std::string("MAT-7.json/"), std::string("MAT-7"),
                                  std::string("MAT-7.json") + '\0', std::string(".")}) {
    auto r = f.start(kCountsUri, name);
    EXPECT_EQ(r.status, 400) << name << ": " << r.body;
    EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find("no calibration file of that name"), std::string::npos) << r.body;
    EXPECT_FALSE(f.app().live().running()) << name;
  }
  for (const json& wrong : {json(42), json::array({"MAT-7.json"}), json::object({{"name", "MAT-7.json"}})}) {
    auto r = f.start(kCountsUri, wrong);
    EXPECT_EQ(r.status, 400) << wrong << ": " << r.body;
  }
  EXPECT_EQ(f.recordings_on_disk(), 0u);
  EXPECT_TRUE(f.app().store().trials(f.visit)->empty());
  // The listing itself has no path: /api/calibrations/... is no resource, and traversal in the
  // URL is refused before any route.
  EXPECT_EQ(f.server.get("/api/calibrations/MAT-7.json").status, 404);
  EXPECT_EQ(f.server.get("/api/calibrations/%2e%2e/outside.json").status, 400);
  EXPECT_EQ(f.server.get("/api/calibrations/../outside.json").status, 400);
}

// The start with a calibration is a state change like any other: cross-site, without the CSRF
// token or from another origin it is refused and nothing is recorded.
TEST(AppCalibration, StartIsRefusedCrossSite) {
  Fixture f;
  const std::string body = json{{"source", kCountsUri}, {"visit_id", f.visit}, {"kind", "stand"}, {"calibration", "MAT-7.json"}}.dump();
  const std::string head = "POST /api/live/start HTTP/1.1\r\nHost: " + f.server.host() + "\r\nContent-Type: application/json\r\n";
  const std::string tail = "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  EXPECT_EQ(raw_request(f.server.port(), head + "Origin: http://evil.example\r\nX-CSRF-Token: test-csrf-token\r\n" + tail).status, 403);
  EXPECT_EQ(raw_request(f.server.port(), head + "Sec-Fetch-Site: cross-site\r\nX-CSRF-Token: test-csrf-token\r\n" + tail).status, 403);
  EXPECT_EQ(raw_request(f.server.port(), head + "Origin: http://" + f.server.host() + "\r\n" + tail).status, 403);
  EXPECT_EQ(raw_request(f.server.port(), head + "X-CSRF-Token: wrong\r\n" + tail).status, 403);
  EXPECT_FALSE(f.app().live().running());
  EXPECT_EQ(f.recordings_on_disk(), 0u);
  // The listing is read with GET, and from this server's own Host only (DNS rebinding).
  EXPECT_EQ(raw_request(f.server.port(), "GET /api/calibrations HTTP/1.1\r\nHost: attacker.example:80\r\nConnection: close\r\n\r\n").status, 403);
  EXPECT_EQ(f.server.get("/api/calibrations").status, 200);
  // The same request from the app's own page is accepted and records.
  auto ok = f.server.post("/api/live/start", body);
  EXPECT_EQ(ok.status, 200) << ok.body;
  f.wait_finished();
  EXPECT_EQ(f.recordings_on_disk(), 1u);
}

}  // namespace
}  // namespace insole::app
