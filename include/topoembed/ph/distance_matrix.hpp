#pragma once
// Distance matrices: dense compressed lower-triangular and sparse (thresholded).

#include <utility>
#include <vector>

#include "topoembed/ph/point_cloud.hpp"
#include "topoembed/ph/types.hpp"

namespace topoembed::ph {

// Largest point count whose simplices up to dimension `max_dim` + 1 fit in index_t
// (the combinatorial number system indexes a k-simplex by C(v_k, k+1) + ... + C(v_0, 1)).
index_t max_points_for_dim(int max_dim);

// Symmetric matrix with zero diagonal, stored as its strict lower triangle, row by row:
// entry (i, j) with i > j lives at i * (i - 1) / 2 + j (Ripser's layout).
template <class T>
class CompressedDistanceMatrix {
 public:
  CompressedDistanceMatrix() = default;
  // n points, all distances zero.
  explicit CompressedDistanceMatrix(index_t n);
  // Takes the n (n - 1) / 2 lower-triangular entries; throws std::invalid_argument on a wrong
  // count or a negative / NaN / infinite entry.
  CompressedDistanceMatrix(index_t n, std::vector<T> lower);

  index_t size() const { return n_; }
  T operator()(index_t i, index_t j) const {
    if (i == j) return T(0);
    return i > j ? entries_[offset(i, j)] : entries_[offset(j, i)];
  }
  // Entry (i, j) with i > j, without the symmetry test.
  T lower(index_t i, index_t j) const { return entries_[offset(i, j)]; }
  void set(index_t i, index_t j, T value) { entries_[i > j ? offset(i, j) : offset(j, i)] = value; }
  const std::vector<T>& entries() const { return entries_; }
  std::vector<T>& entries() { return entries_; }
  // Pointer to row i: the entries (i, 0) .. (i, i - 1).
  const T* row(index_t i) const { return entries_.data() + offset(i, 0); }

  static index_t offset(index_t i, index_t j) { return i * (i - 1) / 2 + j; }

 private:
  index_t n_ = 0;
  std::vector<T> entries_;
};

// Each row i lists the neighbours j != i with d(i, j) <= threshold, sorted by j.
// The relation is symmetric; the threshold of the matrix is part of the data.
template <class T>
struct SparseDistanceMatrix {
  struct Neighbor {
    vertex_t index;
    T distance;
  };
  index_t num_points = 0;
  std::vector<std::vector<Neighbor>> neighbors;

  index_t num_edges() const;
};

// All pairwise distances of a point cloud.
template <class T>
CompressedDistanceMatrix<T> distance_matrix(const PointCloud<T>& cloud, Metric metric);

// From a full n x n row-major matrix; checks symmetry (relative tolerance `tolerance`), zero
// diagonal and that entries are finite and non-negative. Throws std::invalid_argument naming the
// first offending entry.
template <class T>
CompressedDistanceMatrix<T> from_full_matrix(index_t n, const T* full, double tolerance = 1e-6);

// From (i, j, d) triplets; missing pairs are absent edges (infinite distance). Checks indices,
// values, and that a pair given twice carries one value.
template <class T>
SparseDistanceMatrix<T> sparse_from_triplets(index_t n,
                                             const std::vector<std::pair<index_t, index_t>>& ij,
                                             const std::vector<T>& d);

// Keeps the entries <= threshold.
template <class T>
SparseDistanceMatrix<T> sparsify(const CompressedDistanceMatrix<T>& dm, T threshold);

// min_i max_j d(i, j): above it the Rips complex is a cone, so no homology is born or dies
// (Henselman-Petrusek; used by Ripser as the default threshold). 0 for n <= 1.
template <class T>
T enclosing_radius(const CompressedDistanceMatrix<T>& dm);

extern template class CompressedDistanceMatrix<float>;
extern template class CompressedDistanceMatrix<double>;

}  // namespace topoembed::ph
