// A tiny topological autoencoder: an MLP autoencoder trained on two noisy circles in 10-d with
// MSE + λ · TopoSignatureLoss (the loss of Moor et al., ICML 2020, from topoembed::diff).
//
//   topoembed_example_topoae [steps=200] [batch=32]
//
// Prints the reconstruction and topological losses every few steps and at the end; exits
// non-zero if either is not finite.
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>

#include "topoembed/diff/diff.hpp"

namespace {

// Two circles of radius 1 in a random 2-plane of R^10, centres 3 apart, with a little noise.
torch::Tensor two_circles(int64_t n, torch::Generator& gen) {
  const auto t = torch::rand({n}, gen) * (2 * M_PI);
  const auto which = (torch::rand({n}, gen) < 0.5).to(torch::kFloat);
  auto plane = torch::stack({t.cos() + 3 * which, t.sin()}, 1);
  const auto basis = std::get<0>(torch::linalg_qr(torch::randn({10, 2}, gen))).t();  // 2 orthonormal rows
  return torch::matmul(plane, basis) + 0.05 * torch::randn({n, 10}, gen);
}

struct AutoencoderImpl : torch::nn::Module {
  AutoencoderImpl() {
    encoder = register_module("encoder", torch::nn::Sequential(torch::nn::Linear(10, 32), torch::nn::ReLU(),
                                                               torch::nn::Linear(32, 2)));
    decoder = register_module("decoder", torch::nn::Sequential(torch::nn::Linear(2, 32), torch::nn::ReLU(),
                                                               torch::nn::Linear(32, 10)));
  }
  torch::nn::Sequential encoder{nullptr}, decoder{nullptr};
};
TORCH_MODULE(Autoencoder);

}  // namespace

int main(int argc, char** argv) {
  try {
    const int64_t steps = argc > 1 ? std::stoll(argv[1]) : 200;
    const int64_t batch = argc > 2 ? std::stoll(argv[2]) : 32;
    if (steps < 1 || batch < 2) throw std::invalid_argument("expected steps >= 1 and batch >= 2");
    auto gen = at::detail::createCPUGenerator(7);
    torch::manual_seed(7);  // initial weights of the example network
    const auto data = two_circles(1024, gen);

    Autoencoder model;
    topoembed::diff::TopoSignatureLoss topo_loss(topoembed::diff::TopoSignatureLossOptions().dims({0}));
    std::vector<torch::Tensor> params = model->parameters();
    for (const auto& p : topo_loss->parameters()) params.push_back(p);  // the learnable latent scale
    torch::optim::Adam optimizer(params, torch::optim::AdamOptions(1e-3));
    const double lambda = 0.5;

    double mse_value = 0, topo_value = 0;
    for (int64_t step = 1; step <= steps; ++step) {
      const auto idx = torch::randint(data.size(0), {batch}, gen, torch::kLong);
      const auto x = data.index_select(0, idx);
      const auto z = model->encoder->forward(x);
      const auto mse = torch::mse_loss(model->decoder->forward(z), x);
      const auto topo = topo_loss(x, z);
      optimizer.zero_grad();
      (mse + lambda * topo).backward();
      optimizer.step();
      mse_value = mse.item<double>();
      topo_value = topo.item<double>();
      if (step % 50 == 0 || step == steps) {
        std::cout << "step " << step << "  mse " << mse_value << "  topo " << topo_value << "  latent_norm "
                  << topo_loss->latent_norm.item<double>() << "\n";
      }
    }
    if (!std::isfinite(mse_value) || !std::isfinite(topo_value)) {
      std::cerr << "error: non-finite loss\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
