// report.html of a run directory: plots through topoembed::viz, diagrams through topoembed::ph.
#include "topoembed/train/report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "topoembed/data/point_cloud_io.hpp"
#include "topoembed/eval/nerve.hpp"
#include "topoembed/models/atlas.hpp"
#include "topoembed/ph/rips_persistence.hpp"
#include "topoembed/train/atlas_training.hpp"
#include "topoembed/train/datasets.hpp"
#include "topoembed/train/shuffle.hpp"
#include "topoembed/train/trainer.hpp"
#include "topoembed/train/workflows.hpp"
#include "topoembed/viz/graph_plot.hpp"
#include "topoembed/viz/html_report.hpp"
#include "topoembed/viz/image_graph_plot.hpp"
#include "topoembed/viz/image_grid.hpp"
#include "topoembed/viz/line_plot.hpp"
#include "topoembed/viz/persistence_plots.hpp"
#include "topoembed/viz/scatter_plot.hpp"

namespace topoembed::train {

namespace fs = std::filesystem;

namespace {

std::vector<nlohmann::json> read_log(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("report: '" + path.string() + "' is missing; is this a run directory?");
  std::vector<nlohmann::json> lines;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    try {
      lines.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception&) {
      throw std::runtime_error("report: '" + path.string() + "' line " + std::to_string(number) +
                               " is not valid JSON");
    }
  }
  if (lines.empty()) throw std::runtime_error("report: '" + path.string() + "' has no finished epoch yet");
  return lines;
}

double term(const nlohmann::json& record, const char* pass, const char* name) {
  try {
    return record.at(pass).at(name).get<double>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(std::string("report: log.jsonl line of epoch ") + record.value("epoch", nlohmann::json()).dump() +
                             " lacks " + pass + "." + name);
  }
}

// Rows of x [n, d] float64 picked by `rows`, as a point cloud.
ph::PointCloud<double> cloud_of(const torch::Tensor& x, const std::vector<std::int64_t>& rows) {
  const auto sub = x.index_select(0, torch::tensor(rows, torch::kLong)).to(torch::kFloat64).contiguous();
  std::vector<double> values(sub.data_ptr<double>(), sub.data_ptr<double>() + sub.numel());
  return ph::PointCloud<double>(static_cast<ph::index_t>(sub.size(0)), static_cast<int>(sub.size(1)),
                                std::move(values));
}

std::vector<viz::DiagramPoint> diagram(const ph::PointCloud<double>& cloud) {
  const auto result = ph::rips_persistence(cloud, ph::Metric::kEuclidean, ph::RipsOptions().with_max_dim(1));
  std::vector<viz::DiagramPoint> points;
  for (const auto& p : result.pairs) points.push_back({p.dim, p.birth, p.death});
  return points;
}

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

std::string write_report(const std::string& run_dir, int max_diagram_points) {
  if (max_diagram_points < 3) {
    throw std::invalid_argument("report: max_diagram_points must be >= 3, got " + std::to_string(max_diagram_points));
  }
  const fs::path dir(run_dir);
  if (!fs::is_directory(dir)) throw std::runtime_error("report: run directory '" + run_dir + "' does not exist");
  const TrainConfig config = read_config((dir / kConfigFile).string());
  // A pca run fits once: no epochs, no log.jsonl.
  const bool has_log = config.method != Method::kPca;
  const auto log = has_log ? read_log(dir / kLogFile) : std::vector<nlohmann::json>{};
  const fs::path plots = dir / "plots";
  std::error_code ec;
  fs::create_directories(plots, ec);
  if (ec) throw std::runtime_error("report: cannot create '" + plots.string() + "': " + ec.message());

  viz::HtmlReport report("topoembed run: " + method_name(config.method) + " on " + config.dataset);

  report.section("Run");
  std::vector<std::pair<std::string, std::string>> config_rows;
  const nlohmann::json config_json = to_json(config);  // items() must not outlive its object
  for (const auto& item : config_json.items()) {
    config_rows.emplace_back(item.key(), item.value().is_string() ? item.value().get<std::string>()
                                                                   : item.value().dump());
  }
  if (has_log) config_rows.emplace_back("epochs finished", std::to_string(log.size()));
  report.metrics_table(config_rows, "Configuration (config.json)");

  const fs::path metrics_path = dir / kMetricsFile;
  if (fs::exists(metrics_path)) {
    std::ifstream in(metrics_path);
    nlohmann::json m;
    try {
      in >> m;
    } catch (const nlohmann::json::exception&) {
      throw std::runtime_error("report: '" + metrics_path.string() + "' is not valid JSON");
    }
    std::vector<std::pair<std::string, double>> rows;
    for (const auto& item : m.items()) {
      if (item.value().is_number()) rows.emplace_back(item.key(), item.value().get<double>());
    }
    report.section("Metrics on the test split");
    report.metrics_table(rows, "metrics.json (kl_σ: density KL; *_mean: the ℓ-measures over k)");
  }

  // Loss curves.
  if (has_log) {
    std::vector<double> epochs;
    viz::Series train_loss{"train loss", {}, {}}, val_loss{"validation loss", {}, {}};
    viz::Series train_rec{"train MSE", {}, {}}, val_rec{"validation MSE", {}, {}};
    viz::Series train_topo{"train L_topo/B", {}, {}}, val_topo{"validation L_topo/B", {}, {}};
    for (const auto& r : log) {
      const double e = r.at("epoch").get<double>();
      for (auto* s : {&train_loss, &val_loss, &train_rec, &val_rec, &train_topo, &val_topo}) s->x.push_back(e);
      train_loss.y.push_back(term(r, "train", "loss"));
      val_loss.y.push_back(term(r, "validation", "loss"));
      train_rec.y.push_back(term(r, "train", "reconstruction"));
      val_rec.y.push_back(term(r, "validation", "reconstruction"));
      train_topo.y.push_back(term(r, "train", "topological"));
      val_topo.y.push_back(term(r, "validation", "topological"));
    }
    report.section("Training");
    viz::LinePlotOptions line;
    line.title = "Loss per epoch";
    line.x_label = "epoch";
    line.y_label = "loss";
    line.markers = log.size() < 30;
    viz::line_plot({train_loss, val_loss}, (plots / "loss.png").string(), line);
    report.image((plots / "loss.png").string(), "Total loss (MSE + λ·L_topo/B) on the training and validation splits");
    if (config.method == Method::kTopoAe) {
      line.title = "Loss terms per epoch";
      viz::line_plot({train_rec, val_rec, train_topo, val_topo}, (plots / "loss_terms.png").string(), line);
      report.image((plots / "loss_terms.png").string(), "Reconstruction (MSE) and topological terms");
    }
  }

  const fs::path latents_path = dir / kLatentsCsvFile;
  if (fs::exists(latents_path)) {
    const auto table = data::read_csv(latents_path.string());
    const std::int64_t cols = table.values.size(1);
    const bool has_labels = !table.header.empty() && table.header.back() == "labels";
    const std::int64_t dims = has_labels ? cols - 1 : cols;
    if (dims < 1) throw std::runtime_error("report: '" + latents_path.string() + "' has no latent columns");
    const auto z = table.values.slice(1, 0, dims).contiguous();
    const std::int64_t n = z.size(0);
    std::vector<double> xs(static_cast<std::size_t>(n)), ys(static_cast<std::size_t>(n));
    std::vector<int> labels;
    for (std::int64_t i = 0; i < n; ++i) {
      xs[static_cast<std::size_t>(i)] = z[i][0].item<double>();
      ys[static_cast<std::size_t>(i)] = dims > 1 ? z[i][1].item<double>() : 0.0;
      if (has_labels) {
        const auto label = static_cast<int>(table.values[i][cols - 1].item<double>());
        if (label >= 0) labels.push_back(label);
      }
    }
    if (static_cast<std::int64_t>(labels.size()) != n) labels.clear();
    report.section("Latent space (test split)");
    viz::ScatterOptions scatter;
    scatter.title = "Latents of the test split by label";
    scatter.x_label = "z0";
    scatter.y_label = dims > 1 ? "z1" : "";
    viz::scatter_plot(xs, ys, labels, (plots / "latents.png").string(), scatter);
    report.image((plots / "latents.png").string(),
                 dims > 2 ? "First two of " + std::to_string(dims) + " latent coordinates" : "Latent space");

    // Persistence diagrams of data and latents on the same seeded subsample.
    const auto data = load_training_data(config);
    const auto x = data.test_x.reshape({data.test_x.size(0), -1}).to(torch::kFloat64);
    if (x.size(0) != n) {
      throw std::runtime_error("report: '" + latents_path.string() + "' has " + std::to_string(n) +
                               " rows, the configured test split " + std::to_string(x.size(0)));
    }
    std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
    std::iota(rows.begin(), rows.end(), 0);
    ShuffleRng rng(config.seed);
    shuffle(rows, rng);
    rows.resize(static_cast<std::size_t>(std::min<std::int64_t>(n, max_diagram_points)));
    std::sort(rows.begin(), rows.end());
    report.section("Persistence diagrams (Vietoris–Rips, H0 and H1)");
    report.text("A seeded subsample of " + std::to_string(rows.size()) + " test points; H0 in colour 0, H1 in colour 1.");
    viz::DiagramPlotOptions dopt;
    dopt.title = "Data space";
    viz::persistence_diagram_plot(diagram(cloud_of(x, rows)), (plots / "diagram_data.png").string(), dopt);
    report.image((plots / "diagram_data.png").string(), "Data space (" + std::to_string(x.size(1)) + " dimensions)");
    dopt.title = "Latent space";
    viz::persistence_diagram_plot(diagram(cloud_of(z, rows)), (plots / "diagram_latents.png").string(), dopt);
    report.image((plots / "diagram_latents.png").string(), "Latent space");
  } else {
    report.section("Latent space");
    report.text("The run has not finished: no " + std::string(kLatentsCsvFile) + " yet" +
                (log.empty() ? std::string(".") : " (last epoch " + format_number(log.back().at("epoch").get<double>()) + ")."));
  }

  const std::string path = (dir / kReportFile).string();
  report.write(path);
  return path;
}

namespace {

nlohmann::json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("atlas report: '" + path.string() + "' is missing; is this an atlas run directory?");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error("atlas report: '" + path.string() + "' is not valid JSON");
  }
}

