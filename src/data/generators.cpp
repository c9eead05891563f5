// Manifold samplers on a per-call torch CPU generator seeded from the options.
#include "topoembed/data/generators.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace topoembed::data {

namespace {

constexpr double kPi = 3.14159265358979323846;

torch::TensorOptions f64() { return torch::TensorOptions().dtype(torch::kFloat64); }

void check(const SampleOptions& o, const char* who) {
  if (o.n < 1) {
    throw std::invalid_argument(std::string(who) + ": expected n >= 1, got " + std::to_string(o.n));
  }
  if (!(o.noise >= 0.0) || !std::isfinite(o.noise)) {
    throw std::invalid_argument(std::string(who) + ": expected a finite noise >= 0, got " +
                                std::to_string(o.noise));
  }
}

void check_positive(double v, const char* who, const char* name) {
  if (!(v > 0.0) || !std::isfinite(v)) {
    throw std::invalid_argument(std::string(who) + ": expected a finite " + name + " > 0, got " +
                                std::to_string(v));
  }
}

// One generator per call: the same options give the same sample.
at::Generator generator_for(const SampleOptions& o) {
  return at::make_generator<at::CPUGeneratorImpl>(o.seed);
}

torch::Tensor uniform(at::Generator& gen, std::int64_t n, double lo, double hi) {
  return at::empty({n}, f64()).uniform_(lo, hi, gen);
}

ManifoldSample finish(torch::Tensor points, torch::Tensor intrinsic, const SampleOptions& o,
                      at::Generator& gen, torch::Tensor labels = {}) {
  if (o.noise > 0.0) {
    points = points + o.noise * at::normal(0.0, 1.0, points.sizes(), gen, f64());
  }
  if (!labels.defined()) labels = torch::zeros({points.size(0)}, torch::kInt64);
  if (intrinsic.dim() == 1) intrinsic = intrinsic.unsqueeze(1);
  return ManifoldSample{points.contiguous(), intrinsic.contiguous(), labels};
}

torch::Tensor unit_vectors(at::Generator& gen, std::int64_t n, std::int64_t dim) {
  torch::Tensor g = at::normal(0.0, 1.0, {n, dim}, gen, f64());
  return g / g.norm(2, 1, /*keepdim=*/true);
}

}  // namespace

ManifoldSample make_circle(const SampleOptions& o, double radius) {
  check(o, "make_circle");
  check_positive(radius, "make_circle", "radius");
  auto gen = generator_for(o);
  const torch::Tensor u = uniform(gen, o.n, 0.0, 2.0 * kPi);
  return finish(radius * torch::stack({u.cos(), u.sin()}, 1), u, o, gen);
}

ManifoldSample make_sphere(const SampleOptions& o, double radius) {
  check(o, "make_sphere");
  check_positive(radius, "make_sphere", "radius");
  auto gen = generator_for(o);
  const torch::Tensor v = unit_vectors(gen, o.n, 3);
  return finish(radius * v, v, o, gen);
}

ManifoldSample make_torus(const SampleOptions& o, double major_radius, double minor_radius) {
  check(o, "make_torus");
  check_positive(minor_radius, "make_torus", "minor_radius");
  if (!(major_radius > minor_radius) || !std::isfinite(major_radius)) {
    throw std::invalid_argument("make_torus: expected major_radius > minor_radius, got " +
                                std::to_string(major_radius) + " and " + std::to_string(minor_radius));
  }
  auto gen = generator_for(o);
  const torch::Tensor u = uniform(gen, o.n, 0.0, 2.0 * kPi);
  // Area element ~ (R + r cos v): accept v with probability (R + r cos v) / (R + r).
  torch::Tensor v = torch::empty({o.n}, f64());
  std::int64_t filled = 0;
  while (filled < o.n) {
    const std::int64_t batch = 2 * (o.n - filled) + 16;
    const torch::Tensor cand = uniform(gen, batch, 0.0, 2.0 * kPi);
    const torch::Tensor test = uniform(gen, batch, 0.0, 1.0);
    const torch::Tensor keep =
        cand.masked_select(test * (major_radius + minor_radius) <= major_radius + minor_radius * cand.cos());
    const std::int64_t take = std::min<std::int64_t>(keep.size(0), o.n - filled);
    v.slice(0, filled, filled + take).copy_(keep.slice(0, 0, take));
    filled += take;
  }
  const torch::Tensor ring = major_radius + minor_radius * v.cos();
  return finish(torch::stack({ring * u.cos(), ring * u.sin(), minor_radius * v.sin()}, 1),
                torch::stack({u, v}, 1), o, gen);
}

