#pragma once
// Adversarial prior matching for atlas autoencoders (the Wasserstein-autoencoder GAN form): a
// discriminator on (chart one-hot, chart coordinates), and samples from the uniform prior on
// {1..k} × [0,1]^d.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace topoembed::models {

struct AtlasDiscriminatorOptions {
  AtlasDiscriminatorOptions(std::int64_t charts, std::int64_t chart_dim);
  TORCH_ARG(std::int64_t, charts);
  TORCH_ARG(std::int64_t, chart_dim);
  TORCH_ARG(std::vector<std::int64_t>, hidden) = std::vector<std::int64_t>{64, 64};
  TORCH_ARG(double, negative_slope) = 0.2;  // of the LeakyReLU between layers
};

class AtlasDiscriminatorImpl : public torch::nn::Module {
 public:
  explicit AtlasDiscriminatorImpl(AtlasDiscriminatorOptions options);
  // chart [B, k] (one-hot, or soft weights), coords [B, d] → logits [B] ("from the prior").
  torch::Tensor forward(const torch::Tensor& chart, const torch::Tensor& coords);
  const AtlasDiscriminatorOptions& options() const { return options_; }

 private:
  AtlasDiscriminatorOptions options_;
  torch::nn::Sequential net_{nullptr};
};
TORCH_MODULE(AtlasDiscriminator);

struct AtlasPriorSample {
  torch::Tensor chart_index;    // [n] int64, uniform on {0..k-1}
  torch::Tensor chart_one_hot;  // [n, k] float
  torch::Tensor coords;         // [n, d] float, uniform on [0,1]^d
};

// n samples of the uniform prior, a pure function of (n, k, d, seed).
AtlasPriorSample sample_atlas_prior(std::int64_t n, std::int64_t charts, std::int64_t chart_dim,
                                    std::uint64_t seed);

// coords [B, k, d] and chart_index [B] → [B, d], the coordinates in each sample's chart.
torch::Tensor select_chart_coords(const torch::Tensor& coords, const torch::Tensor& chart_index);

}  // namespace topoembed::models
