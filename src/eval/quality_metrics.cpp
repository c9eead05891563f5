// The measures of the Topological Autoencoders code (measures_optimized.py), computed row by
// row: each row i of D^X and D^Z yields its density terms, the first k_max + 1 positions of both
// stable argsorts and the cross ranks r^X(i, j), j in N^Z(i), and r^Z(i, j), j in N^X(i).
// Per-row partial sums are stored and added in row order, so the result does not depend on the
// thread count.
#include "topoembed/eval/quality_metrics.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>

#include "detail/distance_rows.hpp"
#include "detail/stable_ranks.hpp"

namespace topoembed::eval {

namespace {

std::string shape_of(const torch::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

torch::Tensor as_points(const torch::Tensor& t, const char* name) {
  if (!t.defined() || t.dim() != 2) {
    throw std::invalid_argument(std::string("quality_metrics: expected ") + name +
                                " as a 2-D tensor [n, dim], got " +
                                (t.defined() ? shape_of(t) : std::string("an undefined tensor")));
  }
  if (t.is_complex() || t.scalar_type() == torch::kBool) {
    throw std::invalid_argument(std::string("quality_metrics: expected real values in ") + name);
  }
  torch::Tensor p = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  if (!torch::isfinite(p).all().item<bool>()) {
    throw std::invalid_argument(std::string("quality_metrics: ") + name +
                                " contains NaN or infinite values");
  }
  return p;
}

// Row sums of exp(-t / sigma) for every sigma with one std::exp per entry where the sigmas
// allow: when sigma_prev / sigma is an integer m, exp(-t / sigma) = exp(-t / sigma_prev)^m
// (relative error ~ m * 1e-16). Values below 1e-150 are flushed to 0 before they are squared,
// which avoids subnormals; next to the self term exp(0) = 1 they do not change a sum.
struct DensityKernel {
  std::vector<double> sigmas_desc;  // descending
  std::vector<std::size_t> out_slot;
  std::vector<std::int64_t> power;  // 0: compute with std::exp

  explicit DensityKernel(const std::vector<double>& sigmas) {
    std::vector<std::size_t> order(sigmas.size());
    for (std::size_t s = 0; s < order.size(); ++s) order[s] = s;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return sigmas[a] > sigmas[b]; });
    for (std::size_t r = 0; r < order.size(); ++r) {
      sigmas_desc.push_back(sigmas[order[r]]);
      out_slot.push_back(order[r]);
      std::int64_t pw = 0;
      if (r > 0) {
        const double ratio = sigmas_desc[r - 1] / sigmas_desc[r];
        const double rounded = std::round(ratio);
        if (rounded >= 1.0 && rounded <= 1e6 && std::abs(ratio - rounded) <= 1e-12 * rounded) {
          pw = static_cast<std::int64_t>(rounded);
        }
      }
      power.push_back(pw);
    }
  }

  // Branch-free (a select by multiplication) so that the loops vectorise.
  static double flushed(double v) { return v * static_cast<double>(v >= 1e-150); }
  static void flush(double* v, std::int64_t n) {
    for (std::int64_t l = 0; l < n; ++l) v[l] = flushed(v[l]);
  }

