#include "insole/sim/simulator.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <mutex>
#include <numbers>
#include <sstream>
#include <stdexcept>

namespace insole::sim {

namespace {

constexpr double kGravity = 9.80665;  // m/s^2
constexpr double kDegToRad = std::numbers::pi / 180.0;

std::string num(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

Status check_range(const char* name, double v, double lo, double hi, const char* unit) {
  if (!(v >= lo && v <= hi) || !std::isfinite(v))
    return make_error(Errc::invalid_argument, std::string(name) + " must be within " + num(lo) +
                                                  ".." + num(hi) + " " + unit + ", got " + num(v));
  return {};
}

Status validate_foot(const FootParams& f) {
  if (auto s = check_range("foot length", f.length_mm, 100, 400, "mm"); !s) return s;
  if (f.arch_height >= 0)
    if (auto s = check_range("arch height", f.arch_height, 0, 1, ""); !s) return s;
  if (std::isnan(f.arch_height)) return make_error(Errc::invalid_argument, "arch height is NaN");
  return check_range("pronation", f.pronation, -1, 1, "");
}

// Where a foot lies in a stream's frame: foot-frame origin and heel->toe direction.
struct Placement {
  Side side = Side::right;
  Eigen::Vector2d heel = Eigen::Vector2d::Zero();
  double axis_rad = std::numbers::pi / 2;
  // Foot-frame coordinates of stream-frame points (x towards the subject's right).
  Eigen::MatrixX2d to_foot(const Eigen::MatrixX2d& p) const {
    const Eigen::Vector2d u(std::cos(axis_rad), std::sin(axis_rad));
    const Eigen::Vector2d r(u.y(), -u.x());
    Eigen::MatrixX2d q(p.rows(), 2);
    for (Eigen::Index i = 0; i < p.rows(); ++i) {
      const Eigen::Vector2d d = p.row(i).transpose() - heel;
      q(i, 0) = d.dot(r);
      q(i, 1) = d.dot(u);
    }
    return q;
  }
  Eigen::Vector2d to_stream(const Eigen::Vector2d& foot) const {
    const Eigen::Vector2d u(std::cos(axis_rad), std::sin(axis_rad));
    const Eigen::Vector2d r(u.y(), -u.x());
    return heel + foot.x() * r + foot.y() * u;
  }
};

// Region densities averaged over each sensel's area, for the sensels a foot can touch.
// pressure (kPa) at sensels[i] = 1e3 * B.row(i) . [F_r (1 - core_r) ..., F_r core_r ...].
struct Basis {
  std::vector<Eigen::Index> sensels;
  Eigen::MatrixXd B;
};

Basis build_basis(const FootModel& model, const Placement& place, const SensorLayout& layout) {
  const double L = model.params().length_mm;
  const Eigen::Index n = layout.sensor_count();
  const auto& centres = layout.centres_mm();
  // Candidate sensels: centre within the foot's box, inflated by the sensel size.
  double cell_w = 0, cell_h = 0;
  if (layout.is_grid()) {
    cell_w = layout.col_pitch_mm();
    cell_h = layout.row_pitch_mm();
  }
  std::vector<Eigen::Index> cand;
  const Eigen::MatrixX2d cf = place.to_foot(centres);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!layout.present()[static_cast<std::size_t>(i)]) continue;
    if (!std::isfinite(cf(i, 0)) || !std::isfinite(cf(i, 1))) continue;
    const double side = layout.is_grid() ? std::max(cell_w, cell_h) : std::sqrt(layout.areas_mm2()[i]);
    const double m = side * 0.75 + 2.0;
    if (cf(i, 0) > -0.25 * L - m && cf(i, 0) < 0.25 * L + m && cf(i, 1) > -m && cf(i, 1) < L + m)
      cand.push_back(i);
  }
  // Sub-samples: a regular s x s lattice over each sensel (square of side sqrt(area) for
  // sensor sets), so that a partly covered sensel reads the covered share.
  std::vector<int> ns(cand.size());
  Eigen::Index total = 0;
  for (std::size_t c = 0; c < cand.size(); ++c) {
    const Eigen::Index i = cand[c];
    const double w = layout.is_grid() ? cell_w : std::sqrt(layout.areas_mm2()[i]);
    const double h = layout.is_grid() ? cell_h : w;
    ns[c] = std::clamp(static_cast<int>(std::ceil(std::max(w, h) / 1.25)), 3, 12);
    total += Eigen::Index(ns[c]) * ns[c];
  }
  Eigen::MatrixX2d pts(total, 2);
  Eigen::Index k = 0;
  for (std::size_t c = 0; c < cand.size(); ++c) {
    const Eigen::Index i = cand[c];
    const double w = layout.is_grid() ? cell_w : std::sqrt(layout.areas_mm2()[i]);
    const double h = layout.is_grid() ? cell_h : w;
    for (int a = 0; a < ns[c]; ++a)
      for (int b = 0; b < ns[c]; ++b) {
        pts(k, 0) = centres(i, 0) + ((b + 0.5) / ns[c] - 0.5) * w;
        pts(k, 1) = centres(i, 1) + ((a + 0.5) / ns[c] - 0.5) * h;
        ++k;
      }
  }
  const Eigen::MatrixX2d foot = place.to_foot(pts);
  const Eigen::Index R = static_cast<Eigen::Index>(model.regions().size());
  Eigen::MatrixXd full(static_cast<Eigen::Index>(cand.size()), 2 * R);
  for (Eigen::Index r = 0; r < R; ++r)
    for (int core = 0; core < 2; ++core) {
      const Eigen::VectorXd d = model.region_density(static_cast<std::size_t>(r), foot, core == 1);
      Eigen::Index off = 0;
      for (std::size_t c = 0; c < cand.size(); ++c) {
        const Eigen::Index m = Eigen::Index(ns[c]) * ns[c];
        full(static_cast<Eigen::Index>(c), r + core * R) = d.segment(off, m).mean() * 1e3;
        off += m;
      }
    }
  Basis basis;
  std::vector<Eigen::Index> keep;
  for (std::size_t c = 0; c < cand.size(); ++c)
    if (full.row(static_cast<Eigen::Index>(c)).maxCoeff() > 0) keep.push_back(static_cast<Eigen::Index>(c));
  basis.B.resize(static_cast<Eigen::Index>(keep.size()), 2 * R);
  for (std::size_t j = 0; j < keep.size(); ++j) {
    basis.B.row(static_cast<Eigen::Index>(j)) = full.row(keep[j]);
    basis.sensels.push_back(cand[static_cast<std::size_t>(keep[j])]);
  }
  return basis;
}

// Coefficients for Basis::B from region forces and core weights.
Eigen::VectorXd coefficients(const Eigen::VectorXd& force_n, const Eigen::VectorXd& core) {
  const Eigen::Index R = force_n.size();
  Eigen::VectorXd c(2 * R);
  for (Eigen::Index r = 0; r < R; ++r) {
    c[r] = force_n[r] * (1.0 - core[r]);
    c[R + r] = force_n[r] * core[r];
  }
  return c;
}

// Contact points of a foot (its own frame) on a 3 mm raster: used for on-mat fractions.
std::vector<Eigen::Vector2d> contact_points(const FootModel& m) {
  std::vector<Eigen::Vector2d> pts;
  const double L = m.params().length_mm;
  for (double y = 1.5; y < L; y += 3.0)
    for (double x = -0.3 * L; x < 0.3 * L; x += 3.0)
      if (m.in_contact({x, y})) pts.emplace_back(x, y);
  return pts;
}

// Smooth random sway with unit RMS: three sinusoids (0.1-0.5 Hz) with seeded phases.
double sway(std::uint64_t key, double t) {
  double v = 0;
  for (int i = 0; i < 3; ++i) {
    const double f = 0.1 + 0.4 * uniform01(key + 2 * i);
    const double ph = 2 * std::numbers::pi * uniform01(key + 2 * i + 1);
    v += std::sin(2 * std::numbers::pi * f * t + ph);
  }
  return v / std::sqrt(1.5);
}

}  // namespace

