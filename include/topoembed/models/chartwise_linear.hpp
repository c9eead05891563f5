#pragma once
// k independent affine maps applied in one batched matrix product: the layers of an atlas's
// k chart encoders and k chart decoders.

#include <torch/torch.h>

#include <cstdint>

namespace topoembed::models {

struct ChartwiseLinearOptions {
  ChartwiseLinearOptions(std::int64_t charts, std::int64_t in_features, std::int64_t out_features)
      : charts_(charts), in_features_(in_features), out_features_(out_features) {}
  TORCH_ARG(std::int64_t, charts);
  TORCH_ARG(std::int64_t, in_features);
  TORCH_ARG(std::int64_t, out_features);
};

class ChartwiseLinearImpl : public torch::nn::Module {
 public:
  explicit ChartwiseLinearImpl(ChartwiseLinearOptions options);
  // x: [k, B, in] (a [1, B, in] or expanded input is broadcast to every chart) → [k, B, out];
  // chart i uses weight[i] ([in, out]) and bias[i] ([1, out]).
  torch::Tensor forward(const torch::Tensor& x);
  // Uniform(±1/sqrt(in)) for weight and bias, as torch::nn::Linear's default.
  void reset_parameters();

  const ChartwiseLinearOptions& options() const { return options_; }
  torch::Tensor weight;
  torch::Tensor bias;

 private:
  ChartwiseLinearOptions options_;
};
TORCH_MODULE(ChartwiseLinear);

}  // namespace topoembed::models
