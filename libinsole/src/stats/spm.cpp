#include "insole/stats/spm.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace insole::stats {

namespace {

constexpr std::size_t kSaturated = std::numeric_limits<std::size_t>::max();

/// Uniform integer in [0, bound) from raw mt19937_64 output, rejecting the biased low range
/// (portable: std::uniform_int_distribution is not specified bit for bit).
std::uint64_t bounded(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const std::uint64_t r = rng();
    if (r >= threshold) return r % bound;
  }
}

std::size_t sat_mul(std::size_t a, std::size_t b) {
  if (a != 0 && b > kSaturated / a) return kSaturated;
  return a * b;
}

std::size_t count_relabellings(Design d, std::size_t n, std::size_t na) {
  switch (d) {
    case Design::one_sample:
    case Design::paired:
      return n >= 63 ? kSaturated : (std::size_t{1} << n);
    case Design::two_sample: {
      // C(n, na) by the multiplicative formula, exact at every step (each prefix is a binomial).
      std::size_t c = 1;
      for (std::size_t k = 1; k <= na; ++k) {
        const std::size_t num = sat_mul(c, n - na + k);
        if (num == kSaturated) return kSaturated;
        c = num / k;
      }
      return c;
    }
    case Design::regression: {
      std::size_t f = 1;
      for (std::size_t k = 2; k <= n; ++k) f = sat_mul(f, k);
      return f;
    }
  }
  return kSaturated;
}

/// The data of one test, over the analysed pixels only.
struct Problem {
  Design design = Design::one_sample;
  std::size_t n = 0, na = 0;
  Eigen::MatrixXd Y;        ///< n x P (one_sample: values or differences; regression: centred per pixel)
  Eigen::VectorXd total;    ///< per pixel: sum of y (two_sample)
  Eigen::VectorXd sumsq;    ///< per pixel: sum of y^2 (one/two sample), Syy (regression)
  Eigen::VectorXd x;        ///< centred covariate (regression)
  double sxx = 0.0;
};

/// t at every analysed pixel for the relabelling w (signs, group indicator or permuted x).
void t_map(const Problem& pb, const std::vector<double>& w, std::vector<double>& t) {
  const Eigen::Index P = pb.Y.cols();
  const std::size_t n = pb.n;
  t.resize(static_cast<std::size_t>(P));
  const double* Y = pb.Y.data();
  const double inf = std::numeric_limits<double>::infinity();
  auto ratio = [inf](double num, double var) {
    if (var > 0) return num / std::sqrt(var);
    return num == 0 ? 0.0 : std::copysign(inf, num);
  };
  for (Eigen::Index j = 0; j < P; ++j) {
    const double* col = Y + j * static_cast<Eigen::Index>(n);
    const double nd = static_cast<double>(n);
    switch (pb.design) {
      case Design::one_sample:
      case Design::paired: {
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) s += w[i] * col[i];
        const double mean = s / nd;
        const double var = std::max(0.0, (pb.sumsq(j) - nd * mean * mean) / (nd - 1));
        t[j] = ratio(mean, var / nd);
        break;
      }
      case Design::two_sample: {
        double sa = 0, qa = 0;
        for (std::size_t i = 0; i < n; ++i)
          if (w[i] != 0) sa += col[i], qa += col[i] * col[i];
        const double na = static_cast<double>(pb.na), nb = nd - na;
        const double sb = pb.total(j) - sa, qb = pb.sumsq(j) - qa;
        const double sse = std::max(0.0, (qa - sa * sa / na) + (qb - sb * sb / nb));
        t[j] = ratio(sa / na - sb / nb, sse / (nd - 2) * (1 / na + 1 / nb));
        break;
      }
      case Design::regression: {
        double sxy = 0;
        for (std::size_t i = 0; i < n; ++i) sxy += w[i] * col[i];
        const double sse = std::max(0.0, pb.sumsq(j) - sxy * sxy / pb.sxx);
        // t = b / SE(b), b = Sxy / Sxx, SE^2 = SSE / (n - 2) / Sxx.
        t[j] = ratio(sxy / pb.sxx, sse / (nd - 2) / pb.sxx);
        break;
      }
    }
  }
}