Status validate(const NoiseParams& n) {
  if (auto s = check_range("gain SD", n.gain_sd, 0, 1, ""); !s) return s;
  if (auto s = check_range("noise SD", n.noise_sd_kpa, 0, 1000, "kPa"); !s) return s;
  if (auto s = check_range("threshold", n.threshold_kpa, 0, 10000, "kPa"); !s) return s;
  if (auto s = check_range("quantum", n.quantum_kpa, 0, 1000, "kPa"); !s) return s;
  return check_range("saturation", n.saturation_kpa, 0, 1e6, "kPa");
}

Status validate(const WalkParams& p) {
  if (auto s = validate_foot(p.foot); !s) return s;
  if (auto s = check_range("body mass", p.body_mass_kg, 1, 500, "kg"); !s) return s;
  if (auto s = check_range("duration", p.duration_s, 0.01, 86400, "s"); !s) return s;
  if (auto s = check_range("sample rate", p.sample_rate_hz, 1, 10000, "Hz"); !s) return s;
  if (auto s = check_range("cadence", p.cadence_steps_per_min, 20, 250, "steps/min"); !s) return s;
  if (auto s = check_range("stance fraction", p.stance_fraction, 0.5, 0.9, ""); !s) return s;
  if (auto s = check_range("step length", p.step_length_mm, 0.8 * p.foot.length_mm + 50, 2000, "mm"); !s)
    return s;
  if (auto s = check_range("step width", p.step_width_mm, 0, 600, "mm"); !s) return s;
  if (auto s = check_range("progression angle", p.progression_angle_deg, -45, 45, "deg"); !s) return s;
  if (auto s = check_range("walk direction", p.walk_direction_deg, -3600, 3600, "deg"); !s) return s;
  if (auto s = check_range("lateral offset", p.lateral_offset_mm, -5000, 5000, "mm"); !s) return s;
  if (auto s = check_range("turn time", p.turn_time_s, 0, 60, "s"); !s) return s;
  if (auto s = check_range("variability", p.variability, 0, 0.2, ""); !s) return s;
  const auto& c = p.force;
  if (!(c.peak1_at > 0.05 && c.peak1_at < c.valley_at && c.valley_at < c.peak2_at && c.peak2_at < 0.95))
    return make_error(Errc::invalid_argument, "force curve: need 0.05 < peak1_at < valley_at < peak2_at < 0.95");
  if (!(c.peak1_bw > c.valley_bw && c.peak2_bw > c.valley_bw && c.valley_bw > 0 && c.peak1_bw < 5 && c.peak2_bw < 5))
    return make_error(Errc::invalid_argument, "force curve: need 0 < valley < peaks < 5 body weights");
  return validate(p.noise);
}

