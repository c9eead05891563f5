#pragma once
// Dimension-0 persistence on dense input: Prim's algorithm, O(n^2) time, O(n) extra memory, no
// sort of all edges. This is what the TopoAE and COREL losses call every training step.
//
// The deaths are the edges of the minimum spanning tree (forest, with a threshold) for the strict
// order (length ascending, then edge index u (u - 1) / 2 + v descending), which is unique: the
// same edges Kruskal's algorithm in Ripser's order picks. Zero-length deaths are not reported
// (use minimum_spanning_edges_dense for every tree edge). Default threshold: none (all edges). Every pair has birth 0 and no birth edge; each
// connected component at the threshold gives one essential pair.

#include <optional>
#include <vector>

#include "topoembed/ph/distance_matrix.hpp"
#include "topoembed/ph/point_cloud.hpp"
#include "topoembed/ph/rips_persistence.hpp"
#include "topoembed/ph/types.hpp"

namespace topoembed::ph {

// From a compressed matrix.
template <class T>
RipsResult<T> h0_persistence(const CompressedDistanceMatrix<T>& dm,
                             std::optional<double> threshold = std::nullopt);

// From a full n x n row-major symmetric matrix (e.g. a detached distance tensor); rows are read
// contiguously. No validation beyond n >= 0: callers own the matrix.
template <class T>
RipsResult<T> h0_persistence_dense(const T* full, index_t n,
                                   std::optional<double> threshold = std::nullopt);

// From points, computing each distance once inside Prim (no matrix is stored).
template <class T>
RipsResult<T> h0_persistence(const PointCloud<T>& cloud, Metric metric,
                             std::optional<double> threshold = std::nullopt);

// Only the minimum-spanning-forest edges, in the order Prim adds them (for the losses).
template <class T>
std::vector<Edge> minimum_spanning_edges_dense(const T* full, index_t n);

// The same from points, each distance computed once inside Prim (the latent side of the losses).
template <class T>
std::vector<Edge> minimum_spanning_edges(const PointCloud<T>& cloud, Metric metric);

}  // namespace topoembed::ph
