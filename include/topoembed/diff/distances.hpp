#pragma once
// Differentiable pairwise distances for the persistence layer and the losses.
//
// The diagonal is exactly zero and the square root is kept away from 0: the gradient of a zero
// distance (the diagonal, coincident points) is defined as 0, so duplicates never produce NaN.

#include <torch/types.h>

#include "topoembed/ph/types.hpp"

namespace topoembed::diff {

// The ground metrics of the core: Euclidean (L2), Manhattan (L1, used by COREL), Chebyshev (L∞).
using Metric = ph::Metric;

// sqrt(x) for x >= 0 with gradient 0 where x == 0 (instead of +inf, which times 0 gives NaN).
torch::Tensor safe_sqrt(const torch::Tensor& x);

// All pairwise distances of the rows of x: [N, D] -> [N, N] or [B, N, D] -> [B, N, N], float or
// double, any device, differentiable in x. Euclidean distances use the Gram form
// (|a|^2 + |b|^2 - 2 a.b, clamped at 0) when D > 16 and explicit differences otherwise; the
// diagonal is exactly 0 either way.
torch::Tensor pairwise_distances(const torch::Tensor& x, Metric metric = Metric::kEuclidean);

}  // namespace topoembed::diff