Status validate(const StandParams& p) {
  if (auto s = validate_foot(p.foot); !s) return s;
  if (auto s = check_range("body mass", p.body_mass_kg, 1, 500, "kg"); !s) return s;
  if (auto s = check_range("duration", p.duration_s, 0.01, 86400, "s"); !s) return s;
  if (auto s = check_range("sample rate", p.sample_rate_hz, 1, 10000, "Hz"); !s) return s;
  if (auto s = check_range("stance width", p.stance_width_mm, 0.45 * p.foot.length_mm, 1000, "mm"); !s)
    return s;
  if (auto s = check_range("progression angle", p.progression_angle_deg, -45, 45, "deg"); !s) return s;
  if (auto s = check_range("facing direction", p.facing_deg, -3600, 3600, "deg"); !s) return s;
  if (auto s = check_range("sway (left/right)", p.sway_ml_share, 0, 0.2, ""); !s) return s;
  if (auto s = check_range("sway (heel/forefoot)", p.sway_ap_share, 0, 0.2, ""); !s) return s;
  return validate(p.noise);
}

Status validate(const MatParams& m) {
  if (m.rows <= 0 || m.cols <= 0 || static_cast<long long>(m.rows) * m.cols > 4'000'000)
    return make_error(Errc::invalid_argument, "mat size must be positive and at most 4 million sensels, got " +
                                                  std::to_string(m.rows) + "x" + std::to_string(m.cols));
  return check_range("mat pitch", m.pitch_mm, 1, 100, "mm");
}

struct Generator::Impl {
  enum class Mode { walk_mat, stand_mat, walk_insoles } mode = Mode::walk_mat;
  WalkParams walk;
  StandParams stand;
  std::vector<StreamInfo> streams;
  RecordingMetadata meta;
  Truth truth;
  Eigen::Index frames = 0;
  double rate = 100;
  double weight_n = 0;
  double stance_s = 0;
  NoiseParams noise;
  std::uint64_t seed = 1;
  std::array<FootModel, 2> feet{FootModel(FootParams{}, Side::left), FootModel(FootParams{}, Side::right)};
  std::vector<Placement> fall_place;   // per truth footfall
  std::array<Basis, 2> fixed;          // stand: per foot on the mat; insoles: per stream
  mutable std::mutex mu;
  mutable std::deque<std::pair<std::size_t, std::shared_ptr<const Basis>>> cache;  // LRU

  static int foot_index(Side s) { return s == Side::left ? 0 : 1; }

  std::shared_ptr<const Basis> fall_basis(std::size_t i) const {
    {
      std::lock_guard lock(mu);
      for (auto it = cache.begin(); it != cache.end(); ++it)
        if (it->first == i) {
          auto b = it->second;
          cache.erase(it);
          cache.emplace_front(i, b);
          return b;
        }
    }
    const auto& f = truth.footfalls[i];
    auto b = std::make_shared<const Basis>(
        build_basis(feet[static_cast<std::size_t>(foot_index(f.side))], fall_place[i], streams[f.stream].layout));
    std::lock_guard lock(mu);
    cache.emplace_front(i, b);
    while (cache.size() > 12) cache.pop_back();
    return b;
  }

  // Adds the walking foot's pressure at time t to `row` (sensels of the basis).
  void add_walking(const FootModel& model, const Basis& basis, double s, Eigen::Ref<Eigen::VectorXf> row) const {
    const double F = weight_n * force_curve_bw(walk.force, s);
    if (F <= 0) return;
    const Eigen::VectorXd force = model.walking_shares(s) * F;
    const Eigen::VectorXd frac = model.walking_load_fractions(s);
    Eigen::VectorXd core(frac.size());
    for (Eigen::Index r = 0; r < frac.size(); ++r) core[r] = FootModel::core_weight(frac[r]);
    const Eigen::VectorXd p = basis.B * coefficients(force, core);
    for (std::size_t j = 0; j < basis.sensels.size(); ++j)
      row[basis.sensels[j]] += static_cast<float>(p[static_cast<Eigen::Index>(j)]);
  }

