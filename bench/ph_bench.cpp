// Benchmarks of the persistence core (issue 2). Run: build/bench/bin/ph_bench
// Ratios that matter are printed as counters; see docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "topoembed/ph/h0_persistence.hpp"
#include "topoembed/ph/rips_persistence.hpp"
#include "topoembed/ph/thread_pool.hpp"

namespace ph = topoembed::ph;

namespace {

ph::PointCloud<float> uniform_cloud(ph::index_t n, int dim, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::vector<float> x(static_cast<std::size_t>(n * dim));
  for (auto& v : x) v = u(rng);
  return ph::PointCloud<float>(n, dim, std::move(x));
}

// The distance matrix alone: the yardstick of the H0 target (H0 <= 1.5x this).
void BM_DistanceMatrix(benchmark::State& state) {
  const auto pc = uniform_cloud(state.range(0), static_cast<int>(state.range(1)), 1);
  for (auto _ : state) benchmark::DoNotOptimize(ph::distance_matrix(pc, ph::Metric::kEuclidean));
}

// Whole H0 from the points (Prim computes each distance once, no matrix stored).
void BM_H0FromPoints(benchmark::State& state) {
  const auto pc = uniform_cloud(state.range(0), static_cast<int>(state.range(1)), 1);
  for (auto _ : state) benchmark::DoNotOptimize(ph::h0_persistence(pc, ph::Metric::kEuclidean));
}

// H0 from a full n x n matrix, as the losses call it on a detached distance tensor.
void BM_H0FromFullMatrix(benchmark::State& state) {
  const ph::index_t n = state.range(0);
  const auto dm = ph::distance_matrix(uniform_cloud(n, static_cast<int>(state.range(1)), 1), ph::Metric::kEuclidean);
  std::vector<float> full(static_cast<std::size_t>(n * n));
  for (ph::index_t i = 0; i < n; ++i)
    for (ph::index_t j = 0; j < n; ++j) full[i * n + j] = dm(i, j);
  for (auto _ : state) benchmark::DoNotOptimize(ph::h0_persistence_dense(full.data(), n));
}

#define TOPOEMBED_H0_ARGS ->Args({1000, 3})->Args({4000, 3})->Args({256, 101})->Unit(benchmark::kMillisecond)
BENCHMARK(BM_DistanceMatrix) TOPOEMBED_H0_ARGS;
BENCHMARK(BM_H0FromPoints) TOPOEMBED_H0_ARGS;
BENCHMARK(BM_H0FromFullMatrix) TOPOEMBED_H0_ARGS;

// Minibatch: 64 clouds of 128 points in R^101, max_dim 0 or 1, with 1 or 2 threads.
void BM_Batch(benchmark::State& state) {
  std::vector<ph::CompressedDistanceMatrix<float>> dms;
  for (unsigned s = 0; s < 64; ++s) dms.push_back(ph::distance_matrix(uniform_cloud(128, 101, s), ph::Metric::kEuclidean));
  const auto opts = ph::RipsOptions().with_max_dim(static_cast<int>(state.range(0)));
  const int threads = static_cast<int>(state.range(1));
  for (auto _ : state) benchmark::DoNotOptimize(ph::rips_persistence_batch(dms, opts, threads));
  state.counters["clouds/s"] = benchmark::Counter(64.0 * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Batch)->ArgsProduct({{0, 1}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();

// The same with a caller-owned ThreadPool made once, as a training loop would use it: no thread is
// started inside the timed loop.
void BM_BatchPool(benchmark::State& state) {
  std::vector<ph::CompressedDistanceMatrix<float>> dms;
  for (unsigned s = 0; s < 64; ++s) dms.push_back(ph::distance_matrix(uniform_cloud(128, 101, s), ph::Metric::kEuclidean));
  const auto opts = ph::RipsOptions().with_max_dim(static_cast<int>(state.range(0)));
  ph::ThreadPool pool(static_cast<int>(state.range(1)));
  for (auto _ : state) benchmark::DoNotOptimize(ph::rips_persistence_batch(dms, opts, pool));
  state.counters["clouds/s"] = benchmark::Counter(64.0 * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BatchPool)->ArgsProduct({{0, 1}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
