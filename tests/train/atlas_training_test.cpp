// Atlas training: gradient checks of the atlas losses in double, the locality term by hand,
// training on a circle (the reconstruction falls, the nerve of the learnt memberships is a
// circle's), determinism, checkpoints and exact resume, bad options.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <filesystem>
#include <fstream>
#include <string>

#include <torch/torch.h>

#include "../support/expect_error.hpp"
#include "test_support.hpp"
#include "topoembed/eval/nerve.hpp"
#include "topoembed/train/atlas_training.hpp"

namespace tr = topoembed::train;
namespace mdl = topoembed::models;
namespace ev = topoembed::eval;
namespace fs = std::filesystem;

namespace {

using topoembed::test_support::error_of;

torch::Tensor circle(std::int64_t n) {
  const auto t = torch::arange(n, torch::kDouble) * (2 * M_PI / static_cast<double>(n));
  return torch::stack({torch::cos(t), torch::sin(t)}, 1).to(torch::kFloat);
}

// Central differences of loss() in every parameter entry against autograd (double precision).
void expect_gradients_match(torch::nn::Module& module, const std::function<torch::Tensor()>& loss) {
  for (auto& p : module.parameters()) p.mutable_grad() = torch::Tensor();
  loss().backward();
  const double h = 1e-6;
  int checked = 0;
  for (auto& p : module.parameters()) {
    ASSERT_TRUE(p.grad().defined());
    const auto grad = p.grad().clone();
    auto flat = p.detach().view({-1});
    for (std::int64_t i = 0; i < flat.size(0); ++i) {
      const double old = flat[i].item<double>();
      double plus = 0;
      double minus = 0;
      {
        torch::NoGradGuard g;
        flat[i] = old + h;
        plus = loss().item<double>();
        flat[i] = old - h;
        minus = loss().item<double>();
        flat[i] = old;
      }
      const double numeric = (plus - minus) / (2 * h);
      const double analytic = grad.view({-1})[i].item<double>();
      EXPECT_NEAR(analytic, numeric, 1e-6 + 1e-5 * std::abs(numeric)) << "parameter entry " << i;
      ++checked;
    }
  }
  EXPECT_GT(checked, 20);
}

// The atlas of the gradient checks: 2-D points, `charts` charts of dimension 1, one tanh layer of
// width 3 in the trunk and in the decoders, in double (parameters drawn from LibTorch's global
// generator: seed it first).
mdl::Atlas small_double_atlas(std::int64_t charts) {
  mdl::Atlas atlas(
      mdl::AtlasOptions({2}, charts, 1).trunk({3}).chart_decoder_hidden({3}).activation(mdl::Activation::kTanh));
  atlas->to(torch::kDouble);
  return atlas;
}

// A short training run: `charts` charts of dimension 1, one hidden layer of `width` in the trunk
// and in the decoders, the rest of the options at their defaults.
tr::AtlasTrainingOptions short_run(std::int64_t charts, std::int64_t width, std::int64_t epochs,
                                   std::int64_t batch_size, std::uint64_t seed) {
  tr::AtlasTrainingOptions o;
  o.charts = charts;
  o.trunk = {width};
  o.decoder_hidden = {width};
  o.epochs = epochs;
  o.batch_size = batch_size;
  o.seed = seed;
  return o;
}

}  // namespace

TEST(AtlasTraining, MmdLossGradientsMatchFiniteDifferences) {
  torch::manual_seed(3);
  auto atlas = small_double_atlas(2);
  const auto x = torch::randn({5, 2}, torch::kDouble);
  const auto prior = torch::rand({4, 1}, torch::kDouble);
  tr::AtlasTrainingOptions o;
  o.prior_weight = 2.0;
  o.sharpening_weight = 0.3;
  o.locality_weight = 0.7;
  o.balance_weight = 0.4;
  expect_gradients_match(*atlas, [&] { return tr::atlas_mmd_loss(atlas->forward(x), x, prior, o).total; });
  o.sharpening = topoembed::diff::SharpeningTerm::kUniformDeviation;
  expect_gradients_match(*atlas, [&] { return tr::atlas_mmd_loss(atlas->forward(x), x, prior, o).total; });
}

