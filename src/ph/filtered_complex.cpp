// Filtered simplicial complexes: validation, filtration order, boundary matrix, and persistence by
// the standard column reduction with clearing (twist) over Z/2 or Z/p.
#include "topoembed/ph/filtered_complex.hpp"

#include <algorithm>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace topoembed::ph {

namespace {

constexpr std::uint32_t kMaxModulus = 2147483647u;  // 2^31 - 1: products of residues fit in 64 bits
constexpr int kMaxDimension = 1 << 16;              // bounds the Betti vector, far above any real use

bool is_prime(std::uint32_t p) {
  if (p < 2) return false;
  for (std::uint64_t d = 2; d * d <= p; ++d)
    if (p % d == 0) return false;
  return true;
}

std::uint32_t mul_mod(std::uint32_t a, std::uint32_t b, std::uint32_t p) {
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(a) * b % p);
}

// a^(p-2) = a^-1 in Z/p (Fermat), a != 0.
std::uint32_t inverse_mod(std::uint32_t a, std::uint32_t p) {
  std::uint32_t result = 1, base = a % p;
  for (std::uint32_t e = p - 2; e > 0; e >>= 1) {
    if (e & 1u) result = mul_mod(result, base, p);
    base = mul_mod(base, base, p);
  }
  return result;
}

std::string format_vertices(const vertex_t* v, std::size_t n) {
  std::ostringstream out;
  out << '{';
  for (std::size_t i = 0; i < n; ++i) out << (i ? ", " : "") << v[i];
  out << '}';
  return out.str();
}

std::string format_value(double x) {
  std::ostringstream out;
  out.precision(17);
  out << x;
  return out.str();
}

// Lexicographic comparison of two vertex lists of equal length.
bool lex_less(const vertex_t* a, const vertex_t* b, std::size_t n) {
  return std::lexicographical_compare(a, a + n, b, b + n);
}

// Column reduction with clearing. Columns and rows are filtration positions; dimensions are
// processed from the top down so that a column whose simplex is already a pivot (a positive
// simplex paired with a higher one) is skipped without reduction (Chen–Kerber's twist).
// Returns low[j]: the pivot row of reduced column j, or -1 for a zero (or cleared) column.
class BoundaryReduction {
 public:
  BoundaryReduction(const std::vector<index_t>& facet_offsets, const std::vector<index_t>& facet_rows,
                    const std::vector<std::uint8_t>& facet_odd, std::uint32_t modulus)
      : offsets_(facet_offsets), rows_(facet_rows), odd_(facet_odd), p_(modulus) {}

  std::vector<index_t> run(const std::vector<std::vector<index_t>>& columns_by_dim, index_t n) {
    low_.assign(static_cast<std::size_t>(n), -1);
    pivot_column_.assign(static_cast<std::size_t>(n), -1);
    start_.assign(static_cast<std::size_t>(n), -1);
    length_.assign(static_cast<std::size_t>(n), 0);
    for (std::size_t d = columns_by_dim.size(); d-- > 1;) {
      for (const index_t j : columns_by_dim[d]) {
        if (pivot_column_[j] >= 0) continue;  // clearing: column j reduces to zero
        if (p_ == 2) {
          reduce_z2(j);
        } else {
          reduce_zp(j);
        }
      }
    }
    return std::move(low_);
  }

 private:
  void reduce_z2(index_t j) {
    work_rows_.assign(rows_.begin() + offsets_[j], rows_.begin() + offsets_[j + 1]);
    while (!work_rows_.empty()) {
      const index_t c = pivot_column_[work_rows_.back()];
      if (c < 0) break;
      // work += R_c over Z/2: symmetric difference of two increasing lists.
      const index_t* r = arena_rows_.data() + start_[c];
      const index_t* r_end = r + length_[c];
      scratch_rows_.clear();
      auto w = work_rows_.begin();
      while (w != work_rows_.end() && r != r_end) {
        if (*w < *r) {
          scratch_rows_.push_back(*w++);
        } else if (*r < *w) {
          scratch_rows_.push_back(*r++);
        } else {
          ++w;
          ++r;
        }
      }
      scratch_rows_.insert(scratch_rows_.end(), w, work_rows_.end());
      scratch_rows_.insert(scratch_rows_.end(), r, r_end);
      work_rows_.swap(scratch_rows_);
    }
    if (work_rows_.empty()) return;
    record_pivot(j);
    arena_rows_.insert(arena_rows_.end(), work_rows_.begin(), work_rows_.end());
  }