  // Standing: per-foot force and the heel/forefoot shift at time t.
  std::array<double, 2> stand_force(double t) const {
    const double ml = stand.sway_ml_share * sway(mix64(seed ^ 0x51u), t);
    return {weight_n * (0.5 - ml), weight_n * (0.5 + ml)};
  }
  double stand_ap(double t) const { return stand.sway_ap_share * sway(mix64(seed ^ 0xA9u), t); }

  // Indices of footfalls of `stream` active at time t.
  template <class F>
  void for_active(std::size_t stream, double t, F&& fn) const {
    const auto& ff = truth.footfalls;
    auto it = std::upper_bound(ff.begin(), ff.end(), t,
                               [](double v, const FootfallTruth& f) { return v < f.start_s; });
    std::size_t i = static_cast<std::size_t>(it - ff.begin());
    while (i > 0) {
      --i;
      const auto& f = ff[i];
      if (f.start_s < t - 2 * stance_s - 1.0) break;
      if (f.stream == stream && t >= f.start_s && t <= f.end_s) fn(i, (t - f.start_s) / (f.end_s - f.start_s));
    }
  }

  void generate(std::size_t stream, Eigen::Index first, Eigen::Index count, Eigen::VectorXd& time_s,
                FrameMatrix& out) const {
    const SensorLayout& layout = streams.at(stream).layout;
    const Eigen::Index n = layout.sensor_count();
    std::vector<Eigen::Index> absent;
    for (Eigen::Index i = 0; i < n; ++i)
      if (!layout.present()[static_cast<std::size_t>(i)]) absent.push_back(i);
    time_s.resize(count);
    out.setZero(count, n);
    std::vector<Eigen::Index> touched;
    for (Eigen::Index k = 0; k < count; ++k) {
      const Eigen::Index f = first + k;
      const double t = static_cast<double>(f) / rate;
      time_s[k] = t;
      auto row = out.row(k).transpose();
      touched.clear();
      if (mode == Mode::stand_mat) {
        const auto force = stand_force(t);
        const double ap = stand_ap(t);
        for (std::size_t side = 0; side < 2; ++side) {
          const Eigen::VectorXd fr = feet[side].standing_shares(ap) * force[side];
          const Eigen::VectorXd p = fixed[side].B * coefficients(fr, Eigen::VectorXd::Zero(fr.size()));
          const auto& sens = fixed[side].sensels;
          for (std::size_t j = 0; j < sens.size(); ++j) row[sens[j]] += static_cast<float>(p[static_cast<Eigen::Index>(j)]);
          touched.insert(touched.end(), sens.begin(), sens.end());
        }
      } else {
        for_active(stream, t, [&](std::size_t i, double s) {
          const auto& fall = truth.footfalls[i];
          const FootModel& m = feet[static_cast<std::size_t>(foot_index(fall.side))];
          if (mode == Mode::walk_insoles) {
            add_walking(m, fixed[stream], s, row);
            touched.insert(touched.end(), fixed[stream].sensels.begin(), fixed[stream].sensels.end());
          } else {
            const auto b = fall_basis(i);
            add_walking(m, *b, s, row);
            touched.insert(touched.end(), b->sensels.begin(), b->sensels.end());
          }
        });
      }
      std::sort(touched.begin(), touched.end());
      touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
      apply_noise_at(noise, seed, stream, static_cast<std::uint64_t>(f), row, touched);
      for (const Eigen::Index i : absent) row[i] = std::numeric_limits<float>::quiet_NaN();
    }
  }

  void intended(std::size_t stream, Eigen::Index first, Eigen::Index count, Eigen::VectorXd& left,
                Eigen::VectorXd& right) const {
    left = Eigen::VectorXd::Zero(count);
    right = Eigen::VectorXd::Zero(count);
    for (Eigen::Index k = 0; k < count; ++k) {
      const double t = static_cast<double>(first + k) / rate;
      if (mode == Mode::stand_mat) {
        const auto f = stand_force(t);
        left[k] = f[0];
        right[k] = f[1];
        continue;
      }
      for_active(stream, t, [&](std::size_t i, double s) {
        const double F = weight_n * force_curve_bw(walk.force, s);
        (truth.footfalls[i].side == Side::left ? left[k] : right[k]) += F;
      });
    }
  }
};

Generator::Generator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Generator::Generator(Generator&&) noexcept = default;
Generator& Generator::operator=(Generator&&) noexcept = default;
Generator::~Generator() = default;

const std::vector<StreamInfo>& Generator::streams() const noexcept { return impl_->streams; }
Eigen::Index Generator::frame_count() const noexcept { return impl_->frames; }
double Generator::sample_rate_hz() const noexcept { return impl_->rate; }
const RecordingMetadata& Generator::metadata() const noexcept { return impl_->meta; }
const Truth& Generator::truth() const noexcept { return impl_->truth; }

