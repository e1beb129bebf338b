// `insole serve [--data DIR] [--port N] [--bind ADDR] [--token T] [--calibrations DIR] [--set-password]`:
// the clinic app (docs/app.md).
// Wiring only: the server, store and pages live in app/; the sources the app may offer come from
// the drivers' port list and the simulator, opened through the same URIs as `insole capture`.
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <iostream>
#include <thread>

#include <termios.h>
#include <unistd.h>

#include "commands.hpp"
#include "insole/app/app.hpp"
#include "insole/app/password.hpp"
#include "insole/app/server.hpp"
#include "insole/capture/capture.hpp"
#include "insole/drivers/protocol/decoder.hpp"
#include "insole/drivers/transport/demo_devices.hpp"
#include "insole/drivers/transport/discovery.hpp"
#include "source_uri.hpp"

namespace insole::cli {

namespace {

std::atomic<int> g_demo_plug{0};  // set by SIGUSR1 (unplug the demo devices) / SIGUSR2 (plug them back)
extern "C" void on_demo_signal(int sig) { g_demo_plug.store(sig == SIGUSR1 ? 1 : 2); }

// Sources the app offers: each detected serial port with each protocol its USB identity matches
// (or every protocol when the identity is unknown), then the simulator for demonstrations, at its
// own rates (walking 50 Hz, standing 20 Hz) or at `sim_rate_hz` when that is set (> 0), then the
// demo devices (each built-in device emulator on a pseudo-terminal, captured like a real device).
std::vector<app::SourceChoice> list_sources(unsigned sim_rate_hz, const drivers::DemoDevices* demo) {
  std::vector<app::SourceChoice> out;
  for (const auto& port : drivers::list_serial_ports()) {
    std::vector<std::string> protos = port.protocols;
    if (protos.empty())
      for (const auto& p : drivers::protocols()) protos.push_back(p.name);
    for (const auto& proto : protos)
      out.push_back({"serial://" + port.stable_path() + "?protocol=" + proto + "&reconnect=1",
                     port.stable_path() + " (" + proto + (port.product.empty() ? "" : ", " + port.product) +
                         (port.serial.empty() ? "" : ", serial number " + port.serial) + ")",
                     "serial", port.serial});
  }
  // The walkway of the project's sample recordings (data/README.md): 96 x 480 sensels at 5.08 mm, 50 Hz.
  const std::string walk_rate = std::to_string(sim_rate_hz > 0 ? sim_rate_hz : 50);
  const std::string stand_rate = std::to_string(sim_rate_hz > 0 ? sim_rate_hz : 20);
  const std::string at = sim_rate_hz > 0 ? ", " + walk_rate + " Hz" : "";
  const std::string mat = "layout=mat&rows=96&cols=480&pitch=5.08&rate=" + walk_rate + "&typical_noise=1";
  out.push_back({"sim://walk?" + mat + "&foot=normal&seed=1&duration=120", "Simulator: walking on a mat (normal foot" + at + ")", "simulator", ""});
  out.push_back({"sim://walk?" + mat + "&foot=flat&pronation=0.8&seed=2&duration=120",
                 "Simulator: walking on a mat (flat, pronating foot" + at + ")", "simulator", ""});
  out.push_back({"sim://walk?layout=insole99&rate=" + walk_rate + "&foot=normal&seed=3&duration=120",
                 "Simulator: walking in 99-cell insoles" + (at.empty() ? "" : " (" + walk_rate + " Hz)"), "simulator", ""});
  out.push_back({"sim://stand?layout=mat&rows=80&cols=80&pitch=5.08&rate=" + stand_rate + "&typical_noise=1&seed=5&duration=60",
                 "Simulator: standing on a mat" + (at.empty() ? "" : " (" + stand_rate + " Hz)"), "simulator", ""});
  // A demo device's serial number is "demo-" and its protocol (demo://m1616: demo-m1616), so a
  // calibration file of it (`insole calibrate compute ... --serial demo-m1616`) is preselected as
  // a real device's is.
  if (demo)
    for (const auto& d : demo->choices())
      out.push_back({d.uri, d.label, "emulator", "demo-" + d.uri.substr(d.uri.find("://") + 3)});
  return out;
}

// One line from standard input; on a terminal with the echo off, after `prompt` on stderr.
std::optional<std::string> read_secret(const char* prompt) {
  const bool tty = ::isatty(STDIN_FILENO) == 1;
  termios old{};
  if (tty) {
    std::cerr << prompt << std::flush;
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!got) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int set_password_command(const std::filesystem::path& data_dir) {
  const auto first = read_secret("New clinic password: ");
  const auto second = read_secret("The same password again: ");
  if (!first || !second) return usage_error("serve", "--set-password: give the password twice on standard input");
  if (*first != *second) return usage_error("serve", "--set-password: the two passwords differ; nothing changed");
  if (auto st = app::set_password(data_dir, *first); !st) return usage_error("serve", "--set-password: " + st.error().message);
  std::cerr << "insole serve: clinic password set in " << app::password_file(data_dir).string() << "\n";
  return kExitOk;
}

}  // namespace

int cmd_serve(const Args& args) {
  po::options_description opts("options");
  opts.add_options()("data", po::value<std::string>()->default_value("insole-data"),
                     "data directory: clinic.sqlite, recordings/ (created when absent)")(
      "port", po::value<unsigned>()->default_value(8410), "TCP port (0 = any free port)")(
      "bind", po::value<std::string>()->default_value("127.0.0.1"),
      "address to listen on; anything but loopback needs the clinic password or --token")(
      "token", po::value<std::string>(), "access token instead of the clinic password off loopback (16+ characters)")(
      "set-password", "set the clinic password (read twice from standard input) and exit")(
      "max-upload-mb", po::value<unsigned>()->default_value(64), "largest upload (vendor export), MiB")(
      "sim-rate", po::value<unsigned>()->default_value(0),
      "frames per second of the simulator sources, 1..1000 (default 0: 50 Hz walking, 20 Hz standing)")(
      "calibrations", po::value<std::string>(),
      "folder of calibration files (insole calibrate compute) offered for live capture "
      "(default: DATA/calibrations, created when absent)");
  po::positional_options_description pos;
  po::variables_map vm;
  if (auto rc = parse_options("serve", "[--data DIR] [--port N] [--bind ADDR] [--token T] [--calibrations DIR]",
                              "Starts the clinic app: patients, intake, live capture, results and reports in "
                              "a web browser. Listens on 127.0.0.1 unless --bind says otherwise; then every "
                              "request needs the clinic password (set once with --set-password) or the "
                              "access token given with --token.",
                              opts, pos, args, vm))
    return *rc;
  const unsigned port = vm["port"].as<unsigned>();
  if (port > 65535) return usage_error("serve", "--port must be 0..65535");
  const std::string bind = vm["bind"].as<std::string>();
  const bool loopback = app::is_loopback_address(bind);
  const unsigned sim_rate = vm["sim-rate"].as<unsigned>();
  if (sim_rate > 1000) return usage_error("serve", "--sim-rate must be 0..1000 frames per second");

  app::AppConfig config;
  config.data_dir = vm["data"].as<std::string>();
  if (vm.count("set-password")) return set_password_command(config.data_dir);
  if (vm.count("calibrations")) {
    config.calibrations_dir = vm["calibrations"].as<std::string>();
    std::error_code ec;
    if (config.calibrations_dir.empty() || !std::filesystem::is_directory(config.calibrations_dir, ec))
      return usage_error("serve", "--calibrations " + config.calibrations_dir.string() + ": not a folder");
  }
  config.max_body_bytes = static_cast<std::size_t>(vm["max-upload-mb"].as<unsigned>()) << 20;
  config.policy.csrf_token = app::random_token();
  if (vm.count("token")) {
    config.policy.access_token = vm["token"].as<std::string>();
    if (config.policy.access_token.size() < 16) return usage_error("serve", "--token must be at least 16 characters");
  } else if (!loopback) {
    // Beyond loopback without a token: the clinic password, which must have been set.
    auto stored = app::load_password(config.data_dir);
    if (!stored) return report_error("serve", stored.error());
    if (!*stored)
      return usage_error("serve", "--bind " + bind + ": no clinic password is set for " + config.data_dir.string() +
                                      "; set one first with 'insole serve --data " + config.data_dir.string() +
                                      " --set-password' (or give --token)");
    config.policy.login = std::make_shared<app::LoginGate>(std::move(**stored));
  }
  auto clock = steady_clock();
  config.clock = clock;
  // The demo devices: every protocol the simulator can feed.
  std::vector<std::string> demo_protocols;
  for (const auto& proto : drivers::protocols())
    if (emulator_can_feed(proto)) demo_protocols.push_back(proto.name);
  // Insoles are walked in. A mat is stood on: the demo mats are too small for a walking pass (the
  // simulated walker never steps on a 16 x 16 mat of 10 mm cells, which would show nothing).
  auto demo = drivers::DemoDevices::create(
      demo_protocols,
      [clock](const drivers::ProtocolInfo& proto) {
        std::map<std::string, std::string> options;
        if (proto.streams.front().layout.is_grid() && emulator_can_feed(proto, "stand")) options["mode"] = "stand";
        return emulator_frames(proto, std::move(options), clock);
      },
      clock);
  if (!demo) return report_error("serve", demo.error());
  drivers::DemoDevices* demo_devices = demo->get();
  config.list_sources = [sim_rate, demo_devices] { return list_sources(sim_rate, demo_devices); };
  config.open_source = [clock, demo_devices](const std::string& uri) -> Result<std::unique_ptr<FrameSource>> {
    if (drivers::DemoDevices::is_demo_uri(uri)) return demo_devices->open(uri);
    return open_source(uri, clock);
  };

  // The port is known once bound; the allowed Host names depend on it, so bind first.
  auto created = app::App::create(config);
  if (!created) return report_error("serve", created.error());
  auto& application = **created;
  auto server = app::Server::listen(application, bind, static_cast<std::uint16_t>(port));
  if (!server) return report_error("serve", server.error());
  const std::string p = std::to_string((*server)->port());
  // On loopback, Host must name this server (DNS rebinding); off loopback the password or token guards.
  if (loopback) application.set_allowed_hosts({"127.0.0.1:" + p, "localhost:" + p, "[::1]:" + p});
  const auto& policy = application.config().policy;
  const std::string host = loopback ? "127.0.0.1" : bind;
  std::string url = "http://" + host + ":" + p + "/";
  if (!policy.access_token.empty()) url += "?token=" + policy.access_token;
  std::cout << "insole serve: open " << url << "\n" << std::flush;
  if (policy.login) std::cerr << "insole serve: log in with the clinic password\n";
  if (bind == "0.0.0.0" || bind == "::")
    std::cerr << "insole serve: listening on every interface: from another computer use this one's address "
                 "in place of " << host << "\n";
  std::cerr << "insole serve: data in " << config.data_dir.string() << ", calibration files in "
            << application.config().calibrations_dir.string() << "; Ctrl-C stops\n";
  // Demonstrating an unplugged device without hardware: SIGUSR1 unplugs the running demo
  // devices, SIGUSR2 plugs them back (kill -USR1 PID); the browser test drives it this way.
  std::signal(SIGUSR1, on_demo_signal);
  std::signal(SIGUSR2, on_demo_signal);
  std::atomic<bool> serving{true};
  std::thread plug_watch([&] {
    while (serving) {
      if (const int what = g_demo_plug.exchange(0); what != 0) {
        const Status st = what == 1 ? (*demo)->unplug() : (*demo)->replug();
        std::cerr << "insole serve: demo devices " << (what == 1 ? "unplugged" : "plugged back")
                  << (st ? "" : ": " + st.error().message) << "\n";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  (*server)->run(/*handle_signals=*/true);
  serving = false;
  plug_watch.join();
  application.live().stop();
  std::cerr << "insole serve: stopped\n";
  return kExitOk;
}

}  // namespace insole::cli
