#pragma once
// Training of an atlas autoencoder (Korman, arXiv 1803.00156, 2106.07062): the loss
//   Σ_i q_i(x) ‖x − ψ_i(φ_i(x))‖²  +  β · prior term  +  γ · sharpening of q  +  λ · locality
//   +  η · chart balance,
// minimised with Adam. The prior term matches the chart-weighted code distribution
// (1/B) Σ_x Σ_i q_i(x) δ(i, φ_i(x)) to the uniform prior on {1..k} × [0,1]^d, either by the
// chart-weighted MMD (diff::chart_weighted_mmd) or adversarially (Wasserstein-autoencoder GAN
// form): a discriminator D(chart, coords) is trained to tell prior samples from the pairs
// (e_i, φ_i(x)) weighted by q_i(x), and the atlas minimises Σ_i q_i(x) · −log σ(D(e_i, φ_i(x)))
// (the non-saturating generator loss).
//
// The locality term (atlas_locality_loss) is the soft k-means objective of the memberships in
// data space: the q-weighted within-chart variance over the total variance of the batch. Without
// it nothing asks a chart's domain to be a small contractible patch: a chart may be an annulus
// (which [0,1]^2 embeds perfectly well), e.g. a band around the tube of a torus, and then the
// nerve of the atlas is a circle however the nerve is read (measured: torus in R³, k = 12, no H2
// class in the nerve). Small compact charts make the cover a good cover, whose nerve has the
// manifold's homology (the nerve lemma).
//
// The chart-balance term (atlas_balance_loss) matches the chart part of the prior explicitly: the
// prior's chart index is uniform on {1..k}, and KL(q̄ ‖ uniform) of the batch's mean membership q̄
// is 0 exactly when the charts carry equal mass. The chart-weighted MMD sees the chart marginal
// too, but weakly (a chart of mass 1/k missing moves it by about (1/k)² times a kernel mean, 2e-3
// for k = 24): measured, 2 of 24 charts of a torus atlas die (mass < 1 point of 1000) at β = 10.
// A dead chart is harmful to the nerve, not just useless: its few points of relative weight sit
// where other charts meet, so its membership-weighted strengths join it to all of them (a cone).
//
// Checkpoints and resume (AtlasCheckpointing): after every epoch one file
// <dir>/atlas_checkpoint.pt (written atomically) holds the atlas, the discriminator, both Adam
// states, the batch-order generator's state, the step counter, the epoch log so far and the
// options as JSON; a resumed run continues from it bit for bit like an uninterrupted one.
//
// Deterministic: every random choice (initial weights, batch order, prior samples) is a function
// of options.seed; the global LibTorch generator is left as it was found.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
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
  // γ: > 0 sharpens q (crisper memberships); < 0 is an entropy bonus τ = −γ. With the locality
  // term the membership part of the loss per point is then (λ Σ_i q_i ‖x − μ_i‖² / σ² − τ H(q)) / B
  // (σ² the batch's mean squared distance to its mean), whose minimiser over q is the Gibbs, or
  // soft k-means, membership q_i ∝ exp(−‖x − μ_i‖² / T) at temperature T = τ σ² / λ: memberships
  // whose tails fall off with the distance to the chart, and whose overlaps have a width set by T
  // rather than by how sharp the network happens to make its softmax. Measured (see
  // docs/results-atlas.md): with γ ≥ 0 the learnt memberships are so crisp (mean max q ≈ 0.97)
  // that the sample holds almost no point of a triple overlap, and the nerve's triangles come from
  // softmax tails that do not follow the geometry.
  double sharpening_weight = 0.1;
  diff::SharpeningTerm sharpening = diff::SharpeningTerm::kEntropy;
  // λ >= 0, the weight of atlas_locality_loss (a fraction in [0, 1]). 0 (default) keeps charts
  // free to be annuli (see above). Off by default because it has not been evaluated on the
  // manifold runs of docs/results-atlas.md yet (those are λ = 0); ideal soft k-means partitions
  // (what λ → ∞ asks for) give the right nerve of the sphere and the flat torus but not of the
  // torus in R³ or of RP² (see that file).
  double locality_weight = 0.0;
  // η >= 0, the weight of atlas_balance_loss (in [0, log k]). 0 (default): the chart marginal is
  // left to the prior term alone, as in the runs before it existed.
  double balance_weight = 0.0;
  // The membership head (models::AtlasMembership). kDistance: the chart centres start at k
  // seeded random training points, and the temperature is membership_temperature × s², s² the
  // mean over the training points of the squared distance to the nearest initial centre (the cell
  // scale: free of the data's scale, k and d).
  models::AtlasMembership membership = models::AtlasMembership::kNetwork;
  double membership_temperature = 0.08;  // > 0, relative (kDistance only)
  // In [0, 1): the chart-weighted MMD leaves out terms with q_i(x) below it
  // (diff::chart_weighted_mmd; 0 = exact). With distance memberships and many charts 1e-4 makes
  // the prior term ~k/(a few) times cheaper; network memberships rarely go below it.
  double mmd_membership_floor = 0.0;
  std::int64_t epochs = 100;       // >= 1
  std::int64_t batch_size = 128;   // >= 2 (the unbiased MMD needs two points)
  double learning_rate = 1e-3;     // > 0, of the atlas
  double discriminator_learning_rate = 1e-3;  // > 0, GAN prior only
  std::uint64_t seed = 0;
};

