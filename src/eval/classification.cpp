// kNN accuracy by blocked distance computation (cdist on row blocks, topk per row) and the
// reconstruction MSE.
#include "topoembed/eval/classification.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "detail/tensor_arguments.hpp"

namespace topoembed::eval {

namespace {

using detail::shape_of;

torch::Tensor points_of(const torch::Tensor& t, const char* name) {
  if (!t.defined() || t.dim() != 2) {
    throw std::invalid_argument(std::string("knn_accuracy: expected ") + name +
                                " as [n, dim], got " + shape_of(t));
  }
  return detail::cpu_float64(t);
}

torch::Tensor labels_of(const torch::Tensor& t, std::int64_t n, const char* name) {
  if (!t.defined() || t.dim() != 1 || t.size(0) != n) {
    throw std::invalid_argument(std::string("knn_accuracy: expected ") + name + " as [" +
                                std::to_string(n) + "], got " + shape_of(t));
  }
  torch::Tensor l = t.detach().to(torch::kCPU, torch::kInt64).contiguous();
  if (n > 0 && l.min().item<std::int64_t>() < 0) {
    throw std::invalid_argument(std::string("knn_accuracy: expected ") + name + " >= 0");
  }
  return l;
}

double knn_impl(const torch::Tensor& ref, const torch::Tensor& ref_labels, const torch::Tensor& query,
                const torch::Tensor& query_labels, std::int64_t k, bool leave_one_out) {
  const std::int64_t m = ref.size(0);
  const std::int64_t available = leave_one_out ? m - 1 : m;
  if (k < 1 || k > available) {
    throw std::invalid_argument("knn_accuracy: expected 1 <= k <= " + std::to_string(available) +
                                ", got " + std::to_string(k));
  }
  if (ref.size(1) != query.size(1)) {
    throw std::invalid_argument("knn_accuracy: references have dimension " + std::to_string(ref.size(1)) +
                                " but queries " + std::to_string(query.size(1)));
  }
  const std::int64_t q = query.size(0);
  if (q == 0) throw std::invalid_argument("knn_accuracy: expected at least one query");
  const std::int64_t classes = ref_labels.max().item<std::int64_t>() + 1;
  const std::int64_t* rl = ref_labels.data_ptr<std::int64_t>();
  const std::int64_t* ql = query_labels.data_ptr<std::int64_t>();
  std::int64_t correct = 0;
  constexpr std::int64_t kBlock = 1024;
  std::vector<std::int64_t> votes(static_cast<std::size_t>(classes));
  std::vector<std::int64_t> order(static_cast<std::size_t>(m));
  for (std::int64_t b = 0; b < q; b += kBlock) {
    const std::int64_t e = std::min(q, b + kBlock);
    torch::Tensor d = torch::cdist(query.slice(0, b, e), ref).contiguous();
    const double* pd = d.data_ptr<double>();
    for (std::int64_t i = b; i < e; ++i) {
      const double* row = pd + (i - b) * m;
      for (std::int64_t j = 0; j < m; ++j) order[j] = j;
      auto less = [&](std::int64_t a, std::int64_t c) {
        if (leave_one_out && (a == i || c == i)) return c == i && a != i;  // self last
        return row[a] < row[c] || (row[a] == row[c] && a < c);
      };
      std::nth_element(order.begin(), order.begin() + (k - 1), order.end(), less);
      std::sort(order.begin(), order.begin() + k, less);
      std::fill(votes.begin(), votes.end(), 0);
      for (std::int64_t t = 0; t < k; ++t) ++votes[rl[order[t]]];
      const auto winner = std::max_element(votes.begin(), votes.end()) - votes.begin();
      if (winner == ql[i]) ++correct;
    }
  }
  return static_cast<double>(correct) / static_cast<double>(q);
}

}  // namespace

double knn_accuracy(const torch::Tensor& references, const torch::Tensor& reference_labels,
                    const torch::Tensor& queries, const torch::Tensor& query_labels, std::int64_t k) {
  const torch::Tensor ref = points_of(references, "references");
  const torch::Tensor query = points_of(queries, "queries");
  return knn_impl(ref, labels_of(reference_labels, ref.size(0), "reference_labels"), query,
                  labels_of(query_labels, query.size(0), "query_labels"), k, false);
}

double knn_accuracy(const torch::Tensor& points, const torch::Tensor& labels, std::int64_t k) {
  const torch::Tensor p = points_of(points, "points");
  const torch::Tensor l = labels_of(labels, p.size(0), "labels");
  return knn_impl(p, l, p, l, k, true);
}

double reconstruction_mse(const torch::Tensor& x, const torch::Tensor& reconstruction) {
  if (!x.defined() || !reconstruction.defined() || x.sizes() != reconstruction.sizes()) {
    throw std::invalid_argument("reconstruction_mse: expected tensors of the same shape, got " +
                                shape_of(x) + " and " + shape_of(reconstruction));
  }
  if (x.numel() == 0) throw std::invalid_argument("reconstruction_mse: expected a non-empty tensor");
  const torch::Tensor a = x.detach().to(torch::kCPU, torch::kFloat64);
  const torch::Tensor b = reconstruction.detach().to(torch::kCPU, torch::kFloat64);
  return (a - b).pow(2).mean().item<double>();
}

}  // namespace topoembed::eval
