// Partial stable argsort (selection + small sort) and rank queries by bucket counting.
#include "detail/stable_ranks.hpp"

#include <algorithm>
#include <limits>

namespace topoembed::eval::detail {

void stable_smallest(const double* values, std::int64_t n, std::int64_t m,
                     std::vector<double>& scratch, std::vector<std::int64_t>& out) {
  out.clear();
  if (m <= 0) return;
  m = std::min(m, n);
  const auto by_stable_order = [values](std::int64_t a, std::int64_t b) {
    return stable_less(values[a], a, values[b], b);
  };
  if (n >= 16 * m && n >= 256) {
    // Guess a threshold from a strided sample (about twice the needed quantile), keep the
    // entries at or below it, and select among those. If fewer than m pass, fall through.
    const std::int64_t samples = std::min<std::int64_t>(n / 4, 1024);
    const std::int64_t stride = n / samples;
    scratch.resize(static_cast<std::size_t>(samples));
    for (std::int64_t t = 0; t < samples; ++t) scratch[t] = values[t * stride];
    const std::int64_t q = std::min<std::int64_t>(samples - 1, (2 * m * samples + n - 1) / n + 8);
    std::nth_element(scratch.begin(), scratch.begin() + q, scratch.end());
    const double guess = scratch[static_cast<std::size_t>(q)];
    for (std::int64_t l = 0; l < n; ++l) {
      if (values[l] <= guess) out.push_back(l);
    }
    if (static_cast<std::int64_t>(out.size()) >= m) {
      // The m smallest all lie at or below the guess, since at least m entries do.
      std::nth_element(out.begin(), out.begin() + (m - 1), out.end(), by_stable_order);
      out.resize(static_cast<std::size_t>(m));
      std::sort(out.begin(), out.end(), by_stable_order);
      return;
    }
    out.clear();
  }
  scratch.assign(values, values + n);
  std::nth_element(scratch.begin(), scratch.begin() + (m - 1), scratch.end());
  const double threshold = scratch[static_cast<std::size_t>(m - 1)];
  // Everything below the m-th value, then ties at it in index order (the stable rule).
  for (std::int64_t l = 0; l < n; ++l) {
    if (values[l] < threshold) out.push_back(l);
  }
  for (std::int64_t l = 0; l < n && static_cast<std::int64_t>(out.size()) < m; ++l) {
    if (values[l] == threshold) out.push_back(l);
  }
  std::sort(out.begin(), out.end(), by_stable_order);
}

void stable_ranks(const double* values, std::int64_t n, const std::vector<std::int64_t>& queries,
                  std::vector<std::int64_t>& ranks,
                  std::vector<std::pair<double, std::int64_t>>& sorted,
                  std::vector<std::int64_t>& hist) {
  const std::size_t m = queries.size();
  ranks.assign(m, 0);
  if (m == 0) return;
  sorted.clear();
  for (std::int64_t q : queries) sorted.emplace_back(values[q], q);
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return stable_less(a.first, a.second, b.first, b.second);
  });
  // hist[b] counts the entries e with exactly b queries <= e; then e < q_t iff b <= t.
  hist.assign(m + 1, 0);
  const double lo = sorted.front().first;
  const double hi = sorted.back().first;
  // Padded to a power of two with +inf sentinels for a branch-free binary search.
  std::size_t padded = 1;
  while (padded < m) padded *= 2;
  sorted.resize(padded, {std::numeric_limits<double>::infinity(),
                         std::numeric_limits<std::int64_t>::max()});
  const auto* q = sorted.data();
  std::int64_t below = 0;
  for (std::int64_t l = 0; l < n; ++l) {
    const double v = values[l];
    if (v < lo) {
      ++below;
    } else if (v <= hi) {
      std::size_t pos = 0;  // number of queries <= (v, l)
      for (std::size_t step = padded / 2; step > 0; step /= 2) {
        const auto& c = q[pos + step - 1];
        pos += stable_less(v, l, c.first, c.second) ? 0 : step;
      }
      if (!stable_less(v, l, q[pos].first, q[pos].second) && pos < m) ++pos;
      ++hist[pos];
    }
  }
  sorted.resize(m);
  hist[0] += below;
  std::int64_t running = 0;
  std::vector<std::int64_t> rank_of_sorted(m);
  for (std::size_t t = 0; t < m; ++t) {
    running += hist[t];
    rank_of_sorted[t] = running;
  }
  for (std::size_t u = 0; u < m; ++u) {
    const std::pair<double, std::int64_t> key{values[queries[u]], queries[u]};
    const auto it = std::lower_bound(sorted.begin(), sorted.end(), key,
                                     [](const auto& a, const auto& b) {
                                       return stable_less(a.first, a.second, b.first, b.second);
                                     });
    ranks[u] = rank_of_sorted[static_cast<std::size_t>(it - sorted.begin())];
  }
}

}  // namespace topoembed::eval::detail
