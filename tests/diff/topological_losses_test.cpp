// TopoSignatureLoss, ConnectivityLoss, TotalPersistenceLoss and the diagram losses: analytic
// cases, brute-force re-computations, gradients, bad arguments.
#include "topoembed/diff/topological_losses.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "test_support.hpp"
#include "topoembed/diff/diagram_losses.hpp"
#include "topoembed/diff/vietoris_rips.hpp"

namespace topoembed::diff {
namespace {

using testing::gradient_matches;
using testing::noisy_circle;
using testing::seeded_normal;
using testing::throws_with;

using Matrix = std::vector<std::vector<double>>;

Matrix euclidean_matrix(const torch::Tensor& x) {
  const auto n = x.size(0);
  const auto flat = x.reshape({n, -1}).to(torch::kDouble).contiguous();
  const auto f = flat.accessor<double, 2>();
  Matrix d(static_cast<std::size_t>(n), std::vector<double>(static_cast<std::size_t>(n), 0.0));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t k = 0; k < flat.size(1); ++k) {
        const double t = f[i][k] - f[j][k];
        s += t * t;
      }
      d[i][j] = std::sqrt(s);
    }
  return d;
}

// Kruskal with a plain union-find over all edges sorted by length (generic input: no ties).
std::vector<std::pair<std::size_t, std::size_t>> kruskal(const Matrix& d) {
  const std::size_t n = d.size();
  std::vector<std::pair<std::size_t, std::size_t>> edges, tree;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j) edges.emplace_back(i, j);
  std::sort(edges.begin(), edges.end(), [&](auto a, auto b) { return d[a.first][a.second] < d[b.first][b.second]; });
  std::vector<std::size_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  const auto find = [&](std::size_t v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (auto e : edges) {
    const auto a = find(e.first), b = find(e.second);
    if (a != b) {
      parent[a] = b;
      tree.push_back(e);
    }
  }
  return tree;
}

// The two halves (x_to_z, z_to_x) of the TopoAE loss of the paper's code, written out with loops
// in double: latent scale 1.
std::pair<double, double> brute_force_topoae_terms(const torch::Tensor& x, const torch::Tensor& z) {
  auto ax = euclidean_matrix(x);
  const auto az = euclidean_matrix(z);
  double max = 0;
  for (const auto& row : ax) max = std::max(max, *std::max_element(row.begin(), row.end()));
  for (auto& row : ax)
    for (auto& v : row) v /= max;
  double x_to_z = 0, z_to_x = 0;
  for (auto [i, j] : kruskal(ax)) x_to_z += std::pow(ax[i][j] - az[i][j], 2);
  for (auto [i, j] : kruskal(az)) z_to_x += std::pow(az[i][j] - ax[i][j], 2);
  const auto batch = static_cast<double>(x.size(0));
  return {x_to_z / batch, z_to_x / batch};
}

double brute_force_topoae(const torch::Tensor& x, const torch::Tensor& z) {
  const auto [x_to_z, z_to_x] = brute_force_topoae_terms(x, z);
  return x_to_z + z_to_x;
}

TEST(TopoSignatureLoss, TwoPointsAnalytic) {
  // A_X = 1 after normalisation; A_Z = |z0 − z1| = 0.5; both pairings are the one edge:
  // (1 − 0.5)^2 + (0.5 − 1)^2 = 0.5, divided by B = 2.
  TopoSignatureLoss loss;
  const auto x = torch::tensor({{0.0, 0.0, 0.0}, {1.0, 2.0, 2.0}});
  const auto z = torch::tensor({{0.0, 0.0}, {0.3, 0.4}}).requires_grad_(true);
  const auto value = loss(x, z);
  EXPECT_NEAR(value.item<float>(), 0.25f, 1e-6f);
  // d/dz0 of (1 − d)^2 = −2 (1 − d) (z0 − z1)/d = −(−0.6, −0.8).
  const auto g = torch::autograd::grad({value}, {z})[0];
  EXPECT_TRUE(torch::allclose(g, torch::tensor({{0.6f, 0.8f}, {-0.6f, -0.8f}}), 1e-5, 1e-6));
}

