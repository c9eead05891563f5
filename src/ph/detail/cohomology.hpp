#pragma once
// Persistent cohomology of a Vietoris–Rips filtration, dimension by dimension, after Ripser
// (Bauer 2021): columns are the d-simplices in reverse filtration order, their coboundaries are
// enumerated implicitly from vertex indices, and
//  - clearing: a (d+1)-simplex that is a pivot of dimension d is not a column of dimension d+1;
//  - apparent pairs (zero persistence): a simplex whose earliest cofacet of equal diameter has it
//    as its latest facet of equal diameter is skipped, and its cofacet's column is never built;
//  - emergent pairs: a column whose first cofacet of equal diameter is not yet a pivot is paired
//    with it at once, without building the coboundary.
// Filtration order: diameter ascending, then simplex index descending. The pivot of a column is
// its earliest cofacet (smallest diameter, then largest index).

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "binomial.hpp"
#include "hash_map.hpp"
#include "heavy_column_policy.hpp"
#include "parallel.hpp"
#include "topoembed/ph/rips_persistence.hpp"
#include "topoembed/ph/types.hpp"

namespace topoembed::ph::detail {

inline constexpr int kMaxVertices = 16;  // simplices of dimension < 15

// The small helpers of the reduction's inner loop: with the several-thread paths calling them
// too, GCC stopped inlining them into the one-thread loop, which cost about 4 % (measured).
#if defined(__GNUC__)
#define TOPOEMBED_HOT_INLINE __attribute__((always_inline)) inline
#define TOPOEMBED_FLATTEN __attribute__((flatten))
#define TOPOEMBED_COLD __attribute__((noinline))
#else
#define TOPOEMBED_HOT_INLINE inline
#define TOPOEMBED_FLATTEN
#define TOPOEMBED_COLD
#endif

template <class T>
struct DiameterIndex {
  T diam;
  index_t index;
};

// Coboundary entry: simplex index in the low 56 bits, coefficient in the high 8.
template <class T>
struct Entry {
  T diam;
  std::uint64_t packed;
  index_t index() const { return static_cast<index_t>(packed & ((std::uint64_t(1) << 56) - 1)); }
  std::uint32_t coef() const { return static_cast<std::uint32_t>(packed >> 56); }
  static Entry make(T d, index_t idx, std::uint32_t c) {
    return {d, static_cast<std::uint64_t>(idx) | (static_cast<std::uint64_t>(c) << 56)};
  }
};

// a comes later in the filtration than b (so a max-heap with this order has the pivot on top).
// A function object, not a function pointer, so the heap operations inline it.
struct Later {
  template <class E>
  bool operator()(const E& a, const E& b) const {
    return a.diam > b.diam || (a.diam == b.diam && a.index() < b.index());
  }
};

template <class T, class Geometry>
class CohomologyEngine {
 public:
  CohomologyEngine(const Geometry& geometry, const RipsOptions& options, const PairSink<T>& sink)
      : g_(geometry),
        n_(geometry.size()),
        max_dim_(options.max_dim),
        p_(options.modulus),
        threads_(options.threads),
        shortcuts_(options.shortcuts),
        heavy_column_entries_(options.heavy_column_entries),
        heavy_column_step_entries_(options.heavy_column_step_entries),
        sink_(sink),
        binomial_(geometry.size(), options.max_dim + 2),
        inverse_(multiplicative_inverses(options.modulus)) {}

  // Dimensions 1..max_dim. `forest_edges` are the dimension-0 deaths (they are not columns).
  void run(const std::vector<Edge>& forest_edges) {
    if (max_dim_ < 1 || n_ < 2) return;
    IndexHashMap forest(forest_edges.size());
    for (const Edge& e : forest_edges) forest.insert(index_of_edge(e.u, e.v), 0);
    std::vector<DiameterIndex<T>> columns = assemble_columns(1, forest);
    for (int d = 1; d <= max_dim_; ++d) {
      pivots_ = IndexHashMap(columns.size());
      reduce(d, columns);
      if (d < max_dim_) columns = assemble_columns(d + 1, pivots_);
    }
  }

 private:
  using E = Entry<T>;

  static std::vector<std::uint32_t> multiplicative_inverses(std::uint32_t p) {
    std::vector<std::uint32_t> inv(p, 0);
    if (p > 1) inv[1] = 1;
    for (std::uint32_t a = 2; a < p; ++a) inv[a] = (p - (p / a) * inv[p % a] % p) % p;
    return inv;
  }

