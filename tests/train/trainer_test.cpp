// Trainer and workflows on a tiny Spheres data set: resume equals an uninterrupted run,
// end-to-end smoke run, and bad input leaving the run directory as it was.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <unistd.h>

#include "../support/expect_error.hpp"
#include "topoembed/data/point_cloud_io.hpp"
#include "topoembed/diff/compute_threads.hpp"
#include "topoembed/train/datasets.hpp"
#include "topoembed/train/report.hpp"
#include "topoembed/train/shuffle.hpp"
#include "topoembed/train/trainer.hpp"
#include "topoembed/train/workflows.hpp"
#include "test_support.hpp"

namespace topoembed::train {
namespace {

namespace fs = std::filesystem;

using topoembed::test_support::error_of;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

using test_support::slurp;
using test_support::snapshot;

class TrainerTest : public test_support::TempDirTest {
 protected:
  TrainerTest() : TempDirTest("topoembed_trainer_") {}

  // 10 small spheres of 10 points plus an enclosing one of 100: 180 training points.
  static TrainConfig tiny_config(std::int64_t epochs) {
    TrainConfig c = preset("topoae-spheres");
    c.spheres_points_per_sphere = 10;
    c.epochs = epochs;
    c.seed = 7;
    return c;
  }
};

void expect_same_parameters(const std::string& a_path, const std::string& b_path) {
  const auto a = models::load_autoencoder(a_path);
  const auto b = models::load_autoencoder(b_path);
  const auto pa = a->named_parameters();
  const auto pb = b->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (const auto& p : pa) EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
  const auto ba = a->named_buffers();
  const auto bb = b->named_buffers();
  for (const auto& p : ba) EXPECT_TRUE(torch::equal(p.value(), bb[p.key()])) << p.key();
}

// log.jsonl without the timing fields.
std::vector<nlohmann::json> log_without_timing(const fs::path& path) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    j.erase("seconds");
    j.erase("samples_per_second");
    lines.push_back(j);
  }
  return lines;
}

TEST(Shuffle, IsAPermutationAndItsStateRoundTrips) {
  ShuffleRng rng(3);
  std::vector<int> v(100);
  for (int i = 0; i < 100; ++i) v[static_cast<std::size_t>(i)] = i;
  shuffle(v, rng);
  auto sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);
  EXPECT_NE(v, sorted);
  ShuffleRng copy = rng_from_state(rng_state(rng));
  EXPECT_EQ(copy(), rng());
  EXPECT_EQ(error_of([] { rng_from_state("garbage"); }), "shuffling generator state is corrupt");
}

TEST(ValidationSplitTest, DisjointCoveringAndSeeded) {
  const auto s = validation_split(100, 0.15, 5);
  EXPECT_EQ(s.validation_index.size(0), 15);
  EXPECT_EQ(s.train_index.size(0), 85);
  const auto all = std::get<0>(torch::sort(torch::cat({s.train_index, s.validation_index})));
  EXPECT_TRUE(torch::equal(all, torch::arange(100, torch::kLong)));
  EXPECT_TRUE(torch::equal(validation_split(100, 0.15, 5).validation_index, s.validation_index));
  EXPECT_FALSE(torch::equal(validation_split(100, 0.15, 6).validation_index, s.validation_index));
}

TEST_F(TrainerTest, TwoEpochsThenResumeTwoMoreEqualsFourEpochs) {
  const auto data = load_training_data(tiny_config(4));
  const auto straight = root_ / "straight";
  const auto resumed = root_ / "resumed";
  const auto r4 = train_autoencoder(tiny_config(4), data.train_x, 0.0, straight.string());
  EXPECT_EQ(r4.epochs_run, 4);
  EXPECT_TRUE(r4.finished);

  const auto r2 = train_autoencoder(tiny_config(2), data.train_x, 0.0, resumed.string());
  EXPECT_EQ(r2.epochs_run, 2);
  TrainOptions resume;
  resume.resume = true;
  const auto r22 = train_autoencoder(tiny_config(4), data.train_x, 0.0, resumed.string(), resume);
  EXPECT_EQ(r22.epochs_run, 4);
  EXPECT_EQ(r22.best_epoch, r4.best_epoch);
  EXPECT_EQ(r22.best_validation_loss, r4.best_validation_loss);

  expect_same_parameters((straight / kModelFile).string(), (resumed / kModelFile).string());
  expect_same_parameters((straight / kBestModelFile).string(), (resumed / kBestModelFile).string());
  EXPECT_EQ(log_without_timing(straight / kLogFile), log_without_timing(resumed / kLogFile));
  EXPECT_EQ(read_config((resumed / kConfigFile).string()).epochs, 4);
}

