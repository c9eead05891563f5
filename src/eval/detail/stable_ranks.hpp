#pragma once
// Ranks in a stable argsort of one distance row without sorting the row: the measures need the
// first k_max + 1 positions and the ranks of a few hundred other indices.

#include <cstdint>
#include <vector>

namespace topoembed::eval::detail {

// (value, index) pairs ordered as a stable argsort orders them.
inline bool stable_less(double a, std::int64_t ia, double b, std::int64_t ib) {
  return a < b || (a == b && ia < ib);
}

// The first m positions of the stable argsort of values[0..n) (m <= n), in order.
// `scratch` is reused between calls. O(n) expected (selection, then a sort of m entries).
void stable_smallest(const double* values, std::int64_t n, std::int64_t m,
                     std::vector<double>& scratch, std::vector<std::int64_t>& out);

// Reused buffers of stable_ranks.
struct RankScratch {
  std::vector<std::int64_t> order;        // queries sorted by (value, index)
  std::vector<double> query_value;         // values[queries[order[t]]]
  std::vector<std::int64_t> query_index;   // queries[order[t]]
  std::vector<std::int32_t> query_bucket;  // bucket of order[t]
  std::vector<std::int32_t> first_query;   // per bucket: first t with query_bucket[t] >= bucket
  std::vector<std::int32_t> count;         // entries per bucket
  std::vector<std::int64_t> less;          // per t: entries in its bucket before order[t]
  std::vector<std::int32_t> entry_bucket;  // one chunk of the row
  std::vector<double> position;            // one chunk of the row
};

// ranks[t] = #{l : (values[l], l) < (values[q_t], q_t)} for the distinct indices q in
// `queries`: the position of q_t in the stable argsort. One pass over the row: each entry is
// put in one of ~8 |queries| value buckets between the smallest and the largest query by a
// monotone map (so a lower bucket means a smaller value), the buckets are counted, and only
// entries that share a bucket with a query are compared with it exactly.
void stable_ranks(const double* values, std::int64_t n, const std::vector<std::int64_t>& queries,
                  std::vector<std::int64_t>& ranks, RankScratch& scratch);

}  // namespace topoembed::eval::detail
