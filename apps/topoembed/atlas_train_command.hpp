#pragma once
// `topoembed train --method atlas-ae`: the atlas autoencoder branch of the train command. The
// train command owns the shared flags (--run-dir, --dataset, --epochs, ...); these are the
// atlas-only ones.

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace topoembed::app {

struct AtlasTrainFlags {
  std::int64_t charts = 4;
  std::int64_t chart_dim = 1;
  std::string prior = "mmd";
  std::optional<double> prior_weight;  // default: 10 for mmd, 1 for gan
  double sharpening_weight = 0.1;
  std::int64_t points = 1000;
};

// The shared flags the atlas branch reads, as plain values.
struct AtlasCommonFlags {
  std::string run_dir;
  std::string dataset;  // circle, sphere, torus, flat-torus, rp2, t3, or a .csv point cloud
  std::int64_t epochs = 150;
  std::int64_t batch_size = 64;
  double learning_rate = 3e-3;
  std::uint64_t seed = 0;
  bool quiet = false;
};

void add_atlas_train_options(CLI::App& train_subcommand, AtlasTrainFlags& flags);

// Trains into run_dir: atlas_config.json, log.jsonl, atlas.pt (models::save_atlas),
// memberships.csv (q of every point, N rows × k), charts.png (the data coloured by argmax chart,
// first two coordinates). Throws on bad flags or an existing atlas.pt.
void run_atlas_train(const AtlasTrainFlags& flags, const AtlasCommonFlags& common);

}  // namespace topoembed::app
