// Front ends of the Vietoris–Rips persistence engine: option checks, dimension 0 by Prim (dense)
// or Kruskal (sparse), dimensions >= 1 by the cohomology engine, batches.
#include "topoembed/ph/rips_persistence.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

#include "detail/cohomology.hpp"
#include "detail/parallel.hpp"
#include "detail/prim.hpp"
#include "detail/rips_geometry.hpp"

namespace topoembed::ph {

namespace {

bool is_prime(std::uint32_t p) {
  if (p < 2) return false;
  for (std::uint32_t d = 2; d * d <= p; ++d)
    if (p % d == 0) return false;
  return true;
}

template <class T>
T resolve_threshold(const RipsOptions& options, T fallback) {
  return options.threshold ? static_cast<T>(*options.threshold) : fallback;
}

// Kruskal on the edges of a sparse matrix in filtration order (length, then larger index first).
template <class T>
detail::SpanningForest<T> kruskal_spanning_forest(const SparseDistanceMatrix<T>& sm, T threshold) {
  struct WeightedEdge { T len; index_t idx; Edge e; };
  std::vector<WeightedEdge> edges;
  for (index_t i = 0; i < sm.num_points; ++i)
    for (const auto& nb : sm.neighbors[i])
      if (nb.index < i && nb.distance <= threshold) {
        const Edge e{static_cast<vertex_t>(i), nb.index};
        edges.push_back({nb.distance, detail::edge_index(e), e});
      }
  std::sort(edges.begin(), edges.end(), [](const WeightedEdge& a, const WeightedEdge& b) {
    return detail::edge_before(a.len, a.idx, b.len, b.idx);
  });
  std::vector<vertex_t> parent(static_cast<std::size_t>(sm.num_points));
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](vertex_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  detail::SpanningForest<T> forest;
  forest.num_components = sm.num_points;
  for (const auto& we : edges) {
    const vertex_t a = find(we.e.u), b = find(we.e.v);
    if (a == b) continue;
    parent[std::max(a, b)] = std::min(a, b);
    forest.edges.push_back(we.e);
    forest.lengths.push_back(we.len);
    --forest.num_components;
  }
  return forest;
}

template <class T>
void emit_dimension_zero(const detail::SpanningForest<T>& forest, const PairSink<T>& sink) {
  for (std::size_t k = 0; k < forest.edges.size(); ++k)
    if (forest.lengths[k] > T(0)) sink({0, T(0), forest.lengths[k], kNoEdge, forest.edges[k]});
  for (index_t c = 0; c < forest.num_components; ++c) sink({0, T(0), kInfinity<T>, kNoEdge, kNoEdge});
}

template <class T, class Matrix>
RipsResult<T> collect(const Matrix& dm, const RipsOptions& options) {
  RipsResult<T> result;
  result.num_points = dm.size();
  const PairSink<T> sink = [&](const PersistencePair<T>& p) { result.pairs.push_back(p); };
  result.threshold = rips_persistence(dm, options, sink);
  detail::sort_pairs(result.pairs);
  return result;
}

}  // namespace

void validate(const RipsOptions& options, index_t num_points) {
  if (options.max_dim < 0 || options.max_dim > detail::kMaxVertices - 3) {
    throw std::invalid_argument("rips_persistence: max_dim must be in 0.." + std::to_string(detail::kMaxVertices - 3) +
                                ", got " + std::to_string(options.max_dim));
  }
  if (!is_prime(options.modulus) || options.modulus > 251) {
    throw std::invalid_argument("rips_persistence: modulus must be a prime below 256, got " +
                                std::to_string(options.modulus));
  }
  if (options.threads < 1) {
    throw std::invalid_argument("rips_persistence: threads must be >= 1, got " + std::to_string(options.threads));
  }
  if (options.threshold && (std::isnan(*options.threshold) || *options.threshold < 0)) {
    throw std::invalid_argument("rips_persistence: threshold must be >= 0, got " + std::to_string(*options.threshold));
  }
  if (options.max_dim >= 1 && num_points > max_points_for_dim(options.max_dim)) {
    throw std::invalid_argument("rips_persistence: " + std::to_string(num_points) + " points are too many for dimension " +
                                std::to_string(options.max_dim) + " (at most " +
                                std::to_string(max_points_for_dim(options.max_dim)) + ": simplex indices overflow)");
  }
}

template <class T>
std::vector<PersistencePair<T>> RipsResult<T>::dimension(int dim) const {
  std::vector<PersistencePair<T>> out;
  for (const auto& p : pairs)
    if (p.dim == dim) out.push_back(p);
  return out;
}

template <class T>
T rips_persistence(const CompressedDistanceMatrix<T>& dm, const RipsOptions& options, const PairSink<T>& sink) {
  validate(options, dm.size());
  const T threshold = resolve_threshold(options, enclosing_radius(dm));
  const auto forest = detail::prim_spanning_forest<T>(
      dm.size(), threshold, [&](index_t a, index_t b) { return a > b ? dm.lower(a, b) : dm.lower(b, a); });
  emit_dimension_zero(forest, sink);
  if (options.max_dim >= 1 && dm.size() >= 2) {
    const detail::DenseGeometry<T> geometry(dm, threshold);
    detail::CohomologyEngine<T, detail::DenseGeometry<T>> engine(geometry, options, sink);
    engine.run(forest.edges);
  }
  return threshold;
}

template <class T>
RipsResult<T> rips_persistence(const CompressedDistanceMatrix<T>& dm, const RipsOptions& options) {
  return collect<T>(dm, options);
}

template <class T>
RipsResult<T> rips_persistence(const SparseDistanceMatrix<T>& sm, const RipsOptions& options) {
  validate(options, sm.num_points);
  if (static_cast<index_t>(sm.neighbors.size()) != sm.num_points) {
    throw std::invalid_argument("rips_persistence: sparse matrix has " + std::to_string(sm.neighbors.size()) +
                                " neighbour lists for " + std::to_string(sm.num_points) + " points");
  }
  RipsResult<T> result;
  result.num_points = sm.num_points;
  result.threshold = resolve_threshold(options, kInfinity<T>);
  const PairSink<T> sink = [&](const PersistencePair<T>& p) { result.pairs.push_back(p); };
  const auto forest = kruskal_spanning_forest(sm, result.threshold);
  emit_dimension_zero(forest, sink);
  if (options.max_dim >= 1 && sm.num_points >= 2) {
    const detail::SparseGeometry<T> geometry(sm, result.threshold);
    detail::CohomologyEngine<T, detail::SparseGeometry<T>> engine(geometry, options, sink);
    engine.run(forest.edges);
  }
  detail::sort_pairs(result.pairs);
  return result;
}

template <class T>
RipsResult<T> rips_persistence(const PointCloud<T>& cloud, Metric metric, const RipsOptions& options) {
  return rips_persistence(distance_matrix(cloud, metric), options);
}

template <class T>
std::vector<RipsResult<T>> rips_persistence_batch(const std::vector<CompressedDistanceMatrix<T>>& dms,
                                                  const RipsOptions& options, ThreadPool& pool) {
  for (const auto& dm : dms) validate(options, dm.size());
  std::vector<RipsResult<T>> results(dms.size());
  detail::parallel_chunks(pool, static_cast<std::int64_t>(dms.size()), 1, [&](std::int64_t b, std::int64_t e, int) {
    for (std::int64_t k = b; k < e; ++k) results[k] = rips_persistence(dms[k], options);
  });
  return results;
}

template <class T>
std::vector<RipsResult<T>> rips_persistence_batch(const std::vector<CompressedDistanceMatrix<T>>& dms,
                                                  const RipsOptions& options, int threads) {
  if (threads < 1) throw std::invalid_argument("rips_persistence_batch: threads must be >= 1, got " + std::to_string(threads));
  for (const auto& dm : dms) validate(options, dm.size());
  ThreadPool pool(static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), std::max<std::size_t>(dms.size(), 1))));
  return rips_persistence_batch(dms, options, pool);
}

#define TOPOEMBED_INSTANTIATE(T)                                                                              \
  template struct RipsResult<T>;                                                                              \
  template T rips_persistence(const CompressedDistanceMatrix<T>&, const RipsOptions&, const PairSink<T>&);    \
  template RipsResult<T> rips_persistence(const CompressedDistanceMatrix<T>&, const RipsOptions&);            \
  template RipsResult<T> rips_persistence(const SparseDistanceMatrix<T>&, const RipsOptions&);                \
  template RipsResult<T> rips_persistence(const PointCloud<T>&, Metric, const RipsOptions&);                  \
  template std::vector<RipsResult<T>> rips_persistence_batch(const std::vector<CompressedDistanceMatrix<T>>&, \
                                                             const RipsOptions&, int);                        \
  template std::vector<RipsResult<T>> rips_persistence_batch(const std::vector<CompressedDistanceMatrix<T>>&, \
                                                             const RipsOptions&, ThreadPool&);
TOPOEMBED_INSTANTIATE(float)
TOPOEMBED_INSTANTIATE(double)
#undef TOPOEMBED_INSTANTIATE

}  // namespace topoembed::ph