TEST(TopoSignatureLoss, AgreesWithBruteForceMst) {
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const int64_t batch = 5 + static_cast<int64_t>(seed) * 3;
    const auto x = seeded_normal({batch, 101}, 100 + seed);
    const auto z = seeded_normal({batch, 2}, 200 + seed);
    TopoSignatureLoss loss;
    loss->to(torch::kDouble);
    EXPECT_NEAR(loss(x, z).item<double>(), brute_force_topoae(x, z), 1e-10) << "batch " << batch;
    // Float path too (the training set-up).
    TopoSignatureLoss loss_float;
    EXPECT_NEAR(loss_float(x.to(torch::kFloat), z.to(torch::kFloat)).item<float>(), brute_force_topoae(x, z), 1e-4);
  }
}

// A batch of `batch` standard normal points in R^101 against standard normal latents of `width`
// coordinates, from seeds x_seed and z_seed.
struct MstCase {
  const char* name;
  int64_t batch, width;
  uint64_t x_seed, z_seed;
};

void PrintTo(const MstCase& c, std::ostream* os) { *os << c.name; }

class TopoSignatureLossBruteForce : public ::testing::TestWithParam<MstCase> {};

TEST_P(TopoSignatureLossBruteForce, AgreesWithTheMstInDoubleAndFloat) {
  const auto& c = GetParam();
  const auto x = seeded_normal({c.batch, 101}, c.x_seed);
  const auto z = seeded_normal({c.batch, c.width}, c.z_seed);
  const double expected = brute_force_topoae(x, z);
  TopoSignatureLoss loss;
  loss->to(torch::kDouble);
  EXPECT_NEAR(loss(x, z).item<double>(), expected, 1e-10 * std::max(1.0, expected));
  TopoSignatureLoss loss_float;
  EXPECT_NEAR(loss_float(x.to(torch::kFloat), z.to(torch::kFloat)).item<float>(), expected, 1e-4 * std::max(1.0, expected));
}

std::string case_name(const ::testing::TestParamInfo<MstCase>& p) { return p.param.name; }

// The input distances come from a SYRK Gram matrix mirrored in 4 x 4 SSE blocks: batches with
// every remainder mod 4 (17: 1, 37: 1, 130: 2, 131: 3), and the training set-up's 128.
INSTANTIATE_TEST_SUITE_P(TrainingSizedBatches, TopoSignatureLossBruteForce,
                         ::testing::Values(MstCase{"Batch17", 17, 2, 417, 517}, MstCase{"Batch37", 37, 2, 437, 537},
                                           MstCase{"Batch128", 128, 2, 528, 628},
                                           MstCase{"Batch130", 130, 2, 530, 630},
                                           MstCase{"Batch131", 131, 2, 531, 631}),
                         case_name);

// Latent squared distances: fused passes for 1 to 4 coordinates, the general loop for 5 to 16,
// the Gram form from 17 on.
INSTANTIATE_TEST_SUITE_P(EveryLatentWidth, TopoSignatureLossBruteForce,
                         ::testing::Values(MstCase{"Width1", 23, 1, 601, 701}, MstCase{"Width2", 23, 2, 602, 702},
                                           MstCase{"Width3", 23, 3, 603, 703}, MstCase{"Width4", 23, 4, 604, 704},
                                           MstCase{"Width5", 23, 5, 605, 705}, MstCase{"Width17", 23, 17, 617, 717}),
                         case_name);

// One side (x or z) of a far-from-the-origin case: 128 float points of `width` coordinates from
// `seed`, standard normal, or (far) at 10 from the origin with a spread of 0.01.
struct BatchSide {
  int64_t width;
  uint64_t seed;
  bool far;
  torch::Tensor make() const {
    const auto normal = seeded_normal({128, width}, seed);
    return (far ? 10.0 + 0.01 * normal : normal).to(torch::kFloat);
  }
};

