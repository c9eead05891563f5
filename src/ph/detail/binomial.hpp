#pragma once
// Binomial coefficients C(v, k) for v <= n, k <= max_k: the combinatorial number system that
// indexes a simplex {v_k > ... > v_0} by C(v_k, k+1) + ... + C(v_0, 1).

#include <stdexcept>
#include <string>
#include <vector>

#include "topoembed/ph/types.hpp"

namespace topoembed::ph::detail {

class BinomialTable {
 public:
  // Throws std::overflow_error if C(n, max_k) does not fit below 2^56 (the low 56 bits of an
  // entry hold the index, the high 8 the coefficient).
  BinomialTable(index_t n, int max_k) : n_(n + 1), table_(static_cast<std::size_t>((max_k + 1) * (n + 1)), 0) {
    for (index_t v = 0; v <= n; ++v) {
      at(v, 0) = 1;
      for (int k = 1; k <= max_k; ++k) {
        if (v == 0) continue;
        const index_t value = at(v - 1, k - 1) + (k <= v - 1 ? at(v - 1, k) : 0);
        if (value < 0 || value >= (index_t(1) << 56)) {
          throw std::overflow_error("rips_persistence: " + std::to_string(n) +
                                    " points are too many for simplices of " + std::to_string(max_k) +
                                    " vertices (their index overflows 56 bits)");
        }
        at(v, k) = k <= v ? value : 0;
      }
    }
  }
  index_t operator()(index_t v, int k) const { return table_[static_cast<std::size_t>(k * n_ + v)]; }

 private:
  index_t& at(index_t v, int k) { return table_[static_cast<std::size_t>(k * n_ + v)]; }
  index_t n_;
  std::vector<index_t> table_;
};

}  // namespace topoembed::ph::detail
