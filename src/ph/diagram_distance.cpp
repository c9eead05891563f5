// Bottleneck distance (binary search + Hopcroft–Karp) and p-Wasserstein distance (Hungarian
// algorithm) between persistence diagrams, both on the diagram augmented with the diagonal.
#include "topoembed/ph/diagram_distance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace topoembed::ph {

namespace {

// Finite points and essential points (sorted by birth, then index) of one diagram.
struct SplitDiagram {
  std::vector<index_t> finite;
  std::vector<index_t> essential;
};

template <class T>
SplitDiagram split_checked(const std::vector<DiagramPoint<T>>& x, const char* caller, const char* which) {
  SplitDiagram s;
  for (std::size_t i = 0; i < x.size(); ++i) {
    detail::check_interval(double(x[i].birth), double(x[i].death), caller, which, i);
    (x[i].essential() ? s.essential : s.finite).push_back(static_cast<index_t>(i));
  }
  std::stable_sort(s.essential.begin(), s.essential.end(),
                   [&](index_t i, index_t j) { return x[i].birth < x[j].birth; });
  return s;
}

// Essential points matched in order of birth (the optimal one-dimensional matching for any
// convex cost); leftovers of the larger set go to "the diagonal" at infinite cost.
void match_essential(const SplitDiagram& sa, const SplitDiagram& sb, std::vector<std::pair<index_t, index_t>>& pairs) {
  const std::size_t k = std::min(sa.essential.size(), sb.essential.size());
  for (std::size_t t = 0; t < k; ++t) pairs.emplace_back(sa.essential[t], sb.essential[t]);
  for (std::size_t t = k; t < sa.essential.size(); ++t) pairs.emplace_back(sa.essential[t], -1);
  for (std::size_t t = k; t < sb.essential.size(); ++t) pairs.emplace_back(-1, sb.essential[t]);
}

template <class T>
void set_longest(const std::vector<DiagramPoint<T>>& a, const std::vector<DiagramPoint<T>>& b, DiagramMatching<T>& m) {
  m.longest = -1;
  T worst = -kInfinity<T>;
  for (std::size_t t = 0; t < m.pairs.size(); ++t) {
    const T c = matched_cost(a, b, m.pairs[t]);
    if (c > worst) {
      worst = c;
      m.longest = static_cast<index_t>(t);
    }
  }
}

// Maximum bipartite matching by Hopcroft–Karp (O(E sqrt(V))) on an implicit graph:
// neighbors(u, f) calls f(v) for the right neighbours v of left vertex u until f returns true.
template <class Neighbors>
class HopcroftKarp {
 public:
  HopcroftKarp(index_t left, index_t right, Neighbors neighbors)
      : left_(left), neighbors_(std::move(neighbors)),
        match_left_(static_cast<std::size_t>(left), -1), match_right_(static_cast<std::size_t>(right), -1) {}

  // Size of a maximum matching.
  index_t run() {
    index_t matched = 0;
    for (index_t u = 0; u < left_; ++u) {  // greedy start
      neighbors_(u, [&](index_t v) {
        if (match_right_[v] >= 0) return false;
        match_left_[u] = v;
        match_right_[v] = u;
        ++matched;
        return true;
      });
    }
    while (matched < left_ && bfs()) {
      for (index_t u = 0; u < left_; ++u)
        if (match_left_[u] < 0 && dfs(u)) ++matched;
    }
    return matched;
  }

  // Right partner of each left vertex (-1: unmatched).
  const std::vector<index_t>& match_left() const { return match_left_; }

 private:
  static constexpr index_t kUnreached = std::numeric_limits<index_t>::max();

  // Layers of alternating paths from the free left vertices; true if a free right vertex is reached.
  bool bfs() {
    layer_.assign(static_cast<std::size_t>(left_), kUnreached);
    queue_.clear();
    for (index_t u = 0; u < left_; ++u)
      if (match_left_[u] < 0) {
        layer_[u] = 0;
        queue_.push_back(u);
      }
    bool reached_free = false;
    for (std::size_t head = 0; head < queue_.size(); ++head) {
      const index_t u = queue_[head];
      neighbors_(u, [&](index_t v) {
        const index_t w = match_right_[v];
        if (w < 0) {
          reached_free = true;
        } else if (layer_[w] == kUnreached) {
          layer_[w] = layer_[u] + 1;
          queue_.push_back(w);
        }
        return false;
      });
    }
    return reached_free;
  }