void Generator::generate(std::size_t stream, Eigen::Index first, Eigen::Index count, Eigen::VectorXd& time_s,
                         FrameMatrix& pressure_kpa) const {
  if (stream >= impl_->streams.size() || first < 0 || count < 0)
    throw std::out_of_range("Generator::generate: stream or frame range out of range");
  impl_->generate(stream, first, count, time_s, pressure_kpa);
}

void Generator::intended_force(std::size_t stream, Eigen::Index first, Eigen::Index count, Eigen::VectorXd& left_n,
                               Eigen::VectorXd& right_n) const {
  if (stream >= impl_->streams.size() || first < 0 || count < 0)
    throw std::out_of_range("Generator::intended_force: stream or frame range out of range");
  impl_->intended(stream, first, count, left_n, right_n);
}

namespace {

void fill_feet_truth(Generator::Impl& g, const FootParams& foot, const std::string& mode, double mass) {
  g.feet = {FootModel(foot, Side::left, g.walk.force), FootModel(foot, Side::right, g.walk.force)};
  g.truth.mode = mode;
  g.truth.body_mass_kg = mass;
  for (const auto& m : g.feet) {
    FootTruth t;
    t.side = m.side();
    t.params = foot;
    t.arch_height = m.arch_height();
    t.arch_index = m.arch_index();
    t.cpei_percent = m.cpei_percent();
    t.midfoot_contact_width_mm = m.midfoot_contact_width_mm();
    t.events = m.events();
    g.truth.feet.push_back(t);
  }
  g.weight_n = mass * kGravity;
  g.meta.mode = mode;
  g.meta.body_mass_kg = mass;
  g.meta.created_by = "insole::sim";
  auto& a = g.meta.attributes;
  a["sim.foot_length_mm"] = num(foot.length_mm);
  a["sim.arch"] = to_string(foot.arch);
  a["sim.arch_height"] = num(g.feet[1].arch_height());
  a["sim.pronation"] = num(foot.pronation);
  a["sim.equinus"] = foot.equinus ? "true" : "false";
  a["sim.toe_walking"] = foot.toe_walking ? "true" : "false";
  a["sim.truth.arch_index"] = num(g.truth.feet[1].arch_index);
  a["sim.truth.cpei_percent"] = num(g.truth.feet[1].cpei_percent);
}

void add_noise_meta(Generator::Impl& g, const NoiseParams& n, std::uint64_t seed) {
  g.noise = n;
  g.seed = seed;
  auto& a = g.meta.attributes;
  a["sim.seed"] = std::to_string(seed);
  a["sim.noise.gain_sd"] = num(n.gain_sd);
  a["sim.noise.noise_sd_kpa"] = num(n.noise_sd_kpa);
  a["sim.noise.threshold_kpa"] = num(n.threshold_kpa);
  a["sim.noise.quantum_kpa"] = num(n.quantum_kpa);
  a["sim.noise.saturation_kpa"] = num(n.saturation_kpa);
}

void add_walk_meta(Generator::Impl& g, const WalkParams& p) {
  auto& a = g.meta.attributes;
  a["sim.cadence_steps_per_min"] = num(p.cadence_steps_per_min);
  a["sim.step_length_mm"] = num(p.step_length_mm);
  a["sim.step_width_mm"] = num(p.step_width_mm);
  a["sim.progression_angle_deg"] = num(p.progression_angle_deg);
  a["sim.walk_direction_deg"] = num(p.walk_direction_deg);
  if (p.treadmill) a["sim.treadmill"] = "true";
}

// Jitter for footfall `index` and quantity `what`, a standard normal deviate.
double jitter(std::uint64_t seed, std::uint64_t index, std::uint64_t what) {
  return standard_normal(mix64(mix64(seed ^ 0x3C6EF372ull) + index * 8 + what));
}

}  // namespace

