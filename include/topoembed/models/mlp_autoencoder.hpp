#pragma once
// Fully connected autoencoder: the paper's Spheres model and DeepAE are presets of it.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "topoembed/models/activation.hpp"
#include "topoembed/models/autoencoder.hpp"

namespace topoembed::models {

struct MlpAutoencoderOptions {
  // input_shape: one sample's shape ({D} for vectors, {C, H, W} for images: flattened on entry
  // and unflattened on exit, like the paper's View layers).
  MlpAutoencoderOptions(std::vector<std::int64_t> input_shape, std::int64_t latent_dim);

  TORCH_ARG(std::vector<std::int64_t>, input_shape);
  TORCH_ARG(std::int64_t, latent_dim);
  // Encoder hidden widths; the decoder uses them in reverse.
  TORCH_ARG(std::vector<std::int64_t>, hidden) = std::vector<std::int64_t>{32, 32};
  TORCH_ARG(Activation, activation) = Activation::kReLU;
  TORCH_ARG(bool, batch_norm) = true;
  TORCH_ARG(NormPlacement, norm_placement) = NormPlacement::kBeforeActivation;
  // Applied after the decoder's last Linear (and after unflattening), e.g. Tanh for images in [-1,1].
  TORCH_ARG(Activation, output_activation) = Activation::kIdentity;
};

// The paper's MLPAutoencoder_Spheres: Linear(101,32) BN ReLU Linear(32,32) BN ReLU Linear(32,2),
// decoder mirrored, no output activation.
MlpAutoencoderOptions spheres_mlp_options(std::int64_t input_dim = 101, std::int64_t latent_dim = 2);
// The paper's DeepAE: Linear(784,1000) ReLU BN ... Linear(250,2), decoder mirrored, Tanh output.
MlpAutoencoderOptions deep_ae_options(std::vector<std::int64_t> image_shape = {1, 28, 28},
                                      std::int64_t latent_dim = 2);

// Submodules "encoder" and "decoder" are torch::nn::Sequential whose indices follow the paper's
// nn.Sequential (so parameter names match its state_dict keys).
class MlpAutoencoderImpl : public Autoencoder {
 public:
  explicit MlpAutoencoderImpl(MlpAutoencoderOptions options);

  torch::Tensor encode(const torch::Tensor& x) override;
  torch::Tensor decode(const torch::Tensor& z) override;
  std::vector<std::int64_t> input_shape() const override { return options_.input_shape(); }
  std::int64_t latent_dim() const override { return options_.latent_dim(); }
  std::string architecture_name() const override { return "mlp"; }
  AutoencoderSpec spec() const override;

  const MlpAutoencoderOptions& options() const { return options_; }
  torch::nn::Sequential encoder() const { return encoder_; }
  torch::nn::Sequential decoder() const { return decoder_; }

 private:
  MlpAutoencoderOptions options_;
  torch::nn::Sequential encoder_{nullptr};
  torch::nn::Sequential decoder_{nullptr};
};
TORCH_MODULE(MlpAutoencoder);

}  // namespace topoembed::models
