// The train / embed / eval / report subcommands of the built topoembed binary on a tiny Spheres
// run: outputs, exit status, error messages, and run directories left intact on failure.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "../support/run_command.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kExe = std::string(TOPOEMBED_BINARY_DIR) + "/bin/topoembed";

using Outcome = topoembed::test_support::CommandOutcome;
using topoembed::test_support::run_command;
using topoembed::test_support::slurp;
using topoembed::test_support::snapshot;

class CliTrainTest : public topoembed::test_support::TempDirTest {
 protected:
  CliTrainTest() : TempDirTest("topoembed_cli_train_") {}

  Outcome run(const std::string& args) const { return run_command(kExe, args, root_); }

  std::string tiny_train(const fs::path& dir, int epochs) {
    return "train --preset topoae-spheres --spheres-points 10 --epochs " + std::to_string(epochs) +
           " --seed 3 --run-dir '" + dir.string() + "'";
  }
};

TEST_F(CliTrainTest, TrainWritesTheRunDirectoryAndResumeExtendsIt) {
  const auto dir = root_ / "run";
  auto o = run(tiny_train(dir, 2));
  ASSERT_EQ(o.code, 0) << o.err;
  for (const char* f : {"config.json", "log.jsonl", "model.pt", "optimizer.pt", "best_model.pt", "trainer_state.json",
                        "latents.csv", "latents.npy", "metrics.json", "report.html"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  // Not a terminal: one plain progress line per epoch.
  EXPECT_NE(o.err.find("epoch 1/2 train loss"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("epoch 2/2 train loss"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find('\r'), std::string::npos);
  EXPECT_NE(o.out.find("kl_0.1 = "), std::string::npos) << o.out;

  o = run("train --resume --epochs 3 --quiet --no-report --run-dir '" + dir.string() + "'");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  std::ifstream log(dir / "log.jsonl");
  int lines = 0;
  for (std::string line; std::getline(log, line);) ++lines;
  EXPECT_EQ(lines, 3);
  EXPECT_EQ(nlohmann::json::parse(slurp(dir / "config.json")).at("epochs"), 3);
}

TEST_F(CliTrainTest, BadInputIsAClearErrorAndTheRunDirectoryStaysIntact) {
  const auto dir = root_ / "run";
  ASSERT_EQ(run(tiny_train(dir, 1) + " --quiet").code, 0);
  const auto before = snapshot(dir);

  auto o = run(tiny_train(dir, 1));
  EXPECT_NE(o.code, 0);
  EXPECT_EQ(o.err, "error: run directory '" + dir.string() +
                       "' already holds a checkpoint; resume it or choose another directory\n");

  o = run("train --resume --lr 0.1 --run-dir '" + dir.string() + "'");
  EXPECT_NE(o.code, 0);
  EXPECT_EQ(o.err,
            "error: train --resume continues the run directory's config.json; only --epochs and --threads may be given\n");

  std::ofstream(dir / "model.pt", std::ios::binary | std::ios::trunc) << "corrupt";
  const auto corrupted = snapshot(dir);
  o = run("train --resume --epochs 2 --run-dir '" + dir.string() + "'");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("model.pt' does not match trainer_state.json"), std::string::npos) << o.err;
  EXPECT_EQ(snapshot(dir), corrupted);
  std::ofstream(dir / "model.pt", std::ios::binary | std::ios::trunc) << before.at("model.pt");

  o = run("train --dataset '" + (root_ / "missing.csv").string() + "' --run-dir '" + (root_ / "other").string() + "'");
  EXPECT_NE(o.code, 0);
  EXPECT_EQ(o.err, "error: dataset file '" + (root_ / "missing.csv").string() + "' does not exist\n");

  o = run("train --preset topoae-cifar --run-dir '" + (root_ / "other").string() + "'");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("unknown preset 'topoae-cifar'"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(root_ / "other"));

  const auto narrow = root_ / "narrow.csv";
  std::ofstream(narrow) << "1,2\n3,4\n";
  o = run("embed --run-dir '" + dir.string() + "' --input '" + narrow.string() + "' --output '" +
          (root_ / "z.csv").string() + "'");
  EXPECT_NE(o.code, 0);
  EXPECT_EQ(o.err, "error: embed: '" + narrow.string() + "' has 2 columns, the model of '" + dir.string() +
                       "' expects 101\n");
  EXPECT_FALSE(fs::exists(root_ / "z.csv"));

  o = run("eval --latents '" + (dir / "latents.csv").string() + "' --dataset spheres");
  EXPECT_NE(o.code, 0);
  EXPECT_EQ(o.err, "error: eval: the latents have 20 rows, the data 1000; expected the same points in the same order\n");

  o = run("report '" + (root_ / "nowhere").string() + "'");
  EXPECT_NE(o.code, 0);
  EXPECT_EQ(o.err, "error: report: run directory '" + (root_ / "nowhere").string() + "' does not exist\n");
  EXPECT_EQ(snapshot(dir), before);
}

TEST_F(CliTrainTest, EmbedEvalAndReportOnAFinishedRun) {
  const auto dir = root_ / "run";
  ASSERT_EQ(run(tiny_train(dir, 1) + " --quiet --no-report").code, 0);
  EXPECT_FALSE(fs::exists(dir / "report.html"));

  // The latents of the run re-embedded from a file of latents' own data are not available to the
  // CLI, so embed the latents file's source points via a generated CSV of 101 columns.
  {
    std::ofstream out(root_ / "points.csv");
    for (int i = 0; i < 4; ++i) {
      for (int c = 0; c < 101; ++c) out << (c ? "," : "") << 0.01 * (i + c);
      out << "\n";
    }
  }
  auto o = run("embed --run-dir '" + dir.string() + "' --input '" + (root_ / "points.csv").string() +
               "' --output '" + (root_ / "z.npy").string() + "'");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "embedded 4 points into " + (root_ / "z.npy").string() + "\n");
  EXPECT_TRUE(fs::exists(root_ / "z.npy"));

  // Latents against themselves: perfect trustworthiness and continuity, zero RMSE.
  o = run("eval --latents '" + (dir / "latents.csv").string() + "' --data '" + (dir / "latents.csv").string() +
          "' --output '" + (root_ / "m.json").string() + "'");
  ASSERT_EQ(o.code, 0) << o.err;
  const auto m = nlohmann::json::parse(slurp(root_ / "m.json"));
  EXPECT_NEAR(m.at("rmse").get<double>(), 0.0, 1e-12);
  // --threads: the same file from two threads; 0 is refused before anything is written.
  o = run("eval --latents '" + (dir / "latents.csv").string() + "' --data '" + (dir / "latents.csv").string() +
          "' --output '" + (root_ / "m2.json").string() + "' --threads 2");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(slurp(root_ / "m2.json"), slurp(root_ / "m.json"));
  o = run("eval --latents '" + (dir / "latents.csv").string() + "' --data '" + (dir / "latents.csv").string() +
          "' --output '" + (root_ / "m0.json").string() + "' --threads 0");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("--threads"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(root_ / "m0.json"));

  o = run("report '" + dir.string() + "' --max-points 15");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "wrote " + (dir / "report.html").string() + "\n");
  const auto html = slurp(dir / "report.html");
  EXPECT_NE(html.find("diagram_latents.png"), std::string::npos);
}

}  // namespace
