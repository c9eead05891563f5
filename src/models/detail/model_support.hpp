#pragma once
// Private helpers shared by the models' translation units: activation modules, shape checks and
// atomic checkpoint files.

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "topoembed/models/activation.hpp"

namespace topoembed::models::detail {

// A module for `activation` to append to a torch::nn::Sequential.
torch::nn::AnyModule make_activation_module(Activation activation);
// The same function applied to a tensor (for the chart-wise layers, which are not Sequential).
torch::Tensor apply_activation(Activation activation, const torch::Tensor& x);

// "[B, 1, 28, 28]"-style text for messages; the batch dimension is written as B.
std::string batch_shape_string(const std::vector<std::int64_t>& sample_shape);
std::string shape_string(torch::IntArrayRef sizes);
// Product of the entries; throws std::invalid_argument naming `what` if an entry is < 1.
std::int64_t checked_volume(const std::vector<std::int64_t>& shape, const std::string& what);
// Throws std::invalid_argument(op + ": expected input of shape [B, ...], got [...]") unless x is
// a batch of samples of `sample_shape`.
void check_batch_of(const torch::Tensor& x, const std::vector<std::int64_t>& sample_shape,
                    const std::string& op);

// Checkpoint file: {"topoembed_kind": kind, "topoembed_architecture": json, "model": weights},
// the weights archive holding also "topoembed_dtype" (float32, float64, float16 or bfloat16): the
// one floating-point type of the model's parameters and buffers. Throws std::invalid_argument when
// they mix floating-point types. Written to path + ".tmp", then renamed over path.
void write_checkpoint(const torch::nn::Module& model, const std::string& kind,
                      const std::string& architecture_json, const std::string& path,
                      const std::string& op);
// Opens a checkpoint of `kind` and returns its architecture JSON; `weights` receives the nested
// archive to pass to Module::load.
std::string read_checkpoint(const std::string& path, const std::string& kind, const std::string& op,
                            torch::serialize::InputArchive& weights);
// Loads `weights` into `model`, turning LibTorch's error into one naming op and path. The model is
// first converted to the archive's "topoembed_dtype" (files without it load as the model is built), so that a
// float64 model reads back as float64: Module::load copies a tensor into a parameter of another
// dtype by reinterpreting its bytes.
void load_weights(torch::nn::Module& model, torch::serialize::InputArchive& weights,
                  const std::string& path, const std::string& op);

}  // namespace topoembed::models::detail
