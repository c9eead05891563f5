// Autoencoders: the paper's layer order and parameter counts, shapes, the factory, checkpoints.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "../support/expect_error.hpp"
#include "topoembed/models/autoencoder.hpp"
#include "topoembed/models/conv_autoencoder.hpp"
#include "topoembed/models/mlp_autoencoder.hpp"

namespace mdl = topoembed::models;
namespace fs = std::filesystem;

namespace {

// One short token per layer, e.g. "Linear(101,32)", "BN(32)", "ReLU".
std::vector<std::string> layer_signature(const torch::nn::Sequential& seq) {
  std::vector<std::string> out;
  for (const auto& child : seq->children()) {
    if (auto* l = child->as<torch::nn::Linear>()) {
      out.push_back("Linear(" + std::to_string(l->options.in_features()) + "," +
                    std::to_string(l->options.out_features()) + ")");
    } else if (auto* bn = child->as<torch::nn::BatchNorm1d>()) {
      out.push_back("BN(" + std::to_string(bn->options.num_features()) + ")");
    } else if (child->as<torch::nn::ReLU>()) {
      out.push_back("ReLU");
    } else if (child->as<torch::nn::Tanh>()) {
      out.push_back("Tanh");
    } else if (child->as<torch::nn::Flatten>()) {
      out.push_back("Flatten");
    } else if (child->as<torch::nn::Unflatten>()) {
      out.push_back("Unflatten");
    } else if (auto* c = child->as<torch::nn::Conv2d>()) {
      out.push_back("Conv(" + std::to_string(c->options.in_channels()) + "," +
                    std::to_string(c->options.out_channels()) + ")");
    } else if (auto* t = child->as<torch::nn::ConvTranspose2d>()) {
      out.push_back("ConvT(" + std::to_string(t->options.in_channels()) + "," +
                    std::to_string(t->options.out_channels()) + ")");
    } else if (child->as<torch::nn::MaxPool2d>()) {
      out.push_back("MaxPool");
    } else {
      out.push_back("?" + child->name());
    }
  }
  return out;
}

std::int64_t parameter_count(const torch::nn::Module& m) {
  std::int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

std::vector<std::string> parameter_names(const torch::nn::Module& m) {
  std::vector<std::string> names;
  for (const auto& p : m.named_parameters()) names.push_back(p.key());
  return names;
}

fs::path temp_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("topoembed_models_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

using topoembed::test_support::error_of;

}  // namespace

TEST(SpheresMlp, LayerOrderMatchesPaper) {
  mdl::MlpAutoencoder model(mdl::spheres_mlp_options());
  // MLPAutoencoder_Spheres: Linear, BatchNorm1d, ReLU per block; mirrored decoder, linear output.
  EXPECT_EQ(layer_signature(model->encoder()),
            (std::vector<std::string>{"Linear(101,32)", "BN(32)", "ReLU", "Linear(32,32)", "BN(32)", "ReLU",
                                      "Linear(32,2)"}));
  EXPECT_EQ(layer_signature(model->decoder()),
            (std::vector<std::string>{"Linear(2,32)", "BN(32)", "ReLU", "Linear(32,32)", "BN(32)", "ReLU",
                                      "Linear(32,101)"}));
  // Parameter names follow the paper's nn.Sequential indices.
  const auto names = parameter_names(*model);
  // 5 layers with weight and bias in each half.
  ASSERT_EQ(names.size(), 20u);
  EXPECT_EQ(names[0], "encoder.0.weight");
  EXPECT_EQ(names[2], "encoder.1.weight");
  EXPECT_EQ(names[4], "encoder.3.weight");
  EXPECT_EQ(names[9], "encoder.6.bias");
  EXPECT_EQ(names[10], "decoder.0.weight");
  EXPECT_EQ(names[19], "decoder.6.bias");
}

TEST(SpheresMlp, ParameterCountByHand) {
  mdl::MlpAutoencoder model(mdl::spheres_mlp_options());
  const std::int64_t encoder = (101 * 32 + 32) + 2 * 32 + (32 * 32 + 32) + 2 * 32 + (32 * 2 + 2);
  const std::int64_t decoder = (2 * 32 + 32) + 2 * 32 + (32 * 32 + 32) + 2 * 32 + (32 * 101 + 101);
  EXPECT_EQ(parameter_count(*model->encoder()), encoder);
  EXPECT_EQ(parameter_count(*model->decoder()), decoder);
  EXPECT_EQ(parameter_count(*model), 9127);
  EXPECT_EQ(encoder + decoder, 9127);
}

TEST(DeepAE, LayerOrderMatchesPaper) {
  mdl::MlpAutoencoder model(mdl::deep_ae_options());
  // DeepAE: View, then Linear, ReLU, BatchNorm1d per block; decoder ends Linear, View, Tanh.
  EXPECT_EQ(layer_signature(model->encoder()),
            (std::vector<std::string>{"Flatten", "Linear(784,1000)", "ReLU", "BN(1000)", "Linear(1000,500)",
                                      "ReLU", "BN(500)", "Linear(500,250)", "ReLU", "BN(250)",
                                      "Linear(250,2)"}));
  EXPECT_EQ(layer_signature(model->decoder()),
            (std::vector<std::string>{"Linear(2,250)", "ReLU", "BN(250)", "Linear(250,500)", "ReLU", "BN(500)",
                                      "Linear(500,1000)", "ReLU", "BN(1000)", "Linear(1000,784)", "Unflatten",
                                      "Tanh"}));
  const auto names = parameter_names(*model);
  EXPECT_EQ(names.front(), "encoder.1.weight");
  EXPECT_EQ(names.back(), "decoder.9.bias");
}

TEST(DeepAE, ParameterCountByHand) {
  mdl::MlpAutoencoder model(mdl::deep_ae_options());
  const std::int64_t encoder = (784 * 1000 + 1000) + 2000 + (1000 * 500 + 500) + 1000 + (500 * 250 + 250) + 500 +
                               (250 * 2 + 2);
  const std::int64_t decoder = (2 * 250 + 250) + 500 + (250 * 500 + 500) + 1000 + (500 * 1000 + 1000) + 2000 +
                               (1000 * 784 + 784);
  EXPECT_EQ(parameter_count(*model), encoder + decoder);
  EXPECT_EQ(encoder + decoder, 2'830'286);
}

TEST(DeepAE, ShapesAndTanhRange) {
  torch::manual_seed(1);
  mdl::MlpAutoencoder model(mdl::deep_ae_options());
  const auto x = torch::rand({5, 1, 28, 28}) * 2 - 1;
  const auto out = model->forward(x);
  EXPECT_EQ(out.latent.sizes(), torch::IntArrayRef({5, 2}));
  EXPECT_EQ(out.reconstruction.sizes(), torch::IntArrayRef({5, 1, 28, 28}));
  EXPECT_LE(out.reconstruction.abs().max().item<float>(), 1.0f);
}

TEST(ConvAutoencoder, LayersShapesAndParameterCount) {
  torch::manual_seed(2);
  mdl::ConvAutoencoder model;
  EXPECT_EQ(layer_signature(model->encoder()),
            (std::vector<std::string>{"Conv(1,16)", "ReLU", "MaxPool", "Conv(16,8)", "ReLU", "MaxPool"}));
  EXPECT_EQ(layer_signature(model->decoder()),
            (std::vector<std::string>{"ConvT(8,16)", "ReLU", "ConvT(16,8)", "ReLU", "ConvT(8,1)", "Tanh"}));
  const std::int64_t expected = (16 * 1 * 9 + 16) + (8 * 16 * 9 + 8) + (8 * 16 * 9 + 16) + (16 * 8 * 25 + 8) +
                                (8 * 1 * 4 + 1);
  EXPECT_EQ(parameter_count(*model), expected);
  const auto out = model->forward(torch::rand({3, 1, 28, 28}));
  EXPECT_EQ(out.latent.sizes(), torch::IntArrayRef({3, 32}));
  EXPECT_EQ(out.reconstruction.sizes(), torch::IntArrayRef({3, 1, 28, 28}));
  EXPECT_EQ(model->decode(out.latent.view({3, 8, 2, 2})).sizes(), torch::IntArrayRef({3, 1, 28, 28}));
}

TEST(MlpAutoencoder, ConfigurableLayers) {
  auto options = mdl::MlpAutoencoderOptions({3}, 2)
                     .hidden({16, 8, 4})
                     .activation(mdl::Activation::kELU)
                     .batch_norm(false)
                     .output_activation(mdl::Activation::kSigmoid);
  mdl::MlpAutoencoder model(options);
  EXPECT_EQ(model->encoder()->size(), 7u);  // 3 × (Linear, ELU) + Linear
  EXPECT_EQ(model->decoder()->size(), 8u);  // 3 × (Linear, ELU) + Linear + Sigmoid
  const std::int64_t expected = (3 * 16 + 16) + (16 * 8 + 8) + (8 * 4 + 4) + (4 * 2 + 2) + (2 * 4 + 4) +
                                (4 * 8 + 8) + (8 * 16 + 16) + (16 * 3 + 3);
  EXPECT_EQ(parameter_count(*model), expected);
  const auto out = model->forward(torch::randn({4, 3}));
  EXPECT_EQ(out.reconstruction.sizes(), torch::IntArrayRef({4, 3}));
  EXPECT_GE(out.reconstruction.min().item<float>(), 0.0f);
}

TEST(MlpAutoencoder, GradientReachesEveryParameter) {
  torch::manual_seed(3);
  mdl::MlpAutoencoder model(mdl::spheres_mlp_options());
  const auto x = torch::randn({16, 101});
  const auto out = model->forward(x);
  torch::mse_loss(out.reconstruction, x).backward();
  for (const auto& p : model->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
  }
}

TEST(MlpAutoencoder, RejectsBadOptionsAndInputs) {
  EXPECT_EQ(error_of([] { mdl::MlpAutoencoder(mdl::MlpAutoencoderOptions({101}, 0)); }),
            "MlpAutoencoder: latent_dim must be >= 1, got 0");
  EXPECT_EQ(error_of([] { mdl::MlpAutoencoder(mdl::MlpAutoencoderOptions({101, -2}, 2)); }),
            "MlpAutoencoder: input_shape entries must be >= 1, got [101, -2]");
  EXPECT_EQ(error_of([] { mdl::MlpAutoencoder(mdl::MlpAutoencoderOptions({}, 2)); }),
            "MlpAutoencoder: input_shape must not be empty");
  EXPECT_EQ(error_of([] { mdl::MlpAutoencoder(mdl::MlpAutoencoderOptions({4}, 2).hidden({8, 0})); }),
            "MlpAutoencoder: hidden widths must be >= 1, got [8, 0]");
  mdl::MlpAutoencoder model(mdl::spheres_mlp_options());
  EXPECT_EQ(error_of([&] { model->forward(torch::zeros({4, 100})); }),
            "MlpAutoencoder::encode: expected input of shape [B, 101], got [4, 100]");
  EXPECT_EQ(error_of([&] { model->decode(torch::zeros({4, 3})); }),
            "MlpAutoencoder::decode: expected input of shape [B, 2], got [4, 3]");
  mdl::ConvAutoencoder conv;
  EXPECT_EQ(error_of([&] { conv->encode(torch::zeros({2, 784})); }),
            "ConvAutoencoder::encode: expected input of shape [B, 1, 28, 28], got [2, 784]");
}

TEST(Factory, BuildsEveryNameWithDefaults) {
  EXPECT_EQ(mdl::make_autoencoder("spheres-mlp")->input_shape(), (std::vector<std::int64_t>{101}));
  EXPECT_EQ(mdl::make_autoencoder("deep-ae")->input_shape(), (std::vector<std::int64_t>{1, 28, 28}));
  EXPECT_EQ(mdl::make_autoencoder("conv")->latent_dim(), 32);
  mdl::AutoencoderSpec spec;
  spec.input_shape = {3};
  spec.latent_dim = 2;
  spec.hidden = {8};
  const auto mlp = mdl::make_autoencoder("mlp", spec);
  EXPECT_EQ(parameter_count(*mlp), (3 * 8 + 8) + 16 + (8 * 2 + 2) + (2 * 8 + 8) + 16 + (8 * 3 + 3));
  EXPECT_EQ(parameter_count(*mdl::make_autoencoder("spheres-mlp")), 9127);
  // A spheres-mlp for other dimensions (the data generator's d + 1).
  mdl::AutoencoderSpec other;
  other.input_shape = {11};
  other.latent_dim = 3;
  const auto small = mdl::make_autoencoder("spheres-mlp", other);
  EXPECT_EQ(small->forward(torch::randn({4, 11})).latent.sizes(), torch::IntArrayRef({4, 3}));
}

TEST(Factory, RejectsUnknownNamesAndBadSizes) {
  EXPECT_EQ(error_of([] { mdl::make_autoencoder("vae"); }),
            "make_autoencoder: unknown autoencoder 'vae', expected one of spheres-mlp, deep-ae, mlp, conv");
  EXPECT_EQ(error_of([] { mdl::make_autoencoder("mlp"); }),
            "make_autoencoder: 'mlp' needs input_shape (e.g. {101}), got none");
  mdl::AutoencoderSpec spec;
  spec.hidden = {64};
  EXPECT_EQ(error_of([&] { mdl::make_autoencoder("spheres-mlp", spec); }),
            "make_autoencoder: 'spheres-mlp' has the paper's fixed layers; hidden, activation, batch_norm, "
            "norm_placement and output_activation apply to 'mlp' only");
  mdl::AutoencoderSpec conv;
  conv.input_shape = {1, 32, 32};
  EXPECT_EQ(error_of([&] { mdl::make_autoencoder("conv", conv); }),
            "make_autoencoder: 'conv' takes 28x28 images, input_shape must be {C, 28, 28}, got [B, 1, 32, 32]");
  mdl::AutoencoderSpec negative;
  negative.latent_dim = -1;
  EXPECT_EQ(error_of([&] { mdl::make_autoencoder("deep-ae", negative); }),
            "make_autoencoder: 'deep-ae' latent_dim must be >= 1, got -1");
  EXPECT_EQ(error_of([] { mdl::parse_activation("swish"); }),
            "parse_activation: unknown activation 'swish', expected one of identity, relu, leaky-relu, elu, "
            "tanh, sigmoid, gelu");
}

TEST(ArchitectureJson, RoundTripAndFieldErrors) {
  mdl::AutoencoderSpec spec;
  spec.input_shape = {1, 28, 28};
  spec.latent_dim = 3;
  spec.hidden = {100, 50};
  spec.activation = mdl::Activation::kLeakyReLU;
  spec.batch_norm = false;
  spec.norm_placement = mdl::NormPlacement::kAfterActivation;
  spec.output_activation = mdl::Activation::kTanh;
  const auto parsed = mdl::parse_autoencoder_architecture_json(mdl::autoencoder_architecture_json("mlp", spec));
  EXPECT_EQ(parsed.name, "mlp");
  EXPECT_EQ(parsed.spec.input_shape, spec.input_shape);
  EXPECT_EQ(parsed.spec.latent_dim, 3);
  EXPECT_EQ(parsed.spec.hidden, spec.hidden);
  EXPECT_EQ(parsed.spec.activation, mdl::Activation::kLeakyReLU);
  EXPECT_FALSE(parsed.spec.batch_norm);
  EXPECT_EQ(parsed.spec.norm_placement, mdl::NormPlacement::kAfterActivation);
  EXPECT_EQ(parsed.spec.output_activation, mdl::Activation::kTanh);
  EXPECT_EQ(error_of([] { mdl::parse_autoencoder_architecture_json(R"({"name": "mlp"})"); }),
            "autoencoder architecture: missing field 'input_shape'");
  EXPECT_EQ(error_of([] {
              mdl::parse_autoencoder_architecture_json(
                  R"({"name":"mlp","input_shape":"x","latent_dim":2,"hidden":[],"activation":"relu",)"
                  R"("batch_norm":true,"norm_placement":"before-activation","output_activation":"identity"})");
            }),
            "autoencoder architecture: field 'input_shape' must be an array of integers, got \"x\"");
}

namespace {

// Trains a few steps so BatchNorm running statistics differ from their initial values, then
// checks that a reloaded model gives the identical eval-mode output.
void expect_round_trip(const std::string& name, const std::vector<std::int64_t>& batch_shape) {
  torch::manual_seed(11);
  auto model = mdl::make_autoencoder(name);
  const auto x = torch::rand(batch_shape) * 2 - 1;
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-2));
  for (int step = 0; step < 3; ++step) {
    opt.zero_grad();
    torch::mse_loss(model->forward(x).reconstruction, x).backward();
    opt.step();
  }
  model->eval();
  const auto expected = model->forward(x);

  const auto dir = temp_dir("round_trip_" + name);
  const auto path = (dir / "model.pt").string();
  mdl::save_autoencoder(*model, path);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  torch::manual_seed(999);  // a fresh model would differ
  auto loaded = mdl::load_autoencoder(path);
  loaded->eval();
  EXPECT_EQ(loaded->architecture_name(), model->architecture_name());
  const auto got = loaded->forward(x);
  EXPECT_TRUE(torch::equal(got.latent, expected.latent)) << name;
  EXPECT_TRUE(torch::equal(got.reconstruction, expected.reconstruction)) << name;

  // Plain torch::save / torch::load of the module into a freshly built one.
  const auto plain = (dir / "plain.pt").string();
  torch::save(model, plain);
  auto fresh = mdl::make_autoencoder(name);
  fresh->eval();
  EXPECT_FALSE(torch::equal(fresh->forward(x).latent, expected.latent));
  torch::load(fresh, plain);
  EXPECT_TRUE(torch::equal(fresh->forward(x).reconstruction, expected.reconstruction)) << name;
  fs::remove_all(dir);
}

}  // namespace

