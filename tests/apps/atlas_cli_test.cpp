// `topoembed train --method atlas-ae`, `topoembed nerve` and `topoembed dimsweep` end to end on
// tiny samples (tens of points, one or two epochs): the files they write, and bad options failing
// with a message naming the flag while the run directory stays as it was.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support/run_command.hpp"
#include "../support/temp_dir_test.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kAtlasExe = TOPOEMBED_EXE;

using AtlasOutcome = topoembed::test_support::CommandOutcome;
using topoembed::test_support::run_command;
using topoembed::test_support::shell_quote;
using topoembed::test_support::slurp;

// Every entry under dir (recursively): files with their bytes, directories with a marker.
std::map<std::string, std::string> tree_snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  if (!fs::exists(dir)) return files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    files[fs::relative(e.path(), dir).string()] = e.is_regular_file() ? slurp(e.path()) : std::string("<dir>");
  return files;
}

std::vector<std::vector<double>> read_csv_rows(const fs::path& p) {
  std::vector<std::vector<double>> rows;
  std::istringstream in(slurp(p));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::istringstream s(line);
    std::string cell;
    while (std::getline(s, cell, ',')) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

class AtlasCli : public topoembed::test_support::TempDirTest {
 protected:
  AtlasCli() : TempDirTest("topoembed_atlas_cli_") {}

  AtlasOutcome run(const std::string& args) const { return run_command(kAtlasExe, args, root_); }
  std::string path(const std::string& name) const { return shell_quote((root_ / name).string()); }

  // A tiny circle atlas: 60 points, 3 charts, d = 1, 2 epochs.
  AtlasOutcome train_tiny(const std::string& run_name, const std::string& extra = "") const {
    return run("train --method atlas-ae --dataset circle --points 60 --charts 3 --dim 1 --epochs 2 --batch-size 32 "
               "--threads 1 --quiet --run-dir " + path(run_name) + " " + extra);
  }
};

// A failed run: non-zero status, stderr starting with "error: " and holding every part, no stdout.
::testing::AssertionResult fails_naming(const AtlasOutcome& r, std::initializer_list<std::string> parts) {
  if (r.code == 0) return ::testing::AssertionFailure() << "exit status 0; stdout: " << r.out;
  if (r.err.rfind("error: ", 0) != 0) return ::testing::AssertionFailure() << "stderr: " << r.err;
  for (const auto& part : parts)
    if (r.err.find(part) == std::string::npos)
      return ::testing::AssertionFailure() << "stderr \"" << r.err << "\" lacks \"" << part << "\"";
  if (!r.out.empty()) return ::testing::AssertionFailure() << "stdout not empty: " << r.out;
  return ::testing::AssertionSuccess();
}

TEST_F(AtlasCli, TrainWritesTheAtlasRun) {
  const auto r = train_tiny("run");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("trained atlas (3 charts, d = 1) on 60 points"), std::string::npos) << r.out;
  const fs::path run_dir = root_ / "run";
  for (const char* file : {"atlas_config.json", "log.jsonl", "atlas.pt", "memberships.csv", "atlas_summary.json",
                           "charts.png", "report.html", "plots/loss.png", "plots/chart_graph.png", "plots/charts.png"})
    EXPECT_TRUE(fs::is_regular_file(run_dir / file)) << file;

  const auto config = nlohmann::json::parse(slurp(run_dir / "atlas_config.json"));
  EXPECT_EQ(config.at("charts"), 3);
  EXPECT_EQ(config.at("chart_dim"), 1);
  EXPECT_EQ(config.at("prior"), "mmd");
  EXPECT_EQ(config.at("points"), 60);

  std::istringstream log(slurp(run_dir / "log.jsonl"));
  std::string line;
  int epochs = 0;
  nlohmann::json last_record;
  while (std::getline(log, line)) {
    last_record = nlohmann::json::parse(line);
    EXPECT_EQ(last_record.at("epoch"), ++epochs);
    EXPECT_TRUE(std::isfinite(last_record.at("reconstruction").get<double>()));
  }
  EXPECT_EQ(epochs, 2);
  for (const char* term : {"loss", "reconstruction", "prior", "sharpening", "locality", "balance", "discriminator"})
    EXPECT_TRUE(last_record.contains(term)) << term;

  // q of every point: 60 rows of 3 memberships summing to 1.
  const auto q = read_csv_rows(run_dir / "memberships.csv");
  ASSERT_EQ(q.size(), 60u);
  for (const auto& row : q) {
    ASSERT_EQ(row.size(), 3u);
    double sum = 0;
    for (const double v : row) {
      EXPECT_GE(v, 0.0);
      sum += v;
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
  const auto summary = nlohmann::json::parse(slurp(run_dir / "atlas_summary.json"));
  EXPECT_EQ(summary.at("training").at("points"), 60);
  EXPECT_FALSE(summary.contains("validation"));
  EXPECT_EQ(summary.at("last_epoch").at("epoch"), 2);
  EXPECT_EQ(summary.at("last_epoch"), last_record);  // the same record, every loss term
  const auto html = slurp(run_dir / "report.html");
  EXPECT_NE(html.find("plots/chart_graph.png"), std::string::npos);
  EXPECT_NE(html.find("plots/charts.png"), std::string::npos);

  // A second training into the same directory is refused and changes nothing.
  const auto before = tree_snapshot(run_dir);
  EXPECT_TRUE(fails_naming(train_tiny("run"), {"already holds a trained atlas"}));
  EXPECT_EQ(tree_snapshot(run_dir), before);
}

TEST_F(AtlasCli, TrainHoldsOutAValidationShare) {
  const auto r = train_tiny("run", "--validation-fraction 0.25 --no-report");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("held out 15 points"), std::string::npos) << r.out;
  const auto summary = nlohmann::json::parse(slurp(root_ / "run" / "atlas_summary.json"));
  EXPECT_EQ(summary.at("training").at("points"), 45);
  EXPECT_EQ(summary.at("validation").at("points"), 15);
  EXPECT_EQ(read_csv_rows(root_ / "run" / "memberships.csv").size(), 60u);  // q of every point
  EXPECT_FALSE(fs::exists(root_ / "run" / "report.html"));
}

TEST_F(AtlasCli, NerveOfTheTinyRunPrintsBarcodesAndWritesItsFiles) {
  ASSERT_EQ(train_tiny("run", "--no-report").code, 0);
  const auto r = run("nerve " + path("run"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("nerve of 3 charts from 60 points"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("coefficients Z/2:"), std::string::npos);
  EXPECT_NE(r.out.find("coefficients Z/3:"), std::string::npos);
  const auto nerve = nlohmann::json::parse(slurp(root_ / "run" / "nerve.json"));
  EXPECT_EQ(nerve.at("charts"), 3);
  const auto u = nerve.at("edge_strengths");
  ASSERT_EQ(u.size(), 3u);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_DOUBLE_EQ(u[i][j].get<double>(), u[j][i].get<double>());
  // One component at least: β0 >= 1 over both coefficient fields.
  EXPECT_GE(nerve.at("z2").at("betti").at(0).get<int>(), 1);
  EXPECT_GE(nerve.at("z3").at("betti").at(0).get<int>(), 1);
  for (const char* file : {"chart_graph.png", "nerve_barcode_z2.png", "nerve_barcode_z3.png"})
    EXPECT_TRUE(fs::is_regular_file(root_ / "run" / file)) << file;
}

TEST_F(AtlasCli, NerveOnAFreshSampleUsesTheTrainedAtlasOnNewPoints) {
  ASSERT_EQ(train_tiny("run", "--no-report").code, 0);
  ASSERT_EQ(run("nerve " + path("run") + " --no-plots").code, 0);
  const auto from_csv = nlohmann::json::parse(slurp(root_ / "run" / "nerve.json"));
  EXPECT_EQ(from_csv.at("sample").at("source"), "memberships.csv");
  // The training sample drawn again (its size and seed 0): the strengths of memberships.csv.
  auto r = run("nerve " + path("run") + " --no-plots --sample 60 --sample-seed 0");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto same = nlohmann::json::parse(slurp(root_ / "run" / "nerve.json"));
  EXPECT_EQ(same.at("sample").at("source"), "fresh");
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(same.at("edge_strengths")[i][j].get<double>(), from_csv.at("edge_strengths")[i][j].get<double>(),
                  1e-5 * (1 + from_csv.at("edge_strengths")[i][j].get<double>()));
  // By default a fresh sample: the run's seed + 1000003, and the same numbers twice.
  r = run("nerve " + path("run") + " --no-plots --sample 500");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("nerve of 3 charts from 500 fresh points"), std::string::npos) << r.out;
  const auto fresh = nlohmann::json::parse(slurp(root_ / "run" / "nerve.json"));
  EXPECT_EQ(fresh.at("points"), 500);
  EXPECT_EQ(fresh.at("sample").at("seed"), 1000003);
  EXPECT_NE(fresh.at("edge_strengths"), from_csv.at("edge_strengths"));
  ASSERT_EQ(run("nerve " + path("run") + " --no-plots --sample 500").code, 0);
  EXPECT_EQ(nlohmann::json::parse(slurp(root_ / "run" / "nerve.json")), fresh);

  EXPECT_TRUE(fails_naming(run("nerve " + path("run") + " --sample-seed 3"), {"--sample-seed needs --sample"}));
  EXPECT_TRUE(fails_naming(run("nerve " + path("run") + " --sample 1"), {"--sample"}));
  // A run on a point cloud file has no distribution to draw fresh points from.
  std::ofstream(root_ / "cloud.csv") << "0,1\n1,0\n0,-1\n-1,0\n0.7,0.7\n-0.7,0.7\n0.7,-0.7\n-0.7,-0.7\n";
  ASSERT_EQ(run("train --method atlas-ae --dataset " + path("cloud.csv") +
                " --charts 2 --dim 1 --epochs 1 --batch-size 4 --threads 1 --quiet --no-report --run-dir " + path("csv"))
                .code,
            0);
  EXPECT_TRUE(fails_naming(run("nerve " + path("csv") + " --sample 100"), {"needs a generated manifold", "cloud.csv"}));
}

TEST_F(AtlasCli, DimsweepTrainsOneRunPerDimensionAndResumes) {
  const std::string args = "dimsweep --dataset circle --points 40 --charts 2 --max-dim 2 --epochs 1 --batch-size 16 "
                           "--threads 1 --quiet --no-report --run-dir " + path("sweep");
  const auto r = run(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const fs::path sweep = root_ / "sweep";
  for (const char* file : {"dimsweep.json", "dimsweep.png", "dimsweep_prior.png", "dimsweep.md", "dimsweep.html",
                           "d1/atlas.pt", "d2/atlas.pt", "d1/memberships.csv", "d2/atlas_summary.json"})
    EXPECT_TRUE(fs::is_regular_file(sweep / file)) << file;
  EXPECT_FALSE(fs::exists(sweep / "d3"));
  const auto out = nlohmann::json::parse(slurp(sweep / "dimsweep.json"));
  EXPECT_EQ(out.at("max_dim"), 2);
  EXPECT_EQ(out.at("charts"), 2);
  EXPECT_EQ(out.at("read_off"), "validation");  // 20% held out by default
  ASSERT_EQ(out.at("results").size(), 2u);
  for (int d = 1; d <= 2; ++d) {
    const auto& entry = out.at("results").at(d - 1);
    EXPECT_EQ(entry.at("d"), d);
    EXPECT_EQ(entry.at("validation").at("points"), 8);
    EXPECT_TRUE(std::isfinite(entry.at("validation").at("reconstruction").get<double>()));
    EXPECT_EQ(nlohmann::json::parse(slurp(sweep / ("d" + std::to_string(d)) / "atlas_config.json")).at("chart_dim"), d);
  }

  // A finished sweep is not overwritten.
  const auto before = tree_snapshot(sweep);
  EXPECT_TRUE(fails_naming(run(args), {"already holds a finished sweep"}));
  EXPECT_EQ(tree_snapshot(sweep), before);

  // A sweep killed after d = 1 resumes: d = 1 is reused with its numbers, d = 2 is trained again.
  fs::remove(sweep / "dimsweep.json");
  fs::remove_all(sweep / "d2");
  const auto again = run(args);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("(reused)"), std::string::npos) << again.out;
  const auto resumed = nlohmann::json::parse(slurp(sweep / "dimsweep.json"));
  EXPECT_EQ(resumed.at("results").at(0), out.at("results").at(0));
  // Same seed, same data: d = 2 trains to the same numbers.
  EXPECT_EQ(resumed.at("results").at(1).at("validation"), out.at("results").at(1).at("validation"));

  // Another configuration in the same directory is refused.
  fs::remove(sweep / "dimsweep.json");
  const auto snapshot = tree_snapshot(sweep);
  EXPECT_TRUE(fails_naming(run("dimsweep --dataset circle --points 40 --charts 3 --max-dim 2 --epochs 1 --threads 1 "
                               "--quiet --run-dir " + path("sweep")),
                           {"another configuration"}));
  EXPECT_EQ(tree_snapshot(sweep), snapshot);
}

TEST_F(AtlasCli, AtlasOnlyFlagsAreRejectedForOtherMethods) {
  fs::create_directories(root_ / "run");
  std::ofstream(root_ / "run" / "marker.txt") << "keep";
  const auto before = tree_snapshot(root_ / "run");
  const std::string run_dir = " --run-dir " + path("run");
  EXPECT_TRUE(fails_naming(run("train --method ae --charts 3 --epochs 1" + run_dir),
                           {"--charts is an atlas-ae option", "--method ae"}));
  EXPECT_TRUE(fails_naming(run("train --method topoae --prior gan" + run_dir), {"--prior", "--method topoae"}));
  EXPECT_TRUE(fails_naming(run("train --dim 2" + run_dir), {"--dim", "without --method atlas-ae"}));
  EXPECT_TRUE(fails_naming(run("train --method ae --points 100" + run_dir), {"--points"}));
  EXPECT_TRUE(fails_naming(run("train --method ae --sharpening-weight 1" + run_dir), {"--sharpening-weight"}));
  EXPECT_TRUE(fails_naming(run("train --method atlas-ae --latent-dim 2" + run_dir),
                           {"--latent-dim is not an atlas-ae option", "--dim"}));
  EXPECT_TRUE(fails_naming(run("train --method atlas-ae --preset ae-spheres" + run_dir), {"--preset"}));
  EXPECT_TRUE(fails_naming(run("train --method atlas-ae --lambda 1" + run_dir), {"--lambda", "--prior-weight"}));
  EXPECT_EQ(tree_snapshot(root_ / "run"), before);
}

TEST_F(AtlasCli, BadAtlasOptionsFailBeforeTheRunDirectoryIsTouched) {
  fs::create_directories(root_ / "run");
  std::ofstream(root_ / "run" / "marker.txt") << "keep";
  const auto before = tree_snapshot(root_ / "run");
  const std::string train = "train --method atlas-ae --dataset circle --points 20 --epochs 1 --quiet --run-dir " + path("run");
  EXPECT_TRUE(fails_naming(run(train + " --charts 0"), {"--charts"}));
  EXPECT_TRUE(fails_naming(run(train + " --dim 0"), {"--dim"}));
  EXPECT_TRUE(fails_naming(run(train + " --prior wgan"), {"--prior", "wgan"}));
  EXPECT_TRUE(fails_naming(run(train + " --prior-weight -1"), {"--prior-weight"}));
  EXPECT_TRUE(fails_naming(run(train + " --mmd-floor 1"), {"--mmd-floor"}));
  EXPECT_TRUE(fails_naming(run("train --method atlas-ae --dataset klein --quiet --run-dir " + path("run")),
                           {"--dataset must be", "'klein'"}));
  EXPECT_TRUE(fails_naming(run(train + " --validation-fraction 1.5"), {"validation fraction", "[0, 1)"}));
  EXPECT_TRUE(fails_naming(run(train + " --batch-size 1"), {"batch_size must be >= 2"}));
  EXPECT_EQ(tree_snapshot(root_ / "run"), before);

  const std::string sweep = "dimsweep --dataset circle --points 20 --epochs 1 --quiet --run-dir " + path("sweep");
  EXPECT_TRUE(fails_naming(run(sweep + " --max-dim 0"), {"--max-dim"}));
  EXPECT_TRUE(fails_naming(run(sweep + " --max-dim 2 --charts 0"), {"--charts"}));
  EXPECT_TRUE(fails_naming(run(sweep + " --max-dim 2 --prior wgan"), {"--prior"}));
  EXPECT_TRUE(fails_naming(run(sweep + " --max-dim 2 --mmd-floor -0.1"), {"--mmd-floor"}));
  EXPECT_TRUE(fails_naming(run(sweep), {"--max-dim"}));  // required
  EXPECT_TRUE(fails_naming(run("dimsweep --dataset klein --max-dim 2 --quiet --run-dir " + path("sweep")),
                           {"--dataset must be", "'klein'"}));
  EXPECT_FALSE(fs::exists(root_ / "sweep"));
}

TEST_F(AtlasCli, ResumedTrainingEqualsAnUninterruptedRun) {
  const std::string common = "train --method atlas-ae --dataset circle --points 60 --charts 3 --dim 1 --batch-size 32 "
                             "--locality-weight 0.5 --balance-weight 0.3 --mmd-floor 0.001 --seed 7 --threads 1 --quiet "
                             "--no-report --run-dir ";
  ASSERT_EQ(run(common + path("full") + " --epochs 4").code, 0);
  // A run killed after epoch 2: its checkpoint and atlas_config.json are there, its outputs not.
  ASSERT_EQ(run(common + path("split") + " --epochs 2").code, 0);
  const fs::path split = root_ / "split";
  EXPECT_TRUE(fs::is_regular_file(split / "atlas_checkpoint.pt"));
  for (const char* file : {"atlas.pt", "log.jsonl", "memberships.csv", "atlas_summary.json", "charts.png"})
    fs::remove(split / file);
  // Starting it afresh is refused and changes nothing; so is a resume that changes an option.
  const auto killed = tree_snapshot(split);
  EXPECT_TRUE(fails_naming(run(common + path("split") + " --epochs 4"), {"checkpoint of an unfinished run", "--resume"}));
  EXPECT_TRUE(fails_naming(run("train --method atlas-ae --resume --charts 4 --run-dir " + path("split")),
                           {"--charts cannot be given", "atlas_config.json"}));
  // Without --method the resume is routed to the atlas trainer by the run's atlas_config.json, with
  // the same checks.
  EXPECT_TRUE(fails_naming(run("train --resume --charts 4 --run-dir " + path("split")),
                           {"--charts cannot be given", "atlas_config.json"}));
  EXPECT_TRUE(fails_naming(run("train --resume --mmd-floor 0 --run-dir " + path("split")),
                           {"--mmd-floor cannot be given", "atlas_config.json"}));
  EXPECT_EQ(tree_snapshot(split), killed);

  const auto r = run("train --resume --epochs 4 --threads 1 --quiet --no-report --run-dir " + path("split"));
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* file : {"log.jsonl", "memberships.csv", "atlas_summary.json"})
    EXPECT_EQ(slurp(split / file), slurp(root_ / "full" / file)) << file;
  const auto config = nlohmann::json::parse(slurp(split / "atlas_config.json"));
  EXPECT_EQ(config.at("epochs"), 4);
  EXPECT_EQ(config.at("locality_weight"), 0.5);
  EXPECT_EQ(config.at("balance_weight"), 0.3);
  EXPECT_EQ(config.at("mmd_floor"), 0.001);
  std::istringstream log(slurp(split / "log.jsonl"));
  std::string line;
  int epochs = 0;
  while (std::getline(log, line)) {
    const auto record = nlohmann::json::parse(line);
    EXPECT_EQ(record.at("epoch"), ++epochs);
    const double locality = record.at("locality").get<double>();
    EXPECT_TRUE(locality >= 0 && locality <= 1) << locality;
    const double balance = record.at("balance").get<double>();
    EXPECT_TRUE(balance >= 0 && balance <= std::log(3.0) + 1e-9) << balance;
  }
  EXPECT_EQ(epochs, 4);

  // Fewer epochs than the checkpoint holds cannot be resumed.
  const auto finished = tree_snapshot(split);
  EXPECT_TRUE(fails_naming(run("train --method atlas-ae --resume --epochs 3 --quiet --run-dir " + path("split")),
                           {"checkpoint has 4 epochs", "epochs = 3"}));
  EXPECT_EQ(tree_snapshot(split), finished);
  // Nothing to resume in a directory without a run, or in one without a checkpoint.
  fs::create_directories(root_ / "empty");
  EXPECT_TRUE(fails_naming(run("train --method atlas-ae --resume --run-dir " + path("empty")),
                           {"atlas_config.json", "is missing"}));
  fs::remove(root_ / "full" / "atlas_checkpoint.pt");
  EXPECT_TRUE(fails_naming(run("train --method atlas-ae --resume --epochs 5 --quiet --run-dir " + path("full")),
                           {"cannot resume", "no checkpoint"}));
  // A resume without --method reads the method of atlas_config.json: another method is an error.
  fs::create_directories(root_ / "other");
  std::ofstream(root_ / "other" / "atlas_config.json") << "{\"method\": \"ae\"}\n";
  EXPECT_TRUE(fails_naming(run("train --resume --run-dir " + path("other")), {"has method 'ae'", "expected 'atlas-ae'"}));
}

TEST_F(AtlasCli, LocalityAndBalanceWeightsAreAtlasOptionsWithARange) {
  fs::create_directories(root_ / "run");
  const auto before = tree_snapshot(root_ / "run");
  EXPECT_TRUE(fails_naming(run("train --method ae --locality-weight 1 --run-dir " + path("run")),
                           {"--locality-weight is an atlas-ae option"}));
  EXPECT_TRUE(fails_naming(train_tiny("run", "--locality-weight -1"), {"--locality-weight"}));
  EXPECT_TRUE(fails_naming(run("train --method topoae --balance-weight 1 --run-dir " + path("run")),
                           {"--balance-weight is an atlas-ae option"}));
  EXPECT_TRUE(fails_naming(train_tiny("run", "--balance-weight -0.5"), {"--balance-weight"}));
  EXPECT_EQ(tree_snapshot(root_ / "run"), before);
  // The term changes the training: another weight, other memberships.
  ASSERT_EQ(train_tiny("plain", "--no-report").code, 0);
  ASSERT_EQ(train_tiny("local", "--no-report --locality-weight 5").code, 0);
  EXPECT_EQ(nlohmann::json::parse(slurp(root_ / "plain" / "atlas_config.json")).at("locality_weight"), 0.0);
  EXPECT_NE(slurp(root_ / "plain" / "memberships.csv"), slurp(root_ / "local" / "memberships.csv"));
}

TEST_F(AtlasCli, ReportOfAnAtlasRunDrawsTheNerve) {
  ASSERT_EQ(train_tiny("run", "--no-report").code, 0);
  const fs::path run_dir = root_ / "run";
  EXPECT_FALSE(fs::exists(run_dir / "report.html"));
  const auto r = run("report " + path("run"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("report.html"), std::string::npos) << r.out;
  const auto html = slurp(run_dir / "report.html");
  for (const char* file : {"plots/loss.png", "plots/loss_terms.png", "plots/chart_graph.png", "plots/charts.png",
                           "plots/nerve_barcode_z2.png", "plots/nerve_barcode_z3.png"}) {
    EXPECT_TRUE(fs::is_regular_file(run_dir / file)) << file;
    EXPECT_NE(html.find(file), std::string::npos) << file;
  }
  EXPECT_NE(html.find("Betti numbers over Z/2"), std::string::npos);

  // Bad input: no run there, a directory without a run config, an unfinished atlas run.
  EXPECT_TRUE(fails_naming(run("report " + path("missing")), {"does not exist"}));
  fs::create_directories(root_ / "empty");
  EXPECT_TRUE(fails_naming(run("report " + path("empty")), {"config.json"}));
  fs::remove(run_dir / "atlas.pt");
  EXPECT_TRUE(fails_naming(run("report " + path("run")), {"atlas.pt", "has not finished"}));
  std::ofstream(run_dir / "atlas_config.json") << "{\"method\": \"atlas-ae\"}\n";
  EXPECT_TRUE(fails_naming(run("report " + path("run")), {"atlas_config.json", "lacks a field"}));
}

TEST_F(AtlasCli, Rp2InR6IsTheVeroneseImage) {
  ASSERT_EQ(run("train --method atlas-ae --dataset rp2-r6 --points 40 --charts 2 --dim 2 --epochs 1 --threads 1 "
                "--quiet --no-report --run-dir " + path("run")).code, 0);
  EXPECT_EQ(nlohmann::json::parse(slurp(root_ / "run" / "atlas_config.json")).at("dataset"), "rp2-r6");
  // The report rebuilds the points from the config; the atlas takes 6 coordinates.
  const auto r = run("report " + path("run"));
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(AtlasCli, NerveOfARunWithoutChartsIsAClearError) {
  fs::create_directories(root_ / "ae_run");
  std::ofstream(root_ / "ae_run" / "config.json") << "{}\n";
  const auto before = tree_snapshot(root_ / "ae_run");
  EXPECT_TRUE(fails_naming(run("nerve " + path("ae_run")), {"has no chart memberships", "atlas-ae"}));
  EXPECT_EQ(tree_snapshot(root_ / "ae_run"), before);
  EXPECT_TRUE(fails_naming(run("nerve " + path("missing")), {"does not exist"}));
  EXPECT_FALSE(fs::exists(root_ / "missing"));
}

}  // namespace
