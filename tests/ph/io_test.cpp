// Readers of point clouds and distance matrices: hand-made goldens, Ripser's layouts, every
// bad-input case with its message, and the atomic file writer.
#include "topoembed/ph/io.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include "topoembed/ph/atomic_file.hpp"
#include "topoembed/ph/rips_persistence.hpp"

namespace topoembed::ph {
namespace {

const std::string kData = TOPOEMBED_TEST_DATA_DIR;
const double kSqrt2 = std::sqrt(2.0);

template <class T = double>
PointCloud<T> cloud_from(const std::string& text, ReadOptions options = {}) {
  std::istringstream in(text);
  return read_point_cloud<T>(in, options);
}
template <class T = double>
CompressedDistanceMatrix<T> lower_from(const std::string& text, ReadOptions options = {}) {
  std::istringstream in(text);
  return read_lower_distance<T>(in, options);
}
template <class T = double>
CompressedDistanceMatrix<T> full_from(const std::string& text, ReadOptions options = {}) {
  std::istringstream in(text);
  return read_distance_matrix<T>(in, options);
}
template <class T = double>
SparseDistanceMatrix<T> sparse_from(const std::string& text, ReadOptions options = {}) {
  std::istringstream in(text);
  return read_sparse<T>(in, options);
}

// Runs `f`, expects an exception of type E whose message contains every string in `parts`.
template <class E, class F>
::testing::AssertionResult throws_with(F&& f, std::initializer_list<std::string> parts) {
  try {
    f();
  } catch (const E& e) {
    const std::string what = e.what();
    for (const auto& part : parts) {
      if (what.find(part) == std::string::npos) {
        return ::testing::AssertionFailure() << "message \"" << what << "\" lacks \"" << part << "\"";
      }
    }
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "wrong exception type, message: " << e.what();
  }
  return ::testing::AssertionFailure() << "no exception";
}

void expect_unit_square(const CompressedDistanceMatrix<double>& dm) {
  ASSERT_EQ(dm.size(), 4);
  EXPECT_DOUBLE_EQ(dm(1, 0), 1.0);
  EXPECT_DOUBLE_EQ(dm(2, 0), kSqrt2);
  EXPECT_DOUBLE_EQ(dm(2, 1), 1.0);
  EXPECT_DOUBLE_EQ(dm(3, 0), 1.0);
  EXPECT_DOUBLE_EQ(dm(3, 1), kSqrt2);
  EXPECT_DOUBLE_EQ(dm(3, 2), 1.0);
}

// ---------------------------------------------------------------- point clouds

TEST(ReadPointCloud, CommasBlanksCommentsAndBlankLines) {
  const auto c = cloud_from("# a comment\n\n1,2\n  3 , 4 \n\t5\t6\r\n# trailing comment\n\n7 ,8\n");
  EXPECT_EQ(c.num_points, 4);
  EXPECT_EQ(c.dim, 2);
  EXPECT_EQ(c.coords, (std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(ReadPointCloud, NumberForms) {
  const auto c = cloud_from("-1.5e-3 +2 .5 1. 7E2\n");
  EXPECT_EQ(c.coords, (std::vector<double>{-1.5e-3, 2, 0.5, 1, 700}));
}

TEST(ReadPointCloud, TrailingCommaEndsTheLine) {
  // Ripser reads "x,y," as the point (x, y).
  const auto c = cloud_from("1,2,\n3,4 ,\n");
  EXPECT_EQ(c.dim, 2);
  EXPECT_EQ(c.coords, (std::vector<double>{1, 2, 3, 4}));
}

TEST(ReadPointCloud, HeaderLineIsSkipped) {
  const auto c = cloud_from("x,y,z\n1,2,3\n4,5,6\n");
  EXPECT_EQ(c.num_points, 2);
  EXPECT_EQ(c.dim, 3);
  EXPECT_EQ(c.coords[3], 4.0);
}

TEST(ReadPointCloud, FileGoldens) {
  const auto two = read_point_cloud(kData + "/two_points.csv");
  EXPECT_EQ(two.num_points, 2);
  EXPECT_EQ(two.coords, (std::vector<double>{0, 0, 3, 4}));
  const auto triangle = read_point_cloud(kData + "/triangle.txt");
  EXPECT_EQ(triangle.num_points, 3);
  EXPECT_EQ(triangle.coords, (std::vector<double>{0, 0, 3, 0, 0, 4}));
  const auto square = read_point_cloud(kData + "/square.csv");
  EXPECT_EQ(square.num_points, 4);
  EXPECT_EQ(square.coords, (std::vector<double>{0, 0, 1, 0, 1, 1, 0, 1}));
  expect_unit_square(distance_matrix(square, Metric::kEuclidean));
}

TEST(ReadPointCloud, FloatAndDoubleAgree) {
  const auto d = cloud_from<double>("0.1 0.2\n0.3 0.4\n");
  const auto f = cloud_from<float>("0.1 0.2\n0.3 0.4\n");
  ASSERT_EQ(f.coords.size(), d.coords.size());
  for (std::size_t k = 0; k < d.coords.size(); ++k) EXPECT_EQ(f.coords[k], static_cast<float>(d.coords[k]));
}

TEST(ReadPointCloud, ExactDigitsRoundTrip) {
  // Shortest round-trip text of random doubles reads back bit-exactly (from_chars, no locale).
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1e3, 1e3);
  std::vector<double> x(40);
  std::ostringstream text;
  text.precision(17);
  for (std::size_t k = 0; k < x.size(); ++k) {
    x[k] = u(rng);
    text << x[k] << (k % 4 == 3 ? "\n" : ",");
  }
  const auto c = cloud_from(text.str());
  EXPECT_EQ(c.num_points, 10);
  EXPECT_EQ(c.coords, x);
}

TEST(ReadPointCloud, BadInputs) {
  using E = std::invalid_argument;
  EXPECT_TRUE(throws_with<E>([] { cloud_from(""); }, {"read_point_cloud: ", "no points", "empty"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("# only\n\n"); }, {"no points"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("x,y\n"); }, {"no points after the header on line 1"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1 2\n3 4 5\n"); }, {"line 2 has 3 values, expected 2 (as on line 1)"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1 2\n3\n"); }, {"line 2 has 1 values, expected 2"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1 2\n3 abc\n"); }, {"line 2, field 2: 'abc' is not a number"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1 2\n3 4x\n"); }, {"line 2, field 2: '4x' is not a number"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1 2\n3 0x10\n"); }, {"'0x10' is not a number"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1 2\n3 +-4\n"); }, {"'+-4' is not a number"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1 2\nNaN 4\n"); }, {"line 2, field 1: 'NaN' is NaN"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1 2\n3 -inf\n"); }, {"line 2, field 2: '-inf' is infinite"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1 2\n3 1e999\n"); }, {"'1e999' is out of range for double"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from<float>("1 2\n3 1e39\n"); }, {"'1e39' is out of range for float"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1,,2\n"); }, {"line 1, field 2 is empty"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1,2,,\n"); }, {"line 1, field 3 is empty", "two commas in a row"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from(",1,2\n"); }, {"line 1, field 1 is empty", "comma at the start"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1,2,\n1,2,3\n"); }, {"line 2 has 3 values, expected 2"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1,abc\n"); }, {"line 1, field 2: 'abc' is not a number"}));
  EXPECT_TRUE(throws_with<E>([] { cloud_from("x,y,z\n1,2\n"); }, {"line 2 has 2 values but the header on line 1 names 3"}));
}

TEST(ReadPointCloud, SourceNameAndFiles) {
  using E = std::invalid_argument;
  EXPECT_TRUE(throws_with<E>([] { cloud_from("1\n1 2\n", ReadOptions().with_source("mem")); },
                             {"read_point_cloud: mem: line 2 has 2 values"}));
  EXPECT_TRUE(throws_with<E>([] { read_point_cloud(kData + "/bad_ragged.csv"); },
                             {"bad_ragged.csv: line 3 has 3 values, expected 2"}));
  EXPECT_TRUE(throws_with<E>([] { read_point_cloud(kData + "/bad_nonnumber.csv"); },
                             {"bad_nonnumber.csv: line 3, field 2: 'one' is not a number"}));
  EXPECT_TRUE(throws_with<E>([] { read_point_cloud(kData + "/bad_nan.csv"); }, {"line 3, field 1: 'nan' is NaN"}));
  EXPECT_TRUE(throws_with<E>([] { read_point_cloud(kData + "/bad_inf.csv"); }, {"line 2, field 2: 'inf' is infinite"}));
  EXPECT_TRUE(throws_with<E>([] { read_point_cloud(kData + "/bad_empty.csv"); }, {"bad_empty.csv: no points"}));
  EXPECT_TRUE(throws_with<std::runtime_error>([] { read_point_cloud(kData + "/does_not_exist.csv"); },
                                              {"read_point_cloud: cannot open", "does_not_exist.csv", "no such file"}));
  EXPECT_TRUE(throws_with<std::runtime_error>([] { read_point_cloud(kData); }, {"it is a directory"}));
}

TEST(ReadPointCloud, TooManyPointsForTheSimplexIndex) {
  // Dimension 30: cofaces have 32 vertices; C(n, 32) < 2^56 allows only a few dozen points.
  const index_t limit = max_points_for_dim(30);
  ASSERT_LT(limit, 200);
  std::string text;
  for (index_t i = 0; i <= limit; ++i) text += std::to_string(i) + "\n";
  EXPECT_NO_THROW(cloud_from(text));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { cloud_from(text, ReadOptions().with_max_dim(30)); },
      {std::to_string(limit + 1) + " points are too many for persistence up to dimension 30",
       "at most " + std::to_string(limit)}));
  EXPECT_NO_THROW(cloud_from(text, ReadOptions().with_max_dim(2)));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { cloud_from("1\n", ReadOptions().with_max_dim(-1)); },
                                                 {"max_dim must be >= 0, got -1"}));
}

