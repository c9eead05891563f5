// Tests of FilteredComplex: hand-made complexes with known homology, filtered examples with known
// barcodes, invariants on seeded random complexes, cross-checks against the Rips engine and GUDHI,
// and bad input.
#include "topoembed/ph/filtered_complex.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include <unistd.h>

#include "../support/expect_error.hpp"
#include "test_support.hpp"
#include "topoembed/ph/rips_persistence.hpp"

namespace topoembed::ph {
namespace {

using Simplices = std::vector<std::vector<vertex_t>>;
using test_support::throws_containing;
using testing::intervals;
using testing::same_intervals;

// All faces of the given simplices, each once, ordered by dimension.
Simplices closure(const Simplices& maximal) {
  std::set<std::vector<vertex_t>> faces;
  for (auto s : maximal) {
    std::sort(s.begin(), s.end());
    for (unsigned mask = 1; mask < (1u << s.size()); ++mask) {
      std::vector<vertex_t> f;
      for (std::size_t k = 0; k < s.size(); ++k)
        if (mask >> k & 1u) f.push_back(s[k]);
      faces.insert(f);
    }
  }
  Simplices out(faces.begin(), faces.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
  return out;
}

std::vector<index_t> betti(const Simplices& s, std::uint32_t p) {
  FilteredComplex<double> k(s, std::vector<double>(s.size(), 0.0));
  return k.persistence(ComplexPersistenceOptions().with_modulus(p)).betti;
}

const Simplices kRP2{{0, 1, 2}, {0, 2, 3}, {0, 3, 4}, {0, 4, 5}, {0, 5, 1},
                     {1, 2, 4}, {2, 3, 5}, {3, 4, 1}, {4, 5, 2}, {5, 1, 3}};

// Möbius–Kantor / Császár 7-vertex torus: triangles {i, i+1, i+3} and {i, i+2, i+3} mod 7.
Simplices torus7() {
  Simplices t;
  for (vertex_t i = 0; i < 7; ++i) {
    t.push_back({i, (i + 1) % 7, (i + 3) % 7});
    t.push_back({i, (i + 2) % 7, (i + 3) % 7});
  }
  return t;
}

using B = std::vector<index_t>;

TEST(FilteredComplexGolden, HollowTriangle) {
  //            0    1    2    01   12   02
  Simplices s{{0}, {1}, {2}, {0, 1}, {1, 2}, {0, 2}};
  FilteredComplex<double> k(s, {0, 0, 0, 1, 2, 3});
  const auto r = k.persistence();
  EXPECT_EQ(r.betti, (B{1, 1}));
  ASSERT_EQ(r.pairs.size(), 4u);
  // Dimension 0: edge {0,1} at 1 kills vertex 1 (the younger by the lexicographic rule), edge
  // {1,2} at 2 kills vertex 2; vertex 0 lives forever. Dimension 1: the cycle born with {0,2}.
  EXPECT_EQ(r.pairs[0].dim, 0);
  EXPECT_EQ(r.pairs[0].death, 1.0);
  EXPECT_EQ(r.pairs[0].birth_simplex, 1);
  EXPECT_EQ(r.pairs[0].death_simplex, 3);
  EXPECT_EQ(r.pairs[1].death, 2.0);
  EXPECT_EQ(r.pairs[1].birth_simplex, 2);
  EXPECT_EQ(r.pairs[1].death_simplex, 4);
  EXPECT_TRUE(r.pairs[2].essential());
  EXPECT_EQ(r.pairs[2].birth_simplex, 0);
  EXPECT_EQ(r.pairs[2].death_simplex, -1);
  EXPECT_EQ(r.pairs[3].dim, 1);
  EXPECT_EQ(r.pairs[3].birth, 3.0);
  EXPECT_TRUE(r.pairs[3].essential());
  EXPECT_EQ(r.pairs[3].birth_simplex, 5);
}

TEST(FilteredComplexGolden, FilledTriangle) {
  Simplices s{{0, 1, 2}, {2, 1}, {0}, {1}, {2}, {1, 0}, {0, 2}};  // any order of simplices and vertices
  FilteredComplex<double> k(s, {4, 2, 0, 0, 0, 1, 3});
  const auto r = k.persistence();
  EXPECT_EQ(r.betti, (B{1, 0, 0}));
  const auto h1 = r.dimension(1);
  ASSERT_EQ(h1.size(), 1u);
  EXPECT_EQ(h1[0].birth, 3.0);
  EXPECT_EQ(h1[0].death, 4.0);
  EXPECT_EQ(h1[0].birth_simplex, 6);
  EXPECT_EQ(h1[0].death_simplex, 0);
  EXPECT_EQ(k.simplex(0), (std::vector<vertex_t>{0, 1, 2}));
  EXPECT_EQ(k.dimension(), 2);
}

TEST(FilteredComplexGolden, ZeroPersistencePairsDroppedByDefault) {
  Simplices s{{0}, {1}, {2}, {0, 1}, {1, 2}, {0, 2}, {0, 1, 2}};
  FilteredComplex<double> k(s, {0, 0, 0, 1, 1, 1, 1});
  const auto dropped = k.persistence();
  EXPECT_EQ(intervals(dropped.pairs).size(), 3u);  // (0, 1) twice and (0, inf)
  EXPECT_TRUE(dropped.dimension(1).empty());
  const auto kept = k.persistence(ComplexPersistenceOptions().with_keep_zero_persistence(true));
  ASSERT_EQ(kept.dimension(1).size(), 1u);
  EXPECT_EQ(kept.dimension(1)[0].birth, 1.0);
  EXPECT_EQ(kept.dimension(1)[0].death, 1.0);
  EXPECT_EQ(kept.dimension(1)[0].death_simplex, 6);
  EXPECT_EQ(kept.betti, dropped.betti);
}

TEST(FilteredComplexGolden, ProjectivePlaneDependsOnCoefficients) {
  const Simplices rp2 = closure(kRP2);
  ASSERT_EQ(rp2.size(), 6u + 15u + 10u);
  EXPECT_EQ(betti(rp2, 2), (B{1, 1, 1}));
  EXPECT_EQ(betti(rp2, 3), (B{1, 0, 0}));
  EXPECT_EQ(betti(rp2, 5), (B{1, 0, 0}));
}

TEST(FilteredComplexGolden, CircleAsNerveOfThreeAndFourArcs) {
  EXPECT_EQ(betti({{0}, {1}, {2}, {0, 1}, {1, 2}, {0, 2}}, 2), (B{1, 1}));
  EXPECT_EQ(betti({{0}, {1}, {2}, {3}, {0, 1}, {1, 2}, {2, 3}, {0, 3}}, 2), (B{1, 1}));
  EXPECT_EQ(betti({{0}, {1}, {2}, {3}, {0, 1}, {1, 2}, {2, 3}, {0, 3}}, 3), (B{1, 1}));
}

TEST(FilteredComplexGolden, SphereAsBoundaryOfTetrahedron) {
  const Simplices sphere = closure({{0, 1, 2}, {0, 1, 3}, {0, 2, 3}, {1, 2, 3}});
  EXPECT_EQ(betti(sphere, 2), (B{1, 0, 1}));
  EXPECT_EQ(betti(sphere, 3), (B{1, 0, 1}));
  Simplices ball = sphere;
  ball.push_back({0, 1, 2, 3});
  EXPECT_EQ(betti(ball, 2), (B{1, 0, 0, 0}));
}

TEST(FilteredComplexGolden, SevenVertexTorus) {
  const Simplices torus = closure(torus7());
  ASSERT_EQ(torus.size(), 7u + 21u + 14u);
  EXPECT_EQ(betti(torus, 2), (B{1, 2, 1}));
  EXPECT_EQ(betti(torus, 3), (B{1, 2, 1}));
}

TEST(FilteredComplexGolden, SquareFilledByTwoTrianglesFollowsTheElderRule) {
  // Square 0-1-2-3 with diagonal {0,2}: the cycle born first (with {0,3} at 2) dies last.
  Simplices s{{0}, {1}, {2}, {3}, {0, 1}, {1, 2}, {2, 3}, {0, 3}, {0, 2}, {0, 1, 2}, {0, 2, 3}};
  FilteredComplex<double> k(s, {0, 0, 0, 0, 1, 1, 1, 2, 3, 4, 5});
  const auto r = k.persistence();
  EXPECT_EQ(r.betti, (B{1, 0, 0}));
  const auto h1 = r.dimension(1);
  ASSERT_EQ(h1.size(), 2u);
  EXPECT_EQ(h1[0].birth, 3.0);
  EXPECT_EQ(h1[0].death, 4.0);
  EXPECT_EQ(h1[0].birth_simplex, 8);
  EXPECT_EQ(h1[0].death_simplex, 9);
  EXPECT_EQ(h1[1].birth, 2.0);
  EXPECT_EQ(h1[1].death, 5.0);
  EXPECT_EQ(h1[1].birth_simplex, 7);
  EXPECT_EQ(h1[1].death_simplex, 10);
  EXPECT_EQ(r.dimension(0).size(), 4u);  // three deaths at 1 and the essential class
}

TEST(FilteredComplexGolden, MaxDimLimitsTheOutput) {
  const Simplices sphere = closure({{0, 1, 2}, {0, 1, 3}, {0, 2, 3}, {1, 2, 3}});
  FilteredComplex<double> k(sphere, std::vector<double>(sphere.size(), 0.0));
  EXPECT_EQ(k.persistence(ComplexPersistenceOptions().with_max_dim(0)).betti, (B{1}));
  EXPECT_EQ(k.persistence(ComplexPersistenceOptions().with_max_dim(1)).betti, (B{1, 0}));
  EXPECT_EQ(k.persistence(ComplexPersistenceOptions().with_max_dim(4)).betti, (B{1, 0, 1, 0, 0}));
}

TEST(FilteredComplexGolden, EmptyComplex) {
  FilteredComplex<double> k(Simplices{}, {});
  EXPECT_EQ(k.size(), 0);
  EXPECT_EQ(k.dimension(), -1);
  EXPECT_TRUE(k.persistence().pairs.empty());
  EXPECT_TRUE(k.persistence().betti.empty());
  EXPECT_EQ(k.persistence(ComplexPersistenceOptions().with_max_dim(1)).betti, (B{0, 0}));
}

// Seeded random flag complex on n vertices (clique complex of G(n, q) up to dimension max_dim)
// with monotone values on a grid (so that ties occur).
struct RandomComplex {
  Simplices simplices;
  std::vector<double> values;
};

RandomComplex random_flag_complex(int n, double q, int max_dim, double grid, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::map<std::vector<vertex_t>, double> value;
  std::vector<std::vector<vertex_t>> layer;
  for (vertex_t i = 0; i < n; ++i) {
    value[{i}] = std::round(u(rng) * 0.3 / grid) * grid;
    layer.push_back({i});
  }
  for (int d = 1; d <= max_dim; ++d) {
    std::vector<std::vector<vertex_t>> next;
    for (const auto& s : layer) {
      for (vertex_t v = s.back() + 1; v < n; ++v) {
        std::vector<vertex_t> t = s;
        t.push_back(v);
        double base = 0;
        bool all_faces = true;
        for (std::size_t k = 0; k < t.size() && all_faces; ++k) {
          std::vector<vertex_t> f = t;
          f.erase(f.begin() + static_cast<std::ptrdiff_t>(k));
          const auto it = value.find(f);
          if (it == value.end()) {
            all_faces = false;
          } else {
            base = std::max(base, it->second);
          }
        }
        if (!all_faces) continue;
        if (d == 1 && u(rng) > q) continue;
        // Edges: a random value; higher simplices: the largest face value, sometimes a bit more.
        double own = u(rng);
        if (d > 1) own = u(rng) < 0.4 ? base + 0.3 * own : base;
        value[t] = std::max(base, std::round(own / grid) * grid);
        next.push_back(t);
      }
    }
    layer = std::move(next);
  }
  RandomComplex c;
  for (const auto& [s, v] : value) {
    c.simplices.push_back(s);
    c.values.push_back(v);
  }
  return c;
}

TEST(FilteredComplexInvariants, PairsPointAtSimplicesOfTheirValuesAndDimensions) {
  for (unsigned seed = 0; seed < 8; ++seed) {
    const auto c = random_flag_complex(12, 0.6, 3, 0.05, seed);
    FilteredComplex<double> k(c.simplices, c.values);
    for (std::uint32_t p : {2u, 3u}) {
      const auto r = k.persistence(ComplexPersistenceOptions().with_modulus(p).with_keep_zero_persistence(true));
      index_t finite = 0;
      std::vector<int> seen(c.simplices.size(), 0);
      for (const auto& pair : r.pairs) {
        ASSERT_GE(pair.birth_simplex, 0);
        EXPECT_EQ(pair.birth, c.values[pair.birth_simplex]);
        EXPECT_EQ(k.dimension(pair.birth_simplex), pair.dim);
        ++seen[pair.birth_simplex];
        if (pair.essential()) {
          EXPECT_EQ(pair.death_simplex, -1);
        } else {
          ++finite;
          EXPECT_EQ(pair.death, c.values[pair.death_simplex]);
          EXPECT_EQ(k.dimension(pair.death_simplex), pair.dim + 1);
          EXPECT_LE(pair.birth, pair.death);
          ++seen[pair.death_simplex];
        }
      }
      // With zero-length pairs kept, every simplex either creates or destroys exactly one class.
      EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), static_cast<long>(c.simplices.size()));
      EXPECT_EQ(2 * finite + std::accumulate(r.betti.begin(), r.betti.end(), index_t{0}),
                static_cast<index_t>(c.simplices.size()));
      // Euler characteristic.
      index_t chi_simplices = 0, chi_betti = 0;
      for (const auto& s : c.simplices) chi_simplices += (s.size() % 2 == 1) ? 1 : -1;
      for (std::size_t d = 0; d < r.betti.size(); ++d) chi_betti += (d % 2 == 0) ? r.betti[d] : -r.betti[d];
      EXPECT_EQ(chi_simplices, chi_betti) << "seed " << seed << " p " << p;
    }
  }
}

TEST(FilteredComplexInvariants, InputOrderDoesNotMatter) {
  for (unsigned seed = 10; seed < 14; ++seed) {
    const auto c = random_flag_complex(11, 0.6, 3, 0.1, seed);
    FilteredComplex<double> k(c.simplices, c.values);
    // Shuffle the simplices and the vertices within each simplex.
    std::mt19937 rng(seed);
    std::vector<std::size_t> perm(c.simplices.size());
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::shuffle(perm.begin(), perm.end(), rng);
    Simplices shuffled;
    std::vector<double> values;
    for (const std::size_t i : perm) {
      auto s = c.simplices[i];
      std::shuffle(s.begin(), s.end(), rng);
      shuffled.push_back(s);
      values.push_back(c.values[i]);
    }
    FilteredComplex<double> k2(shuffled, values);
    for (std::uint32_t p : {2u, 3u}) {
      const auto opts = ComplexPersistenceOptions().with_modulus(p).with_keep_zero_persistence(true);
      const auto r1 = k.persistence(opts), r2 = k2.persistence(opts);
      ASSERT_EQ(r1.pairs.size(), r2.pairs.size());
      for (std::size_t i = 0; i < r1.pairs.size(); ++i) {
        // The same simplices are critical (the tie-break rule does not look at input order).
        EXPECT_EQ(k.simplex(r1.pairs[i].birth_simplex), k2.simplex(r2.pairs[i].birth_simplex));
        if (!r1.pairs[i].essential()) {
          EXPECT_EQ(k.simplex(r1.pairs[i].death_simplex), k2.simplex(r2.pairs[i].death_simplex));
        }
      }
      EXPECT_EQ(r1.betti, r2.betti);
    }
  }
}

TEST(FilteredComplexInvariants, MaxDimGivesTheLowDimensionsOfTheFullComputation) {
  const auto c = random_flag_complex(12, 0.7, 4, 0.05, 99);
  FilteredComplex<double> k(c.simplices, c.values);
  const auto full = k.persistence();
  for (int d = 0; d < k.dimension(); ++d) {
    const auto part = k.persistence(ComplexPersistenceOptions().with_max_dim(d));
    std::vector<SimplexPair<double>> expected;
    for (const auto& p : full.pairs)
      if (p.dim <= d) expected.push_back(p);
    EXPECT_TRUE(same_intervals(intervals(part.pairs), intervals(expected), 0.0)) << "max_dim " << d;
    EXPECT_EQ(part.betti, B(full.betti.begin(), full.betti.begin() + d + 1));
  }
}

TEST(FilteredComplexInvariants, FloatAgreesWithDouble) {
  const auto c = random_flag_complex(10, 0.6, 3, 0.125, 5);  // values exact in float
  FilteredComplex<double> kd(c.simplices, c.values);
  FilteredComplex<float> kf(c.simplices, std::vector<float>(c.values.begin(), c.values.end()));
  EXPECT_TRUE(same_intervals(intervals(kd.persistence().pairs), intervals(kf.persistence().pairs), 0.0));
}

// The Rips filtration written out as a filtered complex must give the Rips engine's diagrams.
TEST(FilteredComplexCrossCheck, RipsComplexMatchesRipsEngine) {
  for (unsigned seed : {1u, 2u}) {
    const auto cloud = testing::random_cloud<double>(16, 3, seed);
    const auto dm = distance_matrix(cloud, Metric::kEuclidean);
    Simplices s;
    std::vector<double> v;
    const vertex_t n = 16;
    for (vertex_t a = 0; a < n; ++a) {
      s.push_back({a});
      v.push_back(0);
      for (vertex_t b = a + 1; b < n; ++b) {
        s.push_back({a, b});
        v.push_back(dm(a, b));
        for (vertex_t c = b + 1; c < n; ++c) {
          s.push_back({a, b, c});
          v.push_back(std::max({dm(a, b), dm(a, c), dm(b, c)}));
          for (vertex_t d = c + 1; d < n; ++d) {
            s.push_back({a, b, c, d});
            v.push_back(std::max({dm(a, b), dm(a, c), dm(b, c), dm(a, d), dm(b, d), dm(c, d)}));
          }
        }
      }
    }
    FilteredComplex<double> k(s, v);
    const auto mine = k.persistence(ComplexPersistenceOptions().with_max_dim(2));
    const auto rips = rips_persistence(dm, RipsOptions().with_max_dim(2).with_threshold(10.0));
    EXPECT_TRUE(same_intervals(intervals(mine.pairs), intervals(rips.pairs), 1e-12)) << "seed " << seed;
    EXPECT_EQ(mine.betti, (B{1, 0, 0}));
  }
}

// Golden file tests/data/filtered_complex_gudhi.txt, written by tests/ph/filtered_complex_gudhi.py.
struct GudhiCase {
  std::string name;
  std::uint32_t modulus = 2;
  Simplices simplices;
  std::vector<double> values;
  std::vector<testing::Interval> diagram;
};

double parse_value(const std::string& s) {
  return s == "inf" ? kInfinity<double> : std::stod(s);
}

std::vector<GudhiCase> read_gudhi_cases(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<GudhiCase> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream head(line);
    std::string word, kw_mod, kw_simp;
    GudhiCase c;
    std::size_t n = 0;
    head >> word >> c.name >> kw_mod >> c.modulus >> kw_simp >> n;
    if (word != "complex") throw std::runtime_error("bad golden line: " + line);
    for (std::size_t i = 0; i < n && std::getline(in, line); ++i) {
      std::istringstream row(line);
      std::string value;
      row >> value;
      c.values.push_back(std::stod(value));
      std::vector<vertex_t> s;
      vertex_t x;
      while (row >> x) s.push_back(x);
      c.simplices.push_back(s);
    }
    std::size_t k = 0;
    if (std::getline(in, line)) {
      std::istringstream row(line);
      row >> word >> k;
    }
    for (std::size_t i = 0; i < k && std::getline(in, line); ++i) {
      std::istringstream row(line);
      std::string b, d;
      int dim;
      row >> dim >> b >> d;
      c.diagram.push_back({dim, parse_value(b), parse_value(d)});
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

TEST(FilteredComplexCrossCheck, GudhiGoldenFile) {
  const auto cases = read_gudhi_cases(std::string(TOPOEMBED_TEST_DATA_DIR) + "/filtered_complex_gudhi.txt");
  ASSERT_GE(cases.size(), 30u);
  for (const auto& c : cases) {
    FilteredComplex<double> k(c.simplices, c.values);
    const auto r = k.persistence(ComplexPersistenceOptions().with_modulus(c.modulus));
    EXPECT_TRUE(same_intervals(intervals(r.pairs), c.diagram, 0.0)) << c.name << " modulus " << c.modulus;
  }
}

// Larger random complexes checked against GUDHI live, through /usr/bin/python3 (skipped without it).
TEST(FilteredComplexCrossCheck, GudhiLiveOnLargerComplexes) {
  namespace fs = std::filesystem;
  const std::string python = "/usr/bin/python3";
  const std::string script = std::string(TOPOEMBED_SOURCE_DIR) + "/tests/ph/filtered_complex_gudhi.py";
  if (!fs::exists(python) || std::system((python + " -c 'import gudhi, numpy' 2>/dev/null").c_str()) != 0) {
    GTEST_SKIP() << "python3 with gudhi not available";
  }
  const fs::path dir = fs::temp_directory_path() / ("topoembed_fc_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::vector<RandomComplex> complexes;
  {
    std::ofstream out(dir / "in.txt");
    out.precision(17);
    for (unsigned seed = 0; seed < 3; ++seed) {
      complexes.push_back(random_flag_complex(26, 0.5, 4, 0.01, 1000 + seed));
      const auto& c = complexes.back();
      for (std::uint32_t p : {2u, 3u}) {
        out << "complex live" << seed << " modulus " << p << " simplices " << c.simplices.size() << "\n";
        for (std::size_t i = 0; i < c.simplices.size(); ++i) {
          out << c.values[i];
          for (const vertex_t x : c.simplices[i]) out << ' ' << x;
          out << '\n';
        }
      }
    }
  }
  const std::string cmd = python + " " + script + " compute " + (dir / "in.txt").string() + " " + (dir / "out.txt").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const auto cases = read_gudhi_cases((dir / "out.txt").string());
  fs::remove_all(dir);
  ASSERT_EQ(cases.size(), 6u);
  for (const auto& c : cases) {
    EXPECT_GT(c.simplices.size(), 500u);
    FilteredComplex<double> k(c.simplices, c.values);
    const auto r = k.persistence(ComplexPersistenceOptions().with_modulus(c.modulus));
    EXPECT_TRUE(same_intervals(intervals(r.pairs), c.diagram, 0.0)) << c.name << " modulus " << c.modulus;
  }
}

// Bad input: the message names the simplex and says what was expected.
::testing::AssertionResult rejected_with(const Simplices& s, const std::vector<double>& v,
                                         const std::string& fragment) {
  return throws_containing<std::invalid_argument>([&] { FilteredComplex<double> k(s, v); }, fragment);
}

TEST(FilteredComplexBadInput, MessagesNameTheSimplex) {
  EXPECT_TRUE(rejected_with({{0}, {1}}, {0.0}, "2 simplices but 1 filtration values"));
  EXPECT_TRUE(rejected_with({{0}, {}}, {0, 0}, "simplex 1 is empty"));
  EXPECT_TRUE(rejected_with({{0}, {-1}}, {0, 0}, "simplex 1 {-1} has vertex -1, expected vertices >= 0"));
  EXPECT_TRUE(rejected_with({{0}, {0, 0}}, {0, 0}, "simplex 1 {0, 0} repeats vertex 0"));
  EXPECT_TRUE(
      rejected_with({{0}, {1}, {1, 0}, {0, 1}}, {0, 0, 1, 1}, "simplex 3 {0, 1} is listed twice (also as simplex 2)"));
  EXPECT_TRUE(rejected_with({{0}, {1}, {0, 2}}, {0, 0, 1}, "simplex 2 {0, 2} has face {2} that is not listed"));
  EXPECT_TRUE(rejected_with({{0}, {1}, {2}, {0, 1}, {1, 2}, {0, 1, 2}}, {0, 0, 0, 1, 1, 2},
                            "simplex 5 {0, 1, 2} has face {0, 2}"));
  EXPECT_TRUE(rejected_with({{0}, {1}, {1, 0}}, {0, 2, 1},
                            "simplex 2 {1, 0} has value 1 but its face {1} (simplex 1) has the larger value 2"));
  EXPECT_TRUE(rejected_with({{0}, {1}}, {0, std::nan("")}, "simplex 1 {1} has value nan, expected a finite number"));
  EXPECT_TRUE(rejected_with({{0}, {1}}, {kInfinity<double>, 0}, "simplex 0 {0} has value inf"));
}

TEST(FilteredComplexBadInput, Options) {
  FilteredComplex<double> k({{0}}, {0});
  EXPECT_TRUE(
      throws_containing<std::invalid_argument>([&] { k.persistence(ComplexPersistenceOptions().with_modulus(4)); },
                                               "modulus must be a prime below 2^31, got 4"));
  EXPECT_TRUE(
      throws_containing<std::invalid_argument>([&] { k.persistence(ComplexPersistenceOptions().with_max_dim(-1)); },
                                               "max_dim must be in [0, 65536] (or unset for all dimensions), got -1"));
  EXPECT_THROW(k.persistence(ComplexPersistenceOptions().with_max_dim(1 << 20)), std::invalid_argument);
  EXPECT_THROW(k.persistence(ComplexPersistenceOptions().with_modulus(0)), std::invalid_argument);
  EXPECT_THROW(k.persistence(ComplexPersistenceOptions().with_modulus(1)), std::invalid_argument);
  EXPECT_NO_THROW(k.persistence(ComplexPersistenceOptions().with_modulus(2147483647u)));
}

TEST(FilteredComplexGolden, LargePrimeModulusAgreesWithThree) {
  // RP^2 has only 2-torsion: every odd prime gives 1, 0, 0.
  const Simplices rp2 = closure(kRP2);
  EXPECT_EQ(betti(rp2, 2147483647u), (B{1, 0, 0}));
  EXPECT_EQ(betti(rp2, 65521u), (B{1, 0, 0}));
}

}  // namespace
}  // namespace topoembed::ph
