// Distance rows: direct differences for low dimensions, GEMM (|x|^2 + |y|^2 - 2 x.y) for high
// ones, written into reused buffers (fresh n x n allocations cost as much as the arithmetic:
// the kernel clears every new page).
#include "detail/distance_rows.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

namespace topoembed::eval::detail {

namespace {
// The largest of row[0..len) and 0 (entries are squared distances, >= 0); two running maxima so
// the loop is not one long dependency chain.
double row_maximum(const double* row, std::int64_t len) {
  double m0 = 0.0;
  double m1 = 0.0;
  std::int64_t l = 0;
  for (; l + 2 <= len; l += 2) {
    m0 = row[l] > m0 ? row[l] : m0;
    m1 = row[l + 1] > m1 ? row[l + 1] : m1;
  }
  if (l < len) m0 = row[l] > m0 ? row[l] : m0;
  return std::max(m0, m1);
}
}  // namespace

DistanceRows::DistanceRows(torch::Tensor points) : n_(points.size(0)), d_(points.size(1)) {
  if (direct()) {
    points_ = points.contiguous();
    // One contiguous row per coordinate, so a distance row is d vectorisable passes.
    coordinates_ = points_.t().contiguous();
  } else {
    // Centring does not change distances but shrinks |x|^2, and with it the cancellation.
    points_ = (points - points.mean(0, /*keepdim=*/true)).contiguous();
    squared_norms_ = points_.pow(2).sum(1).contiguous();
  }
}

void DistanceRows::squared_row(std::int64_t i, std::int64_t cols, double* out) const {
  const double* c = coordinates_.data_ptr<double>();
  // Coordinate by coordinate: out[l] = ((0 + diff_0^2) + diff_1^2) + ..., scipy's order.
  std::fill(out, out + cols, 0.0);
  for (std::int64_t k = 0; k < d_; ++k) {
    const double* ck = c + k * n_;
    const double xi = ck[i];
    for (std::int64_t l = 0; l < cols; ++l) {
      const double diff = xi - ck[l];
      out[l] += diff * diff;
    }
  }
}

double DistanceRows::gemm_block(std::int64_t begin, std::int64_t end, std::int64_t cols,
                                torch::Tensor out) const {
  // out may be a view with row stride n (a block of the full matrix): BLAS writes it in place.
  torch::mm_out(out, points_.slice(0, begin, end), points_.slice(0, 0, cols).t());
  double* o = out.data_ptr<double>();
  const std::int64_t stride = out.stride(0);
  const double* norms = squared_norms_.data_ptr<double>();
  const std::int64_t rows = end - begin;
  std::vector<double> row_max(static_cast<std::size_t>(rows), 0.0);
  at::parallel_for(0, rows, 16, [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) {
      double* orow = o + r * stride;
      const double ni = norms[begin + r];
      for (std::int64_t l = 0; l < cols; ++l) {
        const double a = ni + norms[l] - 2.0 * orow[l];
        orow[l] = a > 0.0 ? a : 0.0;
      }
      if (begin + r < cols) orow[begin + r] = 0.0;
      row_max[static_cast<std::size_t>(r)] = row_maximum(orow, cols);
    }
  });
  double best = 0.0;
  for (double v : row_max) best = std::max(best, v);
  return best;
}

void DistanceRows::squared_block(std::int64_t begin, std::int64_t end, torch::Tensor& out) const {
  const std::int64_t rows = end - begin;
  if (!out.defined() || out.size(0) < rows || out.size(1) != n_) {
    out = torch::empty({rows, n_}, torch::kFloat64);
  }
  torch::Tensor view = out.slice(0, 0, rows);
  if (!direct()) {
    gemm_block(begin, end, n_, view);
    return;
  }
  double* o = view.data_ptr<double>();
  at::parallel_for(0, rows, 16, [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) squared_row(begin + r, n_, o + r * n_);
  });
}

double DistanceRows::max_squared(std::int64_t block_rows) const {
  if (direct()) {
    // Row i against columns [0, i): the lower triangle, rows split between threads.
    std::vector<double> row_max(static_cast<std::size_t>(n_), 0.0);
    at::parallel_for(0, n_, 64, [&](std::int64_t r0, std::int64_t r1) {
      std::vector<double> row(static_cast<std::size_t>(n_));
      for (std::int64_t i = r0; i < r1; ++i) {
        squared_row(i, i, row.data());
        row_max[static_cast<std::size_t>(i)] = row_maximum(row.data(), i);
      }
    });
    double best = 0.0;
    for (double v : row_max) best = std::max(best, v);
    return best;
  }
  double best = 0.0;
  torch::Tensor buffer = torch::empty({std::min(block_rows, n_), n_}, torch::kFloat64);
  for (std::int64_t b = 0; b < n_; b += block_rows) {
    const std::int64_t e = std::min(n_, b + block_rows);
    // Columns up to e cover every pair (i, j) with j <= i in this block.
    best = std::max(best, gemm_block(b, e, e, buffer.slice(0, 0, e - b).slice(1, 0, e)));
  }
  return best;
}

torch::Tensor DistanceRows::full_squared(std::int64_t block_rows, double* max_out) const {
  TORCH_CHECK(!direct(), "DistanceRows::full_squared is for GEMM sides");
  torch::Tensor full = torch::empty({n_, n_}, torch::kFloat64);
  double best = 0.0;
  for (std::int64_t b = 0; b < n_; b += block_rows) {
    const std::int64_t e = std::min(n_, b + block_rows);
    best = std::max(best, gemm_block(b, e, e, full.slice(0, b, e).slice(1, 0, e)));
  }
  *max_out = best;
  // Upper triangle from the lower one, in tiles so both sides stay in cache.
  double* f = full.data_ptr<double>();
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