double tail_stat(Tail tail, double t) {
  switch (tail) {
    case Tail::upper: return t;
    case Tail::lower: return -t;
    case Tail::two_sided: return std::abs(t);
  }
  return t;
}

/// Edge-connected components of the analysed pixels.
struct Topology {
  std::vector<std::array<int, 4>> neighbours;  ///< -1 = none
};

Topology topology(const Eigen::MatrixXi& index_of) {
  Topology tp;
  int count = 0;
  for (Eigen::Index i = 0; i < index_of.size(); ++i) count = std::max(count, index_of(i) + 1);
  tp.neighbours.assign(static_cast<std::size_t>(count), {-1, -1, -1, -1});
  for (Eigen::Index c = 0; c < index_of.cols(); ++c)
    for (Eigen::Index r = 0; r < index_of.rows(); ++r) {
      const int k = index_of(r, c);
      if (k < 0) continue;
      auto& nb = tp.neighbours[static_cast<std::size_t>(k)];
      if (r > 0) nb[0] = index_of(r - 1, c);
      if (r + 1 < index_of.rows()) nb[1] = index_of(r + 1, c);
      if (c > 0) nb[2] = index_of(r, c - 1);
      if (c + 1 < index_of.cols()) nb[3] = index_of(r, c + 1);
    }
  return tp;
}

/// Components of {k: sign * t[k] > u}; each a list of analysed-pixel indices.
std::vector<std::vector<int>> components(const Topology& tp, const std::vector<double>& t, double u, int sign,
                                         std::vector<char>& seen, std::vector<int>& stack) {
  std::vector<std::vector<int>> out;
  const int P = static_cast<int>(t.size());
  seen.assign(t.size(), 0);
  for (int k = 0; k < P; ++k) {
    if (seen[k] || !(sign * t[k] > u)) continue;
    out.emplace_back();
    stack.clear();
    stack.push_back(k);
    seen[k] = 1;
    while (!stack.empty()) {
      const int a = stack.back();
      stack.pop_back();
      out.back().push_back(a);
      for (int b : tp.neighbours[a])
        if (b >= 0 && !seen[b] && sign * t[b] > u) seen[b] = 1, stack.push_back(b);
    }
  }
  return out;
}

/// Size of the largest component (no lists kept: the inner loop of every relabelling).
std::size_t largest_component(const Topology& tp, const std::vector<double>& t, double u, int sign,
                              std::vector<char>& seen, std::vector<int>& stack) {
  const int P = static_cast<int>(t.size());
  seen.assign(t.size(), 0);
  std::size_t best = 0;
  for (int k = 0; k < P; ++k) {
    if (seen[k] || !(sign * t[k] > u)) continue;
    std::size_t size = 0;
    stack.clear();
    stack.push_back(k);
    seen[k] = 1;
    while (!stack.empty()) {
      const int a = stack.back();
      stack.pop_back();
      ++size;
      for (int b : tp.neighbours[a])
        if (b >= 0 && !seen[b] && sign * t[b] > u) seen[b] = 1, stack.push_back(b);
    }
    best = std::max(best, size);
  }
  return best;
}

std::vector<int> signs_of(Tail tail) {
  switch (tail) {
    case Tail::upper: return {1};
    case Tail::lower: return {-1};
    case Tail::two_sided: return {1, -1};
  }
  return {1};
}

/// Produces relabellings: exact enumeration or seeded random draws, the identity first.
class Relabeller {
 public:
  Relabeller(const Problem& pb, bool exact, std::uint64_t seed) : pb_(pb), exact_(exact), rng_(seed) {
    order_.resize(pb.n);
    std::iota(order_.begin(), order_.end(), std::size_t{0});
  }

