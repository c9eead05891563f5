#pragma once
// Persistence diagrams as plain points, and summaries of them: Betti numbers at a scale and total
// persistence. The functions on pairs accept any pair type with members `dim`, `birth`, `death`
// (PersistencePair from Rips persistence, SimplexPair from a filtered complex).

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "topoembed/ph/types.hpp"

namespace topoembed::ph {

// A point (birth, death) of the diagram of one dimension; death = +inf for an essential class.
template <class T>
struct DiagramPoint {
  T birth = 0;
  T death = kInfinity<T>;
  bool essential() const { return std::isinf(death); }
  T persistence() const { return death - birth; }
};

namespace detail {

// Throws std::invalid_argument unless birth is finite and birth <= death (death may be +inf).
// `caller`: "<caller>: <what> <i> is (b, d), expected ...".
void check_interval(double birth, double death, const char* caller, const char* what, std::size_t i);

// Throws std::invalid_argument unless p is finite and > 0.
void check_power(double p, const char* caller);

}  // namespace detail

// The points of dimension `dim`, in the order of `pairs`.
template <class Pair>
std::vector<DiagramPoint<decltype(Pair::birth)>> diagram_points(const std::vector<Pair>& pairs, int dim) {
  std::vector<DiagramPoint<decltype(Pair::birth)>> out;
  for (const auto& p : pairs)
    if (p.dim == dim) out.push_back({p.birth, p.death});
  return out;
}

// Betti numbers at `scale` in dimensions 0..max_dim: the number of pairs with
// birth <= scale < death (half-open bars). Throws std::invalid_argument on max_dim outside
// [0, 65536], a NaN scale or an invalid pair.
template <class Pair>
std::vector<index_t> betti_numbers(const std::vector<Pair>& pairs, double scale, int max_dim) {
  if (max_dim < 0 || max_dim > (1 << 16)) {
    throw std::invalid_argument("betti_numbers: max_dim must be in [0, 65536], got " + std::to_string(max_dim));
  }
  if (std::isnan(scale)) throw std::invalid_argument("betti_numbers: scale is NaN, expected a number");
  std::vector<index_t> betti(static_cast<std::size_t>(max_dim) + 1, 0);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto& p = pairs[i];
    detail::check_interval(double(p.birth), double(p.death), "betti_numbers", "pair", i);
    if (p.dim < 0) {
      throw std::invalid_argument("betti_numbers: pair " + std::to_string(i) + " has dimension " +
                                  std::to_string(p.dim) + ", expected >= 0");
    }
    if (p.dim <= max_dim && double(p.birth) <= scale && scale < double(p.death)) ++betti[p.dim];
  }
  return betti;
}

// Total persistence sum (death - birth)^p over the finite points (essential classes are left
// out). Throws std::invalid_argument unless p > 0 is finite and every point is valid.
template <class T>
T total_persistence(const std::vector<DiagramPoint<T>>& points, double p) {
  detail::check_power(p, "total_persistence");
  double sum = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    detail::check_interval(double(points[i].birth), double(points[i].death), "total_persistence", "point", i);
    if (points[i].essential()) continue;
    const double length = double(points[i].death) - double(points[i].birth);
    sum += p == 1 ? length : std::pow(length, p);
  }
  return static_cast<T>(sum);
}

// Total persistence of the pairs of dimension `dim`.
template <class Pair>
decltype(Pair::birth) total_persistence(const std::vector<Pair>& pairs, int dim, double p) {
  return total_persistence(diagram_points(pairs, dim), p);
}

}  // namespace topoembed::ph
