// The persistence layer: differentiable distances, the core on detached host copies, and the
// gather of diagram values at critical edges ("pairs, then gather").
#include "topoembed/diff/vietoris_rips.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

#include "detail/gram.hpp"
#include "detail/parallel.hpp"
#include "detail/persistence_pairs.hpp"
#include "topoembed/diff/distances.hpp"
#include "topoembed/ph/distance_matrix.hpp"
#include "topoembed/ph/h0_persistence.hpp"
#include "topoembed/ph/rips_persistence.hpp"

namespace topoembed::diff {

// Up to this many features the Euclidean distance uses explicit differences (exact zeros for
// coincident points, memory N^2 D); above, the Gram form (a matrix product, fast for wide inputs).
constexpr int64_t kGramFormMinFeatures = 17;

torch::Tensor safe_sqrt(const torch::Tensor& x) {
  const auto positive = x > 0;
  // sqrt only ever sees positive arguments, so the masked-out branch has a finite gradient (0);
  // x * 0 (not a constant 0) keeps a NaN a NaN, so bad input is still caught downstream.
  return torch::where(positive, torch::where(positive, x, torch::ones_like(x)).sqrt(), x * 0);
}

namespace {

void check_points(const torch::Tensor& x, const char* op) {
  TORCH_CHECK(x.defined(), op, ": expected a tensor, got an undefined one");
  TORCH_CHECK(x.dim() == 2 || x.dim() == 3, op, ": expected points [N, D] or [B, N, D], got ", x.sizes());
  TORCH_CHECK(x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kDouble, op,
              ": expected float32 or float64, got ", x.scalar_type());
  TORCH_CHECK(x.size(-1) >= 1, op, ": expected at least one feature, got ", x.sizes());
}

void check_distances(const torch::Tensor& d, const char* op) {
  TORCH_CHECK(d.defined(), op, ": expected a tensor, got an undefined one");
  TORCH_CHECK((d.dim() == 2 || d.dim() == 3) && d.size(-1) == d.size(-2), op,
              ": expected a distance tensor [N, N] or [B, N, N], got ", d.sizes());
  TORCH_CHECK(d.scalar_type() == torch::kFloat || d.scalar_type() == torch::kDouble, op,
              ": expected float32 or float64, got ", d.scalar_type());
}

torch::Tensor zero_diagonal(const torch::Tensor& d) {
  const auto n = d.size(-1);
  const auto eye = torch::eye(n, d.options().dtype(torch::kBool));
  return d.masked_fill(eye, 0);
}

}  // namespace

torch::Tensor pairwise_distances(const torch::Tensor& x, Metric metric) {
  check_points(x, "pairwise_distances");
  if (metric == Metric::kEuclidean && x.size(-1) >= kGramFormMinFeatures) {
    // Centred: the Gram form's error is ~eps |x|^2, so the norms are measured from the cloud's
    // mean, not from the origin (a tight cloud far from the origin was off by percents). The mean
    // is detached: distances do not change under a shift, so the gradient is the same.
    const auto xc = x - x.detach().mean(-2, /*keepdim=*/true);
    const auto sq_norms = (xc * xc).sum(-1);
    const auto gram = torch::matmul(xc, xc.transpose(-1, -2));
    const auto sq = (sq_norms.unsqueeze(-1) + sq_norms.unsqueeze(-2) - 2 * gram).clamp_min(0);
    return safe_sqrt(zero_diagonal(sq));
  }
  const auto diff = x.unsqueeze(-2) - x.unsqueeze(-3);  // [.., N, N, D]
  switch (metric) {
    case Metric::kEuclidean:
      return safe_sqrt(diff.pow(2).sum(-1));
    case Metric::kManhattan:
      return diff.abs().sum(-1);  // d|t|/dt at 0 is 0 in LibTorch
    case Metric::kChebyshev:
      return diff.abs().amax(-1);
  }
  TORCH_CHECK(false, "pairwise_distances: unknown metric");
}

namespace detail {

namespace {
// One pass over the host copy (cheaper than several tensor reductions at minibatch sizes).
template <class T>
void check_finite_non_negative(const T* p, int64_t count, const char* op) {
  for (int64_t i = 0; i < count; ++i) {
    TORCH_CHECK(std::isfinite(p[i]), op, ": expected finite distances, got ", p[i], " at flat index ", i);
    TORCH_CHECK(p[i] >= 0, op, ": expected non-negative distances, got ", p[i], " at flat index ", i);
  }
}
}  // namespace

torch::Tensor host_distances(const torch::Tensor& distances, const char* op) {
  auto host = distances.detach().to(torch::kCPU).contiguous();
  if (host.dim() == 2) host = host.unsqueeze(0);
  if (host.scalar_type() == torch::kDouble) check_finite_non_negative(host.data_ptr<double>(), host.numel(), op);
  else check_finite_non_negative(host.data_ptr<float>(), host.numel(), op);
  return host;
}

torch::Tensor gather_edges_unchecked(const torch::Tensor& distances, const torch::Tensor& edges) {
  const int64_t n = distances.size(-1);
  auto flat = edges.select(-1, 0) * n + edges.select(-1, 1);  // [K] or [B, K]
  if (distances.dim() == 3) {
    flat = flat + torch::arange(distances.size(0), edges.options()).mul(n * n).unsqueeze(1);
  }
  return distances.reshape({-1}).index_select(0, flat.reshape({-1}).to(distances.device())).reshape(flat.sizes());
}

torch::Tensor diagonal_for_missing(const torch::Tensor& edges) { return edges.clamp_min(0); }

namespace {

template <class T>
std::vector<EdgeTensors> edges_by_dimension(const ph::RipsResult<T>& result, int max_dim) {
  std::vector<EdgeTensors> out;
  out.reserve(static_cast<std::size_t>(max_dim) + 1);
  for (int dim = 0; dim <= max_dim; ++dim) {
    int64_t k = 0;
    for (const auto& pair : result.pairs) k += pair.dim == dim;
    auto births = torch::empty({k, 2}, torch::kLong);
    auto deaths = torch::empty({k, 2}, torch::kLong);
    auto essential = torch::empty({k}, torch::kBool);
    auto* b = births.data_ptr<int64_t>();
    auto* d = deaths.data_ptr<int64_t>();
    auto* e = essential.data_ptr<bool>();
    int64_t i = 0;
    for (const auto& pair : result.pairs) {
      if (pair.dim != dim) continue;
      b[2 * i] = pair.birth_edge.u;
      b[2 * i + 1] = pair.birth_edge.v;
      d[2 * i] = pair.death_edge.u;
      d[2 * i + 1] = pair.death_edge.v;
      e[i] = pair.essential();
      ++i;
    }
    out.push_back({births, deaths, essential});
  }
  return out;
}

template <class T>
std::vector<std::vector<EdgeTensors>> persistence_edges_typed(const torch::Tensor& host, int max_dim,
                                                              std::optional<double> threshold, int threads) {
  const int64_t batch = host.size(0), n = host.size(1);
  // H1 and up cost far more than a distance matrix: automatic = hardware concurrency then.
  if (max_dim == 0) threads = automatic_threads(threads, batch * n * n);
  std::vector<std::vector<EdgeTensors>> out(static_cast<std::size_t>(batch));
  const T* data = host.data_ptr<T>();
  detail::parallel_for_each_index(batch, threads, [&](int64_t b) {
    const T* full = data + b * n * n;
    ph::RipsResult<T> result;
    if (max_dim == 0) {
      result = ph::h0_persistence_dense<T>(full, n, threshold);
    } else {
      std::vector<T> lower;
      lower.reserve(static_cast<std::size_t>(n * (n - 1) / 2));
      for (int64_t i = 1; i < n; ++i)
        for (int64_t j = 0; j < i; ++j) lower.push_back(full[i * n + j]);
      const ph::CompressedDistanceMatrix<T> dm(n, std::move(lower));
      ph::RipsOptions options;
      options.max_dim = max_dim;
      options.threshold = threshold;
      result = ph::rips_persistence(dm, options);
    }
    out[static_cast<std::size_t>(b)] = edges_by_dimension(result, max_dim);
  });
  return out;
}

}  // namespace

std::vector<std::vector<EdgeTensors>> persistence_edges(const torch::Tensor& host, int max_dim,
                                                        std::optional<double> threshold, int threads) {
  if (host.scalar_type() == torch::kDouble) return persistence_edges_typed<double>(host, max_dim, threshold, threads);
  return persistence_edges_typed<float>(host, max_dim, threshold, threads);
}

}  // namespace detail

const DimensionDiagram& VietorisRipsResult::at(int dim, int cloud) const {
  TORCH_CHECK(cloud >= 0 && cloud < static_cast<int>(clouds.size()), "VietorisRipsResult::at: cloud ", cloud,
              " out of range, expected 0..", static_cast<int>(clouds.size()) - 1);
  const auto& dims = clouds[static_cast<std::size_t>(cloud)];
  TORCH_CHECK(dim >= 0 && dim < static_cast<int>(dims.size()), "VietorisRipsResult::at: dimension ", dim,
              " not computed, expected 0..", static_cast<int>(dims.size()) - 1);
  return dims[static_cast<std::size_t>(dim)];
}

torch::Tensor gather_edges(const torch::Tensor& distances, const torch::Tensor& edges) {
  check_distances(distances, "gather_edges");
  TORCH_CHECK(edges.scalar_type() == torch::kLong, "gather_edges: expected kLong edges, got ", edges.scalar_type());
  TORCH_CHECK(edges.dim() == distances.dim() && edges.size(-1) == 2 &&
                  (edges.dim() == 2 || edges.size(0) == distances.size(0)),
              "gather_edges: expected edges [K, 2] for distances [N, N] or [B, K, 2] for [B, N, N], got edges ",
              edges.sizes(), " and distances ", distances.sizes());
  const int64_t n = distances.size(-1);
  if (edges.numel() > 0) {
    TORCH_CHECK(edges.min().item<int64_t>() >= 0 && edges.max().item<int64_t>() < n,
                "gather_edges: expected vertex indices in [0, ", n, "), got a value outside");
  }
  return detail::gather_edges_unchecked(distances, edges);
}

torch::Tensor minimum_spanning_edges(const torch::Tensor& distances, int threads) {
  check_distances(distances, "minimum_spanning_edges");
  TORCH_CHECK(threads >= 0, "minimum_spanning_edges: expected threads >= 0, got ", threads);
  auto edges = detail::mst_edges_host(detail::host_distances(distances, "minimum_spanning_edges"), threads);
  if (distances.dim() == 2) edges = edges.squeeze(0);
  return edges.to(distances.device());
}

namespace detail {

torch::Tensor euclidean_edge_lengths(const torch::Tensor& points, const torch::Tensor& edges) {
  const auto e = edges.to(points.device());
  const auto diff = points.index_select(0, e.select(1, 0)) - points.index_select(0, e.select(1, 1));
  // clamp_min passes no gradient below the smallest normal number, so a zero-length edge has
  // gradient 0 (its value becomes sqrt(min) ~ 1e-19, not 0): two ops instead of safe_sqrt's six.
  const double tiny = points.scalar_type() == torch::kDouble ? std::numeric_limits<double>::min()
                                                             : static_cast<double>(std::numeric_limits<float>::min());
  return diff.pow(2).sum(1).clamp_min(tiny).sqrt();
}

namespace {
// Squared distances, no square root: the pairing only needs the order of the edges. Whole rows are
// written (both triangles) with unit stride so the compiler vectorises the inner loops.
template <class T>
void check_points_finite(const T* x, int64_t n, int64_t dim, const char* op) {
  for (int64_t i = 0; i < n * dim; ++i) {
    TORCH_CHECK(std::isfinite(x[i]), op, ": expected finite points, got ", x[i], " in row ", i / dim);
  }
}

// Copies the strict lower triangle of the row-major n x n matrix m onto its upper triangle: 4 x 4
// float blocks transposed in SSE registers (a scalar copy strides by a row per store and cost
// about half of the whole squared-distance pass at n = 128), the rest element by element.
template <class T>
void mirror_lower_to_upper(T* m, int64_t n) {
  int64_t full_blocks = 0;  // block rows whose blocks left of the diagonal block were done in SSE
#if defined(__SSE2__)
  if constexpr (std::is_same_v<T, float>) {
    full_blocks = n / 4;
    for (int64_t ib = 0; ib + 4 <= n; ib += 4) {
      for (int64_t jb = 0; jb < ib; jb += 4) {
        __m128 r0 = _mm_loadu_ps(m + (ib + 0) * n + jb), r1 = _mm_loadu_ps(m + (ib + 1) * n + jb);
        __m128 r2 = _mm_loadu_ps(m + (ib + 2) * n + jb), r3 = _mm_loadu_ps(m + (ib + 3) * n + jb);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
        _mm_storeu_ps(m + (jb + 0) * n + ib, r0);
        _mm_storeu_ps(m + (jb + 1) * n + ib, r1);
        _mm_storeu_ps(m + (jb + 2) * n + ib, r2);
        _mm_storeu_ps(m + (jb + 3) * n + ib, r3);
      }
    }
  }
#endif
  // What is left: the 4 x 4 diagonal blocks, the rows below the last full block row, or all of it.
  for (int64_t i = 1; i < n; ++i) {
    const int64_t j_start = i < 4 * full_blocks ? (i / 4) * 4 : 0;
    for (int64_t j = j_start; j < i; ++j) m[j * n + i] = m[i * n + j];
  }
}

// The largest of count entries that are +-0, positive, +inf or NaN of either sign (no negative
// numbers: the callers clamp them to 0 by std::max(v, T(0)), which keeps a NaN v a NaN), with a
// NaN counted as the largest: the bit patterns with the sign bit cleared, read as signed integers,
// order +0 < positive < +inf < NaN. An integer maximum vectorises without -ffast-math, a
// floating-point one does not (NaN and signed zeros). The caller checks the result with isfinite.
template <class T>
T largest_entry(const T* values, int64_t count) {
  using Bits = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
  static_assert(sizeof(Bits) == sizeof(T), "largest_entry: unexpected floating-point size");
  constexpr Bits kMagnitude = std::numeric_limits<Bits>::max();  // all bits but the sign
  Bits largest = 0;  // the bits of +0
  for (int64_t k = 0; k < count; ++k) {
    Bits b;
    std::memcpy(&b, values + k, sizeof b);
    b &= kMagnitude;
    largest = b > largest ? b : largest;
  }
  T out;
  std::memcpy(&out, &largest, sizeof out);
  return out;
}

// Turns out [n, n] into the squared distances of the points x [n, dim] by the Gram form of the
// centred points, in place, and returns false when an entry is not finite (a non-finite point, or
// an overflow of a norm or of |c_i|^2 + |c_j|^2 - 2 <c_i, c_j> where the distance itself may be
// finite); the caller then recomputes by differences, which names the row. Centring: the error of
// the Gram form is ~eps |c|^2, so it is measured from the batch mean instead of from the origin
// (a tight batch far from the origin kept ~1e-3 relative error in its squared distances, enough to
// change half of its tree). c = x - m is exact for coordinates within a factor 2 of m (Sterbenz),
// and any m is a valid shift, so the mean's own rounding does not matter. The lower triangle row
// by row (the entries, then their maximum), then the mirror: exactly symmetric, as the core needs.
template <class T>
bool squared_distances_from_centred_gram(const T* x, T* out, int64_t n, int64_t dim, T* largest_out) {
  // Plain arrays with restrict pointers, so both O(n dim) passes vectorise (~4 us of CPU at
  // 128 x 101 floats on a loaded machine; 9 us when the sums went through a std::vector).
  const std::unique_ptr<double[]> sums(new double[static_cast<std::size_t>(dim)]());
  double* __restrict s = sums.get();
  for (int64_t i = 0; i < n; ++i) {
    const T* __restrict row = x + i * dim;
    for (int64_t k = 0; k < dim; ++k) s[k] += row[k];
  }
  const std::unique_ptr<T[]> mean(new T[static_cast<std::size_t>(dim)]);
  for (int64_t k = 0; k < dim; ++k) mean[static_cast<std::size_t>(k)] = static_cast<T>(s[k] / static_cast<double>(n));
  const std::unique_ptr<T[]> centred(new T[static_cast<std::size_t>(n * dim)]);  // no zero fill: written next
  const T* __restrict m = mean.get();
  for (int64_t i = 0; i < n; ++i) {
    const T* __restrict row = x + i * dim;
    T* __restrict c = centred.get() + i * dim;
    for (int64_t k = 0; k < dim; ++k) c[k] = row[k] - m[k];
  }
  gram_lower(centred.get(), n, dim, out);

  std::vector<T> sq_norms(static_cast<std::size_t>(n));
  bool finite = true;
  for (int64_t i = 0; i < n; ++i) {
    sq_norms[static_cast<std::size_t>(i)] = out[i * n + i];
    finite = finite && std::isfinite(out[i * n + i]);
  }
  if (!finite) return false;
  const T* norms = sq_norms.data();
  T largest = 0;
  for (int64_t i = 0; i < n; ++i) {
    T* __restrict row = out + i * n;
    const T ni = norms[i];
    // Two passes: the entries (a float maximum inside this loop would keep it scalar), then their
    // maximum on the bit patterns (largest_entry). std::max(v, 0) clamps rounding below 0 and
    // keeps a NaN (inf - inf) a NaN, which largest_entry then reports.
    for (int64_t j = 0; j < i; ++j) row[j] = std::max(ni + norms[j] - 2 * row[j], T(0));
    row[i] = 0;
    const T row_max = largest_entry(row, i);
    if (!std::isfinite(row_max)) return false;
    largest = std::max(largest, row_max);
  }
  mirror_lower_to_upper(out, n);
  *largest_out = largest;
  return true;
}

// Rows of squared distances for D coordinates, summed in the order of the general loop below
// (0 + t_0^2 + t_1^2 + ...), so the values are the same bit for bit; columns = x coordinate-major.
template <int D, class T>
void fill_squared_rows(const T* x, const T* columns, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    T xi[D];
    for (int k = 0; k < D; ++k) xi[k] = x[i * D + k];
    T* __restrict row = out + i * n;
    for (int64_t j = 0; j < n; ++j) {
      T sum = 0;
      for (int k = 0; k < D; ++k) {
        const T t = xi[k] - columns[k * n + j];
        sum += t * t;
      }
      row[j] = sum;
    }
  }
}

// Fills out [n, n] with the squared distances by explicit differences (exact zeros for coincident
// points, each entry to a few rounding errors) and returns the largest.
template <class T>
T squared_distances_by_differences(const T* x, T* out, int64_t n, int64_t dim, const char* op) {
  check_points_finite(x, n, dim, op);
  std::vector<T> columns(static_cast<std::size_t>(n * dim));  // x transposed: coordinate-major
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < dim; ++k) columns[static_cast<std::size_t>(k * n + i)] = x[i * dim + k];
  switch (dim) {  // latent spaces: one fused pass per row, the coordinate loop unrolled
    case 1: fill_squared_rows<1>(x, columns.data(), out, n); break;
    case 2: fill_squared_rows<2>(x, columns.data(), out, n); break;
    case 3: fill_squared_rows<3>(x, columns.data(), out, n); break;
    case 4: fill_squared_rows<4>(x, columns.data(), out, n); break;
    default:
      // The lower triangle (half the work of whole rows), coordinate by coordinate with unit
      // stride, then the mirror; (a - b)^2 = (b - a)^2, so the values are those of whole rows.
      for (int64_t i = 0; i < n; ++i) {
        T* __restrict row = out + i * n;
        std::fill(row, row + i + 1, T(0));
        for (int64_t k = 0; k < dim; ++k) {
          const T xi = x[i * dim + k];
          const T* __restrict col = columns.data() + k * n;
          for (int64_t j = 0; j < i; ++j) {
            const T t = xi - col[j];
            row[j] += t * t;
          }
        }
      }
      mirror_lower_to_upper(out, n);
  }
  // Finite points can still overflow when squared; one check of the largest entry per row (sums of
  // squares: +0, positive or +inf).
  T largest = 0;
  for (int64_t i = 0; i < n; ++i) {
    const T row_max = largest_entry(out + i * n, n);
    TORCH_CHECK(std::isfinite(row_max), op, ": expected finite squared distances, got an overflow in row ", i);
    largest = std::max(largest, row_max);
  }
  return largest;
}

template <class T>
T squared_distances_into(const T* x, T* out, int64_t n, int64_t dim, const char* op, SquaredDistanceForm form) {
  if (form == SquaredDistanceForm::kFastest && dim >= kGramFormMinFeatures) {
    T largest = 0;
    if (squared_distances_from_centred_gram(x, out, n, dim, &largest)) return largest;
    // A non-finite entry: a bad point or an overflow of the Gram form's partial sums. Differences
    // name the bad row, or give the finite distances the Gram form lost.
  }
  return squared_distances_by_differences(x, out, n, dim, op);
}
}  // namespace

