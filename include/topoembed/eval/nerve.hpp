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
// because the conditioning charts change).
//
// Only the chart sets that enter below the cap are listed (the sparse nerve). They are found level
// by level (Apriori-style): a set of s charts is a candidate only when all its (s − 1)-facets are
// listed — any other set has a facet at the cap and so, by the monotone fix, enters at the cap
// itself — and each candidate's strength is computed exactly over the whole sample. Every set
// that is not listed enters at the cap, where the complex is the full (max_dim + 1)-skeleton of
// the simplex on all k charts, acyclic in dimensions 1..max_dim and connected: nerve_persistence
// therefore closes every bar still alive there at the cap except one component, and its
// barcode (pairs of positive length) is the one of the complex with every chart set of up to
// max_dim + 2 charts listed (the dense nerve of earlier versions, still available as
// NerveOptions::every_chart_set for cross-checks). Bars measure how long a feature survives
// as the strength threshold falls. The cost is one pass over the sample per candidate: for a
// cover of T³ by 64 charts (distance memberships to a 4 × 4 × 4 grid) a few thousand sets per
// size instead of the C(64, 5) ≈ 7.6 million five-chart sets of the dense enumeration; on
// near-uniform memberships almost every set is a candidate (see max_candidates).
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
  // List every chart set of up to max_dim + 2 charts, those at the cap included (the dense
  // enumeration, C(k, max_dim + 2) passes over the sample): for cross-checks and benchmarks.
  bool every_chart_set = false;
  // fuzzy_nerve throws std::length_error when one size has more candidate sets than this (0: no
  // limit), so that a caller can fall back to a lower max_dim on near-uniform memberships, where
  // almost every set is a candidate.
  std::int64_t max_candidates = 0;
  // Threads for the passes over the sample (a ph::ThreadPool of this size per call); the numbers
  // do not depend on it.
  int threads = 1;

  NerveOptions& with_max_dim(int d) { max_dim = d; return *this; }
  NerveOptions& with_conditioning(NerveConditioning c) { conditioning = c; return *this; }
  NerveOptions& with_filtration(NerveFiltration f) { filtration = f; return *this; }
  NerveOptions& with_log_cap(double c) { log_cap = c; return *this; }
  NerveOptions& with_row_sum_tolerance(double t) { row_sum_tolerance = t; return *this; }
  NerveOptions& with_every_chart_set(bool on) { every_chart_set = on; return *this; }
  NerveOptions& with_max_candidates(std::int64_t c) { max_candidates = c; return *this; }
  NerveOptions& with_threads(int t) { threads = t; return *this; }
};

struct FuzzyNerve {
  std::int64_t charts = 0;
  int max_dim = 2;
  NerveFiltration filtration = NerveFiltration::kNormalizedLog;
  double cap = 30.0;  // the largest filtration value: log_cap, or 1 for 1 − u
  // The chart sets of dimension 0..min(max_dim + 1, charts − 1) whose filtration value is below
  // the cap (every one with every_chart_set), by dimension then lexicographically; strengths u_S
  // and filtration values (monotone) in the same order. Charts without mass enter at the cap
  // and are not listed, nor is any set containing one.
  std::vector<std::vector<ph::vertex_t>> simplices;
  std::vector<double> strengths;
  std::vector<double> values;
  // k × k symmetric matrix of the strengths u_{ij} of every pair of charts, listed or not
  // (diagonal: the vertex strengths, 0 for a chart without mass; under kArgmax a pair with such a
  // chart can have u > 0 while it enters at the cap).
  std::vector<std::vector<double>> strength_matrix;
  // Per size 1, 2, …: how many chart sets had their strength computed (size 1: k, size 2: all
  // k(k − 1)/2 pairs, then the candidates), for the record of the cost.
  std::vector<std::int64_t> candidates;

  // strength_matrix, for the chart graph; for a nerve assembled by hand without it, the matrix of
  // the listed vertices and edges (0 elsewhere).
  std::vector<std::vector<double>> edge_strengths() const;
  ph::FilteredComplex<double> complex() const;
};

// membership [N, k] (float or double, any device): rows are probability vectors. Throws
// std::invalid_argument on k < 1, N = 0, a non-2-D or non-floating tensor, a NaN/inf or negative
// entry, a row whose sum differs from 1 by more than the tolerance, max_dim outside [0, 8],
// log_cap not > 0, max_candidates < 0 or threads < 1; std::length_error when one size has more
// than max_candidates candidate sets.
FuzzyNerve fuzzy_nerve(const torch::Tensor& membership, const NerveOptions& options = {});

// Persistence of the nerve filtration with coefficients Z/modulus (a prime), dimensions
// 0..nerve.max_dim, with every chart set that is not listed entering at the cap: every class of
// the listed complex still alive at the cap dies there (death = cap, death_simplex −1: its killer
// is not listed) except the oldest component, the one essential bar; betti = (1, 0, …, 0). Throws
// on an empty nerve or a value above the cap.
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
