#pragma once
// Prim's row source for a point cloud: the coordinates of the vertices outside the tree, stored
// by coordinate (structure of arrays) in the order of Prim's `remaining` array, so a row of
// distances is a few vectorisable passes. Sums run over coordinates in the same order as
// point_distance, so the lengths equal the distance matrix's bit for bit.

#include <algorithm>
#include <cmath>
#include <vector>

#include "topoembed/ph/point_cloud.hpp"

namespace topoembed::ph::detail {

template <class T, Metric M>
class PointRows {
 public:
  // Prim starts with vertex 0 in the tree and remaining = 1, 2, ..., n - 1.
  explicit PointRows(const PointCloud<T>& cloud)
      : x_(cloud.coords.data()), dim_(cloud.dim), stride_(std::max<index_t>(cloud.num_points - 1, 0)),
        soa_(static_cast<std::size_t>(stride_ * cloud.dim)) {
    for (index_t k = 0; k < stride_; ++k)
      for (int d = 0; d < dim_; ++d) soa_[d * stride_ + k] = x_[(k + 1) * dim_ + d];
  }

  void operator()(vertex_t current, const vertex_t* /*remaining*/, index_t m, T* out) const {
    const T* c = x_ + index_t(current) * dim_;
    // Few coordinates (latent spaces, R^3): one fused pass, the coordinate loop unrolled.
    switch (dim_) {
      case 1: return fused<1>(c, m, out);
      case 2: return fused<2>(c, m, out);
      case 3: return fused<3>(c, m, out);
      case 4: return fused<4>(c, m, out);
      default: break;
    }
    std::fill(out, out + m, T(0));
    for (int d = 0; d < dim_; ++d) {
      const T* col = soa_.data() + d * stride_;
      const T cd = c[d];
      if constexpr (M == Metric::kEuclidean) {
        for (index_t k = 0; k < m; ++k) out[k] += (cd - col[k]) * (cd - col[k]);
      } else if constexpr (M == Metric::kManhattan) {
        for (index_t k = 0; k < m; ++k) out[k] += std::abs(cd - col[k]);
      } else {
        for (index_t k = 0; k < m; ++k) out[k] = std::max(out[k], std::abs(cd - col[k]));
      }
    }
    if constexpr (M == Metric::kEuclidean) {
      for (index_t k = 0; k < m; ++k) out[k] = std::sqrt(out[k]);
    }
  }

  template <int D>
  void fused(const T* c, index_t m, T* out) const {
    const T* col[D];
    T cd[D];
    for (int d = 0; d < D; ++d) {
      col[d] = soa_.data() + d * stride_;
      cd[d] = c[d];
    }
    for (index_t k = 0; k < m; ++k) {
      T s = 0;  // same order of operations as point_distance and the passes below
      for (int d = 0; d < D; ++d) {
        if constexpr (M == Metric::kEuclidean) {
          s += (cd[d] - col[d][k]) * (cd[d] - col[d][k]);
        } else if constexpr (M == Metric::kManhattan) {
          s += std::abs(cd[d] - col[d][k]);
        } else {
          s = std::max(s, std::abs(cd[d] - col[d][k]));
        }
      }
      if constexpr (M == Metric::kEuclidean) s = std::sqrt(s);
      out[k] = s;
    }
  }

  void swap_remove(index_t pos, index_t last) {
    for (int d = 0; d < dim_; ++d) soa_[d * stride_ + pos] = soa_[d * stride_ + last];
  }

 private:
  const T* x_;
  int dim_;
  index_t stride_;
  std::vector<T> soa_;
};

}  // namespace topoembed::ph::detail
