// Cross-checks against peers installed from Debian: the `ripser` binary (Ripser 1.2.1) and GUDHI
// (python3-gudhi). Equal diagrams on seeded random clouds. Skipped when a peer is missing.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "test_support.hpp"
#include "topoembed/ph/rips_persistence.hpp"

namespace topoembed::ph {
namespace {

using testing::Interval;

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  std::size_t k;
  while ((k = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, k);
  pclose(pipe);
  return out;
}

bool have(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

// Ripser's text: "persistence intervals in dim k:" then " [b,d)" or " [b, )".
std::vector<Interval> parse_ripser(const std::string& text) {
  std::vector<Interval> out;
  std::istringstream in(text);
  std::string line;
  int dim = -1;
  while (std::getline(in, line)) {
    if (line.rfind("persistence intervals in dim ", 0) == 0) {
      dim = std::stoi(line.substr(29));
      continue;
    }
    const auto open = line.find('['), comma = line.find(','), close = line.find(')');
    if (dim < 0 || open == std::string::npos || comma == std::string::npos || close == std::string::npos) continue;
    const double b = std::stod(line.substr(open + 1, comma - open - 1));
    const std::string d = line.substr(comma + 1, close - comma - 1);
    out.push_back({dim, b, d.find_first_not_of(' ') == std::string::npos ? INFINITY : std::stod(d)});
  }
  return out;
}

// Every interval of `a` matched to a distinct interval of `b` within the tolerance (greedy on
// sorted lists is enough here: both sides list the same values up to printing precision).
::testing::AssertionResult match(std::vector<Interval> a, std::vector<Interval> b, double tol) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << a.size() << " vs " << b.size() << " intervals";
  std::vector<bool> used(b.size(), false);
  for (const auto& x : a) {
    bool found = false;
    for (std::size_t j = 0; j < b.size() && !found; ++j) {
      if (used[j] || b[j].dim != x.dim) continue;
      if (testing::close(x.birth, b[j].birth, tol) && testing::close(x.death, b[j].death, tol)) used[j] = found = true;
    }
    if (!found) return ::testing::AssertionFailure() << "no match for dim " << x.dim << " [" << x.birth << ", " << x.death << ")";
  }
  return ::testing::AssertionSuccess();
}

std::string write_cloud(const PointCloud<double>& pc, const std::string& name) {
  const auto path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream out(path);
  out.precision(17);
  for (index_t i = 0; i < pc.num_points; ++i) {
    for (int k = 0; k < pc.dim; ++k) out << (k ? "," : "") << pc.point(i)[k];
    out << "\n";
  }
  return path;
}

class PeerCrossCheck : public ::testing::TestWithParam<unsigned> {};

TEST_P(PeerCrossCheck, EqualsRipserBinary) {
  if (!have("command -v ripser")) GTEST_SKIP() << "ripser binary not installed";
  const unsigned seed = GetParam();
  // Float clouds written exactly, so both read identical coordinates.
  const auto pd = testing::random_cloud<double>(70, 3, seed);
  std::vector<float> xf(pd.coords.begin(), pd.coords.end());
  const PointCloud<double> exact(70, 3, std::vector<double>(xf.begin(), xf.end()));
  const auto path = write_cloud(exact, "topoembed_peer_" + std::to_string(seed) + ".csv");
  for (int dim : {1, 2}) {
    const auto text = run("ripser --format point-cloud --dim " + std::to_string(dim) + " " + path);
    const auto theirs = parse_ripser(text);
    ASSERT_FALSE(theirs.empty()) << text;
    const auto ours = rips_persistence(PointCloud<float>(70, 3, xf), Metric::kEuclidean, RipsOptions().with_max_dim(dim));
    std::vector<Interval> mine;
    for (const auto& p : ours.pairs) mine.push_back({p.dim, double(p.birth), double(p.death)});
    EXPECT_TRUE(match(mine, theirs, 1e-5)) << "dim " << dim << ", seed " << seed;
  }
  std::filesystem::remove(path);
}

TEST_P(PeerCrossCheck, EqualsGudhi) {
  if (!have("/usr/bin/python3 -c 'import gudhi'")) GTEST_SKIP() << "python3-gudhi not installed";
  const unsigned seed = GetParam();
  const auto pc = testing::random_cloud<double>(50, 3, seed + 10);
  const auto dm = distance_matrix(pc, Metric::kEuclidean);
  const double thr = enclosing_radius(dm);
  const auto path = write_cloud(pc, "topoembed_gudhi_" + std::to_string(seed) + ".csv");
  std::ostringstream script;
  script.precision(17);
  script << "/usr/bin/python3 -c \"import gudhi, numpy as np\n"
         << "x = np.loadtxt('" << path << "', delimiter=',')\n"
         << "st = gudhi.RipsComplex(points=x, max_edge_length=" << thr << ").create_simplex_tree(max_dimension=3)\n"
         << "for d, (b, e) in st.persistence(homology_coeff_field=2, min_persistence=0):\n"
         << "    print(d, repr(b), repr(e)) if d <= 2 else None\n\"";
  const auto text = run(script.str());
  std::vector<Interval> theirs;
  std::istringstream in(text);
  int d;
  std::string b, e;
  while (in >> d >> b >> e) theirs.push_back({d, std::stod(b), e == "inf" ? INFINITY : std::stod(e)});
  ASSERT_FALSE(theirs.empty()) << text;
  const auto ours = rips_persistence(dm, RipsOptions().with_max_dim(2));
  EXPECT_TRUE(match(testing::intervals(ours.pairs), theirs, 1e-9)) << "seed " << seed;
  std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PeerCrossCheck, ::testing::Values(11u, 12u, 13u));

}  // namespace
}  // namespace topoembed::ph
