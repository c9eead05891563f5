#pragma once
// Vocabulary of the persistence core: indices, edges and persistence pairs.

#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#ifndef NDEBUG
#define TOPOEMBED_ASSERT(cond) assert(cond)
#else
#define TOPOEMBED_ASSERT(cond) ((void)0)
#endif

namespace topoembed::ph {

using index_t = std::int64_t;   // simplex index in the combinatorial number system
using vertex_t = std::int32_t;  // point (vertex) index

// An edge {u, v} of the Rips complex with u > v; {-1, -1} means "no edge".
struct Edge {
  vertex_t u = -1;
  vertex_t v = -1;
  bool valid() const { return u >= 0; }
  friend bool operator==(const Edge& a, const Edge& b) { return a.u == b.u && a.v == b.v; }
  friend bool operator!=(const Edge& a, const Edge& b) { return !(a == b); }
};
inline constexpr Edge kNoEdge{};

// Makes an edge with the larger vertex first.
inline Edge make_edge(vertex_t a, vertex_t b) { return a > b ? Edge{a, b} : Edge{b, a}; }

template <class T>
inline constexpr T kInfinity = std::numeric_limits<T>::infinity();

// One point of a persistence diagram with its critical edges:
// birth == dist(birth_edge), death == dist(death_edge).
// Dimension 0: birth 0 and no birth edge. Essential class: death = +inf and no death edge.
template <class T>
struct PersistencePair {
  int dim = 0;
  T birth = 0;
  T death = kInfinity<T>;
  Edge birth_edge{};
  Edge death_edge{};
  bool essential() const { return std::isinf(death); }
  T persistence() const { return death - birth; }
};

template <class T>
using Diagram = std::vector<PersistencePair<T>>;

// Ground metric of a point cloud.
enum class Metric { kEuclidean, kManhattan, kChebyshev };

}  // namespace topoembed::ph
