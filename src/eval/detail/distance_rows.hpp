#pragma once
// Rows of the Euclidean distance matrix of a point set: one row at a time for low dimensions,
// blocks of rows (GEMM) or the whole matrix for high ones.

#include <cstdint>

#include <torch/torch.h>

namespace topoembed::eval::detail {

class DistanceRows {
 public:
  // points: [n, d] float64, contiguous, CPU, finite.
  explicit DistanceRows(torch::Tensor points);

  std::int64_t size() const { return n_; }
  // Low dimensions: exact differences, summed in coordinate order like scipy's pdist, one row
  // at a time (squared_row). High dimensions: |x|^2 + |y|^2 - 2 x.y by GEMM on centred points,
  // in blocks of rows.
  bool direct() const { return d_ <= kDirectMaxDim; }

  // Direct sides only: out[l] = squared distance of points i and l, l in [0, cols).
  void squared_row(std::int64_t i, std::int64_t cols, double* out) const;

  // Squared distances of rows [begin, end) to every point into `out` (resized to
  // [end - begin, n] float64 if needed, so a buffer can be reused); entries >= 0 and the
  // diagonal exactly 0. Any side.
  void squared_block(std::int64_t begin, std::int64_t end, torch::Tensor& out) const;

  // The largest squared distance over all pairs (only the lower triangle is computed).
  double max_squared(std::int64_t block_rows) const;

  // GEMM sides: the whole [n, n] matrix of squared distances, built from lower-triangle blocks
  // written in place and mirrored, so it costs half of the products of n rows; *max_out gets
  // the largest entry.
  torch::Tensor full_squared(std::int64_t block_rows, double* max_out) const;

 private:
  // GEMM sides: rows [begin, end) x columns [0, cols) into out (any row stride), clamped at 0,
  // diagonal 0; returns the largest entry.
  double gemm_block(std::int64_t begin, std::int64_t end, std::int64_t cols, torch::Tensor out) const;

  static constexpr std::int64_t kDirectMaxDim = 16;
  torch::Tensor points_;         // centred when !direct()
  torch::Tensor coordinates_;    // [d, n] (one contiguous row per coordinate) when direct()
  torch::Tensor squared_norms_;  // [n], when !direct()
  std::int64_t n_ = 0;
  std::int64_t d_ = 0;
};

}  // namespace topoembed::eval::detail
