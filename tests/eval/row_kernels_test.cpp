// The row kernels behind quality_metrics (src/eval/detail): partial stable argsort, rank
// queries by bucket counting, the vectorised exponential and the sigma ladder, each against a
// plain reference (full stable sort, std::exp) on seeded random rows with many ties.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "../../src/eval/detail/density_kernel.hpp"
#include "../../src/eval/detail/distance_rows.hpp"
#include "../../src/eval/detail/stable_ranks.hpp"

namespace topoembed::eval::detail {
namespace {

std::vector<std::int64_t> stable_argsort(const std::vector<double>& v) {
  std::vector<std::int64_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return v[a] < v[b]; });
  return order;
}

// Rows of several kinds: continuous, few distinct values (ties), a row with one value, and
// values spread over many orders of magnitude.
std::vector<double> random_row(std::mt19937_64& gen, std::int64_t n, int kind) {
  std::vector<double> v(static_cast<std::size_t>(n));
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (auto& x : v) {
    switch (kind) {
      case 0: x = u(gen); break;
      case 1: x = std::floor(u(gen) * 7.0); break;
      case 2: x = 3.5; break;
      default: x = std::exp(40.0 * u(gen) - 20.0); break;
    }
  }
  return v;
}

TEST(StableRanks, SmallestAndRanksMatchAFullStableSort) {
  std::mt19937_64 gen(11);
  std::vector<double> scratch;
  std::vector<std::int64_t> top;
  std::vector<std::int64_t> ranks;
  RankScratch rs;
  for (std::int64_t n : {5, 40, 300, 5000}) {
    for (int kind = 0; kind < 4; ++kind) {
      SCOPED_TRACE("n = " + std::to_string(n) + ", kind " + std::to_string(kind));
      const std::vector<double> v = random_row(gen, n, kind);
      const std::vector<std::int64_t> order = stable_argsort(v);
      std::vector<std::int64_t> rank_of(static_cast<std::size_t>(n));
      for (std::int64_t p = 0; p < n; ++p) rank_of[order[p]] = p;
      const std::int64_t m = std::min<std::int64_t>(n, 21);
      stable_smallest(v.data(), n, m, scratch, top);
      EXPECT_EQ(top, std::vector<std::int64_t>(order.begin(), order.begin() + m));
      // Queries: a random distinct subset, including the first and last positions.
      std::vector<std::int64_t> queries(static_cast<std::size_t>(n));
      std::iota(queries.begin(), queries.end(), 0);
      std::shuffle(queries.begin(), queries.end(), gen);
      queries.resize(static_cast<std::size_t>(std::min<std::int64_t>(n, 150)));
      queries.push_back(order.front());
      queries.push_back(order.back());
      std::sort(queries.begin(), queries.end());
      queries.erase(std::unique(queries.begin(), queries.end()), queries.end());
      std::shuffle(queries.begin(), queries.end(), gen);
      stable_ranks(v.data(), n, queries, ranks, rs);
      ASSERT_EQ(ranks.size(), queries.size());
      for (std::size_t t = 0; t < queries.size(); ++t) {
        EXPECT_EQ(ranks[t], rank_of[queries[t]]) << "query " << queries[t];
      }
      stable_ranks(v.data(), n, {}, ranks, rs);
      EXPECT_TRUE(ranks.empty());
    }
  }
}

TEST(StableRanks, NeighbouringValuesInOneBucketAreComparedExactly) {
  // Two queries one ulp apart, entries on both sides: the bucket map must not merge the order.
  const double a = 1.0;
  const double b = std::nextafter(a, 2.0);
  const std::vector<double> v{b, a, 2.0, a, b, 0.5, b};
  std::vector<std::int64_t> ranks;
  RankScratch rs;
  stable_ranks(v.data(), static_cast<std::int64_t>(v.size()), {4, 1, 3}, ranks, rs);
  // Stable order: 5 (0.5), 1, 3 (a), 0, 4, 6 (b), 2.
  EXPECT_EQ(ranks, (std::vector<std::int64_t>{4, 1, 2}));
}

TEST(DensityKernel, ExponentialIsWithinTwoUlpOfStdExp) {
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> t(kKernelChunk);
  std::vector<double> out(kKernelChunk);
  for (int round = 0; round < 200; ++round) {
    for (auto& x : t) x = std::pow(u(gen), 3.0) * 400.0;  // many small arguments, some to 400
    t[0] = 0.0;
    exp_neg_scaled(t.data(), 1.0, out.data(), kKernelChunk);
    for (std::int64_t l = 0; l < kKernelChunk; ++l) {
      const double want = std::exp(-t[l]);
      if (want < kFlushBelow) {
        EXPECT_TRUE(out[l] == 0.0 || std::abs(out[l] - want) <= 4e-16 * want);
      } else {
        EXPECT_LE(std::abs(out[l] - want), 2.0 * std::numeric_limits<double>::epsilon() * want)
            << "t = " << t[l];
      }
    }
  }
  EXPECT_EQ(out[0], 1.0);
}

TEST(DensityKernel, LadderMatchesDirectSums) {
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const std::int64_t n = 1000;  // several chunks and a tail
  std::vector<double> d2(static_cast<std::size_t>(n));
  for (auto& x : d2) x = u(gen) * 4.0;
  d2[7] = 0.0;
  const double inv_max2 = 0.25;
  // The default ladder (powers of 10), a power of 3 and an unrelated sigma, in scrambled order.
  const std::vector<double> sigmas{0.001, 10.0, 0.1, 1.0, 0.01, 0.3333333333333333, 0.77};
  const DensityKernel kernel(sigmas);
  std::vector<double> sums(sigmas.size());
  kernel.row_sums(d2.data(), n, inv_max2, sums.data());
  for (std::size_t s = 0; s < sigmas.size(); ++s) {
    double want = 0.0;
    for (double x : d2) {
      const double e = std::exp(-(x * (inv_max2 / sigmas[s])));
      want += e >= kFlushBelow ? e : 0.0;
    }
    EXPECT_NEAR(sums[s], want, 1e-12 * want) << "sigma " << sigmas[s];
  }
}

TEST(DistanceRows, BlocksRowsAndTheWholeMatrixAgree) {
  torch::manual_seed(4);
  for (std::int64_t d : {2, 40}) {
    SCOPED_TRACE("d = " + std::to_string(d));
    const torch::Tensor p = torch::randn({70, d}, torch::kFloat64);
    const DistanceRows rows(p);
    const torch::Tensor want = torch::cdist(p, p).pow(2);
    torch::Tensor block;
    rows.squared_block(10, 33, block);
    EXPECT_TRUE(torch::allclose(block.slice(0, 0, 23), want.slice(0, 10, 33), 1e-12, 1e-10));
    for (std::int64_t i = 10; i < 33; ++i) EXPECT_EQ(block[i - 10][i].item<double>(), 0.0);
    EXPECT_NEAR(rows.max_squared(16), want.max().item<double>(), 1e-10);
    if (!rows.direct()) {
      double largest = 0.0;
      const torch::Tensor full = rows.full_squared(16, &largest);
      EXPECT_TRUE(torch::allclose(full, want, 1e-12, 1e-10));
      EXPECT_TRUE(torch::equal(full, full.t()));
      EXPECT_EQ(largest, full.max().item<double>());
    } else {
      std::vector<double> row(70);
      rows.squared_row(5, 70, row.data());
      for (std::int64_t l = 0; l < 70; ++l) {
        EXPECT_NEAR(row[static_cast<std::size_t>(l)], want[5][l].item<double>(), 1e-12);
      }
    }
  }
}

}  // namespace
}  // namespace topoembed::eval::detail
