#pragma once
// Shared helpers of the diff tests: finite-difference gradient checks in double and error-message
// assertions.

#include <gtest/gtest.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>

#include <functional>
#include <string>

namespace topoembed::diff::testing {

// Compares torch::autograd::grad of the scalar f(x) with central differences of step eps, entry
// by entry: |autograd − numeric| <= atol + rtol |numeric|. x must be double.
inline ::testing::AssertionResult gradient_matches(const std::function<torch::Tensor(const torch::Tensor&)>& f,
                                                   const torch::Tensor& x0, double eps = 1e-6, double atol = 1e-6,
                                                   double rtol = 1e-5) {
  if (x0.scalar_type() != torch::kDouble) return ::testing::AssertionFailure() << "gradient check needs double input";
  auto x = x0.detach().clone().requires_grad_(true);
  const auto y = f(x);
  if (y.numel() != 1) return ::testing::AssertionFailure() << "f must return a scalar, got " << y.sizes();
  const auto grads = torch::autograd::grad({y}, {x}, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                           /*allow_unused=*/true);
  const auto analytic = grads[0].defined() ? grads[0] : torch::zeros_like(x0);
  auto base = x0.detach().clone().contiguous();
  auto flat = base.view({-1});
  const auto analytic_flat = analytic.reshape({-1});
  torch::NoGradGuard no_grad;
  for (int64_t i = 0; i < flat.numel(); ++i) {
    const double saved = flat[i].item<double>();
    flat[i] = saved + eps;
    const double up = f(base).item<double>();
    flat[i] = saved - eps;
    const double down = f(base).item<double>();
    flat[i] = saved;
    const double numeric = (up - down) / (2 * eps);
    const double got = analytic_flat[i].item<double>();
    if (!std::isfinite(got) || std::abs(got - numeric) > atol + rtol * std::abs(numeric)) {
      return ::testing::AssertionFailure() << "entry " << i << ": autograd " << got << " vs central difference "
                                           << numeric;
    }
  }
  return ::testing::AssertionSuccess();
}

// Runs fn and checks that it throws a std::exception whose message contains `expected`.
inline ::testing::AssertionResult throws_with(const std::function<void()>& fn, const std::string& expected) {
  try {
    fn();
  } catch (const c10::Error& e) {
    const std::string msg = e.what_without_backtrace();
    if (msg.find(expected) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "message \"" << msg << "\" lacks \"" << expected << "\"";
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    if (msg.find(expected) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "message \"" << msg << "\" lacks \"" << expected << "\"";
  }
  return ::testing::AssertionFailure() << "no exception, expected one containing \"" << expected << "\"";
}

inline torch::Tensor seeded_normal(std::vector<int64_t> sizes, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  return torch::randn(sizes, gen, torch::kDouble);
}

inline torch::Tensor seeded_uniform(std::vector<int64_t> sizes, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  return torch::rand(sizes, gen, torch::kDouble);
}

// Points near a circle of radius 1 in the plane: a dominant H1 class, generic (no ties).
inline torch::Tensor noisy_circle(int64_t n, uint64_t seed) {
  const auto angles = torch::arange(n, torch::kDouble) * (2 * M_PI / static_cast<double>(n));
  const auto noise = seeded_uniform({n, 2}, seed) * 0.1;
  return torch::stack({angles.cos(), angles.sin()}, 1) + noise;
}

}  // namespace topoembed::diff::testing
