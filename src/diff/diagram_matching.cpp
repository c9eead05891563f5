// Optimal diagram matchings (see detail/diagram_matching.hpp). Kept free of LibTorch so it
// compiles fast and can be tested on plain numbers.
#include "detail/diagram_matching.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace topoembed::diff::detail {

double point_cost(const DiagramPoint& x, const DiagramPoint& y) {
  return std::max(std::abs(x.birth - y.birth), std::abs(x.death - y.death));
}

double diagonal_cost(const DiagramPoint& x) { return std::abs(x.death - x.birth) / 2; }

namespace {

// Square cost matrix of the reduction: rows = A then n diagonal slots... see header. Row i < n is
// a_i, row n + j is the diagonal slot of b_j; column j < m is b_j, column m + i the slot of a_i.
std::vector<double> reduction_costs(const std::vector<DiagramPoint>& a, const std::vector<DiagramPoint>& b,
                                    double p) {
  const std::size_t n = a.size(), m = b.size(), s = n + m;
  std::vector<double> c(s * s, 0.0);
  const auto power = [p](double v) { return p == 1.0 ? v : std::pow(v, p); };
  for (std::size_t i = 0; i < s; ++i) {
    for (std::size_t j = 0; j < s; ++j) {
      double v = 0.0;
      if (i < n && j < m) v = power(point_cost(a[i], b[j]));
      else if (i < n) v = power(diagonal_cost(a[i]));
      else if (j < m) v = power(diagonal_cost(b[j]));
      c[i * s + j] = v;
    }
  }
  return c;
}

std::vector<MatchedPair> pairs_from_assignment(const std::vector<std::int64_t>& col_of_row, std::size_t n,
                                               std::size_t m) {
  std::vector<MatchedPair> out;
  for (std::size_t i = 0; i < col_of_row.size(); ++i) {
    const auto j = static_cast<std::size_t>(col_of_row[i]);
    const bool row_real = i < n, col_real = j < m;
    if (!row_real && !col_real) continue;
    out.push_back({row_real ? std::int64_t(i) : -1, col_real ? std::int64_t(j) : -1});
  }
  return out;
}

// Hungarian algorithm with potentials (Kuhn–Munkres, shortest augmenting path form), O(s^3).
std::vector<std::int64_t> hungarian(const std::vector<double>& cost, std::size_t s) {
  const double inf = std::numeric_limits<double>::infinity();
  // 1-based arrays as in the classical formulation; column 0 is a virtual start.
  std::vector<double> u(s + 1, 0.0), v(s + 1, 0.0);
  std::vector<std::size_t> row_of_col(s + 1, 0), way(s + 1, 0);
  for (std::size_t i = 1; i <= s; ++i) {
    row_of_col[0] = i;
    std::size_t j0 = 0;
    std::vector<double> minv(s + 1, inf);
    std::vector<char> used(s + 1, 0);
    do {
      used[j0] = 1;
      const std::size_t i0 = row_of_col[j0];
      double delta = inf;
      std::size_t j1 = 0;
      for (std::size_t j = 1; j <= s; ++j) {
        if (used[j]) continue;
        const double cur = cost[(i0 - 1) * s + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (std::size_t j = 0; j <= s; ++j) {
        if (used[j]) {
          u[row_of_col[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (row_of_col[j0] != 0);
    do {
      const std::size_t j1 = way[j0];
      row_of_col[j0] = row_of_col[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<std::int64_t> col_of_row(s, -1);
  for (std::size_t j = 1; j <= s; ++j) col_of_row[row_of_col[j] - 1] = std::int64_t(j - 1);
  return col_of_row;
}

// Hopcroft–Karp on the graph {(i, j) : cost(i, j) <= t}; returns the assignment if perfect.
bool perfect_matching_below(const std::vector<double>& cost, std::size_t s, double t,
                            std::vector<std::int64_t>& col_of_row) {
  std::vector<std::vector<std::size_t>> adj(s);
  for (std::size_t i = 0; i < s; ++i)
    for (std::size_t j = 0; j < s; ++j)
      if (cost[i * s + j] <= t) adj[i].push_back(j);
  const std::int64_t none = -1;
  std::vector<std::int64_t> match_row(s, none), match_col(s, none);
  std::vector<std::int64_t> dist(s);
  std::size_t matched = 0;
  const auto bfs = [&]() {
    std::queue<std::size_t> q;
    bool found = false;
    for (std::size_t i = 0; i < s; ++i) {
      if (match_row[i] == none) {
        dist[i] = 0;
        q.push(i);
      } else {
        dist[i] = -1;
      }
    }
    while (!q.empty()) {
      const std::size_t i = q.front();
      q.pop();
      for (std::size_t j : adj[i]) {
        const std::int64_t r = match_col[j];
        if (r == none) {
          found = true;
        } else if (dist[static_cast<std::size_t>(r)] < 0) {
          dist[static_cast<std::size_t>(r)] = dist[i] + 1;
          q.push(static_cast<std::size_t>(r));
        }
      }
    }
    return found;
  };
  // Iterative-depth DFS is unnecessary at diagram sizes; recursion depth <= s.
  std::vector<std::size_t> next(s);
  const auto dfs = [&](auto&& self, std::size_t i) -> bool {
    for (; next[i] < adj[i].size(); ++next[i]) {
      const std::size_t j = adj[i][next[i]];
      const std::int64_t r = match_col[j];
      if (r == none || (dist[static_cast<std::size_t>(r)] == dist[i] + 1 && self(self, static_cast<std::size_t>(r)))) {
        match_row[i] = std::int64_t(j);
        match_col[j] = std::int64_t(i);
        return true;
      }
    }
    dist[i] = -1;
    return false;
  };
  while (bfs()) {
    std::fill(next.begin(), next.end(), 0);
    for (std::size_t i = 0; i < s; ++i)
      if (match_row[i] == none && dfs(dfs, i)) ++matched;
  }
  if (matched != s) return false;
  col_of_row = match_row;
  return true;
}

}  // namespace

std::vector<MatchedPair> wasserstein_matching(const std::vector<DiagramPoint>& a,
                                              const std::vector<DiagramPoint>& b, double p) {
  const std::size_t s = a.size() + b.size();
  if (s == 0) return {};
  return pairs_from_assignment(hungarian(reduction_costs(a, b, p), s), a.size(), b.size());
}

std::vector<MatchedPair> bottleneck_matching(const std::vector<DiagramPoint>& a,
                                             const std::vector<DiagramPoint>& b) {
  const std::size_t s = a.size() + b.size();
  if (s == 0) return {};
  const std::vector<double> cost = reduction_costs(a, b, 1.0);
  std::vector<double> candidates(cost);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  // The largest candidate always admits a perfect matching (complete graph).
  std::size_t lo = 0, hi = candidates.size() - 1;
  std::vector<std::int64_t> best;
  perfect_matching_below(cost, s, candidates[hi], best);
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    std::vector<std::int64_t> trial;
    if (perfect_matching_below(cost, s, candidates[mid], trial)) {
      hi = mid;
      best = std::move(trial);
    } else {
      lo = mid + 1;
    }
  }
  return pairs_from_assignment(best, a.size(), b.size());
}

}  // namespace topoembed::diff::detail
