#pragma once
// Ranks in a stable argsort of one distance row without sorting the row: the measures need the
// first k_max + 1 positions and the ranks of a few hundred other indices.

#include <cstdint>
#include <utility>
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

// ranks[t] = #{l : (values[l], l) < (values[q_t], q_t)} for the distinct indices q in
// `queries`: the position of q_t in the stable argsort. One pass over the row plus a binary
// search among the queries for the entries that fall between them.
void stable_ranks(const double* values, std::int64_t n, const std::vector<std::int64_t>& queries,
                  std::vector<std::int64_t>& ranks,
                  std::vector<std::pair<double, std::int64_t>>& scratch_sorted,
                  std::vector<std::int64_t>& scratch_hist);

}  // namespace topoembed::eval::detail
