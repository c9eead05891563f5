// Tests of the bottleneck and Wasserstein distances: hand cases, brute force over all matchings on
// tiny diagrams, metric invariants on seeded random diagrams, GUDHI/Hera golden values, bad input.
#include "topoembed/ph/diagram_distance.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>

#include "../support/expect_error.hpp"

namespace topoembed::ph {
namespace {

using test_support::throws_containing;

using D = std::vector<DiagramPoint<double>>;
constexpr double kInf = kInfinity<double>;

// Every point of both diagrams occurs exactly once, and the reported distance is the one of the
// reported matching.
::testing::AssertionResult valid_matching(const D& a, const D& b, const DiagramMatching<double>& m, double p) {
  std::vector<int> seen_a(a.size(), 0), seen_b(b.size(), 0);
  double sum = 0, worst = 0;
  for (const auto& [i, j] : m.pairs) {
    if (i < -1 || j < -1 || i >= index_t(a.size()) || j >= index_t(b.size()) || (i < 0 && j < 0)) {
      return ::testing::AssertionFailure() << "bad pair (" << i << ", " << j << ")";
    }
    if (i >= 0) ++seen_a[i];
    if (j >= 0) ++seen_b[j];
    const double c = matched_cost(a, b, {i, j});
    worst = std::max(worst, c);
    sum += std::isinf(p) ? 0 : std::pow(c, p);
  }
  for (std::size_t i = 0; i < a.size(); ++i)
    if (seen_a[i] != 1) return ::testing::AssertionFailure() << "point " << i << " of A matched " << seen_a[i] << " times";
  for (std::size_t j = 0; j < b.size(); ++j)
    if (seen_b[j] != 1) return ::testing::AssertionFailure() << "point " << j << " of B matched " << seen_b[j] << " times";
  const double expected = std::isinf(p) ? worst : std::pow(sum, 1 / p);
  if (!(std::abs(expected - m.distance) <= 1e-12 * std::max(1.0, expected) || expected == m.distance)) {
    return ::testing::AssertionFailure() << "distance " << m.distance << " but matching costs " << expected;
  }
  if (!m.pairs.empty() && matched_cost(a, b, m.pairs[m.longest]) != worst) {
    return ::testing::AssertionFailure() << "longest pair does not have the largest cost";
  }
  return ::testing::AssertionSuccess();
}

TEST(DiagramDistanceGolden, HandCases) {
  const D one{{0, 1}}, empty{};
  EXPECT_EQ(bottleneck_distance(one, empty), 0.5);
  EXPECT_EQ(wasserstein_distance(one, empty, 1.0), 0.5);
  EXPECT_EQ(wasserstein_distance(empty, one, 2.0), 0.5);
  EXPECT_EQ(bottleneck_distance(empty, empty), 0.0);
  EXPECT_EQ(wasserstein_distance(empty, empty, 1.0), 0.0);

  // (0, 1) vs (0, 2): moving costs 1, both to the diagonal 0.5 and 1.
  const D two{{0, 2}};
  EXPECT_EQ(bottleneck_distance(one, two), 1.0);
  EXPECT_EQ(wasserstein_distance(one, two, 1.0), 1.0);
  EXPECT_EQ(wasserstein_distance(one, two, 2.0), 1.0);

  // (0, 10) vs (0.5, 10.2): matched at cost 0.5; (1, 1.4) alone goes to the diagonal at 0.2.
  const D a{{0, 10}, {1, 1.4}}, b{{0.5, 10.2}};
  const auto m = wasserstein_matching(a, b, 1.0);
  EXPECT_NEAR(m.distance, 0.7, 1e-15);
  EXPECT_TRUE(valid_matching(a, b, m, 1.0));
  auto pairs = m.pairs;
  std::sort(pairs.begin(), pairs.end());
  EXPECT_EQ(pairs, (std::vector<std::pair<index_t, index_t>>{{0, 0}, {1, -1}}));
  const auto bm = bottleneck_matching(a, b);
  EXPECT_EQ(bm.distance, 0.5);
  EXPECT_EQ(bm.pairs[bm.longest], (std::pair<index_t, index_t>{0, 0}));
  EXPECT_NEAR(wasserstein_distance(a, b, 2.0), std::sqrt(0.25 + 0.04), 1e-15);
}

TEST(DiagramDistanceGolden, EssentialPointsAreMatchedByBirth) {
  const D a{{0, kInf}, {1, kInf}, {0, 0.4}}, b{{3, kInf}, {0.5, kInf}};
  const auto m = bottleneck_matching(a, b);
  EXPECT_EQ(m.distance, 2.0);  // 1 -> 3
  EXPECT_TRUE(valid_matching(a, b, m, kInf));
  EXPECT_EQ(m.pairs[m.longest], (std::pair<index_t, index_t>{1, 0}));
  EXPECT_DOUBLE_EQ(wasserstein_distance(a, b, 1.0), 0.5 + 2.0 + 0.2);
  EXPECT_DOUBLE_EQ(wasserstein_distance(a, b, 2.0), std::sqrt(0.25 + 4.0 + 0.04));
  // Different numbers of essential classes: +inf.
  const D c{{0, kInf}};
  EXPECT_EQ(bottleneck_distance(a, c), kInf);
  EXPECT_EQ(wasserstein_distance(a, c, 1.0), kInf);
  const auto mc = wasserstein_matching(a, c, 1.0);
  EXPECT_EQ(matched_cost(a, c, mc.pairs[mc.longest]), kInf);
}

TEST(DiagramDistanceGolden, PointsOnTheDiagonalCostNothing) {
  const D a{{1, 1}, {2, 2}, {0, 1}}, b{{0, 1}};
  EXPECT_EQ(bottleneck_distance(a, b), 0.0);
  EXPECT_EQ(wasserstein_distance(a, b, 1.0), 0.0);
}

TEST(DiagramDistanceGolden, InfiniteOrderIsTheBottleneckDistance) {
  const D a{{0, 3}, {1, 2}}, b{{0.2, 2.5}};
  EXPECT_EQ(wasserstein_distance(a, b, kInf), bottleneck_distance(a, b));
}

// Brute force: every matching of the finite points (each a_i to some unused b_j or the diagonal),
// plus the essential points matched by birth.
double brute_force(const D& a, const D& b, double p) {
  std::vector<index_t> fa, fb, ea, eb;
  for (std::size_t i = 0; i < a.size(); ++i) (a[i].essential() ? ea : fa).push_back(index_t(i));
  for (std::size_t j = 0; j < b.size(); ++j) (b[j].essential() ? eb : fb).push_back(index_t(j));
  if (ea.size() != eb.size()) return kInf;
  auto by_birth = [](const D& x) { return [&x](index_t i, index_t j) { return x[i].birth < x[j].birth; }; };
  std::sort(ea.begin(), ea.end(), by_birth(a));
  std::sort(eb.begin(), eb.end(), by_birth(b));
  std::vector<double> essential_costs;
  for (std::size_t k = 0; k < ea.size(); ++k) essential_costs.push_back(std::abs(a[ea[k]].birth - b[eb[k]].birth));
  auto combine = [p](double acc, double c) { return std::isinf(p) ? std::max(acc, c) : acc + std::pow(c, p); };
  double best = kInf;
  std::vector<bool> used(fb.size(), false);
  std::function<void(std::size_t, double)> rec = [&](std::size_t i, double acc) {
    if (i == fa.size()) {
      for (std::size_t j = 0; j < fb.size(); ++j)
        if (!used[j]) acc = combine(acc, diagonal_distance(b[fb[j]]));
      best = std::min(best, acc);
      return;
    }
    rec(i + 1, combine(acc, diagonal_distance(a[fa[i]])));
    for (std::size_t j = 0; j < fb.size(); ++j) {
      if (used[j]) continue;
      used[j] = true;
      rec(i + 1, combine(acc, ground_distance(a[fa[i]], b[fb[j]])));
      used[j] = false;
    }
  };
  double start = 0;
  for (const double c : essential_costs) start = combine(start, c);
  rec(0, start);
  return std::isinf(p) ? best : std::pow(best, 1 / p);
}

D random_diagram(std::mt19937& rng, int n, int essential, double grid) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::exponential_distribution<double> len(3.0);
  D d;
  for (int i = 0; i < n; ++i) {
    double b = u(rng), e = b + len(rng);
    if (grid > 0) {
      b = std::round(b / grid) * grid;
      e = std::max(b, std::round(e / grid) * grid);
    }
    d.push_back({b, e});
  }
  for (int i = 0; i < essential; ++i) d.push_back({std::round(u(rng) * 10) / 10, kInf});
  std::shuffle(d.begin(), d.end(), rng);
  return d;
}

TEST(DiagramDistanceCrossCheck, BruteForceOnTinyDiagrams) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = int(rng() % 5), m = int(rng() % 5), e = int(rng() % 3);
    const double grid = trial % 2 ? 0.1 : 0.0;  // ties and diagonal points half of the time
    const D a = random_diagram(rng, n, e, grid), b = random_diagram(rng, m, e, grid);
    for (const double p : {1.0, 2.0, 3.5}) {
      const auto w = wasserstein_matching(a, b, p);
      EXPECT_NEAR(w.distance, brute_force(a, b, p), 1e-12) << "trial " << trial << " p " << p;
      EXPECT_TRUE(valid_matching(a, b, w, p)) << "trial " << trial;
    }
    const auto bn = bottleneck_matching(a, b);
    EXPECT_EQ(bn.distance, brute_force(a, b, kInf)) << "trial " << trial;
    EXPECT_TRUE(valid_matching(a, b, bn, kInf)) << "trial " << trial;
  }
}