// ---------------------------------------------------------------- lower-distance

TEST(ReadLowerDistance, RipserLayouts) {
  // One row a line (with Ripser's customary empty first row), all on one line, commas.
  expect_unit_square(lower_from("\n1\n1.4142135623730951 1\n1 1.4142135623730951 1\n"));
  expect_unit_square(lower_from("1 1.4142135623730951 1 1 1.4142135623730951 1"));
  expect_unit_square(lower_from("1,1.4142135623730951,1,1,1.4142135623730951,1\n"));
  expect_unit_square(lower_from("1\n1.4142135623730951, 1\n1, 1.4142135623730951, 1\n"));
  expect_unit_square(read_lower_distance(kData + "/square.lower_distance"));
  // The layout of Ripser's example files: every row ends with a comma, a blank line at the end.
  const auto linear = lower_from("1,\n2,1,\n3,4,5,\n\n");
  ASSERT_EQ(linear.size(), 4);
  EXPECT_EQ(linear(2, 0), 2.0);
  EXPECT_EQ(linear(3, 2), 5.0);
  expect_unit_square(lower_from(" 1,\n1.4142135623730951, 1,\n 1, 1.4142135623730951, 1,\n"));
  const auto two = lower_from("2.5\n");
  EXPECT_EQ(two.size(), 2);
  EXPECT_EQ(two(0, 1), 2.5);
}

