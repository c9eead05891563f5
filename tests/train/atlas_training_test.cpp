// Atlas training: gradient checks of the atlas losses in double, training on a circle (the
// reconstruction falls, the nerve of the learnt memberships is a circle's), determinism, bad
// options.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <torch/torch.h>

#include "topoembed/eval/nerve.hpp"
#include "topoembed/train/atlas_training.hpp"

namespace tr = topoembed::train;
namespace mdl = topoembed::models;
namespace ev = topoembed::eval;

namespace {

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "<no exception>";
}

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

}  // namespace

TEST(AtlasTraining, MmdLossGradientsMatchFiniteDifferences) {
  torch::manual_seed(3);
  mdl::Atlas atlas(mdl::AtlasOptions({2}, 2, 1).trunk({3}).chart_decoder_hidden({3}).activation(mdl::Activation::kTanh));
  atlas->to(torch::kDouble);
  const auto x = torch::randn({5, 2}, torch::kDouble);
  const auto prior = torch::rand({4, 1}, torch::kDouble);
  tr::AtlasTrainingOptions o;
  o.prior_weight = 2.0;
  o.sharpening_weight = 0.3;
  expect_gradients_match(*atlas, [&] { return tr::atlas_mmd_loss(atlas->forward(x), x, prior, o).total; });
  o.sharpening = topoembed::diff::SharpeningTerm::kUniformDeviation;
  expect_gradients_match(*atlas, [&] { return tr::atlas_mmd_loss(atlas->forward(x), x, prior, o).total; });
}

TEST(AtlasTraining, GanLossGradientsMatchFiniteDifferences) {
  torch::manual_seed(4);
  mdl::Atlas atlas(mdl::AtlasOptions({2}, 2, 1).trunk({3}).chart_decoder_hidden({3}).activation(mdl::Activation::kTanh));
  mdl::AtlasDiscriminator disc(mdl::AtlasDiscriminatorOptions(2, 1).hidden({4}));
  atlas->to(torch::kDouble);
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
  const auto nerve = ev::fuzzy_nerve(q);
  const auto betti = ev::nerve_betti_numbers(ev::nerve_persistence(nerve, 2), 2);
  EXPECT_EQ(betti, (std::vector<std::int64_t>{1, 1, 0}));
}

TEST(AtlasTraining, SameSeedSameRunAndGanPriorTrains) {
  tr::AtlasTrainingOptions o;
  o.charts = 3;
  o.trunk = {8};
  o.decoder_hidden = {8};
  o.epochs = 3;
  o.batch_size = 16;
  o.seed = 5;
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
  EXPECT_EQ(error_of([] { tr::train_atlas(torch::zeros({1, 2}), {}); }),
            "train_atlas: expected points of shape [N, D] with N >= 2, got [1, 2]");
  auto bad = circle(8);
  bad[2][1] = std::nan("");
  EXPECT_EQ(error_of([&] { tr::train_atlas(bad, {}); }), "train_atlas: points contain NaN or infinite values");
}
