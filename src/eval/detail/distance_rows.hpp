#pragma once
// Rows of the Euclidean distance matrix of a point set, produced block by block so that
// n x n matrices are never held.

#include <cstdint>

#include <torch/torch.h>

namespace topoembed::eval::detail {

class DistanceRows {
 public:
  // points: [n, d] float64, contiguous, CPU, finite.
  explicit DistanceRows(torch::Tensor points);

  std::int64_t size() const { return n_; }
  // Low dimensions: exact differences, summed in coordinate order like scipy's pdist.
  // High dimensions: |x|^2 + |y|^2 - 2 x.y by GEMM on centred points.
  bool direct() const { return d_ <= kDirectMaxDim; }


  // Squared distances of rows [begin, end) to every point, as a [end - begin, n] float64
  // tensor; entries >= 0 and the diagonal exactly 0.
  torch::Tensor squared_block(std::int64_t begin, std::int64_t end) const;

  // The largest squared distance over all pairs (only the lower triangle is computed).
  double max_squared(std::int64_t block_rows) const;

  // The whole [n, n] matrix of squared distances: lower-triangle blocks, then mirrored, so it
  // costs half of n / block_rows calls of squared_block.
  torch::Tensor full_squared(std::int64_t block_rows) const;

 private:
  torch::Tensor squared_block_to(std::int64_t begin, std::int64_t end, std::int64_t cols) const;

  static constexpr std::int64_t kDirectMaxDim = 16;
  torch::Tensor points_;        // centred when !direct()
  torch::Tensor squared_norms_;  // [n], when !direct()
  std::int64_t n_ = 0;
  std::int64_t d_ = 0;
};

}  // namespace topoembed::eval::detail
