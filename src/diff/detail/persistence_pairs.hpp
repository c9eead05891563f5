#pragma once
// The step "pairs" of "pairs, then gather": runs the ph core on detached host distances and
// returns the critical edges as CPU index tensors. Shared by the layer and the losses.

#include <cstdint>
#include <optional>
#include <vector>

#include <torch/types.h>

namespace topoembed::diff::detail {

struct EdgeTensors {
  torch::Tensor birth_edges;  // [K, 2] kLong, (-1, -1) = none
  torch::Tensor death_edges;  // [K, 2] kLong, (-1, -1) = none (essential)
  torch::Tensor essential;    // [K] kBool
};

// host: [B, N, N] CPU contiguous float/double, finite, symmetric, >= 0. Result [b][dim].
std::vector<std::vector<EdgeTensors>> persistence_edges(const torch::Tensor& host, int max_dim,
                                                        std::optional<double> threshold, int threads);

// Replaces (-1, -1) by (0, 0) (the zero diagonal) so a gather gives 0 with zero gradient.
torch::Tensor diagonal_for_missing(const torch::Tensor& edges);

// Checks a distance tensor for the core: finite and >= 0 (after detaching), and returns it on the
// host as [B, N, N] contiguous. `op` names the caller in messages.
torch::Tensor host_distances(const torch::Tensor& distances, const char* op);

}  // namespace topoembed::diff::detail
