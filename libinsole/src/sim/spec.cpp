#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

#include "insole/sim/simulator.hpp"

namespace insole::sim {

namespace {

Result<double> to_double(const std::string& key, const std::string& v) {
  try {
    std::size_t used = 0;
    const double d = std::stod(v, &used);
    if (used == v.size() && std::isfinite(d)) return d;
  } catch (const std::exception&) {
  }
  return make_error(Errc::invalid_argument, "option '" + key + "': expected a number, got '" + v + "'");
}

Result<bool> to_bool(const std::string& key, const std::string& v) {
  if (v == "1" || v == "true" || v == "yes" || v == "on" || v.empty()) return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  return make_error(Errc::invalid_argument, "option '" + key + "': expected true or false, got '" + v + "'");
}

Result<std::uint64_t> to_u64(const std::string& key, const std::string& v) {
  std::uint64_t x = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size() || v.empty())
    return make_error(Errc::invalid_argument, "option '" + key + "': expected a non-negative integer, got '" + v + "'");
  return x;
}

Result<int> to_int(const std::string& key, const std::string& v) {
  int x = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size() || v.empty())
    return make_error(Errc::invalid_argument, "option '" + key + "': expected an integer, got '" + v + "'");
  return x;
}

// Parses "insole16" -> 16; 0 for other layouts.
int insole_sensor_count(const std::string& layout) {
  if (layout.rfind("insole", 0) != 0 || layout == "insole-grid") return 0;
  std::string n = layout.substr(6);
  if (!n.empty() && n[0] == ':') n = n.substr(1);
  int x = 0;
  const auto r = std::from_chars(n.data(), n.data() + n.size(), x);
  if (r.ec != std::errc() || r.ptr != n.data() + n.size() || n.empty()) return -1;
  return x;
}

}  // namespace

