// The atlas autoencoder branch of `topoembed train` and the atlas runs `topoembed dimsweep` makes
// (see atlas_train_command.hpp).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "atlas_train_command.hpp"
#include "run_dir.hpp"
#include "topoembed/data/generators.hpp"
#include "topoembed/data/idx.hpp"
#include "topoembed/diff/compute_threads.hpp"
#include "topoembed/diff/regularizers.hpp"
#include "topoembed/models/atlas_centres.hpp"
#include "topoembed/models/atlas_discriminator.hpp"
#include "topoembed/ph/atomic_file.hpp"
#include "topoembed/ph/io.hpp"
#include "topoembed/train/datasets.hpp"
#include "topoembed/train/report.hpp"
#include "topoembed/viz/scatter_plot.hpp"

namespace topoembed::app {
namespace {

namespace fs = std::filesystem;

// Flags of `train` that only atlas-ae reads, and those it does not read.
const char* const kAtlasOnlyFlags[] = {"--charts",            "--dim",             "--prior", "--prior-weight",
                                       "--sharpening-weight", "--locality-weight", "--balance-weight", "--membership",
                                       "--membership-temperature", "--mmd-floor", "--points"};
const char* const kNotAtlasFlags[] = {"--preset", "--config",       "--model",         "--latent-dim",
                                      "--lambda", "--patience",     "--weight-decay",  "--spheres-points"};
// What a resumed atlas run takes from its atlas_config.json and so may not be given again.
const char* const kFixedOnResume[] = {"--dataset", "--points", "--charts", "--dim", "--prior", "--prior-weight",
                                      "--sharpening-weight", "--locality-weight", "--balance-weight", "--membership",
                                      "--membership-temperature", "--mmd-floor", "--batch-size",
                                      "--lr", "--seed",
                                      "--validation-fraction"};

bool given(const CLI::App& sub, const char* name) {
  const auto* option = sub.get_option_no_throw(name);
  return option != nullptr && option->count() > 0;
}

// Seeds of the held-out split and of the evaluation prior sample, apart from the training seeds.
constexpr std::uint64_t kSplitSeedOffset = 0x5eed5;
constexpr std::uint64_t kEvaluationPriorSeedOffset = 0xe7a1;
constexpr std::int64_t kEvaluationPriorSamples = 2000;

AtlasEvaluation evaluate(models::AtlasImpl& atlas, models::AtlasDiscriminator discriminator, const torch::Tensor& x,
                         const train::AtlasTrainingOptions& o) {
  torch::NoGradGuard no_grad;
  atlas.eval();
  const auto prior = models::sample_atlas_prior(kEvaluationPriorSamples, o.charts, o.chart_dim,
                                                o.seed + kEvaluationPriorSeedOffset);
  AtlasEvaluation e;
  e.points = x.size(0);
  // In slices, so the [B, k, D] reconstructions stay small on image data; the MMD needs one pass.
  double reconstruction = 0;
  std::vector<torch::Tensor> coords, memberships;
  for (std::int64_t start = 0; start < x.size(0); start += 1024) {
    const auto xb = x.slice(0, start, start + 1024);
    const auto out = atlas.forward(xb);
    reconstruction += train::atlas_reconstruction_loss(out, xb).item<double>() * static_cast<double>(xb.size(0));
    coords.push_back(out.coords);
    memberships.push_back(out.membership);
  }
  e.reconstruction = reconstruction / static_cast<double>(x.size(0));
  const auto phi = torch::cat(coords, 0);
  const auto q = torch::cat(memberships, 0);
  e.mmd = x.size(0) >= 2 ? diff::chart_weighted_mmd(phi, q, prior.coords.to(phi.dtype()), std::nullopt,
                                                    o.mmd_membership_floor)
                               .item<double>()
                         : NAN;
  if (o.prior == train::AtlasPrior::kGAN && discriminator) {
    discriminator->eval();
    const auto b = phi.size(0);
    const auto one_hot = torch::eye(o.charts, phi.options()).unsqueeze(0).expand({b, o.charts, o.charts});
    const auto logits = discriminator->forward(one_hot.reshape({b * o.charts, o.charts}), phi.reshape({b * o.charts, o.chart_dim}));
    e.prior = (q.reshape({b * o.charts}) * torch::softplus(-logits)).sum().item<double>() / static_cast<double>(b);
  } else {
    e.prior = e.mmd;
  }
  return e;
}

nlohmann::json evaluation_json(const AtlasEvaluation& e) {
  return {{"points", e.points}, {"reconstruction", e.reconstruction}, {"mmd", e.mmd}, {"prior", e.prior}};
}

AtlasEvaluation evaluation_of(const nlohmann::json& j, const std::string& path) {
  try {
    AtlasEvaluation e;
    e.points = j.at("points").get<std::int64_t>();
    e.reconstruction = j.at("reconstruction").get<double>();
    e.mmd = j.at("mmd").is_null() ? NAN : j.at("mmd").get<double>();
    e.prior = j.at("prior").is_null() ? NAN : j.at("prior").get<double>();
    return e;
  } catch (const nlohmann::json::exception& ex) {
    throw std::runtime_error(path + ": malformed evaluation (" + ex.what() + ")");
  }
}

// RP² in R⁶ by the Veronese map v ↦ (x², y², z², √2 xy, √2 xz, √2 yz) of unit vectors v [n, 3]
// (v v^T with the Frobenius norm kept): antipodal v give one point, and every projective line is a
// circle of radius 1/√2. Next to data::make_projective_plane's R⁴ map (x² − y², xy, xz, yz), whose
// lines x = 0 and y = 0 are circles of radius 1/2 and whose other directions are squeezed, it has a
// larger reach: measured, ambient k-means cells of 4000 points (k = 12 and 30) in the R⁴ image
// contain whole projective lines (cells of intrinsic diameter π/2, Möbius bands), and their nerve
// reads 1,0,2 or 1,1,0 over Z/2; in R⁶ the cells stay below 1 rad and the nerve reads 1,1,1 / 1,0,0.
torch::Tensor veronese_r6(const torch::Tensor& v) {
  const auto x = v.select(1, 0), y = v.select(1, 1), z = v.select(1, 2);
  const double r2 = std::sqrt(2.0);
  return torch::stack({x * x, y * y, z * z, r2 * x * y, r2 * x * z, r2 * y * z}, 1);
}

}  // namespace

void add_atlas_model_options(CLI::App& sub, AtlasTrainFlags& a, const std::string& prefix) {
  sub.add_option("--charts", a.charts, prefix + "number of charts k")->check(CLI::Range(1, 1000))->capture_default_str();
  sub.add_option("--prior", a.prior, prefix + "prior matching, mmd or gan")
      ->check(CLI::IsMember({"mmd", "gan"}))
      ->capture_default_str();
  sub.add_option("--prior-weight", a.prior_weight, prefix + "weight of the prior term (default 10 mmd, 1 gan)")
      ->check(CLI::Range(0.0, 1e9));
  sub.add_option("--sharpening-weight", a.sharpening_weight,
                 prefix + "weight of the membership entropy (> 0 sharpens; < 0 is an entropy bonus, soft k-means "
                 "memberships with --locality-weight)")
      ->check(CLI::Range(-1e9, 1e9))
      ->capture_default_str();
  sub.add_option("--locality-weight", a.locality_weight,
                 prefix + "weight of the locality term (q-weighted within-chart variance share)")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  sub.add_option("--balance-weight", a.balance_weight,
                 prefix + "weight of the chart-balance term KL(mean membership || uniform on the k charts)")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  sub.add_option("--membership", a.membership,
                 prefix + "chart memberships q: network (softmax head) or distance (softmax of -|x - c_j|^2 / T)")
      ->check(CLI::IsMember({"network", "distance"}))
      ->capture_default_str();
  sub.add_option("--membership-temperature", a.membership_temperature,
                 prefix + "distance memberships: T over the cell scale (mean squared distance of a point to the nearest initial centre)")
      ->check(CLI::Range(1e-9, 1e9))
      ->capture_default_str();
  sub.add_option("--mmd-floor", a.mmd_floor,
                 prefix + "the chart-weighted MMD leaves out terms with membership q_i(x) below this (0: exact; 1e-4 "
                 "makes it much cheaper with distance memberships and many charts)")
      ->check(CLI::Range(0.0, 0.999999))
      ->capture_default_str();
  sub.add_option("--points", a.points, prefix + "sample size of a generated manifold, or images of fmnist")
      ->check(CLI::Range(2, 100000000))
      ->capture_default_str();
}

void add_atlas_train_options(CLI::App& sub, AtlasTrainFlags& a) {
  add_atlas_model_options(sub, a, "atlas-ae: ");
  sub.add_option("--dim", a.chart_dim, "atlas-ae: chart dimension d")->check(CLI::Range(1, 1000))->capture_default_str();
  a.train_command = &sub;
}

std::string check_atlas_flags(const CLI::App& sub, const std::string& given_method) {
  std::string method = given_method;
  if (method.empty() && given(sub, "--resume")) {
    // Without --method the train command resumes the run its directory holds: an atlas run
    // (atlas_config.json, no config.json) goes to the atlas trainer, with the method its config names.
    const auto* run_dir = sub.get_option_no_throw("--run-dir");
    if (run_dir != nullptr && run_dir->count() > 0) {
      const fs::path run(run_dir->as<std::string>());
      if (is_atlas_run(run)) {
        read_atlas_run_config(run.string(), "train --resume");  // throws unless its method is atlas-ae
        method = "atlas-ae";
      }
    }
  }
  if (method == "atlas-ae") {
    if (given(sub, "--resume")) {
      for (const char* name : kFixedOnResume) {
        if (given(sub, name))
          throw std::invalid_argument("train --method atlas-ae --resume: " + std::string(name) +
                                      " cannot be given; a resumed run keeps the options of its atlas_config.json "
                                      "(only --epochs, --threads, --quiet and --no-report may be given)");
      }
    }
    for (const char* name : kNotAtlasFlags) {
      if (given(sub, name)) {
        std::string hint;
        if (std::string(name) == "--latent-dim") hint = " (the chart dimension is --dim)";
        if (std::string(name) == "--lambda") hint = " (the prior weight is --prior-weight)";
        throw std::invalid_argument("train --method atlas-ae: " + std::string(name) +
                                    " is not an atlas-ae option" + hint);
      }
    }
    return method;
  }
  for (const char* name : kAtlasOnlyFlags) {
    if (given(sub, name)) {
      throw std::invalid_argument("train: " + std::string(name) + " is an atlas-ae option; it has no effect " +
                                  (method.empty() ? std::string("without --method atlas-ae")
                                                  : "with --method " + method) +
                                  " (give --method atlas-ae, or drop " + name + ")");
    }
  }
  return method;
}

AtlasData load_atlas_data(const std::string& d, std::int64_t n, std::uint64_t seed, const std::string& command) {
  if (n < 2) throw std::invalid_argument(command + ": --points must be >= 2, got " + std::to_string(n));
  data::SampleOptions s;
  s.n = n;
  s.seed = seed;
  AtlasData out;
  if (d == "circle") out.points = data::make_circle(s).points;
  else if (d == "sphere") out.points = data::make_sphere(s).points;
  else if (d == "torus") out.points = data::make_torus(s).points;
  else if (d == "flat-torus") out.points = data::make_flat_torus(s).points;
  else if (d == "rp2") out.points = data::make_projective_plane(s).points;
  else if (d == "rp2-r6") out.points = veronese_r6(data::make_projective_plane(s).intrinsic);
  else if (d == "t3") out.points = data::make_three_torus(s).points;
  else if (d == "fmnist") {
    data::ImageSetOptions image_options;
    image_options.flatten = true;
    image_options.symmetric_range = false;  // x / 255 in [0, 1]: decoded images read as grey values
    const auto set = data::load_fashion_mnist(data::Split::kTrain, image_options);
    const auto total = set.images.size(0);
    if (n > total)
      throw std::invalid_argument(command + ": --points " + std::to_string(n) + " exceeds the " +
                                  std::to_string(total) + " Fashion-MNIST training images");
    auto generator = at::detail::createCPUGenerator(seed);
    const auto pick = std::get<0>(torch::randperm(total, generator, torch::kLong).slice(0, 0, n).sort());
    out.points = set.images.index_select(0, pick);
    out.image_shape = {28, 28};
  } else if (d.size() > 4 && d.compare(d.size() - 4, 4, ".csv") == 0) {
    const auto cloud = ph::read_point_cloud<double>(d);
    out.points = torch::from_blob(const_cast<double*>(cloud.coords.data()), {cloud.num_points, cloud.dim}, torch::kDouble)
                     .clone();
  } else {
    throw std::invalid_argument(command + ": --dataset must be circle, sphere, torus, flat-torus, rp2, rp2-r6, t3, fmnist "
                                          "or a .csv point cloud, got '" + d + "'");
  }
  out.points = out.points.to(torch::kFloat).contiguous();
  return out;
}

train::AtlasTrainingOptions atlas_training_options(const AtlasTrainFlags& a, const AtlasCommonFlags& c) {
  if (!(c.validation_fraction >= 0 && c.validation_fraction < 1))
    throw std::invalid_argument("atlas-ae: the validation fraction must be in [0, 1), got " +
                                std::to_string(c.validation_fraction));
  if (c.threads && *c.threads < 1)
    throw std::invalid_argument("atlas-ae: --threads must be >= 1, got " + std::to_string(*c.threads));
  if (a.prior != "mmd" && a.prior != "gan")
    throw std::invalid_argument("atlas-ae: --prior must be mmd or gan, got '" + a.prior + "'");
  train::AtlasTrainingOptions o;
  o.charts = a.charts;
  o.chart_dim = a.chart_dim;
  o.prior = a.prior == "gan" ? train::AtlasPrior::kGAN : train::AtlasPrior::kMMD;
  o.prior_weight = a.prior_weight ? *a.prior_weight : (a.prior == "gan" ? 1.0 : 10.0);
  o.sharpening_weight = a.sharpening_weight;
  o.locality_weight = a.locality_weight;
  o.balance_weight = a.balance_weight;
  if (a.membership != "network" && a.membership != "distance")
    throw std::invalid_argument("atlas-ae: --membership must be network or distance, got '" + a.membership + "'");
  o.membership = a.membership == "distance" ? models::AtlasMembership::kDistance : models::AtlasMembership::kNetwork;
  o.membership_temperature = a.membership_temperature;
  o.mmd_membership_floor = a.mmd_floor;
  o.epochs = c.epochs;
  o.batch_size = c.batch_size;
  o.learning_rate = c.learning_rate;
  o.seed = c.seed;
  train::validate(o);
  return o;
}

std::string atlas_config_text(const AtlasData& data, const AtlasTrainFlags& a, const AtlasCommonFlags& c) {
  const auto o = atlas_training_options(a, c);
  nlohmann::json config{{"method", "atlas-ae"}, {"dataset", c.dataset}, {"points", data.points.size(0)},
                        {"charts", o.charts}, {"chart_dim", o.chart_dim}, {"prior", a.prior},
                        {"prior_weight", o.prior_weight}, {"sharpening_weight", o.sharpening_weight},
                        {"locality_weight", o.locality_weight}, {"balance_weight", o.balance_weight},
                        {"membership", a.membership}, {"membership_temperature", o.membership_temperature},
                        {"mmd_floor", o.mmd_membership_floor}, {"epochs", o.epochs}, {"batch_size", o.batch_size}, {"learning_rate", o.learning_rate},
                        {"validation_fraction", c.validation_fraction}, {"seed", o.seed}};
  if (!data.image_shape.empty()) config["image_shape"] = data.image_shape;
  return config.dump(2) + "\n";
}

AtlasRunConfig read_atlas_run_config(const std::string& run_dir, const std::string& command) {
  const fs::path path = fs::path(run_dir) / "atlas_config.json";
  require_run_dir(run_dir, command);
  if (!fs::exists(path))
    throw std::runtime_error(command + ": '" + path.string() +
                             "' is missing; is this the run directory of `topoembed train --method atlas-ae`?");
  std::ifstream in(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(command + ": '" + path.string() + "' is not valid JSON");
  }
  AtlasRunConfig r;
  try {
    if (j.at("method").get<std::string>() != "atlas-ae")
      throw std::runtime_error(command + ": '" + path.string() + "' has method '" + j.at("method").get<std::string>() +
                               "', expected 'atlas-ae'");
    r.flags.charts = j.at("charts").get<std::int64_t>();
    r.flags.chart_dim = j.at("chart_dim").get<std::int64_t>();
    r.flags.prior = j.at("prior").get<std::string>();
    r.flags.prior_weight = j.at("prior_weight").get<double>();
    r.flags.sharpening_weight = j.at("sharpening_weight").get<double>();
    r.flags.locality_weight = j.value("locality_weight", 0.0);
    r.flags.balance_weight = j.value("balance_weight", 0.0);
    r.flags.membership = j.value("membership", std::string("network"));
    r.flags.membership_temperature = j.value("membership_temperature", r.flags.membership_temperature);
    r.flags.mmd_floor = j.value("mmd_floor", 0.0);
    r.flags.points = j.at("points").get<std::int64_t>();
    r.common.run_dir = run_dir;
    r.common.dataset = j.at("dataset").get<std::string>();
    r.common.epochs = j.at("epochs").get<std::int64_t>();
    r.common.batch_size = j.at("batch_size").get<std::int64_t>();
    r.common.learning_rate = j.at("learning_rate").get<double>();
    r.common.seed = j.at("seed").get<std::uint64_t>();
    r.common.validation_fraction = j.value("validation_fraction", 0.0);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(command + ": '" + path.string() + "' lacks a field or has a wrong type (" + e.what() +
                             ")");
  }
  return r;
}

AtlasData load_atlas_run_data(const std::string& run_dir, const std::string& command) {
  const auto config = read_atlas_run_config(run_dir, command);
  return load_atlas_data(config.common.dataset, config.flags.points, config.common.seed, command);
}

std::string atlas_summary_text(const AtlasRunResult& r) {
  nlohmann::json j;
  if (!r.history.empty()) j["last_epoch"] = train::atlas_epoch_log_json(r.history.back());
  j["training"] = evaluation_json(r.training);
  if (r.validation) j["validation"] = evaluation_json(*r.validation);
  if (r.distinct_centres) j["distinct_centres"] = *r.distinct_centres;
  return j.dump(2) + "\n";
}

AtlasRunResult parse_atlas_summary(const std::string& text, const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(path + " is not valid JSON");
  }
  AtlasRunResult r;
  try {
    // The last epoch only; log.jsonl holds them all. Summaries from before locality and balance
    // were written lack those two (read as 0).
    r.history.push_back(train::atlas_epoch_log_from_json(j.at("last_epoch")));
  } catch (const nlohmann::json::exception& ex) {
    throw std::runtime_error(path + ": malformed last_epoch (" + ex.what() + ")");
  }
  if (!j.contains("training")) throw std::runtime_error(path + " lacks 'training'");
  r.training = evaluation_of(j.at("training"), path);
  if (j.contains("validation")) r.validation = evaluation_of(j.at("validation"), path);
  if (j.contains("distinct_centres")) {  // distance memberships, since session 5
    if (!j.at("distinct_centres").is_number_integer())
      throw std::runtime_error(path + ": distinct_centres must be an integer");
    r.distinct_centres = j.at("distinct_centres").get<std::int64_t>();
  }
  return r;
}

