#pragma once
// The persistence layer: Vietoris–Rips persistence of point tensors (or distance tensors), made
// differentiable by "pairs, then gather".
//
//   D = pairwise distances (differentiable)  ->  the ph core runs on D.detach().cpu()
//     ->  critical edges as index tensors    ->  births / deaths = D[u, v]
//
// Autograd does the rest: the gradient of a diagram point flows into the distance matrix entries
// of its critical edges, and from there into the points.
//
// Semantics of the diagram entries:
// - dimension 0: birth is 0 and constant (no birth edge, gathered from the zero diagonal, so its
//   gradient is 0); the death is D at the death edge;
// - dimension k >= 1: birth is D at the birth edge, death is D at the death edge;
// - essential classes (death = +inf, no death edge): the infinite death is a constant and is not
//   differentiated; the birth is (for k >= 1). With the default threshold (enclosing radius)
//   exactly one class is essential, the component of dimension 0.
// Only pairs of positive persistence are listed (as in the core), ordered by death, then birth.

#include <optional>
#include <vector>

#include <torch/arg.h>
#include <torch/types.h>

#include "topoembed/diff/distances.hpp"

namespace topoembed::diff {

struct VietorisRipsOptions {
  // Highest homology dimension computed (0 uses the dedicated Prim path of the core).
  TORCH_ARG(int, max_dim) = 1;
  // Ground metric when the input is a point tensor.
  TORCH_ARG(Metric, metric) = Metric::kEuclidean;
  // True: the input is a distance tensor [N, N] / [B, N, N] (symmetric, finite, >= 0; the
  // diagonal is ignored and taken as 0). False: a point tensor [N, D] / [B, N, D].
  TORCH_ARG(bool, distance_input) = false;
  // Rips threshold; default: the enclosing radius of each cloud (no homology is lost).
  TORCH_ARG(std::optional<double>, threshold) = std::nullopt;
  // Persistence computations run concurrently for a batch; 0 = hardware concurrency.
  TORCH_ARG(int, threads) = 0;
};

// The diagram of one dimension of one cloud. K = number of pairs.
struct DimensionDiagram {
  torch::Tensor diagram;      // [K, 2] (birth, death), input dtype and device, differentiable
  torch::Tensor birth_edges;  // [K, 2] kLong (u, v) with u > v; (-1, -1) where there is none
  torch::Tensor death_edges;  // [K, 2] kLong (u, v) with u > v; (-1, -1) for essential classes
  torch::Tensor essential;    // [K] kBool: death is +inf
};

// Batch format: one list per cloud (no padding). An unbatched input gives one cloud.
struct VietorisRipsResult {
  // clouds[b][dim] for dim = 0..max_dim.
  std::vector<std::vector<DimensionDiagram>> clouds;
  // The differentiable distance matrix the diagrams were gathered from ([N, N] or [B, N, N]).
  torch::Tensor distances;
  bool batched = false;

  const DimensionDiagram& at(int dim, int cloud = 0) const;
};

// Vietoris–Rips persistence of x ([N, D] or [B, N, D] points, or [N, N] / [B, N, N] distances
// with options.distance_input), float or double, any device. The core runs on CPU threads; all
// result tensors are on x's device.
VietorisRipsResult vietoris_rips(const torch::Tensor& x,
                                 const VietorisRipsOptions& options = VietorisRipsOptions());

// The edges of the minimum spanning tree(s) of a distance tensor [N, N] or [B, N, N] for the
// core's strict edge order (the H0 persistence pairing π, zero-length edges included), as a kLong
// tensor [N - 1, 2] or [B, N - 1, 2] of (u, v), u > v, on the input's device. No gradient.
torch::Tensor minimum_spanning_edges(const torch::Tensor& distances, int threads = 0);

// D[..., u, v] for an edge tensor [K, 2] (or [B, K, 2] with D [B, N, N]); differentiable in D.
torch::Tensor gather_edges(const torch::Tensor& distances, const torch::Tensor& edges);

}  // namespace topoembed::diff