TEST(AtlasTraining, GanLossGradientsMatchFiniteDifferences) {
  torch::manual_seed(4);
  auto atlas = small_double_atlas(2);
  mdl::AtlasDiscriminator disc(mdl::AtlasDiscriminatorOptions(2, 1).hidden({4}));
  disc->to(torch::kDouble);
  const auto x = torch::randn({4, 2}, torch::kDouble);
  tr::AtlasTrainingOptions o;
  o.prior_weight = 0.5;
  expect_gradients_match(*atlas, [&] { return tr::atlas_gan_loss(atlas->forward(x), x, *disc, o).total; });
  const auto prior = mdl::sample_atlas_prior(6, 2, 1, 9);
  expect_gradients_match(*disc, [&] { return tr::atlas_discriminator_loss(atlas->forward(x), *disc, prior); });
}

TEST(AtlasTraining, ReconstructionByHand) {
  // One point, two charts with q = (0.25, 0.75) and reconstruction errors 4 and 0.
  mdl::AtlasOutput out;
  out.membership = torch::tensor({0.25, 0.75}, torch::kDouble).view({1, 2});
  out.reconstructions = torch::tensor({2.0, 0.0, 0.0, 0.0}, torch::kDouble).view({1, 2, 2});
  EXPECT_DOUBLE_EQ(tr::atlas_reconstruction_loss(out, torch::zeros({1, 2}, torch::kDouble)).item<double>(), 1.0);
}

TEST(AtlasTraining, CircleLearnsACircleNerve) {
  tr::AtlasTrainingOptions o;
  o.charts = 4;
  o.chart_dim = 1;
  o.trunk = {32, 32};
  o.decoder_hidden = {32, 32};
  o.epochs = 150;
  o.batch_size = 64;
  o.learning_rate = 3e-3;
  o.prior_weight = 10;  // with β = 1 a chart can stay almost unused (seed 1: mass ~0) and its few
                        // boundary points give it strong overlaps with all others (a cone)
  o.seed = 1;
  const auto x = circle(256);
  auto result = tr::train_atlas(x, o);
  ASSERT_EQ(result.history.size(), 150u);
  const double first = result.history.front().reconstruction;
  const double last = result.history.back().reconstruction;
  EXPECT_LT(last, 0.1 * first) << "first " << first << ", last " << last;
  const auto q = tr::atlas_memberships(*result.atlas, x);
  const auto reading = ev::nerve_betti(ev::fuzzy_nerve(q), {2, 3});
  EXPECT_EQ(reading.betti[0], (std::vector<std::int64_t>{1, 1, 0}));
  EXPECT_EQ(reading.betti[1], (std::vector<std::int64_t>{1, 1, 0}));
}

TEST(AtlasTraining, LocalityByHand) {
  const auto x = torch::tensor({0.0, 2.0}, torch::kDouble).view({2, 1});
  // Crisp charts, one point each: no variance left within the charts.
  const auto crisp = torch::tensor({1.0, 0.0, 0.0, 1.0}, torch::kDouble).view({2, 2});
  EXPECT_NEAR(tr::atlas_locality_loss(crisp, x).item<double>(), 0.0, 1e-12);
  // Uniform memberships: both centres at 1, all the variance (2) stays: share 1.
  const auto uniform = torch::full({2, 2}, 0.5, torch::kDouble);
  EXPECT_NEAR(tr::atlas_locality_loss(uniform, x).item<double>(), 1.0, 1e-12);
  // q = (0.75, 0.25), (0.25, 0.75): centres 0.5 and 1.5, within = 2 (0.75·0.25 + 0.25·2.25) = 1.5.
  const auto mixed = torch::tensor({0.75, 0.25, 0.25, 0.75}, torch::kDouble).view({2, 2});
  EXPECT_NEAR(tr::atlas_locality_loss(mixed, x).item<double>(), 0.75, 1e-12);
  // A batch without spread: 0.
  EXPECT_EQ(tr::atlas_locality_loss(uniform, torch::ones({2, 1}, torch::kDouble)).item<double>(), 0.0);
  EXPECT_EQ(error_of([&] { tr::atlas_locality_loss(uniform, torch::ones({3, 1}, torch::kDouble)); }),
            "atlas_locality_loss: expected memberships [B, k] and x [B, D] with the same B, got [2, 2] and [3, 1]");
}

