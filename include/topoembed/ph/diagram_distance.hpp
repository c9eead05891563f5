#pragma once
// Exact bottleneck and p-Wasserstein distances between two persistence diagrams of one dimension,
// with the optimal matching (the differentiable diagram losses gather through matched points).
// See docs/algorithms-complex.md.
//
// Ground metric (GUDHI's and Hera's default, internal_p = inf): two points cost
// max(|b1 - b2|, |d1 - d2|) (L-infinity), a point matched to the diagonal costs its L-infinity
// distance to it, (death - birth) / 2.
//   W_p(A, B) = ( min over matchings of sum cost^p )^(1/p),   p >= 1,
//   bottleneck(A, B) = min over matchings of max cost.
// Essential points (death = +inf) can only be matched with each other: they are matched in
// order of birth (optimal for both distances), at cost |b1 - b2|. If the two diagrams have
// different numbers of essential points, the distance is +inf.

#include <utility>
#include <vector>

#include "topoembed/ph/diagram.hpp"
#include "topoembed/ph/types.hpp"

namespace topoembed::ph {

// A matching between diagrams A and B: (i, j) pairs A[i] with B[j]; (i, -1) sends A[i] to the
// diagonal and (-1, j) sends B[j] to it. Every point of A and of B occurs exactly once.
template <class T>
struct DiagramMatching {
  T distance = 0;
  std::vector<std::pair<index_t, index_t>> pairs;
  index_t longest = -1;  // index in `pairs` of a pair of maximal cost (the bottleneck edge); -1 if none
};

// L-infinity distance between two points; between two essential points |b1 - b2|; +inf between an
// essential and a finite point.
template <class T>
T ground_distance(const DiagramPoint<T>& a, const DiagramPoint<T>& b);

// L-infinity distance to the diagonal: (death - birth) / 2, +inf for an essential point.
template <class T>
T diagonal_distance(const DiagramPoint<T>& a);

// The cost of one matched pair of `matching`'s convention (index -1 = diagonal).
template <class T>
T matched_cost(const std::vector<DiagramPoint<T>>& a, const std::vector<DiagramPoint<T>>& b,
               std::pair<index_t, index_t> pair);

// Exact bottleneck distance: binary search over the candidate costs, feasibility of each by
// Hopcroft–Karp on the graph of pairs of cost <= r augmented with the diagonal.
// Throws std::invalid_argument on an invalid point (NaN, infinite birth, death < birth).
template <class T>
DiagramMatching<T> bottleneck_matching(const std::vector<DiagramPoint<T>>& a, const std::vector<DiagramPoint<T>>& b);
template <class T>
T bottleneck_distance(const std::vector<DiagramPoint<T>>& a, const std::vector<DiagramPoint<T>>& b);

// Exact p-Wasserstein distance by the Hungarian algorithm (Kuhn–Munkres with potentials) on the
// (n + m) x (n + m) cost matrix augmented with the diagonal, solved in its equivalent rectangular
// form (rows of the smaller diagram only): O(k^2 (n + m)) time, k = min(n, m), O(n m) memory.
// p >= 1; p = +inf gives the bottleneck distance. Throws std::invalid_argument on p < 1, p NaN or
// an invalid point.
template <class T>
DiagramMatching<T> wasserstein_matching(const std::vector<DiagramPoint<T>>& a, const std::vector<DiagramPoint<T>>& b,
                                        double p);
template <class T>
T wasserstein_distance(const std::vector<DiagramPoint<T>>& a, const std::vector<DiagramPoint<T>>& b, double p);

}  // namespace topoembed::ph
