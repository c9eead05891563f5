#pragma once
// Optimal matchings between two finite persistence diagrams, with the diagonal: the assignment
// the p-Wasserstein and bottleneck distances are computed from. Pure C++ (no LibTorch), so the
// diagram losses can gather the matched points afterwards and autograd sees only the gather.
//
// Ground metric between points: L∞, so the cost of a = (b_a, d_a) to its diagonal projection is
// (d_a - b_a) / 2. Standard reduction to a square assignment problem of size n + m: a point of A
// may go to a point of B or to any of n "diagonal slots" on B's side, and vice versa; diagonal to
// diagonal costs 0.

#include <cstdint>
#include <vector>

namespace topoembed::diff::detail {

struct DiagramPoint {
  double birth;
  double death;
};

// One matched pair: index into A and into B; -1 means the diagonal.
struct MatchedPair {
  std::int64_t a;
  std::int64_t b;
};

// Minimises sum over pairs of cost^p (p >= 1) by the Hungarian algorithm (shortest augmenting
// paths with potentials), O((n + m)^3). Pairs matching diagonal to diagonal are omitted.
std::vector<MatchedPair> wasserstein_matching(const std::vector<DiagramPoint>& a,
                                              const std::vector<DiagramPoint>& b, double p);

// Minimises the largest cost: binary search over the candidate costs, each tested by a maximum
// bipartite matching (Hopcroft–Karp). Pairs matching diagonal to diagonal are omitted.
std::vector<MatchedPair> bottleneck_matching(const std::vector<DiagramPoint>& a,
                                             const std::vector<DiagramPoint>& b);

// L∞ distance between two points, and from a point to the diagonal.
double point_cost(const DiagramPoint& x, const DiagramPoint& y);
double diagonal_cost(const DiagramPoint& x);

}  // namespace topoembed::diff::detail
