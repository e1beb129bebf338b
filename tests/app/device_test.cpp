// The app's live capture from a demo device: a built-in device emulator on a pseudo-terminal,
// captured through the real driver path (Asio SerialSource, the protocol's handshake and decoder,
// capture::run_capture, HDF5) by the app's live module. Unplugging the device shows as
// "connected": false in the live messages, and when it comes back the capture resumes into the
// same trial: the file holds every frame the device sent, with the gap marked.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <sstream>
#include <thread>

#include "app_test_support.hpp"
#include "insole/drivers/transport/demo_devices.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "insole/sim/simulator.hpp"

namespace insole::app {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

HttpRequest request(const std::string& method, const std::string& target, const std::string& body = "") {
  HttpRequest r;
  r.method = method;
  r.target = target;
  r.body = body;
  return r;
}

// The simulator walking over a mat of the protocol's grid at the device's rate (what
// `insole serve` feeds its emulators through cli emulator_frames), not paced: the emulator paces.
Result<std::unique_ptr<FrameSource>> frames_for(const drivers::ProtocolInfo& p) {
  const auto& layout = p.streams.at(0).layout;
  std::ostringstream q;
  q << "walk?layout=mat&rows=" << layout.rows() << "&cols=" << layout.cols() << "&pitch=" << layout.row_pitch_mm()
    << "&rate=" << p.frame_rate_hz << "&duration=3600&seed=4";
  return sim::make_source(q.str(), steady_clock(), false);
}

// Live messages as a browser receives them, with waiting for one that satisfies a condition.
struct Watcher {
  explicit Watcher(LiveCapture& live) : live_(live) {
    id_ = live.subscribe([this](const std::string& m) {
      std::lock_guard l(mutex);
      messages.push_back(json::parse(m));
    });
  }
  ~Watcher() { live_.unsubscribe(id_); }
  // The first message from index `from` on for which `pred` holds; null after 30 s.
  json wait(const std::function<bool(const json&)>& pred, std::size_t* from = nullptr) {
    std::size_t start = from ? *from : 0;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard l(mutex);
        for (std::size_t i = start; i < messages.size(); ++i)
          if (pred(messages[i])) {
            if (from) *from = i + 1;
            return messages[i];
          }
        start = messages.size();
      }
      std::this_thread::sleep_for(10ms);
    }
    return nullptr;
  }
  std::mutex mutex;
  std::vector<json> messages;

 private:
  LiveCapture& live_;
  int id_ = 0;
};

bool is_frame(const json& m) { return m["type"] == "frame" && !m["sources"].empty() && !m["streams"].empty(); }
std::uint64_t frames_of(const json& m) { return m["streams"][0]["frames"].get<std::uint64_t>(); }

