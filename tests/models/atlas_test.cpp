// Atlas model: shapes, parameter counts, the atlas distance on hand cases, gradients, the prior
// discriminator, bad options and checkpoints.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include <unistd.h>

#include "../support/expect_error.hpp"
#include "topoembed/models/atlas.hpp"
#include "topoembed/models/atlas_discriminator.hpp"
#include "topoembed/models/atlas_distance.hpp"
#include "topoembed/models/autoencoder.hpp"

namespace mdl = topoembed::models;
namespace fs = std::filesystem;

namespace {

std::int64_t parameter_count(const torch::nn::Module& m) {
  std::int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

using topoembed::test_support::error_of;

fs::path temp_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("topoembed_atlas_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

torch::Tensor tensor2(std::vector<double> values, std::int64_t rows, std::int64_t cols) {
  return torch::tensor(values, torch::kDouble).view({rows, cols});
}

}  // namespace

TEST(Atlas, ShapesAndRanges) {
  torch::manual_seed(1);
  mdl::Atlas atlas(mdl::AtlasOptions({5}, 3, 2));
  const auto out = atlas->forward(torch::randn({7, 5}));
  EXPECT_EQ(out.membership_logits.sizes(), torch::IntArrayRef({7, 3}));
  EXPECT_EQ(out.membership.sizes(), torch::IntArrayRef({7, 3}));
  EXPECT_EQ(out.coords.sizes(), torch::IntArrayRef({7, 3, 2}));
  EXPECT_EQ(out.reconstructions.sizes(), torch::IntArrayRef({7, 3, 5}));
  EXPECT_TRUE(torch::allclose(out.membership.sum(1), torch::ones({7})));
  EXPECT_GT(out.coords.min().item<float>(), 0.0f);
  EXPECT_LT(out.coords.max().item<float>(), 1.0f);

  mdl::Atlas images(mdl::AtlasOptions({1, 28, 28}, 4, 2).trunk({32}).output_activation(mdl::Activation::kTanh));
  const auto img = images->forward(torch::rand({3, 1, 28, 28}));
  EXPECT_EQ(img.reconstructions.sizes(), torch::IntArrayRef({3, 4, 784}));
  EXPECT_LE(img.reconstructions.abs().max().item<float>(), 1.0f);
}

TEST(Atlas, ParameterCountByHand) {
  mdl::Atlas atlas(mdl::AtlasOptions({5}, 3, 2).trunk({8}).chart_decoder_hidden({6}));
  const std::int64_t trunk = 5 * 8 + 8;
  const std::int64_t head = 8 * 3 + 3;
  const std::int64_t encoders = 3 * (8 * 2 + 2);
  const std::int64_t decoders = 3 * (2 * 6 + 6) + 3 * (6 * 5 + 5);
  EXPECT_EQ(parameter_count(*atlas), trunk + head + encoders + decoders);
  EXPECT_EQ(trunk + head + encoders + decoders, 288);

  // Without a trunk the heads read x directly.
  mdl::Atlas bare(mdl::AtlasOptions({4}, 2, 1).trunk({}).chart_decoder_hidden({}));
  EXPECT_EQ(parameter_count(*bare), (4 * 2 + 2) + 2 * (4 * 1 + 1) + 2 * (1 * 4 + 4));
  EXPECT_EQ(bare->forward(torch::randn({3, 4})).reconstructions.sizes(), torch::IntArrayRef({3, 2, 4}));
}

TEST(Atlas, ChartsAreIndependentMaps) {
  torch::manual_seed(2);
  mdl::Atlas atlas(mdl::AtlasOptions({6}, 4, 3).chart_encoder_hidden({5}));
  const auto coords = torch::rand({9, 4, 3});
  const auto all = atlas->decode(coords);
  for (std::int64_t i = 0; i < 4; ++i) {
    const auto single = atlas->decode_chart(i, coords.select(1, i));
    EXPECT_TRUE(torch::allclose(single, all.select(1, i), 1e-5, 1e-6)) << "chart " << i;
  }
  // Chart 2's reconstruction depends on chart 2's decoder only.
  all.select(1, 2).sum().backward();
  for (const auto& p : atlas->named_parameters()) {
    if (p.key().rfind("chart_decoder_", 0) != 0) continue;
    const auto g = p.value().grad();
    ASSERT_TRUE(g.defined()) << p.key();
    EXPECT_GT(g[2].abs().sum().item<double>(), 0.0) << p.key();
    EXPECT_EQ(g.abs().sum().item<double>(), g[2].abs().sum().item<double>()) << p.key();
  }
}

TEST(Atlas, GradientReachesEveryParameter) {
  torch::manual_seed(3);
  mdl::Atlas atlas(mdl::AtlasOptions({5}, 3, 2).batch_norm(true));
  const auto x = torch::randn({16, 5});
  const auto out = atlas->forward(x);
  // The issue's reconstruction loss Σ_i q_i(x) ‖x − ψ_i(φ_i(x))‖².
  const auto err = (out.reconstructions - x.unsqueeze(1)).pow(2).sum(2);
  (out.membership * err).sum(1).mean().backward();
  for (const auto& p : atlas->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
  }
}

// The model is trainable: the issue's reconstruction loss on a circle falls well below its start.
TEST(Atlas, ReconstructionLossFallsOnACircle) {
  torch::manual_seed(8);
  const auto t = torch::linspace(0, 2 * M_PI, 257).slice(0, 0, 256);
  const auto x = torch::stack({torch::cos(t), torch::sin(t)}, 1);
  mdl::Atlas atlas(mdl::AtlasOptions({2}, 4, 1).trunk({32, 32}).chart_decoder_hidden({32}));
  torch::optim::Adam opt(atlas->parameters(), torch::optim::AdamOptions(1e-2));
  auto loss_of = [&] {
    const auto out = atlas->forward(x);
    const auto err = (out.reconstructions - x.unsqueeze(1)).pow(2).sum(2);
    return (out.membership * err).sum(1).mean();
  };
  const double initial = loss_of().item<double>();
  for (int step = 0; step < 300; ++step) {
    opt.zero_grad();
    loss_of().backward();
    opt.step();
  }
  const double final_loss = loss_of().item<double>();
  EXPECT_LT(final_loss, 0.1 * initial) << "initial " << initial << ", final " << final_loss;
}

TEST(Atlas, RejectsBadOptionsAndInputs) {
  EXPECT_EQ(error_of([] { mdl::Atlas(mdl::AtlasOptions({5}, 0, 2)); }),
            "AtlasOptions: charts (k) must be >= 1, got 0");
  EXPECT_EQ(error_of([] { mdl::Atlas(mdl::AtlasOptions({5}, 3, 0)); }),
            "AtlasOptions: chart_dim (d) must be >= 1, got 0");
  EXPECT_EQ(error_of([] { mdl::Atlas(mdl::AtlasOptions({5}, 3, 2).trunk({16, -1})); }),
            "AtlasOptions: trunk widths must be >= 1, got [16, -1]");
  EXPECT_EQ(error_of([] { mdl::Atlas(mdl::AtlasOptions({}, 3, 2)); }), "AtlasOptions: input_shape must not be empty");
  mdl::Atlas atlas(mdl::AtlasOptions({5}, 3, 2));
  EXPECT_EQ(error_of([&] { atlas->forward(torch::zeros({4, 6})); }),
            "Atlas::encode: expected input of shape [B, 5], got [4, 6]");
  EXPECT_EQ(error_of([&] { atlas->decode(torch::zeros({4, 2, 2})); }),
            "Atlas::decode: expected input of shape [B, 3, 2], got [4, 2, 2]");
  EXPECT_EQ(error_of([&] { atlas->decode_chart(3, torch::zeros({4, 2})); }),
            "Atlas::decode_chart: chart must be in [0, 3), got 3");
}

TEST(Atlas, ChartGrid) {
  const auto g = mdl::chart_grid(2, 2);
  EXPECT_TRUE(torch::equal(g, torch::tensor({0.25f, 0.25f, 0.75f, 0.25f, 0.25f, 0.75f, 0.75f, 0.75f}).view({4, 2})));
  const auto line = mdl::chart_grid(4, 1);
  EXPECT_TRUE(torch::allclose(line.squeeze(1), torch::tensor({0.125f, 0.375f, 0.625f, 0.875f})));
  EXPECT_EQ(mdl::chart_grid(3, 3).sizes(), torch::IntArrayRef({27, 3}));
  mdl::Atlas atlas(mdl::AtlasOptions({5}, 3, 2));
  EXPECT_EQ(atlas->decode_chart(1, mdl::chart_grid(10, 2)).sizes(), torch::IntArrayRef({100, 5}));
  EXPECT_EQ(error_of([] { mdl::chart_grid(0, 2); }), "chart_grid: side must be >= 1, got 0");
  EXPECT_EQ(error_of([] { mdl::chart_grid(1000, 3); }),
            "chart_grid: side^d must be <= 2^24 points, got side 1000 and d 3");
}

TEST(AtlasDistance, DisjointChartsGiveTheCap) {
  // x lives only in chart 0, y only in chart 1: no shared chart.
  const auto qx = tensor2({1, 0}, 1, 2);
  const auto qy = tensor2({0, 1}, 1, 2);
  const auto cx = torch::tensor({0.1, 0.2, 0.3, 0.4}, torch::kDouble).view({1, 2, 2});
  const auto cy = torch::tensor({0.5, 0.6, 0.7, 0.8}, torch::kDouble).view({1, 2, 2});
  EXPECT_TRUE(std::isinf(mdl::atlas_distance(qx, cx, qy, cy).item<double>()));
  EXPECT_EQ(mdl::atlas_distance(qx, cx, qy, cy, mdl::AtlasDistanceOptions().cap(3.0)).item<double>(), 3.0);
  // Shared weight 1e-8 is below the default tolerance 1e-6; with tolerance 0 the formula applies.
  const auto qy_tiny = tensor2({1e-8, 1 - 1e-8}, 1, 2);
  EXPECT_EQ(mdl::atlas_distance(qx, cx, qy_tiny, cy, mdl::AtlasDistanceOptions().cap(3.0)).item<double>(), 3.0);
  const double chart0 = std::hypot(0.4, 0.4);
  EXPECT_NEAR(mdl::atlas_distance(qx, cx, qy_tiny, cy, mdl::AtlasDistanceOptions().tolerance(0)).item<double>(),
              chart0, 1e-12);
}

TEST(AtlasDistance, HandCases) {
  // φ_0: (0,0) vs (0.6,0.8) → 1;  φ_1: (0,0) vs (0,0.3) → 0.3.
  const auto cx = torch::zeros({1, 2, 2}, torch::kDouble);
  const auto cy = torch::tensor({0.6, 0.8, 0.0, 0.3}, torch::kDouble).view({1, 2, 2});
  EXPECT_NEAR(mdl::atlas_distance(tensor2({0.5, 0.5}, 1, 2), cx, tensor2({0.5, 0.5}, 1, 2), cy).item<double>(),
              (0.25 * 1.0 + 0.25 * 0.3) / 0.5, 1e-12);
  EXPECT_NEAR(mdl::atlas_distance(tensor2({0.8, 0.2}, 1, 2), cx, tensor2({0.4, 0.6}, 1, 2), cy).item<double>(),
              (0.32 * 1.0 + 0.12 * 0.3) / 0.44, 1e-12);
  // Hard variant: argmax charts 0 and 1 differ → cap; 0 and 0 → chart 0's distance.
  const auto hard = mdl::AtlasDistanceOptions().hard(true).cap(7.0);
  EXPECT_EQ(mdl::atlas_distance(tensor2({0.8, 0.2}, 1, 2), cx, tensor2({0.4, 0.6}, 1, 2), cy, hard).item<double>(),
            7.0);
  EXPECT_NEAR(
      mdl::atlas_distance(tensor2({0.8, 0.2}, 1, 2), cx, tensor2({0.6, 0.4}, 1, 2), cy, hard).item<double>(), 1.0,
      1e-12);
}

TEST(AtlasDistance, PairwiseIsSymmetricWithZeroDiagonal) {
  torch::manual_seed(4);
  const auto q = torch::softmax(torch::randn({10, 4}, torch::kDouble), 1);
  const auto c = torch::rand({10, 4, 3}, torch::kDouble);
  const auto d = mdl::atlas_distance(q, c);
  ASSERT_EQ(d.sizes(), torch::IntArrayRef({10, 10}));
  EXPECT_TRUE(torch::equal(d.diagonal(), torch::zeros({10}, torch::kDouble)));
  EXPECT_TRUE(torch::allclose(d, d.t(), 1e-12, 1e-12));
  // A weighted mean of in-chart distances: between their min and max.
  const auto per_chart = torch::cdist(c.transpose(0, 1), c.transpose(0, 1));
  EXPECT_TRUE((d <= std::get<0>(per_chart.max(0)) + 1e-12).all().item<bool>());
  EXPECT_TRUE((d >= std::get<0>(per_chart.min(0)) - 1e-12).all().item<bool>());
  const auto hard = mdl::atlas_distance(q, c, mdl::AtlasDistanceOptions().hard(true));
  EXPECT_TRUE(torch::equal(hard.diagonal(), torch::zeros({10}, torch::kDouble)));
}

TEST(AtlasDistance, GradientMatchesFiniteDifferences) {
  torch::manual_seed(5);
  auto logits = torch::randn({4, 3}, torch::kDouble).requires_grad_(true);
  auto coords = torch::rand({4, 3, 2}, torch::kDouble).requires_grad_(true);
  auto f = [&](const torch::Tensor& l, const torch::Tensor& c) {
    return (mdl::atlas_distance(torch::softmax(l, 1), c) * torch::arange(16, torch::kDouble).view({4, 4}))
        .sum();
  };
  f(logits, coords).backward();
  ASSERT_TRUE(torch::isfinite(coords.grad()).all().item<bool>());  // including the zero diagonal
  const double h = 1e-6;
  torch::NoGradGuard no_grad;
  for (std::int64_t i = 0; i < logits.numel(); ++i) {
    auto plus = logits.detach().clone();
    auto minus = logits.detach().clone();
    plus.view(-1)[i] += h;
    minus.view(-1)[i] -= h;
    const double numeric = (f(plus, coords).item<double>() - f(minus, coords).item<double>()) / (2 * h);
    EXPECT_NEAR(logits.grad().view(-1)[i].item<double>(), numeric, 1e-6) << "logit " << i;
  }
  for (std::int64_t i = 0; i < coords.numel(); ++i) {
    auto plus = coords.detach().clone();
    auto minus = coords.detach().clone();
    plus.view(-1)[i] += h;
    minus.view(-1)[i] -= h;
    const double numeric = (f(logits, plus).item<double>() - f(logits, minus).item<double>()) / (2 * h);
    EXPECT_NEAR(coords.grad().view(-1)[i].item<double>(), numeric, 1e-6) << "coord " << i;
  }
}

TEST(AtlasDistance, GradientIsFiniteWhereTheCapApplies) {
  auto q = tensor2({1, 0, 0, 1}, 2, 2).requires_grad_(true);
  auto c = torch::rand({2, 2, 2}, torch::kDouble).requires_grad_(true);
  const auto d = mdl::atlas_distance(q, c, mdl::AtlasDistanceOptions().cap(5.0));
  EXPECT_EQ(d[0][1].item<double>(), 5.0);
  d.sum().backward();
  EXPECT_TRUE(torch::isfinite(q.grad()).all().item<bool>());
  EXPECT_TRUE(torch::isfinite(c.grad()).all().item<bool>());
}

TEST(AtlasDistance, RejectsMismatchedShapes) {
  EXPECT_EQ(error_of([] { mdl::atlas_distance(torch::ones({3, 2}), torch::ones({3, 3, 2})); }),
            "atlas_distance: expected coords_x of shape [3, 2, d], got [3, 3, 2]");
  EXPECT_EQ(error_of([] {
              mdl::atlas_distance(torch::ones({3, 2}), torch::ones({3, 2, 2}), torch::ones({4, 3}),
                                 torch::ones({4, 3, 2}));
            }),
            "atlas_distance: membership_x has 2 charts but membership_y has 3");
  EXPECT_EQ(error_of([] { mdl::atlas_distance(torch::ones({3}), torch::ones({3, 2, 2})); }),
            "atlas_distance: expected membership_x of shape [B, k], got [3]");
}

TEST(AtlasPrior, DiscriminatorAndSamples) {
  torch::manual_seed(6);
  mdl::AtlasDiscriminator disc(mdl::AtlasDiscriminatorOptions(4, 2).hidden({16}));
  EXPECT_EQ(parameter_count(*disc), (6 * 16 + 16) + (16 * 1 + 1));
  const auto prior = mdl::sample_atlas_prior(3000, 4, 2, 42);
  EXPECT_EQ(disc->forward(prior.chart_one_hot, prior.coords).sizes(), torch::IntArrayRef({3000}));
  EXPECT_TRUE(torch::equal(prior.chart_one_hot.sum(1), torch::ones({3000})));
  EXPECT_TRUE(torch::equal(prior.chart_one_hot.argmax(1), prior.chart_index));
  EXPECT_GE(prior.coords.min().item<float>(), 0.0f);
  EXPECT_LT(prior.coords.max().item<float>(), 1.0f);
  const auto counts = prior.chart_one_hot.sum(0);
  EXPECT_TRUE(((counts - 750).abs() < 120).all().item<bool>()) << counts;
  EXPECT_NEAR(prior.coords.mean().item<float>(), 0.5f, 0.02f);
  // A pure function of the seed.
  const auto again = mdl::sample_atlas_prior(3000, 4, 2, 42);
  EXPECT_TRUE(torch::equal(again.coords, prior.coords));
  EXPECT_TRUE(torch::equal(again.chart_index, prior.chart_index));
  EXPECT_FALSE(torch::equal(mdl::sample_atlas_prior(3000, 4, 2, 43).coords, prior.coords));

  // Encoded side: the coordinates in each sample's argmax chart; gradients reach the atlas.
  mdl::Atlas atlas(mdl::AtlasOptions({5}, 4, 2));
  const auto enc = atlas->encode(torch::randn({8, 5}));
  const auto chart = enc.membership.argmax(1);
  const auto z = mdl::select_chart_coords(enc.coords, chart);
  ASSERT_EQ(z.sizes(), torch::IntArrayRef({8, 2}));
  for (std::int64_t b = 0; b < 8; ++b) {
    EXPECT_TRUE(torch::equal(z[b], enc.coords[b][chart[b].item<std::int64_t>()]));
  }
  disc->forward(torch::one_hot(chart, 4), z).mean().backward();
  EXPECT_GT(atlas->named_parameters()["chart_encoder_0.weight"].grad().abs().sum().item<double>(), 0.0);

  EXPECT_EQ(error_of([] { mdl::AtlasDiscriminator(mdl::AtlasDiscriminatorOptions(0, 2)); }),
            "AtlasDiscriminator: charts (k) must be >= 1, got 0");
  EXPECT_EQ(error_of([] { mdl::sample_atlas_prior(5, 3, 0, 1); }),
            "sample_atlas_prior: chart_dim (d) must be >= 1, got 0");
  EXPECT_EQ(error_of([&] { disc->forward(torch::zeros({3, 4}), torch::zeros({2, 2})); }),
            "AtlasDiscriminator: chart has 3 rows but coords has 2");
}

TEST(AtlasCheckpoint, RoundTripAndKindCheck) {
  torch::manual_seed(7);
  mdl::Atlas atlas(mdl::AtlasOptions({1, 28, 28}, 3, 2).trunk({24}).batch_norm(true).chart_decoder_hidden({12}));
  const auto x = torch::rand({6, 1, 28, 28});
  atlas->forward(x);  // updates BatchNorm running statistics
  atlas->eval();
  const auto expected = atlas->forward(x);
  const auto dir = temp_dir("checkpoint");
  const auto path = (dir / "atlas.pt").string();
  mdl::save_atlas(*atlas, path);
  torch::manual_seed(100);
  auto loaded = mdl::load_atlas(path);
  loaded->eval();
  EXPECT_EQ(loaded->options().trunk(), std::vector<std::int64_t>{24});
  const auto got = loaded->forward(x);
  EXPECT_TRUE(torch::equal(got.membership, expected.membership));
  EXPECT_TRUE(torch::equal(got.coords, expected.coords));
  EXPECT_TRUE(torch::equal(got.reconstructions, expected.reconstructions));

  const auto ae_path = (dir / "ae.pt").string();
  mdl::save_autoencoder(*mdl::make_autoencoder("spheres-mlp"), ae_path);
  EXPECT_EQ(error_of([&] { mdl::load_atlas(ae_path); }),
            "load_atlas: '" + ae_path + "' is a checkpoint of kind 'autoencoder', expected 'atlas'");
  EXPECT_EQ(error_of([] { mdl::parse_atlas_options_json(R"({"input_shape":[3],"charts":0})"); }),
            "atlas options: missing field 'chart_dim'");
  fs::remove_all(dir);
}

TEST(AtlasCheckpoint, RoundTripKeepsTheWeightTypeAndRejectsMixedTypes) {
  // A float64 atlas reads back as float64 with the same weights (LibTorch's Module::load would copy
  // the float64 bytes into the float32 parameters of a freshly built model); float32 stays float32.
  const auto dir = temp_dir("dtype");
  for (const auto dtype : {torch::kDouble, torch::kFloat}) {
    torch::manual_seed(3);
    mdl::Atlas atlas(mdl::AtlasOptions({3}, 2, 1).trunk({8}).membership(mdl::AtlasMembership::kDistance));
    atlas->to(dtype);
    atlas->eval();
    const auto x = torch::rand({5, 3}, torch::TensorOptions().dtype(dtype));
    const auto expected = atlas->forward(x);
    const auto path = (dir / "atlas.pt").string();
    mdl::save_atlas(*atlas, path);
    auto loaded = mdl::load_atlas(path);
    loaded->eval();
    for (const auto& p : loaded->named_parameters()) {
      EXPECT_EQ(p.value().scalar_type(), dtype) << p.key();
      EXPECT_TRUE(torch::equal(p.value(), atlas->named_parameters()[p.key()])) << p.key();
    }
    const auto got = loaded->forward(x);
    EXPECT_TRUE(torch::equal(got.membership, expected.membership));
    EXPECT_TRUE(torch::equal(got.reconstructions, expected.reconstructions));
  }
  // The same for the autoencoders, which share the checkpoint code.
  torch::manual_seed(4);
  auto ae = mdl::make_autoencoder("spheres-mlp");
  ae->to(torch::kDouble);
  const auto ae_path = (dir / "ae.pt").string();
  mdl::save_autoencoder(*ae, ae_path);
  auto ae_loaded = mdl::load_autoencoder(ae_path);
  for (const auto& p : ae_loaded->named_parameters()) {
    EXPECT_EQ(p.value().scalar_type(), torch::kDouble) << p.key();
    EXPECT_TRUE(torch::equal(p.value(), ae->named_parameters()[p.key()])) << p.key();
  }
  // One recorded type cannot restore a model that mixes two: refused, nothing written.
  mdl::Atlas mixed(mdl::AtlasOptions({3}, 2, 1));
  mixed->named_parameters()["membership_head.weight"].set_data(
      mixed->named_parameters()["membership_head.weight"].to(torch::kDouble));
  const auto mixed_path = (dir / "mixed.pt").string();
  const auto message = error_of([&] { mdl::save_atlas(*mixed, mixed_path); });
  EXPECT_NE(message.find("save_atlas: the model mixes"), std::string::npos) << message;
  EXPECT_NE(message.find("expected one floating-point type"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(mixed_path));
  fs::remove_all(dir);
}

TEST(Atlas, DistanceMembershipIsTheGibbsMembershipOfItsCentres) {
  mdl::Atlas atlas(mdl::AtlasOptions({2}, 3, 1).membership(mdl::AtlasMembership::kDistance).membership_temperature(0.5));
  atlas->to(torch::kDouble);
  auto centres = atlas->named_parameters()["membership_centres"];
  {
    torch::NoGradGuard no_grad;
    centres.copy_(tensor2({0, 0, 1, 0, 0, 2}, 3, 2));
  }
  // x = (1, 1): squared distances 2, 1, 2 → q ∝ (e^{-4}, e^{-2}, e^{-4}).
  const auto q = atlas->encode(tensor2({1, 1}, 1, 2)).membership;
  const double z = 2 * std::exp(-4.0) + std::exp(-2.0);
  EXPECT_NEAR(q[0][0].item<double>(), std::exp(-4.0) / z, 1e-12);
  EXPECT_NEAR(q[0][1].item<double>(), std::exp(-2.0) / z, 1e-12);
  EXPECT_NEAR(q[0][2].item<double>(), std::exp(-4.0) / z, 1e-12);
  // The centres get gradients, and there is no membership head.
  atlas->forward(tensor2({1, 1, 0, 3}, 2, 2)).membership.select(1, 0).sum().backward();
  EXPECT_GT(centres.grad().abs().sum().item<double>(), 0.0);
  EXPECT_EQ(atlas->named_parameters().find("membership_head.weight"), nullptr);

  // Saved and loaded with its membership kind, temperature and centres (in float32: load_atlas
  // builds a float model and reads the weights into it).
  atlas->to(torch::kFloat);
  const auto x_float = torch::tensor({1.0F, 1.0F}).view({1, 2});
  const auto q_float = atlas->encode(x_float).membership;
  const auto dir = temp_dir("distance");
  const auto path = (dir / "atlas.pt").string();
  mdl::save_atlas(*atlas, path);
  auto loaded = mdl::load_atlas(path);
  EXPECT_EQ(loaded->options().membership(), mdl::AtlasMembership::kDistance);
  EXPECT_EQ(loaded->options().membership_temperature(), 0.5);
  EXPECT_TRUE(torch::equal(loaded->named_parameters()["membership_centres"], atlas->named_parameters()["membership_centres"]));
  EXPECT_TRUE(torch::equal(loaded->encode(x_float).membership, q_float));
  fs::remove_all(dir);

  EXPECT_EQ(error_of([] { mdl::Atlas(mdl::AtlasOptions({2}, 3, 1).membership_temperature(0)); }),
            "AtlasOptions: membership_temperature must be a finite value > 0, got 0.000000");
  EXPECT_EQ(error_of([] {
              mdl::parse_atlas_options_json(
                  R"({"input_shape":[2],"charts":2,"chart_dim":1,"trunk":[],"chart_encoder_hidden":[],)"
                  R"("chart_decoder_hidden":[],"activation":"relu","batch_norm":false,"output_activation":"identity",)"
                  R"("membership":"voronoi","membership_temperature":1})");
            }),
            "atlas options: membership must be \"network\" or \"distance\", got \"voronoi\"");
}
