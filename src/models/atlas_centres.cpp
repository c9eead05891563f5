// Distinct membership centres (see atlas_centres.hpp).
#include "topoembed/models/atlas_centres.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace topoembed::models {

std::int64_t distinct_centres(const torch::Tensor& centres, double relative_tolerance) {
  const std::string op = "distinct_centres";
  if (!centres.defined() || centres.dim() != 2 || !centres.is_floating_point() || centres.size(0) < 1) {
    std::ostringstream s;
    s << op << ": expected floating-point centres [k, D] with k >= 1, got ";
    if (centres.defined()) s << centres.scalar_type() << " " << centres.sizes(); else s << "an undefined tensor";
    throw std::invalid_argument(s.str());
  }
  if (!(relative_tolerance >= 0.0 && relative_tolerance < 1.0))
    throw std::invalid_argument(op + ": relative_tolerance must be in [0, 1), got " + std::to_string(relative_tolerance));
  const auto c = centres.detach().to(torch::kCPU, torch::kDouble).contiguous();
  if (!torch::isfinite(c).all().item<bool>()) throw std::invalid_argument(op + ": the centres hold a NaN or inf entry");
  const auto k = c.size(0);
  if (k == 1) return 1;
  auto dist = torch::cdist(c, c);
  dist.diagonal().fill_(std::numeric_limits<double>::infinity());
  const auto d = dist.contiguous();
  const double* p = d.data_ptr<double>();
  // The cell spacing: the median over centres of the distance to the second-nearest other centre
  // (the nearest one when k = 2), which a merged pair does not shrink.
  const std::int64_t rank = std::min<std::int64_t>(1, k - 2);
  std::vector<double> spacing(static_cast<std::size_t>(k));
  for (std::int64_t i = 0; i < k; ++i) {
    std::vector<double> row(p + i * k, p + (i + 1) * k);  // the infinite diagonal sorts last
    std::nth_element(row.begin(), row.begin() + rank, row.end());
    spacing[static_cast<std::size_t>(i)] = row[static_cast<std::size_t>(rank)];
  }
  std::nth_element(spacing.begin(), spacing.begin() + k / 2, spacing.end());
  const double threshold = relative_tolerance * spacing[static_cast<std::size_t>(k / 2)];
  // Union-find over the pairs closer than the threshold.
  std::vector<std::int64_t> parent(static_cast<std::size_t>(k));
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::int64_t i) {
    while (parent[static_cast<std::size_t>(i)] != i) i = parent[static_cast<std::size_t>(i)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(i)])];
    return i;
  };
  std::int64_t cells = k;
  for (std::int64_t i = 0; i < k; ++i)
    for (std::int64_t j = i + 1; j < k; ++j)
      if (p[i * k + j] < threshold || p[i * k + j] == 0.0) {  // exact copies always coincide
        const auto a = find(i), b = find(j);
        if (a != b) {
          parent[static_cast<std::size_t>(a)] = b;
          --cells;
        }
      }
  return cells;
}

}  // namespace topoembed::models
