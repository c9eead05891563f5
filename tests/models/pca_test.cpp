// models::Pca: golden cases by hand, invariants on seeded random data, the checkpoint round trip,
// and bad input with its message. (The comparison with the paper's PCA latents on Spheres needs
// the data module: tests/train/pca_train_test.cpp.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "../support/expect_error.hpp"
#include "topoembed/models/pca.hpp"

namespace mdl = topoembed::models;
namespace fs = std::filesystem;

namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kFloat64);

using topoembed::test_support::error_of;

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("topoembed_pca_test_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

// Points p0 + t u on a line in R^3: one component spans everything, reconstructs exactly, and its
// axis is ±u (+ by the sign convention: the largest |entry| of u/|u| = (1, -2, 2)/3 is -2/3 at
// index 1, so the axis is (-1, 2, -2)/3).
TEST(Pca, LineInR3OneComponentReconstructsExactly) {
  const auto t = torch::tensor({-2.0, -1.0, 0.5, 1.0, 3.0, 4.5}, kF64);
  const auto u = torch::tensor({1.0, -2.0, 2.0}, kF64);
  const auto p0 = torch::tensor({3.0, 1.0, -1.0}, kF64);
  const auto x = p0 + t.unsqueeze(1) * u;
  mdl::Pca pca(1);
  pca.fit(x);
  EXPECT_LT(max_abs(pca.components()[0] - torch::tensor({-1.0, 2.0, -2.0}, kF64) / 3.0), 1e-12);
  // Mean of t = 1, so the mean is p0 + u.
  EXPECT_LT(max_abs(pca.mean() - (p0 + u)), 1e-12);
  const auto z = pca.transform(x);
  ASSERT_EQ(z.sizes(), (torch::IntArrayRef{6, 1}));
  // Latent = -(t - 1) |u| (axis is -u/|u|, |u| = 3).
  EXPECT_LT(max_abs(z.squeeze(1) - (-(t - 1.0) * 3.0)), 1e-12);
  EXPECT_LT(max_abs(pca.inverse_transform(z) - x), 1e-12);
  // Variance of 3 t (divisor n - 1) and all of it explained.
  const double var_t = t.var().item<double>();  // unbiased
  EXPECT_NEAR(pca.explained_variance()[0].item<double>(), 9.0 * var_t, 1e-12);
  EXPECT_NEAR(pca.explained_variance_ratio()[0].item<double>(), 1.0, 1e-12);
}

// (±2, 0), (0, ±1): covariance diag(8/3, 2/3) (divisor 3); axes e1 then e2; z = x.
TEST(Pca, CrossByHandVarianceOrderAndAxes) {
  const auto x = torch::tensor({{2.0, 0.0}, {-2.0, 0.0}, {0.0, 1.0}, {0.0, -1.0}}, kF64);
  mdl::Pca pca(2);
  pca.fit(x);
  EXPECT_LT(max_abs(pca.explained_variance() - torch::tensor({8.0 / 3.0, 2.0 / 3.0}, kF64)), 1e-12);
  EXPECT_LT(max_abs(pca.explained_variance_ratio() - torch::tensor({0.8, 0.2}, kF64)), 1e-12);
  EXPECT_LT(max_abs(pca.components() - torch::eye(2, kF64)), 1e-12);
  EXPECT_LT(max_abs(pca.transform(x) - x), 1e-12);
}

// Seeded random data, tall (covariance path) and wide (SVD path): orthonormal axes, variances
// descending and equal to the variance of the latents, latents uncorrelated, the projection
// agrees with a direct SVD of the centred data up to sign, and the sign convention holds.
TEST(Pca, InvariantsOnRandomDataBothPaths) {
  torch::manual_seed(7);
  for (const auto& shape : {std::pair<std::int64_t, std::int64_t>{200, 6}, {5, 20}}) {
    const auto n = shape.first;
    const auto d = shape.second;
    const auto scales = torch::linspace(3.0, 0.5, d, kF64);
    const auto x = torch::randn({n, d}, kF64) * scales + 1.5;
    const std::int64_t k = 3;
    mdl::Pca pca(k);
    pca.fit(x);
    const auto v = pca.components();
    EXPECT_LT(max_abs(torch::mm(v, v.t()) - torch::eye(k, kF64)), 1e-10) << n << "x" << d;
    const auto var = pca.explained_variance();
    for (std::int64_t i = 1; i < k; ++i) EXPECT_GE(var[i - 1].item<double>(), var[i].item<double>());
    const auto z = pca.transform(x);
    EXPECT_LT(max_abs(z.var(0) - var), 1e-9);
    const auto cov = torch::mm(z.t() - z.mean(0).unsqueeze(1), z - z.mean(0)) / static_cast<double>(n - 1);
    EXPECT_LT(max_abs(cov - torch::diag(var)), 1e-9);
    const auto xc = x - x.mean(0);
    const auto svd = torch::linalg::svd(xc, false, c10::nullopt);
    const auto vh = std::get<2>(svd).slice(0, 0, k);
    EXPECT_LT(max_abs(torch::mm(vh.t(), vh) - torch::mm(v.t(), v)), 1e-9);  // same projector
    for (std::int64_t i = 0; i < k; ++i) {
      const auto row = v[i];
      const auto at = row.abs().argmax().item<std::int64_t>();
      EXPECT_GT(row[at].item<double>(), 0.0);
    }
    // Reconstruction error = the variance left out (sum over axes k.. of the eigenvalues).
    const auto rec = pca.inverse_transform(z);
    const double left = (rec - x).square().sum().item<double>() / static_cast<double>(n - 1);
    const double total = xc.square().sum().item<double>() / static_cast<double>(n - 1);
    EXPECT_NEAR(left, total - var.sum().item<double>(), 1e-9 * total);
  }
}

// Trailing dimensions are flattened ([n, 1, 2, 2] images), float32 input is computed in float64.
TEST(Pca, FlattensImagesAndAcceptsFloat32) {
  torch::manual_seed(3);
  const auto images = torch::randn({30, 1, 2, 2});
  mdl::Pca a(2), b(2);
  a.fit(images);
  b.fit(images.reshape({30, 4}).to(torch::kFloat64));
  EXPECT_EQ(a.input_dim(), 4);
  EXPECT_EQ(a.transform(images).scalar_type(), torch::kFloat64);
  EXPECT_LT(max_abs(a.transform(images) - b.transform(images.reshape({30, 4}))), 1e-12);
}

TEST(Pca, CheckpointRoundTripAndCorruptFile) {
  TempDir dir;
  torch::manual_seed(11);
  const auto x = torch::randn({40, 5}, kF64);
  mdl::Pca pca(2);
  pca.fit(x);
  const auto path = (dir.path / "pca.pt").string();
  mdl::save_pca(pca, path);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  const auto loaded = mdl::load_pca(path);
  EXPECT_EQ(loaded.n_components(), 2);
  EXPECT_EQ(loaded.n_samples(), 40);
  EXPECT_TRUE(torch::equal(loaded.transform(x), pca.transform(x)));
  EXPECT_TRUE(torch::equal(loaded.explained_variance_ratio(), pca.explained_variance_ratio()));

  EXPECT_EQ(error_of<std::runtime_error>([&] { mdl::load_pca((dir.path / "none.pt").string()); }),
            "load_pca: no such checkpoint file '" + (dir.path / "none.pt").string() + "'");
  const auto bad = (dir.path / "bad.pt").string();
  std::ofstream(bad) << "not a checkpoint";
  EXPECT_NE(error_of<std::runtime_error>([&] { mdl::load_pca(bad); }).find("is not a readable checkpoint"),
            std::string::npos);
  EXPECT_EQ(error_of<std::logic_error>([&] { mdl::save_pca(mdl::Pca(2), path); }),
            "save_pca: the PCA has not been fitted");
}

TEST(Pca, BadInputNamesWhatWasExpected) {
  const auto x = torch::randn({10, 3}, kF64);
  EXPECT_EQ(error_of<std::invalid_argument>([] { mdl::Pca(0); }), "Pca: n_components must be >= 1, got 0");
  EXPECT_EQ(error_of<std::invalid_argument>([&] { mdl::Pca(4).fit(x); }),
            "Pca::fit: n_components = 4 exceeds the data dimension 3");
  EXPECT_EQ(error_of<std::invalid_argument>([&] { mdl::Pca(1).fit(x.slice(0, 0, 1)); }),
            "Pca::fit: needs at least 2 samples, got 1");
  EXPECT_EQ(error_of<std::invalid_argument>([&] { mdl::Pca(3).fit(x.slice(0, 0, 2)); }),
            "Pca::fit: n_components = 3 exceeds the number of samples 2");
  EXPECT_EQ(error_of<std::invalid_argument>([&] { mdl::Pca(1).fit(torch::ones({5}, kF64)); }),
            "Pca::fit: expected a tensor [n, d] (or [n, ...]), got 1 dimension(s)");
  auto with_nan = x.clone();
  with_nan[4][1] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(error_of<std::invalid_argument>([&] { mdl::Pca(1).fit(with_nan); }),
            "Pca::fit: the data hold a NaN or infinite value");
  EXPECT_EQ(error_of<std::logic_error>([&] { mdl::Pca(1).transform(x); }),
            "Pca::transform: the PCA has not been fitted");
  mdl::Pca pca(2);
  pca.fit(x);
  EXPECT_EQ(error_of<std::invalid_argument>([&] { pca.transform(torch::zeros({2, 4}, kF64)); }),
            "Pca::transform: rows have 4 values, the PCA was fitted on 3");
  EXPECT_EQ(error_of<std::invalid_argument>([&] { pca.inverse_transform(torch::zeros({2, 3}, kF64)); }),
            "Pca::inverse_transform: latents have 3 columns, expected n_components = 2");
}