TEST(DiagramDistanceInvariants, MetricPropertiesOnRandomDiagrams) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const double grid = trial % 3 == 0 ? 0.05 : 0.0;
    const int e = trial % 4 == 1 ? 2 : 0;
    const D a = random_diagram(rng, 20 + int(rng() % 40), e, grid);
    const D b = random_diagram(rng, 20 + int(rng() % 40), e, grid);
    const D c = random_diagram(rng, 20 + int(rng() % 40), e, grid);
    const double tol = 1e-9;
    EXPECT_EQ(bottleneck_distance(a, a), 0.0);
    EXPECT_EQ(bottleneck_distance(a, b), bottleneck_distance(b, a));
    EXPECT_LE(bottleneck_distance(a, c), bottleneck_distance(a, b) + bottleneck_distance(b, c));
    EXPECT_TRUE(valid_matching(a, b, bottleneck_matching(a, b), kInf));
    double previous = kInf;
    for (const double p : {1.0, 1.5, 2.0, 4.0}) {
      const auto ab = wasserstein_matching(a, b, p);
      EXPECT_TRUE(valid_matching(a, b, ab, p));
      EXPECT_NEAR(wasserstein_distance(a, a, p), 0.0, tol);
      EXPECT_NEAR(ab.distance, wasserstein_distance(b, a, p), tol * ab.distance);
      EXPECT_LE(ab.distance, wasserstein_distance(a, c, p) + wasserstein_distance(c, b, p) + tol);
      EXPECT_LE(bottleneck_distance(a, b), ab.distance + tol);
      EXPECT_LE(ab.distance, previous + tol);  // W_p does not increase with p
      previous = ab.distance;
    }
  }
}

