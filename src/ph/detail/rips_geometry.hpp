#pragma once
// The two shapes of Rips input the cohomology engine runs on. Each answers three questions:
// the distance of two points, the points below u within the threshold (to enumerate simplices),
// and the cofacets of a simplex in decreasing order of the added vertex (= decreasing cofacet
// index), which is what lets the engine stop at the first cofacet of equal diameter.

#include <algorithm>
#include <vector>

#include "topoembed/ph/distance_matrix.hpp"
#include "topoembed/ph/types.hpp"

namespace topoembed::ph::detail {

// Dense input as a full n x n matrix: the rows of the simplex's vertices are read contiguously
// while the added vertex w runs over all points (Ripser reads a column of its triangle instead).
template <class T>
class DenseGeometry {
 public:
  DenseGeometry(const CompressedDistanceMatrix<T>& dm, T threshold)
      : n_(dm.size()), threshold_(threshold), full_(static_cast<std::size_t>(n_ * n_), T(0)) {
    for (index_t i = 1; i < n_; ++i) {
      const T* r = dm.row(i);
      for (index_t j = 0; j < i; ++j) {
        full_[i * n_ + j] = r[j];
        full_[j * n_ + i] = r[j];
      }
    }
  }
  index_t size() const { return n_; }
  T threshold() const { return threshold_; }
  T dist(vertex_t a, vertex_t b) const { return full_[index_t(a) * n_ + b]; }
  const T* row(vertex_t a) const { return full_.data() + index_t(a) * n_; }

  // (v, d(u, v)) for all v < u with d(u, v) <= threshold, v descending.
  void lower_neighbors(vertex_t u, std::vector<std::pair<vertex_t, T>>& out) const {
    out.clear();
    const T* r = row(u);
    for (vertex_t v = u - 1; v >= 0; --v)
      if (r[v] <= threshold_) out.push_back({v, r[v]});
  }

  // Calls f(w, cofacet_diameter, vertices_above_w) for every w not in the simplex (vertices
  // vs[0] > ... > vs[m-1]) with cofacet diameter <= threshold, w descending; stops when f returns
  // false.
  template <class F>
  void for_each_cofacet(const vertex_t* vs, int m, T diam, F&& f) const {
    int above = 0;
    if (m == 2) {  // edges: the hot case of H1
      const T* r0 = row(vs[0]);
      const T* r1 = row(vs[1]);
      for (vertex_t w = static_cast<vertex_t>(n_) - 1; w >= 0; --w) {
        if (above < 2 && w == vs[above]) { ++above; continue; }
        const T c = std::max(r0[w], r1[w]);
        if (c > threshold_) continue;
        if (!f(w, std::max(diam, c), above)) return;
      }
      return;
    }
    for (vertex_t w = static_cast<vertex_t>(n_) - 1; w >= 0; --w) {
      if (above < m && w == vs[above]) { ++above; continue; }
      T c = diam;
      for (int i = 0; i < m; ++i) c = std::max(c, full_[index_t(vs[i]) * n_ + w]);
      if (c > threshold_) continue;
      if (!f(w, c, above)) return;
    }
  }

  // The same for the cofacets whose added vertex w lies in [begin, end) (one thread's share of a
  // coboundary, see CohomologyEngine::reduce_split): only that stretch of the rows is read.
  template <class F>
  void for_each_cofacet_in_range(const vertex_t* vs, int m, T diam, vertex_t begin, vertex_t end, F&& f) const {
    int above = 0;
    while (above < m && vs[above] >= end) ++above;
    if (m == 2) {
      const T* r0 = row(vs[0]);
      const T* r1 = row(vs[1]);
      for (vertex_t w = end - 1; w >= begin; --w) {
        if (above < 2 && w == vs[above]) { ++above; continue; }
        const T c = std::max(r0[w], r1[w]);
        if (c > threshold_) continue;
        if (!f(w, std::max(diam, c), above)) return;
      }
      return;
    }
    for (vertex_t w = end - 1; w >= begin; --w) {
      if (above < m && w == vs[above]) { ++above; continue; }
      T c = diam;
      for (int i = 0; i < m; ++i) c = std::max(c, full_[index_t(vs[i]) * n_ + w]);
      if (c > threshold_) continue;
      if (!f(w, c, above)) return;
    }
  }

 private:
  index_t n_;
  T threshold_;
  std::vector<T> full_;
};

// Sparse input: neighbour lists sorted by vertex, edges above the threshold dropped.
template <class T>
class SparseGeometry {
 public:
  SparseGeometry(const SparseDistanceMatrix<T>& sm, T threshold) : n_(sm.num_points), threshold_(threshold) {
    neighbors_.resize(static_cast<std::size_t>(n_));
    for (index_t i = 0; i < n_; ++i)
      for (const auto& nb : sm.neighbors[i])
        if (nb.distance <= threshold) neighbors_[i].push_back({nb.index, nb.distance});
  }
  index_t size() const { return n_; }
  T threshold() const { return threshold_; }
  T dist(vertex_t a, vertex_t b) const {
    if (a == b) return T(0);
    const auto& row = neighbors_[a];
    auto it = std::lower_bound(row.begin(), row.end(), b, [](const auto& nb, vertex_t x) { return nb.first < x; });
    return (it != row.end() && it->first == b) ? it->second : kInfinity<T>;
  }
  void lower_neighbors(vertex_t u, std::vector<std::pair<vertex_t, T>>& out) const {
    out.clear();
    const auto& row = neighbors_[u];
    for (auto it = row.rbegin(); it != row.rend(); ++it)
      if (it->first < u) out.push_back(*it);
  }
  template <class F>
  void for_each_cofacet(const vertex_t* vs, int m, T diam, F&& f) const {
    // Walk the shortest neighbour list downwards; look the others up.
    int pivot = 0;
    for (int i = 1; i < m; ++i)
      if (neighbors_[vs[i]].size() < neighbors_[vs[pivot]].size()) pivot = i;
    const auto& row = neighbors_[vs[pivot]];
    for (auto it = row.rbegin(); it != row.rend(); ++it) {
      const vertex_t w = it->first;
      T c = std::max(diam, it->second);
      int above = 0;
      bool ok = true;
      for (int i = 0; i < m && ok; ++i) {
        if (vs[i] == w) ok = false;
        if (vs[i] > w) ++above;
        if (i != pivot) c = std::max(c, dist(vs[i], w));
      }
      if (!ok || c > threshold_ || c == kInfinity<T>) continue;  // inf: an absent edge
      if (!f(w, c, above)) return;
    }
  }
  template <class F>
  void for_each_cofacet_in_range(const vertex_t* vs, int m, T diam, vertex_t begin, vertex_t end, F&& f) const {
    for_each_cofacet(vs, m, diam, [&](vertex_t w, T c, int above) { return w < begin || w >= end || f(w, c, above); });
  }

 private:
  index_t n_;
  T threshold_;
  std::vector<std::vector<std::pair<vertex_t, T>>> neighbors_;
};

}  // namespace topoembed::ph::detail
