#pragma once
// Persistent-homology losses on minibatches: the Topological Autoencoder signature loss
// (Moor et al., ICML 2020), the COREL connectivity loss (Hofer et al., ICML 2019) and total
// persistence. All work by "pairs, then gather" (see vietoris_rips.hpp).

#include <cstdint>
#include <optional>
#include <vector>

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "topoembed/diff/distances.hpp"

namespace topoembed::diff {

// ---------------------------------------------------------------------------------------------
// TopoSignatureLoss

enum class SignatureError {
  kSquared,  // Σ (a - b)^2, as in the paper's code
  kPNorm,    // (Σ |a - b|^p)^(1/p)
};

struct TopoSignatureLossOptions {
  // Homology dimensions whose pairings are matched: {0} (the paper) or {0, 1}.
  TORCH_ARG(std::vector<int64_t>, dims) = std::vector<int64_t>{0};
  TORCH_ARG(SignatureError, error) = SignatureError::kSquared;
  TORCH_ARG(double, p) = 2.0;  // for kPNorm
  // The latent distances are divided by a learnable scalar `latent_norm` initialised to 1.
  TORCH_ARG(bool, learnable_scale) = true;
  // Input distances are divided by this constant (images: e.g. sqrt(c h w) times the pixel range);
  // unset: by the batch maximum, as the paper's code does for vector data.
  TORCH_ARG(std::optional<double>, input_scale) = std::nullopt;
  // Threads for the two H1 computations (0 = hardware concurrency). The H0 pairings always run
  // on the calling thread: two Prims on a minibatch cost less than starting a thread.
  TORCH_ARG(int, threads) = 0;
};

// The two halves of the symmetric signature distance, each already divided by the batch size.
struct TopoSignatureTerms {
  torch::Tensor loss;    // x_to_z + z_to_x
  torch::Tensor x_to_z;  // ‖A_X[π_X] − A_Z[π_X]‖² / B
  torch::Tensor z_to_x;  // ‖A_Z[π_Z] − A_X[π_Z]‖² / B
};

// The symmetric signature distance between two normalised distance matrices A_X, A_Z ([B, B]),
// not divided by the batch size. Dimension 0 pairs contribute A[death edge]; dimension 1 pairs
// contribute A[death edge] − A[birth edge] (the persistence, as the paper's code with cycles).
TopoSignatureTerms signature_distance(const torch::Tensor& a_x, const torch::Tensor& a_z,
                                      const TopoSignatureLossOptions& options = TopoSignatureLossOptions());

// L_topo / B for a batch of inputs x [B, ...] (flattened per sample) and latents z [B, d]:
// A_X = D_X / max(D_X) (or / input_scale), A_Z = D_Z / latent_norm, Euclidean distances.
// The pairings come from the core on the detached distance matrices; the matched values are the
// lengths of the paired edges recomputed from the points (the same numbers as A at those edges,
// with the same gradients), so autograd records O(B) work instead of two B x B matrices.
class TopoSignatureLossImpl : public torch::nn::Cloneable<TopoSignatureLossImpl> {
 public:
  explicit TopoSignatureLossImpl(TopoSignatureLossOptions options = {});
  void reset() override;
  void pretty_print(std::ostream& stream) const override;

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& z);
  TopoSignatureTerms terms(const torch::Tensor& x, const torch::Tensor& z);

  TopoSignatureLossOptions options;
  torch::Tensor latent_norm;  // registered parameter when learnable_scale, else a buffer of 1

 private:
  // loss_only: forward() needs only `loss` (the halves may then be left undefined).
  TopoSignatureTerms compute(const torch::Tensor& x, const torch::Tensor& z, bool loss_only);
};
TORCH_MODULE(TopoSignatureLoss);

// ---------------------------------------------------------------------------------------------
// ConnectivityLoss (COREL)

enum class ConnectivityNorm { kL1, kL2 };  // |t − η| or (t − η)^2 per death time

struct ConnectivityLossOptions {
  TORCH_ARG(double, eta) = 2.0;                     // target death time η
  TORCH_ARG(Metric, metric) = Metric::kManhattan;   // COREL uses L1 in the latent space
  TORCH_ARG(ConnectivityNorm, norm) = ConnectivityNorm::kL1;
  // The latent vector is split into `branches` equal sub-vectors; the loss is averaged over them
  // (the COREL code: 16 branches of 10 dims, η = 2, L1).
  TORCH_ARG(int64_t, branches) = 1;
  TORCH_ARG(int, threads) = 0;
};

// For z [B, d]: mean over branches of Σ_i |t_i − η| / B, where t_i are the B − 1 H0 death times
// (minimum spanning tree edge lengths) of the branch's latent batch.
class ConnectivityLossImpl : public torch::nn::Cloneable<ConnectivityLossImpl> {
 public:
  explicit ConnectivityLossImpl(ConnectivityLossOptions options = {});
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& z);

  ConnectivityLossOptions options;
};
TORCH_MODULE(ConnectivityLoss);

// ---------------------------------------------------------------------------------------------
// TotalPersistenceLoss

struct TotalPersistenceLossOptions {
  TORCH_ARG(std::vector<int64_t>, dims) = std::vector<int64_t>{0};
  TORCH_ARG(double, p) = 1.0;  // Σ (death − birth)^p over finite pairs
  TORCH_ARG(Metric, metric) = Metric::kEuclidean;
  TORCH_ARG(bool, distance_input) = false;
  TORCH_ARG(int, threads) = 0;
};

// Total persistence of the Rips diagrams of x ([N, D] or [B, N, D] points, or distances with
// distance_input); essential classes are left out; a batch gives the mean over its clouds.
class TotalPersistenceLossImpl : public torch::nn::Cloneable<TotalPersistenceLossImpl> {
 public:
  explicit TotalPersistenceLossImpl(TotalPersistenceLossOptions options = {});
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& x);

  TotalPersistenceLossOptions options;
};
TORCH_MODULE(TotalPersistenceLoss);

}  // namespace topoembed::diff