Result<Generator> Generator::walk_mat(const WalkParams& p, const MatParams& mat) {
  if (auto s = validate(p); !s) return s.error();
  if (auto s = validate(mat); !s) return s.error();
  auto g = std::make_unique<Impl>();
  g->mode = Impl::Mode::walk_mat;
  g->walk = p;
  g->rate = p.sample_rate_hz;
  g->frames = std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::floor(p.duration_s * p.sample_rate_hz)));
  fill_feet_truth(*g, p.foot, "walk", p.body_mass_kg);
  add_noise_meta(*g, p.noise, p.seed);
  add_walk_meta(*g, p);
  StreamInfo si;
  si.name = "mat";
  si.layout = SensorLayout::grid(mat.rows, mat.cols, mat.pitch_mm, mat.pitch_mm).value();
  si.side = Side::both;
  si.sample_rate_hz = p.sample_rate_hz;
  si.device = mat.device;
  si.attributes["simulator"] = "insole::sim walk";
  g->streams.push_back(si);

  const double step_time = 60.0 / p.cadence_steps_per_min;
  g->stance_s = p.stance_fraction * 2.0 * step_time;
  const double L = p.foot.length_mm;
  const double W = mat.cols * mat.pitch_mm, H = mat.rows * mat.pitch_mm;
  const Eigen::Vector2d centre(W / 2, H / 2);
  const double dir0 = p.walk_direction_deg * kDegToRad;
  const Eigen::Vector2d left0(-std::sin(dir0), std::cos(dir0));
  const Eigen::Vector2d line_point = centre + p.lateral_offset_mm * left0;
  const double t_end = static_cast<double>(g->frames - 1) / g->rate;
  std::array<std::vector<Eigen::Vector2d>, 2> contact{contact_points(g->feet[0]), contact_points(g->feet[1])};

  double pass_start = 0;
  std::uint64_t index = 0;
  for (int pass = 0; pass_start <= t_end; ++pass) {
    const double dir = dir0 + (pass % 2 ? std::numbers::pi : 0.0);
    const Eigen::Vector2d d(std::cos(dir), std::sin(dir));
    const Eigen::Vector2d left(-d.y(), d.x());
    const double extent = std::abs(d.x()) * W + std::abs(d.y()) * H;
    // The first heel lands just off the mat so that the foot enters it at the next step.
    const double a0 = -(extent / 2 + L + 0.25 * p.step_length_mm);
    const double a_last = extent / 2 + 0.25 * p.step_length_mm;
    // On a treadmill the feet land in place, centred on the mat, until the recording ends.
    const double stride = p.treadmill ? 0.0 : p.step_length_mm;
    const double first = p.treadmill ? -L / 2 : a0;
    auto more = [&](int k) {
      return p.treadmill ? 0.05 + k * step_time <= t_end + step_time : a0 + k * p.step_length_mm <= a_last;
    };
    int k = 0;
    for (; more(k); ++k, ++index) {
      const Side side = ((k + pass) % 2 == 0) ? Side::right : Side::left;
      const double sgn = side == Side::right ? -1.0 : 1.0;  // right foot on the walker's right
      const double along = first + k * stride + p.variability * p.step_length_mm * jitter(p.seed, index, 0);
      const double across = sgn * p.step_width_mm / 2 + 0.5 * p.variability * p.step_length_mm * jitter(p.seed, index, 1);
      const double fpa = p.progression_angle_deg + 0.75 * p.variability * 100.0 * jitter(p.seed, index, 2);
      const double start = pass_start + 0.05 + k * step_time +
                           std::clamp(0.5 * p.variability * step_time * jitter(p.seed, index, 3), -0.2 * step_time,
                                      0.2 * step_time);
      Placement pl;
      pl.side = side;
      const Eigen::Vector2d base = line_point + along * d + across * left;
      // The left pass line is the same line in space: recentre on the pass-0 line.
      pl.heel = base;
      pl.axis_rad = dir + (side == Side::right ? -fpa : fpa) * kDegToRad;
      const double end = start + g->stance_s;
      if (end < 0 || start > t_end) continue;
      // Share of contact on the mat.
      const auto& pts = contact[static_cast<std::size_t>(Impl::foot_index(side))];
      std::size_t on = 0;
      for (const auto& q : pts) {
        const Eigen::Vector2d m = pl.to_stream(q);
        if (m.x() >= 0 && m.x() < W && m.y() >= 0 && m.y() < H) ++on;
      }
      if (on == 0) continue;
      FootfallTruth f;
      f.stream = 0;
      f.side = side;
      f.pass = pass;
      f.start_s = start;
      f.ffc_s = start + g->feet[1].events().ffc * g->stance_s;
      f.ho_s = start + g->feet[1].events().ho * g->stance_s;
      f.end_s = end;
      f.heel_mm = pl.heel;
      f.toe_mm = pl.to_stream({0, L});
      f.axis_angle_deg = std::remainder(pl.axis_rad / kDegToRad, 360.0);
      f.progression_angle_deg = fpa;
      f.walk_direction_deg = std::remainder(dir / kDegToRad, 360.0);
      f.on_mat_fraction = static_cast<double>(on) / static_cast<double>(pts.size());
      f.partial = f.on_mat_fraction < 0.999 || start < 0 || end > t_end;
      f.peak_force_n = g->weight_n * std::max(p.force.peak1_bw, p.force.peak2_bw);
      g->truth.footfalls.push_back(f);
      g->fall_place.push_back(pl);
    }
    pass_start += 0.05 + (k - 1) * step_time + g->stance_s + p.turn_time_s;
    if (p.treadmill) break;
  }
  // Keep footfalls in order of initial contact (jitter may swap neighbours only across passes).
  std::vector<std::size_t> order(g->truth.footfalls.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return g->truth.footfalls[a].start_s < g->truth.footfalls[b].start_s;
  });
  std::vector<FootfallTruth> ff;
  std::vector<Placement> pl;
  for (auto i : order) {
    ff.push_back(g->truth.footfalls[i]);
    pl.push_back(g->fall_place[i]);
  }
  g->truth.footfalls = std::move(ff);
  g->fall_place = std::move(pl);
  return Generator(std::move(g));
}

