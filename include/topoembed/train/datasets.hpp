#pragma once
// The data sets a TrainConfig names, as training and test tensors.

#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "topoembed/train/train_config.hpp"

namespace topoembed::train {

struct TrainingData {
  torch::Tensor train_x;       // [n_train, ...] float32, in the model's input shape
  torch::Tensor train_labels;  // [n_train] int64 (-1 when the data set has none)
  torch::Tensor test_x;        // [n_test, ...] float32
  torch::Tensor test_labels;   // [n_test] int64
  // Topological loss: input distances divided by this constant (images, as the paper's code:
  // sqrt(4 c h w) for pixels in [-1, 1]); 0: by the batch maximum.
  double input_distance_scale = 0.0;
};

// spheres: data::make_spheres (paper's split and standardisation, config.data_seed,
// spheres_points_per_sphere, test_fraction). fmnist: the train / t10k files in [-1, 1] as
// [N, 1, 28, 28]. A .csv/.npy file: read as is, split by a permutation seeded with data_seed.
// Throws std::runtime_error naming a missing or malformed file.
TrainingData load_training_data(const TrainConfig& config);

// Splits n training rows into validation (the first ceil(fraction n) of a permutation seeded by
// `seed`) and the rest. Both index tensors int64, sorted ascending.
struct ValidationSplit {
  torch::Tensor train_index;
  torch::Tensor validation_index;
};
ValidationSplit validation_split(std::int64_t n, double fraction, std::uint64_t seed);

}  // namespace topoembed::train
