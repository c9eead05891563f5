// Activation modules, shape checks and atomic checkpoint files shared by the models.
#include "detail/model_support.hpp"

#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace topoembed::models {

Activation parse_activation(const std::string& name) {
  if (name == "identity" || name == "none") return Activation::kIdentity;
  if (name == "relu") return Activation::kReLU;
  if (name == "leaky-relu") return Activation::kLeakyReLU;
  if (name == "elu") return Activation::kELU;
  if (name == "tanh") return Activation::kTanh;
  if (name == "sigmoid") return Activation::kSigmoid;
  if (name == "gelu") return Activation::kGELU;
  throw std::invalid_argument("parse_activation: unknown activation '" + name +
                              "', expected one of identity, relu, leaky-relu, elu, tanh, sigmoid, gelu");
}

std::string activation_name(Activation activation) {
  switch (activation) {
    case Activation::kIdentity: return "identity";
    case Activation::kReLU: return "relu";
    case Activation::kLeakyReLU: return "leaky-relu";
    case Activation::kELU: return "elu";
    case Activation::kTanh: return "tanh";
    case Activation::kSigmoid: return "sigmoid";
    case Activation::kGELU: return "gelu";
  }
  throw std::invalid_argument("activation_name: invalid Activation value " +
                              std::to_string(static_cast<int>(activation)));
}

