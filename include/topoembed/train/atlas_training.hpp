#pragma once
// Training of an atlas autoencoder (Korman, arXiv 1803.00156, 2106.07062): the loss
//   Σ_i q_i(x) ‖x − ψ_i(φ_i(x))‖²  +  β · prior term  +  γ · sharpening of q,
// minimised with Adam. The prior term matches the chart-weighted code distribution
// (1/B) Σ_x Σ_i q_i(x) δ(i, φ_i(x)) to the uniform prior on {1..k} × [0,1]^d, either by the
// chart-weighted MMD (diff::chart_weighted_mmd) or adversarially (Wasserstein-autoencoder GAN
// form): a discriminator D(chart, coords) is trained to tell prior samples from the pairs
// (e_i, φ_i(x)) weighted by q_i(x), and the atlas minimises Σ_i q_i(x) · −log σ(D(e_i, φ_i(x)))
// (the non-saturating generator loss).
//
// Deterministic: every random choice (initial weights, batch order, prior samples) is a function
// of options.seed; the global LibTorch generator is left as it was found.

#include <cstdint>
#include <functional>
#include <vector>

#include <torch/torch.h>

#include "topoembed/diff/regularizers.hpp"
#include "topoembed/models/atlas.hpp"
#include "topoembed/models/atlas_discriminator.hpp"

namespace topoembed::train {

enum class AtlasPrior { kMMD, kGAN };

struct AtlasTrainingOptions {
  std::int64_t charts = 4;     // k >= 1
  std::int64_t chart_dim = 1;  // d >= 1
  std::vector<std::int64_t> trunk{64, 64};
  std::vector<std::int64_t> decoder_hidden{64, 64};
  AtlasPrior prior = AtlasPrior::kMMD;
  // β >= 0. The chart-weighted MMD is O(1e-2): with β = 10 every chart gets used on a circle
  // (k = 4, 5 of 5 seeds); with β = 1 one chart can stay nearly empty. For the GAN form (loss
  // O(1)) β ≈ 1 is the comparable weight.
  double prior_weight = 10.0;
  double sharpening_weight = 0.1;  // γ >= 0
  diff::SharpeningTerm sharpening = diff::SharpeningTerm::kEntropy;
  std::int64_t epochs = 100;       // >= 1
  std::int64_t batch_size = 128;   // >= 2 (the unbiased MMD needs two points)
  double learning_rate = 1e-3;     // > 0, of the atlas
  double discriminator_learning_rate = 1e-3;  // > 0, GAN prior only
  std::uint64_t seed = 0;
};

// Throws std::invalid_argument naming the field ("train_atlas: charts must be >= 1, got 0").
void validate(const AtlasTrainingOptions& options);

struct AtlasLossTerms {
  torch::Tensor total;           // reconstruction + β prior + γ sharpening
  torch::Tensor reconstruction;  // mean over the batch of Σ_i q_i(x) ‖x − ψ_i(φ_i(x))‖²
  torch::Tensor prior;
  torch::Tensor sharpening;
};

// Mean over the batch of Σ_i q_i(x) ‖x − ψ_i(φ_i(x))‖²; x [B, D] (flattened input).
torch::Tensor atlas_reconstruction_loss(const models::AtlasOutput& out, const torch::Tensor& x);

// The MMD form of the loss with explicit prior samples [m, d] (deterministic given them).
AtlasLossTerms atlas_mmd_loss(const models::AtlasOutput& out, const torch::Tensor& x,
                              const torch::Tensor& prior_samples, const AtlasTrainingOptions& options);

// The GAN form: the atlas' side of the adversarial loss for a given discriminator.
AtlasLossTerms atlas_gan_loss(const models::AtlasOutput& out, const torch::Tensor& x,
                              models::AtlasDiscriminatorImpl& discriminator,
                              const AtlasTrainingOptions& options);

// The discriminator's loss: BCE of "prior" on the prior sample, of "code" on the q-weighted
// chart codes of the batch (detached).
torch::Tensor atlas_discriminator_loss(const models::AtlasOutput& out,
                                       models::AtlasDiscriminatorImpl& discriminator,
                                       const models::AtlasPriorSample& prior);

struct AtlasEpochLog {
  std::int64_t epoch = 0;  // 1-based
  double loss = 0;         // means over the epoch's batches
  double reconstruction = 0;
  double prior = 0;
  double sharpening = 0;
  double discriminator = 0;  // GAN prior only
};

struct AtlasTrainingResult {
  models::Atlas atlas{nullptr};                          // eval mode
  models::AtlasDiscriminator discriminator{nullptr};     // GAN prior only
  std::vector<AtlasEpochLog> history;
};

// points [N, D] (floating; converted to float32), N >= 2. on_epoch, when set, is called after
// every epoch (progress display; the library itself never prints).
AtlasTrainingResult train_atlas(const torch::Tensor& points, const AtlasTrainingOptions& options,
                                const std::function<void(const AtlasEpochLog&)>& on_epoch = nullptr);

// Memberships q [N, k] of the trained atlas on points (no grad, eval mode, in batches).
torch::Tensor atlas_memberships(models::AtlasImpl& atlas, const torch::Tensor& points);

}  // namespace topoembed::train
