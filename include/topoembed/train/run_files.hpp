#pragma once
// File names inside a run directory (docs/training.md describes each).

namespace topoembed::train {

inline constexpr const char* kConfigFile = "config.json";         // the TrainConfig
inline constexpr const char* kLogFile = "log.jsonl";              // one JSON line per finished epoch
inline constexpr const char* kModelFile = "model.pt";             // model after the last finished epoch
inline constexpr const char* kOptimizerFile = "optimizer.pt";     // Adam state, loss parameters
inline constexpr const char* kBestModelFile = "best_model.pt";    // model of the best validation loss
inline constexpr const char* kTrainerStateFile = "trainer_state.json";  // counters, RNG, checksums
inline constexpr const char* kLatentsCsvFile = "latents.csv";     // test latents: 0..d-1, labels
inline constexpr const char* kLatentsNpyFile = "latents.npy";     // test latents [n_test, d] float32
inline constexpr const char* kMetricsFile = "metrics.json";       // quality measures on the test split
inline constexpr const char* kReportFile = "report.html";

}  // namespace topoembed::train