struct FarCase {
  const char* name;
  BatchSide x, z;
};

void PrintTo(const FarCase& c, std::ostream* os) { *os << c.name; }

class TopoSignatureLossFarFromTheOrigin : public ::testing::TestWithParam<FarCase> {};

TEST_P(TopoSignatureLossFarFromTheOrigin, SmallSpreadBatchesPairByTheExactTrees) {
  // Float points at 10 from the origin with a spread of 0.01: squared norms ~1e3 to 1e4 against
  // squared distances ~1e-3, so a Gram form of the raw points (|x|^2 + |y|^2 - 2 <x, y>) loses
  // the tree to rounding (about half of the 127 edges at width 17). Each half of the loss reads
  // one pairing at the other space's distances, so a wrong edge moves it by ~1e-3 of its value.
  // The reference is the brute force in double on the same float values.
  const auto x = GetParam().x.make(), z = GetParam().z.make();
  const auto [x_to_z, z_to_x] = brute_force_topoae_terms(x.to(torch::kDouble), z.to(torch::kDouble));
  TopoSignatureLoss loss;
  const auto terms = loss->terms(x, z);
  EXPECT_NEAR(terms.x_to_z.item<double>(), x_to_z, 1e-5 * std::max(1.0, x_to_z));
  EXPECT_NEAR(terms.z_to_x.item<double>(), z_to_x, 1e-5 * std::max(1.0, z_to_x));
}

INSTANTIATE_TEST_SUITE_P(TopoSignatureLoss, TopoSignatureLossFarFromTheOrigin,
                         ::testing::Values(FarCase{"LatentWidth17", {101, 801, false}, {17, 802, true}},
                                           FarCase{"LatentWidth40", {101, 803, false}, {40, 804, true}},
                                           FarCase{"Inputs", {101, 805, true}, {2, 806, false}},
                                           FarCase{"Both", {101, 807, true}, {17, 808, true}}),
                         [](const ::testing::TestParamInfo<FarCase>& p) { return std::string(p.param.name); });

TEST(TopoSignatureLoss, HugeButFiniteInputDistancesAreKept) {
  // x = (1.5e19, 0, ...), y = (1.5e19, 1e18, 0, ...) in float with 17 features: the squared
  // distance 1e36 is finite, while |x|^2 + |y|^2 and 2 <x, y> both overflow (inf - inf = NaN).
  // A_X = 1 at the one edge, A_Z = 0.3: 2 (1 - 0.3)^2 / 2.
  for (const int64_t features : {17, 101}) {
    auto x = torch::zeros({2, features});
    x[0][0] = 1.5e19f;
    x[1][0] = 1.5e19f;
    x[1][1] = 1e18f;
    const auto z = torch::tensor({{0.0f, 0.0f}, {0.18f, 0.24f}});
    TopoSignatureLoss loss;
    EXPECT_NEAR(loss(x, z).item<float>(), 0.49f, 1e-5f) << features << " features";
  }
  // A close pair (rows 0 and 1, 1e18 apart) 1.36e19 from the batch mean, 1.7e19 from the other
  // eight rows: every squared distance is finite (< 3.4e38), but even after centring the pair's
  // |c_0|^2 + |c_1|^2 and 2 <c_0, c_1> overflow.
  auto x = torch::zeros({10, 17});
  x[1][1] = 1e18f;
  const auto spread = seeded_normal({8}, 810);
  for (int64_t i = 2; i < 10; ++i) {
    x[i][0] = 1.7e19f;
    x[i][2] = 1e18f * spread[i - 2].item<float>();
  }
  const auto z = seeded_normal({10, 2}, 811).to(torch::kFloat);
  const double expected = brute_force_topoae(x.to(torch::kDouble), z.to(torch::kDouble));
  TopoSignatureLoss loss;
  EXPECT_NEAR(loss(x, z).item<float>(), expected, 1e-5 * expected);
}

