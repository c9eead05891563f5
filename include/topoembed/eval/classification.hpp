#pragma once
// Simple downstream measures of an embedding: k-nearest-neighbour classification accuracy and
// the reconstruction error of an autoencoder ("data MSE" in the TopoAE paper's tables).

#include <cstdint>

#include <torch/torch.h>

namespace topoembed::eval {

// Fraction of query points whose label equals the majority label among their k nearest
// reference points (Euclidean; distance ties by reference index; vote ties to the smallest
// label). references [m, d], reference_labels [m] (integers >= 0), queries [q, d],
// query_labels [q]. Throws std::invalid_argument on mismatched shapes or k outside 1..m.
double knn_accuracy(const torch::Tensor& references, const torch::Tensor& reference_labels,
                    const torch::Tensor& queries, const torch::Tensor& query_labels,
                    std::int64_t k = 5);

// Leave-one-out version on one set: each point is classified by its k nearest other points.
double knn_accuracy(const torch::Tensor& points, const torch::Tensor& labels, std::int64_t k = 5);

// mean((x - reconstruction)^2) over all entries, in float64. Shapes must match.
double reconstruction_mse(const torch::Tensor& x, const torch::Tensor& reconstruction);

}  // namespace topoembed::eval
