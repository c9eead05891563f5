// The persistence layer: distances, diagrams gathered at critical edges, gradients.
#include "topoembed/diff/vietoris_rips.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "test_support.hpp"
#include "topoembed/diff/distances.hpp"

namespace topoembed::diff {
namespace {

using testing::gradient_matches;
using testing::noisy_circle;
using testing::seeded_normal;
using testing::throws_with;

// Σ w ⊙ (finite entries of the diagrams of dims 0..max_dim); infinite deaths are masked out.
torch::Tensor weighted_diagram_sum(const VietorisRipsResult& vr, int max_dim) {
  auto total = vr.distances.sum() * 0;
  for (const auto& cloud : vr.clouds) {
    for (int dim = 0; dim <= max_dim; ++dim) {
      const auto& d = cloud[static_cast<std::size_t>(dim)].diagram;
      const auto finite = torch::isfinite(d);
      const auto w = torch::arange(1, d.numel() + 1, d.options()).reshape(d.sizes()) * 0.1 + dim;
      total = total + (torch::where(finite, d, torch::zeros_like(d)) * w).sum();
    }
  }
  return total;
}

TEST(Distances, EuclideanMatchesDefinitionInBothForms) {
  for (int64_t features : {3, 40}) {  // explicit differences and Gram form
    const auto x = seeded_normal({7, features}, 1);
    const auto d = pairwise_distances(x);
    ASSERT_EQ(d.sizes(), torch::IntArrayRef({7, 7}));
    for (int64_t i = 0; i < 7; ++i) {
      EXPECT_EQ(d[i][i].item<double>(), 0.0);
      for (int64_t j = 0; j < 7; ++j) {
        EXPECT_NEAR(d[i][j].item<double>(), (x[i] - x[j]).norm().item<double>(), 1e-10);
      }
    }
  }
}

TEST(Distances, GramFormIsExactFarFromTheOrigin) {
  // Float points at 10 from the origin with a spread of 0.01 (squared norms ~4e3, squared
  // distances ~8e-3): the Gram form of the raw points was off by percents; of the centred points it
  // is as close as the explicit differences. Reference: double differences of the same values.
  const auto x = (10.0 + 0.01 * seeded_normal({64, 40}, 6)).to(torch::kFloat);
  const auto d = pairwise_distances(x).to(torch::kDouble);
  const auto xd = x.to(torch::kDouble);
  const auto exact = (xd.unsqueeze(1) - xd.unsqueeze(0)).pow(2).sum(-1).sqrt();
  const auto off_diagonal = torch::eye(64, torch::kBool).logical_not();
  const auto relative = ((d - exact).abs() / exact).masked_select(off_diagonal);
  EXPECT_LT(relative.max().item<double>(), 1e-5);
  EXPECT_EQ(d.diagonal().abs().max().item<double>(), 0.0);
}

TEST(Distances, ManhattanAndChebyshev) {
  const auto x = torch::tensor({{0.0, 0.0}, {3.0, -4.0}}, torch::kDouble);
  EXPECT_DOUBLE_EQ(pairwise_distances(x, Metric::kEuclidean)[1][0].item<double>(), 5.0);
  EXPECT_DOUBLE_EQ(pairwise_distances(x, Metric::kManhattan)[1][0].item<double>(), 7.0);
  EXPECT_DOUBLE_EQ(pairwise_distances(x, Metric::kChebyshev)[1][0].item<double>(), 4.0);
}

TEST(Distances, BatchEqualsClouds) {
  const auto x = seeded_normal({3, 6, 4}, 2);
  const auto d = pairwise_distances(x, Metric::kManhattan);
  for (int64_t b = 0; b < 3; ++b) EXPECT_TRUE(torch::allclose(d[b], pairwise_distances(x[b], Metric::kManhattan)));
}

TEST(Distances, DuplicatePointsGiveZeroGradientNotNaN) {
  for (auto metric : {Metric::kEuclidean, Metric::kManhattan, Metric::kChebyshev}) {
    for (int64_t features : {2, 30}) {
      auto x = seeded_normal({5, features}, 3);
      x[3] = x[1];
      x.requires_grad_(true);
      const auto d = pairwise_distances(x, metric);
      // Exact zero by explicit differences; the Gram form (wide Euclidean input) may leave a
      // rounding residue, but the gradient is 0 either way.
      if (metric == Metric::kEuclidean && features > 16) {
        EXPECT_LT(d[3][1].item<double>(), 1e-6);
      } else {
        EXPECT_EQ(d[3][1].item<double>(), 0.0);
      }
      const auto g = torch::autograd::grad({d[3][1] + d.diagonal().sum()}, {x})[0];
      EXPECT_TRUE(torch::isfinite(g).all().item<bool>());
      EXPECT_EQ(g.abs().max().item<double>(), 0.0);
      const auto g_all = torch::autograd::grad({pairwise_distances(x, metric).sum()}, {x})[0];
      EXPECT_TRUE(torch::isfinite(g_all).all().item<bool>());
    }
  }
}

TEST(Distances, GradientMatchesFiniteDifferences) {
  for (auto metric : {Metric::kEuclidean, Metric::kManhattan, Metric::kChebyshev}) {
    for (int64_t features : {3, 20}) {
      const auto w = seeded_normal({6, 6}, 4);
      EXPECT_TRUE(gradient_matches([&](const torch::Tensor& x) { return (pairwise_distances(x, metric) * w).sum(); },
                                   seeded_normal({6, features}, 5)));
    }
  }
}

TEST(VietorisRips, TwoPoints) {
  auto x = torch::tensor({{0.0, 0.0}, {3.0, 4.0}}, torch::kDouble).requires_grad_(true);
  const auto vr = vietoris_rips(x);
  const auto& h0 = vr.at(0);
  ASSERT_EQ(h0.diagram.sizes(), torch::IntArrayRef({2, 2}));
  EXPECT_DOUBLE_EQ(h0.diagram[0][0].item<double>(), 0.0);
  EXPECT_DOUBLE_EQ(h0.diagram[0][1].item<double>(), 5.0);
  EXPECT_FALSE(h0.essential[0].item<bool>());
  EXPECT_TRUE(h0.essential[1].item<bool>());
  EXPECT_TRUE(std::isinf(h0.diagram[1][1].item<double>()));
  EXPECT_EQ(h0.death_edges[0][0].item<int64_t>(), 1);
  EXPECT_EQ(h0.death_edges[0][1].item<int64_t>(), 0);
  EXPECT_EQ(h0.death_edges[1][0].item<int64_t>(), -1);
  EXPECT_EQ(vr.at(1).diagram.size(0), 0);
  // d(death)/dx = (x0 − x1)/5 for point 0.
  const auto g = torch::autograd::grad({h0.diagram[0][1]}, {x})[0];
  EXPECT_TRUE(torch::allclose(g, torch::tensor({{-0.6, -0.8}, {0.6, 0.8}}, torch::kDouble)));
}

TEST(VietorisRips, TriangleHasTwoDeathsAndNoCycle) {
  // Sides 3 (0-1), 4 (0-2), 5 (1-2): H0 dies at 3 and 4; the cycle is born and filled at 5.
  const auto x = torch::tensor({{0.0, 0.0}, {3.0, 0.0}, {0.0, 4.0}}, torch::kDouble);
  const auto vr = vietoris_rips(x);
  const auto& h0 = vr.at(0);
  ASSERT_EQ(h0.diagram.size(0), 3);
  EXPECT_DOUBLE_EQ(h0.diagram[0][1].item<double>(), 3.0);
  EXPECT_DOUBLE_EQ(h0.diagram[1][1].item<double>(), 4.0);
  EXPECT_EQ(h0.death_edges[1][0].item<int64_t>(), 2);
  EXPECT_EQ(h0.death_edges[1][1].item<int64_t>(), 0);
  EXPECT_EQ(vr.at(1).diagram.size(0), 0);
}

TEST(VietorisRips, SquareHasOneCycle) {
  const auto x = torch::tensor({{0.0, 0.0}, {1.0, 0.0}, {1.0, 1.0}, {0.0, 1.0}}, torch::kDouble);
  const auto h1 = vietoris_rips(x).at(1);
  ASSERT_EQ(h1.diagram.size(0), 1);
  EXPECT_NEAR(h1.diagram[0][0].item<double>(), 1.0, 1e-12);
  EXPECT_NEAR(h1.diagram[0][1].item<double>(), std::sqrt(2.0), 1e-12);
  EXPECT_FALSE(h1.essential[0].item<bool>());
}

TEST(VietorisRips, EveryValueIsTheDistanceAtItsEdge) {
  const auto x = noisy_circle(14, 6);
  const auto vr = vietoris_rips(x, VietorisRipsOptions().max_dim(1));
  const auto d = pairwise_distances(x);
  ASSERT_GT(vr.at(1).diagram.size(0), 0);
  for (int dim = 0; dim <= 1; ++dim) {
    const auto& dd = vr.at(dim);
    for (int64_t k = 0; k < dd.diagram.size(0); ++k) {
      if (dim == 1) {
        EXPECT_EQ(dd.diagram[k][0].item<double>(),
                  d[dd.birth_edges[k][0].item<int64_t>()][dd.birth_edges[k][1].item<int64_t>()].item<double>());
      }
      if (!dd.essential[k].item<bool>()) {
        EXPECT_EQ(dd.diagram[k][1].item<double>(),
                  d[dd.death_edges[k][0].item<int64_t>()][dd.death_edges[k][1].item<int64_t>()].item<double>());
      }
    }
  }
}

TEST(VietorisRips, DistanceInputMatchesPointInput) {
  const auto x = noisy_circle(10, 7);
  const auto a = vietoris_rips(x);
  const auto b = vietoris_rips(pairwise_distances(x), VietorisRipsOptions().distance_input(true));
  for (int dim = 0; dim <= 1; ++dim) EXPECT_TRUE(torch::equal(a.at(dim).diagram, b.at(dim).diagram));
}

TEST(VietorisRips, BatchEqualsSingleCloudsAndThreadCounts) {
  const auto x = torch::stack({noisy_circle(9, 8), noisy_circle(9, 9), seeded_normal({9, 2}, 10)});
  const auto batch = vietoris_rips(x, VietorisRipsOptions().threads(3));
  const auto serial = vietoris_rips(x, VietorisRipsOptions().threads(1));
  ASSERT_TRUE(batch.batched);
  ASSERT_EQ(batch.clouds.size(), 3u);
  for (int b = 0; b < 3; ++b) {
    const auto single = vietoris_rips(x[b]);
    for (int dim = 0; dim <= 1; ++dim) {
      EXPECT_TRUE(torch::equal(batch.at(dim, b).diagram, single.at(dim).diagram));
      EXPECT_TRUE(torch::equal(batch.at(dim, b).death_edges, serial.at(dim, b).death_edges));
    }
  }
}

TEST(VietorisRips, FloatInputWorks) {
  const auto x = noisy_circle(10, 11).to(torch::kFloat);
  const auto vr = vietoris_rips(x);
  EXPECT_EQ(vr.at(1).diagram.scalar_type(), torch::kFloat);
  EXPECT_EQ(vr.at(0).death_edges.scalar_type(), torch::kLong);
  EXPECT_EQ(vr.at(0).diagram.size(0), 10);
}

TEST(VietorisRips, GradientH0) {
  EXPECT_TRUE(gradient_matches(
      [](const torch::Tensor& x) { return weighted_diagram_sum(vietoris_rips(x, VietorisRipsOptions().max_dim(0)), 0); },
      seeded_normal({8, 3}, 12)));
  EXPECT_TRUE(gradient_matches(
      [](const torch::Tensor& x) {
        return weighted_diagram_sum(vietoris_rips(x, VietorisRipsOptions().max_dim(0).metric(Metric::kManhattan)), 0);
      },
      seeded_normal({8, 3}, 13)));
}

TEST(VietorisRips, GradientH1) {
  EXPECT_TRUE(gradient_matches([](const torch::Tensor& x) { return weighted_diagram_sum(vietoris_rips(x), 1); },
                               noisy_circle(10, 14)));
}

TEST(VietorisRips, GradientBatch) {
  const auto x = torch::stack({noisy_circle(8, 15), noisy_circle(8, 16)});
  EXPECT_TRUE(gradient_matches(
      [](const torch::Tensor& p) { return weighted_diagram_sum(vietoris_rips(p, VietorisRipsOptions().threads(2)), 1); },
      x));
  EXPECT_TRUE(gradient_matches(
      [](const torch::Tensor& p) {
        return weighted_diagram_sum(vietoris_rips(pairwise_distances(p), VietorisRipsOptions().distance_input(true)), 1);
      },
      x));
}

TEST(VietorisRips, DuplicatePointsGiveFiniteGradients) {
  auto x = noisy_circle(9, 17);
  x[4] = x[2];
  x[5] = x[2];
  x.requires_grad_(true);
  const auto vr = vietoris_rips(x);
  const auto g = torch::autograd::grad({weighted_diagram_sum(vr, 1)}, {x})[0];
  EXPECT_TRUE(torch::isfinite(g).all().item<bool>());
}

TEST(MinimumSpanningEdges, TreeOfTheTriangleAndGather) {
  const auto x = torch::tensor({{0.0, 0.0}, {3.0, 0.0}, {0.0, 4.0}}, torch::kDouble);
  const auto d = pairwise_distances(x);
  const auto edges = minimum_spanning_edges(d);
  ASSERT_EQ(edges.sizes(), torch::IntArrayRef({2, 2}));
  const auto lengths = gather_edges(d, edges);
  EXPECT_DOUBLE_EQ(lengths.sum().item<double>(), 7.0);
  const auto batch = minimum_spanning_edges(torch::stack({d, d * 2}));
  ASSERT_EQ(batch.sizes(), torch::IntArrayRef({2, 2, 2}));
  EXPECT_DOUBLE_EQ(gather_edges(torch::stack({d, d * 2}), batch).sum().item<double>(), 21.0);
}

TEST(VietorisRips, RejectsBadArguments) {
  EXPECT_TRUE(throws_with([] { vietoris_rips(torch::zeros({4})); }, "expected points [N, D] or [B, N, D], got [4]"));
  EXPECT_TRUE(throws_with([] { vietoris_rips(torch::zeros({3, 4}, torch::kInt)); }, "expected float32 or float64"));
  EXPECT_TRUE(throws_with([] { vietoris_rips(torch::zeros({3, 4}), VietorisRipsOptions().distance_input(true)); },
                          "expected a distance tensor [N, N] or [B, N, N], got [3, 4]"));
  EXPECT_TRUE(throws_with([] { vietoris_rips(torch::zeros({3, 2}), VietorisRipsOptions().max_dim(-1)); },
                          "expected max_dim >= 0, got -1"));
  EXPECT_TRUE(throws_with(
      [] {
        auto x = torch::zeros({3, 2});
        x[1][1] = std::nan("");
        vietoris_rips(x);
      },
      "expected finite distances"));
  EXPECT_TRUE(throws_with(
      [] {
        auto d = torch::ones({3, 3});
        d[0][1] = 2;
        vietoris_rips(d, VietorisRipsOptions().distance_input(true));
      },
      "expected a symmetric distance matrix"));
  EXPECT_TRUE(throws_with([] { gather_edges(torch::zeros({3, 3}), torch::zeros({2, 2})); }, "expected kLong edges"));
  EXPECT_TRUE(throws_with([] { gather_edges(torch::zeros({3, 3}), torch::full({1, 2}, 5, torch::kLong)); },
                          "expected vertex indices in [0, 3)"));
  EXPECT_TRUE(throws_with([] { vietoris_rips(torch::zeros({3, 2})).at(2); }, "dimension 2 not computed"));
}

}  // namespace
}  // namespace topoembed::diff
