#pragma once
// Prim's algorithm for the minimum spanning forest of a complete graph given by a distance
// function, in O(n^2) time and O(n) memory. Edges are ordered strictly by (length ascending,
// edge index descending), the filtration order of the whole core, so the forest is unique.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
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
// distance function must be symmetric and non-negative. Edges longer than `threshold` are absent.
// Filling a whole row first keeps the distance loop free of Prim's bookkeeping, so it vectorises.
//
// Keys are compared as the bit patterns of the lengths, read as signed integers: for non-negative
// floats (and +inf) that order is the numeric order, and integer compare, blend and minimum
// vectorise without -ffast-math (a float minimum reduction does not, because of NaN and -0). The
// relax loop and the minimum over the keys are two branch-free passes (checked with
// -fopt-info-vec: both vectorise for float with plain SSE2, for double from SSE4.2); exact ties of
// length, which the edge-index rule settles, are rare and handled by scalar passes.
template <class T, class FillRow>
SpanningForest<T> prim_spanning_forest_rows(index_t n, T threshold, FillRow&& fill_row) {
  static_assert(std::is_floating_point_v<T>, "prim_spanning_forest_rows: T must be float or double");
  using Bits = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
  static_assert(sizeof(Bits) == sizeof(T), "prim_spanning_forest_rows: unexpected floating-point size");
  constexpr Bits kSignMask = std::numeric_limits<Bits>::max();  // clears the sign bit: -0 -> +0
  const auto to_bits = [](T value) {
    Bits b;
    std::memcpy(&b, &value, sizeof b);
    return b;
  };
  const Bits kAbsent = to_bits(kInfinity<T>);  // no edge into the tree (yet), or longer than threshold
  const Bits kNever = kAbsent + 1;             // a NaN pattern: equals no key (keys are <= kAbsent)
  // Present edges: finite and <= threshold (NaN and inf bits are above the largest finite value).
  const Bits present_max = std::min(to_bits(std::min(threshold, std::numeric_limits<T>::max())), kAbsent - 1);

  SpanningForest<T> forest;
  if (n <= 0) return forest;
  forest.edges.reserve(n - 1);
  forest.lengths.reserve(n - 1);
  // Vertices not yet in the tree, kept compact; key = best edge into the tree so far: its length
  // (as bits) and its end in the tree (-1 when there is none yet).
  std::vector<vertex_t> remaining(n - 1), key_parent(n - 1, -1);
  std::vector<Bits> key(n - 1, kAbsent), row_bits(n - 1);
  std::vector<T> row(n - 1);
  for (index_t i = 0; i + 1 < n; ++i) remaining[i] = static_cast<vertex_t>(i + 1);
  auto key_index = [&](index_t k) { return edge_index(make_edge(key_parent[k], remaining[k])); };
  index_t m = n - 1;  // size of `remaining`
  vertex_t current = 0;
  forest.num_components = 1;
  while (m > 0) {
    fill_row(current, remaining.data(), m, row.data());
    std::memcpy(row_bits.data(), row.data(), static_cast<std::size_t>(m) * sizeof(T));
    const Bits* __restrict rb = row_bits.data();
    Bits* __restrict keys = key.data();
    vertex_t* __restrict parents = key_parent.data();
    Bits ties = 0;  // counted, not or-ed into a bool: GCC 12 vectorises only this form
    for (index_t k = 0; k < m; ++k) {
      const Bits b = rb[k] & kSignMask;
      const bool present = b <= present_max;
      const Bits d = present ? b : kAbsent;
      const Bits old = keys[k];
      ties += ((present ? b : kNever) == old);
      const bool shorter = d < old;
      keys[k] = shorter ? d : old;
      parents[k] = shorter ? current : parents[k];
    }
    if (ties != 0) {  // an equally long edge through `current` wins if its index is larger
      for (index_t k = 0; k < m; ++k) {
        const Bits b = rb[k] & kSignMask;
        if (b <= present_max && b == keys[k] && parents[k] != current &&
            edge_index(make_edge(current, remaining[k])) > key_index(k))
          parents[k] = current;
      }
    }
    Bits best_key = kAbsent;
    for (index_t k = 0; k < m; ++k) best_key = keys[k] < best_key ? keys[k] : best_key;
    // The earliest key: the shortest, and among equals the largest edge index.
    index_t best = -1, best_idx = -1;
    if (best_key != kAbsent) {
      for (index_t k = 0; k < m; ++k)
        if (keys[k] == best_key) {
          const index_t idx = key_index(k);
          if (idx > best_idx) { best = k; best_idx = idx; }
        }
    }
    if (best < 0) {  // nothing within the threshold: a new component, rooted at its smallest vertex
      best = std::min_element(remaining.begin(), remaining.begin() + m) - remaining.begin();
      ++forest.num_components;
    } else {
      T length;
      std::memcpy(&length, &best_key, sizeof length);
      forest.edges.push_back(make_edge(key_parent[best], remaining[best]));
      forest.lengths.push_back(length);
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
