// models::Pca: fit (eigendecomposition in float64), transform, inverse_transform, and the
// checkpoint file of a fitted PCA.
#include "topoembed/models/pca.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>

#include <nlohmann/json.hpp>

#include "detail/model_support.hpp"

namespace topoembed::models {

namespace {

constexpr const char* kCheckpointKind = "pca";

// [n, ...] -> [n, d] float64 contiguous; `what` names the caller in messages.
torch::Tensor flat_rows(const torch::Tensor& x, const std::string& what) {
  if (!x.defined() || x.dim() < 2) {
    throw std::invalid_argument(what + ": expected a tensor [n, d] (or [n, ...]), got " +
                                (x.defined() ? std::to_string(x.dim()) + " dimension(s)" : std::string("none")));
  }
  if (!x.is_floating_point() && x.scalar_type() != torch::kLong && x.scalar_type() != torch::kInt) {
    throw std::invalid_argument(what + ": expected real values, got dtype " + std::string(c10::toString(x.scalar_type())));
  }
  return x.reshape({x.size(0), -1}).to(torch::kFloat64).contiguous();
}

// Flips each row so that its entry of largest absolute value (the first on ties) is positive.
// Entries within a relative 1e-9 of the largest count as tied: the eigensolver's rounding
// (which depends on the BLAS and its thread count) must not pick the sign of an axis such as
// (-1, 2, -2)/3.
torch::Tensor with_sign_convention(torch::Tensor components) {
  constexpr double kTieTolerance = 1e-9;
  components = components.contiguous().clone();
  auto a = components.accessor<double, 2>();
  for (std::int64_t r = 0; r < a.size(0); ++r) {
    double largest = 0.0;
    for (std::int64_t c = 0; c < a.size(1); ++c) largest = std::max(largest, std::abs(a[r][c]));
    std::int64_t best = 0;
    while (std::abs(a[r][best]) < largest * (1.0 - kTieTolerance)) ++best;
    if (a[r][best] < 0) {
      for (std::int64_t c = 0; c < a.size(1); ++c) a[r][c] = -a[r][c];
    }
  }
  return components;
}

// A module holding the fitted tensors as buffers, so the models' checkpoint format carries them.
struct PcaBuffers : torch::nn::Module {
  PcaBuffers(const torch::Tensor& mean, const torch::Tensor& components, const torch::Tensor& variance,
             const torch::Tensor& ratio) {
    register_buffer("mean", mean);
    register_buffer("components", components);
    register_buffer("explained_variance", variance);
    register_buffer("explained_variance_ratio", ratio);
  }
};

}  // namespace

Pca::Pca(std::int64_t n_components) : n_components_(n_components) {
  if (n_components < 1) {
    throw std::invalid_argument("Pca: n_components must be >= 1, got " + std::to_string(n_components));
  }
}

std::int64_t Pca::input_dim() const { return fitted() ? mean_.size(0) : 0; }

Pca& Pca::fit(const torch::Tensor& input) {
  const auto x = flat_rows(input, "Pca::fit");
  const std::int64_t n = x.size(0);
  const std::int64_t d = x.size(1);
  if (n_components_ > d) {
    throw std::invalid_argument("Pca::fit: n_components = " + std::to_string(n_components_) +
                                " exceeds the data dimension " + std::to_string(d));
  }
  if (n < 2) throw std::invalid_argument("Pca::fit: needs at least 2 samples, got " + std::to_string(n));
  if (n_components_ > n) {
    throw std::invalid_argument("Pca::fit: n_components = " + std::to_string(n_components_) +
                                " exceeds the number of samples " + std::to_string(n));
  }
  if (!torch::isfinite(x).all().item<bool>()) {
    throw std::invalid_argument("Pca::fit: the data hold a NaN or infinite value");
  }
  torch::NoGradGuard no_grad;
  const auto mean = x.mean(0);
  const auto xc = x - mean;
  const double dof = static_cast<double>(n - 1);
  torch::Tensor variance, components;
  if (d <= n) {
    // d x d covariance: cheap for tall data (Fashion-MNIST: 60,000 x 784) where an SVD of the
    // data would need an n x d factor.
    const auto covariance = torch::mm(xc.t(), xc) / dof;
    torch::Tensor eigenvalues, eigenvectors;
    std::tie(eigenvalues, eigenvectors) = torch::linalg::eigh(covariance, "L");  // ascending
    const auto order = torch::arange(d - 1, d - 1 - n_components_, -1, torch::kLong);
    variance = eigenvalues.index_select(0, order).clamp_min(0.0);
    components = eigenvectors.index_select(1, order).t();
  } else {
    // Wide data: the SVD of the centred n x d matrix (its factors are small).
    torch::Tensor u, s, vh;
    std::tie(u, s, vh) = torch::linalg::svd(xc, /*full_matrices=*/false, c10::nullopt);
    variance = s.slice(0, 0, n_components_).square() / dof;
    components = vh.slice(0, 0, n_components_);
  }
  const double total = xc.square().sum().item<double>() / dof;
  mean_ = mean.contiguous();
  components_ = with_sign_convention(components);
  explained_variance_ = variance.contiguous();
  explained_variance_ratio_ = total > 0 ? (variance / total).contiguous() : torch::zeros_like(variance);
  n_samples_ = n;
  return *this;
}

void Pca::require_fitted(const char* op) const {
  if (!fitted()) throw std::logic_error(std::string(op) + ": the PCA has not been fitted");
}

torch::Tensor Pca::transform(const torch::Tensor& input) const {
  require_fitted("Pca::transform");
  const auto x = flat_rows(input, "Pca::transform");
  if (x.size(1) != input_dim()) {
    throw std::invalid_argument("Pca::transform: rows have " + std::to_string(x.size(1)) +
                                " values, the PCA was fitted on " + std::to_string(input_dim()));
  }
  torch::NoGradGuard no_grad;
  return torch::mm(x - mean_, components_.t());
}

torch::Tensor Pca::inverse_transform(const torch::Tensor& latents) const {
  require_fitted("Pca::inverse_transform");
  const auto z = flat_rows(latents, "Pca::inverse_transform");
  if (z.size(1) != n_components_) {
    throw std::invalid_argument("Pca::inverse_transform: latents have " + std::to_string(z.size(1)) +
                                " columns, expected n_components = " + std::to_string(n_components_));
  }
  torch::NoGradGuard no_grad;
  return torch::mm(z, components_) + mean_;
}

Pca Pca::from_parts(torch::Tensor mean, torch::Tensor components, torch::Tensor explained_variance,
                    torch::Tensor explained_variance_ratio, std::int64_t n_samples) {
  if (!mean.defined() || !components.defined() || !explained_variance.defined() ||
      !explained_variance_ratio.defined() || mean.dim() != 1 || components.dim() != 2 ||
      components.size(1) != mean.size(0) || explained_variance.dim() != 1 ||
      explained_variance.size(0) != components.size(0) ||
      explained_variance_ratio.sizes() != explained_variance.sizes() || components.size(0) < 1) {
    throw std::invalid_argument(
        "Pca::from_parts: expected mean [d], components [k, d], explained_variance [k] and "
        "explained_variance_ratio [k] with k >= 1");
  }
  if (n_samples < 2) throw std::invalid_argument("Pca::from_parts: n_samples must be >= 2, got " + std::to_string(n_samples));
  Pca pca(components.size(0));
  pca.mean_ = mean.to(torch::kFloat64).contiguous();
  pca.components_ = components.to(torch::kFloat64).contiguous();
  pca.explained_variance_ = explained_variance.to(torch::kFloat64).contiguous();
  pca.explained_variance_ratio_ = explained_variance_ratio.to(torch::kFloat64).contiguous();
  pca.n_samples_ = n_samples;
  return pca;
}

void save_pca(const Pca& pca, const std::string& path) {
  if (!pca.fitted()) throw std::logic_error("save_pca: the PCA has not been fitted");
  const PcaBuffers buffers(pca.mean(), pca.components(), pca.explained_variance(), pca.explained_variance_ratio());
  const nlohmann::json architecture{{"n_components", pca.n_components()},
                                    {"input_dim", pca.input_dim()},
                                    {"n_samples", pca.n_samples()}};
  detail::write_checkpoint(buffers, kCheckpointKind, architecture.dump(), path, "save_pca");
}

Pca load_pca(const std::string& path) {
  torch::serialize::InputArchive weights;
  const std::string architecture = detail::read_checkpoint(path, kCheckpointKind, "load_pca", weights);
  std::int64_t k = 0, d = 0, n = 0;
  try {
    const auto j = nlohmann::json::parse(architecture);
    k = j.at("n_components").get<std::int64_t>();
    d = j.at("input_dim").get<std::int64_t>();
    n = j.at("n_samples").get<std::int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("load_pca: '" + path + "' has a malformed PCA record (" + e.what() + ")");
  }
  if (k < 1 || d < k || n < 2) {
    throw std::runtime_error("load_pca: '" + path + "' records n_components " + std::to_string(k) + ", input_dim " +
                             std::to_string(d) + ", n_samples " + std::to_string(n));
  }
  auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  PcaBuffers buffers(torch::zeros({d}, f64), torch::zeros({k, d}, f64), torch::zeros({k}, f64), torch::zeros({k}, f64));
  detail::load_weights(buffers, weights, path, "load_pca");
  const auto named = buffers.named_buffers();
  if (named["mean"].sizes() != torch::IntArrayRef{d} || named["components"].sizes() != torch::IntArrayRef{k, d}) {
    throw std::runtime_error("load_pca: '" + path + "' holds tensors whose shapes do not match its record (n_components " +
                             std::to_string(k) + ", input_dim " + std::to_string(d) + ")");
  }
  try {
    return Pca::from_parts(named["mean"], named["components"], named["explained_variance"],
                           named["explained_variance_ratio"], n);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("load_pca: '" + path + "': " + e.what());
  }
}

}  // namespace topoembed::models
