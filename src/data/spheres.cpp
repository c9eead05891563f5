// Spheres: the recipe of the Topological Autoencoders code (create_sphere_dataset, dsphere,
// ManifoldDataset with sklearn's train_test_split and StandardScaler), reproduced with NumPy's
// floating-point order so that the result is identical, not merely close.
#include "topoembed/data/spheres.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "topoembed/data/legacy_random_state.hpp"

namespace topoembed::data {

namespace {

// numpy's pairwise summation (pairwise_sum_DOUBLE) of a contiguous run; np.sum(a, axis=1) on
// a C-ordered array uses it per row.
double numpy_pairwise_sum(const double* a, std::int64_t n) {
  if (n < 8) {
    double res = 0.0;
    for (std::int64_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int k = 0; k < 8; ++k) r[k] = a[k];
    std::int64_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int k = 0; k < 8; ++k) r[k] += a[i + k];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::int64_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_pairwise_sum(a, n2) + numpy_pairwise_sum(a + n2, n - n2);
}

// dsphere(n, d, r): randn(n, d + 1) rows scaled to norm r, computed as r * x / sqrt(sum(x**2)).
void append_sphere(LegacyRandomState& rng, std::int64_t n, std::int64_t dim, double r,
                   const double* shift, std::vector<double>& out) {
  std::vector<double> row(static_cast<std::size_t>(dim));
  std::vector<double> squares(static_cast<std::size_t>(dim));
  // randn fills the whole (n, dim) block first; drawing row by row is the same stream.
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t k = 0; k < dim; ++k) {
      row[k] = rng.gauss();
      squares[k] = row[k] * row[k];
    }
    const double norm = std::sqrt(numpy_pairwise_sum(squares.data(), dim));
    for (std::int64_t k = 0; k < dim; ++k) {
      const double v = r * row[k] / norm;
      out.push_back(shift != nullptr ? v + shift[k] : v);
    }
  }
}

void check_options(const SpheresOptions& o) {
  auto fail = [](const std::string& what) {
    throw std::invalid_argument("make_spheres: " + what);
  };
  if (o.num_spheres < 0) fail("expected num_spheres >= 0, got " + std::to_string(o.num_spheres));
  if (o.ambient_dim < 2) fail("expected ambient_dim >= 2, got " + std::to_string(o.ambient_dim));
  if (o.points_per_sphere < 0)
    fail("expected points_per_sphere >= 0, got " + std::to_string(o.points_per_sphere));
  if (o.enclosing_points < 0)
    fail("expected enclosing_points >= 0, got " + std::to_string(o.enclosing_points));
  if (!(o.radius > 0.0) || !std::isfinite(o.radius))
    fail("expected a finite radius > 0, got " + std::to_string(o.radius));
  if (!(o.enclosing_radius > 0.0) || !std::isfinite(o.enclosing_radius))
    fail("expected a finite enclosing_radius > 0, got " + std::to_string(o.enclosing_radius));
  if (!(o.test_fraction > 0.0 && o.test_fraction < 1.0))
    fail("expected 0 < test_fraction < 1, got " + std::to_string(o.test_fraction));
  if (o.num_spheres * o.points_per_sphere + o.enclosing_points < 2)
    fail("expected at least 2 points in total");
}

}  // namespace

SpheresRaw make_spheres_raw(const SpheresOptions& options) {
  check_options(options);
  const std::int64_t dim = options.ambient_dim;
  LegacyRandomState rng(options.seed);

  // shift_matrix = normal(0, 10 / sqrt(d), [n_spheres, d + 1]); the paper's n_spheres counts
  // the enclosing sphere, so one row more is drawn than is used.
  const double variance = 10.0 / std::sqrt(static_cast<double>(dim - 1));
  const std::int64_t shift_rows = options.num_spheres + 1;
  std::vector<double> shift(static_cast<std::size_t>(shift_rows * dim));
  for (auto& s : shift) s = rng.normal(0.0, variance);

  const std::int64_t n = options.num_spheres * options.points_per_sphere + options.enclosing_points;
  std::vector<double> points;
  points.reserve(static_cast<std::size_t>(n * dim));
  std::vector<std::int64_t> labels;
  labels.reserve(static_cast<std::size_t>(n));
  for (std::int64_t s = 0; s < options.num_spheres; ++s) {
    append_sphere(rng, options.points_per_sphere, dim, options.radius, shift.data() + s * dim,
                  points);
    labels.insert(labels.end(), static_cast<std::size_t>(options.points_per_sphere), s);
  }
  append_sphere(rng, options.enclosing_points, dim, options.enclosing_radius, nullptr, points);
  labels.insert(labels.end(), static_cast<std::size_t>(options.enclosing_points),
                options.num_spheres);

  SpheresRaw raw;
  raw.points = torch::from_blob(points.data(), {n, dim}, torch::kFloat64).clone();
  raw.labels = torch::from_blob(labels.data(), {n}, torch::kInt64).clone();
  return raw;
}

