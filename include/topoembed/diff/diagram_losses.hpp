#pragma once
// Distances between persistence diagrams as differentiable losses: p-Wasserstein and bottleneck
// to a target diagram. The optimal matching is computed on detached values; the distance is then
// recomputed from the matched diagram entries, so gradients flow through the matched points only
// (a point matched to the diagonal moves towards its projection).
//
// The matchings are the exact ones of ph/diagram_distance.hpp. Ground metric between diagram
// points: L∞. Points with an infinite death (essential classes)
// are left out of both diagrams.

#include <cstdint>

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "topoembed/diff/distances.hpp"

namespace topoembed::diff {

// W_p(a, b) = (min over matchings Σ cost^p)^(1/p) for diagrams a [K, 2], b [M, 2] (birth, death),
// p >= 1; differentiable in both.
torch::Tensor wasserstein_distance(const torch::Tensor& a, const torch::Tensor& b, double p = 2.0);

// d_B(a, b) = min over matchings of the largest cost; differentiable in both (through the pair
// attaining the maximum).
torch::Tensor bottleneck_distance(const torch::Tensor& a, const torch::Tensor& b);

struct DiagramLossOptions {
  TORCH_ARG(int64_t, dim) = 0;            // homology dimension of the input's diagram
  TORCH_ARG(double, p) = 2.0;             // Wasserstein order (ignored by the bottleneck loss)
  TORCH_ARG(Metric, metric) = Metric::kEuclidean;
  TORCH_ARG(bool, distance_input) = false;  // x is a distance matrix [N, N]
};

// forward(x, target): distance between the Rips diagram of x ([N, D] points or [N, N] distances)
// in dimension `dim` and the target diagram [M, 2].
class WassersteinLossImpl : public torch::nn::Cloneable<WassersteinLossImpl> {
 public:
  explicit WassersteinLossImpl(DiagramLossOptions options = {});
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& target);

  DiagramLossOptions options;
};
TORCH_MODULE(WassersteinLoss);

class BottleneckLossImpl : public torch::nn::Cloneable<BottleneckLossImpl> {
 public:
  explicit BottleneckLossImpl(DiagramLossOptions options = {});
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& target);

  DiagramLossOptions options;
};
TORCH_MODULE(BottleneckLoss);

}  // namespace topoembed::diff