  /// Fills w with the next relabelling; false when an exact enumeration is exhausted.
  bool next(std::vector<double>& w) {
    const std::size_t n = pb_.n;
    w.assign(n, 0.0);
    const bool first = count_ == 0;
    ++count_;
    switch (pb_.design) {
      case Design::one_sample:
      case Design::paired:
        if (exact_) {
          if (n < 63 && count_ - 1 >= (std::size_t{1} << n)) return false;
          const std::size_t k = count_ - 1;  // bit i set: image i flipped; k = 0 is the observed labelling
          for (std::size_t i = 0; i < n; ++i) w[i] = i < 63 && ((k >> i) & 1U) ? -1.0 : 1.0;
        } else {
          for (std::size_t i = 0; i < n; ++i) w[i] = first ? 1.0 : ((rng_() >> 63) ? -1.0 : 1.0);
        }
        return true;
      case Design::two_sample:
        if (exact_) {
          // Combinations of na out of n in lexicographic order; the first is {0..na-1}, observed.
          if (first) {
            comb_.resize(pb_.na);
            std::iota(comb_.begin(), comb_.end(), std::size_t{0});
          } else if (!next_combination()) {
            return false;
          }
          for (std::size_t i : comb_) w[i] = 1.0;
        } else {
          if (!first) shuffle();
          for (std::size_t i = 0; i < pb_.na; ++i) w[order_[i]] = 1.0;
        }
        return true;
      case Design::regression:
        if (exact_) {
          if (!first && !std::next_permutation(order_.begin(), order_.end())) return false;
        } else if (!first) {
          shuffle();
        }
        for (std::size_t i = 0; i < n; ++i) w[i] = pb_.x(static_cast<Eigen::Index>(order_[i]));
        return true;
    }
    return false;
  }

 private:
  void shuffle() {  // Fisher-Yates from the identity's current state
    for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[bounded(rng_, i)]);
  }
  bool next_combination() {
    const std::size_t k = comb_.size(), n = pb_.n;
    std::size_t i = k;
    while (i > 0 && comb_[i - 1] == n - k + i - 1) --i;
    if (i == 0) return false;
    ++comb_[i - 1];
    for (std::size_t j = i; j < k; ++j) comb_[j] = comb_[j - 1] + 1;
    return true;
  }

  const Problem& pb_;
  bool exact_;
  std::mt19937_64 rng_;
  std::vector<std::size_t> order_, comb_;
  std::size_t count_ = 0;
};

Status check_params(const SpmParams& p) {
  if (!(p.alpha > 0 && p.alpha < 1)) return make_error(Errc::invalid_argument, "spm: alpha must be in (0, 1)");
  if (p.permutations < 1) return make_error(Errc::invalid_argument, "spm: at least one permutation is needed");
  if (p.cluster_forming_t ? !std::isfinite(*p.cluster_forming_t)
                          : !(p.cluster_forming_p > 0 && p.cluster_forming_p < 1))
    return make_error(Errc::invalid_argument, "spm: the cluster-forming threshold must be a p in (0, 1) or a finite t");
  if (!(p.min_contact_fraction >= 0 && p.min_contact_fraction <= 1) || !std::isfinite(p.contact_threshold))
    return make_error(Errc::invalid_argument, "spm: min_contact_fraction must be in [0, 1]");
  return {};
}

Status check_images(const std::vector<const Image*>& all) {
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (auto s = validate(*all[i], "image " + std::to_string(i + 1)); !s) return s;
    if (!all[i]->grid.same_as(all[0]->grid, 1e-6))
      return make_error(Errc::invalid_argument, "spm: image " + std::to_string(i + 1) +
                                                    " is not on the grid of image 1 (register and resample first)");
  }
  return {};
}

std::string nearest_region(const RegionMap* regions, const Grid& g, double x, double y) {
  if (!regions || regions->label.rows() != g.rows || regions->label.cols() != g.cols) return {};
  double best = std::numeric_limits<double>::infinity();
  int label = -1;
  for (int r = 0; r < g.rows; ++r)
    for (int c = 0; c < g.cols; ++c) {
      const int l = regions->label(r, c);
      if (l < 0 || static_cast<std::size_t>(l) >= regions->names.size()) continue;
      const double d = std::hypot(g.x_mm(c) - x, g.y_mm(r) - y);
      if (d < best) best = d, label = l;
    }
  return label >= 0 ? regions->names[static_cast<std::size_t>(label)] : std::string{};
}

