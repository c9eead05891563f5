#pragma once
// Prim's algorithm for the minimum spanning forest of a complete graph given by a distance
// function, in O(n^2) time and O(n) memory. Edges are ordered strictly by (length ascending,
// edge index descending), the filtration order of the whole core, so the forest is unique.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "topoembed/ph/types.hpp"

namespace topoembed::ph::detail {

inline index_t edge_index(Edge e) { return index_t(e.u) * (e.u - 1) / 2 + e.v; }

// True if edge (a_len, a) comes before (b_len, b) in the filtration: shorter first, then the
// larger index first.
template <class T>
inline bool edge_before(T a_len, index_t a, T b_len, index_t b) {
  return a_len < b_len || (a_len == b_len && a > b);
}

template <class T>
struct SpanningForest {
  std::vector<Edge> edges;   // in the order Prim adds them
  std::vector<T> lengths;
  index_t num_components = 0;
};

// dist(a, b) must be symmetric; edges longer than `threshold` are absent.
template <class T, class Dist>
SpanningForest<T> prim_spanning_forest(index_t n, T threshold, Dist&& dist) {
  SpanningForest<T> forest;
  if (n <= 0) return forest;
  forest.edges.reserve(n - 1);
  forest.lengths.reserve(n - 1);
  // Vertices not yet in the tree, kept compact; key = best edge into the tree so far
  // (length, index, tree end), or (inf, -1, -1) when there is none yet.
  std::vector<vertex_t> remaining(n - 1);
  std::vector<T> key_len(n - 1, kInfinity<T>);
  std::vector<index_t> key_idx(n - 1, -1);
  std::vector<vertex_t> key_parent(n - 1, -1);
  for (index_t i = 0; i + 1 < n; ++i) remaining[i] = static_cast<vertex_t>(i + 1);
  index_t m = n - 1;  // size of `remaining`
  vertex_t current = 0;
  forest.num_components = 1;
  while (m > 0) {
    index_t best = -1;
    T best_len = kInfinity<T>;
    index_t best_idx = -1;
    for (index_t k = 0; k < m; ++k) {
      const vertex_t w = remaining[k];
      const T d = dist(current, w);
      if (d <= threshold && d <= key_len[k]) {
        const index_t idx = edge_index(make_edge(current, w));
        if (d < key_len[k] || idx > key_idx[k]) {
          key_len[k] = d;
          key_idx[k] = idx;
          key_parent[k] = current;
        }
      }
      if (key_idx[k] >= 0 && edge_before(key_len[k], key_idx[k], best_len, best_idx)) {
        best = k;
        best_len = key_len[k];
        best_idx = key_idx[k];
      }
    }
    if (best < 0) {  // nothing within the threshold: a new component, rooted at its smallest vertex
      best = std::min_element(remaining.begin(), remaining.begin() + m) - remaining.begin();
      ++forest.num_components;
    } else {
      forest.edges.push_back(make_edge(key_parent[best], remaining[best]));
      forest.lengths.push_back(best_len);
    }
    current = remaining[best];
    --m;
    remaining[best] = remaining[m];
    key_len[best] = key_len[m];
    key_idx[best] = key_idx[m];
    key_parent[best] = key_parent[m];
  }
  return forest;
}

// Orders pairs by dimension, then death, then birth, then critical edges (deterministic output).
template <class T>
void sort_pairs(std::vector<PersistencePair<T>>& pairs) {
  std::sort(pairs.begin(), pairs.end(), [](const PersistencePair<T>& a, const PersistencePair<T>& b) {
    if (a.dim != b.dim) return a.dim < b.dim;
    if (a.death != b.death) return a.death < b.death;
    if (a.birth != b.birth) return a.birth < b.birth;
    const index_t da = a.death_edge.valid() ? edge_index(a.death_edge) : -1;
    const index_t db = b.death_edge.valid() ? edge_index(b.death_edge) : -1;
    if (da != db) return da < db;
    const index_t ba = a.birth_edge.valid() ? edge_index(a.birth_edge) : -1;
    const index_t bb = b.birth_edge.valid() ? edge_index(b.birth_edge) : -1;
    return ba < bb;
  });
}

}  // namespace topoembed::ph::detail