ManifoldSample make_flat_torus(const SampleOptions& o, double radius1, double radius2) {
  check(o, "make_flat_torus");
  check_positive(radius1, "make_flat_torus", "radius1");
  check_positive(radius2, "make_flat_torus", "radius2");
  auto gen = generator_for(o);
  const torch::Tensor u = uniform(gen, o.n, 0.0, 2.0 * kPi);
  const torch::Tensor v = uniform(gen, o.n, 0.0, 2.0 * kPi);
  return finish(torch::stack({radius1 * u.cos(), radius1 * u.sin(), radius2 * v.cos(),
                              radius2 * v.sin()}, 1),
                torch::stack({u, v}, 1), o, gen);
}

ManifoldSample make_swiss_roll(const SampleOptions& o, double height) {
  check(o, "make_swiss_roll");
  check_positive(height, "make_swiss_roll", "height");
  auto gen = generator_for(o);
  const torch::Tensor t = 1.5 * kPi * (1.0 + 2.0 * uniform(gen, o.n, 0.0, 1.0));
  const torch::Tensor y = height * uniform(gen, o.n, 0.0, 1.0);
  return finish(torch::stack({t * t.cos(), y, t * t.sin()}, 1), torch::stack({t, y}, 1), o, gen);
}

ManifoldSample make_linked_rings(const SampleOptions& o, double radius) {
  check(o, "make_linked_rings");
  check_positive(radius, "make_linked_rings", "radius");
  auto gen = generator_for(o);
  const torch::Tensor u = uniform(gen, o.n, 0.0, 2.0 * kPi);
  const torch::Tensor labels = torch::arange(o.n, torch::kInt64).remainder(2);
  const torch::Tensor second = labels.to(torch::kFloat64);
  const torch::Tensor first = 1.0 - second;
  // Ring 0: (r cos u, r sin u, 0); ring 1: (r + r cos u, 0, r sin u).
  const torch::Tensor x = radius * u.cos() + second * radius;
  const torch::Tensor y = first * radius * u.sin();
  const torch::Tensor z = second * radius * u.sin();
  return finish(torch::stack({x, y, z}, 1), u, o, gen, labels);
}

ManifoldSample make_projective_plane(const SampleOptions& o) {
  check(o, "make_projective_plane");
  auto gen = generator_for(o);
  const torch::Tensor v = unit_vectors(gen, o.n, 3);
  const torch::Tensor x = v.select(1, 0);
  const torch::Tensor y = v.select(1, 1);
  const torch::Tensor z = v.select(1, 2);
  return finish(torch::stack({x * x - y * y, x * y, x * z, y * z}, 1), v, o, gen);
}

ManifoldSample make_three_torus(const SampleOptions& o, double radius) {
  check(o, "make_three_torus");
  check_positive(radius, "make_three_torus", "radius");
  auto gen = generator_for(o);
  const torch::Tensor a = uniform(gen, o.n, 0.0, 2.0 * kPi);
  const torch::Tensor b = uniform(gen, o.n, 0.0, 2.0 * kPi);
  const torch::Tensor c = uniform(gen, o.n, 0.0, 2.0 * kPi);
  return finish(radius * torch::stack({a.cos(), a.sin(), b.cos(), b.sin(), c.cos(), c.sin()}, 1),
                torch::stack({a, b, c}, 1), o, gen);
}

}  // namespace topoembed::data