Result<Spec> parse_spec(const std::map<std::string, std::string>& options) {
  Spec spec;
  FootParams foot;
  NoiseParams noise;
  double mass = 70, rate = 100, fpa = 7;
  std::optional<double> duration;
  std::uint64_t seed = 1;
  // typical_noise first, so that explicit noise keys refine it.
  if (auto it = options.find("typical_noise"); it != options.end()) {
    auto b = to_bool(it->first, it->second);
    if (!b) return b.error();
    if (*b) noise = NoiseParams::typical_mat();
  }
  for (const auto& option : options) {
    const std::string& key = option.first;  // not a structured binding: clang 14 cannot capture one
    const std::string& v = option.second;
    auto num = [&](double& out) -> Status {
      auto d = to_double(key, v);
      if (!d) return d.error();
      out = *d;
      return {};
    };
    Status st;
    if (key == "mode") {
      if (v != "walk" && v != "stand")
        return make_error(Errc::invalid_argument, "option 'mode': expected walk or stand, got '" + v + "'");
      spec.mode = v;
    } else if (key == "layout") {
      if (v != "mat" && v != "insole-grid" && insole_sensor_count(v) <= 0)
        return make_error(Errc::invalid_argument,
                          "option 'layout': expected mat, insole-grid or insole<N> (e.g. insole16, insole99), got '" + v + "'");
      spec.layout = v;
    } else if (key == "foot") {
      auto a = parse_arch_type(v);
      if (!a) return make_error(Errc::invalid_argument, "option 'foot': " + a.error().message);
      foot.arch = *a;
    } else if (key == "arch_height") {
      st = num(foot.arch_height);
      if (st && !(foot.arch_height >= 0 && foot.arch_height <= 1))
        return make_error(Errc::invalid_argument, "option 'arch_height': expected 0..1, got '" + v + "'");
    } else if (key == "pronation") {
      st = num(foot.pronation);
    } else if (key == "equinus") {
      auto b = to_bool(key, v);
      if (!b) return b.error();
      foot.equinus = *b;
    } else if (key == "toe_walking") {
      auto b = to_bool(key, v);
      if (!b) return b.error();
      foot.toe_walking = *b;
    } else if (key == "treadmill") {
      auto b = to_bool(key, v);
      if (!b) return b.error();
      spec.walk.treadmill = *b;
    } else if (key == "mass") {
      st = num(mass);
    } else if (key == "length") {
      st = num(foot.length_mm);
    } else if (key == "duration") {
      double d = 0;
      st = num(d);
      duration = d;
    } else if (key == "rate") {
      st = num(rate);
    } else if (key == "seed") {
      auto s = to_u64(key, v);
      if (!s) return s.error();
      seed = *s;
    } else if (key == "rows" || key == "cols") {
      auto i = to_int(key, v);
      if (!i) return i.error();
      (key == "rows" ? spec.mat.rows : spec.mat.cols) = *i;
    } else if (key == "pitch") {
      st = num(spec.mat.pitch_mm);
    } else if (key == "direction") {
      st = num(spec.walk.walk_direction_deg);
      spec.stand.facing_deg = spec.walk.walk_direction_deg;
    } else if (key == "step_length") {
      st = num(spec.walk.step_length_mm);
    } else if (key == "step_width") {
      st = num(spec.walk.step_width_mm);
    } else if (key == "stance_width") {
      st = num(spec.stand.stance_width_mm);
    } else if (key == "fpa") {
      st = num(fpa);
    } else if (key == "cadence") {
      st = num(spec.walk.cadence_steps_per_min);
    } else if (key == "noise") {
      st = num(noise.noise_sd_kpa);
    } else if (key == "gain") {
      st = num(noise.gain_sd);
    } else if (key == "threshold") {
      st = num(noise.threshold_kpa);
    } else if (key == "quantum") {
      st = num(noise.quantum_kpa);
    } else if (key == "saturation") {
      st = num(noise.saturation_kpa);
    } else if (key == "typical_noise") {
      // handled before the loop
    } else {
      return make_error(Errc::invalid_argument,
                        "unknown simulator option '" + key +
                            "' (known: mode, layout, foot, arch_height, pronation, equinus, toe_walking, treadmill, mass, length, duration, "
                            "rate, seed, rows, cols, pitch, direction, step_length, step_width, stance_width, fpa, "
                            "cadence, noise, gain, threshold, quantum, saturation, typical_noise)");
    }
    if (!st) return st.error();
  }
  spec.walk.foot = spec.stand.foot = foot;
  spec.walk.body_mass_kg = spec.stand.body_mass_kg = mass;
  spec.walk.sample_rate_hz = spec.stand.sample_rate_hz = rate;
  spec.walk.progression_angle_deg = spec.stand.progression_angle_deg = fpa;
  spec.walk.seed = spec.stand.seed = seed;
  spec.walk.noise = spec.stand.noise = noise;
  if (duration) spec.walk.duration_s = spec.stand.duration_s = *duration;
  if (spec.mode == "stand" && spec.layout != "mat")
    return make_error(Errc::invalid_argument, "standing is simulated on a mat only (layout=mat)");
  return spec;
}

Result<Generator> make_generator(const Spec& spec) {
  if (spec.mode == "stand") return Generator::stand_mat(spec.stand, spec.mat);
  if (spec.mode != "walk") return make_error(Errc::invalid_argument, "mode must be walk or stand, got '" + spec.mode + "'");
  if (spec.layout == "mat") return Generator::walk_mat(spec.walk, spec.mat);
  if (auto st = validate(spec.walk); !st) return st.error();
  if (spec.layout == "insole-grid") return Generator::walk_insoles(spec.walk, insole_grid_layout(spec.walk.foot.length_mm));
  const int n = insole_sensor_count(spec.layout);
  if (n != 16 && (n < 8 || n > 2000))
    return make_error(Errc::invalid_argument, "layout '" + spec.layout + "': sensor count must be 16 or 8..2000");
  return Generator::walk_insoles(spec.walk, insole_sensor_layout(spec.walk.foot.length_mm, n, Side::right));
}

