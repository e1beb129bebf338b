// `insole simulate`: writes a synthetic recording (walk or stand; mat or insoles) with the
// simulator's ground truth kept as events and metadata attributes.
#include <iostream>
#include <map>
#include <string>

#include "commands.hpp"
#include "insole/core/version.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "insole/sim/simulator.hpp"

namespace insole::cli {

int cmd_simulate(const Args& args) {
  // Option name on the command line -> key of insole::sim::parse_spec.
  const std::pair<const char*, const char*> keys[] = {
      {"mode", "mode"},         {"foot", "foot"},           {"arch-height", "arch_height"},
      {"pronation", "pronation"}, {"mass", "mass"},         {"foot-length", "length"},
      {"duration", "duration"}, {"rate", "rate"},           {"seed", "seed"},
      {"layout", "layout"},     {"rows", "rows"},           {"cols", "cols"},
      {"pitch", "pitch"},       {"direction", "direction"}, {"step-length", "step_length"},
      {"step-width", "step_width"}, {"stance-width", "stance_width"}, {"fpa", "fpa"},
      {"cadence", "cadence"},   {"noise-kpa", "noise"},     {"gain-sd", "gain"},
      {"threshold-kpa", "threshold"}, {"quantum-kpa", "quantum"}, {"saturation-kpa", "saturation"},
  };
  po::options_description opts("options");
  opts.add_options()
      ("output,o", po::value<std::string>()->required(), "output HDF5 file (written atomically)")
      ("mode", po::value<std::string>(), "walk (default) | stand")
      ("foot", po::value<std::string>(), "foot type: flat | normal (default) | cavus")
      ("arch-height", po::value<std::string>(), "continuous arch height 0 (flat) .. 1 (high); overrides --foot")
      ("pronation", po::value<std::string>(), "-1 supinated .. 0 neutral (default) .. +1 pronated")
      ("equinus", "limited dorsiflexion: light, short heel contact, early heel-off")
      ("toe-walking", "walking on the forefoot and toes: no heel or midfoot contact")
      ("treadmill", "walking in place (a treadmill mat): every step at the mat centre, no turns")
      ("mass", po::value<std::string>(), "body mass in kg (default 70)")
      ("foot-length", po::value<std::string>(), "foot length in mm (default 260)")
      ("duration", po::value<std::string>(), "seconds (default 4 walking, 10 standing)")
      ("rate", po::value<std::string>(), "sample rate in Hz (default 100)")
      ("seed", po::value<std::string>(), "random seed (default 1); same seed, same file")
      ("layout", po::value<std::string>(), "mat (default) | insole-grid | insole<N> (e.g. insole16, insole99)")
      ("rows", po::value<std::string>(), "mat rows (default 120)")
      ("cols", po::value<std::string>(), "mat columns (default 400)")
      ("pitch", po::value<std::string>(), "mat sensel pitch in mm (default 5.08)")
      ("direction", po::value<std::string>(), "walking (or facing) direction on the mat, degrees CCW from +x")
      ("step-length", po::value<std::string>(), "step length in mm (default 650)")
      ("step-width", po::value<std::string>(), "step width in mm (default 100)")
      ("stance-width", po::value<std::string>(), "standing: distance between heels in mm (default 170)")
      ("fpa", po::value<std::string>(), "foot progression angle in degrees, out-toeing + (default 7)")
      ("cadence", po::value<std::string>(), "steps per minute (default 110)")
      ("typical-noise", "realistic mat sensor: 3 % gain, 1.5 kPa noise, 5 kPa floor, 1 kPa step, 1200 kPa clip")
      ("noise-kpa", po::value<std::string>(), "SD of additive noise on loaded sensels (kPa)")
      ("gain-sd", po::value<std::string>(), "relative SD of per-sensel gain")
      ("threshold-kpa", po::value<std::string>(), "readings below read 0 (kPa)")
      ("quantum-kpa", po::value<std::string>(), "quantisation step (kPa)")
      ("saturation-kpa", po::value<std::string>(), "maximum reading (kPa)");
  po::variables_map vm;
  if (auto rc = parse_options("simulate", "[options] -o FILE.h5",
                              "Simulates a walk or standing trial on a pressure mat or a pair of insoles and\n"
                              "writes it as an insole HDF5 recording. The model and its sources are in\n"
                              "docs/simulator.md; the ground truth (gait events, parameters, arch index)\n"
                              "is stored as events and 'sim.*' metadata attributes.",
                              opts, {}, args, vm))
    return *rc;
  std::map<std::string, std::string> spec_options;
  for (const auto& [flag, key] : keys)
    if (vm.count(flag)) spec_options[key] = vm[flag].as<std::string>();
  if (vm.count("equinus")) spec_options["equinus"] = "true";
  if (vm.count("toe-walking")) spec_options["toe_walking"] = "true";
  if (vm.count("treadmill")) spec_options["treadmill"] = "true";
  if (vm.count("typical-noise")) spec_options["typical_noise"] = "true";
  // --typical-noise first, explicit noise options refine it (sim::parse_spec).
  auto spec = sim::parse_spec(spec_options);
  if (!spec) return usage_error("simulate", spec.error().message);
  if (spec->mode == "stand" && !vm.count("duration")) spec->stand.duration_s = 10;
  auto sim = sim::run(*spec);
  if (!sim) return usage_error("simulate", sim.error().message);
  Recording& rec = sim->recording;
  rec.meta.created_by = std::string("insole ") + kToolkitVersion + " simulate";
  std::string command = "insole simulate";
  for (const auto& a : args) command += " " + a;
  rec.meta.attributes["sim.command"] = command;
  const std::string out = vm["output"].as<std::string>();
  if (auto st = io::write_recording(out, rec); !st) return report_error("simulate", st.error());
  std::size_t falls = 0;
  for (const auto& f : sim->truth.footfalls) falls += f.partial ? 0 : 1;
  std::cerr << "insole simulate: wrote " << out << " (" << rec.streams.size() << " stream(s), "
            << rec.streams.front().frame_count() << " frames, " << falls << " whole footfall(s); truth arch index "
            << sim->truth.feet.back().arch_index << ")\n";
  return kExitOk;
}

}  // namespace insole::cli
