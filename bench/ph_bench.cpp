// Benchmarks of the persistence core (issue 2). Run: build/bench/bin/ph_bench
// Ratios that matter are printed as counters; see docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cmath>
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

// Persistence of one cloud in process (no parsing, no printing: what the threads change), the
// shapes of bench/compare_ripser.py drawn here with std::mt19937: 0 = uniform in the unit cube of
// R^3, 1 = torus in R^3 (radii 2 and 1, uniform angles), 2 = 2-sphere in R^3 (normalised
// Gaussians). Args: shape, points, max dim, threads. Run with
// --benchmark_enable_random_interleaving=true so that 1 and 2 threads alternate on a shared machine.
ph::PointCloud<float> shape_cloud(int shape, ph::index_t n, unsigned seed) {
  if (shape == 0) return uniform_cloud(n, 3, seed);
  std::mt19937 rng(seed);
  std::vector<float> x;
  x.reserve(static_cast<std::size_t>(3 * n));
  if (shape == 1) {
    std::uniform_real_distribution<float> angle(0.f, 6.2831853f);
    for (ph::index_t i = 0; i < n; ++i) {
      const float a = angle(rng), b = angle(rng);
      x.insert(x.end(), {(2 + std::cos(b)) * std::cos(a), (2 + std::cos(b)) * std::sin(a), std::sin(b)});
    }
  } else {
    std::normal_distribution<float> g(0.f, 1.f);
    for (ph::index_t i = 0; i < n; ++i) {
      const float a = g(rng), b = g(rng), c = g(rng), r = std::sqrt(a * a + b * b + c * c);
      x.insert(x.end(), {a / r, b / r, c / r});
    }
  }
  return ph::PointCloud<float>(n, 3, std::move(x));
}

void BM_RipsCloud(benchmark::State& state) {
  const auto dm = ph::distance_matrix(shape_cloud(static_cast<int>(state.range(0)), state.range(1), 7), ph::Metric::kEuclidean);
  const auto opts = ph::RipsOptions().with_max_dim(static_cast<int>(state.range(2))).with_threads(static_cast<int>(state.range(3)));
  for (auto _ : state) benchmark::DoNotOptimize(ph::rips_persistence(dm, opts));
}
BENCHMARK(BM_RipsCloud)
    ->ArgNames({"shape", "n", "dim", "threads"})
    ->ArgsProduct({{0}, {1000, 2000}, {1}, {1, 2}})
    ->ArgsProduct({{1}, {1000}, {1}, {1, 2}})
    ->ArgsProduct({{2}, {300}, {2}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