  // sums[slot(sigma)] = sum_l exp(-d2[l] * inv_max2 / sigma); buf, base: scratch.
  void row_sums(const double* d2, std::int64_t n, double inv_max2, std::vector<double>& buf,
                std::vector<double>& base, double* sums) const {
    buf.resize(static_cast<std::size_t>(n));
    base.resize(static_cast<std::size_t>(n));
    double* e = buf.data();
    double* b = base.data();
    for (std::size_t r = 0; r < sigmas_desc.size(); ++r) {
      if (power[r] == 0) {
        const double c = inv_max2 / sigmas_desc[r];
        for (std::int64_t l = 0; l < n; ++l) e[l] = std::exp(-(d2[l] * c));
      } else if (power[r] == 10) {
        // The default ladder (sigma = 10, 1, 0.1, ...): e^10 = (e^8) (e^2), fused in one pass.
        for (std::int64_t l = 0; l < n; ++l) {
          const double x2 = flushed(e[l] * e[l]);
          const double x4 = flushed(x2 * x2);
          const double x8 = flushed(x4 * x4);
          e[l] = flushed(x8 * x2);
        }
      } else if (power[r] > 1) {
        // e <- e^m by binary powering, all entries at once (vectorisable loops).
        std::copy(e, e + n, b);
        std::fill(e, e + n, 1.0);
        for (std::int64_t m = power[r]; m > 0; m >>= 1) {
          if (m & 1) {
            for (std::int64_t l = 0; l < n; ++l) e[l] *= b[l];
            flush(e, n);
          }
          if (m > 1) {
            for (std::int64_t l = 0; l < n; ++l) b[l] *= b[l];
            flush(b, n);
          }
        }
      }
      flush(e, n);
      double sum = 0.0;
      for (std::int64_t l = 0; l < n; ++l) sum += e[l];
      sums[out_slot[r]] = sum;
    }
  }
};

struct RowScratch {
  std::vector<double> select;
  std::vector<double> zx_prefix;  // sum over p' <= p of |r^X - p'| / p'
  std::vector<double> xz_prefix;
  std::vector<double> kernel_buf;
  std::vector<double> kernel_base;
  std::vector<std::int64_t> top_x;
  std::vector<std::int64_t> top_z;
  std::vector<std::int64_t> pos_x;  // position in top_x, or -1
  std::vector<std::int64_t> pos_z;
  std::vector<std::int64_t> queries;
  std::vector<std::int64_t> query_ranks;
  std::vector<std::pair<double, std::int64_t>> sorted;
  std::vector<std::int64_t> hist;
  std::vector<std::int64_t> rank_x_of_z;  // r^X(i, top_z[p]) for p = 0..K
  std::vector<std::int64_t> rank_z_of_x;  // r^Z(i, top_x[p])
};

// r_other[p] = rank in `values` of top[p], using pos (position in the other top list) where
// known and a counting pass for the rest.
void cross_ranks(const double* values, std::int64_t n, const std::vector<std::int64_t>& top,
                 const std::vector<std::int64_t>& pos_in_values_top, RowScratch& s,
                 std::vector<std::int64_t>& out) {
  out.assign(top.size(), -1);
  s.queries.clear();
  for (std::size_t p = 0; p < top.size(); ++p) {
    const std::int64_t known = pos_in_values_top[static_cast<std::size_t>(top[p])];
    if (known >= 0) {
      out[p] = known;
    } else {
      s.queries.push_back(top[p]);
    }
  }
  detail::stable_ranks(values, n, s.queries, s.query_ranks, s.sorted, s.hist);
  std::size_t q = 0;
  for (auto& r : out) {
    if (r < 0) r = s.query_ranks[q++];
  }
}

}  // namespace

double QualityMetrics::kl(double sigma) const {
  for (std::size_t s = 0; s < sigmas.size(); ++s) {
    if (sigmas[s] == sigma && s < density_kl.size()) return density_kl[s];
  }
  throw std::out_of_range("QualityMetrics::kl: sigma " + std::to_string(sigma) +
                          " was not computed");
}

nlohmann::json QualityMetrics::to_json() const {
  nlohmann::json j;
  j["n"] = n;
  for (std::size_t s = 0; s < density_kl.size(); ++s) {
    std::ostringstream key;
    key << "kl_" << sigmas[s];
    j[key.str()] = density_kl[s];
  }
  if (!ks.empty()) {
    j["trustworthiness_mean"] = mean_trustworthiness;
    j["continuity_mean"] = mean_continuity;
    j["mrre_mean"] = mean_mrre;
    j["mrre_zx_mean"] = mean_mrre_zx;
    j["mrre_xz_mean"] = mean_mrre_xz;
    j["per_k"] = {{"k", ks},
                  {"trustworthiness", trustworthiness},
                  {"continuity", continuity},
                  {"mrre_zx", mrre_zx},
                  {"mrre_xz", mrre_xz}};
  }
  j["rmse"] = rmse;
  j["stress"] = stress;
  return j;
}