// Throws std::invalid_argument naming the field ("train_atlas: charts must be >= 1, got 0").
void validate(const AtlasTrainingOptions& options);

struct AtlasLossTerms {
  torch::Tensor total;           // reconstruction + β prior + γ sharpening + λ locality + η balance
  torch::Tensor reconstruction;  // mean over the batch of Σ_i q_i(x) ‖x − ψ_i(φ_i(x))‖²
  torch::Tensor prior;
  torch::Tensor sharpening;
  torch::Tensor locality;
  torch::Tensor balance;
};

// Soft k-means objective of the memberships q [B, k] on the batch x [B, D]:
//   Σ_x Σ_i q_i(x) ‖x − μ_i‖² / Σ_x ‖x − x̄‖²,  μ_i = Σ_x q_i(x) x / Σ_x q_i(x),
// the share of the batch's variance left within the charts (0 when every chart is a point, 1 when
// q is constant). A batch with no spread gives 0. Differentiable in q (the μ_i too).
torch::Tensor atlas_locality_loss(const torch::Tensor& membership, const torch::Tensor& x);

// KL divergence of the batch's mean membership q̄ = (1/B) Σ_x q(x) from the uniform distribution on
// the k charts: Σ_j q̄_j log(k q̄_j) (0 log 0 = 0), in [0, log k]; q [B, k].
torch::Tensor atlas_balance_loss(const torch::Tensor& membership);

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
  double locality = 0;
  double balance = 0;
  double discriminator = 0;  // GAN prior only
};

// One epoch record as JSON with every field above ("epoch", "loss", "reconstruction", "prior",
// "sharpening", "locality", "balance", "discriminator"): the one writer of a log.jsonl line, of an
// entry of the checkpoint's history and of atlas_summary.json's last_epoch, so they keep the same
// fields.
nlohmann::json atlas_epoch_log_json(const AtlasEpochLog& epoch);

// The inverse. "locality" and "balance" read as 0 when absent (records written before those terms
// existed, e.g. the last_epoch of an older atlas_summary.json); the other fields are required
// (nlohmann::json::exception names the missing key).
AtlasEpochLog atlas_epoch_log_from_json(const nlohmann::json& record);

struct AtlasTrainingResult {
  models::Atlas atlas{nullptr};                          // eval mode
  models::AtlasDiscriminator discriminator{nullptr};     // GAN prior only
  std::vector<AtlasEpochLog> history;
};

// Where train_atlas keeps its checkpoint. dir empty: no checkpoints. resume: continue
// <dir>/atlas_checkpoint.pt (it must exist and hold the same options but for `epochs`, which may
// grow); without resume an existing checkpoint there is an error. stop_after_epochs > 0 returns
// after that many epochs of this call (a stand-in for a killed run, for tests).
struct AtlasCheckpointing {
  std::string dir;
  bool resume = false;
  std::int64_t stop_after_epochs = 0;
};

inline constexpr const char* kAtlasCheckpointFile = "atlas_checkpoint.pt";

// JSON text of the options (every field; used to check that a resume continues the same run).
std::string atlas_training_options_json(const AtlasTrainingOptions& options);

// points [N, D] (floating; converted to float32), N >= 2. on_epoch, when set, is called after
// every epoch run by this call (progress display; the library itself never prints). The result's
// history holds every epoch, the resumed ones included.
AtlasTrainingResult train_atlas(const torch::Tensor& points, const AtlasTrainingOptions& options,
                                const std::function<void(const AtlasEpochLog&)>& on_epoch = nullptr,
                                const AtlasCheckpointing& checkpointing = {});

// Memberships q [N, k] of the trained atlas on points (no grad, eval mode, in batches).
torch::Tensor atlas_memberships(models::AtlasImpl& atlas, const torch::Tensor& points);

}  // namespace topoembed::train