TEST(Checkpoint, RoundTripGivesIdenticalOutputs) {
  expect_round_trip("spheres-mlp", {32, 101});
  expect_round_trip("deep-ae", {8, 1, 28, 28});
  expect_round_trip("conv", {4, 1, 28, 28});
}

TEST(Checkpoint, ClearErrors) {
  const auto dir = temp_dir("errors");
  auto model = mdl::make_autoencoder("spheres-mlp");
  const auto missing_dir = (dir / "no_such_dir" / "model.pt").string();
  const auto msg = error_of([&] { mdl::save_autoencoder(*model, missing_dir); });
  EXPECT_EQ(msg.rfind("save_autoencoder: cannot write '" + missing_dir + "'", 0), 0u) << msg;
  EXPECT_FALSE(fs::exists(missing_dir + ".tmp"));

  const auto absent = (dir / "absent.pt").string();
  EXPECT_EQ(error_of([&] { mdl::load_autoencoder(absent); }),
            "load_autoencoder: no such checkpoint file '" + absent + "'");

  const auto corrupt = (dir / "corrupt.pt").string();
  std::ofstream(corrupt) << "not a checkpoint";
  const auto corrupt_msg = error_of([&] { mdl::load_autoencoder(corrupt); });
  EXPECT_EQ(corrupt_msg.rfind("load_autoencoder: '" + corrupt + "' is not a readable checkpoint", 0), 0u)
      << corrupt_msg;

  const auto plain = (dir / "plain.pt").string();
  torch::save(model, plain);
  EXPECT_EQ(error_of([&] { mdl::load_autoencoder(plain); }),
            "load_autoencoder: '" + plain +
                "' has no topoembed architecture record (expected a file written by topoembed's save functions)");

  // Overwriting keeps a valid file (write to temporary, then rename).
  const auto path = (dir / "model.pt").string();
  mdl::save_autoencoder(*model, path);
  mdl::save_autoencoder(*model, path);
  EXPECT_EQ(mdl::load_autoencoder(path)->latent_dim(), 2);
  fs::remove_all(dir);
}

