#pragma once
// The Spheres data set of "Topological Autoencoders" (Moor, Horn, Rieck, Borgwardt, ICML 2020),
// reproduced bit for bit: the same NumPy legacy random streams, the same floating-point order.

#include <cstdint>

#include <torch/torch.h>

namespace topoembed::data {

struct SpheresOptions {
  // Small spheres, each shifted by a random vector; the paper uses 10 (its n_spheres = 11
  // counts the enclosing sphere too).
  std::int64_t num_spheres = 10;
  // Ambient dimension d + 1 (spheres S^d in R^(d+1)); the paper uses d = 100.
  std::int64_t ambient_dim = 101;
  std::int64_t points_per_sphere = 500;
  double radius = 5.0;
  // The enclosing sphere: radius and point count (paper: 5 r and 10 * points_per_sphere).
  double enclosing_radius = 25.0;
  std::int64_t enclosing_points = 5000;
  // Test share of the train/test split (sklearn train_test_split, n_test = ceil(f * n)).
  double test_fraction = 0.1;
  // Seed of both NumPy legacy generators (data and split).
  std::uint32_t seed = 42;
};

// The points before splitting, in generation order: sphere 0 .. num_spheres - 1, then the
// enclosing sphere (label num_spheres).
struct SpheresRaw {
  torch::Tensor points;  // [n, ambient_dim] float64
  torch::Tensor labels;  // [n] int64
};

// Split and standardised with the training split's per-feature mean and standard deviation
// (ddof 0), as sklearn's StandardScaler fitted on the training split; float32 like the paper.
struct SpheresData {
  torch::Tensor train_x;       // [n_train, ambient_dim] float32
  torch::Tensor train_labels;  // [n_train] int64
  torch::Tensor test_x;        // [n_test, ambient_dim] float32
  torch::Tensor test_labels;   // [n_test] int64
  torch::Tensor mean;          // [ambient_dim] float64 (training split)
  torch::Tensor scale;         // [ambient_dim] float64 (training split, ddof 0)
  torch::Tensor train_index;   // [n_train] int64: rows of SpheresRaw, in split order
  torch::Tensor test_index;    // [n_test] int64
};

// create_sphere_dataset of the paper's code. Throws std::invalid_argument on bad options.
SpheresRaw make_spheres_raw(const SpheresOptions& options = {});

// The paper's Spheres(train=True/False) data sets together. Throws std::invalid_argument.
SpheresData make_spheres(const SpheresOptions& options = {});

}  // namespace topoembed::data