  void reduce_zp(index_t j) {
    work_rows_.assign(rows_.begin() + offsets_[j], rows_.begin() + offsets_[j + 1]);
    work_coeffs_.clear();
    for (index_t k = offsets_[j]; k < offsets_[j + 1]; ++k) work_coeffs_.push_back(odd_[k] ? p_ - 1 : 1);
    while (!work_rows_.empty()) {
      const index_t c = pivot_column_[work_rows_.back()];
      if (c < 0) break;
      // Stored columns have pivot coefficient 1, so work += (p - w_low) R_c clears the pivot.
      const std::uint32_t factor = p_ - work_coeffs_.back();
      const std::size_t r0 = static_cast<std::size_t>(start_[c]);
      const std::size_t r1 = r0 + static_cast<std::size_t>(length_[c]);
      scratch_rows_.clear();
      scratch_coeffs_.clear();
      std::size_t w = 0, r = r0;
      while (w < work_rows_.size() && r < r1) {
        if (work_rows_[w] < arena_rows_[r]) {
          scratch_rows_.push_back(work_rows_[w]);
          scratch_coeffs_.push_back(work_coeffs_[w++]);
        } else if (arena_rows_[r] < work_rows_[w]) {
          scratch_rows_.push_back(arena_rows_[r]);
          scratch_coeffs_.push_back(mul_mod(factor, arena_coeffs_[r++], p_));
        } else {
          const std::uint32_t sum = (work_coeffs_[w] + mul_mod(factor, arena_coeffs_[r], p_)) % p_;
          if (sum != 0) {
            scratch_rows_.push_back(work_rows_[w]);
            scratch_coeffs_.push_back(sum);
          }
          ++w;
          ++r;
        }
      }
      for (; w < work_rows_.size(); ++w) {
        scratch_rows_.push_back(work_rows_[w]);
        scratch_coeffs_.push_back(work_coeffs_[w]);
      }
      for (; r < r1; ++r) {
        scratch_rows_.push_back(arena_rows_[r]);
        scratch_coeffs_.push_back(mul_mod(factor, arena_coeffs_[r], p_));
      }
      work_rows_.swap(scratch_rows_);
      work_coeffs_.swap(scratch_coeffs_);
    }
    if (work_rows_.empty()) return;
    record_pivot(j);
    const std::uint32_t normalise = inverse_mod(work_coeffs_.back(), p_);
    arena_rows_.insert(arena_rows_.end(), work_rows_.begin(), work_rows_.end());
    for (const std::uint32_t c : work_coeffs_) arena_coeffs_.push_back(mul_mod(c, normalise, p_));
  }

  void record_pivot(index_t j) {
    low_[j] = work_rows_.back();
    pivot_column_[work_rows_.back()] = j;
    start_[j] = static_cast<index_t>(arena_rows_.size());
    length_[j] = static_cast<index_t>(work_rows_.size());
  }

  const std::vector<index_t>& offsets_;
  const std::vector<index_t>& rows_;
  const std::vector<std::uint8_t>& odd_;
  std::uint32_t p_;
  std::vector<index_t> low_, pivot_column_, start_, length_;
  // Reduced columns with a pivot, appended once and never changed.
  std::vector<index_t> arena_rows_;
  std::vector<std::uint32_t> arena_coeffs_;
  std::vector<index_t> work_rows_, scratch_rows_;
  std::vector<std::uint32_t> work_coeffs_, scratch_coeffs_;
};

}  // namespace

template <class T>
std::vector<SimplexPair<T>> ComplexPersistence<T>::dimension(int dim) const {
  std::vector<SimplexPair<T>> out;
  for (const auto& p : pairs)
    if (p.dim == dim) out.push_back(p);
  return out;
}

