// Wasserstein and bottleneck distances between diagrams as differentiable losses: match on
// detached values (the exact matchings of ph/diagram_distance.hpp), then recompute the costs from
// the matched entries so autograd sees only gathers.
#include "topoembed/diff/diagram_losses.hpp"

#include <torch/torch.h>

#include <ostream>
#include <vector>

#include "topoembed/ph/diagram_distance.hpp"
#include "topoembed/diff/vietoris_rips.hpp"

namespace topoembed::diff {

namespace {

void check_diagram(const torch::Tensor& d, const char* op, const char* name) {
  TORCH_CHECK(d.defined() && d.dim() == 2 && d.size(1) == 2, op, ": expected diagram ", name,
              " of shape [K, 2], got ", d.defined() ? d.sizes() : torch::IntArrayRef{});
  TORCH_CHECK(d.scalar_type() == torch::kFloat || d.scalar_type() == torch::kDouble, op, ": expected diagram ",
              name, " float32 or float64, got ", d.scalar_type());
}

torch::Tensor finite_points(const torch::Tensor& d) { return d.index({torch::isfinite(d.select(1, 1))}); }

std::vector<ph::DiagramPoint<double>> host_points(const torch::Tensor& d, const char* op) {
  const auto host = d.detach().to(torch::kCPU, torch::kDouble).contiguous();
  TORCH_CHECK(torch::isfinite(host).all().item<bool>(), op, ": expected finite births, got NaN or inf");
  std::vector<ph::DiagramPoint<double>> out(static_cast<std::size_t>(host.size(0)));
  const double* p = host.data_ptr<double>();
  for (std::size_t i = 0; i < out.size(); ++i) {
    TORCH_CHECK(p[2 * i] <= p[2 * i + 1], op, ": expected birth <= death, got point ", i, " = (", p[2 * i], ", ",
                p[2 * i + 1], ")");
    out[i] = {p[2 * i], p[2 * i + 1]};
  }
  return out;
}

using MatchedPairs = std::vector<std::pair<ph::index_t, ph::index_t>>;

// Costs of the matched pairs as a differentiable vector (L∞ between points, half the persistence
// to the diagonal).
torch::Tensor matched_costs(const torch::Tensor& a, const torch::Tensor& b,
                            const MatchedPairs& pairs) {
  std::vector<int64_t> ab_a, ab_b, a_only, b_only;
  for (const auto& [i, j] : pairs) {
    if (i >= 0 && j >= 0) {
      ab_a.push_back(i);
      ab_b.push_back(j);
    } else if (i >= 0) {
      a_only.push_back(i);
    } else if (j >= 0) {
      b_only.push_back(j);
    }
  }
  const auto index = [&](const std::vector<int64_t>& v) {
    return torch::tensor(v, torch::kLong).to(a.device());
  };
  const auto ia = index(ab_a), ib = index(ab_b), ja = index(a_only), jb = index(b_only);
  const auto pa = a.index_select(0, ia), pb = b.index_select(0, ib);
  const auto qa = a.index_select(0, ja), qb = b.index_select(0, jb);
  return torch::cat({(pa - pb).abs().amax(1), (qa.select(1, 1) - qa.select(1, 0)).abs() / 2,
                     (qb.select(1, 1) - qb.select(1, 0)).abs() / 2});
}

std::pair<torch::Tensor, torch::Tensor> prepared(const torch::Tensor& a, const torch::Tensor& b, const char* op) {
  check_diagram(a, op, "a");
  check_diagram(b, op, "b");
  TORCH_CHECK(a.device() == b.device(), op, ": expected diagrams on one device, got ", a.device(), " and ",
              b.device());
  const auto dtype = torch::promote_types(a.scalar_type(), b.scalar_type());
  return {finite_points(a.to(dtype)), finite_points(b.to(dtype))};
}

}  // namespace

torch::Tensor wasserstein_distance(const torch::Tensor& a_in, const torch::Tensor& b_in, double p) {
  constexpr const char* op = "wasserstein_distance";
  TORCH_CHECK(p >= 1, op, ": expected p >= 1, got ", p);
  const auto [a, b] = prepared(a_in, b_in, op);
  const auto pairs = ph::wasserstein_matching(host_points(a, op), host_points(b, op), p).pairs;
  const auto costs = matched_costs(a, b, pairs);
  const auto total = (p == 1.0 ? costs : costs.pow(p)).sum();
  if (p == 1.0) return total;
  // (Σ c^p)^(1/p) with a zero gradient at 0 instead of 0 * inf.
  const auto positive = total > 0;
  return torch::where(positive, torch::where(positive, total, torch::ones_like(total)).pow(1.0 / p),
                      torch::zeros_like(total));
}

torch::Tensor bottleneck_distance(const torch::Tensor& a_in, const torch::Tensor& b_in) {
  constexpr const char* op = "bottleneck_distance";
  const auto [a, b] = prepared(a_in, b_in, op);
  const auto pairs = ph::bottleneck_matching(host_points(a, op), host_points(b, op)).pairs;
  const auto costs = matched_costs(a, b, pairs);
  if (costs.numel() == 0) return (a.sum() + b.sum()) * 0;
  return costs.max();
}

namespace {

torch::Tensor diagram_of(const torch::Tensor& x, const DiagramLossOptions& o, const char* op) {
  TORCH_CHECK(o.dim() >= 0, op, ": expected dim >= 0, got ", o.dim());
  TORCH_CHECK(x.defined() && x.dim() == 2, op, ": expected one cloud, points [N, D] or distances [N, N], got ",
              x.defined() ? x.sizes() : torch::IntArrayRef{});
  const auto vr = vietoris_rips(
      x, VietorisRipsOptions().max_dim(static_cast<int>(o.dim())).metric(o.metric()).distance_input(o.distance_input()));
  return vr.at(static_cast<int>(o.dim())).diagram;
}

}  // namespace

WassersteinLossImpl::WassersteinLossImpl(DiagramLossOptions options_) : options(std::move(options_)) {
  TORCH_CHECK(options.p() >= 1, "WassersteinLoss: expected p >= 1, got ", options.p());
  TORCH_CHECK(options.dim() >= 0, "WassersteinLoss: expected dim >= 0, got ", options.dim());
}

void WassersteinLossImpl::pretty_print(std::ostream& stream) const {
  stream << "topoembed::diff::WassersteinLoss(dim=" << options.dim() << ", p=" << options.p() << ")";
}

torch::Tensor WassersteinLossImpl::forward(const torch::Tensor& x, const torch::Tensor& target) {
  return wasserstein_distance(diagram_of(x, options, "WassersteinLoss"), target, options.p());
}

BottleneckLossImpl::BottleneckLossImpl(DiagramLossOptions options_) : options(std::move(options_)) {
  TORCH_CHECK(options.dim() >= 0, "BottleneckLoss: expected dim >= 0, got ", options.dim());
}

void BottleneckLossImpl::pretty_print(std::ostream& stream) const {
  stream << "topoembed::diff::BottleneckLoss(dim=" << options.dim() << ")";
}

torch::Tensor BottleneckLossImpl::forward(const torch::Tensor& x, const torch::Tensor& target) {
  return bottleneck_distance(diagram_of(x, options, "BottleneckLoss"), target);
}

}  // namespace topoembed::diff