SpheresData make_spheres(const SpheresOptions& options) {
  const SpheresRaw raw = make_spheres_raw(options);
  const std::int64_t n = raw.points.size(0);
  const std::int64_t dim = raw.points.size(1);

  // sklearn train_test_split(test_size=f, random_state=seed): ShuffleSplit draws
  // RandomState(seed).permutation(n); test = first ceil(f n), train = the rest.
  const auto n_test = static_cast<std::int64_t>(std::ceil(options.test_fraction * static_cast<double>(n)));
  const std::int64_t n_train = n - n_test;
  if (n_test < 1 || n_train < 1) {
    throw std::invalid_argument("make_spheres: test_fraction " +
                                std::to_string(options.test_fraction) + " leaves " +
                                std::to_string(n_train) + " training and " +
                                std::to_string(n_test) + " test points, expected >= 1 each");
  }
  LegacyRandomState split_rng(options.seed);
  const std::vector<std::int64_t> perm = split_rng.permutation(n);

  const double* x = raw.points.data_ptr<double>();
  // StandardScaler on the training split: sums in row order (numpy reduces axis 0 row by row),
  // mean = sum / n, var = nanvar * n / n (sklearn's _incremental_mean_and_var), scale = sqrt.
  std::vector<double> mean(static_cast<std::size_t>(dim), 0.0);
  for (std::int64_t t = n_test; t < n; ++t) {
    const double* row = x + perm[t] * dim;
    for (std::int64_t k = 0; k < dim; ++k) mean[k] += row[k];
  }
  const auto count = static_cast<double>(n_train);
  for (auto& m : mean) m /= count;
  std::vector<double> var(static_cast<std::size_t>(dim), 0.0);
  for (std::int64_t t = n_test; t < n; ++t) {
    const double* row = x + perm[t] * dim;
    for (std::int64_t k = 0; k < dim; ++k) {
      const double c = row[k] - mean[k];
      var[k] += c * c;
    }
  }
  std::vector<double> scale(static_cast<std::size_t>(dim));
  for (std::int64_t k = 0; k < dim; ++k) {
    const double v = (var[k] / count) * count / count;
    // sklearn's _handle_zeros_in_scale: a constant feature keeps scale 1.
    scale[k] = v == 0.0 ? 1.0 : std::sqrt(v);
  }

  auto take = [&](std::int64_t begin, std::int64_t end, torch::Tensor& out_x,
                  torch::Tensor& out_labels, torch::Tensor& out_index) {
    const std::int64_t m = end - begin;
    out_x = torch::empty({m, dim}, torch::kFloat32);
    out_labels = torch::empty({m}, torch::kInt64);
    out_index = torch::empty({m}, torch::kInt64);
    float* px = out_x.data_ptr<float>();
    std::int64_t* pl = out_labels.data_ptr<std::int64_t>();
    std::int64_t* pi = out_index.data_ptr<std::int64_t>();
    const std::int64_t* labels = raw.labels.data_ptr<std::int64_t>();
    for (std::int64_t t = 0; t < m; ++t) {
      const std::int64_t src = perm[begin + t];
      const double* row = x + src * dim;
      for (std::int64_t k = 0; k < dim; ++k) {
        px[t * dim + k] = static_cast<float>((row[k] - mean[k]) / scale[k]);
      }
      pl[t] = labels[src];
      pi[t] = src;
    }
  };

  SpheresData data;
  take(0, n_test, data.test_x, data.test_labels, data.test_index);
  take(n_test, n, data.train_x, data.train_labels, data.train_index);
  data.mean = torch::from_blob(mean.data(), {dim}, torch::kFloat64).clone();
  data.scale = torch::from_blob(scale.data(), {dim}, torch::kFloat64).clone();
  return data;
}

}  // namespace topoembed::data
