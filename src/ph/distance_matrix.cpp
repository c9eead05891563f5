#include "topoembed/ph/distance_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace topoembed::ph {

namespace {

template <class T>
void check_entry(T value, index_t i, index_t j, const char* where) {
  if (std::isnan(value) || std::isinf(value) || value < 0) {
    throw std::invalid_argument(std::string(where) + ": distance (" + std::to_string(i) + ", " +
                                std::to_string(j) + ") is " + std::to_string(value) +
                                ", expected a finite non-negative number");
  }
}

// C(n, k) without overflow, or -1 when it exceeds index_t.
index_t binomial_or_overflow(index_t n, index_t k) {
  if (k > n) return 0;
  // r * (n - k + i) / i stays exact (it is C(n - k + i, i)); check the product before forming it.
  index_t r = 1;
  for (index_t i = 1; i <= k; ++i) {
    const index_t f = n - k + i;
    if (r > std::numeric_limits<index_t>::max() / f) return -1;
    r = r * f / i;
  }
  return r;
}

}  // namespace

index_t max_points_for_dim(int max_dim) {
  // Cofaces of max_dim-simplices have max_dim + 2 vertices; their indices, and the sentinel
  // index n-choose-(k+1), must fit in index_t (one bit is kept for the coefficient packing).
  const index_t k = max_dim + 2;
  index_t lo = k, hi = index_t(1) << 31;
  while (lo < hi) {
    const index_t mid = lo + (hi - lo + 1) / 2;
    const index_t b = binomial_or_overflow(mid + 1, k);
    if (b >= 0 && b < (index_t(1) << 56)) lo = mid; else hi = mid - 1;
  }
  return lo;
}

template <class T>
CompressedDistanceMatrix<T>::CompressedDistanceMatrix(index_t n)
    : n_(n), entries_(static_cast<std::size_t>(n > 1 ? n * (n - 1) / 2 : 0), T(0)) {
  if (n < 0) throw std::invalid_argument("CompressedDistanceMatrix: negative size " + std::to_string(n));
}

template <class T>
CompressedDistanceMatrix<T>::CompressedDistanceMatrix(index_t n, std::vector<T> lower)
    : n_(n), entries_(std::move(lower)) {
  if (n < 0) throw std::invalid_argument("CompressedDistanceMatrix: negative size " + std::to_string(n));
  const index_t expected = n > 1 ? n * (n - 1) / 2 : 0;
  if (static_cast<index_t>(entries_.size()) != expected) {
    throw std::invalid_argument("CompressedDistanceMatrix: expected " + std::to_string(expected) +
                                " lower-triangular entries for " + std::to_string(n) +
                                " points, got " + std::to_string(entries_.size()));
  }
  for (index_t i = 1; i < n; ++i)
    for (index_t j = 0; j < i; ++j) check_entry(entries_[offset(i, j)], i, j, "CompressedDistanceMatrix");
}

template <class T>
index_t SparseDistanceMatrix<T>::num_edges() const {
  index_t m = 0;
  for (const auto& row : neighbors) m += static_cast<index_t>(row.size());
  return m / 2;
}

template <class T>
CompressedDistanceMatrix<T> distance_matrix(const PointCloud<T>& cloud, Metric metric) {
  const index_t n = cloud.num_points;
  CompressedDistanceMatrix<T> dm(n);
  T* out = dm.entries().data();
  auto fill = [&](auto metric_tag) {  // the metric as a constant, so the loop inlines it
    for (index_t i = 1; i < n; ++i) {
      const T* a = cloud.point(i);
      for (index_t j = 0; j < i; ++j) *out++ = point_distance(a, cloud.point(j), cloud.dim, decltype(metric_tag)::value);
    }
  };
  switch (metric) {
    case Metric::kEuclidean: fill(std::integral_constant<Metric, Metric::kEuclidean>{}); break;
    case Metric::kManhattan: fill(std::integral_constant<Metric, Metric::kManhattan>{}); break;
    case Metric::kChebyshev: fill(std::integral_constant<Metric, Metric::kChebyshev>{}); break;
  }
  return dm;
}

template <class T>
CompressedDistanceMatrix<T> from_full_matrix(index_t n, const T* full, double tolerance) {
  CompressedDistanceMatrix<T> dm(n);
  for (index_t i = 0; i < n; ++i) {
    const T diag = full[i * n + i];
    if (diag != T(0)) {
      throw std::invalid_argument("from_full_matrix: diagonal entry (" + std::to_string(i) + ", " +
                                  std::to_string(i) + ") is " + std::to_string(diag) + ", expected 0");
    }
    for (index_t j = 0; j < i; ++j) {
      const T a = full[i * n + j], b = full[j * n + i];
      check_entry(a, i, j, "from_full_matrix");
      check_entry(b, j, i, "from_full_matrix");
      const double scale = std::max({1.0, std::abs(double(a)), std::abs(double(b))});
      if (std::abs(double(a) - double(b)) > tolerance * scale) {
        throw std::invalid_argument("from_full_matrix: matrix is not symmetric: (" + std::to_string(i) +
                                    ", " + std::to_string(j) + ") = " + std::to_string(a) + " but (" +
                                    std::to_string(j) + ", " + std::to_string(i) + ") = " +
                                    std::to_string(b));
      }
      dm.set(i, j, a);
    }
  }
  return dm;
}

