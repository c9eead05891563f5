#pragma once
// The atlas distance of Korman: d_{q,φ}(x, y) = Σ_i q_i(x) q_i(y) ‖φ_i(x) − φ_i(y)‖ / Σ_i q_i(x) q_i(y).

#include <torch/torch.h>

#include <limits>

namespace topoembed::models {

struct AtlasDistanceOptions {
  // Value returned when the points share no chart, i.e. Σ_i q_i(x) q_i(y) < tolerance. The paper's
  // value is +inf (the default). Every in-chart distance is at most sqrt(d) (charts are [0,1]^d),
  // so a finite cap above sqrt(d), e.g. 2 sqrt(d), keeps the order when a finite matrix is needed
  // (persistence, metrics).
  TORCH_ARG(double, cap) = std::numeric_limits<double>::infinity();
  TORCH_ARG(double, tolerance) = 1e-6;
  // Hard variant: q replaced by the one-hot vector of its argmax (ties: the lowest chart index).
  TORCH_ARG(bool, hard) = false;
};

// membership_x [B, k], coords_x [B, k, d], membership_y [M, k], coords_y [M, k, d] → [B, M].
// Differentiable in memberships (soft variant) and coordinates; the gradient of a zero
// distance is 0.
torch::Tensor atlas_distance(const torch::Tensor& membership_x, const torch::Tensor& coords_x,
                             const torch::Tensor& membership_y, const torch::Tensor& coords_y,
                             const AtlasDistanceOptions& options = {});
// Pairwise within one batch: [B, k], [B, k, d] → [B, B].
torch::Tensor atlas_distance(const torch::Tensor& membership, const torch::Tensor& coords,
                             const AtlasDistanceOptions& options = {});

}  // namespace topoembed::models