TEST(ReadLowerDistance, FloatKeepsFloatValues) {
  const auto dm = lower_from<float>("0.1 0.2 0.3");
  EXPECT_EQ(dm.size(), 3);
  EXPECT_EQ(dm(2, 1), 0.3f);
}

TEST(ReadLowerDistance, BadInputs) {
  using E = std::invalid_argument;
  EXPECT_TRUE(throws_with<E>([] { lower_from("\n\n"); }, {"read_lower_distance: ", "no distances"}));
  EXPECT_TRUE(throws_with<E>([] { lower_from("1 2 3 4 5"); },
                             {"5 values do not form a lower triangle", "3 for 3 points, 6 for 4"}));
  EXPECT_TRUE(throws_with<E>([] { lower_from("1\n2 3 4\n5 6\n"); },
                             {"line 2 has 3 values, expected 2 (row 2 of the lower triangle"}));
  EXPECT_TRUE(throws_with<E>([] { lower_from("1\n2 -3\n"); }, {"line 2, field 2: negative distance -3"}));
  EXPECT_TRUE(throws_with<E>([] { lower_from("1\n2 x\n"); }, {"line 2, field 2: 'x' is not a number"}));
  EXPECT_TRUE(throws_with<E>([] { lower_from("1\ninf 1\n"); }, {"line 2, field 1: 'inf' is infinite"}));
  EXPECT_TRUE(throws_with<E>([] { lower_from("nan"); }, {"line 1, field 1: 'nan' is NaN"}));
  EXPECT_TRUE(throws_with<E>([] { read_lower_distance(kData + "/bad_ragged.lower_distance"); },
                             {"bad_ragged.lower_distance: line 2 has 3 values, expected 2"}));
  EXPECT_TRUE(throws_with<E>([] { read_lower_distance(kData + "/bad_count.lower_distance"); },
                             {"bad_count.lower_distance: 5 values do not form a lower triangle"}));
  EXPECT_TRUE(throws_with<std::runtime_error>([] { read_lower_distance(kData + "/nope"); },
                                              {"read_lower_distance: cannot open", "no such file"}));
  // 4 points but at most 3 allowed? No dimension is that tight; use a long single line instead.
  const index_t limit = max_points_for_dim(30);
  std::string text;
  for (index_t k = 0; k < (limit + 1) * limit / 2; ++k) text += "1 ";
  EXPECT_TRUE(throws_with<E>([&] { lower_from(text, ReadOptions().with_max_dim(30)); },
                             {std::to_string(limit + 1) + " points are too many"}));
}

