// TopoSignatureLoss (TopoAE), ConnectivityLoss (COREL) and TotalPersistenceLoss.
#include "topoembed/diff/topological_losses.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>

#include "detail/persistence_pairs.hpp"
#include "topoembed/diff/vietoris_rips.hpp"
#include "topoembed/ph/point_cloud.hpp"

namespace topoembed::diff {

namespace {

void check_dims(const std::vector<int64_t>& dims, int64_t max_allowed, const char* op) {
  TORCH_CHECK(!dims.empty(), op, ": expected at least one homology dimension, got none");
  for (auto d : dims) {
    TORCH_CHECK(d >= 0 && d <= max_allowed, op, ": expected homology dimensions in 0..", max_allowed, ", got ", d);
  }
}

torch::Tensor signature_error(const torch::Tensor& a, const torch::Tensor& b, const TopoSignatureLossOptions& o) {
  if (o.error() == SignatureError::kSquared) return torch::mse_loss(a, b, at::Reduction::Sum);  // one fused op
  const auto diff = a - b;
  // linalg_vector_norm has a zero gradient at a zero vector (no NaN).
  return torch::linalg_vector_norm(diff, o.p());
}

}  // namespace

// ---------------------------------------------------------------------------------------------

namespace {

// Fast path of the H0 squared-error signature loss on the CPU when x needs no gradient: the whole
// forward and backward in plain loops over the 2 (B - 1) paired edges. The tensor-op version
// (below) records ~40 small autograd ops whose dispatch overhead dominated at minibatch sizes
// (bench/diff_bench.cpp, docs/benchmarks.md). Inputs: z [B, d], latent_norm [1], edges
// [K, 2] (π_X first, then π_Z), a_x [K] double (A_X at the edges), num_x = |π_X|.
// Output: [2] = (x_to_z, z_to_x), each divided by B, or with `summed` their sum as a scalar
// (forward() needs only that: one autograd node fewer). First derivatives only.
struct SignatureH0Function : public torch::autograd::Function<SignatureH0Function> {
  // Reads z in its own dtype (float or double) and accumulates in double: no converted copies.
  template <class T>
  static void terms_and_grad(const T* zz, int64_t dim, const int64_t* e, const double* ax, int64_t k_total,
                             int64_t num_x, double scale, double inv_batch, const double* g_terms, double* terms,
                             T* gz, double* grad_scale) {
    for (int64_t k = 0; k < k_total; ++k) {
      const T* zu = zz + e[2 * k] * dim;
      const T* zv = zz + e[2 * k + 1] * dim;
      double sq = 0;
      for (int64_t c = 0; c < dim; ++c) {
        const double t = double(zu[c]) - double(zv[c]);
        sq += t * t;
      }
      const double d = std::sqrt(sq);
      const double r = d / scale - ax[k];
      const int term = k < num_x ? 0 : 1;
      if (gz == nullptr) {
        terms[term] += r * r * inv_batch;
        continue;
      }
      if (sq <= 0) continue;  // a zero distance has gradient 0
      const double w = g_terms[term] * 2 * r * inv_batch;  // dL/d(a_z)
      *grad_scale -= w * d / (scale * scale);
      const double c_uv = w / (scale * d);
      T* gu = gz + e[2 * k] * dim;
      T* gv = gz + e[2 * k + 1] * dim;
      for (int64_t c = 0; c < dim; ++c) {
        const double t = (double(zu[c]) - double(zv[c])) * c_uv;
        gu[c] = static_cast<T>(gu[c] + t);
        gv[c] = static_cast<T>(gv[c] - t);
      }
    }
  }

  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& z,
                               const torch::Tensor& latent_norm, const torch::Tensor& edges, const torch::Tensor& a_x,
                               int64_t num_x, bool summed) {
    const auto zc = z.is_contiguous() ? z : z.contiguous();  // data read only (grad mode is off here)
    const double scale = latent_norm.item<double>();  // item() converts: no double copy of the tensor
    const double inv_batch = 1.0 / static_cast<double>(zc.size(0));
    double terms[2] = {0.0, 0.0};
    AT_DISPATCH_FLOATING_TYPES(zc.scalar_type(), "SignatureH0Function", [&] {
      terms_and_grad<scalar_t>(zc.data_ptr<scalar_t>(), zc.size(1), edges.data_ptr<int64_t>(), a_x.data_ptr<double>(),
                               edges.size(0), num_x, scale, inv_batch, nullptr, terms, nullptr, nullptr);
    });
    ctx->save_for_backward({z, latent_norm});
    ctx->saved_data["edges"] = edges;
    ctx->saved_data["a_x"] = a_x;
    ctx->saved_data["num_x"] = num_x;
    ctx->saved_data["summed"] = summed;
    auto out = summed ? torch::empty({}, zc.options()) : torch::empty({2}, zc.options());
    AT_DISPATCH_FLOATING_TYPES(zc.scalar_type(), "SignatureH0Function", [&] {
      scalar_t* o = out.data_ptr<scalar_t>();
      if (summed) {
        o[0] = static_cast<scalar_t>(terms[0] + terms[1]);
      } else {
        o[0] = static_cast<scalar_t>(terms[0]);
        o[1] = static_cast<scalar_t>(terms[1]);
      }
    });
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto zc = saved[0].is_contiguous() ? saved[0] : saved[0].contiguous();
    const auto& latent_norm = saved[1];
    const auto edges = ctx->saved_data["edges"].toTensor();
    const auto a_x = ctx->saved_data["a_x"].toTensor();
    const int64_t num_x = ctx->saved_data["num_x"].toInt();
    const bool summed = ctx->saved_data["summed"].toBool();
    double g_terms[2];
    if (summed) {
      g_terms[0] = g_terms[1] = grad_outputs[0].item<double>();
    } else {
      const auto g = grad_outputs[0].to(torch::kCPU, torch::kDouble).contiguous();
      g_terms[0] = g.data_ptr<double>()[0];
      g_terms[1] = g.data_ptr<double>()[1];
    }
    const double scale = latent_norm.item<double>();
    const double inv_batch = 1.0 / static_cast<double>(zc.size(0));
    auto grad_z = torch::zeros_like(zc);
    double grad_scale = 0, unused[2] = {0.0, 0.0};
    AT_DISPATCH_FLOATING_TYPES(zc.scalar_type(), "SignatureH0Function", [&] {
      terms_and_grad<scalar_t>(zc.data_ptr<scalar_t>(), zc.size(1), edges.data_ptr<int64_t>(), a_x.data_ptr<double>(),
                               edges.size(0), num_x, scale, inv_batch, g_terms, unused, grad_z.data_ptr<scalar_t>(),
                               &grad_scale);
    });
    return {grad_z, torch::full(latent_norm.sizes(), grad_scale, latent_norm.options()), torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

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
    s_xx.push_back(detail::gather_edges_unchecked(a_x, pi_x));
    s_zx.push_back(detail::gather_edges_unchecked(a_z, pi_x));
    s_zz.push_back(detail::gather_edges_unchecked(a_z, pi_z));
    s_xz.push_back(detail::gather_edges_unchecked(a_x, pi_z));
  }
  if (want1) {
    const auto host = detail::host_distances(both, op);
    const auto edges = detail::persistence_edges(host, 1, std::nullopt, options.threads());
    const auto cycle_values = [](const torch::Tensor& a, const detail::EdgeTensors& e) {
      const auto finite = e.essential.logical_not().to(a.device());
      const auto births = detail::diagonal_for_missing(e.birth_edges).to(a.device());
      const auto deaths = detail::diagonal_for_missing(e.death_edges).to(a.device());
      // Essential classes (none at the default threshold) contribute nothing.
      return (detail::gather_edges_unchecked(a, deaths) - detail::gather_edges_unchecked(a, births)) *
             finite.to(a.scalar_type());
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
  return compute(x, z, false);
}

TopoSignatureTerms TopoSignatureLossImpl::compute(const torch::Tensor& x, const torch::Tensor& z, bool loss_only) {
  constexpr const char* op = "TopoSignatureLoss";
  TORCH_CHECK(x.defined() && z.defined(), op, ": expected defined tensors x and z");
  TORCH_CHECK(x.dim() >= 2, op, ": expected inputs x [B, ...], got ", x.sizes());
  TORCH_CHECK(z.dim() == 2, op, ": expected latents z [B, d], got ", z.sizes());
  TORCH_CHECK(x.size(0) == z.size(0), op, ": expected x and z with one batch size, got x ", x.sizes(), " and z ",
              z.sizes());
  TORCH_CHECK(z.size(0) >= 2, op, ": expected a batch of at least 2 samples, got ", z.size(0));
  TORCH_CHECK(x.device() == z.device(), op, ": expected x and z on one device, got ", x.device(), " and ",
              z.device());
  TORCH_CHECK(z.scalar_type() == torch::kFloat || z.scalar_type() == torch::kDouble, op,
              ": expected z as float32 or float64, got ", z.scalar_type());
  // x is converted to z's dtype, so any floating-point input does (e.g. half images).
  TORCH_CHECK(x.is_floating_point(), op, ": expected x as a floating-point tensor, got ", x.scalar_type());
  const int64_t batch = z.size(0);
  const auto x_rows = x.dim() == 2 ? x : x.reshape({batch, -1});
  const auto xf = x_rows.scalar_type() == z.scalar_type() ? x_rows : x_rows.to(z.scalar_type());

  // Pairs: the core on detached distance matrices of both spaces (the pairings do not change when
  // a space is scaled, so the normalisation is applied to the gathered values only).
  const bool want0 = std::count(options.dims().begin(), options.dims().end(), 0) > 0;
  const bool want1 = std::count(options.dims().begin(), options.dims().end(), 1) > 0;
  // Squared distances [B, B] of both spaces on the CPU: the core pairs them exactly as it pairs the
  // distances (same edges, same tie rule). X's are needed for A_X at every edge too. For a 2-d
  // latent, the explicit differences and Prim on the matrix cost less than Prim on the points,
  // which takes a square root per entry. The latents by differences at every width: they are
  // narrow, and often clustered far from their mean, where a Gram form reorders nearly equal
  // edges; the wide inputs by the centred Gram form.
  torch::Tensor host_x, host_z;
  double x_max_sq = 0;
  {
    torch::NoGradGuard no_grad;
    host_x = detail::host_squared_distances(xf, op, &x_max_sq);
    host_z = detail::host_squared_distances(z, op, nullptr, detail::SquaredDistanceForm::kDifferences);
  }
  // Squared X distance of entry i of the B x B matrix, in double, from its float or double storage.
  const bool x_double = host_x.scalar_type() == torch::kDouble;
  const void* hx_data = host_x.data_ptr();
  const auto hx = [&](int64_t i) {
    return x_double ? static_cast<const double*>(hx_data)[i] : double(static_cast<const float*>(hx_data)[i]);
  };
  // The normaliser of the inputs: A_X = D_X / max D_X (or / input_scale).
  double x_scale_value = 1.0;
  if (options.input_scale()) {
    x_scale_value = *options.input_scale();
  } else if (x_max_sq > 0) {  // else identical inputs: all distances stay 0, divide by 1
    x_scale_value = std::sqrt(x_max_sq);
  }
  const double inv_x_scale = 1.0 / x_scale_value;

  if (want0 && !want1 && options.error() == SignatureError::kSquared && !xf.requires_grad() &&
      z.device().is_cpu()) {
    // Fast path: the input side needs no gradient, so A_X at the edges are host constants; both
    // pairings go into one edge tensor (π_X first) and everything after the pairing runs in
    // SignatureH0Function.
    const auto pi_x = detail::mst_edge_list_dense(host_x);
    const auto pi_z = detail::mst_edge_list_dense(host_z);
    const int64_t num_x = static_cast<int64_t>(pi_x.size());
    const int64_t total = num_x + static_cast<int64_t>(pi_z.size());
    auto edges = torch::empty({total, 2}, torch::kLong);
    auto a_x = torch::empty({total}, torch::kDouble);
    int64_t* e = edges.data_ptr<int64_t>();
    double* ax = a_x.data_ptr<double>();
    for (int64_t i = 0; i < total; ++i) {
      const auto& edge = i < num_x ? pi_x[static_cast<std::size_t>(i)] : pi_z[static_cast<std::size_t>(i - num_x)];
      e[2 * i] = edge.u;
      e[2 * i + 1] = edge.v;
      ax[i] = std::sqrt(hx(int64_t(edge.u) * batch + edge.v)) * inv_x_scale;
    }
    const auto out = SignatureH0Function::apply(z, latent_norm, edges, a_x, num_x, loss_only);
    TopoSignatureTerms fast;
    if (loss_only) {
      fast.loss = out;
    } else {
      fast.x_to_z = out[0];
      fast.z_to_x = out[1];
      fast.loss = out.sum();
    }
    return fast;
  }

  // Edge sets whose lengths are needed, in order: for each space s in {X, Z}, its H0 pairing
  // (death edges), then its finite H1 pairs as death edges and birth edges.
  std::vector<torch::Tensor> edge_sets;
  std::vector<std::vector<detail::EdgeTensors>> cycles;
  if (want1) cycles = detail::persistence_edges(torch::stack({host_x, host_z}), 1, std::nullopt, options.threads());
  for (int s = 0; s < 2; ++s) {
    if (want0) {
      edge_sets.push_back(detail::mst_edges_host((s == 0 ? host_x : host_z).unsqueeze(0), 1).select(0, 0));
    }
    if (want1) {
      const auto& h1 = cycles[static_cast<std::size_t>(s)][1];
      const auto finite = h1.essential.logical_not();  // none are essential at the default threshold
      edge_sets.push_back(h1.death_edges.index({finite}));
      edge_sets.push_back(h1.birth_edges.index({finite}));
    }
  }
  std::vector<int64_t> counts;
  for (const auto& es : edge_sets) counts.push_back(es.size(0));
  const auto edges_cpu = torch::cat(edge_sets);
  const auto all_edges = edges_cpu.to(z.device());
  const auto e = edges_cpu.accessor<int64_t, 2>();

  torch::Tensor lengths_x;
  if (xf.requires_grad()) {
    // The batch maximum is the length of one edge, so the normaliser carries a gradient.
    torch::Tensor scale = torch::full({}, x_scale_value, z.options());
    if (!options.input_scale() && x_max_sq > 0) {
      int64_t argmax = 0;
      for (int64_t i = 1; i < batch * batch; ++i)
        if (hx(i) > hx(argmax)) argmax = i;
      const auto x_scale_edge = torch::tensor({argmax / batch, argmax % batch}, torch::kLong).reshape({1, 2});
      scale = detail::euclidean_edge_lengths(xf, x_scale_edge).squeeze(0);
    }
    lengths_x = detail::euclidean_edge_lengths(xf, all_edges) / scale;
  } else {
    // A_X at the edges as host constants.
    auto values = torch::empty({edges_cpu.size(0)}, torch::kDouble);
    auto* v = values.data_ptr<double>();
    for (int64_t i = 0; i < edges_cpu.size(0); ++i) v[i] = std::sqrt(hx(e[i][0] * batch + e[i][1])) * inv_x_scale;
    lengths_x = values.to(z.device(), z.scalar_type());
  }
  const auto lengths_z = detail::euclidean_edge_lengths(z, all_edges) / latent_norm.to(z.device(), z.scalar_type());
  const auto parts_x = lengths_x.split_with_sizes(counts);
  const auto parts_z = lengths_z.split_with_sizes(counts);

  // Signature of pairing s read in one space: H0 → A[death], H1 → A[death] − A[birth].
  const auto signature = [&](const std::vector<torch::Tensor>& parts, int s) {
    std::vector<torch::Tensor> pieces;
    std::size_t k = static_cast<std::size_t>(s) * ((want0 ? 1 : 0) + (want1 ? 2 : 0));
    if (want0) pieces.push_back(parts[k++]);
    if (want1) {
      pieces.push_back(parts[k] - parts[k + 1]);
      k += 2;
    }
    return pieces.size() == 1 ? pieces[0] : torch::cat(pieces);
  };
  const std::vector<torch::Tensor> px(parts_x.begin(), parts_x.end()), pz(parts_z.begin(), parts_z.end());
  TopoSignatureTerms t;
  const double inv_batch = 1.0 / static_cast<double>(batch);
  t.x_to_z = signature_error(signature(px, 0), signature(pz, 0), options) * inv_batch;
  t.z_to_x = signature_error(signature(pz, 1), signature(px, 1), options) * inv_batch;
  t.loss = t.x_to_z + t.z_to_x;
  return t;
}

torch::Tensor TopoSignatureLossImpl::forward(const torch::Tensor& x, const torch::Tensor& z) {
  return compute(x, z, true).loss;
}

// ---------------------------------------------------------------------------------------------

ConnectivityLossImpl::ConnectivityLossImpl(ConnectivityLossOptions options_) : options(std::move(options_)) {
  TORCH_CHECK(options.branches() >= 1, "ConnectivityLoss: expected branches >= 1, got ", options.branches());
  TORCH_CHECK(options.eta() >= 0, "ConnectivityLoss: expected eta >= 0, got ", options.eta());
  TORCH_CHECK(options.threads() >= 0, "ConnectivityLoss: expected threads >= 0, got ", options.threads());
}

void ConnectivityLossImpl::pretty_print(std::ostream& stream) const {
  stream << "topoembed::diff::ConnectivityLoss(eta=" << options.eta()
         << ", metric=" << ph::metric_name(options.metric())
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
  const auto deaths = detail::gather_edges_unchecked(distances, minimum_spanning_edges(distances, options.threads()));  // [S, B-1]
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
  stream << "topoembed::diff::TotalPersistenceLoss(dims=" << torch::IntArrayRef(options.dims()) << ", p=" << options.p()
         << ", metric=" << ph::metric_name(options.metric()) << ")";
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
