#pragma once
// The fuzzy Čech nerve of an atlas (Korman, arXiv 1803.00156, 2106.07062): chart sets weighted by
// intersection strengths estimated from a sample of chart memberships q(x) ∈ Δ^{k-1}, filtered by
// 1 − u, and its persistent homology through ph::FilteredComplex; plus the crisp-overlap nerve at
// one ε.
//
// Intersection strength of a chart set S = {j0, …, jm} (m ≥ 1):
//   u_S = (1/|S|) Σ_{j∈S} E_{x|j} Π_{l∈S∖{j}} q_l(x),
// for m = 1 exactly ½(E_{x|j0} q_{j1} + E_{x|j1} q_{j0}). The conditional mean E_{x|j} is either
//   - kMembershipWeighted (default): Σ_x q_j(x) f(x) / Σ_x q_j(x), the mean under the "point in
//     chart j" distribution q_j(x) p(x) / P(j) — smooth in q and defined whenever chart j has mass;
//     then every term has the same numerator Σ_x Π_{l∈S} q_l(x), and u_S is that over the
//     harmonic-type mean of the charts' masses;
//   - kArgmax: the plain mean over the points whose argmax chart is j (ties: lowest index).
// A chart with no mass (Σ_x q_j = 0, or no argmax point) has no conditional mean; its terms count 0
// (its vertex has strength 0). A vertex {j} of a chart with mass has strength 1 (empty product).
//
// Filtration: a simplex S enters at 1 − u_S, raised to the largest value of its facets so that
// every face enters no later than its cofaces (the core requires it; u_S itself need not be
// monotone under inclusion because the conditioning charts change). Every chart set of dimension
// ≤ max_dim + 1 is listed, so at value 1 the complex is the full simplex: every class except one
// component dies by 1, and bars measure how long a feature survives as ε = 1 − value falls.

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "topoembed/ph/filtered_complex.hpp"
#include "topoembed/ph/types.hpp"

namespace topoembed::eval {

enum class NerveConditioning { kMembershipWeighted, kArgmax };

struct NerveOptions {
  int max_dim = 2;  // homology dimensions 0..max_dim; chart sets up to dimension max_dim + 1
  NerveConditioning conditioning = NerveConditioning::kMembershipWeighted;
  double row_sum_tolerance = 1e-3;  // |Σ_j q_j(x) − 1| allowed per row

  NerveOptions& with_max_dim(int d) { max_dim = d; return *this; }
  NerveOptions& with_conditioning(NerveConditioning c) { conditioning = c; return *this; }
  NerveOptions& with_row_sum_tolerance(double t) { row_sum_tolerance = t; return *this; }
};

struct FuzzyNerve {
  std::int64_t charts = 0;
  int max_dim = 2;
  // Every chart set of dimension 0..min(max_dim + 1, charts − 1), by dimension then
  // lexicographically; strengths u_S and filtration values (monotone 1 − u) in the same order.
  std::vector<std::vector<ph::vertex_t>> simplices;
  std::vector<double> strengths;
  std::vector<double> values;

  // k × k symmetric matrix of the edge strengths u_{ij} (diagonal: the vertex strengths), for
  // the chart graph.
  std::vector<std::vector<double>> edge_strengths() const;
  ph::FilteredComplex<double> complex() const;
};

// membership [N, k] (float or double, any device): rows are probability vectors. Throws
// std::invalid_argument on k < 1, N = 0, a non-2-D or non-floating tensor, a NaN/inf or negative
// entry, a row whose sum differs from 1 by more than the tolerance, or max_dim outside [0, 8].
FuzzyNerve fuzzy_nerve(const torch::Tensor& membership, const NerveOptions& options = {});

// Persistence of the nerve filtration with coefficients Z/modulus (a prime), dimensions
// 0..nerve.max_dim.
ph::ComplexPersistence<double> nerve_persistence(const FuzzyNerve& nerve, std::uint32_t modulus = 2);

// How Betti numbers are read off a nerve barcode: a class counts when its bar is alive at the
// value 1 − epsilon (the nerve of the chart sets with strength > epsilon, with sampling noise
// below epsilon left out) and it has lived at least min_persistence there (born at or before
// 1 − epsilon − min_persistence), which drops cycles that appear just before the read-off value.
// Higher-order strengths are means of products of memberships and so much smaller than edge
// strengths (an octahedral cover of the sphere: edges ≈ 0.1, triangles ≈ 0.007), hence the small
// defaults.
struct NerveReading {
  double epsilon = 0.001;
  double min_persistence = 0.005;
};

// β_0..β_max_dim read from pairs by the rule above. Throws unless 0 < epsilon < 1,
// min_persistence >= 0, max_dim >= 0.
std::vector<std::int64_t> nerve_betti_numbers(const ph::ComplexPersistence<double>& persistence,
                                              int max_dim, const NerveReading& reading = {});

// The crisp-overlap nerve at one ε: chart set S is a simplex when some sample point has
// q_j(x) ≥ ε for every j ∈ S (dimensions ≤ max_dim + 1), with its Betti numbers over Z/modulus.
struct CrispNerve {
  std::vector<std::vector<ph::vertex_t>> simplices;
  std::vector<std::int64_t> betti;  // dimensions 0..max_dim
};

// Same input checks as fuzzy_nerve; epsilon in (0, 1].
CrispNerve crisp_nerve(const torch::Tensor& membership, double epsilon, const NerveOptions& options = {},
                       std::uint32_t modulus = 2);

}  // namespace topoembed::eval
