// Generators: determinism in (options, seed), points on the manifold, bad options.
#include <gtest/gtest.h>

#include <cmath>

#include "topoembed/data/generators.hpp"

namespace topoembed::data {
namespace {

constexpr double kTol = 1e-12;

TEST(Generators, SameSeedSameSampleOtherSeedOther) {
  SampleOptions o;
  o.n = 50;
  o.seed = 11;
  o.noise = 0.1;
  EXPECT_TRUE(torch::equal(make_torus(o).points, make_torus(o).points));
  EXPECT_TRUE(torch::equal(make_three_torus(o).points, make_three_torus(o).points));
  SampleOptions other = o;
  other.seed = 12;
  EXPECT_FALSE(torch::equal(make_torus(o).points, make_torus(other).points));
}

TEST(Generators, PointsLieOnTheirManifolds) {
  SampleOptions o;
  o.n = 400;
  o.seed = 5;
  const auto circle = make_circle(o, 2.0);
  EXPECT_EQ(circle.points.sizes(), (std::vector<std::int64_t>{400, 2}));
  EXPECT_LT((circle.points.norm(2, 1) - 2.0).abs().max().item<double>(), kTol);

  const auto sphere = make_sphere(o, 3.0);
  EXPECT_LT((sphere.points.norm(2, 1) - 3.0).abs().max().item<double>(), kTol);
  // Uniform on S^2: the mean is near 0.
  EXPECT_LT(sphere.intrinsic.mean(0).abs().max().item<double>(), 0.15);

  const auto torus = make_torus(o, 2.0, 0.5);
  const auto& p = torus.points;
  const torch::Tensor ring = (p.select(1, 0).pow(2) + p.select(1, 1).pow(2)).sqrt() - 2.0;
  EXPECT_LT((ring.pow(2) + p.select(1, 2).pow(2) - 0.25).abs().max().item<double>(), 1e-10);
  // Area-uniform: the outer half (cos v > 0) holds more than half of the points.
  EXPECT_GT((torus.intrinsic.select(1, 1).cos() > 0).sum().item<std::int64_t>(), 220);

  const auto flat = make_flat_torus(o, 1.0, 2.0);
  EXPECT_LT((flat.points.slice(1, 0, 2).norm(2, 1) - 1.0).abs().max().item<double>(), kTol);
  EXPECT_LT((flat.points.slice(1, 2, 4).norm(2, 1) - 2.0).abs().max().item<double>(), kTol);

  const auto t3 = make_three_torus(o);
  EXPECT_EQ(t3.points.size(1), 6);
  for (int c = 0; c < 3; ++c) {
    EXPECT_LT((t3.points.slice(1, 2 * c, 2 * c + 2).norm(2, 1) - 1.0).abs().max().item<double>(), kTol);
  }

  const auto roll = make_swiss_roll(o);
  const torch::Tensor t = roll.intrinsic.select(1, 0);
  EXPECT_GE(t.min().item<double>(), 1.5 * M_PI);
  EXPECT_LE(t.max().item<double>(), 4.5 * M_PI);
  EXPECT_LT((roll.points.select(1, 0) - t * t.cos()).abs().max().item<double>(), kTol);
}

TEST(Generators, LinkedRingsAreTwoUnitCirclesThatLink) {
  SampleOptions o;
  o.n = 200;
  const auto rings = make_linked_rings(o, 1.0);
  const torch::Tensor first = rings.points.index({rings.labels == 0});
  const torch::Tensor second = rings.points.index({rings.labels == 1});
  EXPECT_EQ(first.size(0), 100);
  EXPECT_LT(first.select(1, 2).abs().max().item<double>(), kTol);  // xy-plane
  EXPECT_LT(second.select(1, 1).abs().max().item<double>(), kTol);  // xz-plane
  EXPECT_LT((first.norm(2, 1) - 1.0).abs().max().item<double>(), kTol);
  const torch::Tensor centre = torch::tensor({1.0, 0.0, 0.0}, torch::kFloat64);
  EXPECT_LT(((second - centre).norm(2, 1) - 1.0).abs().max().item<double>(), kTol);
  // Linked: the second ring pierces the first ring's disc at (0, 0, 0) and outside it at (2, 0, 0).
}

TEST(Generators, ProjectivePlaneIdentifiesAntipodes) {
  SampleOptions o;
  o.n = 100;
  const auto rp2 = make_projective_plane(o);
  EXPECT_EQ(rp2.points.size(1), 4);
  const torch::Tensor v = -rp2.intrinsic;
  const torch::Tensor x = v.select(1, 0);
  const torch::Tensor y = v.select(1, 1);
  const torch::Tensor z = v.select(1, 2);
  const torch::Tensor image = torch::stack({x * x - y * y, x * y, x * z, y * z}, 1);
  EXPECT_LT((image - rp2.points).abs().max().item<double>(), kTol);
  // Distinct lines map to distinct points: no two samples collide.
  const torch::Tensor d = torch::cdist(rp2.points, rp2.points) + torch::eye(100, torch::kFloat64);
  EXPECT_GT(d.min().item<double>(), 1e-6);
}

TEST(Generators, NoiseHasTheRequestedScale) {
  SampleOptions o;
  o.n = 4000;
  o.noise = 0.05;
  const auto noisy = make_circle(o);
  const double spread = (noisy.points.norm(2, 1) - 1.0).std().item<double>();
  EXPECT_NEAR(spread, 0.05, 0.005);
}

TEST(Generators, RejectBadOptions) {
  SampleOptions o;
  o.n = 0;
  try {
    make_circle(o);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "make_circle: expected n >= 1, got 0");
  }
  o.n = 10;
  o.noise = -1;
  EXPECT_THROW(make_sphere(o), std::invalid_argument);
  o.noise = 0;
  try {
    make_torus(o, 1.0, 2.0);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "make_torus: expected major_radius > minor_radius, got 1.000000 and 2.000000");
  }
  EXPECT_THROW(make_flat_torus(o, 0.0, 1.0), std::invalid_argument);
}

}  // namespace
}  // namespace topoembed::data
