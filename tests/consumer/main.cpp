// Uses the installed library: the ph core and the TopoAE loss of diff; exits 0 on success.
#include <torch/torch.h>

#include <cmath>
#include <iostream>

#include "topoembed/diff/diff.hpp"
#include "topoembed/ph/h0_persistence.hpp"

int main() {
  const double square[16] = {0, 1, 1.5, 1, 1, 0, 1, 1.5, 1.5, 1, 0, 1, 1, 1.5, 1, 0};
  const auto h0 = topoembed::ph::h0_persistence_dense(square, 4);
  if (h0.pairs.size() != 4) {
    std::cerr << "consumer: expected 4 H0 pairs, got " << h0.pairs.size() << "\n";
    return 1;
  }
  topoembed::diff::TopoSignatureLoss loss;
  const auto x = torch::randn({16, 5});
  const auto z = torch::randn({16, 2}, torch::requires_grad());
  const auto value = loss(x, z);
  value.backward();
  if (!std::isfinite(value.item<double>()) || !z.grad().defined()) {
    std::cerr << "consumer: TopoSignatureLoss failed\n";
    return 1;
  }
  std::cout << "consumer ok: loss " << value.item<double>() << "\n";
  return 0;
}