AtlasRunResult train_atlas_run(const AtlasData& data, const AtlasTrainFlags& a, const AtlasCommonFlags& c) {
  const fs::path run(c.run_dir);
  if (!c.resume && fs::exists(run / "atlas.pt"))
    throw std::invalid_argument("atlas-ae: " + c.run_dir + " already holds a trained atlas (atlas.pt)");
  if (!c.resume && fs::exists(run / train::kAtlasCheckpointFile))
    throw std::invalid_argument("atlas-ae: " + c.run_dir + " holds the checkpoint of an unfinished run (" +
                                train::kAtlasCheckpointFile + "); continue it with --resume or give another --run-dir");
  if (c.resume && !fs::exists(run / train::kAtlasCheckpointFile))
    throw std::invalid_argument("atlas-ae: cannot resume: " + c.run_dir + " has no checkpoint (" +
                                train::kAtlasCheckpointFile + ")");
  const auto o = atlas_training_options(a, c);
  const auto config = atlas_config_text(data, a, c);
  const auto& x = data.points;
  const auto n = x.size(0);
  torch::Tensor x_train = x, x_validation;
  if (c.validation_fraction > 0) {
    const auto split = train::validation_split(n, c.validation_fraction, c.seed + kSplitSeedOffset);
    if (split.train_index.size(0) < 2 || split.validation_index.size(0) < 2)
      throw std::invalid_argument("atlas-ae: validation fraction " + std::to_string(c.validation_fraction) + " of " +
                                  std::to_string(n) + " points leaves fewer than 2 points on one side");
    x_train = x.index_select(0, split.train_index);
    x_validation = x.index_select(0, split.validation_index);
  }
  if (c.threads) diff::set_compute_threads(*c.threads);  // LibTorch's and the BLAS's threads
  const auto batch = std::min<std::int64_t>(o.batch_size, x_train.size(0));
  if (batch < 2 * o.charts)  // said even with --quiet: it can cost the run its cover
    std::fprintf(stderr,
                 "warning: a batch of %lld points for %lld charts: the balance and locality terms see fewer than 2 "
                 "points per chart; with --membership distance, centres were seen to merge in pairs (torus, 48 "
                 "charts, batch 64: 38 distinct). A batch of about 5 points per chart (--batch-size %lld) avoids it\n",
                 static_cast<long long>(batch), static_cast<long long>(o.charts), static_cast<long long>(5 * o.charts));
  fs::create_directories(run);
  // The config first: a killed run is resumed from it and its checkpoint. A resumed run rewrites
  // it (with its new epochs) once training has accepted the checkpoint.
  if (!c.resume) ph::write_file_atomically(run / "atlas_config.json", config);

  AtlasRunResult r;
  train::AtlasCheckpointing checkpointing;
  checkpointing.dir = c.run_dir;
  checkpointing.resume = c.resume;
  auto trained = train::train_atlas(
      x_train, o,
      [&](const train::AtlasEpochLog& e) {
        if (!c.quiet)
          std::fprintf(stderr,
                       "epoch %lld/%lld loss %.5g (reconstruction %.5g, prior %.5g, sharpening %.5g, locality %.5g, "
                       "balance %.5g)\n",
                       static_cast<long long>(e.epoch), static_cast<long long>(o.epochs), e.loss, e.reconstruction,
                       e.prior, e.sharpening, e.locality, e.balance);
      },
      checkpointing);
  r.history = trained.history;
  if (c.resume) ph::write_file_atomically(run / "atlas_config.json", config);
  std::ostringstream log;  // every epoch, the ones before a resume too
  for (const auto& e : r.history) {
    log << train::atlas_epoch_log_json(e).dump() << "\n";
  }
  r.training = evaluate(*trained.atlas, trained.discriminator, x_train, o);
  if (o.membership == models::AtlasMembership::kDistance) {
    r.distinct_centres = models::distinct_centres(trained.atlas->named_parameters()["membership_centres"]);
    if (*r.distinct_centres < o.charts)
      std::fprintf(stderr, "warning: the %lld chart centres form %lld distinct cells (centres closer than 0.1 of the cell "
                   "spacing cover one cell together); a larger --batch-size keeps them apart\n",
                   static_cast<long long>(o.charts), static_cast<long long>(*r.distinct_centres));
  }
  if (x_validation.defined()) r.validation = evaluate(*trained.atlas, trained.discriminator, x_validation, o);
  const auto q = train::atlas_memberships(*trained.atlas, x).to(torch::kDouble).contiguous();

  ph::write_file_atomically(run / "log.jsonl", log.str());
  models::save_atlas(*trained.atlas, (run / "atlas.pt").string());
  ph::write_file_atomically(run / "memberships.csv", [&](std::ostream& out) {
    out.precision(17);
    const auto* p = q.data_ptr<double>();
    for (std::int64_t i = 0; i < q.size(0); ++i) {
      for (std::int64_t j = 0; j < q.size(1); ++j) out << (j ? "," : "") << p[i * q.size(1) + j];
      out << "\n";
    }
  });
  if (data.image_shape.empty() && x.size(1) >= 2) {
    const auto xd = x.to(torch::kDouble).contiguous();
    const auto am = q.argmax(1).contiguous();
    std::vector<double> px(static_cast<std::size_t>(n)), py(px.size());
    std::vector<int> labels(px.size());
    for (std::int64_t i = 0; i < n; ++i) {
      px[static_cast<std::size_t>(i)] = xd.data_ptr<double>()[i * x.size(1)];
      py[static_cast<std::size_t>(i)] = xd.data_ptr<double>()[i * x.size(1) + 1];
      labels[static_cast<std::size_t>(i)] = static_cast<int>(am.data_ptr<std::int64_t>()[i]);
    }
    viz::ScatterOptions plot;
    plot.title = "points by argmax chart";
    viz::scatter_plot(px, py, labels, (run / "charts.png").string(), plot);
  }
  ph::write_file_atomically(run / "atlas_summary.json", atlas_summary_text(r));
  if (c.report) {
    train::AtlasReportOptions report;
    report.image_shape = data.image_shape;
    train::write_atlas_report(c.run_dir, x, report);
  }
  return r;
}