TEST(AppDevice, EmulatorSourceRecordsThroughTheDriverAndResumesAfterUnplug) {
  auto demo = drivers::DemoDevices::create({"m1616"}, frames_for, steady_clock());
  ASSERT_TRUE(demo.ok()) << demo.error().message;
  drivers::DemoDevices& devices = **demo;
  AppConfig config;
  config.list_sources = [&devices] {
    std::vector<SourceChoice> out;
    for (const auto& d : devices.choices()) out.push_back({d.uri, d.label, "emulator", ""});
    return out;
  };
  config.open_source = [&devices](const std::string& uri) { return devices.open(uri); };
  test::TestServer s(config);
  App& app = s.app();

  // Offered as a source with its protocol, over HTTP as the page asks.
  auto sources = json::parse(s.get("/api/sources").body);
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0]["uri"], "demo://m1616");
  EXPECT_EQ(sources[0]["kind"], "emulator");
  EXPECT_EQ(sources[0]["label"], "Demo device m1616: AliExpress M1616 16x16 mat (emulator)");

  auto pid = json::parse(app.handle(request("POST", "/api/patients", R"({"pseudonym":"P-dev"})")).body)["id"].get<std::int64_t>();
  auto vid = json::parse(app.handle(request("POST", "/api/patients/" + std::to_string(pid) + "/visits",
                                            R"({"date":"2026-12-06","condition":"barefoot"})")).body)["id"].get<std::int64_t>();
  Watcher w(app.live());
  auto st = s.post("/api/live/start", R"({"source":"demo://m1616","kind":"stand","visit_id":)" + std::to_string(vid) + "}");
  ASSERT_EQ(st.status, 200) << st.body;

  // Frames arrive from the device: 16 x 16 cells, connected.
  std::size_t cursor = 0;
  json m = w.wait([](const json& x) { return is_frame(x) && x["sources"][0]["connected"] == true && frames_of(x) >= 40; }, &cursor);
  ASSERT_FALSE(m.is_null()) << "no frames from the emulator";
  EXPECT_EQ(m["streams"][0]["rows"], 16);
  EXPECT_EQ(m["streams"][0]["cols"], 16);
  EXPECT_EQ(m["sources"][0]["state"], "streaming");
  EXPECT_TRUE(m["recording"].get<bool>());

  // Unplugged: the live state says so; the frames already recorded stay counted.
  ASSERT_TRUE(devices.unplug("m1616"));
  const std::uint64_t before = devices.frames_sent("m1616");  // the device sends nothing more now
  EXPECT_GE(before, frames_of(m));
  json gone = w.wait([](const json& x) { return is_frame(x) && x["sources"][0]["connected"] == false; }, &cursor);
  ASSERT_FALSE(gone.is_null()) << "the live messages never said the device was disconnected";
  EXPECT_EQ(gone["sources"][0]["state"], "reconnecting");
  EXPECT_EQ(gone["sources"][0]["gaps"], 1);
  // Everything the device sent before it went away is recorded (the writer may lag a moment).
  cursor -= 1;  // from the message that said disconnected on
  json kept = w.wait([before](const json& x) { return is_frame(x) && x["sources"][0]["connected"] == false && frames_of(x) == before; },
                     &cursor);
  ASSERT_FALSE(kept.is_null()) << "frames sent before the unplug were not all recorded";
  EXPECT_TRUE(app.live().running());

  // Back: frames flow again into the same capture.
  ASSERT_TRUE(devices.replug("m1616"));
  json back = w.wait([before](const json& x) { return is_frame(x) && x["sources"][0]["connected"] == true && frames_of(x) >= before + 40; },
                     &cursor);
  ASSERT_FALSE(back.is_null()) << "capture did not resume after the device came back";
  EXPECT_EQ(back["sources"][0]["gaps"], 1);

  // Unplug once more so every frame sent has been read, then stop: the trial is indexed.
  ASSERT_TRUE(devices.unplug("m1616"));
  ASSERT_FALSE(w.wait([](const json& x) { return is_frame(x) && x["sources"][0]["gaps"] == 2; }, &cursor).is_null());
  const std::uint64_t sent = devices.frames_sent("m1616");
  auto stopped = s.post("/api/live/stop", "");
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  json fin = w.wait([](const json& x) { return x["type"] == "finished"; });
  ASSERT_FALSE(fin.is_null());
  EXPECT_TRUE(fin["ok"].get<bool>()) << fin.dump();
  EXPECT_EQ(fin["frames"].get<std::uint64_t>(), sent);

  auto trials = app.store().trials(vid);
  ASSERT_TRUE(trials.ok());
  ASSERT_EQ(trials->size(), 1u);
  EXPECT_EQ(trials->at(0).source, "demo://m1616");
  EXPECT_EQ(trials->at(0).kind, "stand");
  auto rec = io::read_recording(s.root() / "data" / trials->at(0).file);
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 1u);
  EXPECT_EQ(rec->streams[0].info.layout.sensor_count(), 256);
  // One file, every frame the device sent: those before the unplug and those after it.
  EXPECT_EQ(static_cast<std::uint64_t>(rec->streams[0].time_s.size()), sent);
  EXPECT_GE(sent, frames_of(back));  // at least what the page saw after the device came back
  std::vector<std::string> kinds;
  for (const auto& e : rec->events) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"gap_start", "gap_end", "gap_start"}));
  // Time runs on across the gap.
  for (Eigen::Index i = 1; i < static_cast<Eigen::Index>(rec->streams[0].time_s.size()); ++i)
    ASSERT_GT(rec->streams[0].time_s[i], rec->streams[0].time_s[i - 1]) << i;
  EXPECT_EQ(rec->meta.subject, "P-dev");
}

TEST(AppDevice, UnknownOrUnpluggedDemoDevices) {
  auto demo = drivers::DemoDevices::create({"m1616"}, frames_for, steady_clock());
  ASSERT_TRUE(demo.ok());
  EXPECT_FALSE(drivers::DemoDevices::create({"no_such_device"}, frames_for, steady_clock()).ok());
  EXPECT_FALSE((*demo)->open("demo://sensel_morph").ok());  // not offered
  EXPECT_FALSE((*demo)->open("serial:///dev/ttyS0").ok());
  EXPECT_FALSE((*demo)->unplug("m1616").ok());  // not running yet
  EXPECT_EQ((*demo)->frames_sent("m1616"), 0u);
}

}  // namespace
}  // namespace insole::app
