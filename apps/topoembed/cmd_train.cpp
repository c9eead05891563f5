// topoembed train: trains an AE or TopoAE into a run directory (config.json, log.jsonl,
// checkpoints), then writes the test split's latents, metrics.json and report.html.
// Progress goes to stderr: one rewritten line on a terminal, one plain line per epoch otherwise.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "commands.hpp"
#include "topoembed/train/report.hpp"
#include "topoembed/train/train_config.hpp"
#include "topoembed/train/run_files.hpp"
#include "topoembed/train/workflows.hpp"
#include "atlas_train_command.hpp"

namespace topoembed::app {

namespace {

struct TrainFlags {
  std::string preset;
  std::string config_file;
  std::string run_dir;
  bool resume = false;
  bool no_report = false;
  bool quiet = false;
  std::optional<std::string> method, dataset, model;
  std::optional<std::int64_t> latent_dim, batch_size, epochs, patience, spheres_points;
  std::optional<double> learning_rate, weight_decay, lambda, validation_fraction;
  std::optional<std::uint64_t> seed;
  std::optional<int> threads;
};

std::string duration_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  std::ostringstream out;
  if (s >= 3600) out << s / 3600 << "h";
  if (s >= 60) out << (s % 3600) / 60 << "m";
  out << s % 60 << "s";
  return out.str();
}

std::string terms_text(const train::LossTerms& t, bool topo) {
  char buffer[128];
  if (topo) {
    std::snprintf(buffer, sizeof(buffer), "loss %.5g (mse %.5g, topo %.5g)", t.loss, t.reconstruction, t.topological);
  } else {
    std::snprintf(buffer, sizeof(buffer), "loss %.5g", t.loss);
  }
  return buffer;
}

train::TrainConfig build_config(const TrainFlags& f) {
  train::TrainConfig c;
  if (f.resume) {
    if (!f.preset.empty() || !f.config_file.empty() || f.method || f.dataset || f.model || f.latent_dim ||
        f.batch_size || f.patience || f.spheres_points || f.learning_rate || f.weight_decay || f.lambda ||
        f.validation_fraction || f.seed) {
      throw std::invalid_argument(
          "train --resume continues the run directory's config.json; only --epochs and --threads may be given");
    }
    c = train::read_config((std::filesystem::path(f.run_dir) / train::kConfigFile).string());
  } else if (!f.config_file.empty()) {
    if (!f.preset.empty()) throw std::invalid_argument("train: give --preset or --config, not both");
    c = train::read_config(f.config_file);
  } else {
    c = train::preset(f.preset.empty() ? "topoae-spheres" : f.preset);
  }
  if (f.method) c.method = train::parse_method(*f.method);
  if (f.dataset) c.dataset = *f.dataset;
  if (f.model) c.model = *f.model;
  if (f.latent_dim) c.latent_dim = *f.latent_dim;
  if (f.batch_size) c.batch_size = *f.batch_size;
  if (f.epochs) c.epochs = *f.epochs;
  if (f.patience) c.patience = *f.patience;
  if (f.spheres_points) c.spheres_points_per_sphere = *f.spheres_points;
  if (f.learning_rate) c.learning_rate = *f.learning_rate;
  if (f.weight_decay) c.weight_decay = *f.weight_decay;
  if (f.lambda) c.lambda = *f.lambda;
  if (f.validation_fraction) c.validation_fraction = *f.validation_fraction;
  if (f.seed) c.seed = *f.seed;
  if (f.threads) c.threads = *f.threads;
  train::validate(c);
  return c;
}

void run_train(const TrainFlags& f) {
  const train::TrainConfig config = build_config(f);
  const bool topo = config.method == train::Method::kTopoAe;
  const bool terminal = isatty(fileno(stderr)) != 0;
  train::TrainOptions options;
  options.resume = f.resume;
  auto last_draw = std::make_shared<std::chrono::steady_clock::time_point>();
  if (!f.quiet && terminal) {
    options.callbacks.on_step = [=](const train::StepProgress& p) {
      const auto now = std::chrono::steady_clock::now();
      if (p.step != p.steps && now - *last_draw < std::chrono::milliseconds(200)) return;
      *last_draw = now;
      std::fprintf(stderr, "\r\033[Kepoch %lld/%lld step %lld/%lld %s %.0f samples/s ETA %s",
                   static_cast<long long>(p.epoch), static_cast<long long>(p.epochs),
                   static_cast<long long>(p.step), static_cast<long long>(p.steps),
                   terms_text(p.running, topo).c_str(), p.samples_per_second, duration_text(p.eta_seconds).c_str());
      std::fflush(stderr);
    };
  }
  if (!f.quiet) {
    const auto start = std::chrono::steady_clock::now();
    auto first = std::make_shared<std::int64_t>(-1);
    options.callbacks.on_epoch = [=](const train::EpochRecord& r) {
      if (*first < 0) *first = r.epoch;
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double per_epoch = elapsed / static_cast<double>(r.epoch - *first + 1);
      const double eta = per_epoch * static_cast<double>(config.epochs - r.epoch);
      std::fprintf(stderr, "%sepoch %lld/%lld train %s | val %s | %.0f samples/s | %.1fs%s | ETA %s\n",
                   terminal ? "\r\033[K" : "", static_cast<long long>(r.epoch),
                   static_cast<long long>(config.epochs), terms_text(r.train, topo).c_str(),
                   terms_text(r.validation, topo).c_str(), r.samples_per_second, r.seconds,
                   r.improved ? " *" : "", duration_text(eta).c_str());
      std::fflush(stderr);
    };
  }
  const auto summary = train::run_training(config, f.run_dir, options);
  std::ostringstream out;
  if (config.method == train::Method::kPca) {
    out << "fitted pca (" << config.latent_dim << " components) in " << duration_text(summary.train_seconds) << "\n";
  } else {
    out << "trained " << summary.epochs_run << " epochs in " << duration_text(summary.train_seconds)
        << (summary.stopped_early ? " (stopped early)" : "") << "; best epoch " << summary.best_epoch
        << ", validation loss " << summary.best_validation_loss << "\n";
  }
  if (summary.finished && summary.metrics.is_object()) {
    const auto& m = summary.metrics;
    for (const char* key : {"kl_0.01", "kl_0.1", "kl_1", "continuity_mean", "trustworthiness_mean", "mrre_mean",
                            "rmse", "data_mse"}) {
      if (m.contains(key)) out << "  " << key << " = " << m.at(key).get<double>() << "\n";
    }
    out << "wrote " << (std::filesystem::path(f.run_dir) / train::kMetricsFile).string() << ", "
        << (std::filesystem::path(f.run_dir) / train::kLatentsCsvFile).string() << "\n";
    if (!f.no_report) out << "wrote " << train::write_report(f.run_dir) << "\n";
  }
  std::cout << out.str();
}

}  // namespace

