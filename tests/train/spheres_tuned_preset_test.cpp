// The tuned Spheres TopoAE preset (docs/results-spheres-sweep.md): only λ, the learning rate and
// the patience differ from the paper's topoae-spheres, it validates, and it survives the
// config.json round trip.
#include <cstdint>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "topoembed/train/train_config.hpp"

namespace topoembed::train {
namespace {

TEST(SpheresTunedPreset, DiffersFromThePapersOnlyInLambdaLearningRateAndPatience) {
  const TrainConfig tuned = preset("topoae-spheres-tuned");
  EXPECT_EQ(tuned.method, Method::kTopoAe);
  EXPECT_DOUBLE_EQ(tuned.lambda, 3.0);
  EXPECT_DOUBLE_EQ(tuned.learning_rate, 2.2e-3);
  EXPECT_EQ(tuned.patience, 25);
  EXPECT_NO_THROW(validate(tuned));

  auto a = to_json(tuned);
  auto b = to_json(preset("topoae-spheres"));
  EXPECT_DOUBLE_EQ(b.at("lambda").get<double>(), 0.43358);  // the paper's preset is unchanged
  EXPECT_DOUBLE_EQ(b.at("learning_rate").get<double>(), 2.72684e-4);
  EXPECT_EQ(b.at("patience").get<std::int64_t>(), 10);
  for (const char* key : {"lambda", "learning_rate", "patience"}) {
    a.erase(key);
    b.erase(key);
  }
  EXPECT_EQ(a, b);
}

TEST(SpheresTunedPreset, RoundTripsThroughJson) {
  const TrainConfig tuned = preset("topoae-spheres-tuned");
  EXPECT_EQ(to_json(config_from_json(to_json(tuned))), to_json(tuned));
}

TEST(SpheresTunedPreset, IsNotListedAmongThePapersPresets) {
  for (const auto& name : preset_names()) EXPECT_NE(name, "topoae-spheres-tuned");
}

}  // namespace
}  // namespace topoembed::train