TEST(AtlasTraining, BalanceByHand) {
  // Mean membership uniform over the charts (though no single row is): 0.
  const auto balanced = torch::tensor({1.0, 0.0, 0.0, 1.0}, torch::kDouble).view({2, 2});
  EXPECT_NEAR(tr::atlas_balance_loss(balanced).item<double>(), 0.0, 1e-12);
  // Every point in chart 0 of 3: log 3 (the empty charts count 0 log 0 = 0).
  const auto one_chart = torch::tensor({1.0, 0.0, 0.0, 1.0, 0.0, 0.0}, torch::kDouble).view({2, 3});
  EXPECT_NEAR(tr::atlas_balance_loss(one_chart).item<double>(), std::log(3.0), 1e-12);
  // q̄ = (0.75, 0.25): 0.75 log 1.5 + 0.25 log 0.5.
  const auto mixed = torch::tensor({1.0, 0.0, 0.5, 0.5}, torch::kDouble).view({2, 2});
  EXPECT_NEAR(tr::atlas_balance_loss(mixed).item<double>(), 0.75 * std::log(1.5) + 0.25 * std::log(0.5), 1e-12);
  EXPECT_EQ(error_of([&] { tr::atlas_balance_loss(torch::ones({3}, torch::kDouble)); }),
            "atlas_balance_loss: expected memberships [B, k] with B, k >= 1, got [3]");
}

TEST(AtlasTraining, DistanceMembershipTrainsFromDataCentres) {
  auto o = short_run(4, 16, 3, 32, 2);
  o.membership = mdl::AtlasMembership::kDistance;
  o.membership_temperature = 0.1;
  const auto x = circle(64);
  auto result = tr::train_atlas(x, o);
  ASSERT_EQ(result.history.size(), 3u);
  const auto& options = result.atlas->options();
  EXPECT_EQ(options.membership(), mdl::AtlasMembership::kDistance);
  // T = 0.1 × the cell scale of 4 centres on the unit circle: below 0.1 × (squared diameter 4).
  EXPECT_GT(options.membership_temperature(), 0.0);
  EXPECT_LT(options.membership_temperature(), 0.4);
  // The centres started at data points (on the unit circle) and stay near the data.
  const auto centres = result.atlas->named_parameters()["membership_centres"];
  EXPECT_LT((centres.norm(2, 1) - 1).abs().max().item<double>(), 0.5);
  const auto q = tr::atlas_memberships(*result.atlas, x);
  EXPECT_LT((q.sum(1) - 1).abs().max().item<double>(), 1e-5);
}

TEST(AtlasTraining, LocalityGradientsMatchFiniteDifferences) {
  torch::manual_seed(5);
  auto atlas = small_double_atlas(3);
  const auto x = torch::randn({6, 2}, torch::kDouble);
  expect_gradients_match(*atlas, [&] {
    // Only the membership head and the trunk feed q; the decoders get zero gradient, checked too.
    const auto out = atlas->forward(x);
    return tr::atlas_locality_loss(out.membership, x) + 0 * out.reconstructions.sum();
  });
}

TEST(AtlasTraining, SameSeedSameRunAndGanPriorTrains) {
  auto o = short_run(3, 8, 3, 16, 5);
  const auto x = circle(40);
  const auto a = tr::train_atlas(x, o);
  const auto b = tr::train_atlas(x, o);
  for (std::size_t i = 0; i < a.history.size(); ++i) EXPECT_EQ(a.history[i].loss, b.history[i].loss);
  o.seed = 6;
  EXPECT_NE(tr::train_atlas(x, o).history.back().loss, a.history.back().loss);
  o.prior = tr::AtlasPrior::kGAN;
  int calls = 0;
  auto g = tr::train_atlas(x, o, [&](const tr::AtlasEpochLog& log) { calls += log.epoch > 0; });
  EXPECT_EQ(calls, 3);
  EXPECT_TRUE(g.discriminator);
  EXPECT_GT(g.history.back().discriminator, 0.0);
  EXPECT_EQ(tr::atlas_memberships(*g.atlas, x).sizes(), torch::IntArrayRef({40, 3}));
}

