#pragma once
// Shared helpers for the ph tests: seeded random clouds and diagram comparison.

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "topoembed/ph/distance_matrix.hpp"
#include "topoembed/ph/point_cloud.hpp"
#include "topoembed/ph/types.hpp"

namespace topoembed::ph::testing {

template <class T = double>
PointCloud<T> random_cloud(index_t n, int dim, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<T> x(static_cast<std::size_t>(n * dim));
  for (auto& v : x) v = static_cast<T>(u(rng));
  return PointCloud<T>(n, dim, std::move(x));
}

template <class T = double>
PointCloud<T> noisy_circle(index_t n, double noise, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> angle(0.0, 2 * M_PI);
  std::normal_distribution<double> eps(0.0, noise);
  std::vector<T> x;
  for (index_t i = 0; i < n; ++i) {
    const double t = angle(rng);
    x.push_back(static_cast<T>(std::cos(t) + eps(rng)));
    x.push_back(static_cast<T>(std::sin(t) + eps(rng)));
  }
  return PointCloud<T>(n, 2, std::move(x));
}

// (dim, birth, death) triples, sorted, for comparing diagrams irrespective of edges.
struct Interval {
  int dim;
  double birth, death;
};

template <class Pairs>
std::vector<Interval> intervals(const Pairs& pairs) {
  std::vector<Interval> out;
  for (const auto& p : pairs) out.push_back({p.dim, double(p.birth), double(p.death)});
  std::sort(out.begin(), out.end(), [](const Interval& a, const Interval& b) {
    if (a.dim != b.dim) return a.dim < b.dim;
    if (a.birth != b.birth) return a.birth < b.birth;
    return a.death < b.death;
  });
  return out;
}

inline bool close(double a, double b, double tol) {
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::abs(a - b) <= tol * std::max(1.0, std::abs(a));
}

// Equal multisets of intervals up to a relative tolerance (both sorted the same way).
inline ::testing::AssertionResult same_intervals(std::vector<Interval> a, std::vector<Interval> b, double tol) {
  auto key = [](const Interval& x, const Interval& y) {
    if (x.dim != y.dim) return x.dim < y.dim;
    if (x.death != y.death) return x.death < y.death;
    return x.birth < y.birth;
  };
  std::sort(a.begin(), a.end(), key);
  std::sort(b.begin(), b.end(), key);
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure() << "sizes differ: " << a.size() << " vs " << b.size();
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].dim != b[i].dim || !close(a[i].birth, b[i].birth, tol) || !close(a[i].death, b[i].death, tol)) {
      return ::testing::AssertionFailure() << "interval " << i << " differs: dim " << a[i].dim << " [" << a[i].birth
                                           << ", " << a[i].death << ") vs dim " << b[i].dim << " [" << b[i].birth
                                           << ", " << b[i].death << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace topoembed::ph::testing
