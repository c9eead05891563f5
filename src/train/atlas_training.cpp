// Atlas autoencoder training: losses (MMD and GAN prior forms) and the Adam loop (see
// atlas_training.hpp).
#include "topoembed/train/atlas_training.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "topoembed/ph/atomic_file.hpp"

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
  check(std::isfinite(o.sharpening_weight),
        "sharpening_weight must be a finite value, got " + std::to_string(o.sharpening_weight));
  check(o.locality_weight >= 0 && std::isfinite(o.locality_weight),
        "locality_weight must be a finite value >= 0, got " + std::to_string(o.locality_weight));
  check(o.balance_weight >= 0 && std::isfinite(o.balance_weight),
        "balance_weight must be a finite value >= 0, got " + std::to_string(o.balance_weight));
  check(o.membership_temperature > 0 && std::isfinite(o.membership_temperature),
        "membership_temperature must be a finite value > 0, got " + std::to_string(o.membership_temperature));
  check(o.mmd_membership_floor >= 0 && o.mmd_membership_floor < 1,
        "mmd_membership_floor must be in [0, 1), got " + std::to_string(o.mmd_membership_floor));
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

torch::Tensor atlas_locality_loss(const torch::Tensor& membership, const torch::Tensor& x) {
  if (!membership.defined() || !x.defined() || membership.dim() != 2 || x.dim() != 2 ||
      membership.size(0) != x.size(0))
    throw std::invalid_argument("atlas_locality_loss: expected memberships [B, k] and x [B, D] with the same B, got " +
                                sizes_of(membership) + " and " + sizes_of(x));
  const auto xs = x.to(membership.dtype());
  const auto mass = membership.sum(0);                                          // [k]
  const auto centres = membership.t().matmul(xs) / (mass.unsqueeze(1) + 1e-12);  // [k, D]
  // ‖x − μ_i‖² for every pair, from the expansion (B·k·D would not fit for images).
  const auto sq = xs.pow(2).sum(1, true) - 2 * xs.matmul(centres.t()) + centres.pow(2).sum(1).unsqueeze(0);
  const auto within = (membership * sq.clamp_min(0)).sum();
  const auto total = (xs - xs.mean(0, true)).pow(2).sum();
  if (total.item<double>() <= 0) return within * 0;
  return within / total;
}

torch::Tensor atlas_balance_loss(const torch::Tensor& membership) {
  if (!membership.defined() || membership.dim() != 2 || membership.size(0) < 1 || membership.size(1) < 1)
    throw std::invalid_argument("atlas_balance_loss: expected memberships [B, k] with B, k >= 1, got " +
                                sizes_of(membership));
  const auto mean = membership.mean(0);  // [k]
  const double k = static_cast<double>(membership.size(1));
  // The clamp only keeps log finite at an empty chart, where the term's factor q̄_j is 0 anyway.
  return (mean * (mean.clamp_min(1e-30) * k).log()).sum();
}

namespace {

// The terms the MMD and GAN forms share beside their prior term (which t already holds, with the
// reconstruction): sharpening, locality and balance of the memberships, and the weighted total.
void add_membership_terms(AtlasLossTerms& t, const models::AtlasOutput& out, const torch::Tensor& x,
                          const AtlasTrainingOptions& options) {
  t.sharpening = sharpening_term(out.membership, options.sharpening);
  t.locality = atlas_locality_loss(out.membership, x);
  t.balance = atlas_balance_loss(out.membership);
  t.total = t.reconstruction + options.prior_weight * t.prior + options.sharpening_weight * t.sharpening +
            options.locality_weight * t.locality + options.balance_weight * t.balance;
}

}  // namespace

