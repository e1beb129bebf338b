#include "insole/analysis/gait.hpp"

#include <algorithm>
#include <cmath>

namespace insole::analysis {

namespace {

// Time at which `s` first reaches `thr` at or after index `from`, interpolated with the sample
// before; nullopt when it never does.
std::optional<double> first_reaching(const Eigen::Ref<const Eigen::VectorXd>& s,
                                     const Eigen::VectorXd& t, double thr, Eigen::Index from = 0) {
  for (Eigen::Index k = std::max<Eigen::Index>(from, 0); k < s.size(); ++k) {
    if (s[k] < thr) continue;
    if (k == 0 || k == from || s[k - 1] >= thr) return t[k];
    const double a = (thr - s[k - 1]) / (s[k] - s[k - 1]);
    return t[k - 1] + a * (t[k] - t[k - 1]);
  }
  return std::nullopt;
}

// Time at which `s` last is at or above `thr`, interpolated with the sample after.
std::optional<double> last_above(const Eigen::Ref<const Eigen::VectorXd>& s, const Eigen::VectorXd& t,
                                 double thr) {
  for (Eigen::Index k = s.size() - 1; k >= 0; --k) {
    if (s[k] < thr) continue;
    if (k + 1 >= s.size()) return t[k];
    const double a = (s[k] - thr) / (s[k] - s[k + 1]);
    return t[k] + a * (t[k + 1] - t[k]);
  }
  return std::nullopt;
}

// First time after index `from` at which `s` falls below `thr`, interpolated.
std::optional<double> first_below(const Eigen::Ref<const Eigen::VectorXd>& s, const Eigen::VectorXd& t,
                                  double thr, Eigen::Index from) {
  for (Eigen::Index k = from + 1; k < s.size(); ++k) {
    if (s[k] >= thr) continue;
    const double a = (s[k - 1] - thr) / (s[k - 1] - s[k]);
    return t[k - 1] + a * (t[k] - t[k - 1]);
  }
  return std::nullopt;
}

}  // namespace

GaitEvents detect_gait_events(const FootfallSamples& samples, const BandSeries& series,
                              const GaitEventParams& params) {
  GaitEvents ev;
  const Eigen::VectorXd& t = samples.time_s;
  const Eigen::VectorXd& total = series.total_force_n;
  if (t.size() == 0) return ev;
  ev.ic_s = t[0];
  ev.to_s = t[t.size() - 1];
  const double peak = total.size() ? total.maxCoeff() : 0.0;
  if (!(peak > 0.0)) return ev;
  const double thr = params.contact_fraction * peak;
  const double region_thr = params.region_contact_fraction * peak;
  ev.ic_s = first_reaching(total, t, thr).value_or(t[0]);
  ev.to_s = last_above(total, t, thr).value_or(t[t.size() - 1]);
  ev.stance_s = std::max(0.0, ev.to_s - ev.ic_s);

  // Forefoot contact: earliest strip contact; forefoot flat: the latest strip's first contact.
  for (Eigen::Index c = 0; c < series.strip_force_n.cols(); ++c) {
    const auto on = first_reaching(series.strip_force_n.col(c), t, region_thr);
    if (!on) {
      ev.ff_s.reset();
      // A strip that never loads (e.g. a supinated forefoot) leaves FF undefined; FFC may exist.
      for (Eigen::Index d = 0; d < series.strip_force_n.cols(); ++d) {
        const auto o = first_reaching(series.strip_force_n.col(d), t, region_thr);
        if (o && (!ev.ffc_s || *o < *ev.ffc_s)) ev.ffc_s = o;
      }
      break;
    }
    if (!ev.ffc_s || *on < *ev.ffc_s) ev.ffc_s = on;
    if (!ev.ff_s || *on > *ev.ff_s) ev.ff_s = on;
  }
  if (ev.ffc_s) ev.ffc_s = std::max(*ev.ffc_s, ev.ic_s);
  if (ev.ff_s) ev.ff_s = std::max(*ev.ff_s, ev.ic_s);

  const auto heel = series.force_n.col(static_cast<int>(Band::heel));
  ev.heel_on_s = first_reaching(heel, t, region_thr);
  if (ev.heel_on_s) {
    Eigen::Index kp = 0;
    heel.maxCoeff(&kp);
    ev.ho_s = std::min(first_below(heel, t, region_thr, kp).value_or(ev.to_s), ev.to_s);
    const double on = std::max(*ev.heel_on_s, ev.ic_s);
    ev.heel_contact_percent = ev.stance_s > 0 ? 100.0 * std::max(0.0, *ev.ho_s - on) / ev.stance_s : 0.0;
    ev.heel_first = *ev.heel_on_s <= ev.ic_s + params.toe_first_window_fraction * ev.stance_s;
  } else {
    ev.heel_first = false;
  }

  if (ev.stance_s > 0.0 && ev.ffc_s && ev.ff_s) {
    const double pct = 100.0 / ev.stance_s;
    const double ffc = *ev.ffc_s;
    const double ff = std::max(*ev.ff_s, ffc);
    // No heel contact: the foot never goes flat; push-off starts at forefoot flat.
    const double ho = ev.ho_s ? std::clamp(*ev.ho_s, ev.ic_s, ev.to_s) : ff;
    ev.initial_contact_percent = (ffc - ev.ic_s) * pct;
    ev.forefoot_contact_percent = (ff - ffc) * pct;
    ev.foot_flat_percent = std::max(0.0, ho - ff) * pct;
    ev.push_off_percent = std::max(0.0, ev.to_s - std::max(ho, ff)) * pct;
  }
  return ev;
}

namespace {

void fill_side(SideTiming& out, const std::vector<ContactInterval>& all, Side side,
               const GaitTimingParams& p) {
  std::vector<double> stance, stride, swing, step, dsupport, stance_pct;
  const Side other = side == Side::left ? Side::right : Side::left;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& c = all[i];
    if (c.side != side) continue;
    stance.push_back(c.to_s - c.ic_s);
    // Previous contact of either side: a step when it is the opposite foot and close enough.
    for (std::size_t j = i; j-- > 0;) {
      if (all[j].side == side) break;
      if (all[j].side == other) {
        if (c.ic_s - all[j].ic_s <= p.max_step_s) step.push_back(c.ic_s - all[j].ic_s);
        break;
      }
    }
    // Next contact of this side.
    std::size_t k = i + 1;
    while (k < all.size() && all[k].side != side) ++k;
    if (k >= all.size()) continue;
    const double st = all[k].ic_s - c.ic_s;
    if (!(st > 0.0) || st > p.max_stride_s) continue;
    stride.push_back(st);
    swing.push_back(all[k].ic_s - c.to_s);
    stance_pct.push_back(100.0 * (c.to_s - c.ic_s) / st);
    // Double support: overlap of this stance with opposite stances, counted only when the
    // opposite foot was observed both before this contact (loading response) and during the
    // stride (pre-swing); otherwise part of the double support would be missed.
    double overlap = 0.0;
    bool seen_before = false, seen_during = false;
    for (std::size_t j = 0; j < all.size(); ++j) {
      if (all[j].side != other) continue;
      if (all[j].ic_s < c.ic_s) seen_before = true;
      if (all[j].ic_s >= c.ic_s && all[j].ic_s < all[k].ic_s) seen_during = true;
      const double lo = std::max(c.ic_s, all[j].ic_s);
      const double hi = std::min(std::min(c.to_s, all[k].ic_s), all[j].to_s);
      if (hi > lo) overlap += hi - lo;
    }
    if (seen_before && seen_during) dsupport.push_back(100.0 * overlap / st);
  }
  out.stance_s = summarize(stance);
  out.stride_s = summarize(stride);
  out.swing_s = summarize(swing);
  out.step_s = summarize(step);
  out.double_support_percent = summarize(dsupport);
  out.stance_percent = summarize(stance_pct);
}

std::optional<double> si(const std::optional<Spread>& l, const std::optional<Spread>& r) {
  if (!l || !r) return std::nullopt;
  return symmetry_index_percent(l->median, r->median);
}

}  // namespace