  bool dfs(index_t u) {
    bool augmented = false;
    neighbors_(u, [&](index_t v) {
      const index_t w = match_right_[v];
      if (w < 0 || (layer_[w] == layer_[u] + 1 && dfs(w))) {
        match_left_[u] = v;
        match_right_[v] = u;
        augmented = true;
      }
      return augmented;
    });
    if (!augmented) layer_[u] = kUnreached;  // dead end for the rest of this phase
    return augmented;
  }

  index_t left_;
  Neighbors neighbors_;
  std::vector<index_t> match_left_, match_right_, layer_, queue_;
};

template <class Neighbors>
HopcroftKarp<Neighbors> make_hopcroft_karp(index_t left, index_t right, Neighbors neighbors) {
  return HopcroftKarp<Neighbors>(left, right, std::move(neighbors));
}

// Threshold graphs of the finite parts: cost[i * m + j] between a_i and b_j, diagonal distances.
template <class T>
struct BottleneckGraph {
  index_t n = 0, m = 0;
  std::vector<T> cost, cost_t;  // n x m and its transpose m x n
  std::vector<T> diag_a, diag_b;

  // A perfect matching of cost <= r exists in the diagram augmented with the diagonal iff some
  // matching of the pairs of cost <= r covers every point farther than r from the diagonal (the
  // others go to the diagonal, the surplus diagonal copies to each other). By the
  // Mendelsohn–Dulmage theorem that holds iff the far points of A can be matched into B and the far
  // points of B into A: two small matchings instead of one on the whole augmented graph.
  bool feasible(T r) const { return covers(r, diag_a, cost, m) && covers(r, diag_b, cost_t, n); }

  // The perfect matching of the augmented graph for threshold r: left vertices a_i (i < n) and
  // the diagonal copies of the b_j (n + j), right vertices b_j (j < m) and the diagonal copies of
  // the a_i (m + i). Returns the right partner of each left vertex.
  std::vector<index_t> augmented_matching(T r) const {
    auto hk = make_hopcroft_karp(n + m, m + n, [this, r](index_t u, auto&& f) {
      if (u < n) {
        const T* row = cost.data() + u * m;
        for (index_t v = 0; v < m; ++v)
          if (row[v] <= r && f(v)) return;
        if (diag_a[u] <= r) f(m + u);
      } else {
        const index_t j = u - n;
        if (diag_b[j] <= r && f(j)) return;
        for (index_t v = m; v < m + n; ++v)  // diagonal to diagonal costs nothing
          if (f(v)) return;
      }
    });
    const index_t size = hk.run();
    TOPOEMBED_ASSERT(size == n + m);
    (void)size;
    return hk.match_left();
  }