/// The test itself, once the data are in a Problem. `images` supplies the grid and the mask.
Result<SpmResult> run(Problem pb, const std::vector<int>& rows_of, const std::vector<int>& cols_of,
                      const Grid& grid, const Eigen::MatrixXd& effect_full, const SpmParams& params,
                      const RegionMap* regions) {
  SpmResult res;
  res.design = pb.design;
  res.tail = params.tail;
  res.n = pb.n;
  res.df = static_cast<int>(pb.design == Design::one_sample || pb.design == Design::paired ? pb.n - 1 : pb.n - 2);
  res.alpha = params.alpha;
  res.grid = grid;
  res.seed = params.seed;

  // Observed statistic; pixels where it is undefined (zero variance) leave the analysis.
  {
    std::vector<double> w0;
    Relabeller first(pb, true, 0);
    first.next(w0);
    std::vector<double> t0;
    t_map(pb, w0, t0);
    std::vector<Eigen::Index> keep;
    for (std::size_t j = 0; j < t0.size(); ++j)
      // A column of equal values has no variance: its t is 0/0 or infinite under every relabelling.
      if (std::isfinite(t0[j]) && pb.Y.col(static_cast<Eigen::Index>(j)).maxCoeff() >
                                      pb.Y.col(static_cast<Eigen::Index>(j)).minCoeff())
        keep.push_back(static_cast<Eigen::Index>(j));
    if (keep.empty()) return make_error(Errc::no_data, "spm: no pixel has a defined statistic (no variation)");
    if (keep.size() != t0.size()) {
      Problem q = pb;
      q.Y.resize(static_cast<Eigen::Index>(pb.n), static_cast<Eigen::Index>(keep.size()));
      q.total.resize(static_cast<Eigen::Index>(keep.size()));
      q.sumsq.resize(static_cast<Eigen::Index>(keep.size()));
      std::vector<int> r2, c2;
      for (std::size_t k = 0; k < keep.size(); ++k) {
        const Eigen::Index j = keep[k];
        q.Y.col(static_cast<Eigen::Index>(k)) = pb.Y.col(j);
        q.total(static_cast<Eigen::Index>(k)) = pb.total.size() ? pb.total(j) : 0.0;
        q.sumsq(static_cast<Eigen::Index>(k)) = pb.sumsq(j);
        r2.push_back(rows_of[static_cast<std::size_t>(j)]);
        c2.push_back(cols_of[static_cast<std::size_t>(j)]);
      }
      return run(std::move(q), r2, c2, grid, effect_full, params, regions);
    }
  }

  const std::size_t P = static_cast<std::size_t>(pb.Y.cols());
  Eigen::MatrixXi index_of = Eigen::MatrixXi::Constant(grid.rows, grid.cols, -1);
  for (std::size_t k = 0; k < P; ++k) index_of(rows_of[k], cols_of[k]) = static_cast<int>(k);
  const Topology tp = topology(index_of);

  res.possible_permutations = count_relabellings(pb.design, pb.n, pb.na);
  res.exact = res.possible_permutations <= params.permutations;
  res.permutations = res.exact ? res.possible_permutations : params.permutations;
  res.cluster_forming_t = params.cluster_forming_t ? *params.cluster_forming_t
                                                   : t_upper_quantile(params.cluster_forming_p, res.df);
  const double u = res.cluster_forming_t;
  const std::vector<int> signs = signs_of(params.tail);

  Relabeller relabel(pb, res.exact, params.seed);
  std::vector<double> w, t, t_obs;
  std::vector<char> seen;
  std::vector<int> stack;
  res.max_distribution.reserve(res.permutations);
  res.cluster_distribution.reserve(res.permutations);
  for (std::size_t k = 0; k < res.permutations && relabel.next(w); ++k) {
    t_map(pb, w, t);
    if (k == 0) t_obs = t;
    double m = -std::numeric_limits<double>::infinity();
    for (double v : t) m = std::max(m, tail_stat(params.tail, v));
    res.max_distribution.push_back(m);
    std::size_t biggest = 0;
    for (int s : signs) biggest = std::max(biggest, largest_component(tp, t, u, s, seen, stack));
    res.cluster_distribution.push_back(static_cast<double>(biggest));
    if (params.progress) params.progress(k + 1, res.permutations);
  }
  const std::size_t N = res.max_distribution.size();
  // The relabeller ran out early (cannot happen when its count is right): still end at the total.
  if (params.progress && N != res.permutations) params.progress(N, N);
  res.permutations = N;

  // c-th largest, c = floor(alpha N) + 1 (Nichols & Holmes 2002).
  const std::size_t c = static_cast<std::size_t>(std::floor(params.alpha * static_cast<double>(N))) + 1;
  auto cth_largest = [&](std::vector<double> v) {
    std::sort(v.begin(), v.end(), std::greater<>());
    return v[std::min(c, v.size()) - 1];
  };
  res.threshold_t = cth_largest(res.max_distribution);
  res.critical_cluster_pixels = cth_largest(res.cluster_distribution);
  auto share_at_or_above = [N](const std::vector<double>& dist, double v) {
    std::size_t k = 0;
    for (double d : dist) k += d >= v;
    return static_cast<double>(k) / static_cast<double>(N);
  };

  const double nan = std::numeric_limits<double>::quiet_NaN();
  res.statistic = Image::zeros(grid);
  res.statistic.values.setConstant(nan);
  res.p_fwe = Eigen::MatrixXd::Constant(grid.rows, grid.cols, nan);
  res.effect = Eigen::MatrixXd::Constant(grid.rows, grid.cols, nan);
  res.mask = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(grid.rows, grid.cols, false);
  std::vector<double> p_pix(P);
  for (std::size_t k = 0; k < P; ++k) {
    const int r = rows_of[k], cc = cols_of[k];
    res.statistic.values(r, cc) = t_obs[k];
    p_pix[k] = share_at_or_above(res.max_distribution, tail_stat(params.tail, t_obs[k]));
    res.p_fwe(r, cc) = p_pix[k];
    res.effect(r, cc) = effect_full(r, cc);
    res.mask(r, cc) = true;
  }

  auto describe = [&](const std::vector<int>& pix, int sign) {
    Cluster cl;
    cl.sign = sign;
    cl.pixels = pix.size();
    cl.area_mm2 = static_cast<double>(pix.size()) * grid.pixel_area_mm2();
    double best = -1;
    for (int k : pix) {
      const double x = grid.x_mm(cols_of[static_cast<std::size_t>(k)]), y = grid.y_mm(rows_of[static_cast<std::size_t>(k)]);
      cl.centroid_x_mm += x / static_cast<double>(pix.size());
      cl.centroid_y_mm += y / static_cast<double>(pix.size());
      if (std::abs(t_obs[static_cast<std::size_t>(k)]) > best) {
        best = std::abs(t_obs[static_cast<std::size_t>(k)]);
        cl.peak_t = t_obs[static_cast<std::size_t>(k)];
        cl.peak_x_mm = x, cl.peak_y_mm = y;
      }
    }
    cl.region = nearest_region(regions, grid, cl.centroid_x_mm, cl.centroid_y_mm);
    return cl;
  };
  for (int s : signs) {
    for (const auto& pix : components(tp, t_obs, res.threshold_t, s, seen, stack)) {
      Cluster cl = describe(pix, s);
      cl.p_fwe = 1.0;
      for (int k : pix) cl.p_fwe = std::min(cl.p_fwe, p_pix[static_cast<std::size_t>(k)]);
      res.peak_clusters.push_back(cl);
    }
    for (const auto& pix : components(tp, t_obs, u, s, seen, stack)) {
      Cluster cl = describe(pix, s);
      cl.p_fwe = share_at_or_above(res.cluster_distribution, static_cast<double>(pix.size()));
      res.extent_clusters.push_back(cl);
    }
  }
  auto by_size = [](const Cluster& a, const Cluster& b) { return a.pixels > b.pixels; };
  std::stable_sort(res.peak_clusters.begin(), res.peak_clusters.end(), by_size);
  std::stable_sort(res.extent_clusters.begin(), res.extent_clusters.end(), by_size);
  return res;
}