TEST(TopoSignatureLoss, ImageInputsAreFlattenedAndScaledByTheConstant) {
  const auto x = seeded_normal({6, 1, 3, 3}, 300);
  const auto z = seeded_normal({6, 2}, 301);
  TopoSignatureLoss loss(TopoSignatureLossOptions().input_scale(2.5));
  loss->to(torch::kDouble);
  // Same as the flattened input scaled so that its max becomes max / 2.5.
  const auto flat = x.reshape({6, -1});
  const auto terms = loss->terms(x, z);
  EXPECT_NEAR(terms.loss.item<double>(), (terms.x_to_z + terms.z_to_x).item<double>(), 1e-12);
  const auto a_x = pairwise_distances(flat) / 2.5;
  const auto a_z = pairwise_distances(z);
  EXPECT_NEAR(terms.loss.item<double>(), signature_distance(a_x, a_z).loss.item<double>() / 6, 1e-12);
}

TEST(TopoSignatureLoss, LatentScaleIsALearnableParameter) {
  TopoSignatureLoss loss;
  ASSERT_EQ(loss->parameters().size(), 1u);
  EXPECT_EQ(loss->latent_norm.item<float>(), 1.0f);
  const auto x = seeded_normal({8, 5}, 302).to(torch::kFloat);
  const auto z = seeded_normal({8, 2}, 303).to(torch::kFloat);
  loss(x, z).backward();
  ASSERT_TRUE(loss->latent_norm.grad().defined());
  EXPECT_NE(loss->latent_norm.grad().item<float>(), 0.0f);
  TopoSignatureLoss fixed(TopoSignatureLossOptions().learnable_scale(false));
  EXPECT_TRUE(fixed->parameters().empty());
}

TEST(TopoSignatureLoss, GradientsH0AndH1AndPNorm) {
  const auto x = seeded_normal({9, 4}, 304);
  for (const auto& options : {TopoSignatureLossOptions(), TopoSignatureLossOptions().dims({0, 1}),
                              TopoSignatureLossOptions().error(SignatureError::kPNorm).p(3)}) {
    TopoSignatureLoss loss(options);
    loss->to(torch::kDouble);
    EXPECT_TRUE(gradient_matches([&](const torch::Tensor& z) { return loss(x, z); }, noisy_circle(9, 305)));
    // Through the input side too (x requires grad, e.g. an encoder before the loss).
    EXPECT_TRUE(gradient_matches([&](const torch::Tensor& xx) { return loss(xx, noisy_circle(9, 306)); }, x));
  }
}

TEST(TopoSignatureLoss, FastPathMatchesTensorPath) {
  // x without grad takes the fused H0 path; x with grad the tensor-op path. Same values and
  // gradients (z and the latent scale), in double and float.
  for (auto dtype : {torch::kDouble, torch::kFloat}) {
    const auto x = seeded_normal({11, 101}, 309).to(dtype);
    const auto z0 = seeded_normal({11, 2}, 310).to(dtype);
    TopoSignatureLoss loss;
    loss->to(dtype);
    {
      torch::NoGradGuard no_grad;
      loss->latent_norm.fill_(1.7);
    }
    auto z_fast = z0.clone().requires_grad_(true);
    const auto fast = loss->terms(x, z_fast);
    const auto g_fast = torch::autograd::grad({fast.loss}, {z_fast, loss->latent_norm});
    auto z_tensor = z0.clone().requires_grad_(true);
    const auto slow = loss->terms(x.clone().requires_grad_(true), z_tensor);
    const auto g_slow = torch::autograd::grad({slow.loss}, {z_tensor, loss->latent_norm});
    const double tol = dtype == torch::kDouble ? 1e-12 : 1e-5;
    EXPECT_NEAR(fast.x_to_z.item<double>(), slow.x_to_z.item<double>(), tol);
    EXPECT_NEAR(fast.z_to_x.item<double>(), slow.z_to_x.item<double>(), tol);
    EXPECT_TRUE(torch::allclose(g_fast[0], g_slow[0], tol, tol));
    EXPECT_NEAR(g_fast[1].item<double>(), g_slow[1].item<double>(), tol * 10);
  }
}

