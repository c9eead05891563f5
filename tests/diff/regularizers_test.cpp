// MMD, chart sharpening, NT-Xent and triplet loss: values against loops, gradients, bad input.
#include "topoembed/diff/regularizers.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "test_support.hpp"
#include "topoembed/diff/distances.hpp"

namespace topoembed::diff {
namespace {

using testing::gradient_matches;
using testing::seeded_normal;
using testing::seeded_uniform;
using testing::throws_with;

double imq(const torch::Tensor& a, const torch::Tensor& b, double c) {
  return c / (c + (a - b).pow(2).sum().item<double>());
}

TEST(Mmd, UnbiasedEstimatorMatchesLoops) {
  const auto x = seeded_normal({6, 3}, 1);
  const auto y = seeded_uniform({5, 3}, 2);
  const double c = 3.0 / 6.0;
  double xx = 0, yy = 0, xy = 0;
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j)
      if (i != j) xx += imq(x[i], x[j], c);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j)
      if (i != j) yy += imq(y[i], y[j], c);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 5; ++j) xy += imq(x[i], y[j], c);
  const double expected = xx / 30 + yy / 20 - 2 * xy / 30;
  EXPECT_NEAR(mmd_unbiased(x, y).item<double>(), expected, 1e-12);
  // The default C is d / 6; another C gives another value.
  EXPECT_EQ(mmd_unbiased(x, y, 0.5).item<double>(), mmd_unbiased(x, y).item<double>());
  EXPECT_GT(std::abs(mmd_unbiased(x, y, 2.0).item<double>() - expected), 1e-6);
}

TEST(Mmd, ChartWeightedReducesToPlainForOneChart) {
  const auto phi = seeded_uniform({7, 1, 2}, 3);
  const auto prior = seeded_uniform({9, 2}, 4);
  const auto q = torch::ones({7, 1}, torch::kDouble);
  EXPECT_NEAR(chart_weighted_mmd(phi, q, prior).item<double>(), mmd_unbiased(phi.select(1, 0), prior).item<double>(),
              1e-12);
}

TEST(Mmd, ChartWeightedMatchesLoops) {
  const int64_t b = 5, k = 3, d = 2, m = 4;
  const auto phi = seeded_uniform({b, k, d}, 5);
  const auto q = torch::softmax(seeded_normal({b, k}, 6), 1);
  const auto u = seeded_uniform({m, d}, 7);
  const double c = 0.4;
  double pp = 0, qq = 0, pq = 0;
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t x = 0; x < b; ++x) {
      for (int64_t y = 0; y < b; ++y)
        if (x != y) pp += q[x][i].item<double>() * q[y][i].item<double>() * imq(phi[x][i], phi[y][i], c);
      for (int64_t j = 0; j < m; ++j) pq += q[x][i].item<double>() / k * imq(phi[x][i], u[j], c);
    }
  }
  for (int64_t j = 0; j < m; ++j)
    for (int64_t l = 0; l < m; ++l)
      if (j != l) qq += imq(u[j], u[l], c) / k;
  const double expected = pp / (b * (b - 1)) + qq / (m * (m - 1)) - 2 * pq / (b * m);
  EXPECT_NEAR(chart_weighted_mmd(phi, q, u, c).item<double>(), expected, 1e-12);
}