Result<Generator> Generator::stand_mat(const StandParams& p, const MatParams& mat) {
  if (auto s = validate(p); !s) return s.error();
  if (auto s = validate(mat); !s) return s.error();
  auto g = std::make_unique<Impl>();
  g->mode = Impl::Mode::stand_mat;
  g->stand = p;
  g->rate = p.sample_rate_hz;
  g->frames = std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::floor(p.duration_s * p.sample_rate_hz)));
  fill_feet_truth(*g, p.foot, "stand", p.body_mass_kg);
  add_noise_meta(*g, p.noise, p.seed);
  g->meta.attributes["sim.stance_width_mm"] = num(p.stance_width_mm);
  g->meta.attributes["sim.facing_deg"] = num(p.facing_deg);
  StreamInfo si;
  si.name = "mat";
  si.layout = SensorLayout::grid(mat.rows, mat.cols, mat.pitch_mm, mat.pitch_mm).value();
  si.side = Side::both;
  si.sample_rate_hz = p.sample_rate_hz;
  si.device = mat.device;
  si.attributes["simulator"] = "insole::sim stand";
  g->streams.push_back(si);
  const double L = p.foot.length_mm;
  const Eigen::Vector2d centre(mat.cols * mat.pitch_mm / 2, mat.rows * mat.pitch_mm / 2);
  const double face = p.facing_deg * kDegToRad;
  const Eigen::Vector2d f(std::cos(face), std::sin(face));
  const Eigen::Vector2d right(f.y(), -f.x());
  const double t_end = static_cast<double>(g->frames - 1) / g->rate;
  for (int side = 0; side < 2; ++side) {
    const double sgn = side == 1 ? 1.0 : -1.0;
    Placement pl;
    pl.side = side == 1 ? Side::right : Side::left;
    pl.heel = centre + sgn * (p.stance_width_mm / 2) * right - 0.45 * L * f;
    pl.axis_rad = face - sgn * p.progression_angle_deg * kDegToRad;
    g->fixed[static_cast<std::size_t>(side)] = build_basis(g->feet[static_cast<std::size_t>(side)], pl, si.layout);
    FootfallTruth t;
    t.side = pl.side;
    t.start_s = t.ffc_s = t.ho_s = 0;
    t.end_s = t_end;
    t.heel_mm = pl.heel;
    t.toe_mm = pl.to_stream({0, L});
    t.axis_angle_deg = std::remainder(pl.axis_rad / kDegToRad, 360.0);
    t.progression_angle_deg = p.progression_angle_deg;
    t.walk_direction_deg = std::remainder(p.facing_deg, 360.0);
    std::size_t on = 0;
    const auto pts = contact_points(g->feet[static_cast<std::size_t>(side)]);
    for (const auto& q : pts) {
      const Eigen::Vector2d m = pl.to_stream(q);
      if (m.x() >= 0 && m.x() < mat.cols * mat.pitch_mm && m.y() >= 0 && m.y() < mat.rows * mat.pitch_mm) ++on;
    }
    t.on_mat_fraction = pts.empty() ? 0 : static_cast<double>(on) / static_cast<double>(pts.size());
    t.partial = t.on_mat_fraction < 0.999;
    t.peak_force_n = g->weight_n * (0.5 + 3 * p.sway_ml_share);
    g->truth.footfalls.push_back(t);
  }
  return Generator(std::move(g));
}

