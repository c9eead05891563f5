#pragma once
// Prim's algorithm for the minimum spanning forest of a complete graph given by a distance
// function, in O(n^2) time and O(n) memory. Edges are ordered strictly by (length ascending,
// edge index descending), the filtration order of the whole core, so the forest is unique.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
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

// A row source may keep data aligned with Prim's `remaining` array (e.g. the coordinates of the
// vertices outside the tree, compacted so the distance loop vectorises); it is told of every
// swap-remove through a member swap_remove(pos, last), when it has one.
template <class R, class = void>
struct has_swap_remove : std::false_type {};
template <class R>
struct has_swap_remove<R, std::void_t<decltype(std::declval<R&>().swap_remove(index_t{}, index_t{}))>> : std::true_type {};
template <class R>
inline void swap_remove(R& rows, index_t pos, index_t last) {
  if constexpr (has_swap_remove<std::decay_t<R>>::value) rows.swap_remove(pos, last);
}

// fill_row(current, remaining, m, out) writes out[k] = dist(current, remaining[k]) for k < m; the
// distance function must be symmetric. Edges longer than `threshold` are absent. Filling a whole
// row first keeps the distance loop free of Prim's bookkeeping, so it vectorises.
// Fast path for float lengths and n < 2^16: the order (length ascending, edge index descending)
// packed into one integer, (bits of the length) << 32 | (2^32 - 1 - index), so relaxing a key
// and finding the earliest are plain integer minima (non-negative floats order like their bits).
template <class FillRow>
SpanningForest<float> prim_packed(index_t n, float threshold, FillRow&& fill_row) {
  SpanningForest<float> forest;
  forest.edges.reserve(n - 1);
  forest.lengths.reserve(n - 1);
  constexpr std::uint64_t kNone = ~std::uint64_t(0);
  std::vector<vertex_t> remaining(n - 1), key_parent(n - 1, -1);
  std::vector<std::uint64_t> key(n - 1, kNone);
  std::vector<float> row(n - 1);
  for (index_t i = 0; i + 1 < n; ++i) remaining[i] = static_cast<vertex_t>(i + 1);
  index_t m = n - 1;
  vertex_t current = 0;
  forest.num_components = 1;
  while (m > 0) {
    fill_row(current, remaining.data(), m, row.data());
    std::uint64_t best_key = kNone;  // keys are distinct: no ties
    index_t best = -1;
    const std::uint64_t c = static_cast<std::uint64_t>(current);
    for (index_t k = 0; k < m; ++k) {  // relax through `current` and track the earliest key
      const float d = row[k];
      const std::uint64_t w = static_cast<std::uint64_t>(remaining[k]);
      const std::uint64_t hi = w > c ? w : c, lo = w > c ? c : w;
      std::uint32_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      const std::uint64_t candidate =
          d <= threshold ? (std::uint64_t(bits) << 32) | (0xFFFFFFFFull - (hi * (hi - 1) / 2 + lo)) : kNone;
      if (candidate < key[k]) {
        key[k] = candidate;
        key_parent[k] = current;
      }
      if (key[k] < best_key) {
        best_key = key[k];
        best = k;
      }
    }
    if (best < 0) {
      best = std::min_element(remaining.begin(), remaining.begin() + m) - remaining.begin();
      ++forest.num_components;
    } else {
      const std::uint32_t bits = static_cast<std::uint32_t>(best_key >> 32);
      float len;
      std::memcpy(&len, &bits, sizeof len);
      forest.edges.push_back(make_edge(key_parent[best], remaining[best]));
      forest.lengths.push_back(len);
    }
    current = remaining[best];
    --m;
    remaining[best] = remaining[m];
    key[best] = key[m];
    key_parent[best] = key_parent[m];
    swap_remove(fill_row, best, m);
  }
  return forest;
}

template <class T, class FillRow>
SpanningForest<T> prim_spanning_forest_rows(index_t n, T threshold, FillRow&& fill_row) {
  if constexpr (std::is_same_v<T, float>) {
    if (n > 1 && n < (index_t(1) << 16)) return prim_packed(n, threshold, fill_row);
  }
  SpanningForest<T> forest;
  if (n <= 0) return forest;
  forest.edges.reserve(n - 1);
  forest.lengths.reserve(n - 1);
  // Vertices not yet in the tree, kept compact; key = best edge into the tree so far: its length
  // and its end in the tree (inf and -1 when there is none yet).
  std::vector<vertex_t> remaining(n - 1), key_parent(n - 1, -1);
  std::vector<T> key_len(n - 1, kInfinity<T>), row(n - 1);
  for (index_t i = 0; i + 1 < n; ++i) remaining[i] = static_cast<vertex_t>(i + 1);
  auto key_index = [&](index_t k) { return edge_index(make_edge(key_parent[k], remaining[k])); };
  index_t m = n - 1;  // size of `remaining`
  vertex_t current = 0;
  forest.num_components = 1;
  while (m > 0) {
    fill_row(current, remaining.data(), m, row.data());
    // Relax the keys through `current`: a branch-free loop for strictly shorter edges; exact
    // ties of length (rare) are settled by edge index afterwards.
    bool any_tie = false;
    for (index_t k = 0; k < m; ++k) {
      const T d = row[k] <= threshold ? row[k] : kInfinity<T>;
      const bool shorter = d < key_len[k];
      any_tie |= (d == key_len[k]) & (d != kInfinity<T>);
      key_len[k] = shorter ? d : key_len[k];
      key_parent[k] = shorter ? current : key_parent[k];
    }
    if (any_tie) {
      for (index_t k = 0; k < m; ++k)
        if (row[k] == key_len[k] && row[k] <= threshold && key_parent[k] != current &&
            edge_index(make_edge(current, remaining[k])) > key_index(k))
          key_parent[k] = current;
    }
    // The earliest key: the shortest, and among equals the largest edge index.
    T best_len = kInfinity<T>;
    for (index_t k = 0; k < m; ++k) best_len = std::min(best_len, key_len[k]);
    index_t best = -1, best_idx = -1;
    if (best_len != kInfinity<T>) {
      for (index_t k = 0; k < m; ++k)
        if (key_len[k] == best_len) {
          const index_t idx = key_index(k);
          if (idx > best_idx) { best = k; best_idx = idx; }
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
    key_parent[best] = key_parent[m];
    swap_remove(fill_row, best, m);
  }
  return forest;
}

// The same with a pairwise distance function dist(a, b).
template <class T, class Dist>
SpanningForest<T> prim_spanning_forest(index_t n, T threshold, Dist&& dist) {
  return prim_spanning_forest_rows<T>(n, threshold, [&](vertex_t c, const vertex_t* rem, index_t m, T* out) {
    for (index_t k = 0; k < m; ++k) out[k] = dist(c, rem[k]);
  });
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