// ---------------------------------------------------------------- full distance matrix

TEST(ReadDistanceMatrix, Goldens) {
  expect_unit_square(read_distance_matrix(kData + "/square.distance_matrix"));
  const auto one = full_from("0\n");
  EXPECT_EQ(one.size(), 1);
  // Asymmetry within the relative tolerance 1e-6 is accepted; the lower triangle is kept.
  const auto near = full_from("0, 2.0000001\n2, 0\n");
  EXPECT_EQ(near(1, 0), 2.0);
}

TEST(ReadDistanceMatrix, BadInputs) {
  using E = std::invalid_argument;
  EXPECT_TRUE(throws_with<E>([] { full_from("# nothing\n"); }, {"read_distance_matrix: ", "no rows"}));
  EXPECT_TRUE(throws_with<E>([] { full_from("0 1\n1 0\n2 2\n"); }, {"line 3 is row 3 of a matrix with 2 columns",
                                                                    "not square"}));
  EXPECT_TRUE(throws_with<E>([] { full_from("0 1 2\n1 0 3\n"); }, {"the matrix has 2 rows but 3 columns"}));
  EXPECT_TRUE(throws_with<E>([] { full_from("0 1\n1 0 3\n"); }, {"line 2 has 3 values, expected 2 (as on line 1)"}));
  EXPECT_TRUE(throws_with<E>([] { read_distance_matrix(kData + "/bad_asymmetric.distance_matrix"); },
                             {"line 3, field 2: entry (2, 1) = 3.5 but entry (1, 2) = 3 on line 2",
                              "not symmetric"}));
  EXPECT_TRUE(throws_with<E>([] { read_distance_matrix(kData + "/bad_diagonal.distance_matrix"); },
                             {"line 2, field 2: diagonal entry (1, 1) is 0.5, expected 0"}));
  EXPECT_TRUE(throws_with<E>([] { read_distance_matrix(kData + "/bad_negative.distance_matrix"); },
                             {"line 2, field 3: negative distance -1"}));
  EXPECT_TRUE(throws_with<E>([] { full_from("0 1\n1 nan\n"); }, {"line 2, field 2: 'nan' is NaN"}));
  EXPECT_TRUE(throws_with<E>([] { full_from("0 q\nq 0\n"); }, {"line 1, field 2: 'q' is not a number"}));
}

// ---------------------------------------------------------------- sparse triplets

TEST(ReadSparse, Goldens) {
  const auto sm = read_sparse(kData + "/square.sparse");
  EXPECT_EQ(sm.num_points, 4);
  EXPECT_EQ(sm.num_edges(), 6);
  ASSERT_EQ(sm.neighbors[0].size(), 3u);
  EXPECT_EQ(sm.neighbors[0][1].index, 2);
  EXPECT_DOUBLE_EQ(sm.neighbors[0][1].distance, kSqrt2);
  const auto cycle = read_sparse(kData + "/square_cycle.sparse");
  EXPECT_EQ(cycle.num_edges(), 4);
  // Both orientations with one value, and a diagonal line declaring an isolated last point.
  const auto both = sparse_from("0 1 2\n1 0 2\n3 3 0\n");
  EXPECT_EQ(both.num_points, 4);
  EXPECT_EQ(both.num_edges(), 1);
  EXPECT_TRUE(both.neighbors[3].empty());
  const auto commas = sparse_from("0,1,2.5\n");
  EXPECT_EQ(commas.neighbors[1][0].distance, 2.5);
}

