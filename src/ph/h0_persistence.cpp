// Dimension-0 persistence by Prim's algorithm on dense input (see h0_persistence.hpp).
#include "topoembed/ph/h0_persistence.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "detail/prim.hpp"
#include "detail/point_rows.hpp"

namespace topoembed::ph {

namespace {

template <class T>
RipsResult<T> result_from_forest(const detail::SpanningForest<T>& forest, index_t n, T threshold) {
  RipsResult<T> result;
  result.num_points = n;
  result.threshold = threshold;
  for (std::size_t k = 0; k < forest.edges.size(); ++k) {
    if (forest.lengths[k] > T(0)) {
      result.pairs.push_back({0, T(0), forest.lengths[k], kNoEdge, forest.edges[k]});
    }
  }
  for (index_t c = 0; c < forest.num_components; ++c) result.pairs.push_back({0, T(0), kInfinity<T>, kNoEdge, kNoEdge});
  detail::sort_pairs(result.pairs);
  return result;
}

template <class T>
T threshold_or_inf(std::optional<double> threshold) {
  if (!threshold) return kInfinity<T>;
  if (std::isnan(*threshold) || *threshold < 0) {
    throw std::invalid_argument("h0_persistence: threshold must be >= 0, got " + std::to_string(*threshold));
  }
  return static_cast<T>(*threshold);
}

}  // namespace

template <class T>
RipsResult<T> h0_persistence(const CompressedDistanceMatrix<T>& dm, std::optional<double> threshold) {
  const T thr = threshold_or_inf<T>(threshold);
  const auto forest = detail::prim_spanning_forest<T>(
      dm.size(), thr, [&](index_t a, index_t b) { return a > b ? dm.lower(a, b) : dm.lower(b, a); });
  return result_from_forest(forest, dm.size(), thr);
}

template <class T>
RipsResult<T> h0_persistence_dense(const T* full, index_t n, std::optional<double> threshold) {
  if (n < 0) throw std::invalid_argument("h0_persistence_dense: negative size " + std::to_string(n));
  const T thr = threshold_or_inf<T>(threshold);
  const auto forest = detail::prim_spanning_forest<T>(n, thr, [&](index_t a, index_t b) { return full[a * n + b]; });
  return result_from_forest(forest, n, thr);
}

namespace {
template <class T>
detail::SpanningForest<T> point_cloud_forest(const PointCloud<T>& cloud, Metric metric, T thr) {
  switch (metric) {  // one instance per metric so the distance loop is specialised
    case Metric::kEuclidean: {
      detail::PointRows<T, Metric::kEuclidean> rows(cloud);
      return detail::prim_spanning_forest_rows<T>(cloud.num_points, thr, rows);
    }
    case Metric::kManhattan: {
      detail::PointRows<T, Metric::kManhattan> rows(cloud);
      return detail::prim_spanning_forest_rows<T>(cloud.num_points, thr, rows);
    }
    case Metric::kChebyshev: {
      detail::PointRows<T, Metric::kChebyshev> rows(cloud);
      return detail::prim_spanning_forest_rows<T>(cloud.num_points, thr, rows);
    }
  }
  throw std::invalid_argument("h0_persistence: unknown metric");
}
}  // namespace

template <class T>
RipsResult<T> h0_persistence(const PointCloud<T>& cloud, Metric metric, std::optional<double> threshold) {
  const T thr = threshold_or_inf<T>(threshold);
  return result_from_forest(point_cloud_forest(cloud, metric, thr), cloud.num_points, thr);
}

template <class T>
std::vector<Edge> minimum_spanning_edges(const PointCloud<T>& cloud, Metric metric) {
  return point_cloud_forest(cloud, metric, kInfinity<T>).edges;
}

template <class T>
std::vector<Edge> minimum_spanning_edges_dense(const T* full, index_t n) {
  if (n < 0) throw std::invalid_argument("minimum_spanning_edges_dense: negative size " + std::to_string(n));
  return detail::prim_spanning_forest<T>(n, kInfinity<T>, [&](index_t a, index_t b) { return full[a * n + b]; }).edges;
}

#define TOPOEMBED_INSTANTIATE(T)                                                                    \
  template RipsResult<T> h0_persistence(const CompressedDistanceMatrix<T>&, std::optional<double>); \
  template RipsResult<T> h0_persistence_dense(const T*, index_t, std::optional<double>);            \
  template RipsResult<T> h0_persistence(const PointCloud<T>&, Metric, std::optional<double>);       \
  template std::vector<Edge> minimum_spanning_edges_dense(const T*, index_t);                        \
  template std::vector<Edge> minimum_spanning_edges(const PointCloud<T>&, Metric);
TOPOEMBED_INSTANTIATE(float)
TOPOEMBED_INSTANTIATE(double)
#undef TOPOEMBED_INSTANTIATE

}  // namespace topoembed::ph