template <class T>
FilteredComplex<T>::FilteredComplex(const std::vector<std::vector<vertex_t>>& simplices,
                                    const std::vector<T>& values) {
  if (simplices.size() != values.size()) {
    throw std::invalid_argument("FilteredComplex: " + std::to_string(simplices.size()) + " simplices but " +
                                std::to_string(values.size()) + " filtration values, expected one value per simplex");
  }
  const index_t n = static_cast<index_t>(simplices.size());
  auto describe = [&](index_t i) {
    return "simplex " + std::to_string(i) + " " + format_vertices(simplices[i].data(), simplices[i].size());
  };

  // Vertices, sorted within each simplex.
  values_ = values;
  offsets_.reserve(static_cast<std::size_t>(n) + 1);
  for (index_t i = 0; i < n; ++i) {
    const auto& s = simplices[i];
    if (s.empty()) throw std::invalid_argument("FilteredComplex: simplex " + std::to_string(i) + " is empty, expected at least one vertex");
    if (!std::isfinite(static_cast<double>(values[i]))) {
      throw std::invalid_argument("FilteredComplex: " + describe(i) + " has value " + format_value(values[i]) +
                                  ", expected a finite number");
    }
    const std::size_t begin = vertices_.size();
    vertices_.insert(vertices_.end(), s.begin(), s.end());
    std::sort(vertices_.begin() + static_cast<std::ptrdiff_t>(begin), vertices_.end());
    if (vertices_[begin] < 0) {
      throw std::invalid_argument("FilteredComplex: " + describe(i) + " has vertex " + std::to_string(vertices_[begin]) +
                                  ", expected vertices >= 0");
    }
    const auto repeated = std::adjacent_find(vertices_.begin() + static_cast<std::ptrdiff_t>(begin), vertices_.end());
    if (repeated != vertices_.end()) {
      throw std::invalid_argument("FilteredComplex: " + describe(i) + " repeats vertex " + std::to_string(*repeated) +
                                  ", expected distinct vertices");
    }
    offsets_.push_back(static_cast<index_t>(vertices_.size()));
    top_dim_ = std::max(top_dim_, static_cast<int>(s.size()) - 1);
  }
  auto verts = [&](index_t i) { return vertices_.data() + offsets_[i]; };

  // Lexicographic order by (dimension, vertices): finds duplicates and faces by binary search.
  std::vector<index_t> lex(static_cast<std::size_t>(n));
  std::iota(lex.begin(), lex.end(), index_t{0});
  std::sort(lex.begin(), lex.end(), [&](index_t a, index_t b) {
    const int da = dimension(a), db = dimension(b);
    if (da != db) return da < db;
    if (lex_less(verts(a), verts(b), static_cast<std::size_t>(da) + 1)) return true;
    if (lex_less(verts(b), verts(a), static_cast<std::size_t>(da) + 1)) return false;
    return a < b;
  });
  std::vector<index_t> lex_rank(static_cast<std::size_t>(n));
  std::vector<index_t> dim_begin(static_cast<std::size_t>(top_dim_) + 2, n);
  for (index_t r = n; r-- > 0;) {
    lex_rank[lex[r]] = r;
    dim_begin[dimension(lex[r])] = r;
  }
  for (int d = top_dim_; d >= 0; --d) dim_begin[d] = std::min(dim_begin[d], dim_begin[d + 1]);
  for (index_t r = 1; r < n; ++r) {
    const index_t a = lex[r - 1], b = lex[r];
    const int d = dimension(a);
    if (d == dimension(b) && std::equal(verts(a), verts(a) + d + 1, verts(b))) {
      throw std::invalid_argument("FilteredComplex: " + describe(b) + " is listed twice (also as simplex " +
                                  std::to_string(a) + "), expected each simplex once");
    }
  }

  // Facets of every simplex (input indices), checked for presence and value.
  std::vector<index_t> facet_of;  // the k + 1 facets of each k-simplex, k >= 1
  std::vector<index_t> facet_start(static_cast<std::size_t>(n) + 1, 0);
  for (index_t i = 0; i < n; ++i) facet_start[i + 1] = facet_start[i] + (dimension(i) > 0 ? dimension(i) + 1 : 0);
  facet_of.resize(static_cast<std::size_t>(facet_start[n]));
  std::vector<vertex_t> face;
  for (index_t i = 0; i < n; ++i) {
    const int d = dimension(i);
    if (d == 0) continue;
    const auto first = lex.begin() + dim_begin[d - 1], last = lex.begin() + dim_begin[d];
    for (int k = 0; k <= d; ++k) {
      face.assign(verts(i), verts(i) + d + 1);
      face.erase(face.begin() + k);
      const auto it = std::lower_bound(first, last, face, [&](index_t s, const std::vector<vertex_t>& key) {
        return lex_less(verts(s), key.data(), key.size());
      });
      if (it == last || !std::equal(face.begin(), face.end(), verts(*it))) {
        throw std::invalid_argument("FilteredComplex: " + describe(i) + " has face " +
                                    format_vertices(face.data(), face.size()) +
                                    " that is not listed, expected every face of a simplex in the complex");
      }
      if (values_[*it] > values_[i]) {
        throw std::invalid_argument("FilteredComplex: " + describe(i) + " has value " + format_value(values_[i]) +
                                    " but its face " + format_vertices(face.data(), face.size()) + " (simplex " +
                                    std::to_string(*it) + ") has the larger value " + format_value(values_[*it]) +
                                    ", expected face values <= simplex values");
      }
      facet_of[facet_start[i] + k] = *it;
    }
  }

  // Filtration order: value, dimension, lexicographic vertices.
  order_.resize(static_cast<std::size_t>(n));
  std::iota(order_.begin(), order_.end(), index_t{0});
  std::sort(order_.begin(), order_.end(), [&](index_t a, index_t b) {
    if (values_[a] != values_[b]) return values_[a] < values_[b];
    return lex_rank[a] < lex_rank[b];  // lex_rank orders by dimension first
  });
  std::vector<index_t> position(static_cast<std::size_t>(n));
  for (index_t j = 0; j < n; ++j) position[order_[j]] = j;

  // Boundary matrix in filtration order; the facet without vertex k has sign (-1)^k.
  facet_offsets_.reserve(static_cast<std::size_t>(n) + 1);
  facet_rows_.reserve(facet_of.size());
  facet_odd_.reserve(facet_of.size());
  std::vector<std::pair<index_t, std::uint8_t>> column;
  for (index_t j = 0; j < n; ++j) {
    const index_t i = order_[j];
    column.clear();
    for (index_t k = facet_start[i]; k < facet_start[i + 1]; ++k)
      column.emplace_back(position[facet_of[k]], static_cast<std::uint8_t>((k - facet_start[i]) & 1));
    std::sort(column.begin(), column.end());
    for (const auto& [row, odd] : column) {
      facet_rows_.push_back(row);
      facet_odd_.push_back(odd);
    }
    facet_offsets_.push_back(static_cast<index_t>(facet_rows_.size()));
  }
}

