// TrainConfig: presets with the paper's hyper-parameters, validation and the JSON form.
#include "topoembed/train/train_config.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "topoembed/ph/atomic_file.hpp"

namespace topoembed::train {

std::string method_name(Method method) {
  switch (method) {
    case Method::kAe: return "ae";
    case Method::kPca: return "pca";
    case Method::kTopoAe: break;
  }
  return "topoae";
}

Method parse_method(const std::string& name) {
  if (name == "ae") return Method::kAe;
  if (name == "topoae") return Method::kTopoAe;
  if (name == "pca") return Method::kPca;
  throw std::invalid_argument("train config: method must be 'ae', 'topoae' or 'pca', got '" + name + "'");
}

std::vector<std::string> preset_names() {
  return {"topoae-spheres", "ae-spheres", "topoae-fmnist", "ae-fmnist", "pca-spheres", "pca-fmnist"};
}

TrainConfig preset(const std::string& name) {
  TrainConfig c;  // defaults are the paper's Spheres TopoAE run
  if (name == "topoae-spheres") return c;
  // The paper's own best plain-AE run on Spheres (its best_runs/Spheres/Vanilla.json): batch 84,
  // lr 6.40628e-4; not the TopoAE's batch 28 and lr 2.72684e-4.
  if (name == "ae-spheres") {
    c.method = Method::kAe;
    c.lambda = 0.0;
    c.batch_size = 84;
    c.learning_rate = 6.40628e-4;
    return c;
  }
  // Not the paper's: topoae-spheres with λ 0.43358 → 3, lr 2.72684e-4 → 2.2e-3 and patience
  // 10 → 25. With the paper's values the Spheres KL_σ were still falling at epoch 100 and stayed
  // above the paper's means; the higher rate gets there in 30–50 epochs, the larger λ weights the
  // H0 signature term that KL_0.01 follows, and the longer patience rides out the noisier
  // validation loss. Chosen on selection seeds 101, 102 (docs/results-spheres-sweep.md; λ 2 until
  // session 6, whose sweep on the current code put λ 3 ahead), not on the reported seeds. Kept out
  // of preset_names(), which lists the paper's presets.
  if (name == "topoae-spheres-tuned") {
    c.lambda = 3.0;
    c.learning_rate = 2.2e-3;
    c.patience = 25;
    return c;
  }
  // PCA baselines: 2 components fitted on the training split (the AE fields stay unused).
  if (name == "pca-spheres" || name == "pca-fmnist") {
    c.method = Method::kPca;
    c.lambda = 0.0;
    if (name == "pca-fmnist") c.dataset = "fmnist";
    return c;
  }
  // Fashion-MNIST: DeepAE, the paper's best runs (Moor et al. 2020, supplement).
  c.dataset = "fmnist";
  if (name == "topoae-fmnist") {
    c.batch_size = 95;
    c.learning_rate = 6.51416e-3;
    c.lambda = 2.22578;
    return c;
  }
  if (name == "ae-fmnist") {
    c.method = Method::kAe;
    c.batch_size = 61;
    c.learning_rate = 5.07682e-4;
    c.lambda = 0.0;
    return c;
  }
  std::string known;
  for (const auto& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown preset '" + name + "', expected one of " + known);
}

namespace {

[[noreturn]] void fail(const std::string& field, const std::string& expected, const std::string& got) {
  throw std::invalid_argument("train config: " + field + " must be " + expected + ", got " + got);
}

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

void validate(const TrainConfig& c) {
  if (c.dataset.empty()) fail("dataset", "'spheres', 'fmnist' or a .csv/.npy path", "an empty string");
  if (c.latent_dim < 1) fail("latent_dim", ">= 1", std::to_string(c.latent_dim));
  // BatchNorm and a distance matrix both need two samples.
  if (c.batch_size < 2) fail("batch_size", ">= 2", std::to_string(c.batch_size));
  if (!(c.learning_rate > 0) || !std::isfinite(c.learning_rate)) fail("learning_rate", "> 0", num(c.learning_rate));
  if (!(c.weight_decay >= 0) || !std::isfinite(c.weight_decay)) fail("weight_decay", ">= 0", num(c.weight_decay));
  if (!(c.lambda >= 0) || !std::isfinite(c.lambda)) fail("lambda", ">= 0", num(c.lambda));
  if (c.epochs < 1) fail("epochs", ">= 1", std::to_string(c.epochs));
  if (c.patience < 0) fail("patience", ">= 0", std::to_string(c.patience));
  if (!(c.validation_fraction > 0 && c.validation_fraction < 1)) {
    fail("validation_fraction", "in (0, 1)", num(c.validation_fraction));
  }
  if (!(c.test_fraction > 0 && c.test_fraction < 1)) fail("test_fraction", "in (0, 1)", num(c.test_fraction));
  if (c.threads < 1) fail("threads", ">= 1", std::to_string(c.threads));
  if (c.spheres_points_per_sphere < 2) {
    fail("spheres_points_per_sphere", ">= 2", std::to_string(c.spheres_points_per_sphere));
  }
  if (c.topo_dims.empty()) fail("topo_dims", "a non-empty list of 0 and/or 1", "[]");
  for (auto d : c.topo_dims) {
    if (d != 0 && d != 1) fail("topo_dims", "a list of 0 and/or 1", std::to_string(d));
  }
}

std::string resolved_model_name(const TrainConfig& c) {
  if (!c.model.empty()) return c.model;
  if (c.dataset == "spheres") return "spheres-mlp";
  if (c.dataset == "fmnist") return "deep-ae";
  return "mlp";
}

nlohmann::json to_json(const TrainConfig& c) {
  nlohmann::json j;
  j["method"] = method_name(c.method);
  j["dataset"] = c.dataset;
  j["model"] = c.model;
  j["latent_dim"] = c.latent_dim;
  j["batch_size"] = c.batch_size;
  j["learning_rate"] = c.learning_rate;
  j["weight_decay"] = c.weight_decay;
  j["lambda"] = c.lambda;
  j["epochs"] = c.epochs;
  j["patience"] = c.patience;
  j["validation_fraction"] = c.validation_fraction;
  j["seed"] = c.seed;
  j["threads"] = c.threads;
  j["data_seed"] = c.data_seed;
  j["spheres_points_per_sphere"] = c.spheres_points_per_sphere;
  j["test_fraction"] = c.test_fraction;
  j["topo_dims"] = c.topo_dims;
  return j;
}

namespace {

template <class T>
void read_field(const nlohmann::json& j, const char* key, const char* expected, T& out) {
  if (!j.contains(key)) return;
  const auto& v = j.at(key);
  bool ok = false;
  if constexpr (std::is_same_v<T, std::string>) {
    ok = v.is_string();
  } else if constexpr (std::is_same_v<T, double>) {
    ok = v.is_number();
  } else if constexpr (std::is_unsigned_v<T>) {
    ok = v.is_number_unsigned();
  } else if constexpr (std::is_integral_v<T>) {
    ok = v.is_number_integer();
  } else {
    ok = v.is_array();
    if (ok) {
      for (const auto& e : v) ok = ok && e.is_number_integer();
    }
  }
  if (!ok) fail(key, expected, v.dump());
  out = v.get<T>();
}

}  // namespace

TrainConfig config_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("train config: expected a JSON object, got " + j.dump());
  static_assert(sizeof(int) == 4);
  const TrainConfig defaults;
  const auto known = to_json(defaults);
  for (const auto& item : j.items()) {
    if (!known.contains(item.key())) {
      throw std::invalid_argument("train config: unknown key '" + item.key() + "'");
    }
  }
  TrainConfig c;
  std::string method = method_name(c.method);
  read_field(j, "method", "a string ('ae', 'topoae' or 'pca')", method);
  c.method = parse_method(method);
  read_field(j, "dataset", "a string", c.dataset);
  read_field(j, "model", "a string", c.model);
  read_field(j, "latent_dim", "an integer", c.latent_dim);
  read_field(j, "batch_size", "an integer", c.batch_size);
  read_field(j, "learning_rate", "a number", c.learning_rate);
  read_field(j, "weight_decay", "a number", c.weight_decay);
  read_field(j, "lambda", "a number", c.lambda);
  read_field(j, "epochs", "an integer", c.epochs);
  read_field(j, "patience", "an integer", c.patience);
  read_field(j, "validation_fraction", "a number", c.validation_fraction);
  read_field(j, "seed", "a non-negative integer", c.seed);
  std::int64_t threads = c.threads;
  read_field(j, "threads", "an integer", threads);
  if (threads < 1 || threads > 4096) fail("threads", "in 1..4096", std::to_string(threads));
  c.threads = static_cast<int>(threads);
  std::uint64_t data_seed = c.data_seed;
  read_field(j, "data_seed", "a non-negative integer", data_seed);
  if (data_seed > 0xffffffffULL) fail("data_seed", "< 2^32", std::to_string(data_seed));
  c.data_seed = static_cast<std::uint32_t>(data_seed);
  read_field(j, "spheres_points_per_sphere", "an integer", c.spheres_points_per_sphere);
  read_field(j, "test_fraction", "a number", c.test_fraction);
  read_field(j, "topo_dims", "a list of integers", c.topo_dims);
  validate(c);
  return c;
}

void write_config(const TrainConfig& config, const std::string& path) {
  ph::write_file_atomically(path, to_json(config).dump(2) + "\n");
}

TrainConfig read_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("read_config: cannot open '" + path + "'");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("read_config: '" + path + "' is not valid JSON: " + e.what());
  }
  try {
    return config_from_json(j);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("read_config: '" + path + "': " + e.what());
  }
}

}  // namespace topoembed::train
