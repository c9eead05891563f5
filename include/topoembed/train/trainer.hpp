#pragma once
// Training of an autoencoder (AE or TopoAE) into a run directory: Adam with weight decay,
// validation split, early stopping keeping the best model, deterministic seeds, log.jsonl,
// atomic checkpoints and resumption with the same result as an uninterrupted run.
//
// Run directory (see docs/training.md):
//   config.json          the TrainConfig
//   log.jsonl            one JSON line per finished epoch
//   model.pt             the model after the last finished epoch (models::save_autoencoder)
//   optimizer.pt         Adam's state and the loss module's parameters (latent_norm)
//   best_model.pt        the model of the best validation loss so far
//   trainer_state.json   epoch counters, shuffling RNG state and checksums of the three .pt files;
//                        written last, so it names a consistent checkpoint

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "topoembed/models/autoencoder.hpp"
#include "topoembed/train/progress.hpp"
#include "topoembed/train/run_files.hpp"
#include "topoembed/train/train_config.hpp"

namespace topoembed::train {

struct TrainResult {
  std::int64_t epochs_run = 0;  // total finished epochs, including resumed ones
  std::int64_t best_epoch = 0;
  double best_validation_loss = 0.0;
  bool stopped_early = false;
  bool finished = false;  // false when stop_after_epochs cut the run short
  std::shared_ptr<models::Autoencoder> best_model;  // eval mode
};

// Trains on train_x ([n, ...] float32 in the model's input shape; the validation split is taken
// from it). input_distance_scale: see TrainingData. A fresh run needs a run directory without a
// checkpoint (it is created if missing). Throws std::invalid_argument on bad arguments and
// std::runtime_error on unreadable, corrupt or mismatching checkpoint files; the run directory is
// left as it was then.
TrainResult train_autoencoder(const TrainConfig& config, const torch::Tensor& train_x,
                              double input_distance_scale, const std::string& run_dir,
                              const TrainOptions& options = {});

// The model a finished (or interrupted) run gives: best_model.pt, else model.pt. Throws
// std::runtime_error naming the directory when there is neither, or the file is corrupt.
std::shared_ptr<models::Autoencoder> load_run_model(const std::string& run_dir);

}  // namespace topoembed::train
