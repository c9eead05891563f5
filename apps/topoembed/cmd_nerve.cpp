// topoembed nerve RUN_DIR: the fuzzy Čech nerve of an atlas run's chart memberships
// (RUN_DIR/memberships.csv, written by `topoembed train --method atlas-ae`), its persistent
// homology over Z/2 and Z/3 printed as a barcode with the Betti numbers read off it (by default
// the most persistent Betti vector of the normalised −log filtration), and the
// pictures nerve_barcode_z2.png, nerve_barcode_z3.png (barcodes) and chart_graph.png (the charts
// joined by edges weighted by the intersection strengths u) written into the run directory, plus
// nerve.json with the strengths, the bars, the Betti numbers and how many chart sets of each size
// enter below the cap (only those are listed; see include/topoembed/eval/nerve.hpp).
// With --sample N the strengths are estimated on N fresh points of the run's data distribution
// (the generator of its atlas_config.json with another seed) whose memberships the trained atlas
// (atlas.pt) gives, instead of the training points' memberships: the strengths are expectations
// over the data distribution, and the triple and quadruple products that the higher simplices need
// are small where few training points lie, so a larger sample estimates them better (the
// membership head is cheap to evaluate).
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "atlas_train_command.hpp"
#include "commands.hpp"
#include "run_dir.hpp"
#include "topoembed/eval/nerve.hpp"
#include "topoembed/models/atlas.hpp"
#include "topoembed/ph/atomic_file.hpp"
#include "topoembed/ph/io.hpp"
#include "topoembed/viz/graph_plot.hpp"
#include "topoembed/viz/persistence_plots.hpp"

