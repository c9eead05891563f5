#pragma once
// `topoembed train --method atlas-ae`: the atlas autoencoder branch of the train command, and the
// pieces `topoembed dimsweep` shares with it (data loading, one atlas run into a directory). The
// train command owns the shared flags (--run-dir, --dataset, --epochs, ...); these are the
// atlas-only ones.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include "topoembed/train/atlas_training.hpp"

namespace topoembed::app {

struct AtlasTrainFlags {
  std::int64_t charts = 4;
  std::int64_t chart_dim = 1;
  std::string prior = "mmd";
  std::optional<double> prior_weight;  // default: 10 for mmd, 1 for gan
  double sharpening_weight = 0.1;
  double locality_weight = 0.0;  // λ of train::atlas_locality_loss
  double balance_weight = 0.0;   // η of train::atlas_balance_loss
  std::string membership = "network";   // network or distance (models::AtlasMembership)
  double membership_temperature = 0.08;  // distance: T / s², s² the cell scale (train::AtlasTrainingOptions)
  double mmd_floor = 0.0;  // train::AtlasTrainingOptions::mmd_membership_floor
  std::int64_t points = 1000;
  // The train subcommand the flags were registered on (set by add_atlas_train_options), to tell
  // which flags were given and whether --resume was (the train command owns that flag).
  const CLI::App* train_command = nullptr;
};

// The shared flags the atlas branch reads, as plain values.
struct AtlasCommonFlags {
  std::string run_dir;
  std::string dataset;  // circle, sphere, torus, flat-torus, rp2, rp2-r6, t3, fmnist, or a .csv point cloud
  std::int64_t epochs = 150;
  std::int64_t batch_size = 64;
  double learning_rate = 3e-3;
  std::uint64_t seed = 0;
  // Share of the points held out from training; their losses are reported (0: none held out).
  double validation_fraction = 0.0;
  std::optional<int> threads;  // LibTorch threads (unset: LibTorch's default)
  bool report = true;          // write report.html + plots/
  bool quiet = false;
  // Continue run_dir's atlas_checkpoint.pt (train_atlas_run): the options must be those of the
  // checkpoint but for epochs, which may grow.
  bool resume = false;
};

// The atlas options that train --method atlas-ae and dimsweep share (--charts, --prior,
// --prior-weight, --sharpening-weight, --locality-weight, --balance-weight, --membership,
// --membership-temperature, --mmd-floor, --points), each description after `prefix`. Not the
// chart dimension: train takes one (--dim), dimsweep sweeps d = 1..--max-dim.
void add_atlas_model_options(CLI::App& subcommand, AtlasTrainFlags& flags, const std::string& prefix);

// The atlas-only options on the train subcommand: add_atlas_model_options with the prefix
// "atlas-ae: " and --dim; remembers the subcommand in flags.train_command.
void add_atlas_train_options(CLI::App& train_subcommand, AtlasTrainFlags& flags);

// The train command's flag check once the method is known (method: the --method text, empty when
// not given); returns the method to run. A --resume without --method of a directory that holds an
// atlas run (atlas_config.json, no config.json) resumes that run: the method is read from its
// atlas_config.json ("atlas-ae"; any other method there is an error naming the file). The
// atlas-only options are rejected for every other method, and the train options that atlas-ae does
// not read (--preset, --config, --model, --latent-dim, --lambda, --patience, --weight-decay,
// --spheres-points) are rejected for atlas-ae. With --resume, atlas-ae takes only --epochs,
// --threads, --quiet and --no-report (the rest comes from atlas_config.json). Throws
// std::invalid_argument naming the flag.
std::string check_atlas_flags(const CLI::App& train_subcommand, const std::string& method);

// The points an atlas trains on, [N, D] float32. circle, sphere, torus, flat-torus, rp2, t3:
// `points` samples of data::make_* with `seed`; rp2-r6: the unit vectors of
// data::make_projective_plane under the Veronese map to R⁶ (see cmd_train_atlas.cpp); fmnist: `points` images of the Fashion-MNIST
// training split (a subsample seeded by `seed`), pixels x / 255 in [0, 1], flattened, with
// image_shape {28, 28}; a .csv file: its rows. `command` prefixes error messages.
struct AtlasData {
  torch::Tensor points;
  std::vector<std::int64_t> image_shape;  // {H, W} for image data sets, else empty
};
AtlasData load_atlas_data(const std::string& dataset, std::int64_t points, std::uint64_t seed,
                          const std::string& command);

// The training options of the flags, validated (throws std::invalid_argument naming the field).
train::AtlasTrainingOptions atlas_training_options(const AtlasTrainFlags& flags, const AtlasCommonFlags& common);

// Losses of a trained atlas on a set of points, evaluated after training (eval mode, no grad):
// the reconstruction term, the chart-weighted MMD to the uniform prior on a fixed prior sample
// (kernel scale C = d / 6, as in training), and the trained prior term (the MMD, or for the GAN
// prior the generator loss against the trained discriminator).
struct AtlasEvaluation {
  std::int64_t points = 0;
  double reconstruction = 0;
  double mmd = 0;
  double prior = 0;
};

struct AtlasRunResult {
  std::vector<train::AtlasEpochLog> history;
  AtlasEvaluation training;                   // on the training points
  std::optional<AtlasEvaluation> validation;  // on the held-out points, when any
  // Distance memberships: the number of distinct cells of the learnt centres
  // (models::distinct_centres); fewer than k means charts merged.
  std::optional<std::int64_t> distinct_centres;
};

// Trains into common.run_dir: atlas_config.json (first, so that a killed run can be resumed),
// atlas_checkpoint.pt after every epoch (train::AtlasCheckpointing), log.jsonl (every epoch, the
// resumed ones too), atlas.pt (models::save_atlas),
// memberships.csv (q of every point, training and held-out, N rows × k), atlas_summary.json (the
// evaluations), charts.png (point clouds: the data coloured by argmax chart, first two
// coordinates) and, when common.report, report.html + plots/ (train::write_atlas_report). Without
// common.resume it throws before writing anything on bad options or when run_dir already holds
// atlas.pt or a checkpoint; with common.resume it continues run_dir's checkpoint (the library
// throws when it is missing or was made with other options than epochs).
AtlasRunResult train_atlas_run(const AtlasData& data, const AtlasTrainFlags& flags, const AtlasCommonFlags& common);

// The config JSON train_atlas_run writes to atlas_config.json (to recognise a finished run).
std::string atlas_config_text(const AtlasData& data, const AtlasTrainFlags& flags, const AtlasCommonFlags& common);

// The flags of run_dir/atlas_config.json (the inverse of atlas_config_text; a config without
// locality_weight, balance_weight or mmd_floor is from before that option and means 0, one without
// membership a network head). `command` prefixes error messages,
// which name the file and the missing or malformed field.
struct AtlasRunConfig {
  AtlasTrainFlags flags;
  AtlasCommonFlags common;
};
AtlasRunConfig read_atlas_run_config(const std::string& run_dir, const std::string& command);

// The points an atlas run trained on (training and held-out), rebuilt from its atlas_config.json
// (dataset, points, seed), for `topoembed report`.
AtlasData load_atlas_run_data(const std::string& run_dir, const std::string& command);

// JSON of an evaluation and back (atlas_summary.json).
std::string atlas_summary_text(const AtlasRunResult& result);
AtlasRunResult parse_atlas_summary(const std::string& text, const std::string& path);

// `topoembed train --method atlas-ae`: loads the data, trains, prints a summary on stdout. With
// --resume (flags.train_command) the options come from run_dir/atlas_config.json, --epochs may
// grow, and the run continues its checkpoint.
void run_atlas_train(const AtlasTrainFlags& flags, const AtlasCommonFlags& common);

}  // namespace topoembed::app