// An evaluation pass over thousands of points goes through chart_weighted_mmd in row blocks
// (2100 × 4 charts × d 4 is three blocks); the value is the formula's, computed chart by chart.
TEST(Mmd, ChartWeightedLargeSampleInRowBlocksMatchesTheFormula) {
  const int64_t b = 2100, k = 4, d = 4, m = 300;
  const auto phi = seeded_uniform({b, k, d}, 11);
  const auto q = torch::softmax(seeded_normal({b, k}, 12), 1);
  const auto u = seeded_uniform({m, d}, 13);
  const double c = 0.4;
  auto imq_matrix = [c](const torch::Tensor& a, const torch::Tensor& z) { return c / (c + torch::cdist(a, z).pow(2)); };
  double pp = 0, pq = 0;
  for (int64_t i = 0; i < k; ++i) {
    const auto phi_i = phi.select(1, i), q_i = q.select(1, i);
    const auto w = q_i.unsqueeze(1) * q_i.unsqueeze(0);
    const auto kxx = imq_matrix(phi_i, phi_i);
    pp += ((kxx * w).sum() - (kxx.diagonal() * w.diagonal()).sum()).item<double>();
    pq += (imq_matrix(phi_i, u) * q_i.unsqueeze(1)).sum().item<double>() / k;
  }
  const auto kuu = imq_matrix(u, u);
  const double qq = (kuu.sum() - kuu.diagonal().sum()).item<double>() / k;
  const double expected = pp / (b * (b - 1)) + qq / (m * (m - 1)) - 2 * pq / (b * m);
  EXPECT_NEAR(chart_weighted_mmd(phi, q, u, c).item<double>(), expected, 1e-10);
}

TEST(Mmd, UniformSampleScoresLowerThanAShiftedOne) {
  UniformMMDLoss loss(UniformMMDLossOptions().prior_samples(400).seed(9));
  loss->to(torch::kDouble);
  const auto uniform = seeded_uniform({300, 2}, 10);
  const auto shifted = uniform * 0.3 + 0.7;
  EXPECT_LT(std::abs(loss(uniform).item<double>()), 0.01);
  EXPECT_GT(loss(shifted).item<double>(), 0.05);
}

TEST(Mmd, ChartWeightedModuleForm) {
  UniformMMDLoss loss(UniformMMDLossOptions().prior_samples(50).seed(4));
  loss->to(torch::kDouble);
  const auto phi = seeded_uniform({20, 3, 2}, 8);
  const auto q = torch::softmax(seeded_normal({20, 3}, 9), 1);
  const auto value = loss->forward_charts(phi, q);
  EXPECT_TRUE(std::isfinite(value.item<double>()));
  EXPECT_TRUE(throws_with([&] { loss->forward_charts(phi, q.slice(1, 0, 2)); }, "expected memberships q [20, 3], got [20, 2]"));
}

TEST(Mmd, GeneratorIsTheModulesOwn) {
  UniformMMDLoss a(UniformMMDLossOptions().seed(3)), b(UniformMMDLossOptions().seed(3));
  const auto z = seeded_uniform({10, 2}, 11);
  torch::manual_seed(1);
  const double va = a(z).item<double>();
  torch::manual_seed(2);
  EXPECT_EQ(va, b(z).item<double>());
}

TEST(Mmd, Gradients) {
  const auto y = seeded_uniform({6, 3}, 12);
  EXPECT_TRUE(gradient_matches([&](const torch::Tensor& x) { return mmd_unbiased(x, y); }, seeded_normal({5, 3}, 13)));
  const auto u = seeded_uniform({6, 2}, 14);
  const auto q = torch::softmax(seeded_normal({5, 3}, 15), 1);
  EXPECT_TRUE(gradient_matches([&](const torch::Tensor& phi) { return chart_weighted_mmd(phi, q, u); },
                               seeded_uniform({5, 3, 2}, 16)));
  const auto phi = seeded_uniform({5, 3, 2}, 17);
  EXPECT_TRUE(gradient_matches([&](const torch::Tensor& qq) { return chart_weighted_mmd(phi, qq, u); }, q));
}

// Distance-like memberships (softmax of −‖x − c_j‖² / T over a few centres): every point has
// weight in a few charts and ~0 in the rest, the case the membership floor is for.
torch::Tensor local_memberships(int64_t batch, int64_t charts, uint64_t seed) {
  const auto x = seeded_uniform({batch, 2}, seed);
  const auto centres = seeded_uniform({charts, 2}, seed + 1);
  return torch::softmax(-(x.unsqueeze(1) - centres.unsqueeze(0)).pow(2).sum(2) / 0.003, 1);
}