TEST(DiagramDistanceInvariants, FloatAgreesWithDouble) {
  std::mt19937 rng(3);
  const D a = random_diagram(rng, 30, 1, 0.125), b = random_diagram(rng, 25, 1, 0.125);
  auto to_float = [](const D& x) {
    std::vector<DiagramPoint<float>> out;
    for (const auto& q : x) out.push_back({float(q.birth), float(q.death)});
    return out;
  };
  EXPECT_NEAR(double(bottleneck_distance(to_float(a), to_float(b))), bottleneck_distance(a, b), 1e-6);
  EXPECT_NEAR(double(wasserstein_distance(to_float(a), to_float(b), 2.0)), wasserstein_distance(a, b, 2.0), 1e-5);
}

// Golden file tests/data/diagram_distance_gudhi.txt, written by tests/ph/diagram_distance_gudhi.py:
// GUDHI's exact bottleneck distance and Hera's Wasserstein distance (relative error 1e-10).
TEST(DiagramDistanceCrossCheck, GudhiAndHeraGoldenFile) {
  const std::string path = std::string(TOPOEMBED_TEST_DATA_DIR) + "/diagram_distance_gudhi.txt";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  auto number = [](const std::string& s) { return s == "inf" ? kInf : std::stod(s); };
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream head(line);
    std::string word, name, sizes;
    std::size_t n = 0, m = 0;
    head >> word >> name >> sizes >> n >> m;
    ASSERT_EQ(word, "case") << line;
    D a, b;
    for (std::size_t k = 0; k < n + m && std::getline(in, line); ++k) {
      std::istringstream row(line);
      std::string x, y;
      row >> x >> y;
      (k < n ? a : b).push_back({number(x), number(y)});
    }
    std::getline(in, line);
    std::istringstream brow(line);
    std::string value;
    brow >> word >> value;
    ASSERT_EQ(word, "bottleneck");
    // GUDHI computes (death - birth) / 2 in its own way: equal up to the last bits.
    const double expected_bottleneck = number(value), bottleneck = bottleneck_distance(a, b);
    if (std::isinf(expected_bottleneck)) {
      EXPECT_EQ(bottleneck, expected_bottleneck) << name;
    } else {
      EXPECT_NEAR(bottleneck, expected_bottleneck, 1e-14) << name;
    }
    for (int k = 0; k < 3; ++k) {
      std::getline(in, line);
      std::istringstream wrow(line);
      double p = 0;
      wrow >> word >> p >> value;
      ASSERT_EQ(word, "wasserstein");
      const double expected = number(value), mine = wasserstein_distance(a, b, p);
      if (std::isinf(expected)) {
        EXPECT_EQ(mine, expected) << name << " p " << p;
      } else {
        EXPECT_NEAR(mine, expected, 1e-8 * std::max(1.0, expected)) << name << " p " << p;
      }
    }
    ++cases;
  }
  EXPECT_GE(cases, 20);
}

