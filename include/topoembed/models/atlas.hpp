#pragma once
// Atlas (multi-chart) autoencoder after Korman (arXiv 1803.00156, 2106.07062): a chart-membership
// head q(x) = softmax over k charts, k chart encoders φ_i(x) ∈ (0,1)^d (sigmoid), and k chart
// decoders ψ_i: [0,1]^d → data space, all reading one shared encoder trunk.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "topoembed/models/activation.hpp"
#include "topoembed/models/chartwise_linear.hpp"

namespace topoembed::models {

// How q(x) is computed. kNetwork: softmax of a linear head on the trunk (any logits the network
// likes). kDistance: q_j(x) ∝ exp(−‖x − c_j‖² / T), a softmax of negative squared distances to k
// learnt chart centres c_j in data space at a fixed temperature T (the Gibbs, or soft k-means,
// memberships): each chart is a soft cell around its centre, and the membership of a far chart
// falls off with the distance — what the fuzzy nerve's strengths estimate overlaps from.
enum class AtlasMembership { kNetwork, kDistance };

struct AtlasOptions {
  // input_shape: one sample's shape ({D} or {C, H, W}; images are flattened, D = product).
  // charts = k ≥ 1, chart_dim = d ≥ 1.
  AtlasOptions(std::vector<std::int64_t> input_shape, std::int64_t charts, std::int64_t chart_dim);

  TORCH_ARG(std::vector<std::int64_t>, input_shape);
  TORCH_ARG(std::int64_t, charts);
  TORCH_ARG(std::int64_t, chart_dim);
  // Shared encoder backbone widths (Linear [BatchNorm] activation per entry); empty: the heads
  // read x directly.
  TORCH_ARG(std::vector<std::int64_t>, trunk) = std::vector<std::int64_t>{64, 64};
  // Hidden widths of each chart encoder on top of the trunk (empty: one affine map per chart).
  TORCH_ARG(std::vector<std::int64_t>, chart_encoder_hidden) = std::vector<std::int64_t>{};
  // Hidden widths of each chart decoder ψ_i.
  TORCH_ARG(std::vector<std::int64_t>, chart_decoder_hidden) = std::vector<std::int64_t>{64, 64};
  TORCH_ARG(Activation, activation) = Activation::kReLU;
  TORCH_ARG(bool, batch_norm) = false;  // BatchNorm in the trunk, after each activation
  TORCH_ARG(Activation, output_activation) = Activation::kIdentity;  // of every ψ_i
  TORCH_ARG(AtlasMembership, membership) = AtlasMembership::kNetwork;
  // kDistance: T > 0, in squared data units.
  TORCH_ARG(double, membership_temperature) = 1.0;
};

// Throws std::invalid_argument ("AtlasOptions: charts must be >= 1, got 0", ...).
void validate(const AtlasOptions& options);

struct AtlasEncoding {
  torch::Tensor membership_logits;  // [B, k]
  torch::Tensor membership;         // [B, k], q(x) = softmax(logits), rows sum to 1
  torch::Tensor coords;             // [B, k, d], φ_i(x) in (0, 1)^d
};

struct AtlasOutput {
  torch::Tensor membership_logits;  // [B, k]
  torch::Tensor membership;         // [B, k]
  torch::Tensor coords;             // [B, k, d]
  torch::Tensor reconstructions;    // [B, k, D], ψ_i(φ_i(x)) flattened
};

class AtlasImpl : public torch::nn::Module {
 public:
  explicit AtlasImpl(AtlasOptions options);

  AtlasOutput forward(const torch::Tensor& x);
  AtlasEncoding encode(const torch::Tensor& x);
  // coords [B, k, d] → [B, k, D]: every chart decodes its own coordinates.
  torch::Tensor decode(const torch::Tensor& coords);
  // coords [N, d] decoded by chart `chart` alone → [N, D] (e.g. a grid over [0,1]^d).
  torch::Tensor decode_chart(std::int64_t chart, const torch::Tensor& coords);

  const AtlasOptions& options() const { return options_; }
  std::int64_t charts() const { return options_.charts(); }
  std::int64_t chart_dim() const { return options_.chart_dim(); }
  std::int64_t input_dim() const { return input_dim_; }

 private:
  AtlasOptions options_;
  std::int64_t input_dim_ = 0;
  torch::nn::Sequential trunk_{nullptr};
  torch::nn::Linear membership_head_{nullptr};  // kNetwork
  torch::Tensor centres_;                         // kDistance: [k, D]
  std::vector<ChartwiseLinear> chart_encoders_;
  std::vector<ChartwiseLinear> chart_decoders_;
};
TORCH_MODULE(Atlas);

// Points of a regular grid on [0,1]^d with `side` points per axis at the cell centres
// (i + 0.5) / side, first coordinate fastest: [side^d, d]. For the chart pictures: decode_chart
// of this grid shows what each chart has learnt. Throws unless side >= 1, d >= 1, side^d <= 2^24.
torch::Tensor chart_grid(std::int64_t side, std::int64_t chart_dim);

// JSON text of the options and back (every field checked).
std::string atlas_options_json(const AtlasOptions& options);
AtlasOptions parse_atlas_options_json(const std::string& json_text);

// Single-file checkpoint (options JSON + weights), written atomically.
void save_atlas(const AtlasImpl& model, const std::string& path);
Atlas load_atlas(const std::string& path);

}  // namespace topoembed::models