namespace topoembed::app {
namespace {

namespace fs = std::filesystem;

struct NerveCliOptions {
  std::string run_dir;
  int dim = 2;
  std::string conditioning = "weighted";
  std::string filtration = "normalized-log";
  double log_cap = 30.0;
  std::optional<double> at;               // read at this filtration value
  std::optional<double> epsilon;          // one-minus-u only: the fixed reading at 1 − ε
  double min_persistence = 0.005;
  bool no_plots = false;
  std::optional<std::int64_t> sample;        // fresh points to estimate the strengths on
  std::optional<std::uint64_t> sample_seed;  // their seed (default: the run's seed + kFreshSampleSeedOffset)
  int threads = 1;                           // for the nerve's passes over the sample
};

// The fresh sample's seed, apart from the run's own (training) seed.
constexpr std::uint64_t kFreshSampleSeedOffset = 1000003;

// Where the memberships come from: the run's memberships.csv, or a fresh sample.
struct NerveSample {
  torch::Tensor q;
  std::string source;  // "memberships.csv" or "fresh"
  std::uint64_t seed = 0;
};

torch::Tensor read_memberships(const fs::path& run_dir) {
  require_run_dir(run_dir, "nerve");
  const auto path = run_dir / "memberships.csv";
  if (!fs::exists(path))
    throw std::runtime_error("nerve: " + run_dir.string() +
                             " has no chart memberships (memberships.csv); only runs of `topoembed train "
                             "--method atlas-ae` have charts");
  const auto cloud = ph::read_point_cloud<double>(path);
  auto q = torch::from_blob(const_cast<double*>(cloud.coords.data()), {cloud.num_points, cloud.dim}, torch::kDouble);
  return q.clone();
}

// Memberships of the trained atlas (run_dir/atlas.pt) on `points` fresh points of the run's data
// set (atlas_config.json), sampled with `seed`.
torch::Tensor fresh_memberships(const fs::path& run_dir, std::int64_t points, std::uint64_t seed) {
  const auto config = read_atlas_run_config(run_dir.string(), "nerve --sample");
  const auto& dataset = config.common.dataset;
  if (dataset == "fmnist" || (dataset.size() > 4 && dataset.compare(dataset.size() - 4, 4, ".csv") == 0))
    throw std::invalid_argument("nerve --sample: a fresh sample needs a generated manifold (circle, sphere, torus, "
                                "flat-torus, rp2, rp2-r6, t3); the run's data set is '" + dataset + "'");
  const auto model_path = run_dir / "atlas.pt";
  if (!fs::exists(model_path))
    throw std::runtime_error("nerve --sample: " + run_dir.string() + " has no trained atlas (atlas.pt)");
  auto atlas = models::load_atlas(model_path.string());
  const auto data = load_atlas_data(dataset, points, seed, "nerve --sample");
  return train::atlas_memberships(*atlas, data.points).to(torch::kDouble);
}

NerveSample nerve_sample(const fs::path& run_dir, const NerveCliOptions& o) {
  if (!o.sample) return {read_memberships(run_dir), "memberships.csv", 0};
  require_run_dir(run_dir, "nerve");
  const auto seed = o.sample_seed ? *o.sample_seed
                                  : read_atlas_run_config(run_dir.string(), "nerve --sample").common.seed +
                                        kFreshSampleSeedOffset;
  return {fresh_memberships(run_dir, *o.sample, seed), "fresh", seed};
}

void run_nerve(const NerveCliOptions& o) {
  const fs::path run_dir(o.run_dir);
  const bool log_scale = o.filtration == "normalized-log";
  if (o.epsilon && log_scale)
    throw std::invalid_argument("nerve: --epsilon reads the one-minus-u filtration at 1 - EPS; with --filtration "
                                "normalized-log use --at VALUE (a value -log s reads at per-factor strength s)");
  if (o.epsilon && o.at) throw std::invalid_argument("nerve: give --epsilon or --at, not both");
  if (o.sample_seed && !o.sample) throw std::invalid_argument("nerve: --sample-seed needs --sample N");
  const auto sample = nerve_sample(run_dir, o);
  const auto& q = sample.q;
  eval::NerveOptions options;
  options.max_dim = o.dim;
  options.conditioning = o.conditioning == "argmax" ? eval::NerveConditioning::kArgmax
                                                   : eval::NerveConditioning::kMembershipWeighted;
  options.filtration = log_scale ? eval::NerveFiltration::kNormalizedLog : eval::NerveFiltration::kOneMinusStrength;
  options.log_cap = o.log_cap;
  options.threads = o.threads;
  const auto nerve = eval::fuzzy_nerve(q, options);
  // Only the chart sets entering below the cap are listed (the rest enter at the cap together).
  std::vector<std::int64_t> listed(nerve.candidates.size(), 0);
  for (const auto& s : nerve.simplices) ++listed[s.size() - 1];

  std::vector<ph::ComplexPersistence<double>> persistences;
  for (const std::uint32_t p : {2u, 3u}) persistences.push_back(eval::nerve_persistence(nerve, p));
  eval::NerveScaleReading reading;
  std::string rule;
  if (o.epsilon) {
    const eval::NerveReading fixed{*o.epsilon, o.min_persistence};
    reading.value = reading.low = reading.high = 1.0 - *o.epsilon;
    for (const auto& pers : persistences) reading.betti.push_back(eval::nerve_betti_numbers(pers, o.dim, fixed));
    std::ostringstream r;
    r << "bars alive at 1 - " << *o.epsilon << " that lived >= " << o.min_persistence;
    rule = r.str();
  } else if (o.at) {
    reading.value = reading.low = reading.high = *o.at;
    for (const auto& pers : persistences) reading.betti.push_back(eval::betti_at_value(pers, o.dim, *o.at));
    rule = "bars alive at value " + std::to_string(*o.at);
  } else {
    reading = eval::most_persistent_reading(persistences, o.dim, nerve.cap);
    std::ostringstream r;
    r << "most persistent Betti vector: constant on [" << reading.low << ", " << reading.high << ")";
    rule = r.str();
  }

  nlohmann::json out;
  out["charts"] = nerve.charts;
  out["points"] = q.size(0);
  out["sample"] = sample.source == "fresh"
                      ? nlohmann::json{{"source", "fresh"}, {"points", q.size(0)}, {"seed", sample.seed}}
                      : nlohmann::json{{"source", "memberships.csv"}, {"points", q.size(0)}};
  out["conditioning"] = o.conditioning;
  out["filtration"] = o.filtration;
  out["cap"] = nerve.cap;
  out["reading"] = {{"rule", rule}, {"low", reading.low}, {"high", reading.high}, {"value", reading.value}};
  out["edge_strengths"] = nerve.edge_strengths();
  out["chart_sets"] = {{"below_cap", listed}, {"strengths_computed", nerve.candidates}};

  std::cout << "fuzzy Čech nerve of " << nerve.charts << " charts from " << q.size(0) << (sample.source == "fresh" ? " fresh" : "") << " points (filtration "
            << (log_scale ? "-log(u)/(|S|-1)" : "1 - u") << "; Betti numbers: " << rule << ")\n";
  std::cout << "chart sets of 1.." << listed.size() << " charts entering below the cap " << nerve.cap << ":";
  for (std::size_t i = 0; i < listed.size(); ++i) std::cout << (i ? " / " : " ") << listed[i];
  std::cout << " (strengths computed:";
  for (std::size_t i = 0; i < nerve.candidates.size(); ++i) std::cout << (i ? " / " : " ") << nerve.candidates[i];
  std::cout << ")\n";
  const std::uint32_t moduli[] = {2u, 3u};
  for (std::size_t f = 0; f < persistences.size(); ++f) {
    const auto p = moduli[f];
    const auto& pers = persistences[f];
    const auto& betti = reading.betti[f];
    std::cout << "coefficients Z/" << p << ":\n";
    std::vector<viz::DiagramPoint> points;
    nlohmann::json bars = nlohmann::json::array();
    for (int dim = 0; dim <= o.dim; ++dim) {
      std::cout << "  dim " << dim << ":\n";
      for (const auto& pair : pers.dimension(dim)) {
        std::ostringstream line;
        line << "   [" << pair.birth << ", ";
        if (pair.essential()) line << ")";
        else line << pair.death << ")";
        std::cout << line.str() << "\n";
        points.push_back({pair.dim, pair.birth, pair.essential() ? std::numeric_limits<double>::infinity() : pair.death});
        bars.push_back({{"dim", pair.dim}, {"birth", pair.birth},
                        {"death", pair.essential() ? nlohmann::json(nullptr) : nlohmann::json(pair.death)}});
      }
    }
    std::cout << "  betti:";
    for (const auto b : betti) std::cout << " " << b;
    std::cout << "\n";
    const std::string key = "z" + std::to_string(p);
    out[key] = {{"bars", bars}, {"betti", betti}};
    if (!o.no_plots && !points.empty()) {
      viz::BarcodeOptions plot;
      std::ostringstream title;
      title << "nerve barcode, Z/" << p << " (" << (log_scale ? "-log u/(|S|-1)" : "1 - u") << "), betti";
      for (const auto b : betti) title << " " << b;
      plot.title = title.str();
      viz::barcode_plot(points, (run_dir / ("nerve_barcode_" + key + ".png")).string(), plot);
    }
  }
  if (!o.no_plots) {
    // The chart graph at the reading value: the edges that have entered the filtration there.
    const auto u = nerve.edge_strengths();
    std::vector<viz::GraphEdge> edges;
    for (std::size_t i = 0; i < nerve.simplices.size(); ++i) {
      const auto& s = nerve.simplices[i];
      if (s.size() == 2 && nerve.values[i] <= reading.value)
        edges.push_back({static_cast<std::size_t>(s[1]), static_cast<std::size_t>(s[0]), u[s[0]][s[1]]});
    }
    viz::GraphPlotOptions plot;
    std::ostringstream title;
    title << "chart graph (edges entered by value " << reading.value << ", labels u)";
    plot.title = title.str();
    plot.edge_labels = true;
    viz::graph_plot(viz::circular_layout(u.size()), edges, (run_dir / "chart_graph.png").string(), plot);
  }
  ph::write_file_atomically(run_dir / "nerve.json", out.dump(2) + "\n");
}

}  // namespace

Command add_nerve_command(CLI::App& parent) {
  auto opts = std::make_shared<NerveCliOptions>();
  CLI::App* sub = parent.add_subcommand(
      "nerve", "Fuzzy Cech nerve of an atlas run's charts: barcode (Z/2, Z/3), Betti numbers, chart graph");
  sub->add_option("RUN_DIR", opts->run_dir, "Run directory of `topoembed train --method atlas-ae`")->required();
  sub->add_option("--dim", opts->dim, "Homology dimensions 0..K")->check(CLI::Range(0, 8))->capture_default_str();
  sub->add_option("--conditioning", opts->conditioning,
                  "E_{x|j}: weighted (by q_j) or argmax (points whose argmax chart is j)")
      ->check(CLI::IsMember({"weighted", "argmax"}))
      ->capture_default_str();
  sub->add_option("--filtration", opts->filtration,
                  "Filtration value of a chart set S: normalized-log = -log(u_S)/(|S|-1), or one-minus-u = 1 - u_S")
      ->check(CLI::IsMember({"normalized-log", "one-minus-u"}))
      ->capture_default_str();
  sub->add_option("--log-cap", opts->log_cap, "normalized-log: largest filtration value (u = 0 enters there)")
      ->check(CLI::Range(1e-6, 1e6))
      ->capture_default_str();
  sub->add_option("--at", opts->at,
                  "Read Betti numbers at this filtration value instead of the most persistent Betti vector");
  sub->add_option("--epsilon", opts->epsilon, "one-minus-u: read Betti numbers at filtration value 1 - EPS")
      ->check(CLI::Range(1e-12, 1.0 - 1e-12));
  sub->add_option("--min-persistence", opts->min_persistence,
                  "with --epsilon: bars shorter than this before 1 - EPS are noise")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--sample", opts->sample,
                  "Estimate the strengths on N fresh points of the run's data set (memberships by its atlas.pt) "
                  "instead of its memberships.csv")
      ->check(CLI::Range(std::int64_t{2}, std::int64_t{10000000}));
  sub->add_option("--sample-seed", opts->sample_seed,
                  "Seed of the fresh sample (default: the run's seed + " + std::to_string(kFreshSampleSeedOffset) + ")");
  sub->add_option("--threads", opts->threads, "Threads for the passes over the sample (same numbers for any count)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub->add_flag("--no-plots", opts->no_plots, "Skip the PNG pictures");
  return Command{sub, [opts] { run_nerve(*opts); }};
}

}  // namespace topoembed::app
