#pragma once
// What the trainer reports while it runs: loss terms, per-epoch records (the lines of log.jsonl)
// and per-step progress. Plain data, free of LibTorch.

#include <cstdint>
#include <functional>

namespace topoembed::train {

// Loss terms averaged over the samples (validation) or steps (training) of a pass.
struct LossTerms {
  double loss = 0.0;            // reconstruction + lambda * topological
  double reconstruction = 0.0;  // MSE
  double topological = 0.0;     // L_topo / B (0 for ae)
};

// One line of log.jsonl.
struct EpochRecord {
  std::int64_t epoch = 0;  // 1-based
  LossTerms train;
  LossTerms validation;
  double samples_per_second = 0.0;  // training pass only
  double seconds = 0.0;             // whole epoch incl. validation and checkpoint
  bool improved = false;            // best validation loss so far
  double latent_norm = 1.0;         // the topological loss's learnable latent scale
};

struct StepProgress {
  std::int64_t epoch = 0, epochs = 0;  // 1-based epoch
  std::int64_t step = 0, steps = 0;    // 1-based step within the epoch
  LossTerms running;                   // mean over the epoch's steps so far
  double samples_per_second = 0.0;
  double eta_seconds = 0.0;  // until the last configured epoch (ignores early stopping)
};

struct TrainCallbacks {
  std::function<void(const StepProgress&)> on_step;  // after every optimizer step
  std::function<void(const EpochRecord&)> on_epoch;  // after every finished epoch
};

struct TrainOptions {
  // Continue from the run directory's checkpoint. config must equal config.json except for
  // epochs (which may grow) and threads.
  bool resume = false;
  // Stop (as if killed) after this many epochs of this call; 0: no limit. For tests.
  std::int64_t stop_after_epochs = 0;
  TrainCallbacks callbacks;
};

}  // namespace topoembed::train
