#pragma once
// Principal component analysis, the linear baseline of "Topological Autoencoders" (Moor et al.,
// ICML 2020, Table 1): fitted on a training split, applied to new points, with a reconstruction
// from the top components (the paper's "data MSE" of PCA). Computed in float64.

#include <cstdint>
#include <string>

#include <torch/torch.h>

namespace topoembed::models {

class Pca {
 public:
  // Throws std::invalid_argument unless n_components >= 1.
  explicit Pca(std::int64_t n_components);

  // Fits on x [n, ...] (trailing dimensions are flattened to d; any real dtype): the mean of the
  // rows, and the n_components leading eigenvectors of the sample covariance (an
  // eigendecomposition of the d x d covariance, or of the n x n Gram matrix when d > n), largest
  // variance first. Sign convention: each axis's entry of largest absolute value (the first such
  // one on ties) is positive, so a fit does not depend on the solver's sign choices.
  // Throws std::invalid_argument when n_components > d, n < 2, n_components > n or x holds a
  // non-finite value. Returns *this.
  Pca& fit(const torch::Tensor& x);

  // Latents (x - mean) V^T, [m, n_components] float64. x: [m, ...] with d values per row.
  // Throws std::logic_error before fit, std::invalid_argument on a wrong width.
  torch::Tensor transform(const torch::Tensor& x) const;
  // z V + mean, [m, d] float64 (flat rows). Throws like transform.
  torch::Tensor inverse_transform(const torch::Tensor& z) const;

  bool fitted() const { return mean_.defined(); }
  std::int64_t n_components() const { return n_components_; }
  std::int64_t input_dim() const;
  // Sample count of the fit.
  std::int64_t n_samples() const { return n_samples_; }
  const torch::Tensor& mean() const { return mean_; }              // [d]
  const torch::Tensor& components() const { return components_; }  // [n_components, d], orthonormal rows
  // Variance along each axis (eigenvalue of the covariance with divisor n - 1, as sklearn).
  const torch::Tensor& explained_variance() const { return explained_variance_; }  // [n_components]
  // explained_variance over the total variance of the data (the covariance's trace).
  const torch::Tensor& explained_variance_ratio() const { return explained_variance_ratio_; }

  // Rebuilds a fitted PCA from its parts (load_pca). Throws std::invalid_argument on shapes that
  // do not fit together.
  static Pca from_parts(torch::Tensor mean, torch::Tensor components, torch::Tensor explained_variance,
                        torch::Tensor explained_variance_ratio, std::int64_t n_samples);

 private:
  void require_fitted(const char* op) const;

  std::int64_t n_components_;
  std::int64_t n_samples_ = 0;
  torch::Tensor mean_, components_, explained_variance_, explained_variance_ratio_;
};

// A fitted PCA as a topoembed checkpoint file (kind "pca"), written to a temporary name and
// renamed. Throws std::logic_error for an unfitted PCA, std::runtime_error when writing fails.
void save_pca(const Pca& pca, const std::string& path);
// Throws std::runtime_error naming the file when it is missing, not a PCA checkpoint, or corrupt.
Pca load_pca(const std::string& path);

}  // namespace topoembed::models
