// The measures of the Topological Autoencoders code (measures_optimized.py), computed row by
// row: each row i of D^X and D^Z yields its density terms, the first k_max + 1 positions of both
// stable argsorts and the cross ranks r^X(i, j), j in N^Z(i), and r^Z(i, j), j in N^X(i).
// Per-row partial sums are stored and added in row order, so the result does not depend on the
// thread count.
#include "topoembed/eval/quality_metrics.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "detail/density_kernel.hpp"
#include "detail/distance_rows.hpp"
#include "detail/stable_ranks.hpp"
#include "detail/tensor_arguments.hpp"

namespace topoembed::eval {

namespace {

torch::Tensor as_points(const torch::Tensor& t, const char* name) {
  if (!t.defined() || t.dim() != 2) {
    throw std::invalid_argument(std::string("quality_metrics: expected ") + name +
                                " as a 2-D tensor [n, dim], got " +
                                detail::shape_of(t, "an undefined tensor"));
  }
  if (t.is_complex() || t.scalar_type() == torch::kBool) {
    throw std::invalid_argument(std::string("quality_metrics: expected real values in ") + name);
  }
  torch::Tensor p = detail::cpu_float64(t);
  if (!torch::isfinite(p).all().item<bool>()) {
    throw std::invalid_argument(std::string("quality_metrics: ") + name +
                                " contains NaN or infinite values");
  }
  return p;
}

// Square roots of a row. sqrtpd is correctly rounded like std::sqrt, which the compiler does not
// vectorise (errno).
void sqrt_row(const double* in, double* out, std::int64_t n) {
  std::int64_t l = 0;
#if defined(__SSE2__)
  for (; l + 2 <= n; l += 2) _mm_storeu_pd(out + l, _mm_sqrt_pd(_mm_loadu_pd(in + l)));
#endif
  for (; l < n; ++l) out[l] = std::sqrt(in[l]);
}

// One space's squared distance rows: from the whole matrix, from the current block of rows
// (GEMM sides over the cache budget), or computed row by row (low dimensions).
struct Side {
  const detail::DistanceRows* rows = nullptr;
  torch::Tensor full;
  torch::Tensor block;
  std::int64_t block_begin = 0;
  double inv_max2 = 0.0;

  bool needs_blocks() const { return !full.defined() && !rows->direct(); }
  const double* row(std::int64_t i, std::vector<double>& buffer) const {
    const std::int64_t n = rows->size();
    if (full.defined()) return full.data_ptr<double>() + i * n;
    if (!rows->direct()) return block.data_ptr<double>() + (i - block_begin) * n;
    rows->squared_row(i, n, buffer.data());
    return buffer.data();
  }
};

struct RowScratch {
  std::vector<double> x2_buffer;
  std::vector<double> z2_buffer;
  std::vector<double> dx;  // distances of the row
  std::vector<double> dz;
  std::vector<double> select;
  std::vector<double> zx_prefix;  // sum over p' <= p of |r^X - p'| / p'
  std::vector<double> xz_prefix;
  std::vector<std::int64_t> top_x;
  std::vector<std::int64_t> top_z;
  std::vector<std::int64_t> pos_x;  // position in top_x, or -1
  std::vector<std::int64_t> pos_z;
  std::vector<std::int64_t> queries;
  std::vector<std::int64_t> query_ranks;
  detail::RankScratch rank;
  std::vector<std::int64_t> rank_x_of_z;  // r^X(i, top_z[p]) for p = 0..K
  std::vector<std::int64_t> rank_z_of_x;  // r^Z(i, top_x[p])

  explicit RowScratch(std::int64_t n)
      : x2_buffer(static_cast<std::size_t>(n)),
        z2_buffer(static_cast<std::size_t>(n)),
        dx(static_cast<std::size_t>(n)),
        dz(static_cast<std::size_t>(n)),
        pos_x(static_cast<std::size_t>(n), -1),
        pos_z(static_cast<std::size_t>(n), -1) {}
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
  detail::stable_ranks(values, n, s.queries, s.query_ranks, s.rank);
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

  const auto t_start = std::chrono::steady_clock::now();
  const detail::DistanceRows rows_x(x);
  const detail::DistanceRows rows_z(z);
  Side side_x;
  Side side_z;
  side_x.rows = &rows_x;
  side_z.rows = &rows_z;
  // GEMM sides are computed once as a whole matrix when it fits the budget: half the products
  // (lower triangle, mirrored), and the KL's largest distance comes with it. Otherwise blocks
  // of rows are computed in the row pass (and, for the KL, once before it for the maximum).
  {
    double budget = static_cast<double>(options.distance_cache_bytes);
    const double matrix_bytes = static_cast<double>(n) * static_cast<double>(n) * 8.0;
    for (Side* side : {&side_x, &side_z}) {
      double largest = 0.0;
      if (!side->rows->direct() && matrix_bytes <= budget) {
        budget -= matrix_bytes;
        side->full = side->rows->full_squared(options.block_rows, &largest);
      } else if (options.compute_density_kl) {
        largest = side->rows->max_squared(options.block_rows);
      }
      if (options.compute_density_kl) {
        if (largest <= 0.0) {
          throw std::invalid_argument("quality_metrics: all points of " +
                                      std::string(side == &side_x ? "x" : "z") +
                                      " coincide; the density KL divides by the largest distance");
        }
        side->inv_max2 = 1.0 / largest;
      }
    }
  }