AtlasLossTerms atlas_mmd_loss(const models::AtlasOutput& out, const torch::Tensor& x,
                              const torch::Tensor& prior_samples, const AtlasTrainingOptions& options) {
  AtlasLossTerms t;
  t.reconstruction = atlas_reconstruction_loss(out, x);
  t.prior = diff::chart_weighted_mmd(out.coords, out.membership, prior_samples.to(out.coords.dtype()), std::nullopt,
                                     options.mmd_membership_floor);
  add_membership_terms(t, out, x, options);
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
  add_membership_terms(t, out, x, options);
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

nlohmann::json atlas_epoch_log_json(const AtlasEpochLog& e) {
  return {{"epoch", e.epoch},         {"loss", e.loss},         {"reconstruction", e.reconstruction},
          {"prior", e.prior},         {"sharpening", e.sharpening}, {"locality", e.locality},
          {"balance", e.balance},     {"discriminator", e.discriminator}};
}

AtlasEpochLog atlas_epoch_log_from_json(const nlohmann::json& j) {
  AtlasEpochLog e;
  e.epoch = j.at("epoch").get<std::int64_t>();
  e.loss = j.at("loss").get<double>();
  e.reconstruction = j.at("reconstruction").get<double>();
  e.prior = j.at("prior").get<double>();
  e.sharpening = j.at("sharpening").get<double>();
  e.locality = j.value("locality", 0.0);  // records from before the locality term
  e.balance = j.value("balance", 0.0);    // and the balance term
  e.discriminator = j.at("discriminator").get<double>();
  return e;
}

std::string atlas_training_options_json(const AtlasTrainingOptions& o) {
  nlohmann::json j{{"charts", o.charts},
                   {"chart_dim", o.chart_dim},
                   {"trunk", o.trunk},
                   {"decoder_hidden", o.decoder_hidden},
                   {"prior", o.prior == AtlasPrior::kGAN ? "gan" : "mmd"},
                   {"prior_weight", o.prior_weight},
                   {"sharpening_weight", o.sharpening_weight},
                   {"sharpening", o.sharpening == diff::SharpeningTerm::kEntropy ? "entropy" : "uniform-deviation"},
                   {"locality_weight", o.locality_weight},
                   {"balance_weight", o.balance_weight},
                   {"membership", o.membership == models::AtlasMembership::kDistance ? "distance" : "network"},
                   {"membership_temperature", o.membership_temperature},
                   {"mmd_membership_floor", o.mmd_membership_floor},
                   {"epochs", o.epochs},
                   {"batch_size", o.batch_size},
                   {"learning_rate", o.learning_rate},
                   {"discriminator_learning_rate", o.discriminator_learning_rate},
                   {"seed", o.seed}};
  return j.dump();
}

namespace {

namespace fs = std::filesystem;

// Everything a run needs to go on exactly where it stopped.
struct AtlasSession {
  torch::optim::Adam* optimizer = nullptr;
  torch::optim::Adam* discriminator_optimizer = nullptr;
  at::Generator* shuffle_generator = nullptr;
  std::uint64_t step = 0;
};

// A module or optimizer as a nested archive under `key` of the checkpoint, and back.
template <class Saveable>
void write_nested(torch::serialize::OutputArchive& archive, const char* key, const Saveable& x) {
  torch::serialize::OutputArchive nested;
  x.save(nested);
  archive.write(key, nested);
}

template <class Loadable>
void read_nested(torch::serialize::InputArchive& archive, const char* key, Loadable& x) {
  torch::serialize::InputArchive nested;
  archive.read(key, nested);
  x.load(nested);
}

void save_checkpoint(const fs::path& path, const AtlasTrainingOptions& options, const AtlasTrainingResult& result,
                     const AtlasSession& s) {
  torch::serialize::OutputArchive archive;
  write_nested(archive, "atlas", *result.atlas);
  write_nested(archive, "optimizer", *s.optimizer);
  if (result.discriminator) {
    write_nested(archive, "discriminator", *result.discriminator);
    write_nested(archive, "discriminator_optimizer", *s.discriminator_optimizer);
  }
  archive.write("shuffle_generator", s.shuffle_generator->get_state());
  nlohmann::json history = nlohmann::json::array();
  for (const auto& e : result.history) history.push_back(atlas_epoch_log_json(e));
  const nlohmann::json state{{"options", nlohmann::json::parse(atlas_training_options_json(options))},
                             {"step", s.step},
                             {"history", history}};
  archive.write("state", c10::IValue(state.dump()));
  ph::write_file_atomically_via_path(path, [&](const fs::path& tmp) { archive.save_to(tmp.string()); });
}

void load_checkpoint(const fs::path& path, const AtlasTrainingOptions& options, AtlasTrainingResult& result,
                     AtlasSession& s) {
  if (!fs::exists(path))
    throw std::runtime_error("train_atlas: cannot resume: '" + path.string() + "' is missing (no checkpoint there)");
  nlohmann::json state;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    c10::IValue text;
    archive.read("state", text);
    state = nlohmann::json::parse(text.toStringRef());
    auto saved = state.at("options");
    auto now = nlohmann::json::parse(atlas_training_options_json(options));
    saved.erase("epochs");
    now.erase("epochs");
    if (!saved.contains("balance_weight")) saved["balance_weight"] = 0.0;  // made before the balance term
    if (!saved.contains("mmd_membership_floor")) saved["mmd_membership_floor"] = 0.0;  // before the sparse MMD
    if (!saved.contains("membership")) {  // made before the distance membership
      saved["membership"] = "network";
      saved["membership_temperature"] = now.at("membership_temperature");
    }
    if (saved != now)
      throw std::invalid_argument("train_atlas: cannot resume: the options differ from the checkpoint's (only epochs "
                                  "may change): " + saved.dump() + " vs " + now.dump());
    read_nested(archive, "atlas", *result.atlas);
    read_nested(archive, "optimizer", *s.optimizer);
    if (result.discriminator) {
      read_nested(archive, "discriminator", *result.discriminator);
      read_nested(archive, "discriminator_optimizer", *s.discriminator_optimizer);
    }
    torch::Tensor generator_state;
    archive.read("shuffle_generator", generator_state);
    s.shuffle_generator->set_state(generator_state);
    s.step = state.at("step").get<std::uint64_t>();
    result.history.clear();
    for (const auto& e : state.at("history")) result.history.push_back(atlas_epoch_log_from_json(e));
  } catch (const c10::Error& e) {
    throw std::runtime_error("train_atlas: cannot resume: '" + path.string() +
                             "' is corrupt or does not match the options: " + e.what_without_backtrace());
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("train_atlas: cannot resume: '" + path.string() + "' is corrupt: " + e.what());
  }
  if (static_cast<std::int64_t>(result.history.size()) > options.epochs)
    throw std::invalid_argument("train_atlas: cannot resume: the checkpoint has " +
                                std::to_string(result.history.size()) + " epochs, more than epochs = " +
                                std::to_string(options.epochs));
}

}  // namespace