/// Analysed pixels: at least min_contact_fraction of the images above contact_threshold.
void select_pixels(const std::vector<const Image*>& all, const SpmParams& params, std::vector<int>& rows_of,
                   std::vector<int>& cols_of) {
  const Grid& g = all[0]->grid;
  for (int c = 0; c < g.cols; ++c)
    for (int r = 0; r < g.rows; ++r) {
      std::size_t contact = 0;
      bool finite = true;
      for (const Image* im : all) {
        const double v = im->values(r, c);
        finite = finite && std::isfinite(v);
        contact += v > params.contact_threshold;
      }
      // min_contact_fraction 0: every finite pixel (data that are not pressure, e.g. differences).
      if (finite && (params.min_contact_fraction <= 0 ||
                     (contact > 0 && static_cast<double>(contact) >=
                                         params.min_contact_fraction * static_cast<double>(all.size()))))
        rows_of.push_back(r), cols_of.push_back(c);
    }
}

Result<SpmResult> sample_test(Design design, const std::vector<Image>& a, const std::vector<Image>* b,
                              const SpmParams& params, const RegionMap* regions) {
  if (auto s = check_params(params); !s) return s.error();
  const std::size_t n = a.size();
  if (n < 2) return make_error(Errc::invalid_argument, "spm: at least 2 images (subjects) are needed");
  if (design == Design::paired && (!b || b->size() != n))
    return make_error(Errc::invalid_argument, "spm: paired test: both conditions need one image per subject (" +
                                                  std::to_string(n) + " vs " +
                                                  std::to_string(b ? b->size() : 0) + ")");
  std::vector<const Image*> all;
  for (const auto& im : a) all.push_back(&im);
  if (b)
    for (const auto& im : *b) all.push_back(&im);
  if (auto s = check_images(all); !s) return s.error();
  std::vector<int> rows_of, cols_of;
  select_pixels(all, params, rows_of, cols_of);
  if (rows_of.empty()) return make_error(Errc::no_data, "spm: no pixel has contact in enough images");
  const Grid& g = a[0].grid;
  Problem pb;
  pb.design = design;
  pb.n = n;
  const Eigen::Index P = static_cast<Eigen::Index>(rows_of.size());
  pb.Y.resize(static_cast<Eigen::Index>(n), P);
  for (Eigen::Index j = 0; j < P; ++j)
    for (std::size_t i = 0; i < n; ++i) {
      const double va = a[i].values(rows_of[static_cast<std::size_t>(j)], cols_of[static_cast<std::size_t>(j)]);
      const double vb = design == Design::paired
                            ? (*b)[i].values(rows_of[static_cast<std::size_t>(j)], cols_of[static_cast<std::size_t>(j)])
                            : 0.0;
      pb.Y(static_cast<Eigen::Index>(i), j) = va - vb;
    }
  pb.sumsq = pb.Y.colwise().squaredNorm().transpose();
  Eigen::MatrixXd effect = Eigen::MatrixXd::Constant(g.rows, g.cols, std::numeric_limits<double>::quiet_NaN());
  for (Eigen::Index j = 0; j < P; ++j)
    effect(rows_of[static_cast<std::size_t>(j)], cols_of[static_cast<std::size_t>(j)]) = pb.Y.col(j).mean();
  return run(std::move(pb), rows_of, cols_of, g, effect, params, regions);
}

}  // namespace