TEST(TopoSignatureLoss, DuplicateLatentsAndInputsGiveFiniteGradients) {
  for (int64_t features : {3, 101}) {
    auto x = seeded_normal({7, features}, 307);
    x[3] = x[0];
    auto z = seeded_normal({7, 2}, 308);
    z[5] = z[2];
    z[6] = z[2];
    x.requires_grad_(true);
    z.requires_grad_(true);
    TopoSignatureLoss loss(TopoSignatureLossOptions().dims({0, 1}));
    loss->to(torch::kDouble);
    const auto grads = torch::autograd::grad({loss(x, z)}, {x, z});
    EXPECT_TRUE(torch::isfinite(grads[0]).all().item<bool>());
    EXPECT_TRUE(torch::isfinite(grads[1]).all().item<bool>());
  }
}

TEST(TopoSignatureLoss, RejectsBadArguments) {
  TopoSignatureLoss loss;
  EXPECT_TRUE(throws_with([&] { loss(torch::zeros({4, 3}), torch::zeros({5, 2})); },
                          "expected x and z with one batch size, got x [4, 3] and z [5, 2]"));
  EXPECT_TRUE(throws_with([&] { loss(torch::zeros({4, 3}), torch::zeros({4, 2, 1})); },
                          "expected latents z [B, d], got [4, 2, 1]"));
  EXPECT_TRUE(throws_with([&] { loss(torch::zeros({1, 3}), torch::zeros({1, 2})); },
                          "expected a batch of at least 2 samples, got 1"));
  EXPECT_TRUE(throws_with(
      [&] {
        auto z = torch::zeros({4, 2});
        z[2][1] = std::nan("");
        loss(torch::ones({4, 3}), z);
      },
      "TopoSignatureLoss: expected finite points, got nan in row 2"));
  // Wide inputs go through the Gram form, where a bad point shows as a non-finite squared norm.
  for (const double bad : {std::nan(""), std::numeric_limits<double>::infinity()}) {
    EXPECT_TRUE(throws_with(
        [&] {
          auto x = torch::ones({6, 101});
          x[3][40] = bad;
          loss(x, seeded_normal({6, 2}, 311).to(torch::kFloat));
        },
        std::string("TopoSignatureLoss: expected finite points, got ") + (std::isnan(bad) ? "nan" : "inf") +
            " in row 3"));
  }
  // Distances whose squares overflow, in the Gram form (101 features) and by differences (3):
  // rows 0 and 1 are 2e30 apart.
  for (const int64_t features : {101, 3}) {
    EXPECT_TRUE(throws_with(
        [&] {
          auto x = torch::ones({6, features});
          x[0][1] = 1e30f;
          x[1][1] = -1e30f;
          loss(x, seeded_normal({6, 2}, 312).to(torch::kFloat));
        },
        "TopoSignatureLoss: expected finite squared distances, got an overflow in row 0"))
        << features << " features";
  }
  EXPECT_TRUE(throws_with([&] { loss(torch::zeros({4, 3}), torch::zeros({4, 2}, torch::kHalf)); },
                          "TopoSignatureLoss: expected z as float32 or float64, got Half"));
  EXPECT_TRUE(throws_with([&] { loss(torch::zeros({4, 3}), torch::zeros({4, 2}, torch::kInt)); },
                          "TopoSignatureLoss: expected z as float32 or float64, got Int"));
  EXPECT_TRUE(throws_with([&] { loss(torch::zeros({4, 3}, torch::kLong), torch::zeros({4, 2})); },
                          "TopoSignatureLoss: expected x as a floating-point tensor, got Long"));
  EXPECT_TRUE(throws_with([] { TopoSignatureLoss(TopoSignatureLossOptions().dims({2})); },
                          "expected homology dimensions in 0..1, got 2"));
  EXPECT_TRUE(throws_with([] { TopoSignatureLoss(TopoSignatureLossOptions().input_scale(0.0)); },
                          "expected input_scale > 0, got 0"));
  EXPECT_TRUE(throws_with([] { signature_distance(torch::zeros({3, 3}), torch::zeros({4, 4})); },
                          "expected A_Z of the size of A_X [3, 3], got [4, 4]"));
}

