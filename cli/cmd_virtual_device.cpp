// insole virtual-device: a device emulator on a pseudo-terminal, fed by the simulator.
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "insole/drivers/protocol/decoder.hpp"
#include "insole/drivers/transport/device_emulator.hpp"
#include "source_uri.hpp"

namespace insole::cli {

namespace {

std::atomic<bool> g_stop_device{false};

extern "C" void on_device_signal(int) { g_stop_device.store(true); }

}  // namespace

int cmd_virtual_device(const Args& args) {
  po::options_description opts("options");
  std::string protocol, foot = "normal", mode = "walk", link, tile_of;
  std::uint64_t seed = 1, frames = 0;
  double speed = 1.0, mass_kg = 70, duration_s = 3600, length_mm = 260;
  opts.add_options()
      ("protocol,p", po::value(&protocol)->required(), "protocol to speak (see 'insole devices --protocols')")
      ("foot", po::value(&foot), "flat | normal | cavus (default normal)")
      ("mode", po::value(&mode), "walk | stand (default walk; stand needs a grid device)")
      ("seed", po::value(&seed), "simulator seed (default 1)")
      ("mass", po::value(&mass_kg), "body mass in kg (default 70)")
      ("length", po::value(&length_mm), "foot length in mm (default 260; a small platform may need a smaller foot)")
      ("duration", po::value(&duration_s), "seconds of simulated frames (default 3600)")
      ("tile-of", po::value(&tile_of), "ROWSxCOLS@ROW,COL: simulate a composed grid, send this device's tile of it")
      ("link", po::value(&link), "also make a stable symlink to the port here (like /dev/serial/by-id)")
      ("speed", po::value(&speed), "send frames this many times faster than the device rate (default 1)")
      ("frames", po::value(&frames), "stop after sending this many frames (default: until stopped)");
  po::variables_map vm;
  if (auto rc = parse_options("virtual-device", "--protocol NAME [options]",
                              "Emulates a pressure device on a pseudo-terminal: prints the port's path, "
                              "then answers the protocol's commands and streams simulated frames at the "
                              "device's rate until Ctrl-C. Open the printed path with 'insole capture "
                              "--source serial://PATH?protocol=NAME'.",
                              opts, {}, args, vm))
    return *rc;
  const drivers::ProtocolInfo* proto = drivers::find_protocol(protocol);
  if (!proto) return usage_error("virtual-device", "unknown protocol '" + protocol + "' (see 'insole devices --protocols')");
  if (!(speed > 0)) return usage_error("virtual-device", "--speed must be > 0");

  auto clock = steady_clock();
  std::map<std::string, std::string> sim_options{{"foot", foot}, {"mode", mode}, {"seed", std::to_string(seed)},
                                                 {"mass", std::to_string(mass_kg)}, {"duration", std::to_string(duration_s)},
                                                 {"length", std::to_string(length_mm)}};
  if (!tile_of.empty()) sim_options["tile_of"] = tile_of;
  auto frames_src = emulator_frames(*proto, sim_options, clock);
  if (!frames_src) return report_error("virtual-device", frames_src.error());
  drivers::EmulatorOptions eopt;
  eopt.protocol = protocol;
  eopt.link_path = link;
  eopt.speed = speed;
  eopt.max_frames = frames;
  auto emu = drivers::DeviceEmulator::start(eopt, std::move(frames_src).value(), clock);
  if (!emu) return report_error("virtual-device", emu.error());

  std::signal(SIGINT, on_device_signal);
  std::signal(SIGTERM, on_device_signal);
  // The path first and alone on its line, so scripts can read it.
  std::cout << (*emu)->host_path() << std::endl;
  std::cerr << "insole virtual-device: " << proto->description << " at " << proto->frame_rate_hz * speed
            << " frames/s on " << (*emu)->slave_path() << "; Ctrl-C stops\n";
  while (!g_stop_device.load() && !(*emu)->finished())
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  (*emu)->stop();
  const auto st = (*emu)->stats();
  std::cerr << "insole virtual-device: sent " << st.frames_sent << " frames (" << st.bytes_sent
            << " bytes), skipped " << st.frames_skipped << " while no host listened, "
            << st.host_connections << " host connection(s)\n";
  return kExitOk;
}

}  // namespace insole::cli