std::string to_string(Design d) {
  switch (d) {
    case Design::one_sample: return "one_sample";
    case Design::paired: return "paired";
    case Design::two_sample: return "two_sample";
    case Design::regression: return "regression";
  }
  return "?";
}

std::string to_string(Tail t) {
  switch (t) {
    case Tail::two_sided: return "two_sided";
    case Tail::upper: return "upper";
    case Tail::lower: return "lower";
  }
  return "?";
}

double t_upper_quantile(double p, int df) {
  const boost::math::students_t dist(static_cast<double>(df));
  return boost::math::quantile(boost::math::complement(dist, p));
}

Result<SpmResult> one_sample(const std::vector<Image>& images, const SpmParams& params, const RegionMap* regions) {
  return sample_test(Design::one_sample, images, nullptr, params, regions);
}

Result<SpmResult> paired(const std::vector<Image>& a, const std::vector<Image>& b, const SpmParams& params,
                         const RegionMap* regions) {
  return sample_test(Design::paired, a, &b, params, regions);
}

Result<SpmResult> two_sample(const std::vector<Image>& a, const std::vector<Image>& b, const SpmParams& params,
                             const RegionMap* regions) {
  if (auto s = check_params(params); !s) return s.error();
  if (a.empty() || b.empty() || a.size() + b.size() < 3)
    return make_error(Errc::invalid_argument, "spm: two-sample test: each group needs at least one image and "
                                              "both together at least 3");
  std::vector<const Image*> all;
  for (const auto& im : a) all.push_back(&im);
  for (const auto& im : b) all.push_back(&im);
  if (auto s = check_images(all); !s) return s.error();
  std::vector<int> rows_of, cols_of;
  select_pixels(all, params, rows_of, cols_of);
  if (rows_of.empty()) return make_error(Errc::no_data, "spm: no pixel has contact in enough images");
  const Grid& g = a[0].grid;
  Problem pb;
  pb.design = Design::two_sample;
  pb.n = all.size();
  pb.na = a.size();
  const Eigen::Index P = static_cast<Eigen::Index>(rows_of.size());
  pb.Y.resize(static_cast<Eigen::Index>(pb.n), P);
  for (Eigen::Index j = 0; j < P; ++j)
    for (std::size_t i = 0; i < pb.n; ++i)
      pb.Y(static_cast<Eigen::Index>(i), j) =
          all[i]->values(rows_of[static_cast<std::size_t>(j)], cols_of[static_cast<std::size_t>(j)]);
  pb.total = pb.Y.colwise().sum().transpose();
  pb.sumsq = pb.Y.colwise().squaredNorm().transpose();
  Eigen::MatrixXd effect = Eigen::MatrixXd::Constant(g.rows, g.cols, std::numeric_limits<double>::quiet_NaN());
  const Eigen::Index na = static_cast<Eigen::Index>(pb.na);
  for (Eigen::Index j = 0; j < P; ++j)
    effect(rows_of[static_cast<std::size_t>(j)], cols_of[static_cast<std::size_t>(j)]) =
        pb.Y.col(j).head(na).mean() - pb.Y.col(j).tail(pb.Y.rows() - na).mean();
  return run(std::move(pb), rows_of, cols_of, g, effect, params, regions);
}

