// Atlas autoencoder training: losses (MMD and GAN prior forms) and the Adam loop (see
// atlas_training.hpp).
#include "topoembed/train/atlas_training.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace topoembed::train {
namespace {

void check(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument("train_atlas: " + message);
}

std::string sizes_of(const torch::Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

// SplitMix64: independent per-step seeds from (seed, step).
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t step) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (step + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Re-draws every parameter from Uniform(±1/sqrt(fan_in)) — torch::nn::Linear's default
// distribution — with a local generator, so the initial model depends on the seed only and the
// global generator is not touched. A bias takes the fan-in of the weight listed before it;
// weights are [out, in] (Linear) or [k, in, out] (ChartwiseLinear). 1-D "weight"s are BatchNorm
// scales and keep their initial value 1.
void reinitialize(torch::nn::Module& module, std::uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  torch::NoGradGuard no_grad;
  std::int64_t fan_in = 1;
  for (auto& item : module.named_parameters()) {
    auto& p = item.value();
    const auto& name = item.key();
    const bool is_bias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
    if (!is_bias && p.dim() == 1) continue;  // BatchNorm scale
    if (!is_bias) fan_in = p.size(1);
    const double bound = 1.0 / std::sqrt(static_cast<double>(std::max<std::int64_t>(fan_in, 1)));
    p.copy_(torch::rand(p.sizes(), generator, p.scalar_type()) * (2 * bound) - bound);
  }
}

torch::Tensor sharpening_term(const torch::Tensor& q, diff::SharpeningTerm term) {
  return term == diff::SharpeningTerm::kEntropy ? diff::membership_entropy(q)
                                                : -diff::membership_uniform_deviation(q);
}

void check_output(const char* op, const models::AtlasOutput& out, const torch::Tensor& x) {
  const bool ok = x.defined() && x.dim() == 2 && out.reconstructions.defined() && out.reconstructions.dim() == 3 &&
                  out.reconstructions.size(0) == x.size(0) && out.reconstructions.size(2) == x.size(1);
  if (!ok)
    throw std::invalid_argument(std::string(op) + ": expected x [B, D] matching reconstructions [B, k, D], got x " +
                                sizes_of(x) + " and reconstructions " + sizes_of(out.reconstructions));
}

// The B·k chart codes (e_i, φ_i(x)) of a batch: one-hot [B·k, k], coords [B·k, d], weights
// q_i(x) / B [B·k], so that Σ weights · f = (1/B) Σ_x Σ_i q_i(x) f(i, φ_i(x)).
struct ChartCodes {
  torch::Tensor one_hot;
  torch::Tensor coords;
  torch::Tensor weights;
};

ChartCodes chart_codes(const models::AtlasOutput& out) {
  const auto b = out.coords.size(0);
  const auto k = out.coords.size(1);
  const auto d = out.coords.size(2);
  ChartCodes c;
  c.one_hot = torch::eye(k, out.coords.options()).unsqueeze(0).expand({b, k, k}).reshape({b * k, k});
  c.coords = out.coords.reshape({b * k, d});
  c.weights = out.membership.reshape({b * k}) / static_cast<double>(b);
  return c;
}

}  // namespace

void validate(const AtlasTrainingOptions& o) {
  check(o.charts >= 1, "charts must be >= 1, got " + std::to_string(o.charts));
  check(o.chart_dim >= 1, "chart_dim must be >= 1, got " + std::to_string(o.chart_dim));
  check(o.prior_weight >= 0 && std::isfinite(o.prior_weight),
        "prior_weight must be a finite value >= 0, got " + std::to_string(o.prior_weight));
  check(o.sharpening_weight >= 0 && std::isfinite(o.sharpening_weight),
        "sharpening_weight must be a finite value >= 0, got " + std::to_string(o.sharpening_weight));
  check(o.epochs >= 1, "epochs must be >= 1, got " + std::to_string(o.epochs));
  check(o.batch_size >= 2, "batch_size must be >= 2, got " + std::to_string(o.batch_size));
  check(o.learning_rate > 0 && std::isfinite(o.learning_rate),
        "learning_rate must be > 0, got " + std::to_string(o.learning_rate));
  check(o.discriminator_learning_rate > 0 && std::isfinite(o.discriminator_learning_rate),
        "discriminator_learning_rate must be > 0, got " + std::to_string(o.discriminator_learning_rate));
  for (const auto w : o.trunk) check(w >= 1, "trunk widths must be >= 1, got " + std::to_string(w));
  for (const auto w : o.decoder_hidden) check(w >= 1, "decoder_hidden widths must be >= 1, got " + std::to_string(w));
}

torch::Tensor atlas_reconstruction_loss(const models::AtlasOutput& out, const torch::Tensor& x) {
  check_output("atlas_reconstruction_loss", out, x);
  const auto err = (out.reconstructions - x.unsqueeze(1)).pow(2).sum(2);  // [B, k]
  return (out.membership * err).sum(1).mean();
}

AtlasLossTerms atlas_mmd_loss(const models::AtlasOutput& out, const torch::Tensor& x,
                              const torch::Tensor& prior_samples, const AtlasTrainingOptions& options) {
  AtlasLossTerms t;
  t.reconstruction = atlas_reconstruction_loss(out, x);
  t.prior = diff::chart_weighted_mmd(out.coords, out.membership, prior_samples.to(out.coords.dtype()));
  t.sharpening = sharpening_term(out.membership, options.sharpening);
  t.total = t.reconstruction + options.prior_weight * t.prior + options.sharpening_weight * t.sharpening;
  return t;
}

AtlasLossTerms atlas_gan_loss(const models::AtlasOutput& out, const torch::Tensor& x,
                              models::AtlasDiscriminatorImpl& discriminator, const AtlasTrainingOptions& options) {
  AtlasLossTerms t;
  t.reconstruction = atlas_reconstruction_loss(out, x);
  const auto codes = chart_codes(out);
  const auto logits = discriminator.forward(codes.one_hot, codes.coords);
  // Non-saturating generator loss: −log σ(D) = softplus(−D), weighted by q_i(x) / B.
  t.prior = (codes.weights * torch::softplus(-logits)).sum();
  t.sharpening = sharpening_term(out.membership, options.sharpening);
  t.total = t.reconstruction + options.prior_weight * t.prior + options.sharpening_weight * t.sharpening;
  return t;
}

torch::Tensor atlas_discriminator_loss(const models::AtlasOutput& out, models::AtlasDiscriminatorImpl& discriminator,
                                       const models::AtlasPriorSample& prior) {
  const auto codes = chart_codes(out);
  const auto fake = discriminator.forward(codes.one_hot.detach(), codes.coords.detach());
  const auto dtype = codes.coords.dtype();
  const auto real = discriminator.forward(prior.chart_one_hot.to(dtype), prior.coords.to(dtype));
  return torch::softplus(-real).mean() + (codes.weights.detach() * torch::softplus(fake)).sum();
}

AtlasTrainingResult train_atlas(const torch::Tensor& points, const AtlasTrainingOptions& options,
                                const std::function<void(const AtlasEpochLog&)>& on_epoch) {
  validate(options);
  check(points.defined() && points.dim() == 2 && points.size(0) >= 2 && points.size(1) >= 1,
        "expected points of shape [N, D] with N >= 2, got " + sizes_of(points));
  check(points.is_floating_point(), "expected floating-point points, got an integer tensor");
  const auto x_all = points.detach().to(torch::kCPU, torch::kFloat).contiguous();
  check(torch::isfinite(x_all).all().item<bool>(), "points contain NaN or infinite values");
  const auto n = x_all.size(0);
  const auto k = options.charts;
  const auto d = options.chart_dim;

  AtlasTrainingResult result;
  result.atlas = models::Atlas(
      models::AtlasOptions({x_all.size(1)}, k, d).trunk(options.trunk).chart_decoder_hidden(options.decoder_hidden));
  reinitialize(*result.atlas, mix_seed(options.seed, 0));
  result.atlas->train();
  torch::optim::Adam optimizer(result.atlas->parameters(), torch::optim::AdamOptions(options.learning_rate));
  std::unique_ptr<torch::optim::Adam> discriminator_optimizer;
  if (options.prior == AtlasPrior::kGAN) {
    result.discriminator = models::AtlasDiscriminator(models::AtlasDiscriminatorOptions(k, d));
    reinitialize(*result.discriminator, mix_seed(options.seed, 1));
    discriminator_optimizer = std::make_unique<torch::optim::Adam>(
        result.discriminator->parameters(), torch::optim::AdamOptions(options.discriminator_learning_rate));
  }

  auto shuffle_generator = at::detail::createCPUGenerator(mix_seed(options.seed, 2));
  const auto batch = std::min(options.batch_size, n);
  std::uint64_t step = 0;
  for (std::int64_t epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto order = torch::randperm(n, shuffle_generator, torch::kLong);
    AtlasEpochLog log;
    log.epoch = epoch;
    std::int64_t batches = 0;
    for (std::int64_t start = 0; start < n; start += batch) {
      const auto len = std::min(batch, n - start);
      if (len < 2) continue;  // the unbiased MMD needs two points; a last single point waits
      const auto xb = x_all.index_select(0, order.slice(0, start, start + len));
      const auto prior = models::sample_atlas_prior(len, k, d, mix_seed(options.seed, 1000 + step));
      ++step;
      const auto out = result.atlas->forward(xb);
      AtlasLossTerms terms;
      if (options.prior == AtlasPrior::kGAN) {
        const auto dloss = atlas_discriminator_loss(out, *result.discriminator, prior);
        discriminator_optimizer->zero_grad();
        dloss.backward();
        discriminator_optimizer->step();
        log.discriminator += dloss.item<double>();
        terms = atlas_gan_loss(out, xb, *result.discriminator, options);
      } else {
        terms = atlas_mmd_loss(out, xb, prior.coords, options);
      }
      optimizer.zero_grad();
      terms.total.backward();
      optimizer.step();
      log.loss += terms.total.item<double>();
      log.reconstruction += terms.reconstruction.item<double>();
      log.prior += terms.prior.item<double>();
      log.sharpening += terms.sharpening.item<double>();
      ++batches;
    }
    const double b = static_cast<double>(std::max<std::int64_t>(batches, 1));
    log.loss /= b;
    log.reconstruction /= b;
    log.prior /= b;
    log.sharpening /= b;
    log.discriminator /= b;
    result.history.push_back(log);
    if (on_epoch) on_epoch(log);
  }
  result.atlas->eval();
  if (result.discriminator) result.discriminator->eval();
  return result;
}

torch::Tensor atlas_memberships(models::AtlasImpl& atlas, const torch::Tensor& points) {
  if (!points.defined() || points.dim() != 2 || points.size(1) != atlas.input_dim())
    throw std::invalid_argument("atlas_memberships: expected points of shape [N, " +
                                std::to_string(atlas.input_dim()) + "], got " + sizes_of(points));
  torch::NoGradGuard no_grad;
  const bool was_training = atlas.is_training();
  atlas.eval();
  const auto dtype = atlas.parameters().front().scalar_type();
  const auto x = points.detach().to(torch::kCPU, dtype);
  std::vector<torch::Tensor> parts;
  for (std::int64_t start = 0; start < x.size(0); start += 4096)
    parts.push_back(atlas.encode(x.slice(0, start, start + 4096)).membership);
  atlas.train(was_training);
  return parts.empty() ? torch::zeros({0, atlas.charts()}, dtype) : torch::cat(parts, 0);
}

}  // namespace topoembed::train