// A membership-floor case: local memberships q [B, k] (seeds seed, seed + 1), chart coordinates
// phi [B, k, 2] (seed + 2), m prior samples u (seed + 3), and kept = 1 where q >= floor.
struct FloorCase {
  torch::Tensor q, phi, u, kept;
};
FloorCase floor_case(int64_t batch, int64_t charts, int64_t prior_samples, double floor, uint64_t seed) {
  FloorCase c;
  c.q = local_memberships(batch, charts, seed);
  c.phi = seeded_uniform({batch, charts, 2}, seed + 2);
  c.u = seeded_uniform({prior_samples, 2}, seed + 3);
  c.kept = (c.q >= floor).to(c.q.dtype());
  return c;
}

// The floor leaves out exactly the terms with q_i(x) < floor: the value and both gradients equal
// those of the exact form on q with those entries zeroed (the reference runs the dense path).
TEST(Mmd, MembershipFloorEqualsExactFormOnTheKeptTerms) {
  const int64_t batch = 40;
  const double floor = 1e-3;
  const auto [q, phi, u, kept] = floor_case(batch, 9, 30, floor, 30);
  ASSERT_GT(kept.sum(0).max().item<double>(), 1);           // some chart keeps several points
  ASSERT_LT(kept.sum(0).max().item<double>(), batch / 2.0);  // and the sparse path is taken
  auto phi_a = phi.clone().requires_grad_(true), q_a = q.clone().requires_grad_(true);
  auto phi_b = phi.clone().requires_grad_(true), q_b = q.clone().requires_grad_(true);
  const auto sparse = chart_weighted_mmd(phi_a, q_a, u, std::nullopt, floor);
  const auto reference = chart_weighted_mmd(phi_b, q_b * kept, u);
  EXPECT_NEAR(sparse.item<double>(), reference.item<double>(), 1e-12);
  sparse.backward();
  reference.backward();
  EXPECT_TRUE(torch::allclose(phi_a.grad(), phi_b.grad(), 1e-9, 1e-12));
  EXPECT_TRUE(torch::allclose(q_a.grad(), q_b.grad(), 1e-9, 1e-12));
  // And it is close to the exact value on the whole q: each left-out term is below the floor.
  EXPECT_NEAR(sparse.item<double>(), chart_weighted_mmd(phi, q, u).item<double>(), 10 * floor);
  EXPECT_GT(std::abs(sparse.item<double>() - chart_weighted_mmd(phi, q, u).item<double>()), 0.0);
}

// A floor no membership falls below changes nothing; one above every membership leaves only the
// prior's own term.
TEST(Mmd, MembershipFloorLimits) {
  const auto q = torch::softmax(seeded_normal({12, 3}, 34), 1);
  const auto phi = seeded_uniform({12, 3, 2}, 35);
  const auto u = seeded_uniform({10, 2}, 36);
  const double least = q.min().item<double>();
  EXPECT_NEAR(chart_weighted_mmd(phi, q, u, std::nullopt, least).item<double>(),
              chart_weighted_mmd(phi, q, u).item<double>(), 1e-12);
  const auto none = chart_weighted_mmd(phi, q, u, std::nullopt, 0.999);
  EXPECT_NEAR(none.item<double>(), chart_weighted_mmd(phi, torch::zeros_like(q), u).item<double>(), 1e-12);
}

// Row blocks and the floor together: a pass over 1500 points with 16 charts (the exact
// reference runs in two row blocks).
TEST(Mmd, MembershipFloorOnALargeSample) {
  const double floor = 1e-4;
  const auto [q, phi, u, kept] = floor_case(1500, 16, 200, floor, 37);
  EXPECT_NEAR(chart_weighted_mmd(phi, q, u, std::nullopt, floor).item<double>(),
              chart_weighted_mmd(phi, q * kept, u).item<double>(), 1e-10);
}

