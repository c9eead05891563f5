// Tests of the diagram summaries: points of one dimension, Betti numbers at a scale, total
// persistence; on both pair types (Rips and filtered complex).
#include "topoembed/ph/diagram.hpp"

#include <gtest/gtest.h>

#include <string>

#include "../support/expect_error.hpp"
#include "topoembed/ph/filtered_complex.hpp"

namespace topoembed::ph {
namespace {

using test_support::throws_containing;

constexpr double kInf = kInfinity<double>;

std::vector<PersistencePair<double>> example_pairs() {
  std::vector<PersistencePair<double>> p(5);
  p[0].dim = 0; p[0].birth = 0; p[0].death = 1;
  p[1].dim = 0; p[1].birth = 0; p[1].death = kInf;
  p[2].dim = 1; p[2].birth = 0.5; p[2].death = 2;
  p[3].dim = 1; p[3].birth = 1; p[3].death = 1.5;
  p[4].dim = 2; p[4].birth = 3; p[4].death = kInf;
  return p;
}

TEST(DiagramSummaries, PointsOfOneDimension) {
  const auto pts = diagram_points(example_pairs(), 1);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[0].birth, 0.5);
  EXPECT_EQ(pts[0].death, 2.0);
  EXPECT_EQ(pts[1].persistence(), 0.5);
  EXPECT_FALSE(pts[1].essential());
  EXPECT_TRUE(diagram_points(example_pairs(), 2)[0].essential());
  EXPECT_TRUE(diagram_points(example_pairs(), 5).empty());
}

TEST(DiagramSummaries, BettiNumbersUseHalfOpenBars) {
  const auto p = example_pairs();
  EXPECT_EQ(betti_numbers(p, 0.0, 2), (std::vector<index_t>{2, 0, 0}));
  EXPECT_EQ(betti_numbers(p, 0.5, 2), (std::vector<index_t>{2, 1, 0}));
  EXPECT_EQ(betti_numbers(p, 1.0, 2), (std::vector<index_t>{1, 2, 0}));  // [0, 1) has ended
  EXPECT_EQ(betti_numbers(p, 1.5, 2), (std::vector<index_t>{1, 1, 0}));
  EXPECT_EQ(betti_numbers(p, 3.0, 2), (std::vector<index_t>{1, 0, 1}));
  EXPECT_EQ(betti_numbers(p, 1e300, 1), (std::vector<index_t>{1, 0}));
  EXPECT_EQ(betti_numbers(p, -1.0, 3), (std::vector<index_t>{0, 0, 0, 0}));
}

TEST(DiagramSummaries, BettiNumbersOfAFilteredComplexAtEveryScale) {
  // Square 0-1-2-3 closed by {0,3} at 2, diagonal at 3, triangles at 4 and 5.
  FilteredComplex<double> k({{0}, {1}, {2}, {3}, {0, 1}, {1, 2}, {2, 3}, {0, 3}, {0, 2}, {0, 1, 2}, {0, 2, 3}},
                            {0, 0, 0, 0, 1, 1, 1, 2, 3, 4, 5});
  const auto pairs = k.persistence().pairs;
  EXPECT_EQ(betti_numbers(pairs, 0.0, 1), (std::vector<index_t>{4, 0}));
  EXPECT_EQ(betti_numbers(pairs, 1.0, 1), (std::vector<index_t>{1, 0}));
  EXPECT_EQ(betti_numbers(pairs, 2.0, 1), (std::vector<index_t>{1, 1}));
  EXPECT_EQ(betti_numbers(pairs, 3.5, 1), (std::vector<index_t>{1, 2}));
  EXPECT_EQ(betti_numbers(pairs, 4.0, 1), (std::vector<index_t>{1, 1}));
  EXPECT_EQ(betti_numbers(pairs, 5.0, 1), (std::vector<index_t>{1, 0}));
}

TEST(DiagramSummaries, TotalPersistence) {
  const auto p = example_pairs();
  EXPECT_DOUBLE_EQ(total_persistence(p, 0, 1.0), 1.0);      // the essential bar is left out
  EXPECT_DOUBLE_EQ(total_persistence(p, 1, 1.0), 2.0);      // 1.5 + 0.5
  EXPECT_DOUBLE_EQ(total_persistence(p, 1, 2.0), 2.5);      // 2.25 + 0.25
  EXPECT_DOUBLE_EQ(total_persistence(p, 1, 0.5), std::sqrt(1.5) + std::sqrt(0.5));
  EXPECT_DOUBLE_EQ(total_persistence(p, 2, 1.0), 0.0);
  const std::vector<DiagramPoint<float>> f{{0.f, 2.f}, {1.f, 1.f}};
  EXPECT_FLOAT_EQ(total_persistence(f, 3.0), 8.f);
}

TEST(DiagramSummaries, BadInput) {
  auto p = example_pairs();
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { betti_numbers(p, 0.0, -1); },
                                                       "betti_numbers: max_dim must be in [0, 65536], got -1"));
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { betti_numbers(p, 0.0, 1 << 30); },
                                                       "max_dim must be in [0, 65536], got 1073741824"));
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { betti_numbers(p, std::nan(""), 1); },
                                                       "betti_numbers: scale is NaN"));
  p[3].death = 0.5;
  EXPECT_TRUE(throws_containing<std::invalid_argument>(
      [&] { betti_numbers(p, 0.0, 1); },
      "betti_numbers: pair 3 is (1, 0.5), expected a finite birth and birth <= death"));
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { total_persistence(p, 1, 1.0); },
                                                       "total_persistence: point 1 is (1, 0.5)"));
  p[3].death = 2;
  p[3].birth = std::nan("");
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { total_persistence(p, 1, 1.0); }, "point 1 is (nan, 2)"));
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { total_persistence(example_pairs(), 1, 0.0); },
                                                       "total_persistence: power p must be finite and > 0, got 0"));
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { total_persistence(example_pairs(), 1, kInf); },
                                                       "power p must be finite and > 0, got inf"));
}

}  // namespace
}  // namespace topoembed::ph
