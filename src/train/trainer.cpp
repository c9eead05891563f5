// Trainer: minibatch Adam on MSE (+ lambda * TopoSignatureLoss), validation and early stopping,
// log.jsonl, atomic checkpoints and exact resumption.
#include "topoembed/train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "topoembed/diff/compute_threads.hpp"
#include "topoembed/diff/topological_losses.hpp"
#include "topoembed/ph/atomic_file.hpp"
#include "topoembed/train/datasets.hpp"
#include "topoembed/train/shuffle.hpp"

namespace topoembed::train {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// SplitMix64 finaliser: independent-looking seeds for the split and the shuffling streams.
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a of a file: ties trainer_state.json to the .pt files written in the same epoch.
std::string file_checksum(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read checkpoint file '" + path.string() + "'");
  std::uint64_t h = 0xcbf29ce484222325ULL;
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(buffer[static_cast<std::size_t>(i)]);
      h *= 0x100000001b3ULL;
    }
  }
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(h));
  return text;
}

nlohmann::json terms_json(const LossTerms& t) {
  return {{"loss", t.loss}, {"reconstruction", t.reconstruction}, {"topological", t.topological}};
}

nlohmann::json record_json(const EpochRecord& r) {
  return {{"epoch", r.epoch},
          {"train", terms_json(r.train)},
          {"validation", terms_json(r.validation)},
          {"samples_per_second", r.samples_per_second},
          {"seconds", r.seconds},
          {"improved", r.improved},
          {"latent_norm", r.latent_norm}};
}

// What trainer_state.json holds besides the checksums.
struct TrainerState {
  std::int64_t epoch = 0;  // finished epochs
  double best_validation_loss = std::numeric_limits<double>::infinity();
  std::int64_t best_epoch = 0;
  std::int64_t epochs_without_improvement = 0;
  bool stopped_early = false;
  std::string shuffle_rng;
};

// The model, the loss and the optimizer of one run.
struct Session {
  std::shared_ptr<models::Autoencoder> model;
  diff::TopoSignatureLoss topo{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
};

Session make_session(const TrainConfig& config, std::shared_ptr<models::Autoencoder> model,
                     double input_distance_scale) {
  Session s;
  s.model = std::move(model);
  auto options = diff::TopoSignatureLossOptions()
                     .dims(std::vector<int64_t>(config.topo_dims.begin(), config.topo_dims.end()))
                     .threads(config.threads);
  if (input_distance_scale > 0) options.input_scale(input_distance_scale);
  s.topo = diff::TopoSignatureLoss(options);
  auto params = s.model->parameters();
  if (config.method == Method::kTopoAe) {
    for (const auto& p : s.topo->parameters()) params.push_back(p);
  }
  s.optimizer = std::make_unique<torch::optim::Adam>(
      params, torch::optim::AdamOptions(config.learning_rate).weight_decay(config.weight_decay));
  return s;
}

// Loss terms of one batch (graph kept for backward when grad mode is on).
struct BatchLoss {
  torch::Tensor loss, reconstruction, topological;
};

BatchLoss batch_loss(Session& s, const TrainConfig& config, const torch::Tensor& x) {
  const auto out = s.model->forward(x);
  BatchLoss b;
  b.reconstruction = torch::mse_loss(out.reconstruction, x);
  if (config.method == Method::kTopoAe) {
    b.topological = s.topo->forward(x, out.latent);
    b.loss = b.reconstruction + config.lambda * b.topological;
  } else {
    b.topological = torch::zeros({}, x.options());
    b.loss = b.reconstruction;
  }
  return b;
}

// Sample-weighted mean of the loss terms on x in eval mode, in batches of batch_size (a last
// batch of one sample joins the previous one: a distance matrix needs two points).
LossTerms evaluate(Session& s, const TrainConfig& config, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  s.model->eval();
  const std::int64_t n = x.size(0);
  LossTerms sum;
  std::int64_t start = 0;
  while (start < n) {
    std::int64_t end = std::min(n, start + config.batch_size);
    if (n - end == 1) end = n;
    const auto b = batch_loss(s, config, x.slice(0, start, end));
    const double w = static_cast<double>(end - start);
    sum.loss += w * b.loss.item<double>();
    sum.reconstruction += w * b.reconstruction.item<double>();
    sum.topological += w * b.topological.item<double>();
    start = end;
  }
  const double nn = static_cast<double>(n);
  return {sum.loss / nn, sum.reconstruction / nn, sum.topological / nn};
}

void save_optimizer(Session& s, const fs::path& path) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive optimizer_archive;
  s.optimizer->save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);
  archive.write("loss_latent_norm", s.topo->latent_norm.detach().clone());
  ph::write_file_atomically_via_path(path, [&](const fs::path& tmp) { archive.save_to(tmp.string()); });
}