template <class T>
std::vector<vertex_t> FilteredComplex<T>::simplex(index_t i) const {
  return std::vector<vertex_t>(vertices_.begin() + offsets_[i], vertices_.begin() + offsets_[i + 1]);
}

template <class T>
ComplexPersistence<T> FilteredComplex<T>::persistence(const ComplexPersistenceOptions& options) const {
  if (options.max_dim && (*options.max_dim < 0 || *options.max_dim > kMaxDimension)) {
    throw std::invalid_argument("FilteredComplex::persistence: max_dim must be in [0, " + std::to_string(kMaxDimension) +
                                "] (or unset for all dimensions), got " + std::to_string(*options.max_dim));
  }
  if (!is_prime(options.modulus) || options.modulus > kMaxModulus) {
    throw std::invalid_argument("FilteredComplex::persistence: modulus must be a prime below 2^31, got " +
                                std::to_string(options.modulus));
  }
  const int max_dim = options.max_dim ? *options.max_dim : top_dim_;
  const int top = std::min(top_dim_, max_dim + 1);  // highest dimension whose columns are reduced
  const index_t n = size();

  std::vector<std::vector<index_t>> columns_by_dim(static_cast<std::size_t>(std::max(top, -1) + 1));
  for (index_t j = 0; j < n; ++j) {
    const int d = dimension(order_[j]);
    if (d <= top) columns_by_dim[d].push_back(j);
  }
  BoundaryReduction reduction(facet_offsets_, facet_rows_, facet_odd_, options.modulus);
  const std::vector<index_t> low = reduction.run(columns_by_dim, n);

  ComplexPersistence<T> result;
  result.betti.assign(static_cast<std::size_t>(max_dim + 1), 0);
  std::vector<bool> paired(static_cast<std::size_t>(n), false);
  std::vector<std::pair<SimplexPair<T>, index_t>> found;  // with the birth position, for sorting
  for (index_t j = 0; j < n; ++j) {
    if (low[j] < 0) continue;
    const index_t i = low[j];
    paired[i] = true;
    paired[j] = true;
    const index_t birth = order_[i], death = order_[j];
    if (values_[birth] == values_[death] && !options.keep_zero_persistence) continue;
    found.push_back({SimplexPair<T>{dimension(birth), values_[birth], values_[death], birth, death}, i});
  }
  for (int d = 0; d <= std::min(top, max_dim); ++d) {
    for (const index_t j : columns_by_dim[d]) {
      if (paired[j]) continue;
      const index_t s = order_[j];
      found.push_back({SimplexPair<T>{d, values_[s], kInfinity<T>, s, -1}, j});
      ++result.betti[d];
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    if (a.first.dim != b.first.dim) return a.first.dim < b.first.dim;
    if (a.first.death != b.first.death) return a.first.death < b.first.death;
    if (a.first.birth != b.first.birth) return a.first.birth < b.first.birth;
    return a.second < b.second;
  });
  result.pairs.reserve(found.size());
  for (const auto& f : found) result.pairs.push_back(f.first);
  return result;
}

template struct ComplexPersistence<float>;
template struct ComplexPersistence<double>;
template class FilteredComplex<float>;
template class FilteredComplex<double>;

}  // namespace topoembed::ph
