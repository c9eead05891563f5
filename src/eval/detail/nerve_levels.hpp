#pragma once
// Level-wise (Apriori-style) enumeration of chart sets for the nerves in nerve.cpp: the candidates
// of size m + 1 are the sets all of whose m-facets were listed at size m. A set F = P ∪ {a}
// (listed, a its largest chart) is extended by every b > a with P ∪ {b} listed and every other
// facet listed; the extensions of one F share the product over F, which the fuzzy nerve computes
// once per group.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_set>
#include <vector>

#include "topoembed/ph/types.hpp"

namespace topoembed::eval::detail {

using ChartSet = std::vector<ph::vertex_t>;

struct ChartSetHash {
  std::size_t operator()(const ChartSet& s) const {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a over the chart indices
    for (const auto v : s) {
      h ^= static_cast<std::uint64_t>(v);
      h *= 1099511628211ull;
    }
    return static_cast<std::size_t>(h);
  }
};

// The extensions of listed[prefix]: the candidates listed[prefix] ∪ {b} for b in extensions.
struct CandidateGroup {
  std::size_t prefix = 0;
  std::vector<ph::vertex_t> extensions;
};

// The candidates of size m + 1 from `listed`, the listed sets of size m ≥ 1 (each sorted
// increasingly, the list lexicographically), grouped by their first m charts; groups and
// extensions come in lexicographic order, so the candidates do too.
inline std::vector<CandidateGroup> next_level_candidates(const std::vector<ChartSet>& listed) {
  std::vector<CandidateGroup> groups;
  if (listed.empty()) return groups;
  const std::size_t m = listed.front().size();
  const std::unordered_set<ChartSet, ChartSetHash> is_listed(listed.begin(), listed.end());
  ChartSet facet(m);
  // Runs of sets sharing their first m − 1 charts are contiguous in lexicographic order.
  std::size_t run_begin = 0;
  while (run_begin < listed.size()) {
    std::size_t run_end = run_begin + 1;
    while (run_end < listed.size() &&
           std::equal(listed[run_begin].begin(), listed[run_begin].end() - 1, listed[run_end].begin()))
      ++run_end;
    for (std::size_t i = run_begin; i < run_end; ++i) {
      CandidateGroup group;
      group.prefix = i;
      const ChartSet& f = listed[i];
      for (std::size_t other = i + 1; other < run_end; ++other) {
        const ph::vertex_t b = listed[other].back();
        // S = f ∪ {b}: its facets without b (f) and without f's last chart (listed[other]) are
        // listed; check the ones without each of the first m − 1 charts.
        bool all = true;
        for (std::size_t drop = 0; drop + 1 < m && all; ++drop) {
          std::size_t w = 0;
          for (std::size_t t = 0; t < m; ++t)
            if (t != drop) facet[w++] = f[t];
          facet[m - 1] = b;
          all = is_listed.count(facet) > 0;
        }
        if (all) group.extensions.push_back(b);
      }
      if (!group.extensions.empty()) groups.push_back(std::move(group));
    }
    run_begin = run_end;
  }
  return groups;
}

}  // namespace topoembed::eval::detail
