#pragma once
// Persistent homology of a filtered simplicial complex given as a list of simplices with
// filtration values (e.g. the fuzzy Čech nerve of an atlas): boundary-matrix reduction with
// clearing ("twist", Chen–Kerber 2011), coefficients Z/2 or Z/p. See docs/algorithms-complex.md.
//
// Filtration order (ties matter for which simplex is reported as critical): simplices are ordered
// by value, then by dimension, then lexicographically by their sorted vertex lists. The order is
// therefore independent of the order in which simplices and their vertices are listed.

#include <cstdint>
#include <optional>
#include <vector>

#include "topoembed/ph/types.hpp"

namespace topoembed::ph {

struct ComplexPersistenceOptions {
  // Compute pairs and Betti numbers in dimensions 0..max_dim; nullopt: every dimension of the
  // complex. Simplices of dimension > max_dim + 1 are ignored.
  std::optional<int> max_dim;
  std::uint32_t modulus = 2;           // prime p of the coefficient field Z/p
  bool keep_zero_persistence = false;  // also report pairs with death == birth

  ComplexPersistenceOptions& with_max_dim(int d) { max_dim = d; return *this; }
  ComplexPersistenceOptions& with_modulus(std::uint32_t p) { modulus = p; return *this; }
  ComplexPersistenceOptions& with_keep_zero_persistence(bool on) { keep_zero_persistence = on; return *this; }
};

// One bar of a filtered complex: born with simplex `birth_simplex`, killed by `death_simplex`
// (indices into the input list; -1 and death = +inf for an essential class).
template <class T>
struct SimplexPair {
  int dim = 0;
  T birth = 0;
  T death = kInfinity<T>;
  index_t birth_simplex = -1;
  index_t death_simplex = -1;
  bool essential() const { return std::isinf(death); }
  T persistence() const { return death - birth; }
};

template <class T>
struct ComplexPersistence {
  // Ordered by dimension, then death, then birth, then the birth simplex's filtration position.
  std::vector<SimplexPair<T>> pairs;
  // Betti numbers of the whole complex (the essential classes), dimensions 0..max_dim.
  std::vector<index_t> betti;

  // The pairs of one dimension.
  std::vector<SimplexPair<T>> dimension(int dim) const;
};

template <class T>
class FilteredComplex {
 public:
  FilteredComplex() = default;

  // simplices[i] (its vertices in any order) enters the filtration at values[i]. Throws
  // std::invalid_argument, naming the simplex, unless: both lists have the same length; every
  // simplex is non-empty with distinct vertices >= 0 and a finite value; no simplex is listed
  // twice; every face of every simplex is listed, with a value <= the simplex's value.
  FilteredComplex(const std::vector<std::vector<vertex_t>>& simplices, const std::vector<T>& values);

  index_t size() const { return static_cast<index_t>(values_.size()); }
  // Largest simplex dimension; -1 for the empty complex.
  int dimension() const { return top_dim_; }
  int dimension(index_t simplex) const {
    return static_cast<int>(offsets_[simplex + 1] - offsets_[simplex]) - 1;
  }
  // Vertices of input simplex i, sorted increasingly.
  std::vector<vertex_t> simplex(index_t i) const;
  T value(index_t i) const { return values_[i]; }
  // Input indices in filtration order (value, dimension, lexicographic vertices).
  const std::vector<index_t>& filtration_order() const { return order_; }

  // Persistence pairs and Betti numbers. Throws std::invalid_argument on max_dim outside [0, 2^16] or a
  // modulus that is not a prime below 2^31.
  ComplexPersistence<T> persistence(const ComplexPersistenceOptions& options = {}) const;

 private:
  int top_dim_ = -1;
  std::vector<T> values_;                // by input index
  std::vector<index_t> offsets_{0};      // vertices of simplex i: vertices_[offsets_[i] .. offsets_[i+1])
  std::vector<vertex_t> vertices_;       // sorted within each simplex
  std::vector<index_t> order_;           // filtration position -> input index
  // Boundary matrix in filtration order: the facets of the simplex at position j are at positions
  // facet_rows_[facet_offsets_[j] ..), sorted increasingly, with signs in facet_odd_ (1 for -1).
  std::vector<index_t> facet_offsets_{0};
  std::vector<index_t> facet_rows_;
  std::vector<std::uint8_t> facet_odd_;
};

}  // namespace topoembed::ph
