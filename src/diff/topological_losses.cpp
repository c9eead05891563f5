// TopoSignatureLoss (TopoAE), ConnectivityLoss (COREL) and TotalPersistenceLoss.
#include "topoembed/diff/topological_losses.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <limits>
#include <ostream>

#include "detail/persistence_pairs.hpp"
#include "topoembed/diff/vietoris_rips.hpp"

namespace topoembed::diff {

namespace {

void check_dims(const std::vector<int64_t>& dims, int64_t max_allowed, const char* op) {
  TORCH_CHECK(!dims.empty(), op, ": expected at least one homology dimension, got none");
  for (auto d : dims) {
    TORCH_CHECK(d >= 0 && d <= max_allowed, op, ": expected homology dimensions in 0..", max_allowed, ", got ", d);
  }
}

const char* metric_name(Metric m) {
  switch (m) {
    case Metric::kEuclidean: return "euclidean";
    case Metric::kManhattan: return "manhattan";
    case Metric::kChebyshev: return "chebyshev";
  }
  return "?";
}

torch::Tensor signature_error(const torch::Tensor& a, const torch::Tensor& b, const TopoSignatureLossOptions& o) {
  const auto diff = a - b;
  if (o.error() == SignatureError::kSquared) return diff.pow(2).sum();
  // linalg_vector_norm has a zero gradient at a zero vector (no NaN).
  return torch::linalg_vector_norm(diff, o.p());
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TopoSignatureTerms signature_distance(const torch::Tensor& a_x, const torch::Tensor& a_z,
                                      const TopoSignatureLossOptions& options) {
  constexpr const char* op = "signature_distance";
  check_dims(options.dims(), 1, op);
  TORCH_CHECK(options.error() != SignatureError::kPNorm || options.p() >= 1, op, ": expected p >= 1, got ",
              options.p());
  TORCH_CHECK(a_x.dim() == 2 && a_x.size(0) == a_x.size(1), op, ": expected A_X [B, B], got ", a_x.sizes());
  TORCH_CHECK(a_z.sizes() == a_x.sizes(), op, ": expected A_Z of the size of A_X ", a_x.sizes(), ", got ",
              a_z.sizes());
  TORCH_CHECK(a_x.scalar_type() == a_z.scalar_type() && a_x.device() == a_z.device(), op,
              ": expected A_X and A_Z of one dtype and device, got ", a_x.scalar_type(), " and ", a_z.scalar_type());
  // Both pairings in one call, so the two persistence computations run in parallel.
  const auto both = torch::stack({a_x.detach(), a_z.detach()});
  const bool want0 = std::count(options.dims().begin(), options.dims().end(), 0) > 0;
  const bool want1 = std::count(options.dims().begin(), options.dims().end(), 1) > 0;
  std::vector<torch::Tensor> s_xx, s_zx, s_zz, s_xz;  // s_ab: entries of A_b at the pairing of a
  if (want0) {
    const auto mst = minimum_spanning_edges(both, options.threads());  // [2, B - 1, 2]
    const auto pi_x = mst.select(0, 0), pi_z = mst.select(0, 1);
    s_xx.push_back(gather_edges(a_x, pi_x));
    s_zx.push_back(gather_edges(a_z, pi_x));
    s_zz.push_back(gather_edges(a_z, pi_z));
    s_xz.push_back(gather_edges(a_x, pi_z));
  }
  if (want1) {
    const auto host = detail::host_distances(both, op);
    const auto edges = detail::persistence_edges(host, 1, std::nullopt, options.threads());
    const auto cycle_values = [](const torch::Tensor& a, const detail::EdgeTensors& e) {
      const auto finite = e.essential.logical_not().to(a.device());
      const auto births = detail::diagonal_for_missing(e.birth_edges).to(a.device());
      const auto deaths = detail::diagonal_for_missing(e.death_edges).to(a.device());
      // Essential classes (none at the default threshold) contribute nothing.
      return (gather_edges(a, deaths) - gather_edges(a, births)) * finite.to(a.scalar_type());
    };
    s_xx.push_back(cycle_values(a_x, edges[0][1]));
    s_zx.push_back(cycle_values(a_z, edges[0][1]));
    s_zz.push_back(cycle_values(a_z, edges[1][1]));
    s_xz.push_back(cycle_values(a_x, edges[1][1]));
  }
  TopoSignatureTerms terms;
  terms.x_to_z = signature_error(torch::cat(s_xx), torch::cat(s_zx), options);
  terms.z_to_x = signature_error(torch::cat(s_zz), torch::cat(s_xz), options);
  terms.loss = terms.x_to_z + terms.z_to_x;
  return terms;
}

TopoSignatureLossImpl::TopoSignatureLossImpl(TopoSignatureLossOptions options_) : options(std::move(options_)) {
  reset();
}

void TopoSignatureLossImpl::reset() {
  check_dims(options.dims(), 1, "TopoSignatureLoss");
  TORCH_CHECK(!options.input_scale() || *options.input_scale() > 0,
              "TopoSignatureLoss: expected input_scale > 0, got ", options.input_scale().value_or(0));
  TORCH_CHECK(options.error() != SignatureError::kPNorm || options.p() >= 1, "TopoSignatureLoss: expected p >= 1, got ",
              options.p());
  TORCH_CHECK(options.threads() >= 0, "TopoSignatureLoss: expected threads >= 0, got ", options.threads());
  if (options.learnable_scale()) {
    latent_norm = register_parameter("latent_norm", torch::ones({1}));
  } else {
    latent_norm = register_buffer("latent_norm", torch::ones({1}));
  }
}

void TopoSignatureLossImpl::pretty_print(std::ostream& stream) const {
  stream << "topoembed::diff::TopoSignatureLoss(dims=" << torch::IntArrayRef(options.dims())
         << ", error=" << (options.error() == SignatureError::kSquared ? "squared" : "p-norm")
         << ", learnable_scale=" << (options.learnable_scale() ? "true" : "false") << ")";
}

TopoSignatureTerms TopoSignatureLossImpl::terms(const torch::Tensor& x, const torch::Tensor& z) {
  constexpr const char* op = "TopoSignatureLoss";
  TORCH_CHECK(x.defined() && z.defined(), op, ": expected defined tensors x and z");
  TORCH_CHECK(x.dim() >= 2, op, ": expected inputs x [B, ...], got ", x.sizes());
  TORCH_CHECK(z.dim() == 2, op, ": expected latents z [B, d], got ", z.sizes());
  TORCH_CHECK(x.size(0) == z.size(0), op, ": expected x and z with one batch size, got x ", x.sizes(), " and z ",
              z.sizes());
  TORCH_CHECK(z.size(0) >= 2, op, ": expected a batch of at least 2 samples, got ", z.size(0));
  TORCH_CHECK(x.device() == z.device(), op, ": expected x and z on one device, got ", x.device(), " and ",
              z.device());
  const int64_t batch = z.size(0);
  const auto d_x = pairwise_distances(x.reshape({batch, -1}).to(z.scalar_type()));
  torch::Tensor a_x;
  if (options.input_scale()) {
    a_x = d_x / *options.input_scale();
  } else {
    // The batch maximum, as in the paper's code; a batch of identical inputs stays all zero.
    a_x = d_x / d_x.max().clamp_min(std::numeric_limits<float>::min());
  }
  const auto a_z = pairwise_distances(z) / latent_norm.to(z.device(), z.scalar_type());
  auto t = signature_distance(a_x, a_z, options);
  const double inv_batch = 1.0 / static_cast<double>(batch);
  t.x_to_z = t.x_to_z * inv_batch;
  t.z_to_x = t.z_to_x * inv_batch;
  t.loss = t.loss * inv_batch;
  return t;
}

torch::Tensor TopoSignatureLossImpl::forward(const torch::Tensor& x, const torch::Tensor& z) {
  return terms(x, z).loss;
}

// ---------------------------------------------------------------------------------------------

ConnectivityLossImpl::ConnectivityLossImpl(ConnectivityLossOptions options_) : options(std::move(options_)) {
  TORCH_CHECK(options.branches() >= 1, "ConnectivityLoss: expected branches >= 1, got ", options.branches());
  TORCH_CHECK(options.eta() >= 0, "ConnectivityLoss: expected eta >= 0, got ", options.eta());
  TORCH_CHECK(options.threads() >= 0, "ConnectivityLoss: expected threads >= 0, got ", options.threads());
}

void ConnectivityLossImpl::pretty_print(std::ostream& stream) const {
  stream << "topoembed::diff::ConnectivityLoss(eta=" << options.eta() << ", metric=" << metric_name(options.metric())
         << ", norm=" << (options.norm() == ConnectivityNorm::kL1 ? "l1" : "l2") << ", branches=" << options.branches()
         << ")";
}

torch::Tensor ConnectivityLossImpl::forward(const torch::Tensor& z) {
  constexpr const char* op = "ConnectivityLoss";
  TORCH_CHECK(z.defined() && z.dim() == 2, op, ": expected latents z [B, d], got ",
              z.defined() ? z.sizes() : torch::IntArrayRef{});
  TORCH_CHECK(z.size(0) >= 2, op, ": expected a batch of at least 2 samples, got ", z.size(0));
  const int64_t batch = z.size(0), branches = options.branches();
  TORCH_CHECK(z.size(1) % branches == 0 && z.size(1) > 0, op, ": expected the latent dimension ", z.size(1),
              " to be a positive multiple of branches = ", branches, ", got z ", z.sizes());
  const auto per_branch = z.reshape({batch, branches, z.size(1) / branches}).transpose(0, 1);  // [S, B, d/S]
  const auto distances = pairwise_distances(per_branch, options.metric());                     // [S, B, B]
  const auto deaths = gather_edges(distances, minimum_spanning_edges(distances, options.threads()));  // [S, B-1]
  const auto gap = deaths - options.eta();
  const auto penalty = options.norm() == ConnectivityNorm::kL1 ? gap.abs() : gap.pow(2);
  return penalty.sum() / static_cast<double>(branches * batch);
}

// ---------------------------------------------------------------------------------------------

TotalPersistenceLossImpl::TotalPersistenceLossImpl(TotalPersistenceLossOptions options_)
    : options(std::move(options_)) {
  check_dims(options.dims(), 16, "TotalPersistenceLoss");
  TORCH_CHECK(options.p() > 0, "TotalPersistenceLoss: expected p > 0, got ", options.p());
  TORCH_CHECK(options.threads() >= 0, "TotalPersistenceLoss: expected threads >= 0, got ", options.threads());
}

void TotalPersistenceLossImpl::pretty_print(std::ostream& stream) const {
  stream << "topoembed::diff::TotalPersistenceLoss(dims=" << torch::IntArrayRef(options.dims())
         << ", p=" << options.p() << ", metric=" << metric_name(options.metric()) << ")";
}

torch::Tensor TotalPersistenceLossImpl::forward(const torch::Tensor& x) {
  const int64_t max_dim = *std::max_element(options.dims().begin(), options.dims().end());
  const auto vr = vietoris_rips(x, VietorisRipsOptions()
                                       .max_dim(static_cast<int>(max_dim))
                                       .metric(options.metric())
                                       .distance_input(options.distance_input())
                                       .threads(options.threads()));
  auto total = vr.distances.sum() * 0;  // keeps the result on the graph when no pair is finite
  for (std::size_t b = 0; b < vr.clouds.size(); ++b) {
    for (auto dim : options.dims()) {
      const auto& dd = vr.at(static_cast<int>(dim), static_cast<int>(b));
      const auto finite = dd.essential.logical_not();
      const auto diagram = dd.diagram.index({finite});
      const auto persistence = diagram.select(1, 1) - diagram.select(1, 0);
      total = total + (options.p() == 1.0 ? persistence : persistence.pow(options.p())).sum();
    }
  }
  return total / static_cast<double>(vr.clouds.size());
}

}  // namespace topoembed::diff