class AtlasResume : public topoembed::test_support::TempDirTest {
 protected:
  AtlasResume() : TempDirTest("topoembed_atlas_resume_") {}
};

// Two epochs, a "kill", then a resume to four equals four epochs in one go, bit for bit: weights,
// epoch logs (both priors: the GAN prior also restores the discriminator and its Adam state).
TEST_F(AtlasResume, ResumeEqualsUninterruptedRun) {
  for (const auto prior : {tr::AtlasPrior::kMMD, tr::AtlasPrior::kGAN}) {
    SCOPED_TRACE(prior == tr::AtlasPrior::kGAN ? "gan" : "mmd");
    auto o = short_run(3, 8, 4, 16, 11);
    o.prior = prior;
    const auto x = circle(40);
    const auto whole = tr::train_atlas(x, o);

    const auto dir = (root_ / (prior == tr::AtlasPrior::kGAN ? "gan" : "mmd")).string();
    tr::AtlasCheckpointing first{dir, false, 2};
    const auto killed = tr::train_atlas(x, o, nullptr, first);
    ASSERT_EQ(killed.history.size(), 2u);
    ASSERT_TRUE(fs::exists(fs::path(dir) / tr::kAtlasCheckpointFile));
    std::vector<std::int64_t> resumed_epochs;
    const auto resumed = tr::train_atlas(x, o, [&](const tr::AtlasEpochLog& e) { resumed_epochs.push_back(e.epoch); },
                                         tr::AtlasCheckpointing{dir, true, 0});
    EXPECT_EQ(resumed_epochs, (std::vector<std::int64_t>{3, 4}));
    ASSERT_EQ(resumed.history.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(resumed.history[i].epoch, whole.history[i].epoch);
      EXPECT_EQ(resumed.history[i].loss, whole.history[i].loss) << "epoch " << i + 1;
      EXPECT_EQ(resumed.history[i].discriminator, whole.history[i].discriminator);
    }
    const auto a = whole.atlas->named_parameters();
    for (const auto& p : resumed.atlas->named_parameters()) EXPECT_TRUE(torch::equal(p.value(), a[p.key()])) << p.key();
    // A finished run resumed with more epochs goes on; with the same epochs it does nothing.
    const auto again = tr::train_atlas(x, o, nullptr, tr::AtlasCheckpointing{dir, true, 0});
    EXPECT_EQ(again.history.size(), 4u);
  }
}

TEST_F(AtlasResume, BadResumeRejected) {
  const auto o = short_run(2, 4, 1, 8, 0);
  const auto x = circle(16);
  const auto dir = root_.string();
  EXPECT_EQ(error_of([&] { tr::train_atlas(x, o, nullptr, tr::AtlasCheckpointing{dir, true, 0}); }),
            "train_atlas: cannot resume: '" + (root_ / "atlas_checkpoint.pt").string() +
                "' is missing (no checkpoint there)");
  EXPECT_EQ(error_of([&] { tr::train_atlas(x, o, nullptr, tr::AtlasCheckpointing{"", true, 0}); }),
            "train_atlas: resume needs a checkpoint directory, got none");
  tr::train_atlas(x, o, nullptr, tr::AtlasCheckpointing{dir, false, 0});
  EXPECT_NE(error_of([&] { tr::train_atlas(x, o, nullptr, tr::AtlasCheckpointing{dir, false, 0}); })
                .find("already holds a checkpoint; resume it or choose another directory"),
            std::string::npos);
  auto other = o;
  other.charts = 3;
  EXPECT_NE(error_of([&] { tr::train_atlas(x, other, nullptr, tr::AtlasCheckpointing{dir, true, 0}); })
                .find("train_atlas: cannot resume: the options differ from the checkpoint's (only epochs may change)"),
            std::string::npos);
  {
    std::ofstream broken(root_ / "atlas_checkpoint.pt", std::ios::trunc);
    broken << "not a checkpoint";
  }
  EXPECT_NE(error_of([&] { tr::train_atlas(x, o, nullptr, tr::AtlasCheckpointing{dir, true, 0}); })
                .find("train_atlas: cannot resume: '" + (root_ / "atlas_checkpoint.pt").string() + "' is corrupt"),
            std::string::npos);
}