  index_t index_of_edge(vertex_t u, vertex_t v) const {
    return u > v ? binomial_(u, 2) + v : binomial_(v, 2) + u;
  }
  // vs descending, m vertices.
  TOPOEMBED_HOT_INLINE index_t index_of(const vertex_t* vs, int m) const {
    index_t idx = 0;
    for (int i = 0; i < m; ++i) idx += binomial_(vs[i], m - i);
    return idx;
  }
  // Largest v in [k - 1, top] with C(v, k) <= idx.
  TOPOEMBED_HOT_INLINE vertex_t max_vertex(index_t idx, int k, vertex_t top) const {
    vertex_t lo = static_cast<vertex_t>(k - 1), hi = top;
    while (lo < hi) {
      const vertex_t mid = lo + (hi - lo + 1) / 2;
      if (binomial_(mid, k) <= idx) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  // Vertices of the simplex with m vertices, descending.
  TOPOEMBED_HOT_INLINE void vertices_of(index_t idx, int m, vertex_t* out) const {
    vertex_t top = static_cast<vertex_t>(n_ - 1);
    for (int k = m; k >= 1; --k) {
      const vertex_t v = max_vertex(idx, k, top);
      out[m - k] = v;
      idx -= binomial_(v, k);
      top = v - 1;
    }
  }
  T diameter_of(const vertex_t* vs, int m) const {
    T d = 0;
    for (int i = 0; i < m; ++i)
      for (int j = i + 1; j < m; ++j) d = std::max(d, g_.dist(vs[i], vs[j]));
    return d;
  }
  // The critical edge: among the longest edges, the latest in the filtration (smallest index).
  Edge critical_edge(const vertex_t* vs, int m, T diam) const {
    Edge best = kNoEdge;
    index_t best_idx = -1;
    for (int i = 0; i < m; ++i)
      for (int j = i + 1; j < m; ++j)
        if (g_.dist(vs[i], vs[j]) == diam) {
          const index_t idx = index_of_edge(vs[i], vs[j]);
          if (best_idx < 0 || idx < best_idx) { best_idx = idx; best = make_edge(vs[i], vs[j]); }
        }
    return best;
  }

  // Per-simplex precomputation so a cofacet index costs one table lookup per added vertex:
  // cofacet(w) = above_[a] + C(w, m - a + 1) + below_[a], a = number of vertices above w.
  struct CofacetIndexer {
    std::array<index_t, kMaxVertices + 1> above{}, below{};
    int m = 0;
  };
  TOPOEMBED_HOT_INLINE CofacetIndexer indexer(const vertex_t* vs, int m) const {
    CofacetIndexer ix;
    ix.m = m;
    index_t sum_above = 0, sum_below = index_of(vs, m);
    for (int a = 0; a <= m; ++a) {
      ix.above[a] = sum_above;
      ix.below[a] = sum_below;
      if (a < m) {
        sum_above += binomial_(vs[a], m - a + 1);
        sum_below -= binomial_(vs[a], m - a);
      }
    }
    return ix;
  }
  TOPOEMBED_HOT_INLINE index_t cofacet_index(const CofacetIndexer& ix, vertex_t w, int above) const {
    return ix.above[above] + binomial_(w, ix.m - above + 1) + ix.below[above];
  }
  // Sign of the cofacet in the coboundary: (-1)^(number of vertices below w).
  std::uint32_t cofacet_sign(int m, int above) const { return ((m - above) & 1) ? p_ - 1 : 1; }

  // The earliest cofacet if it has the simplex's diameter, else -1.
  index_t zero_pivot_cofacet(const vertex_t* vs, int m, T diam) const {
    const CofacetIndexer ix = indexer(vs, m);
    index_t found = -1;
    g_.for_each_cofacet(vs, m, diam, [&](vertex_t w, T c, int above) {
      if (c != diam) return true;
      found = cofacet_index(ix, w, above);
      return false;
    });
    return found;
  }
  // The latest facet if it has the simplex's diameter (smallest index among facets of equal
  // diameter), else -1. Writes the removed vertex's "vertices below" count to *below.
  index_t zero_pivot_facet(const vertex_t* vs, int m, T diam, int* below = nullptr) const {
    index_t best = -1;
    std::array<vertex_t, kMaxVertices> f{};
    for (int r = 0; r < m; ++r) {
      int k = 0;
      for (int i = 0; i < m; ++i)
        if (i != r) f[k++] = vs[i];
      if (diameter_of(f.data(), m - 1) != diam) continue;
      const index_t idx = index_of(f.data(), m - 1);
      if (best < 0 || idx < best) {
        best = idx;
        if (below) *below = m - 1 - r;
      }
    }
    return best;
  }
  bool has_zero_apparent_cofacet(const vertex_t* vs, int m, T diam) const {
    const index_t c = zero_pivot_cofacet(vs, m, diam);
    if (c < 0) return false;
    std::array<vertex_t, kMaxVertices> cv{};
    vertices_of(c, m + 1, cv.data());
    return zero_pivot_facet(cv.data(), m + 1, diam) == index_of(vs, m);
  }
  // The facet forming a zero-persistence apparent pair with this simplex, or -1.
  index_t zero_apparent_facet(const vertex_t* vs, int m, T diam, int* below = nullptr) const {
    const index_t f = zero_pivot_facet(vs, m, diam, below);
    if (f < 0) return -1;
    std::array<vertex_t, kMaxVertices> fv{};
    vertices_of(f, m - 1, fv.data());
    return zero_pivot_cofacet(fv.data(), m - 1, diam) == index_of(vs, m) ? f : -1;
  }

  // All d-simplices within the threshold that need a column: not cleared by `cleared` (pivots of
  // dimension d - 1, or the spanning forest for d = 1) and, with shortcuts, not in an apparent
  // pair. Sorted by diameter descending, then index ascending (reverse filtration order).
  std::vector<DiameterIndex<T>> assemble_columns(int d, const IndexHashMap& cleared) const {
    const int m = d + 1;
    std::vector<std::vector<DiameterIndex<T>>> parts(static_cast<std::size_t>(std::max(threads_, 1)));
    parallel_chunks(threads_, n_, 16, [&](std::int64_t begin, std::int64_t end, int worker) {
      auto& out = parts[worker];
      std::vector<std::vector<std::pair<vertex_t, T>>> cand(static_cast<std::size_t>(m));
      std::array<vertex_t, kMaxVertices> vs{};
      for (std::int64_t u = begin; u < end; ++u) {
        vs[0] = static_cast<vertex_t>(u);
        g_.lower_neighbors(vs[0], cand[1]);
        enumerate(1, m, T(0), vs, cand, [&](const vertex_t* s, T diam) {
          const index_t idx = index_of(s, m);
          if (cleared.contains(idx)) return;
          if (shortcuts_ && (has_zero_apparent_cofacet(s, m, diam) ||
                             (d >= 2 && zero_apparent_facet(s, m, diam) >= 0)))
            return;
          out.push_back({diam, idx});
        });
      }
    });
    std::vector<DiameterIndex<T>> columns;
    std::vector<std::size_t> bounds{0};
    for (auto& part : parts) {
      columns.insert(columns.end(), part.begin(), part.end());
      bounds.push_back(columns.size());
      std::vector<DiameterIndex<T>>().swap(part);
    }
    auto order = [](const DiameterIndex<T>& a, const DiameterIndex<T>& b) {
      return a.diam > b.diam || (a.diam == b.diam && a.index < b.index);
    };
    parallel_chunks(threads_, static_cast<std::int64_t>(bounds.size() - 1), 1,
                    [&](std::int64_t b, std::int64_t e, int) {
                      for (std::int64_t k = b; k < e; ++k)
                        std::sort(columns.begin() + bounds[k], columns.begin() + bounds[k + 1], order);
                    });
    for (std::size_t k = 2; k < bounds.size(); ++k)
      std::inplace_merge(columns.begin(), columns.begin() + bounds[k - 1], columns.begin() + bounds[k], order);
    return columns;
  }

  // Cliques: vs[0..level-1] chosen; cand[level] lists (v, max distance to the chosen vertices).
  template <class F>
  void enumerate(int level, int m, T diam, std::array<vertex_t, kMaxVertices>& vs,
                 std::vector<std::vector<std::pair<vertex_t, T>>>& cand, F&& f) const {
    for (const auto& [v, dv] : cand[level]) {
      vs[level] = v;
      const T dd = std::max(diam, dv);
      if (level + 1 == m) {
        f(vs.data(), dd);
        continue;
      }
      auto& next = cand[level + 1];
      next.clear();
      for (const auto& [w, dw] : cand[level]) {
        if (w >= v) continue;
        const T dvw = g_.dist(v, w);
        if (dvw <= g_.threshold() && dvw != kInfinity<T>) next.push_back({w, std::max(dw, dvw)});  // inf: absent (sparse)
      }
      enumerate(level + 1, m, dd, vs, cand, f);
    }
  }

  // ---- reduction ----

  // A column being reduced: its coboundary as a lazy heap (entries with equal index are summed
  // when they reach the top), the simplices added to it so far (its column of V), and its pivot.
  struct WorkingColumn {
    std::vector<E> heap;
    std::vector<E> added;
    E pivot{};
    bool settled = false;  // pivot certainly new at init time; heap left empty
    void clear() {
      heap.clear();
      added.clear();
      settled = false;
    }
  };

  TOPOEMBED_HOT_INLINE void push_coboundary(WorkingColumn& col, const vertex_t* vs, int m, T diam, std::uint32_t coef) const {
    const CofacetIndexer ix = indexer(vs, m);
    g_.for_each_cofacet(vs, m, diam, [&](vertex_t w, T c, int above) {
      col.heap.push_back(E::make(c, cofacet_index(ix, w, above), cofacet_sign(m, above) * coef % p_));
      std::push_heap(col.heap.begin(), col.heap.end(), Later{});
      return true;
    });
  }
  TOPOEMBED_HOT_INLINE void push_coboundary(WorkingColumn& col, index_t idx, int m, T diam, std::uint32_t coef) const {
    std::array<vertex_t, kMaxVertices> vs{};
    vertices_of(idx, m, vs.data());
    push_coboundary(col, vs.data(), m, diam, coef);
  }

  // Removes and returns the pivot (summing equal entries); coefficient 0 when the column is zero.
  TOPOEMBED_HOT_INLINE E pop_pivot(std::vector<E>& heap) const {
    while (!heap.empty()) {
      E top = heap.front();
      std::pop_heap(heap.begin(), heap.end(), Later{});
      heap.pop_back();
      std::uint32_t c = top.coef();
      while (!heap.empty() && heap.front().index() == top.index()) {
        c = (c + heap.front().coef()) % p_;
        std::pop_heap(heap.begin(), heap.end(), Later{});
        heap.pop_back();
      }
      if (c != 0) return E::make(top.diam, top.index(), c);
    }
    return E::make(0, 0, 0);
  }
  TOPOEMBED_HOT_INLINE E get_pivot(std::vector<E>& heap) const {
    E pivot = pop_pivot(heap);
    if (pivot.coef() != 0) {
      heap.push_back(pivot);
      std::push_heap(heap.begin(), heap.end(), Later{});
    }
    return pivot;
  }

  // Sets the pivot of the column's own coboundary. With `allow_settle`, a pivot that is certainly
  // new (an emergent pair, or a pivot no column owns yet) settles the column at once and the
  // heap stays empty; otherwise the heap holds the whole coboundary.
  void init_column(WorkingColumn& col, const vertex_t* vs, int m, T diam, bool allow_settle) const {
    col.clear();
    const CofacetIndexer ix = indexer(vs, m);
    bool check = shortcuts_ && allow_settle;
    bool have = false;
    E first{};
    g_.for_each_cofacet(vs, m, diam, [&](vertex_t w, T c, int above) {
      const E e = E::make(c, cofacet_index(ix, w, above), cofacet_sign(m, above));
      if (check && c == diam) {
        check = false;
        if (is_new_pivot(e, m)) {  // emergent pair
          col.pivot = e;
          col.settled = true;
          return false;
        }
      }
      if (!have || Later{}(first, e)) first = e;
      have = true;
      col.heap.push_back(e);
      return true;
    });
    if (col.settled) return;
    if (!have) {
      col.pivot = E::make(0, 0, 0);
      return;
    }
    if (allow_settle && is_new_pivot(first, m)) {
      col.heap.clear();
      col.pivot = first;
      col.settled = true;
      return;
    }
    std::make_heap(col.heap.begin(), col.heap.end(), Later{});
    col.pivot = get_pivot(col.heap);
  }

  // No column owns this cofacet as pivot, explicitly or through an apparent pair.
  bool is_new_pivot(const E& e, int m) const {
    if (pivots_.contains(e.index())) return false;
    if (!shortcuts_) return true;
    std::array<vertex_t, kMaxVertices> cv{};
    vertices_of(e.index(), m + 1, cv.data());
    return zero_apparent_facet(cv.data(), m + 1, e.diam) < 0;
  }

  // Where a column is being reduced, which decides what happens when its heap grows large.
  enum class Context {
    kSequential,     // one thread: the plain loop
    kParallelPhase,  // on one of several threads (a block's parallel phase): stop, leave it to
                     // the ordered phase
    kOrdered,        // in order while the other threads are idle: all threads finish it
  };

  // What reduces a pivot: the column owning it in pivots_, or the facet it forms an apparent pair
  // with (whose column is its bare coboundary), or nothing (the pivot is new).
  struct Reducer {
    enum Kind { kNone, kColumn, kApparent } kind = kNone;
    std::size_t column = 0;  // kColumn: position in `columns`
    index_t facet = -1;      // kApparent
    std::uint32_t factor = 0;
  };
  Reducer reducer_of(const E& pivot, int m) const {
    const std::uint64_t kPosMask = (std::uint64_t(1) << 56) - 1;
    Reducer r;
    if (const std::uint64_t* hit = pivots_.find(pivot.index())) {
      const std::uint32_t cj = static_cast<std::uint32_t>(*hit >> 56);
      r.kind = Reducer::kColumn;
      r.column = static_cast<std::size_t>(*hit & kPosMask);
      r.factor = (p_ - pivot.coef() * inverse_[cj] % p_) % p_;
      return r;
    }
    if (!shortcuts_) return r;
    std::array<vertex_t, kMaxVertices> tv{};
    vertices_of(pivot.index(), m + 1, tv.data());
    int below = 0;
    const index_t e = zero_apparent_facet(tv.data(), m + 1, pivot.diam, &below);
    if (e < 0) return r;
    const std::uint32_t sign = (below & 1) ? p_ - 1 : 1;
    r.kind = Reducer::kApparent;
    r.facet = e;
    r.factor = (p_ - pivot.coef() * sign % p_) % p_;
    return r;
  }

  // Reduces the column while its pivot is owned by a column in pivots_ or by an apparent pair.
  // Returns when the pivot is zero or owned by nobody in pivots_ (in the parallel phase also when
  // the column turns heavy: the ordered phase goes on from its current pivot).
  TOPOEMBED_FLATTEN void reduce_against_pivots(WorkingColumn& col, const std::vector<DiameterIndex<T>>& columns, int m,
                                                Context context) const {
    const std::uint64_t kPosMask = (std::uint64_t(1) << 56) - 1;
    std::array<vertex_t, kMaxVertices> tv{};
    while (col.pivot.coef() != 0) {
      if (context != Context::kSequential && col.heap.size() > heavy_column_entries_) {
        if (context == Context::kParallelPhase) return;
        if (!split_gave_up_) {
          reduce_heavy(col, columns, m);
          return;
        }
      }
      // The same decisions as reducer_of, written out: this loop is the one-thread hot path.
      if (const std::uint64_t* hit = pivots_.find(col.pivot.index())) {
        const std::size_t j = static_cast<std::size_t>(*hit & kPosMask);
        const std::uint32_t cj = static_cast<std::uint32_t>(*hit >> 56);
        add_column(col, j, columns, m, (p_ - col.pivot.coef() * inverse_[cj] % p_) % p_);
        col.pivot = get_pivot(col.heap);
        continue;
      }
      if (!shortcuts_) return;
      vertices_of(col.pivot.index(), m + 1, tv.data());
      int below = 0;
      const index_t e = zero_apparent_facet(tv.data(), m + 1, col.pivot.diam, &below);
      if (e < 0) return;
      // The pivot is paired with e, whose column is its bare coboundary.
      const std::uint32_t sign = (below & 1) ? p_ - 1 : 1;
      const std::uint32_t a = (p_ - col.pivot.coef() * sign % p_) % p_;
      push_coboundary(col, e, m, col.pivot.diam, a);
      col.added.push_back(E::make(col.pivot.diam, e, a));
      col.pivot = get_pivot(col.heap);
    }
  }

  // ---- one heavy column on all threads ----
  // The column is the sum of several heaps: its own heap as it was when it turned heavy (never
  // moved or decoded, so sharing the column costs only starting the threads) and one part heap
  // per worker. The vertices are cut into K blocks of consecutive indices, and a cofacet added
  // while the column is shared goes to part (sum of its vertices' block numbers) mod K: for a
  // simplex with block sum s, its cofacets in part t are those whose added vertex lies in block
  // (t - s) mod K, so each worker enumerates one stretch of the distance rows. Every step, the
  // workers publish the earliest entry of their heaps (equal indices summed) and meet at a
  // barrier; the column's pivot is the earliest of those, coefficients of equal indices summed
  // (if they cancel, the step only drops them). Each worker works out the same reducer, drops the
  // pivot from its heaps and pushes its share of the reducer's coboundary without the pivot (the
  // addition cancels it exactly). The additions are those of the one-thread loop, so the pivot
  // and the V column are the same. HeavyColumnPolicy decides, window by window from measured
  // throughput, whether the column is shared or goes on on one thread over the same heaps.
  int block_of(vertex_t v, int parts) const { return static_cast<int>(std::int64_t(v) * parts / n_); }
  vertex_t block_begin(int b, int parts) const { return static_cast<vertex_t>((n_ * b + parts - 1) / parts); }
  int part_of(const vertex_t* vs, int m, int parts) const {
    int sum = 0;
    for (int i = 0; i < m; ++i) sum += block_of(vs[i], parts);
    return sum % parts;
  }
  // Pushes coef times the coboundary of simplex idx, without the entry `skip`: the share of part
  // `part` of `parts`, or all of it when part < 0. Returns the number of entries pushed.
  std::size_t push_coboundary_share(std::vector<E>& heap, index_t idx, int m, T diam, std::uint32_t coef, int part,
                                    int parts, index_t skip) const {
    std::array<vertex_t, kMaxVertices> vs{};
    vertices_of(idx, m, vs.data());
    const CofacetIndexer ix = indexer(vs.data(), m);
    std::size_t pushed = 0;
    auto push = [&](vertex_t w, T c, int above) {
      const index_t i = cofacet_index(ix, w, above);
      if (i == skip) return true;
      heap.push_back(E::make(c, i, cofacet_sign(m, above) * coef % p_));
      std::push_heap(heap.begin(), heap.end(), Later{});
      ++pushed;
      return true;
    };
    if (part < 0) {
      g_.for_each_cofacet(vs.data(), m, diam, push);
    } else {
      const int b = ((part - part_of(vs.data(), m, parts)) % parts + parts) % parts;
      g_.for_each_cofacet_in_range(vs.data(), m, diam, block_begin(b, parts), block_begin(b + 1, parts), push);
    }
    return pushed;
  }
  // Adds the reducer r of `pivot` to the column, without the pivot (see push_coboundary_share
  // for part and parts); the simplices added are appended to *added unless it is null (one
  // worker records them).
  std::size_t add_reducer_share(std::vector<E>& heap, const Reducer& r, const E& pivot,
                                const std::vector<DiameterIndex<T>>& columns, int m, int part, int parts,
                                std::vector<E>* added) const {
    const index_t skip = pivot.index();
    if (r.kind == Reducer::kApparent) {
      if (added) added->push_back(E::make(pivot.diam, r.facet, r.factor));
      return push_coboundary_share(heap, r.facet, m, pivot.diam, r.factor, part, parts, skip);
    }
    const std::size_t j = r.column;
    if (added) added->push_back(E::make(columns[j].diam, columns[j].index, r.factor));
    std::size_t pushed = push_coboundary_share(heap, columns[j].index, m, columns[j].diam, r.factor, part, parts, skip);
    for (std::size_t k = reduction_offsets_[j]; k < reduction_offsets_[j + 1]; ++k) {
      const E& e = reduction_[k];
      const std::uint32_t c = e.coef() * r.factor % p_;
      if (added) added->push_back(E::make(e.diam, e.index(), c));
      pushed += push_coboundary_share(heap, e.index(), m, e.diam, c, part, parts, skip);
    }
    return pushed;
  }
  // The earliest index among the non-zero entries xs[0..count), with the coefficients of the
  // entries of that index summed (0 when they cancel); *found = false when every entry is zero.
  E earliest_sum(const E* xs, std::size_t count, bool* found) const {
    E best = E::make(0, 0, 0);
    std::uint32_t c = 0;
    for (std::size_t k = 0; k < count; ++k) {
      const E& x = xs[k];
      if (x.coef() == 0) continue;
      if (best.coef() == 0 || Later{}(best, x)) {
        best = x;
        c = x.coef();
      } else if (x.index() == best.index()) {
        c = (c + x.coef()) % p_;
      }
    }
    *found = best.coef() != 0;
    return E::make(best.diam, best.index(), c);
  }

  // Heaps whose sum is (a share of) the column, each with its top cached: get_pivot is redone
  // only on a heap that changed since.
  struct HeapSet {
    std::vector<std::vector<E>*> heaps;
    std::vector<E> tops;
    std::vector<char> changed;
    void add(std::vector<E>* h) {
      heaps.push_back(h);
      tops.push_back(E::make(0, 0, 0));
      changed.push_back(1);
    }
    void touch(std::size_t k) { changed[k] = 1; }
    void touch_all() { std::fill(changed.begin(), changed.end(), 1); }
  };
  // The pivot of the sum of the heaps (coefficient 0 when they are all empty). Every heap holding
  // that index keeps it on top, its equal entries summed.
  E union_pivot(HeapSet& s) const {
    for (;;) {
      for (std::size_t k = 0; k < s.heaps.size(); ++k)
        if (s.changed[k]) {
          s.tops[k] = get_pivot(*s.heaps[k]);
          s.changed[k] = 0;
        }
      bool found = false;
      const E pivot = earliest_sum(s.tops.data(), s.tops.size(), &found);
      if (!found) return E::make(0, 0, 0);
      if (pivot.coef() != 0) return pivot;
      drop(s, pivot.index());
    }
  }
  // Removes the entry `index` from every heap holding it (on top after union_pivot).
  static void drop(HeapSet& s, index_t index) {
    for (std::size_t k = 0; k < s.heaps.size(); ++k)
      if (s.tops[k].coef() != 0 && s.tops[k].index() == index) {
        std::vector<E>& heap = *s.heaps[k];
        std::pop_heap(heap.begin(), heap.end(), Later{});
        heap.pop_back();
        s.changed[k] = 1;
      }
  }

  // A worker's front: the earliest (at most kFront) non-zero entries of the sum of its heaps, in
  // filtration order, equal indices summed, taken out of the heaps. Publishing a front instead of
  // one entry lets the workers agree on the pivot although entries of different workers' heaps
  // cancel (the column's own heap and a part heap often hold the same cofacet): each such
  // cancellation would otherwise cost a step and a barrier of its own.
  static constexpr int kFront = 8;
  // Brings `front` up to date after entries were pushed into the heaps of s (they may come before
  // its entries, or have the index of one of them).
  void refill_front(HeapSet& s, std::vector<E>& front) const {
    const auto earlier = [](const E& a, const E& b) { return Later{}(b, a); };
    for (;;) {
      const E x = union_pivot(s);
      if (x.coef() == 0) return;  // the heaps are empty
      if (front.size() >= static_cast<std::size_t>(kFront) && Later{}(x, front.back())) return;
      drop(s, x.index());
      const auto it = std::lower_bound(front.begin(), front.end(), x, earlier);
      if (it != front.end() && it->index() == x.index()) {
        const std::uint32_t c = (it->coef() + x.coef()) % p_;
        if (c == 0) front.erase(it);
        else *it = E::make(x.diam, x.index(), c);
      } else {
        front.insert(it, x);
      }
      if (front.size() > static_cast<std::size_t>(kFront)) {  // the last one goes back
        std::vector<E>& heap = *s.heaps[0];
        heap.push_back(front.back());
        std::push_heap(heap.begin(), heap.end(), Later{});
        s.touch(0);
        front.pop_back();
      }
    }
  }

  // One worker's state in a shared column, on its own cache line (the others read it every step).
  struct alignas(64) SharedWorker {
    E front[2][kFront];  // the worker's front; two steps alternate
    int count[2] = {0, 0};
    std::atomic<std::uint64_t> pushed{0};
  };
  enum class Shared { kDone, kStopped, kNotStarted };
  // What the published fronts say: the pivot (coefficient != 0), or that the column is zero, or
  // that the fronts end before the pivot is known (only cancelling entries in them). used[k]:
  // how many entries of worker k's front were consumed (the pivot and the cancelled ones).
  enum class Resolved { kPivot, kZero, kUnknown };
  Resolved resolve_fronts(const std::vector<SharedWorker>& workers, int parity, std::array<int, 64>& used,
                          E* pivot) const {
    const int parts = static_cast<int>(workers.size());
    for (int k = 0; k < parts; ++k) used[k] = 0;
    for (;;) {
      // The earliest unconsumed entry; unknown if a full front is used up (its worker's next
      // entries, still in its heaps, could come first).
      const E* z = nullptr;
      for (int k = 0; k < parts; ++k) {
        const SharedWorker& w = workers[k];
        if (used[k] == w.count[parity]) {
          if (w.count[parity] == kFront) return Resolved::kUnknown;
          continue;
        }
        const E& e = w.front[parity][used[k]];
        if (!z || Later{}(*z, e)) z = &e;
      }
      if (!z) return Resolved::kZero;
      const E x = *z;
      std::uint32_t c = 0;
      for (int k = 0; k < parts; ++k) {
        const SharedWorker& w = workers[k];
        if (used[k] < w.count[parity] && w.front[parity][used[k]].index() == x.index()) {
          c = (c + w.front[parity][used[k]].coef()) % p_;
          ++used[k];
        }
      }
      if (c != 0) {
        *pivot = E::make(x.diam, x.index(), c);
        return Resolved::kPivot;
      }
    }
  }

  // Reduces the column on all threads, one part heap each (worker 0 also holds the column's own
  // heap), until it is reduced (kDone, pivot in *result) or the policy stops sharing (kStopped),
  // or returns kNotStarted, having changed nothing, when a thread cannot be started.
  Shared reduce_shared(WorkingColumn& col, std::vector<std::vector<E>>& heaps, HeavyColumnPolicy& policy,
                       const std::vector<DiameterIndex<T>>& columns, int m, E* result) const {
    using Clock = std::chrono::steady_clock;
    const int parts = static_cast<int>(heaps.size());
    std::vector<SharedWorker> workers(static_cast<std::size_t>(parts));
    SpinBarrier barrier(parts);
    // Worker 0's decision to stop, written before the barrier of a step and read by all after it;
    // two steps alternate, so a fast worker 0 cannot change what a slower worker still has to read.
    std::array<std::atomic<bool>, 2> stop{};
    bool done = false;
    const bool started = run_workers(
        parts,
        [&](int t) {
          HeapSet own;
          own.add(&heaps[t]);
          if (t == 0) own.add(&col.heap);
          std::vector<E> front;
          front.reserve(kFront + 1);
          // Leaving without finishing the column: the front goes back into the worker's heap.
          auto give_back = [&] {
            for (const E& e : front) {
              heaps[t].push_back(e);
              std::push_heap(heaps[t].begin(), heaps[t].end(), Later{});
            }
            front.clear();
          };
          try {
            SharedWorker& me = workers[t];
            auto window_start = Clock::now();
            std::uint64_t window_pushed = 0;
            std::size_t window_steps = 0;
            std::array<int, 64> used{};
            for (std::size_t step = 0;; ++step) {
              const int parity = static_cast<int>(step & 1);
              refill_front(own, front);
              std::copy(front.begin(), front.end(), me.front[parity]);
              me.count[parity] = static_cast<int>(front.size());
              if (t == 0 && ++window_steps == HeavyColumnPolicy::kWindowSteps) {
                std::uint64_t pushed = 0;
                for (const SharedWorker& w : workers) pushed += w.pushed.load(std::memory_order_relaxed);
                const auto now = Clock::now();
                if (!policy.keep_sharing(window_steps, pushed - window_pushed, std::chrono::duration<double>(now - window_start).count()))
                  stop[parity].store(true, std::memory_order_relaxed);
                window_start = now;
                window_pushed = pushed;
                window_steps = 0;
              }
              if (!barrier.wait() || stop[parity].load(std::memory_order_relaxed)) {
                give_back();
                return;
              }
              E pivot{};
              const Resolved what = resolve_fronts(workers, parity, used, &pivot);
              if (what == Resolved::kZero) {
                if (t == 0) done = true;
                return;
              }
              front.erase(front.begin(), front.begin() + used[t]);  // the pivot and the cancelled entries
              if (what == Resolved::kUnknown) continue;
              const Reducer r = reducer_of(pivot, m);
              if (r.kind == Reducer::kNone) {
                if (t == 0) {
                  *result = pivot;
                  done = true;
                }
                return;
              }
              me.pushed.fetch_add(add_reducer_share(heaps[t], r, pivot, columns, m, t, parts, t == 0 ? &col.added : nullptr),
                                  std::memory_order_relaxed);
              own.touch(0);
            }
          } catch (...) {
            barrier.abort();
            throw;
          }
        },
        [&] { barrier.abort(); });
    if (!started) return Shared::kNotStarted;
    return done ? Shared::kDone : Shared::kStopped;
  }

  // A heavy column (ordered phase, several threads): windows on one thread over the column's heaps
  // (new entries into its own heap), and shared windows when the policy says they pay.
  // Not inlined into the flattened one-thread loop that calls it (rarely).
  TOPOEMBED_COLD void reduce_heavy(WorkingColumn& col, const std::vector<DiameterIndex<T>>& columns, int m) const {
    using Clock = std::chrono::steady_clock;
    const int parts = std::min(threads_, 64);  // more threads than this would only wait at the barrier
    std::vector<std::vector<E>> heaps(static_cast<std::size_t>(parts));
    HeavyColumnPolicy policy(heavy_column_step_entries_);
    HeapSet all;
    all.add(&col.heap);
    for (auto& h : heaps) all.add(&h);
    E result = E::make(0, 0, 0);
    for (;;) {
      const auto start = Clock::now();
      std::size_t steps = 0, pushed = 0;
      bool done = false;
      for (; steps < HeavyColumnPolicy::kWindowSteps; ++steps) {
        const E pivot = union_pivot(all);
        const Reducer r = pivot.coef() != 0 ? reducer_of(pivot, m) : Reducer{};
        if (r.kind == Reducer::kNone) {
          result = pivot;
          done = true;
          break;
        }
        drop(all, pivot.index());
        pushed += add_reducer_share(col.heap, r, pivot, columns, m, -1, parts, &col.added);
        all.touch(0);
      }
      if (done) break;
      if (split_gave_up_ ||
          !policy.share_next(steps, pushed, std::chrono::duration<double>(Clock::now() - start).count()))
        continue;
      const Shared outcome = reduce_shared(col, heaps, policy, columns, m, &result);
      if (outcome == Shared::kDone) break;
      if (outcome == Shared::kNotStarted) split_gave_up_ = true;  // no more threads: one thread from here on
      all.touch_all();
    }
    col.heap.clear();
    col.pivot = result;
  }

  // Records the outcome of column i: a new pair, an essential class, or (zero persistence)
  // nothing; then stores its column of V.
  void finish_column(std::size_t i, const std::vector<DiameterIndex<T>>& columns, int d, WorkingColumn& col) {
    const int m = d + 1;
    const auto [diam, idx] = columns[i];
    std::array<vertex_t, kMaxVertices> vs{}, tv{};
    vertices_of(idx, m, vs.data());
    if (col.pivot.coef() == 0) {
      sink_({d, diam, kInfinity<T>, critical_edge(vs.data(), m, diam), kNoEdge});
    } else {
      pivots_.insert(col.pivot.index(), static_cast<std::uint64_t>(i) | (std::uint64_t(col.pivot.coef()) << 56));
      if (col.pivot.diam > diam) {
        vertices_of(col.pivot.index(), m + 1, tv.data());
        sink_({d, diam, col.pivot.diam, critical_edge(vs.data(), m, diam), critical_edge(tv.data(), m + 1, col.pivot.diam)});
      }
    }
    store_reduction_column(col.added);
  }

  void start_column(WorkingColumn& col, const DiameterIndex<T>& column, int m, Context context) const {
    std::array<vertex_t, kMaxVertices> vs{};
    vertices_of(column.index, m, vs.data());
    init_column(col, vs.data(), m, column.diam, true);
    if (!col.settled) reduce_against_pivots(col, *columns_, m, context);
  }

  void reduce(int d, const std::vector<DiameterIndex<T>>& columns) {
    const int m = d + 1;
    columns_ = &columns;
    split_gave_up_ = false;
    reduction_offsets_.assign(1, 0);
    reduction_.clear();
    if (threads_ <= 1) {
      WorkingColumn col;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        start_column(col, columns[i], m, Context::kSequential);
        finish_column(i, columns, d, col);
      }
      return;
    }
    // Blocks of columns: first every column of the block is reduced, in parallel, against the
    // pivots of earlier blocks (read-only then); then the block is finished in order, reducing
    // each column further against the columns before it in the block. Any left-to-right
    // reduction gives the same pairs, so the result equals the sequential one.
    // Few, heavy columns (typical after the shortcuts) want small blocks so that most additions
    // happen in the parallel phase; many light ones want large blocks so that starting threads
    // does not dominate. The block size adapts to the time a block takes.
    const std::size_t min_block = static_cast<std::size_t>(2 * threads_), max_block = 8192;
    std::size_t block = min_block;
    std::vector<WorkingColumn> cols;
    // When the ordered phase keeps outweighing the parallel one (the columns reduce mostly
    // against each other), the rest of the dimension runs sequentially, so two threads are never
    // much slower than one.
    double parallel_total = 0, ordered_total = 0;
    int blocks_done = 0;
    std::size_t start = 0;
    while (start < columns.size() && !(blocks_done >= 8 && ordered_total > parallel_total)) {
      const auto t0 = std::chrono::steady_clock::now();
      block = std::min(block, columns.size() - start);
      if (cols.size() < block) cols.resize(block);
      parallel_chunks(threads_, static_cast<std::int64_t>(block), 1, [&](std::int64_t b, std::int64_t e, int) {
        for (std::int64_t k = b; k < e; ++k) start_column(cols[k], columns[start + k], m, Context::kParallelPhase);
      });
      const auto t1 = std::chrono::steady_clock::now();
      for (std::size_t k = 0; k < block; ++k) {
        WorkingColumn& col = cols[k];
        if (col.settled && col.pivot.coef() != 0 && pivots_.contains(col.pivot.index())) {
          // Settled against earlier blocks only; an earlier column of this block took the pivot.
          std::array<vertex_t, kMaxVertices> vs{};
          vertices_of(columns[start + k].index, m, vs.data());
          init_column(col, vs.data(), m, columns[start + k].diam, false);
        }
        if (!col.settled) reduce_against_pivots(col, columns, m, Context::kOrdered);
        finish_column(start + k, columns, d, col);
      }
      const auto t2 = std::chrono::steady_clock::now();
      parallel_total += std::chrono::duration<double>(t1 - t0).count();
      ordered_total += std::chrono::duration<double>(t2 - t1).count();
      ++blocks_done;
      const double ms = std::chrono::duration<double, std::milli>(t2 - t0).count();
      const std::size_t done = block;
      start += done;
      if (ms < 2.0) block = std::min(max_block, 2 * done);
      else if (ms > 20.0) block = std::max(min_block, done / 2);
      else block = done;
    }
    WorkingColumn col;
    for (std::size_t i = start; i < columns.size(); ++i) {
      start_column(col, columns[i], m, Context::kOrdered);
      finish_column(i, columns, d, col);
    }
  }

  // Adds a times column j (its simplex and the simplices of its V column) to the working column.
  void add_column(WorkingColumn& col, std::size_t j, const std::vector<DiameterIndex<T>>& columns, int m,
                  std::uint32_t a) const {
    push_coboundary(col, columns[j].index, m, columns[j].diam, a);
    col.added.push_back(E::make(columns[j].diam, columns[j].index, a));
    for (std::size_t k = reduction_offsets_[j]; k < reduction_offsets_[j + 1]; ++k) {
      const E& e = reduction_[k];
      const std::uint32_t c = e.coef() * a % p_;
      push_coboundary(col, e.index(), m, e.diam, c);
      col.added.push_back(E::make(e.diam, e.index(), c));
    }
  }

  void store_reduction_column(std::vector<E>& added) {
    std::sort(added.begin(), added.end(), [](const E& x, const E& y) { return x.index() < y.index(); });
    std::size_t k = 0;
    while (k < added.size()) {
      std::uint32_t c = 0;
      std::size_t l = k;
      for (; l < added.size() && added[l].index() == added[k].index(); ++l) c = (c + added[l].coef()) % p_;
      if (c != 0) reduction_.push_back(E::make(added[k].diam, added[k].index(), c));
      k = l;
    }
    reduction_offsets_.push_back(reduction_.size());
  }

  const Geometry& g_;
  index_t n_;
  int max_dim_;
  std::uint32_t p_;
  int threads_;
  bool shortcuts_;
  std::size_t heavy_column_entries_;  // heap size from which a column is reduced by all threads
  std::size_t heavy_column_step_entries_;  // entries per step below which such a column is not shared
  const PairSink<T>& sink_;
  BinomialTable binomial_;
  std::vector<std::uint32_t> inverse_;
  IndexHashMap pivots_;
  const std::vector<DiameterIndex<T>>* columns_ = nullptr;  // the columns being reduced
  // A thread could not be started for a heavy column: the rest of the dimension stays on one
  // thread. Set and read on the calling thread only.
  mutable bool split_gave_up_ = false;
  std::vector<std::size_t> reduction_offsets_;
  std::vector<E> reduction_;
};

}  // namespace topoembed::ph::detail
