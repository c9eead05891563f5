// Vietoris–Rips persistence: hand-checked golden cases and invariants on seeded random clouds.
#include "topoembed/ph/rips_persistence.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>

#include "../support/expect_error.hpp"
#include "test_support.hpp"
#include "topoembed/ph/h0_persistence.hpp"

namespace topoembed::ph {
namespace {

using test_support::throws_containing;
using testing::intervals;
using testing::same_intervals;

PointCloud<double> cloud(int dim, std::vector<double> xs) {
  const index_t n = static_cast<index_t>(xs.size()) / dim;
  return PointCloud<double>(n, dim, std::move(xs));
}

std::vector<PersistencePair<double>> in_dim(const RipsResult<double>& r, int d) { return r.dimension(d); }

TEST(RipsGolden, TwoPoints) {
  const auto r = rips_persistence(cloud(1, {0.0, 2.0}), Metric::kEuclidean, RipsOptions().with_max_dim(1));
  const auto h0 = in_dim(r, 0);
  ASSERT_EQ(h0.size(), 2u);
  EXPECT_DOUBLE_EQ(h0[0].death, 2.0);
  EXPECT_EQ(h0[0].death_edge, (Edge{1, 0}));
  EXPECT_FALSE(h0[0].birth_edge.valid());
  EXPECT_TRUE(h0[1].essential());
  EXPECT_FALSE(h0[1].death_edge.valid());
  EXPECT_TRUE(in_dim(r, 1).empty());
}

TEST(RipsGolden, TriangleHasNoLoop) {
  // Sides 3, 4, 5: the loop is filled when the longest edge enters.
  const auto r = rips_persistence(cloud(2, {0, 0, 3, 0, 0, 4}), Metric::kEuclidean,
                                  RipsOptions().with_max_dim(2).with_threshold(10));
  const auto h0 = in_dim(r, 0);
  ASSERT_EQ(h0.size(), 3u);
  EXPECT_DOUBLE_EQ(h0[0].death, 3.0);
  EXPECT_EQ(h0[0].death_edge, (Edge{1, 0}));
  EXPECT_DOUBLE_EQ(h0[1].death, 4.0);
  EXPECT_EQ(h0[1].death_edge, (Edge{2, 0}));
  EXPECT_TRUE(in_dim(r, 1).empty());
  EXPECT_TRUE(in_dim(r, 2).empty());
}

TEST(RipsGolden, SquareHasOneLoop) {
  // Unit square: H1 born at 1 (the last side), dies at sqrt 2 (a diagonal).
  const auto r = rips_persistence(cloud(2, {0, 0, 1, 0, 1, 1, 0, 1}), Metric::kEuclidean,
                                  RipsOptions().with_max_dim(2).with_threshold(5));
  const auto h1 = in_dim(r, 1);
  ASSERT_EQ(h1.size(), 1u);
  EXPECT_DOUBLE_EQ(h1[0].birth, 1.0);
  EXPECT_DOUBLE_EQ(h1[0].death, std::sqrt(2.0));
  // Birth: the sides all have length 1; the latest in the filtration (smallest index) is {1, 0}.
  // Death: the pivot is the earliest triangle of diameter sqrt 2, i.e. the one of largest index,
  // {3, 2, 1}; its only edge of length sqrt 2 is the diagonal {3, 1}.
  EXPECT_EQ(h1[0].birth_edge, (Edge{1, 0}));
  EXPECT_EQ(h1[0].death_edge, (Edge{3, 1}));
  EXPECT_EQ(in_dim(r, 0).size(), 4u);
  EXPECT_TRUE(in_dim(r, 2).empty());
}

TEST(RipsGolden, OctahedronHasOneVoid) {
  // The six unit vectors ±e_i: every non-antipodal pair at sqrt 2, antipodes at 2.
  const auto r = rips_persistence(cloud(3, {1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1}),
                                  Metric::kEuclidean, RipsOptions().with_max_dim(2).with_threshold(3));
  EXPECT_TRUE(in_dim(r, 1).empty());
  const auto h2 = in_dim(r, 2);
  ASSERT_EQ(h2.size(), 1u);
  EXPECT_DOUBLE_EQ(h2[0].birth, std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(h2[0].death, 2.0);
}

TEST(RipsGolden, CircleHasOneDominantLoop) {
  const auto r = rips_persistence(testing::noisy_circle(100, 0.02, 3), Metric::kEuclidean, RipsOptions().with_max_dim(1));
  auto h1 = in_dim(r, 1);
  ASSERT_FALSE(h1.empty());
  std::sort(h1.begin(), h1.end(), [](const auto& a, const auto& b) { return a.persistence() > b.persistence(); });
  EXPECT_GT(h1[0].persistence(), 1.0);
  if (h1.size() > 1) {
    EXPECT_LT(h1[1].persistence(), 0.1 * h1[0].persistence());
  }
}

TEST(RipsGolden, EnclosingRadiusIsDefaultThreshold) {
  const auto pc = testing::random_cloud(40, 3, 1);
  const auto dm = distance_matrix(pc, Metric::kEuclidean);
  const auto r = rips_persistence(dm, RipsOptions().with_max_dim(2));
  EXPECT_DOUBLE_EQ(r.threshold, enclosing_radius(dm));
  const auto full = rips_persistence(dm, RipsOptions().with_max_dim(2).with_threshold(10));
  EXPECT_TRUE(same_intervals(intervals(r.pairs), intervals(full.pairs), 0));
}

// ---- invariants on seeded random clouds ----

class RipsInvariants : public ::testing::TestWithParam<unsigned> {};

TEST_P(RipsInvariants, EveryValueIsTheDistanceAtItsEdge) {
  const auto pc = testing::random_cloud(60, 3, GetParam());
  const auto dm = distance_matrix(pc, Metric::kEuclidean);
  const auto r = rips_persistence(dm, RipsOptions().with_max_dim(2));
  for (const auto& p : r.pairs) {
    if (p.dim == 0) {
      EXPECT_EQ(p.birth, 0.0);
      EXPECT_FALSE(p.birth_edge.valid());
    } else {
      ASSERT_TRUE(p.birth_edge.valid());
      EXPECT_GT(p.birth_edge.u, p.birth_edge.v);
      EXPECT_EQ(p.birth, dm(p.birth_edge.u, p.birth_edge.v));
    }
    if (p.essential()) {
      EXPECT_FALSE(p.death_edge.valid());
    } else {
      ASSERT_TRUE(p.death_edge.valid());
      EXPECT_EQ(p.death, dm(p.death_edge.u, p.death_edge.v));
      EXPECT_GT(p.death, p.birth);
    }
  }
}

TEST_P(RipsInvariants, PermutationOfVertices) {
  const auto pc = testing::random_cloud(50, 3, GetParam());
  std::vector<index_t> perm(50);
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), std::mt19937(GetParam() + 100));
  std::vector<double> x;
  for (index_t i : perm) x.insert(x.end(), pc.point(i), pc.point(i) + 3);
  const PointCloud<double> permuted(50, 3, x);
  const auto opts = RipsOptions().with_max_dim(2);
  EXPECT_TRUE(same_intervals(intervals(rips_persistence(pc, Metric::kEuclidean, opts).pairs),
                             intervals(rips_persistence(permuted, Metric::kEuclidean, opts).pairs), 1e-12));
}

TEST_P(RipsInvariants, ScalingScalesTheDiagram) {
  const auto pc = testing::random_cloud(50, 3, GetParam());
  std::vector<double> x = pc.coords;
  for (auto& v : x) v *= 4.0;  // a power of two: exact in floating point
  const auto opts = RipsOptions().with_max_dim(2);
  auto a = intervals(rips_persistence(pc, Metric::kEuclidean, opts).pairs);
  const auto b = intervals(rips_persistence(PointCloud<double>(50, 3, x), Metric::kEuclidean, opts).pairs);
  for (auto& i : a) { i.birth *= 4; i.death *= 4; }
  EXPECT_TRUE(same_intervals(a, b, 1e-12));
}

TEST_P(RipsInvariants, ThreadsAndShortcutsDoNotChangeTheResult) {
  const auto dm = distance_matrix(testing::random_cloud(70, 3, GetParam()), Metric::kEuclidean);
  const auto base = rips_persistence(dm, RipsOptions().with_max_dim(2));
  for (int threads : {2, 3}) {
    const auto r = rips_persistence(dm, RipsOptions().with_max_dim(2).with_threads(threads));
    ASSERT_EQ(r.pairs.size(), base.pairs.size());
    for (std::size_t i = 0; i < r.pairs.size(); ++i) {
      EXPECT_EQ(r.pairs[i].birth_edge, base.pairs[i].birth_edge);
      EXPECT_EQ(r.pairs[i].death_edge, base.pairs[i].death_edge);
    }
  }
  const auto plain = rips_persistence(dm, RipsOptions().with_max_dim(2).with_shortcuts(false));
  EXPECT_TRUE(same_intervals(intervals(base.pairs), intervals(plain.pairs), 0));
}

TEST_P(RipsInvariants, SparseInputEqualsDense) {
  const auto dm = distance_matrix(testing::random_cloud(50, 3, GetParam()), Metric::kEuclidean);
  const double t = 0.6;
  const auto dense = rips_persistence(dm, RipsOptions().with_max_dim(2).with_threshold(t));
  const auto sparse = rips_persistence(sparsify(dm, t), RipsOptions().with_max_dim(2));
  EXPECT_TRUE(same_intervals(intervals(dense.pairs), intervals(sparse.pairs), 0));
}

TEST_P(RipsInvariants, ModulusThreeAgreesOnTorsionFreeInput) {
  const auto dm = distance_matrix(testing::random_cloud(40, 3, GetParam()), Metric::kEuclidean);
  const auto z2 = rips_persistence(dm, RipsOptions().with_max_dim(2));
  const auto z3 = rips_persistence(dm, RipsOptions().with_max_dim(2).with_modulus(3));
  const auto z3_plain = rips_persistence(dm, RipsOptions().with_max_dim(2).with_modulus(3).with_shortcuts(false));
  EXPECT_TRUE(same_intervals(intervals(z2.pairs), intervals(z3.pairs), 0));
  EXPECT_TRUE(same_intervals(intervals(z3.pairs), intervals(z3_plain.pairs), 0));
}

TEST_P(RipsInvariants, DimensionZeroEqualsPrimPath) {
  const auto pc = testing::random_cloud(80, 5, GetParam());
  const auto dm = distance_matrix(pc, Metric::kEuclidean);
  const auto r = rips_persistence(dm, RipsOptions().with_max_dim(0));
  const auto h0 = h0_persistence(pc, Metric::kEuclidean);
  ASSERT_EQ(r.pairs.size(), h0.pairs.size());
  for (std::size_t i = 0; i < r.pairs.size(); ++i) {
    EXPECT_EQ(r.pairs[i].death, h0.pairs[i].death);
    EXPECT_EQ(r.pairs[i].death_edge, h0.pairs[i].death_edge);
  }
}

TEST_P(RipsInvariants, FloatAgreesWithDouble) {
  const auto pd = testing::random_cloud<double>(40, 3, GetParam());
  const PointCloud<float> pf(40, 3, std::vector<float>(pd.coords.begin(), pd.coords.end()));
  const auto a = rips_persistence(pd, Metric::kEuclidean, RipsOptions().with_max_dim(2));
  const auto b = rips_persistence(pf, Metric::kEuclidean, RipsOptions().with_max_dim(2));
  std::vector<testing::Interval> bi;
  for (const auto& p : b.pairs) bi.push_back({p.dim, double(p.birth), double(p.death)});
  EXPECT_TRUE(same_intervals(intervals(a.pairs), bi, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(Seeds, RipsInvariants, ::testing::Values(1u, 2u, 3u, 4u, 5u));

TEST(RipsBatch, EqualsOneByOne) {
  std::vector<CompressedDistanceMatrix<float>> dms;
  for (unsigned s = 0; s < 6; ++s) dms.push_back(distance_matrix(testing::random_cloud<float>(40, 4, s), Metric::kEuclidean));
  const auto opts = RipsOptions().with_max_dim(1);
  const auto batch = rips_persistence_batch(dms, opts, 3);
  ASSERT_EQ(batch.size(), dms.size());
  for (std::size_t k = 0; k < dms.size(); ++k) {
    const auto one = rips_persistence(dms[k], opts);
    ASSERT_EQ(batch[k].pairs.size(), one.pairs.size());
    for (std::size_t i = 0; i < one.pairs.size(); ++i) EXPECT_EQ(batch[k].pairs[i].death_edge, one.pairs[i].death_edge);
  }
}

TEST(RipsOptionsCheck, RejectsBadOptions) {
  const auto dm = distance_matrix(testing::random_cloud(5, 2, 1), Metric::kEuclidean);
  auto rejected_with = [&](const RipsOptions& o, const std::string& part) {
    return throws_containing<std::invalid_argument>([&] { rips_persistence(dm, o); }, part);
  };
  EXPECT_TRUE(rejected_with(RipsOptions().with_max_dim(-1), "max_dim must be"));
  EXPECT_TRUE(rejected_with(RipsOptions().with_modulus(4), "modulus must be a prime"));
  EXPECT_TRUE(rejected_with(RipsOptions().with_threads(0), "threads must be >= 1"));
  EXPECT_TRUE(rejected_with(RipsOptions().with_threshold(-1), "threshold must be >= 0"));
  EXPECT_THROW(rips_persistence_batch(std::vector<CompressedDistanceMatrix<double>>{dm}, RipsOptions(), 0),
               std::invalid_argument);
}

TEST(RipsOptionsCheck, RejectsTooManyPointsForTheSimplexIndex) {
  const index_t limit = max_points_for_dim(2);
  EXPECT_GT(limit, 30000);  // C(n, 4) < 2^56
  EXPECT_THROW(validate(RipsOptions().with_max_dim(2), limit + 1), std::invalid_argument);
  EXPECT_NO_THROW(validate(RipsOptions().with_max_dim(2), limit));
  EXPECT_THROW(validate(RipsOptions().with_max_dim(12), 1000), std::invalid_argument);
}

TEST(H0Prim, ThresholdSplitsComponents) {
  const auto pc = cloud(1, {0, 1, 5, 6});
  const auto r = h0_persistence(pc, Metric::kEuclidean, 2.0);
  int essential = 0;
  for (const auto& p : r.pairs) essential += p.essential();
  EXPECT_EQ(essential, 2);
  EXPECT_EQ(r.pairs.size(), 4u);
}

TEST(H0Prim, DenseAndCompressedAndPointsAgree) {
  const auto pc = testing::random_cloud(120, 7, 9);
  const auto dm = distance_matrix(pc, Metric::kManhattan);
  std::vector<double> full(120 * 120);
  for (index_t i = 0; i < 120; ++i)
    for (index_t j = 0; j < 120; ++j) full[i * 120 + j] = dm(i, j);
  const auto a = h0_persistence(pc, Metric::kManhattan);
  const auto b = h0_persistence(dm);
  const auto c = h0_persistence_dense(full.data(), 120);
  ASSERT_EQ(a.pairs.size(), 120u);
  for (std::size_t i = 0; i < a.pairs.size(); ++i) {
    EXPECT_EQ(a.pairs[i].death_edge, b.pairs[i].death_edge);
    EXPECT_EQ(a.pairs[i].death_edge, c.pairs[i].death_edge);
  }
  EXPECT_EQ(minimum_spanning_edges_dense(full.data(), 120).size(), 119u);
}

TEST(H0Prim, TiesFollowTheFiltrationOrder) {
  // Four points on a unit square: all sides tie; the MST takes the three sides of largest index
  // ({3,2} idx 5, {3,0} idx 3, {2,1} idx 2), leaving {1,0} (idx 0) as a cycle edge.
  const auto r = h0_persistence(cloud(2, {0, 0, 1, 0, 1, 1, 0, 1}), Metric::kEuclidean);
  std::vector<Edge> deaths;
  for (const auto& p : r.pairs)
    if (!p.essential()) deaths.push_back(p.death_edge);
  ASSERT_EQ(deaths.size(), 3u);
  EXPECT_EQ(deaths[0], (Edge{2, 1}));
  EXPECT_EQ(deaths[1], (Edge{3, 0}));
  EXPECT_EQ(deaths[2], (Edge{3, 2}));
}

TEST(H0Prim, CoincidentPointsGiveNoZeroBars) {
  const auto r = h0_persistence(cloud(1, {0, 0, 0, 3}), Metric::kEuclidean);
  EXPECT_EQ(r.pairs.size(), 2u);  // one finite bar [0, 3) and the essential class
}

}  // namespace
}  // namespace topoembed::ph

namespace topoembed::ph {
namespace {

TEST(H0Prim, FloatPathEqualsKruskal) {
  // Prim's vectorised float keys (integer bit patterns) against Kruskal on the sparse path, with
  // ties: coordinates on a coarse grid make many equal lengths.
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> cell(0, 6);
  std::vector<float> x(300 * 2);
  for (auto& v : x) v = static_cast<float>(cell(rng));
  const PointCloud<float> pc(300, 2, x);
  const auto dm = distance_matrix(pc, Metric::kEuclidean);
  const auto prim = h0_persistence(pc, Metric::kEuclidean);
  const auto kruskal = rips_persistence(sparsify(dm, 100.f), RipsOptions().with_max_dim(0));
  ASSERT_EQ(prim.pairs.size(), kruskal.pairs.size());
  for (std::size_t i = 0; i < prim.pairs.size(); ++i) {
    EXPECT_EQ(prim.pairs[i].death, kruskal.pairs[i].death);
    EXPECT_EQ(prim.pairs[i].death_edge, kruskal.pairs[i].death_edge);
  }
}

TEST(H0Prim, TiesAndThresholdInDoubleEqualKruskal) {
  // The 64-bit key path, with ties and a threshold that splits the grid into components.
  std::mt19937 rng(8);
  std::uniform_int_distribution<int> cell(0, 9);
  std::vector<double> x(250 * 2);
  for (auto& v : x) v = 1.5 * cell(rng);
  const PointCloud<double> pc(250, 2, x);
  const auto dm = distance_matrix(pc, Metric::kChebyshev);
  for (const double threshold : {1.0, 1.5, 3.0}) {
    const auto prim = h0_persistence(pc, Metric::kChebyshev, threshold);
    const auto kruskal = rips_persistence(sparsify(dm, threshold), RipsOptions().with_max_dim(0));
    ASSERT_EQ(prim.pairs.size(), kruskal.pairs.size()) << "threshold " << threshold;
    for (std::size_t i = 0; i < prim.pairs.size(); ++i) {
      EXPECT_EQ(prim.pairs[i].death, kruskal.pairs[i].death);
      EXPECT_EQ(prim.pairs[i].death_edge, kruskal.pairs[i].death_edge);
    }
  }
}

TEST(H0Prim, SpanningEdgesFromPointsEqualDense) {
  // minimum_spanning_edges on points (the latent side of the TopoAE loss) gives the same edges in
  // the same order as on the full matrix of the same distances.
  const auto pcf = testing::random_cloud<float>(90, 2, 4);
  const auto dm = distance_matrix(pcf, Metric::kEuclidean);
  std::vector<float> full(90 * 90);
  for (index_t i = 0; i < 90; ++i)
    for (index_t j = 0; j < 90; ++j) full[i * 90 + j] = dm(i, j);
  const auto a = minimum_spanning_edges(pcf, Metric::kEuclidean);
  const auto b = minimum_spanning_edges_dense(full.data(), 90);
  ASSERT_EQ(a.size(), 89u);
  EXPECT_EQ(a, b);
  EXPECT_TRUE(minimum_spanning_edges(PointCloud<float>(1, 2, {0.f, 0.f}), Metric::kEuclidean).empty());
}

}  // namespace
}  // namespace topoembed::ph

namespace topoembed::ph {
namespace {

TEST(RipsThreads, ParallelBlocksEqualSequentialOnHeavierInput) {
  // A noisy circle in R^3 at full threshold has few, heavy columns that reduce against each
  // other: the case the two-phase parallel reduction is for. Z/2 and Z/3, edges compared.
  const auto pc = testing::noisy_circle(150, 0.15, 21);
  std::vector<double> x;
  for (index_t i = 0; i < pc.num_points; ++i) {
    x.insert(x.end(), pc.point(i), pc.point(i) + 2);
    x.push_back(0.1 * std::sin(7.0 * i));
  }
  const auto dm = distance_matrix(PointCloud<double>(pc.num_points, 3, x), Metric::kEuclidean);
  for (std::uint32_t p : {2u, 3u}) {
    const auto one = rips_persistence(dm, RipsOptions().with_max_dim(2).with_modulus(p));
    const auto two = rips_persistence(dm, RipsOptions().with_max_dim(2).with_modulus(p).with_threads(2));
    ASSERT_EQ(one.pairs.size(), two.pairs.size());
    for (std::size_t i = 0; i < one.pairs.size(); ++i) {
      EXPECT_EQ(one.pairs[i].birth, two.pairs[i].birth);
      EXPECT_EQ(one.pairs[i].death, two.pairs[i].death);
      EXPECT_EQ(one.pairs[i].birth_edge, two.pairs[i].birth_edge);
      EXPECT_EQ(one.pairs[i].death_edge, two.pairs[i].death_edge);
    }
  }
}

}  // namespace
}  // namespace topoembed::ph

namespace topoembed::ph {
namespace {

TEST(RipsSparse, AbsentEdgesAreNeverCritical) {
  // A 4-cycle given as a sparse matrix without diagonals and no threshold: the loop never dies,
  // and no simplex may use the absent edges {2, 0} and {3, 1}.
  const auto sm = sparse_from_triplets<double>(4, {{1, 0}, {2, 1}, {3, 2}, {3, 0}}, {1.0, 1.0, 1.0, 1.0});
  const auto r = rips_persistence(sm, RipsOptions().with_max_dim(2));
  const auto h1 = r.dimension(1);
  ASSERT_EQ(h1.size(), 1u);
  EXPECT_TRUE(h1[0].essential());
  EXPECT_FALSE(h1[0].death_edge.valid());
  EXPECT_TRUE(r.dimension(2).empty());
}

}  // namespace
}  // namespace topoembed::ph

namespace topoembed::ph {
namespace {

// Points on a torus in R^3 (radii 2 and 1), the shape of the 1000-point benchmark.
PointCloud<double> torus_cloud(index_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> angle(0.0, 2 * M_PI);
  std::vector<double> x;
  for (index_t i = 0; i < n; ++i) {
    const double a = angle(rng), b = angle(rng);
    x.push_back((2 + std::cos(b)) * std::cos(a));
    x.push_back((2 + std::cos(b)) * std::sin(a));
    x.push_back(std::sin(b));
  }
  return PointCloud<double>(n, 3, std::move(x));
}

void expect_same_pairs(const RipsResult<double>& a, const RipsResult<double>& b, const std::string& what) {
  ASSERT_EQ(a.pairs.size(), b.pairs.size()) << what;
  for (std::size_t i = 0; i < a.pairs.size(); ++i) {
    EXPECT_EQ(a.pairs[i].dim, b.pairs[i].dim) << what << " pair " << i;
    EXPECT_EQ(a.pairs[i].birth, b.pairs[i].birth) << what << " pair " << i;
    EXPECT_EQ(a.pairs[i].death, b.pairs[i].death) << what << " pair " << i;
    EXPECT_EQ(a.pairs[i].birth_edge, b.pairs[i].birth_edge) << what << " pair " << i;
    EXPECT_EQ(a.pairs[i].death_edge, b.pairs[i].death_edge) << what << " pair " << i;
  }
}

TEST(RipsThreads, HeavyColumnsSharedByThreadsEqualOneThreadOnATorus) {
  // At the enclosing radius the torus has a few heavy H1 columns that reduce against each other
  // and against thousands of apparent pairs: the case where all threads work on one column. A
  // small heavy_column_entries sends (almost) every column through that path, and 0 every one
  // with a non-empty heap; the default leaves this small cloud on the other paths.
  const auto dm = distance_matrix(torus_cloud(110, 5), Metric::kEuclidean);
  for (std::uint32_t p : {2u, 3u}) {
    const auto one = rips_persistence(dm, RipsOptions().with_max_dim(1).with_modulus(p));
    EXPECT_GE(one.dimension(1).size(), 2u);  // the torus's two 1-cycles at least
    for (int threads : {2, 3})
      for (std::size_t entries : {std::size_t(0), std::size_t(64), RipsOptions().heavy_column_entries}) {
        const auto many = rips_persistence(
            dm, RipsOptions().with_max_dim(1).with_modulus(p).with_threads(threads).with_heavy_column_entries(entries));
        expect_same_pairs(one, many, "Z/" + std::to_string(p) + ", " + std::to_string(threads) + " threads, heavy from " +
                                         std::to_string(entries));
      }
  }
  // Dimension 2 and sparse input (the other geometry) through the shared path as well.
  const auto small = distance_matrix(torus_cloud(40, 6), Metric::kEuclidean);
  const auto one2 = rips_persistence(small, RipsOptions().with_max_dim(2));
  const auto two2 = rips_persistence(small, RipsOptions().with_max_dim(2).with_threads(2).with_heavy_column_entries(0));
  expect_same_pairs(one2, two2, "dimension 2");
  const auto sparse = sparsify(dm, enclosing_radius(dm) * 0.8);
  const auto one_s = rips_persistence(sparse, RipsOptions().with_max_dim(1));
  const auto two_s = rips_persistence(sparse, RipsOptions().with_max_dim(1).with_threads(2).with_heavy_column_entries(16));
  expect_same_pairs(one_s, two_s, "sparse");
}

TEST(RipsThreads, HeavyColumnsSharedOrNotByThePolicyEqualOneThread) {
  // Whether a heavy column is shared is decided window by window (HeavyColumnPolicy): with
  // heavy_column_step_entries 0 every window is shared, at its maximum none is (one thread goes on
  // over the column's heaps), and in between windows switch by their measured pushes and speed.
  // All must give the one-thread diagram.
  const auto dm = distance_matrix(torus_cloud(110, 5), Metric::kEuclidean);
  const auto small = distance_matrix(torus_cloud(40, 6), Metric::kEuclidean);
  for (std::uint32_t p : {2u, 3u}) {
    const auto one = rips_persistence(dm, RipsOptions().with_max_dim(1).with_modulus(p));
    const auto one2 = rips_persistence(small, RipsOptions().with_max_dim(2).with_modulus(p));
    for (std::size_t step_entries : {std::size_t(0), std::size_t(40), std::numeric_limits<std::size_t>::max()}) {
      const auto base = RipsOptions().with_modulus(p).with_heavy_column_entries(0).with_heavy_column_step_entries(step_entries);
      const std::string what = "Z/" + std::to_string(p) + ", step entries " + std::to_string(step_entries);
      expect_same_pairs(one, rips_persistence(dm, RipsOptions(base).with_max_dim(1).with_threads(2)), what);
      expect_same_pairs(one, rips_persistence(dm, RipsOptions(base).with_max_dim(1).with_threads(3)), what + ", 3 threads");
      expect_same_pairs(one2, rips_persistence(small, RipsOptions(base).with_max_dim(2).with_threads(2)), what + ", dim 2");
    }
  }
}

}  // namespace
}  // namespace topoembed::ph
