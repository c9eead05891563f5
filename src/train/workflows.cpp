// run_training, embed_file and evaluate_files: the data flow around the trainer.
#include "topoembed/train/workflows.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "topoembed/data/point_cloud_io.hpp"
#include "topoembed/diff/compute_threads.hpp"
#include "topoembed/eval/quality_metrics.hpp"
#include "topoembed/models/pca.hpp"
#include "topoembed/ph/atomic_file.hpp"
#include "topoembed/train/datasets.hpp"
#include "topoembed/train/trainer.hpp"

namespace topoembed::train {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void require_csv_or_npy(const std::string& path, const std::string& what) {
  if (!ends_with(path, ".csv") && !ends_with(path, ".npy")) {
    throw std::runtime_error(what + " must be a .csv or .npy file, got '" + path + "'");
  }
}

void require_exists(const std::string& path, const std::string& what) {
  if (!fs::exists(path)) throw std::runtime_error(what + " '" + path + "' does not exist");
}

// Rows of a .csv (columns named label/labels dropped) or .npy file as float64 [n, d].
torch::Tensor read_points_without_labels(const std::string& path, const std::string& what) {
  require_csv_or_npy(path, what);
  require_exists(path, what);
  if (ends_with(path, ".npy")) {
    auto x = data::read_npy(path);
    if (x.dim() == 1) x = x.unsqueeze(1);
    if (x.dim() != 2) {
      throw std::runtime_error(what + " '" + path + "' must hold a 2-D array, got " +
                               std::to_string(x.dim()) + " dimensions");
    }
    return x.to(torch::kFloat64);
  }
  const auto table = data::read_csv(path);
  std::vector<std::int64_t> keep;
  for (std::int64_t c = 0; c < table.values.size(1); ++c) {
    const auto& name = table.header.empty() ? std::string() : table.header[static_cast<std::size_t>(c)];
    if (name != "label" && name != "labels") keep.push_back(c);
  }
  if (keep.empty()) throw std::runtime_error(what + " '" + path + "' has no coordinate columns");
  return table.values.index_select(1, torch::tensor(keep, torch::kLong));
}

torch::Tensor embed(models::Autoencoder& model, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  model.eval();
  std::vector<torch::Tensor> parts;
  constexpr std::int64_t kBlock = 1024;
  for (std::int64_t s = 0; s < x.size(0); s += kBlock) {
    parts.push_back(model.encode(x.slice(0, s, std::min(x.size(0), s + kBlock))));
  }
  return torch::cat(parts, 0);
}

double reconstruction_mse(models::Autoencoder& model, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  model.eval();
  double sum = 0.0;
  constexpr std::int64_t kBlock = 1024;
  for (std::int64_t s = 0; s < x.size(0); s += kBlock) {
    const auto xb = x.slice(0, s, std::min(x.size(0), s + kBlock));
    sum += torch::mse_loss(model.forward(xb).reconstruction, xb, torch::Reduction::Sum).item<double>();
  }
  return sum / static_cast<double>(x.numel());
}

// .npy, or .csv with columns z0, z1, ... (a header of numbers would read back as a row of data).
void write_embedding(const std::string& path, const torch::Tensor& z) {
  if (ends_with(path, ".npy")) {
    data::write_npy(path, z);
  } else {
    data::CsvWriteOptions options;
    for (std::int64_t c = 0; c < z.size(1); ++c) options.header.push_back("z" + std::to_string(c));
    data::write_csv(path, z, options);
  }
}

void write_json(const std::string& path, const nlohmann::json& j) {
  ph::write_file_atomically(path, j.dump(2) + "\n");
}

// The thread split of the evaluation phase while the object lives; the counts found are restored
// when it ends (run_training goes back to its training split, a library caller gets its own).
// Training gives LibTorch 1 thread and OpenBLAS the budget (diff::default_thread_split) because
// there small BLAS calls and LibTorch ops alternate all the time and both pools busy-wait between
// them. The quality measures are long phases one after the other instead: the distance matrices
// (GEMMs on OpenBLAS's threads) and then the row pass (at::parallel_for on LibTorch's OpenMP
// threads), so each gets the whole budget; they overlap only while one pool's workers still spin
// at the start of the other's phase.
class EvaluationThreads {
 public:
  explicit EvaluationThreads(int threads)
      : saved_{at::get_num_threads(), std::max(1, diff::blas_num_threads())} {
    if (threads < 1) throw std::invalid_argument("eval: threads must be >= 1, got " + std::to_string(threads));
    diff::set_compute_threads(diff::ThreadSplit{threads, threads});
  }
  // Cannot throw: both saved counts are >= 1 (a BLAS that is not OpenBLAS is left alone anyway).
  ~EvaluationThreads() { diff::set_compute_threads(saved_); }
  EvaluationThreads(const EvaluationThreads&) = delete;
  EvaluationThreads& operator=(const EvaluationThreads&) = delete;

