// Spheres and the NumPy legacy generator against NumPy's own output (golden file made by
// tests/data/make_spheres_golden.py) and against the paper's test labels.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "topoembed/data/legacy_random_state.hpp"
#include "topoembed/data/spheres.hpp"

namespace topoembed::data {
namespace {

// name -> (index -> value) from the golden file.
std::map<std::string, std::map<long long, double>> read_golden() {
  std::ifstream in(std::string(TOPOEMBED_TEST_DATA_DIR) + "/spheres_numpy_golden.txt");
  EXPECT_TRUE(in.good());
  std::map<std::string, std::map<long long, double>> golden;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    long long index = 0;
    std::string value;
    fields >> name >> index >> value;
    golden[name][index] = std::stod(value);
  }
  return golden;
}

// An integer entry of the golden file, read exactly (doubles hold only 53 bits).
std::uint64_t golden_integer(const std::string& name) {
  std::ifstream in(std::string(TOPOEMBED_TEST_DATA_DIR) + "/spheres_numpy_golden.txt");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key;
    long long index = 0;
    std::uint64_t value = 0;
    if (fields >> key >> index >> value && key == name) return value;
  }
  ADD_FAILURE() << "golden file has no " << name;
  return 0;
}

std::vector<long long> reference_test_labels() {
  std::ifstream in(std::string(TOPOEMBED_TEST_DATA_DIR) + "/reference/topoae-spheres/TopoAE.latents.csv");
  std::vector<long long> labels;
  if (!in.good()) return labels;
  std::string line;
  std::getline(in, line);  // header 0,1,labels
  while (std::getline(in, line)) {
    labels.push_back(static_cast<long long>(std::stod(line.substr(line.rfind(',') + 1))));
  }
  return labels;
}

TEST(LegacyRandomState, MatchesNumpyDraws) {
  const auto golden = read_golden();
  LegacyRandomState a(42);
  for (const auto& [i, v] : golden.at("uint32")) {
    EXPECT_EQ(static_cast<double>(a.next_uint32()), v) << "draw " << i;
  }
  LegacyRandomState b(42);
  for (const auto& [i, v] : golden.at("random_sample")) {
    EXPECT_EQ(b.random_sample(), v) << "sample " << i;
  }
  LegacyRandomState c(7);
  for (const auto& [i, v] : golden.at("gauss7")) EXPECT_EQ(c.gauss(), v) << "gauss " << i;
  LegacyRandomState d(42);
  const auto perm = d.permutation(20);
  for (const auto& [i, v] : golden.at("permutation20")) {
    EXPECT_EQ(static_cast<double>(perm[static_cast<std::size_t>(i)]), v) << "position " << i;
  }
}

TEST(LegacyRandomState, IntervalStaysInRangeAndPermutationIsBijective) {
  LegacyRandomState rng(3);
  for (std::uint32_t max : {0U, 1U, 5U, 1000U, 0xffffffffU}) {
    for (int t = 0; t < 200; ++t) EXPECT_LE(rng.random_interval(max), max);
  }
  auto perm = rng.permutation(1000);
  std::vector<int> seen(1000, 0);
  for (auto p : perm) ++seen[static_cast<std::size_t>(p)];
  for (int s : seen) EXPECT_EQ(s, 1);
  EXPECT_THROW(rng.permutation(-1), std::invalid_argument);
}

TEST(Spheres, TestLabelsEqualThePapersRowForRow) {
  const auto expected = reference_test_labels();
  ASSERT_FALSE(expected.empty()) << "tests/data/reference/topoae-spheres/TopoAE.latents.csv is missing";
  const SpheresData data = make_spheres();
  ASSERT_EQ(data.test_labels.size(0), static_cast<std::int64_t>(expected.size()));
  const auto* labels = data.test_labels.data_ptr<std::int64_t>();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(labels[i], expected[i]) << "test row " << i;
  }
}

TEST(Spheres, ValuesEqualNumpyBitForBit) {
  const auto golden = read_golden();
  const SpheresRaw raw = make_spheres_raw();
  const SpheresData data = make_spheres();
  ASSERT_EQ(raw.points.sizes(), (std::vector<std::int64_t>{10000, 101}));
  ASSERT_EQ(data.train_x.sizes(), (std::vector<std::int64_t>{9000, 101}));
  ASSERT_EQ(data.test_x.sizes(), (std::vector<std::int64_t>{1000, 101}));
  EXPECT_EQ(data.test_x.dtype(), torch::kFloat32);
  const double* p = raw.points.data_ptr<double>();
  for (const auto& [i, v] : golden.at("raw")) EXPECT_EQ(p[i], v) << "raw flat index " << i;
  const float* t = data.test_x.data_ptr<float>();
  for (const auto& [i, v] : golden.at("test_x")) EXPECT_EQ(t[i], v) << "test flat index " << i;
  const float* r = data.train_x.data_ptr<float>();
  for (const auto& [i, v] : golden.at("train_x")) EXPECT_EQ(r[i], v) << "train flat index " << i;
  // Sums of the float32 bit patterns catch a difference in any bit of any value.
  auto bit_sum = [](const torch::Tensor& values) {
    std::uint64_t sum = 0;
    const float* v = values.data_ptr<float>();
    for (std::int64_t i = 0; i < values.numel(); ++i) {
      std::uint32_t bits = 0;
      std::memcpy(&bits, v + i, sizeof bits);
      sum += bits;
    }
    return sum;
  };
  EXPECT_EQ(bit_sum(data.test_x), golden_integer("test_x_bits"));
  EXPECT_EQ(bit_sum(data.train_x), golden_integer("train_x_bits"));
  for (const auto& [k, v] : golden.at("scale")) EXPECT_EQ(data.scale[k].item<double>(), v);
}

TEST(Spheres, OptionsChangeShapeAndLabels) {
  SpheresOptions o;
  o.num_spheres = 3;
  o.ambient_dim = 5;
  o.points_per_sphere = 20;
  o.enclosing_points = 40;
  o.radius = 1.0;
  o.enclosing_radius = 4.0;
  o.seed = 1;
  const SpheresRaw raw = make_spheres_raw(o);
  ASSERT_EQ(raw.points.sizes(), (std::vector<std::int64_t>{100, 5}));
  EXPECT_EQ(raw.labels[99].item<std::int64_t>(), 3);
  const auto norms = raw.points.slice(0, 60).norm(2, 1);
  EXPECT_TRUE(torch::allclose(norms, torch::full({40}, 4.0, torch::kFloat64)));
  const SpheresData data = make_spheres(o);
  EXPECT_EQ(data.test_x.size(0), 10);
  EXPECT_EQ(data.train_x.size(0), 90);
  // Standardised training split: mean 0, std 1 per feature.
  EXPECT_LT(data.train_x.mean(0).abs().max().item<float>(), 1e-5);
  EXPECT_LT((data.train_x.std(0, /*unbiased=*/false) - 1).abs().max().item<float>(), 1e-5);
}

TEST(Spheres, RejectsBadOptions) {
  SpheresOptions o;
  o.ambient_dim = 1;
  try {
    make_spheres(o);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "make_spheres: expected ambient_dim >= 2, got 1");
  }
  o = SpheresOptions{};
  o.test_fraction = 1.5;
  EXPECT_THROW(make_spheres(o), std::invalid_argument);
  o = SpheresOptions{};
  o.radius = -1;
  EXPECT_THROW(make_spheres_raw(o), std::invalid_argument);
}

}  // namespace
}  // namespace topoembed::data