Result<SpmResult> regression(const std::vector<Image>& images, const std::vector<double>& covariate,
                             const SpmParams& params, const RegionMap* regions) {
  if (auto s = check_params(params); !s) return s.error();
  const std::size_t n = images.size();
  if (n < 3) return make_error(Errc::invalid_argument, "spm: regression needs at least 3 images");
  if (covariate.size() != n)
    return make_error(Errc::invalid_argument, "spm: regression: " + std::to_string(covariate.size()) +
                                                  " covariate values for " + std::to_string(n) + " images");
  for (double v : covariate)
    if (!std::isfinite(v)) return make_error(Errc::invalid_argument, "spm: regression: a covariate value is not finite");
  std::vector<const Image*> all;
  for (const auto& im : images) all.push_back(&im);
  if (auto s = check_images(all); !s) return s.error();
  std::vector<int> rows_of, cols_of;
  select_pixels(all, params, rows_of, cols_of);
  if (rows_of.empty()) return make_error(Errc::no_data, "spm: no pixel has contact in enough images");
  Problem pb;
  pb.design = Design::regression;
  pb.n = n;
  pb.x = Eigen::Map<const Eigen::VectorXd>(covariate.data(), static_cast<Eigen::Index>(n));
  pb.x.array() -= pb.x.mean();
  pb.sxx = pb.x.squaredNorm();
  if (!(pb.sxx > 0)) return make_error(Errc::invalid_argument, "spm: regression: the covariate does not vary");
  const Eigen::Index P = static_cast<Eigen::Index>(rows_of.size());
  pb.Y.resize(static_cast<Eigen::Index>(n), P);
  for (Eigen::Index j = 0; j < P; ++j)
    for (std::size_t i = 0; i < n; ++i)
      pb.Y(static_cast<Eigen::Index>(i), j) =
          images[i].values(rows_of[static_cast<std::size_t>(j)], cols_of[static_cast<std::size_t>(j)]);
  pb.Y.rowwise() -= pb.Y.colwise().mean();
  pb.sumsq = pb.Y.colwise().squaredNorm().transpose();
  const Grid& g = images[0].grid;
  Eigen::MatrixXd effect = Eigen::MatrixXd::Constant(g.rows, g.cols, std::numeric_limits<double>::quiet_NaN());
  for (Eigen::Index j = 0; j < P; ++j)
    effect(rows_of[static_cast<std::size_t>(j)], cols_of[static_cast<std::size_t>(j)]) =
        pb.x.dot(pb.Y.col(j)) / pb.sxx;
  return run(std::move(pb), rows_of, cols_of, g, effect, params, regions);
}

}  // namespace insole::stats
