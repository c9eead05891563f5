// MMD to the uniform prior (plain and chart-weighted), chart-membership sharpening, NT-Xent and
// the all-triplets loss.
#include "topoembed/diff/regularizers.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <limits>
#include <ostream>

#include "topoembed/diff/distances.hpp"

namespace topoembed::diff {

namespace {

void check_floating(const torch::Tensor& t, const char* op, const char* name) {
  TORCH_CHECK(t.defined(), op, ": expected a tensor ", name, ", got an undefined one");
  TORCH_CHECK(t.scalar_type() == torch::kFloat || t.scalar_type() == torch::kDouble, op, ": expected ", name,
              " float32 or float64, got ", t.scalar_type());
}

// Squared Euclidean distances between the rows of a [.., n, d] and b [.., m, d] by explicit
// differences (exact, and d is small for the latent spaces these regularisers see).
torch::Tensor squared_distances(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.unsqueeze(-2) - b.unsqueeze(-3)).pow(2).sum(-1);
}

// Elements of one block of kernel differences in chart_weighted_mmd (2^25: ~130 MB in float).
constexpr int64_t kMmdBlockElements = int64_t{1} << 25;

torch::Tensor off_diagonal_mask(int64_t n, const torch::Tensor& like) {
  return torch::eye(n, like.options().dtype(torch::kBool)).logical_not();
}

double kernel_scale(std::optional<double> c, int64_t d, const char* op) {
  const double value = c.value_or(static_cast<double>(d) / 6.0);
  TORCH_CHECK(value > 0, op, ": expected kernel scale C > 0, got ", value);
  return value;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// MMD

torch::Tensor inverse_multiquadric_kernel(const torch::Tensor& a, const torch::Tensor& b, double c) {
  constexpr const char* op = "inverse_multiquadric_kernel";
  check_floating(a, op, "a");
  check_floating(b, op, "b");
  TORCH_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(1), op,
              ": expected a [n, d] and b [m, d] of one d, got a ", a.sizes(), " and b ", b.sizes());
  TORCH_CHECK(c > 0, op, ": expected C > 0, got ", c);
  return c / (c + squared_distances(a, b));
}

torch::Tensor mmd_unbiased(const torch::Tensor& x, const torch::Tensor& y, std::optional<double> c_opt) {
  constexpr const char* op = "mmd_unbiased";
  check_floating(x, op, "x");
  check_floating(y, op, "y");
  TORCH_CHECK(x.dim() == 2 && y.dim() == 2 && x.size(1) == y.size(1), op,
              ": expected x [n, d] and y [m, d] of one d, got x ", x.sizes(), " and y ", y.sizes());
  TORCH_CHECK(x.size(0) >= 2 && y.size(0) >= 2, op, ": expected at least 2 samples on each side, got x ", x.sizes(),
              " and y ", y.sizes());
  const double c = kernel_scale(c_opt, x.size(1), op);
  const int64_t n = x.size(0), m = y.size(0);
  const auto kxx = inverse_multiquadric_kernel(x, x, c);
  const auto kyy = inverse_multiquadric_kernel(y, y, c);
  const auto kxy = inverse_multiquadric_kernel(x, y, c);
  return (kxx.sum() - kxx.diagonal().sum()) / static_cast<double>(n * (n - 1)) +
         (kyy.sum() - kyy.diagonal().sum()) / static_cast<double>(m * (m - 1)) -
         2.0 * kxy.mean();
}

torch::Tensor chart_weighted_mmd(const torch::Tensor& phi, const torch::Tensor& q, const torch::Tensor& prior,
                                 std::optional<double> c_opt, double membership_floor) {
  constexpr const char* op = "chart_weighted_mmd";
  check_floating(phi, op, "phi");
  check_floating(q, op, "q");
  check_floating(prior, op, "prior");
  TORCH_CHECK(phi.dim() == 3, op, ": expected chart coordinates phi [B, k, d], got ", phi.sizes());
  const int64_t batch = phi.size(0), charts = phi.size(1), d = phi.size(2);
  TORCH_CHECK(q.dim() == 2 && q.size(0) == batch && q.size(1) == charts, op, ": expected memberships q [", batch,
              ", ", charts, "], got ", q.sizes());
  TORCH_CHECK(prior.dim() == 2 && prior.size(1) == d, op, ": expected prior samples [m, ", d, "], got ",
              prior.sizes());
  TORCH_CHECK(batch >= 2 && prior.size(0) >= 2 && charts >= 1, op,
              ": expected at least 2 samples on each side and one chart, got phi ", phi.sizes(), " and prior ",
              prior.sizes());
  TORCH_CHECK(membership_floor >= 0 && membership_floor < 1, op, ": expected a membership floor in [0, 1), got ",
              membership_floor);
  const double c = kernel_scale(c_opt, d, op);
  const int64_t m = prior.size(0);
  auto phi_t = phi.transpose(0, 1);  // [k, n, d]
  auto q_t = q.transpose(0, 1);      // [k, n]
  // Sparse form: chart i keeps only the points with q_i(x) >= floor (gathered into n <= B slots
  // per chart, the slots of charts with fewer such points padded with weight 0). The dropped
  // terms are each at most floor times a kernel value, and their gradients too: a softmax
  // membership's logit gradient carries the factor q_i(x). With distance memberships a point
  // has weight in a handful of charts, so the [k, B, B] kernel becomes [k, n, n] with n ~ B·(a
  // few)/k. The normalisations below stay those of the full batch.
  if (membership_floor > 0) {
    const auto q_detached = q_t.detach();
    const auto kept = q_detached >= membership_floor;  // [k, B]
    const int64_t slots = std::max<int64_t>(1, kept.sum(1).max().item<int64_t>());
    if (slots < batch) {
      const auto slot_index = std::get<1>(q_detached.topk(slots, 1));  // [k, n]: every kept point
      q_t = q_t.gather(1, slot_index) * kept.gather(1, slot_index).to(q_t.dtype());
      phi_t = phi_t.gather(1, slot_index.unsqueeze(2).expand({charts, slots, d}));
    }
  }
  const int64_t n = phi_t.size(1);
  // Rows of the data side in blocks, so the [k, R, n, d] differences stay near kMmdBlockElements:
  // a training batch is one block (the same operations as ever), an evaluation pass over all N
  // points is not [k, N, N, d] at once (k = 64, N = 4000, d = 3 would be 12 GB).
  const int64_t width = std::max(n, m) * charts * std::max<int64_t>(d, 1);
  const int64_t rows = std::max<int64_t>(1, kMmdBlockElements / width);
  // Slots within one chart hold distinct points, so "x != x'" is "slot != slot'".
  const auto index = torch::arange(n, q.options().dtype(torch::kLong));
  torch::Tensor pp_sum, pq_sum;
  for (int64_t r0 = 0; r0 < n; r0 += rows) {
    const int64_t r1 = std::min(n, r0 + rows);
    const auto phi_r = phi_t.slice(1, r0, r1);  // [k, R, d]
    const auto q_r = q_t.slice(1, r0, r1);      // [k, R]
    const auto off_diagonal = index.slice(0, r0, r1).unsqueeze(1) != index.unsqueeze(0);  // [R, n]
    const auto k_pp = c / (c + squared_distances(phi_r, phi_t));                            // [k, R, n]
    const auto pp_part = (k_pp * (q_r.unsqueeze(2) * q_t.unsqueeze(1) * off_diagonal)).sum();
    const auto k_pq = c / (c + squared_distances(phi_r, prior.unsqueeze(0)));               // [k, R, m]
    const auto pq_part = (k_pq * q_r.unsqueeze(2)).sum();
    pp_sum = pp_sum.defined() ? pp_sum + pp_part : pp_part;
    pq_sum = pq_sum.defined() ? pq_sum + pq_part : pq_part;
  }
  const auto pp = pp_sum / static_cast<double>(batch * (batch - 1));
  const auto k_qq = inverse_multiquadric_kernel(prior, prior, c);
  const auto qq = (k_qq.sum() - k_qq.diagonal().sum()) / static_cast<double>(m * (m - 1) * charts);
  const auto pq = pq_sum / static_cast<double>(batch * m * charts);
  return pp + qq - 2.0 * pq;
}

UniformMMDLossImpl::UniformMMDLossImpl(UniformMMDLossOptions options_) : options(std::move(options_)) { reset(); }

void UniformMMDLossImpl::reset() {
  TORCH_CHECK(options.prior_samples() == 0 || options.prior_samples() >= 2,
              "UniformMMDLoss: expected prior_samples 0 (batch size) or >= 2, got ", options.prior_samples());
  TORCH_CHECK(!options.kernel_scale() || *options.kernel_scale() > 0, "UniformMMDLoss: expected kernel_scale > 0, got ",
              options.kernel_scale().value_or(0));
  generator_ = at::detail::createCPUGenerator(options.seed());
}

void UniformMMDLossImpl::pretty_print(std::ostream& stream) const {
  stream << "topoembed::diff::UniformMMDLoss(prior_samples=" << options.prior_samples() << ", seed=" << options.seed()
         << ")";
}

torch::Tensor UniformMMDLossImpl::sample_prior(int64_t m, int64_t d, const torch::Tensor& like) {
  return torch::rand({m, d}, generator_, torch::TensorOptions().dtype(like.scalar_type())).to(like.device());
}

torch::Tensor UniformMMDLossImpl::forward(const torch::Tensor& z) {
  check_floating(z, "UniformMMDLoss", "z");
  TORCH_CHECK(z.dim() == 2 && z.size(0) >= 2, "UniformMMDLoss: expected z [B, d] with B >= 2, got ", z.sizes());
  const int64_t m = options.prior_samples() > 0 ? options.prior_samples() : z.size(0);
  return mmd_unbiased(z, sample_prior(m, z.size(1), z), options.kernel_scale());
}

torch::Tensor UniformMMDLossImpl::forward_charts(const torch::Tensor& phi, const torch::Tensor& q) {
  check_floating(phi, "UniformMMDLoss", "phi");
  TORCH_CHECK(phi.dim() == 3 && phi.size(0) >= 2, "UniformMMDLoss: expected chart coordinates phi [B, k, d] with B >= 2, got ",
              phi.sizes());
  const int64_t m = options.prior_samples() > 0 ? options.prior_samples() : phi.size(0);
  return chart_weighted_mmd(phi, q, sample_prior(m, phi.size(2), phi), options.kernel_scale());
}

// ---------------------------------------------------------------------------------------------
// Sharpening

namespace {
void check_memberships(const torch::Tensor& q, const char* op) {
  check_floating(q, op, "q");
  TORCH_CHECK(q.dim() == 2 && q.size(0) >= 1 && q.size(1) >= 1, op, ": expected memberships q [B, k], got ",
              q.sizes());
}
}  // namespace

torch::Tensor membership_entropy(const torch::Tensor& q) {
  check_memberships(q, "membership_entropy");
  // q log q with log of a clamped q: 0 log 0 = 0 and a finite gradient at q = 0.
  const double tiny = q.scalar_type() == torch::kDouble ? std::numeric_limits<double>::min()
                                                        : static_cast<double>(std::numeric_limits<float>::min());
  return -(q * q.clamp_min(tiny).log()).sum(1).mean();
}

torch::Tensor membership_uniform_deviation(const torch::Tensor& q) {
  check_memberships(q, "membership_uniform_deviation");
  return (q - 1.0 / static_cast<double>(q.size(1))).pow(2).sum(1).mean();
}

ChartSharpeningLossImpl::ChartSharpeningLossImpl(ChartSharpeningLossOptions options_) : options(options_) {}

void ChartSharpeningLossImpl::pretty_print(std::ostream& stream) const {
  stream << "topoembed::diff::ChartSharpeningLoss(term="
         << (options.term() == SharpeningTerm::kEntropy ? "entropy" : "uniform_deviation") << ")";
}

torch::Tensor ChartSharpeningLossImpl::forward(const torch::Tensor& q) {
  return options.term() == SharpeningTerm::kEntropy ? membership_entropy(q) : -membership_uniform_deviation(q);
}

// ---------------------------------------------------------------------------------------------
// NT-Xent

torch::Tensor nt_xent(const torch::Tensor& z1, const torch::Tensor& z2, double temperature) {
  constexpr const char* op = "nt_xent";
  check_floating(z1, op, "z1");
  check_floating(z2, op, "z2");
  TORCH_CHECK(z1.dim() == 2 && z1.sizes() == z2.sizes(), op, ": expected two views [B, d] of one size, got z1 ",
              z1.sizes(), " and z2 ", z2.sizes());
  TORCH_CHECK(z1.size(0) >= 2, op, ": expected a batch of at least 2 samples, got ", z1.size(0));
  TORCH_CHECK(temperature > 0, op, ": expected temperature > 0, got ", temperature);
  const int64_t batch = z1.size(0);
  const auto z = torch::cat({z1, z2});
  const auto zn = z / z.norm(2, 1, true).clamp_min(1e-12);
  const auto eye = torch::eye(2 * batch, z.options().dtype(torch::kBool));
  const auto logits = (torch::matmul(zn, zn.t()) / temperature).masked_fill(eye, -std::numeric_limits<double>::infinity());
  const auto idx = torch::arange(2 * batch, torch::TensorOptions().dtype(torch::kLong).device(z.device()));
  const auto positives = (idx + batch).remainder(2 * batch).unsqueeze(1);
  return -logits.log_softmax(1).gather(1, positives).mean();
}

NTXentLossImpl::NTXentLossImpl(NTXentLossOptions options_) : options(options_) {
  TORCH_CHECK(options.temperature() > 0, "NTXentLoss: expected temperature > 0, got ", options.temperature());
}

void NTXentLossImpl::pretty_print(std::ostream& stream) const {
  stream << "topoembed::diff::NTXentLoss(temperature=" << options.temperature() << ")";
}

torch::Tensor NTXentLossImpl::forward(const torch::Tensor& z1, const torch::Tensor& z2) {
  return nt_xent(z1, z2, options.temperature());
}

// ---------------------------------------------------------------------------------------------
// Triplets

PairwiseDistanceFn pairwise_distance_fn(TripletDistance distance) {
  switch (distance) {
    case TripletDistance::kEuclidean:
      return [](const torch::Tensor& e) { return safe_sqrt(squared_distances(e, e)); };
    case TripletDistance::kSquaredEuclidean:
      return [](const torch::Tensor& e) { return squared_distances(e, e); };
    case TripletDistance::kCosine:
      return [](const torch::Tensor& e) {
        const auto en = e / e.norm(2, 1, true).clamp_min(1e-12);
        return 1 - torch::matmul(en, en.t());
      };
  }
  TORCH_CHECK(false, "pairwise_distance_fn: unknown distance");
}

torch::Tensor triplet_loss(const torch::Tensor& embeddings, const torch::Tensor& labels, double margin,
                           const PairwiseDistanceFn& distance) {
  constexpr const char* op = "triplet_loss";
  check_floating(embeddings, op, "embeddings");
  TORCH_CHECK(embeddings.dim() == 2, op, ": expected embeddings [B, d], got ", embeddings.sizes());
  const int64_t batch = embeddings.size(0);
  TORCH_CHECK(labels.defined() && labels.dim() == 1 && labels.size(0) == batch, op, ": expected labels [", batch,
              "], got ", labels.defined() ? labels.sizes() : torch::IntArrayRef{});
  TORCH_CHECK(!torch::isFloatingType(labels.scalar_type()) && labels.scalar_type() != torch::kBool, op,
              ": expected integer labels, got ", labels.scalar_type());
  TORCH_CHECK(margin >= 0, op, ": expected margin >= 0, got ", margin);
  TORCH_CHECK(static_cast<bool>(distance), op, ": expected a distance function, got an empty one");
  const auto d = distance(embeddings);
  TORCH_CHECK(d.defined() && d.dim() == 2 && d.size(0) == batch && d.size(1) == batch, op,
              ": expected the distance function to return [", batch, ", ", batch, "], got ",
              d.defined() ? d.sizes() : torch::IntArrayRef{});
  const auto lab = labels.to(d.device());
  const auto same = lab.unsqueeze(1) == lab.unsqueeze(0);
  const auto positive = same & off_diagonal_mask(batch, same);
  const auto negative = same.logical_not();
  const auto valid = positive.unsqueeze(2) & negative.unsqueeze(1);  // [a, p, n]
  const auto count = valid.sum().item<int64_t>();
  if (count == 0) return d.sum() * 0;
  const auto hinge = (d.unsqueeze(2) - d.unsqueeze(1) + margin).clamp_min(0);
  return (hinge * valid.to(d.scalar_type())).sum() / static_cast<double>(count);
}

TripletLossImpl::TripletLossImpl(TripletLossOptions options_) : options(std::move(options_)) {
  TORCH_CHECK(options.margin() >= 0, "TripletLoss: expected margin >= 0, got ", options.margin());
}

void TripletLossImpl::pretty_print(std::ostream& stream) const {
  stream << "topoembed::diff::TripletLoss(margin=" << options.margin() << ")";
}

torch::Tensor TripletLossImpl::forward(const torch::Tensor& embeddings, const torch::Tensor& labels) {
  const auto fn = options.distance_fn() ? options.distance_fn() : pairwise_distance_fn(options.distance());
  return triplet_loss(embeddings, labels, options.margin(), fn);
}

}  // namespace topoembed::diff