// --- ConnectivityLoss ----------------------------------------------------------------------------

TEST(ConnectivityLoss, TwoPointsAnalytic) {
  // L1 distance 3 + 4 = 7, one death: |7 − 2| / B = 5 / 2.
  ConnectivityLoss loss;
  const auto z = torch::tensor({{0.0, 0.0}, {3.0, 4.0}}, torch::kDouble);
  EXPECT_DOUBLE_EQ(loss(z).item<double>(), 2.5);
  ConnectivityLoss l2(ConnectivityLossOptions().metric(Metric::kEuclidean).norm(ConnectivityNorm::kL2).eta(1));
  EXPECT_DOUBLE_EQ(l2(z).item<double>(), 16.0 / 2);
}

TEST(ConnectivityLoss, BranchesAverageTheirLosses) {
  const auto z = seeded_normal({10, 6}, 400);
  ConnectivityLoss split(ConnectivityLossOptions().branches(3));
  ConnectivityLoss whole;
  double expected = 0;
  for (int64_t s = 0; s < 3; ++s) expected += whole(z.slice(1, 2 * s, 2 * s + 2)).item<double>();
  EXPECT_NEAR(split(z).item<double>(), expected / 3, 1e-12);
}

TEST(ConnectivityLoss, DeathsAreTheMstLengths) {
  const auto z = seeded_normal({12, 3}, 401);
  const auto d = pairwise_distances(z, Metric::kManhattan);
  Matrix m(12, std::vector<double>(12));
  for (int64_t i = 0; i < 12; ++i)
    for (int64_t j = 0; j < 12; ++j) m[i][j] = d[i][j].item<double>();
  double expected = 0;
  for (auto [i, j] : kruskal(m)) expected += std::abs(m[i][j] - 2.0);
  EXPECT_NEAR(ConnectivityLoss()(z).item<double>(), expected / 12, 1e-12);
}

TEST(ConnectivityLoss, Gradient) {
  for (auto norm : {ConnectivityNorm::kL1, ConnectivityNorm::kL2}) {
    ConnectivityLoss loss(ConnectivityLossOptions().branches(2).norm(norm).eta(0.7));
    EXPECT_TRUE(gradient_matches([&](const torch::Tensor& z) { return loss(z); }, seeded_normal({9, 4}, 402)));
  }
}

TEST(ConnectivityLoss, RejectsBadArguments) {
  ConnectivityLoss loss(ConnectivityLossOptions().branches(3));
  EXPECT_TRUE(throws_with([&] { loss(torch::zeros({4, 4})); },
                          "expected the latent dimension 4 to be a positive multiple of branches = 3"));
  EXPECT_TRUE(throws_with([&] { loss(torch::zeros({4})); }, "expected latents z [B, d], got [4]"));
  EXPECT_TRUE(throws_with([] { ConnectivityLoss(ConnectivityLossOptions().branches(0)); },
                          "expected branches >= 1, got 0"));
}

// --- TotalPersistenceLoss ------------------------------------------------------------------------