namespace {

// Frames generated on demand in chunks; streams merged in time order.
class SimSource final : public FrameSource {
 public:
  SimSource(Generator g, std::string uri, std::shared_ptr<Clock> clock, bool realtime)
      : gen_(std::move(g)), clock_(std::move(clock)), realtime_(realtime) {
    info_.uri = std::move(uri);
    info_.description = "insole simulator";
    info_.streams = gen_.streams();
    chunks_.resize(info_.streams.size());
  }
  Status start() override {
    if (realtime_ && !clock_) return make_error(Errc::invalid_argument, "realtime simulation needs a clock");
    started_ = true;
    if (clock_) start_clock_s_ = clock_->now_s();
    return {};
  }
  Result<PressureFrame> next(std::chrono::milliseconds timeout) override {
    if (!started_) return make_error(Errc::invalid_argument, "next() called before start()");
    // All streams share the time base: frame f of stream 0, then of stream 1, ...
    if (frame_ >= gen_.frame_count()) return make_error(Errc::end_of_stream, "end of simulation");
    const double t = static_cast<double>(frame_) / gen_.sample_rate_hz();
    if (realtime_) {
      const double due_in = (start_clock_s_ + t) - clock_->now_s();
      const double limit = std::chrono::duration<double>(timeout).count();
      if (due_in > limit) {
        clock_->sleep_for_s(limit);
        return make_error(Errc::timeout, "no frame due yet");
      }
      if (due_in > 0) clock_->sleep_for_s(due_in);
    }
    Chunk& c = chunks_[stream_];
    if (frame_ < c.first || frame_ >= c.first + c.time.size()) {
      c.first = frame_;
      gen_.generate(stream_, frame_, std::min<Eigen::Index>(kChunk, gen_.frame_count() - frame_), c.time, c.p);
    }
    PressureFrame f;
    f.stream = stream_;
    f.time_s = c.time[frame_ - c.first];
    f.sequence = static_cast<std::uint64_t>(frame_);
    f.pressure_kpa = c.p.row(frame_ - c.first).transpose();
    ++stats_.frames;
    if (++stream_ == info_.streams.size()) {
      stream_ = 0;
      ++frame_;
    }
    return f;
  }
  void stop() override { started_ = false; }
  const SourceInfo& info() const override { return info_; }
  SourceStats stats() const override { return stats_; }

 private:
  static constexpr Eigen::Index kChunk = 64;
  struct Chunk {
    Eigen::Index first = 0;
    Eigen::VectorXd time;
    FrameMatrix p;
  };
  Generator gen_;
  std::shared_ptr<Clock> clock_;
  bool realtime_;
  bool started_ = false;
  double start_clock_s_ = 0;
  SourceInfo info_;
  SourceStats stats_;
  std::vector<Chunk> chunks_;
  Eigen::Index frame_ = 0;
  std::size_t stream_ = 0;
};

}  // namespace

Result<std::unique_ptr<FrameSource>> make_source(const std::string& uri_query, std::shared_ptr<Clock> clock,
                                                 bool realtime) {
  std::string q = uri_query;
  if (q.rfind("sim://", 0) == 0) q = q.substr(6);
  const auto qm = q.find('?');
  std::map<std::string, std::string> opts;
  const std::string mode = q.substr(0, qm);
  if (!mode.empty()) opts["mode"] = mode;
  if (qm != std::string::npos) {
    std::stringstream ss(q.substr(qm + 1));
    std::string kv;
    while (std::getline(ss, kv, '&')) {
      if (kv.empty()) continue;
      const auto eq = kv.find('=');
      const std::string key = kv.substr(0, eq);
      if (opts.count(key))
        return make_error(Errc::invalid_argument, "simulator URI '" + uri_query + "': option '" + key + "' given twice");
      opts[key] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
  }
  auto spec = parse_spec(opts);
  if (!spec) return make_error(Errc::invalid_argument, "simulator URI '" + uri_query + "': " + spec.error().message);
  auto gen = make_generator(*spec);
  if (!gen) return make_error(Errc::invalid_argument, "simulator URI '" + uri_query + "': " + gen.error().message);
  std::unique_ptr<FrameSource> src =
      std::make_unique<SimSource>(std::move(gen.value()), "sim://" + q, std::move(clock), realtime);
  return src;
}

}  // namespace insole::sim