void run_atlas_train(const AtlasTrainFlags& flags, const AtlasCommonFlags& common) {
  const std::string command = "train --method atlas-ae";
  AtlasTrainFlags a = flags;
  AtlasCommonFlags c = common;
  if (flags.train_command != nullptr && given(*flags.train_command, "--resume")) {
    // The run's own options; only epochs (which may grow) and how to run come from the flags.
    auto saved = read_atlas_run_config(common.run_dir, command + " --resume");
    a = saved.flags;
    a.train_command = flags.train_command;
    c = saved.common;
    if (given(*flags.train_command, "--epochs")) c.epochs = common.epochs;
    c.threads = common.threads;
    c.report = common.report;
    c.quiet = common.quiet;
    c.resume = true;
  }
  atlas_training_options(a, c);  // bad flags fail before the data are read
  const auto data = load_atlas_data(c.dataset, a.points, c.seed, command);
  const auto r = train_atlas_run(data, a, c);
  const fs::path run(c.run_dir);
  std::ostringstream out;
  out << "trained atlas (" << a.charts << " charts, d = " << a.chart_dim << ") on " << r.training.points
      << " points: reconstruction " << r.history.front().reconstruction << " -> " << r.history.back().reconstruction
      << " (epoch means); after training " << r.training.reconstruction << ", chart-weighted MMD " << r.training.mmd
      << "\n";
  if (r.validation)
    out << "held out " << r.validation->points << " points: reconstruction " << r.validation->reconstruction
        << ", chart-weighted MMD " << r.validation->mmd << "\n";
  out << "wrote " << (run / "atlas.pt").string() << ", " << (run / "memberships.csv").string();
  if (c.report) out << ", " << (run / "report.html").string();
  out << "\n";
  std::cout << out.str();
}

}  // namespace topoembed::app
