// distinct_centres: lattices by hand, merged pairs, bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include <torch/torch.h>

#include "../support/expect_error.hpp"
#include "topoembed/models/atlas_centres.hpp"

namespace topoembed::models {
namespace {

using test_support::error_of;

// The m × m lattice of spacing 1 in the plane, row by row.
torch::Tensor lattice(int m) {
  std::vector<double> v;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j) {
      v.push_back(i);
      v.push_back(j);
    }
  return torch::tensor(v, torch::kDouble).reshape({m * m, 2});
}

TEST(DistinctCentres, LatticeHasOneCellPerCentre) {
  EXPECT_EQ(distinct_centres(lattice(3)), 9);
  EXPECT_EQ(distinct_centres(lattice(4).to(torch::kFloat)), 16);
}

TEST(DistinctCentres, NearCopiesJoinTheirCentre) {
  // Three lattice centres get a twin 0.001 away and one gets two: 9 cells of 13 centres.
  auto c = lattice(3);
  const auto twins = torch::cat({c.index({torch::tensor({0, 4, 8})}) + 0.001, c.index({torch::tensor({8})}) - 0.002});
  EXPECT_EQ(distinct_centres(torch::cat({c, twins})), 9);
  // Every centre paired: the second-nearest spacing still sees the lattice.
  EXPECT_EQ(distinct_centres(torch::cat({c, c + 1e-4})), 9);
}

TEST(DistinctCentres, ToleranceDecidesWhatCoincides) {
  const auto c = torch::cat({lattice(3), torch::tensor({{0.05, 0.0}}, torch::kDouble)});  // 0.05 from (0, 0)
  EXPECT_EQ(distinct_centres(c, 0.1), 9);
  EXPECT_EQ(distinct_centres(c, 0.01), 10);
  EXPECT_EQ(distinct_centres(c, 0.0), 10);
}

TEST(DistinctCentres, SmallCases) {
  EXPECT_EQ(distinct_centres(torch::tensor({{1.0, 2.0}}, torch::kDouble)), 1);
  EXPECT_EQ(distinct_centres(torch::tensor({{0.0, 0.0}, {1.0, 0.0}}, torch::kDouble)), 2);
  EXPECT_EQ(distinct_centres(torch::tensor({{1.0, 0.0}, {1.0, 0.0}}, torch::kDouble)), 1);  // exact copies
}

TEST(DistinctCentres, BadInputIsRejectedWithTheReason) {
  EXPECT_NE(error_of([] { distinct_centres(torch::zeros({4})); }).find("expected floating-point centres [k, D]"),
            std::string::npos);
  EXPECT_NE(error_of([] { distinct_centres(torch::zeros({3, 2}, torch::kLong)); }).find("floating-point"),
            std::string::npos);
  EXPECT_NE(error_of([] { distinct_centres(torch::zeros({0, 2})); }).find("k >= 1"), std::string::npos);
  auto nan = lattice(2);
  nan[1][0] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(error_of([&] { distinct_centres(nan); }).find("NaN or inf"), std::string::npos);
  EXPECT_NE(error_of([] { distinct_centres(lattice(2), 1.0); }).find("relative_tolerance must be in [0, 1)"),
            std::string::npos);
}

}  // namespace
}  // namespace topoembed::models
