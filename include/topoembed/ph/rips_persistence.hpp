#pragma once
// Vietoris–Rips persistent homology with critical edges (Ripser's techniques, see
// docs/algorithms.md): cohomology with clearing, implicit coboundaries in the combinatorial number
// system, apparent and emergent pairs, enclosing-radius threshold.
//
// Tie-breaking rule (gradients depend on it). The filtration orders simplices by diameter, then by
// their index in the combinatorial number system, LARGER index first (Ripser's order; the index of
// edge {u > v} is u (u - 1) / 2 + v). Consequences:
//  - dimension 0: the deaths are the edges of the minimum spanning tree for that strict edge order
//    (unique, so Prim and Kruskal agree);
//  - dimension >= 1: a pair is (sigma, tau) with tau the pivot of sigma's reduced coboundary, the
//    earliest cofacet in that order;
//  - the critical edge of a simplex is, among its edges of maximal length, the latest in the
//    filtration, i.e. the one of smallest index. birth_edge / death_edge are the critical edges of
//    sigma / tau.
// Pairs of zero persistence (death == birth) are not reported, as in Ripser and GUDHI.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "topoembed/ph/distance_matrix.hpp"
#include "topoembed/ph/thread_pool.hpp"
#include "topoembed/ph/types.hpp"

namespace topoembed::ph {

inline constexpr std::uint32_t kDefaultModulus = 2;

struct RipsOptions {
  int max_dim = 1;                  // compute dimensions 0..max_dim
  std::optional<double> threshold;  // default: enclosing radius (dense), all edges (sparse)
  std::uint32_t modulus = kDefaultModulus;  // prime p of the coefficient field Z/p
  int threads = 1;                  // threads used within one computation (>= 1)
  bool shortcuts = true;            // apparent and emergent pairs (off: plain reduction)
  // With threads > 1: a column whose working coboundary grows past this many entries is reduced
  // by all threads together, each keeping a share of it (docs/algorithms.md). Tuning only; the
  // result does not depend on it.
  std::size_t heavy_column_entries = std::size_t(1) << 18;
  // Such a column is shared only while its steps push at least this many coboundary entries
  // each (shorter steps: the threads' meeting every step costs more than it shares), and only
  // while sharing is measured to be faster than one thread; 0 shares it always. Tuning only; the
  // result does not depend on it.
  std::size_t heavy_column_step_entries = 64;

  RipsOptions& with_max_dim(int d) { max_dim = d; return *this; }
  RipsOptions& with_threshold(double t) { threshold = t; return *this; }
  RipsOptions& with_modulus(std::uint32_t p) { modulus = p; return *this; }
  RipsOptions& with_threads(int n) { threads = n; return *this; }
  RipsOptions& with_shortcuts(bool on) { shortcuts = on; return *this; }
  RipsOptions& with_heavy_column_entries(std::size_t n) { heavy_column_entries = n; return *this; }
  RipsOptions& with_heavy_column_step_entries(std::size_t n) { heavy_column_step_entries = n; return *this; }
};

template <class T>
struct RipsResult {
  // Pairs of positive persistence (death > birth) and essential classes, ordered by dimension,
  // then death, then birth.
  std::vector<PersistencePair<T>> pairs;
  T threshold = 0;          // the threshold actually used
  index_t num_points = 0;

  // The pairs of one dimension.
  std::vector<PersistencePair<T>> dimension(int dim) const;
};

template <class T>
using PairSink = std::function<void(const PersistencePair<T>&)>;

// Checks options (0 <= max_dim <= 13, modulus a prime below 256, threads >= 1, threshold >= 0 and
// not NaN, point count small enough for the simplex index); throws std::invalid_argument.
void validate(const RipsOptions& options, index_t num_points);

template <class T>
RipsResult<T> rips_persistence(const CompressedDistanceMatrix<T>& dm, const RipsOptions& options = {});
template <class T>
RipsResult<T> rips_persistence(const SparseDistanceMatrix<T>& dm, const RipsOptions& options = {});
template <class T>
RipsResult<T> rips_persistence(const PointCloud<T>& cloud, Metric metric,
                               const RipsOptions& options = {});

// Streaming form: every pair is handed to `sink` as it is found (per dimension in increasing
// order; within a dimension in no particular order). Returns the threshold used.
template <class T>
T rips_persistence(const CompressedDistanceMatrix<T>& dm, const RipsOptions& options,
                   const PairSink<T>& sink);

// Many clouds at once (a minibatch): one computation per matrix, `threads` of them concurrently;
// options.threads applies within each one (usually 1 here). Starts threads - 1 threads per call.
template <class T>
std::vector<RipsResult<T>> rips_persistence_batch(const std::vector<CompressedDistanceMatrix<T>>& dms,
                                                  const RipsOptions& options, int threads);
// The same on the workers of a caller-owned pool (pool.size() computations concurrently): what a
// training loop wants, which calls this every step and should start its threads only once.
template <class T>
std::vector<RipsResult<T>> rips_persistence_batch(const std::vector<CompressedDistanceMatrix<T>>& dms,
                                                  const RipsOptions& options, ThreadPool& pool);

}  // namespace topoembed::ph