namespace detail {

torch::nn::AnyModule make_activation_module(Activation activation) {
  switch (activation) {
    case Activation::kIdentity: return torch::nn::AnyModule(torch::nn::Identity());
    case Activation::kReLU: return torch::nn::AnyModule(torch::nn::ReLU());
    case Activation::kLeakyReLU: return torch::nn::AnyModule(torch::nn::LeakyReLU());
    case Activation::kELU: return torch::nn::AnyModule(torch::nn::ELU());
    case Activation::kTanh: return torch::nn::AnyModule(torch::nn::Tanh());
    case Activation::kSigmoid: return torch::nn::AnyModule(torch::nn::Sigmoid());
    case Activation::kGELU: return torch::nn::AnyModule(torch::nn::GELU());
  }
  throw std::invalid_argument("make_activation_module: invalid Activation value " +
                              std::to_string(static_cast<int>(activation)));
}

torch::Tensor apply_activation(Activation activation, const torch::Tensor& x) {
  switch (activation) {
    case Activation::kIdentity: return x;
    case Activation::kReLU: return torch::relu(x);
    case Activation::kLeakyReLU: return torch::leaky_relu(x, 0.01);
    case Activation::kELU: return torch::elu(x);
    case Activation::kTanh: return torch::tanh(x);
    case Activation::kSigmoid: return torch::sigmoid(x);
    case Activation::kGELU: return torch::gelu(x);
  }
  throw std::invalid_argument("apply_activation: invalid Activation value " +
                              std::to_string(static_cast<int>(activation)));
}

std::string batch_shape_string(const std::vector<std::int64_t>& sample_shape) {
  std::ostringstream out;
  out << "[B";
  for (auto s : sample_shape) out << ", " << s;
  out << "]";
  return out.str();
}

std::string shape_string(torch::IntArrayRef sizes) {
  std::ostringstream out;
  out << "[";
  for (std::size_t i = 0; i < sizes.size(); ++i) out << (i ? ", " : "") << sizes[i];
  out << "]";
  return out.str();
}

std::int64_t checked_volume(const std::vector<std::int64_t>& shape, const std::string& what) {
  if (shape.empty()) throw std::invalid_argument(what + " must not be empty");
  std::int64_t volume = 1;
  for (auto s : shape) {
    if (s < 1) {
      throw std::invalid_argument(what + " entries must be >= 1, got " +
                                  shape_string(torch::IntArrayRef(shape)));
    }
    volume *= s;
  }
  return volume;
}

void check_batch_of(const torch::Tensor& x, const std::vector<std::int64_t>& sample_shape,
                    const std::string& op) {
  bool ok = x.defined() && x.dim() == static_cast<std::int64_t>(sample_shape.size()) + 1;
  for (std::size_t i = 0; ok && i < sample_shape.size(); ++i) {
    ok = x.size(static_cast<std::int64_t>(i) + 1) == sample_shape[i];
  }
  if (!ok) {
    throw std::invalid_argument(op + ": expected input of shape " +
                                batch_shape_string(sample_shape) + ", got " +
                                (x.defined() ? shape_string(x.sizes()) : std::string("an undefined tensor")));
  }
}

namespace {
constexpr const char* kKindKey = "topoembed_kind";
constexpr const char* kArchitectureKey = "topoembed_architecture";
constexpr const char* kWeightsKey = "model";
constexpr const char* kDtypeKey = "topoembed_dtype";

std::string dtype_name(c10::ScalarType t) {
  switch (t) {
    case c10::ScalarType::Float: return "float32";
    case c10::ScalarType::Double: return "float64";
    case c10::ScalarType::Half: return "float16";
    case c10::ScalarType::BFloat16: return "bfloat16";
    default: return c10::toString(t);
  }
}

std::optional<c10::ScalarType> dtype_of_name(const std::string& name) {
  for (const auto t : {c10::ScalarType::Float, c10::ScalarType::Double, c10::ScalarType::Half,
                       c10::ScalarType::BFloat16})
    if (dtype_name(t) == name) return t;
  return std::nullopt;
}

// The one floating-point type of the model's parameters and buffers (float32 for a model without
// any); throws when they mix types, which one recorded type could not restore.
c10::ScalarType model_dtype(const torch::nn::Module& model, const std::string& op) {
  std::optional<c10::ScalarType> dtype;
  auto visit = [&](const torch::Tensor& t) {
    if (!t.defined() || !t.is_floating_point()) return;
    if (dtype && *dtype != t.scalar_type())
      throw std::invalid_argument(op + ": the model mixes " + dtype_name(*dtype) + " and " +
                                  dtype_name(t.scalar_type()) +
                                  " tensors; expected one floating-point type (convert it with .to(dtype))");
    dtype = t.scalar_type();
  };
  for (const auto& p : model.parameters()) visit(p);
  for (const auto& b : model.buffers()) visit(b);
  return dtype.value_or(c10::ScalarType::Float);
}
}  // namespace

void write_checkpoint(const torch::nn::Module& model, const std::string& kind,
                      const std::string& architecture_json, const std::string& path,
                      const std::string& op) {
  if (path.empty()) throw std::invalid_argument(op + ": empty output path");
  torch::serialize::OutputArchive archive;
  archive.write(kKindKey, c10::IValue(kind));
  archive.write(kArchitectureKey, c10::IValue(architecture_json));
  const auto dtype = model_dtype(model, op);
  torch::serialize::OutputArchive weights;
  model.save(weights);
  weights.write(kDtypeKey, c10::IValue(dtype_name(dtype)));
  archive.write(kWeightsKey, weights);
  const std::string tmp = path + ".tmp";
  try {
    archive.save_to(tmp);
  } catch (const c10::Error& e) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error(op + ": cannot write '" + path + "': " + e.what_without_backtrace());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error(op + ": cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
  }
}

std::string read_checkpoint(const std::string& path, const std::string& kind, const std::string& op,
                            torch::serialize::InputArchive& weights) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw std::runtime_error(op + ": no such checkpoint file '" + path + "'");
  }
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    throw std::runtime_error(op + ": '" + path + "' is not a readable checkpoint (" +
                             e.what_without_backtrace() + ")");
  }
  c10::IValue kind_value;
  c10::IValue architecture;
  if (!archive.try_read(kKindKey, kind_value) || !kind_value.isString() ||
      !archive.try_read(kArchitectureKey, architecture) || !architecture.isString()) {
    throw std::runtime_error(op + ": '" + path +
                             "' has no topoembed architecture record (expected a file written by "
                             "topoembed's save functions)");
  }
  if (kind_value.toStringRef() != kind) {
    throw std::runtime_error(op + ": '" + path + "' is a checkpoint of kind '" +
                             kind_value.toStringRef() + "', expected '" + kind + "'");
  }
  if (!archive.try_read(kWeightsKey, weights)) {
    throw std::runtime_error(op + ": '" + path + "' has no model weights");
  }
  return architecture.toStringRef();
}

void load_weights(torch::nn::Module& model, torch::serialize::InputArchive& weights,
                  const std::string& path, const std::string& op) {
  c10::IValue name;
  if (weights.try_read(kDtypeKey, name)) {  // files written before the type was recorded: as built
    const auto stored = name.isString() ? dtype_of_name(name.toStringRef()) : std::nullopt;
    if (!stored)
      throw std::runtime_error(op + ": '" + path + "' records the weight type " +
                               (name.isString() ? "'" + name.toStringRef() + "'" : std::string("(not a string)")) +
                               ", expected float32, float64, float16 or bfloat16");
    if (model_dtype(model, op) != *stored) model.to(*stored);
  }
  try {
    model.load(weights);
  } catch (const c10::Error& e) {
    throw std::runtime_error(op + ": weights in '" + path + "' do not match the architecture (" +
                             e.what_without_backtrace() + ")");
  }
}

}  // namespace detail
}  // namespace topoembed::models
