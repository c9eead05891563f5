// The fuzzy Čech nerve and the crisp-overlap nerve of chart memberships (see nerve.hpp).
#include "topoembed/eval/nerve.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <stdexcept>
#include <string>

#include <torch/torch.h>

#include "detail/nerve_levels.hpp"
#include "topoembed/ph/thread_pool.hpp"

namespace topoembed::eval {
namespace {

using detail::CandidateGroup;
using detail::ChartSet;
using detail::ChartSetHash;
using detail::next_level_candidates;

constexpr int kMaxNerveDim = 8;

// Checked copy of the memberships, row-major [n, k] in double.
struct Memberships {
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::vector<double> q;
  double at(std::int64_t x, std::int64_t j) const { return q[static_cast<std::size_t>(x * k + j)]; }
};

Memberships checked_memberships(const char* op, const torch::Tensor& membership, const NerveOptions& options) {
  auto fail = [op](const std::string& what) { throw std::invalid_argument(std::string(op) + ": " + what); };
  if (!membership.defined()) fail("expected memberships [N, k], got an undefined tensor");
  if (membership.dim() != 2) {
    std::ostringstream s;
    s << "expected memberships [N, k], got a tensor of shape " << membership.sizes();
    fail(s.str());
  }
  if (!membership.is_floating_point()) fail("expected floating-point memberships, got an integer tensor");
  if (membership.size(1) < 1) fail("expected k >= 1 charts, got 0");
  if (membership.size(0) < 1) fail("expected N >= 1 sample points, got 0");
  if (options.max_dim < 0 || options.max_dim > kMaxNerveDim)
    fail("max_dim must be in [0, " + std::to_string(kMaxNerveDim) + "], got " + std::to_string(options.max_dim));
  if (!(options.log_cap > 0.0 && std::isfinite(options.log_cap)))
    fail("log_cap must be a finite value > 0, got " + std::to_string(options.log_cap));
  if (!(options.row_sum_tolerance >= 0.0))
    fail("row_sum_tolerance must be >= 0, got " + std::to_string(options.row_sum_tolerance));
  Memberships m;
  m.n = membership.size(0);
  m.k = membership.size(1);
  const auto t = membership.detach().to(torch::kCPU, torch::kDouble).contiguous();
  m.q.assign(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
  for (std::int64_t x = 0; x < m.n; ++x) {
    double sum = 0.0;
    for (std::int64_t j = 0; j < m.k; ++j) {
      const double v = m.at(x, j);
      if (!std::isfinite(v))
        fail("membership (" + std::to_string(x) + ", " + std::to_string(j) + ") is " + std::to_string(v) +
             ", expected a finite value in [0, 1]");
      if (v < 0.0)
        fail("membership (" + std::to_string(x) + ", " + std::to_string(j) + ") is " + std::to_string(v) +
             ", expected a value in [0, 1]");
      sum += v;
    }
    if (std::abs(sum - 1.0) > options.row_sum_tolerance) {
      std::ostringstream s;
      s << "row " << x << " of the memberships sums to " << sum << ", expected 1 within "
        << options.row_sum_tolerance;
      fail(s.str());
    }
  }
  return m;
}

int max_set_size(std::int64_t k, int max_dim) {
  return static_cast<int>(std::min<std::int64_t>(k, max_dim + 2));
}

// The filtration value of a chart set of `size` charts with strength u, before the monotone fix.
double raw_value(double u, std::size_t size, NerveFiltration filtration, double cap) {
  if (filtration == NerveFiltration::kOneMinusStrength) return 1.0 - std::clamp(u, 0.0, 1.0);
  if (!(u > 0.0)) return cap;  // a chart without mass, or charts that never meet
  if (size == 1) return 0.0;
  return std::clamp(-std::log(std::min(u, 1.0)) / static_cast<double>(size - 1), 0.0, cap);
}

// u_S of candidate chart sets, each computed exactly as the definition in nerve.hpp reads: the
// product over S in the order of S's charts, summed over the sample in order (so the numbers do
// not depend on the grouping or the thread count). The sets f ∪ {b} of one group share f, whose
// product the weighted conditioning computes once, from the cached product of the longest prefix
// it shares with the group before.
class StrengthEstimator {
 public:
  StrengthEstimator(const Memberships& m, NerveConditioning conditioning)
      : m_(m), conditioning_(conditioning), n_(static_cast<std::size_t>(m.n)), k_(static_cast<std::size_t>(m.k)),
        column_(n_ * k_), mass_(k_, 0.0) {
    for (std::size_t x = 0; x < n_; ++x)
      for (std::size_t j = 0; j < k_; ++j) column_[j * n_ + x] = m.q[x * k_ + j];
    if (conditioning == NerveConditioning::kMembershipWeighted) {
      for (std::size_t x = 0; x < n_; ++x)
        for (std::size_t j = 0; j < k_; ++j) mass_[j] += m.q[x * k_ + j];
    } else {
      points_of_.resize(k_);
      for (std::size_t x = 0; x < n_; ++x) {
        const auto* row = &m.q[x * k_];
        const auto j = static_cast<std::size_t>(std::max_element(row, row + k_) - row);  // ties: lowest index
        points_of_[j].push_back(x);
        mass_[j] += 1.0;
      }
    }
  }

  // The products Π_{t ≤ i} q_{charts[t]}(x) of the prefixes of the last set asked for, kept per
  // thread: consecutive groups (in lexicographic order) share most of their prefix.
  struct PrefixProducts {
    ChartSet charts;
    std::vector<std::vector<double>> products;
  };

  // u of f ∪ {b} for each b in extensions (b > every chart of f) into out[0..).
  void strengths(const ChartSet& f, const std::vector<ph::vertex_t>& extensions, double* out,
                 PrefixProducts& cache) const {
    ChartSet s(f);
    s.push_back(0);
    if (conditioning_ == NerveConditioning::kMembershipWeighted) {
      // Every term has the numerator Σ_x Π_{l∈S} q_l(x): one pass over the sample per set. The
      // product runs over S in order, as ((q_{s0} q_{s1}) q_{s2}) …, whatever was cached.
      std::size_t common = 0;
      while (common < f.size() && common < cache.charts.size() && cache.charts[common] == f[common]) ++common;
      cache.charts = f;
      if (cache.products.size() < f.size()) cache.products.resize(f.size());
      for (std::size_t i = common; i < f.size(); ++i) {
        auto& p = cache.products[i];
        p.resize(n_);
        const double* q = &column_[static_cast<std::size_t>(f[i]) * n_];
        if (i == 0) {
          std::copy(q, q + n_, p.begin());
        } else {
          const auto& previous = cache.products[i - 1];
          for (std::size_t x = 0; x < n_; ++x) p[x] = previous[x] * q[x];
        }
      }
      // Four extensions per sweep: four independent sums (each still in sample order) instead of
      // one chain of dependent additions.
      const double* prefix = f.empty() ? nullptr : cache.products[f.size() - 1].data();
      double joint[4];
      for (std::size_t e0 = 0; e0 < extensions.size(); e0 += 4) {
        const std::size_t width = std::min<std::size_t>(4, extensions.size() - e0);
        const double* q[4];
        for (std::size_t w = 0; w < 4; ++w)
          q[w] = &column_[static_cast<std::size_t>(extensions[e0 + std::min(w, width - 1)]) * n_];
        joint[0] = joint[1] = joint[2] = joint[3] = 0.0;
        if (prefix == nullptr) {  // the vertices: Σ_x 1 · q_j(x)
          for (std::size_t x = 0; x < n_; ++x)
            for (std::size_t w = 0; w < 4; ++w) joint[w] += q[w][x];
        } else {
          for (std::size_t x = 0; x < n_; ++x) {
            const double p = prefix[x];
            joint[0] += p * q[0][x];
            joint[1] += p * q[1][x];
            joint[2] += p * q[2][x];
            joint[3] += p * q[3][x];
          }
        }
        for (std::size_t w = 0; w < width; ++w) {
          s.back() = extensions[e0 + w];
          double u = 0.0;
          for (const auto j : s)
            if (mass_[j] > 0.0) u += joint[w] / mass_[j];  // a chart without mass has no conditional mean: 0
          out[e0 + w] = u / static_cast<double>(s.size());
        }
      }
      return;
    }
    for (std::size_t e = 0; e < extensions.size(); ++e) {
      s.back() = extensions[e];
      double u = 0.0;
      for (const auto j : s) {
        if (mass_[j] <= 0.0) continue;  // no conditional mean: the term counts 0
        double sum = 0.0;
        for (const auto x : points_of_[j]) {
          double prod = 1.0;
          for (const auto l : s)
            if (l != j) prod *= m_.q[x * k_ + l];
          sum += prod;
        }
        u += sum / mass_[j];
      }
      out[e] = u / static_cast<double>(s.size());
    }
  }

 private:
  const Memberships& m_;
  NerveConditioning conditioning_;
  std::size_t n_;
  std::size_t k_;
  std::vector<double> column_;                       // column-major copy: chart j at [j n, (j + 1) n)
  std::vector<double> mass_;                         // Σ_x w_j(x)
  std::vector<std::vector<std::size_t>> points_of_;  // kArgmax: the points whose argmax chart is j
};

}  // namespace

std::vector<std::vector<double>> FuzzyNerve::edge_strengths() const {
  if (strength_matrix.size() == static_cast<std::size_t>(charts)) return strength_matrix;
  // A nerve assembled by hand: the listed vertices and edges only.
  std::vector<std::vector<double>> u(static_cast<std::size_t>(charts),
                                     std::vector<double>(static_cast<std::size_t>(charts), 0.0));
  for (std::size_t i = 0; i < simplices.size(); ++i) {
    const auto& s = simplices[i];
    if (s.size() == 1) u[s[0]][s[0]] = strengths[i];
    if (s.size() == 2) u[s[0]][s[1]] = u[s[1]][s[0]] = strengths[i];
  }
  return u;
}

ph::FilteredComplex<double> FuzzyNerve::complex() const { return ph::FilteredComplex<double>(simplices, values); }

FuzzyNerve fuzzy_nerve(const torch::Tensor& membership, const NerveOptions& options) {
  if (options.threads < 1)
    throw std::invalid_argument("fuzzy_nerve: threads must be >= 1, got " + std::to_string(options.threads));
  if (options.max_candidates < 0)
    throw std::invalid_argument("fuzzy_nerve: max_candidates must be >= 0 (0: no limit), got " +
                                std::to_string(options.max_candidates));
  const Memberships m = checked_memberships("fuzzy_nerve", membership, options);
  const auto k = static_cast<std::size_t>(m.k);
  const StrengthEstimator estimator(m, options.conditioning);

  FuzzyNerve nerve;
  nerve.charts = m.k;
  nerve.max_dim = options.max_dim;
  nerve.filtration = options.filtration;
  nerve.cap = options.filtration == NerveFiltration::kNormalizedLog ? options.log_cap : 1.0;
  nerve.strength_matrix.assign(k, std::vector<double>(k, 0.0));
  const auto listed_value = [&](double value) { return options.every_chart_set || value < nerve.cap; };

  // Size 1: every chart; size 2: every pair (the chart graph wants all edge strengths, and k²/2
  // passes are cheap); larger: the candidates whose facets are all listed.
  std::vector<ChartSet> all_vertices(k);
  for (std::size_t j = 0; j < k; ++j) all_vertices[j] = {static_cast<ph::vertex_t>(j)};
  std::vector<double> vertex_value(k, nerve.cap);
  std::vector<ChartSet> listed;  // the listed sets of the previous size
  std::unordered_map<ChartSet, double, ChartSetHash> value_of;  // their values
  const int max_size = max_set_size(m.k, options.max_dim);
  const std::unique_ptr<ph::ThreadPool> pool = options.threads > 1 ? std::make_unique<ph::ThreadPool>(options.threads) : nullptr;
  for (int size = 1; size <= max_size; ++size) {
    std::vector<CandidateGroup> groups;
    const std::vector<ChartSet> no_prefix{ChartSet{}};
    const std::vector<ChartSet>* prefixes = &listed;
    if (size == 1) {
      CandidateGroup g;
      for (std::size_t j = 0; j < k; ++j) g.extensions.push_back(static_cast<ph::vertex_t>(j));
      groups.push_back(std::move(g));
      prefixes = &no_prefix;
    } else if (size == 2) {
      for (std::size_t a = 0; a + 1 < k; ++a) {
        CandidateGroup g;
        g.prefix = a;
        for (std::size_t b = a + 1; b < k; ++b) g.extensions.push_back(static_cast<ph::vertex_t>(b));
        groups.push_back(std::move(g));
      }
      prefixes = &all_vertices;
    } else {
      groups = next_level_candidates(listed);
    }
    std::vector<std::size_t> offset(groups.size() + 1, 0);
    for (std::size_t g = 0; g < groups.size(); ++g) offset[g + 1] = offset[g] + groups[g].extensions.size();
    const std::size_t candidates = offset.back();
    nerve.candidates.push_back(static_cast<std::int64_t>(candidates));
    if (options.max_candidates > 0 && static_cast<std::int64_t>(candidates) > options.max_candidates)
      throw std::length_error("fuzzy_nerve: " + std::to_string(static_cast<std::int64_t>(candidates)) + " candidate chart sets of " +
                              std::to_string(size) + " charts (all facets below the cap), more than max_candidates = " +
                              std::to_string(options.max_candidates) + "; lower max_dim or raise the limit");
    // The passes over the sample, in parallel over chunks of consecutive groups of about equal
    // work (consecutive groups share prefixes); each set's sum stays in sample order, so the
    // result does not depend on the thread count.
    std::vector<double> u(candidates);
    const std::size_t chunks = std::min<std::size_t>(groups.size(), 8 * static_cast<std::size_t>(options.threads));
    std::vector<std::size_t> chunk_begin(chunks + 1, groups.size());
    for (std::size_t c = 0, g = 0; c < chunks; ++c) {
      chunk_begin[c] = g;
      const std::size_t target = candidates * (c + 1) / chunks;
      while (g < groups.size() && offset[g + 1] <= target) ++g;
      if (g == chunk_begin[c] && g < groups.size()) ++g;
    }
    std::atomic<std::size_t> next_chunk{0};
    const auto work = [&](int) {
      StrengthEstimator::PrefixProducts cache;
      for (std::size_t c = next_chunk++; c < chunks; c = next_chunk++)
        for (std::size_t g = chunk_begin[c]; g < chunk_begin[c + 1]; ++g)
          estimator.strengths((*prefixes)[groups[g].prefix], groups[g].extensions, &u[offset[g]], cache);
    };
    if (pool && chunks > 1) pool->run(pool->size(), work);
    else work(0);
    std::vector<ChartSet> next;
    std::unordered_map<ChartSet, double, ChartSetHash> next_value_of;
    ChartSet facet(static_cast<std::size_t>(size - 1));
    for (std::size_t g = 0; g < groups.size(); ++g) {
      for (std::size_t e = 0; e < groups[g].extensions.size(); ++e) {
        ChartSet s((*prefixes)[groups[g].prefix]);
        s.push_back(groups[g].extensions[e]);
        const double strength = u[offset[g] + e];
        double value = raw_value(strength, s.size(), nerve.filtration, nerve.cap);
        if (size == 1) {
          vertex_value[static_cast<std::size_t>(s[0])] = value;
          nerve.strength_matrix[static_cast<std::size_t>(s[0])][static_cast<std::size_t>(s[0])] = strength;
        } else if (size == 2) {  // monotone: no earlier than its vertices (listed or not)
          value = std::max({value, vertex_value[static_cast<std::size_t>(s[0])], vertex_value[static_cast<std::size_t>(s[1])]});
          nerve.strength_matrix[static_cast<std::size_t>(s[0])][static_cast<std::size_t>(s[1])] = strength;
          nerve.strength_matrix[static_cast<std::size_t>(s[1])][static_cast<std::size_t>(s[0])] = strength;
        } else {  // monotone: no earlier than any facet (all listed, by the candidate rule)
          for (std::size_t drop = 0; drop < s.size(); ++drop) {
            std::size_t f = 0;
            for (std::size_t i = 0; i < s.size(); ++i)
              if (i != drop) facet[f++] = s[i];
            value = std::max(value, value_of.at(facet));
          }
        }
        if (!listed_value(value)) continue;  // enters at the cap: not listed
        nerve.simplices.push_back(s);
        nerve.strengths.push_back(strength);
        nerve.values.push_back(value);
        next_value_of.emplace(s, value);
        next.push_back(std::move(s));
      }
    }
    listed = std::move(next);
    value_of = std::move(next_value_of);
    if (listed.empty()) break;  // nothing below the cap: no larger candidates either
  }
  return nerve;
}

ph::ComplexPersistence<double> nerve_persistence(const FuzzyNerve& nerve, std::uint32_t modulus) {
  if (nerve.charts < 1 || nerve.simplices.empty())
    throw std::invalid_argument("nerve_persistence: expected a nerve of k >= 1 charts, got an empty nerve");
  for (std::size_t i = 0; i < nerve.values.size(); ++i)
    if (nerve.values[i] > nerve.cap) {
      std::ostringstream s;
      s << "nerve_persistence: simplex " << i << " has value " << nerve.values[i] << ", expected at most the cap "
        << nerve.cap;
      throw std::invalid_argument(s.str());
    }
  const auto complex = nerve.complex();
  auto pers = complex.persistence(ph::ComplexPersistenceOptions().with_max_dim(nerve.max_dim).with_modulus(modulus));
  // The chart sets not listed enter at the cap, where the complex becomes the full
  // (max_dim + 1)-skeleton of the simplex on all charts: acyclic up to max_dim. So every class
  // still alive dies at the cap except one component (the oldest: pairs come sorted by death, then
  // birth, then filtration position).
  std::vector<std::int64_t> position(static_cast<std::size_t>(complex.size()));
  for (std::size_t p = 0; p < position.size(); ++p)
    position[static_cast<std::size_t>(complex.filtration_order()[p])] = static_cast<std::int64_t>(p);
  bool kept_component = false;
  std::vector<ph::SimplexPair<double>> pairs;
  for (auto pair : pers.pairs) {
    if (pair.essential()) {
      if (pair.dim == 0 && !kept_component) {
        kept_component = true;
      } else {
        pair.death = nerve.cap;
        if (!(pair.death > pair.birth)) continue;  // born at the cap: no length
      }
    }
    pairs.push_back(pair);
  }
  std::stable_sort(pairs.begin(), pairs.end(), [&](const auto& a, const auto& b) {
    if (a.dim != b.dim) return a.dim < b.dim;
    if (a.death != b.death) return a.death < b.death;
    if (a.birth != b.birth) return a.birth < b.birth;
    return position[static_cast<std::size_t>(a.birth_simplex)] < position[static_cast<std::size_t>(b.birth_simplex)];
  });
  pers.pairs = std::move(pairs);
  std::fill(pers.betti.begin(), pers.betti.end(), 0);
  if (kept_component && !pers.betti.empty()) pers.betti[0] = 1;
  return pers;
}

std::vector<std::int64_t> nerve_betti_numbers(const ph::ComplexPersistence<double>& persistence, int max_dim,
                                              const NerveReading& reading) {
  if (max_dim < 0) throw std::invalid_argument("nerve_betti_numbers: max_dim must be >= 0, got " + std::to_string(max_dim));
  if (!(reading.epsilon > 0.0 && reading.epsilon < 1.0))
    throw std::invalid_argument("nerve_betti_numbers: epsilon must be in (0, 1), got " + std::to_string(reading.epsilon));
  if (!(reading.min_persistence >= 0.0))
    throw std::invalid_argument("nerve_betti_numbers: min_persistence must be >= 0, got " +
                                std::to_string(reading.min_persistence));
  const double at = 1.0 - reading.epsilon;
  std::vector<std::int64_t> betti(static_cast<std::size_t>(max_dim) + 1, 0);
  for (const auto& p : persistence.pairs) {
    if (p.dim < 0 || p.dim > max_dim) continue;
    if (p.birth <= at - reading.min_persistence && p.death > at) ++betti[static_cast<std::size_t>(p.dim)];
  }
  return betti;
}

std::vector<std::int64_t> betti_at_value(const ph::ComplexPersistence<double>& persistence, int max_dim,
                                         double value) {
  if (max_dim < 0) throw std::invalid_argument("betti_at_value: max_dim must be >= 0, got " + std::to_string(max_dim));
  if (!std::isfinite(value)) throw std::invalid_argument("betti_at_value: value must be finite, got " + std::to_string(value));
  std::vector<std::int64_t> betti(static_cast<std::size_t>(max_dim) + 1, 0);
  for (const auto& p : persistence.pairs)
    if (p.dim >= 0 && p.dim <= max_dim && p.birth <= value && value < p.death) ++betti[static_cast<std::size_t>(p.dim)];
  return betti;
}

NerveScaleReading most_persistent_reading(const std::vector<ph::ComplexPersistence<double>>& persistences,
                                          int max_dim, double cap) {
  if (persistences.empty()) throw std::invalid_argument("most_persistent_reading: expected at least one barcode, got none");
  if (max_dim < 0)
    throw std::invalid_argument("most_persistent_reading: max_dim must be >= 0, got " + std::to_string(max_dim));
  if (!std::isfinite(cap)) throw std::invalid_argument("most_persistent_reading: cap must be finite, got " + std::to_string(cap));
  std::vector<double> breaks;
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  for (const auto& pers : persistences) {
    for (const auto& p : pers.pairs) {
      if (p.dim < 0 || p.dim > max_dim) continue;
      const double death = std::min(p.death, cap);
      if (!(death > p.birth)) continue;
      breaks.push_back(p.birth);
      breaks.push_back(death);
      if (p.death < std::numeric_limits<double>::infinity()) {
        if (p.dim == 0) low = std::min(low, death);
        high = std::max(high, death);
      }
    }
  }
  auto read_at = [&](double value) {
    NerveScaleReading r;
    r.value = value;
    for (const auto& pers : persistences) r.betti.push_back(betti_at_value(pers, max_dim, value));
    return r;
  };
  if (!(low < high)) {  // no merge, or nothing dies after it: the complex at the end
    auto r = read_at(cap);
    r.low = r.high = cap;
    return r;
  }
  breaks.push_back(low);
  breaks.push_back(high);
  std::sort(breaks.begin(), breaks.end());
  breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());
  // Maximal stretches of constant Betti vectors (over all fields) inside [low, high].
  NerveScaleReading best;
  bool have_best = false;
  NerveScaleReading current;
  bool have_current = false;
  auto settle = [&] {
    if (have_current && (!have_best || current.high - current.low > best.high - best.low)) {
      best = current;
      have_best = true;
    }
  };
  for (std::size_t i = 0; i + 1 < breaks.size(); ++i) {
    const double a = breaks[i];
    const double b = breaks[i + 1];
    if (a < low || b > high) continue;
    auto r = read_at(0.5 * (a + b));
    if (have_current && r.betti == current.betti && current.high == a) {
      current.high = b;
    } else {
      settle();
      current = r;
      current.low = a;
      current.high = b;
      have_current = true;
    }
  }
  settle();
  best.value = 0.5 * (best.low + best.high);
  return best;
}

NerveScaleReading nerve_betti(const FuzzyNerve& nerve, const std::vector<std::uint32_t>& moduli,
                              std::optional<double> fixed_value) {
  if (moduli.empty()) throw std::invalid_argument("nerve_betti: expected at least one modulus, got none");
  std::vector<ph::ComplexPersistence<double>> persistences;
  for (const auto p : moduli) persistences.push_back(nerve_persistence(nerve, p));
  if (!fixed_value) return most_persistent_reading(persistences, nerve.max_dim, nerve.cap);
  if (!std::isfinite(*fixed_value))
    throw std::invalid_argument("nerve_betti: the fixed value must be finite, got " + std::to_string(*fixed_value));
  NerveScaleReading r;
  r.low = r.high = r.value = *fixed_value;
  for (const auto& pers : persistences) r.betti.push_back(betti_at_value(pers, nerve.max_dim, *fixed_value));
  return r;
}

CrispNerve crisp_nerve(const torch::Tensor& membership, double epsilon, const NerveOptions& options,
                       std::uint32_t modulus) {
  if (!(epsilon > 0.0 && epsilon <= 1.0))
    throw std::invalid_argument("crisp_nerve: epsilon must be in (0, 1], got " + std::to_string(epsilon));
  const Memberships m = checked_memberships("crisp_nerve", membership, options);
  const auto n = static_cast<std::size_t>(m.n);
  const auto k = static_cast<std::size_t>(m.k);
  // Per chart, the points with q_j(x) >= ε as a bit set; S is a simplex when the AND over S is
  // not empty. Simplices are closed under faces, so the candidates of one size come from the
  // simplices of the size below.
  const std::size_t words = (n + 63) / 64;
  std::vector<std::uint64_t> bits(k * words, 0);
  for (std::size_t x = 0; x < n; ++x)
    for (std::size_t j = 0; j < k; ++j)
      if (m.q[x * k + j] >= epsilon) bits[j * words + x / 64] |= std::uint64_t{1} << (x % 64);
  CrispNerve nerve;
  std::vector<ChartSet> listed;
  for (std::size_t j = 0; j < k; ++j)
    if (std::any_of(&bits[j * words], &bits[j * words] + words, [](std::uint64_t w) { return w != 0; }))
      listed.push_back({static_cast<ph::vertex_t>(j)});
  nerve.simplices = listed;
  std::vector<std::uint64_t> common(words);
  for (int size = 2; size <= max_set_size(m.k, options.max_dim) && !listed.empty(); ++size) {
    std::vector<ChartSet> next;
    for (const auto& group : next_level_candidates(listed)) {
      const ChartSet& f = listed[group.prefix];
      std::fill(common.begin(), common.end(), ~std::uint64_t{0});
      for (const auto l : f)
        for (std::size_t w = 0; w < words; ++w) common[w] &= bits[static_cast<std::size_t>(l) * words + w];
      for (const auto b : group.extensions) {
        bool meet = false;
        for (std::size_t w = 0; w < words && !meet; ++w) meet = (common[w] & bits[static_cast<std::size_t>(b) * words + w]) != 0;
        if (!meet) continue;
        ChartSet s(f);
        s.push_back(b);
        next.push_back(std::move(s));
      }
    }
    nerve.simplices.insert(nerve.simplices.end(), next.begin(), next.end());
    listed = std::move(next);
  }
  if (nerve.simplices.empty()) {  // no point reaches ε in any chart: the empty complex
    nerve.betti.assign(static_cast<std::size_t>(options.max_dim) + 1, 0);
    return nerve;
  }
  const ph::FilteredComplex<double> complex(nerve.simplices, std::vector<double>(nerve.simplices.size(), 0.0));
  const auto p = complex.persistence(ph::ComplexPersistenceOptions().with_max_dim(options.max_dim).with_modulus(modulus));
  nerve.betti.assign(p.betti.begin(), p.betti.end());
  nerve.betti.resize(static_cast<std::size_t>(options.max_dim) + 1, 0);
  return nerve;
}

}  // namespace topoembed::eval
