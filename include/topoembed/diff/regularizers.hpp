#pragma once
// Regularisers of the atlas and contrastive set-ups: MMD to the uniform distribution on [0,1]^d
// (plain and chart-weighted), chart-membership sharpening, NT-Xent (SimCLR) and the triplet loss
// over all valid triplets of a batch.

#include <cstdint>
#include <functional>
#include <optional>

#include <ATen/core/Generator.h>
#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace topoembed::diff {

// ---------------------------------------------------------------------------------------------
// MMD with the inverse multiquadric kernel k(a, b) = C / (C + ‖a − b‖²)

// Kernel matrix [n, m] between the rows of a [n, d] and b [m, d].
torch::Tensor inverse_multiquadric_kernel(const torch::Tensor& a, const torch::Tensor& b, double c);

// Unbiased MMD² between samples x [n, d] and y [m, d] (n, m >= 2):
// mean_{i≠j} k(x_i, x_j) + mean_{i≠j} k(y_i, y_j) − 2 mean_{i,j} k(x_i, y_j). C defaults to d / 6.
torch::Tensor mmd_unbiased(const torch::Tensor& x, const torch::Tensor& y,
                           std::optional<double> c = std::nullopt);

// Chart-weighted unbiased MMD² between the data measure (1/B) Σ_x Σ_i q_i(x) δ(i, φ_i(x)) and the
// prior "chart uniform on {1..k}, coordinates uniform": with the kernel δ_ij k(a, b) on
// {1..k} × [0,1]^d,
//   Σ_i Σ_{x≠x'} q_i(x) q_i(x') k(φ_i(x), φ_i(x')) / (B (B − 1))
//   + (1/k) mean_{j≠j'} k(u_j, u_j') − (2/k) Σ_i Σ_{x,j} q_i(x) k(φ_i(x), u_j) / (B m),
// for chart coordinates phi [B, k, d], memberships q [B, k] and prior samples u [m, d].
// With k = 1 and q = 1 it equals mmd_unbiased(phi[:, 0], u).
// membership_floor in [0, 1): terms with q_i(x) below it are left out (0: exact). Each left-out
// term is at most the floor times a kernel value; with distance memberships (a point weighs in a
// few charts) a floor of 1e-4 turns the O(k B²) cost into O(k n²), n the most points any chart
// keeps (docs/benchmarks.md).
torch::Tensor chart_weighted_mmd(const torch::Tensor& phi, const torch::Tensor& q,
                                 const torch::Tensor& prior, std::optional<double> c = std::nullopt,
                                 double membership_floor = 0.0);

struct UniformMMDLossOptions {
  TORCH_ARG(int64_t, prior_samples) = 0;             // m; 0 = the batch size
  TORCH_ARG(std::optional<double>, kernel_scale) = std::nullopt;  // C; default d / 6
  TORCH_ARG(uint64_t, seed) = 0;                     // of the module's own prior generator
};

// MMD² between a batch and fresh samples of the uniform distribution on [0,1]^d, drawn from the
// module's own generator (seeded by the options; no global RNG state).
class UniformMMDLossImpl : public torch::nn::Cloneable<UniformMMDLossImpl> {
 public:
  explicit UniformMMDLossImpl(UniformMMDLossOptions options = {});
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  // z [B, d].
  torch::Tensor forward(const torch::Tensor& z);
  // Chart-weighted form: phi [B, k, d], q [B, k]. (Not an overload of forward: ModuleHolder
  // deduces its call operator from a unique forward.)
  torch::Tensor forward_charts(const torch::Tensor& phi, const torch::Tensor& q);

  UniformMMDLossOptions options;

 private:
  torch::Tensor sample_prior(int64_t m, int64_t d, const torch::Tensor& like);
  at::Generator generator_;
};
TORCH_MODULE(UniformMMDLoss);

// ---------------------------------------------------------------------------------------------
// Chart-membership sharpening (q [B, k], rows are probability vectors)

// mean over the batch of −Σ_i q_i log q_i (0 log 0 = 0).
torch::Tensor membership_entropy(const torch::Tensor& q);
// mean over the batch of Σ_i (q_i − 1/k)².
torch::Tensor membership_uniform_deviation(const torch::Tensor& q);

enum class SharpeningTerm {
  kEntropy,           // loss = entropy (minimising sharpens)
  kUniformDeviation,  // loss = −(squared deviation from uniform) (minimising sharpens)
};

struct ChartSharpeningLossOptions {
  TORCH_ARG(SharpeningTerm, term) = SharpeningTerm::kEntropy;
};

class ChartSharpeningLossImpl : public torch::nn::Cloneable<ChartSharpeningLossImpl> {
 public:
  explicit ChartSharpeningLossImpl(ChartSharpeningLossOptions options = {});
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& q);

  ChartSharpeningLossOptions options;
};
TORCH_MODULE(ChartSharpeningLoss);

// ---------------------------------------------------------------------------------------------
// NT-Xent (SimCLR)

// z1, z2 [B, d] are two views of the same B samples (row i of each is a positive pair). The 2B
// embeddings are L2-normalised; for each, cross-entropy of its positive against the other 2B − 2
// negatives, similarities divided by the temperature; mean over the 2B anchors.
torch::Tensor nt_xent(const torch::Tensor& z1, const torch::Tensor& z2, double temperature);

struct NTXentLossOptions {
  TORCH_ARG(double, temperature) = 0.5;
};

class NTXentLossImpl : public torch::nn::Cloneable<NTXentLossImpl> {
 public:
  explicit NTXentLossImpl(NTXentLossOptions options = {});
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& z1, const torch::Tensor& z2);

  NTXentLossOptions options;
};
TORCH_MODULE(NTXentLoss);

// ---------------------------------------------------------------------------------------------
// Triplet loss over all valid triplets

// Maps embeddings [B, d] to a distance matrix [B, B] (differentiable).
using PairwiseDistanceFn = std::function<torch::Tensor(const torch::Tensor&)>;

enum class TripletDistance { kEuclidean, kSquaredEuclidean, kCosine };

PairwiseDistanceFn pairwise_distance_fn(TripletDistance distance);

// mean over all valid triplets (a, p, n) — a ≠ p with equal labels, n with a different label —
// of max(0, d(a, p) − d(a, n) + margin); 0 (connected to the graph) when there is none.
torch::Tensor triplet_loss(const torch::Tensor& embeddings, const torch::Tensor& labels, double margin,
                           const PairwiseDistanceFn& distance);

struct TripletLossOptions {
  TORCH_ARG(double, margin) = 1.0;
  TORCH_ARG(TripletDistance, distance) = TripletDistance::kEuclidean;
  // When set, used instead of `distance` (e.g. a manifold or atlas distance).
  TORCH_ARG(PairwiseDistanceFn, distance_fn) = nullptr;
};

class TripletLossImpl : public torch::nn::Cloneable<TripletLossImpl> {
 public:
  explicit TripletLossImpl(TripletLossOptions options = {});
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  // embeddings [B, d], labels [B] (integer).
  torch::Tensor forward(const torch::Tensor& embeddings, const torch::Tensor& labels);

  TripletLossOptions options;
};
TORCH_MODULE(TripletLoss);

}  // namespace topoembed::diff
