// `topoembed ph` end to end: runs the built binary on the small files of tests/data and checks
// stdout, stderr, the exit status and the files it writes; compares with Debian's ripser.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support/run_command.hpp"
#include "../support/temp_dir_test.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kExe = TOPOEMBED_EXE;
const std::string kData = TOPOEMBED_TEST_DATA_DIR;
const std::string kSource = TOPOEMBED_SOURCE_DIR;
const std::string kRipser = TOPOEMBED_RIPSER;
const std::string kPython = TOPOEMBED_PYTHON3;

using Outcome = topoembed::test_support::CommandOutcome;
using topoembed::test_support::run_command;
using topoembed::test_support::slurp;
using topoembed::test_support::shell_quote;

class Cli : public topoembed::test_support::TempDirTest {
 protected:
  Cli() : TempDirTest("topoembed_cli_test_") {}

  // Runs `program args` (args already shell-quoted where needed) with optional stdin file.
  Outcome run_program(const std::string& program, const std::string& args, const std::string& stdin_file = "") const {
    return run_command(program, args, root_, stdin_file);
  }
  Outcome ph(const std::string& args, const std::string& stdin_file = "") const {
    return run_program(kExe, "ph " + args, stdin_file);
  }
  static std::string data(const std::string& name) { return shell_quote(kData + "/" + name); }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path p = root_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::size_t entries() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(root_)) ++n;
    return n;
  }
};

// A failed run: non-zero status, "error: " first, every part in the message, nothing on stdout.
::testing::AssertionResult fails_with(const Outcome& r, std::initializer_list<std::string> parts) {
  if (r.code == 0) return ::testing::AssertionFailure() << "exit status 0; stdout: " << r.out;
  if (r.err.rfind("error: ", 0) != 0) return ::testing::AssertionFailure() << "stderr: " << r.err;
  for (const auto& part : parts) {
    if (r.err.find(part) == std::string::npos) {
      return ::testing::AssertionFailure() << "stderr \"" << r.err << "\" lacks \"" << part << "\"";
    }
  }
  if (!r.out.empty()) return ::testing::AssertionFailure() << "stdout not empty: " << r.out;
  return ::testing::AssertionSuccess();
}

struct CsvPair {
  int dim;
  double birth, death;
  int bu, bv, du, dv;
};

std::vector<CsvPair> parse_csv(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header, checked by the tests
  std::vector<CsvPair> pairs;
  while (std::getline(in, line)) {
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream s(line);
    CsvPair p{};
    std::string death;
    s >> p.dim >> p.birth >> death >> p.bu >> p.bv >> p.du >> p.dv;
    EXPECT_FALSE(s.fail()) << line;
    p.death = death == "inf" ? INFINITY : std::stod(death);
    pairs.push_back(p);
  }
  return pairs;
}

// (dim, birth, death) of Ripser-style text: " [b,d)" and " [b, )" under "... in dim k:".
struct Interval {
  int dim;
  double birth, death;
};
std::vector<Interval> parse_text(const std::string& text) {
  std::vector<Interval> out;
  std::istringstream in(text);
  std::string line;
  int dim = -1;
  const std::regex heading(R"(persistence intervals in dim (\d+):)");
  const std::regex interval(R"( \[([^,]+),([^)]*)\).*)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, heading)) {
      dim = std::stoi(m[1]);
    } else if (std::regex_match(line, m, interval)) {
      const std::string death = m[2];
      out.push_back({dim, std::stod(m[1]), death == " " ? INFINITY : std::stod(death)});
    }
  }
  return out;
}

std::vector<Interval> sorted(std::vector<Interval> v) {
  std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) {
    return std::tie(a.dim, a.death, a.birth) < std::tie(b.dim, b.death, b.birth);
  });
  return v;
}

std::vector<Interval> intervals(const std::vector<CsvPair>& pairs) {
  std::vector<Interval> out;
  for (const auto& p : pairs) out.push_back({p.dim, p.birth, p.death});
  return out;
}