TEST(AtlasTraining, EpochRecordJsonHasEveryTermAndReadsOlderRecords) {
  tr::AtlasEpochLog e;
  e.epoch = 3;
  e.loss = 1.5;
  e.reconstruction = 0.25;
  e.prior = 0.125;
  e.sharpening = -0.5;
  e.locality = 0.0625;
  e.balance = 0.03125;
  e.discriminator = 0.75;
  const auto j = tr::atlas_epoch_log_json(e);
  EXPECT_EQ(j, nlohmann::json::parse(R"({"epoch": 3, "loss": 1.5, "reconstruction": 0.25, "prior": 0.125,
      "sharpening": -0.5, "locality": 0.0625, "balance": 0.03125, "discriminator": 0.75})"));
  EXPECT_EQ(tr::atlas_epoch_log_json(tr::atlas_epoch_log_from_json(j)), j);
  // An atlas_summary.json last_epoch from before the locality and balance terms.
  auto older = j;
  older.erase("locality");
  older.erase("balance");
  const auto read = tr::atlas_epoch_log_from_json(older);
  EXPECT_EQ(read.locality, 0.0);
  EXPECT_EQ(read.balance, 0.0);
  EXPECT_EQ(read.prior, 0.125);
  auto broken = j;
  broken.erase("prior");
  EXPECT_THROW(tr::atlas_epoch_log_from_json(broken), nlohmann::json::exception);
}

TEST(AtlasTraining, BadOptionsRejected) {
  const auto x = circle(8);
  auto with = [&](auto edit) {
    tr::AtlasTrainingOptions o;
    o.epochs = 1;
    edit(o);
    return error_of([&] { tr::train_atlas(x, o); });
  };
  EXPECT_EQ(with([](auto& o) { o.charts = 0; }), "train_atlas: charts must be >= 1, got 0");
  EXPECT_EQ(with([](auto& o) { o.chart_dim = 0; }), "train_atlas: chart_dim must be >= 1, got 0");
  EXPECT_EQ(with([](auto& o) { o.batch_size = 1; }), "train_atlas: batch_size must be >= 2, got 1");
  EXPECT_EQ(with([](auto& o) { o.epochs = 0; }), "train_atlas: epochs must be >= 1, got 0");
  EXPECT_EQ(with([](auto& o) { o.prior_weight = -1; }),
            "train_atlas: prior_weight must be a finite value >= 0, got -1.000000");
  EXPECT_EQ(with([](auto& o) { o.locality_weight = -1; }),
            "train_atlas: locality_weight must be a finite value >= 0, got -1.000000");
  EXPECT_EQ(with([](auto& o) { o.sharpening_weight = std::numeric_limits<double>::infinity(); }),
            "train_atlas: sharpening_weight must be a finite value, got inf");
  EXPECT_EQ(with([](auto& o) { o.membership_temperature = 0; }),
            "train_atlas: membership_temperature must be a finite value > 0, got 0.000000");
  EXPECT_EQ(with([](auto& o) { o.balance_weight = -1; }),
            "train_atlas: balance_weight must be a finite value >= 0, got -1.000000");
  EXPECT_EQ(error_of([] { tr::train_atlas(torch::zeros({1, 2}), {}); }),
            "train_atlas: expected points of shape [N, D] with N >= 2, got [1, 2]");
  auto bad = circle(8);
  bad[2][1] = std::nan("");
  EXPECT_EQ(error_of([&] { tr::train_atlas(bad, {}); }), "train_atlas: points contain NaN or infinite values");
}