template <class T>
SparseDistanceMatrix<T> sparse_from_triplets(index_t n, const std::vector<std::pair<index_t, index_t>>& ij,
                                             const std::vector<T>& d) {
  if (ij.size() != d.size()) {
    throw std::invalid_argument("sparse_from_triplets: " + std::to_string(ij.size()) + " index pairs but " +
                                std::to_string(d.size()) + " distances");
  }
  SparseDistanceMatrix<T> sm;
  sm.num_points = n;
  sm.neighbors.resize(static_cast<std::size_t>(n));
  for (std::size_t k = 0; k < ij.size(); ++k) {
    const auto [i, j] = ij[k];
    if (i < 0 || j < 0 || i >= n || j >= n) {
      throw std::invalid_argument("sparse_from_triplets: entry " + std::to_string(k) + " has index (" +
                                  std::to_string(i) + ", " + std::to_string(j) + ") outside 0.." +
                                  std::to_string(n - 1));
    }
    if (i == j) {
      if (d[k] != T(0))
        throw std::invalid_argument("sparse_from_triplets: diagonal entry (" + std::to_string(i) + ", " +
                                    std::to_string(i) + ") is " + std::to_string(d[k]) + ", expected 0");
      continue;
    }
    check_entry(d[k], i, j, "sparse_from_triplets");
    sm.neighbors[i].push_back({static_cast<vertex_t>(j), d[k]});
    sm.neighbors[j].push_back({static_cast<vertex_t>(i), d[k]});
  }
  for (index_t i = 0; i < n; ++i) {
    auto& row = sm.neighbors[i];
    std::sort(row.begin(), row.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
    std::size_t out = 0;
    for (std::size_t k = 0; k < row.size(); ++k) {
      if (out > 0 && row[out - 1].index == row[k].index) {
        if (row[out - 1].distance != row[k].distance) {
          throw std::invalid_argument("sparse_from_triplets: pair (" + std::to_string(i) + ", " +
                                      std::to_string(row[k].index) + ") given twice with distances " +
                                      std::to_string(row[out - 1].distance) + " and " +
                                      std::to_string(row[k].distance));
        }
        continue;
      }
      row[out++] = row[k];
    }
    row.resize(out);
  }
  return sm;
}

template <class T>
SparseDistanceMatrix<T> sparsify(const CompressedDistanceMatrix<T>& dm, T threshold) {
  SparseDistanceMatrix<T> sm;
  const index_t n = dm.size();
  sm.num_points = n;
  sm.neighbors.resize(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < n; ++j)
      if (i != j && dm(i, j) <= threshold) sm.neighbors[i].push_back({static_cast<vertex_t>(j), dm(i, j)});
  return sm;
}

template <class T>
T enclosing_radius(const CompressedDistanceMatrix<T>& dm) {
  const index_t n = dm.size();
  if (n <= 1) return T(0);
  // Row maxima in one pass over the lower triangle (cache friendly).
  std::vector<T> row_max(static_cast<std::size_t>(n), T(0));
  for (index_t i = 1; i < n; ++i) {
    const T* r = dm.row(i);
    T m = row_max[i];
    for (index_t j = 0; j < i; ++j) {
      m = std::max(m, r[j]);
      row_max[j] = std::max(row_max[j], r[j]);
    }
    row_max[i] = m;
  }
  return *std::min_element(row_max.begin(), row_max.end());
}

template class CompressedDistanceMatrix<float>;
template class CompressedDistanceMatrix<double>;
template struct SparseDistanceMatrix<float>;
template struct SparseDistanceMatrix<double>;

#define TOPOEMBED_INSTANTIATE(T)                                                                   \
  template CompressedDistanceMatrix<T> distance_matrix(const PointCloud<T>&, Metric);              \
  template CompressedDistanceMatrix<T> from_full_matrix(index_t, const T*, double);                \
  template SparseDistanceMatrix<T> sparse_from_triplets(                                           \
      index_t, const std::vector<std::pair<index_t, index_t>>&, const std::vector<T>&);            \
  template SparseDistanceMatrix<T> sparsify(const CompressedDistanceMatrix<T>&, T);                \
  template T enclosing_radius(const CompressedDistanceMatrix<T>&);
TOPOEMBED_INSTANTIATE(float)
TOPOEMBED_INSTANTIATE(double)
#undef TOPOEMBED_INSTANTIATE

}  // namespace topoembed::ph