::testing::AssertionResult same_intervals(std::vector<Interval> a, std::vector<Interval> b, double rel) {
  a = sorted(std::move(a));
  b = sorted(std::move(b));
  if (a.size() != b.size()) return ::testing::AssertionFailure() << a.size() << " vs " << b.size() << " intervals";
  auto close = [rel](double x, double y) {
    if (std::isinf(x) || std::isinf(y)) return x == y;
    return std::abs(x - y) <= rel * std::max(1.0, std::abs(x));
  };
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k].dim != b[k].dim || !close(a[k].birth, b[k].birth) || !close(a[k].death, b[k].death)) {
      return ::testing::AssertionFailure() << "interval " << k << ": dim " << a[k].dim << " [" << a[k].birth << ","
                                           << a[k].death << ") vs dim " << b[k].dim << " [" << b[k].birth << ","
                                           << b[k].death << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

const char* kCsvHeader = "dim,birth,death,birth_u,birth_v,death_u,death_v\n";

// ------------------------------------------------------------------- each input format

TEST_F(Cli, TwoPointsTextGolden) {
  const Outcome r = ph(data("two_points.csv"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "point cloud with 2 points in dimension 2, euclidean metric\n"
            "using threshold at enclosing radius 5\n"
            "persistence intervals in dim 0:\n"
            " [0,5)  birth -  death (1,0)\n"
            " [0, )  birth -  death -\n"
            "persistence intervals in dim 1:\n");
  EXPECT_TRUE(r.err.empty());
}

TEST_F(Cli, TriangleCsvGolden) {
  const Outcome r = ph(data("triangle.txt") + " --format csv --dim 2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kCsvHeader) +
                       "0,0,3,-1,-1,1,0\n"
                       "0,0,4,-1,-1,2,0\n"
                       "0,0,inf,-1,-1,-1,-1\n");
}

// The unit square in every input format: the same diagram; each value is the length of its edge.
TEST_F(Cli, SquareInEveryInputFormat) {
  const double side = 1.0, diagonal = std::sqrt(2.0);
  auto length = [&](int u, int v) {
    const int xs[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
    return std::hypot(xs[u][0] - xs[v][0], xs[u][1] - xs[v][1]);
  };
  for (const std::string& args :
       {data("square.csv"), data("square.lower_distance") + " --input-format lower-distance",
        data("square.distance_matrix") + " --input-format distance-matrix",
        data("square.sparse") + " --input-format sparse"}) {
    SCOPED_TRACE(args);
    const Outcome r = ph(args + " --format csv");
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(r.out.rfind(kCsvHeader, 0), 0u) << r.out;
    const auto pairs = parse_csv(r.out);
    ASSERT_EQ(pairs.size(), 5u) << r.out;
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(pairs[k].dim, 0);
      EXPECT_EQ(pairs[k].death, side);
      EXPECT_EQ(pairs[k].bu, -1);
      EXPECT_DOUBLE_EQ(length(pairs[k].du, pairs[k].dv), pairs[k].death);
    }
    EXPECT_TRUE(std::isinf(pairs[3].death));
    EXPECT_EQ(pairs[3].du, -1);
    EXPECT_EQ(pairs[4].dim, 1);
    EXPECT_EQ(pairs[4].birth, side);
    EXPECT_DOUBLE_EQ(pairs[4].death, diagonal);
    EXPECT_DOUBLE_EQ(length(pairs[4].bu, pairs[4].bv), pairs[4].birth);
    EXPECT_DOUBLE_EQ(length(pairs[4].du, pairs[4].dv), pairs[4].death);
    EXPECT_GT(pairs[4].bu, pairs[4].bv);  // edges are written larger vertex first
  }
}

TEST_F(Cli, SparseCycleHasAnEssentialLoop) {
  const Outcome r = ph(data("square_cycle.sparse") + " --input-format sparse");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("sparse distance matrix with 4 points and 4/6 entries\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("persistence intervals in dim 1:\n [1, )  birth ("), std::string::npos) << r.out;
}

TEST_F(Cli, SparseEssentialClassHasNoDeathEdge) {
  // The 4-cycle never fills: its H1 class is essential, so it has no death edge (the triangles
  // through the absent diagonals are not in the complex).
  const Outcome r = ph(data("square_cycle.sparse") + " --input-format sparse --format csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto pairs = parse_csv(r.out);
  ASSERT_EQ(pairs.size(), 5u) << r.out;
  EXPECT_EQ(pairs[4].dim, 1);
  EXPECT_TRUE(std::isinf(pairs[4].death));
  EXPECT_EQ(pairs[4].du, -1) << r.out;
  EXPECT_EQ(pairs[4].dv, -1) << r.out;
}

TEST_F(Cli, StandardInput) {
  const Outcome from_file = ph(data("square.csv"));
  const Outcome from_stdin = ph("-", kData + "/square.csv");
  ASSERT_EQ(from_stdin.code, 0) << from_stdin.err;
  EXPECT_EQ(from_stdin.out, from_file.out);
}

// ------------------------------------------------------------------- output formats

TEST_F(Cli, JsonParsesAndHoldsTheSameAsCsv) {
  const Outcome j = ph(data("square.csv") + " --format json --dim 1");
  const Outcome c = ph(data("square.csv") + " --format csv --dim 1");
  ASSERT_EQ(j.code, 0) << j.err;
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["num_points"], 4);
  EXPECT_DOUBLE_EQ(doc["threshold"].get<double>(), std::sqrt(2.0));
  EXPECT_EQ(doc["max_dim"], 1);
  EXPECT_EQ(doc["modulus"], 2);
  EXPECT_EQ(doc["metric"], "euclidean");
  const auto csv = parse_csv(c.out);
  ASSERT_EQ(doc["pairs"].size(), csv.size());
  for (std::size_t k = 0; k < csv.size(); ++k) {
    const auto& p = doc["pairs"][k];
    EXPECT_EQ(p["dim"], csv[k].dim);
    EXPECT_EQ(p["birth"].get<double>(), csv[k].birth);  // both round-trip exactly
    if (std::isinf(csv[k].death)) {
      EXPECT_TRUE(p["death"].is_null());
      EXPECT_TRUE(p["death_edge"].is_null());
    } else {
      EXPECT_EQ(p["death"].get<double>(), csv[k].death);
      EXPECT_EQ(p["death_edge"], nlohmann::json::array({csv[k].du, csv[k].dv}));
    }
    if (csv[k].dim == 0) {
      EXPECT_TRUE(p["birth_edge"].is_null());
    } else {
      EXPECT_EQ(p["birth_edge"], nlohmann::json::array({csv[k].bu, csv[k].bv}));
    }
  }
  // An independent parser agrees that it is JSON.
  if (kPython.empty()) GTEST_SKIP() << "python3 not found";
  const fs::path file = write("out.json", j.out);
  const Outcome py = run_program(kPython, "-c " + shell_quote("import json,sys; d=json.load(open(sys.argv[1])); "
                                                    "print(len(d['pairs']), d['pairs'][3]['death'])") +
                                          " " + shell_quote(file.string()));
  EXPECT_EQ(py.code, 0) << py.err;
  EXPECT_EQ(py.out, "5 None\n");
}

TEST_F(Cli, JsonForDistanceInputHasNullMetric) {
  const Outcome r = ph(data("square_cycle.sparse") + " --input-format sparse --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_TRUE(doc["metric"].is_null());
  EXPECT_TRUE(doc["threshold"].is_null());  // sparse input without --threshold: every entry
  EXPECT_EQ(doc["input_format"], "sparse");
}

TEST_F(Cli, CsvValuesRoundTrip) {
  const Outcome r = ph(shell_quote(kSource + "/data/examples/circle.csv") + " --format csv");
  ASSERT_EQ(r.code, 0) << r.err;
  // Shortest round-trip form: 1/3-like values need up to 17 digits, and no value has more.
  const auto pairs = parse_csv(r.out);
  bool long_value = false;
  std::istringstream in(r.out);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string field;
    while (std::getline(s, field, ',')) {
      EXPECT_LE(field.size(), 24u);
      long_value = long_value || field.size() >= 15;
    }
  }
  EXPECT_TRUE(long_value) << "expected values printed with full precision";
  EXPECT_GT(pairs.size(), 59u);
}

// ------------------------------------------------------------------- options

TEST_F(Cli, Threshold) {
  // Below the side length: four points, no edges.
  Outcome r = ph(data("square.csv") + " --threshold 0.5 --format csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kCsvHeader) +
                       "0,0,inf,-1,-1,-1,-1\n0,0,inf,-1,-1,-1,-1\n0,0,inf,-1,-1,-1,-1\n0,0,inf,-1,-1,-1,-1\n");
  // Between side and diagonal: the loop never fills.
  r = ph(data("square.csv") + " --threshold 1.2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("using threshold 1.2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("persistence intervals in dim 1:\n [1, )"), std::string::npos) << r.out;
}

TEST_F(Cli, ModulusThreadsAndShortcutsKeepTheDiagram) {
  const std::string circle = shell_quote(kSource + "/data/examples/circle.csv");
  const Outcome base = ph(circle + " --format csv");
  ASSERT_EQ(base.code, 0) << base.err;
  for (const char* extra : {"--modulus 3", "--threads 2", "--no-shortcuts"}) {
    const Outcome r = ph(circle + " --format csv " + std::string(extra));
    ASSERT_EQ(r.code, 0) << extra << ": " << r.err;
    EXPECT_TRUE(same_intervals(intervals(parse_csv(r.out)), intervals(parse_csv(base.out)), 0)) << extra;
  }
  const Outcome text = ph(circle + " --modulus 3");
  EXPECT_NE(text.out.find("coefficients in Z/3\n"), std::string::npos);
}

TEST_F(Cli, MetricChangesTheDistances) {
  // (0,0), (3,4): Euclidean 5, Manhattan 7, Chebyshev 4.
  for (const auto& [metric, death] : std::map<std::string, std::string>{
           {"euclidean", "5"}, {"manhattan", "7"}, {"chebyshev", "4"}}) {
    const Outcome r = ph(data("two_points.csv") + " --format csv --metric " + metric);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("\n0,0," + death + ",-1,-1,1,0\n"), std::string::npos) << metric << ": " << r.out;
  }
}

TEST_F(Cli, CircleHasOneDominantLoop) {
  const Outcome r = ph(shell_quote(kSource + "/data/examples/circle.csv") + " --dim 1 --format csv");
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<double> h1;
  for (const auto& p : parse_csv(r.out))
    if (p.dim == 1) h1.push_back(p.death - p.birth);
  ASSERT_FALSE(h1.empty());
  std::sort(h1.rbegin(), h1.rend());
  EXPECT_GT(h1[0], 1.0);
  if (h1.size() > 1) {
    EXPECT_LT(h1[1], 0.2 * h1[0]);
  }
}

TEST_F(Cli, HelpExitsZero) {
  const Outcome r = ph("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--input-format"), std::string::npos);
}

// ------------------------------------------------------------------- bad input

TEST_F(Cli, BadFilesNameTheLineAndTheProblem) {
  EXPECT_TRUE(fails_with(ph(data("bad_empty.csv")), {"read_point_cloud", "bad_empty.csv", "no points"}));
  EXPECT_TRUE(fails_with(ph(data("bad_ragged.csv")), {"line 3 has 3 values, expected 2"}));
  EXPECT_TRUE(fails_with(ph(data("bad_nonnumber.csv")), {"line 3, field 2: 'one' is not a number"}));
  EXPECT_TRUE(fails_with(ph(data("bad_nan.csv")), {"line 3, field 1: 'nan' is NaN"}));
  EXPECT_TRUE(fails_with(ph(data("bad_inf.csv")), {"line 2, field 2: 'inf' is infinite"}));
  EXPECT_TRUE(fails_with(ph(data("bad_negative.distance_matrix") + " --input-format distance-matrix"),
                         {"line 2, field 3: negative distance -1"}));
  EXPECT_TRUE(fails_with(ph(data("bad_asymmetric.distance_matrix") + " --input-format distance-matrix"),
                         {"line 3, field 2", "not symmetric"}));
  EXPECT_TRUE(fails_with(ph(data("bad_diagonal.distance_matrix") + " --input-format distance-matrix"),
                         {"diagonal entry (1, 1) is 0.5"}));
  EXPECT_TRUE(fails_with(ph(data("bad_ragged.lower_distance") + " --input-format lower-distance"),
                         {"line 2 has 3 values, expected 2"}));
  EXPECT_TRUE(fails_with(ph(data("bad_count.lower_distance") + " --input-format lower-distance"),
                         {"5 values do not form a lower triangle"}));
  EXPECT_TRUE(fails_with(ph(data("bad_conflict.sparse") + " --input-format sparse"),
                         {"line 2, field 3: pair (1, 0) has distance 2 but line 1 gave 1"}));
  EXPECT_TRUE(fails_with(ph(shell_quote((root_ / "missing.csv").string())), {"cannot open", "missing.csv", "no such file"}));
}

TEST_F(Cli, TooManyPointsForTheSimplexIndex) {
  // Dimension 13 (the engine's largest) allows about 90 points: cofaces of 15 vertices must be
  // indexable in 64 bits.
  std::string text;
  for (int i = 0; i < 200; ++i) text += std::to_string(i) + "\n";
  const fs::path file = write("line.txt", text);
  EXPECT_TRUE(fails_with(ph(shell_quote(file.string()) + " --dim 13"),
                         {"200 points are too many for persistence up to dimension 13"}));
  EXPECT_TRUE(fails_with(ph(shell_quote(file.string()) + " --dim 14"), {"max_dim must be in 0..13, got 14"}));
}

TEST_F(Cli, BadFlags) {
  const std::string sq = data("square.csv");
  EXPECT_TRUE(fails_with(ph(sq + " --bogus"), {"--bogus"}));
  EXPECT_TRUE(fails_with(ph(sq + " --dim -1"), {"--dim", "expected an integer >= 0, got -1"}));
  EXPECT_TRUE(fails_with(ph(sq + " --modulus 4"), {"--modulus", "expected a prime number below 256, got 4"}));
  EXPECT_TRUE(fails_with(ph(sq + " --modulus 257"), {"--modulus"}));
  EXPECT_TRUE(fails_with(ph(sq + " --threads 0"), {"--threads", "got 0"}));
  EXPECT_TRUE(fails_with(ph(sq + " --threshold -1"), {"--threshold", "expected a number >= 0, got -1"}));
  EXPECT_TRUE(fails_with(ph(sq + " --threshold nan"), {"--threshold"}));
  EXPECT_TRUE(fails_with(ph(sq + " --format xml"), {"--format", "xml"}));
  EXPECT_TRUE(fails_with(ph(sq + " --input-format dipha"), {"--input-format", "dipha"}));
  EXPECT_TRUE(fails_with(ph(sq + " --metric cosine"), {"--metric", "cosine"}));
  EXPECT_TRUE(fails_with(ph(data("square.sparse") + " --input-format sparse --metric manhattan"),
                         {"--metric applies to --input-format point-cloud only"}));
  EXPECT_TRUE(fails_with(ph(""), {"FILE is required"}));
  EXPECT_TRUE(fails_with(run_program(kExe, ""), {"subcommand"}));
}

// ------------------------------------------------------------------- --output

TEST_F(Cli, OutputFileEqualsStdout) {
  const Outcome to_stdout = ph(data("square.csv") + " --format json");
  const fs::path file = root_ / "square.json";
  const Outcome to_file = ph(data("square.csv") + " --format json --output " + shell_quote(file.string()));
  ASSERT_EQ(to_file.code, 0) << to_file.err;
  EXPECT_TRUE(to_file.out.empty());
  EXPECT_EQ(slurp(file), to_stdout.out);
  EXPECT_EQ(entries(), 1u);  // no temporary left
}

TEST_F(Cli, FailedRunCreatesNoOutputAndKeepsAnOldOne) {
  const fs::path fresh = root_ / "fresh.csv";
  EXPECT_TRUE(fails_with(ph(data("bad_ragged.csv") + " --output " + shell_quote(fresh.string())), {"line 3"}));
  EXPECT_FALSE(fs::exists(fresh));
  const fs::path old = write("old.csv", "previous content\n");
  EXPECT_TRUE(fails_with(ph(data("bad_nan.csv") + " --format csv -o " + shell_quote(old.string())), {"NaN"}));
  EXPECT_EQ(slurp(old), "previous content\n");
  EXPECT_TRUE(fails_with(ph(data("square.csv") + " --modulus 4 -o " + shell_quote(old.string())), {"--modulus"}));
  EXPECT_EQ(slurp(old), "previous content\n");
  // An output directory that does not exist: an error, and nothing is created.
  EXPECT_TRUE(fails_with(ph(data("square.csv") + " -o " + shell_quote((root_ / "no_dir" / "x.txt").string())),
                         {"cannot create a temporary file"}));
  EXPECT_EQ(entries(), 1u);  // only old.csv
}

// ------------------------------------------------------------------- against Ripser

TEST_F(Cli, SameDiagramAsRipser) {
  if (kRipser.empty()) GTEST_SKIP() << "ripser not installed";
  // The bundled circle and a seeded random cloud in R^3 (values written with 9 digits, which
  // float and double read the same up to float rounding).
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::ostringstream cloud;
  cloud << std::setprecision(9);
  for (int i = 0; i < 40; ++i) cloud << u(rng) << "," << u(rng) << "," << u(rng) << "\n";
  const fs::path random = write("random.csv", cloud.str());
  for (const std::string& file : {kSource + "/data/examples/circle.csv", random.string()}) {
    SCOPED_TRACE(file);
    const Outcome ours = ph(shell_quote(file) + " --dim 1 --format csv");
    const Outcome theirs = run_program(kRipser, "--format point-cloud --dim 1 " + shell_quote(file));
    ASSERT_EQ(ours.code, 0) << ours.err;
    ASSERT_EQ(theirs.code, 0) << theirs.err;
    const auto ripser_intervals = parse_text(theirs.out);
    ASSERT_GT(ripser_intervals.size(), 10u);
    // Ripser computes in float and prints 6 significant digits.
    EXPECT_TRUE(same_intervals(intervals(parse_csv(ours.out)), ripser_intervals, 2e-5));
    // Our text output reads back to the same intervals with Ripser's parser-level format.
    const Outcome text = ph(shell_quote(file) + " --dim 1");
    EXPECT_TRUE(same_intervals(parse_text(text.out), ripser_intervals, 2e-5));
  }
}

TEST_F(Cli, SameDiagramAsRipserForALowerDistanceMatrix) {
  if (kRipser.empty()) GTEST_SKIP() << "ripser not installed";
  // A generic metric-free matrix like Ripser's random16 example: a seeded permutation of
  // 1..120 as the distances of 16 points, written in Ripser's layout (every row ends with ',').
  std::vector<int> values(120);
  for (int k = 0; k < 120; ++k) values[k] = k + 1;
  std::shuffle(values.begin(), values.end(), std::mt19937(5));
  std::ostringstream text;
  for (int i = 1, k = 0; i < 16; ++i) {
    for (int j = 0; j < i; ++j) text << std::setw(3) << values[k++] << ",";
    text << "\n";
  }
  const fs::path file = write("random16.lower_distance_matrix", text.str());
  const Outcome ours = ph(shell_quote(file.string()) + " --input-format lower-distance --dim 2 --format csv");
  const Outcome theirs = run_program(kRipser, "--format lower-distance --dim 2 " + shell_quote(file.string()));
  ASSERT_EQ(ours.code, 0) << ours.err;
  ASSERT_EQ(theirs.code, 0) << theirs.err;
  const auto ripser_intervals = parse_text(theirs.out);
  ASSERT_GT(ripser_intervals.size(), 16u);
  EXPECT_TRUE(same_intervals(intervals(parse_csv(ours.out)), ripser_intervals, 0));
}

}  // namespace
