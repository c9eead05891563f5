// The autoencoders: the common interface, the MLP family (the paper's Spheres model and DeepAE as
// presets), the paper's convolutional AE, the factory by name and the checkpoint format.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "detail/model_support.hpp"
#include "topoembed/models/autoencoder.hpp"
#include "topoembed/models/conv_autoencoder.hpp"
#include "topoembed/models/mlp_autoencoder.hpp"

namespace topoembed::models {

using detail::batch_shape_string;
using detail::check_batch_of;
using detail::checked_volume;
using detail::make_activation_module;

AutoencoderOutput Autoencoder::forward(const torch::Tensor& x) {
  AutoencoderOutput out;
  out.latent = encode(x);
  out.reconstruction = decode(out.latent);
  return out;
}

// ---------------------------------------------------------------------------------------------
// MLP autoencoder

MlpAutoencoderOptions::MlpAutoencoderOptions(std::vector<std::int64_t> input_shape,
                                             std::int64_t latent_dim)
    : input_shape_(std::move(input_shape)), latent_dim_(latent_dim) {}

MlpAutoencoderOptions spheres_mlp_options(std::int64_t input_dim, std::int64_t latent_dim) {
  return MlpAutoencoderOptions({input_dim}, latent_dim)
      .hidden({32, 32})
      .activation(Activation::kReLU)
      .batch_norm(true)
      .norm_placement(NormPlacement::kBeforeActivation)
      .output_activation(Activation::kIdentity);
}

MlpAutoencoderOptions deep_ae_options(std::vector<std::int64_t> image_shape, std::int64_t latent_dim) {
  return MlpAutoencoderOptions(std::move(image_shape), latent_dim)
      .hidden({1000, 500, 250})
      .activation(Activation::kReLU)
      .batch_norm(true)
      .norm_placement(NormPlacement::kAfterActivation)
      .output_activation(Activation::kTanh);
}

namespace {

// Appends one hidden block (after its Linear): [BatchNorm] activation [BatchNorm].
void append_block(torch::nn::Sequential& seq, std::int64_t width, const MlpAutoencoderOptions& o) {
  const bool has_activation = o.activation() != Activation::kIdentity;
  if (o.batch_norm() && o.norm_placement() == NormPlacement::kBeforeActivation) {
    seq->push_back(torch::nn::BatchNorm1d(width));
  }
  if (has_activation) seq->push_back(make_activation_module(o.activation()));
  if (o.batch_norm() && o.norm_placement() == NormPlacement::kAfterActivation) {
    seq->push_back(torch::nn::BatchNorm1d(width));
  }
}

}  // namespace

MlpAutoencoderImpl::MlpAutoencoderImpl(MlpAutoencoderOptions options)
    : Autoencoder("MlpAutoencoder"), options_(std::move(options)) {
  const std::int64_t input_dim = checked_volume(options_.input_shape(), "MlpAutoencoder: input_shape");
  if (options_.latent_dim() < 1) {
    throw std::invalid_argument("MlpAutoencoder: latent_dim must be >= 1, got " +
                                std::to_string(options_.latent_dim()));
  }
  for (auto h : options_.hidden()) {
    if (h < 1) {
      throw std::invalid_argument("MlpAutoencoder: hidden widths must be >= 1, got " +
                                  detail::shape_string(torch::IntArrayRef(options_.hidden())));
    }
  }
  const bool image_like = options_.input_shape().size() > 1;

  // Encoder: [Flatten] (Linear block)* Linear — the paper's View layer becomes Flatten.
  encoder_ = torch::nn::Sequential();
  if (image_like) encoder_->push_back(torch::nn::Flatten());
  std::int64_t in = input_dim;
  for (auto h : options_.hidden()) {
    encoder_->push_back(torch::nn::Linear(in, h));
    append_block(encoder_, h, options_);
    in = h;
  }
  encoder_->push_back(torch::nn::Linear(in, options_.latent_dim()));

  // Decoder mirrored: (Linear block)* Linear [Unflatten] [output activation].
  decoder_ = torch::nn::Sequential();
  in = options_.latent_dim();
  for (auto it = options_.hidden().rbegin(); it != options_.hidden().rend(); ++it) {
    decoder_->push_back(torch::nn::Linear(in, *it));
    append_block(decoder_, *it, options_);
    in = *it;
  }
  decoder_->push_back(torch::nn::Linear(in, input_dim));
  if (image_like) {
    decoder_->push_back(torch::nn::Unflatten(torch::nn::UnflattenOptions(1, options_.input_shape())));
  }
  if (options_.output_activation() != Activation::kIdentity) {
    decoder_->push_back(make_activation_module(options_.output_activation()));
  }
  register_module("encoder", encoder_);
  register_module("decoder", decoder_);
}

torch::Tensor MlpAutoencoderImpl::encode(const torch::Tensor& x) {
  check_batch_of(x, options_.input_shape(), "MlpAutoencoder::encode");
  return encoder_->forward(x);
}

torch::Tensor MlpAutoencoderImpl::decode(const torch::Tensor& z) {
  check_batch_of(z, {options_.latent_dim()}, "MlpAutoencoder::decode");
  return decoder_->forward(z);
}

AutoencoderSpec MlpAutoencoderImpl::spec() const {
  AutoencoderSpec s;
  s.input_shape = options_.input_shape();
  s.latent_dim = options_.latent_dim();
  s.hidden = options_.hidden();
  s.activation = options_.activation();
  s.batch_norm = options_.batch_norm();
  s.norm_placement = options_.norm_placement();
  s.output_activation = options_.output_activation();
  return s;
}

// ---------------------------------------------------------------------------------------------
// Convolutional autoencoder

ConvAutoencoderImpl::ConvAutoencoderImpl(ConvAutoencoderOptions options)
    : Autoencoder("ConvAutoencoder"), options_(options) {
  using namespace torch::nn;
  const std::int64_t c = options_.in_channels();
  if (c < 1) {
    throw std::invalid_argument("ConvAutoencoder: in_channels must be >= 1, got " + std::to_string(c));
  }
  encoder_ = Sequential(Conv2d(Conv2dOptions(c, 16, 3).stride(3).padding(1)),  // 16×10×10
                        ReLU(),
                        MaxPool2d(MaxPool2dOptions(2).stride(2)),               // 16×5×5
                        Conv2d(Conv2dOptions(16, 8, 3).stride(2).padding(1)),   // 8×3×3
                        ReLU(),
                        MaxPool2d(MaxPool2dOptions(2).stride(1)));              // 8×2×2
  decoder_ = Sequential(ConvTranspose2d(ConvTranspose2dOptions(8, 16, 3).stride(2)),             // 16×5×5
                        ReLU(),
                        ConvTranspose2d(ConvTranspose2dOptions(16, 8, 5).stride(3).padding(1)),  // 8×15×15
                        ReLU(),
                        ConvTranspose2d(ConvTranspose2dOptions(8, c, 2).stride(2).padding(1)),   // C×28×28
                        Tanh());
  register_module("encoder", encoder_);
  register_module("decoder", decoder_);
}

std::vector<std::int64_t> ConvAutoencoderImpl::input_shape() const {
  return {options_.in_channels(), kConvImageSize, kConvImageSize};
}

torch::Tensor ConvAutoencoderImpl::encode(const torch::Tensor& x) {
  check_batch_of(x, input_shape(), "ConvAutoencoder::encode");
  return encoder_->forward(x).flatten(1);
}

torch::Tensor ConvAutoencoderImpl::decode(const torch::Tensor& z) {
  if (z.defined() && z.dim() == 4) {
    check_batch_of(z, {8, 2, 2}, "ConvAutoencoder::decode");
    return decoder_->forward(z);
  }
  check_batch_of(z, {kConvLatentDim}, "ConvAutoencoder::decode");
  return decoder_->forward(z.view({z.size(0), 8, 2, 2}));
}

AutoencoderSpec ConvAutoencoderImpl::spec() const {
  AutoencoderSpec s;
  s.input_shape = input_shape();
  s.latent_dim = kConvLatentDim;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Factory

std::vector<std::string> autoencoder_names() { return {"spheres-mlp", "deep-ae", "mlp", "conv"}; }

namespace {

void require_fixed_layers(const std::string& name, const AutoencoderSpec& spec) {
  const AutoencoderSpec defaults;
  if (!spec.hidden.empty() || spec.activation != defaults.activation ||
      spec.batch_norm != defaults.batch_norm || spec.norm_placement != defaults.norm_placement ||
      spec.output_activation != defaults.output_activation) {
    throw std::invalid_argument("make_autoencoder: '" + name +
                                "' has the paper's fixed layers; hidden, activation, batch_norm, "
                                "norm_placement and output_activation apply to 'mlp' only");
  }
}

std::int64_t latent_or_default(const AutoencoderSpec& spec, const std::string& name) {
  if (spec.latent_dim < 0) {
    throw std::invalid_argument("make_autoencoder: '" + name + "' latent_dim must be >= 1, got " +
                                std::to_string(spec.latent_dim));
  }
  return spec.latent_dim == 0 ? 2 : spec.latent_dim;
}

}  // namespace

std::shared_ptr<Autoencoder> make_autoencoder(const std::string& name, const AutoencoderSpec& spec) {
  if (name == "spheres-mlp") {
    require_fixed_layers(name, spec);
    if (spec.input_shape.size() > 1) {
      throw std::invalid_argument("make_autoencoder: 'spheres-mlp' takes vectors, input_shape must "
                                  "have one entry, got " + batch_shape_string(spec.input_shape));
    }
    const std::int64_t input_dim = spec.input_shape.empty() ? 101 : spec.input_shape[0];
    return MlpAutoencoder(spheres_mlp_options(input_dim, latent_or_default(spec, name))).ptr();
  }
  if (name == "deep-ae") {
    require_fixed_layers(name, spec);
    const auto shape = spec.input_shape.empty() ? std::vector<std::int64_t>{1, 28, 28} : spec.input_shape;
    return MlpAutoencoder(deep_ae_options(shape, latent_or_default(spec, name))).ptr();
  }
  if (name == "mlp") {
    if (spec.input_shape.empty()) {
      throw std::invalid_argument("make_autoencoder: 'mlp' needs input_shape (e.g. {101}), got none");
    }
    auto options = MlpAutoencoderOptions(spec.input_shape, latent_or_default(spec, name))
                       .activation(spec.activation)
                       .batch_norm(spec.batch_norm)
                       .norm_placement(spec.norm_placement)
                       .output_activation(spec.output_activation);
    if (!spec.hidden.empty()) options.hidden(spec.hidden);
    return MlpAutoencoder(options).ptr();
  }
  if (name == "conv") {
    require_fixed_layers(name, spec);
    std::int64_t channels = 1;
    if (!spec.input_shape.empty()) {
      if (spec.input_shape.size() != 3 || spec.input_shape[1] != kConvImageSize ||
          spec.input_shape[2] != kConvImageSize) {
        throw std::invalid_argument("make_autoencoder: 'conv' takes 28x28 images, input_shape must "
                                    "be {C, 28, 28}, got " + batch_shape_string(spec.input_shape));
      }
      channels = spec.input_shape[0];
    }
    if (spec.latent_dim != 0 && spec.latent_dim != kConvLatentDim) {
      throw std::invalid_argument("make_autoencoder: 'conv' has a fixed latent_dim of 32 (8x2x2), got " +
                                  std::to_string(spec.latent_dim));
    }
    return ConvAutoencoder(ConvAutoencoderOptions().in_channels(channels)).ptr();
  }
  std::string known;
  for (const auto& n : autoencoder_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("make_autoencoder: unknown autoencoder '" + name + "', expected one of " + known);
}

// ---------------------------------------------------------------------------------------------
// Architecture JSON and checkpoints

namespace {

std::string norm_placement_name(NormPlacement p) {
  return p == NormPlacement::kBeforeActivation ? "before-activation" : "after-activation";
}

NormPlacement parse_norm_placement(const std::string& s) {
  if (s == "before-activation") return NormPlacement::kBeforeActivation;
  if (s == "after-activation") return NormPlacement::kAfterActivation;
  throw std::invalid_argument("autoencoder architecture: norm_placement must be 'before-activation' "
                              "or 'after-activation', got '" + s + "'");
}

template <class T>
T field(const nlohmann::json& j, const char* key, const char* expected) {
  if (!j.contains(key)) {
    throw std::invalid_argument(std::string("autoencoder architecture: missing field '") + key + "'");
  }
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument(std::string("autoencoder architecture: field '") + key + "' must be " +
                                expected + ", got " + j.at(key).dump());
  }
}

}  // namespace

std::string autoencoder_architecture_json(const std::string& name, const AutoencoderSpec& spec) {
  nlohmann::json j;
  j["name"] = name;
  j["input_shape"] = spec.input_shape;
  j["latent_dim"] = spec.latent_dim;
  j["hidden"] = spec.hidden;
  j["activation"] = activation_name(spec.activation);
  j["batch_norm"] = spec.batch_norm;
  j["norm_placement"] = norm_placement_name(spec.norm_placement);
  j["output_activation"] = activation_name(spec.output_activation);
  return j.dump();
}

AutoencoderArchitecture parse_autoencoder_architecture_json(const std::string& json_text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(std::string("autoencoder architecture: invalid JSON: ") + e.what());
  }
  if (!j.is_object()) {
    throw std::invalid_argument("autoencoder architecture: expected a JSON object, got " + j.dump());
  }
  AutoencoderArchitecture a;
  a.name = field<std::string>(j, "name", "a string");
  a.spec.input_shape = field<std::vector<std::int64_t>>(j, "input_shape", "an array of integers");
  a.spec.latent_dim = field<std::int64_t>(j, "latent_dim", "an integer");
  a.spec.hidden = field<std::vector<std::int64_t>>(j, "hidden", "an array of integers");
  a.spec.activation = parse_activation(field<std::string>(j, "activation", "a string"));
  a.spec.batch_norm = field<bool>(j, "batch_norm", "a boolean");
  a.spec.norm_placement = parse_norm_placement(field<std::string>(j, "norm_placement", "a string"));
  a.spec.output_activation = parse_activation(field<std::string>(j, "output_activation", "a string"));
  return a;
}

void save_autoencoder(const Autoencoder& model, const std::string& path) {
  detail::write_checkpoint(model, "autoencoder",
                           autoencoder_architecture_json(model.architecture_name(), model.spec()),
                           path, "save_autoencoder");
}

std::shared_ptr<Autoencoder> load_autoencoder(const std::string& path) {
  torch::serialize::InputArchive weights;
  const std::string json = detail::read_checkpoint(path, "autoencoder", "load_autoencoder", weights);
  AutoencoderArchitecture architecture;
  std::shared_ptr<Autoencoder> model;
  try {
    architecture = parse_autoencoder_architecture_json(json);
    model = make_autoencoder(architecture.name, architecture.spec);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("load_autoencoder: '" + path + "' has an invalid architecture: " + e.what());
  }
  detail::load_weights(*model, weights, path, "load_autoencoder");
  return model;
}

}  // namespace topoembed::models
