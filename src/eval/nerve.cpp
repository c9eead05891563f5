// The fuzzy Čech nerve and the crisp-overlap nerve of chart memberships (see nerve.hpp).
#include "topoembed/eval/nerve.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include <torch/torch.h>

namespace topoembed::eval {
namespace {

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

// Calls visit(S) for every chart set S of size 1..max_size, by size then lexicographically.
void for_each_chart_set(std::int64_t k, int max_size, const std::function<void(const std::vector<ph::vertex_t>&)>& visit) {
  for (int size = 1; size <= max_size; ++size) {
    std::vector<ph::vertex_t> s(static_cast<std::size_t>(size));
    for (int i = 0; i < size; ++i) s[static_cast<std::size_t>(i)] = i;
    while (true) {
      visit(s);
      int i = size - 1;
      while (i >= 0 && s[static_cast<std::size_t>(i)] == k - size + i) --i;
      if (i < 0) break;
      ++s[static_cast<std::size_t>(i)];
      for (int j = i + 1; j < size; ++j) s[static_cast<std::size_t>(j)] = s[static_cast<std::size_t>(j - 1)] + 1;
    }
  }
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

}  // namespace

std::vector<std::vector<double>> FuzzyNerve::edge_strengths() const {
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
  const Memberships m = checked_memberships("fuzzy_nerve", membership, options);
  const auto n = static_cast<std::size_t>(m.n);
  const auto k = static_cast<std::size_t>(m.k);

  // Per chart: the conditioning weights w_j(x) and their total (E_{x|j} f = Σ w_j f / Σ w_j).
  std::vector<double> weight(n * k, 0.0);
  for (std::size_t x = 0; x < n; ++x) {
    if (options.conditioning == NerveConditioning::kMembershipWeighted) {
      for (std::size_t j = 0; j < k; ++j) weight[x * k + j] = m.q[x * k + j];
    } else {
      const auto* row = &m.q[x * k];
      weight[x * k + static_cast<std::size_t>(std::max_element(row, row + k) - row)] = 1.0;
    }
  }
  std::vector<double> mass(k, 0.0);
  for (std::size_t x = 0; x < n; ++x)
    for (std::size_t j = 0; j < k; ++j) mass[j] += weight[x * k + j];

  FuzzyNerve nerve;
  nerve.charts = m.k;
  nerve.max_dim = options.max_dim;
  nerve.filtration = options.filtration;
  nerve.cap = options.filtration == NerveFiltration::kNormalizedLog ? options.log_cap : 1.0;
  std::map<std::vector<ph::vertex_t>, std::size_t> position;
  for_each_chart_set(m.k, max_set_size(m.k, options.max_dim), [&](const std::vector<ph::vertex_t>& s) {
    double u = 0.0;
    if (options.conditioning == NerveConditioning::kMembershipWeighted) {
      // Every term has the numerator Σ_x Π_{l∈S} q_l(x): one pass over the sample, not |S|.
      double joint = 0.0;
      for (std::size_t x = 0; x < n; ++x) {
        double prod = 1.0;
        for (const auto l : s) prod *= m.q[x * k + l];
        joint += prod;
      }
      for (const auto j : s)
        if (mass[j] > 0.0) u += joint / mass[j];  // a chart without mass has no conditional mean: 0
    } else {
      for (const auto j : s) {
        if (mass[j] <= 0.0) continue;  // no conditional mean: the term counts 0
        double e = 0.0;
        for (std::size_t x = 0; x < n; ++x) {
          const double w = weight[x * k + j];
          if (w == 0.0) continue;
          double prod = 1.0;
          for (const auto l : s)
            if (l != j) prod *= m.q[x * k + l];
          e += w * prod;
        }
        u += e / mass[j];
      }
    }
    u /= static_cast<double>(s.size());
    double value = raw_value(u, s.size(), nerve.filtration, nerve.cap);
    if (s.size() > 1) {  // monotone: no earlier than any facet
      std::vector<ph::vertex_t> facet(s.size() - 1);
      for (std::size_t drop = 0; drop < s.size(); ++drop) {
        std::size_t f = 0;
        for (std::size_t i = 0; i < s.size(); ++i)
          if (i != drop) facet[f++] = s[i];
        value = std::max(value, nerve.values[position.at(facet)]);
      }
    }
    position.emplace(s, nerve.simplices.size());
    nerve.simplices.push_back(s);
    nerve.strengths.push_back(u);
    nerve.values.push_back(value);
  });
  return nerve;
}

ph::ComplexPersistence<double> nerve_persistence(const FuzzyNerve& nerve, std::uint32_t modulus) {
  if (nerve.charts < 1 || nerve.simplices.empty())
    throw std::invalid_argument("nerve_persistence: expected a nerve of k >= 1 charts, got an empty nerve");
  return nerve.complex().persistence(
      ph::ComplexPersistenceOptions().with_max_dim(nerve.max_dim).with_modulus(modulus));
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
  CrispNerve nerve;
  for_each_chart_set(m.k, max_set_size(m.k, options.max_dim), [&](const std::vector<ph::vertex_t>& s) {
    for (std::size_t x = 0; x < n; ++x) {
      bool all = true;
      for (const auto j : s) all = all && m.q[x * k + static_cast<std::size_t>(j)] >= epsilon;
      if (all) {
        nerve.simplices.push_back(s);
        return;
      }
    }
  });
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
