// The atlas model (Korman): chart-wise layers, the Atlas module, the atlas distance, the prior
// discriminator and the atlas checkpoint format.
#include <nlohmann/json.hpp>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <stdexcept>
#include <utility>

#include "detail/model_support.hpp"
#include "topoembed/models/atlas.hpp"
#include "topoembed/models/atlas_discriminator.hpp"
#include "topoembed/models/atlas_distance.hpp"
#include "topoembed/models/chartwise_linear.hpp"

namespace topoembed::models {

using detail::apply_activation;
using detail::check_batch_of;
using detail::shape_string;

namespace {

void check_arg(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

// A stack of chart-wise layers: `hidden` between layers, `last` after the last one. `layer(L, h)`
// runs one layer — all k charts at once, or one chart's slice of the weights (decode_chart).
template <class Layer>
torch::Tensor run_chartwise_stack(const std::vector<ChartwiseLinear>& layers, torch::Tensor h, Activation hidden,
                                  Activation last, Layer layer) {
  for (std::size_t l = 0; l < layers.size(); ++l) {
    h = apply_activation(l + 1 < layers.size() ? hidden : last, layer(layers[l], h));
  }
  return h;
}

torch::Tensor all_charts(ChartwiseLinear layer, const torch::Tensor& h) { return layer->forward(h); }

std::string sizes_of(const torch::Tensor& t) {
  return t.defined() ? shape_string(t.sizes()) : std::string("an undefined tensor");
}

void check_widths(const std::vector<std::int64_t>& widths, const std::string& what) {
  for (auto w : widths) {
    check_arg(w >= 1, what + " widths must be >= 1, got " + shape_string(torch::IntArrayRef(widths)));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Chart-wise linear layer

ChartwiseLinearImpl::ChartwiseLinearImpl(ChartwiseLinearOptions options) : options_(options) {
  check_arg(options_.charts() >= 1, "ChartwiseLinear: charts must be >= 1, got " +
                                        std::to_string(options_.charts()));
  check_arg(options_.in_features() >= 1 && options_.out_features() >= 1,
            "ChartwiseLinear: in_features and out_features must be >= 1, got " +
                std::to_string(options_.in_features()) + " and " + std::to_string(options_.out_features()));
  weight = register_parameter(
      "weight", torch::empty({options_.charts(), options_.in_features(), options_.out_features()}));
  bias = register_parameter("bias", torch::empty({options_.charts(), 1, options_.out_features()}));
  reset_parameters();
}

void ChartwiseLinearImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(options_.in_features()));
  weight.uniform_(-bound, bound);
  bias.uniform_(-bound, bound);
}

torch::Tensor ChartwiseLinearImpl::forward(const torch::Tensor& x) {
  const auto k = options_.charts();
  check_arg(x.defined() && x.dim() == 3 && (x.size(0) == k || x.size(0) == 1) &&
                x.size(2) == options_.in_features(),
            "ChartwiseLinear: expected input of shape [" + std::to_string(k) + " or 1, B, " +
                std::to_string(options_.in_features()) + "], got " + sizes_of(x));
  const auto input = x.size(0) == k ? x : x.expand({k, x.size(1), x.size(2)});
  return torch::baddbmm(bias, input, weight);
}

// ---------------------------------------------------------------------------------------------
// Atlas

AtlasOptions::AtlasOptions(std::vector<std::int64_t> input_shape, std::int64_t charts,
                           std::int64_t chart_dim)
    : input_shape_(std::move(input_shape)), charts_(charts), chart_dim_(chart_dim) {}

void validate(const AtlasOptions& o) {
  check_arg(o.charts() >= 1, "AtlasOptions: charts (k) must be >= 1, got " + std::to_string(o.charts()));
  check_arg(o.chart_dim() >= 1,
            "AtlasOptions: chart_dim (d) must be >= 1, got " + std::to_string(o.chart_dim()));
  detail::checked_volume(o.input_shape(), "AtlasOptions: input_shape");
  check_widths(o.trunk(), "AtlasOptions: trunk");
  check_widths(o.chart_encoder_hidden(), "AtlasOptions: chart_encoder_hidden");
  check_widths(o.chart_decoder_hidden(), "AtlasOptions: chart_decoder_hidden");
  check_arg(o.membership_temperature() > 0 && std::isfinite(o.membership_temperature()),
            "AtlasOptions: membership_temperature must be a finite value > 0, got " +
                std::to_string(o.membership_temperature()));
}

AtlasImpl::AtlasImpl(AtlasOptions options) : torch::nn::Module("Atlas"), options_(std::move(options)) {
  validate(options_);
  input_dim_ = detail::checked_volume(options_.input_shape(), "AtlasOptions: input_shape");
  const auto k = options_.charts();
  const auto d = options_.chart_dim();

  // Shared trunk: [Flatten] (Linear activation [BatchNorm])*.
  trunk_ = torch::nn::Sequential();
  if (options_.input_shape().size() > 1) trunk_->push_back(torch::nn::Flatten());
  std::int64_t in = input_dim_;
  for (auto h : options_.trunk()) {
    trunk_->push_back(torch::nn::Linear(in, h));
    if (options_.activation() != Activation::kIdentity) {
      trunk_->push_back(detail::make_activation_module(options_.activation()));
    }
    if (options_.batch_norm()) trunk_->push_back(torch::nn::BatchNorm1d(h));
    in = h;
  }
  register_module("trunk", trunk_);
  if (options_.membership() == AtlasMembership::kNetwork) {
    membership_head_ = register_module("membership_head", torch::nn::Linear(in, k));
  } else {
    centres_ = register_parameter("membership_centres", torch::zeros({k, input_dim_}));
  }

  // k chart encoders φ_i and k chart decoders ψ_i as chart-wise layers.
  std::int64_t width = in;
  auto encoder_widths = options_.chart_encoder_hidden();
  encoder_widths.push_back(d);
  for (std::size_t l = 0; l < encoder_widths.size(); ++l) {
    chart_encoders_.push_back(register_module(
        "chart_encoder_" + std::to_string(l), ChartwiseLinear(ChartwiseLinearOptions(k, width, encoder_widths[l]))));
    width = encoder_widths[l];
  }
  width = d;
  auto decoder_widths = options_.chart_decoder_hidden();
  decoder_widths.push_back(input_dim_);
  for (std::size_t l = 0; l < decoder_widths.size(); ++l) {
    chart_decoders_.push_back(register_module(
        "chart_decoder_" + std::to_string(l), ChartwiseLinear(ChartwiseLinearOptions(k, width, decoder_widths[l]))));
    width = decoder_widths[l];
  }
}

AtlasEncoding AtlasImpl::encode(const torch::Tensor& x) {
  check_batch_of(x, options_.input_shape(), "Atlas::encode");
  const auto h = trunk_->is_empty() ? x : trunk_->forward(x);
  AtlasEncoding e;
  if (options_.membership() == AtlasMembership::kNetwork) {
    e.membership_logits = membership_head_->forward(h);
  } else {
    const auto flat = x.reshape({x.size(0), -1}).to(centres_.dtype());
    const auto sq = (flat.unsqueeze(1) - centres_.unsqueeze(0)).pow(2).sum(2);  // [B, k]
    e.membership_logits = -sq / options_.membership_temperature();
  }
  e.membership = torch::softmax(e.membership_logits, 1);
  // h [1, B, H] is broadcast to every chart by the first layer; the sigmoid maps into [0,1]^d.
  e.coords = run_chartwise_stack(chart_encoders_, h.unsqueeze(0), options_.activation(), Activation::kSigmoid, all_charts)
                 .transpose(0, 1)
                 .contiguous();  // [B, k, d]
  return e;
}

torch::Tensor AtlasImpl::decode(const torch::Tensor& coords) {
  check_batch_of(coords, {charts(), chart_dim()}, "Atlas::decode");
  return run_chartwise_stack(chart_decoders_, coords.transpose(0, 1), options_.activation(),
                             options_.output_activation(), all_charts)
      .transpose(0, 1)
      .contiguous();
}

torch::Tensor AtlasImpl::decode_chart(std::int64_t chart, const torch::Tensor& coords) {
  check_arg(chart >= 0 && chart < charts(), "Atlas::decode_chart: chart must be in [0, " +
                                                std::to_string(charts()) + "), got " + std::to_string(chart));
  check_batch_of(coords, {chart_dim()}, "Atlas::decode_chart");
  return run_chartwise_stack(chart_decoders_, coords, options_.activation(), options_.output_activation(),
                             [chart](const ChartwiseLinear& layer, const torch::Tensor& h) {
                               return torch::addmm(layer->bias[chart], h, layer->weight[chart]);
                             });
}

AtlasOutput AtlasImpl::forward(const torch::Tensor& x) {
  auto e = encode(x);
  AtlasOutput out;
  out.membership_logits = e.membership_logits;
  out.membership = e.membership;
  out.coords = e.coords;
  out.reconstructions = decode(e.coords);
  return out;
}

torch::Tensor chart_grid(std::int64_t side, std::int64_t chart_dim) {
  check_arg(side >= 1, "chart_grid: side must be >= 1, got " + std::to_string(side));
  check_arg(chart_dim >= 1, "chart_grid: chart_dim (d) must be >= 1, got " + std::to_string(chart_dim));
  std::int64_t count = 1;
  for (std::int64_t i = 0; i < chart_dim; ++i) {
    check_arg(count <= (std::int64_t{1} << 24) / side,
              "chart_grid: side^d must be <= 2^24 points, got side " + std::to_string(side) + " and d " +
                  std::to_string(chart_dim));
    count *= side;
  }
  const auto axis = (torch::arange(side, torch::kFloat) + 0.5) / static_cast<double>(side);
  // Coordinate j of point p is axis[(p / side^j) % side].
  const auto index = torch::arange(count, torch::kLong);
  std::vector<torch::Tensor> columns;
  std::int64_t stride = 1;
  for (std::int64_t j = 0; j < chart_dim; ++j) {
    columns.push_back(axis.index_select(0, torch::floor_divide(index, stride).remainder(side)));
    stride *= side;
  }
  return torch::stack(columns, 1);
}

// ---------------------------------------------------------------------------------------------
// Atlas distance

torch::Tensor atlas_distance(const torch::Tensor& membership_x, const torch::Tensor& coords_x,
                             const torch::Tensor& membership_y, const torch::Tensor& coords_y,
                             const AtlasDistanceOptions& options) {
  const std::string op = "atlas_distance";
  check_arg(membership_x.defined() && membership_x.dim() == 2,
            op + ": expected membership_x of shape [B, k], got " + sizes_of(membership_x));
  check_arg(membership_y.defined() && membership_y.dim() == 2,
            op + ": expected membership_y of shape [M, k], got " + sizes_of(membership_y));
  const auto b = membership_x.size(0);
  const auto m = membership_y.size(0);
  const auto k = membership_x.size(1);
  check_arg(membership_y.size(1) == k, op + ": membership_x has " + std::to_string(k) +
                                           " charts but membership_y has " + std::to_string(membership_y.size(1)));
  check_arg(coords_x.defined() && coords_x.dim() == 3 && coords_x.size(0) == b && coords_x.size(1) == k,
            op + ": expected coords_x of shape [" + std::to_string(b) + ", " + std::to_string(k) +
                ", d], got " + sizes_of(coords_x));
  const auto d = coords_x.size(2);
  check_arg(coords_y.defined() && coords_y.dim() == 3 && coords_y.size(0) == m && coords_y.size(1) == k &&
                coords_y.size(2) == d,
            op + ": expected coords_y of shape [" + std::to_string(m) + ", " + std::to_string(k) + ", " +
                std::to_string(d) + "], got " + sizes_of(coords_y));
  check_arg(options.tolerance() >= 0, op + ": tolerance must be >= 0, got " + std::to_string(options.tolerance()));
  check_arg(!std::isnan(options.cap()), op + ": cap must not be NaN");

  auto harden = [k](const torch::Tensor& q) {
    return torch::one_hot(q.argmax(1), k).to(q.scalar_type());
  };
  const auto qx = options.hard() ? harden(membership_x) : membership_x;
  const auto qy = options.hard() ? harden(membership_y) : membership_y;
  // w[i, a, b] = q_i(x_a) q_i(y_b); dist[i, a, b] = ‖φ_i(x_a) − φ_i(y_b)‖ (exact differences, no
  // matrix-product shortcut, so identical points give exactly 0 and a zero gradient).
  const auto w = qx.t().unsqueeze(2) * qy.t().unsqueeze(1);
  const auto dist = torch::cdist(coords_x.transpose(0, 1), coords_y.transpose(0, 1), 2.0, 2);
  const auto numerator = (w * dist).sum(0);
  const auto denominator = w.sum(0);
  const auto shared = denominator >= options.tolerance();
  // Division only where a chart is shared; elsewhere divide by 1 so no inf/NaN reaches autograd.
  const auto safe_denominator = torch::where(shared, denominator, torch::ones_like(denominator));
  return torch::where(shared, numerator / safe_denominator, torch::full_like(numerator, options.cap()));
}

torch::Tensor atlas_distance(const torch::Tensor& membership, const torch::Tensor& coords,
                             const AtlasDistanceOptions& options) {
  return atlas_distance(membership, coords, membership, coords, options);
}

// ---------------------------------------------------------------------------------------------
// Prior discriminator and prior samples

AtlasDiscriminatorOptions::AtlasDiscriminatorOptions(std::int64_t charts, std::int64_t chart_dim)
    : charts_(charts), chart_dim_(chart_dim) {}

AtlasDiscriminatorImpl::AtlasDiscriminatorImpl(AtlasDiscriminatorOptions options)
    : torch::nn::Module("AtlasDiscriminator"), options_(std::move(options)) {
  check_arg(options_.charts() >= 1,
            "AtlasDiscriminator: charts (k) must be >= 1, got " + std::to_string(options_.charts()));
  check_arg(options_.chart_dim() >= 1,
            "AtlasDiscriminator: chart_dim (d) must be >= 1, got " + std::to_string(options_.chart_dim()));
  check_widths(options_.hidden(), "AtlasDiscriminator: hidden");
  net_ = torch::nn::Sequential();
  std::int64_t in = options_.charts() + options_.chart_dim();
  for (auto h : options_.hidden()) {
    net_->push_back(torch::nn::Linear(in, h));
    net_->push_back(torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(options_.negative_slope())));
    in = h;
  }
  net_->push_back(torch::nn::Linear(in, 1));
  register_module("net", net_);
}

torch::Tensor AtlasDiscriminatorImpl::forward(const torch::Tensor& chart, const torch::Tensor& coords) {
  check_batch_of(chart, {options_.charts()}, "AtlasDiscriminator: chart");
  check_batch_of(coords, {options_.chart_dim()}, "AtlasDiscriminator: coords");
  check_arg(chart.size(0) == coords.size(0), "AtlasDiscriminator: chart has " + std::to_string(chart.size(0)) +
                                                 " rows but coords has " + std::to_string(coords.size(0)));
  return net_->forward(torch::cat({chart.to(coords.scalar_type()), coords}, 1)).squeeze(1);
}

AtlasPriorSample sample_atlas_prior(std::int64_t n, std::int64_t charts, std::int64_t chart_dim,
                                    std::uint64_t seed) {
  check_arg(n >= 0, "sample_atlas_prior: n must be >= 0, got " + std::to_string(n));
  check_arg(charts >= 1, "sample_atlas_prior: charts (k) must be >= 1, got " + std::to_string(charts));
  check_arg(chart_dim >= 1, "sample_atlas_prior: chart_dim (d) must be >= 1, got " + std::to_string(chart_dim));
  auto generator = at::detail::createCPUGenerator(seed);
  AtlasPriorSample s;
  s.chart_index = torch::randint(0, charts, {n}, generator, torch::kLong);
  s.chart_one_hot = torch::one_hot(s.chart_index, charts).to(torch::kFloat);
  s.coords = torch::rand({n, chart_dim}, generator, torch::kFloat);
  return s;
}

torch::Tensor select_chart_coords(const torch::Tensor& coords, const torch::Tensor& chart_index) {
  check_arg(coords.defined() && coords.dim() == 3,
            "select_chart_coords: expected coords of shape [B, k, d], got " + sizes_of(coords));
  const auto b = coords.size(0);
  check_arg(chart_index.defined() && chart_index.dim() == 1 && chart_index.size(0) == b &&
                chart_index.scalar_type() == torch::kLong,
            "select_chart_coords: expected chart_index of shape [" + std::to_string(b) +
                "] and type int64, got " + sizes_of(chart_index));
  if (b > 0) {
    check_arg(chart_index.min().item<std::int64_t>() >= 0 &&
                  chart_index.max().item<std::int64_t>() < coords.size(1),
              "select_chart_coords: chart_index entries must be in [0, " + std::to_string(coords.size(1)) + ")");
  }
  const auto index = chart_index.view({b, 1, 1}).expand({b, 1, coords.size(2)});
  return coords.gather(1, index).squeeze(1);
}

// ---------------------------------------------------------------------------------------------
// Options JSON and checkpoints

namespace {

template <class T>
T atlas_field(const nlohmann::json& j, const char* key, const char* expected) {
  if (!j.contains(key)) throw std::invalid_argument(std::string("atlas options: missing field '") + key + "'");
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument(std::string("atlas options: field '") + key + "' must be " + expected +
                                ", got " + j.at(key).dump());
  }
}

}  // namespace

std::string atlas_options_json(const AtlasOptions& o) {
  nlohmann::json j;
  j["input_shape"] = o.input_shape();
  j["charts"] = o.charts();
  j["chart_dim"] = o.chart_dim();
  j["trunk"] = o.trunk();
  j["chart_encoder_hidden"] = o.chart_encoder_hidden();
  j["chart_decoder_hidden"] = o.chart_decoder_hidden();
  j["activation"] = activation_name(o.activation());
  j["batch_norm"] = o.batch_norm();
  j["output_activation"] = activation_name(o.output_activation());
  j["membership"] = o.membership() == AtlasMembership::kDistance ? "distance" : "network";
  j["membership_temperature"] = o.membership_temperature();
  return j.dump();
}

AtlasOptions parse_atlas_options_json(const std::string& json_text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(std::string("atlas options: invalid JSON: ") + e.what());
  }
  check_arg(j.is_object(), "atlas options: expected a JSON object, got " + j.dump());
  using Shape = std::vector<std::int64_t>;
  AtlasOptions o(atlas_field<Shape>(j, "input_shape", "an array of integers"),
                 atlas_field<std::int64_t>(j, "charts", "an integer"),
                 atlas_field<std::int64_t>(j, "chart_dim", "an integer"));
  o.trunk(atlas_field<Shape>(j, "trunk", "an array of integers"))
      .chart_encoder_hidden(atlas_field<Shape>(j, "chart_encoder_hidden", "an array of integers"))
      .chart_decoder_hidden(atlas_field<Shape>(j, "chart_decoder_hidden", "an array of integers"))
      .activation(parse_activation(atlas_field<std::string>(j, "activation", "a string")))
      .batch_norm(atlas_field<bool>(j, "batch_norm", "a boolean"))
      .output_activation(parse_activation(atlas_field<std::string>(j, "output_activation", "a string")));
  // Files from before the distance membership have neither field: a network head.
  if (j.contains("membership")) {
    const auto m = atlas_field<std::string>(j, "membership", "a string");
    check_arg(m == "network" || m == "distance",
              "atlas options: membership must be \"network\" or \"distance\", got \"" + m + "\"");
    o.membership(m == "distance" ? AtlasMembership::kDistance : AtlasMembership::kNetwork);
    o.membership_temperature(atlas_field<double>(j, "membership_temperature", "a number"));
  }
  validate(o);
  return o;
}

void save_atlas(const AtlasImpl& model, const std::string& path) {
  detail::write_checkpoint(model, "atlas", atlas_options_json(model.options()), path, "save_atlas");
}

Atlas load_atlas(const std::string& path) {
  torch::serialize::InputArchive weights;
  const std::string json = detail::read_checkpoint(path, "atlas", "load_atlas", weights);
  Atlas model{nullptr};
  try {
    model = Atlas(parse_atlas_options_json(json));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("load_atlas: '" + path + "' has invalid atlas options: " + e.what());
  }
  detail::load_weights(*model, weights, path, "load_atlas");
  return model;
}

}  // namespace topoembed::models