TEST_F(TrainerTest, KilledRunResumesToTheSameResultAndDropsLogLinesPastTheCheckpoint) {
  const auto data = load_training_data(tiny_config(3));
  const auto straight = root_ / "straight";
  const auto killed = root_ / "killed";
  train_autoencoder(tiny_config(3), data.train_x, 0.0, straight.string());
  TrainOptions stop;
  stop.stop_after_epochs = 1;
  const auto partial = train_autoencoder(tiny_config(3), data.train_x, 0.0, killed.string(), stop);
  EXPECT_FALSE(partial.finished);
  EXPECT_EQ(partial.epochs_run, 1);
  // A kill after the log line of epoch 2 but before its checkpoint: a stray (half) line.
  std::ofstream(killed / kLogFile, std::ios::app) << "{\"epoch\": 2, \"train\": {\"lo";
  TrainOptions resume;
  resume.resume = true;
  train_autoencoder(tiny_config(3), data.train_x, 0.0, killed.string(), resume);
  expect_same_parameters((straight / kModelFile).string(), (killed / kModelFile).string());
  EXPECT_EQ(log_without_timing(straight / kLogFile), log_without_timing(killed / kLogFile));
}

TEST_F(TrainerTest, LogHasOneLinePerEpochWithEveryTerm) {
  const auto data = load_training_data(tiny_config(2));
  train_autoencoder(tiny_config(2), data.train_x, 0.0, root_.string());
  const auto lines = log_without_timing(root_ / kLogFile);
  ASSERT_EQ(lines.size(), 2u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].at("epoch"), static_cast<int>(i) + 1);
    for (const char* pass : {"train", "validation"}) {
      const auto& t = lines[i].at(pass);
      // loss = MSE + lambda * topological, as logged.
      EXPECT_NEAR(t.at("loss").get<double>(),
                  t.at("reconstruction").get<double>() + 0.43358 * t.at("topological").get<double>(), 1e-6);
      EXPECT_GT(t.at("topological").get<double>(), 0.0);
    }
  }
}

TEST_F(TrainerTest, AeHasNoTopologicalTerm) {
  auto c = tiny_config(1);
  c.method = Method::kAe;
  const auto data = load_training_data(c);
  train_autoencoder(c, data.train_x, 0.0, root_.string());
  const auto lines = log_without_timing(root_ / kLogFile);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("train").at("topological").get<double>(), 0.0);
  EXPECT_EQ(lines[0].at("train").at("loss"), lines[0].at("train").at("reconstruction"));
}

TEST_F(TrainerTest, EndToEndSmokeRunWritesLatentsMetricsAndReport) {
  const auto summary = run_training(tiny_config(2), root_.string());
  EXPECT_TRUE(summary.finished);
  for (const char* f : {kConfigFile, kLogFile, kModelFile, kOptimizerFile, kBestModelFile, kTrainerStateFile,
                        kLatentsCsvFile, kLatentsNpyFile, kMetricsFile}) {
    EXPECT_TRUE(fs::exists(root_ / f)) << f;
  }
  const auto latents = data::read_npy((root_ / kLatentsNpyFile).string());
  EXPECT_EQ(latents.sizes(), (std::vector<std::int64_t>{20, 2}));
  const auto csv = data::read_csv((root_ / kLatentsCsvFile).string());
  EXPECT_EQ(csv.header, (std::vector<std::string>{"0", "1", "labels"}));
  // The written latents are what the best model gives on the test split.
  const auto data = load_training_data(tiny_config(2));
  auto model = load_run_model(root_.string());
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(model->encode(data.test_x), latents));
  EXPECT_TRUE(torch::equal(csv.values.select(1, 2).to(torch::kLong), data.test_labels));

  std::ifstream in(root_ / kMetricsFile);
  nlohmann::json m;
  in >> m;
  for (const char* key : {"kl_0.01", "kl_0.1", "continuity_mean", "trustworthiness_mean", "rmse", "data_mse"}) {
    ASSERT_TRUE(m.contains(key)) << key;
    EXPECT_TRUE(std::isfinite(m.at(key).get<double>())) << key;
  }
  // Cross-check: evaluate_files on the written files gives the same measures.
  const auto test_x = (root_ / "test_x.npy").string();
  data::write_npy(test_x, data.test_x);
  const auto again = evaluate_files((root_ / kLatentsCsvFile).string(), test_x, "", "");
  EXPECT_NEAR(again.at("rmse").get<double>(), m.at("rmse").get<double>(), 1e-9);

  const auto report = write_report(root_.string(), 50);
  const auto html = slurp(report);
  for (const char* png : {"latents.png", "loss.png", "loss_terms.png", "diagram_data.png", "diagram_latents.png"}) {
    EXPECT_TRUE(fs::exists(root_ / "plots" / png)) << png;
    EXPECT_TRUE(contains(html, png)) << png;
  }
}

