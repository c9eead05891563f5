// The fuzzy Čech nerve: strengths and filtration values by hand (normalised −log and 1 − u),
// covers of a circle (3 and 4 arcs), of a sphere (octahedral caps) and of a torus (3 × 3 product
// of arcs) with the expected Betti numbers by the most persistent reading, that reading on a
// hand-made barcode, the sparse nerve (sets below the cap only) against the dense one (the old
// code, kept here as the oracle), T³ covered by 64 grid charts read through dimension 3, the
// crisp-overlap nerve (level-wise against set by set), bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <torch/torch.h>

#include "../support/expect_error.hpp"
#include "topoembed/data/generators.hpp"
#include "topoembed/eval/nerve.hpp"

namespace ev = topoembed::eval;

namespace {

constexpr double kPi = 3.14159265358979323846;

using topoembed::test_support::error_of;

// n points on the circle covered by k arcs: bump (1 − |θ − c_j| / r)_+² around equally spaced
// centres, r = 0.75 · 2π/k (only neighbouring arcs overlap), normalised to a partition of unity.
torch::Tensor circle_cover(std::int64_t n, std::int64_t k) {
  auto q = torch::zeros({n, k}, torch::kDouble);
  auto a = q.accessor<double, 2>();
  const double r = 0.75 * 2 * kPi / static_cast<double>(k);
  for (std::int64_t x = 0; x < n; ++x) {
    const double theta = 2 * kPi * static_cast<double>(x) / static_cast<double>(n);
    double sum = 0;
    for (std::int64_t j = 0; j < k; ++j) {
      double d = std::fmod(std::abs(theta - 2 * kPi * static_cast<double>(j) / static_cast<double>(k)), 2 * kPi);
      d = std::min(d, 2 * kPi - d);
      const double b = std::max(0.0, 1.0 - d / r);
      a[x][j] = b * b;
      sum += b * b;
    }
    for (std::int64_t j = 0; j < k; ++j) a[x][j] /= sum;
  }
  return q;
}

// n Fibonacci points on S² covered by the 6 caps around ±e_i with q = (max(0, ±x_i))², which
// already sum to |x|² = 1: the nerve is the boundary of the octahedron.
torch::Tensor sphere_cover(std::int64_t n) {
  auto q = torch::zeros({n, 6}, torch::kDouble);
  auto a = q.accessor<double, 2>();
  const double golden = kPi * (3.0 - std::sqrt(5.0));
  for (std::int64_t x = 0; x < n; ++x) {
    const double z = 1.0 - 2.0 * (static_cast<double>(x) + 0.5) / static_cast<double>(n);
    const double rho = std::sqrt(1.0 - z * z);
    const double p[3] = {rho * std::cos(golden * static_cast<double>(x)), rho * std::sin(golden * static_cast<double>(x)), z};
    for (int i = 0; i < 3; ++i) {
      a[x][2 * i] = p[i] > 0 ? p[i] * p[i] : 0.0;
      a[x][2 * i + 1] = p[i] < 0 ? p[i] * p[i] : 0.0;
    }
  }
  return q;
}

// An n × n grid on the flat torus [0, 2π)² covered by the 3 × 3 products of the 3-arc circle
// cover: q_{3a+b}(θ, φ) = q_a(θ) q_b(φ). Products of arcs and their intersections are
// contractible, so the nerve (with its 4-fold corners) is a torus.
torch::Tensor torus_cover(std::int64_t n) {
  const auto arcs = circle_cover(n, 3);  // [n, 3]
  auto q = torch::zeros({n * n, 9}, torch::kDouble);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      q[i * n + j] = (arcs[i].unsqueeze(1) * arcs[j].unsqueeze(0)).reshape({9});
  return q;
}

std::vector<double> persistences(const topoembed::ph::ComplexPersistence<double>& p, int dim) {
  std::vector<double> out;
  for (const auto& pair : p.dimension(dim)) out.push_back(pair.persistence());
  std::sort(out.rbegin(), out.rend());
  return out;
}

// The dense nerve of earlier versions, kept here as the oracle of the sparse one: every chart
// set of up to max_dim + 2 charts, by size then lexicographically, each strength by its own
// passes over the sample, values made monotone over all facets.
struct DenseNerve {
  std::vector<std::vector<topoembed::ph::vertex_t>> simplices;
  std::vector<double> strengths;
  std::vector<double> values;
};

DenseNerve dense_nerve(const torch::Tensor& membership, const ev::NerveOptions& options) {
  const auto t = membership.to(torch::kDouble).contiguous();
  const auto n = static_cast<std::size_t>(t.size(0));
  const auto k = static_cast<std::size_t>(t.size(1));
  const double* q = t.data_ptr<double>();
  const bool weighted = options.conditioning == ev::NerveConditioning::kMembershipWeighted;
  const bool log_scale = options.filtration == ev::NerveFiltration::kNormalizedLog;
  const double cap = log_scale ? options.log_cap : 1.0;
  std::vector<double> weight(n * k, 0.0);
  for (std::size_t x = 0; x < n; ++x) {
    if (weighted) {
      for (std::size_t j = 0; j < k; ++j) weight[x * k + j] = q[x * k + j];
    } else {
      weight[x * k + static_cast<std::size_t>(std::max_element(q + x * k, q + x * k + k) - (q + x * k))] = 1.0;
    }
  }
  std::vector<double> mass(k, 0.0);
  for (std::size_t x = 0; x < n; ++x)
    for (std::size_t j = 0; j < k; ++j) mass[j] += weight[x * k + j];
  DenseNerve nerve;
  std::map<std::vector<topoembed::ph::vertex_t>, double> value_of;
  const std::size_t max_size = std::min(k, static_cast<std::size_t>(options.max_dim) + 2);
  for (std::size_t size = 1; size <= max_size; ++size) {
    std::vector<topoembed::ph::vertex_t> s(size);
    for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<topoembed::ph::vertex_t>(i);
    while (true) {
      double u = 0.0;
      if (weighted) {
        double joint = 0.0;
        for (std::size_t x = 0; x < n; ++x) {
          double prod = 1.0;
          for (const auto l : s) prod *= q[x * k + l];
          joint += prod;
        }
        for (const auto j : s)
          if (mass[j] > 0.0) u += joint / mass[j];
      } else {
        for (const auto j : s) {
          if (mass[j] <= 0.0) continue;
          double e = 0.0;
          for (std::size_t x = 0; x < n; ++x) {
            const double w = weight[x * k + j];
            if (w == 0.0) continue;
            double prod = 1.0;
            for (const auto l : s)
              if (l != j) prod *= q[x * k + l];
            e += w * prod;
          }
          u += e / mass[j];
        }
      }
      u /= static_cast<double>(size);
      double value = 0.0;
      if (!log_scale) value = 1.0 - std::clamp(u, 0.0, 1.0);
      else if (!(u > 0.0)) value = cap;
      else if (size > 1) value = std::clamp(-std::log(std::min(u, 1.0)) / static_cast<double>(size - 1), 0.0, cap);
      for (std::size_t drop = 0; drop < size && size > 1; ++drop) {
        auto facet = s;
        facet.erase(facet.begin() + static_cast<std::ptrdiff_t>(drop));
        value = std::max(value, value_of.at(facet));
      }
      value_of[s] = value;
      nerve.simplices.push_back(s);
      nerve.strengths.push_back(u);
      nerve.values.push_back(value);
      std::size_t i = size;
      while (i > 0 && static_cast<std::size_t>(s[i - 1]) == k - size + i - 1) --i;
      if (i == 0) break;
      ++s[i - 1];
      for (std::size_t j = i; j < size; ++j) s[j] = s[j - 1] + 1;
    }
  }
  return nerve;
}

// The bars of positive length as (dim, birth, death), sorted.
std::vector<std::tuple<int, double, double>> bars_of(const topoembed::ph::ComplexPersistence<double>& p) {
  std::vector<std::tuple<int, double, double>> out;
  for (const auto& pair : p.pairs) out.emplace_back(pair.dim, pair.birth, pair.death);
  std::sort(out.begin(), out.end());
  return out;
}

// Memberships with exact zeros (so that many sets never meet, u = 0): points in [0, 1]² and k
// random centres, q_j ∝ (1 − |x − c_j|² / r²)_+ (r = 0.45), plus a small uniform share for the
// points no bump reaches.
torch::Tensor bump_memberships(std::int64_t n, std::int64_t k, at::Generator& gen) {
  const auto x = torch::rand({n, 2}, gen, torch::kDouble);
  const auto c = torch::rand({k, 2}, gen, torch::kDouble);
  auto q = torch::clamp_min(1.0 - torch::cdist(x, c).square() / (0.45 * 0.45), 0.0);
  const auto empty = q.sum(1, true) == 0;
  q = torch::where(empty, torch::ones_like(q), q);
  return q / q.sum(1, true);
}

// n points of T³ ⊂ R⁶ with memberships softmax(−‖x − c_j‖² / T) to the m × m × m grid of centres
// (angles (i + ½) 2π/m), T = 0.08 × the mean squared distance to the nearest centre.
torch::Tensor three_torus_grid_memberships(std::int64_t n, std::int64_t m, std::uint64_t seed) {
  const auto x = topoembed::data::make_three_torus({n, 0.0, seed}).points;
  auto centres = torch::zeros({m * m * m, 6}, torch::kDouble);
  for (std::int64_t a = 0; a < m; ++a)
    for (std::int64_t b = 0; b < m; ++b)
      for (std::int64_t c = 0; c < m; ++c) {
        const std::int64_t j = (a * m + b) * m + c;
        const double angle[3] = {(static_cast<double>(a) + 0.5) * 2 * kPi / static_cast<double>(m),
                                 (static_cast<double>(b) + 0.5) * 2 * kPi / static_cast<double>(m),
                                 (static_cast<double>(c) + 0.5) * 2 * kPi / static_cast<double>(m)};
        for (int i = 0; i < 3; ++i) {
          centres[j][2 * i] = std::cos(angle[i]);
          centres[j][2 * i + 1] = std::sin(angle[i]);
        }
      }
  const auto d2 = torch::cdist(x, centres).square();
  const double temperature = 0.08 * std::get<0>(d2.min(1)).mean().item<double>();
  return torch::softmax(-d2 / temperature, 1);
}

}  // namespace