torch::Tensor host_squared_distances(const torch::Tensor& points, const char* op, double* max_out,
                                     SquaredDistanceForm form) {
  // Only the data is read (no op is recorded), so a CPU contiguous input is used as it is: at
  // minibatch sizes every skipped ATen call (detach, to, contiguous) is a measurable share.
  const auto x = points.device().is_cpu() && points.is_contiguous() ? points : points.detach().to(torch::kCPU).contiguous();
  const int64_t n = x.size(0), dim = x.size(1);
  auto out = torch::empty({n, n}, x.options().requires_grad(false));
  double largest = 0;
  if (x.scalar_type() == torch::kDouble) {
    largest = squared_distances_into(x.data_ptr<double>(), out.data_ptr<double>(), n, dim, op, form);
  } else {
    TORCH_CHECK(x.scalar_type() == torch::kFloat, op, ": expected float32 or float64 points, got ", x.scalar_type());
    largest = squared_distances_into(x.data_ptr<float>(), out.data_ptr<float>(), n, dim, op, form);
  }
  if (max_out != nullptr) *max_out = largest;
  return out;
}

std::vector<ph::Edge> mst_edge_list_dense(const torch::Tensor& host) {
  const int64_t n = host.size(0);
  auto mst = host.scalar_type() == torch::kDouble ? ph::minimum_spanning_edges_dense(host.data_ptr<double>(), n)
                                                  : ph::minimum_spanning_edges_dense(host.data_ptr<float>(), n);
  TORCH_CHECK(static_cast<int64_t>(mst.size()) == std::max<int64_t>(n - 1, 0), "minimum_spanning_edges: the core returned ",
              mst.size(), " edges, expected ", std::max<int64_t>(n - 1, 0));
  return mst;
}