TEST(Mmd, RejectsBadArguments) {
  EXPECT_TRUE(throws_with([] { mmd_unbiased(torch::zeros({4, 2}), torch::zeros({4, 3})); },
                          "expected x [n, d] and y [m, d] of one d, got x [4, 2] and y [4, 3]"));
  EXPECT_TRUE(throws_with([] { mmd_unbiased(torch::zeros({1, 2}), torch::zeros({4, 2})); },
                          "expected at least 2 samples on each side"));
  EXPECT_TRUE(throws_with([] { chart_weighted_mmd(torch::zeros({4, 3, 2}), torch::zeros({4, 2}), torch::zeros({5, 2})); },
                          "expected memberships q [4, 3], got [4, 2]"));
  EXPECT_TRUE(throws_with([] { mmd_unbiased(torch::zeros({4, 2}), torch::zeros({4, 2}), -1.0); },
                          "expected kernel scale C > 0, got -1"));
  EXPECT_TRUE(throws_with(
      [] { chart_weighted_mmd(torch::zeros({4, 3, 2}), torch::zeros({4, 3}), torch::zeros({5, 2}), std::nullopt, 1.0); },
      "expected a membership floor in [0, 1), got 1"));
  EXPECT_TRUE(throws_with(
      [] { chart_weighted_mmd(torch::zeros({4, 3, 2}), torch::zeros({4, 3}), torch::zeros({5, 2}), std::nullopt, -0.5); },
      "expected a membership floor in [0, 1), got -0.5"));
}

TEST(Sharpening, EntropyAndDeviationValues) {
  const auto q = torch::tensor({{1.0, 0.0}, {0.5, 0.5}}, torch::kDouble);
  EXPECT_NEAR(membership_entropy(q).item<double>(), std::log(2.0) / 2, 1e-12);
  EXPECT_NEAR(membership_uniform_deviation(q).item<double>(), 0.25, 1e-12);
  EXPECT_NEAR(ChartSharpeningLoss()(q).item<double>(), std::log(2.0) / 2, 1e-12);
  EXPECT_NEAR(ChartSharpeningLoss(ChartSharpeningLossOptions().term(SharpeningTerm::kUniformDeviation))(q).item<double>(),
              -0.25, 1e-12);
}

TEST(Sharpening, GradientsAndNoNaNAtOneHot) {
  const auto logits = seeded_normal({4, 3}, 20);
  EXPECT_TRUE(gradient_matches([](const torch::Tensor& l) { return membership_entropy(torch::softmax(l, 1)); }, logits));
  EXPECT_TRUE(gradient_matches([](const torch::Tensor& l) { return membership_uniform_deviation(torch::softmax(l, 1)); },
                               logits));
  auto one_hot = torch::tensor({{1.0, 0.0, 0.0}}, torch::kDouble).requires_grad_(true);
  const auto g = torch::autograd::grad({membership_entropy(one_hot)}, {one_hot})[0];
  EXPECT_TRUE(torch::isfinite(g).all().item<bool>());
}

TEST(Sharpening, RejectsBadArguments) {
  EXPECT_TRUE(throws_with([] { membership_entropy(torch::zeros({4})); }, "expected memberships q [B, k], got [4]"));
}

TEST(NTXent, MatchesTheDefinition) {
  const auto z1 = seeded_normal({4, 3}, 30), z2 = seeded_normal({4, 3}, 31);
  const double tau = 0.3;
  const auto z = torch::cat({z1, z2});
  double expected = 0;
  for (int64_t i = 0; i < 8; ++i) {
    const int64_t pos = (i + 4) % 8;
    double denom = 0;
    const auto sim = [&](int64_t a, int64_t b) {
      return (z[a] * z[b]).sum().item<double>() / (z[a].norm().item<double>() * z[b].norm().item<double>()) / tau;
    };
    for (int64_t j = 0; j < 8; ++j)
      if (j != i) denom += std::exp(sim(i, j));
    expected += -std::log(std::exp(sim(i, pos)) / denom);
  }
  EXPECT_NEAR(nt_xent(z1, z2, tau).item<double>(), expected / 8, 1e-12);
  EXPECT_NEAR(NTXentLoss(NTXentLossOptions().temperature(tau))(z1, z2).item<double>(), expected / 8, 1e-12);
}