TEST(DiagramDistanceBadInput, Messages) {
  const D good{{0, 1}}, bad{{0, 1}, {2, 1}}, nan_birth{{std::nan(""), 1}}, inf_birth{{kInf, kInf}};
  EXPECT_TRUE(throws_containing<std::invalid_argument>(
      [&] { bottleneck_distance(bad, good); },
      "bottleneck_distance: first diagram point 1 is (2, 1), expected a finite birth and birth <= death"));
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { bottleneck_distance(good, nan_birth); },
                                                       "bottleneck_distance: second diagram point 0 is (nan, 1)"));
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { wasserstein_distance(good, inf_birth, 1.0); },
                                                       "wasserstein_distance: second diagram point 0 is (inf, inf)"));
  EXPECT_TRUE(throws_containing<std::invalid_argument>(
      [&] { wasserstein_distance(good, good, 0.5); },
      "wasserstein_distance: order p must be >= 1 (or +inf for the bottleneck distance), got 0.5"));
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { wasserstein_distance(good, good, std::nan("")); },
                                                       "order p must be >= 1"));
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { matched_cost(good, good, {1, 0}); },
                                                       "matched_cost: pair (1, 0) is out of range"));
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { matched_cost(good, good, {-1, -1}); },
                                                       "matched_cost: pair (-1, -1) is out of range"));
}

}  // namespace
}  // namespace topoembed::ph