GaitTiming gait_timing(std::vector<ContactInterval> contacts, const GaitTimingParams& params) {
  std::sort(contacts.begin(), contacts.end(),
            [](const ContactInterval& a, const ContactInterval& b) { return a.ic_s < b.ic_s; });
  GaitTiming g;
  fill_side(g.left, contacts, Side::left, params);
  fill_side(g.right, contacts, Side::right, params);
  std::vector<double> steps, strides;
  for (const SideTiming* s : {&g.left, &g.right}) {
    if (s->step_s) steps.push_back(s->step_s->median);
    if (s->stride_s) strides.push_back(s->stride_s->median);
  }
  if (!steps.empty()) {
    double sum = 0;
    for (double v : steps) sum += v;
    g.cadence_steps_per_min = 60.0 / (sum / static_cast<double>(steps.size()));
  } else if (!strides.empty()) {
    double sum = 0;
    for (double v : strides) sum += v;
    g.cadence_steps_per_min = 120.0 / (sum / static_cast<double>(strides.size()));
  }
  g.stance_symmetry_percent = si(g.left.stance_s, g.right.stance_s);
  g.swing_symmetry_percent = si(g.left.swing_s, g.right.swing_s);
  g.step_symmetry_percent = si(g.left.step_s, g.right.step_s);
  return g;
}

}  // namespace insole::analysis