void load_optimizer(Session& s, const fs::path& path) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    torch::serialize::InputArchive optimizer_archive;
    archive.read("optimizer", optimizer_archive);
    s.optimizer->load(optimizer_archive);
    torch::Tensor latent_norm;
    archive.read("loss_latent_norm", latent_norm);
    if (!latent_norm.defined() || latent_norm.sizes() != s.topo->latent_norm.sizes()) {
      throw std::runtime_error("loss_latent_norm has the wrong shape");
    }
    torch::NoGradGuard no_grad;
    s.topo->latent_norm.copy_(latent_norm);
  } catch (const c10::Error& e) {
    throw std::runtime_error("optimizer checkpoint '" + path.string() + "' is corrupt or does not match the model: " +
                             e.what_without_backtrace());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("optimizer checkpoint '" + path.string() + "' is corrupt: " + e.what());
  }
}

void write_state(const TrainerState& st, const fs::path& dir, bool has_best) {
  nlohmann::json j;
  j["epoch"] = st.epoch;
  j["best_validation_loss"] = std::isfinite(st.best_validation_loss) ? nlohmann::json(st.best_validation_loss)
                                                                    : nlohmann::json(nullptr);
  j["best_epoch"] = st.best_epoch;
  j["epochs_without_improvement"] = st.epochs_without_improvement;
  j["stopped_early"] = st.stopped_early;
  j["shuffle_rng"] = st.shuffle_rng;
  nlohmann::json sums;
  sums[kModelFile] = file_checksum(dir / kModelFile);
  sums[kOptimizerFile] = file_checksum(dir / kOptimizerFile);
  if (has_best) sums[kBestModelFile] = file_checksum(dir / kBestModelFile);
  j["checksums"] = sums;
  ph::write_file_atomically(dir / kTrainerStateFile, j.dump(2) + "\n");
}

TrainerState read_state(const fs::path& dir) {
  const fs::path path = dir / kTrainerStateFile;
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot resume: '" + path.string() + "' is missing (no checkpoint in '" +
                             dir.string() + "')");
  }
  TrainerState st;
  try {
    nlohmann::json j;
    in >> j;
    st.epoch = j.at("epoch").get<std::int64_t>();
    const auto& best = j.at("best_validation_loss");
    st.best_validation_loss = best.is_null() ? std::numeric_limits<double>::infinity() : best.get<double>();
    st.best_epoch = j.at("best_epoch").get<std::int64_t>();
    st.epochs_without_improvement = j.at("epochs_without_improvement").get<std::int64_t>();
    st.stopped_early = j.at("stopped_early").get<bool>();
    st.shuffle_rng = j.at("shuffle_rng").get<std::string>();
    for (const auto& item : j.at("checksums").items()) {
      const fs::path file = dir / item.key();
      if (!fs::exists(file)) throw std::runtime_error("'" + file.string() + "' is missing");
      if (file_checksum(file) != item.value().get<std::string>()) {
        throw std::runtime_error("'" + file.string() +
                                 "' does not match trainer_state.json (changed, or written by an interrupted run)");
      }
    }
    if (st.epoch < 1) throw std::runtime_error("epoch must be >= 1, got " + std::to_string(st.epoch));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("cannot resume: '" + path.string() + "' is corrupt: " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("cannot resume from '" + dir.string() + "': " + e.what());
  }
  return st;
}