TEST(FuzzyNerve, StrengthsByHand) {
  const auto q = torch::tensor({1.0, 0.0, 0.5, 0.5}, torch::kDouble).view({2, 2});
  // Weighted: masses 1.5 and 0.5, Σ q0 q1 = 0.25: u = ½(0.25/1.5 + 0.25/0.5) = 1/3.
  const auto w = ev::fuzzy_nerve(q);
  ASSERT_EQ(w.simplices.size(), 3u);
  EXPECT_EQ(w.simplices[2], (std::vector<topoembed::ph::vertex_t>{0, 1}));
  EXPECT_DOUBLE_EQ(w.strengths[0], 1.0);
  EXPECT_DOUBLE_EQ(w.strengths[1], 1.0);
  EXPECT_NEAR(w.strengths[2], 1.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(w.values[0], 0.0);
  EXPECT_NEAR(w.values[2], std::log(3.0), 1e-12);  // −log(u) / (|S| − 1)
  EXPECT_DOUBLE_EQ(w.cap, 30.0);
  EXPECT_NEAR(w.edge_strengths()[1][0], 1.0 / 3.0, 1e-12);
  const auto one_minus = ev::fuzzy_nerve(q, ev::NerveOptions().with_filtration(ev::NerveFiltration::kOneMinusStrength));
  EXPECT_NEAR(one_minus.values[2], 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(one_minus.cap, 1.0);
  // Argmax: both points in chart 0 (tie → lowest); E_{x|0} q1 = 0.25, chart 1 has no points
  // (term 0, vertex strength 0, value at the cap), so u = 0.125 and the edge enters with its
  // vertex at the cap: neither is listed, the strength matrix has them.
  const auto argmax = ev::NerveOptions().with_conditioning(ev::NerveConditioning::kArgmax);
  const auto h = ev::fuzzy_nerve(q, argmax);
  ASSERT_EQ(h.simplices.size(), 1u);
  EXPECT_DOUBLE_EQ(h.strength_matrix[1][1], 0.0);
  EXPECT_NEAR(h.edge_strengths()[0][1], 0.125, 1e-12);
  EXPECT_EQ(h.candidates, (std::vector<std::int64_t>{2, 1}));
  // Listing every set (the dense enumeration) keeps them, at the cap.
  const auto every = ev::fuzzy_nerve(q, ev::NerveOptions(argmax).with_every_chart_set(true));
  ASSERT_EQ(every.simplices.size(), 3u);
  EXPECT_DOUBLE_EQ(every.strengths[1], 0.0);
  EXPECT_DOUBLE_EQ(every.values[1], 30.0);
  EXPECT_NEAR(every.strengths[2], 0.125, 1e-12);
  EXPECT_DOUBLE_EQ(every.values[2], 30.0);
  auto h1 = ev::fuzzy_nerve(q, ev::NerveOptions(argmax).with_every_chart_set(true).with_filtration(
                                   ev::NerveFiltration::kOneMinusStrength));
  EXPECT_DOUBLE_EQ(h1.values[1], 1.0);
  EXPECT_DOUBLE_EQ(h1.values[2], 1.0);
  EXPECT_EQ(ev::fuzzy_nerve(q, ev::NerveOptions(argmax).with_filtration(ev::NerveFiltration::kOneMinusStrength))
                .simplices.size(),
            1u);
  // Both give one component and nothing else.
  for (const auto& nerve : {h, every}) {
    const auto pers = ev::nerve_persistence(nerve, 2);
    EXPECT_EQ(pers.betti, (std::vector<topoembed::ph::index_t>{1, 0, 0}));
    ASSERT_EQ(pers.pairs.size(), 1u);
    EXPECT_TRUE(pers.pairs[0].essential());
  }
}

TEST(FuzzyNerve, TripleStrengthIsSymmetrisedMean) {
  // Three charts, one point with q = (0.2, 0.3, 0.5) and one with q = (1, 0, 0).
  const auto q = torch::tensor({0.2, 0.3, 0.5, 1.0, 0.0, 0.0}, torch::kDouble).view({2, 3});
  const auto nerve = ev::fuzzy_nerve(q);
  ASSERT_EQ(nerve.simplices.size(), 7u);
  EXPECT_EQ(nerve.simplices.back(), (std::vector<topoembed::ph::vertex_t>{0, 1, 2}));
  const double prod = 0.2 * 0.3 * 0.5;
  const double expected = (prod / 1.2 + prod / 0.3 + prod / 0.5) / 3.0;
  EXPECT_NEAR(nerve.strengths.back(), expected, 1e-12);
  // Normalised per order: a triangle's product has two factors, so −log(u) / 2, unless a facet
  // enters later (edge {0, 1}: u = ½(0.06/1.2 + 0.06/0.3) = 0.125, value log 8 ≈ 2.08 >
  // −log(u_012)/2 ≈ 1.57).
  EXPECT_NEAR(nerve.values.back(), std::max(-std::log(expected) / 2, std::log(8.0)), 1e-12);
  // Monotone values: every simplex no earlier than its facets.
  for (std::size_t i = 3; i < 6; ++i) EXPECT_LE(nerve.values[i], nerve.values.back());
  EXPECT_NO_THROW(nerve.complex());
}

TEST(FuzzyNerve, CircleCoveredByThreeAndFourArcs) {
  for (const std::int64_t k : {3, 4}) {
    for (const auto conditioning : {ev::NerveConditioning::kMembershipWeighted, ev::NerveConditioning::kArgmax}) {
      SCOPED_TRACE("k = " + std::to_string(k));
      const auto options = ev::NerveOptions().with_conditioning(conditioning);
      const auto nerve = ev::fuzzy_nerve(circle_cover(720, k), options);
      const auto reading = ev::nerve_betti(nerve, {2, 3});
      EXPECT_EQ(reading.betti[0], (std::vector<std::int64_t>{1, 1, 0}));
      EXPECT_EQ(reading.betti[1], (std::vector<std::int64_t>{1, 1, 0}));
      for (const std::uint32_t p : {2u, 3u}) {
        const auto pers = ev::nerve_persistence(nerve, p);
        // One dominant H1 bar: from the neighbours' overlap (u a few percent, value ≈ 3) to the
        // cap (no three arcs meet), nothing else in H1 or H2 of any length.
        const auto h1 = persistences(pers, 1);
        ASSERT_GE(h1.size(), 1u);
        EXPECT_GT(h1[0], 20.0);
        if (h1.size() > 1) {
          EXPECT_LT(h1[1], 1e-9);
        }
        EXPECT_TRUE(persistences(pers, 2).empty());
        // The full simplex at the cap: one essential component only.
        EXPECT_EQ(pers.betti[0], 1);
        EXPECT_EQ(pers.betti[1], 0);
        // The 1 − u filtration with its fixed reading still gives the circle.
        const auto old = ev::fuzzy_nerve(circle_cover(720, k), ev::NerveOptions(options).with_filtration(
                                                                   ev::NerveFiltration::kOneMinusStrength));
        const auto old_pers = ev::nerve_persistence(old, p);
        EXPECT_EQ(ev::nerve_betti_numbers(old_pers, 2), (std::vector<std::int64_t>{1, 1, 0}));
        EXPECT_GT(persistences(old_pers, 1)[0], 0.03);
      }
    }
  }
}

TEST(FuzzyNerve, SphereCoveredByOctahedralCaps) {
  const auto q = sphere_cover(3000);
  const auto nerve = ev::fuzzy_nerve(q);
  const auto reading = ev::nerve_betti(nerve, {2, 3});
  EXPECT_EQ(reading.betti[0], (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_EQ(reading.betti[1], (std::vector<std::int64_t>{1, 0, 1}));
  for (const std::uint32_t p : {2u, 3u}) {
    const auto pers = ev::nerve_persistence(nerve, p);
    const auto h2 = persistences(pers, 2);
    ASSERT_EQ(h2.size(), 1u);
    // Triangles (u ≈ 0.007, per factor ≈ 0.08) enter right after the edges (u ≈ 0.1); no four
    // caps meet (any four include an antipodal pair), so the 2-class lives up to the cap.
    EXPECT_GT(h2[0], 25.0);
    EXPECT_EQ(persistences(pers, 1).size(), 7u);  // the 8 octants' cycles, filled at u_triangle
    EXPECT_LT(persistences(pers, 1)[0], 1.0);
    // Under 1 − u the same class is squeezed into the last percent before 1.
    const auto old = ev::fuzzy_nerve(q, ev::NerveOptions().with_filtration(ev::NerveFiltration::kOneMinusStrength));
    const auto old_pers = ev::nerve_persistence(old, p);
    EXPECT_EQ(ev::nerve_betti_numbers(old_pers, 2), (std::vector<std::int64_t>{1, 0, 1}));
    EXPECT_LT(persistences(old_pers, 2)[0], 0.01);
  }
  // Antipodal caps never meet.
  const auto u = nerve.edge_strengths();
  EXPECT_DOUBLE_EQ(u[0][1], 0.0);
  EXPECT_GT(u[0][2], 0.05);
}

TEST(FuzzyNerve, TorusCoveredByProductsOfArcs) {
  const auto q = torus_cover(90);
  const auto nerve = ev::fuzzy_nerve(q);
  // Of the 9 + 36 + 84 + 126 chart sets, those whose charts never meet (u = 0) enter at the cap
  // and are not listed: no three arcs of the circle meet, so a set of product charts meets only
  // when it lies in one 2 × 2 block of arcs (e.g. the three charts of one row never do).
  EXPECT_EQ(ev::fuzzy_nerve(q, ev::NerveOptions().with_every_chart_set(true)).simplices.size(), 9u + 36u + 84u + 126u);
  EXPECT_LT(nerve.simplices.size(), 9u + 36u + 84u + 126u);
  const auto reading = ev::nerve_betti(nerve, {2, 3});
  EXPECT_EQ(reading.betti[0], (std::vector<std::int64_t>{1, 2, 1}));
  EXPECT_EQ(reading.betti[1], (std::vector<std::int64_t>{1, 2, 1}));
  EXPECT_LT(reading.low, reading.high);
  // The torus classes are the longest bars of dimensions 1 and 2.
  const auto pers = ev::nerve_persistence(nerve, 2);
  const auto h1 = persistences(pers, 1);
  const auto h2 = persistences(pers, 2);
  ASSERT_GE(h1.size(), 2u);
  ASSERT_GE(h2.size(), 1u);
  EXPECT_GT(h1[1], 5 * (h1.size() > 2 ? h1[2] : 0.0));
  EXPECT_GT(h2[0], 5 * (h2.size() > 1 ? h2[1] : 0.0));
}

TEST(NerveReading, MostPersistentBettiVectorOfAHandMadeBarcode) {
  // H0: [0, ∞), [0, 1); H1: [1, 2), [1.5, 1.6), [3, 3); H2: [2, 10). Window [1, 10]: stretches
  // [1, 1.5) β = (1,1,0), [1.5, 1.6) (1,2,0), [1.6, 2) (1,1,0), [2, 10) (1,0,1); the last wins.
  auto bar = [](int dim, double birth, double death) {
    topoembed::ph::SimplexPair<double> p;
    p.dim = dim;
    p.birth = birth;
    p.death = death;
    return p;
  };
  topoembed::ph::ComplexPersistence<double> z2;
  z2.pairs = {bar(0, 0, std::numeric_limits<double>::infinity()), bar(0, 0, 1), bar(1, 1, 2), bar(1, 1.5, 1.6),
              bar(1, 3, 3), bar(2, 2, 10)};
  auto r = ev::most_persistent_reading({z2}, 2, 30.0);
  EXPECT_DOUBLE_EQ(r.low, 2.0);
  EXPECT_DOUBLE_EQ(r.high, 10.0);
  EXPECT_DOUBLE_EQ(r.value, 6.0);
  ASSERT_EQ(r.betti.size(), 1u);
  EXPECT_EQ(r.betti[0], (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_EQ(ev::betti_at_value(z2, 2, 1.55), (std::vector<std::int64_t>{1, 2, 0}));
  // A second field with one more H1 class on [1, 9) (fields can differ, as Z/2 and Z/3 do on
  // RP²) splits the stretch [2, 10) at 9: now [2, 9) wins, read over both fields.
  auto z3 = z2;
  z3.pairs.push_back(bar(1, 1, 9));
  r = ev::most_persistent_reading({z2, z3}, 2, 30.0);
  EXPECT_DOUBLE_EQ(r.low, 2.0);
  EXPECT_DOUBLE_EQ(r.high, 9.0);
  EXPECT_EQ(r.betti[0], (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_EQ(r.betti[1], (std::vector<std::int64_t>{1, 1, 1}));
  // Nothing merges (one chart): read at the cap.
  topoembed::ph::ComplexPersistence<double> single;
  single.pairs = {bar(0, 0, std::numeric_limits<double>::infinity())};
  r = ev::most_persistent_reading({single}, 1, 30.0);
  EXPECT_DOUBLE_EQ(r.value, 30.0);
  EXPECT_EQ(r.betti[0], (std::vector<std::int64_t>{1, 0}));
}

TEST(FuzzyNerve, RandomMembershipsGiveValidComplexes) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  for (int trial = 0; trial < 5; ++trial) {
    const auto q = torch::softmax(3.0 * torch::randn({50, 6}, gen, torch::kDouble), 1);
    const auto nerve = ev::fuzzy_nerve(q);
    // Dense memberships: every set meets well above e^{-30 (|S| - 1)}, so all are listed (dims 0..3).
    EXPECT_EQ(nerve.simplices.size(), 6u + 15u + 20u + 15u);
    const auto pers = ev::nerve_persistence(nerve, 2);
    EXPECT_EQ(pers.betti[0], 1);
    for (std::size_t i = 0; i < nerve.values.size(); ++i) {
      EXPECT_GE(nerve.values[i], 0.0);
      EXPECT_LT(nerve.values[i], nerve.cap);
    }
    // Permuting the sample changes nothing.
    const auto perm = torch::randperm(50, gen, torch::kLong);
    const auto shuffled = ev::fuzzy_nerve(q.index_select(0, perm));
    ASSERT_EQ(shuffled.simplices, nerve.simplices);
    for (std::size_t i = 0; i < nerve.values.size(); ++i) EXPECT_NEAR(nerve.values[i], shuffled.values[i], 1e-12);
  }
}

TEST(FuzzyNerve, SparseEqualsDenseOnRandomMemberships) {
  // The sparse nerve lists exactly the dense nerve's sets below the cap, with the same strengths
  // and values; its persistence (bars closed at the cap) has the dense bars over Z/2 and Z/3, and
  // the same most persistent reading. Caps from 30 down to 1.5 make more sets fall at the cap.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
  int compared = 0;
  int with_unlisted = 0;
  for (const std::int64_t k : {4, 7, 11}) {
    for (const std::int64_t n : {30, 160}) {
      for (int kind = 0; kind < 3; ++kind) {
        torch::Tensor q;
        if (kind == 0) q = torch::softmax(6.0 * torch::randn({n, k}, gen, torch::kDouble), 1);
        else q = bump_memberships(n, k, gen);
        if (kind == 2) {  // a chart without mass: column 1 emptied, the rows renormalised
          q.select(1, 1).zero_();
          const auto sums = q.sum(1, true);
          auto first = torch::zeros_like(q);
          first.select(1, 0).fill_(1.0);
          q = torch::where(sums > 0, q / sums.clamp_min(1e-300), first);  // rows left empty: chart 0
        }
        for (int max_dim = 1; max_dim <= 3; ++max_dim) {
          for (const auto conditioning : {ev::NerveConditioning::kMembershipWeighted, ev::NerveConditioning::kArgmax}) {
            for (const auto filtration : {ev::NerveFiltration::kNormalizedLog, ev::NerveFiltration::kOneMinusStrength}) {
              for (const double log_cap : {30.0, 4.0, 1.5}) {
                if (filtration == ev::NerveFiltration::kOneMinusStrength && log_cap != 30.0) continue;
                SCOPED_TRACE("k " + std::to_string(k) + " n " + std::to_string(n) + " kind " + std::to_string(kind) +
                             " max_dim " + std::to_string(max_dim) + " argmax " +
                             std::to_string(conditioning == ev::NerveConditioning::kArgmax) + " one-minus " +
                             std::to_string(filtration == ev::NerveFiltration::kOneMinusStrength) + " cap " +
                             std::to_string(log_cap));
                const auto options = ev::NerveOptions()
                                         .with_max_dim(max_dim)
                                         .with_conditioning(conditioning)
                                         .with_filtration(filtration)
                                         .with_log_cap(log_cap);
                const auto dense = dense_nerve(q, options);
                const auto sparse = ev::fuzzy_nerve(q, options);
                const auto every = ev::fuzzy_nerve(q, ev::NerveOptions(options).with_every_chart_set(true));
                // The listed sets: the dense ones below the cap, in the same order, same numbers.
                ASSERT_EQ(every.simplices, dense.simplices);
                std::size_t s = 0;
                for (std::size_t i = 0; i < dense.simplices.size(); ++i) {
                  EXPECT_DOUBLE_EQ(every.strengths[i], dense.strengths[i]);
                  EXPECT_DOUBLE_EQ(every.values[i], dense.values[i]);
                  if (!(dense.values[i] < sparse.cap)) continue;
                  ASSERT_LT(s, sparse.simplices.size());
                  ASSERT_EQ(sparse.simplices[s], dense.simplices[i]);
                  EXPECT_DOUBLE_EQ(sparse.strengths[s], dense.strengths[i]);
                  EXPECT_DOUBLE_EQ(sparse.values[s], dense.values[i]);
                  ++s;
                }
                EXPECT_EQ(s, sparse.simplices.size());
                if (s < dense.simplices.size()) ++with_unlisted;
                // Every pair's strength, listed or not.
                const auto u = sparse.edge_strengths();
                for (std::size_t i = 0; i < dense.simplices.size(); ++i) {
                  const auto& set = dense.simplices[i];
                  if (set.size() == 1) {
                    EXPECT_DOUBLE_EQ(u[set[0]][set[0]], dense.strengths[i]);
                  } else if (set.size() == 2) {
                    EXPECT_DOUBLE_EQ(u[set[1]][set[0]], dense.strengths[i]);
                  }
                }
                // The barcodes and the reading.
                const topoembed::ph::FilteredComplex<double> dense_complex(dense.simplices, dense.values);
                std::vector<topoembed::ph::ComplexPersistence<double>> dense_pers;
                std::vector<topoembed::ph::ComplexPersistence<double>> sparse_pers;
                for (const std::uint32_t p : {2u, 3u}) {
                  dense_pers.push_back(dense_complex.persistence(
                      topoembed::ph::ComplexPersistenceOptions().with_max_dim(max_dim).with_modulus(p)));
                  sparse_pers.push_back(ev::nerve_persistence(sparse, p));
                  const auto expected = bars_of(dense_pers.back());
                  const auto got = bars_of(sparse_pers.back());
                  ASSERT_EQ(got.size(), expected.size()) << "Z/" << p;
                  for (std::size_t b = 0; b < got.size(); ++b) {
                    EXPECT_EQ(std::get<0>(got[b]), std::get<0>(expected[b]));
                    EXPECT_DOUBLE_EQ(std::get<1>(got[b]), std::get<1>(expected[b]));
                    EXPECT_DOUBLE_EQ(std::get<2>(got[b]), std::get<2>(expected[b]));
                  }
                  EXPECT_EQ(sparse_pers.back().betti, dense_pers.back().betti);
                  EXPECT_EQ(bars_of(ev::nerve_persistence(every, p)), expected);
                }
                const auto want = ev::most_persistent_reading(dense_pers, max_dim, sparse.cap);
                const auto got = ev::most_persistent_reading(sparse_pers, max_dim, sparse.cap);
                EXPECT_DOUBLE_EQ(got.low, want.low);
                EXPECT_DOUBLE_EQ(got.high, want.high);
                EXPECT_EQ(got.betti, want.betti);
                ++compared;
              }
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(compared, 3 * 2 * 3 * 3 * 2 * 4);
  // The comparison is not vacuous: most cases leave sets out.
  EXPECT_GT(with_unlisted, compared / 2);
}

TEST(FuzzyNerve, ThreeTorusGridCoverReadsOneThreeThreeOne) {
  // 64 charts (a 4 × 4 × 4 grid of centres on T³ ⊂ R⁶), dimensions 0..3: C(64, 5) ≈ 7.6 million
  // five-chart sets densely; the sparse nerve lists the 64 × C(8, 5) = 3584 five-chart sets of the
  // grid's cubes. Why 40,000 points: at this temperature the product of five memberships is large
  // only within ~0.1 of a cube's corner (where 8 Voronoi cells meet), and its strength is set by
  // the sample point nearest to that corner. With 3000 points some corners' five-sets are not
  // seen below the cap and others enter late, in random order, leaving 3-cycles that live to the
  // cap (read 1,3,3,17 for this seed, 10 of 10 seeds wrong); 20,000 points read 1,3,3,1 in 8 of
  // 10 seeds (seeds 1..10), 40,000 in 10 of 10 (stretch from ≈ 22–25 to the cap).
  const auto q = three_torus_grid_memberships(40000, 4, 5);
  const auto nerve = ev::fuzzy_nerve(q, ev::NerveOptions().with_max_dim(3));
  ASSERT_EQ(nerve.candidates.size(), 5u);
  EXPECT_EQ(nerve.candidates[0], 64);
  EXPECT_EQ(nerve.candidates[1], 64 * 63 / 2);
  std::vector<std::size_t> listed(5, 0);
  for (const auto& set : nerve.simplices) ++listed[set.size() - 1];
  EXPECT_EQ(listed[4], 64u * 56u);
  EXPECT_LT(nerve.candidates[4], 10000);
  // Threads share the passes, not the sums: the same numbers, bit for bit.
  const auto threaded = ev::fuzzy_nerve(q, ev::NerveOptions().with_max_dim(3).with_threads(3));
  EXPECT_EQ(threaded.simplices, nerve.simplices);
  EXPECT_EQ(threaded.strengths, nerve.strengths);
  EXPECT_EQ(threaded.values, nerve.values);
  EXPECT_EQ(threaded.strength_matrix, nerve.strength_matrix);
  const auto reading = ev::nerve_betti(nerve, {2, 3});
  EXPECT_EQ(reading.betti[0], (std::vector<std::int64_t>{1, 3, 3, 1}));
  EXPECT_EQ(reading.betti[1], (std::vector<std::int64_t>{1, 3, 3, 1}));
}

TEST(FuzzyNerve, MaxCandidatesLimitsTheWork) {
  // Uniform memberships: every set meets, so every set is a candidate.
  const auto q = torch::full({10, 8}, 1.0 / 8, torch::kDouble);
  const auto options = ev::NerveOptions().with_max_dim(2).with_max_candidates(60);
  EXPECT_EQ(error_of<std::length_error>([&] { ev::fuzzy_nerve(q, options); }),
            "fuzzy_nerve: 70 candidate chart sets of 4 charts (all facets below the cap), more than max_candidates = 60; "
            "lower max_dim or raise the limit");
  EXPECT_EQ(ev::fuzzy_nerve(q, ev::NerveOptions(options).with_max_dim(1)).simplices.size(), 8u + 28u + 56u);
  EXPECT_EQ(error_of([&] { ev::fuzzy_nerve(q, ev::NerveOptions().with_max_candidates(-1)); }),
            "fuzzy_nerve: max_candidates must be >= 0 (0: no limit), got -1");
  EXPECT_EQ(error_of([&] { ev::fuzzy_nerve(q, ev::NerveOptions().with_threads(0)); }),
            "fuzzy_nerve: threads must be >= 1, got 0");
}

TEST(CrispNerve, LevelWiseEqualsEverySet) {
  // The crisp nerve lists S when some point has q_j >= ε on all of S: compare with the sets
  // checked one by one.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  for (int trial = 0; trial < 4; ++trial) {
    const auto q = bump_memberships(120, 9, gen);
    for (const double epsilon : {0.05, 0.2, 0.45}) {
      const auto crisp = ev::crisp_nerve(q, epsilon, ev::NerveOptions().with_max_dim(2));
      const auto all = dense_nerve(q, ev::NerveOptions().with_max_dim(2));
      std::vector<std::vector<topoembed::ph::vertex_t>> expected;
      const auto hit = (q >= epsilon);
      for (const auto& s : all.simplices) {
        auto rows = torch::ones({q.size(0)}, torch::kBool);
        for (const auto j : s) rows = rows & hit.select(1, j);
        if (rows.any().item<bool>()) expected.push_back(s);
      }
      EXPECT_EQ(crisp.simplices, expected);
    }
  }
}

TEST(CrispNerve, CircleAndTooLargeEpsilon) {
  const auto q = circle_cover(720, 4);
  EXPECT_EQ(ev::crisp_nerve(q, 0.1).betti, (std::vector<std::int64_t>{1, 1, 0}));
  EXPECT_EQ(ev::crisp_nerve(q, 0.1, {}, 3).betti, (std::vector<std::int64_t>{1, 1, 0}));
  // At the midpoint between two arcs both memberships are 1/2: above it no two arcs meet.
  const auto apart = ev::crisp_nerve(q, 0.6);
  EXPECT_EQ(apart.betti, (std::vector<std::int64_t>{4, 0, 0}));
  EXPECT_EQ(apart.simplices.size(), 4u);
  EXPECT_EQ(ev::crisp_nerve(sphere_cover(3000), 0.2).betti, (std::vector<std::int64_t>{1, 0, 1}));
}

TEST(FuzzyNerve, SingleChart) {
  const auto nerve = ev::fuzzy_nerve(torch::ones({4, 1}));
  ASSERT_EQ(nerve.simplices.size(), 1u);
  EXPECT_EQ(ev::nerve_betti_numbers(ev::nerve_persistence(nerve), 2), (std::vector<std::int64_t>{1, 0, 0}));
  EXPECT_EQ(ev::nerve_betti(nerve, {2}).betti[0], (std::vector<std::int64_t>{1, 0, 0}));
}

TEST(FuzzyNerve, BadInputRejected) {
  EXPECT_EQ(error_of([] { ev::fuzzy_nerve(torch::ones({5, 0})); }), "fuzzy_nerve: expected k >= 1 charts, got 0");
  EXPECT_EQ(error_of([] { ev::fuzzy_nerve(torch::ones({0, 3})); }), "fuzzy_nerve: expected N >= 1 sample points, got 0");
  EXPECT_EQ(error_of([] { ev::fuzzy_nerve(torch::ones({3})); }),
            "fuzzy_nerve: expected memberships [N, k], got a tensor of shape [3]");
  EXPECT_EQ(error_of([] { ev::fuzzy_nerve(torch::ones({2, 2}, torch::kLong)); }),
            "fuzzy_nerve: expected floating-point memberships, got an integer tensor");
  EXPECT_EQ(error_of([] { ev::fuzzy_nerve(torch::full({2, 2}, 0.6)); }),
            "fuzzy_nerve: row 0 of the memberships sums to 1.2, expected 1 within 0.001");
  auto nan = torch::full({2, 2}, 0.5);
  nan[1][0] = std::nan("");
  EXPECT_NE(error_of([&] { ev::fuzzy_nerve(nan); }).find("fuzzy_nerve: membership (1, 0) is nan"), std::string::npos);
  auto negative = torch::tensor({1.5, -0.5}).view({1, 2});
  EXPECT_NE(error_of([&] { ev::fuzzy_nerve(negative); }).find("expected a value in [0, 1]"), std::string::npos);
  EXPECT_EQ(error_of([] { ev::fuzzy_nerve(torch::full({2, 2}, 0.5), ev::NerveOptions().with_max_dim(-1)); }),
            "fuzzy_nerve: max_dim must be in [0, 8], got -1");
  EXPECT_EQ(error_of([] { ev::crisp_nerve(torch::full({2, 2}, 0.5), 0.0); }),
            "crisp_nerve: epsilon must be in (0, 1], got 0.000000");
  EXPECT_EQ(error_of([] { ev::crisp_nerve(torch::ones({0, 3}), 0.5); }),
            "crisp_nerve: expected N >= 1 sample points, got 0");
  const auto pers = ev::nerve_persistence(ev::fuzzy_nerve(torch::full({2, 2}, 0.5)));
  EXPECT_EQ(error_of([&] { ev::nerve_betti_numbers(pers, 2, ev::NerveReading{1.5, 0.0}); }),
            "nerve_betti_numbers: epsilon must be in (0, 1), got 1.500000");
  EXPECT_EQ(error_of([] { ev::fuzzy_nerve(torch::full({2, 2}, 0.5), ev::NerveOptions().with_log_cap(0)); }),
            "fuzzy_nerve: log_cap must be a finite value > 0, got 0.000000");
  EXPECT_EQ(error_of([&] { ev::betti_at_value(pers, 2, std::nan("")); }), "betti_at_value: value must be finite, got nan");
  EXPECT_EQ(error_of([] { ev::most_persistent_reading({}, 2, 30.0); }),
            "most_persistent_reading: expected at least one barcode, got none");
  EXPECT_EQ(error_of([&] { ev::most_persistent_reading({pers}, -1, 30.0); }),
            "most_persistent_reading: max_dim must be >= 0, got -1");
  EXPECT_EQ(error_of([] { ev::nerve_betti(ev::fuzzy_nerve(torch::full({2, 2}, 0.5)), {}); }),
            "nerve_betti: expected at least one modulus, got none");
  EXPECT_EQ(error_of([] { ev::nerve_persistence(ev::FuzzyNerve{}); }),
            "nerve_persistence: expected a nerve of k >= 1 charts, got an empty nerve");
  auto above = ev::fuzzy_nerve(torch::full({2, 2}, 0.5));
  above.values[2] = 31.0;
  EXPECT_EQ(error_of([&] { ev::nerve_persistence(above); }),
            "nerve_persistence: simplex 2 has value 31, expected at most the cap 30");
}
