#pragma once
// The paper's small convolutional autoencoder for 28×28 images (ConvolutionalAutoencoder):
// encoder Conv(C,16,3,s3,p1) ReLU MaxPool(2,s2) Conv(16,8,3,s2,p1) ReLU MaxPool(2,s1) → 8×2×2,
// decoder ConvT(8,16,3,s2) ReLU ConvT(16,8,5,s3,p1) ReLU ConvT(8,C,2,s2,p1) Tanh.

#include <torch/torch.h>

#include <cstdint>

#include "topoembed/models/autoencoder.hpp"

namespace topoembed::models {

struct ConvAutoencoderOptions {
  TORCH_ARG(std::int64_t, in_channels) = 1;
};

inline constexpr std::int64_t kConvImageSize = 28;
inline constexpr std::int64_t kConvLatentDim = 8 * 2 * 2;

class ConvAutoencoderImpl : public Autoencoder {
 public:
  explicit ConvAutoencoderImpl(ConvAutoencoderOptions options = {});

  // x: [B, C, 28, 28] → latent [B, 32] (the 8×2×2 feature map, flattened).
  torch::Tensor encode(const torch::Tensor& x) override;
  // z: [B, 32] or [B, 8, 2, 2] → [B, C, 28, 28].
  torch::Tensor decode(const torch::Tensor& z) override;
  std::vector<std::int64_t> input_shape() const override;
  std::int64_t latent_dim() const override { return kConvLatentDim; }
  std::string architecture_name() const override { return "conv"; }
  AutoencoderSpec spec() const override;

  torch::nn::Sequential encoder() const { return encoder_; }
  torch::nn::Sequential decoder() const { return decoder_; }

 private:
  ConvAutoencoderOptions options_;
  torch::nn::Sequential encoder_{nullptr};
  torch::nn::Sequential decoder_{nullptr};
};
TORCH_MODULE(ConvAutoencoder);

}  // namespace topoembed::models