TEST_F(TrainerTest, EvaluateFilesIsTheSameOnAnyThreadCountAndRestoresTheCounts) {
  // 300 points: the row pass is split between threads (16 rows per chunk at least); 40 data
  // dimensions take the GEMM path, 2 latent ones the direct one.
  torch::manual_seed(5);
  const auto x = torch::randn({300, 40}, torch::kFloat64);
  const auto z = x.slice(1, 0, 2) + 0.3 * torch::randn({300, 2}, torch::kFloat64);
  const auto x_path = (root_ / "x.npy").string();
  const auto z_path = (root_ / "z.npy").string();
  data::write_npy(x_path, x);
  data::write_npy(z_path, z);
  const auto before = diff::set_compute_threads(diff::ThreadSplit{1, 1});
  const auto one = evaluate_files(z_path, x_path, "", "", 1);
  const auto two = evaluate_files(z_path, x_path, "", "", 2);
  EXPECT_EQ(one, two);  // bitwise: per-row sums are added in row order
  EXPECT_EQ(at::get_num_threads(), 1);
  EXPECT_EQ(diff::blas_num_threads(), before.blas_threads);
  EXPECT_EQ(error_of([&] { evaluate_files(z_path, x_path, "", "", 0); }), "eval: threads must be >= 1, got 0");
}

TEST_F(TrainerTest, EmbedFileMatchesTheModelAndChecksTheDimension) {
  run_training(tiny_config(1), root_.string());
  const auto data = load_training_data(tiny_config(1));
  const auto input = (root_ / "points.npy").string();
  data::write_npy(input, data.test_x.slice(0, 0, 5));
  EXPECT_EQ(embed_file(root_.string(), input, (root_ / "z.csv").string()), 5);
  const auto table = data::read_csv((root_ / "z.csv").string());
  EXPECT_EQ(table.header, (std::vector<std::string>{"z0", "z1"}));
  const auto z = table.values;
  const auto latents = data::read_npy((root_ / kLatentsNpyFile).string());
  EXPECT_TRUE(torch::allclose(z.to(torch::kFloat32), latents.slice(0, 0, 5)));

  const auto narrow = (root_ / "narrow.csv").string();
  std::ofstream(narrow) << "1,2,3\n4,5,6\n";
  EXPECT_EQ(error_of([&] { embed_file(root_.string(), narrow, (root_ / "out.csv").string()); }),
            "embed: '" + narrow + "' has 3 columns, the model of '" + root_.string() + "' expects 101");
  EXPECT_FALSE(fs::exists(root_ / "out.csv"));
  EXPECT_EQ(error_of([&] { embed_file(root_.string(), (root_ / "missing.csv").string(), (root_ / "o.csv").string()); }),
            "embed: the input '" + (root_ / "missing.csv").string() + "' does not exist");
  EXPECT_EQ(error_of([&] { embed_file((root_ / "nowhere").string(), input, (root_ / "o.csv").string()); }),
            "run directory '" + (root_ / "nowhere").string() + "' does not exist");
}