TEST(TotalPersistenceLoss, SquareAndTriangle) {
  const auto square = torch::tensor({{0.0, 0.0}, {1.0, 0.0}, {1.0, 1.0}, {0.0, 1.0}}, torch::kDouble);
  // H0: three deaths at 1; H1: (1, sqrt 2).
  EXPECT_NEAR(TotalPersistenceLoss()(square).item<double>(), 3.0, 1e-12);
  EXPECT_NEAR(TotalPersistenceLoss(TotalPersistenceLossOptions().dims({1}))(square).item<double>(),
              std::sqrt(2.0) - 1, 1e-12);
  EXPECT_NEAR(TotalPersistenceLoss(TotalPersistenceLossOptions().dims({0, 1}).p(2))(square).item<double>(),
              3.0 + std::pow(std::sqrt(2.0) - 1, 2), 1e-12);
  const auto triangle = torch::tensor({{0.0, 0.0}, {3.0, 0.0}, {0.0, 4.0}}, torch::kDouble);
  EXPECT_NEAR(TotalPersistenceLoss()(triangle).item<double>(), 7.0, 1e-12);
}

TEST(TotalPersistenceLoss, GradientSingleAndBatch) {
  TotalPersistenceLoss loss(TotalPersistenceLossOptions().dims({0, 1}).p(2));
  EXPECT_TRUE(gradient_matches([&](const torch::Tensor& x) { return loss(x); }, noisy_circle(10, 500)));
  EXPECT_TRUE(gradient_matches([&](const torch::Tensor& x) { return loss(x); },
                               torch::stack({noisy_circle(8, 501), noisy_circle(8, 502)})));
}

TEST(TotalPersistenceLoss, RejectsBadArguments) {
  EXPECT_TRUE(throws_with([] { TotalPersistenceLoss(TotalPersistenceLossOptions().p(0)); }, "expected p > 0, got 0"));
  EXPECT_TRUE(throws_with([] { TotalPersistenceLoss(TotalPersistenceLossOptions().dims({})); },
                          "expected at least one homology dimension"));
}

// --- Diagram distances ---------------------------------------------------------------------------

// Minimum over all assignments of the square reduction (n + m <= 7) of Σ c^p, or of max c.
double brute_force_diagram_distance(const torch::Tensor& a, const torch::Tensor& b, double p, bool bottleneck) {
  const auto n = static_cast<std::size_t>(a.size(0)), m = static_cast<std::size_t>(b.size(0)), s = n + m;
  const auto ha = a.contiguous(), hb = b.contiguous();
  const auto pa = ha.accessor<double, 2>(), pb = hb.accessor<double, 2>();
  std::vector<double> cost(s * s, 0.0);  // the square reduction, diagonal to diagonal = 0
  for (std::size_t i = 0; i < s; ++i)
    for (std::size_t j = 0; j < s; ++j) {
      const auto ii = static_cast<int64_t>(i), jj = static_cast<int64_t>(j);
      if (i < n && j < m) {
        cost[i * s + j] = std::max(std::abs(pa[ii][0] - pb[jj][0]), std::abs(pa[ii][1] - pb[jj][1]));
      } else if (i < n) {
        cost[i * s + j] = (pa[ii][1] - pa[ii][0]) / 2;
      } else if (j < m) {
        cost[i * s + j] = (pb[jj][1] - pb[jj][0]) / 2;
      }
    }
  std::vector<std::size_t> perm(s);
  std::iota(perm.begin(), perm.end(), 0);
  double best = std::numeric_limits<double>::infinity();
  do {
    double v = 0;
    for (std::size_t i = 0; i < s; ++i) {
      const double c = cost[i * s + perm[i]];
      v = bottleneck ? std::max(v, c) : v + std::pow(c, p);
    }
    best = std::min(best, v);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return bottleneck ? best : std::pow(best, 1 / p);
}

torch::Tensor random_diagram(int64_t k, uint64_t seed) {
  const auto u = testing::seeded_uniform({k, 2}, seed);
  const auto birth = u.select(1, 0);
  return torch::stack({birth, birth + u.select(1, 1) + 0.05}, 1);
}

TEST(DiagramDistances, MatchBruteForceOnSmallDiagrams) {
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const auto a = random_diagram(1 + static_cast<int64_t>(seed % 4), 600 + seed);
    const auto b = random_diagram(3 - static_cast<int64_t>(seed % 3), 700 + seed);
    for (double p : {1.0, 2.0}) {
      EXPECT_NEAR(wasserstein_distance(a, b, p).item<double>(), brute_force_diagram_distance(a, b, p, false), 1e-12);
    }
    EXPECT_NEAR(bottleneck_distance(a, b).item<double>(), brute_force_diagram_distance(a, b, 1, true), 1e-12);
  }
}