TEST(NTXent, GradientAndBadArguments) {
  const auto z2 = seeded_normal({5, 3}, 32);
  EXPECT_TRUE(gradient_matches([&](const torch::Tensor& z1) { return nt_xent(z1, z2, 0.5); }, seeded_normal({5, 3}, 33)));
  EXPECT_TRUE(throws_with([] { nt_xent(torch::zeros({4, 3}), torch::zeros({5, 3}), 0.5); },
                          "expected two views [B, d] of one size, got z1 [4, 3] and z2 [5, 3]"));
  EXPECT_TRUE(throws_with([] { NTXentLoss(NTXentLossOptions().temperature(0)); }, "expected temperature > 0, got 0"));
}

TEST(Triplet, MatchesLoopsOverAllValidTriplets) {
  const auto e = seeded_normal({7, 2}, 40);
  const auto labels = torch::tensor({0, 1, 0, 2, 1, 0, 2}, torch::kLong);
  const auto d = pairwise_distances(e);
  const double margin = 0.8;
  double sum = 0;
  int count = 0;
  for (int a = 0; a < 7; ++a)
    for (int p = 0; p < 7; ++p)
      for (int n = 0; n < 7; ++n) {
        const auto la = labels[a].item<int64_t>();
        if (p == a || labels[p].item<int64_t>() != la || labels[n].item<int64_t>() == la) continue;
        sum += std::max(0.0, d[a][p].item<double>() - d[a][n].item<double>() + margin);
        ++count;
      }
  EXPECT_NEAR(TripletLoss(TripletLossOptions().margin(margin))(e, labels).item<double>(), sum / count, 1e-12);
  // A custom distance function is used as given.
  auto custom = TripletLoss(TripletLossOptions().margin(margin).distance_fn(
      [](const torch::Tensor& x) { return pairwise_distances(x) * 2; }));
  EXPECT_GT(custom->forward(e, labels).item<double>(), 0);
}

TEST(Triplet, GradientsForEveryDistanceAndNoValidTriplet) {
  const auto labels = torch::tensor({0, 1, 0, 1, 1, 0}, torch::kLong);
  for (auto kind : {TripletDistance::kEuclidean, TripletDistance::kSquaredEuclidean, TripletDistance::kCosine}) {
    TripletLoss loss(TripletLossOptions().margin(0.5).distance(kind));
    EXPECT_TRUE(gradient_matches([&](const torch::Tensor& e) { return loss(e, labels); }, seeded_normal({6, 3}, 41)));
  }
  const auto none = TripletLoss()(seeded_normal({3, 2}, 42).requires_grad_(true), torch::tensor({0, 1, 2}));
  EXPECT_EQ(none.item<double>(), 0.0);
  EXPECT_TRUE(none.requires_grad());
}

TEST(Triplet, RejectsBadArguments) {
  TripletLoss loss;
  EXPECT_TRUE(throws_with([&] { loss(torch::zeros({4, 2}), torch::zeros({3}, torch::kLong)); },
                          "expected labels [4], got [3]"));
  EXPECT_TRUE(throws_with([&] { loss(torch::zeros({4, 2}), torch::zeros({4})); }, "expected integer labels"));
  EXPECT_TRUE(throws_with(
      [] {
        TripletLoss bad(TripletLossOptions().distance_fn([](const torch::Tensor&) { return torch::zeros({2, 2}); }));
        bad(torch::zeros({4, 2}), torch::zeros({4}, torch::kLong));
      },
      "expected the distance function to return [4, 4], got [2, 2]"));
}

}  // namespace
}  // namespace topoembed::diff
