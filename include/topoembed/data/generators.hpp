#pragma once
// Samples of classic manifolds with known topology, for tests, demos and the atlas work. Each
// generator is a pure function of its options (the seed included): no global random state.
// Points are float64 [n, ambient_dim]; optional isotropic Gaussian noise of standard deviation
// `noise` is added in the ambient space.

#include <cstdint>

#include <torch/torch.h>

namespace topoembed::data {

struct ManifoldSample {
  torch::Tensor points;     // [n, ambient_dim] float64
  torch::Tensor intrinsic;  // [n, k] float64: the parameters each point was made from (angles, ...)
  torch::Tensor labels;     // [n] int64: component index (linked rings), else zeros
};

struct SampleOptions {
  std::int64_t n = 1000;
  double noise = 0.0;
  std::uint64_t seed = 0;
};

// Circle S^1 of `radius` in R^2, angle uniform. intrinsic: angle.
ManifoldSample make_circle(const SampleOptions& options, double radius = 1.0);

// Sphere S^2 of `radius` in R^3, uniform (normalised Gaussian vectors). intrinsic: the unit
// vector.
ManifoldSample make_sphere(const SampleOptions& options, double radius = 1.0);

// Torus of revolution in R^3, ((R + r cos v) cos u, (R + r cos v) sin u, r sin v), uniform with
// respect to area (v drawn by rejection). Needs major_radius > minor_radius > 0. intrinsic: u, v.
ManifoldSample make_torus(const SampleOptions& options, double major_radius = 2.0,
                          double minor_radius = 1.0);

// Flat torus S^1 x S^1 in R^4, (r1 cos u, r1 sin u, r2 cos v, r2 sin v); uniform. intrinsic: u, v.
ManifoldSample make_flat_torus(const SampleOptions& options, double radius1 = 1.0,
                               double radius2 = 1.0);

// Swiss roll as sklearn's make_swiss_roll: t = 1.5 pi (1 + 2 u), (t cos t, height * w, t sin t).
// intrinsic: t, height coordinate.
ManifoldSample make_swiss_roll(const SampleOptions& options, double height = 21.0);

// Two linked circles of `radius` in R^3 (Hopf link): one in the xy-plane about the origin, one
// in the xz-plane about (radius, 0, 0). n points in total, alternating rings; labels 0 / 1.
// intrinsic: angle.
ManifoldSample make_linked_rings(const SampleOptions& options, double radius = 1.0);

// Real projective plane RP^2 in R^4 by the Veronese-type embedding of S^2,
// (x, y, z) -> (x^2 - y^2, x y, x z, y z), which identifies antipodal points. intrinsic: the
// unit vector (x, y, z) on S^2 it came from.
ManifoldSample make_projective_plane(const SampleOptions& options);

// Three-torus T^3 = S^1 x S^1 x S^1 in R^6, (cos a, sin a, cos b, sin b, cos c, sin c) * radius.
// intrinsic: a, b, c.
ManifoldSample make_three_torus(const SampleOptions& options, double radius = 1.0);

}  // namespace topoembed::data
