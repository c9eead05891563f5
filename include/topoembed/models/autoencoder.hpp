#pragma once
// Common interface of topoembed's autoencoders, so training code treats them alike, and a factory
// that builds them by name ("spheres-mlp", "deep-ae", "mlp", "conv").

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "topoembed/models/activation.hpp"

namespace topoembed::models {

// Output of Autoencoder::forward. latent is [B, latent_dim]; reconstruction has the input's shape.
struct AutoencoderOutput {
  torch::Tensor latent;
  torch::Tensor reconstruction;
};

// Where BatchNorm sits in an MLP block: Linear → BatchNorm → activation (the paper's Spheres
// model) or Linear → activation → BatchNorm (the paper's DeepAE).
enum class NormPlacement { kBeforeActivation, kAfterActivation };

// Everything needed to rebuild an autoencoder with make_autoencoder. Zero / empty fields mean
// "the named model's default". The MLP-only fields must keep their defaults for the paper's fixed
// architectures ("spheres-mlp", "deep-ae", "conv").
struct AutoencoderSpec {
  std::vector<std::int64_t> input_shape;  // per sample, e.g. {101} or {1, 28, 28}
  std::int64_t latent_dim = 0;
  std::vector<std::int64_t> hidden;  // "mlp": encoder widths, decoder mirrored (default {32, 32})
  Activation activation = Activation::kReLU;                          // "mlp" only
  bool batch_norm = true;                                             // "mlp" only
  NormPlacement norm_placement = NormPlacement::kBeforeActivation;    // "mlp" only
  Activation output_activation = Activation::kIdentity;               // "mlp" only
};

// Abstract base: encode, decode and a forward returning both. Implementations register their
// submodules in the constructor and check input shapes with a clear message.
class Autoencoder : public torch::nn::Module {
 public:
  // latent = encode(x), reconstruction = decode(latent).
  AutoencoderOutput forward(const torch::Tensor& x);
  virtual torch::Tensor encode(const torch::Tensor& x) = 0;
  virtual torch::Tensor decode(const torch::Tensor& z) = 0;

  // Shape of one input sample (without the batch dimension).
  virtual std::vector<std::int64_t> input_shape() const = 0;
  virtual std::int64_t latent_dim() const = 0;
  // Registry name and spec that make_autoencoder turns back into this architecture.
  virtual std::string architecture_name() const = 0;
  virtual AutoencoderSpec spec() const = 0;

 protected:
  explicit Autoencoder(const std::string& module_name) : torch::nn::Module(module_name) {}
};

// Names accepted by make_autoencoder.
std::vector<std::string> autoencoder_names();

// Builds "spheres-mlp" (101→32→32→2, Linear→BatchNorm→ReLU, mirrored decoder, linear output),
// "deep-ae" (784→1000→500→250→2, Linear→ReLU→BatchNorm, mirrored decoder, Tanh output),
// "mlp" (configurable by spec) or "conv" (the paper's small convolutional AE for 28×28 images).
// Throws std::invalid_argument for unknown names and invalid sizes.
std::shared_ptr<Autoencoder> make_autoencoder(const std::string& name,
                                              const AutoencoderSpec& spec = {});

// JSON text {"name": ..., "input_shape": [...], ...} and back; the parser checks every field.
std::string autoencoder_architecture_json(const std::string& name, const AutoencoderSpec& spec);
struct AutoencoderArchitecture {
  std::string name;
  AutoencoderSpec spec;
};
AutoencoderArchitecture parse_autoencoder_architecture_json(const std::string& json_text);

// Single-file checkpoint holding the architecture JSON and the parameters and buffers. Written
// to a temporary name and renamed, so an interrupted save never leaves a half-written file.
void save_autoencoder(const Autoencoder& model, const std::string& path);
// Rebuilds the architecture from the file and loads the weights. Throws std::runtime_error
// naming the path when the file is missing, corrupt or not an autoencoder checkpoint.
std::shared_ptr<Autoencoder> load_autoencoder(const std::string& path);

}  // namespace topoembed::models
