#pragma once
// Distinct membership centres of a distance-membership atlas: charts whose centres (nearly)
// coincide have (nearly) the same memberships everywhere, so they cover one cell together and the
// atlas has fewer cells than charts. Seen in training (torus in R³, k = 48, batch 64: pairs of
// centres 0.001 apart, 38 distinct) when a batch holds about one point per chart.

#include <torch/types.h>

#include <cstdint>

namespace topoembed::models {

// centres [k, D] (floating point, k >= 1). Two centres are the same cell when they are closer than
// relative_tolerance × the cell spacing, the median over centres of the distance to the
// second-nearest other centre (the nearest when k = 2; a merged pair does not shrink it);
// centres at distance 0 are always the same cell; cells are the connected components of that relation. Returns the
// number of cells (k when no two centres coincide; 1 when k = 1). Throws std::invalid_argument on
// a tensor that is not [k, D] floating point with k >= 1, a non-finite entry, or a
// relative_tolerance outside [0, 1).
std::int64_t distinct_centres(const torch::Tensor& centres, double relative_tolerance = 0.1);

}  // namespace topoembed::models
