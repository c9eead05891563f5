#pragma once
// What the topoembed train / embed / eval commands do, as library calls free of LibTorch types.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "topoembed/train/progress.hpp"
#include "topoembed/train/run_files.hpp"
#include "topoembed/train/train_config.hpp"

namespace topoembed::train {

struct RunSummary {
  std::int64_t epochs_run = 0;
  std::int64_t best_epoch = 0;
  double best_validation_loss = 0.0;
  bool stopped_early = false;
  bool finished = false;  // false when TrainOptions::stop_after_epochs cut it short
  double train_seconds = 0.0;
  nlohmann::json metrics;  // what metrics.json holds (null when not finished)
};

// Loads the data set, trains (train_autoencoder), then embeds the test split with the best model
// and writes latents.csv, latents.npy and metrics.json: eval::quality_metrics on the test split
// (the flattened inputs against the latents; KL_sigma, trust/cont/MRRE, RMSE, stress) plus
// data_mse (reconstruction MSE on the test split). The measures run on config.threads LibTorch and
// OpenBLAS threads (see evaluate_files). Throws as train_autoencoder does.
RunSummary run_training(const TrainConfig& config, const std::string& run_dir, const TrainOptions& options = {});

// Latents of the run's model for the points of `input_path` (.csv/.npy; a "label"/"labels" CSV
// column is ignored), which must already be in the model's input space (the run's
// preprocessing, e.g. Spheres' standardisation, is not re-applied). Writes `output_path` (.csv
// with columns z0, z1, ..., or .npy) atomically. Returns the number of points. Throws
// std::runtime_error naming the file on a missing file or a wrong number of columns.
std::int64_t embed_file(const std::string& run_dir, const std::string& input_path, const std::string& output_path);

// Quality measures of latents (.csv/.npy; a "labels" CSV column is dropped) against data given
// as a file (.csv/.npy) or as a data set name ("spheres" / "fmnist": its test split, default
// options). Rows must correspond. Writes metrics.json atomically to output_path unless it is
// empty; returns the JSON. The measures run on `threads` (>= 1) LibTorch threads and as many
// OpenBLAS threads (the counts found are restored afterwards); the numbers do not depend on it.
nlohmann::json evaluate_files(const std::string& latents_path, const std::string& data_path,
                              const std::string& dataset, const std::string& output_path, int threads = 1);

}  // namespace topoembed::train