TEST_F(TrainerTest, CorruptCheckpointIsAClearErrorAndLeavesTheRunDirectory) {
  const auto data = load_training_data(tiny_config(2));
  train_autoencoder(tiny_config(2), data.train_x, 0.0, root_.string());
  TrainOptions resume;
  resume.resume = true;

  // A changed optimizer.pt.
  const auto optimizer = slurp(root_ / kOptimizerFile);
  std::ofstream(root_ / kOptimizerFile, std::ios::binary | std::ios::trunc) << "garbage";
  auto before = snapshot(root_);
  auto message = error_of([&] { train_autoencoder(tiny_config(4), data.train_x, 0.0, root_.string(), resume); });
  EXPECT_TRUE(contains(message, "optimizer.pt' does not match trainer_state.json")) << message;
  EXPECT_EQ(snapshot(root_), before);
  std::ofstream(root_ / kOptimizerFile, std::ios::binary | std::ios::trunc) << optimizer;

  // A truncated trainer_state.json.
  const auto state = slurp(root_ / kTrainerStateFile);
  std::ofstream(root_ / kTrainerStateFile, std::ios::trunc) << state.substr(0, state.size() / 2);
  before = snapshot(root_);
  message = error_of([&] { train_autoencoder(tiny_config(4), data.train_x, 0.0, root_.string(), resume); });
  EXPECT_TRUE(contains(message, "trainer_state.json' is corrupt")) << message;
  EXPECT_EQ(snapshot(root_), before);

  // A corrupt model file is reported by the loader, naming the file.
  std::ofstream(root_ / kTrainerStateFile, std::ios::trunc) << state;
  std::ofstream(root_ / kBestModelFile, std::ios::binary | std::ios::trunc) << "not a checkpoint";
  message = error_of([&] { load_run_model(root_.string()); });
  EXPECT_TRUE(contains(message, kBestModelFile)) << message;
}

TEST_F(TrainerTest, ExistingRunAndChangedConfigAreRefused) {
  const auto data = load_training_data(tiny_config(1));
  train_autoencoder(tiny_config(1), data.train_x, 0.0, root_.string());
  const auto before = snapshot(root_);
  EXPECT_EQ(error_of([&] { train_autoencoder(tiny_config(1), data.train_x, 0.0, root_.string()); }),
            "run directory '" + root_.string() + "' already holds a checkpoint; resume it or choose another directory");
  auto changed = tiny_config(2);
  changed.learning_rate = 1e-3;
  TrainOptions resume;
  resume.resume = true;
  EXPECT_TRUE(contains(error_of([&] { train_autoencoder(changed, data.train_x, 0.0, root_.string(), resume); }),
                       "cannot resume: the configuration differs"));
  EXPECT_EQ(snapshot(root_), before);
  EXPECT_TRUE(contains(error_of([&] { train_autoencoder(tiny_config(1), data.train_x, 0.0, (root_ / "fresh").string(), resume); }),
                       "cannot resume: '" + (root_ / "fresh" / kConfigFile).string()));
}

TEST_F(TrainerTest, MissingDatasetFileIsNamed) {
  auto c = tiny_config(1);
  c.dataset = (root_ / "missing.csv").string();
  EXPECT_EQ(error_of([&] { run_training(c, (root_ / "run").string()); }),
            "dataset file '" + c.dataset + "' does not exist");
  EXPECT_FALSE(fs::exists(root_ / "run"));
  c.dataset = (root_ / "points.txt").string();
  EXPECT_EQ(error_of([&] { load_training_data(c); }),
            "dataset must be 'spheres', 'fmnist' or a .csv/.npy file, got '" + c.dataset + "'");
}

TEST_F(TrainerTest, CsvDatasetWithLabelsTrains) {
  // Two noisy circles in 3-D, label column last.
  const auto path = root_ / "circles.csv";
  {
    std::ofstream out(path);
    out << "x,y,z,label\n";
    for (int i = 0; i < 60; ++i) {
      const double t = 2 * M_PI * i / 60.0;
      out << std::cos(t) + (i % 2) * 3 << "," << std::sin(t) << "," << 0.01 * i << "," << i % 2 << "\n";
    }
  }
  auto c = tiny_config(1);
  c.dataset = path.string();
  c.batch_size = 8;
  const auto data = load_training_data(c);
  EXPECT_EQ(data.train_x.size(1), 3);
  EXPECT_EQ(data.train_x.size(0) + data.test_x.size(0), 60);
  EXPECT_EQ(data.test_x.size(0), 6);
  const auto summary = run_training(c, (root_ / "run").string());
  EXPECT_TRUE(summary.finished);
  EXPECT_EQ(models::load_autoencoder((root_ / "run" / kModelFile).string())->architecture_name(), "mlp");
}

TEST_F(TrainerTest, BadTrainingInputIsRefused) {
  auto c = tiny_config(1);
  c.batch_size = 1000;
  const auto data = load_training_data(tiny_config(1));
  EXPECT_EQ(error_of([&] { train_autoencoder(c, data.train_x, 0.0, root_.string()); }),
            "train_autoencoder: the training split has 153 samples, fewer than batch_size 1000");
  EXPECT_TRUE(contains(error_of([&] { train_autoencoder(tiny_config(1), torch::zeros({10}), 0.0, root_.string()); }),
                       "train_autoencoder: train_x must be a floating tensor [n, ...]"));
}

}  // namespace
}  // namespace topoembed::train