AtlasTrainingResult train_atlas(const torch::Tensor& points, const AtlasTrainingOptions& options,
                                const std::function<void(const AtlasEpochLog&)>& on_epoch,
                                const AtlasCheckpointing& checkpointing) {
  validate(options);
  check(points.defined() && points.dim() == 2 && points.size(0) >= 2 && points.size(1) >= 1,
        "expected points of shape [N, D] with N >= 2, got " + sizes_of(points));
  check(points.is_floating_point(), "expected floating-point points, got an integer tensor");
  check(checkpointing.stop_after_epochs >= 0,
        "stop_after_epochs must be >= 0, got " + std::to_string(checkpointing.stop_after_epochs));
  check(!checkpointing.resume || !checkpointing.dir.empty(), "resume needs a checkpoint directory, got none");
  const auto x_all = points.detach().to(torch::kCPU, torch::kFloat).contiguous();
  check(torch::isfinite(x_all).all().item<bool>(), "points contain NaN or infinite values");
  const auto n = x_all.size(0);
  const auto k = options.charts;
  const auto d = options.chart_dim;

  AtlasTrainingResult result;
  auto atlas_options =
      models::AtlasOptions({x_all.size(1)}, k, d).trunk(options.trunk).chart_decoder_hidden(options.decoder_hidden);
  torch::Tensor initial_centres;
  if (options.membership == models::AtlasMembership::kDistance) {
    // Centres at k distinct random points (with repeats only when k > N). The temperature is
    // relative to the cell scale s² = mean_x min_j ‖x − c_j‖² of these centres, so that one value
    // means the same overlap width for any data scale, number of charts and dimension.
    auto generator = at::detail::createCPUGenerator(mix_seed(options.seed, 3));
    const auto pick = k <= n ? torch::randperm(n, generator, torch::kLong).slice(0, 0, k)
                             : torch::randint(n, {k}, generator, torch::kLong);
    initial_centres = x_all.index_select(0, pick);
    const auto nearest = torch::cdist(x_all.to(torch::kDouble), initial_centres.to(torch::kDouble)).pow(2).amin(1);
    const double cell_scale = nearest.mean().item<double>();
    check(cell_scale > 0, "the distance membership needs points with spread, got all points on the chart centres");
    atlas_options.membership(models::AtlasMembership::kDistance)
        .membership_temperature(options.membership_temperature * cell_scale);
  }
  result.atlas = models::Atlas(atlas_options);
  reinitialize(*result.atlas, mix_seed(options.seed, 0));
  if (initial_centres.defined()) {
    torch::NoGradGuard no_grad;
    result.atlas->named_parameters()["membership_centres"].copy_(initial_centres);
  }
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
  AtlasSession session{&optimizer, discriminator_optimizer.get(), &shuffle_generator, 0};
  const fs::path checkpoint = checkpointing.dir.empty() ? fs::path() : fs::path(checkpointing.dir) / kAtlasCheckpointFile;
  if (checkpointing.resume) {
    load_checkpoint(checkpoint, options, result, session);
  } else if (!checkpoint.empty()) {
    if (fs::exists(checkpoint))
      throw std::invalid_argument("train_atlas: '" + checkpoint.string() +
                                  "' already holds a checkpoint; resume it or choose another directory");
    fs::create_directories(checkpoint.parent_path());
  }
  const auto batch = std::min(options.batch_size, n);
  std::int64_t epochs_this_call = 0;
  for (std::int64_t epoch = static_cast<std::int64_t>(result.history.size()) + 1; epoch <= options.epochs; ++epoch) {
    if (checkpointing.stop_after_epochs > 0 && epochs_this_call >= checkpointing.stop_after_epochs) break;
    const auto order = torch::randperm(n, shuffle_generator, torch::kLong);
    AtlasEpochLog log;
    log.epoch = epoch;
    std::int64_t batches = 0;
    for (std::int64_t start = 0; start < n; start += batch) {
      const auto len = std::min(batch, n - start);
      if (len < 2) continue;  // the unbiased MMD needs two points; a last single point waits
      const auto xb = x_all.index_select(0, order.slice(0, start, start + len));
      const auto prior = models::sample_atlas_prior(len, k, d, mix_seed(options.seed, 1000 + session.step));
      ++session.step;
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
      log.locality += terms.locality.item<double>();
      log.balance += terms.balance.item<double>();
      ++batches;
    }
    const double b = static_cast<double>(std::max<std::int64_t>(batches, 1));
    log.loss /= b;
    log.reconstruction /= b;
    log.prior /= b;
    log.sharpening /= b;
    log.locality /= b;
    log.balance /= b;
    log.discriminator /= b;
    result.history.push_back(log);
    if (!checkpoint.empty()) save_checkpoint(checkpoint, options, result, session);
    ++epochs_this_call;
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
