#pragma once
// A point cloud: n points in R^dim, row-major.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "topoembed/ph/types.hpp"

namespace topoembed::ph {

template <class T>
struct PointCloud {
  index_t num_points = 0;
  int dim = 0;
  std::vector<T> coords;  // num_points * dim values, row-major

  PointCloud() = default;
  // Throws std::invalid_argument if coords.size() != n * dim or a coordinate is not finite.
  PointCloud(index_t n, int d, std::vector<T> values);

  const T* point(index_t i) const { return coords.data() + i * dim; }
};

// Distance between two points of dimension `dim` in the given metric. Inline: it sits in the
// innermost loops (distance matrices, Prim).
template <class T>
inline T point_distance(const T* a, const T* b, int dim, Metric metric) {
  T s = 0;
  switch (metric) {
    case Metric::kEuclidean:
      for (int k = 0; k < dim; ++k) s += (a[k] - b[k]) * (a[k] - b[k]);
      return std::sqrt(s);
    case Metric::kManhattan:
      for (int k = 0; k < dim; ++k) s += std::abs(a[k] - b[k]);
      return s;
    case Metric::kChebyshev:
      for (int k = 0; k < dim; ++k) s = std::max(s, std::abs(a[k] - b[k]));
      return s;
  }
  return s;
}

// Parses "euclidean", "manhattan"/"l1", "chebyshev"/"linf"; throws std::invalid_argument otherwise.
Metric parse_metric(const std::string& name);
const char* metric_name(Metric metric);

extern template struct PointCloud<float>;
extern template struct PointCloud<double>;

}  // namespace topoembed::ph
