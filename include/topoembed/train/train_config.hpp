#pragma once
// Training configuration of an autoencoder run (AE or TopoAE), the paper's named presets, and
// the JSON form stored as config.json in a run directory. Free of LibTorch so the CLI can parse
// and print configurations cheaply.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace topoembed::train {

// ae: reconstruction MSE only. topoae: MSE + lambda * TopoSignatureLoss (L_topo / B, as
// topoembed::diff defines it), Moor et al., ICML 2020. pca: models::Pca fitted on the training
// split (the paper's linear baseline; no model, optimiser or epochs).
enum class Method { kAe, kTopoAe, kPca };

struct TrainConfig {
  Method method = Method::kTopoAe;
  // "spheres" (the paper's Spheres), "fmnist" (Fashion-MNIST from Debian's package), or the path
  // of a .csv/.npy point cloud (a CSV column named "label" or "labels" holds the labels).
  std::string dataset = "spheres";
  // A name for models::make_autoencoder; empty: the dataset's default ("spheres-mlp" for
  // spheres, "deep-ae" for fmnist, "mlp" for files).
  std::string model;
  std::int64_t latent_dim = 2;
  std::int64_t batch_size = 28;
  double learning_rate = 2.72684e-4;
  double weight_decay = 1e-5;
  double lambda = 0.43358;  // weight of the topological loss (topoae only)
  std::int64_t epochs = 100;
  std::int64_t patience = 10;  // epochs without a better validation loss before stopping; 0: never
  double validation_fraction = 0.15;  // share of the training split held out for validation
  std::uint64_t seed = 1;             // model initialisation, validation split and shuffling
  int threads = 1;                    // LibTorch intra-op threads and persistence threads
  // Data set details.
  std::uint32_t data_seed = 42;                  // Spheres generator seed (the paper's 42)
  std::int64_t spheres_points_per_sphere = 500;  // the enclosing sphere gets 10x as many
  double test_fraction = 0.1;                    // Spheres and file data sets
  // Homology dimensions matched by the topological loss ({0} in the paper).
  std::vector<std::int64_t> topo_dims{0};
};

// "ae" / "topoae" / "pca" and back; parse_method throws std::invalid_argument naming what came.
std::string method_name(Method method);
Method parse_method(const std::string& name);

// The paper's hyper-parameters: "topoae-spheres", "ae-spheres", "topoae-fmnist", "ae-fmnist";
// "pca-spheres", "pca-fmnist" (PCA to latent_dim 2).
std::vector<std::string> preset_names();
// Throws std::invalid_argument for an unknown name, listing the known ones.
TrainConfig preset(const std::string& name);

// Checks every field (positive sizes, fractions in (0, 1), known method, ...); throws
// std::invalid_argument "train config: batch_size must be >= 2, got 1".
void validate(const TrainConfig& config);

// The model name actually used (config.model, or the dataset's default).
std::string resolved_model_name(const TrainConfig& config);

nlohmann::json to_json(const TrainConfig& config);
// Every key is optional (defaults of TrainConfig); unknown keys and wrong types are errors.
// The result is validated.
TrainConfig config_from_json(const nlohmann::json& json);

// config.json of a run directory, written atomically; read_config names the file in errors.
void write_config(const TrainConfig& config, const std::string& path);
TrainConfig read_config(const std::string& path);

}  // namespace topoembed::train