Command add_train_command(CLI::App& parent) {
  auto f = std::make_shared<TrainFlags>();
  CLI::App* sub = parent.add_subcommand("train", "Train an autoencoder (ae or topoae) into a run directory");
  sub->add_option("--run-dir", f->run_dir, "Run directory (created; holds config, log, checkpoints, outputs)")
      ->required();
  std::string presets;
  for (const auto& p : train::preset_names()) presets += (presets.empty() ? "" : ", ") + p;
  sub->add_option("--preset", f->preset, "Named hyper-parameters of the paper: " + presets +
                                              " (default topoae-spheres)");
  sub->add_option("--config", f->config_file, "config.json to start from instead of a preset");
  sub->add_flag("--resume", f->resume, "Continue the run directory's last checkpoint (--epochs may grow)");
  sub->add_option("--method", f->method, "ae, topoae, pca or atlas-ae");
  sub->add_option("--dataset", f->dataset, "spheres, fmnist, or a .csv/.npy file");
  sub->add_option("--model", f->model, "Autoencoder name (spheres-mlp, deep-ae, mlp, conv)");
  sub->add_option("--latent-dim", f->latent_dim, "Latent dimension");
  sub->add_option("--batch-size", f->batch_size, "Minibatch size");
  sub->add_option("--lr", f->learning_rate, "Adam learning rate");
  sub->add_option("--weight-decay", f->weight_decay, "Adam weight decay");
  sub->add_option("--lambda", f->lambda, "Weight of the topological loss");
  sub->add_option("--epochs", f->epochs, "Number of epochs");
  sub->add_option("--patience", f->patience, "Early-stopping patience in epochs (0: never stop early)");
  sub->add_option("--validation-fraction", f->validation_fraction, "Validation share of the training split");
  sub->add_option("--seed", f->seed, "Seed of initialisation, validation split and shuffling");
  sub->add_option("--threads", f->threads, "Thread budget: OpenBLAS gets it during training (LibTorch 1 thread), persistence threads too; LibTorch and OpenBLAS both get it in the evaluation after training");
  sub->add_option("--spheres-points", f->spheres_points,
                  "Points per small sphere of the Spheres data set (paper: 500; the big one gets 10x)");
  sub->add_flag("--no-report", f->no_report, "Do not write report.html after training");
  sub->add_flag("--quiet", f->quiet, "No progress output");
  auto atlas = std::make_shared<AtlasTrainFlags>();
  add_atlas_train_options(*sub, *atlas);
  return {sub, [f, atlas, sub] {
            if (check_atlas_flags(*sub, f->method.value_or("")) != "atlas-ae") return run_train(*f);
            AtlasCommonFlags c;
            c.run_dir = f->run_dir;
            c.dataset = f->dataset.value_or("circle");
            c.epochs = f->epochs.value_or(c.epochs);
            c.batch_size = f->batch_size.value_or(c.batch_size);
            c.learning_rate = f->learning_rate.value_or(c.learning_rate);
            c.seed = f->seed.value_or(c.seed);
            c.validation_fraction = f->validation_fraction.value_or(c.validation_fraction);
            c.threads = f->threads;
            c.report = !f->no_report;
            c.quiet = f->quiet;
            run_atlas_train(*atlas, c);
          }};
}

}  // namespace topoembed::app
