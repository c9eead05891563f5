// Blocked distance rows: direct for low dimensions, GEMM (|x|^2 + |y|^2 - 2 x.y) for high ones.
#include "detail/distance_rows.hpp"

#include <ATen/Parallel.h>

#include <algorithm>

namespace topoembed::eval::detail {

DistanceRows::DistanceRows(torch::Tensor points)
    : n_(points.size(0)), d_(points.size(1)) {
  if (direct()) {
    points_ = points.contiguous();
  } else {
    // Centring does not change distances but shrinks |x|^2, and with it the cancellation.
    points_ = (points - points.mean(0, /*keepdim=*/true)).contiguous();
    squared_norms_ = points_.pow(2).sum(1).contiguous();
  }
}

torch::Tensor DistanceRows::squared_block_to(std::int64_t begin, std::int64_t end,
                                             std::int64_t cols) const {
  const std::int64_t rows = end - begin;
  torch::Tensor out;
  if (direct()) {
    out = torch::empty({rows, cols}, torch::kFloat64);
    const double* p = points_.data_ptr<double>();
    double* o = out.data_ptr<double>();
    const std::int64_t d = d_;
    at::parallel_for(0, rows, 1, [&](std::int64_t r0, std::int64_t r1) {
      for (std::int64_t r = r0; r < r1; ++r) {
        const double* xi = p + (begin + r) * d;
        double* orow = o + r * cols;
        for (std::int64_t l = 0; l < cols; ++l) {
          const double* xl = p + l * d;
          double s = 0.0;
          for (std::int64_t k = 0; k < d; ++k) {
            const double diff = xi[k] - xl[k];
            s += diff * diff;
          }
          orow[l] = s;
        }
      }
    });
    return out;
  }
  out = torch::mm(points_.slice(0, begin, end), points_.slice(0, 0, cols).t()).contiguous();
  double* o = out.data_ptr<double>();
  const double* norms = squared_norms_.data_ptr<double>();
  at::parallel_for(0, rows, 1, [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) {
      double* orow = o + r * cols;
      const double ni = norms[begin + r];
      for (std::int64_t l = 0; l < cols; ++l) {
        orow[l] = std::max(0.0, ni + norms[l] - 2.0 * orow[l]);
      }
      if (begin + r < cols) orow[begin + r] = 0.0;
    }
  });
  return out;
}

torch::Tensor DistanceRows::squared_block(std::int64_t begin, std::int64_t end) const {
  return squared_block_to(begin, end, n_);
}

double DistanceRows::max_squared(std::int64_t block_rows) const {
  double best = 0.0;
  for (std::int64_t b = 0; b < n_; b += block_rows) {
    const std::int64_t e = std::min(n_, b + block_rows);
    // Columns up to e cover every pair (i, j) with j <= i in this block.
    best = std::max(best, squared_block_to(b, e, e).max().item<double>());
  }
  return best;
}

torch::Tensor DistanceRows::full_squared(std::int64_t block_rows) const {
  torch::Tensor full = torch::empty({n_, n_}, torch::kFloat64);
  double* f = full.data_ptr<double>();
  for (std::int64_t b = 0; b < n_; b += block_rows) {
    const std::int64_t e = std::min(n_, b + block_rows);
    full.slice(0, b, e).slice(1, 0, e).copy_(squared_block_to(b, e, e));
  }
  // Upper triangle from the lower one, in tiles so both sides stay in cache.
  const std::int64_t n = n_;
  constexpr std::int64_t kTile = 64;
  const std::int64_t tiles = (n + kTile - 1) / kTile;
  at::parallel_for(0, tiles, 1, [&](std::int64_t t0, std::int64_t t1) {
    for (std::int64_t ti = t0; ti < t1; ++ti) {
      const std::int64_t i0 = ti * kTile;
      const std::int64_t i1 = std::min(n, i0 + kTile);
      for (std::int64_t j0 = i0; j0 < n; j0 += kTile) {
        const std::int64_t j1 = std::min(n, j0 + kTile);
        for (std::int64_t i = i0; i < i1; ++i) {
          for (std::int64_t j = std::max(j0, i + 1); j < j1; ++j) f[i * n + j] = f[j * n + i];
        }
      }
    }
  });
  return full;
}

}  // namespace topoembed::eval::detail