TEST(ReadSparse, BadInputs) {
  using E = std::invalid_argument;
  EXPECT_TRUE(throws_with<E>([] { sparse_from(""); }, {"read_sparse: ", "no entries"}));
  EXPECT_TRUE(throws_with<E>([] { sparse_from("0 1 1\n0 2\n"); }, {"line 2 has 2 values, expected 3 (i j distance)"}));
  EXPECT_TRUE(throws_with<E>([] { sparse_from("0 1.5 1\n"); }, {"line 1, field 2: '1.5' is not a point index"}));
  EXPECT_TRUE(throws_with<E>([] { sparse_from("-1 1 1\n"); }, {"line 1, field 1: '-1' is not a point index"}));
  EXPECT_TRUE(throws_with<E>([] { sparse_from("0 99999999999 1\n"); }, {"point index 99999999999 is too large"}));
  EXPECT_TRUE(throws_with<E>([] { sparse_from("0 1 -2\n"); }, {"line 1, field 3: negative distance -2"}));
  EXPECT_TRUE(throws_with<E>([] { sparse_from("0 1 inf\n"); }, {"line 1, field 3: 'inf' is infinite"}));
  EXPECT_TRUE(throws_with<E>([] { sparse_from("2 2 1\n"); }, {"line 1, field 3: diagonal entry (2, 2) is 1, expected 0"}));
  EXPECT_TRUE(throws_with<E>([] { read_sparse(kData + "/bad_conflict.sparse"); },
                             {"bad_conflict.sparse: line 2, field 3: pair (1, 0) has distance 2 but line 1 gave 1"}));
  const index_t limit = max_points_for_dim(30);
  EXPECT_TRUE(throws_with<E>([&] { sparse_from("0 " + std::to_string(limit) + " 1\n", ReadOptions().with_max_dim(30)); },
                             {std::to_string(limit + 1) + " points are too many"}));
}

// ---------------------------------------------------------------- readers feed the engine

TEST(Readers, AllFormatsOfTheSquareGiveOneLoop) {
  const auto options = RipsOptions().with_max_dim(1);
  const auto from_cloud = rips_persistence(read_point_cloud(kData + "/square.csv"), Metric::kEuclidean, options);
  const auto from_lower = rips_persistence(read_lower_distance(kData + "/square.lower_distance"), options);
  const auto from_full = rips_persistence(read_distance_matrix(kData + "/square.distance_matrix"), options);
  const auto from_sparse = rips_persistence(read_sparse(kData + "/square.sparse"), options);
  for (const auto* r : {&from_cloud, &from_lower, &from_full, &from_sparse}) {
    const auto h1 = r->dimension(1);
    ASSERT_EQ(h1.size(), 1u);
    EXPECT_NEAR(h1[0].birth, 1.0, 1e-12);
    EXPECT_NEAR(h1[0].death, kSqrt2, 1e-12);
    EXPECT_EQ(r->dimension(0).size(), 4u);
  }
  const auto cycle = rips_persistence(read_sparse(kData + "/square_cycle.sparse"), options).dimension(1);
  ASSERT_EQ(cycle.size(), 1u);
  EXPECT_TRUE(cycle[0].essential());
}

// ---------------------------------------------------------------- atomic writes

class AtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("topoembed_io_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::size_t entries() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir_)) ++n;
    return n;
  }
  static std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::filesystem::path dir_;
};

TEST_F(AtomicFile, WritesAndReplaces) {
  const auto path = dir_ / "out.txt";
  write_file_atomically(path, std::string("first\n"));
  EXPECT_EQ(slurp(path), "first\n");
  write_file_atomically(path, [](std::ostream& out) { out << "second " << 2 << "\n"; });
  EXPECT_EQ(slurp(path), "second 2\n");
  EXPECT_EQ(entries(), 1u);  // no temporary left behind
}

TEST_F(AtomicFile, FailureLeavesTheOldFileAndNoTemporary) {
  const auto path = dir_ / "out.txt";
  write_file_atomically(path, std::string("old\n"));
  EXPECT_THROW(write_file_atomically(path,
                                     [](std::ostream& out) {
                                       out << "partial";
                                       throw std::runtime_error("writer failed");
                                     }),
               std::runtime_error);
  EXPECT_EQ(slurp(path), "old\n");
  EXPECT_EQ(entries(), 1u);
  // A new target is not created at all on failure.
  EXPECT_THROW(write_file_atomically_via_path(dir_ / "new.txt",
                                              [](const std::filesystem::path&) { throw std::logic_error("no"); }),
               std::logic_error);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "new.txt"));
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFile, ErrorsNameThePath) {
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { write_file_atomically(dir_ / "missing_dir" / "x.txt", std::string("x")); },
      {"cannot create a temporary file next to", "missing_dir"}));
  std::filesystem::create_directories(dir_ / "a_directory");
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { write_file_atomically(dir_ / "a_directory", std::string("x")); },
                                              {"cannot rename", "a_directory"}));
  EXPECT_EQ(entries(), 1u);  // only a_directory; the temporary was removed
}

}  // namespace
}  // namespace topoembed::ph