 private:
  // Can every point x_i with diag[i] > r be matched to a point y_j at cost[i * width + j] <= r?
  static bool covers(T r, const std::vector<T>& diag, const std::vector<T>& cost, index_t width) {
    std::vector<index_t> far;
    for (std::size_t i = 0; i < diag.size(); ++i)
      if (diag[i] > r) far.push_back(static_cast<index_t>(i));
    if (far.empty()) return true;
    if (static_cast<index_t>(far.size()) > width) return false;
    auto hk = make_hopcroft_karp(static_cast<index_t>(far.size()), width, [&](index_t u, auto&& f) {
      const T* row = cost.data() + far[u] * width;
      for (index_t v = 0; v < width; ++v)
        if (row[v] <= r && f(v)) return;
    });
    return hk.run() == static_cast<index_t>(far.size());
  }
};

// Hungarian algorithm (Kuhn–Munkres with potentials and shortest augmenting paths) for the
// diagram matching problem. The (n + m) x (n + m) matrix augmented with the diagonal has n
// interchangeable diagonal columns and m interchangeable diagonal rows; it is solved in the
// equivalent rectangular form with the rows of the smaller side only:
//   rows x_r (r < R), columns y_j (j < C) and one diagonal slot per row (C + r);
//   cost(x_r, y_j) = c_rj - dy_j,  cost(x_r, slot r) = dx_r,  other slots: not allowed;
// a y_j left without a row goes to the diagonal, and the sum of all dy_j is added back, so each
// assignment costs exactly what the augmented matching costs. O(R^2 (R + C)).
// Returns the column of each row (>= C: the diagonal).
std::vector<index_t> hungarian_rectangular(index_t rows, index_t cols, const std::vector<double>& c,
                                           const std::vector<double>& dx, const std::vector<double>& dy) {
  const index_t width = cols + rows;
  const double inf = std::numeric_limits<double>::infinity();
  // Shifting every entry by the largest dy_j keeps them >= 0 and changes every assignment by the
  // same amount (each row takes one column).
  const double shift = dy.empty() ? 0.0 : *std::max_element(dy.begin(), dy.end());
  // 1-based as in the classical formulation: column 0 is a virtual start column.
  std::vector<double> u(static_cast<std::size_t>(rows) + 1, 0), v(static_cast<std::size_t>(width) + 1, 0);
  std::vector<index_t> row_of(static_cast<std::size_t>(width) + 1, 0), way(static_cast<std::size_t>(width) + 1, 0);
  std::vector<double> min_slack(static_cast<std::size_t>(width) + 1);
  std::vector<char> used(static_cast<std::size_t>(width) + 1);
  for (index_t i = 1; i <= rows; ++i) {
    row_of[0] = i;
    index_t j0 = 0;
    std::fill(min_slack.begin(), min_slack.end(), inf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const index_t i0 = row_of[j0];
      const double* row = c.data() + (i0 - 1) * cols;
      const index_t slot = cols + i0;  // the row's own diagonal slot; the other slots are not allowed
      if (!used[slot]) {
        const double cur = dx[i0 - 1] + shift - u[i0] - v[slot];
        if (cur < min_slack[slot]) {
          min_slack[slot] = cur;
          way[slot] = j0;
        }
      }
      // Relax the row's columns and pick the next column: the smallest slack; among equal slacks
      // a free column, which ends the path.
      double delta = inf;
      index_t j1 = 0;
      auto consider = [&](index_t j) {
        if (min_slack[j] < delta || (min_slack[j] == delta && row_of[j] == 0 && row_of[j1] != 0)) {
          delta = min_slack[j];
          j1 = j;
        }
      };
      const double base = shift - u[i0];
      for (index_t j = 1; j <= cols; ++j) {
        if (used[j]) continue;
        const double cur = row[j - 1] - dy[j - 1] + base - v[j];
        if (cur < min_slack[j]) {
          min_slack[j] = cur;
          way[j] = j0;
        }
        consider(j);
      }
      for (index_t j = cols + 1; j <= width; ++j)
        if (!used[j]) consider(j);
      for (index_t j = 0; j <= width; ++j) {
        if (used[j]) {
          u[row_of[j]] += delta;
          v[j] -= delta;
        } else {
          min_slack[j] -= delta;
        }
      }
      j0 = j1;
    } while (row_of[j0] != 0);
    do {
      const index_t j1 = way[j0];
      row_of[j0] = row_of[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<index_t> column_of(static_cast<std::size_t>(rows));
  for (index_t j = 1; j <= width; ++j)
    if (row_of[j] != 0) column_of[row_of[j] - 1] = j - 1;
  return column_of;
}

}  // namespace

template <class T>
T ground_distance(const DiagramPoint<T>& a, const DiagramPoint<T>& b) {
  if (a.essential() || b.essential()) {
    return a.essential() && b.essential() ? std::abs(a.birth - b.birth) : kInfinity<T>;
  }
  return std::max(std::abs(a.birth - b.birth), std::abs(a.death - b.death));
}

template <class T>
T diagonal_distance(const DiagramPoint<T>& a) {
  return a.essential() ? kInfinity<T> : (a.death - a.birth) / 2;
}

template <class T>
T matched_cost(const std::vector<DiagramPoint<T>>& a, const std::vector<DiagramPoint<T>>& b,
               std::pair<index_t, index_t> pair) {
  const auto [i, j] = pair;
  if (i < -1 || j < -1 || i >= static_cast<index_t>(a.size()) || j >= static_cast<index_t>(b.size()) ||
      (i < 0 && j < 0)) {
    throw std::invalid_argument("matched_cost: pair (" + std::to_string(i) + ", " + std::to_string(j) +
                                ") is out of range for diagrams of " + std::to_string(a.size()) + " and " +
                                std::to_string(b.size()) + " points");
  }
  if (i < 0) return diagonal_distance(b[j]);
  if (j < 0) return diagonal_distance(a[i]);
  return ground_distance(a[i], b[j]);
}

template <class T>
DiagramMatching<T> bottleneck_matching(const std::vector<DiagramPoint<T>>& a, const std::vector<DiagramPoint<T>>& b) {
  const SplitDiagram sa = split_checked(a, "bottleneck_distance", "first diagram point");
  const SplitDiagram sb = split_checked(b, "bottleneck_distance", "second diagram point");
  BottleneckGraph<T> g;
  const index_t n = g.n = static_cast<index_t>(sa.finite.size());
  const index_t m = g.m = static_cast<index_t>(sb.finite.size());
  g.cost.resize(static_cast<std::size_t>(n * m));
  g.cost_t.resize(static_cast<std::size_t>(n * m));
  for (index_t i = 0; i < n; ++i) g.diag_a.push_back(diagonal_distance(a[sa.finite[i]]));
  for (index_t j = 0; j < m; ++j) g.diag_b.push_back(diagonal_distance(b[sb.finite[j]]));
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < m; ++j)
      g.cost_t[j * n + i] = g.cost[i * m + j] = ground_distance(a[sa.finite[i]], b[sb.finite[j]]);

  // Every point must travel at least min(own diagonal, nearest point) (lower bound); sending all
  // to the diagonal is always possible (upper bound). The answer is a candidate cost in between.
  T lower = 0, upper = 0;
  for (index_t i = 0; i < n; ++i) {
    T best = g.diag_a[i];
    for (index_t j = 0; j < m; ++j) best = std::min(best, g.cost[i * m + j]);
    lower = std::max(lower, best);
    upper = std::max(upper, g.diag_a[i]);
  }
  for (index_t j = 0; j < m; ++j) {
    T best = g.diag_b[j];
    for (index_t i = 0; i < n; ++i) best = std::min(best, g.cost_t[j * n + i]);
    lower = std::max(lower, best);
    upper = std::max(upper, g.diag_b[j]);
  }
  std::vector<T> candidates{lower, upper};
  for (const auto* values : {&g.cost, &g.diag_a, &g.diag_b})
    for (const T c : *values)
      if (c > lower && c < upper) candidates.push_back(c);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

  std::size_t lo = 0, hi = candidates.size() - 1;  // candidates[hi] is feasible
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (g.feasible(candidates[mid])) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  const std::vector<index_t> partner = g.augmented_matching(candidates[hi]);

  DiagramMatching<T> result;
  for (index_t u = 0; u < n; ++u) {
    const index_t v = partner[u];
    result.pairs.emplace_back(sa.finite[u], v < m ? sb.finite[v] : -1);
  }
  for (index_t j = 0; j < m; ++j)
    if (partner[n + j] == j) result.pairs.emplace_back(-1, sb.finite[j]);
  match_essential(sa, sb, result.pairs);
  set_longest(a, b, result);
  result.distance = result.longest >= 0 ? matched_cost(a, b, result.pairs[result.longest]) : T(0);
  return result;
}

template <class T>
T bottleneck_distance(const std::vector<DiagramPoint<T>>& a, const std::vector<DiagramPoint<T>>& b) {
  return bottleneck_matching(a, b).distance;
}

template <class T>
DiagramMatching<T> wasserstein_matching(const std::vector<DiagramPoint<T>>& a, const std::vector<DiagramPoint<T>>& b,
                                        double p) {
  if (!(p >= 1)) {
    std::ostringstream msg;
    msg << "wasserstein_distance: order p must be >= 1 (or +inf for the bottleneck distance), got " << p;
    throw std::invalid_argument(msg.str());
  }
  if (std::isinf(p)) return bottleneck_matching(a, b);
  const SplitDiagram sa = split_checked(a, "wasserstein_distance", "first diagram point");
  const SplitDiagram sb = split_checked(b, "wasserstein_distance", "second diagram point");
  const index_t n = static_cast<index_t>(sa.finite.size()), m = static_cast<index_t>(sb.finite.size());
  auto power = [p](double x) { return p == 1 ? x : p == 2 ? x * x : std::pow(x, p); };

  // Rows: the smaller diagram (x), columns: the other one (y).
  const bool swap = n > m;
  const SplitDiagram& sx = swap ? sb : sa;
  const SplitDiagram& sy = swap ? sa : sb;
  const auto& x = swap ? b : a;
  const auto& y = swap ? a : b;
  const index_t rows = static_cast<index_t>(sx.finite.size()), cols = static_cast<index_t>(sy.finite.size());
  std::vector<double> cost(static_cast<std::size_t>(rows * cols)), dx(static_cast<std::size_t>(rows)),
      dy(static_cast<std::size_t>(cols));
  for (index_t r = 0; r < rows; ++r) dx[r] = power(double(diagonal_distance(x[sx.finite[r]])));
  for (index_t j = 0; j < cols; ++j) dy[j] = power(double(diagonal_distance(y[sy.finite[j]])));
  for (index_t r = 0; r < rows; ++r)
    for (index_t j = 0; j < cols; ++j) cost[r * cols + j] = power(double(ground_distance(x[sx.finite[r]], y[sy.finite[j]])));

  const std::vector<index_t> column_of = hungarian_rectangular(rows, cols, cost, dx, dy);
  std::vector<std::pair<index_t, index_t>> xy;  // (x index, y index), -1 = diagonal
  std::vector<char> taken(static_cast<std::size_t>(cols), 0);
  for (index_t r = 0; r < rows; ++r) {
    const index_t col = column_of[r];
    if (col < cols) {
      taken[col] = 1;
      xy.emplace_back(sx.finite[r], sy.finite[col]);
    } else {
      xy.emplace_back(sx.finite[r], -1);
    }
  }
  for (index_t j = 0; j < cols; ++j)
    if (!taken[j]) xy.emplace_back(-1, sy.finite[j]);

  DiagramMatching<T> result;
  for (const auto& [i, j] : xy) result.pairs.push_back(swap ? std::make_pair(j, i) : std::make_pair(i, j));
  match_essential(sa, sb, result.pairs);
  set_longest(a, b, result);
  double total = 0;
  for (const auto& pair : result.pairs) total += power(double(matched_cost(a, b, pair)));
  result.distance = static_cast<T>(std::isinf(total) ? total : std::pow(total, 1.0 / p));
  return result;
}

template <class T>
T wasserstein_distance(const std::vector<DiagramPoint<T>>& a, const std::vector<DiagramPoint<T>>& b, double p) {
  return wasserstein_matching(a, b, p).distance;
}

#define TOPOEMBED_INSTANTIATE(T)                                                                                  \
  template T ground_distance(const DiagramPoint<T>&, const DiagramPoint<T>&);                                     \
  template T diagonal_distance(const DiagramPoint<T>&);                                                           \
  template T matched_cost(const std::vector<DiagramPoint<T>>&, const std::vector<DiagramPoint<T>>&,               \
                          std::pair<index_t, index_t>);                                                           \
  template DiagramMatching<T> bottleneck_matching(const std::vector<DiagramPoint<T>>&,                            \
                                                  const std::vector<DiagramPoint<T>>&);                           \
  template T bottleneck_distance(const std::vector<DiagramPoint<T>>&, const std::vector<DiagramPoint<T>>&);       \
  template DiagramMatching<T> wasserstein_matching(const std::vector<DiagramPoint<T>>&,                           \
                                                   const std::vector<DiagramPoint<T>>&, double);                  \
  template T wasserstein_distance(const std::vector<DiagramPoint<T>>&, const std::vector<DiagramPoint<T>>&, double);
TOPOEMBED_INSTANTIATE(float)
TOPOEMBED_INSTANTIATE(double)
#undef TOPOEMBED_INSTANTIATE

}  // namespace topoembed::ph
