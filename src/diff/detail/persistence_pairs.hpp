#pragma once
// The step "pairs" of "pairs, then gather": runs the ph core on detached host distances and
// returns the critical edges as CPU index tensors. Shared by the layer and the losses.

#include <cstdint>
#include <optional>
#include <vector>

#include <torch/types.h>

#include "topoembed/ph/types.hpp"

namespace topoembed::diff::detail {

struct EdgeTensors {
  torch::Tensor birth_edges;  // [K, 2] kLong, (-1, -1) = none
  torch::Tensor death_edges;  // [K, 2] kLong, (-1, -1) = none (essential)
  torch::Tensor essential;    // [K] kBool
};

// host: [B, N, N] CPU contiguous float/double, finite, symmetric, >= 0. Result [b][dim].
std::vector<std::vector<EdgeTensors>> persistence_edges(const torch::Tensor& host, int max_dim,
                                                        std::optional<double> threshold, int threads);

// Minimum-spanning-tree edges of host distances [B, N, N] (checked): [B, N - 1, 2] kLong on the CPU.
torch::Tensor mst_edges_host(const torch::Tensor& host, int threads);

// Lengths of edges [K, 2] between rows of points [N, D] in the Euclidean metric, differentiable in
// the points, with the safe square root (a zero-length edge has gradient 0). Equal to gathering
// the full distance matrix at the edges, at O(K D) instead of O(N^2 D).
torch::Tensor euclidean_edge_lengths(const torch::Tensor& points, const torch::Tensor& edges);

// How host_squared_distances forms its entries.
enum class SquaredDistanceForm {
  // Above 16 features the Gram form of the centred points (one BLAS SYRK, then one pass); below,
  // explicit differences. Its error is ~1e-7 (float) of the squared distance of a point from the
  // batch mean, so it can reorder nearly equal edges of a tight cluster far from the mean.
  kFastest,
  // Explicit differences at every width: each entry to a few rounding errors of itself (exact
  // zeros for coincident points). For the latents, whose pairing the loss matches: narrow, and
  // often clustered far from their mean (classes).
  kDifferences,
};

// Squared Euclidean distances [N, N] (CPU, the points' dtype, exact zero diagonal, exactly
// symmetric) of detached points [N, D] (float or double, checked by the caller). Squaring is
// monotone, so the core pairs these exactly as it pairs the distances (same edges, same tie rule),
// at no square roots. Checks finiteness of the points and of every entry (`op` names the caller
// and the row): when the Gram form gives a non-finite entry (an overflow of a partial sum), the
// matrix is recomputed by differences, which throw only when a true squared distance overflows.
// When `max_out` is given it receives the largest entry (found anyway by the overflow check).
torch::Tensor host_squared_distances(const torch::Tensor& points, const char* op, double* max_out = nullptr,
                                     SquaredDistanceForm form = SquaredDistanceForm::kFastest);

// Minimum-spanning-tree edges of one host matrix [N, N] (CPU, contiguous, float or double, checked
// by the caller: e.g. the output of host_squared_distances), in the order Prim adds them.
std::vector<ph::Edge> mst_edge_list_dense(const torch::Tensor& host);

// Replaces (-1, -1) by (0, 0) (the zero diagonal) so a gather gives 0 with zero gradient.
torch::Tensor diagonal_for_missing(const torch::Tensor& edges);

// D[..., u, v] for valid edges (no checks; the edges come from the core): [K, 2] with D [N, N],
// or [B, K, 2] with D [B, N, N]. Differentiable in D.
torch::Tensor gather_edges_unchecked(const torch::Tensor& distances, const torch::Tensor& edges);

// Checks a distance tensor for the core: finite and >= 0 (after detaching), and returns it on the
// host as [B, N, N] contiguous. `op` names the caller in messages.
torch::Tensor host_distances(const torch::Tensor& distances, const char* op);

}  // namespace topoembed::diff::detail
