#pragma once
// The lower triangle of the Gram matrix X Xᵀ of row-major points by one BLAS SYRK call: half the
// multiply-adds of a full matrix product (at B = 128, 101 features: 35 µs against 56 µs for the
// sgemm behind torch::matmul, OpenBLAS, one thread). The BLAS is the one LibTorch itself loads
// (libblas.so.3; Debian's alternative points it at OpenBLAS), linked in src/diff/CMakeLists.txt.

#include <cblas.h>

#include <cstdint>
#include <limits>

#include <c10/util/Exception.h>

namespace topoembed::diff::detail {

inline void check_gram_size(std::int64_t n, std::int64_t dim) {
  TORCH_CHECK(n >= 0 && dim >= 1 && n <= std::numeric_limits<int>::max() && dim <= std::numeric_limits<int>::max(),
              "gram_lower: expected 0 to 2^31 - 1 points and 1 to 2^31 - 1 features, got ", n, " x ", dim);
}

// g[i * n + j] = <x_i, x_j> for j <= i (g is n x n, row-major); the strict upper triangle is not
// written. x is n x dim, row-major.
inline void gram_lower(const float* x, std::int64_t n, std::int64_t dim, float* g) {
  check_gram_size(n, dim);
  if (n == 0) return;  // BLAS rejects a leading dimension of 0 (and prints)
  const int ni = static_cast<int>(n), di = static_cast<int>(dim);
  cblas_ssyrk(CblasRowMajor, CblasLower, CblasNoTrans, ni, di, 1.0f, x, di, 0.0f, g, ni);
}

inline void gram_lower(const double* x, std::int64_t n, std::int64_t dim, double* g) {
  check_gram_size(n, dim);
  if (n == 0) return;
  const int ni = static_cast<int>(n), di = static_cast<int>(dim);
  cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, ni, di, 1.0, x, di, 0.0, g, ni);
}

}  // namespace topoembed::diff::detail