double atlas_log_value(const nlohmann::json& record, const char* name, std::size_t line) {
  const auto it = record.find(name);
  if (it == record.end() || !it->is_number())
    throw std::runtime_error("atlas report: log.jsonl line " + std::to_string(line) + " lacks the number '" + name + "'");
  return it->get<double>();
}

// Rows of a [n, D] float tensor as image vectors.
std::vector<std::vector<float>> image_rows(const torch::Tensor& x) {
  const auto c = x.to(torch::kFloat).contiguous();
  std::vector<std::vector<float>> rows;
  const auto* p = c.data_ptr<float>();
  for (std::int64_t i = 0; i < c.size(0); ++i) rows.emplace_back(p + i * c.size(1), p + (i + 1) * c.size(1));
  return rows;
}

}  // namespace

std::string write_atlas_report(const std::string& run_dir, const torch::Tensor& points, const AtlasReportOptions& options) {
  if (options.nerve_max_dim < -1 || options.nerve_max_dim > 8)
    throw std::invalid_argument("atlas report: nerve_max_dim must be -1 (automatic) or in 0..8, got " +
                                std::to_string(options.nerve_max_dim));
  if (options.grid_side < 1 || options.grid_side > 64)
    throw std::invalid_argument("atlas report: grid_side must be in 1..64, got " + std::to_string(options.grid_side));
  if (!(options.edge_threshold >= 0 && options.edge_threshold < 1))
    throw std::invalid_argument("atlas report: edge_threshold must be in [0, 1), got " + format_number(options.edge_threshold));
  if (!(options.picture_edge_fraction >= 0 && options.picture_edge_fraction <= 1))
    throw std::invalid_argument("atlas report: picture_edge_fraction must be in [0, 1], got " +
                                format_number(options.picture_edge_fraction));
  if (!options.image_shape.empty() &&
      (options.image_shape.size() != 2 || options.image_shape[0] < 1 || options.image_shape[1] < 1))
    throw std::invalid_argument("atlas report: image_shape must be empty or {H, W} with H, W >= 1");
  const fs::path dir(run_dir);
  if (!fs::is_directory(dir)) throw std::runtime_error("atlas report: run directory '" + run_dir + "' does not exist");
  const auto config = read_json_file(dir / "atlas_config.json");
  if (!fs::exists(dir / "atlas.pt"))
    throw std::runtime_error("atlas report: '" + (dir / "atlas.pt").string() + "' is missing; the run has not finished");
  auto atlas = models::load_atlas((dir / "atlas.pt").string());
  atlas->eval();
  if (!points.defined() || points.dim() != 2 || points.size(0) < 1 || points.size(1) != atlas->input_dim()) {
    std::ostringstream got;
    if (points.defined()) got << points.sizes();
    else got << "an undefined tensor";
    throw std::invalid_argument("atlas report: expected points [N, " + std::to_string(atlas->input_dim()) +
                                "] for the run's atlas, got " + got.str());
  }
  if (!options.image_shape.empty() && options.image_shape[0] * options.image_shape[1] != atlas->input_dim())
    throw std::invalid_argument("atlas report: image_shape " + std::to_string(options.image_shape[0]) + "x" +
                                std::to_string(options.image_shape[1]) + " does not match the atlas' input size " +
                                std::to_string(atlas->input_dim()));

  // log.jsonl: one line per epoch.
  std::vector<nlohmann::json> log;
  {
    std::ifstream in(dir / kLogFile);
    if (!in) throw std::runtime_error("atlas report: '" + (dir / kLogFile).string() + "' is missing");
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
      if (line.empty()) continue;
      try {
        log.push_back(nlohmann::json::parse(line));
      } catch (const nlohmann::json::exception&) {
        throw std::runtime_error("atlas report: '" + (dir / kLogFile).string() + "' line " + std::to_string(number) +
                                 " is not valid JSON");
      }
    }
  }
  const fs::path plots = dir / "plots";
  std::error_code ec;
  fs::create_directories(plots, ec);
  if (ec) throw std::runtime_error("atlas report: cannot create '" + plots.string() + "': " + ec.message());

  const auto k = atlas->charts();
  const auto d = atlas->chart_dim();
  viz::HtmlReport report("topoembed atlas run: " + config.value("dataset", std::string("?")) + ", k = " +
                         std::to_string(k) + ", d = " + std::to_string(d));
  report.section("Run");
  std::vector<std::pair<std::string, std::string>> config_rows;
  for (const auto& item : config.items())
    config_rows.emplace_back(item.key(), item.value().is_string() ? item.value().get<std::string>() : item.value().dump());
  config_rows.emplace_back("epochs finished", std::to_string(log.size()));
  report.metrics_table(config_rows, "Configuration (atlas_config.json)");
  const fs::path summary_path = dir / "atlas_summary.json";
  if (fs::exists(summary_path)) {
    const auto summary = read_json_file(summary_path);
    std::vector<std::pair<std::string, double>> rows;
    for (const char* part : {"training", "validation"}) {
      if (!summary.contains(part) || !summary.at(part).is_object()) continue;
      for (const auto& item : summary.at(part).items())
        if (item.value().is_number()) rows.emplace_back(std::string(part) + " " + item.key(), item.value().get<double>());
    }
    report.metrics_table(rows, "Losses after training (atlas_summary.json)");
  }

  if (!log.empty()) {
    viz::Series reconstruction{"reconstruction", {}, {}}, total{"total loss", {}, {}};
    viz::Series prior{"prior term", {}, {}}, sharpening{"sharpening term", {}, {}};
    viz::Series locality{"locality term", {}, {}}, balance{"balance term", {}, {}};
    // Logs written before the locality or balance term lack it; then its curve is left out.
    const bool has_locality = log.front().contains("locality");
    const bool has_balance = log.front().contains("balance");
    for (std::size_t i = 0; i < log.size(); ++i) {
      const double e = atlas_log_value(log[i], "epoch", i + 1);
      for (auto* s : {&reconstruction, &total, &prior, &sharpening, &locality, &balance}) s->x.push_back(e);
      reconstruction.y.push_back(atlas_log_value(log[i], "reconstruction", i + 1));
      total.y.push_back(atlas_log_value(log[i], "loss", i + 1));
      prior.y.push_back(atlas_log_value(log[i], "prior", i + 1));
      sharpening.y.push_back(atlas_log_value(log[i], "sharpening", i + 1));
      locality.y.push_back(has_locality ? atlas_log_value(log[i], "locality", i + 1) : 0.0);
      balance.y.push_back(has_balance ? atlas_log_value(log[i], "balance", i + 1) : 0.0);
    }
    report.section("Training");
    viz::LinePlotOptions line;
    line.x_label = "epoch";
    line.y_label = "loss";
    line.markers = log.size() < 30;
    line.title = "Total loss and reconstruction per epoch";
    viz::line_plot({total, reconstruction}, (plots / "loss.png").string(), line);
    report.image((plots / "loss.png").string(), "Means over the epoch's batches");
    line.title = "Prior, sharpening, locality and balance terms per epoch (unweighted)";
    std::vector<viz::Series> terms{prior, sharpening};
    if (has_locality) terms.push_back(locality);
    if (has_balance) terms.push_back(balance);
    viz::line_plot(terms, (plots / "loss_terms.png").string(), line);
    report.image((plots / "loss_terms.png").string(),
                 "The prior-matching term (MMD or GAN), the membership sharpening term (entropy), the locality "
                 "term (within-chart share of the variance) and the chart-balance term (KL of the mean membership "
                 "from uniform), each before its weight");
  }

  // Memberships on the points, the chart masses and the chart graph.
  const auto q = atlas_memberships(*atlas, points).to(torch::kDouble).contiguous();
  const auto n = q.size(0);
  const auto argmax = q.argmax(1).contiguous();
  const auto mass = q.sum(0).contiguous();
  const auto counts = torch::bincount(argmax, {}, k).contiguous();
  std::vector<std::pair<std::string, std::string>> chart_rows;
  std::vector<std::string> node_labels;
  for (std::int64_t j = 0; j < k; ++j) {
    const double share = mass[j].item<double>() / static_cast<double>(n);
    const auto count = counts[j].item<std::int64_t>();
    std::ostringstream row;
    row.precision(3);
    row << "mass " << share << ", argmax of " << count << " points";
    chart_rows.emplace_back("chart " + std::to_string(j), row.str());
    std::ostringstream label;
    label.precision(2);
    label << "chart " << j << " (" << 100 * share << "%)";
    node_labels.push_back(label.str());
  }
  report.section("Charts");
  report.metrics_table(chart_rows, "Mass Σ_x q_j(x) / N and argmax counts on the " + std::to_string(n) + " points");

  const auto u = eval::fuzzy_nerve(q, eval::NerveOptions().with_max_dim(0)).edge_strengths();
  std::vector<viz::GraphEdge> edges;
  for (std::size_t i = 0; i < u.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (u[i][j] > options.edge_threshold) edges.push_back({i, j, u[i][j]});
  const auto layout = viz::circular_layout(static_cast<std::size_t>(k));
  const std::string edge_text = "lines join charts with intersection strength u > " + format_number(options.edge_threshold) +
                                ", wider and darker for larger u";
  viz::GraphPlotOptions graph;
  graph.title = "Chart graph";
  graph.edge_labels = k <= 12;
  viz::graph_plot(layout, edges, (plots / "chart_graph.png").string(), graph);
  report.image((plots / "chart_graph.png").string(), "The charts, " + edge_text);

  // The nerve: its barcode over Z/2 and Z/3 and the Betti numbers read off it, by the library's
  // default filtration and rule (the same as `topoembed nerve` without options).
  {
    int max_dim = options.nerve_max_dim >= 0 ? options.nerve_max_dim : static_cast<int>(std::min<std::int64_t>(d, 3));
    // One pass over the points per candidate chart set: a few thousand per size on a good cover,
    // but up to C(k, max_dim + 2) on near-uniform memberships. Past 2e6 candidates of one size,
    // read fewer dimensions.
    eval::FuzzyNerve nerve;
    while (true) {
      try {
        nerve = eval::fuzzy_nerve(q, eval::NerveOptions().with_max_dim(max_dim).with_max_candidates(max_dim > 0 ? 2000000 : 0));
        break;
      } catch (const std::length_error&) {
        --max_dim;
      }
    }
    std::vector<ph::ComplexPersistence<double>> persistences;
    const std::uint32_t moduli[] = {2u, 3u};
    for (const auto p : moduli) persistences.push_back(eval::nerve_persistence(nerve, p));
    const auto reading = eval::most_persistent_reading(persistences, max_dim, nerve.cap);
    report.section("Nerve");
    std::vector<std::pair<std::string, std::string>> nerve_rows;
    for (std::size_t f = 0; f < persistences.size(); ++f) {
      std::string betti;
      for (const auto b : reading.betti[f]) betti += (betti.empty() ? "" : ", ") + std::to_string(b);
      nerve_rows.emplace_back("Betti numbers over Z/" + std::to_string(moduli[f]), betti);
    }
    nerve_rows.emplace_back("read on the stretch", "[" + format_number(reading.low) + ", " + format_number(reading.high) + ")");
    report.metrics_table(nerve_rows, "The fuzzy Čech nerve of the charts (filtration −log(u_S)/(|S|−1), most persistent "
                                     "Betti vector over Z/2 and Z/3; homology dimensions 0.." +
                                         std::to_string(max_dim) + ")");
    for (std::size_t f = 0; f < persistences.size(); ++f) {
      std::vector<viz::DiagramPoint> bars;
      for (int dim = 0; dim <= max_dim; ++dim)
        for (const auto& pair : persistences[f].dimension(dim))
          bars.push_back({pair.dim, pair.birth, pair.essential() ? std::numeric_limits<double>::infinity() : pair.death});
      viz::BarcodeOptions plot;
      plot.title = "nerve barcode, Z/" + std::to_string(moduli[f]) + " (-log u/(|S|-1))";
      const auto file = plots / ("nerve_barcode_z" + std::to_string(moduli[f]) + ".png");
      viz::barcode_plot(bars, file.string(), plot);
      report.image(file.string(), "Bars of the nerve over Z/" + std::to_string(moduli[f]) +
                                      "; the Betti numbers are read on [" + format_number(reading.low) + ", " +
                                      format_number(reading.high) + ")");
    }
  }

  if (!options.image_shape.empty()) {
    const int h = static_cast<int>(options.image_shape[0]);
    const int w = static_cast<int>(options.image_shape[1]);
    report.section("Charts as decoded images");
    if (d > 2) {
      report.text("Chart dimension d = " + std::to_string(d) + ": the decoded-image grids are drawn for d <= 2 only.");
    } else {
      // ψ_j over the cell centres of a uniform grid of [0,1]^d, first coordinate along a row.
      const auto grid = models::chart_grid(options.grid_side, d);
      std::vector<viz::ImageGridNode> nodes;
      {
        torch::NoGradGuard no_grad;
        for (std::int64_t j = 0; j < k; ++j)
          nodes.push_back({image_rows(atlas->decode_chart(j, grid)), options.grid_side, node_labels[static_cast<std::size_t>(j)]});
      }
      // Only the stronger edges: with k ≈ 15 every pair has some small u, and the lines would hide the grids.
      double max_u = 0;
      for (const auto& e : edges) max_u = std::max(max_u, e.weight);
      std::vector<viz::GraphEdge> strong;
      for (const auto& e : edges)
        if (e.weight >= options.picture_edge_fraction * max_u) strong.push_back(e);
      viz::ImageGraphPlotOptions picture;
      picture.title = "Charts: ψ_j over a uniform grid of [0,1]^" + std::to_string(d);
      picture.value_min = options.value_min;
      picture.value_max = options.value_max;
      picture.tile_size = k <= 8 ? 220 : 170;
      picture.width = picture.height = k <= 8 ? 1000 : 1500;
      viz::image_graph_plot(nodes, h, w, layout, strong, (plots / "chart_images.png").string(), picture);
      report.image((plots / "chart_images.png").string(),
                   "One grid of decoded images per chart (d = " + std::to_string(d) + ", " +
                       std::to_string(options.grid_side) + (d == 2 ? "x" + std::to_string(options.grid_side) : "") +
                       " grid points); lines join charts with u >= " + format_number(options.picture_edge_fraction) +
                       " of the largest u, wider and darker for larger u");
      for (std::int64_t j = 0; j < k; ++j) {
        viz::ImageGridOptions one;
        one.title = node_labels[static_cast<std::size_t>(j)];
        one.columns = options.grid_side;
        one.value_min = options.value_min;
        one.value_max = options.value_max;
        const auto file = plots / ("chart_" + std::to_string(j) + ".png");
        viz::image_grid(nodes[static_cast<std::size_t>(j)].images, h, w, file.string(), one);
        report.image(file.string());
      }
    }
  } else {
    const auto x = points.to(torch::kDouble).contiguous();
    std::vector<double> xs(static_cast<std::size_t>(n)), ys(static_cast<std::size_t>(n));
    std::vector<int> labels(static_cast<std::size_t>(n));
    const auto* px = x.data_ptr<double>();
    const auto* pa = argmax.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < n; ++i) {
      xs[static_cast<std::size_t>(i)] = px[i * x.size(1)];
      ys[static_cast<std::size_t>(i)] = x.size(1) > 1 ? px[i * x.size(1) + 1] : 0.0;
      labels[static_cast<std::size_t>(i)] = static_cast<int>(pa[i]);
    }
    report.section("Points by argmax chart");
    viz::ScatterOptions scatter;
    scatter.title = "Points coloured by argmax chart";
    scatter.x_label = "x0";
    scatter.y_label = x.size(1) > 1 ? "x1" : "";
    viz::scatter_plot(xs, ys, labels, (plots / "charts.png").string(), scatter);
    report.image((plots / "charts.png").string(),
                 x.size(1) > 2 ? "First two of " + std::to_string(x.size(1)) + " coordinates" : "The points");
  }

  const std::string path = (dir / kReportFile).string();
  report.write(path);
  return path;
}

}  // namespace topoembed::train
