#pragma once
// The fuzzy Čech nerve of an atlas (Korman, arXiv 1803.00156, 2106.07062): chart sets weighted by
// intersection strengths estimated from a sample of chart memberships q(x) ∈ Δ^{k-1}, filtered by
// a monotone function of the strength, and its persistent homology through ph::FilteredComplex;
// plus the crisp-overlap nerve at one ε.
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
// Filtration (NerveFiltration): a simplex S of m + 1 = |S| ≥ 2 charts enters at
//   - kNormalizedLog (default): −log(u_S) / m, i.e. at the value t where the per-factor strength
//     u_S^{1/m} (a geometric mean of the m membership factors in the product) reaches e^{−t};
//     values are capped at log_cap (u_S = 0 enters at the cap). Vertices of charts with mass
//     enter at 0, charts without mass at the cap. Why: u_S is a mean of a product of m
//     memberships, so it shrinks like c^m with the order even on a perfect cover (an octahedral
//     cover of S²: edges ≈ 0.1, triangles ≈ 0.007; learnt sphere atlases: edges ≈ 0.03,
//     triangles ≈ 1e-3–1e-5). Under 1 − u every triangle then enters in [0.999, 1] after the
//     chart graph's cycles have long been born, and no 2-class lives measurably; the per-order
//     normalisation puts edges and triangles on one scale, and the log keeps ratios of small
//     strengths apart.
//   - kOneMinusStrength: 1 − u_S (vertices of charts with mass at 0, without at 1), the scale of
//     the first version, kept for comparison.
// Each value is raised to the largest value of the simplex's facets so that every face enters no
// later than its cofaces (the core requires it; u_S itself need not be monotone under inclusion
// because the conditioning charts change). Every chart set of dimension ≤ max_dim + 1 is listed,
// so at the cap (log_cap, or 1) the complex is the full skeleton: every class except one
// component dies by then, and bars measure how long a feature survives as the strength
// threshold falls.
//
// Reading Betti numbers (nerve_betti): by default the most persistent Betti vector — the Betti
// numbers (over every coefficient field asked for together) that stay constant over the longest
// stretch of filtration values between the first merge of two charts and the last death of any
// bar (see most_persistent_reading); or at one fixed value.

#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "topoembed/ph/filtered_complex.hpp"
#include "topoembed/ph/types.hpp"

namespace topoembed::eval {

enum class NerveConditioning { kMembershipWeighted, kArgmax };
enum class NerveFiltration { kNormalizedLog, kOneMinusStrength };

struct NerveOptions {
  int max_dim = 2;  // homology dimensions 0..max_dim; chart sets up to dimension max_dim + 1
  NerveConditioning conditioning = NerveConditioning::kMembershipWeighted;
  NerveFiltration filtration = NerveFiltration::kNormalizedLog;
  double log_cap = 30.0;            // kNormalizedLog: largest value (per-factor strength e^{-30})
  double row_sum_tolerance = 1e-3;  // |Σ_j q_j(x) − 1| allowed per row

  NerveOptions& with_max_dim(int d) { max_dim = d; return *this; }
  NerveOptions& with_conditioning(NerveConditioning c) { conditioning = c; return *this; }
  NerveOptions& with_filtration(NerveFiltration f) { filtration = f; return *this; }
  NerveOptions& with_log_cap(double c) { log_cap = c; return *this; }
  NerveOptions& with_row_sum_tolerance(double t) { row_sum_tolerance = t; return *this; }
};

struct FuzzyNerve {
  std::int64_t charts = 0;
  int max_dim = 2;
  NerveFiltration filtration = NerveFiltration::kNormalizedLog;
  double cap = 30.0;  // the largest filtration value: log_cap, or 1 for 1 − u
  // Every chart set of dimension 0..min(max_dim + 1, charts − 1), by dimension then
  // lexicographically; strengths u_S and filtration values (monotone) in the same order.
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
// entry, a row whose sum differs from 1 by more than the tolerance, max_dim outside [0, 8], or
// log_cap not > 0.
FuzzyNerve fuzzy_nerve(const torch::Tensor& membership, const NerveOptions& options = {});

// Persistence of the nerve filtration with coefficients Z/modulus (a prime), dimensions
// 0..nerve.max_dim.
ph::ComplexPersistence<double> nerve_persistence(const FuzzyNerve& nerve, std::uint32_t modulus = 2);

// The fixed-value reading of the 1 − u filtration (kOneMinusStrength): a class counts when its bar is alive at the
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

// β_0..β_max_dim read from pairs by the rule above (values on the 1 − u scale). Throws unless
// 0 < epsilon < 1, min_persistence >= 0, max_dim >= 0.
std::vector<std::int64_t> nerve_betti_numbers(const ph::ComplexPersistence<double>& persistence,
                                              int max_dim, const NerveReading& reading = {});

// β_0..β_max_dim of the nerve at filtration value `value` (value on the nerve's own scale): the
// bars with birth <= value < death. Throws unless max_dim >= 0 and value is finite.
std::vector<std::int64_t> betti_at_value(const ph::ComplexPersistence<double>& persistence, int max_dim,
                                         double value);

// The most persistent Betti vector of a nerve barcode computed over several coefficient fields.
// Breakpoints are the births and deaths of every bar of positive length in dimensions
// 0..max_dim over every field (a death at +inf counts at `cap`); the window runs from the first
// death in dimension 0 (two charts merge: below it the nerve is only its vertices) to the last
// death of any bar (after it nothing changes up to the full skeleton, which is contractible). The
// window is cut into maximal stretches on which the Betti vectors over all fields are constant,
// and the longest stretch wins (ties: the earlier). Its bars are "the most persistent ones": a
// feature counts when it lives across the whole stretch. A nerve with no merge or no death (one
// chart, charts that never meet) is read at the cap.
struct NerveScaleReading {
  double low = 0;    // the winning stretch [low, high) of filtration values
  double high = 0;
  double value = 0;  // where the Betti numbers are read: its midpoint
  std::vector<std::vector<std::int64_t>> betti;  // per field, in the order given
};

// Throws unless persistences is non-empty, max_dim >= 0 and cap is finite.
NerveScaleReading most_persistent_reading(const std::vector<ph::ComplexPersistence<double>>& persistences,
                                          int max_dim, double cap);

// The nerve's Betti numbers over Z/p for each modulus in `moduli`, by the default rule (the most
// persistent Betti vector over those fields together) or, when fixed_value is set, at that one
// filtration value.
NerveScaleReading nerve_betti(const FuzzyNerve& nerve, const std::vector<std::uint32_t>& moduli = {2, 3},
                              std::optional<double> fixed_value = std::nullopt);

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