 private:
  diff::ThreadSplit saved_;
};

// eval::quality_metrics with the paper's k = 10..200 step 10, cut down for small sets (tests,
// demos) to what the definitions allow (k <= n - 2 and 2n - 3k - 1 > 0), on `threads` threads.
nlohmann::json quality_json(const torch::Tensor& x, const torch::Tensor& z, int threads) {
  const EvaluationThreads evaluation_threads(threads);
  const std::int64_t n = x.size(0);
  eval::QualityOptions quality;
  quality.k_max = std::min({quality.k_max, (2 * n - 2) / 3 - 1, n - 2});
  if (quality.k_max < 1) {
    throw std::runtime_error("eval: " + std::to_string(n) + " points are too few for the rank measures (need >= 4)");
  }
  quality.k_min = std::min(quality.k_min, quality.k_max);
  quality.k_step = std::min(quality.k_step, std::max<std::int64_t>(1, quality.k_max - quality.k_min));
  return eval::quality_metrics(x, z, quality).to_json();
}

// A PCA run keeps its fitted model here (models::save_pca); embed_file looks for it first.
constexpr const char* kPcaModelFile = "pca.pt";

// method pca: fit on the whole training split (the paper's fit_competitor fits on the training
// split minus a random 15 % validation part; here nothing is held out, so the fit is
// deterministic), embed the test split, and write config.json, pca.pt, latents and metrics.json
// with data_mse = the test split's reconstruction error from the top components.
RunSummary run_pca(const TrainConfig& config, const std::string& run_dir, const TrainOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const fs::path dir(run_dir);
  if (options.resume) {
    throw std::invalid_argument("train --resume: a pca run has no checkpoint to continue; fit it again in a new directory");
  }
  if (fs::exists(dir / kPcaModelFile) || fs::exists(dir / kTrainerStateFile) || fs::exists(dir / kModelFile)) {
    throw std::invalid_argument("run directory '" + dir.string() + "' already holds a fitted model; choose another directory");
  }
  diff::set_compute_threads(config.threads);
  const TrainingData data = load_training_data(config);
  const auto train_x = data.train_x.reshape({data.train_x.size(0), -1});
  const auto test_x = data.test_x.reshape({data.test_x.size(0), -1});
  if (config.latent_dim > train_x.size(1)) {
    throw std::invalid_argument("train: pca latent_dim " + std::to_string(config.latent_dim) +
                                " exceeds the data dimension " + std::to_string(train_x.size(1)) + " of '" +
                                config.dataset + "'");
  }
  models::Pca pca(config.latent_dim);
  pca.fit(train_x);
  const double fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw std::runtime_error("cannot create run directory '" + dir.string() + "': " + ec.message());
  }
  write_config(config, (dir / kConfigFile).string());
  models::save_pca(pca, (dir / kPcaModelFile).string());
  const auto latents64 = pca.transform(test_x);
  const auto latents = latents64.to(torch::kFloat32);
  data::write_latents_csv((dir / kLatentsCsvFile).string(), latents, data.test_labels);
  data::write_npy((dir / kLatentsNpyFile).string(), latents);

  auto metrics = quality_json(test_x.to(torch::kFloat64), latents, config.threads);
  const auto x64 = test_x.to(torch::kFloat64);
  metrics["data_mse"] = (pca.inverse_transform(latents64) - x64).square().mean().item<double>();
  metrics["n_test"] = test_x.size(0);
  metrics["n_train"] = train_x.size(0);
  const auto ratio = pca.explained_variance_ratio();
  metrics["explained_variance_ratio"] =
      std::vector<double>(ratio.data_ptr<double>(), ratio.data_ptr<double>() + ratio.numel());
  metrics["fit_seconds"] = fit_seconds;
  write_json((dir / kMetricsFile).string(), metrics);

  RunSummary summary;
  summary.finished = true;
  summary.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.metrics = metrics;
  return summary;
}

}  // namespace