Result<Generator> Generator::walk_insoles(const WalkParams& p, const SensorLayout& layout) {
  if (auto s = validate(p); !s) return s.error();
  if (layout.sensor_count() == 0 || !layout.has_geometry())
    return make_error(Errc::invalid_argument, "insole layout needs sensors with known positions and areas");
  auto g = std::make_unique<Impl>();
  g->mode = Impl::Mode::walk_insoles;
  g->walk = p;
  g->rate = p.sample_rate_hz;
  g->frames = std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::floor(p.duration_s * p.sample_rate_hz)));
  fill_feet_truth(*g, p.foot, "walk", p.body_mass_kg);
  add_noise_meta(*g, p.noise, p.seed);
  add_walk_meta(*g, p);
  // Left insole: the mirror image of the right one.
  SensorLayout left_layout;
  double x0 = 0, y0 = 0;
  if (layout.is_grid()) {
    left_layout = SensorLayout::grid(layout.rows(), layout.cols(), layout.row_pitch_mm(), layout.col_pitch_mm()).value();
    std::vector<bool> present(layout.present().size());
    for (int r = 0; r < layout.rows(); ++r)
      for (int c = 0; c < layout.cols(); ++c)
        present[static_cast<std::size_t>(layout.index(r, c))] =
            layout.present()[static_cast<std::size_t>(layout.index(r, layout.cols() - 1 - c))];
    (void)left_layout.set_present(std::move(present));
    x0 = layout.cols() * layout.col_pitch_mm() / 2.0;
    y0 = kInsoleHeelMarginMm;
  } else {
    Eigen::MatrixX2d xy = layout.centres_mm();
    xy.col(0) *= -1.0;
    left_layout = SensorLayout::sensors(xy, layout.areas_mm2()).value();
    (void)left_layout.set_present(layout.present());
  }
  const std::string what = layout.is_grid() ? "grid insole" : std::to_string(layout.sensor_count()) + "-sensor insole";
  for (int side = 0; side < 2; ++side) {
    StreamInfo si;
    si.name = side == 0 ? "left" : "right";
    si.layout = side == 0 ? left_layout : layout;
    si.side = side == 0 ? Side::left : Side::right;
    si.sample_rate_hz = p.sample_rate_hz;
    si.device = "simulated " + what;
    si.attributes["simulator"] = "insole::sim walk";
    if (layout.is_grid()) si.attributes["foot_frame_origin_mm"] = num(x0) + "," + num(y0);
    Placement pl;
    pl.side = si.side;
    pl.heel = Eigen::Vector2d(x0, y0);
    pl.axis_rad = std::numbers::pi / 2;
    g->fixed[static_cast<std::size_t>(side)] = build_basis(g->feet[static_cast<std::size_t>(side)], pl, si.layout);
    g->streams.push_back(si);
  }
  const double step_time = 60.0 / p.cadence_steps_per_min;
  g->stance_s = p.stance_fraction * 2.0 * step_time;
  const double t_end = static_cast<double>(g->frames - 1) / g->rate;
  for (std::uint64_t k = 0;; ++k) {
    const double start = 0.1 + static_cast<double>(k) * step_time +
                         std::clamp(0.5 * p.variability * step_time * jitter(p.seed, k, 3), -0.2 * step_time,
                                    0.2 * step_time);
    if (start > t_end) break;
    FootfallTruth f;
    f.side = k % 2 == 0 ? Side::right : Side::left;
    f.stream = f.side == Side::left ? 0 : 1;
    f.start_s = start;
    f.ffc_s = start + g->feet[1].events().ffc * g->stance_s;
    f.ho_s = start + g->feet[1].events().ho * g->stance_s;
    f.end_s = start + g->stance_s;
    f.heel_mm = Eigen::Vector2d(x0, y0);
    f.toe_mm = Eigen::Vector2d(x0, y0 + p.foot.length_mm);
    f.axis_angle_deg = 90;
    f.progression_angle_deg = p.progression_angle_deg;
    f.partial = f.end_s > t_end;
    f.peak_force_n = g->weight_n * std::max(p.force.peak1_bw, p.force.peak2_bw);
    g->truth.footfalls.push_back(f);
  }
  return Generator(std::move(g));
}

namespace {

Simulation assemble(Generator& g) {
  Simulation sim;
  sim.recording.meta = g.metadata();
  sim.truth = g.truth();
  for (std::size_t s = 0; s < g.streams().size(); ++s) {
    Stream st;
    st.info = g.streams()[s];
    g.generate(s, 0, g.frame_count(), st.time_s, st.pressure_kpa);
    sim.recording.streams.push_back(std::move(st));
    Eigen::VectorXd l, r;
    g.intended_force(s, 0, g.frame_count(), l, r);
    sim.truth.total_force_n.push_back(l + r);
    sim.truth.foot_force_n.push_back({l, r});
  }
  const double t_end = static_cast<double>(g.frame_count() - 1) / g.sample_rate_hz();
  if (sim.truth.mode == "walk") {
    auto add = [&](double t, const FootfallTruth& f, const char* kind, std::size_t i) {
      if (t < 0 || t > t_end) return;
      sim.recording.events.push_back(Event{t, sim.recording.streams[f.stream].info.name, kind,
                                           "simulated ground truth: side=" + std::string(to_string(f.side)) +
                                               " footfall=" + std::to_string(i)});
    };
    for (std::size_t i = 0; i < sim.truth.footfalls.size(); ++i) {
      const auto& f = sim.truth.footfalls[i];
      add(f.start_s, f, "initial_contact", i);
      add(f.ffc_s, f, "forefoot_contact", i);
      add(f.ho_s, f, "heel_off", i);
      add(f.end_s, f, "toe_off", i);
    }
    std::stable_sort(sim.recording.events.begin(), sim.recording.events.end(),
                     [](const Event& a, const Event& b) { return a.time_s < b.time_s; });
  }
  return sim;
}

Simulation must(Result<Generator> g) {
  if (!g) throw std::invalid_argument("insole::sim: " + g.error().message);
  return assemble(g.value());
}

}  // namespace

Simulation simulate_walk_mat(const WalkParams& p, const MatParams& mat) { return must(Generator::walk_mat(p, mat)); }
Simulation simulate_stand_mat(const StandParams& p, const MatParams& mat) { return must(Generator::stand_mat(p, mat)); }
Simulation simulate_walk_insoles(const WalkParams& p, const SensorLayout& layout) {
  return must(Generator::walk_insoles(p, layout));
}

Result<Simulation> run(const Spec& spec) {
  auto g = make_generator(spec);
  if (!g) return g.error();
  return assemble(g.value());
}

}  // namespace insole::sim
