// TrainConfig: presets carry the paper's values; JSON round trip; every bad field named.
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/expect_error.hpp"
#include "topoembed/train/train_config.hpp"

namespace topoembed::train {
namespace {

using topoembed::test_support::error_of;

TEST(TrainConfig, PresetsHoldThePapersHyperParameters) {
  const auto s = preset("topoae-spheres");
  EXPECT_EQ(s.method, Method::kTopoAe);
  EXPECT_EQ(s.dataset, "spheres");
  EXPECT_EQ(s.batch_size, 28);
  EXPECT_DOUBLE_EQ(s.learning_rate, 2.72684e-4);
  EXPECT_DOUBLE_EQ(s.lambda, 0.43358);
  EXPECT_DOUBLE_EQ(s.weight_decay, 1e-5);
  EXPECT_EQ(s.epochs, 100);
  EXPECT_EQ(s.patience, 10);
  EXPECT_DOUBLE_EQ(s.validation_fraction, 0.15);
  EXPECT_EQ(resolved_model_name(s), "spheres-mlp");

  EXPECT_EQ(preset("ae-spheres").method, Method::kAe);
  EXPECT_EQ(preset("ae-spheres").batch_size, 84);  // the paper's own AE run, not the TopoAE's 28
  EXPECT_DOUBLE_EQ(preset("ae-spheres").learning_rate, 6.40628e-4);
  EXPECT_DOUBLE_EQ(preset("ae-spheres").lambda, 0.0);
  EXPECT_EQ(preset("ae-spheres").patience, 10);

  const auto f = preset("topoae-fmnist");
  EXPECT_EQ(f.dataset, "fmnist");
  EXPECT_EQ(f.batch_size, 95);
  EXPECT_DOUBLE_EQ(f.learning_rate, 6.51416e-3);
  EXPECT_DOUBLE_EQ(f.lambda, 2.22578);
  EXPECT_EQ(resolved_model_name(f), "deep-ae");

  const auto a = preset("ae-fmnist");
  EXPECT_EQ(a.method, Method::kAe);
  EXPECT_EQ(a.batch_size, 61);
  EXPECT_DOUBLE_EQ(a.learning_rate, 5.07682e-4);
  EXPECT_EQ(preset_names().size(), 6u);

  EXPECT_EQ(preset("pca-spheres").method, Method::kPca);
  EXPECT_EQ(preset("pca-spheres").dataset, "spheres");
  EXPECT_EQ(preset("pca-fmnist").dataset, "fmnist");
  EXPECT_EQ(preset("pca-fmnist").latent_dim, 2);
  EXPECT_EQ(parse_method(method_name(Method::kPca)), Method::kPca);
}

TEST(TrainConfig, UnknownPresetListsTheKnownOnes) {
  EXPECT_EQ(error_of([] { preset("topoae-mnist"); }),
            "unknown preset 'topoae-mnist', expected one of topoae-spheres, ae-spheres, topoae-fmnist, ae-fmnist, "
            "pca-spheres, pca-fmnist");
}

TEST(TrainConfig, JsonRoundTripIsExact) {
  TrainConfig c = preset("topoae-fmnist");
  c.seed = 12345678901234ULL;
  c.threads = 2;
  c.learning_rate = 0.1 + 0.2;  // not representable in few digits
  c.topo_dims = {0, 1};
  c.model = "conv";
  const auto back = config_from_json(nlohmann::json::parse(to_json(c).dump()));
  EXPECT_EQ(to_json(back), to_json(c));
  EXPECT_EQ(back.learning_rate, c.learning_rate);
}

TEST(TrainConfig, MissingKeysTakeDefaults) {
  const auto c = config_from_json(nlohmann::json::parse(R"({"method": "ae", "epochs": 3})"));
  EXPECT_EQ(c.method, Method::kAe);
  EXPECT_EQ(c.epochs, 3);
  EXPECT_EQ(c.batch_size, 28);
}

TEST(TrainConfig, BadFieldsAreNamed) {
  auto parse = [](const char* text) { return config_from_json(nlohmann::json::parse(text)); };
  EXPECT_EQ(error_of([&] { parse(R"({"batch_size": 1})"); }), "train config: batch_size must be >= 2, got 1");
  EXPECT_EQ(error_of([&] { parse(R"({"batch_size": "28"})"); }),
            "train config: batch_size must be an integer, got \"28\"");
  EXPECT_EQ(error_of([&] { parse(R"({"method": "vae"})"); }),
            "train config: method must be 'ae', 'topoae' or 'pca', got 'vae'");
  EXPECT_EQ(error_of([&] { parse(R"({"validation_fraction": 1.5})"); }),
            "train config: validation_fraction must be in (0, 1), got 1.5");
  EXPECT_EQ(error_of([&] { parse(R"({"learning_rate": -1})"); }), "train config: learning_rate must be > 0, got -1");
  EXPECT_EQ(error_of([&] { parse(R"({"lr": 0.1})"); }), "train config: unknown key 'lr'");
  EXPECT_EQ(error_of([&] { parse(R"({"topo_dims": [2]})"); }),
            "train config: topo_dims must be a list of 0 and/or 1, got 2");
  EXPECT_EQ(error_of([&] { parse(R"({"seed": -3})"); }),
            "train config: seed must be a non-negative integer, got -3");
  EXPECT_EQ(error_of([&] { parse("[1, 2]"); }), "train config: expected a JSON object, got [1,2]");
}

TEST(TrainConfig, FileRoundTripAndErrorsNameTheFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("topoembed_train_config_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "config.json").string();
  const auto c = preset("ae-spheres");
  write_config(c, path);
  EXPECT_EQ(to_json(read_config(path)), to_json(c));

  std::ofstream(path) << "{ not json";
  EXPECT_NE(error_of([&] { read_config(path); }).find("read_config: '" + path + "' is not valid JSON"),
            std::string::npos);
  std::ofstream(path) << R"({"epochs": 0})";
  EXPECT_EQ(error_of([&] { read_config(path); }),
            "read_config: '" + path + "': train config: epochs must be >= 1, got 0");
  EXPECT_EQ(error_of([&] { read_config((dir / "missing.json").string()); }),
            "read_config: cannot open '" + (dir / "missing.json").string() + "'");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace topoembed::train