torch::Tensor mst_edges_host(const torch::Tensor& host, int threads) {
  const int64_t batch = host.size(0), n = host.size(1);
  threads = automatic_threads(threads, batch * n * n);
  const int64_t k = std::max<int64_t>(n - 1, 0);
  auto edges = torch::empty({batch, k, 2}, torch::kLong);
  auto* out = edges.data_ptr<int64_t>();
  const auto run = [&](auto* data) {
    detail::parallel_for_each_index(batch, threads, [&](int64_t b) {
      const auto mst = ph::minimum_spanning_edges_dense(data + b * n * n, n);
      TORCH_CHECK(static_cast<int64_t>(mst.size()) == k, "minimum_spanning_edges: the core returned ", mst.size(),
                  " edges, expected ", k);
      for (int64_t i = 0; i < k; ++i) {
        out[(b * k + i) * 2] = mst[static_cast<std::size_t>(i)].u;
        out[(b * k + i) * 2 + 1] = mst[static_cast<std::size_t>(i)].v;
      }
    });
  };
  if (host.scalar_type() == torch::kDouble) run(host.data_ptr<double>());
  else run(host.data_ptr<float>());
  return edges;
}

}  // namespace detail

VietorisRipsResult vietoris_rips(const torch::Tensor& x, const VietorisRipsOptions& options) {
  TORCH_CHECK(options.max_dim() >= 0, "vietoris_rips: expected max_dim >= 0, got ", options.max_dim());
  TORCH_CHECK(options.threads() >= 0, "vietoris_rips: expected threads >= 0, got ", options.threads());
  TORCH_CHECK(!options.threshold() || *options.threshold() >= 0, "vietoris_rips: expected threshold >= 0, got ",
              options.threshold().value_or(0));
  torch::Tensor distances;
  if (options.distance_input()) {
    check_distances(x, "vietoris_rips");
    distances = zero_diagonal(x);
  } else {
    check_points(x, "vietoris_rips");
    distances = pairwise_distances(x, options.metric());
  }
  const auto host = detail::host_distances(distances, "vietoris_rips");
  if (options.distance_input()) {
    const auto asymmetry = (host - host.transpose(1, 2)).abs().max().item<double>();
    const auto scale = std::max(1.0, host.abs().max().item<double>());
    TORCH_CHECK(asymmetry <= 1e-5 * scale, "vietoris_rips: expected a symmetric distance matrix, got entries ",
                "differing by ", asymmetry);
  }
  const auto edges = detail::persistence_edges(host, options.max_dim(), options.threshold(), options.threads());

  VietorisRipsResult result;
  result.batched = distances.dim() == 3;
  result.distances = distances;
  const auto device = distances.device();
  const auto inf = std::numeric_limits<double>::infinity();
  for (std::size_t b = 0; b < edges.size(); ++b) {
    const auto cloud = result.batched ? distances.select(0, static_cast<int64_t>(b)) : distances;
    std::vector<DimensionDiagram> dims;
    for (const auto& e : edges[b]) {
      DimensionDiagram dd;
      dd.birth_edges = e.birth_edges.to(device);
      dd.death_edges = e.death_edges.to(device);
      dd.essential = e.essential.to(device);
      const auto births = detail::gather_edges_unchecked(cloud, detail::diagonal_for_missing(dd.birth_edges));
      const auto deaths = torch::where(dd.essential, torch::full({}, inf, cloud.options()),
                                       detail::gather_edges_unchecked(cloud, detail::diagonal_for_missing(dd.death_edges)));
      dd.diagram = torch::stack({births, deaths}, 1);
      dims.push_back(std::move(dd));
    }
    result.clouds.push_back(std::move(dims));
  }
  return result;
}

}  // namespace topoembed::diff