// Weights trained by PyTorch in the paper's nn.Sequential layouts (tests/models/data/make_golden.py)
// load into topoembed's models by parameter name and give the same eval-mode outputs.
TEST(PaperCrossCheck, PyTorchWeightsGiveSameOutputs) {
  for (const auto& [file, name] : std::vector<std::pair<std::string, std::string>>{
           {"spheres_mlp_golden.pt", "spheres-mlp"}, {"conv_golden.pt", "conv"}}) {
    torch::serialize::InputArchive archive;
    archive.load_from(std::string(TOPOEMBED_SOURCE_DIR) + "/tests/models/data/" + file);
    torch::serialize::InputArchive weights;
    archive.read("model", weights);
    auto model = mdl::make_autoencoder(name);
    model->load(weights);  // throws if any parameter or buffer name differs
    model->eval();
    torch::Tensor x, latent, reconstruction;
    archive.read("input", x);
    archive.read("latent", latent);
    archive.read("reconstruction", reconstruction);
    torch::NoGradGuard no_grad;
    const auto out = model->forward(x);
    EXPECT_TRUE(torch::allclose(out.latent, latent, 1e-5, 1e-6)) << name;
    EXPECT_TRUE(torch::allclose(out.reconstruction, reconstruction, 1e-5, 1e-6)) << name;
    EXPECT_GT(reconstruction.abs().sum().item<double>(), 0.0) << name;
  }
}
