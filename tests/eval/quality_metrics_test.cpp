// quality_metrics: hand-checked cases, a cross-check against the paper's definitions run by
// NumPy (tests/eval/paper_measures.py), invariants, and bad input.
#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "../support/expect_error.hpp"
#include "topoembed/data/point_cloud_io.hpp"
#include "topoembed/eval/classification.hpp"
#include "topoembed/eval/quality_metrics.hpp"

namespace topoembed::eval {
namespace {

namespace fs = std::filesystem;

using topoembed::test_support::error_of;

QualityOptions small_k(std::int64_t k_min, std::int64_t k_max, std::int64_t k_step) {
  QualityOptions o;
  o.k_min = k_min;
  o.k_max = k_max;
  o.k_step = k_step;
  return o;
}

TEST(QualityMetrics, IdentityAndScalingAreFaithful) {
  torch::manual_seed(1);
  const torch::Tensor x = torch::randn({40, 3}, torch::kFloat64);
  const QualityMetrics same = quality_metrics(x, x, small_k(1, 10, 3));
  for (double t : same.trustworthiness) EXPECT_DOUBLE_EQ(t, 1.0);
  for (double c : same.continuity) EXPECT_DOUBLE_EQ(c, 1.0);
  EXPECT_DOUBLE_EQ(same.mean_mrre, 0.0);
  for (double kl : same.density_kl) EXPECT_NEAR(kl, 0.0, 1e-15);
  EXPECT_DOUBLE_EQ(same.rmse, 0.0);
  EXPECT_DOUBLE_EQ(same.stress, 0.0);
  // Z = 2 X: same ranks and normalised densities; D^Z = 2 D^X, so RMSE = rms(D^X), stress = 1/2.
  const QualityMetrics twice = quality_metrics(x, 2.0 * x, small_k(1, 10, 3));
  EXPECT_DOUBLE_EQ(twice.mean_trustworthiness, 1.0);
  for (double kl : twice.density_kl) EXPECT_NEAR(kl, 0.0, 1e-12);
  const torch::Tensor d = torch::cdist(x, x);
  EXPECT_NEAR(twice.rmse, d.pow(2).mean().sqrt().item<double>(), 1e-12);
  EXPECT_NEAR(twice.stress, 0.5, 1e-12);
}

TEST(QualityMetrics, HandCheckedLine) {
  // X: points 0..4 at 0, 1, 2, 3, 4; Z puts points 3 and 4 at 4 and 3. k = 1, ties by index.
  // Row 3: Z-neighbour 4, X-neighbour 2 (tie 2/4 at distance 1), r^X(3, 4) = 2 -> adds 2 - 1.
  // Row 4: Z-neighbour 2 (tie 2/3 at distance 1), X-neighbour 3, r^X(4, 2) = 2 -> adds 1.
  // Rows 0-2 agree. T = 1 - 2 / (n k (2n - 3k - 1)) * 2 = 1 - 2 / 30 * 2 = 1 - 2/15.
  const torch::Tensor x = torch::tensor({0.0, 1.0, 2.0, 3.0, 4.0}, torch::kFloat64).unsqueeze(1);
  const torch::Tensor z = torch::tensor({0.0, 1.0, 2.0, 4.0, 3.0}, torch::kFloat64).unsqueeze(1);
  const QualityMetrics m = quality_metrics(x, z, small_k(1, 1, 1));
  EXPECT_NEAR(m.trustworthiness[0], 1.0 - 2.0 / 15.0, 1e-15);
}

// Runs the NumPy restatement of the paper's code; empty json when python/numpy is missing.
nlohmann::json paper_values(const torch::Tensor& x, const torch::Tensor& z, const std::string& tag,
                            const QualityOptions& o) {
  if (std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") != 0) return {};
  const fs::path dir = fs::path(TOPOEMBED_BINARY_DIR) / "test_tmp" / "eval";
  fs::create_directories(dir);
  const std::string xp = (dir / (tag + "_x.npy")).string();
  const std::string zp = (dir / (tag + "_z.npy")).string();
  data::write_npy(xp, x);
  data::write_npy(zp, z);
  const std::string cmd = "/usr/bin/python3 " + std::string(TOPOEMBED_SOURCE_DIR) +
                          "/tests/eval/paper_measures.py " + xp + " " + zp + " " +
                          std::to_string(o.k_min) + " " + std::to_string(o.k_max) + " " +
                          std::to_string(o.k_step);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string text;
  std::array<char, 4096> buf{};
  while (pipe && fgets(buf.data(), buf.size(), pipe.get()) != nullptr) text += buf.data();
  return nlohmann::json::parse(text);
}

void expect_matches_paper(const torch::Tensor& x, const torch::Tensor& z, const std::string& tag) {
  const QualityOptions o = small_k(2, 20, 3);  // with n >= 16 (k_max + 1) the sampled selection runs
  const nlohmann::json ref = paper_values(x, z, tag, o);
  if (ref.is_null()) GTEST_SKIP() << "/usr/bin/python3 with numpy not available";
  const QualityMetrics m = quality_metrics(x, z, o);
  ASSERT_EQ(m.ks.size(), ref["trust"].size());
  for (std::size_t i = 0; i < m.ks.size(); ++i) {
    SCOPED_TRACE("k = " + std::to_string(m.ks[i]));
    EXPECT_NEAR(m.trustworthiness[i], ref["trust"][i].get<double>(), 1e-12);
    EXPECT_NEAR(m.continuity[i], ref["cont"][i].get<double>(), 1e-12);
    EXPECT_NEAR(m.mrre_zx[i], ref["mrre_zx"][i].get<double>(), 1e-12);
    EXPECT_NEAR(m.mrre_xz[i], ref["mrre_xz"][i].get<double>(), 1e-12);
  }
  EXPECT_NEAR(m.kl(0.001), ref["kl"]["0.001"].get<double>(), 1e-10);
  EXPECT_NEAR(m.kl(0.01), ref["kl"]["0.01"].get<double>(), 1e-10);
  EXPECT_NEAR(m.kl(0.1), ref["kl"]["0.1"].get<double>(), 1e-10);
  EXPECT_NEAR(m.kl(1.0), ref["kl"]["1.0"].get<double>(), 1e-10);
  EXPECT_NEAR(m.kl(10.0), ref["kl"]["10.0"].get<double>(), 1e-10);
  EXPECT_NEAR(m.rmse, ref["rmse"].get<double>(), 1e-12);
  EXPECT_NEAR(m.stress, ref["stress"].get<double>(), 1e-12);
}

TEST(QualityMetrics, MatchesThePapersDefinitionsOnRandomData) {
  torch::manual_seed(7);
  const torch::Tensor x = torch::randn({90, 6}, torch::kFloat64);
  const torch::Tensor z = x.slice(1, 0, 2) + 0.3 * torch::randn({90, 2}, torch::kFloat64);
  expect_matches_paper(x, z, "random");
}

TEST(QualityMetrics, MatchesThePapersDefinitionsWithTiesAndHighDimension) {
  torch::manual_seed(8);
  // Integer grid latents give many equal distances (the stable tie rule matters); 40-D data use
  // the GEMM path.
  const torch::Tensor x = torch::randn({70, 40}, torch::kFloat64);
  const torch::Tensor z = torch::randint(0, 4, {70, 2}, torch::kInt64).to(torch::kFloat64);
  expect_matches_paper(x, z, "ties");
}

TEST(QualityMetrics, MatchesThePapersDefinitionsOnALargerSet) {
  // n = 500 >= 16 (k_max + 1): the neighbour selection takes its sampled-threshold path.
  torch::manual_seed(10);
  const torch::Tensor x = torch::randn({500, 20}, torch::kFloat64);
  const torch::Tensor z = x.slice(1, 0, 2) + 0.5 * torch::randn({500, 2}, torch::kFloat64);
  expect_matches_paper(x, z, "larger");
}

TEST(QualityMetrics, ThreadsBlocksAndCacheDoNotChangeResults) {
  torch::manual_seed(9);
  const torch::Tensor x = torch::randn({400, 30}, torch::kFloat64);
  const torch::Tensor z = torch::randn({400, 2}, torch::kFloat64);
  const int saved = at::get_num_threads();
  QualityOptions other;
  other.block_rows = 37;
  other.distance_cache_bytes = 0;
  at::set_num_threads(1);
  const QualityMetrics one = quality_metrics(x, z);
  const QualityMetrics blocked_one = quality_metrics(x, z, other);
  at::set_num_threads(2);
  const QualityMetrics two = quality_metrics(x, z);
  const QualityMetrics blocked = quality_metrics(x, z, other);
  at::set_num_threads(saved);
  // The row pass really ran on two threads (it ran inline while src/eval was compiled without
  // OpenMP: LibTorch's at::parallel_for is an inline template), and bitwise the same: row sums are
  // added in row order.
  EXPECT_EQ(one.row_pass_threads, 1);
  EXPECT_EQ(two.row_pass_threads, 2);
  EXPECT_EQ(blocked.row_pass_threads, 2);
  EXPECT_EQ(one.to_json(), two.to_json());
  EXPECT_EQ(blocked_one.to_json(), blocked.to_json());
  for (std::size_t s = 0; s < one.density_kl.size(); ++s) {
    EXPECT_NEAR(one.density_kl[s], blocked.density_kl[s], 1e-12);
  }
  EXPECT_NEAR(one.mean_trustworthiness, blocked.mean_trustworthiness, 1e-12);
  EXPECT_NEAR(one.mean_continuity, blocked.mean_continuity, 1e-12);
  EXPECT_NEAR(one.rmse, blocked.rmse, 1e-10);
}

TEST(QualityMetrics, JsonCarriesTheTableKeys) {
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({50, 4}, torch::kFloat64);
  const QualityMetrics m = quality_metrics(x, x.slice(1, 0, 2), small_k(5, 15, 5));
  const nlohmann::json j = m.to_json();
  EXPECT_DOUBLE_EQ(j.at("kl_0.1").get<double>(), m.kl(0.1));
  EXPECT_DOUBLE_EQ(j.at("trustworthiness_mean").get<double>(), m.mean_trustworthiness);
  EXPECT_EQ(j.at("per_k").at("k"), (std::vector<std::int64_t>{5, 10, 15}));
  EXPECT_THROW(m.kl(0.5), std::out_of_range);
}

TEST(QualityMetrics, RejectsBadInput) {
  const torch::Tensor x = torch::randn({30, 3});
  EXPECT_EQ(error_of([&] { quality_metrics(x, torch::randn({29, 2})); }),
            "quality_metrics: x has 30 rows but z has 29, expected the same points");
  EXPECT_EQ(error_of([&] { quality_metrics(x, torch::randn({30})); }),
            "quality_metrics: expected z as a 2-D tensor [n, dim], got [30]");
  torch::Tensor bad = torch::randn({30, 2});
  bad[3][1] = std::nan("");
  EXPECT_EQ(error_of([&] { quality_metrics(x, bad); }),
            "quality_metrics: z contains NaN or infinite values");
  EXPECT_EQ(error_of([&] { quality_metrics(x, torch::randn({30, 2})); }),
            "quality_metrics: largest k 200 is too large for n = 30 (expected k <= n - 2 and 3k < 2n - 1)");
  QualityOptions o = small_k(1, 5, 1);
  o.sigmas = {0.1, -1.0};
  EXPECT_EQ(error_of([&] { quality_metrics(x, torch::randn({30, 2}), o); }),
            "quality_metrics: expected sigmas > 0, got -1.000000");
}

TEST(Classification, KnnAccuracyAndReconstructionMse) {
  // Two well separated clusters: perfect accuracy; swapped labels: zero.
  torch::manual_seed(4);
  const torch::Tensor a = torch::randn({20, 2}, torch::kFloat64) * 0.1;
  const torch::Tensor points = torch::cat({a, a + 10.0});
  const torch::Tensor labels = torch::cat({torch::zeros({20}, torch::kInt64), torch::ones({20}, torch::kInt64)});
  EXPECT_DOUBLE_EQ(knn_accuracy(points, labels, 5), 1.0);
  EXPECT_DOUBLE_EQ(knn_accuracy(points, labels, points, 1 - labels, 3), 0.0);
  // 1-NN leave-one-out on 0, 1, 10 (labels 0, 1, 1): 0 -> 1 (wrong), 1 -> 0 (wrong), 10 -> 1.
  const torch::Tensor line = torch::tensor({0.0, 1.0, 10.0}, torch::kFloat64).unsqueeze(1);
  EXPECT_DOUBLE_EQ(knn_accuracy(line, torch::tensor({0, 1, 1}), 1), 1.0 / 3.0);
  EXPECT_EQ(error_of([&] { knn_accuracy(line, torch::tensor({0, 1, 1}), 3); }),
            "knn_accuracy: expected 1 <= k <= 2, got 3");
  EXPECT_DOUBLE_EQ(reconstruction_mse(torch::tensor({1.0, 2.0}), torch::tensor({0.0, 4.0})), 2.5);
  EXPECT_EQ(error_of([&] { reconstruction_mse(torch::ones({2, 3}), torch::ones({3, 2})); }),
            "reconstruction_mse: expected tensors of the same shape, got [2, 3] and [3, 2]");
}

}  // namespace
}  // namespace topoembed::eval