// Keeps the log lines of epochs 1..epoch (a killed run may have logged one more epoch, or half a
// line, after its last checkpoint).
void truncate_log(const fs::path& path, std::int64_t epoch) {
  std::string kept;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    try {
      const auto j = nlohmann::json::parse(line);
      if (j.at("epoch").get<std::int64_t>() <= epoch) kept += line + "\n";
    } catch (const nlohmann::json::exception&) {
      break;  // a half-written last line
    }
  }
  ph::write_file_atomically(path, kept);
}

void append_log(const fs::path& path, const EpochRecord& r) {
  std::ofstream out(path, std::ios::app);
  if (!out) throw std::runtime_error("cannot append to '" + path.string() + "'");
  out << record_json(r).dump() << "\n";
  out.flush();
  if (!out) throw std::runtime_error("writing '" + path.string() + "' failed");
}

void copy_model_state(models::Autoencoder& to, const models::Autoencoder& from) {
  torch::NoGradGuard no_grad;
  const auto src_params = from.named_parameters();
  for (auto& p : to.named_parameters()) p.value().copy_(src_params[p.key()]);
  const auto src_buffers = from.named_buffers();
  for (auto& b : to.named_buffers()) b.value().copy_(src_buffers[b.key()]);
}

}  // namespace

TrainResult train_autoencoder(const TrainConfig& config, const torch::Tensor& train_x, double input_distance_scale,
                              const std::string& run_dir, const TrainOptions& options) {
  validate(config);
  if (!train_x.defined() || train_x.dim() < 2 || !train_x.is_floating_point()) {
    throw std::invalid_argument("train_autoencoder: train_x must be a floating tensor [n, ...], got " +
                                (train_x.defined() ? std::string(train_x.toString()) + " of dim " +
                                                         std::to_string(train_x.dim())
                                                   : std::string("an undefined tensor")));
  }
  if (options.stop_after_epochs < 0) {
    throw std::invalid_argument("train_autoencoder: stop_after_epochs must be >= 0, got " +
                                std::to_string(options.stop_after_epochs));
  }
  // LibTorch's and the BLAS's threads from the one budget (they spin against each other otherwise).
  diff::set_compute_threads(config.threads);
  const fs::path dir(run_dir);

  const auto split = validation_split(train_x.size(0), config.validation_fraction, mix_seed(config.seed, 0));
  const auto x_train = train_x.to(torch::kFloat32).index_select(0, split.train_index).contiguous();
  const auto x_val = train_x.to(torch::kFloat32).index_select(0, split.validation_index).contiguous();
  const std::int64_t n_train = x_train.size(0);
  if (n_train < config.batch_size) {
    throw std::invalid_argument("train_autoencoder: the training split has " + std::to_string(n_train) +
                                " samples, fewer than batch_size " + std::to_string(config.batch_size));
  }
  if (x_val.size(0) < 2) {
    throw std::invalid_argument("train_autoencoder: the validation split has " + std::to_string(x_val.size(0)) +
                                " sample(s), expected at least 2");
  }

  // The architecture, initialised from the seed (LibTorch's generator is the only one its
  // initialisers use).
  torch::manual_seed(config.seed);
  models::AutoencoderSpec spec;
  spec.input_shape.assign(train_x.sizes().begin() + 1, train_x.sizes().end());
  const std::string model_name = resolved_model_name(config);
  spec.latent_dim = model_name == "conv" ? 0 : config.latent_dim;
  std::shared_ptr<models::Autoencoder> model;
  try {
    model = models::make_autoencoder(model_name, spec);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("train_autoencoder: ") + e.what());
  }
  auto best_model = models::make_autoencoder(model_name, spec);

  TrainerState state;
  state.shuffle_rng = rng_state(ShuffleRng(mix_seed(config.seed, 1)));
  bool has_best = false;
  std::optional<Session> session;

  if (options.resume) {
    if (!fs::exists(dir / kConfigFile)) {
      throw std::runtime_error("cannot resume: '" + (dir / kConfigFile).string() + "' is missing (no run in '" +
                               dir.string() + "')");
    }
    const TrainConfig saved = read_config((dir / kConfigFile).string());
    auto a = to_json(saved);
    auto b = to_json(config);
    a.erase("epochs");
    a.erase("threads");
    b.erase("epochs");
    b.erase("threads");
    if (a != b) {
      throw std::invalid_argument("cannot resume: the configuration differs from '" +
                                  (dir / kConfigFile).string() + "' (only epochs and threads may change): " +
                                  a.dump() + " vs " + b.dump());
    }
    state = read_state(dir);
    (void)rng_from_state(state.shuffle_rng);
    auto loaded = models::load_autoencoder((dir / kModelFile).string());
    if (models::autoencoder_architecture_json(loaded->architecture_name(), loaded->spec()) !=
        models::autoencoder_architecture_json(model->architecture_name(), model->spec())) {
      throw std::runtime_error("cannot resume: '" + (dir / kModelFile).string() +
                               "' holds a different architecture than the configuration builds");
    }
    copy_model_state(*model, *loaded);
    has_best = fs::exists(dir / kBestModelFile);
    if (has_best) copy_model_state(*best_model, *models::load_autoencoder((dir / kBestModelFile).string()));
    session.emplace(make_session(config, model, input_distance_scale));
    load_optimizer(*session, dir / kOptimizerFile);
    // Everything checked: now the directory may change.
    truncate_log(dir / kLogFile, state.epoch);
    if (saved.epochs != config.epochs || saved.threads != config.threads) {
      write_config(config, (dir / kConfigFile).string());
    }
  } else {
    if (fs::exists(dir / kTrainerStateFile) || fs::exists(dir / kModelFile)) {
      throw std::invalid_argument("run directory '" + dir.string() +
                                  "' already holds a checkpoint; resume it or choose another directory");
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) {
      throw std::runtime_error("cannot create run directory '" + dir.string() + "': " + ec.message());
    }
    session.emplace(make_session(config, model, input_distance_scale));
    write_config(config, (dir / kConfigFile).string());
    ph::write_file_atomically(dir / kLogFile, std::string());
  }
  Session& s = *session;
  ShuffleRng rng = rng_from_state(state.shuffle_rng);

  TrainResult result;
  const std::int64_t steps = n_train / config.batch_size;  // the last partial batch is dropped
  const auto call_start = Clock::now();
  std::int64_t steps_this_call = 0;
  std::int64_t epochs_this_call = 0;
  const std::int64_t total_steps_left = steps * std::max<std::int64_t>(0, config.epochs - state.epoch);

  while (state.epoch < config.epochs && !state.stopped_early) {
    if (options.stop_after_epochs > 0 && epochs_this_call >= options.stop_after_epochs) break;
    const auto epoch_start = Clock::now();
    EpochRecord record;
    record.epoch = state.epoch + 1;

    std::vector<std::int64_t> order(static_cast<std::size_t>(n_train));
    std::iota(order.begin(), order.end(), 0);
    shuffle(order, rng);
    const auto order_tensor = torch::tensor(order, torch::kLong);

    s.model->train();
    LossTerms sum;
    for (std::int64_t step = 0; step < steps; ++step) {
      const auto index = order_tensor.slice(0, step * config.batch_size, (step + 1) * config.batch_size);
      const auto x = x_train.index_select(0, index);
      const auto b = batch_loss(s, config, x);
      s.optimizer->zero_grad();
      b.loss.backward();
      s.optimizer->step();
      const double loss = b.loss.item<double>();
      if (!std::isfinite(loss)) {
        throw std::runtime_error("training diverged: the loss is " + std::to_string(loss) + " at epoch " +
                                 std::to_string(record.epoch) + " step " + std::to_string(step + 1) +
                                 "; the last checkpoint is of epoch " + std::to_string(state.epoch));
      }
      sum.loss += loss;
      sum.reconstruction += b.reconstruction.item<double>();
      sum.topological += b.topological.item<double>();
      ++steps_this_call;
      if (options.callbacks.on_step) {
        StepProgress p;
        p.epoch = record.epoch;
        p.epochs = config.epochs;
        p.step = step + 1;
        p.steps = steps;
        const double k = static_cast<double>(step + 1);
        p.running = {sum.loss / k, sum.reconstruction / k, sum.topological / k};
        const double elapsed = seconds_since(epoch_start);
        p.samples_per_second = elapsed > 0 ? k * static_cast<double>(config.batch_size) / elapsed : 0.0;
        const double per_step = seconds_since(call_start) / static_cast<double>(steps_this_call);
        p.eta_seconds = per_step * static_cast<double>(total_steps_left - steps_this_call);
        options.callbacks.on_step(p);
      }
    }
    const double train_seconds = seconds_since(epoch_start);
    const double ksteps = static_cast<double>(steps);
    record.train = {sum.loss / ksteps, sum.reconstruction / ksteps, sum.topological / ksteps};
    record.samples_per_second = ksteps * static_cast<double>(config.batch_size) / train_seconds;
    record.validation = evaluate(s, config, x_val);
    record.latent_norm = s.topo->latent_norm.item<double>();

    state.epoch = record.epoch;
    state.shuffle_rng = rng_state(rng);
    record.improved = record.validation.loss < state.best_validation_loss;
    if (record.improved) {
      state.best_validation_loss = record.validation.loss;
      state.best_epoch = record.epoch;
      state.epochs_without_improvement = 0;
      copy_model_state(*best_model, *s.model);
      models::save_autoencoder(*best_model, (dir / kBestModelFile).string());
      has_best = true;
    } else {
      ++state.epochs_without_improvement;
    }
    state.stopped_early = config.patience > 0 && state.epochs_without_improvement >= config.patience;

    // Checkpoint: the .pt files and the log line first, trainer_state.json (with the checksums) last;
    // a resume drops log lines after the state's epoch.
    models::save_autoencoder(*s.model, (dir / kModelFile).string());
    save_optimizer(s, dir / kOptimizerFile);
    record.seconds = seconds_since(epoch_start);
    append_log(dir / kLogFile, record);
    write_state(state, dir, has_best);
    ++epochs_this_call;
    if (options.callbacks.on_epoch) options.callbacks.on_epoch(record);
  }

  result.epochs_run = state.epoch;
  result.best_epoch = state.best_epoch;
  result.best_validation_loss = state.best_validation_loss;
  result.stopped_early = state.stopped_early;
  result.finished = state.stopped_early || state.epoch >= config.epochs;
  best_model->eval();
  result.best_model = has_best ? best_model : s.model;
  result.best_model->eval();
  return result;
}

std::shared_ptr<models::Autoencoder> load_run_model(const std::string& run_dir) {
  const fs::path dir(run_dir);
  if (!fs::is_directory(dir)) throw std::runtime_error("run directory '" + run_dir + "' does not exist");
  fs::path path = dir / kBestModelFile;
  if (!fs::exists(path)) path = dir / kModelFile;
  if (!fs::exists(path)) {
    throw std::runtime_error("run directory '" + run_dir + "' holds no model (" + kBestModelFile + " or " +
                             kModelFile + "); has it been trained?");
  }
  auto model = models::load_autoencoder(path.string());
  model->eval();
  return model;
}

}  // namespace topoembed::train