RunSummary run_training(const TrainConfig& config, const std::string& run_dir, const TrainOptions& options) {
  if (config.method == Method::kPca) return run_pca(config, run_dir, options);
  const auto start = std::chrono::steady_clock::now();
  diff::set_compute_threads(config.threads);
  const TrainingData data = load_training_data(config);
  const TrainResult r = train_autoencoder(config, data.train_x, data.input_distance_scale, run_dir, options);
  RunSummary summary;
  summary.epochs_run = r.epochs_run;
  summary.best_epoch = r.best_epoch;
  summary.best_validation_loss = r.best_validation_loss;
  summary.stopped_early = r.stopped_early;
  summary.finished = r.finished;
  summary.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!r.finished) return summary;

  const fs::path dir(run_dir);
  const auto latents = embed(*r.best_model, data.test_x).to(torch::kFloat32);
  data::write_latents_csv((dir / kLatentsCsvFile).string(), latents, data.test_labels);
  data::write_npy((dir / kLatentsNpyFile).string(), latents);

  const auto x_flat = data.test_x.reshape({data.test_x.size(0), -1});
  const std::int64_t n = x_flat.size(0);
  auto metrics = quality_json(x_flat, latents, config.threads);
  metrics["data_mse"] = reconstruction_mse(*r.best_model, data.test_x);
  metrics["n_test"] = n;
  metrics["best_epoch"] = r.best_epoch;
  metrics["epochs_run"] = r.epochs_run;
  metrics["stopped_early"] = r.stopped_early;
  metrics["best_validation_loss"] = r.best_validation_loss;
  write_json((dir / kMetricsFile).string(), metrics);
  summary.metrics = metrics;
  return summary;
}

std::int64_t embed_file(const std::string& run_dir, const std::string& input_path, const std::string& output_path) {
  require_csv_or_npy(output_path, "embed: the output");
  const fs::path pca_path = fs::path(run_dir) / kPcaModelFile;
  if (fs::exists(pca_path)) {
    const auto pca = models::load_pca(pca_path.string());
    const auto x = read_points_without_labels(input_path, "embed: the input");
    if (x.size(1) != pca.input_dim()) {
      throw std::runtime_error("embed: '" + input_path + "' has " + std::to_string(x.size(1)) +
                               " columns, the PCA of '" + run_dir + "' expects " + std::to_string(pca.input_dim()));
    }
    write_embedding(output_path, pca.transform(x).to(torch::kFloat32));
    return x.size(0);
  }
  auto model = load_run_model(run_dir);
  const auto x = read_points_without_labels(input_path, "embed: the input");
  const auto shape = model->input_shape();
  std::int64_t volume = 1;
  for (auto s : shape) volume *= s;
  if (x.size(1) != volume) {
    throw std::runtime_error("embed: '" + input_path + "' has " + std::to_string(x.size(1)) +
                             " columns, the model of '" + run_dir + "' expects " + std::to_string(volume));
  }
  std::vector<std::int64_t> batch_shape{x.size(0)};
  batch_shape.insert(batch_shape.end(), shape.begin(), shape.end());
  const auto z = embed(*model, x.to(torch::kFloat32).reshape(batch_shape)).to(torch::kFloat32);
  write_embedding(output_path, z);
  return x.size(0);
}

nlohmann::json evaluate_files(const std::string& latents_path, const std::string& data_path,
                              const std::string& dataset, const std::string& output_path, int threads) {
  if (threads < 1) throw std::invalid_argument("eval: threads must be >= 1, got " + std::to_string(threads));
  if (data_path.empty() == dataset.empty()) {
    throw std::invalid_argument("eval: give exactly one of a data file and a data set name");
  }
  const auto z = read_points_without_labels(latents_path, "eval: the latents");
  torch::Tensor x;
  if (!data_path.empty()) {
    x = read_points_without_labels(data_path, "eval: the data");
  } else {
    if (dataset != "spheres" && dataset != "fmnist") {
      throw std::invalid_argument("eval: the data set must be 'spheres' or 'fmnist', got '" + dataset + "'");
    }
    TrainConfig config;
    config.dataset = dataset;
    const auto d = load_training_data(config);
    x = d.test_x.reshape({d.test_x.size(0), -1});
  }
  if (x.size(0) != z.size(0)) {
    throw std::runtime_error("eval: the latents have " + std::to_string(z.size(0)) + " rows, the data " +
                             std::to_string(x.size(0)) + "; expected the same points in the same order");
  }
  auto metrics = quality_json(x, z, threads);
  if (!output_path.empty()) write_json(output_path, metrics);
  return metrics;
}

}  // namespace topoembed::train