QualityMetrics quality_metrics(const torch::Tensor& x_in, const torch::Tensor& z_in,
                               const QualityOptions& options) {
  const torch::Tensor x = as_points(x_in, "x");
  const torch::Tensor z = as_points(z_in, "z");
  const std::int64_t n = x.size(0);
  if (z.size(0) != n) {
    throw std::invalid_argument("quality_metrics: x has " + std::to_string(n) +
                                " rows but z has " + std::to_string(z.size(0)) +
                                ", expected the same points");
  }
  if (n < 2) throw std::invalid_argument("quality_metrics: expected n >= 2 points, got " + std::to_string(n));
  if (options.block_rows < 1) {
    throw std::invalid_argument("quality_metrics: expected block_rows >= 1, got " +
                                std::to_string(options.block_rows));
  }
  for (double s : options.sigmas) {
    if (!(s > 0.0) || !std::isfinite(s)) {
      throw std::invalid_argument("quality_metrics: expected sigmas > 0, got " + std::to_string(s));
    }
  }

  QualityMetrics m;
  m.n = n;
  std::int64_t k_top = 0;  // K = largest k
  if (options.compute_rank_measures) {
    if (options.k_min < 1 || options.k_step < 1 || options.k_max < options.k_min) {
      throw std::invalid_argument("quality_metrics: expected 1 <= k_min <= k_max and k_step >= 1, got k_min " +
                                  std::to_string(options.k_min) + ", k_max " + std::to_string(options.k_max) +
                                  ", k_step " + std::to_string(options.k_step));
    }
    for (std::int64_t k = options.k_min; k <= options.k_max; k += options.k_step) m.ks.push_back(k);
    k_top = m.ks.back();
    if (k_top > n - 2 || 2 * n - 3 * k_top - 1 <= 0) {
      throw std::invalid_argument("quality_metrics: largest k " + std::to_string(k_top) + " is too large for n = " +
                                  std::to_string(n) + " (expected k <= n - 2 and 3k < 2n - 1)");
    }
  }
  if (options.compute_density_kl) m.sigmas = options.sigmas;

  const detail::DistanceRows rows_x(x);
  const detail::DistanceRows rows_z(z);
  double inv_max2_x = 0.0;
  double inv_max2_z = 0.0;
  // The KL needs the largest distances before the row pass. Computing them costs a pass over
  // all pairs; for GEMM-based sides that fit the budget the squared distances of that pass are
  // kept and the row pass reads them instead of recomputing.
  torch::Tensor cache_x;
  torch::Tensor cache_z;
  if (options.compute_density_kl) {
    double budget = static_cast<double>(options.distance_cache_bytes);
    const double matrix_bytes = static_cast<double>(n) * static_cast<double>(n) * 8.0;
    auto largest = [&](const detail::DistanceRows& rows, torch::Tensor& cache) {
      if (!rows.direct() && matrix_bytes <= budget) {
        budget -= matrix_bytes;
        cache = rows.full_squared(options.block_rows);
        return cache.max().item<double>();
      }
      return rows.max_squared(options.block_rows);
    };
    const double mx = largest(rows_x, cache_x);
    const double mz = largest(rows_z, cache_z);
    if (mx <= 0.0 || mz <= 0.0) {
      throw std::invalid_argument("quality_metrics: all points of " + std::string(mx <= 0.0 ? "x" : "z") +
                                  " coincide; the density KL divides by the largest distance");
    }
    inv_max2_x = 1.0 / mx;
    inv_max2_z = 1.0 / mz;
  }

  const std::size_t n_sigma = m.sigmas.size();
  const std::size_t n_k = m.ks.size();
  const DensityKernel kernel(m.sigmas);
  // Per-row partial results.
  std::vector<double> dens_x(static_cast<std::size_t>(n) * n_sigma, 0.0);
  std::vector<double> dens_z(static_cast<std::size_t>(n) * n_sigma, 0.0);
  std::vector<double> sq_diff(static_cast<std::size_t>(n), 0.0);
  std::vector<double> sq_z(static_cast<std::size_t>(n), 0.0);
  std::vector<double> trust_rows(static_cast<std::size_t>(n) * n_k, 0.0);
  std::vector<double> cont_rows(static_cast<std::size_t>(n) * n_k, 0.0);
  std::vector<double> zx_rows(static_cast<std::size_t>(n) * n_k, 0.0);
  std::vector<double> xz_rows(static_cast<std::size_t>(n) * n_k, 0.0);

  for (std::int64_t b = 0; b < n; b += options.block_rows) {
    const std::int64_t e = std::min(n, b + options.block_rows);
    const torch::Tensor bx = cache_x.defined() ? cache_x.slice(0, b, e) : rows_x.squared_block(b, e);
    const torch::Tensor bz = cache_z.defined() ? cache_z.slice(0, b, e) : rows_z.squared_block(b, e);
    // Distances (not squared) for the ranks and the RMSE, vectorised by LibTorch.
    const torch::Tensor dist_x = bx.sqrt();
    const torch::Tensor dist_z = bz.sqrt();
    const double* px = bx.data_ptr<double>();
    const double* pz = bz.data_ptr<double>();
    const double* qx = dist_x.data_ptr<double>();
    const double* qz = dist_z.data_ptr<double>();
    at::parallel_for(b, e, 1, [&](std::int64_t r0, std::int64_t r1) {
      RowScratch s;
      s.pos_x.assign(static_cast<std::size_t>(n), -1);
      s.pos_z.assign(static_cast<std::size_t>(n), -1);
      for (std::int64_t i = r0; i < r1; ++i) {
        const double* x2 = px + (i - b) * n;
        const double* z2 = pz + (i - b) * n;
        double* fx = dens_x.data() + i * static_cast<std::int64_t>(n_sigma);
        double* fz = dens_z.data() + i * static_cast<std::int64_t>(n_sigma);
        const double* dx = qx + (i - b) * n;
        const double* dz = qz + (i - b) * n;
        double diff_sum = 0.0;
        double z_sum = 0.0;
        for (std::int64_t l = 0; l < n; ++l) {
          const double diff = dx[l] - dz[l];
          diff_sum += diff * diff;
          z_sum += z2[l];
        }
        if (n_sigma > 0) {
          kernel.row_sums(x2, n, inv_max2_x, s.kernel_buf, s.kernel_base, fx);
          kernel.row_sums(z2, n, inv_max2_z, s.kernel_buf, s.kernel_base, fz);
        }
        sq_diff[i] = diff_sum;
        sq_z[i] = z_sum;
        if (n_k == 0) continue;

        // Positions 0..K of both stable argsorts (position 0 is normally i itself).
        detail::stable_smallest(dx, n, k_top + 1, s.select, s.top_x);
        detail::stable_smallest(dz, n, k_top + 1, s.select, s.top_z);
        for (std::int64_t p = 0; p <= k_top; ++p) {
          s.pos_x[static_cast<std::size_t>(s.top_x[p])] = p;
          s.pos_z[static_cast<std::size_t>(s.top_z[p])] = p;
        }
        cross_ranks(dx, n, s.top_z, s.pos_x, s, s.rank_x_of_z);
        cross_ranks(dz, n, s.top_x, s.pos_z, s, s.rank_z_of_x);
        for (std::int64_t p = 0; p <= k_top; ++p) {
          s.pos_x[static_cast<std::size_t>(s.top_x[p])] = -1;
          s.pos_z[static_cast<std::size_t>(s.top_z[p])] = -1;
        }

        // MRRE terms do not depend on k beyond the range p <= k: prefix sums.
        s.zx_prefix.assign(static_cast<std::size_t>(k_top + 1), 0.0);
        s.xz_prefix.assign(static_cast<std::size_t>(k_top + 1), 0.0);
        for (std::int64_t p = 1; p <= k_top; ++p) {
          const auto pd = static_cast<double>(p);
          s.zx_prefix[p] = s.zx_prefix[p - 1] + static_cast<double>(std::llabs(s.rank_x_of_z[p] - p)) / pd;
          s.xz_prefix[p] = s.xz_prefix[p - 1] + static_cast<double>(std::llabs(s.rank_z_of_x[p] - p)) / pd;
        }
        for (std::size_t kk = 0; kk < n_k; ++kk) {
          const std::int64_t k = m.ks[kk];
          double trust = 0.0;
          double cont = 0.0;
          for (std::int64_t p = 1; p <= k; ++p) {
            // top_z[p] is a Z-neighbour with r^Z = p; counted when not an X-neighbour.
            const std::int64_t rx = s.rank_x_of_z[p];
            if (rx < 1 || rx > k) trust += static_cast<double>(rx - k);
            const std::int64_t rz = s.rank_z_of_x[p];
            if (rz < 1 || rz > k) cont += static_cast<double>(rz - k);
          }
          const double zx = s.zx_prefix[k];
          const double xz = s.xz_prefix[k];
          const std::size_t at = static_cast<std::size_t>(i) * n_k + kk;
          trust_rows[at] = trust;
          cont_rows[at] = cont;
          zx_rows[at] = zx;
          xz_rows[at] = xz;
        }
      }
    });
  }

  // Sums in row order.
  const auto nd = static_cast<double>(n);
  double diff_total = 0.0;
  double z_total = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    diff_total += sq_diff[i];
    z_total += sq_z[i];
  }
  m.rmse = std::sqrt(diff_total / (nd * nd));
  m.stress = z_total > 0.0 ? std::sqrt(diff_total / z_total) : std::nan("");

  for (std::size_t sg = 0; sg < n_sigma; ++sg) {
    double total_x = 0.0;
    double total_z = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
      total_x += dens_x[i * n_sigma + sg];
      total_z += dens_z[i * n_sigma + sg];
    }
    double kl = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
      const double fx = dens_x[i * n_sigma + sg] / total_x;
      const double fz = dens_z[i * n_sigma + sg] / total_z;
      kl += fx * (std::log(fx) - std::log(fz));
    }
    m.density_kl.push_back(kl);
  }

  for (std::size_t kk = 0; kk < n_k; ++kk) {
    const auto k = static_cast<double>(m.ks[kk]);
    double trust = 0.0;
    double cont = 0.0;
    double zx = 0.0;
    double xz = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
      const std::size_t at = static_cast<std::size_t>(i) * n_k + kk;
      trust += trust_rows[at];
      cont += cont_rows[at];
      zx += zx_rows[at];
      xz += xz_rows[at];
    }
    const double norm = 2.0 / (nd * k * (2.0 * nd - 3.0 * k - 1.0));
    double c = 0.0;
    for (std::int64_t j = 1; j <= m.ks[kk]; ++j) {
      c += std::abs(2.0 * static_cast<double>(j) - nd - 1.0) / static_cast<double>(j);
    }
    c *= nd;
    m.trustworthiness.push_back(1.0 - norm * trust);
    m.continuity.push_back(1.0 - norm * cont);
    m.mrre_zx.push_back(zx / c);
    m.mrre_xz.push_back(xz / c);
  }
  if (n_k > 0) {
    auto mean = [](const std::vector<double>& v) {
      double s = 0.0;
      for (double a : v) s += a;
      return s / static_cast<double>(v.size());
    };
    m.mean_trustworthiness = mean(m.trustworthiness);
    m.mean_continuity = mean(m.continuity);
    m.mean_mrre_zx = mean(m.mrre_zx);
    m.mean_mrre_xz = mean(m.mrre_xz);
    m.mean_mrre = 0.5 * (m.mean_mrre_zx + m.mean_mrre_xz);
  }
  return m;
}

}  // namespace topoembed::eval