TEST(DiagramDistances, AnalyticCasesAndEssentialPointsLeftOut) {
  const auto inf = std::numeric_limits<double>::infinity();
  const auto a = torch::tensor({{0.0, 1.0}, {0.0, inf}}, torch::kDouble);
  const auto empty = torch::zeros({0, 2}, torch::kDouble);
  EXPECT_DOUBLE_EQ(wasserstein_distance(a, empty, 2).item<double>(), 0.5);
  EXPECT_DOUBLE_EQ(bottleneck_distance(a, empty).item<double>(), 0.5);
  EXPECT_DOUBLE_EQ(wasserstein_distance(a, a, 2).item<double>(), 0.0);
  const auto b = torch::tensor({{0.0, 1.25}}, torch::kDouble);
  EXPECT_DOUBLE_EQ(wasserstein_distance(a, b, 1).item<double>(), 0.25);
}

TEST(DiagramDistances, GradientsThroughTheMatchedPoints) {
  const auto target = random_diagram(3, 800);
  for (double p : {1.0, 2.0}) {
    EXPECT_TRUE(gradient_matches([&](const torch::Tensor& d) { return wasserstein_distance(d, target, p); },
                                 random_diagram(4, 801)));
  }
  EXPECT_TRUE(gradient_matches([&](const torch::Tensor& d) { return bottleneck_distance(d, target); },
                               random_diagram(4, 802)));
  const auto start = random_diagram(3, 803), shrunk = start * 0.5;
  EXPECT_TRUE(gradient_matches([&](const torch::Tensor& d) { return wasserstein_distance(d, shrunk, 2); }, start));
}

TEST(DiagramLosses, GradientsFromPointClouds) {
  const auto target = torch::tensor({{0.2, 0.9}}, torch::kDouble);
  WassersteinLoss w(DiagramLossOptions().dim(1).p(2));
  BottleneckLoss b(DiagramLossOptions().dim(1));
  EXPECT_TRUE(gradient_matches([&](const torch::Tensor& x) { return w(x, target); }, noisy_circle(10, 804)));
  EXPECT_TRUE(gradient_matches([&](const torch::Tensor& x) { return b(x, target); }, noisy_circle(10, 805)));
  WassersteinLoss w0(DiagramLossOptions().dim(0).p(1));
  EXPECT_TRUE(gradient_matches([&](const torch::Tensor& x) { return w0(x, random_diagram(3, 806) * 0); },
                               seeded_normal({7, 3}, 807)));
}

TEST(DiagramLosses, RejectsBadArguments) {
  EXPECT_TRUE(throws_with([] { wasserstein_distance(torch::zeros({3, 3}), torch::zeros({2, 2}), 2); },
                          "expected diagram a of shape [K, 2], got [3, 3]"));
  EXPECT_TRUE(throws_with([] { wasserstein_distance(torch::zeros({3, 2}), torch::zeros({2, 2}), 0.5); },
                          "expected p >= 1, got 0.5"));
  EXPECT_TRUE(throws_with([] { WassersteinLoss()(torch::zeros({2, 3, 2}), torch::zeros({1, 2})); },
                          "expected one cloud, points [N, D] or distances [N, N], got [2, 3, 2]"));
}

}  // namespace
}  // namespace topoembed::diff
