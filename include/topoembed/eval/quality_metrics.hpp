#pragma once
// Embedding quality measures of "Topological Autoencoders" (Moor et al., ICML 2020; the
// definitions of its code, see docs and ../shared/reference/README.md): density KL_sigma,
// trustworthiness and continuity (Venna & Kaski 2001), MRRE (Lee & Verleysen 2009), RMSE and
// stress of the distance matrices. Computed on the whole set, without holding n x n matrices.

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace topoembed::eval {

struct QualityOptions {
  // Bandwidths of the density KL (distances divided by their maximum first).
  std::vector<double> sigmas{0.001, 0.01, 0.1, 1.0, 10.0};
  // Neighbourhood sizes k = k_min, k_min + k_step, ..., <= k_max for trustworthiness,
  // continuity and MRRE; the l-measures are their means.
  std::int64_t k_min = 10;
  std::int64_t k_max = 200;
  std::int64_t k_step = 10;
  bool compute_density_kl = true;
  bool compute_rank_measures = true;
  // Rows per block of the blocked distance computation (memory ~ block_rows * n doubles per
  // block buffer).
  std::int64_t block_rows = 512;
  // The squared distances of a high-dimensional space (GEMM side) are computed once, as the
  // whole n x n matrix (n * n * 8 bytes, half the products of a row-by-row pass), if it fits
  // in this many bytes; otherwise rows are computed in blocks during the pass (and, with the
  // density KL, once before it for the largest distance). 0: always blocks.
  std::int64_t distance_cache_bytes = std::int64_t{2} << 30;
};

// All values computed in float64. Per-k vectors are parallel to `ks`.
struct QualityMetrics {
  std::int64_t n = 0;
  std::vector<double> sigmas;
  std::vector<double> density_kl;  // KL_sigma, parallel to sigmas
  std::vector<std::int64_t> ks;
  std::vector<double> trustworthiness;
  std::vector<double> continuity;
  std::vector<double> mrre_zx;  // neighbours in Z, rank errors relative to Z's ranks
  std::vector<double> mrre_xz;  // neighbours in X, relative to X's ranks
  double mean_trustworthiness = 0.0;  // l-Trust
  double mean_continuity = 0.0;       // l-Cont
  double mean_mrre = 0.0;             // l-MRRE: mean over k of (MRRE_ZX + MRRE_XZ) / 2
  double mean_mrre_zx = 0.0;
  double mean_mrre_xz = 0.0;
  double rmse = 0.0;    // sqrt(sum_ij (D^X_ij - D^Z_ij)^2 / n^2)
  double stress = 0.0;  // sqrt(sum_ij (D^X_ij - D^Z_ij)^2 / sum_ij (D^Z_ij)^2)
  // Wall seconds of the two phases (for benchmarks; not part of to_json): the distance
  // matrices / largest distances before the row pass, and the row pass itself.
  double seconds_distances = 0.0;
  double seconds_rows = 0.0;
  // Threads the row pass ran on (not part of to_json): the most chunks of one at::parallel_for
  // call. 1 when it ran inline (one thread set, too few rows, or a build without OpenMP).
  int row_pass_threads = 0;

  // KL_sigma for one of `sigmas`; throws std::out_of_range if it was not computed.
  double kl(double sigma) const;
  // Flat summary, keys as in the paper's tables ("kl_0.1", "trustworthiness_mean", ...), plus
  // the per-k curves under "per_k".
  nlohmann::json to_json() const;
};

// Measures for data X [n, D] and its embedding Z [n, d] (rows correspond; any floating or
// integer dtype, converted to float64 on the CPU). Distances are Euclidean; ranks follow a
// stable argsort of each distance row (ties by index; the point itself has rank 0).
// LibTorch operations and the per-row work run on at::get_num_threads() threads (set it with
// at::set_num_threads); the results are bitwise the same for any thread count.
// Throws std::invalid_argument on mismatched shapes, non-finite values, n < 2 or k out of range
// (k_max <= n - 2 and 2n - 3k - 1 > 0 are needed).
QualityMetrics quality_metrics(const torch::Tensor& x, const torch::Tensor& z,
                               const QualityOptions& options = {});

}  // namespace topoembed::eval
