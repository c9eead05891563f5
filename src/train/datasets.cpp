// Data sets named by a TrainConfig, and the seeded validation split.
#include "topoembed/train/datasets.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "topoembed/data/idx.hpp"
#include "topoembed/data/point_cloud_io.hpp"
#include "topoembed/data/spheres.hpp"
#include "topoembed/train/shuffle.hpp"

namespace topoembed::train {

namespace {

bool has_extension(const std::string& path, const std::string& ext) {
  return path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
}

// A .csv/.npy point cloud: the columns named "label"/"labels" are labels, the rest coordinates.
void load_file(const TrainConfig& config, TrainingData& out) {
  const std::string& path = config.dataset;
  if (!has_extension(path, ".csv") && !has_extension(path, ".npy")) {
    throw std::runtime_error("dataset must be 'spheres', 'fmnist' or a .csv/.npy file, got '" + path + "'");
  }
  if (!std::filesystem::exists(path)) throw std::runtime_error("dataset file '" + path + "' does not exist");
  torch::Tensor x;
  torch::Tensor labels;
  if (has_extension(path, ".csv")) {
    const auto table = data::read_csv(path);
    std::vector<std::int64_t> coords;
    std::int64_t label_column = -1;
    for (std::int64_t c = 0; c < table.values.size(1); ++c) {
      const bool is_label = !table.header.empty() &&
                            (table.header[static_cast<std::size_t>(c)] == "label" ||
                             table.header[static_cast<std::size_t>(c)] == "labels");
      if (is_label) {
        label_column = c;
      } else {
        coords.push_back(c);
      }
    }
    if (coords.empty()) throw std::runtime_error("dataset file '" + path + "' has no coordinate columns");
    x = table.values.index_select(1, torch::tensor(coords, torch::kLong));
    if (label_column >= 0) labels = table.values.select(1, label_column).round().to(torch::kLong);
  } else {
    x = data::read_point_cloud(path);
  }
  const std::int64_t n = x.size(0);
  if (!labels.defined()) labels = torch::full({n}, -1, torch::kLong);
  const auto n_test = static_cast<std::int64_t>(std::ceil(config.test_fraction * static_cast<double>(n)));
  if (n - n_test < 4 || n_test < 2) {
    throw std::runtime_error("dataset file '" + path + "' has " + std::to_string(n) +
                             " points; expected enough for a test split of at least 2 and 4 training points");
  }
  const auto split = validation_split(n, config.test_fraction, config.data_seed);
  x = x.to(torch::kFloat32);
  out.train_x = x.index_select(0, split.train_index).contiguous();
  out.train_labels = labels.index_select(0, split.train_index).contiguous();
  out.test_x = x.index_select(0, split.validation_index).contiguous();
  out.test_labels = labels.index_select(0, split.validation_index).contiguous();
}

}  // namespace

TrainingData load_training_data(const TrainConfig& config) {
  validate(config);
  TrainingData out;
  if (config.dataset == "spheres") {
    data::SpheresOptions options;
    options.points_per_sphere = config.spheres_points_per_sphere;
    options.enclosing_points = 10 * config.spheres_points_per_sphere;
    options.test_fraction = config.test_fraction;
    options.seed = config.data_seed;
    const auto d = data::make_spheres(options);
    out.train_x = d.train_x;
    out.train_labels = d.train_labels;
    out.test_x = d.test_x;
    out.test_labels = d.test_labels;
  } else if (config.dataset == "fmnist") {
    data::ImageSetOptions options;
    options.flatten = false;
    auto train = data::load_fashion_mnist(data::Split::kTrain, options);
    auto test = data::load_fashion_mnist(data::Split::kTest, options);
    out.train_x = train.images;
    out.train_labels = train.labels;
    out.test_x = test.images;
    out.test_labels = test.labels;
    // The paper's code: the largest distance of images in [-1, 1], sqrt(2^2 c h w).
    out.input_distance_scale = std::sqrt(4.0 * static_cast<double>(out.train_x[0].numel()));
  } else {
    load_file(config, out);
  }
  return out;
}

ValidationSplit validation_split(std::int64_t n, double fraction, std::uint64_t seed) {
  if (n < 2) throw std::invalid_argument("validation_split: expected n >= 2, got " + std::to_string(n));
  if (!(fraction > 0 && fraction < 1)) {
    throw std::invalid_argument("validation_split: fraction must be in (0, 1), got " + std::to_string(fraction));
  }
  ShuffleRng rng(seed);
  std::vector<std::int64_t> perm(static_cast<std::size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  shuffle(perm, rng);
  auto n_val = static_cast<std::int64_t>(std::ceil(fraction * static_cast<double>(n)));
  n_val = std::clamp<std::int64_t>(n_val, 1, n - 1);
  std::vector<std::int64_t> val(perm.begin(), perm.begin() + n_val);
  std::vector<std::int64_t> train(perm.begin() + n_val, perm.end());
  std::sort(val.begin(), val.end());
  std::sort(train.begin(), train.end());
  return {torch::tensor(train, torch::kLong), torch::tensor(val, torch::kLong)};
}

}  // namespace topoembed::train