  const auto t_rows = std::chrono::steady_clock::now();
  m.seconds_distances = std::chrono::duration<double>(t_rows - t_start).count();

  const std::size_t n_sigma = m.sigmas.size();
  const std::size_t n_k = m.ks.size();
  const detail::DensityKernel kernel(m.sigmas);
  // Per-row partial results.
  std::vector<double> dens_x(static_cast<std::size_t>(n) * n_sigma, 0.0);
  std::vector<double> dens_z(static_cast<std::size_t>(n) * n_sigma, 0.0);
  std::vector<double> sq_diff(static_cast<std::size_t>(n), 0.0);
  std::vector<double> sq_z(static_cast<std::size_t>(n), 0.0);
  std::vector<double> trust_rows(static_cast<std::size_t>(n) * n_k, 0.0);
  std::vector<double> cont_rows(static_cast<std::size_t>(n) * n_k, 0.0);
  std::vector<double> zx_rows(static_cast<std::size_t>(n) * n_k, 0.0);
  std::vector<double> xz_rows(static_cast<std::size_t>(n) * n_k, 0.0);

  // The highest chunk id seen + 1: at::get_thread_num() is the chunk's id inside at::parallel_for
  // and 0 when it runs the range inline.
  std::atomic<int> row_pass_threads{1};
  const bool blocked = side_x.needs_blocks() || side_z.needs_blocks();
  const std::int64_t step = blocked ? options.block_rows : n;
  for (std::int64_t b = 0; b < n; b += step) {
    const std::int64_t e = std::min(n, b + step);
    for (Side* side : {&side_x, &side_z}) {
      if (side->needs_blocks()) {
        side->rows->squared_block(b, e, side->block);
        side->block_begin = b;
      }
    }
    at::parallel_for(b, e, 16, [&](std::int64_t r0, std::int64_t r1) {
      const int chunks = at::get_thread_num() + 1;
      for (int seen = row_pass_threads.load(); seen < chunks && !row_pass_threads.compare_exchange_weak(seen, chunks);) {
      }
      RowScratch s(n);
      double* dx = s.dx.data();
      double* dz = s.dz.data();
      for (std::int64_t i = r0; i < r1; ++i) {
        const double* x2 = side_x.row(i, s.x2_buffer);
        const double* z2 = side_z.row(i, s.z2_buffer);
        sqrt_row(x2, dx, n);
        sqrt_row(z2, dz, n);
        // RMSE and stress sums in four lanes (vectorised; a fixed order per row).
        double d0 = 0.0, d1 = 0.0, d2 = 0.0, d3 = 0.0;
        double z0 = 0.0, z1 = 0.0, z2s = 0.0, z3 = 0.0;
        std::int64_t l = 0;
        for (; l + 4 <= n; l += 4) {
          const double a0 = dx[l] - dz[l];
          const double a1 = dx[l + 1] - dz[l + 1];
          const double a2 = dx[l + 2] - dz[l + 2];
          const double a3 = dx[l + 3] - dz[l + 3];
          d0 += a0 * a0;
          d1 += a1 * a1;
          d2 += a2 * a2;
          d3 += a3 * a3;
          z0 += z2[l];
          z1 += z2[l + 1];
          z2s += z2[l + 2];
          z3 += z2[l + 3];
        }
        for (; l < n; ++l) {
          const double a0 = dx[l] - dz[l];
          d0 += a0 * a0;
          z0 += z2[l];
        }
        sq_diff[i] = (d0 + d1) + (d2 + d3);
        sq_z[i] = (z0 + z1) + (z2s + z3);
        if (n_sigma > 0) {
          kernel.row_sums(x2, n, side_x.inv_max2, dens_x.data() + i * static_cast<std::int64_t>(n_sigma));
          kernel.row_sums(z2, n, side_z.inv_max2, dens_z.data() + i * static_cast<std::int64_t>(n_sigma));
        }
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
          const std::size_t at = static_cast<std::size_t>(i) * n_k + kk;
          trust_rows[at] = trust;
          cont_rows[at] = cont;
          zx_rows[at] = s.zx_prefix[k];
          xz_rows[at] = s.xz_prefix[k];
        }
      }
    });
  }

  m.seconds_rows = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_rows).count();
  m.row_pass_threads = row_pass_threads.load();

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
