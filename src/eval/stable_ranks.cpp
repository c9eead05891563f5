// Partial stable argsort (selection + small sort) and rank queries by bucket counting.
#include "detail/stable_ranks.hpp"

#include <algorithm>

namespace topoembed::eval::detail {

namespace {

constexpr std::int64_t kChunk = 256;

}  // namespace

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
                  std::vector<std::int64_t>& ranks, RankScratch& s) {
  const std::size_t m = queries.size();
  ranks.assign(m, 0);
  if (m == 0) return;
  s.order.resize(m);
  for (std::size_t u = 0; u < m; ++u) s.order[u] = static_cast<std::int64_t>(u);
  std::sort(s.order.begin(), s.order.end(), [&](std::int64_t a, std::int64_t b) {
    const std::int64_t qa = queries[static_cast<std::size_t>(a)];
    const std::int64_t qb = queries[static_cast<std::size_t>(b)];
    return stable_less(values[qa], qa, values[qb], qb);
  });
  const double lo = values[queries[static_cast<std::size_t>(s.order.front())]];
  const double hi = values[queries[static_cast<std::size_t>(s.order.back())]];
  // Buckets 1..B cover [lo, hi]; 0 holds the entries below lo, B + 1 those above hi.
  std::int32_t buckets = 16;
  while (buckets < 8 * static_cast<std::int64_t>(m) && buckets < 8192) buckets *= 2;
  double scale = hi > lo ? static_cast<double>(buckets) / (hi - lo) : 0.0;
  if (!(scale < 1e300)) scale = 0.0;  // a (sub)normal-tiny range: one bucket, still exact
  const double top = static_cast<double>(buckets - 1);
  const double above = static_cast<double>(buckets);
  // Monotone in v: v <= w implies bucket(v) <= bucket(w), so an entry in a lower bucket than a
  // query is smaller and one in a higher bucket larger; only equal buckets need comparing.
  const auto bucket_position = [=](double v) {
    double g = (v - lo) * scale;
    g = g < top ? g : top;
    g = v < lo ? -1.0 : g;
    return v > hi ? above : g;
  };
  s.query_bucket.resize(m);
  s.query_value.resize(m);
  s.query_index.resize(m);
  for (std::size_t t = 0; t < m; ++t) {
    const std::int64_t q = queries[static_cast<std::size_t>(s.order[t])];
    s.query_index[t] = q;
    s.query_value[t] = values[q];
    s.query_bucket[t] = static_cast<std::int32_t>(bucket_position(values[q])) + 1;
  }
  s.first_query.assign(static_cast<std::size_t>(buckets) + 3, 0);
  for (std::size_t t = 0; t < m; ++t) ++s.first_query[static_cast<std::size_t>(s.query_bucket[t]) + 1];
  for (std::size_t b = 1; b < s.first_query.size(); ++b) s.first_query[b] += s.first_query[b - 1];
  s.count.assign(static_cast<std::size_t>(buckets) + 2, 0);
  s.less.assign(m, 0);
  s.entry_bucket.resize(static_cast<std::size_t>(kChunk));
  s.position.resize(static_cast<std::size_t>(kChunk));
  const std::int32_t* first = s.first_query.data();
  std::int32_t* count = s.count.data();
  std::int32_t* eb = s.entry_bucket.data();
  double* pos = s.position.data();
  for (std::int64_t c0 = 0; c0 < n; c0 += kChunk) {
    const std::int64_t len = std::min(kChunk, n - c0);
    const double* v = values + c0;
    for (std::int64_t l = 0; l < len; ++l) pos[l] = bucket_position(v[l]);
    for (std::int64_t l = 0; l < len; ++l) eb[l] = static_cast<std::int32_t>(pos[l]) + 1;
    for (std::int64_t l = 0; l < len; ++l) {
      const std::int32_t b = eb[l];
      ++count[b];
      if (first[b] != first[b + 1]) {
        for (std::int32_t t = first[b]; t < first[b + 1]; ++t) {
          const auto tt = static_cast<std::size_t>(t);
          if (stable_less(v[l], c0 + l, s.query_value[tt], s.query_index[tt])) ++s.less[tt];
        }
      }
    }
  }
  // rank = entries in lower buckets + entries of the query's bucket before it.
  std::int64_t below = 0;
  std::int32_t b = 0;
  for (std::size_t t = 0; t < m; ++t) {
    for (; b < s.query_bucket[t]; ++b) below += count[b];
    ranks[static_cast<std::size_t>(s.order[t])] = below + s.less[t];
  }
}

}  // namespace topoembed::eval::detail
